package erptest

import (
	"testing"

	"github.com/ledgerbridge/ledgerbridge/internal/erp"
)

func testPayments(t *testing.T, c erp.Connector) {
	ctx := ctxT(t)
	cust := newCustomer(t, c, "USD")
	inv := invoiceFor(t, c, cust, "100.00")
	pay := func(amount, extRef string) (*erp.Payment, error) {
		return c.ApplyPayment(ctx, mapped(c, erp.Payment{CustomerID: cust.ID, InvoiceNumber: inv.Number, Date: testDate,
			Currency: "USD", Amount: dec(amount), Method: "Stripe", ExternalRef: extRef}))
	}
	balance := func(want, status string) {
		t.Helper()
		d := must(c.FindDocument(ctx, erp.KindInvoice, inv.ExternalRef))
		eqDec(t, "invoice balance", d.Balance, want)
		if d.Status != status {
			t.Errorf("invoice status = %q, want %q", d.Status, status)
		}
	}

	p1 := must(pay("40.00", ref("ch")))
	if p1.ID == "" || p1.InvoiceNumber != inv.Number || p1.CustomerID != cust.ID || p1.Method != "Stripe" {
		t.Fatalf("payment = %+v", p1)
	}
	eqDec(t, "payment amount", p1.Amount, "40.00")
	balance("60.00", "Open")
	if got := must(c.FindPayment(ctx, p1.ExternalRef)); got == nil || got.ID != p1.ID {
		t.Errorf("FindPayment = %+v", got)
	}
	if got := must(c.FindPayment(ctx, ref("ch_missing"))); got != nil {
		t.Errorf("FindPayment(missing) = %+v, want nil", got)
	}

	_, err := pay("60.01", ref("ch"))
	wantValidation(t, err, "60.01", "60.00")
	_, err = pay("0", ref("ch"))
	wantValidation(t, err, fixturesOf(c).term(func(t Terms) string { return t.PaymentAmount }))
	_, err = c.ApplyPayment(ctx, mapped(c, erp.Payment{CustomerID: cust.ID, InvoiceNumber: "INV-NOPE", Date: testDate,
		Currency: "USD", Amount: dec("1.00"), ExternalRef: ref("ch")}))
	wantValidation(t, err, "INV-NOPE")
	other := newCustomer(t, c, "USD")
	_, err = c.ApplyPayment(ctx, mapped(c, erp.Payment{CustomerID: other.ID, InvoiceNumber: inv.Number, Date: testDate,
		Currency: "USD", Amount: dec("1.00"), ExternalRef: ref("ch")}))
	wantValidation(t, err, other.ID)
	_, err = c.ApplyPayment(ctx, mapped(c, erp.Payment{CustomerID: cust.ID, InvoiceNumber: inv.Number, Date: testDate,
		Currency: "EUR", Amount: dec("1.00"), ExternalRef: ref("ch")}))
	wantValidation(t, err, "EUR")

	p2 := must(pay("60.00", ref("ch")))
	balance("0.00", "Paid")

	mustOK(c.VoidPayment(ctx, p1.ID))
	balance("40.00", "Open")
	// Voiding again is a no-op success, so compensation can be retried.
	mustOK(c.VoidPayment(ctx, p1.ID))
	balance("40.00", "Open")
	if got := must(c.FindPayment(ctx, p1.ExternalRef)); got.Status != "Void" {
		t.Errorf("voided payment status = %q", got.Status)
	}
	err = c.VoidPayment(ctx, "PMT-NOPE")
	wantValidation(t, err, "PMT-NOPE")
	_ = p2
}

func testVoidRules(t *testing.T, c erp.Connector) {
	ctx := ctxT(t)
	cust := newCustomer(t, c, "USD")
	inv := invoiceFor(t, c, cust, "50.00")
	p := must(c.ApplyPayment(ctx, mapped(c, erp.Payment{CustomerID: cust.ID, InvoiceNumber: inv.Number, Date: testDate,
		Currency: "USD", Amount: dec("50.00"), ExternalRef: ref("ch")})))

	err := c.VoidDocument(ctx, erp.KindInvoice, inv.Number)
	wantValidation(t, err, inv.Number, p.ID)

	mustOK(c.VoidPayment(ctx, p.ID))
	mustOK(c.VoidDocument(ctx, erp.KindInvoice, inv.Number))
	d := must(c.FindDocument(ctx, erp.KindInvoice, inv.ExternalRef))
	if d.Status != "Void" {
		t.Errorf("voided invoice status = %q", d.Status)
	}
	mustOK(c.VoidDocument(ctx, erp.KindInvoice, inv.Number)) // idempotent

	_, err = c.ApplyPayment(ctx, mapped(c, erp.Payment{CustomerID: cust.ID, InvoiceNumber: inv.Number, Date: testDate,
		Currency: "USD", Amount: dec("1.00"), ExternalRef: ref("ch")}))
	wantValidation(t, err, inv.Number, "Void")

	err = c.VoidDocument(ctx, erp.KindInvoice, "INV-NOPE")
	wantValidation(t, err, "INV-NOPE")

	// Sales orders are canceled; one with a live invoice cannot be.
	fx := fixturesOf(c)
	lines := []erp.Line{{ItemID: fx.ItemID, Quantity: dec("1"), UnitPrice: dec("3.00")}}
	so := must(c.CreateDocument(ctx, erp.KindSalesOrder, erp.Document{CustomerID: cust.ID, Date: testDate, Currency: "USD", Lines: lines, ExternalRef: ref("pi")}))
	inv2 := must(c.CreateDocument(ctx, erp.KindInvoice, erp.Document{CustomerID: cust.ID, Date: testDate, Currency: "USD", Lines: lines, ExternalRef: ref("ch"), SourceRef: so.Number}))
	wantValidation(t, c.VoidDocument(ctx, erp.KindSalesOrder, so.Number), so.Number, inv2.Number)
	mustOK(c.VoidDocument(ctx, erp.KindInvoice, inv2.Number))
	mustOK(c.VoidDocument(ctx, erp.KindSalesOrder, so.Number))
	mustOK(c.VoidDocument(ctx, erp.KindSalesOrder, so.Number))
	if got := must(c.FindDocument(ctx, erp.KindSalesOrder, so.ExternalRef)); got.Status == "Open" {
		t.Errorf("canceled sales order status = %q", got.Status)
	}
}

