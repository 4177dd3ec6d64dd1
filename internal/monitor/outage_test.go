package monitor

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ledgerbridge/ledgerbridge/internal/erp"
)

// recorder collects the callbacks.
type recorder struct {
	mu        sync.Mutex
	outages   []outageEvent
	recovered []recoveryEvent
}

type outageEvent struct {
	system string
	since  time.Time
	err    error
}

type recoveryEvent struct {
	system string
	lasted time.Duration
}

func (r *recorder) config(now func() time.Time) Config {
	return Config{
		Threshold: 15 * time.Minute,
		Now:       now,
		OnOutage: func(system string, since time.Time, err error) {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.outages = append(r.outages, outageEvent{system, since, err})
		},
		OnRecovery: func(system string, lasted time.Duration) {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.recovered = append(r.recovered, recoveryEvent{system, lasted})
		},
	}
}

func (r *recorder) counts() (int, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.outages), len(r.recovered)
}

// TestOutage walks one system through outages on a controllable clock: reported once past the
// threshold however many retries fail, recovered once, a blip never reported, and the next
// outage reported again.
func TestOutage(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	now := t0
	var rec recorder
	m := New(rec.config(func() time.Time { return now }), nil)
	down := &erp.TransientError{Status: 503, Message: "maintenance"}
	conn := ERP(&fakeERP{}, SystemERP, m)
	failing := ERP(&fakeERP{err: down}, SystemERP, m)
	rejecting := ERP(&fakeERP{err: &erp.ValidationError{Status: 400}}, SystemERP, m)
	stripeDown := Stripe(&fakeStripe{err: errors.New("dial tcp: connection refused")}, m)

	type step struct {
		at                      time.Duration // since t0
		call                    func() error
		wantOutages, wantRecovs int
		wantGauge               float64
	}
	fail := func() error {
		_, err := failing.FindDocument(context.Background(), erp.KindInvoice, "in_1")
		return err
	}
	ok := func() error { _, err := conn.FindDocument(context.Background(), erp.KindInvoice, "in_1"); return err }
	reject := func() error {
		_, err := rejecting.CreateDocument(context.Background(), erp.KindInvoice, erp.Document{})
		return err
	}
	otherSystem := func() error { _, err := stripeDown.GetCharge(context.Background(), "ch_1"); return err }

	steps := []step{
		{0, ok, 0, 0, 0},
		{1 * time.Minute, fail, 0, 0, 1}, // the outage starts at t0+1m
		{2 * time.Minute, fail, 0, 0, 1},
		{16 * time.Minute, fail, 0, 0, 1}, // exactly the threshold: not longer than it
		{16*time.Minute + time.Second, fail, 1, 0, 1},
		{17 * time.Minute, otherSystem, 1, 0, 1},
		{17 * time.Minute, reject, 1, 0, 1}, // the ERP answering 400 does not end the outage
	}
	for i := range 60 { // an hour of retries: still one report
		steps = append(steps, step{18*time.Minute + time.Duration(i)*time.Minute, fail, 1, 0, 1})
	}
	steps = append(steps,
		step{80 * time.Minute, ok, 1, 1, 0}, // recovered after 79 minutes
		step{81 * time.Minute, ok, 1, 1, 0},
		step{82 * time.Minute, fail, 1, 1, 1}, // a blip …
		step{90 * time.Minute, ok, 1, 1, 0},   // … under the threshold: no report, no recovery
		step{100 * time.Minute, fail, 1, 1, 1},
		step{120 * time.Minute, fail, 2, 1, 1}, // a new outage is reported again
		step{130 * time.Minute, fail, 2, 1, 1},
		step{131 * time.Minute, ok, 2, 2, 0},
	)
	for i, s := range steps {
		now = t0.Add(s.at)
		_ = s.call()
		o, r := rec.counts()
		if o != s.wantOutages || r != s.wantRecovs {
			t.Fatalf("step %d (t0+%v): %d outage and %d recovery callbacks, want %d and %d", i, s.at, o, r, s.wantOutages, s.wantRecovs)
		}
		if g := value(t, m.outageGauge.WithLabelValues(SystemERP)); g != s.wantGauge {
			t.Fatalf("step %d (t0+%v): erp outage gauge %v, want %v", i, s.at, g, s.wantGauge)
		}
	}

	wantOutages := []outageEvent{
		{SystemERP, t0.Add(time.Minute), down},
		{SystemERP, t0.Add(100 * time.Minute), down},
	}
	for i, w := range wantOutages {
		got := rec.outages[i]
		if got.system != w.system || !got.since.Equal(w.since) || got.err.Error() != w.err.Error() {
			t.Errorf("outage %d = %s since %v (%v), want %s since %v (%v)", i, got.system, got.since, got.err, w.system, w.since, w.err)
		}
	}
	wantRecovered := []recoveryEvent{{SystemERP, 79 * time.Minute}, {SystemERP, 31 * time.Minute}}
	for i, w := range wantRecovered {
		if rec.recovered[i] != w {
			t.Errorf("recovery %d = %+v, want %+v", i, rec.recovered[i], w)
		}
	}
	if g := value(t, m.outageGauge.WithLabelValues(SystemStripe)); g != 1 {
		t.Errorf("stripe outage gauge = %v, want 1 (its own outage)", g)
	}
}

