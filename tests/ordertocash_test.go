package tests

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stripe/stripe-go/v76"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/ledgerbridge/ledgerbridge/activities"
	"github.com/ledgerbridge/ledgerbridge/internal/devstack"
	"github.com/ledgerbridge/ledgerbridge/workflows"
)

func dec(t *testing.T, v any) decimal.Decimal {
	t.Helper()
	d, err := decimal.NewFromString(fmt.Sprint(v))
	if err != nil {
		t.Fatalf("not a decimal: %v", v)
	}
	return d
}

func requireOne(t *testing.T, kind string, q url.Values) map[string]any {
	t.Helper()
	docs := sageList(t, kind, q)
	if len(docs) != 1 {
		t.Fatalf("want exactly one %s for %v, got %d: %v", kind, q, len(docs), docs)
	}
	return docs[0]
}

// A signed charge.succeeded becomes one Sage customer, one invoice and one applied payment, and
// the Sage IDs are written back to Stripe.
func TestChargeBecomesOneCustomerInvoiceAndPayment(t *testing.T) {
	cases := []struct {
		amount   int64
		currency string
		want     string
	}{
		{4200, "usd", "42.00"},
		{5000, "jpy", "5000"}, // zero-decimal: 5000 yen, not 50.00
	}
	for _, c := range cases {
		t.Run(c.currency, func(t *testing.T) {
			p := pay(t, c.amount, c.currency, nil)
			res := waitResult(t, p.ChargeID, time.Minute)
			if res.Status != workflows.StatusPosted {
				t.Fatalf("status %s: %+v", res.Status, res)
			}
			cust := requireOne(t, "Customers", byRef(p.Customer.ID))
			if cust["EmailAddress"] != p.Customer.Email || cust["CustomerName"] != "Ada Lovelace" || cust["BillingCity"] != "Springfield" {
				t.Fatalf("customer mapped wrong: %v", cust)
			}
			inv := requireOne(t, "Invoices", byRef(p.ChargeID))
			if !dec(t, inv["InvoiceTotal"]).Equal(decimal.RequireFromString(c.want)) {
				t.Fatalf("invoice total %v, want %s", inv["InvoiceTotal"], c.want)
			}
			if inv["CustomerID"] != cust["CustomerID"] || inv["CurrID"] != strings.ToUpper(c.currency) {
				t.Fatalf("invoice customer/currency wrong: %v", inv)
			}
			if !dec(t, inv["Balance"]).IsZero() || inv["Status"] != "Paid" {
				t.Fatalf("invoice not paid: balance %v status %v", inv["Balance"], inv["Status"])
			}
			pmt := requireOne(t, "Payments", byRef(p.ChargeID))
			if !dec(t, pmt["Amount"]).Equal(decimal.RequireFromString(c.want)) || pmt["InvoiceNo"] != inv["InvoiceNo"] {
				t.Fatalf("payment wrong: %v", pmt)
			}
			ch, err := sc.Charges.Get(p.ChargeID, nil)
			if err != nil {
				t.Fatal(err)
			}
			if ch.Metadata["Sage500InvoiceNo"] != inv["InvoiceNo"] || ch.Metadata["Sage500CustomerID"] != cust["CustomerID"] {
				t.Fatalf("Stripe charge metadata not written back: %v", ch.Metadata)
			}
			sc2, err := sc.Customers.Get(p.Customer.ID, nil)
			if err != nil {
				t.Fatal(err)
			}
			if sc2.Metadata["Sage500CustomerID"] != cust["CustomerID"] {
				t.Fatalf("Stripe customer metadata not written back: %v", sc2.Metadata)
			}
		})
	}
}

