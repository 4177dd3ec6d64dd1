package sagesandbox

import (
	"bytes"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Faults is the fault-injection configuration set through PUT /_admin/faults. It lives in
// memory only: a restarted sandbox starts healthy.
type Faults struct {
	// LatencyMS delays matching requests before they are handled.
	LatencyMS int `json:"latency_ms"`
	// ResponseDelayMS delays the response after the handler (and its write) completed:
	// the crash window in which the ERP has the document but the client never hears so.
	ResponseDelayMS int `json:"response_delay_ms"`
	// ErrorRate is the fraction of matching requests answered ErrorStatus before doing anything.
	ErrorRate float64 `json:"error_rate"`
	// ErrorStatus is the 5xx status for ErrorRate (default 503).
	ErrorStatus int `json:"error_status"`
	// RateLimitRate is the fraction of matching requests answered 429 with Retry-After.
	RateLimitRate float64 `json:"rate_limit_rate"`
	// RetryAfterS is the Retry-After value for 429s (default 1).
	RetryAfterS int `json:"retry_after_s"`
	// OutageSeconds answers every matching request 503 for this many seconds from the PUT.
	OutageSeconds int `json:"outage_seconds"`
	// Methods restricts the faults to these HTTP methods (all when empty).
	Methods []string `json:"methods,omitempty"`
	// PathPrefix restricts the faults to paths under this prefix (all ERP paths when empty).
	PathPrefix string `json:"path_prefix,omitempty"`
	// OutageUntil is computed from OutageSeconds; read-only.
	OutageUntil *time.Time `json:"outage_until,omitempty"`
}

func (f *Faults) validate() error {
	switch {
	case f.LatencyMS < 0 || f.LatencyMS > 600_000:
		return badField("latency_ms", "latency_ms must be between 0 and 600000")
	case f.ResponseDelayMS < 0 || f.ResponseDelayMS > 600_000:
		return badField("response_delay_ms", "response_delay_ms must be between 0 and 600000")
	case f.ErrorRate < 0 || f.ErrorRate > 1 || math.IsNaN(f.ErrorRate):
		return badField("error_rate", "error_rate must be between 0 and 1")
	case f.RateLimitRate < 0 || f.RateLimitRate > 1 || math.IsNaN(f.RateLimitRate):
		return badField("rate_limit_rate", "rate_limit_rate must be between 0 and 1")
	case f.ErrorStatus != 0 && (f.ErrorStatus < 500 || f.ErrorStatus > 599):
		return badField("error_status", "error_status %d must be a 5xx status", f.ErrorStatus)
	case f.RetryAfterS < 0 || f.OutageSeconds < 0:
		return badField("retry_after_s", "retry_after_s and outage_seconds must not be negative")
	case f.PathPrefix != "" && !strings.HasPrefix(f.PathPrefix, "/"):
		return badField("path_prefix", "path_prefix %q must start with /", f.PathPrefix)
	}
	for i, m := range f.Methods {
		f.Methods[i] = strings.ToUpper(m)
	}
	if f.ErrorStatus == 0 {
		f.ErrorStatus = http.StatusServiceUnavailable
	}
	if f.RetryAfterS == 0 {
		f.RetryAfterS = 1
	}
	return nil
}

func (f *Faults) matches(r *http.Request) bool {
	if f.PathPrefix != "" && !strings.HasPrefix(r.URL.Path, f.PathPrefix) {
		return false
	}
	if len(f.Methods) == 0 {
		return true
	}
	for _, m := range f.Methods {
		if m == r.Method {
			return true
		}
	}
	return false
}

// Stats counts ERP responses and injected faults since start or the last reset. Admin
// requests and requests rejected for authentication are not counted.
type Stats struct {
	Since time.Time `json:"since"`
	// Requests is the number of ERP requests seen by the fault layer.
	Requests int64 `json:"requests"`
	// Responses counts ERP responses by HTTP status ("201": 3), injected ones included.
	Responses map[string]int `json:"responses"`
	// Faults counts injections by kind: error, rate_limited, outage, latency, response_delay.
	Faults map[string]int `json:"faults"`
	// PeakPerSecond is the most ERP requests that arrived within any one second (a sliding
	// window over arrival times): what a client-side rate limit must keep down.
	PeakPerSecond int `json:"peak_per_second"`
}

// faultLayer injects faults into ERP (non-admin) requests and keeps the stats.
type faultLayer struct {
	mu     sync.Mutex
	faults Faults
	rng    *rand.Rand
	stats  Stats
	now    func() time.Time
	// recent are the arrival times of the last second's requests (PeakPerSecond).
	recent []time.Time
}

func newFaultLayer(seed uint64, now func() time.Time) *faultLayer {
	l := &faultLayer{rng: rand.New(rand.NewPCG(seed, seed^0x5a5a)), now: now}
	l.resetStats()
	return l
}

func (l *faultLayer) resetStats() {
	l.mu.Lock()
	defer l.mu.Unlock()
	// Every fault kind is present (zero) so clients see a stable shape.
	l.recent = nil
	l.stats = Stats{Since: l.now(), Responses: map[string]int{},
		Faults: map[string]int{"error": 0, "rate_limited": 0, "outage": 0, "latency": 0, "response_delay": 0}}
}

func (l *faultLayer) snapshot() (Faults, Stats) {
	l.mu.Lock()
	defer l.mu.Unlock()
	st := l.stats
	st.Responses = copyMap(l.stats.Responses)
	st.Faults = copyMap(l.stats.Faults)
	f := l.faults
	f.Methods = append([]string(nil), f.Methods...)
	if f.OutageUntil != nil && !l.now().Before(*f.OutageUntil) {
		f.OutageUntil = nil
	}
	return f, st
}

func copyMap(m map[string]int) map[string]int {
	out := make(map[string]int, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func (l *faultLayer) set(f Faults) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f.OutageUntil = nil
	if f.OutageSeconds > 0 {
		until := l.now().Add(time.Duration(f.OutageSeconds) * time.Second)
		f.OutageUntil = &until
	}
	l.faults = f
}

// decision is what the fault layer does with one request.
type decision struct {
	status     int // non-zero: answer this status without handling
	retryAfter int
	kind       string
	latency    time.Duration
	delay      time.Duration
}

func (l *faultLayer) decide(r *http.Request) decision {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.stats.Requests++
	arrived := l.now()
	keep := l.recent[:0]
	for _, t := range l.recent {
		if arrived.Sub(t) < time.Second {
			keep = append(keep, t)
		}
	}
	l.recent = append(keep, arrived)
	l.stats.PeakPerSecond = max(l.stats.PeakPerSecond, len(l.recent))
	f := &l.faults
	if !f.matches(r) {
		return decision{}
	}
	now := l.now()
	if f.OutageUntil != nil && now.Before(*f.OutageUntil) {
		l.stats.Faults["outage"]++
		secs := int(math.Ceil(f.OutageUntil.Sub(now).Seconds()))
		return decision{status: http.StatusServiceUnavailable, retryAfter: secs, kind: "outage"}
	}
	if f.ErrorRate > 0 && l.rng.Float64() < f.ErrorRate {
		l.stats.Faults["error"]++
		return decision{status: f.ErrorStatus, kind: "error"}
	}
	if f.RateLimitRate > 0 && l.rng.Float64() < f.RateLimitRate {
		l.stats.Faults["rate_limited"]++
		return decision{status: http.StatusTooManyRequests, retryAfter: f.RetryAfterS, kind: "rate_limited"}
	}
	d := decision{latency: time.Duration(f.LatencyMS) * time.Millisecond, delay: time.Duration(f.ResponseDelayMS) * time.Millisecond}
	if d.latency > 0 {
		l.stats.Faults["latency"]++
	}
	if d.delay > 0 {
		l.stats.Faults["response_delay"]++
	}
	return d
}

func (l *faultLayer) count(status int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.stats.Responses[strconv.Itoa(status)]++
}

// wrap applies the faults around an ERP dialect handler.
func (l *faultLayer) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d := l.decide(r)
		if d.status != 0 {
			if d.retryAfter > 0 {
				w.Header().Set("Retry-After", strconv.Itoa(d.retryAfter))
			}
			e := &apiError{Status: d.status, Code: codeServer, Message: "Sage service unavailable (injected " + d.kind + ")"}
			if d.status == http.StatusTooManyRequests {
				e.Code, e.Message = codeRateLimited, "rate limit exceeded; retry after "+strconv.Itoa(d.retryAfter)+"s"
			}
			writeAPIError(w, e)
			l.count(d.status)
			return
		}
		if !sleep(r, d.latency) {
			return // client gave up during the injected latency; nothing was done
		}
		rec := &recorder{header: w.Header(), status: http.StatusOK}
		next.ServeHTTP(rec, r)
		l.count(rec.status)
		// The write is committed; a crash or timeout here leaves the client unaware of it.
		if !sleep(r, d.delay) {
			return
		}
		w.WriteHeader(rec.status)
		_, _ = w.Write(rec.body.Bytes())
	})
}

// sleep waits d or until the client disconnects; it reports whether the client is still there.
func sleep(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

// recorder buffers a response so it can be delayed and its status counted.
type recorder struct {
	header http.Header
	status int
	wrote  bool
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if !r.wrote {
		r.status, r.wrote = status, true
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	r.wrote = true
	return r.body.Write(b)
}
