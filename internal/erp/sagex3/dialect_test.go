package sagex3_test

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ledgerbridge/ledgerbridge/internal/erp"
	"github.com/ledgerbridge/ledgerbridge/internal/erp/sagex3"
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

// wantInvalid asserts a ValidationError (with status, if non-zero) whose message has every snippet.
func wantInvalid(t *testing.T, err error, status int, snippets ...string) {
	t.Helper()
	var v *erp.ValidationError
	if !errors.As(err, &v) {
		t.Fatalf("want *erp.ValidationError, got %T: %v", err, err)
	}
	if status != 0 && v.Status != status {
		t.Errorf("status = %d, want %d (%s)", v.Status, status, v.Message)
	}
	for _, s := range snippets {
		if !strings.Contains(v.Message, s) {
			t.Errorf("message %q does not contain %q", v.Message, s)
		}
	}
}

func customer(t *testing.T, c erp.Connector, ref string) *erp.Customer {
	t.Helper()
	return must(c.CreateCustomer(ctx(t), erp.Customer{Name: "PayTrace Buyer", Email: ref + "@example.com", ExternalRef: ref,
		Currency: "USD", Active: true, Address: erp.Address{Line1: "1 Main St", City: "Chicago", State: "Illinois", PostalCode: "60601", Country: "usa"}}))
}

func invoice(t *testing.T, c erp.Connector, cust *erp.Customer, ref, amount string) *erp.Document {
	t.Helper()
	return must(c.CreateDocument(ctx(t), erp.KindInvoice, erp.Document{CustomerID: cust.ID, Date: "2026-01-15", Currency: "USD",
		ExternalRef: ref, Lines: []erp.Line{{ItemID: "STRIPE-SALE", Quantity: d("1"), UnitPrice: d(amount)}}}))
}

func TestAddressNormalisation(t *testing.T) {
	e := newSandboxEnv(t)
	c := customer(t, e, "cus_norm")
	if c.Address.State != "IL" || c.Address.Country != "US" {
		t.Errorf("address = %+v, want state IL, country US", c.Address)
	}
	var raw map[string]any
	e.get(t, "/api/v1/customers/businessPartners/"+c.ID, &raw)
	if raw["SAT"] != "IL" || raw["CRY"] != "US" || raw["BPCSTA"] != float64(2) || raw["ZEXTREF"] != "cus_norm" {
		t.Errorf("BPC on the wire = %v", raw)
	}
	_, err := e.CreateCustomer(ctx(t), erp.Customer{Name: "X", Email: "x@example.com", Active: true, Address: erp.Address{Country: "Atlantis"}})
	wantInvalid(t, err, 0, "Atlantis", "CRY")
	_, err = e.CreateCustomer(ctx(t), erp.Customer{Name: "X", Email: "y@example.com", Active: true, Address: erp.Address{Country: "US", State: "Gotham"}})
	wantInvalid(t, err, 0, "Gotham", "SAT")
}

func TestDuplicateBPC(t *testing.T) {
	e := newSandboxEnv(t)
	first := customer(t, e, "cus_dup")
	_, err := e.CreateCustomer(ctx(t), erp.Customer{Name: "Again", Email: "CUS_DUP@example.com", Active: true})
	wantInvalid(t, err, http.StatusConflict, "Duplicate Customer (BPC) record detected during sync", first.ID)
	// The integration's path: look up, then update.
	got := must(e.FindCustomerByEmail(ctx(t), "cus_dup@example.com"))
	got.Name = "Renamed"
	if upd := must(e.UpdateCustomer(ctx(t), *got)); upd.Name != "Renamed" {
		t.Errorf("update = %+v", upd)
	}
}

func TestInvalidProduct(t *testing.T) {
	e := newSandboxEnv(t)
	cust := customer(t, e, "cus_itm")
	_, err := e.CreateDocument(ctx(t), erp.KindSalesOrder, erp.Document{CustomerID: cust.ID, Date: "2026-01-15", Currency: "USD",
		ExternalRef: "pt_1", Lines: []erp.Line{{ItemID: "NOPE", Quantity: d("1"), UnitPrice: d("1")}}})
	wantInvalid(t, err, http.StatusBadRequest, "Sales Order (SOH) creation failure due to invalid Product (ITM)", `ITMREF "NOPE"`)
	_, err = e.CreateDocument(ctx(t), erp.KindSalesOrder, erp.Document{CustomerID: cust.ID, Date: "2026-01-15", Currency: "USD",
		ExternalRef: "pt_1", Lines: []erp.Line{{ItemID: "DISCONTINUED", Quantity: d("1"), UnitPrice: d("1")}}})
	wantInvalid(t, err, http.StatusBadRequest, "invalid Product (ITM)", "inactive")
}

