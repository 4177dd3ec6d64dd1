package activities

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"go.temporal.io/sdk/temporal"

	"github.com/ledgerbridge/ledgerbridge/internal/erp"
	"github.com/ledgerbridge/ledgerbridge/internal/erp/sage500"
	"github.com/ledgerbridge/ledgerbridge/internal/mapping"
	"github.com/ledgerbridge/ledgerbridge/sandbox/sagesandbox"
)

// newActivities wires the activities to a Sage sandbox over real HTTP.
func newActivities(t *testing.T) *Activities {
	t.Helper()
	srv, err := sagesandbox.New(sagesandbox.Config{DBPath: filepath.Join(t.TempDir(), "sage.db")})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() { hs.Close(); srv.Close() })
	return &Activities{
		ERP: sage500.New(hs.URL, sagesandbox.DefaultAPIKey, &http.Client{Timeout: 5 * time.Second}),
	}
}

func testCharge(id string) *ChargeSnapshot {
	return &ChargeSnapshot{ID: id, AmountMinor: 2500, Amount: decimal.RequireFromString("25.00"), Currency: "USD",
		Created: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC).Unix(), Status: "succeeded", Paid: true,
		Customer: CustomerSnapshot{StripeID: "cus_" + id, Email: id + "@example.com", Name: "Grace Hopper", City: "Arlington"}}
}

func isValidation(err error) bool {
	var app *temporal.ApplicationError
	return errors.As(err, &app) && app.Type() == ErrValidation && app.NonRetryable()
}

func TestResolveCustomerCreatesOnceThenFindsByStripeID(t *testing.T) {
	a, ctx := newActivities(t), context.Background()
	ch := testCharge("ch_a")
	first, err := a.ResolveCustomer(ctx, &ResolveCustomerInput{ChargeID: a.prime(ch)})
	if err != nil || first.How != "created" {
		t.Fatalf("first: %+v %v", first, err)
	}
	// A retry after a crash (the create happened, the result was lost) must not create again.
	again, err := a.ResolveCustomer(ctx, &ResolveCustomerInput{ChargeID: a.prime(ch)})
	if err != nil || again.How != "externalRef" || again.CustomerID != first.CustomerID {
		t.Fatalf("again: %+v %v", again, err)
	}
}

