package bench

import (
	"context"
	"fmt"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	tclient "go.temporal.io/sdk/client"

	reconreport "github.com/ledgerbridge/ledgerbridge/internal/report"
	"github.com/ledgerbridge/ledgerbridge/workflows"
)

// reconcileCount is the size of the reconciled window (LEDGERBRIDGE_BENCH_RECONCILE_COUNT).
var reconcileCount = envInt("LEDGERBRIDGE_BENCH_RECONCILE_COUNT", 100_000)

type reconcileRow struct {
	n                   int
	created, took       time.Duration
	objects, missing    int
	runs, maxEvents     int
	peakKiB             int64
	timedOut            bool
	classes             map[string]int
	reportID, lastPhase string
}

// BenchmarkReconcile reconciles a window of LEDGERBRIDGE_BENCH_RECONCILE_COUNT charges (100,000
// unless set) that never reached the ERP, without healing (an operator's `reconcile --no-heal`):
// every object is listed from Stripe, looked up in the ERP and classified missing. It prints the
// time, the worker's peak RSS (the worker is restarted first) and the histories: the chain of
// runs continue-as-new makes and the longest of them, which must not grow with the count.
func BenchmarkReconcile(b *testing.B) {
	freshWorker(b)
	n := reconcileCount
	from := time.Now().Add(-time.Second).Truncate(time.Second)
	start := time.Now()
	var res struct {
		Count int `json:"count"`
	}
	if status := bulk(b, "/_sandbox/charges/bulk", n, 1500, &res); res.Count != n {
		b.Fatalf("bulk charges: %s, %d created", status, res.Count)
	}
	row := reconcileRow{n: n, created: time.Since(start)}
	// The window ends after the last charge, to the second, and is in the past when it runs.
	to := time.Now().Add(time.Second).Truncate(time.Second)
	time.Sleep(time.Until(to) + 100*time.Millisecond)

	id := workflows.ReconcileID("stripe", from, to, false)
	began := time.Now()
	run, err := tc.ExecuteWorkflow(context.Background(), tclient.StartWorkflowOptions{ID: id, TaskQueue: workflows.TaskQueue},
		workflows.ReconcileWorkflowName, &workflows.ReconcileInput{Provider: "stripe", From: from, To: to, Heal: false})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), envDuration("LEDGERBRIDGE_BENCH_RECONCILE_TIMEOUT", 10*time.Minute))
	defer cancel()
	var out workflows.ReconcileResult
	if err := run.Get(ctx, &out); err != nil {
		if ctx.Err() == nil {
			b.Fatalf("%s: %v", id, err)
		}
		row.timedOut = true
		var p workflows.ReconcileProgress
		if v, qerr := tc.QueryWorkflow(context.Background(), id, "", workflows.QueryProgress); qerr == nil && v.Get(&p) == nil {
			row.objects, row.lastPhase = p.Done, p.Phase
		}
		_ = tc.TerminateWorkflow(context.Background(), id, "", "bench: reconcile timeout reached")
	}
	row.took = time.Since(began)
	if !row.timedOut {
		row.objects, row.classes, row.reportID = out.Objects, out.Classes, out.ReportID
		row.missing = out.Classes[reconreport.ClassMissing]
		if out.Objects != n {
			b.Errorf("reconciled %d objects, want %d", out.Objects, n)
		}
	}
	row.peakKiB = peakRSS(workerPid())
	// Every run of the chain (continue-as-new) and its history length.
	resp2, err := tc.ListWorkflow(context.Background(), &workflowservice.ListWorkflowExecutionsRequest{
		Query: fmt.Sprintf("WorkflowId = %q", id), PageSize: 1000})
	if err == nil {
		for _, ex := range resp2.Executions {
			row.runs++
			if ev := int(ex.GetHistoryLength()); ev > row.maxEvents {
				row.maxEvents = ev
			}
		}
	}
	rep.reconciles = append(rep.reconciles, row)
	b.ReportMetric(row.took.Seconds(), fmt.Sprintf("s-reconcile-%d", n))
	b.ReportMetric(float64(row.peakKiB)/1024, fmt.Sprintf("worker-peak-MiB-reconcile-%d", n))
}
