package tests

import (
	"net/http"
	"testing"
	"time"

	"github.com/ledgerbridge/ledgerbridge/internal/devstack"
	"github.com/ledgerbridge/ledgerbridge/workflows"
)

// A history whose webhooks never arrived (more than one page of charges) is imported by
// `ledgerbridge backfill`; the worker is SIGKILLed halfway and the backfill still completes,
// every charge posted exactly once.
func TestBackfillSurvivesWorkerKill(t *testing.T) {
	e := newMonthEnv(t)
	e.admin(t, "/_sandbox/delivery", map[string]any{"paused": true}, nil)
	const n = 130 // two pages
	charges := make([]string, 0, n)
	for i := 0; i < n; i++ {
		charges = append(charges, e.pay(t, int64(1000+i), "usd", "pm_card_visa"))
	}
	e.admin(t, "/_sandbox/delivery", map[string]any{"drop_pending": true, "paused": false}, nil)
	time.Sleep(1100 * time.Millisecond) // the window ends now, to the second

	since := time.Now().UTC().Add(-time.Hour).Format(time.RFC3339)
	if r := cli(t, cliEnvFor(e), "backfill", "--since", since, "--provider", "stripe", "--detach"); r.code != 0 {
		t.Fatalf("ledgerbridge backfill: %s", r)
	}
	// Halfway: SIGKILL the worker; the supervisor brings it back.
	eventually(t, 2*time.Minute, func() bool { return len(e.sage(t, e.books.invoices, nil)) >= n/2 }, "half the charges posted")
	old := e.st.Pid("worker")
	if err := e.st.Kill("worker"); err != nil {
		t.Fatal(err)
	}
	if err := e.st.Restart("worker"); err != nil {
		t.Fatal(err)
	}
	if e.st.Pid("worker") == old {
		t.Fatal("worker not restarted")
	}
	e.waitQuiet(t, 4*time.Minute)
	done := e.list(t, `WorkflowType = "`+workflows.ReconcileWorkflowName+`" AND ExecutionStatus = "Completed"`)
	if len(done) == 0 {
		t.Fatal("the backfill did not complete")
	}
	for _, ch := range charges {
		if inv, pay := len(e.sage(t, e.books.invoices, byRef(ch))), len(e.sage(t, e.books.payments, byRef(ch))); inv != 1 || pay != 1 {
			t.Errorf("charge %s: %d invoices, %d payments", ch, inv, pay)
		}
	}
}

// The client-side rate limiter keeps the worker's ERP calls at the configured rate, however much
// work is waiting: no second of the Sage sandbox's request log holds more than rate + burst.
func TestERPRateLimit(t *testing.T) {
	e := newMonthEnv(t, "LEDGERBRIDGE_RATE_ERP=8/s,burst=1")
	// Only the worker's requests count: start after its start-up checks.
	doJSON(t, http.MethodPost, e.st.SageURL()+"/_admin/stats/reset", devstack.SageKey, nil, nil)
	var charges []string
	for i := 0; i < 12; i++ {
		charges = append(charges, e.pay(t, int64(500+i), "usd", "pm_card_visa"))
	}
	e.waitQuiet(t, 4*time.Minute)
	// The ERP's own count of arrivals: the most requests within any one second. Read before
	// the checks below, whose own lookups are ERP requests too (and not rate limited).
	var stats struct {
		Requests      int `json:"requests"`
		PeakPerSecond int `json:"peak_per_second"`
	}
	doJSON(t, http.MethodGet, e.st.SageURL()+"/_admin/stats", devstack.SageKey, nil, &stats)
	for _, ch := range charges {
		if n := len(e.sage(t, e.books.invoices, byRef(ch))); n != 1 {
			t.Errorf("charge %s: %d invoices", ch, n)
		}
	}
	total, peak := stats.Requests, stats.PeakPerSecond
	if total < 12*4 {
		t.Fatalf("only %d ERP requests for 12 charges", total)
	}
	if peak > 8+1 {
		t.Fatalf("%d ERP requests within one second, over the limit 8/s + burst 1 (of %d requests)", peak, total)
	}
	t.Logf("%d ERP requests, at most %d in one second", total, peak)
}
