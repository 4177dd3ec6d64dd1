package erptest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ledgerbridge/ledgerbridge/internal/erp"
	"github.com/shopspring/decimal"
)

// RunConformance runs the connector conformance suite. newConnector is called once per subtest
// and may start a fresh ERP each time; the suite still uses unique external references so it
// also works against one shared ERP.
func RunConformance(t *testing.T, newConnector func(t *testing.T) erp.Connector) {
	tests := []struct {
		name string
		fn   func(t *testing.T, c erp.Connector)
	}{
		{"Customers", testCustomers},
		{"CustomersModifiedSince", testCustomersModifiedSince},
		{"CustomerValidation", testCustomerValidation},
		{"Documents", testDocuments},
		{"DuplicatesAreStored", testDuplicates},
		{"DocumentValidation", testDocumentValidation},
		{"BillingDocuments", testBillingDocuments},
		{"CurrencyDecimals", testCurrencyDecimals},
		{"Payments", testPayments},
		{"VoidRules", testVoidRules},
		{"CreditMemos", testCreditMemos},
		{"JournalEntries", testJournalEntries},
		{"ReverseJournalEntry", testReverseJournalEntry},
		{"Auth", testAuth},
		{"Faults", testFaults},
		{"Restart", testRestart},
		{"ContextCanceled", testContextCanceled},
		{"GLAccounts", testGLAccounts},
		{"VoidedDoesNotHideLive", testVoidedDoesNotHideLive},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { runCase(t, tc.fn, newConnector(t)) })
	}
}

const testDate = "2026-01-15"

var uniq atomic.Int64

// ref returns a unique external reference.
func ref(prefix string) string {
	return fmt.Sprintf("%s_%d_%d", prefix, time.Now().UnixNano()%1e9, uniq.Add(1))
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// failure is raised by must and turned into t.Fatal by the subtest runner; a panic lets
// must take a multi-value call directly (must(c.CreateCustomer(ctx, x))).
type failure struct{ msg string }

func must[T any](v T, err error) T {
	if err != nil {
		_, file, line, _ := runtime.Caller(1)
		panic(failure{fmt.Sprintf("%s:%d: unexpected error: %v", filepath.Base(file), line, err)})
	}
	return v
}

func mustOK(err error) { must(struct{}{}, err) }

// runCase runs fn, converting a must failure into t.Fatal.
func runCase(t *testing.T, fn func(t *testing.T, c erp.Connector), c erp.Connector) {
	defer func() {
		if r := recover(); r != nil {
			f, ok := r.(failure)
			if !ok {
				panic(r)
			}
			t.Fatal(f.msg)
		}
	}()
	fn(t, c)
}

func eqDec(t *testing.T, what string, got decimal.Decimal, want string) {
	t.Helper()
	if !got.Equal(dec(want)) {
		t.Errorf("%s = %s, want %s", what, got, want)
	}
}

// wantValidation asserts err is an erp.ValidationError whose message contains every snippet.
func wantValidation(t *testing.T, err error, snippets ...string) {
	t.Helper()
	var v *erp.ValidationError
	if !errors.As(err, &v) {
		t.Fatalf("want *erp.ValidationError, got %T: %v", err, err)
	}
	for _, s := range snippets {
		if !strings.Contains(v.Message, s) {
			t.Errorf("validation message %q does not mention %q", v.Message, s)
		}
	}
}

func newCustomer(t *testing.T, c erp.Connector, currency string) *erp.Customer {
	t.Helper()
	cust := erp.Customer{Name: "Conformance Co", Email: ref("buyer") + "@example.com", Currency: currency,
		ExternalRef: ref("cus"), Active: true, Address: erp.Address{Line1: "1 Main St", City: "Springfield", State: "IL", PostalCode: "62701", Country: "US"}}
	return must(c.CreateCustomer(ctxT(t), cust))
}

func invoiceFor(t *testing.T, c erp.Connector, cust *erp.Customer, total string) *erp.Document {
	t.Helper()
	fx := fixturesOf(c)
	d := erp.Document{CustomerID: cust.ID, Date: testDate, Currency: cust.Currency, ExternalRef: ref("ch"),
		Lines: []erp.Line{{ItemID: fx.ItemID, Description: "Order", Quantity: dec("1"), UnitPrice: dec(total), Amount: dec(total)}},
		Total: dec(total)}
	return must(c.CreateDocument(ctxT(t), erp.KindInvoice, d))
}

func testContextCanceled(t *testing.T, c erp.Connector) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.FindCustomerByExternalRef(ctx, "cus_any")
	if err == nil {
		t.Fatal("call with a canceled context succeeded")
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("want an error wrapping context.Canceled, got %T: %v", err, err)
	}
}

