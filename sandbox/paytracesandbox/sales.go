package paytracesandbox

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/shopspring/decimal"
)

// saleDetails are the optional descriptive fields of sales and authorizations.
type saleDetails struct {
	Amount              json.RawMessage   `json:"amount"`
	InvoiceNumber       string            `json:"invoice_number"`
	Description         string            `json:"description"`
	Email               string            `json:"email"`
	TaxAmount           json.RawMessage   `json:"tax_amount"`
	CustomerReferenceID string            `json:"customer_reference_id"`
	ShippingAddress     *address          `json:"shipping_address"`
	DiscretionaryData   map[string]string `json:"discretionary_data"`
	LineItems           []lineItemIn      `json:"line_items"`
}

// keyedRequest is the body of sale/keyed and authorization/keyed.
type keyedRequest struct {
	common
	saleDetails
	CreditCard     *creditCardIn `json:"credit_card"`
	CSC            *string       `json:"csc"`
	BillingAddress *address      `json:"billing_address"`
}

// byCustomerRequest is the body of sale/by_customer and authorization/by_customer.
type byCustomerRequest struct {
	common
	saleDetails
	CustomerID string  `json:"customer_id"`
	CSC        *string `json:"csc"`
}

// txnResponse answers a sale or authorization, approved or declined.
type txnResponse struct {
	Success               bool   `json:"success"`
	ResponseCode          int    `json:"response_code"`
	StatusMessage         string `json:"status_message"`
	TransactionID         int64  `json:"transaction_id"`
	ApprovalCode          string `json:"approval_code"`
	ApprovalMessage       string `json:"approval_message"`
	AVSResponse           string `json:"avs_response"`
	CSCResponse           string `json:"csc_response"`
	ExternalTransactionID string `json:"external_transaction_id"`
	MaskedCardNumber      string `json:"masked_card_number"`
}

// applyDetails validates the descriptive fields into t.
func applyDetails(p problems, d *saleDetails, t *transaction) {
	t.Amount = requireAmount(p, d.Amount, "amount")
	checkText(p, "invoice_number", d.InvoiceNumber, 50)
	checkText(p, "description", d.Description, 255)
	checkText(p, "customer_reference_id", d.CustomerReferenceID, 25)
	checkEmail(p, d.Email)
	validateAddress(p, "shipping_address", d.ShippingAddress)
	if d.TaxAmount != nil {
		tax, ok := parseAmount(d.TaxAmount)
		if !ok || tax.GreaterThan(t.Amount) {
			p.add(keyAmount, "Please provide a valid Tax Amount: at most 2 decimals and not above amount.")
		} else {
			t.TaxAmount = &tax
		}
	}
	if len(d.DiscretionaryData) > 20 {
		p.add(keyText, "discretionary_data holds at most 20 entries.")
	}
	t.InvoiceNumber, t.Description, t.Email, t.CustomerRef = d.InvoiceNumber, d.Description, d.Email, d.CustomerReferenceID
	t.ShippingAddress, t.Discretionary = d.ShippingAddress, d.DiscretionaryData
	t.LineItems = validateLineItems(p, d.LineItems)
}

// checkCSC validates an optional csc (3 digits, 4 for Amex) and reports whether one was given.
// The CSC is never stored.
func checkCSC(p problems, csc *string, brand string) bool {
	if csc == nil || *csc == "" {
		return false
	}
	want := 3
	if brand == brandAmex {
		want = 4
	}
	if len(*csc) != want || strings.Trim(*csc, "0123456789") != "" {
		p.add(keyCSC, "Please provide a valid CSC (%d digits).", want)
	}
	return true
}

// saleKeyed serves sale/keyed (kind SALE) and authorization/keyed (kind AUTHORIZATION).
func (s *Server) saleKeyed(kind string) handlerFunc {
	return func(c *call) (int, any, error) {
		var req keyedRequest
		p, err := s.decode(c, &req)
		if err != nil {
			return 0, nil, err
		}
		t := &transaction{Type: kind, Through: "API Keyed", By: c.user}
		applyDetails(p, &req.saleDetails, t)
		t.Card = validateCard(p, req.CreditCard, s.now().In(s.loc))
		csc := checkCSC(p, req.CSC, t.Card.Type)
		validateAddress(p, "billing_address", req.BillingAddress)
		t.BillingAddress = req.BillingAddress
		if err := p.err(); err != nil {
			return 0, nil, err
		}
		var resp txnResponse
		err = s.update(c.ctx, func(w *wtx) error {
			resp, err = s.processPayment(w, t, csc)
			return err
		})
		return paymentStatus(resp), resp, err
	}
}

