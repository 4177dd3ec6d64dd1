package tests

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stripe/stripe-go/v76"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/workflowservice/v1"
	tclient "go.temporal.io/sdk/client"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/ledgerbridge/ledgerbridge/internal/devstack"
	"github.com/ledgerbridge/ledgerbridge/workflows"
)

// TestRecordHistories records one history of every workflow, through each branch the latest
// workflow.GetVersion change IDs added, into workflows/testdata/*-current.json for the replay
// test (which also keeps replaying the older recordings). It only runs when asked:
//
//	LEDGERBRIDGE_RECORD_HISTORIES=1 make test-e2e   (or go test -run TestRecordHistories ./tests/)
//
// Re-record after adding a change ID, and commit the files. The Stripe workflows and the
// reconciliation run on the default stack; the PayTrace ones on a Sage X3 stack polling PayTrace
// every second (seed 002), as tests/paytrace_test.go runs them.
func TestRecordHistories(t *testing.T) {
	if os.Getenv("LEDGERBRIDGE_RECORD_HISTORIES") != "1" {
		t.Skip("set LEDGERBRIDGE_RECORD_HISTORIES=1 to re-record workflows/testdata")
	}
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(file), "..", "workflows", "testdata")
	t.Run("stripe", func(t *testing.T) { recordStripe(t, dir) })
	t.Run("paytrace", func(t *testing.T) { recordPayTrace(t, dir) })
}

// recorder writes runs' histories into workflows/testdata.
type recorder struct {
	tc  tclient.Client
	dir string
}

// save waits for the workflow's latest run to complete and records it as <name>-current.json.
func (r recorder) save(t *testing.T, name, id string, out any) {
	t.Helper()
	waitDone(t, r.tc, id, out, 2*time.Minute)
	r.saveRun(t, name, id, "")
}

// saveRun records one closed run (runID "" is the latest).
func (r recorder) saveRun(t *testing.T, name, id, runID string) {
	t.Helper()
	it := r.tc.GetWorkflowHistory(context.Background(), id, runID, false, 0)
	h := &historypb.History{}
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		h.Events = append(h.Events, ev)
	}
	if n := len(h.Events); n == 0 || !closing(h.Events[n-1].GetEventType()) {
		t.Fatalf("%s %s: the history does not end with the run's close (%d events)", id, runID, n)
	}
	b, err := protojson.MarshalOptions{Multiline: true, Indent: "  "}.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(r.dir, name+"-current.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("recorded %s (%s, %d events)", name, id, len(h.Events))
}

func closing(ev enumspb.EventType) bool {
	switch ev {
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
		return true
	}
	return false
}

// firstRun is the run ID of the oldest completed run of a workflow ID: the one that posted,
// where later runs (the poll's overlap window dispatches a transaction again) only find it done.
func firstRun(t *testing.T, tc tclient.Client, id string) (runID string, total int) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(300 * time.Millisecond) {
		resp, err := tc.ListWorkflow(context.Background(), &workflowservice.ListWorkflowExecutionsRequest{Query: `WorkflowId = "` + id + `"`})
		if err != nil {
			t.Fatal(err)
		}
		ex := resp.Executions
		sort.Slice(ex, func(i, j int) bool { return ex[i].StartTime.AsTime().Before(ex[j].StartTime.AsTime()) })
		if len(ex) > 0 && ex[0].Status == enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED {
			return ex[0].Execution.RunId, len(ex)
		}
	}
	t.Fatalf("no completed run of %s is visible", id)
	return "", 0
}

// triggerSchedule runs a schedule's action now and returns the workflow ID it started.
func triggerSchedule(t *testing.T, tc tclient.Client, scheduleID string) string {
	t.Helper()
	ctx := context.Background()
	h := tc.ScheduleClient().GetHandle(ctx, scheduleID)
	for _, err := h.Describe(ctx); err != nil; _, err = h.Describe(ctx) {
		time.Sleep(200 * time.Millisecond)
	}
	asked := time.Now().Add(-time.Second)
	if err := h.Trigger(ctx, tclient.ScheduleTriggerOptions{}); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		d, err := h.Describe(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, act := range d.Info.RecentActions {
			if act.ActualTime.After(asked) && act.StartWorkflowResult != nil {
				return act.StartWorkflowResult.WorkflowID
			}
		}
	}
	t.Fatalf("schedule %s did not start its workflow", scheduleID)
	return ""
}