// The same event delivered 5 times at once, plus payment_intent.succeeded for the same charge,
// and a late redelivery after the run finished, still give exactly one invoice.
func TestDuplicateAndSiblingEventsGiveOneInvoice(t *testing.T) {
	p := pay(t, 1999, "usd", nil)
	chEvt := eventFor(t, "charge.succeeded", p.ChargeID)
	piEvt := eventFor(t, "payment_intent.succeeded", p.Intent.ID)
	chBody, _ := json.Marshal(chEvt)
	piBody, _ := json.Marshal(piEvt)
	var wg sync.WaitGroup
	codes := make(chan int, 6)
	for i := 0; i < 6; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			body := chBody
			if i == 5 {
				body = piBody
			}
			code, _ := postSigned(t, body, devstack.StripeWebhookSecret)
			codes <- code
		}(i)
	}
	wg.Wait()
	close(codes)
	for c := range codes {
		if c != http.StatusOK {
			t.Fatalf("gateway answered %d to a valid event", c)
		}
	}
	res := waitResult(t, p.ChargeID, time.Minute)
	if res.Status != workflows.StatusPosted {
		t.Fatalf("status %s", res.Status)
	}
	cachedBefore := metricValue(t, `ledgerbridge_webhook_events_total{outcome="duplicate_cached",provider="stripe",type="charge.succeeded"}`)
	if code, out := postSigned(t, chBody, devstack.StripeWebhookSecret); code != http.StatusOK || out["duplicate"] != true {
		t.Fatalf("late redelivery answered %d %v", code, out)
	}
	// The exact redelivery was answered from the gateway's recent-event cache, without Temporal.
	if after := metricValue(t, `ledgerbridge_webhook_events_total{outcome="duplicate_cached",provider="stripe",type="charge.succeeded"}`); after != cachedBefore+1 {
		t.Fatalf("duplicate_cached went from %v to %v", cachedBefore, after)
	}
	time.Sleep(2 * time.Second) // give a (wrongly) started second run time to post
	requireOne(t, "Invoices", byRef(p.ChargeID))
	requireOne(t, "Payments", byRef(p.ChargeID))
	requireOne(t, "Customers", byRef(p.Customer.ID))
}

// A worker killed with SIGKILL after Sage stored the invoice but before it answered (the crash
// window) and restarted gives exactly one invoice: the retry finds it by external reference.
func TestWorkerKilledMidRunGivesOneInvoice(t *testing.T) {
	setFaults(t, map[string]any{"response_delay_ms": 8000, "methods": []string{"POST"}, "path_prefix": "/Sage500API/Invoices"})
	defer setFaults(t, nil)
	p := pay(t, 7700, "usd", nil)
	deadline := time.Now().Add(30 * time.Second)
	for len(sageList(t, "Invoices", byRef(p.ChargeID))) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the invoice never reached Sage")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err := stack.Kill("worker"); err != nil {
		t.Fatal(err)
	}
	setFaults(t, nil)
	if err := stack.Restart("worker"); err != nil {
		t.Fatal(err)
	}
	res := waitResult(t, p.ChargeID, 90*time.Second)
	if res.Status != workflows.StatusPosted {
		t.Fatalf("status %s", res.Status)
	}
	requireOne(t, "Invoices", byRef(p.ChargeID))
	requireOne(t, "Payments", byRef(p.ChargeID))
}

// 30 s of Sage answering 503 and 429 delays the posting but does not fail or duplicate it.
func TestSageOutageDelaysButDoesNotDuplicate(t *testing.T) {
	doJSON(t, http.MethodPost, stack.SageURL()+"/_admin/stats/reset", devstack.SageKey, nil, nil)
	setFaults(t, map[string]any{"error_rate": 0.5, "error_status": 503, "rate_limit_rate": 1, "retry_after_s": 2})
	defer setFaults(t, nil)
	p := pay(t, 12345, "usd", nil)
	time.Sleep(30 * time.Second)
	st := queryStatus(t, p.ChargeID)
	if st.Status != workflows.StatusRunning || st.InvoiceNumber != "" {
		t.Fatalf("during the outage the run should be retrying, got %+v", st)
	}
	setFaults(t, nil)
	res := waitResult(t, p.ChargeID, time.Minute)
	if res.Status != workflows.StatusPosted {
		t.Fatalf("status %s", res.Status)
	}
	inv := requireOne(t, "Invoices", byRef(p.ChargeID))
	if !dec(t, inv["InvoiceTotal"]).Equal(decimal.RequireFromString("123.45")) {
		t.Fatalf("total %v", inv["InvoiceTotal"])
	}
	requireOne(t, "Payments", byRef(p.ChargeID))
	stats := getSageStats(t)
	if stats.Responses["503"] == 0 || stats.Responses["429"] == 0 {
		t.Fatalf("the outage injected no 503 and 429: %+v", stats)
	}
}

