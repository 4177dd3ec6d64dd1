package erptest

import (
	"testing"

	"github.com/ledgerbridge/ledgerbridge/internal/erp"
)

func testDocuments(t *testing.T, c erp.Connector) {
	ctx := ctxT(t)
	fx := fixturesOf(c)
	cust := newCustomer(t, c, "USD")
	lines := []erp.Line{
		{ItemID: fx.ItemID, Description: "Two things", Quantity: dec("2"), UnitPrice: dec("10.25"), Amount: dec("20.50")},
		{ItemID: fx.ItemID, Quantity: dec("1"), UnitPrice: dec("0.99")}, // amount left for the ERP to extend
	}
	so := must(c.CreateDocument(ctx, erp.KindSalesOrder, erp.Document{CustomerID: cust.ID, Date: testDate,
		Currency: "USD", Lines: lines, ExternalRef: ref("pi")}))
	if so.Number == "" || so.Status == "" {
		t.Fatalf("sales order = %+v", so)
	}
	eqDec(t, "sales order total", so.Total, "21.49")

	inv := must(c.CreateDocument(ctx, erp.KindInvoice, erp.Document{CustomerID: cust.ID, Date: testDate,
		Currency: "USD", Lines: lines, Total: dec("21.49"), ExternalRef: ref("ch"), SourceRef: so.Number, Memo: "Stripe charge"}))
	if inv.Number == "" || inv.Number == so.Number || inv.SourceRef != so.Number || inv.Memo != "Stripe charge" {
		t.Fatalf("invoice = %+v", inv)
	}
	eqDec(t, "invoice total", inv.Total, "21.49")
	eqDec(t, "invoice balance", inv.Balance, "21.49")
	eqDec(t, "line 2 amount", inv.Lines[1].Amount, "0.99")
	if inv.Lines[0].Description != "Two things" || inv.CustomerID != cust.ID || inv.Date != testDate || inv.Currency != "USD" {
		t.Errorf("invoice fields = %+v", inv)
	}

	for _, tc := range []struct {
		kind erp.DocumentKind
		doc  *erp.Document
	}{{erp.KindSalesOrder, so}, {erp.KindInvoice, inv}} {
		got := must(c.FindDocument(ctx, tc.kind, tc.doc.ExternalRef))
		if got == nil || got.Number != tc.doc.Number {
			t.Errorf("FindDocument(%s) = %+v, want %s", tc.kind, got, tc.doc.Number)
		}
		if got := must(c.FindDocument(ctx, tc.kind, ref("missing"))); got != nil {
			t.Errorf("FindDocument(%s, missing) = %+v, want nil", tc.kind, got)
		}
	}
	// External references are per document kind.
	if got := must(c.FindDocument(ctx, erp.KindCreditMemo, inv.ExternalRef)); got != nil {
		t.Errorf("credit memo found by invoice ref: %+v", got)
	}
}

// testDuplicates proves the ERP stores every create (the integration must dedupe) and that
// Find returns the oldest match.
func testDuplicates(t *testing.T, c erp.Connector) {
	ctx := ctxT(t)
	cust := newCustomer(t, c, "USD")
	first := invoiceFor(t, c, cust, "12.00")
	d := *first
	d.Number, d.Balance, d.Status = "", dec("0"), ""
	second := must(c.CreateDocument(ctx, erp.KindInvoice, d))
	if second.Number == first.Number {
		t.Fatalf("second create returned the same number %s: the ERP deduplicated", first.Number)
	}
	got := must(c.FindDocument(ctx, erp.KindInvoice, first.ExternalRef))
	if got == nil || got.Number != first.Number {
		t.Errorf("FindDocument with duplicates = %+v, want oldest %s", got, first.Number)
	}
}

func testDocumentValidation(t *testing.T, c erp.Connector) {
	ctx := ctxT(t)
	fx := fixturesOf(c)
	cust := newCustomer(t, c, "USD")
	base := func() erp.Document {
		return erp.Document{CustomerID: cust.ID, Date: testDate, Currency: "USD", ExternalRef: ref("ch"),
			Lines: []erp.Line{{ItemID: fx.ItemID, Quantity: dec("1"), UnitPrice: dec("5.00")}}}
	}
	d := base()
	d.Lines[0].ItemID = fx.UnknownItemID
	_, err := c.CreateDocument(ctx, erp.KindInvoice, d)
	wantValidation(t, err, fx.UnknownItemID, "does not exist")

	d = base()
	d.CustomerID = "NOSUCHCUST"
	_, err = c.CreateDocument(ctx, erp.KindInvoice, d)
	wantValidation(t, err, "NOSUCHCUST")

	d = base()
	d.Lines = nil
	_, err = c.CreateDocument(ctx, erp.KindSalesOrder, d)
	wantValidation(t, err, "line")

	d = base()
	d.Date = "15/01/2026"
	_, err = c.CreateDocument(ctx, erp.KindInvoice, d)
	wantValidation(t, err, "15/01/2026")

	d = base()
	d.Lines[0].Quantity = dec("0")
	_, err = c.CreateDocument(ctx, erp.KindInvoice, d)
	wantValidation(t, err, fx.term(func(t Terms) string { return t.Quantity }))

	d = base()
	d.Lines[0].Amount = dec("6.00") // 1 × 5.00 ≠ 6.00
	_, err = c.CreateDocument(ctx, erp.KindInvoice, d)
	wantValidation(t, err, "6.00", "5.00")

	d = base()
	d.Total = dec("9.99")
	_, err = c.CreateDocument(ctx, erp.KindInvoice, d)
	wantValidation(t, err, "9.99")

	inactive := newCustomer(t, c, "USD")
	inactive.Active = false
	must(c.UpdateCustomer(ctx, *inactive))
	d = base()
	d.CustomerID = inactive.ID
	_, err = c.CreateDocument(ctx, erp.KindInvoice, d)
	wantValidation(t, err, inactive.ID)
}

