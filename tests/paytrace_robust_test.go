package tests

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	tclient "go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/ledgerbridge/ledgerbridge/activities"
	"github.com/ledgerbridge/ledgerbridge/internal/devstack"
	"github.com/ledgerbridge/ledgerbridge/internal/glmap"
	"github.com/ledgerbridge/ledgerbridge/internal/paytrace"
	"github.com/ledgerbridge/ledgerbridge/workflows"
)

// The PayTrace → Sage X3 flow under the failures it must survive: a worker killed in the crash
// window of every posting step, access tokens expiring under the running calls, a PayTrace
// outage and a 429 storm while sales go on; and a scripted month whose X3 books tie out to
// PayTrace's settlement batches. Every check reads what a controller would: the raw X3
// collections and PayTrace's own exports.

// x3 collections, filterable by ?externalRef= (customers by ?email=).
const (
	x3Customers = "/api/v1/customers/businessPartners"
	x3Orders    = "/api/v1/sales/salesOrders"
	x3Invoices  = "/api/v1/sales/salesInvoices"
	x3Memos     = "/api/v1/sales/creditMemos"
	x3Payments  = "/api/v1/financials/payments"
	x3Journals  = "/api/v1/financials/journalEntries"
)

// sageFaults sets (nil: clears) this stack's Sage sandbox fault injection.
func (e *payTraceEnv) sageFaults(t *testing.T, f map[string]any) {
	t.Helper()
	if f == nil {
		doJSON(t, http.MethodDelete, e.st.SageURL()+"/_admin/faults", devstack.SageKey, nil, nil)
		return
	}
	doJSON(t, http.MethodPut, e.st.SageURL()+"/_admin/faults", devstack.SageKey, f, nil)
}

// ptFaults sets (nil: clears) the PayTrace sandbox's fault injection.
func (e *payTraceEnv) ptFaults(t *testing.T, f map[string]any) {
	t.Helper()
	if f == nil {
		doJSONBasic(t, http.MethodDelete, e.st.PayTraceURL()+"/_sandbox/faults", nil, nil)
		return
	}
	doJSONBasic(t, http.MethodPut, e.st.PayTraceURL()+"/_sandbox/faults", f, nil)
}

// ptStats are the PayTrace sandbox's counters: responses by status, injected faults, and what
// it stores ("transactions/SALE/Settled": n).
type ptStats struct {
	Responses map[string]int `json:"responses"`
	Faults    map[string]int `json:"faults"`
	Stored    map[string]int `json:"stored"`
}

func (e *payTraceEnv) ptStats(t *testing.T) ptStats {
	t.Helper()
	var s ptStats
	doJSONBasic(t, http.MethodGet, e.st.PayTraceURL()+"/_sandbox/stats", nil, &s)
	return s
}

// storedSales counts the SALE transactions PayTrace holds, whatever their status.
func (s ptStats) storedSales() int {
	n := 0
	for k, v := range s.Stored {
		if strings.HasPrefix(k, "transactions/SALE/") {
			n += v
		}
	}
	return n
}

// keyed makes a keyed sale with level-3 lines for the buyer email, as a shop's checkout would.
// A 429 or 503 the sandbox injected is retried: the fault layer answers those before it does
// anything (the PayTrace stats at the end of the storm test prove no sale was made twice).
func (e *payTraceEnv) keyed(t *testing.T, invoice, email string, lines ...paytrace.LineItem) (int64, decimal.Decimal) {
	t.Helper()
	total := decimal.Zero
	for _, l := range lines {
		total = total.Add(l.Amount)
	}
	sale := paytrace.KeyedSale{
		SaleDetails: paytrace.SaleDetails{Amount: total, InvoiceNumber: invoice, Description: "Web order " + invoice, Email: email, LineItems: lines},
		CreditCard:  paytrace.CreditCard{Number: testPAN, ExpirationMonth: 12, ExpirationYear: 2030}, CSC: "999",
		BillingAddress: &paytrace.Address{Name: "Katherine Johnson", StreetAddress: "1 Langley Way", City: "Hampton", State: "VA",
			Zip: "23666", Country: "US"}}
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, err := e.pt.SaleKeyed(context.Background(), sale)
		var tr *paytrace.TransientError
		if errors.As(err, &tr) && time.Now().Before(deadline) {
			time.Sleep(max(tr.RetryAfter, 200*time.Millisecond))
			continue
		}
		if err != nil || !res.Success {
			t.Fatalf("sale %s: %+v %v", invoice, res, err)
		}
		return res.TransactionID, total
	}
}

// x3 lists an X3 collection by external reference.
func (e *payTraceEnv) x3(t *testing.T, path, ref string) []map[string]any {
	t.Helper()
	return e.sage(t, path, url.Values{"externalRef": {ref}})
}

// customersByEmail lists the X3 customers (BPC) with this e-mail.
func (e *payTraceEnv) customersByEmail(t *testing.T, email string) []map[string]any {
	t.Helper()
	return e.sage(t, x3Customers, url.Values{"email": {email}})
}

