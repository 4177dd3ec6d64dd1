package tests

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ledgerbridge/ledgerbridge/activities"
	"github.com/ledgerbridge/ledgerbridge/internal/devstack"
	"github.com/ledgerbridge/ledgerbridge/internal/erp"
	"github.com/ledgerbridge/ledgerbridge/internal/paytrace"
	"github.com/ledgerbridge/ledgerbridge/workflows"
)

// payTraceEnv is a stack on Sage X3 (seed 002) polling its PayTrace sandbox every second.
type payTraceEnv struct {
	*monthEnv
	pt   *paytrace.Client
	conn erp.Connector
}

func newPayTraceEnv(t *testing.T) *payTraceEnv {
	t.Helper()
	e := newMonthEnv(t, "ERP=sagex3", "LEDGERBRIDGE_PAYTRACE_POLL_INTERVAL=1s")
	pt := paytrace.New(paytrace.Config{BaseURL: e.st.PayTraceURL(), Username: devstack.PayTraceUser, Password: devstack.PayTracePassword,
		IntegratorID: devstack.PayTraceIntegratorID})
	return &payTraceEnv{monthEnv: e, pt: pt, conn: e.connector(t, "sagex3")}
}

const testPAN = "4111111111111111"

// sale makes a keyed PayTrace sale with level-3 lines, as a shop's checkout would.
func (e *payTraceEnv) sale(t *testing.T, invoice string, lines ...paytrace.LineItem) int64 {
	t.Helper()
	total := decimal.Zero
	for _, l := range lines {
		total = total.Add(l.Amount)
	}
	res, err := e.pt.SaleKeyed(context.Background(), paytrace.KeyedSale{
		SaleDetails: paytrace.SaleDetails{Amount: total, InvoiceNumber: invoice, Description: "Web order " + invoice,
			Email: "pt-" + uniqueSuffix() + "@example.com", LineItems: lines},
		CreditCard: paytrace.CreditCard{Number: testPAN, ExpirationMonth: 12, ExpirationYear: 2030}, CSC: "999",
		BillingAddress: &paytrace.Address{Name: "Mary Jackson", StreetAddress: "4 Langley Way", City: "Hampton", State: "va",
			Zip: "23666", Country: "US"}})
	if err != nil || !res.Success {
		t.Fatalf("sale %s: %+v %v", invoice, res, err)
	}
	return res.TransactionID
}

func (e *payTraceEnv) waitTx(t *testing.T, id int64) workflows.PayTraceTransactionResult {
	t.Helper()
	var res workflows.PayTraceTransactionResult
	waitDone(t, e.tc, workflows.PayTraceTransactionID(id), &res, 2*time.Minute)
	return res
}

func line(product string, qty int64, unit string) paytrace.LineItem {
	u := decimal.RequireFromString(unit)
	return paytrace.LineItem{ProductID: product, Description: product, Quantity: decimal.NewFromInt(qty), UnitCost: u, Amount: u.Mul(decimal.NewFromInt(qty))}
}

