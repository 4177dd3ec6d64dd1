package paytracesandbox

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestFaultsRateLimitAndOutage(t *testing.T) {
	e := newEnv(t)
	e.admin("POST", "stats/reset", nil)
	r := e.admin("PUT", "faults", obj{"rate_limit_rate": 1, "retry_after_s": 7, "path_prefix": "/v1/transactions/sale"})
	if r.status != 200 {
		t.Fatalf("faults %d %s", r.status, r.raw)
	}
	r = e.api("transactions/sale/keyed", obj{"amount": "1.00", "credit_card": card(CardVisa)})
	if r.status != 429 || r.header.Get("Retry-After") != "7" || r.body["success"] != false {
		t.Fatalf("rate limited: %d %v %s", r.status, r.header, r.raw)
	}
	// Other paths are not faulted; admin routes never are.
	want(t, e.api("transactions/export/by_date_range", obj{"start_date": "03/10/2026", "end_date": "03/10/2026"}), 200, codeCompleted)
	if r := e.admin("GET", "faults", nil); r.status != 200 {
		t.Fatalf("admin during faults: %d", r.status)
	}

	e.admin("PUT", "faults", obj{"outage_seconds": 60})
	r = e.api("transactions/sale/keyed", obj{"amount": "1.00", "credit_card": card(CardVisa)})
	if ra := r.header.Get("Retry-After"); r.status != 503 || (ra != "60" && ra != "59") {
		t.Fatalf("outage: %d Retry-After %q %s", r.status, ra, r.raw)
	}
	r = e.form("/oauth/token", url.Values{"grant_type": {"password"}, "username": {DefaultUser}, "password": {DefaultPassword}})
	if r.status != 503 {
		t.Fatalf("token endpoint during outage: %d", r.status)
	}
	if f := e.admin("GET", "faults", nil); f.body["outage_until"] == nil {
		t.Fatalf("faults during outage %s", f.raw)
	}
	e.admin("DELETE", "faults", nil)
	// Nothing was written while faulted.
	r = want(t, e.api("transactions/export/by_date_range", obj{"start_date": "03/10/2026", "end_date": "03/10/2026"}), 200, codeCompleted)
	if len(r.txns()) != 0 {
		t.Fatalf("a faulted request wrote: %s", r.raw)
	}
	e.sale("2.00")
	st := e.admin("GET", "stats", nil)
	faults := st.body["faults"].(map[string]any)
	responses := st.body["responses"].(map[string]any)
	stored := st.body["stored"].(map[string]any)
	if faults["rate_limited"] != 1.0 || faults["outage"] != 2.0 || responses["429"] != 1.0 || responses["503"] != 2.0 ||
		stored["transactions/SALE/Pending Settlement"] != 1.0 || stored["tokens_live"] != 1.0 {
		t.Fatalf("stats %s", st.raw)
	}
}

func TestFaultsErrorRateAndLatency(t *testing.T) {
	e := newEnv(t)
	e.admin("PUT", "faults", obj{"error_rate": 1, "error_status": 502})
	if r := e.api("transactions/export/by_id", obj{"transaction_id": 1}); r.status != 502 || !strings.Contains(r.raw, "injected error") {
		t.Fatalf("error fault: %d %s", r.status, r.raw)
	}
	e.admin("PUT", "faults", obj{"latency_ms": 150})
	start := time.Now()
	e.sale("1.00")
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Fatalf("latency not applied: %s", d)
	}
	for _, bad := range []obj{{"error_rate": 1.5}, {"error_status": 404}, {"latency": 5}, {"path_prefix": "v1"}} {
		if r := e.admin("PUT", "faults", bad); r.status != 400 {
			t.Errorf("PUT faults %v: %d %s", bad, r.status, r.raw)
		}
	}
}

func TestAdminAuth(t *testing.T) {
	e := newEnv(t)
	for name, authz := range map[string]string{"none": "", "wrong password": basic(DefaultUser, "x"), "unknown token": "Bearer x"} {
		if r := e.do("GET", "/_sandbox/stats", nil, authz); r.status != 401 {
			t.Errorf("%s: %d %s", name, r.status, r.raw)
		}
	}
	if r := e.do("GET", "/_sandbox/stats", nil, "Bearer "+e.token); r.status != 200 {
		t.Errorf("bearer: %d %s", r.status, r.raw)
	}
	if r := e.admin("GET", "nope", nil); r.status != 404 {
		t.Errorf("unknown admin route: %d", r.status)
	}
	if r := e.do("GET", "/healthz", nil, ""); r.status != 200 {
		t.Errorf("healthz: %d", r.status)
	}
	if r := e.do("GET", "/v1/transactions/sale/keyed", nil, "Bearer "+e.token); r.status != 405 && r.status != 404 {
		t.Errorf("GET on a POST endpoint: %d", r.status)
	}
}