func testCreditMemos(t *testing.T, c erp.Connector) {
	ctx := ctxT(t)
	fx := fixturesOf(c)
	cust := newCustomer(t, c, "USD")
	inv := invoiceFor(t, c, cust, "80.00")
	memo := func(amount string) (*erp.Document, error) {
		return c.CreateDocument(ctx, erp.KindCreditMemo, erp.Document{CustomerID: cust.ID, Date: testDate, Currency: "USD",
			ExternalRef: ref("re"), SourceRef: inv.Number,
			Lines: []erp.Line{{ItemID: fx.ItemID, Description: "Refund", Quantity: dec("1"), UnitPrice: dec(amount)}}})
	}
	m1 := must(memo("30.00"))
	if m1.SourceRef != inv.Number || m1.Number == "" {
		t.Fatalf("credit memo = %+v", m1)
	}
	eqDec(t, "memo total", m1.Total, "30.00")
	if got := must(c.FindDocument(ctx, erp.KindCreditMemo, m1.ExternalRef)); got == nil || got.Number != m1.Number {
		t.Errorf("FindDocument(creditmemo) = %+v", got)
	}
	d := must(c.FindDocument(ctx, erp.KindInvoice, inv.ExternalRef))
	eqDec(t, "invoice balance after memo", d.Balance, "50.00")

	_, err := memo("50.01") // 80.00 − 30.00 = 50.00 creditable
	wantValidation(t, err, "50.01")

	mustOK(c.VoidDocument(ctx, erp.KindCreditMemo, m1.Number))
	d = must(c.FindDocument(ctx, erp.KindInvoice, inv.ExternalRef))
	eqDec(t, "invoice balance after memo void", d.Balance, "80.00")
	mustOK(c.VoidDocument(ctx, erp.KindCreditMemo, m1.Number))

	// A memo on a paid invoice is allowed (refund after payment); the invoice stays settled.
	must(c.ApplyPayment(ctx, mapped(c, erp.Payment{CustomerID: cust.ID, InvoiceNumber: inv.Number, Date: testDate,
		Currency: "USD", Amount: dec("80.00"), ExternalRef: ref("ch")})))
	must(memo("80.00"))
	d = must(c.FindDocument(ctx, erp.KindInvoice, inv.ExternalRef))
	eqDec(t, "paid invoice balance after memo", d.Balance, "0")
}

// testVoidedDoesNotHideLive: after an earlier attempt was voided and a new document and payment
// were posted under the same external reference, the lookups return the live ones; with only the
// void one they return it (so callers see it was voided).
func testVoidedDoesNotHideLive(t *testing.T, c erp.Connector) {
	ctx := ctxT(t)
	cust := newCustomer(t, c, "USD")
	first := invoiceFor(t, c, cust, "10.00")
	pay := func(inv *erp.Document) *erp.Payment {
		return must(c.ApplyPayment(ctx, mapped(c, erp.Payment{CustomerID: cust.ID, InvoiceNumber: inv.Number, Date: testDate,
			Currency: "USD", Amount: dec("10.00"), Method: "Stripe", ExternalRef: first.ExternalRef})))
	}
	p1 := pay(first)
	if err := c.VoidPayment(ctx, p1.ID); err != nil {
		t.Fatal(err)
	}
	if err := c.VoidDocument(ctx, erp.KindInvoice, first.Number); err != nil {
		t.Fatal(err)
	}
	if got := must(c.FindDocument(ctx, erp.KindInvoice, first.ExternalRef)); got == nil || got.Number != first.Number || !erp.Dead(got.Status) {
		t.Fatalf("only a void invoice: FindDocument = %+v", got)
	}
	second := must(c.CreateDocument(ctx, erp.KindInvoice, erp.Document{CustomerID: cust.ID, Date: testDate, Currency: "USD",
		ExternalRef: first.ExternalRef, Lines: first.Lines, Total: dec("10.00")}))
	p2 := pay(second)
	if got := must(c.FindDocument(ctx, erp.KindInvoice, first.ExternalRef)); got == nil || got.Number != second.Number {
		t.Errorf("FindDocument = %+v, want the live %s", got, second.Number)
	}
	if got := must(c.FindPayment(ctx, first.ExternalRef)); got == nil || got.ID != p2.ID {
		t.Errorf("FindPayment = %+v, want the live %s", got, p2.ID)
	}
}
