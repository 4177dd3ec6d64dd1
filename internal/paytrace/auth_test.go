package paytrace

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/ledgerbridge/ledgerbridge/sandbox/paytracesandbox"
)

func TestTokenIsCachedAcrossCalls(t *testing.T) {
	e := newEnv(t)
	id := e.sale("10.00", "INV-1")
	for range 5 {
		if _, err := e.client.ExportTransaction(t.Context(), id); err != nil {
			t.Fatal(err)
		}
	}
	if n := e.oauthCalls.Load(); n != 1 {
		t.Errorf("oauth calls = %d, want 1 for 6 API calls", n)
	}
}

func TestReauthenticatesOnceAfterForcedExpiry(t *testing.T) {
	e := newEnv(t)
	id := e.sale("10.00", "INV-1")
	e.faults(paytracesandbox.Faults{ExpireTokens: true})
	v1Before := e.v1Calls.Load()
	got, err := e.client.ExportTransaction(t.Context(), id)
	if err != nil {
		t.Fatalf("after expire_tokens: %v", err)
	}
	if got.ID != id {
		t.Errorf("ID = %d, want %d", got.ID, id)
	}
	if n := e.oauthCalls.Load(); n != 2 {
		t.Errorf("oauth calls = %d, want 2 (one re-authentication)", n)
	}
	if n := e.v1Calls.Load() - v1Before; n != 2 {
		t.Errorf("/v1 requests = %d, want 2 (refused, then repeated)", n)
	}
}

// A fresh token can be expired, forced out or rotated before its first use (another client,
// an expiry racing the grant): that is no credential problem, so the call takes another.
func TestFreshTokenRefusedBeforeFirstUse(t *testing.T) {
	for _, refused := range []int64{1, 2, maxReauth} {
		t.Run(fmt.Sprint(refused), func(t *testing.T) {
			e := newEnv(t)
			id := e.sale("10.00", "INV-1")
			oauthBefore, v1Before := e.oauthCalls.Load(), e.v1Calls.Load()
			e.breakNext.Store(refused)
			got, err := e.client.ExportTransaction(t.Context(), id)
			if err != nil || got.ID != id {
				t.Fatalf("after %d refusals: %+v %v", refused, got, err)
			}
			if n := e.oauthCalls.Load() - oauthBefore; n != refused {
				t.Errorf("oauth calls = %d, want %d (one per refusal)", n, refused)
			}
			if n := e.v1Calls.Load() - v1Before; n != refused+1 {
				t.Errorf("/v1 requests = %d, want %d", n, refused+1)
			}
		})
	}
}

func TestTokenLifetime(t *testing.T) {
	tests := []struct {
		name string
		// clientLags keeps the client's clock still while the sandbox's moves: the client
		// believes its token valid and learns otherwise from invalid_token.
		clientLags bool
		wantV1     int64
	}{
		{name: "client refreshes before expires_in", wantV1: 1},
		{name: "server says expired", clientLags: true, wantV1: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, func(c *paytracesandbox.Config) { c.TokenTTL = time.Second })
			if tt.clientLags {
				frozen := e.clock.Now()
				e.client = New(Config{BaseURL: e.hs.URL, Username: paytracesandbox.DefaultUser,
					Password: paytracesandbox.DefaultPassword, IntegratorID: paytracesandbox.DefaultIntegratorID,
					Now: func() time.Time { return frozen }})
			}
			id := e.sale("10.00", "INV-1")
			e.clock.advance(2 * time.Second)
			v1Before := e.v1Calls.Load()
			if _, err := e.client.ExportTransaction(t.Context(), id); err != nil {
				t.Fatalf("after the 1 s TTL: %v", err)
			}
			if n := e.oauthCalls.Load(); n != 2 {
				t.Errorf("oauth calls = %d, want 2", n)
			}
			if n := e.v1Calls.Load() - v1Before; n != tt.wantV1 {
				t.Errorf("/v1 requests = %d, want %d", n, tt.wantV1)
			}
		})
	}
}

func TestConcurrentCallersShareOneRefresh(t *testing.T) {
	e := newEnv(t)
	id := e.sale("10.00", "INV-1")
	// Slow token requests widen the window in which callers would pile up.
	e.faults(paytracesandbox.Faults{LatencyMS: 200, PathPrefix: "/oauth/token", ExpireTokens: true})
	base := e.oauthCalls.Load()

	const callers = 20
	var wg sync.WaitGroup
	errs := make(chan error, callers)
	for range callers {
		wg.Go(func() {
			if _, err := e.client.ExportTransaction(t.Context(), id); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := e.oauthCalls.Load() - base; n != 1 {
		t.Errorf("oauth calls by %d concurrent callers after forced expiry = %d, want 1", callers, n)
	}

	// A fresh client: concurrent first calls share the first token request too.
	fresh := e.newClient(paytracesandbox.DefaultPassword)
	base = e.oauthCalls.Load()
	for range callers {
		wg.Go(func() {
			if _, err := fresh.ExportTransaction(t.Context(), id); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := e.oauthCalls.Load() - base; n != 1 {
		t.Errorf("oauth calls by a fresh client's %d concurrent callers = %d, want 1", callers, n)
	}
}

func TestWaitingCallerGivesUpWithItsContext(t *testing.T) {
	e := newEnv(t)
	e.faults(paytracesandbox.Faults{LatencyMS: 500, PathPrefix: "/oauth/token"})
	c := e.newClient(paytracesandbox.DefaultPassword)
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	_, err := c.ExportTransaction(ctx, 100000001)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the caller's deadline", err)
	}
	// The detached refresh still completes and is cached for the next caller.
	if _, err := c.accessToken(t.Context(), ""); err != nil {
		t.Fatal(err)
	}
	if n := e.oauthCalls.Load(); n != 1 {
		t.Errorf("oauth calls = %d, want 1", n)
	}
}

func TestAuthFailures(t *testing.T) {
	tests := []struct {
		name      string
		password  string
		revoke    bool
		wantCode  string
		wantOAuth int64
	}{
		{name: "wrong password", password: "wrong", wantCode: "invalid_grant", wantOAuth: 1},
		{name: "fresh tokens refused every time", password: paytracesandbox.DefaultPassword, revoke: true,
			wantCode: "invalid_token", wantOAuth: 1 + maxReauth},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			c := e.newClient(tt.password)
			e.breakAuth.Store(tt.revoke)
			_, err := c.ExportTransaction(t.Context(), 100000001)
			var ae *AuthError
			if !errors.As(err, &ae) {
				t.Fatalf("err = %T %v, want *AuthError", err, err)
			}
			if ae.Code != tt.wantCode || ae.Status != http.StatusUnauthorized {
				t.Errorf("AuthError = %+v, want code %s, HTTP 401", ae, tt.wantCode)
			}
			if n := e.oauthCalls.Load(); n != tt.wantOAuth {
				t.Errorf("oauth calls = %d, want %d", n, tt.wantOAuth)
			}
		})
	}
}
