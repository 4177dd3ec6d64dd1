package sagepro_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ledgerbridge/ledgerbridge/internal/erp"
	"github.com/shopspring/decimal"
)

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return c
}

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// must returns v, panicking on err: a test-only shortcut that takes a call's two results
// directly; the panic fails the test with the error and its stack.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func wantInvalid(t *testing.T, err error, snippets ...string) {
	t.Helper()
	var v *erp.ValidationError
	if !errors.As(err, &v) {
		t.Fatalf("want *erp.ValidationError, got %T: %v", err, err)
	}
	for _, s := range snippets {
		if !strings.Contains(v.Message, s) {
			t.Errorf("message %q does not contain %q", v.Message, s)
		}
	}
}

// raw GETs a Sage Pro resource and returns its JSON text and decoded fields.
func (e *sandboxEnv) raw(t *testing.T, path string) map[string]any {
	t.Helper()
	var m map[string]any
	e.get(t, "/SageProAPI"+path, &m)
	return m
}

func TestCustomerFieldsFit(t *testing.T) {
	e := newSandboxEnv(t)
	long := "Worldwide Widgets and Gadgets International Holdings" // 52 characters
	c := must(e.CreateCustomer(ctx(t), erp.Customer{Name: long, Email: "w@example.com", ExternalRef: "cus_fit", Active: true,
		Address: erp.Address{Line1: "Building 7, Riverside Industrial Park, 1200 Harbor Boulevard", Line2: "Dock 4",
			City: "San Francisco", State: "ca", PostalCode: "94107", Country: "us"}}))
	if c.Name != "Worldwide Widgets and Gadgets Internatio" || len(c.Name) != 40 {
		t.Errorf("company = %q", c.Name)
	}
	if c.Address.Line1 != "Building 7, Riverside Industrial Park," || c.Address.Line2 != "1200 Harbor Boulevard, Dock 4" {
		t.Errorf("address lines = %q / %q", c.Address.Line1, c.Address.Line2)
	}
	if c.Address.State != "CA" || c.Address.Country != "US" || !strings.HasPrefix(c.ID, "C") || len(c.ID) > 10 {
		t.Errorf("codes = %+v (custno %q)", c.Address, c.ID)
	}
	w := e.raw(t, "/Customer/"+c.ID)
	if w["stripeid"] != "cus_fit" || w["status"] != "A" {
		t.Errorf("arcust01 on the wire = %v", w)
	}
	if _, err := time.Parse("01/02/2006", w["entered"].(string)); err != nil {
		t.Errorf("entered %v is not MM/DD/YYYY", w["entered"])
	}
}

func TestDocumentWireFormat(t *testing.T) {
	e := newSandboxEnv(t)
	cust := must(e.CreateCustomer(ctx(t), erp.Customer{Name: "Fmt", Email: "f@example.com", Currency: "USD", Active: true}))
	inv := must(e.CreateDocument(ctx(t), erp.KindInvoice, erp.Document{CustomerID: cust.ID, Date: "2026-01-15", Currency: "USD",
		ExternalRef: "ch_fmt", Total: d("10.5"), Lines: []erp.Line{{ItemID: "STRIPE-SALE", Quantity: d("1"), UnitPrice: d("10.5")}}}))
	if inv.Date != "2026-01-15" || !inv.Total.Equal(d("10.50")) {
		t.Errorf("invoice = %+v", inv)
	}
	w := e.raw(t, "/Invoice/"+inv.Number)
	if w["invdate"] != "01/15/2026" || w["PaymentStatus"] != "Unpaid" || w["arstat"] != "O" || len(inv.Number) != 10 {
		t.Errorf("armast01 on the wire = %v (invno %q)", w, inv.Number)
	}
	// Dollars with two decimals: 10.5 goes out and comes back as 10.50.
	var text json.RawMessage
	e.get(t, "/SageProAPI/Invoice/"+inv.Number, &text)
	for _, want := range []string{`"invamt":10.50`, `"balance":10.50`, `"tax":0.00`, `"extprice":10.50`} {
		if !strings.Contains(string(text), want) {
			t.Errorf("invoice JSON %s lacks %s", text, want)
		}
	}

	p := must(e.ApplyPayment(ctx(t), erp.Payment{CustomerID: cust.ID, InvoiceNumber: inv.Number, Date: "2026-01-16", Currency: "USD",
		Amount: d("4"), Method: "Stripe visa", ExternalRef: "ch_fmt", PaymentStatus: "Paid"}))
	if e.raw(t, "/Invoice/"+inv.Number)["PaymentStatus"] != "Partial" {
		t.Error("invoice not Partial after a partial receipt")
	}
	r := e.raw(t, "/Receipt/"+p.ID)
	if r["dtepaid"] != "01/16/2026" || r["PaymentStatus"] != "Paid" || r["paymethod"] != "Stripe visa" ||
		r["paidamt"] != 4.0 || r["grossamt"] != 4.0 || r["feeamt"] != 0.0 || r["netamt"] != 4.0 {
		t.Errorf("arcash01 on the wire = %v", r)
	}
	must(e.ApplyPayment(ctx(t), erp.Payment{CustomerID: cust.ID, InvoiceNumber: inv.Number, Date: "2026-01-16", Currency: "USD",
		Amount: d("6.50"), ExternalRef: "ch_fmt2", PaymentStatus: "Paid"}))
	if e.raw(t, "/Invoice/"+inv.Number)["PaymentStatus"] != "Paid" {
		t.Error("invoice not Paid after full payment")
	}
	if got := must(e.FindDocument(ctx(t), erp.KindInvoice, "ch_fmt")); got.Status != "Paid" {
		t.Errorf("port status = %q", got.Status)
	}
}

