package sage500

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/ledgerbridge/ledgerbridge/internal/erp"
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

// GetCustomer loads a customer by CustomerID; a missing one is a ValidationError with Status 404.
func (c *Client) GetCustomer(ctx context.Context, id string) (*erp.Customer, error) {
	if id == "" {
		return nil, localInvalid("customer ID is required")
	}
	var w wireCustomer
	if err := c.do(ctx, "GET", "/Customers/"+pathEscape(id), nil, nil, &w); err != nil {
		// The port's contract: a customer that does not exist is (nil, nil), so callers can
		// fall back to matching (stale Stripe metadata is not an error).
		var v *erp.ValidationError
		if errors.As(err, &v) && v.Status == http.StatusNotFound {
			return nil, nil
		}
		return nil, err
	}
	return fromWireCustomer(w), nil
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
	if v == "" {
		return nil, localInvalid("customer lookup by %s needs a non-empty value", param)
	}
	var l list[wireCustomer]
	if err := c.do(ctx, "GET", "/Customers", url.Values{param: {v}}, nil, &l); err != nil {
		return nil, err
	}
	if len(l.Value) == 0 {
		return nil, nil
	}
	return fromWireCustomer(l.Value[0]), nil
}

// ListCustomersModifiedSince returns the customers Sage 500 changed at or after since, oldest
// change first (the ERP → Stripe sync's cursor query).
func (c *Client) ListCustomersModifiedSince(ctx context.Context, since time.Time) ([]erp.Customer, error) {
	var l list[wireCustomer]
	if err := c.do(ctx, "GET", "/Customers", url.Values{"modifiedSince": {since.UTC().Format(time.RFC3339Nano)}}, nil, &l); err != nil {
		return nil, err
	}
	out := make([]erp.Customer, 0, len(l.Value))
	for _, w := range l.Value {
		out = append(out, *fromWireCustomer(w))
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].UpdatedAt.Before(out[j].UpdatedAt) })
	return out, nil
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