// A PayTrace sale, learned of by the poll (and, through the notification extension, twice more),
// becomes one X3 customer (BPC), one sales order with its lines, one invoice and one payment with
// PAYTYP from the card type, REFLOT the PayTrace invoice number, linked to the order and the
// transaction; a decline posts nothing; refunds after settlement are credit memos and cash
// entries; a void before settlement posts nothing; the settled batch is one balanced entry equal
// to the deposit; and the card number is found nowhere.
func TestPayTraceToSageX3(t *testing.T) {
	e := newPayTraceEnv(t)
	ctx := context.Background()
	widgets := e.allocated(t, "WIDGET")
	id := e.sale(t, "WEB-1001", line("WIDGET", 2, "19.99"), line("GADGET", 1, "49.50"))
	res := e.waitTx(t, id)
	if res.Status != workflows.StatusPosted || res.SalesOrder == "" || res.InvoiceNumber == "" || res.PaymentID == "" {
		t.Fatalf("run %+v", res)
	}
	ref := activities.PayTraceRef(id)
	so, _ := e.conn.FindDocument(ctx, erp.KindSalesOrder, ref)
	inv, _ := e.conn.FindDocument(ctx, erp.KindInvoice, ref)
	if so == nil || len(so.Lines) != 2 || so.Lines[0].ItemID != "WIDGET" || !so.Lines[0].Quantity.Equal(decimal.NewFromInt(2)) || !inv.Total.Equal(decimal.RequireFromString("89.48")) {
		t.Fatalf("sales order %+v / invoice %+v", so, inv)
	}
	pays := e.count(t, "/api/v1/financials/payments", ref)
	if len(pays) != 1 || pays[0]["PAYTYP"] != "CB" || pays[0]["REFLOT"] != "WEB-1001" || pays[0]["SOHNUM"] != so.Number || pays[0]["VCRNUM"] != inv.Number || pays[0]["ACC"] != "1016-00" {
		t.Fatalf("payment %v", pays)
	}
	if c, err := e.conn.GetCustomer(ctx, inv.CustomerID); err != nil || c == nil || c.Name != "Mary Jackson" || c.Address.State != "VA" {
		t.Fatalf("BPC %s of the sale: %+v %v", inv.CustomerID, c, err)
	}

	// The notification extension delivers the same transaction again: nothing more is posted.
	e.adminPT(t, "/_sandbox/notifications", map[string]any{"duplicates": 2})
	id2 := e.sale(t, "WEB-1002", line("WIDGET", 1, "19.99"))
	e.waitTx(t, id2)
	time.Sleep(3 * time.Second) // several polls and the notifications come and go
	for _, r := range []string{ref, activities.PayTraceRef(id2)} {
		if n := len(e.count(t, "/api/v1/sales/salesOrders", r)); n != 1 {
			t.Errorf("%d sales orders for %s", n, r)
		}
		if n := len(e.count(t, "/api/v1/financials/payments", r)); n != 1 {
			t.Errorf("%d payments for %s", n, r)
		}
	}

	// Stock (STO) allocated once per order, whatever the duplicates: 2 + 1 widgets.
	if got := e.allocated(t, "WIDGET"); !got.Sub(widgets).Equal(decimal.NewFromInt(3)) {
		t.Errorf("WIDGET allocated %s → %s, want +3", widgets, got)
	}

	// A decline posts nothing.
	declined, err := e.pt.SaleKeyed(ctx, paytrace.KeyedSale{SaleDetails: paytrace.SaleDetails{Amount: decimal.RequireFromString("1.12"), InvoiceNumber: "WEB-1003"},
		CreditCard: paytrace.CreditCard{Number: testPAN, ExpirationMonth: 12, ExpirationYear: 2030}})
	if err == nil && declined.Success {
		t.Fatal("1.12 was not declined")
	}
	if declined != nil && declined.TransactionID > 0 {
		if r := e.waitTx(t, declined.TransactionID); r.Status != workflows.StatusSkipped {
			t.Errorf("declined: %+v", r)
		}
		if n := len(e.count(t, "/api/v1/sales/salesOrders", activities.PayTraceRef(declined.TransactionID))); n != 0 {
			t.Errorf("a decline was posted")
		}
	}

	// A sale voided before settlement: nothing remains posted.
	id3 := e.sale(t, "WEB-1004", line("GADGET", 1, "49.50"))
	e.waitTx(t, id3)
	if _, err := e.pt.Void(ctx, id3); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(time.Minute)
	for {
		p, _ := e.conn.FindPayment(ctx, activities.PayTraceRef(id3))
		if p != nil && erp.Dead(p.Status) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the voided sale's payment is %+v", p)
		}
		time.Sleep(300 * time.Millisecond)
	}

	// Settle the day; refund the first sale twice; the batch posts once, equal to the deposit.
	var settled struct {
		BatchNumber any `json:"batch_number"`
	}
	doJSONBasic(t, http.MethodPost, e.st.PayTraceURL()+"/_sandbox/settle", map[string]any{}, &settled)
	for _, amt := range []string{"10.00", "5.00"} {
		r, err := e.pt.RefundTransaction(ctx, id, decimal.RequireFromString(amt))
		if err != nil || !r.Success {
			t.Fatalf("refund: %+v %v", r, err)
		}
		rr := e.waitTx(t, r.TransactionID)
		if rr.Status != workflows.StatusPosted || rr.CreditMemo == "" || rr.JournalEntry == "" {
			t.Fatalf("refund run %+v", rr)
		}
	}
	batches, err := e.pt.Batches(ctx, time.Now().Add(-48*time.Hour), time.Now().Add(24*time.Hour))
	if err != nil || len(batches) != 1 {
		t.Fatalf("batches %v %v", batches, err)
	}
	var br workflows.PayTraceBatchResult
	waitDone(t, e.tc, workflows.PayTraceBatchID(batchNumber(batches[0].Number)), &br, 2*time.Minute)
	je, _ := e.conn.FindJournalEntry(ctx, activities.PayTraceBatchRef(batches[0].Number))
	if br.Status != workflows.StatusPosted || je == nil {
		t.Fatalf("batch %+v, entry %+v", br, je)
	}
	dr, cr, bank := decimal.Zero, decimal.Zero, decimal.Zero
	for _, l := range je.Lines {
		dr, cr = dr.Add(l.Debit), cr.Add(l.Credit)
		if l.Account == "1010-00" {
			bank = bank.Add(l.Debit)
		}
	}
	if !dr.Equal(cr) || !bank.Equal(batches[0].NetAmount) {
		t.Fatalf("batch entry %+v: bank %s, deposit %s", je, bank, batches[0].NetAmount)
	}

	// The card number is nowhere ledgerbridge writes: histories, logs, the X3 store.
	pan := regexp.MustCompile(`4111[ -]?1111[ -]?1111[ -]?1111`)
	for _, wf := range []string{workflows.PayTraceTransactionID(id), workflows.PayTraceTransactionID(id3)} {
		if m := pan.FindString(rawHistoryTextOn(t, e, wf)); m != "" {
			t.Errorf("history of %s holds the card number", wf)
		}
	}
	files, _ := filepath.Glob(filepath.Join(e.st.Opts.DataDir, "logs", "*.log"))
	stores, _ := filepath.Glob(filepath.Join(e.st.Opts.DataDir, "sage-sandbox.db*"))
	for _, f := range append(files, stores...) {
		b, _ := os.ReadFile(f)
		if pan.Match(b) {
			t.Errorf("%s holds the card number", filepath.Base(f))
		}
	}
}

