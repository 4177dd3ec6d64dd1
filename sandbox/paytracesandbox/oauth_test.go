package paytracesandbox

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestTokenGrant(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name      string
		form      url.Values
		status    int
		errorCode string
		desc      string
	}{
		{"good", url.Values{"grant_type": {"password"}, "username": {DefaultUser}, "password": {DefaultPassword}}, 200, "", ""},
		{"wrong password", url.Values{"grant_type": {"password"}, "username": {DefaultUser}, "password": {"nope"}}, 401, "invalid_grant", descInvalidGrant},
		{"wrong user", url.Values{"grant_type": {"password"}, "username": {"x"}, "password": {DefaultPassword}}, 401, "invalid_grant", descInvalidGrant},
		{"no grant type", url.Values{"username": {DefaultUser}, "password": {DefaultPassword}}, 400, "invalid_request", descInvalidReq},
		{"other grant type", url.Values{"grant_type": {"client_credentials"}}, 400, "unsupported_grant_type", descUnsupported},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.form("/oauth/token", tc.form)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.raw)
			}
			if tc.errorCode != "" {
				if r.body["error"] != tc.errorCode || r.body["error_description"] != tc.desc {
					t.Fatalf("body %s", r.raw)
				}
				return
			}
			tok, _ := r.body["access_token"].(string)
			if strings.Count(tok, ":") != 2 || r.body["token_type"] != "Bearer" || r.body["expires_in"] != 7200.0 ||
				r.body["created_at"] != float64(testStart(t).Unix()) {
				t.Fatalf("token body %s", r.raw)
			}
		})
	}
	// JSON is not accepted by the token endpoint.
	r := e.do("POST", "/oauth/token", obj{"grant_type": "password", "username": DefaultUser, "password": DefaultPassword}, "")
	if r.status != 400 || r.body["error"] != "invalid_request" {
		t.Fatalf("JSON token request: %d %s", r.status, r.raw)
	}
}

func TestBearerRequired(t *testing.T) {
	e := newEnv(t)
	body := obj{"transaction_id": 1, "integrator_id": testIntegrator}
	for name, authz := range map[string]string{"missing": "", "unknown": "Bearer abc", "basic": basic(DefaultUser, DefaultPassword)} {
		t.Run(name, func(t *testing.T) {
			r := e.do("POST", "/v1/transactions/export/by_id", body, authz)
			if r.status != 401 || r.body["error"] != "invalid_token" || r.body["error_description"] != descTokenInvalid {
				t.Fatalf("%d %s", r.status, r.raw)
			}
			if !strings.Contains(r.header.Get("WWW-Authenticate"), `error="invalid_token"`) {
				t.Errorf("WWW-Authenticate = %q", r.header.Get("WWW-Authenticate"))
			}
		})
	}
}

// TestTokenExpiresAfterTTL uses the real clock and a one-second token lifetime.
func TestTokenExpiresAfterTTL(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.TokenTTL = time.Second; c.Now = nil })
	want(t, e.api("transactions/export/by_date_range", obj{"start_date": "01/01/2026", "end_date": "12/31/2026"}), 200, codeCompleted)
	time.Sleep(1100 * time.Millisecond)
	r := e.api("transactions/export/by_date_range", obj{"start_date": "01/01/2026", "end_date": "12/31/2026"})
	if r.status != 401 || r.body["error"] != "invalid_token" || r.body["error_description"] != descTokenExpired {
		t.Fatalf("after TTL: %d %s", r.status, r.raw)
	}
	e.token = e.newToken()
	want(t, e.api("transactions/export/by_date_range", obj{"start_date": "01/01/2026", "end_date": "12/31/2026"}), 200, codeCompleted)
}

func TestForcedTokenExpiry(t *testing.T) {
	e := newEnv(t)
	old := e.token
	other := e.newToken()
	r := e.admin("PUT", "faults", obj{"expire_tokens": true})
	if r.status != 200 || r.body["expire_tokens"] != nil {
		t.Fatalf("faults: %d %s", r.status, r.raw)
	}
	for _, tok := range []string{old, other} {
		r := e.do("POST", "/v1/transactions/export/by_id", obj{"transaction_id": 1, "integrator_id": testIntegrator}, "Bearer "+tok)
		if r.status != 401 || r.body["error_description"] != descTokenExpired {
			t.Fatalf("forced expiry: %d %s", r.status, r.raw)
		}
	}
	e.token = e.newToken()
	r = e.api("transactions/export/by_id", obj{"transaction_id": 1})
	wantErr(t, r, codeError, keyTransactionID) // authenticated: the ID is what is wrong
}

func TestIntegratorID(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name string
		body obj
		keys string
	}{
		{"missing", obj{"amount": "1.00", "credit_card": card(CardVisa), "integrator_id": nil}, keyIntegrator},
		{"empty", obj{"amount": "1.00", "credit_card": card(CardVisa), "integrator_id": ""}, keyIntegrator},
		{"wrong", obj{"amount": "1.00", "credit_card": card(CardVisa), "integrator_id": "someone-else"}, keyIntegrator},
		{"wrong and bad card", obj{"amount": "1.00", "credit_card": card("4111111111111112"), "integrator_id": "x"}, keyCardNumber + "," + keyIntegrator},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantErr(t, e.api("transactions/sale/keyed", tc.body), codeError, tc.keys)
		})
	}
	// Credentials repeated in the body (ActiveMerchant does it) are accepted and ignored.
	r := e.api("transactions/sale/keyed", obj{"amount": "1.00", "credit_card": card(CardVisa), "username": "u", "password": "p"})
	want(t, r, http.StatusOK, codeApproved)
}
