package tests

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v76"

	"github.com/ledgerbridge/ledgerbridge/internal/devstack"
	"github.com/ledgerbridge/ledgerbridge/internal/report"
	"github.com/ledgerbridge/ledgerbridge/workflows"
)

// alertSink is a real HTTP receiver for LEDGERBRIDGE_ALERT_WEBHOOK_URL.
type alertSink struct {
	srv *httptest.Server
	mu  sync.Mutex
	got []map[string]string
}

func newAlertSink(t *testing.T) *alertSink {
	s := &alertSink{}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m map[string]string
		b, _ := io.ReadAll(r.Body)
		if json.Unmarshal(b, &m) == nil {
			s.mu.Lock()
			s.got = append(s.got, m)
			s.mu.Unlock()
		}
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *alertSink) kinds() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, m := range s.got {
		out = append(out, m["kind"]+" "+m["workflowId"])
	}
	return out
}

// Webhooks Stripe gave up on (charges, a refund, a payout) are found by the scheduled
// reconciliation and healed, each posted exactly once, and a second pass changes nothing; an
// invoice duplicated by hand and an orphan invoice are reported, alerted and left alone; the
// report is served by the gateway.
func TestReconciliationHealsWhatWebhooksLost(t *testing.T) {
	sink := newAlertSink(t)
	e := newMonthEnv(t, "LEDGERBRIDGE_ALERT_WEBHOOK_URL="+sink.srv.URL)
	base := e.pay(t, 5000, "usd", "pm_card_visa")
	var res workflows.OrderToCashResult
	waitDone(t, e.tc, workflows.OrderToCashID(base), &res, time.Minute)

	// The same customer charged the same amount three times in a minute: an anomaly flag.
	rep, err := e.sc.Customers.New(&stripe.CustomerParams{Email: stripe.String("repeat-" + uniqueSuffix() + "@example.com")})
	if err != nil {
		t.Fatal(err)
	}
	var repeated, firstRepeat string
	for i := 0; i < 3; i++ {
		pi, err := e.sc.PaymentIntents.New(&stripe.PaymentIntentParams{Amount: stripe.Int64(999), Currency: stripe.String("usd"),
			Customer: stripe.String(rep.ID), PaymentMethod: stripe.String("pm_card_visa"), Confirm: stripe.Bool(true)})
		if err != nil {
			t.Fatal(err)
		}
		repeated = pi.LatestCharge.ID
		if i == 0 {
			firstRepeat = repeated
		}
		waitDone(t, e.tc, workflows.OrderToCashID(repeated), &res, time.Minute)
	}
	// The third is flagged on its own run as it posts (posted all the same), and found by the
	// Anomaly search attribute; the first is not.
	if res.Status != workflows.StatusPosted || !slices.Contains(res.Anomalies, "repeated-charge") {
		t.Fatalf("the third repeated charge's run: %+v", res)
	}
	eventually(t, 10*time.Second, func() bool {
		flaggedRuns := strings.Join(e.list(t, `Anomaly = "repeated-charge"`), "\n")
		return strings.Contains(flaggedRuns, workflows.OrderToCashID(repeated)) && !strings.Contains(flaggedRuns, workflows.OrderToCashID(firstRepeat))
	}, "the run of %s (only) found by Anomaly = \"repeated-charge\"", repeated)

	// Stripe cannot reach us: these events are queued, then given up.
	e.admin(t, "/_sandbox/delivery", map[string]any{"paused": true}, nil)
	lost := []string{e.pay(t, 1234, "usd", "pm_card_visa"), e.pay(t, 4321, "usd", "pm_card_mastercard")}
	lostRefund := e.refund(t, base, 1000)
	var sweep struct {
		Data []*stripe.Payout `json:"data"`
	}
	e.admin(t, "/_sandbox/payouts/sweep", map[string]any{"currency": "usd", "all_pending": true}, &sweep)
	if len(sweep.Data) != 1 {
		t.Fatalf("sweep made %d payouts", len(sweep.Data))
	}
	lostPayout := sweep.Data[0].ID
	e.admin(t, "/_sandbox/delivery", map[string]any{"drop_pending": true, "paused": false}, nil)

	// By hand in the ERP: a second invoice for the base charge, and an invoice for no charge.
	inv := e.sage(t, e.books.invoices, byRef(base))[0]
	dup := map[string]any{"CustomerID": inv["CustomerID"], "InvoiceDate": inv["InvoiceDate"], "CurrID": "USD", "ExternalRef": base,
		"Lines": []map[string]any{{"ItemID": "STRIPE-SALE", "Qty": 1, "UnitPrice": 50}}}
	doJSON(t, http.MethodPost, e.st.SageURL()+"/Sage500API/Invoices", devstack.SageKey, dup, nil)
	orphan := map[string]any{"CustomerID": inv["CustomerID"], "InvoiceDate": inv["InvoiceDate"], "CurrID": "USD", "ExternalRef": "ch_NoSuchCharge000000000000",
		"Lines": []map[string]any{{"ItemID": "STRIPE-SALE", "Qty": 1, "UnitPrice": 7}}}
	var orphanInv map[string]any
	doJSON(t, http.MethodPost, e.st.SageURL()+"/Sage500API/Invoices", devstack.SageKey, orphan, &orphanInv)

	reconcile := func() workflows.ReconcileResult {
		var r workflows.ReconcileResult
		e.triggerSchedule(t, workflows.ReconcileScheduleID("stripe"), workflows.ReconcileWorkflowName, &r)
		return r
	}
	time.Sleep(1100 * time.Millisecond) // the window ends at the run's start, to the second: be inside it
	first := reconcile()
	if first.Healed != 4 || first.Classes[report.ClassDuplicate] != 1 || first.Classes[report.ClassOrphan] != 1 {
		t.Fatalf("first reconciliation %+v: want 4 healed (2 charges, a refund, a payout), 1 duplicate, 1 orphan", first)
	}
	e.waitQuiet(t, 2*time.Minute)
	for _, ch := range lost {
		if n, p := len(e.sage(t, e.books.invoices, byRef(ch))), len(e.sage(t, e.books.payments, byRef(ch))); n != 1 || p != 1 {
			t.Errorf("healed charge %s: %d invoices, %d payments", ch, n, p)
		}
	}
	if n := len(e.sage(t, e.books.creditMemos, byRef(lostRefund))); n != 1 {
		t.Errorf("healed refund %s: %d credit memos", lostRefund, n)
	}
	if n := len(e.sage(t, e.books.journals, byRef(lostPayout))); n != 1 {
		t.Errorf("healed payout %s: %d journal entries", lostPayout, n)
	}

	// Again: nothing left to heal; the duplicate and the orphan are still there, still reported.
	second := reconcile()
	if second.Healed != 0 || second.Classes[report.ClassDuplicate] != 1 || second.Classes[report.ClassOrphan] != 1 ||
		second.Classes[report.ClassMissing]+second.Classes[report.ClassHealed] != 0 {
		t.Fatalf("second reconciliation %+v", second)
	}
	if n := len(e.sage(t, e.books.invoices, byRef(base))); n != 2 {
		t.Errorf("the duplicate was touched: %d invoices for %s", n, base)
	}
	if n := len(e.sage(t, e.books.invoices, byRef("ch_NoSuchCharge000000000000"))); n != 1 {
		t.Errorf("the orphan was touched: %d", n)
	}

	// Alerted, with no data in the payload.
	eventually(t, 10*time.Second, func() bool { return strings.Contains(strings.Join(sink.kinds(), "\n"), "ReconciliationDiscrepancies") },
		"a reconciliation alert (got %v)", sink.kinds())

	// The report: listed and served by the gateway, with the discrepancies.
	var list []report.Summary
	adminGet(t, e.st.GatewayInternalURL()+"/admin/reports?format=json", &list)
	if len(list) < 2 || list[0].ID != second.ReportID || list[0].Discrepancies != second.Discrepancies {
		t.Fatalf("report list %+v, want newest %s", list, second.ReportID)
	}
	var rep2 report.Report
	adminGet(t, e.st.GatewayInternalURL()+"/admin/reports/"+second.ReportID+".json", &rep2)
	classes := map[string]string{}
	for _, it := range rep2.Items {
		classes[it.Object] = it.Class
	}
	if classes[base] != report.ClassDuplicate || classes[fmt.Sprint(orphanInv["InvoiceNo"])] != report.ClassOrphan {
		t.Fatalf("report items %+v", rep2.Items)
	}
	flagged := false
	for _, a := range rep2.Anomalies {
		// Charges created within the same second have no order: the flag names the group.
		flagged = flagged || (a.Rule == "repeated-charge" && strings.Contains(a.Detail, repeated) && a.WorkflowID == workflows.OrderToCashID(a.Object))
	}
	if !flagged {
		t.Errorf("no repeated-charge flag on %s: %+v", repeated, rep2.Anomalies)
	}
	req, _ := http.NewRequest(http.MethodGet, e.st.GatewayInternalURL()+"/admin/reports/"+second.ReportID, nil)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("report without the admin token: %v %v", resp, err)
	}
}

func adminGet(t *testing.T, u string, out any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	req.Header.Set("Authorization", "Bearer "+devstack.AdminToken)
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %s %s", u, resp.Status, b)
	}
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatalf("GET %s: %v: %s", u, err, b)
	}
}