// saleByCustomer serves sale/by_customer and authorization/by_customer: the stored card of a
// customer profile is charged.
func (s *Server) saleByCustomer(kind string) handlerFunc {
	return func(c *call) (int, any, error) {
		var req byCustomerRequest
		p, err := s.decode(c, &req)
		if err != nil {
			return 0, nil, err
		}
		t := &transaction{Type: kind, Through: "API Customer", By: c.user}
		applyDetails(p, &req.saleDetails, t)
		if req.CustomerID == "" {
			p.add(keyCustomerID, "Please provide a valid Customer ID. customer_id is required.")
		}
		if err := p.err(); err != nil {
			return 0, nil, err
		}
		var resp txnResponse
		err = s.update(c.ctx, func(w *wtx) error {
			cust, err := mustCustomer(w.ctx, w.tx, req.CustomerID)
			if err != nil {
				return err
			}
			if cust.Card == nil {
				return fail(keyNoCard, "Customer ID, %s, has no credit card on file.", cust.ID)
			}
			p := problems{}
			csc := checkCSC(p, req.CSC, cust.Card.Type)
			if err := p.err(); err != nil {
				return err
			}
			t.Card, t.CustomerID, t.BillingAddress = *cust.Card, cust.ID, cust.BillingAddress
			if t.Email == "" {
				t.Email = cust.Email
			}
			if t.ShippingAddress == nil {
				t.ShippingAddress = cust.ShippingAddress
			}
			resp, err = s.processPayment(w, t, csc)
			return err
		})
		return paymentStatus(resp), resp, err
	}
}

// paymentStatus is 200 for approvals and 400 for declines (PayTrace answers every failure
// with 400; the body says what happened).
func paymentStatus(r txnResponse) int {
	if r.Success {
		return http.StatusOK
	}
	return http.StatusBadRequest
}

// processPayment runs the simulated authorization of t and stores it (declines too: they
// have a transaction ID, like PayTrace's).
func (s *Server) processPayment(w *wtx, t *transaction, csc bool) (txnResponse, error) {
	id, err := nextTransactionID(w.ctx, w.tx)
	if err != nil {
		return txnResponse{}, err
	}
	d := decide(t.Card, t.Amount, t.BillingAddress, csc, id, w.now.In(s.loc))
	t.ID, t.Created, t.Updated, t.PaymentMethod = id, w.now, w.now, "CC"
	t.ApprovalCode, t.ApprovalMessage, t.AVSResponse, t.CSCResponse = d.ApprovalCode, d.ApprovalMessage, d.AVS, d.CSC
	t.RefundedAmount = decimal.Zero
	if d.Approved {
		t.ResponseCode, t.StatusMessage = codeApproved, msgApproved
		t.AuthorizedAmount = t.Amount
		if t.Type == typeSale {
			now := w.now
			t.Status, t.CapturedAmount, t.PendingSince = statusPending, t.Amount, &now
		} else {
			t.Status, t.CapturedAmount = statusAuthorized, decimal.Zero
		}
	} else {
		t.ResponseCode, t.StatusMessage = codeDeclined, msgDeclined
		t.Status, t.AuthorizedAmount, t.CapturedAmount = statusDeclined, decimal.Zero, decimal.Zero
	}
	if err := s.putTransaction(w.ctx, w.tx, t); err != nil {
		return txnResponse{}, err
	}
	if d.Approved {
		if err := s.queueNotification(w, eventSuccess, t.ID, 0); err != nil {
			return txnResponse{}, err
		}
	}
	return txnResponse{Success: d.Approved, ResponseCode: t.ResponseCode, StatusMessage: t.StatusMessage,
		TransactionID: t.ID, ApprovalCode: t.ApprovalCode, ApprovalMessage: t.ApprovalMessage,
		AVSResponse: t.AVSResponse, CSCResponse: t.CSCResponse, MaskedCardNumber: t.Card.Masked}, nil
}
