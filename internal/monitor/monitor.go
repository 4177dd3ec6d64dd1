// Package monitor is what every call from ledgerbridge to an external system (Stripe, PayTrace,
// the ERP) goes through: a client-side rate limiter per system, Prometheus metrics (calls by
// outcome, latency, time spent throttled, outage state) and outage tracking that tells the
// caller once when a system has been failing for longer than a threshold and once when it is
// back.
//
// Decorators wrap the ports: ERP wraps an erp.Connector, Stripe a stripeapi.Client; Do and Call
// wrap any other client (the PayTrace client). Each call waits for the system's limiter
// (respecting its context), runs, is timed and classified (see Outcome), and feeds the outage
// tracker; the inner result and error are returned unchanged.
//
// The limits are per Monitor, i.e. per worker process: with several worker replicas, divide the
// provider's limit between them.
//
// Labels carry only the system, the operation (a method name) and the outcome: never an ID, an
// amount or a name.
package monitor

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/time/rate"
)

// The systems ledgerbridge calls, as they appear in the "system" label and in Config.Limits.
const (
	SystemERP      = "erp"
	SystemStripe   = "stripe"
	SystemPayTrace = "paytrace"
)

// DefaultThreshold is how long a system must have been failing before OnOutage is called, when
// Config.Threshold is zero (LEDGERBRIDGE_OUTAGE_ALERT_AFTER=15m).
const DefaultThreshold = 15 * time.Minute

// DefaultBulkShare is the share of each system's rate that bulk traffic (WithBulk) may use when
// Config.BulkShare is zero: a backfill uses at most half, live traffic always has the rest.
const DefaultBulkShare = 0.5

// Config configures a Monitor. The zero value is valid: no limits, the default threshold, no
// callbacks, the real clock.
type Config struct {
	// Limits is the client-side rate limit per system. A system that is missing, or has a zero
	// RatePerSecond, is not limited. Start from DefaultLimits and override from configuration.
	Limits map[string]Limits
	// BulkShare (0 < BulkShare ≤ 1) is the share of a system's rate that calls made with a
	// WithBulk context may use together; zero means DefaultBulkShare.
	BulkShare float64
	// Threshold is how long a system must have been failing (transient failures with no success
	// in between) before OnOutage is called; zero means DefaultThreshold.
	Threshold time.Duration
	// OnOutage is called once per outage, when it has lasted longer than Threshold, with when it
	// started and the latest failure (its text stripped of URLs and card data). Optional.
	OnOutage func(system string, since time.Time, lastErr error)
	// OnRecovery is called when an outage that OnOutage reported ends, with how long it lasted.
	// Optional.
	//
	// Callbacks run on the goroutine of the call that triggered them, one at a time and in the
	// order of the events; they must be quick (log, and post an alert with a short timeout) and
	// must not call the Monitor.
	OnRecovery func(system string, lasted time.Duration)
	// Classifiers overrides, per system, how Do and Call classify errors (e.g. the PayTrace
	// client's error types); systems without one use Classify.
	Classifiers map[string]Classifier
	// PerRequest lists the systems whose limit applies to every HTTP request, through the
	// round tripper Transport returns, instead of to every monitored call: one connector call
	// can make several requests (a lookup and a create, a token grant, a listing's pages), and
	// the system's own rate limit counts requests.
	PerRequest []string
	// Now is the clock outages are timed with; nil means time.Now. Tests set it.
	Now func() time.Time
}

// Monitor holds the limiters, metrics and outage state of every external system. It is safe
// for concurrent use. A nil *Monitor monitors nothing: decorators return the inner client and
// Do and Call just run fn.
type Monitor struct {
	cfg       Config
	threshold time.Duration
	now       func() time.Time
	limiters  map[string]*systemLimiter // read-only after New
	clock     limiterClock

	calls       *prometheus.CounterVec
	seconds     *prometheus.HistogramVec
	rateLimited *prometheus.CounterVec
	outageGauge *prometheus.GaugeVec

	mu      sync.Mutex
	outages map[string]*outage
	// cbMu serialises callbacks so that OnOutage and OnRecovery arrive in the order of events.
	cbMu sync.Mutex
}

// New builds a Monitor and registers its metrics on reg (nil: the metrics are kept but not
// exposed). It panics if reg already holds them, like prometheus.MustRegister: one Monitor per
// registry.
func New(cfg Config, reg *prometheus.Registry) *Monitor {
	m := &Monitor{
		cfg:       cfg,
		threshold: cfg.Threshold,
		now:       cfg.Now,
		limiters:  map[string]*systemLimiter{},
		clock:     realClock{},
		outages:   map[string]*outage{},
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ledgerbridge_external_calls_total",
			Help: "Calls to external systems (Stripe, PayTrace, the ERP) by operation and outcome (ok, validation, transient, auth, canceled, other).",
		}, []string{"system", "operation", "outcome"}),
		seconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "ledgerbridge_external_call_seconds",
			Help:    "Latency of calls to external systems (for a system limited per request, rate-limiter waits included).",
			Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 20, 30},
		}, []string{"system", "operation"}),
		rateLimited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ledgerbridge_external_rate_limited_seconds_total",
			Help: "Time calls spent waiting for the client-side rate limiter of an external system.",
		}, []string{"system"}),
		outageGauge: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "ledgerbridge_external_outage",
			Help: "1 while an external system is failing with transient errors (since its first failure, until a call succeeds).",
		}, []string{"system"}),
	}
	if m.threshold <= 0 {
		m.threshold = DefaultThreshold
	}
	if m.now == nil {
		m.now = time.Now
	}
	share := cfg.BulkShare
	if share <= 0 || share > 1 {
		share = DefaultBulkShare
	}
	for system, l := range cfg.Limits {
		if sl := newSystemLimiter(l, share); sl != nil {
			m.limiters[system] = sl
			m.rateLimited.WithLabelValues(system)
		}
	}
	for _, system := range []string{SystemERP, SystemStripe, SystemPayTrace} {
		m.outageGauge.WithLabelValues(system).Set(0)
	}
	if reg != nil {
		reg.MustRegister(m.calls, m.seconds, m.rateLimited, m.outageGauge)
	}
	return m
}