func recordStripe(t *testing.T, dir string) {
	e := newMonthEnv(t) // without payload encryption: the replayer reads plain payloads
	r := recorder{tc: e.tc, dir: dir}
	save := func(name, id string, out any) { t.Helper(); r.save(t, name, id, out) }
	ch := e.pay(t, 12000, "usd", "pm_card_visa")
	var otc workflows.OrderToCashResult
	save("ordertocash", workflows.OrderToCashID(ch), &otc)
	re := e.refund(t, ch, 2500)
	var rr workflows.RefundResult
	save("refund", workflows.RefundID(re), &rr)
	var cr workflows.ChargeRefundsResult
	save("chargerefunds", workflows.ChargeRefundsID(ch, 2500), &cr)

	// A partial capture: order-to-cash posts the captured amount, the released rest is skipped.
	setDeliveryOn(t, e, map[string]any{"paused": true})
	cus, _ := e.sc.Customers.New(&stripe.CustomerParams{Email: stripe.String("auth-" + uniqueSuffix() + "@example.com"), Name: stripe.String("Auth Only")})
	pi, err := e.sc.PaymentIntents.New(&stripe.PaymentIntentParams{Amount: stripe.Int64(10000), Currency: stripe.String("usd"),
		Customer: stripe.String(cus.ID), PaymentMethod: stripe.String("pm_card_visa"), Confirm: stripe.Bool(true), CaptureMethod: stripe.String("manual")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.sc.PaymentIntents.Capture(pi.ID, &stripe.PaymentIntentCaptureParams{AmountToCapture: stripe.Int64(6000)}); err != nil {
		t.Fatal(err)
	}
	setDeliveryOn(t, e, map[string]any{"paused": false})
	save("ordertocash-partial-capture", workflows.OrderToCashID(pi.LatestCharge.ID), &otc)
	var release string
	rit := e.sc.Refunds.List(&stripe.RefundListParams{Charge: stripe.String(pi.LatestCharge.ID)})
	for rit.Next() {
		release = rit.Refund().ID
	}
	save("refund-release", workflows.RefundID(release), &rr)

	dc := e.pay(t, 5000, "usd", "pm_card_createDispute")
	dp := e.disputeOf(t, dc)
	e.admin(t, "/_sandbox/disputes/"+dp+"/close", map[string]any{"outcome": "won"}, nil)
	time.Sleep(2 * time.Second)
	var dr workflows.DisputeResult
	save("dispute", workflows.DisputeID(dp), &dr)

	var cres workflows.CustomerResult
	save("customer", workflows.CustomerID(cus.ID), &cres)

	// The scheduled ERP → Stripe customer sync.
	h := e.tc.ScheduleClient().GetHandle(context.Background(), workflows.CustomerSyncScheduleID)
	for _, err := h.Describe(context.Background()); err != nil; _, err = h.Describe(context.Background()) {
		time.Sleep(200 * time.Millisecond)
	}
	if err := h.Trigger(context.Background(), tclient.ScheduleTriggerOptions{}); err != nil {
		t.Fatal(err)
	}
	var syncID string
	for deadline := time.Now().Add(30 * time.Second); syncID == "" && time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if ids := e.list(t, `WorkflowType = "`+workflows.CustomerSyncWorkflowName+`" AND ExecutionStatus = "Completed"`); len(ids) > 0 {
			syncID = strings.Fields(ids[0])[0]
		}
	}
	var sres workflows.CustomerSyncResult
	save("customersync", syncID, &sres)

	var sweep struct {
		Data []*stripe.Payout `json:"data"`
	}
	e.admin(t, "/_sandbox/payouts/sweep", map[string]any{"currency": "usd", "all_pending": true}, &sweep)
	var pr workflows.PayoutResult
	save("payout", workflows.PayoutID(sweep.Data[0].ID), &pr)

	// The daily reconciliation, triggered now as the schedule would run it: it finds the month's
	// objects posted (or heals them) and writes its report.
	var rec workflows.ReconcileResult
	save("reconcile", triggerSchedule(t, e.tc, workflows.ReconcileScheduleID("stripe")), &rec)
	if rec.ReportID == "" || rec.Objects == 0 {
		t.Fatalf("reconciliation %+v", rec)
	}
}

// recordPayTrace records a PayTrace sale (customer, order, invoice, payment), its settlement
// batch, a refund of the sale after settlement and one scheduled poll.
func recordPayTrace(t *testing.T, dir string) {
	e := newPayTraceEnv(t)
	r := recorder{tc: e.tc, dir: dir}
	ctx := context.Background()

	id := e.sale(t, "REC-1001", line("WIDGET", 2, "19.99"), line("GADGET", 1, "49.50"))
	if res := e.waitTx(t, id); res.Status != workflows.StatusPosted {
		t.Fatalf("sale run %+v", res)
	}
	run, n := firstRun(t, e.tc, workflows.PayTraceTransactionID(id))
	r.saveRun(t, "paytrace-sale", workflows.PayTraceTransactionID(id), run)
	t.Logf("%s: %d runs so far", workflows.PayTraceTransactionID(id), n)

	var settled struct {
		BatchNumber any `json:"batch_number"`
	}
	doJSONBasic(t, http.MethodPost, e.st.PayTraceURL()+"/_sandbox/settle", map[string]any{}, &settled)
	batches, err := e.pt.Batches(ctx, time.Now().Add(-48*time.Hour), time.Now().Add(24*time.Hour))
	if err != nil || len(batches) != 1 {
		t.Fatalf("batches %v %v", batches, err)
	}
	var br workflows.PayTraceBatchResult
	r.save(t, "paytrace-batch", workflows.PayTraceBatchID(batchNumber(batches[0].Number)), &br)
	if br.Status != workflows.StatusPosted {
		t.Fatalf("batch run %+v", br)
	}

	rf, err := e.pt.RefundTransaction(ctx, id, decimal.RequireFromString("10.00"))
	if err != nil || !rf.Success {
		t.Fatalf("refund: %+v %v", rf, err)
	}
	if res := e.waitTx(t, rf.TransactionID); res.Status != workflows.StatusPosted || res.CreditMemo == "" {
		t.Fatalf("refund run %+v", res)
	}
	run, _ = firstRun(t, e.tc, workflows.PayTraceTransactionID(rf.TransactionID))
	r.saveRun(t, "paytrace-refund", workflows.PayTraceTransactionID(rf.TransactionID), run)

	var polls []string
	for deadline := time.Now().Add(30 * time.Second); len(polls) == 0 && time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		polls = e.list(t, `WorkflowType = "`+workflows.PayTracePollWorkflowName+`" AND ExecutionStatus = "Completed"`)
	}
	if len(polls) == 0 {
		t.Fatal("no completed PayTrace poll")
	}
	r.saveRun(t, "paytrace-poll", strings.Fields(polls[0])[0], "")
}

func setDeliveryOn(t *testing.T, e *monthEnv, knobs map[string]any) {
	t.Helper()
	doJSON(t, http.MethodPost, e.st.StripeURL()+"/_sandbox/delivery", devstack.StripeKey, knobs, nil)
}