// The receipt's PaymentStatus is the mapping's: without one it is refused before Sage Pro is
// called, and a value Sage Pro does not know is refused by Sage Pro.
func TestPaymentStatusComesFromTheMapping(t *testing.T) {
	e := newSandboxEnv(t)
	_, err := e.ApplyPayment(ctx(t), erp.Payment{CustomerID: "C000001", InvoiceNumber: "IN00000001", Date: "2026-01-16",
		Currency: "USD", Amount: d("1"), ExternalRef: "ch_x"})
	wantInvalid(t, err, "PaymentStatus is required", "payment.status")
	_, err = e.ApplyPayment(ctx(t), erp.Payment{CustomerID: "C000001", InvoiceNumber: "IN00000001", Date: "2026-01-16",
		Currency: "USD", Amount: d("1"), ExternalRef: "ch_x", PaymentStatus: "Maybe"})
	wantInvalid(t, err, "Maybe")
}

func TestDatesAreConverted(t *testing.T) {
	e := newSandboxEnv(t)
	_, err := e.PostJournalEntry(ctx(t), erp.JournalEntry{Date: "31.01.2026", Currency: "USD", ExternalRef: "po_x"})
	wantInvalid(t, err, "31.01.2026", "YYYY-MM-DD")
	je := must(e.PostJournalEntry(ctx(t), erp.JournalEntry{Date: "2026-01-31", Currency: "JPY", ExternalRef: "po_jpy", Lines: []erp.JournalLine{
		{Account: "1015-00", Debit: d("1000")}, {Account: "4000-00", Credit: d("1000")}}}))
	w := e.raw(t, "/GLPosting/"+je.Number)
	if w["trandate"] != "01/31/2026" || w["glstat"] != "P" || je.Date != "2026-01-31" {
		t.Errorf("GL posting on the wire = %v", w)
	}
	rev := must(e.ReverseJournalEntry(ctx(t), je.Number, "2026-02-01", "po_jpy_rev"))
	if e.raw(t, "/GLPosting/"+rev.Number)["trandate"] != "02/01/2026" || e.raw(t, "/GLPosting/"+je.Number)["glstat"] != "R" {
		t.Errorf("reversal = %+v", rev)
	}
}

func TestStockAllocation(t *testing.T) {
	e := newSandboxEnv(t)
	cust := must(e.CreateCustomer(ctx(t), erp.Customer{Name: "Stock", Email: "s@example.com", Active: true}))
	so := must(e.CreateDocument(ctx(t), erp.KindSalesOrder, erp.Document{CustomerID: cust.ID, Date: "2026-01-15", Currency: "USD",
		ExternalRef: "pi_1", Lines: []erp.Line{{ItemID: "GADGET", Quantity: d("2"), UnitPrice: d("49.50")}}}))
	var it struct{ Onhand, Alloc decimal.Decimal }
	e.get(t, "/SageProAPI/Item/GADGET", &it)
	if !it.Onhand.Equal(d("25")) || !it.Alloc.Equal(d("2")) {
		t.Errorf("icitem01 GADGET = %+v, want onhand 25 alloc 2", it)
	}
	if e.raw(t, "/SalesOrder/"+so.Number)["ordate"] != "01/15/2026" {
		t.Error("ordate not MM/DD/YYYY")
	}
	if err := e.VoidDocument(ctx(t), erp.KindSalesOrder, so.Number); err != nil {
		t.Fatal(err)
	}
	e.get(t, "/SageProAPI/Item/GADGET", &it)
	if !it.Alloc.IsZero() {
		t.Errorf("alloc after void = %s", it.Alloc)
	}
	if e.raw(t, "/SalesOrder/"+so.Number)["sostat"] != "X" {
		t.Error("voided order sostat is not X")
	}
}