func TestBadLedgerAccount(t *testing.T) {
	e := newSandboxEnv(t)
	cust := customer(t, e, "cus_acc")
	inv := invoice(t, e, cust, "pt_acc", "10.00")
	_, err := e.ApplyPayment(ctx(t), erp.Payment{CustomerID: cust.ID, InvoiceNumber: inv.Number, Date: "2026-01-15",
		Currency: "USD", Amount: d("10.00"), Method: "CC", Type: "CB", Account: "9999-99", ExternalRef: "pt_txn_1"})
	wantInvalid(t, err, http.StatusBadRequest, "Payment (PAY) posting failure due to incorrect Ledger Account (ACC) mapping", "9999-99")
	_, err = e.ApplyPayment(ctx(t), erp.Payment{CustomerID: cust.ID, InvoiceNumber: inv.Number, Date: "2026-01-15",
		Currency: "USD", Amount: d("10.00"), Method: "CC", Type: "CB", Account: "1999-00", ExternalRef: "pt_txn_1"})
	wantInvalid(t, err, http.StatusBadRequest, "Ledger Account (ACC)", "inactive")
	if p := must(e.FindPayment(ctx(t), "pt_txn_1")); p != nil {
		t.Errorf("rejected payment was stored: %+v", p)
	}
}

// The connector sends the PAYTYP the mapping gave and translates nothing itself: without one the
// receipt is refused before X3 is called (the run parks), and a code X3 does not know is refused
// by X3 by name.
func TestPaymentTypeComesFromTheMapping(t *testing.T) {
	e := newSandboxEnv(t)
	cust := customer(t, e, "cus_pay")
	inv := invoice(t, e, cust, "pt_pay", "30.00")
	_, err := e.ApplyPayment(ctx(t), erp.Payment{CustomerID: cust.ID, InvoiceNumber: inv.Number, Date: "2026-01-15",
		Currency: "USD", Amount: d("10.00"), Method: "PayTrace ACH", ExternalRef: "pt_txn_none"})
	wantInvalid(t, err, 0, "PAYTYP is required", "payment.type")
	p := must(e.ApplyPayment(ctx(t), erp.Payment{CustomerID: cust.ID, InvoiceNumber: inv.Number, Date: "2026-01-15",
		Currency: "USD", Amount: d("10.00"), Method: "PayTrace ACH", Type: "VIR", ExternalRef: "pt_txn_ach"}))
	var raw map[string]any
	e.get(t, "/api/v1/financials/payments/"+p.ID, &raw)
	if raw["PAYTYP"] != "VIR" || raw["ZEXTREF"] != "pt_txn_ach" || raw["REFLOT"] != "pt_txn_ach" || raw["ACC"] != sagex3.DefaultBankAccount || raw["VCRNUM"] != inv.Number {
		t.Errorf("PAY on the wire = %v", raw)
	}
	if p.Method != "PayTrace ACH" {
		t.Errorf("method = %q", p.Method)
	}
	_, err = e.ApplyPayment(ctx(t), erp.Payment{CustomerID: cust.ID, InvoiceNumber: inv.Number, Date: "2026-01-15",
		Currency: "USD", Amount: d("1.00"), Method: "CC", Type: "ZZZ", ExternalRef: "pt_txn_zzz"})
	wantInvalid(t, err, http.StatusBadRequest, `PAYTYP "ZZZ"`)
}

// stock reads the X3 stock of item in facility.
func stock(t *testing.T, e *sandboxEnv, item, facility string) (physto, alasto decimal.Decimal) {
	t.Helper()
	var l struct {
		Value []struct {
			PHYSTO, ALASTO decimal.Decimal
		} `json:"value"`
	}
	e.get(t, "/api/v1/inventory/stock/"+item+"?facility="+facility, &l)
	if len(l.Value) != 1 {
		t.Fatalf("stock of %s in %s: %+v", item, facility, l)
	}
	return l.Value[0].PHYSTO, l.Value[0].ALASTO
}

