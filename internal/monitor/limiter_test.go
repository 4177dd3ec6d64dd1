package monitor

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// TestLimiterSpacing measures the limiter on a clock whose sleeps advance time, so the spacing
// is exact: n calls at rate r with burst b take (n−b)/r, and no window holds more calls than
// b + r × its length.
func TestLimiterSpacing(t *testing.T) {
	tests := []struct {
		name   string
		limits Limits
		calls  int
		want   time.Duration
	}{
		{"50/s burst 1", Limits{RatePerSecond: 50, Burst: 1}, 20, 380 * time.Millisecond},
		{"50/s burst 5", Limits{RatePerSecond: 50, Burst: 5}, 20, 300 * time.Millisecond},
		{"20/s default burst 20", Limits{RatePerSecond: 20}, 30, 500 * time.Millisecond},
		{"within the burst", Limits{RatePerSecond: 20, Burst: 10}, 10, 0},
		{"1200/m is 20/s", mustParse(t, "1200/m,burst=1"), 11, 500 * time.Millisecond},
		{"unlimited", Limits{}, 1000, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := New(Config{Limits: map[string]Limits{SystemERP: tt.limits}}, nil)
			clk := newFakeClock()
			m.clock = clk
			start := clk.Now()
			var at []time.Duration
			for range tt.calls {
				if err := m.Do(context.Background(), SystemERP, "Op", func() error {
					at = append(at, clk.Now().Sub(start))
					return nil
				}); err != nil {
					t.Fatal(err)
				}
			}
			if got := at[len(at)-1]; absDur(got-tt.want) > time.Millisecond {
				t.Errorf("%d calls took %v, want %v", tt.calls, got, tt.want)
			}
			if tt.limits.Unlimited() {
				return
			}
			rate, burst := tt.limits.RatePerSecond, float64(tt.limits.burst())
			for i := range at {
				for j := i; j < len(at); j++ {
					window := (at[j] - at[i]).Seconds()
					if n := float64(j - i + 1); n > burst+rate*window+1e-6 {
						t.Fatalf("%v calls within %.3fs: more than burst %v + %v/s", n, window, burst, rate)
					}
				}
			}
			waited := value(t, m.rateLimited.WithLabelValues(SystemERP))
			if absDur(time.Duration(waited*float64(time.Second))-tt.want) > time.Millisecond {
				t.Errorf("rate_limited_seconds = %v, want %v", waited, tt.want.Seconds())
			}
		})
	}
}

// TestLimiterRealTime checks a lower bound on the real clock, from concurrent callers: it
// cannot flake on a slow machine.
func TestLimiterRealTime(t *testing.T) {
	m := New(Config{Limits: map[string]Limits{SystemStripe: {RatePerSecond: 50, Burst: 1}}}, nil)
	start := time.Now()
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 5 {
				if err := m.Do(context.Background(), SystemStripe, "GetCharge", func() error { return nil }); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if got := time.Since(start); got < 350*time.Millisecond {
		t.Errorf("20 calls at 50/s burst 1 took %v, want ≥ 380ms", got)
	}
}

// TestLimiterPerSystem: one system's limiter does not slow another.
func TestLimiterPerSystem(t *testing.T) {
	m := New(Config{Limits: map[string]Limits{SystemERP: {RatePerSecond: 1, Burst: 1}}}, nil)
	clk := newFakeClock()
	m.clock = clk
	for range 10 {
		if err := m.Do(context.Background(), SystemStripe, "GetCharge", func() error { return nil }); err != nil {
			t.Fatal(err)
		}
	}
	if !clk.Now().Equal(newFakeClock().Now()) {
		t.Errorf("unlimited stripe calls waited %v", clk.Now().Sub(newFakeClock().Now()))
	}
}

// TestBulkShare: bulk traffic gets its share of the rate, and a live call interleaved with it
// never waits more than one live slot.
func TestBulkShare(t *testing.T) {
	m := New(Config{Limits: map[string]Limits{SystemERP: {RatePerSecond: 20, Burst: 1}}, BulkShare: 0.5}, nil)
	clk := newFakeClock()
	m.clock = clk
	bulk := WithBulk(context.Background())
	start := clk.Now()
	for range 11 {
		if err := m.Do(bulk, SystemERP, "FindDocument", func() error { return nil }); err != nil {
			t.Fatal(err)
		}
	}
	if got := clk.Now().Sub(start); absDur(got-time.Second) > time.Millisecond {
		t.Errorf("11 bulk calls at half of 20/s took %v, want 1s", got)
	}
	for range 20 {
		if err := m.Do(bulk, SystemERP, "FindDocument", func() error { return nil }); err != nil {
			t.Fatal(err)
		}
		before := clk.Now()
		if err := m.Do(context.Background(), SystemERP, "CreateDocument", func() error { return nil }); err != nil {
			t.Fatal(err)
		}
		if waited := clk.Now().Sub(before); waited > 51*time.Millisecond {
			t.Fatalf("a live call behind bulk traffic waited %v, want ≤ 50ms", waited)
		}
	}
}

// TestLimiterCancel: a caller whose context ends while it waits gets ctx.Err() at once, the
// call is not made, it counts as canceled and does not feed the outage tracker.
func TestLimiterCancel(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := New(Config{Limits: map[string]Limits{SystemERP: {RatePerSecond: 0.001, Burst: 1}}}, reg)
	if err := m.Do(context.Background(), SystemERP, "GetCustomer", func() error { return nil }); err != nil {
		t.Fatal(err) // takes the burst: the next slot is 1000s away
	}

	t.Run("canceled while waiting", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(50*time.Millisecond, cancel)
		start := time.Now()
		called := false
		err := m.Do(ctx, SystemERP, "GetCustomer", func() error { called = true; return nil })
		if err != context.Canceled { //nolint:errorlint // ctx.Err() itself
			t.Errorf("err = %v, want context.Canceled", err)
		}
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("returned after %v", d)
		}
		if called {
			t.Error("the call was made")
		}
	})
	t.Run("slot after the deadline", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		start := time.Now()
		err := m.Do(ctx, SystemERP, "GetCustomer", func() error { t.Error("the call was made"); return nil })
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err = %v, want one wrapping context.DeadlineExceeded", err)
		}
		if d := time.Since(start); d > 30*time.Second {
			t.Errorf("returned after %v: it waited for the deadline", d)
		}
	})
	if got := value(t, m.calls.WithLabelValues(SystemERP, "GetCustomer", string(Canceled))); got != 2 {
		t.Errorf("canceled calls = %v, want 2", got)
	}
	if got := value(t, m.outageGauge.WithLabelValues(SystemERP)); got != 0 {
		t.Errorf("outage gauge = %v after limiter cancellations, want 0", got)
	}
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

func mustParse(t *testing.T, s string) Limits {
	t.Helper()
	l, err := ParseLimits(s)
	if err != nil {
		t.Fatal(err)
	}
	return l
}
