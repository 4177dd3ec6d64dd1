package activities

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
	"go.temporal.io/sdk/temporal"

	"github.com/ledgerbridge/ledgerbridge/internal/paytrace"
	"github.com/ledgerbridge/ledgerbridge/internal/posting"
)

// PayTrace transactions reach the ERP under provider-neutral external references:
// "paytrace-<transaction_id>" on documents and payments, "paytrace-cus-<customer_id>" on
// customers, "paytrace-batch-<batch_number>" on settlement entries. Order-to-cash's activities
// (customer, sales order, invoice, payment) and the refund activities work on them unchanged: the
// snapshot behind a "paytrace-" charge ID comes from PayTrace's export API instead of Stripe.
const (
	payTraceRefPrefix      = "paytrace-"
	payTraceCustomerPrefix = "paytrace-cus-"
	payTraceBatchPrefix    = "paytrace-batch-"
)

// PayTraceRef is the external reference of a PayTrace transaction in the ERP.
func PayTraceRef(id int64) string { return payTraceRefPrefix + strconv.FormatInt(id, 10) }

// PayTraceBatchRef is the external reference of a settlement batch's journal entry.
func PayTraceBatchRef(number string) string { return payTraceBatchPrefix + number }

// payTraceID parses a PayTraceRef.
func payTraceID(ref string) (int64, bool) {
	s, ok := strings.CutPrefix(ref, payTraceRefPrefix)
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil && id > 0
}

// Kinds of PayTrace transaction the workflow handles.
const (
	PayTraceSale     = "sale"
	PayTraceRefund   = "refund"
	PayTraceDeclined = "declined"
	PayTraceVoided   = "voided"
	// PayTraceUncaptured is an authorization not captured yet.
	PayTraceUncaptured = "uncaptured"
)

// PayTraceTransaction is what the PayTrace workflow decides on; the full snapshot (addresses,
// lines) stays in the worker's cache for the ERP steps.
type PayTraceTransaction struct {
	ID  int64  `json:"id"`
	Ref string `json:"ref"`
	// Kind is PayTraceSale, PayTraceRefund, PayTraceDeclined, PayTraceVoided or PayTraceUncaptured.
	Kind     string          `json:"kind"`
	Status   string          `json:"status"`
	Amount   decimal.Decimal `json:"amount"`
	Currency string          `json:"currency"`
	Created  int64           `json:"created"`
	Email    string          `json:"email,omitempty"`
	// OriginalRef is the refunded sale's reference (refunds).
	OriginalRef string `json:"originalRef,omitempty"`
	BatchNumber string `json:"batchNumber,omitempty"`
}

// FetchPayTraceTransactionInput names a PayTrace transaction.
type FetchPayTraceTransactionInput struct {
	TransactionID int64 `json:"transactionId"`
}

// FetchPayTraceTransaction re-fetches a transaction from PayTrace's export API (the poll and the
// notification only say "look at X") and classifies it.
func (a *Activities) FetchPayTraceTransaction(ctx context.Context, in *FetchPayTraceTransactionInput) (*PayTraceTransaction, error) {
	tx, err := a.PayTrace.ExportTransaction(ctx, in.TransactionID)
	if err != nil {
		return nil, payTraceError(fmt.Sprintf("export transaction %d", in.TransactionID), err)
	}
	out := &PayTraceTransaction{ID: tx.ID, Ref: PayTraceRef(tx.ID), Status: tx.Status, Currency: tx.Currency,
		Created: tx.Created.Unix(), Email: tx.Email, BatchNumber: tx.BatchNumber}
	switch {
	case tx.Status == paytrace.StatusDeclined:
		out.Kind, out.Amount = PayTraceDeclined, tx.Amount
	case tx.Status == paytrace.StatusVoided:
		out.Kind, out.Amount = PayTraceVoided, tx.Amount
	case tx.Type == paytrace.TypeRefund:
		out.Kind, out.Amount = PayTraceRefund, tx.Amount.Abs()
		out.OriginalRef = PayTraceRef(tx.OriginalTransactionID)
	case tx.Status == paytrace.StatusAuthorized || (tx.Type == paytrace.TypeAuthorization && tx.CapturedAmount.IsZero()):
		out.Kind, out.Amount = PayTraceUncaptured, tx.Amount
	default:
		out.Kind = PayTraceSale
		snap := a.payTraceCharge(tx)
		out.Amount = snap.Posted()
		a.charges().put(snap)
	}
	return out, nil
}

// fetchPayTraceCharge is fetchCharge for a "paytrace-" charge ID.
func (a *Activities) fetchPayTraceCharge(ctx context.Context, ref string) (*ChargeSnapshot, error) {
	id, ok := payTraceID(ref)
	if !ok {
		return nil, validation(fmt.Sprintf("%q is not a PayTrace transaction reference", ref))
	}
	tx, err := a.PayTrace.ExportTransaction(ctx, id)
	if err != nil {
		return nil, payTraceError(fmt.Sprintf("export transaction %d", id), err)
	}
	snap := a.payTraceCharge(tx)
	a.charges().put(snap)
	return snap, nil
}