func TestStockAllocation(t *testing.T) {
	e := startSandbox(t, filepath.Join(t.TempDir(), "sage.db"), sagex3.Options{SalesFacility: "FR011"})
	cust := customer(t, e, "cus_sto")
	phys, alloc := stock(t, e, "WIDGET", "FR011")
	if !phys.Equal(d("100")) || !alloc.IsZero() {
		t.Fatalf("initial stock = %s/%s", phys, alloc)
	}
	so := must(e.CreateDocument(ctx(t), erp.KindSalesOrder, erp.Document{CustomerID: cust.ID, Date: "2026-01-15", Currency: "USD",
		ExternalRef: "pt_order", Lines: []erp.Line{
			{ItemID: "WIDGET", Quantity: d("3"), UnitPrice: d("19.99")},
			{ItemID: "SHIPPING", Quantity: d("1"), UnitPrice: d("5.00")}, // not stock-managed
		}}))
	if _, alloc = stock(t, e, "WIDGET", "FR011"); !alloc.IsZero() {
		t.Errorf("ALASTO after creating the order = %s, want 0 (allocation is its own call)", alloc)
	}
	for i := 0; i < 2; i++ { // idempotent
		if err := e.AllocateStock(ctx(t), so.Number); err != nil {
			t.Fatal(err)
		}
	}
	if _, alloc = stock(t, e, "WIDGET", "FR011"); !alloc.Equal(d("3")) {
		t.Errorf("ALASTO after allocating = %s, want 3", alloc)
	}
	if _, alloc = stock(t, e, "WIDGET", "US011"); !alloc.IsZero() {
		t.Errorf("other facility allocated %s", alloc)
	}
	var raw map[string]any
	e.get(t, "/api/v1/sales/salesOrders/"+so.Number, &raw)
	if raw["SALFCY"] != "FR011" || raw["BPCORD"] != cust.ID {
		t.Errorf("SOH on the wire = %v", raw)
	}
	if err := e.VoidDocument(ctx(t), erp.KindSalesOrder, so.Number); err != nil {
		t.Fatal(err)
	}
	if _, alloc = stock(t, e, "WIDGET", "FR011"); !alloc.IsZero() {
		t.Errorf("ALASTO after cancel = %s, want 0", alloc)
	}
	if got := must(e.FindDocument(ctx(t), erp.KindSalesOrder, "pt_order")); got.Status != "Canceled" {
		t.Errorf("cancelled order status = %q", got.Status)
	}
	bad := sagex3.New(e.URL, apiKey, nil, sagex3.Options{SalesFacility: "XX999"})
	_, err := bad.CreateDocument(ctx(t), erp.KindSalesOrder, erp.Document{CustomerID: cust.ID, Date: "2026-01-15", Currency: "USD",
		ExternalRef: "pt_order2", Lines: []erp.Line{{ItemID: "WIDGET", Quantity: d("1"), UnitPrice: d("1")}}})
	wantInvalid(t, err, http.StatusBadRequest, "SALFCY", "XX999")
}

func TestJournalSenseLines(t *testing.T) {
	e := newSandboxEnv(t)
	je := must(e.PostJournalEntry(ctx(t), erp.JournalEntry{Date: "2026-01-31", Currency: "USD", ExternalRef: "po_1", Lines: []erp.JournalLine{
		{Account: "1010-00", Debit: d("97.10")}, {Account: "6150-00", Debit: d("2.90")}, {Account: "1015-00", Credit: d("100.00")}}}))
	var raw struct{ LINES []struct{ SNS int } }
	e.get(t, "/api/v1/financials/journalEntries/"+je.Number, &raw)
	if len(raw.LINES) != 3 || raw.LINES[0].SNS != 1 || raw.LINES[2].SNS != -1 {
		t.Errorf("GAS lines on the wire = %+v", raw)
	}
}

