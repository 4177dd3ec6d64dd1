package sagex3

import (
	"context"
	"strings"
	"time"

	"github.com/ledgerbridge/ledgerbridge/internal/erp"
	"github.com/ledgerbridge/ledgerbridge/internal/erp/httpx"
	"github.com/ledgerbridge/ledgerbridge/internal/erp/sagex3/geo"
)

const customersPath = "/customers/businessPartners"

// BPCSTA values (X3 local menu: 1 No, 2 Yes).
const (
	bpcInactive = 1
	bpcActive   = 2
)

type wireCustomer struct {
	BPCNUM    string   `json:"BPCNUM,omitempty"`
	BPCNAM    string   `json:"BPCNAM"`
	WEB       string   `json:"WEB"`
	TEL       string   `json:"TEL"`
	BPAADDLIG []string `json:"BPAADDLIG"`
	CTY       string   `json:"CTY"`
	SAT       string   `json:"SAT"`
	POSCOD    string   `json:"POSCOD"`
	CRY       string   `json:"CRY"`
	CUR       string   `json:"CUR,omitempty"`
	ZEXTREF   string   `json:"ZEXTREF"`
	BPCSTA    int      `json:"BPCSTA,omitempty"`
	CREDATTIM string   `json:"CREDATTIM,omitempty"`
	UPDDATTIM string   `json:"UPDDATTIM,omitempty"`
}

// toWireCustomer maps and normalises a customer: X3 rejects state names, lower-case codes and
// unknown countries, so the connector sends ISO-2 countries and US/CA state codes.
func toWireCustomer(c erp.Customer) (wireCustomer, error) {
	w := wireCustomer{BPCNUM: c.ID, BPCNAM: fit(c.Name, 35), WEB: strings.TrimSpace(c.Email), TEL: fit(c.Phone, 20),
		CTY: fit(c.Address.City, 40), POSCOD: fit(c.Address.PostalCode, 10), CUR: c.Currency, ZEXTREF: c.ExternalRef, BPCSTA: bpcInactive}
	if c.Active {
		w.BPCSTA = bpcActive
	}
	w.BPAADDLIG = []string{}
	switch {
	case c.Address.Line2 != "":
		w.BPAADDLIG = []string{fit(c.Address.Line1, 50), fit(c.Address.Line2, 50)}
	case c.Address.Line1 != "":
		w.BPAADDLIG = []string{fit(c.Address.Line1, 50)}
	}
	if c.Address.Country != "" {
		cry, ok := geo.NormalizeCountry(c.Address.Country)
		if !ok {
			return w, httpx.Invalid("country %q is not an ISO 3166-1 country Sage X3 knows (CRY)", c.Address.Country)
		}
		w.CRY = cry
	}
	sat, ok := geo.NormalizeState(w.CRY, c.Address.State)
	if !ok {
		return w, httpx.Invalid("state %q is not a state of %s (SAT)", c.Address.State, w.CRY)
	}
	w.SAT = fit(sat, 35)
	return w, nil
}

func fromWireCustomer(w wireCustomer) *erp.Customer {
	c := &erp.Customer{ID: w.BPCNUM, Name: w.BPCNAM, Email: w.WEB, Phone: w.TEL, Currency: w.CUR, ExternalRef: w.ZEXTREF,
		Active: w.BPCSTA == bpcActive, UpdatedAt: parseStamp(w.UPDDATTIM),
		Address: erp.Address{City: w.CTY, State: w.SAT, PostalCode: w.POSCOD, Country: w.CRY}}
	if len(w.BPAADDLIG) > 0 {
		c.Address.Line1 = w.BPAADDLIG[0]
	}
	if len(w.BPAADDLIG) > 1 {
		c.Address.Line2 = strings.Join(w.BPAADDLIG[1:], ", ")
	}
	return c
}

// GetCustomer loads a business partner by BPCNUM; a missing one is (nil, nil).
func (c *Client) GetCustomer(ctx context.Context, id string) (*erp.Customer, error) {
	if id == "" {
		return nil, httpx.Invalid("customer ID is required")
	}
	w, err := httpx.GetOrNil[wireCustomer](ctx, c.h, customersPath+httpx.Seg(id))
	if err != nil || w == nil {
		return nil, err
	}
	return fromWireCustomer(*w), nil
}

// FindCustomerByExternalRef finds the oldest customer whose ZEXTREF is ref.
func (c *Client) FindCustomerByExternalRef(ctx context.Context, ref string) (*erp.Customer, error) {
	return c.findCustomer(ctx, "externalRef", ref)
}

// FindCustomerByEmail finds the oldest customer with this e-mail address (case-insensitive).
func (c *Client) FindCustomerByEmail(ctx context.Context, email string) (*erp.Customer, error) {
	return c.findCustomer(ctx, "email", email)
}

func (c *Client) findCustomer(ctx context.Context, param, v string) (*erp.Customer, error) {
	w, err := httpx.FirstBy[wireCustomer](ctx, c.h, customersPath, param, v)
	if err != nil || w == nil {
		return nil, err
	}
	return fromWireCustomer(*w), nil
}

// ListCustomersModifiedSince returns customers changed at or after since, oldest change first.
func (c *Client) ListCustomersModifiedSince(ctx context.Context, since time.Time) ([]erp.Customer, error) {
	return httpx.ModifiedSince(ctx, c.h, customersPath, since, fromWireCustomer)
}

// CreateCustomer creates an active business partner. X3 rejects a second BPC with the same
// e-mail or external reference (409, "Duplicate Customer (BPC) record detected during sync"):
// callers look the customer up first and update it instead.
func (c *Client) CreateCustomer(ctx context.Context, cust erp.Customer) (*erp.Customer, error) {
	w, err := toWireCustomer(cust)
	if err != nil {
		return nil, err
	}
	w.BPCSTA = bpcActive
	var out wireCustomer
	if err := c.h.Do(ctx, "POST", customersPath, nil, w, &out); err != nil {
		return nil, err
	}
	return fromWireCustomer(out), nil
}

// UpdateCustomer replaces the customer's fields (including Active) with cust's.
func (c *Client) UpdateCustomer(ctx context.Context, cust erp.Customer) (*erp.Customer, error) {
	if cust.ID == "" {
		return nil, httpx.Invalid("UpdateCustomer: customer ID is required")
	}
	w, err := toWireCustomer(cust)
	if err != nil {
		return nil, err
	}
	var out wireCustomer
	if err := c.h.Do(ctx, "PUT", customersPath+httpx.Seg(cust.ID), nil, w, &out); err != nil {
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

// parseStamp reads X3's RFC 3339 audit stamps; an unreadable one is the zero time.
func parseStamp(s string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}