// TestOutageConcurrent: many goroutines failing at once report one outage and one recovery.
func TestOutageConcurrent(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	var ticks atomic.Int64
	var rec recorder
	m := New(rec.config(func() time.Time { return t0.Add(time.Duration(ticks.Add(1)) * time.Second) }), nil)
	failing := ERP(&fakeERP{err: &erp.TransientError{Status: 502}}, SystemERP, m)
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			for range 100 { // 2000 calls, a second apart: 33 minutes of failures
				_, _ = failing.GetCustomer(context.Background(), "C1")
			}
		})
	}
	wg.Wait()
	ok := ERP(&fakeERP{}, SystemERP, m)
	for range 20 {
		wg.Go(func() { _, _ = ok.GetCustomer(context.Background(), "C1") })
	}
	wg.Wait()
	if o, r := rec.counts(); o != 1 || r != 1 {
		t.Errorf("%d outage and %d recovery callbacks, want 1 and 1", o, r)
	}
}

// TestOutageCallbackURL: the error given to OnOutage carries no URL path, query or user info
// (where tokens live) and no card number, and nothing unwraps to the original url.Error.
func TestOutageCallbackURL(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	now := t0
	var rec recorder
	m := New(rec.config(func() time.Time { return now }), nil)
	secret := &url.Error{Op: "Post", URL: "https://user:pw@hooks.example.com/services/T0/B0/SECRET?token=abc", Err: errors.New("i/o timeout")}
	for _, d := range []time.Duration{0, 20 * time.Minute} {
		now = t0.Add(d)
		_ = m.Do(context.Background(), SystemPayTrace, "Export", func() error {
			return fmt.Errorf("export for card 4242 4242 4242 4242: %w", secret)
		})
	}
	if len(rec.outages) != 1 {
		t.Fatalf("%d outages, want 1", len(rec.outages))
	}
	err := rec.outages[0].err
	msg := err.Error()
	for _, leak := range []string{"SECRET", "token", "abc", "pw@", "/services", "4242 4242"} {
		if strings.Contains(msg, leak) {
			t.Errorf("OnOutage error %q contains %q", msg, leak)
		}
	}
	if want := `export for card ****4242: Post "https://hooks.example.com": i/o timeout`; msg != want {
		t.Errorf("OnOutage error = %q, want %q", msg, want)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		t.Errorf("OnOutage error unwraps to the url.Error %q", ue.URL)
	}
}

func TestSanitize(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"nil", nil, ""},
		{"plain", errors.New("erp unavailable (HTTP 503): maintenance"), "erp unavailable (HTTP 503): maintenance"},
		{"url.Error", &url.Error{Op: "Get", URL: "http://sage:8383/api/customers?key=K", Err: errors.New("EOF")},
			`Get "http://sage:8383": EOF`},
		{"relative url.Error", fmt.Errorf("list: %w", &url.Error{Op: "Get", URL: "/v1/export?token=T", Err: errors.New("EOF")}),
			`list: Get "<url>": EOF`},
		{"url flattened into an erp message", &erp.TransientError{
			Message: `GET /api/x: Get "http://127.0.0.1:8383/api/x?apikey=K&a=b": dial tcp: connection refused`},
			`erp unavailable: GET /api/x: Get "http://127.0.0.1:8383": dial tcp: connection refused`},
		{"several urls", errors.New("a https://a.example/p/q?x=1 b http://b.example:80/#frag"),
			"a https://a.example b http://b.example:80"},
		{"card data", errors.New("declined 4111111111111111 cvc 123"), "declined ****1111 cvc ***"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Sanitize(tt.err)
			if tt.err == nil {
				if got != nil {
					t.Errorf("Sanitize(nil) = %v", got)
				}
				return
			}
			if got.Error() != tt.want {
				t.Errorf("Sanitize = %q, want %q", got.Error(), tt.want)
			}
		})
	}
}
