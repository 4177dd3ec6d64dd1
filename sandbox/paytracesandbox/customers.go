package paytracesandbox

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"
)

// checkIn is a request's check object (ACH account). The account number is masked at once.
type checkIn struct {
	AccountNumber string `json:"account_number"`
	RoutingNumber string `json:"routing_number"`
}

// checkInfo is what the sandbox keeps of a check account.
type checkInfo struct {
	MaskedAccount string `json:"masked_account"`
	Routing       string `json:"routing"`
}

// checkOut is the check object of customer exports.
type checkOut struct {
	MaskedAccountNumber string `json:"masked_account_number"`
	RoutingNumber       string `json:"routing_number"`
}

// customer is a stored customer profile (PayTrace's vault): the token is customer_id.
type customer struct {
	ID              string     `json:"id"`
	Card            *cardInfo  `json:"card,omitempty"`
	Check           *checkInfo `json:"check,omitempty"`
	BillingAddress  *address   `json:"billing_address,omitempty"`
	ShippingAddress *address   `json:"shipping_address,omitempty"`
	Email           string     `json:"email,omitempty"`
	Phone           string     `json:"phone,omitempty"`
	Fax             string     `json:"fax,omitempty"`
	Created         time.Time  `json:"created"`
	Updated         time.Time  `json:"updated"`
}

func (c *customer) name() string {
	if c.BillingAddress == nil {
		return ""
	}
	return c.BillingAddress.Name
}

func (c *customer) masked() string {
	if c.Card == nil {
		return ""
	}
	return c.Card.Masked
}

// customerRequest is the body of customer/create and customer/update.
type customerRequest struct {
	common
	CustomerID      string        `json:"customer_id"`
	NewCustomerID   string        `json:"new_customer_id"` // update only
	CreditCard      *creditCardIn `json:"credit_card"`
	Check           *checkIn      `json:"check"`
	BillingAddress  *address      `json:"billing_address"`
	ShippingAddress *address      `json:"shipping_address"`
	Email           *string       `json:"email"`
	Phone           *string       `json:"phone"`
	Fax             *string       `json:"fax"`
}

// customerIDRequest is the body of customer/delete.
type customerIDRequest struct {
	common
	CustomerID string `json:"customer_id"`
}

// customerExportRequest is the body of customer/export.
type customerExportRequest struct {
	common
	CustomerID string `json:"customer_id"`
	Email      string `json:"email"`
	// AfterCustomerID (sandbox extension) pages: only customer IDs sorting after it.
	AfterCustomerID string `json:"after_customer_id"`
}

// customerResponse answers create, update and delete.
type customerResponse struct {
	Success          bool   `json:"success"`
	ResponseCode     int    `json:"response_code"`
	StatusMessage    string `json:"status_message"`
	CustomerID       string `json:"customer_id"`
	MaskedCardNumber string `json:"masked_card_number,omitempty"`
}

// customerOut is a profile in customer/export.
type customerOut struct {
	CustomerID      string    `json:"customer_id"`
	CreditCard      *cardOut  `json:"credit_card,omitempty"`
	Check           *checkOut `json:"check,omitempty"`
	BillingAddress  address   `json:"billing_address"`
	ShippingAddress *address  `json:"shipping_address,omitempty"`
	Email           string    `json:"email"`
	Phone           string    `json:"phone"`
	Fax             string    `json:"fax"`
	Created         stamp     `json:"created"`
	Updated         stamp     `json:"updated"`
}

// customersResponse answers customer/export.
type customersResponse struct {
	Success       bool          `json:"success"`
	ResponseCode  int           `json:"response_code"`
	StatusMessage string        `json:"status_message"`
	Customers     []customerOut `json:"customers"`
	HasMore       bool          `json:"has_more"`
}

var customerIDPattern = regexp.MustCompile(`^[A-Za-z0-9_.@-]{1,50}$`)

func checkCustomerID(p problems, field, id string) {
	if !customerIDPattern.MatchString(id) {
		p.add(keyCustomerID, "Please provide a valid Customer ID. %s must be 1-50 letters, digits or _.@-.", field)
	}
}

// validateCheck checks a check object: a 9-digit ABA routing number and a 4-17 digit account.
func validateCheck(p problems, in *checkIn) *checkInfo {
	acct, routing := in.AccountNumber, in.RoutingNumber
	if len(acct) < 4 || len(acct) > 17 || strings.Trim(acct, "0123456789") != "" {
		p.add(keyCheckAccount, "Please provide a valid Checking Account Number.")
	}
	if !abaValid(routing) {
		p.add(keyCheckRouting, "Please provide a valid Transit Routing Number.")
	}
	return &checkInfo{MaskedAccount: maskNumber(acct), Routing: routing}
}

