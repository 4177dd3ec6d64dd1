package sage500_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/ledgerbridge/ledgerbridge/internal/erp"
	"github.com/ledgerbridge/ledgerbridge/internal/erp/sage500"
	"github.com/ledgerbridge/ledgerbridge/sandbox/sagesandbox"
	"github.com/shopspring/decimal"
)

func wantTransient(t *testing.T, err error) *erp.TransientError {
	t.Helper()
	var te *erp.TransientError
	if !errors.As(err, &te) {
		t.Fatalf("want *erp.TransientError, got %T: %v", err, err)
	}
	return te
}

func TestNetworkErrorIsTransient(t *testing.T) {
	c := sage500.New("http://127.0.0.1:1", apiKey, nil) // nothing listens on port 1
	_, err := c.FindPayment(context.Background(), "ch_1")
	if te := wantTransient(t, err); te.Status != 0 {
		t.Errorf("Status = %d, want 0", te.Status)
	}
}

func TestTimeoutIsTransientButCallerDeadlineIsNot(t *testing.T) {
	e := newSandboxEnv(t)
	e.Admin(t, "PUT", "/_admin/faults", sagesandbox.Faults{LatencyMS: 400}, nil)

	slow := sage500.New(e.URL, apiKey, &http.Client{Timeout: 50 * time.Millisecond})
	_, err := slow.FindPayment(context.Background(), "ch_1")
	wantTransient(t, err)

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = e.FindPayment(ctx, "ch_1")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want context.DeadlineExceeded, got %T: %v", err, err)
	}
	if st := e.Stats(t); st.Faults["latency"] < 2 {
		t.Errorf("stats show no latency faults: %+v", st)
	}
}

// TestCrashWindow shows why activities look up before creating: the write commits, the
// response is lost, and a blind retry would duplicate the invoice.
func TestCrashWindow(t *testing.T) {
	e := newSandboxEnv(t)
	ctx := context.Background()
	cust, err := e.CreateCustomer(ctx, erp.Customer{Name: "Crash Co", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	e.Admin(t, "PUT", "/_admin/faults", sagesandbox.Faults{ResponseDelayMS: 500, Methods: []string{"POST"}}, nil)
	impatient := sage500.New(e.URL, apiKey, &http.Client{Timeout: 100 * time.Millisecond})
	doc := erp.Document{CustomerID: cust.ID, Date: "2026-01-15", ExternalRef: "ch_crash",
		Lines: []erp.Line{{ItemID: "STRIPE-SALE", Quantity: decimal.NewFromInt(1), UnitPrice: decimal.RequireFromString("9.99")}}}
	_, err = impatient.CreateDocument(ctx, erp.KindInvoice, doc)
	wantTransient(t, err)

	found, err := e.FindDocument(ctx, erp.KindInvoice, "ch_crash")
	if err != nil || found == nil {
		t.Fatalf("invoice written in the crash window not found: %v %+v", err, found)
	}
	if !found.Total.Equal(decimal.RequireFromString("9.99")) || found.Number == "" {
		t.Errorf("found = %+v", found)
	}
}

func TestRateLimitRetryAfterAndStats(t *testing.T) {
	e := newSandboxEnv(t)
	e.Admin(t, "PUT", "/_admin/faults", sagesandbox.Faults{RateLimitRate: 1, RetryAfterS: 3}, nil)
	_, err := e.GetCustomer(context.Background(), "C000001")
	te := wantTransient(t, err)
	if te.Status != http.StatusTooManyRequests || te.RetryAfter != 3*time.Second {
		t.Errorf("TransientError = %+v", te)
	}
	if st := e.Stats(t); st.Faults["rate_limited"] != 1 || st.Responses["429"] != 1 {
		t.Errorf("stats = %+v", st)
	}
}

func TestReverseJournalEntry(t *testing.T) {
	e := newSandboxEnv(t)
	ctx := context.Background()
	d := decimal.RequireFromString
	je, err := e.PostJournalEntry(ctx, erp.JournalEntry{Date: "2026-01-20", Currency: "USD", ExternalRef: "po_1", Lines: []erp.JournalLine{
		{Account: "1010-00", Debit: d("97.10")}, {Account: "6150-00", Debit: d("2.90")}, {Account: "1015-00", Credit: d("100.00")}}})
	if err != nil {
		t.Fatal(err)
	}
	rev, err := e.ReverseJournalEntry(ctx, je.Number, "2026-01-31", "")
	if err != nil {
		t.Fatal(err)
	}
	if rev.Date != "2026-01-31" || !rev.Lines[2].Debit.Equal(d("100")) || !rev.Lines[0].Credit.Equal(d("97.10")) {
		t.Errorf("reversal = %+v", rev)
	}
	orig, err := e.FindJournalEntry(ctx, "po_1")
	if err != nil || orig.Status != "Reversed" {
		t.Errorf("original after reversal = %+v, %v", orig, err)
	}
	_, err = e.ReverseJournalEntry(ctx, je.Number, "", "")
	if !erp.IsValidation(err) {
		t.Errorf("second reversal: %v", err)
	}
}

func TestBaseURLForms(t *testing.T) {
	e := newSandboxEnv(t)
	for _, u := range []string{e.URL, e.URL + "/", e.URL + "/Sage500API", e.URL + "/Sage500API/"} {
		if _, err := sage500.New(u, apiKey, nil).FindPayment(context.Background(), "ch_x"); err != nil {
			t.Errorf("base %q: %v", u, err)
		}
	}
}

func TestLocalValidation(t *testing.T) {
	c := sage500.New("http://127.0.0.1:1", apiKey, nil)
	ctx := context.Background()
	if _, err := c.FindDocument(ctx, "quote", "x"); !erp.IsValidation(err) {
		t.Errorf("unknown kind: %v", err)
	}
	if _, err := c.FindDocument(ctx, erp.KindInvoice, ""); !erp.IsValidation(err) {
		t.Errorf("empty ref: %v", err)
	}
	if _, err := c.UpdateCustomer(ctx, erp.Customer{Name: "x"}); !erp.IsValidation(err) {
		t.Errorf("update without ID: %v", err)
	}
}