// A receipt carries what the mapping gave it: PAYTYP, REFLOT (the merchant's invoice number),
// its sales order, the processor's clearing account, its site and its company-currency value;
// it is still found by the processor's transaction ID (ZEXTREF), never by REFLOT.
func TestPaymentCarriesMappedFields(t *testing.T) {
	e := newSandboxEnv(t)
	cust := customer(t, e, "cus_pt_fields")
	so := must(e.CreateDocument(ctx(t), erp.KindSalesOrder, erp.Document{CustomerID: cust.ID, Date: "2026-01-15", Currency: "USD",
		ExternalRef: "paytrace-9001", Lines: []erp.Line{{ItemID: "STRIPE-SALE", Quantity: d("1"), UnitPrice: d("42.00")}}}))
	inv := must(e.CreateDocument(ctx(t), erp.KindInvoice, erp.Document{CustomerID: cust.ID, Date: "2026-01-15", Currency: "USD",
		ExternalRef: "paytrace-9001", SourceRef: so.Number, Lines: []erp.Line{{ItemID: "STRIPE-SALE", Quantity: d("1"), UnitPrice: d("42.00")}}}))
	p := must(e.ApplyPayment(ctx(t), erp.Payment{CustomerID: cust.ID, InvoiceNumber: inv.Number, SalesOrder: so.Number, Date: "2026-01-15",
		Currency: "USD", Amount: d("42.00"), Method: "VISA", Type: "CB", Reference: "INV-77", Site: "US011", Account: "1016-00",
		ExternalRef: "paytrace-9001"}))
	got := must(e.FindPayment(ctx(t), "paytrace-9001"))
	for _, p := range []*erp.Payment{p, got} {
		if p == nil || p.Type != "CB" || p.Reference != "INV-77" || p.SalesOrder != so.Number || p.Account != "1016-00" ||
			p.Site != "US011" || p.ExternalRef != "paytrace-9001" {
			t.Fatalf("payment = %+v", p)
		}
	}
	if got := must(e.FindPayment(ctx(t), "INV-77")); got != nil {
		t.Errorf("found by REFLOT: %+v", got)
	}
	// An unknown PAYTYP from the mapping is refused by X3 by name.
	inv2 := invoice(t, e, cust, "paytrace-9002", "10.00")
	_, err := e.ApplyPayment(ctx(t), erp.Payment{CustomerID: cust.ID, InvoiceNumber: inv2.Number, Date: "2026-01-15", Currency: "USD",
		Amount: d("10.00"), Type: "BITCOIN", ExternalRef: "paytrace-9002"})
	wantInvalid(t, err, 0, "PAYTYP", "BITCOIN")
	// An unknown site, too.
	_, err = e.ApplyPayment(ctx(t), erp.Payment{CustomerID: cust.ID, InvoiceNumber: inv2.Number, Date: "2026-01-15", Currency: "USD",
		Amount: d("10.00"), Type: "CB", Site: "MARS01", ExternalRef: "paytrace-9002"})
	wantInvalid(t, err, 0, "FCY", "MARS01")
}

// A euro receipt carries its US-dollar value (AMTLOC) and rate (CHGRAT); an order on the French
// site is booked there (SALFCY).
func TestForeignReceiptAndSite(t *testing.T) {
	e := newSandboxEnv(t)
	cust := must(e.CreateCustomer(ctx(t), erp.Customer{Name: "Client Paris", Email: "paris@example.com", ExternalRef: "cus_eur",
		Currency: "EUR", Active: true, Address: erp.Address{Line1: "1 rue de Rivoli", City: "Paris", PostalCode: "75001", Country: "FR"}}))
	so := must(e.CreateDocument(ctx(t), erp.KindSalesOrder, erp.Document{CustomerID: cust.ID, Date: "2026-01-15", Currency: "EUR",
		Site: "FR011", ExternalRef: "ch_eur", Lines: []erp.Line{{ItemID: "STRIPE-SALE", Quantity: d("1"), UnitPrice: d("100.00")}}}))
	if so.Site != "FR011" {
		t.Errorf("sales order site = %q, want FR011", so.Site)
	}
	inv := must(e.CreateDocument(ctx(t), erp.KindInvoice, erp.Document{CustomerID: cust.ID, Date: "2026-01-15", Currency: "EUR",
		Site: "FR011", ExternalRef: "ch_eur", SourceRef: so.Number, Lines: []erp.Line{{ItemID: "STRIPE-SALE", Quantity: d("1"), UnitPrice: d("100.00")}}}))
	if got := must(e.FindDocument(ctx(t), erp.KindInvoice, "ch_eur")); got.Site != "FR011" {
		t.Errorf("invoice site = %q, want FR011", got.Site)
	}
	p := must(e.ApplyPayment(ctx(t), erp.Payment{CustomerID: cust.ID, InvoiceNumber: inv.Number, Date: "2026-01-15", Currency: "EUR",
		Amount: d("100.00"), Type: "CB", Site: "FR011", HomeCurrency: "USD", HomeAmount: d("108.50"), ExchangeRate: d("1.085"),
		ExternalRef: "ch_eur"}))
	if !p.HomeAmount.Equal(d("108.50")) || !p.ExchangeRate.Equal(d("1.085")) || p.HomeCurrency != "USD" || p.Site != "FR011" {
		t.Errorf("payment = %+v", p)
	}
}