func testAuth(t *testing.T, c erp.Connector) {
	bc, ok := c.(BadCredentials)
	if !ok {
		t.Skip("environment cannot build a connector with bad credentials")
	}
	_, err := bc.WithBadCredentials(t).FindCustomerByEmail(ctxT(t), "x@example.com")
	var ae *erp.AuthError
	if !errors.As(err, &ae) {
		t.Fatalf("want *erp.AuthError, got %T: %v", err, err)
	}
}

func testFaults(t *testing.T, c erp.Connector) {
	fi, ok := c.(FaultInjector)
	if !ok {
		t.Skip("environment cannot inject faults")
	}
	cases := []struct {
		f         Fault
		wantAfter time.Duration
	}{
		{Fault{Status: http.StatusTooManyRequests, RetryAfter: 7 * time.Second}, 7 * time.Second},
		{Fault{Status: http.StatusServiceUnavailable}, 0},
		{Fault{Status: http.StatusInternalServerError}, 0},
		{Fault{Status: http.StatusServiceUnavailable, RetryAfter: 30 * time.Second}, 30 * time.Second},
	}
	for _, tc := range cases {
		fi.InjectFault(t, tc.f)
		_, err := c.FindPayment(ctxT(t), "ch_fault")
		var te *erp.TransientError
		if !errors.As(err, &te) {
			t.Fatalf("fault %+v: want *erp.TransientError, got %T: %v", tc.f, err, err)
		}
		if te.Status != tc.f.Status {
			t.Errorf("fault %+v: Status = %d", tc.f, te.Status)
		}
		// An outage's Retry-After counts down, so allow a second of slack.
		if te.RetryAfter > tc.wantAfter || te.RetryAfter < tc.wantAfter-time.Second {
			t.Errorf("fault %+v: RetryAfter = %s, want %s", tc.f, te.RetryAfter, tc.wantAfter)
		}
		if erp.IsValidation(err) {
			t.Errorf("fault %+v classified as validation", tc.f)
		}
	}
	fi.ClearFaults(t)
	if _, err := c.FindPayment(ctxT(t), "ch_fault"); err != nil {
		t.Fatalf("after clearing faults: %v", err)
	}
}

func testRestart(t *testing.T, c erp.Connector) {
	rs, ok := c.(Restarter)
	if !ok {
		t.Skip("environment cannot restart the ERP")
	}
	cust := newCustomer(t, c, "USD")
	inv := invoiceFor(t, c, cust, "25.00")
	pay := must(c.ApplyPayment(ctxT(t), mapped(c, erp.Payment{CustomerID: cust.ID, InvoiceNumber: inv.Number, Date: testDate,
		Currency: "USD", Amount: dec("10.00"), ExternalRef: ref("ch")})))
	je := must(c.PostJournalEntry(ctxT(t), balancedJE(c, ref("po"), "5.00")))

	c2 := rs.Restart(t)
	got := must(c2.FindCustomerByExternalRef(ctxT(t), cust.ExternalRef))
	if got == nil || got.ID != cust.ID {
		t.Fatalf("customer after restart = %+v, want %s", got, cust.ID)
	}
	d := must(c2.FindDocument(ctxT(t), erp.KindInvoice, inv.ExternalRef))
	if d == nil || d.Number != inv.Number {
		t.Fatalf("invoice after restart = %+v, want %s", d, inv.Number)
	}
	eqDec(t, "balance after restart", d.Balance, "15.00")
	if p := must(c2.FindPayment(ctxT(t), pay.ExternalRef)); p == nil || p.ID != pay.ID {
		t.Fatalf("payment after restart = %+v, want %s", p, pay.ID)
	}
	if j := must(c2.FindJournalEntry(ctxT(t), je.ExternalRef)); j == nil || j.Number != je.Number {
		t.Fatalf("journal entry after restart = %+v, want %s", j, je.Number)
	}
	// Numbering continues from the persisted counter instead of reusing numbers.
	inv2 := invoiceFor(t, c2, cust, "1.00")
	if inv2.Number == inv.Number {
		t.Fatalf("invoice number %s reused after restart", inv2.Number)
	}
}

// testGLAccounts: a connector that lists accounts (for start-up validation of the GL mapping)
// lists the active chart, not the inactive accounts.
func testGLAccounts(t *testing.T, c erp.Connector) {
	lister, ok := c.(erp.AccountLister)
	if !ok {
		t.Skip("connector does not list GL accounts")
	}
	accts, err := lister.ListGLAccounts(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, a := range accts {
		have[a] = true
	}
	for _, want := range []string{"1010-00", "1015-00", "6150-00", "2990-00"} {
		if !have[want] {
			t.Errorf("ListGLAccounts lacks %s: %v", want, accts)
		}
	}
	if have["1999-00"] {
		t.Errorf("ListGLAccounts lists the inactive account 1999-00")
	}
}