// An unknown item parks the run (NeedsAttention, visible to search), and retry with a corrected
// item completes it with one invoice for that item.
func TestValidationErrorParksAndRetryWithCorrectionCompletes(t *testing.T) {
	p := pay(t, 2500, "usd", map[string]string{"sage_item_id": "NOPE"})
	st := waitStatus(t, p.ChargeID, workflows.StatusNeedsAttention, time.Minute)
	if st.Step != "post-invoice" || !strings.Contains(st.Problem, "NOPE") {
		t.Fatalf("parked at %s with %q", st.Step, st.Problem)
	}
	if n := len(sageList(t, "Invoices", byRef(p.ChargeID))); n != 0 {
		t.Fatalf("%d invoices posted for a rejected charge", n)
	}
	// Operators find parked runs by search attribute in Web UI; prove the same query works.
	query := fmt.Sprintf(`NeedsAttention = true AND ProviderObjectID = %q`, p.ChargeID)
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := tc.ListWorkflow(context.Background(), &workflowservice.ListWorkflowExecutionsRequest{Query: query})
		if err != nil {
			t.Fatal(err)
		}
		if len(resp.Executions) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("visibility query %s found %d runs", query, len(resp.Executions))
		}
		time.Sleep(300 * time.Millisecond)
	}
	err := tc.SignalWorkflow(context.Background(), workflows.OrderToCashID(p.ChargeID), "", workflows.SignalRetry,
		workflows.RetrySignal{Corrections: activities.Corrections{ItemID: "WIDGET"}})
	if err != nil {
		t.Fatal(err)
	}
	res := waitResult(t, p.ChargeID, time.Minute)
	if res.Status != workflows.StatusPosted {
		t.Fatalf("status %s", res.Status)
	}
	inv := requireOne(t, "Invoices", byRef(p.ChargeID))
	lines, _ := inv["Lines"].([]any)
	if len(lines) != 1 || lines[0].(map[string]any)["ItemID"] != "WIDGET" {
		t.Fatalf("invoice lines %v, want one WIDGET line", inv["Lines"])
	}
}

// A run parked after it posted the invoice and payment (Stripe refuses the write-back: the charge
// already has 50 metadata keys) is abandoned by the operator: the payment and invoice are voided.
func TestAbandonVoidsWhatWasPosted(t *testing.T) {
	full := map[string]string{}
	for i := 0; i < 50; i++ {
		full[fmt.Sprintf("k%02d", i)] = "v"
	}
	p := pay(t, 3300, "usd", full)
	st := waitStatus(t, p.ChargeID, workflows.StatusNeedsAttention, time.Minute)
	if st.Step != "write-back" || st.InvoiceNumber == "" || st.PaymentID == "" {
		t.Fatalf("parked at %s with invoice %q payment %q: %s", st.Step, st.InvoiceNumber, st.PaymentID, st.Problem)
	}
	err := tc.SignalWorkflow(context.Background(), workflows.OrderToCashID(p.ChargeID), "", workflows.SignalAbandon,
		workflows.AbandonSignal{Reason: "test: posted by hand"})
	if err != nil {
		t.Fatal(err)
	}
	res := waitResult(t, p.ChargeID, time.Minute)
	if res.Status != workflows.StatusAbandoned {
		t.Fatalf("status %s", res.Status)
	}
	if inv := requireOne(t, "Invoices", byRef(p.ChargeID)); inv["Status"] != "Void" {
		t.Fatalf("invoice not voided: %v", inv)
	}
	if pmt := requireOne(t, "Payments", byRef(p.ChargeID)); pmt["Status"] != "Void" {
		t.Fatalf("payment not voided: %v", pmt)
	}
}