// abaValid checks the ABA routing number checksum.
func abaValid(r string) bool {
	if len(r) != 9 || strings.Trim(r, "0123456789") != "" {
		return false
	}
	w := []int{3, 7, 1, 3, 7, 1, 3, 7, 1}
	sum := 0
	for i := range 9 {
		sum += int(r[i]-'0') * w[i]
	}
	return sum%10 == 0
}

// applyProfile validates the request's profile fields into c (only the fields sent).
func (s *Server) applyProfile(p problems, req *customerRequest, c *customer) {
	if req.CreditCard != nil {
		card := validateCard(p, req.CreditCard, s.now().In(s.loc))
		c.Card = &card
	}
	if req.Check != nil {
		c.Check = validateCheck(p, req.Check)
	}
	if req.BillingAddress != nil {
		validateAddress(p, "billing_address", req.BillingAddress)
		c.BillingAddress = req.BillingAddress
	}
	if req.ShippingAddress != nil {
		validateAddress(p, "shipping_address", req.ShippingAddress)
		c.ShippingAddress = req.ShippingAddress
	}
	if req.Email != nil {
		checkEmail(p, *req.Email)
		c.Email = *req.Email
	}
	if req.Phone != nil {
		checkText(p, "phone", *req.Phone, 20)
		c.Phone = *req.Phone
	}
	if req.Fax != nil {
		checkText(p, "fax", *req.Fax, 20)
		c.Fax = *req.Fax
	}
}

func getCustomer(ctx context.Context, q dbtx, id string) (*customer, error) {
	var c customer
	ok, err := getJSON(ctx, q, &c, `SELECT data FROM customers WHERE customer_id = ?`, id)
	if err != nil || !ok {
		return nil, err
	}
	return &c, nil
}

// mustCustomer loads a profile or fails with PayTrace's key 30.
func mustCustomer(ctx context.Context, q dbtx, id string) (*customer, error) {
	c, err := getCustomer(ctx, q, id)
	if err != nil {
		return nil, err
	}
	if c == nil {
		return nil, fail(keyCustomerAbsent, "Customer ID, %s, was not found or is incomplete.", id)
	}
	return c, nil
}

func putCustomer(ctx context.Context, q dbtx, c *customer) error {
	data, err := json.Marshal(c)
	if err != nil {
		return err
	}
	_, err = q.ExecContext(ctx, `INSERT INTO customers (customer_id, created_ns, updated_ns, data) VALUES (?, ?, ?, ?)
		ON CONFLICT (customer_id) DO UPDATE SET updated_ns = excluded.updated_ns, data = excluded.data`,
		c.ID, c.Created.UnixNano(), c.Updated.UnixNano(), string(data))
	return err
}

