package tests

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stripe/stripe-go/v76"

	"github.com/ledgerbridge/ledgerbridge/activities"
	"github.com/ledgerbridge/ledgerbridge/internal/paytrace"
	"github.com/ledgerbridge/ledgerbridge/workflows"
)

// PayTrace customer profiles and Sage X3 business partners stay in sync both ways: a profile
// becomes one BPC (the one its by-customer sales post to), an edit in X3 reaches the profile, an
// edit of the profile reaches X3, a converged pass writes nothing, and PayTrace customers are not
// pushed to Stripe by the Stripe sync.
func TestPayTraceProfilesSyncWithBPC(t *testing.T) {
	e := newPayTraceEnv(t)
	ctx := context.Background()
	id := "annie-" + uniqueSuffix()
	email := id + "@example.com"
	if r, err := e.pt.CreateCustomer(ctx, paytrace.NewCustomer{CustomerID: id, Email: email,
		CreditCard:     &paytrace.CreditCard{Number: testPAN, ExpirationMonth: 12, ExpirationYear: 2030},
		BillingAddress: &paytrace.Address{Name: "Annie Easley", StreetAddress: "21000 Brookpark Rd", City: "Cleveland", State: "oh", Zip: "44135", Country: "US"}}); err != nil || !r.Success {
		t.Fatalf("create profile: %+v %v", r, err)
	}
	sync := func() workflows.PayTraceCustomerSyncResult {
		var res workflows.PayTraceCustomerSyncResult
		e.triggerSchedule(t, workflows.PayTraceCustomerSyncScheduleID, workflows.PayTraceCustomerSyncWorkflowName, &res)
		if len(res.Failed) > 0 {
			t.Fatalf("sync failures: %v", res.Failed)
		}
		return res
	}
	if r := sync(); r.Created != 1 {
		t.Fatalf("first pass %+v, want one BPC created", r)
	}
	ref := activities.PayTraceCustomerRef(id)
	bpc, err := e.conn.FindCustomerByExternalRef(ctx, ref)
	if err != nil || bpc == nil || bpc.Name != "Annie Easley" || bpc.Address.State != "OH" || bpc.Email != email {
		t.Fatalf("BPC of profile %s: %+v %v", id, bpc, err)
	}

	// A sale by the profile posts to that BPC.
	sale, err := e.pt.SaleByCustomer(ctx, paytrace.CustomerSale{CustomerID: id, SaleDetails: paytrace.SaleDetails{
		Amount: decimal.RequireFromString("19.99"), InvoiceNumber: "WEB-2001", LineItems: []paytrace.LineItem{line("WIDGET", 1, "19.99")}}})
	if err != nil || !sale.Success {
		t.Fatalf("sale by customer: %+v %v", sale, err)
	}
	if r := e.waitTx(t, sale.TransactionID); r.Status != workflows.StatusPosted || r.CustomerID != bpc.ID {
		t.Fatalf("sale run %+v, want customer %s", r, bpc.ID)
	}

	// An edit in X3 reaches the profile.
	time.Sleep(1100 * time.Millisecond) // timestamps are to the second: the X3 edit must be newer
	edited := *bpc
	edited.Name, edited.Address.City = "Annie J. Easley", "Brook Park"
	if _, err := e.conn.UpdateCustomer(ctx, edited); err != nil {
		t.Fatal(err)
	}
	if r := sync(); r.Pushed != 1 {
		t.Fatalf("pass after the X3 edit %+v, want one profile pushed", r)
	}
	p, err := e.pt.Customer(ctx, id)
	if err != nil || p.BillingAddress.Name != "Annie J. Easley" || p.BillingAddress.City != "Brook Park" || p.MaskedCard == "" {
		t.Fatalf("profile after the X3 edit: %+v %v", p, err)
	}

	// An edit of the profile reaches X3.
	time.Sleep(1100 * time.Millisecond)
	newEmail := "annie.easley-" + uniqueSuffix() + "@example.com"
	if r, err := e.pt.UpdateCustomer(ctx, paytrace.CustomerUpdate{CustomerID: id, Email: &newEmail}); err != nil || !r.Success {
		t.Fatalf("update profile: %+v %v", r, err)
	}
	if r := sync(); r.Updated != 1 {
		t.Fatalf("pass after the profile edit %+v, want one BPC updated", r)
	}
	if got, _ := e.conn.GetCustomer(ctx, bpc.ID); got == nil || !strings.EqualFold(got.Email, newEmail) || got.Name != "Annie J. Easley" {
		t.Fatalf("BPC after the profile edit: %+v", got)
	}

	// Converged: nothing more is written either way, and still one BPC.
	sync()
	if r := sync(); r.Created+r.Updated+r.Pushed != 0 {
		t.Fatalf("a converged pass still writes: %+v", r)
	}
	if n := len(e.count(t, "/api/v1/customers/businessPartners", ref)); n != 1 {
		t.Fatalf("%d BPCs for profile %s", n, id)
	}
	// The Stripe sync leaves PayTrace customers alone.
	e.triggerSync(t)
	it := e.sc.Customers.List(&stripe.CustomerListParams{Email: stripe.String(newEmail)})
	if it.Next() {
		t.Fatalf("PayTrace customer pushed to Stripe: %s", it.Customer().ID)
	}
}
