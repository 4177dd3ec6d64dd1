package sage500

import (
	"context"
	"strings"
	"time"

	"github.com/ledgerbridge/ledgerbridge/internal/erp"
	"github.com/ledgerbridge/ledgerbridge/internal/erp/httpx"
)

func toWireCustomer(c erp.Customer) wireCustomer {
	status := "Inactive"
	if c.Active {
		status = "Active"
	}
	// Sage 500's columns are narrow (tarCustomer/tciAddress widths); provider data is cut to fit
	// rather than rejected, and the full value stays in the provider.
	return wireCustomer{
		CustomerID: c.ID, CustomerName: fit(c.Name, 40), EmailAddress: c.Email, PhoneNumber: fit(c.Phone, 17),
		BillingAddress1: fit(c.Address.Line1, 40), BillingAddress2: fit(c.Address.Line2, 40), BillingCity: fit(c.Address.City, 20),
		BillingState: fit(c.Address.State, 3), BillingZip: fit(c.Address.PostalCode, 10), BillingCountry: fit(c.Address.Country, 3),
		StripeCustomerID_Custom: c.ExternalRef, CurrID: c.Currency, Status: status,
	}
}

func fromWireCustomer(w wireCustomer) *erp.Customer {
	return &erp.Customer{
		ID: w.CustomerID, Name: w.CustomerName, Email: w.EmailAddress, Phone: w.PhoneNumber,
		Address: erp.Address{Line1: w.BillingAddress1, Line2: w.BillingAddress2, City: w.BillingCity,
			State: w.BillingState, PostalCode: w.BillingZip, Country: w.BillingCountry},
		Currency: w.CurrID, ExternalRef: w.StripeCustomerID_Custom, Active: w.Status == "Active",
		UpdatedAt: parseStamp(w.UpdateDate),
	}
}

// GetCustomer loads a customer by CustomerID; a missing one is (nil, nil).
func (c *Client) GetCustomer(ctx context.Context, id string) (*erp.Customer, error) {
	if id == "" {
		return nil, localInvalid("customer ID is required")
	}
	w, err := httpx.GetOrNil[wireCustomer](ctx, c.h, "/Customers"+httpx.Seg(id))
	if err != nil || w == nil {
		return nil, err
	}
	return fromWireCustomer(*w), nil
}

// FindCustomerByExternalRef finds the oldest customer whose StripeCustomerID_Custom is ref.
func (c *Client) FindCustomerByExternalRef(ctx context.Context, ref string) (*erp.Customer, error) {
	return c.findCustomer(ctx, "externalRef", ref)
}

// FindCustomerByEmail finds the oldest customer with this e-mail address (case-insensitive).
func (c *Client) FindCustomerByEmail(ctx context.Context, email string) (*erp.Customer, error) {
	return c.findCustomer(ctx, "email", email)
}

func (c *Client) findCustomer(ctx context.Context, param, v string) (*erp.Customer, error) {
	w, err := httpx.FirstBy[wireCustomer](ctx, c.h, "/Customers", param, v)
	if err != nil || w == nil {
		return nil, err
	}
	return fromWireCustomer(*w), nil
}

// ListCustomersModifiedSince returns the customers Sage 500 changed at or after since, oldest
// change first (the ERP → Stripe sync's cursor query).
func (c *Client) ListCustomersModifiedSince(ctx context.Context, since time.Time) ([]erp.Customer, error) {
	return httpx.ModifiedSince(ctx, c.h, "/Customers", since, fromWireCustomer)
}

// CreateCustomer creates an Active customer (a new record cannot already be deactivated, so
// c.Active is ignored). An empty c.ID lets Sage 500 assign one.
func (c *Client) CreateCustomer(ctx context.Context, cust erp.Customer) (*erp.Customer, error) {
	w := toWireCustomer(cust)
	w.Status = "Active"
	var out wireCustomer
	if err := c.do(ctx, "POST", "/Customers", nil, w, &out); err != nil {
		return nil, err
	}
	return fromWireCustomer(out), nil
}

// UpdateCustomer replaces the customer's fields (including Active) with cust's.
func (c *Client) UpdateCustomer(ctx context.Context, cust erp.Customer) (*erp.Customer, error) {
	if cust.ID == "" {
		return nil, localInvalid("UpdateCustomer: customer ID is required")
	}
	var out wireCustomer
	if err := c.do(ctx, "PUT", "/Customers/"+pathEscape(cust.ID), nil, toWireCustomer(cust), &out); err != nil {
		return nil, err
	}
	return fromWireCustomer(out), nil
}

// fit cuts s to at most n characters (runes, not bytes).
func fit(s string, n int) string {
	r := []rune(strings.TrimSpace(s))
	if len(r) <= n {
		return string(r)
	}
	return strings.TrimSpace(string(r[:n]))
}

// parseStamp reads Sage's RFC 3339 audit stamps; an unreadable one is the zero time.
func parseStamp(s string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}