// customerCreate creates a profile under the merchant-chosen customer_id.
func (s *Server) customerCreate(c *call) (int, any, error) {
	var req customerRequest
	p, err := s.decode(c, &req)
	if err != nil {
		return 0, nil, err
	}
	checkCustomerID(p, "customer_id", req.CustomerID)
	if req.NewCustomerID != "" {
		p.add(keyMalformed, "new_customer_id applies to customer/update only.")
	}
	if req.CreditCard == nil && req.Check == nil {
		p.add(keyCardNumber, "Please provide a valid Credit Card Number. credit_card (or check) is required.")
	}
	cust := &customer{ID: req.CustomerID}
	s.applyProfile(p, &req, cust)
	if err := p.err(); err != nil {
		return 0, nil, err
	}
	err = s.update(c.ctx, func(w *wtx) error {
		old, err := getCustomer(w.ctx, w.tx, cust.ID)
		if err != nil {
			return err
		}
		if old != nil {
			e := fail(keyDuplicateCust, "Please provide a unique customer ID.")
			e.Masked = cust.masked()
			return e
		}
		cust.Created, cust.Updated = w.now, w.now
		return putCustomer(w.ctx, w.tx, cust)
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, customerResponse{Success: true, ResponseCode: codeCustomerOK,
		StatusMessage: fmt.Sprintf("The customer profile for %s/%s was successfully created", cust.ID, cust.name()),
		CustomerID:    cust.ID, MaskedCardNumber: cust.masked()}, nil
}

// customerUpdate replaces the fields sent (a new card replaces the stored one) and may
// rename the profile with new_customer_id.
func (s *Server) customerUpdate(c *call) (int, any, error) {
	var req customerRequest
	p, err := s.decode(c, &req)
	if err != nil {
		return 0, nil, err
	}
	checkCustomerID(p, "customer_id", req.CustomerID)
	if req.NewCustomerID != "" {
		checkCustomerID(p, "new_customer_id", req.NewCustomerID)
	}
	if err := p.err(); err != nil {
		return 0, nil, err
	}
	var cust *customer
	err = s.update(c.ctx, func(w *wtx) error {
		var err error
		if cust, err = mustCustomer(w.ctx, w.tx, req.CustomerID); err != nil {
			return err
		}
		p := problems{}
		s.applyProfile(p, &req, cust)
		if err := p.err(); err != nil {
			return err
		}
		if req.NewCustomerID != "" && req.NewCustomerID != cust.ID {
			taken, err := getCustomer(w.ctx, w.tx, req.NewCustomerID)
			if err != nil {
				return err
			}
			if taken != nil {
				return fail(keyDuplicateCust, "Please provide a unique customer ID.")
			}
			if _, err := w.tx.ExecContext(w.ctx, `DELETE FROM customers WHERE customer_id = ?`, cust.ID); err != nil {
				return err
			}
			cust.ID = req.NewCustomerID
		}
		cust.Updated = w.now
		return putCustomer(w.ctx, w.tx, cust)
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, customerResponse{Success: true, ResponseCode: codeCustomerUp,
		StatusMessage: fmt.Sprintf("The customer profile for %s/%s was successfully updated", cust.ID, cust.name()),
		CustomerID:    cust.ID, MaskedCardNumber: cust.masked()}, nil
}

// customerDelete deletes a profile; its past transactions keep their customer_id.
func (s *Server) customerDelete(c *call) (int, any, error) {
	var req customerIDRequest
	p, err := s.decode(c, &req)
	if err != nil {
		return 0, nil, err
	}
	checkCustomerID(p, "customer_id", req.CustomerID)
	if err := p.err(); err != nil {
		return 0, nil, err
	}
	var cust *customer
	err = s.update(c.ctx, func(w *wtx) error {
		var err error
		if cust, err = mustCustomer(w.ctx, w.tx, req.CustomerID); err != nil {
			return err
		}
		_, err = w.tx.ExecContext(w.ctx, `DELETE FROM customers WHERE customer_id = ?`, cust.ID)
		return err
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, customerResponse{Success: true, ResponseCode: codeCustomerDl,
		StatusMessage: fmt.Sprintf("The customer profile for %s/%s was successfully deleted", cust.ID, cust.name()),
		CustomerID:    cust.ID}, nil
}

// customerExport exports profiles (masked cards only), by customer_id, at most ExportLimit.
func (s *Server) customerExport(c *call) (int, any, error) {
	var req customerExportRequest
	p, err := s.decode(c, &req)
	if err != nil {
		return 0, nil, err
	}
	if err := p.err(); err != nil {
		return 0, nil, err
	}
	q := `SELECT data FROM customers WHERE customer_id > ?`
	args := []any{req.AfterCustomerID}
	if req.CustomerID != "" {
		q += ` AND customer_id = ?`
		args = append(args, req.CustomerID)
	}
	if req.Email != "" {
		q += ` AND lower(json_extract(data, '$.email')) = lower(?)`
		args = append(args, req.Email)
	}
	q += ` ORDER BY customer_id LIMIT ?`
	args = append(args, s.cfg.ExportLimit+1)
	rows, err := s.st.db.QueryContext(c.ctx, q, args...)
	list, err := decodeRows[customer](rows, err)
	if err != nil {
		return 0, nil, err
	}
	if req.CustomerID != "" && len(list) == 0 {
		return 0, nil, fail(keyCustomerAbsent, "Customer ID, %s, was not found or is incomplete.", req.CustomerID)
	}
	out := customersResponse{Success: true, ResponseCode: codeCompleted, StatusMessage: msgCompleted, Customers: []customerOut{}}
	if len(list) > s.cfg.ExportLimit {
		list, out.HasMore = list[:s.cfg.ExportLimit], true
	}
	for i := range list {
		out.Customers = append(out.Customers, s.renderCustomer(&list[i]))
	}
	return http.StatusOK, out, nil
}

func (s *Server) renderCustomer(c *customer) customerOut {
	o := customerOut{CustomerID: c.ID, CreditCard: c.Card.out(), ShippingAddress: c.ShippingAddress,
		Email: c.Email, Phone: c.Phone, Fax: c.Fax, Created: s.stamp(c.Created), Updated: s.stamp(c.Updated)}
	if c.Check != nil {
		o.Check = &checkOut{MaskedAccountNumber: c.Check.MaskedAccount, RoutingNumber: c.Check.Routing}
	}
	if c.BillingAddress != nil {
		o.BillingAddress = *c.BillingAddress
	}
	return o
}