// Do runs fn as the call operation to system: it waits for the system's limiter, times fn,
// classifies its error (Config.Classifiers[system], else Classify), records the metrics and
// feeds the outage tracker. It returns fn's error unchanged, or the limiter's error (ctx.Err(),
// or one wrapping context.DeadlineExceeded when the next slot is after ctx's deadline) without
// calling fn. system and operation become label values: pass constants, never data.
func (m *Monitor) Do(ctx context.Context, system, operation string, fn func() error) error {
	_, err := Call(ctx, m, system, operation, func() (struct{}, error) { return struct{}{}, fn() })
	return err
}

// Call is Do for a function that returns a value, which it returns unchanged.
func Call[T any](ctx context.Context, m *Monitor, system, operation string, fn func() (T, error)) (T, error) {
	if m == nil {
		return fn()
	}
	classify := m.cfg.Classifiers[system]
	if classify == nil {
		classify = Classify
	}
	return call(ctx, m, system, operation, classify, fn)
}

// call is the one place a monitored call happens.
func call[T any](ctx context.Context, m *Monitor, system, operation string, classify Classifier, fn func() (T, error)) (T, error) {
	// A system limited per request (Transport) waits inside fn instead.
	if !slices.Contains(m.cfg.PerRequest, system) {
		if err := m.wait(ctx, system); err != nil {
			// The call never left: it says nothing about the system's health.
			m.calls.WithLabelValues(system, operation, string(Canceled)).Inc()
			var zero T
			return zero, err
		}
	}
	start := time.Now()
	v, err := fn()
	m.seconds.WithLabelValues(system, operation).Observe(time.Since(start).Seconds())
	o := outcomeOf(ctx, err, classify)
	m.calls.WithLabelValues(system, operation, string(o)).Inc()
	m.track(system, o, err)
	return v, err
}

// outcomeOf classifies err, letting the caller's context decide between canceled and transient
// when the classifier could not tell (connectors turn a canceled request into a network error).
func outcomeOf(ctx context.Context, err error, classify Classifier) Outcome {
	if err == nil {
		return OK
	}
	o := classify(err)
	if o == Transient || o == Other {
		switch ctx.Err() {
		case context.Canceled:
			return Canceled
		case context.DeadlineExceeded:
			return Transient
		}
	}
	return o
}

// bulkKey marks a context as bulk traffic.
type bulkKey struct{}

// WithBulk marks calls made with the returned context as bulk traffic (backfill,
// reconciliation listings): together they use at most Config.BulkShare of each system's rate,
// so live traffic always keeps the rest.
func WithBulk(ctx context.Context) context.Context { return context.WithValue(ctx, bulkKey{}, true) }

// IsBulk reports whether ctx was marked by WithBulk.
func IsBulk(ctx context.Context) bool {
	b, _ := ctx.Value(bulkKey{}).(bool)
	return b
}

// systemLimiter is a system's limiter and the stricter one its bulk traffic also waits for.
type systemLimiter struct {
	all, bulk *rate.Limiter
}

// newSystemLimiter returns nil for an unlimited system.
func newSystemLimiter(l Limits, bulkShare float64) *systemLimiter {
	if l.Unlimited() {
		return nil
	}
	burst := l.burst()
	bulkBurst := max(1, int(float64(burst)*bulkShare))
	return &systemLimiter{
		all:  rate.NewLimiter(rate.Limit(l.RatePerSecond), burst),
		bulk: rate.NewLimiter(rate.Limit(l.RatePerSecond*bulkShare), bulkBurst),
	}
}

// limiterClock is the limiter's time source; tests replace it to measure spacing exactly.
type limiterClock interface {
	Now() time.Time
	// Sleep waits for d or until ctx is done, then returns ctx.Err().
	Sleep(ctx context.Context, d time.Duration) error
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// wait blocks until system's limiter (and, for bulk traffic, its bulk limiter) grants a call.
func (m *Monitor) wait(ctx context.Context, system string) error {
	sl := m.limiters[system]
	if sl == nil {
		return nil
	}
	if IsBulk(ctx) {
		if err := m.waitOn(ctx, system, sl.bulk); err != nil {
			return err
		}
	}
	return m.waitOn(ctx, system, sl.all)
}

func (m *Monitor) waitOn(ctx context.Context, system string, lim *rate.Limiter) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	now := m.clock.Now()
	r := lim.ReserveN(now, 1)
	if !r.OK() {
		return fmt.Errorf("%s rate limiter refused a call", system) // burst ≥ 1: cannot happen
	}
	d := r.DelayFrom(now)
	if d <= 0 {
		return nil
	}
	if dl, ok := ctx.Deadline(); ok && dl.Before(now.Add(d)) {
		r.CancelAt(now)
		return fmt.Errorf("%s rate limiter: the next call slot is %v away, after the context deadline: %w",
			system, d.Round(time.Millisecond), context.DeadlineExceeded)
	}
	err := m.clock.Sleep(ctx, d)
	end := m.clock.Now()
	m.rateLimited.WithLabelValues(system).Add(max(0, end.Sub(now).Seconds()))
	if err != nil {
		r.CancelAt(end)
		return err
	}
	return nil
}
