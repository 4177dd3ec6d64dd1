package paytracesandbox

import (
	"encoding/json"
	"net/http"

	"github.com/shopspring/decimal"
)

// refundRequest is the body of refund/for_transaction.
type refundRequest struct {
	common
	TransactionID json.RawMessage `json:"transaction_id"`
	Amount        json.RawMessage `json:"amount"`
}

// refundKeyedRequest is the body of refund/keyed: a refund to a card with no original.
type refundKeyedRequest struct {
	common
	Amount         json.RawMessage `json:"amount"`
	CreditCard     *creditCardIn   `json:"credit_card"`
	CSC            *string         `json:"csc"`
	BillingAddress *address        `json:"billing_address"`
	InvoiceNumber  string          `json:"invoice_number"`
	Description    string          `json:"description"`
	Email          string          `json:"email"`
}

// refundForTransaction refunds a settled sale or captured authorization, in full (no
// amount) or in parts, never above what is left. An unsettled one must be voided (817).
func (s *Server) refundForTransaction(c *call) (int, any, error) {
	var req refundRequest
	p, err := s.decode(c, &req)
	if err != nil {
		return 0, nil, err
	}
	id := requireTransactionID(p, req.TransactionID)
	amount := optionalAmount(p, req.Amount, "amount")
	if err := p.err(); err != nil {
		return 0, nil, err
	}
	var refundID int64
	err = s.update(c.ctx, func(w *wtx) error {
		orig, err := mustTransaction(w.ctx, w.tx, id)
		if err != nil {
			return err
		}
		failed := func(key, format string, args ...any) error {
			return opFail(codeRefundFail, msgRefundErr, id, key, format, args...)
		}
		switch {
		case orig.Type == typeRefund:
			return failed(keyNotEligible, "Transaction ID %d is a refund; refunds cannot be refunded.", id)
		case orig.Status == statusDeclined:
			return failed(keyNotEligible, "Transaction ID %d was declined; there is nothing to refund.", id)
		case orig.Status == statusVoided:
			return failed(keyAlreadyVoided, "Transaction ID %d has been voided; there is nothing to refund.", id)
		case orig.Status == statusAuthorized:
			return failed(keyNotEligible, "Transaction ID %d is an uncaptured authorization; void it instead.", id)
		case orig.BatchNumber == 0:
			return failed(keyNotSettled, "Transaction ID %d has not been settled; void it instead of refunding it.", id)
		}
		left := orig.refundable()
		if amount.IsZero() {
			amount = left
		}
		if !left.IsPositive() {
			return failed(keyOverRefund, "Transaction ID %d has already been fully refunded.", id)
		}
		if amount.GreaterThan(left) {
			return failed(keyOverRefund, "The refund amount %s exceeds the amount left to refund, %s.", amount.StringFixed(2), left.StringFixed(2))
		}
		r := &transaction{Type: typeRefund, Through: "API Refund", By: c.user, Amount: amount, OriginalID: orig.ID,
			Card: orig.Card, CustomerID: orig.CustomerID, BillingAddress: orig.BillingAddress, Email: orig.Email,
			InvoiceNumber: orig.InvoiceNumber, Description: orig.Description, CustomerRef: orig.CustomerRef}
		if refundID, err = s.storeRefund(w, r); err != nil {
			return err
		}
		orig.RefundedAmount = orig.RefundedAmount.Add(amount)
		orig.RefundIDs = append(orig.RefundIDs, refundID)
		orig.Status, orig.Updated = orig.settledStatus(), w.now
		if err := s.putTransaction(w.ctx, w.tx, orig); err != nil {
			return err
		}
		return s.queueNotification(w, eventUpdated, orig.ID, 0)
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, opResponse{Success: true, ResponseCode: codeRefunded, StatusMessage: msgRefunded,
		TransactionID: refundID, ExternalTransactionID: emptyExternal()}, nil
}

// refundKeyed refunds an amount to a card without an original transaction.
func (s *Server) refundKeyed(c *call) (int, any, error) {
	var req refundKeyedRequest
	p, err := s.decode(c, &req)
	if err != nil {
		return 0, nil, err
	}
	r := &transaction{Type: typeRefund, Through: "API Keyed", By: c.user, BillingAddress: req.BillingAddress,
		InvoiceNumber: req.InvoiceNumber, Description: req.Description, Email: req.Email}
	r.Amount = requireAmount(p, req.Amount, "amount")
	r.Card = validateCard(p, req.CreditCard, s.now().In(s.loc))
	checkCSC(p, req.CSC, r.Card.Type)
	validateAddress(p, "billing_address", req.BillingAddress)
	checkText(p, "invoice_number", req.InvoiceNumber, 50)
	checkText(p, "description", req.Description, 255)
	checkEmail(p, req.Email)
	if err := p.err(); err != nil {
		return 0, nil, err
	}
	var id int64
	err = s.update(c.ctx, func(w *wtx) error {
		id, err = s.storeRefund(w, r)
		return err
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, opResponse{Success: true, ResponseCode: codeRefunded, StatusMessage: msgRefunded,
		TransactionID: id, ExternalTransactionID: emptyExternal()}, nil
}

// storeRefund gives r an ID, makes it pending settlement, stores it and queues its
// notification.
func (s *Server) storeRefund(w *wtx, r *transaction) (int64, error) {
	id, err := nextTransactionID(w.ctx, w.tx)
	if err != nil {
		return 0, err
	}
	now := w.now
	r.ID, r.Created, r.Updated, r.PendingSince, r.PaymentMethod = id, now, now, &now, "CC"
	r.Status, r.ResponseCode, r.StatusMessage = statusPending, codeRefunded, msgRefunded
	r.AuthorizedAmount, r.CapturedAmount, r.RefundedAmount = r.Amount, r.Amount, decimal.Zero
	if err := s.putTransaction(w.ctx, w.tx, r); err != nil {
		return 0, err
	}
	return id, s.queueNotification(w, eventSuccess, id, 0)
}