// requireOnePosting asserts what a controller checks for one PayTrace sale: exactly one
// customer (BPC), one sales order (SOH), one invoice (SIH) and one live payment (PAY) for the
// amount, deposited to PayTrace's clearing account and linked to the order and the invoice.
func (e *payTraceEnv) requireOnePosting(t *testing.T, id int64, email string, amount decimal.Decimal) {
	t.Helper()
	ref := activities.PayTraceRef(id)
	bpcs := e.customersByEmail(t, email)
	sohs, sihs, pays := e.x3(t, x3Orders, ref), e.x3(t, x3Invoices, ref), e.x3(t, x3Payments, ref)
	if len(bpcs) != 1 || len(sohs) != 1 || len(sihs) != 1 || len(pays) != 1 {
		t.Errorf("transaction %d: %d BPC, %d SOH, %d SIH, %d PAY; want one of each", id, len(bpcs), len(sohs), len(sihs), len(pays))
		return
	}
	p := pays[0]
	so, inv, cus := field(t, sohs[0], "SOHNUM"), field(t, sihs[0], "NUM"), field(t, bpcs[0], "BPCNUM")
	if !dec(t, p["AMTCUR"]).Equal(amount) || !dec(t, sihs[0]["AMTATI"]).Equal(amount) || p["STA"] == "Void" ||
		p["ACC"] != glmap.Defaults().PayTraceClearing || p["SOHNUM"] != so || p["VCRNUM"] != inv ||
		sihs[0]["BPCINV"] != cus || sihs[0]["SOHNUM"] != so || sohs[0]["BPCORD"] != cus {
		t.Errorf("transaction %d (%s): payment %v, invoice %v, order %v, customer %v", id, amount, p, sihs[0], sohs[0], cus)
	}
}

// requireOrderLines asserts that the sale's X3 order (SOH) has the level-3 lines: item, quantity
// and line amount, in order.
func (e *payTraceEnv) requireOrderLines(t *testing.T, id int64, want []paytrace.LineItem) {
	t.Helper()
	sohs := e.x3(t, x3Orders, activities.PayTraceRef(id))
	if len(sohs) != 1 {
		t.Errorf("transaction %d: %d sales orders", id, len(sohs))
		return
	}
	got, _ := sohs[0]["LINES"].([]any)
	if len(got) != len(want) {
		t.Errorf("transaction %d: order lines %v, want %d", id, got, len(want))
		return
	}
	for i, raw := range got {
		l, _ := raw.(map[string]any)
		if l["ITMREF"] != want[i].ProductID || !dec(t, l["QTY"]).Equal(want[i].Quantity) || !dec(t, l["NETPRI"]).Mul(want[i].Quantity).Equal(want[i].Amount) {
			t.Errorf("transaction %d line %d: %v, want %s × %s = %s", id, i, l, want[i].ProductID, want[i].Quantity, want[i].Amount)
		}
	}
}

// field is a record's non-empty string field (so that comparing two missing fields cannot pass).
func field(t *testing.T, rec map[string]any, key string) string {
	t.Helper()
	v, _ := rec[key].(string)
	if v == "" {
		t.Fatalf("record without %s: %v", key, rec)
	}
	return v
}

// runIDs lists the runs of a workflow ID.
func (e *payTraceEnv) runIDs(t *testing.T, id string) []string {
	t.Helper()
	resp, err := e.tc.ListWorkflow(context.Background(), &workflowservice.ListWorkflowExecutionsRequest{Query: fmt.Sprintf("WorkflowId = %q", id)})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, x := range resp.Executions {
		out = append(out, x.Execution.RunId)
	}
	return out
}

