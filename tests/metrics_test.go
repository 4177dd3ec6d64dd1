package tests

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// The worker's /metrics carries the Temporal SDK's own metrics (task latencies, pollers, slots)
// and ledgerbridge's: documents posted by kind, runs parked, and every external call's latency and
// outcome by system.
func TestWorkerMetrics(t *testing.T) {
	p := pay(t, 1234, "usd", nil)
	waitResult(t, p.ChargeID, time.Minute)
	resp, err := http.Get(stack.WorkerHealthURL() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	text := string(b)
	for _, want := range []string{
		`ledgerbridge_documents_posted_total{kind="invoice"}`,
		`ledgerbridge_documents_posted_total{kind="payment"}`,
		"ledgerbridge_runs_parked",
		`ledgerbridge_external_calls_total{operation="CreateDocument",outcome="ok",system="erp"}`,
		`ledgerbridge_external_call_seconds_bucket{operation="GetCharge",system="stripe"`,
		"temporal_workflow_task_execution_latency_seconds",
		"temporal_activity_execution_latency_seconds",
		"temporal_worker_task_slots_available",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("worker /metrics lacks %s", want)
		}
	}
	if strings.Contains(text, p.ChargeID) || strings.Contains(text, p.Customer.Email) {
		t.Error("a data value is in the metrics")
	}
}
