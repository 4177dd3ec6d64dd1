package paytrace

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ledgerbridge/ledgerbridge/sandbox/paytracesandbox"
)

func TestCustomerProfiles(t *testing.T) {
	e := newEnv(t, func(c *paytracesandbox.Config) { c.ExportLimit = 2 })
	ctx := t.Context()
	card := CreditCard{Number: paytracesandbox.CardMastercard, ExpirationMonth: 4, ExpirationYear: 2031}
	billing := &Address{Name: "Grace Hopper", StreetAddress: "9 Navy Way", City: "Arlington", State: "VA", Zip: "22201"}
	res, err := e.client.CreateCustomer(ctx, NewCustomer{CustomerID: "BPC-0001", CreditCard: &card, BillingAddress: billing,
		Email: "grace@example.com", Phone: "555-0100"})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Success || res.ResponseCode != CodeCustomerOK || res.CustomerID != "BPC-0001" || res.MaskedCardNumber != "xxxxxxxxxxxx5454" {
		t.Errorf("create = %+v", res)
	}

	_, err = e.client.CreateCustomer(ctx, NewCustomer{CustomerID: "BPC-0001", CreditCard: &card})
	var ae *APIError
	if !errors.As(err, &ae) || fmt.Sprint(ae.Keys) != "[171]" {
		t.Fatalf("duplicate: err = %v, want *APIError Keys [171]", err)
	}
	if strings.Contains(err.Error(), card.Number) || !strings.Contains(err.Error(), "171") {
		t.Errorf("duplicate error text = %q", err)
	}

	got, err := e.client.Customer(ctx, "BPC-0001")
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != "BPC-0001" || got.MaskedCard != "xxxxxxxxxxxx5454" || got.CardType != "MASTERCARD" ||
		got.CardExpMonth != 4 || got.CardExpYear != 2031 || got.BillingAddress != *billing ||
		got.Email != "grace@example.com" || got.Phone != "555-0100" || got.Created.IsZero() {
		t.Errorf("customer = %+v", got)
	}

	e.clock.advance(time.Minute)
	email := "g.hopper@example.com"
	up, err := e.client.UpdateCustomer(ctx, CustomerUpdate{CustomerID: "BPC-0001", Email: &email})
	if err != nil || up.ResponseCode != CodeCustomerUp {
		t.Fatalf("update = %+v, %v", up, err)
	}
	got, err = e.client.Customer(ctx, "BPC-0001")
	if err != nil {
		t.Fatal(err)
	}
	if got.Email != email || got.Phone != "555-0100" || !got.Updated.After(got.Created) {
		t.Errorf("after update: %+v", got)
	}
	if _, err := e.client.UpdateCustomer(ctx, CustomerUpdate{CustomerID: "NOPE", Email: &email}); !errors.Is(err, ErrNotFound) {
		t.Errorf("update unknown: err = %v, want ErrNotFound", err)
	}
	if _, err := e.client.Customer(ctx, "NOPE"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown customer: err = %v, want ErrNotFound", err)
	}

	// The vault charges the profile; the sale carries its customer ID.
	sale, err := e.client.SaleByCustomer(ctx, CustomerSale{CustomerID: "BPC-0001", SaleDetails: SaleDetails{Amount: dec("42.42"), InvoiceNumber: "SO-1"}})
	if err != nil || !sale.Success {
		t.Fatalf("sale by customer = %+v, %v", sale, err)
	}
	tx, err := e.client.ExportTransaction(ctx, sale.TransactionID)
	if err != nil {
		t.Fatal(err)
	}
	if tx.CustomerID != "BPC-0001" || tx.MaskedCard != "xxxxxxxxxxxx5454" || tx.CreatedThrough != "API Customer" {
		t.Errorf("vault sale = %+v", tx)
	}
	byCust, _, err := e.client.ExportTransactions(ctx, ExportQuery{Start: e.clock.Now(), End: e.clock.Now(), CustomerID: "BPC-0001"})
	if err != nil || len(byCust) != 1 {
		t.Errorf("export by customer = %d, %v", len(byCust), err)
	}
	if _, err := e.client.SaleByCustomer(ctx, CustomerSale{CustomerID: "NOPE", SaleDetails: SaleDetails{Amount: dec("1.00")}}); !errors.As(err, &ae) || !ae.HasKey(KeyCustomerNotFound) {
		t.Errorf("sale by unknown customer: err = %v, want key 30", err)
	}

	// Paging through profiles, two per page.
	for _, id := range []string{"BPC-0002", "BPC-0003", "BPC-0004"} {
		if _, err := e.client.CreateCustomer(ctx, NewCustomer{CustomerID: id, Check: &Check{AccountNumber: "123456789", RoutingNumber: "011000015"}}); err != nil {
			t.Fatal(err)
		}
	}
	var ids []string
	q := CustomerQuery{}
	for {
		page, more, err := e.client.ExportCustomers(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range page {
			ids = append(ids, c.ID)
		}
		if !more {
			break
		}
		q.AfterCustomerID = page[len(page)-1].ID
	}
	if strings.Join(ids, ",") != "BPC-0001,BPC-0002,BPC-0003,BPC-0004" {
		t.Errorf("paged customers = %v", ids)
	}
	check, err := e.client.Customer(ctx, "BPC-0002")
	if err != nil || check.CheckAccount == "" || strings.Contains(check.CheckAccount, "123456789") || check.RoutingNumber != "011000015" {
		t.Errorf("check profile = %+v, %v", check, err)
	}
	byEmail, _, err := e.client.ExportCustomers(ctx, CustomerQuery{Email: "G.HOPPER@example.com"})
	if err != nil || len(byEmail) != 1 || byEmail[0].ID != "BPC-0001" {
		t.Errorf("by email = %+v, %v", byEmail, err)
	}
	if err := e.client.DeleteCustomer(ctx, "BPC-0004"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.Customer(ctx, "BPC-0004"); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleted customer: err = %v, want ErrNotFound", err)
	}
}
