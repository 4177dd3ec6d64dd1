package monitor

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// A system limited per request: a monitored call that makes three HTTP requests spends three
// slots (the limiter counts what the system counts), and the call itself waits for none.
func TestTransportLimitsEveryRequest(t *testing.T) {
	var arrived []time.Duration
	clk := newFakeClock()
	start := clk.Now()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived = append(arrived, clk.Now().Sub(start))
	}))
	defer srv.Close()
	m := New(Config{Limits: map[string]Limits{SystemERP: {RatePerSecond: 10, Burst: 1}}, PerRequest: []string{SystemERP}}, nil)
	m.clock = clk
	hc := &http.Client{Transport: m.Transport(SystemERP, nil)}
	for range 2 {
		err := m.Do(context.Background(), SystemERP, "PostInvoice", func() error {
			for range 3 { // e.g. find by reference, create, read back
				resp, err := hc.Get(srv.URL)
				if err != nil {
					return err
				}
				resp.Body.Close()
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(arrived) != 6 {
		t.Fatalf("%d requests arrived, want 6", len(arrived))
	}
	// Burst 1 at 10/s: request k arrives at k × 100 ms.
	for k, at := range arrived {
		if want := time.Duration(k) * 100 * time.Millisecond; absDur(at-want) > time.Millisecond {
			t.Errorf("request %d at %v, want %v", k, at, want)
		}
	}
}

// A request whose context cannot wait for its slot is never sent.
func TestTransportRefusesAfterDeadline(t *testing.T) {
	sent := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { sent++ }))
	defer srv.Close()
	m := New(Config{Limits: map[string]Limits{SystemPayTrace: {RatePerSecond: 0.1, Burst: 1}}, PerRequest: []string{SystemPayTrace}}, nil)
	hc := &http.Client{Transport: m.Transport(SystemPayTrace, nil)}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	for i := range 2 {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
		resp, err := hc.Do(req)
		if i == 0 {
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
		} else if err == nil || !errorsIsDeadline(err) {
			t.Fatalf("second request: %v, want a deadline error", err)
		}
	}
	if sent != 1 {
		t.Errorf("%d requests sent, want 1", sent)
	}
}

func errorsIsDeadline(err error) bool { return errors.Is(err, context.DeadlineExceeded) }
