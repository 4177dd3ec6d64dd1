package tests

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v76"
	historypb "go.temporal.io/api/history/v1"
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
// Re-record after adding a change ID, and commit the files.
func TestRecordHistories(t *testing.T) {
	if os.Getenv("LEDGERBRIDGE_RECORD_HISTORIES") != "1" {
		t.Skip("set LEDGERBRIDGE_RECORD_HISTORIES=1 to re-record workflows/testdata")
	}
	e := newMonthEnv(t) // without payload encryption: the replayer reads plain payloads
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(file), "..", "workflows", "testdata")
	save := func(name, id string, out any) {
		t.Helper()
		waitDone(t, e.tc, id, out, 2*time.Minute)
		it := e.tc.GetWorkflowHistory(context.Background(), id, "", false, 0)
		h := &historypb.History{}
		for it.HasNext() {
			ev, err := it.Next()
			if err != nil {
				t.Fatal(err)
			}
			h.Events = append(h.Events, ev)
		}
		b, err := protojson.MarshalOptions{Multiline: true, Indent: "  "}.Marshal(h)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+"-current.json"), b, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("recorded %s (%d events)", name, len(h.Events))
	}
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
}

func setDeliveryOn(t *testing.T, e *monthEnv, knobs map[string]any) {
	t.Helper()
	doJSON(t, http.MethodPost, e.st.StripeURL()+"/_sandbox/delivery", devstack.StripeKey, knobs, nil)
}
