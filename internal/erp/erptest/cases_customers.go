package erptest

import (
	"strings"
	"testing"
	"time"

	"github.com/ledgerbridge/ledgerbridge/internal/erp"
)

func testCustomers(t *testing.T, c erp.Connector) {
	ctx := ctxT(t)
	in := erp.Customer{Name: "Ada Lovelace", Email: ref("ada") + "@Example.com", Phone: "+1 555 0100", Currency: "USD",
		ExternalRef: ref("cus"), Active: true,
		Address: erp.Address{Line1: "12 Analytical Way", Line2: "Suite 3", City: "London", State: "LN", PostalCode: "N1 9GU", Country: "GB"}}
	created := must(c.CreateCustomer(ctx, in))
	if created.ID == "" {
		t.Fatal("created customer has no ID")
	}
	if created.UpdatedAt.IsZero() {
		t.Error("created customer has no UpdatedAt")
	}
	want := in
	want.ID = created.ID
	if !sameCustomer(*created, want) {
		t.Errorf("created = %+v\nwant      %+v", *created, want)
	}
	if got := must(c.GetCustomer(ctx, created.ID)); !sameCustomer(*got, want) {
		t.Errorf("GetCustomer = %+v", *got)
	}
	if got := must(c.FindCustomerByExternalRef(ctx, in.ExternalRef)); got == nil || got.ID != created.ID {
		t.Errorf("FindCustomerByExternalRef = %+v", got)
	}
	// E-mail matching is case-insensitive, as finance teams expect.
	if got := must(c.FindCustomerByEmail(ctx, strings.ToUpper(in.Email))); got == nil || got.ID != created.ID {
		t.Errorf("FindCustomerByEmail(upper) = %+v", got)
	}
	if got := must(c.FindCustomerByExternalRef(ctx, ref("cus_missing"))); got != nil {
		t.Errorf("FindCustomerByExternalRef(missing) = %+v, want nil", got)
	}
	if got := must(c.FindCustomerByEmail(ctx, ref("nobody")+"@example.com")); got != nil {
		t.Errorf("FindCustomerByEmail(missing) = %+v, want nil", got)
	}

	dup := in
	dup.ExternalRef = ref("cus")
	if fixturesOf(c).UniqueCustomers {
		// The ERP refuses duplicate partners (same e-mail, or same external reference).
		_, err := c.CreateCustomer(ctx, dup)
		wantValidation(t, err, "Duplicate", created.ID)
		dup = in
		dup.Email = ref("other") + "@example.com"
		_, err = c.CreateCustomer(ctx, dup)
		wantValidation(t, err, "Duplicate", in.ExternalRef)
	} else {
		// A second customer with the same e-mail: lookups return the oldest.
		second := must(c.CreateCustomer(ctx, dup))
		if second.ID == created.ID {
			t.Fatal("second customer reused the first ID")
		}
		if got := must(c.FindCustomerByEmail(ctx, in.Email)); got == nil || got.ID != created.ID {
			t.Errorf("FindCustomerByEmail with two matches = %+v, want oldest %s", got, created.ID)
		}
	}

	upd := *created
	upd.Name, upd.Address.City, upd.Active = "Ada King", "Ockham", false
	got := must(c.UpdateCustomer(ctx, upd))
	if !sameCustomer(*got, upd) {
		t.Errorf("UpdateCustomer = %+v\nwant           %+v", *got, upd)
	}
	if got := must(c.GetCustomer(ctx, created.ID)); got.Name != "Ada King" || got.Active || got.Address.City != "Ockham" {
		t.Errorf("after update GetCustomer = %+v", *got)
	}
}

// sameCustomer compares two customers, ignoring the ERP-maintained UpdatedAt stamp.
func sameCustomer(a, b erp.Customer) bool {
	a.UpdatedAt, b.UpdatedAt = time.Time{}, time.Time{}
	return a == b
}

func testCustomersModifiedSince(t *testing.T, c erp.Connector) {
	ctx := ctxT(t)
	first := must(c.CreateCustomer(ctx, erp.Customer{Name: "Before", Email: ref("before") + "@example.com", Currency: "USD", Active: true}))
	time.Sleep(5 * time.Millisecond)
	cursor := time.Now()
	time.Sleep(5 * time.Millisecond)
	second := must(c.CreateCustomer(ctx, erp.Customer{Name: "After", Email: ref("after") + "@example.com", Currency: "USD", Active: true}))
	first.Name = "Before, edited"
	must(c.UpdateCustomer(ctx, *first))
	changed := must(c.ListCustomersModifiedSince(ctx, cursor))
	var ids []string
	for _, cu := range changed {
		ids = append(ids, cu.ID)
	}
	if len(ids) != 2 || ids[0] != second.ID || ids[1] != first.ID {
		t.Fatalf("ListCustomersModifiedSince = %v, want [%s %s] (oldest change first)", ids, second.ID, first.ID)
	}
}

func testCustomerValidation(t *testing.T, c erp.Connector) {
	ctx := ctxT(t)
	_, err := c.CreateCustomer(ctx, erp.Customer{Email: ref("x") + "@example.com", Active: true})
	wantValidation(t, err, fixturesOf(c).term(func(t Terms) string { return t.CustomerName }))
	// A missing customer is not an error: (nil, nil), like the Find* lookups.
	if got, err := c.GetCustomer(ctx, "NOSUCHCUST"); got != nil || err != nil {
		t.Errorf("GetCustomer(missing) = %+v, %v; want nil, nil", got, err)
	}
	_, err = c.UpdateCustomer(ctx, erp.Customer{ID: "NOSUCHCUST", Name: "X", Active: true})
	wantValidation(t, err, "NOSUCHCUST")
	_, err = c.CreateCustomer(ctx, erp.Customer{Name: "Bad Mail", Email: "not-an-email", Active: true})
	wantValidation(t, err, "not-an-email")
}
