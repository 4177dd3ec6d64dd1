package activities

import (
	"github.com/shopspring/decimal"

	"github.com/ledgerbridge/ledgerbridge/internal/posting"
)

// ChargeSnapshot is a re-fetched Stripe charge, masked (see internal/posting). It stays in the
// worker: workflows get a ChargeSummary.
type ChargeSnapshot = posting.Charge

// CustomerSnapshot is the Stripe customer behind a charge, or its billing details for a guest.
type CustomerSnapshot = posting.Party

// Corrections are operator-supplied overrides sent with the retry signal of a parked run.
type Corrections struct {
	// CustomerID forces the ERP customer to use.
	CustomerID string `json:"customerId,omitempty"`
	// ItemID replaces the ERP item of every line.
	ItemID string `json:"itemId,omitempty"`
	// SkipWriteBack completes the run without writing ERP IDs back to Stripe.
	SkipWriteBack bool `json:"skipWriteBack,omitempty"`
}

// FetchChargeInput names the charge to re-fetch.
type FetchChargeInput struct {
	ChargeID string `json:"chargeId"`
}

// ChargeSummary is what order-to-cash decides on (post, wait for capture, skip) and shows
// operators. The full snapshot, with its personal data, stays in the worker: each ERP step
// gets it by charge ID. JSON names match ChargeSnapshot's, so histories recorded when the
// whole snapshot was returned replay into it.
type ChargeSummary struct {
	ID          string          `json:"id"`
	AmountMinor int64           `json:"amountMinor"`
	Amount      decimal.Decimal `json:"amount"`
	Currency    string          `json:"currency"`
	Created     int64           `json:"created"`
	Status      string          `json:"status"`
	Paid        bool            `json:"paid"`
	Uncaptured  bool            `json:"uncaptured,omitempty"`
	Refunded    bool            `json:"refunded,omitempty"`
	Customer    ChargeParty     `json:"customer"`
	// Anomalies are the rules the charge trips against its customer's recent charges
	// (RuleRepeatedCharge, RuleAmountOutlier): the run's Anomaly search attribute.
	Anomalies []string `json:"anomalies,omitempty"`
}

// ChargeParty is who paid: the Stripe customer ID (for the ERP ID write-back) and the email
// (the CustomerEmail search attribute operators filter on).
type ChargeParty struct {
	StripeID string `json:"stripeId,omitempty"`
	Email    string `json:"email,omitempty"`
}

// summarize is the part of the snapshot a workflow needs.
func summarize(ch *ChargeSnapshot) *ChargeSummary {
	return &ChargeSummary{ID: ch.ID, AmountMinor: ch.AmountMinor, Amount: ch.Posted(), Currency: ch.Currency, Created: ch.Created,
		Status: ch.Status, Paid: ch.Paid, Uncaptured: ch.Uncaptured, Refunded: ch.Refunded,
		Customer: ChargeParty{StripeID: ch.Customer.StripeID, Email: ch.Customer.Email}}
}

// ChargeRef is the ID of the charge snapshot that runs recorded before histories were slimmed
// carried in ERP step inputs (as "charge"); only its ID is read.
type ChargeRef struct {
	ID string `json:"id"`
}

// chargeID is the input's charge: ChargeID, or the ID of a legacy embedded snapshot.
func chargeID(id string, legacy *ChargeRef) string {
	if id == "" && legacy != nil {
		return legacy.ID
	}
	return id
}

// ResolveCustomerInput names the charge whose customer must exist in the ERP.
type ResolveCustomerInput struct {
	ChargeID    string      `json:"chargeId"`
	Corrections Corrections `json:"corrections"`
	// Legacy is set only in inputs scheduled by runs recorded before histories were slimmed.
	Legacy *ChargeRef `json:"charge,omitempty"`
}

// ResolveCustomerResult says which ERP customer the charge belongs to and how it was found.
type ResolveCustomerResult struct {
	CustomerID string `json:"customerId"`
	// How is one of "correction", "metadata", "externalRef", "email", "created".
	How string `json:"how"`
}

// PostDocumentInput asks for the sales order or invoice of a charge.
type PostDocumentInput struct {
	ChargeID string `json:"chargeId"`
	// Required posts the sales order whatever LEDGERBRIDGE_CREATE_SALES_ORDER says (PayTrace's
	// flow always has one, seed 002).
	Required    bool        `json:"required,omitempty"`
	CustomerID  string      `json:"customerId"`
	SalesOrder  string      `json:"salesOrder,omitempty"`
	Corrections Corrections `json:"corrections"`
	// Legacy is set only in inputs scheduled by runs recorded before histories were slimmed.
	Legacy *ChargeRef `json:"charge,omitempty"`
}

// PostDocumentResult names the ERP document; Reused is true when it already existed.
type PostDocumentResult struct {
	Number  string          `json:"number"`
	Total   decimal.Decimal `json:"total"`
	Reused  bool            `json:"reused"`
	Skipped bool            `json:"skipped,omitempty"`
}

// ApplyPaymentInput asks for the cash receipt of a charge against its invoice.
type ApplyPaymentInput struct {
	ChargeID      string `json:"chargeId"`
	CustomerID    string `json:"customerId"`
	InvoiceNumber string `json:"invoiceNumber"`
	// SalesOrder links the receipt to the sales order it pays, when one was posted.
	SalesOrder string `json:"salesOrder,omitempty"`
	// Legacy is set only in inputs scheduled by runs recorded before histories were slimmed.
	Legacy *ChargeRef `json:"charge,omitempty"`
}

// ApplyPaymentResult names the ERP payment.
type ApplyPaymentResult struct {
	PaymentID string `json:"paymentId"`
	Reused    bool   `json:"reused"`
}

// WriteBackInput lists the ERP IDs to record on the Stripe charge and customer.
type WriteBackInput struct {
	ChargeID         string `json:"chargeId"`
	StripeCustomerID string `json:"stripeCustomerId,omitempty"`
	CustomerID       string `json:"customerId"`
	SalesOrder       string `json:"salesOrder,omitempty"`
	InvoiceNumber    string `json:"invoiceNumber"`
	PaymentID        string `json:"paymentId"`
}

// WriteBackResult is empty; the write-back either happened or failed.
type WriteBackResult struct{}

// CompensateInput lists what a run posted, to void in reverse order.
type CompensateInput struct {
	PaymentID     string `json:"paymentId,omitempty"`
	InvoiceNumber string `json:"invoiceNumber,omitempty"`
	SalesOrder    string `json:"salesOrder,omitempty"`
	CreditMemo    string `json:"creditMemo,omitempty"`
}

// CompensateResult lists what was voided and what the ERP refused to void.
type CompensateResult struct {
	Voided    []string `json:"voided"`
	NotVoided []string `json:"notVoided,omitempty"`
}

// AlertInput describes a parked run.
type AlertInput struct {
	WorkflowID string `json:"workflowId"`
	Step       string `json:"step"`
	Problem    string `json:"problem"`
}

// AlertResult is empty.
type AlertResult struct{}
