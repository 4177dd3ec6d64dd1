package paytrace

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// Customer is a customer profile (PayTrace's vault), as exported: masked card only.
type Customer struct {
	// ID is the merchant-chosen customer_id (1-50 of A-Z a-z 0-9 _ . @ -).
	ID              string
	MaskedCard      string
	CardType        string
	CardExpMonth    int
	CardExpYear     int
	CheckAccount    string // masked account number of a check (ACH) profile
	RoutingNumber   string
	BillingAddress  Address
	ShippingAddress *Address
	Email           string
	Phone           string
	Fax             string
	Created         time.Time
	Updated         time.Time
}

// Check is a bank account for an ACH profile. AccountNumber is sensitive: excluded from JSON
// and masked when printed.
type Check struct {
	AccountNumber string `json:"-"`
	RoutingNumber string `json:"routing_number"`
}

// String shows the account masked.
func (c Check) String() string {
	return fmt.Sprintf("check %s routing %s", maskTail(c.AccountNumber), c.RoutingNumber)
}

// GoString is String.
func (c Check) GoString() string { return c.String() }

// LogValue is String, for log/slog.
func (c Check) LogValue() slog.Value { return slog.StringValue(c.String()) }

// NewCustomer is a profile to create (customer/create): a card and/or a check are required.
type NewCustomer struct {
	CustomerID      string
	CreditCard      *CreditCard
	Check           *Check
	BillingAddress  *Address
	ShippingAddress *Address
	Email           string
	Phone           string
	Fax             string
}

// CustomerUpdate changes a profile (customer/update): only the non-nil fields are sent and
// replace the stored ones (a pointer to "" clears a text field). NewCustomerID renames it.
type CustomerUpdate struct {
	CustomerID      string
	NewCustomerID   string
	CreditCard      *CreditCard
	Check           *Check
	BillingAddress  *Address
	ShippingAddress *Address
	Email           *string
	Phone           *string
	Fax             *string
}

// CustomerResult answers customer/create and customer/update.
type CustomerResult struct {
	Success          bool
	ResponseCode     int
	StatusMessage    string
	CustomerID       string
	MaskedCardNumber string
}

type customerResultWire struct {
	Success          bool    `json:"success"`
	ResponseCode     flexInt `json:"response_code"`
	StatusMessage    string  `json:"status_message"`
	CustomerID       string  `json:"customer_id"`
	MaskedCardNumber string  `json:"masked_card_number"`
}

type customerWire struct {
	CustomerID string    `json:"customer_id"`
	CreditCard *cardWire `json:"credit_card"`
	Check      *struct {
		MaskedAccountNumber string `json:"masked_account_number"`
		RoutingNumber       string `json:"routing_number"`
	} `json:"check"`
	BillingAddress  *Address  `json:"billing_address"`
	ShippingAddress *Address  `json:"shipping_address"`
	Email           string    `json:"email"`
	Phone           string    `json:"phone"`
	Fax             string    `json:"fax"`
	Created         stampWire `json:"created"`
	Updated         stampWire `json:"updated"`
}

func (w *customerWire) customer(endpoint string, loc *time.Location) (Customer, error) {
	c := Customer{ID: w.CustomerID, ShippingAddress: w.ShippingAddress, Email: w.Email, Phone: w.Phone, Fax: w.Fax}
	if w.BillingAddress != nil {
		c.BillingAddress = *w.BillingAddress
	}
	if cc := w.CreditCard; cc != nil {
		c.MaskedCard, c.CardType, c.CardExpMonth, c.CardExpYear = cc.MaskedNumber, cc.Type, int(cc.ExpirationMonth), int(cc.ExpirationYear)
	}
	if w.Check != nil {
		c.CheckAccount, c.RoutingNumber = w.Check.MaskedAccountNumber, w.Check.RoutingNumber
	}
	var err error
	if c.Created, err = parseStamp(w.Created, loc); err == nil {
		c.Updated, err = parseStamp(w.Updated, loc)
	}
	if err != nil {
		return c, &TransientError{Endpoint: endpoint, Message: fmt.Sprintf("customer %s: %v", c.ID, err)}
	}
	if c.Updated.IsZero() {
		c.Updated = c.Created
	}
	return c, nil
}

// CustomerQuery selects profiles for ExportCustomers; zero fields do not filter.
type CustomerQuery struct {
	// Email matches the profile email (case-insensitive).
	Email string
	// AfterCustomerID (sandbox extension) pages: only IDs sorting after it (the last ID of
	// the previous page). Sent only when set.
	AfterCustomerID string
}

// ExportCustomers returns one page of profiles by customer ID (customer/export) and whether
// more follow (has_more, a sandbox extension; false against the real API).
func (c *Client) ExportCustomers(ctx context.Context, q CustomerQuery) (page []Customer, more bool, err error) {
	body := map[string]any{}
	if q.Email != "" {
		body["email"] = q.Email
	}
	if q.AfterCustomerID != "" {
		body["after_customer_id"] = q.AfterCustomerID
	}
	list, more, err := c.exportCustomers(ctx, body)
	return list, more && len(list) > 0, err
}

