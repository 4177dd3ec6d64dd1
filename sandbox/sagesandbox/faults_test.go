package sagesandbox

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestFaultsErrorRateWithFilterAndStats(t *testing.T) {
	e := newEnv(t)
	e.want(200, "PUT", "/_admin/faults", map[string]any{"error_rate": 1, "error_status": 502, "methods": []string{"post"}, "path_prefix": "/Sage500API/Invoices"})
	e.want(200, "POST", "/_admin/stats/reset", nil)
	e.wantErr(502, "POST", "/Sage500API/Invoices", `{}`, "injected error")
	e.want(200, "GET", "/Sage500API/Invoices", nil)                                            // method filtered out
	e.want(201, "POST", "/Sage500API/Customers", map[string]any{"CustomerName": "Unaffected"}) // path filtered out
	r := e.want(200, "GET", "/_admin/stats", nil)
	faults := r.body["faults"].(map[string]any)
	responses := r.body["responses"].(map[string]any)
	if faults["error"] != 1.0 || responses["502"] != 1.0 || responses["200"] != 1.0 || responses["201"] != 1.0 || r.body["requests"] != 3.0 {
		t.Errorf("stats = %s", r.raw)
	}
	e.want(200, "DELETE", "/_admin/faults", nil)
	e.wantErr(400, "POST", "/Sage500API/Invoices", `{}`, "CustomerID is required")
	if r := e.want(200, "POST", "/_admin/stats/reset", nil); r.body["requests"] != 0.0 {
		t.Errorf("after reset = %s", r.raw)
	}
}

func TestFaultsRateLimitAndOutage(t *testing.T) {
	e := newEnv(t)
	e.want(200, "PUT", "/_admin/faults", map[string]any{"rate_limit_rate": 1, "retry_after_s": 9})
	r := e.wantErr(429, "GET", "/Sage500API/Items", nil, "rate limit")
	if r.header.Get("Retry-After") != "9" || r.errField("code") != "RateLimited" {
		t.Errorf("429 = %v %s", r.header, r.raw)
	}
	// Admin routes are never faulted.
	e.want(200, "GET", "/_admin/faults", nil)

	e.want(200, "PUT", "/_admin/faults", map[string]any{"outage_seconds": 60})
	r = e.want(503, "POST", "/Sage500API/Customers", map[string]any{"CustomerName": "X"})
	if ra := r.header.Get("Retry-After"); ra != "60" && ra != "59" {
		t.Errorf("outage Retry-After = %q", ra)
	}
	f := e.want(200, "GET", "/_admin/faults", nil)
	if f.body["outage_until"] == nil {
		t.Errorf("faults during outage = %s", f.raw)
	}
	e.want(200, "DELETE", "/_admin/faults", nil)
	// Nothing was written during the outage.
	if r := e.want(200, "GET", "/Sage500API/Customers", nil); r.body["count"] != 0.0 {
		t.Errorf("customers after outage = %s", r.raw)
	}
	st := e.want(200, "GET", "/_admin/stats", nil)
	if st.body["faults"].(map[string]any)["outage"] != 1.0 || st.body["faults"].(map[string]any)["rate_limited"] != 1.0 {
		t.Errorf("stats = %s", st.raw)
	}
	e.wantErr(400, "PUT", "/_admin/faults", map[string]any{"error_rate": 1.5}, "error_rate")
	e.wantErr(400, "PUT", "/_admin/faults", map[string]any{"error_status": 404}, "5xx")
	e.wantErr(400, "PUT", "/_admin/faults", map[string]any{"latency": 5}, `unknown field "latency"`)
}

func TestFaultsErrorRateIsAFraction(t *testing.T) {
	e := newEnv(t)
	e.want(200, "PUT", "/_admin/faults", map[string]any{"error_rate": 0.5})
	n := 0
	for range 200 {
		if e.do("GET", "/Sage500API/Items", nil).status == 503 {
			n++
		}
	}
	if n < 60 || n > 140 {
		t.Errorf("error_rate 0.5 failed %d of 200 requests", n)
	}
}

// TestResponseDelayCrashWindow proves the write commits even when the client gives up while
// the response is delayed: the situation find-before-create exists for.
func TestResponseDelayCrashWindow(t *testing.T) {
	e := newEnv(t)
	e.want(200, "PUT", "/_admin/faults", map[string]any{"response_delay_ms": 500, "methods": []string{"POST"}})
	client := &http.Client{Timeout: 100 * time.Millisecond}
	req, _ := http.NewRequest("POST", e.hs.URL+"/Sage500API/Customers", strings.NewReader(`{"CustomerName":"Ghost","StripeCustomerID_Custom":"cus_ghost"}`))
	req.Header.Set("Authorization", "Bearer "+testKey)
	if _, err := client.Do(req); err == nil {
		t.Fatal("client did not time out")
	}
	r := e.want(200, "GET", "/Sage500API/Customers?externalRef=cus_ghost", nil)
	if r.body["count"] != 1.0 {
		t.Errorf("customer written in the crash window = %s", r.raw)
	}
	start := time.Now()
	e.want(200, "GET", "/Sage500API/Items", nil) // GET is not delayed
	if time.Since(start) > 300*time.Millisecond {
		t.Error("GET was delayed")
	}
}

func TestLatency(t *testing.T) {
	e := newEnv(t)
	e.want(200, "PUT", "/_admin/faults", map[string]any{"latency_ms": 150})
	start := time.Now()
	e.want(200, "GET", "/Sage500API/Items", nil)
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Errorf("latency not applied: %s", d)
	}
}

// TestConcurrentPaymentsNeverOverdraw hammers one invoice: writes are serialized, so the
// balance never goes negative and exactly the affordable payments succeed.
func TestConcurrentPaymentsNeverOverdraw(t *testing.T) {
	e := newEnv(t)
	c := e.customer("Race")
	inv := e.invoice(c, "10")
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok := 0
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := e.do("POST", "/Sage500API/Payments", `{"CustomerID":"`+c+`","InvoiceNo":"`+inv+`","PaymentDate":"2026-01-16","Amount":1}`)
			if r.status == 201 {
				mu.Lock()
				ok++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	r := e.want(200, "GET", "/Sage500API/Invoices/"+inv, nil)
	if ok != 10 || !strings.Contains(r.raw, `"Balance":0.00`) {
		t.Errorf("%d payments succeeded; invoice %s", ok, r.raw)
	}
}