func TestResolveCustomerOrder(t *testing.T) {
	a, ctx := newActivities(t), context.Background()
	existing, err := a.ERP.CreateCustomer(ctx, erp.Customer{Name: "Known", Email: "known@example.com", Currency: "USD", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	// Email match links the Stripe ID to the ERP customer for next time.
	ch := testCharge("ch_b")
	ch.Customer.Email = "KNOWN@example.com"
	res, err := a.ResolveCustomer(ctx, &ResolveCustomerInput{ChargeID: a.prime(ch)})
	if err != nil || res.How != "email" || res.CustomerID != existing.ID {
		t.Fatalf("email: %+v %v", res, err)
	}
	if got, _ := a.ERP.GetCustomer(ctx, existing.ID); got.ExternalRef != "cus_ch_b" {
		t.Fatalf("cross-reference not stored: %+v", got)
	}
	// Stripe metadata naming the ERP customer wins.
	ch2 := testCharge("ch_c")
	ch2.Customer.Metadata = map[string]string{LegacyMetaKeys.CustomerID: existing.ID}
	if res, err := a.ResolveCustomer(ctx, &ResolveCustomerInput{ChargeID: a.prime(ch2)}); err != nil || res.How != "metadata" || res.CustomerID != existing.ID {
		t.Fatalf("metadata: %+v %v", res, err)
	}
	// Stale metadata (customer gone) falls back to matching instead of failing.
	ch3 := testCharge("ch_d")
	ch3.Customer.Metadata = map[string]string{LegacyMetaKeys.CustomerID: "GONE"}
	if res, err := a.ResolveCustomer(ctx, &ResolveCustomerInput{ChargeID: a.prime(ch3)}); err != nil || res.How != "created" {
		t.Fatalf("stale metadata: %+v %v", res, err)
	}
	// An ID that is not ERP key syntax (injected through metadata) is never sent to the ERP; the
	// customer's metadata is preferred over the charge's.
	ch4 := testCharge("ch_f")
	ch4.Customer.Metadata = map[string]string{LegacyMetaKeys.CustomerID: "../Customers?x=1"}
	ch4.Metadata = map[string]string{LegacyMetaKeys.CustomerID: existing.ID}
	if res, err := a.ResolveCustomer(ctx, &ResolveCustomerInput{ChargeID: a.prime(ch4)}); err != nil || res.How != "created" {
		t.Fatalf("invalid metadata ID: %+v %v", res, err)
	}
	ch5 := testCharge("ch_g")
	ch5.Customer.Metadata = map[string]string{LegacyMetaKeys.CustomerID: existing.ID}
	ch5.Metadata = map[string]string{LegacyMetaKeys.CustomerID: "OTHER"}
	if res, err := a.ResolveCustomer(ctx, &ResolveCustomerInput{ChargeID: a.prime(ch5)}); err != nil || res.CustomerID != existing.ID {
		t.Fatalf("customer metadata not preferred: %+v %v", res, err)
	}
	if _, err := a.ResolveCustomer(ctx, &ResolveCustomerInput{ChargeID: a.prime(ch3), Corrections: Corrections{CustomerID: "a b"}}); !isValidation(err) {
		t.Fatalf("invalid correction: %v", err)
	}
	// A correction that names a missing customer parks with a clear message.
	if _, err := a.ResolveCustomer(ctx, &ResolveCustomerInput{ChargeID: a.prime(ch3), Corrections: Corrections{CustomerID: "NOPE"}}); !isValidation(err) {
		t.Fatalf("bad correction: %v", err)
	}
	// A guest with no email cannot be matched: park.
	guest := testCharge("ch_e")
	guest.Customer = CustomerSnapshot{}
	if _, err := a.ResolveCustomer(ctx, &ResolveCustomerInput{ChargeID: a.prime(guest)}); !isValidation(err) {
		t.Fatalf("guest: %v", err)
	}
}

func TestPostInvoiceAndPaymentAreIdempotentAndCompensateTwice(t *testing.T) {
	a, ctx := newActivities(t), context.Background()
	ch := testCharge("ch_f")
	cust, err := a.ResolveCustomer(ctx, &ResolveCustomerInput{ChargeID: a.prime(ch)})
	if err != nil {
		t.Fatal(err)
	}
	in := &PostDocumentInput{ChargeID: a.prime(ch), CustomerID: cust.CustomerID}
	inv1, err := a.PostInvoice(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	inv2, err := a.PostInvoice(ctx, in)
	if err != nil || !inv2.Reused || inv2.Number != inv1.Number {
		t.Fatalf("second post: %+v %v", inv2, err)
	}
	pin := &ApplyPaymentInput{ChargeID: a.prime(ch), CustomerID: cust.CustomerID, InvoiceNumber: inv1.Number}
	p1, err := a.ApplyPayment(ctx, pin)
	if err != nil {
		t.Fatal(err)
	}
	if p2, err := a.ApplyPayment(ctx, pin); err != nil || !p2.Reused || p2.PaymentID != p1.PaymentID {
		t.Fatalf("second payment: %+v %v", p2, err)
	}
	comp := &CompensateInput{PaymentID: p1.PaymentID, InvoiceNumber: inv1.Number}
	if res, err := a.Compensate(ctx, comp); err != nil || len(res.Voided) != 2 {
		t.Fatalf("compensate: %+v %v", res, err)
	}
	if _, err := a.Compensate(ctx, comp); err != nil {
		t.Fatalf("compensating twice must be harmless: %v", err)
	}
	doc, _ := a.ERP.FindDocument(ctx, erp.KindInvoice, ch.ID)
	if doc.Status != "Void" {
		t.Fatalf("invoice %s", doc.Status)
	}
}

// A mapping data error (a card brand the value map does not know, no "*" fallback) parks the run
// with the mapping's message, before anything reaches the ERP.
func TestMappingDataErrorParksWithItsMessage(t *testing.T) {
	a, ctx := newActivities(t), context.Background()
	raw, err := mapping.DefaultYAML("sage500")
	if err != nil {
		t.Fatal(err)
	}
	strict := strings.Replace(string(raw), "    \"*\": Stripe\n", "", 1)
	m, err := mapping.Parse("strict.yaml", []byte(strict))
	if err != nil {
		t.Fatal(err)
	}
	a.Settings.Mapping = m
	ch := testCharge("ch_h")
	ch.CardBrand = "unionpay"
	_, err = a.ApplyPayment(ctx, &ApplyPaymentInput{ChargeID: a.prime(ch), CustomerID: "C1", InvoiceNumber: "INV-1"})
	if !isValidation(err) || !strings.Contains(err.Error(), "unionpay") {
		t.Fatalf("got %v", err)
	}
	if p, _ := a.ERP.FindPayment(ctx, ch.ID); p != nil {
		t.Fatalf("a payment reached the ERP: %+v", p)
	}
}

// sameInstantERP returns customers that all changed at one instant (a bulk edit).
type sameInstantERP struct {
	erp.Connector
	at  time.Time
	ids []string
}

func (f sameInstantERP) ListCustomersModifiedSince(_ context.Context, since time.Time) ([]erp.Customer, error) {
	var out []erp.Customer
	for _, id := range f.ids {
		if !f.at.Before(since) {
			out = append(out, erp.Customer{ID: id, UpdatedAt: f.at})
		}
	}
	return out, nil
}

// Many customers changed at the same instant page through the cursor (UpdatedAt, ID) instead of
// returning the same first page forever.
func TestChangedCustomersPageThroughATie(t *testing.T) {
	at := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	a := &Activities{ERP: sameInstantERP{at: at, ids: []string{"C5", "C1", "C3", "C2", "C4"}}}
	var seen []string
	cursor, after := time.Time{}, ""
	for i := 0; i < 5; i++ {
		res, err := a.ChangedERPCustomers(context.Background(), &ChangedERPCustomersInput{Since: cursor, AfterID: after, Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range res.Customers {
			seen = append(seen, c.ID)
			cursor, after = c.UpdatedAt, c.ID
		}
		if !res.More {
			break
		}
	}
	if strings.Join(seen, ",") != "C1,C2,C3,C4,C5" {
		t.Fatalf("paged %v", seen)
	}
}

// prime puts a snapshot in the worker's charge cache, as FetchCharge does, and returns its ID.
func (a *Activities) prime(ch *ChargeSnapshot) string {
	a.charges().put(ch)
	return ch.ID
}