// payTraceCharge is the posting layer's view of a PayTrace sale: the billing data as the
// customer, level-3 line items as invoice lines (product_id names the ERP item), only the masked
// card. The invoice number goes to charge.metadata.invoice_number (X3 REFLOT by default).
func (a *Activities) payTraceCharge(tx *paytrace.Transaction) *ChargeSnapshot {
	amount := tx.Amount
	if !tx.CapturedAmount.IsZero() {
		amount = tx.CapturedAmount
	}
	ch := &ChargeSnapshot{ID: PayTraceRef(tx.ID), Provider: "paytrace", Amount: amount, Currency: strings.ToUpper(tx.Currency),
		Created: tx.Created.Unix(), Status: "succeeded", Paid: true, Description: tx.Description,
		CardBrand: strings.ToLower(tx.CardType), PaymentMethodType: tx.PaymentMethodType,
		Metadata: map[string]string{"invoice_number": tx.InvoiceNumber, "transaction_id": strconv.FormatInt(tx.ID, 10)}}
	if ch.Currency == "" {
		ch.Currency = "USD"
	}
	if n := len(tx.MaskedCard); n >= 4 {
		ch.CardLast4 = tx.MaskedCard[n-4:]
	}
	for k, v := range tx.DiscretionaryData {
		ch.Metadata[k] = v
	}
	b := tx.BillingAddress
	ch.Customer = CustomerSnapshot{Email: tx.Email, Name: b.Name, Line1: b.StreetAddress, Line2: b.StreetAddress2, City: b.City,
		State: b.State, PostalCode: b.Zip, Country: b.Country}
	if tx.CustomerID != "" {
		ch.Customer.StripeID = payTraceCustomerPrefix + tx.CustomerID
	}
	if len(tx.LineItems) > 0 {
		key := a.mapping().ItemMetadataKey()
		inv := &posting.Invoice{ID: ch.ID, Number: tx.InvoiceNumber, Total: amount, Tax: tx.TaxAmount}
		for _, li := range tx.LineItems {
			amt := li.Amount
			if amt.IsZero() {
				amt = li.UnitCost.Mul(li.Quantity)
			}
			l := posting.Line{Description: li.Description, Quantity: 1, Amount: amt, Discount: li.DiscountAmount, ProductID: li.ProductID}
			if li.Quantity.IsInteger() && li.Quantity.IsPositive() {
				l.Quantity = li.Quantity.IntPart()
			}
			if li.AdditionalTaxAmount.IsPositive() {
				l.Taxes = []posting.Tax{{Amount: li.AdditionalTaxAmount, Percent: li.AdditionalTaxRate}}
			}
			if key != "" && li.ProductID != "" {
				// The merchant's product ID is the ERP item (an unknown one parks with the ERP's message).
				l.Metadata = map[string]string{key: li.ProductID}
			}
			inv.Lines = append(inv.Lines, l)
		}
		// Transaction-level tax the lines do not carry goes on the first line.
		lineTax := decimal.Zero
		for _, l := range inv.Lines {
			for _, t := range l.Taxes {
				lineTax = lineTax.Add(t.Amount)
			}
		}
		if rest := tx.TaxAmount.Sub(lineTax); rest.IsPositive() {
			inv.Lines[0].Taxes = append(inv.Lines[0].Taxes, posting.Tax{Amount: rest})
		}
		ch.Invoice = inv
	}
	ch.Mask()
	return ch
}

// PayTraceRefundSnapshot turns a PayTrace refund transaction into the refund activities' input.
func (a *Activities) PayTraceRefundSnapshot(ctx context.Context, in *FetchPayTraceTransactionInput) (*RefundSnapshot, error) {
	tx, err := a.PayTrace.ExportTransaction(ctx, in.TransactionID)
	if err != nil {
		return nil, payTraceError(fmt.Sprintf("export transaction %d", in.TransactionID), err)
	}
	if tx.Type != paytrace.TypeRefund || tx.OriginalTransactionID == 0 {
		return nil, validation(fmt.Sprintf("PayTrace transaction %d is not a refund of a transaction", tx.ID))
	}
	cur := strings.ToUpper(tx.Currency)
	if cur == "" {
		cur = "USD"
	}
	status := "succeeded"
	if tx.Status == paytrace.StatusVoided {
		status = "canceled"
	}
	return &RefundSnapshot{ID: PayTraceRef(tx.ID), ChargeID: PayTraceRef(tx.OriginalTransactionID), Amount: tx.Amount.Abs(),
		Currency: cur, Status: status, Created: tx.Created.Unix(), Reason: tx.Description}, nil
}

// payTraceError maps PayTrace client errors to Temporal retry behaviour: transient errors retry
// (honouring Retry-After), rejected credentials and API refusals park the run.
func payTraceError(op string, err error) error {
	var (
		tr *paytrace.TransientError
		au *paytrace.AuthError
		ap *paytrace.APIError
	)
	switch {
	case errors.As(err, &tr):
		return temporal.NewApplicationErrorWithOptions(op+": "+tr.Error(), ErrPayTraceUnavailable,
			temporal.ApplicationErrorOptions{NextRetryDelay: tr.RetryAfter, Cause: err})
	case errors.As(err, &au):
		return temporal.NewNonRetryableApplicationError(op+": credentials rejected by PayTrace ("+au.Error()+
			"): fix PAYTRACE_USERNAME / PAYTRACE_PASSWORD, restart the worker, then send retry", ErrPayTraceAuth, err)
	case errors.As(err, &ap), errors.Is(err, paytrace.ErrNotFound), errors.Is(err, paytrace.ErrInvalidInput):
		return temporal.NewNonRetryableApplicationError(op+": "+err.Error(), ErrPayTrace, err)
	}
	return temporal.NewApplicationError(op+": "+err.Error(), ErrPayTraceUnavailable, err)
}