// Bad input at the gateway gets a clear 4xx and starts nothing.
func TestGatewayRejectsBadWebhooksAndStartsNothing(t *testing.T) {
	chargeID := fmt.Sprintf("ch_forged%d", time.Now().UnixNano())
	forged := []byte(fmt.Sprintf(`{"id":"evt_forged","object":"event","api_version":%q,"type":"charge.succeeded","data":{"object":{"id":%q,"object":"charge"}}}`,
		stripe.APIVersion, chargeID))
	cases := []struct {
		name string
		do   func() (int, map[string]any)
		want int
	}{
		{"wrong secret", func() (int, map[string]any) { return postSigned(t, forged, "whsec_wrong") }, 400},
		{"no signature", func() (int, map[string]any) { return postWebhook(t, forged, "") }, 400},
		{"garbage signature", func() (int, map[string]any) { return postWebhook(t, forged, "t=1,v1=zz") }, 400},
		{"malformed JSON", func() (int, map[string]any) { return postSigned(t, []byte(`{"id":`), devstack.StripeWebhookSecret) }, 400},
		{"too large", func() (int, map[string]any) {
			return postSigned(t, []byte(`{"pad":"`+strings.Repeat("x", 600*1024)+`"}`), devstack.StripeWebhookSecret)
		}, 413},
	}
	for _, c := range cases {
		code, out := c.do()
		if code != c.want || out["error"] == nil {
			t.Errorf("%s: got %d %v, want %d with a JSON error", c.name, code, out, c.want)
		}
	}
	_, err := tc.DescribeWorkflow(context.Background(), workflows.OrderToCashID(chargeID), "")
	var nf *serviceerror.NotFound
	if !errors.As(err, &nf) {
		t.Fatalf("a rejected webhook started a workflow: %v", err)
	}
	ignored := []byte(fmt.Sprintf(`{"id":"evt_x","object":"event","api_version":%q,"type":"customer.subscription.created","data":{"object":{"id":"sub_1"}}}`, stripe.APIVersion))
	if code, out := postSigned(t, ignored, devstack.StripeWebhookSecret); code != 200 || out["ignored"] != "customer.subscription.created" {
		t.Fatalf("unhandled type: %d %v", code, out)
	}
	resp, err := http.Get(stack.GatewayInternalURL() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b := new(strings.Builder)
	_, _ = io.Copy(b, resp.Body)
	if !strings.Contains(b.String(), `ledgerbridge_webhook_events_total{outcome="rejected"`) {
		t.Fatalf("metrics do not count rejected webhooks")
	}
}

// An operator resetting a completed run to its start (Temporal Web UI → Reset) replays every
// activity; the ERP lookups find what the first run posted, so nothing is posted twice.
func TestOperatorResetDoesNotDuplicate(t *testing.T) {
	p := pay(t, 6100, "usd", nil)
	first := waitResult(t, p.ChargeID, time.Minute)
	ctx := context.Background()
	id := workflows.OrderToCashID(p.ChargeID)
	desc, err := tc.DescribeWorkflow(ctx, id, "")
	if err != nil {
		t.Fatal(err)
	}
	runID := desc.RawResponse.WorkflowExecutionInfo.Execution.RunId
	var firstTask int64
	it := tc.GetWorkflowHistory(ctx, id, runID, false, 0)
	for it.HasNext() && firstTask == 0 {
		ev, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		if ev.EventType == enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED {
			firstTask = ev.EventId
		}
	}
	reset, err := tc.ResetWorkflowExecution(ctx, &workflowservice.ResetWorkflowExecutionRequest{
		Namespace: stack.Namespace(), WorkflowExecution: &commonpb.WorkflowExecution{WorkflowId: id, RunId: runID},
		Reason: "test: operator reset", WorkflowTaskFinishEventId: firstTask, RequestId: fmt.Sprint(time.Now().UnixNano()),
	})
	if err != nil {
		t.Fatal(err)
	}
	var again workflows.OrderToCashResult
	if err := tc.GetWorkflow(ctx, id, reset.RunId).Get(ctx, &again); err != nil {
		t.Fatal(err)
	}
	if again.Status != workflows.StatusPosted || again.InvoiceNumber != first.InvoiceNumber || again.PaymentID != first.PaymentID {
		t.Fatalf("reset run posted %+v, first run %+v", again, first)
	}
	requireOne(t, "Invoices", byRef(p.ChargeID))
	requireOne(t, "Payments", byRef(p.ChargeID))
	requireOne(t, "Customers", byRef(p.Customer.ID))
}

// metricValue reads one series from the gateway's /metrics (0 when absent).
func metricValue(t *testing.T, series string) float64 {
	t.Helper()
	resp, err := http.Get(stack.GatewayInternalURL() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, series+" "); ok {
			v, err := strconv.ParseFloat(strings.TrimSpace(rest), 64)
			if err != nil {
				t.Fatalf("metric %s: %v", line, err)
			}
			return v
		}
	}
	return 0
}
