package sagepro

import (
	"context"
	"strings"
	"time"

	"github.com/ledgerbridge/ledgerbridge/internal/erp"
	"github.com/ledgerbridge/ledgerbridge/internal/erp/httpx"
)

type wireCustomer struct {
	Custno   string `json:"custno,omitempty"`
	Company  string `json:"company"`
	Contact  string `json:"contact"`
	Address1 string `json:"address1"`
	Address2 string `json:"address2"`
	City     string `json:"city"`
	State    string `json:"state"`
	Zip      string `json:"zip"`
	Country  string `json:"country"`
	Phone    string `json:"phone"`
	Email    string `json:"email"`
	Stripeid string `json:"stripeid"`
	Currcode string `json:"currcode,omitempty"`
	Status   string `json:"status,omitempty"`
	Entered  string `json:"entered,omitempty"`
	Lastupdt string `json:"lastupdt,omitempty"`
}

const customerPath = "/Customer"

// toWireCustomer fits a customer into arcust01's columns: company ≤ 40, address lines ≤ 40
// (an overlong first line spills into address2), upper-case codes.
func toWireCustomer(c erp.Customer) wireCustomer {
	a1, a2 := splitAddress(c.Address.Line1, c.Address.Line2, 40)
	w := wireCustomer{Custno: strings.ToUpper(strings.TrimSpace(c.ID)), Company: fit(c.Name, 40), Address1: a1, Address2: a2,
		City: fit(c.Address.City, 20), State: fit(strings.ToUpper(c.Address.State), 10), Zip: fit(c.Address.PostalCode, 10),
		Country: fit(strings.ToUpper(c.Address.Country), 3), Phone: fit(c.Phone, 20), Email: strings.TrimSpace(c.Email),
		Stripeid: c.ExternalRef, Currcode: c.Currency, Status: "I"}
	if c.Active {
		w.Status = "A"
	}
	return w
}

func fromWireCustomer(w wireCustomer) *erp.Customer {
	t, _ := time.Parse(time.RFC3339Nano, w.Lastupdt)
	return &erp.Customer{ID: w.Custno, Name: w.Company, Email: w.Email, Phone: w.Phone, Currency: w.Currcode,
		ExternalRef: w.Stripeid, Active: w.Status == "A", UpdatedAt: t,
		Address: erp.Address{Line1: w.Address1, Line2: w.Address2, City: w.City, State: w.State, PostalCode: w.Zip, Country: w.Country}}
}

// GetCustomer loads a customer by custno; a missing one is (nil, nil).
func (c *Client) GetCustomer(ctx context.Context, id string) (*erp.Customer, error) {
	if id == "" {
		return nil, httpx.Invalid("customer ID is required")
	}
	w, err := httpx.GetOrNil[wireCustomer](ctx, c.h, customerPath+httpx.Seg(id))
	if err != nil || w == nil {
		return nil, err
	}
	return fromWireCustomer(*w), nil
}

// FindCustomerByExternalRef finds the oldest customer whose stripeid is ref.
func (c *Client) FindCustomerByExternalRef(ctx context.Context, ref string) (*erp.Customer, error) {
	return c.findCustomer(ctx, "externalRef", ref)
}

// FindCustomerByEmail finds the oldest customer with this e-mail address (case-insensitive).
func (c *Client) FindCustomerByEmail(ctx context.Context, email string) (*erp.Customer, error) {
	return c.findCustomer(ctx, "email", email)
}

func (c *Client) findCustomer(ctx context.Context, param, v string) (*erp.Customer, error) {
	w, err := httpx.FirstBy[wireCustomer](ctx, c.h, customerPath, param, v)
	if err != nil || w == nil {
		return nil, err
	}
	return fromWireCustomer(*w), nil
}

// ListCustomersModifiedSince returns customers changed at or after since, oldest change first.
func (c *Client) ListCustomersModifiedSince(ctx context.Context, since time.Time) ([]erp.Customer, error) {
	return httpx.ModifiedSince(ctx, c.h, customerPath, since, fromWireCustomer)
}

// CreateCustomer creates an active customer; an empty ID lets Sage Pro assign a custno.
func (c *Client) CreateCustomer(ctx context.Context, cust erp.Customer) (*erp.Customer, error) {
	w := toWireCustomer(cust)
	w.Status = "A"
	var out wireCustomer
	if err := c.h.Do(ctx, "POST", customerPath, nil, w, &out); err != nil {
		return nil, err
	}
	return fromWireCustomer(out), nil
}

// UpdateCustomer replaces the customer's fields (including Active) with cust's.
func (c *Client) UpdateCustomer(ctx context.Context, cust erp.Customer) (*erp.Customer, error) {
	if cust.ID == "" {
		return nil, httpx.Invalid("UpdateCustomer: customer ID is required")
	}
	w := toWireCustomer(cust)
	var out wireCustomer
	if err := c.h.Do(ctx, "PUT", customerPath+httpx.Seg(w.Custno), nil, w, &out); err != nil {
		return nil, err
	}
	return fromWireCustomer(out), nil
}
