package paytrace

import (
	"context"
	"errors"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/ledgerbridge/ledgerbridge/sandbox/paytracesandbox"
)

func TestTransientFailures(t *testing.T) {
	tests := []struct {
		name           string
		faults         paytracesandbox.Faults
		wantStatus     int
		wantRetryAfter time.Duration
	}{
		{"429 rate limit", paytracesandbox.Faults{RateLimitRate: 1, RetryAfterS: 7}, http.StatusTooManyRequests, 7 * time.Second},
		{"503 outage", paytracesandbox.Faults{OutageSeconds: 30}, http.StatusServiceUnavailable, 30 * time.Second},
		{"502 error", paytracesandbox.Faults{ErrorRate: 1, ErrorStatus: http.StatusBadGateway}, http.StatusBadGateway, 0},
		{"429 on the token request", paytracesandbox.Faults{RateLimitRate: 1, RetryAfterS: 3, PathPrefix: "/oauth/token"}, http.StatusTooManyRequests, 3 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.faults(tt.faults)
			_, err := e.client.ExportTransaction(t.Context(), 100000001)
			var te *TransientError
			if !errors.As(err, &te) {
				t.Fatalf("err = %T %v, want *TransientError", err, err)
			}
			if te.Status != tt.wantStatus || te.RetryAfter != tt.wantRetryAfter {
				t.Errorf("TransientError = %+v, want status %d retry after %s", te, tt.wantStatus, tt.wantRetryAfter)
			}
			if errors.Is(err, ErrNotFound) {
				t.Error("a transient error must not look like not-found")
			}
			// Healed: the same client works again.
			e.admin(http.MethodDelete, "faults", nil, nil)
			if _, err := e.client.ExportTransaction(t.Context(), e.sale("1.00", "INV-1")); err != nil {
				t.Errorf("after the fault: %v", err)
			}
		})
	}
}

func TestNetworkErrorsAndCancellation(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens: connection refused
	c := New(Config{BaseURL: "http://" + addr, Username: "u", Password: "p", IntegratorID: "i"})
	_, err = c.ExportTransaction(t.Context(), 1)
	var te *TransientError
	if !errors.As(err, &te) || te.Status != 0 || te.Err == nil {
		t.Errorf("refused connection: err = %T %v, want *TransientError with the cause", err, err)
	}

	e := newEnv(t)
	e.faults(paytracesandbox.Faults{LatencyMS: 800, PathPrefix: "/v1/"})
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	_, err = e.client.ExportTransaction(ctx, 100000001)
	if !errors.Is(err, context.DeadlineExceeded) || errors.As(err, &te) {
		t.Errorf("caller deadline: err = %T %v, want context.DeadlineExceeded, not a PayTrace fault", err, err)
	}

	// An HTTP client timeout (not the caller's) is transient.
	slow := New(Config{BaseURL: e.hs.URL, Username: paytracesandbox.DefaultUser, Password: paytracesandbox.DefaultPassword,
		IntegratorID: paytracesandbox.DefaultIntegratorID, Now: e.clock.Now, HTTPClient: &http.Client{Timeout: 100 * time.Millisecond}})
	if _, err := slow.accessToken(t.Context(), ""); err != nil {
		t.Fatal(err)
	}
	_, err = slow.ExportTransaction(t.Context(), 100000001)
	if !errors.As(err, &te) {
		t.Errorf("client timeout: err = %T %v, want *TransientError", err, err)
	}
}
