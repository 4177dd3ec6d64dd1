package paytracesandbox

import (
	"encoding/json"
	"net/http"
)

// captureRequest is the body of authorization/capture.
type captureRequest struct {
	common
	TransactionID json.RawMessage `json:"transaction_id"`
	Amount        json.RawMessage `json:"amount"`
}

// voidRequest is the body of transactions/void.
type voidRequest struct {
	common
	TransactionID json.RawMessage `json:"transaction_id"`
}

// opResponse answers captures, refunds and voids.
type opResponse struct {
	Success               bool    `json:"success"`
	ResponseCode          int     `json:"response_code"`
	StatusMessage         string  `json:"status_message"`
	TransactionID         int64   `json:"transaction_id"`
	ExternalTransactionID *string `json:"external_transaction_id,omitempty"`
}

func emptyExternal() *string { s := ""; return &s }

// capture captures an authorization, in full or for less (the rest is released). An
// authorization is captured once.
func (s *Server) capture(c *call) (int, any, error) {
	var req captureRequest
	p, err := s.decode(c, &req)
	if err != nil {
		return 0, nil, err
	}
	id := requireTransactionID(p, req.TransactionID)
	amount := optionalAmount(p, req.Amount, "amount")
	if err := p.err(); err != nil {
		return 0, nil, err
	}
	err = s.update(c.ctx, func(w *wtx) error {
		t, err := mustTransaction(w.ctx, w.tx, id)
		if err != nil {
			return err
		}
		failed := func(key, format string, args ...any) error {
			return opFail(codeCaptureErr, msgCaptErr, id, key, format, args...)
		}
		switch {
		case t.Type != typeAuth:
			return failed(keyNotEligible, "Transaction ID %d is a %s; only authorizations can be captured.", id, t.Type)
		case t.Status == statusDeclined:
			return failed(keyNotEligible, "Transaction ID %d was declined and cannot be captured.", id)
		case t.Status == statusVoided:
			return failed(keyAlreadyVoided, "Transaction ID %d has been voided.", id)
		case t.Status != statusAuthorized:
			return failed(keyAlreadyCapture, "Transaction ID %d has already been captured.", id)
		}
		if amount.IsZero() {
			amount = t.AuthorizedAmount
		}
		if amount.GreaterThan(t.AuthorizedAmount) {
			return failed(keyOverCapture, "The capture amount %s exceeds the authorized amount %s.", amount.StringFixed(2), t.AuthorizedAmount.StringFixed(2))
		}
		now := w.now
		t.Status, t.CapturedAmount, t.Captured, t.PendingSince, t.Updated = statusPending, amount, &now, &now, now
		if err := s.putTransaction(w.ctx, w.tx, t); err != nil {
			return err
		}
		return s.queueNotification(w, eventUpdated, id, 0)
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, opResponse{Success: true, ResponseCode: codeCaptured, StatusMessage: msgCaptured,
		TransactionID: id, ExternalTransactionID: emptyExternal()}, nil
}

// void cancels an unsettled transaction: an authorization (captured or not), a sale or a
// refund. A settled transaction cannot be voided (818: refund it instead).
func (s *Server) void(c *call) (int, any, error) {
	var req voidRequest
	p, err := s.decode(c, &req)
	if err != nil {
		return 0, nil, err
	}
	id := requireTransactionID(p, req.TransactionID)
	if err := p.err(); err != nil {
		return 0, nil, err
	}
	err = s.update(c.ctx, func(w *wtx) error {
		t, err := mustTransaction(w.ctx, w.tx, id)
		if err != nil {
			return err
		}
		failed := func(key, format string, args ...any) error {
			return opFail(codeVoidFail, msgVoidErr, id, key, format, args...)
		}
		switch {
		case t.Status == statusDeclined:
			return failed(keyNotEligible, "Transaction ID %d was declined; there is nothing to void.", id)
		case t.Status == statusVoided:
			return failed(keyAlreadyVoided, "Transaction ID %d has already been voided.", id)
		case t.BatchNumber != 0:
			return failed(keySettled, "Transaction ID %d has already been settled (batch %d) and cannot be voided; refund it instead.", id, t.BatchNumber)
		}
		now := w.now
		t.Status, t.Voided, t.PendingSince, t.Updated = statusVoided, &now, nil, now
		if err := s.putTransaction(w.ctx, w.tx, t); err != nil {
			return err
		}
		if err := s.queueNotification(w, eventUpdated, id, 0); err != nil {
			return err
		}
		if t.Type != typeRefund || t.OriginalID == 0 {
			return nil
		}
		// A voided refund gives its amount back to the original's refundable balance.
		orig, err := mustTransaction(w.ctx, w.tx, t.OriginalID)
		if err != nil {
			return err
		}
		orig.RefundedAmount = orig.RefundedAmount.Sub(t.Amount)
		orig.Status, orig.Updated = orig.settledStatus(), now
		if err := s.putTransaction(w.ctx, w.tx, orig); err != nil {
			return err
		}
		return s.queueNotification(w, eventUpdated, orig.ID, 0)
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, opResponse{Success: true, ResponseCode: codeVoided, StatusMessage: msgVoided, TransactionID: id}, nil
}