func testCurrencyDecimals(t *testing.T, c erp.Connector) {
	ctx := ctxT(t)
	fx := fixturesOf(c)
	for _, tc := range []struct{ curr, ok, bad string }{
		{"USD", "10.25", "10.255"},
		{"JPY", "1000", "1000.5"},
		{"KWD", "1.234", "1.2345"},
	} {
		cust := newCustomer(t, c, tc.curr)
		doc := func(amount string) erp.Document {
			return erp.Document{CustomerID: cust.ID, Date: testDate, Currency: tc.curr, ExternalRef: ref("ch"),
				Lines: []erp.Line{{ItemID: fx.ItemID, Quantity: dec("1"), UnitPrice: dec(amount), Amount: dec(amount)}}}
		}
		inv := must(c.CreateDocument(ctx, erp.KindInvoice, doc(tc.ok)))
		eqDec(t, tc.curr+" total", inv.Total, tc.ok)
		_, err := c.CreateDocument(ctx, erp.KindInvoice, doc(tc.bad))
		wantValidation(t, err, tc.bad)
		// A payment with too many decimals is rejected too.
		_, err = c.ApplyPayment(ctx, mapped(c, erp.Payment{CustomerID: cust.ID, InvoiceNumber: inv.Number, Date: testDate,
			Currency: tc.curr, Amount: dec(tc.bad).Sub(dec(tc.ok)).Abs(), ExternalRef: ref("ch")}))
		wantValidation(t, err, fx.term(func(t Terms) string { return t.PaymentAmount }))
	}
}

// testBillingDocuments posts what a subscription invoice becomes — item lines with discounts,
// tax and tax codes, a negative proration credit, a proration charge — and reads every amount
// back; the ERP checks the total, and refuses what no invoice can carry.
func testBillingDocuments(t *testing.T, c erp.Connector) {
	ctx := ctxT(t)
	fx := fixturesOf(c)
	cust := newCustomer(t, c, "USD")
	doc := erp.Document{CustomerID: cust.ID, Date: testDate, Currency: "USD", ExternalRef: ref("ch"), Lines: []erp.Line{
		{ItemID: fx.ItemID, Description: "Pro plan", Quantity: dec("2"), UnitPrice: dec("50.00"), Amount: dec("100.00"),
			Discount: dec("10.00"), Tax: dec("7.43"), TaxCode: "VA-SALES"},
		{ItemID: fx.ItemID, Description: "Unused time on Basic plan", Quantity: dec("2"), UnitPrice: dec("-10.00"), Amount: dec("-20.00"),
			Kind: erp.LineProration, Discount: dec("-2.00"), Tax: dec("-1.49"), TaxCode: "VA-SALES"},
		{ItemID: fx.ItemID, Description: "Remaining time on Pro plan", Quantity: dec("1"), UnitPrice: dec("50.00"), Amount: dec("50.00"),
			Kind: erp.LineProration, Tax: dec("4.13")},
	}}
	doc.DiscountTotal, doc.TaxTotal, doc.Total = doc.Totals()
	eqDec(t, "planned total", doc.Total, "132.07")
	for _, kind := range []erp.DocumentKind{erp.KindSalesOrder, erp.KindInvoice} {
		d := doc
		d.ExternalRef = ref("ch")
		got := must(c.CreateDocument(ctx, kind, d))
		for _, read := range []*erp.Document{got, must(c.FindDocument(ctx, kind, d.ExternalRef))} {
			eqDec(t, string(kind)+" total", read.Total, "132.07")
			eqDec(t, string(kind)+" discount total", read.DiscountTotal, "8.00")
			eqDec(t, string(kind)+" tax total", read.TaxTotal, "10.07")
			if len(read.Lines) != 3 {
				t.Fatalf("%s has %d lines", kind, len(read.Lines))
			}
			for i, want := range doc.Lines {
				l := read.Lines[i]
				if !l.Amount.Equal(want.Amount) || !l.Discount.Equal(want.Discount) || !l.Tax.Equal(want.Tax) ||
					l.Kind != want.Kind || l.TaxCode != want.TaxCode {
					t.Errorf("%s line %d = %+v, want %+v", kind, i, l, want)
				}
			}
		}
	}
	bad := func(mut func(d *erp.Document), snippets ...string) {
		t.Helper()
		d := doc
		d.Lines = append([]erp.Line(nil), doc.Lines...)
		d.ExternalRef = ref("ch")
		mut(&d)
		_, err := c.CreateDocument(ctx, erp.KindInvoice, d)
		wantValidation(t, err, snippets...)
	}
	// A negative item line is not an invoice line; a credit is a proration or a credit memo.
	bad(func(d *erp.Document) { d.Lines[1].Kind = erp.LineItem }, "negative")
	// A discount larger than its line.
	bad(func(d *erp.Document) { d.Lines[0].Discount = dec("100.01") }, "100.01")
	// Tax of the wrong sign.
	bad(func(d *erp.Document) { d.Lines[2].Tax = dec("-4.13") }, "-4.13")
	// A total that is not lines − discounts + tax.
	bad(func(d *erp.Document) { d.Total = dec("148.07") }, "148.07")
}