func batchNumber(s string) int64 {
	var n int64
	for _, c := range s {
		n = n*10 + int64(c-'0')
	}
	return n
}

func (e *payTraceEnv) adminPT(t *testing.T, path string, body any) {
	t.Helper()
	doJSONBasic(t, http.MethodPost, e.st.PayTraceURL()+path, body, nil)
}

// doJSONBasic calls a PayTrace sandbox admin endpoint (HTTP Basic with the sandbox login).
func doJSONBasic(t *testing.T, method, u string, in, out any) {
	t.Helper()
	var body bytes.Buffer
	if in != nil {
		_ = jsonEncode(&body, in)
	}
	req, _ := http.NewRequest(method, u, &body)
	req.SetBasicAuth(devstack.PayTraceUser, devstack.PayTracePassword)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		t.Fatalf("%s %s: %s", method, u, resp.Status)
	}
	if out != nil {
		_ = jsonDecode(resp.Body, out)
	}
}

// rawHistoryTextOn is rawHistoryText for another stack's client (unencrypted: monthEnv stacks).
func rawHistoryTextOn(t *testing.T, e *payTraceEnv, id string) string {
	t.Helper()
	var b strings.Builder
	it := e.tc.GetWorkflowHistory(context.Background(), id, "", false, 0)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString(ev.String())
		for _, p := range payloadsOf(ev) {
			b.Write(p.GetData())
		}
	}
	return b.String()
}

// allocated is the X3 allocated stock (ALASTO) of item on the default site.
func (e *payTraceEnv) allocated(t *testing.T, item string) decimal.Decimal {
	t.Helper()
	var l struct {
		Value []struct {
			ALASTO decimal.Decimal
		} `json:"value"`
	}
	doJSON(t, http.MethodGet, e.st.SageURL()+"/api/v1/inventory/stock/"+item+"?facility=US011", devstack.SageKey, nil, &l)
	if len(l.Value) != 1 {
		t.Fatalf("stock of %s: %+v", item, l)
	}
	return l.Value[0].ALASTO
}