// Customer fetches one profile by customer ID; an unknown ID is an *APIError (key 30)
// matching ErrNotFound.
func (c *Client) Customer(ctx context.Context, id string) (*Customer, error) {
	if id == "" {
		return nil, fmt.Errorf("%w: customer ID is required", ErrInvalidInput)
	}
	list, _, err := c.exportCustomers(ctx, map[string]any{"customer_id": id})
	if err := notFoundOn(err, KeyCustomerNotFound); err != nil {
		return nil, err
	}
	for i := range list {
		if list[i].ID == id {
			return &list[i], nil
		}
	}
	return nil, &APIError{Endpoint: "/v1/customer/export", ResponseCode: CodeError, notFound: true,
		StatusMessage: fmt.Sprintf("customer %s is not in the export", id)}
}

func (c *Client) exportCustomers(ctx context.Context, body map[string]any) ([]Customer, bool, error) {
	const path = "customer/export"
	var out struct {
		Customers []customerWire `json:"customers"`
		HasMore   bool           `json:"has_more"`
	}
	if err := c.do(ctx, path, body, &out); err != nil {
		return nil, false, err
	}
	list := make([]Customer, 0, len(out.Customers))
	for i := range out.Customers {
		cu, err := out.Customers[i].customer("/v1/"+path, c.loc)
		if err != nil {
			return nil, false, err
		}
		list = append(list, cu)
	}
	return list, out.HasMore, nil
}

// CreateCustomer creates a profile (customer/create → 160). A taken customer ID is an
// *APIError with Keys [171] (KeyDuplicateCustomer): the profile exists; update it instead.
func (c *Client) CreateCustomer(ctx context.Context, n NewCustomer) (*CustomerResult, error) {
	if n.CustomerID == "" {
		return nil, fmt.Errorf("%w: customer ID is required", ErrInvalidInput)
	}
	body := map[string]any{"customer_id": n.CustomerID}
	if n.CreditCard != nil {
		body["credit_card"] = n.CreditCard.wire()
	}
	if n.Check != nil {
		body["check"] = n.Check.wire()
	}
	if n.BillingAddress != nil {
		body["billing_address"] = n.BillingAddress
	}
	if n.ShippingAddress != nil {
		body["shipping_address"] = n.ShippingAddress
	}
	for k, v := range map[string]string{"email": n.Email, "phone": n.Phone, "fax": n.Fax} {
		if v != "" {
			body[k] = v
		}
	}
	return c.customerCall(ctx, "customer/create", body)
}

// UpdateCustomer changes a profile (customer/update → 161). An unknown ID matches
// ErrNotFound; renaming onto a taken ID is key 171.
func (c *Client) UpdateCustomer(ctx context.Context, u CustomerUpdate) (*CustomerResult, error) {
	if u.CustomerID == "" {
		return nil, fmt.Errorf("%w: customer ID is required", ErrInvalidInput)
	}
	body := map[string]any{"customer_id": u.CustomerID}
	if u.NewCustomerID != "" {
		body["new_customer_id"] = u.NewCustomerID
	}
	if u.CreditCard != nil {
		body["credit_card"] = u.CreditCard.wire()
	}
	if u.Check != nil {
		body["check"] = u.Check.wire()
	}
	if u.BillingAddress != nil {
		body["billing_address"] = u.BillingAddress
	}
	if u.ShippingAddress != nil {
		body["shipping_address"] = u.ShippingAddress
	}
	for k, v := range map[string]*string{"email": u.Email, "phone": u.Phone, "fax": u.Fax} {
		if v != nil {
			body[k] = *v
		}
	}
	res, err := c.customerCall(ctx, "customer/update", body)
	return res, notFoundOn(err, KeyCustomerNotFound)
}

// DeleteCustomer deletes a profile (customer/delete → 162); its transactions keep the ID.
func (c *Client) DeleteCustomer(ctx context.Context, id string) error {
	if id == "" {
		return fmt.Errorf("%w: customer ID is required", ErrInvalidInput)
	}
	_, err := c.customerCall(ctx, "customer/delete", map[string]any{"customer_id": id})
	return notFoundOn(err, KeyCustomerNotFound)
}

func (c *Client) customerCall(ctx context.Context, path string, body map[string]any) (*CustomerResult, error) {
	var w customerResultWire
	if err := c.do(ctx, path, body, &w); err != nil {
		return nil, err
	}
	return &CustomerResult{Success: w.Success, ResponseCode: int(w.ResponseCode), StatusMessage: w.StatusMessage,
		CustomerID: w.CustomerID, MaskedCardNumber: w.MaskedCardNumber}, nil
}

func (c Check) wire() map[string]any {
	return map[string]any{"account_number": c.AccountNumber, "routing_number": c.RoutingNumber}
}