// attempts is, per activity type, the highest attempt any run of workflow id started (from the
// histories: an ActivityTaskStarted event records the attempt that completed or failed).
func (e *payTraceEnv) attempts(t *testing.T, id string) map[string]int32 {
	t.Helper()
	out := map[string]int32{}
	for _, run := range e.runIDs(t, id) {
		names := map[int64]string{}
		it := e.tc.GetWorkflowHistory(context.Background(), id, run, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		for it.HasNext() {
			ev, err := it.Next()
			if err != nil {
				t.Fatal(err)
			}
			if a := ev.GetActivityTaskScheduledEventAttributes(); a != nil {
				names[ev.GetEventId()] = a.GetActivityType().GetName()
			}
			if a := ev.GetActivityTaskStartedEventAttributes(); a != nil {
				if n := names[a.GetScheduledEventId()]; a.GetAttempt() > out[n] {
					out[n] = a.GetAttempt()
				}
			}
		}
	}
	return out
}

// scheduled counts the activities of a type that the runs of workflow id scheduled.
func (e *payTraceEnv) scheduled(t *testing.T, id, activityType string) int {
	t.Helper()
	n := 0
	for _, run := range e.runIDs(t, id) {
		it := e.tc.GetWorkflowHistory(context.Background(), id, run, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		for it.HasNext() {
			ev, err := it.Next()
			if err != nil {
				t.Fatal(err)
			}
			if a := ev.GetActivityTaskScheduledEventAttributes(); a != nil && a.GetActivityType().GetName() == activityType {
				n++
			}
		}
	}
	return n
}

// noTrouble fails on any parked, failed, terminated or timed-out run (the poll's included) and on
// a PayTrace run that completed neither Posted nor Skipped.
func (e *payTraceEnv) noTrouble(t *testing.T) {
	t.Helper()
	for _, q := range []string{
		`NeedsAttention = true`,
		`ExecutionStatus = "Failed" OR ExecutionStatus = "Terminated" OR ExecutionStatus = "TimedOut"`,
		`(WorkflowType = "PayTraceTransaction" OR WorkflowType = "PayTraceBatch") AND ExecutionStatus = "Completed" AND LedgerStatus != "Posted" AND LedgerStatus != "Skipped"`,
	} {
		if bad := e.list(t, q); len(bad) > 0 {
			t.Errorf("%s: %v", q, bad)
		}
	}
}

// waitIdle waits until no PayTrace transaction or batch run has been running for 3 s: the poll
// (every second) and the notifications have nothing left to hand over.
func (e *payTraceEnv) waitIdle(t *testing.T, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var quietSince time.Time
	for {
		open := e.list(t, `(WorkflowType = "PayTraceTransaction" OR WorkflowType = "PayTraceBatch") AND ExecutionStatus = "Running"`)
		switch {
		case len(open) > 0:
			quietSince = time.Time{}
		case quietSince.IsZero():
			quietSince = time.Now()
		case time.Since(quietSince) > 3*time.Second:
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("PayTrace runs still starting or running after %s: %v", timeout, open)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// pollCursor is the cursor the paytrace-poll schedule hands its next run.
func (e *payTraceEnv) pollCursor(t *testing.T) activities.PayTracePollCursor {
	t.Helper()
	var c activities.PayTracePollCursor
	d, err := e.tc.ScheduleClient().GetHandle(context.Background(), workflows.PayTracePollScheduleID).Describe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	act, ok := d.Schedule.Action.(*tclient.ScheduleWorkflowAction)
	if !ok || len(act.Args) != 1 {
		t.Fatalf("schedule action %+v", d.Schedule.Action)
	}
	p, ok := act.Args[0].(*commonpb.Payload)
	if !ok {
		t.Fatalf("schedule argument %T", act.Args[0])
	}
	if err := converter.GetDefaultDataConverter().FromPayload(p, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// 1. The worker is SIGKILLed while four sales are each held in the crash window of a different
// posting step (Sage has stored the document but not answered): the payment (PAY) of the
// first, the invoice (SIH) of the second, the sales order (SOH) of the third, the customer
// (BPC) of the fourth. Restarted (as devstack's supervisor does; the ephemeral test stack
// leaves that to the test), every step runs again once its attempt times out and finds what was
// stored by its reference: one BPC, SOH, SIH and PAY per transaction, stock allocated once.
func TestPayTraceWorkerKilledMidRun(t *testing.T) {
	e := newPayTraceEnv(t)
	widgets := e.allocated(t, "WIDGET")
	stages := []struct {
		doc, prefix, activity string
		stored                func(ref, email string) int
	}{
		{"PAY", x3Payments, "ApplyPayment", func(ref, _ string) int { return len(e.x3(t, x3Payments, ref)) }},
		{"SIH", x3Invoices, "PostInvoice", func(ref, _ string) int { return len(e.x3(t, x3Invoices, ref)) }},
		{"SOH", x3Orders, "PostSalesOrder", func(ref, _ string) int { return len(e.x3(t, x3Orders, ref)) }},
		{"BPC", x3Customers, "ResolveCustomer", func(_, email string) int { return len(e.customersByEmail(t, email)) }},
	}
	type sale struct {
		id     int64
		email  string
		amount decimal.Decimal
	}
	var sales []sale
	for i, s := range stages {
		// Sage stores the POST, then holds its answer longer than the worker waits (15 s).
		e.sageFaults(t, map[string]any{"response_delay_ms": 60000, "methods": []string{"POST"}, "path_prefix": s.prefix})
		email := fmt.Sprintf("kill-%d-%s@example.com", i, uniqueSuffix())
		id, amount := e.keyed(t, fmt.Sprintf("KILL-%d", i), email, line("WIDGET", 1, "19.99"), line("GADGET", 1, "49.50"))
		ref := activities.PayTraceRef(id)
		eventually(t, 20*time.Second, func() bool { return s.stored(ref, email) > 0 }, "the %s of transaction %d reaches Sage", s.doc, id)
		sales = append(sales, sale{id, email, amount})
	}
	for _, s := range sales {
		var st workflows.PayTraceTransactionStatus
		v, err := e.tc.QueryWorkflow(context.Background(), workflows.PayTraceTransactionID(s.id), "", workflows.QueryStatus)
		if err != nil || v.Get(&st) != nil || st.Status != workflows.StatusRunning {
			t.Fatalf("before the kill, transaction %d should be mid-run: %+v %v", s.id, st, err)
		}
	}
	killed := time.Now()
	if err := e.st.Kill("worker"); err != nil {
		t.Fatal(err)
	}
	e.sageFaults(t, nil)
	if err := e.st.Restart("worker"); err != nil {
		t.Fatal(err)
	}
	for i, s := range sales {
		if res := e.waitTx(t, s.id); res.Status != workflows.StatusPosted || res.PaymentID == "" {
			t.Fatalf("transaction %d: %+v", s.id, res)
		}
		e.requireOnePosting(t, s.id, s.email, s.amount)
		// The kill really cut the step: it ran again after the crash.
		if n := e.attempts(t, workflows.PayTraceTransactionID(s.id))[stages[i].activity]; n < 2 {
			t.Errorf("transaction %d: %s ran %d time(s); the kill should have cut its first attempt", s.id, stages[i].activity, n)
		}
	}
	t.Logf("all four posted %s after the kill", time.Since(killed).Round(100*time.Millisecond))
	if got := e.allocated(t, "WIDGET").Sub(widgets); !got.Equal(decimal.NewFromInt(int64(len(sales)))) {
		t.Errorf("WIDGET allocated +%s, want +%d (once per order)", got, len(sales))
	}
	e.noTrouble(t)
}

// 2. Access tokens live 3 s and, on top, every token is forced to expire every 400 ms while
// sales, a settlement, a refund and the batch are processed: the client re-authenticates inside
// the call (no Temporal retry of any PayTrace activity, nothing parked), and everything posts
// once.
func TestPayTraceTokenExpiresMidRun(t *testing.T) {
	t.Setenv("PAYTRACE_SANDBOX_TOKEN_TTL", "3s") // read by the PayTrace sandbox the stack starts
	e := newPayTraceEnv(t)
	ctx := context.Background()
	// The test's own client counts the 401s it gets, so the worker's are known.
	own := &statusCounter{next: http.DefaultTransport}
	e.pt = paytrace.New(paytrace.Config{BaseURL: e.st.PayTraceURL(), Username: devstack.PayTraceUser, Password: devstack.PayTracePassword,
		IntegratorID: devstack.PayTraceIntegratorID, HTTPClient: &http.Client{Transport: own, Timeout: 30 * time.Second}})
	// Sage answers slowly, so each run spans several forced expiries.
	e.sageFaults(t, map[string]any{"latency_ms": 150})
	stop, stopped := make(chan struct{}), make(chan struct{})
	expiries := 0
	go func() {
		defer close(stopped)
		// Every 400 ms: often enough that every run meets several, rarely enough that a loaded
		// machine still gets a fresh token used before the next tick (a token refused four times
		// in a row is a credential problem, and parks the run).
		tick := time.NewTicker(400 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				req, _ := http.NewRequest(http.MethodPut, e.st.PayTraceURL()+"/_sandbox/faults", bytes.NewReader([]byte(`{"expire_tokens":true}`)))
				req.SetBasicAuth(devstack.PayTraceUser, devstack.PayTracePassword)
				if resp, err := http.DefaultClient.Do(req); err == nil {
					if resp.StatusCode == http.StatusOK {
						expiries++
					}
					resp.Body.Close()
				}
			}
		}
	}()
	var once sync.Once
	stopExpiring := func() { once.Do(func() { close(stop); <-stopped }) }
	defer stopExpiring()

	type sale struct {
		id     int64
		email  string
		amount decimal.Decimal
	}
	var sales []sale
	for i, l := range [][]paytrace.LineItem{{line("WIDGET", 2, "19.99")}, {line("GADGET", 1, "49.50"), line("WIDGET", 1, "19.99")}, {line("GADGET", 2, "49.50")}} {
		email := fmt.Sprintf("token-%d-%s@example.com", i, uniqueSuffix())
		id, amount := e.keyed(t, fmt.Sprintf("TOK-%d", i), email, l...)
		sales = append(sales, sale{id, email, amount})
	}
	for _, s := range sales {
		if res := e.waitTx(t, s.id); res.Status != workflows.StatusPosted {
			t.Fatalf("transaction %d: %+v", s.id, res)
		}
	}
	var settled struct {
		Batch struct {
			BatchNumber int64 `json:"batch_number"`
		} `json:"batch"`
	}
	doJSONBasic(t, http.MethodPost, e.st.PayTraceURL()+"/_sandbox/settle", map[string]any{}, &settled)
	refund, err := e.pt.RefundTransaction(ctx, sales[0].id, decimal.RequireFromString("7.50"))
	if err != nil || !refund.Success {
		t.Fatalf("refund: %+v %v", refund, err)
	}
	if rr := e.waitTx(t, refund.TransactionID); rr.Status != workflows.StatusPosted || rr.CreditMemo == "" || rr.JournalEntry == "" {
		t.Fatalf("refund run %+v", rr)
	}
	var br workflows.PayTraceBatchResult
	waitDone(t, e.tc, workflows.PayTraceBatchID(settled.Batch.BatchNumber), &br, time.Minute)
	if br.Status != workflows.StatusPosted {
		t.Fatalf("batch %+v", br)
	}
	stopExpiring()

	for _, s := range sales {
		e.requireOnePosting(t, s.id, s.email, s.amount)
	}
	rref := activities.PayTraceRef(refund.TransactionID)
	if m, j := e.x3(t, x3Memos, rref), e.x3(t, x3Journals, rref); len(m) != 1 || len(j) != 1 {
		t.Errorf("refund %d: %d credit memos, %d journal entries", refund.TransactionID, len(m), len(j))
	}
	if n := len(e.x3(t, x3Journals, activities.PayTraceBatchRef(fmt.Sprint(settled.Batch.BatchNumber)))); n != 1 {
		t.Errorf("batch %d: %d entries", settled.Batch.BatchNumber, n)
	}
	// The expiries hit the worker's calls (401 invalid_token), and were absorbed in the call.
	st := e.ptStats(t)
	worker401 := st.Responses["401"] - own.count(http.StatusUnauthorized)
	if expiries < 8 || worker401 < 5 {
		t.Errorf("%d forced expiries, %d 401 answers to the worker: the test did not exercise re-authentication", expiries, worker401)
	}
	ids := []string{workflows.PayTraceTransactionID(refund.TransactionID), workflows.PayTraceBatchID(settled.Batch.BatchNumber)}
	for _, s := range sales {
		ids = append(ids, workflows.PayTraceTransactionID(s.id))
	}
	for _, id := range ids {
		for act, n := range e.attempts(t, id) {
			if strings.Contains(act, "PayTrace") && n != 1 {
				t.Errorf("%s: %s took %d attempts; re-authentication should be transparent", id, act, n)
			}
		}
	}
	t.Logf("%d forced expiries, %d 401 answers absorbed by the worker", expiries, worker401)
	e.noTrouble(t)
}

// 3. An 8 s outage of PayTrace's export API (the poll's and every run's re-fetch: 503 with
// Retry-After) while three sales are made, then a 6 s storm of 429s on the whole API while three
// more are, then a 4 s outage of the whole API (token endpoint included) with every token
// expired, just after one more sale: the sales made in the export outage are not posted during
// it, everything is posted after, each exactly once, and the poll's cursor catches up with the
// last change.
func TestPayTraceOutageAnd429Storm(t *testing.T) {
	e := newPayTraceEnv(t)
	// The real PayTrace has no notifications: the poll alone has to catch up.
	e.adminPT(t, "/_sandbox/notifications", map[string]any{"paused": true})
	type sale struct {
		id     int64
		email  string
		amount decimal.Decimal
	}
	var sales []sale
	sell := func(name string, i int, lines ...paytrace.LineItem) sale {
		email := fmt.Sprintf("%s-%d-%s@example.com", strings.ToLower(name), i, uniqueSuffix())
		id, amount := e.keyed(t, fmt.Sprintf("%s-%d", name, i), email, lines...)
		s := sale{id, email, amount}
		sales = append(sales, s)
		return s
	}
	first := sell("CALM", 0, line("WIDGET", 1, "19.99"))
	if res := e.waitTx(t, first.id); res.Status != workflows.StatusPosted {
		t.Fatalf("before the outage: %+v", res)
	}

	e.ptFaults(t, map[string]any{"outage_seconds": 8, "path_prefix": "/v1/transactions/export"})
	outageEnd := time.Now().Add(8 * time.Second)
	var inOutage []sale
	for i := 0; i < 3; i++ {
		inOutage = append(inOutage, sell("OUTAGE", i, line("GADGET", 1, "49.50"), line("WIDGET", int64(i+1), "19.99")))
	}
	time.Sleep(time.Until(outageEnd.Add(-2 * time.Second))) // polls and notifications keep trying
	for _, s := range inOutage {
		if n := len(e.x3(t, x3Payments, activities.PayTraceRef(s.id))); n != 0 {
			t.Fatalf("transaction %d was posted during the export outage (%d payments)", s.id, n)
		}
	}
	if st := e.ptStats(t); st.Faults["outage"] == 0 {
		t.Fatalf("nobody hit the outage: %+v", st.Faults)
	}
	time.Sleep(time.Until(outageEnd))

	e.ptFaults(t, map[string]any{"rate_limit_rate": 0.6, "retry_after_s": 1})
	stormEnd := time.Now().Add(6 * time.Second)
	for i := 0; i < 3; i++ {
		sell("STORM", i, line("WIDGET", 2, "19.99"), line("GADGET", int64(i+1), "49.50"))
	}
	time.Sleep(time.Until(stormEnd))
	e.ptFaults(t, nil)
	st := e.ptStats(t)
	if st.Faults["rate_limited"] < 5 || st.Responses["429"] < 5 {
		t.Fatalf("the storm hardly happened: faults %v, responses %v", st.Faults, st.Responses)
	}

	sell("DOWN", 0, line("GADGET", 2, "49.50"))
	outages := st.Faults["outage"]
	e.ptFaults(t, map[string]any{"outage_seconds": 4, "expire_tokens": true})
	time.Sleep(4 * time.Second)
	if st = e.ptStats(t); st.Faults["outage"] == outages {
		t.Fatalf("nobody hit the whole-API outage: %+v", st.Faults)
	}
	e.ptFaults(t, nil)

	for _, s := range sales {
		if res := e.waitTx(t, s.id); res.Status != workflows.StatusPosted {
			t.Fatalf("transaction %d: %+v", s.id, res)
		}
	}
	e.waitIdle(t, 30*time.Second)
	for _, s := range sales {
		e.requireOnePosting(t, s.id, s.email, s.amount)
	}
	if n := e.ptStats(t).storedSales(); n != len(sales) {
		t.Errorf("PayTrace holds %d sales, the test made %d", n, len(sales))
	}
	if n := len(e.sage(t, x3Payments, nil)); n != len(sales) {
		t.Errorf("%d X3 payments for %d sales", n, len(sales))
	}
	// The cursor caught up: the schedule's next poll starts at the last change PayTrace reports.
	var last time.Time
	for _, s := range sales {
		tx, err := e.pt.ExportTransaction(context.Background(), s.id)
		if err != nil {
			t.Fatal(err)
		}
		if tx.Updated.After(last) {
			last = tx.Updated
		}
	}
	eventually(t, 10*time.Second, func() bool { return !e.pollCursor(t).HighWater.Before(last) },
		"the poll cursor reaches the last change %s", last)
	e.noTrouble(t)
}

// 5. A scripted PayTrace month on Sage X3: keyed sales with level-3 lines, one sale by customer
// profile, a decline, a void before settlement, a first settlement, another sale, two partial
// refunds after settlement, a second settlement (the sandbox settles only up to today, so both
// batches carry today's date: two nightly closes in one test). A controller reading X3 finds one
// customer, order, invoice and payment per sale, one credit memo and one cash entry (GACC) per
// refund, one balanced entry per batch (the second closed while its refunds were still being
// posted: it waits for them), and the books tied out to PayTrace's batches: the bank
// account holds the net deposits, the fee account the batches' fees, PayTrace's clearing account
// nothing. Partial refunds ×2 after settlement are checked here down to the amounts.
func TestPayTraceMonthTiesOut(t *testing.T) {
	e := newPayTraceEnv(t)
	// As against the real PayTrace, which has no notifications, the poll finds everything.
	e.adminPT(t, "/_sandbox/notifications", map[string]any{"paused": true})
	ctx := context.Background()
	gl := glmap.Defaults()
	type sale struct {
		id     int64
		email  string
		amount decimal.Decimal
		lines  []paytrace.LineItem
	}
	var sales []sale // every sale that stays live
	sell := func(inv string, lines ...paytrace.LineItem) sale {
		email := fmt.Sprintf("month-%s-%s@example.com", strings.ToLower(inv), uniqueSuffix())
		id, amount := e.keyed(t, inv, email, lines...)
		return sale{id, email, amount, lines}
	}
	settle := func() (int64, []int64) {
		var res struct {
			Batch struct {
				BatchNumber int64 `json:"batch_number"`
			} `json:"batch"`
			TransactionIDs []int64 `json:"transaction_ids"`
		}
		doJSONBasic(t, http.MethodPost, e.st.PayTraceURL()+"/_sandbox/settle", map[string]any{}, &res)
		if res.Batch.BatchNumber == 0 {
			t.Fatal("nothing was settled")
		}
		return res.Batch.BatchNumber, res.TransactionIDs
	}

	// Until the first close.
	s1 := sell("M-1001", line("WIDGET", 2, "19.99"), line("GADGET", 1, "49.50"))
	s2 := sell("M-1002", line("GADGET", 3, "49.50"))
	s3 := sell("M-1003", line("WIDGET", 5, "19.99"), line("GADGET", 1, "49.50"))
	profile := "month-" + uniqueSuffix()
	profileEmail := profile + "@example.com"
	if r, err := e.pt.CreateCustomer(ctx, paytrace.NewCustomer{CustomerID: profile, Email: profileEmail,
		CreditCard:     &paytrace.CreditCard{Number: "5454545454545454", ExpirationMonth: 11, ExpirationYear: 2031},
		BillingAddress: &paytrace.Address{Name: "Dorothy Vaughan", StreetAddress: "3 Mercury Rd", City: "Hampton", State: "VA", Zip: "23669", Country: "US"}}); err != nil || !r.Success {
		t.Fatalf("customer profile: %+v %v", r, err)
	}
	s4lines := []paytrace.LineItem{line("WIDGET", 3, "19.99"), line("GADGET", 1, "49.50")}
	s4amount := s4lines[0].Amount.Add(s4lines[1].Amount)
	r4, err := e.pt.SaleByCustomer(ctx, paytrace.CustomerSale{CustomerID: profile, SaleDetails: paytrace.SaleDetails{Amount: s4amount,
		InvoiceNumber: "M-1004", Description: "Phone order M-1004", LineItems: s4lines}})
	if err != nil || !r4.Success {
		t.Fatalf("sale by customer: %+v %v", r4, err)
	}
	s4 := sale{r4.TransactionID, profileEmail, s4amount, s4lines}
	declined, err := e.pt.SaleKeyed(ctx, paytrace.KeyedSale{SaleDetails: paytrace.SaleDetails{Amount: decimal.RequireFromString("1.12"), InvoiceNumber: "M-1005"},
		CreditCard: paytrace.CreditCard{Number: testPAN, ExpirationMonth: 12, ExpirationYear: 2030}})
	if declined == nil || declined.Success || declined.TransactionID == 0 {
		t.Fatalf("1.12 should be declined with a transaction: %+v %v", declined, err)
	}
	s5 := sell("M-1006", line("GADGET", 1, "49.50"))
	sales = append(sales, s1, s2, s3, s4)
	for _, s := range append(sales, s5) {
		if res := e.waitTx(t, s.id); res.Status != workflows.StatusPosted {
			t.Fatalf("transaction %d: %+v", s.id, res)
		}
	}
	if res := e.waitTx(t, declined.TransactionID); res.Status != workflows.StatusSkipped {
		t.Fatalf("decline: %+v", res)
	}
	if _, err := e.pt.Void(ctx, s5.id); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, func() bool {
		p := e.x3(t, x3Payments, activities.PayTraceRef(s5.id))
		return len(p) == 1 && p[0]["STA"] == "Void"
	}, "the voided sale's payment is voided")
	batch1, settled1 := settle()

	// Until the second close: a sale, then two partial refunds of the first sale, closed at once
	// while their credit memos are still on their way (Sage takes 4 s to answer each): the
	// batch finds the refunds not yet posted, waits for them, then posts.
	s6 := sell("M-2001", line("WIDGET", 3, "19.99"))
	sales = append(sales, s6)
	if res := e.waitTx(t, s6.id); res.Status != workflows.StatusPosted {
		t.Fatalf("transaction %d: %+v", s6.id, res)
	}
	e.sageFaults(t, map[string]any{"latency_ms": 4000, "methods": []string{"POST"}, "path_prefix": x3Memos})
	refunds := map[int64]decimal.Decimal{}
	for _, amt := range []string{"10.00", "5.25"} {
		r, err := e.pt.RefundTransaction(ctx, s1.id, decimal.RequireFromString(amt))
		if err != nil || !r.Success {
			t.Fatalf("refund %s: %+v %v", amt, r, err)
		}
		refunds[r.TransactionID] = decimal.RequireFromString(amt)
	}
	batch2, settled2 := settle()
	for id := range refunds {
		if rr := e.waitTx(t, id); rr.Status != workflows.StatusPosted || rr.CreditMemo == "" || rr.JournalEntry == "" {
			t.Fatalf("refund run %+v", rr)
		}
	}
	e.sageFaults(t, nil)
	for _, b := range []int64{batch1, batch2} {
		var br workflows.PayTraceBatchResult
		waitDone(t, e.tc, workflows.PayTraceBatchID(b), &br, time.Minute)
		if br.Status != workflows.StatusPosted {
			t.Fatalf("batch %d: %+v", b, br)
		}
	}
	if n := e.scheduled(t, workflows.PayTraceBatchID(batch2), "CheckPayTraceBatch"); n < 2 {
		t.Errorf("batch %d was checked %d time(s): it should have found the refunds missing first and waited", batch2, n)
	}
	e.waitIdle(t, 30*time.Second)

	// What settled where: the first close took the live sales so far, the second the last sale
	// and the refunds.
	ids := func(ss ...sale) []int64 {
		var out []int64
		for _, s := range ss {
			out = append(out, s.id)
		}
		return out
	}
	want2 := ids(s6)
	for id := range refunds {
		want2 = append(want2, id)
	}
	for _, c := range []struct {
		got, want []int64
	}{{settled1, ids(s1, s2, s3, s4)}, {settled2, want2}} {
		sort.Slice(c.got, func(i, j int) bool { return c.got[i] < c.got[j] })
		sort.Slice(c.want, func(i, j int) bool { return c.want[i] < c.want[j] })
		if fmt.Sprint(c.got) != fmt.Sprint(c.want) {
			t.Fatalf("settled %v, want %v", c.got, c.want)
		}
	}

	// One of each per live sale, the order line for line as the level-3 data; the decline posted
	// nothing; the void left only void documents.
	for _, s := range sales {
		e.requireOnePosting(t, s.id, s.email, s.amount)
		e.requireOrderLines(t, s.id, s.lines)
	}
	if n := len(e.sage(t, x3Journals, nil)); n != 4 {
		t.Errorf("%d journal entries in X3, want 4 (two refunds, two batches)", n)
	}
	for _, path := range []string{x3Orders, x3Invoices, x3Payments} {
		if n := len(e.x3(t, path, activities.PayTraceRef(declined.TransactionID))); n != 0 {
			t.Errorf("the decline has %d records in %s", n, path)
		}
	}
	if p := e.x3(t, x3Payments, activities.PayTraceRef(s5.id)); len(p) != 1 || p[0]["STA"] != "Void" {
		t.Errorf("voided sale's payments: %v", p)
	}
	// The profile's sale is on the profile's customer, linked to the PayTrace profile.
	if c := e.customersByEmail(t, profileEmail); len(c) != 1 || c[0]["ZEXTREF"] != "paytrace-cus-"+profile {
		t.Errorf("profile customer: %v", c)
	}
	// Each partial refund: one credit memo on the sale's invoice for its amount, one cash entry.
	inv := e.x3(t, x3Invoices, activities.PayTraceRef(s1.id))[0]
	for id, amt := range refunds {
		ref := activities.PayTraceRef(id)
		memos, jes := e.x3(t, x3Memos, ref), e.x3(t, x3Journals, ref)
		if len(memos) != 1 || len(jes) != 1 {
			t.Errorf("refund %d: %d credit memos, %d journal entries; want one each", id, len(memos), len(jes))
			continue
		}
		if !dec(t, memos[0]["AMTATI"]).Equal(amt) || memos[0]["SIHORINUM"] != field(t, inv, "NUM") {
			t.Errorf("refund %d of %s: credit memo %v on invoice %v", id, amt, memos[0], inv["NUM"])
		}
		if l := e.entryLines(t, jes[0]); !l.balance().IsZero() || !l[gl.PayTraceClearing].Equal(amt.Neg()) {
			t.Errorf("refund %d of %s: cash entry %v", id, amt, jes[0])
		}
	}
	if n := len(e.sage(t, x3Memos, nil)); n != len(refunds) {
		t.Errorf("%d credit memos in X3, %d refunds", n, len(refunds))
	}

	// Each batch: one balanced entry equal to PayTrace's batch, whose fees are the price list's.
	batches, err := e.pt.Batches(ctx, time.Now().Add(-48*time.Hour), time.Now().Add(24*time.Hour))
	if err != nil || len(batches) != 2 {
		t.Fatalf("batches %+v %v", batches, err)
	}
	net, fees := decimal.Zero, decimal.Zero
	fee := func(amounts ...decimal.Decimal) decimal.Decimal {
		f := decimal.Zero
		for _, a := range amounts {
			f = f.Add(a.Mul(decimal.RequireFromString("0.029")).Add(decimal.RequireFromString("0.30")).Round(2))
		}
		return f
	}
	wantFees := map[string]decimal.Decimal{fmt.Sprint(batch1): fee(s1.amount, s2.amount, s3.amount, s4.amount), fmt.Sprint(batch2): fee(s6.amount)}
	for _, b := range batches {
		jes := e.x3(t, x3Journals, activities.PayTraceBatchRef(b.Number))
		if len(jes) != 1 {
			t.Fatalf("batch %s: %d journal entries", b.Number, len(jes))
		}
		l := e.entryLines(t, jes[0])
		if !l.balance().IsZero() || !l[gl.Bank].Equal(b.NetAmount) || !l[gl.Fees].Equal(b.FeeAmount) ||
			!l[gl.PayTraceClearing].Equal(b.RefundAmount.Sub(b.SalesAmount)) {
			t.Errorf("batch %s (sales %s, refunds %s, fees %s, net %s): entry %v", b.Number, b.SalesAmount, b.RefundAmount, b.FeeAmount, b.NetAmount, jes[0])
		}
		if w := wantFees[b.Number]; !b.FeeAmount.Equal(w) {
			t.Errorf("batch %s: fees %s, the price list gives %s", b.Number, b.FeeAmount, w)
		}
		net, fees = net.Add(b.NetAmount), fees.Add(b.FeeAmount)
	}
	liveSales, refunded := decimal.Zero, decimal.Zero
	for _, s := range sales {
		liveSales = liveSales.Add(s.amount)
	}
	for _, a := range refunds {
		refunded = refunded.Add(a)
	}
	if want := liveSales.Sub(refunded).Sub(fees); !net.Equal(want) {
		t.Errorf("net deposits %s, want sales %s − refunds %s − fees %s = %s", net, liveSales, refunded, fees, want)
	}

	// The books, as a controller totals them: live payments on their deposit account, journal
	// lines on theirs.
	books := e.x3Books(t)
	if got := books[gl.Bank]; !got.Equal(net) {
		t.Errorf("bank %s %s, net deposits %s", gl.Bank, got, net)
	}
	if got := books[gl.Fees]; !got.Equal(fees) {
		t.Errorf("fees %s %s, batch fees %s", gl.Fees, got, fees)
	}
	if got := books[gl.PayTraceClearing]; !got.IsZero() {
		t.Errorf("PayTrace clearing %s holds %s after the batches, want 0", gl.PayTraceClearing, got)
	}
	t.Logf("books: %v", books)
	e.noTrouble(t)
}

// lines is an entry's or the books' balance per account (debit positive).
type lines map[string]decimal.Decimal

func (l lines) balance() decimal.Decimal {
	s := decimal.Zero
	for _, v := range l {
		s = s.Add(v)
	}
	return s
}

// entryLines sums an X3 journal entry (GAS) per account: AMTCUR × SNS (1 debit, −1 credit).
func (e *payTraceEnv) entryLines(t *testing.T, je map[string]any) lines {
	t.Helper()
	out := lines{}
	raw, _ := je["LINES"].([]any)
	for _, r := range raw {
		l := r.(map[string]any)
		acc := fmt.Sprint(l["ACC"])
		out[acc] = out[acc].Add(dec(t, l["AMTCUR"]).Mul(dec(t, l["SNS"])))
	}
	return out
}

// x3Books totals the X3 ledger per account: every live payment (PAY) debits its deposit account
// (ACC), every journal entry's lines their accounts.
func (e *payTraceEnv) x3Books(t *testing.T) lines {
	t.Helper()
	out := lines{}
	for _, p := range e.sage(t, x3Payments, nil) {
		if p["STA"] != "Void" {
			acc := fmt.Sprint(p["ACC"])
			out[acc] = out[acc].Add(dec(t, p["AMTCUR"]))
		}
	}
	for _, je := range e.sage(t, x3Journals, nil) {
		for acc, v := range e.entryLines(t, je) {
			out[acc] = out[acc].Add(v)
		}
	}
	return out
}

// statusCounter counts the HTTP statuses a client got.
type statusCounter struct {
	next http.RoundTripper
	mu   sync.Mutex
	n    map[int]int
}

func (c *statusCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := c.next.RoundTrip(r)
	if err == nil {
		c.mu.Lock()
		if c.n == nil {
			c.n = map[int]int{}
		}
		c.n[resp.StatusCode]++
		c.mu.Unlock()
	}
	return resp, err
}

func (c *statusCounter) count(status int) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[status]
}
