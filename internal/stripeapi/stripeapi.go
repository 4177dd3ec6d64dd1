// Package stripeapi builds the real stripe-go client for a configurable base URL (Stripe itself,
// the project's Stripe sandbox, or stripe-mock) and classifies its errors for Temporal retries.
package stripeapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/client"
)

// NewClient returns a stripe-go API client that talks to baseURL with key. stripe-go's own
// network retries are disabled: Temporal owns retries, so each attempt is visible in history.
func NewClient(baseURL, key string) *client.API {
	return NewClientWith(baseURL, key, &http.Client{Timeout: 20 * time.Second})
}

// NewClientWith is NewClient sending through hc (the worker's rate-limited transport).
func NewClientWith(baseURL, key string, hc *http.Client) *client.API {
	cfg := &stripe.BackendConfig{
		URL:               stripe.String(baseURL),
		MaxNetworkRetries: stripe.Int64(0),
		HTTPClient:        hc,
		LeveledLogger:     &stripe.LeveledLogger{Level: stripe.LevelNull},
	}
	api := &client.API{}
	api.Init(key, &stripe.Backends{
		API:     stripe.GetBackendWithConfig(stripe.APIBackend, cfg),
		Uploads: stripe.GetBackendWithConfig(stripe.UploadsBackend, cfg),
	})
	return api
}

// Client is the narrow Stripe surface the activities use, so tests can swap it.
type Client interface {
	GetCharge(ctx context.Context, id string) (*stripe.Charge, error)
	GetInvoice(ctx context.Context, id string) (*stripe.Invoice, error)
	// GetCreditNote fetches a credit note with every line.
	GetCreditNote(ctx context.Context, id string) (*stripe.CreditNote, []*stripe.CreditNoteLineItem, error)
	// InvoiceCreditNotes lists the credit notes of an invoice.
	InvoiceCreditNotes(ctx context.Context, invoiceID string) ([]*stripe.CreditNote, error)
	ListInvoiceLines(ctx context.Context, invoiceID string) ([]*stripe.InvoiceLineItem, error)
	UpdateChargeMetadata(ctx context.Context, id string, metadata map[string]string, idempotencyKey string) error
	UpdateCustomerMetadata(ctx context.Context, id string, metadata map[string]string, idempotencyKey string) error

	GetCustomer(ctx context.Context, id string) (*stripe.Customer, error)
	// CustomersByEmail lists the customers with an email address.
	CustomersByEmail(ctx context.Context, email string) ([]*stripe.Customer, error)
	// SaveCustomer creates (id "") or updates a customer under an idempotency key.
	SaveCustomer(ctx context.Context, id string, p *stripe.CustomerParams, idempotencyKey string) (*stripe.Customer, error)
	GetRefund(ctx context.Context, id string) (*stripe.Refund, error)
	ListChargeRefunds(ctx context.Context, chargeID string) ([]*stripe.Refund, error)
	UpdateRefundMetadata(ctx context.Context, id string, metadata map[string]string, idempotencyKey string) error
	GetDispute(ctx context.Context, id string) (*stripe.Dispute, error)
	GetPayout(ctx context.Context, id string) (*stripe.Payout, error)
	// PayoutTransactions returns one page (up to limit) of a payout's balance transactions after
	// the cursor startingAfter ("" for the first page) and whether more follow.
	PayoutTransactions(ctx context.Context, payoutID, startingAfter string, limit int64) ([]*stripe.BalanceTransaction, bool, error)
	// ListObjects pages through the charges, refunds or payouts created in a window.
	ListObjects(ctx context.Context, kind string, from, to time.Time, startingAfter string, limit int64) ([]Object, bool, error)
	// CustomerCharges lists up to limit of a customer's charges created at or after since,
	// newest first (one page: the anomaly rules of a run look at recent history only).
	CustomerCharges(ctx context.Context, customerID string, since time.Time, limit int64) ([]Object, error)
}

// API implements Client over stripe-go.
type API struct{ SC *client.API }

// GetCharge re-fetches a charge with its customer and balance transaction (the settlement
// currency and rate) expanded: the webhook only says "look at X".
func (a *API) GetCharge(ctx context.Context, id string) (*stripe.Charge, error) {
	p := &stripe.ChargeParams{}
	p.Context = ctx
	p.AddExpand("customer")
	p.AddExpand("balance_transaction")
	return a.SC.Charges.Get(id, p)
}

// GetInvoice fetches an invoice (its totals, discounts and subscription).
func (a *API) GetInvoice(ctx context.Context, id string) (*stripe.Invoice, error) {
	p := &stripe.InvoiceParams{}
	p.Context = ctx
	return a.SC.Invoices.Get(id, p)
}

// GetCreditNote fetches a credit note and pages through its lines.
func (a *API) GetCreditNote(ctx context.Context, id string) (*stripe.CreditNote, []*stripe.CreditNoteLineItem, error) {
	p := &stripe.CreditNoteParams{}
	p.Context = ctx
	cn, err := a.SC.CreditNotes.Get(id, p)
	if err != nil {
		return nil, nil, err
	}
	lp := &stripe.CreditNoteListLinesParams{CreditNote: stripe.String(id)}
	lp.Context = ctx
	var lines []*stripe.CreditNoteLineItem
	it := a.SC.CreditNotes.ListLines(lp)
	for it.Next() {
		lines = append(lines, it.CreditNoteLineItem())
	}
	return cn, lines, it.Err()
}

// InvoiceCreditNotes lists every credit note of an invoice.
func (a *API) InvoiceCreditNotes(ctx context.Context, invoiceID string) ([]*stripe.CreditNote, error) {
	p := &stripe.CreditNoteListParams{Invoice: stripe.String(invoiceID)}
	p.Context = ctx
	var out []*stripe.CreditNote
	it := a.SC.CreditNotes.List(p)
	for it.Next() {
		out = append(out, it.CreditNote())
	}
	return out, it.Err()
}

// ListInvoiceLines pages through every line of a Stripe invoice, with each line's product (whose
// metadata may name the ERP item).
func (a *API) ListInvoiceLines(ctx context.Context, invoiceID string) ([]*stripe.InvoiceLineItem, error) {
	p := &stripe.InvoiceListLinesParams{Invoice: stripe.String(invoiceID)}
	p.Context = ctx
	p.AddExpand("data.price.product")
	var lines []*stripe.InvoiceLineItem
	it := a.SC.Invoices.ListLines(p)
	for it.Next() {
		lines = append(lines, it.InvoiceLineItem())
	}
	return lines, it.Err()
}

// UpdateChargeMetadata merges metadata into a charge under an idempotency key.
func (a *API) UpdateChargeMetadata(ctx context.Context, id string, metadata map[string]string, key string) error {
	p := &stripe.ChargeParams{}
	p.Context = ctx
	setMetadata(p, metadata, key)
	_, err := a.SC.Charges.Update(id, p)
	return err
}

// UpdateCustomerMetadata merges metadata into a customer under an idempotency key.
func (a *API) UpdateCustomerMetadata(ctx context.Context, id string, metadata map[string]string, key string) error {
	p := &stripe.CustomerParams{}
	p.Context = ctx
	setMetadata(p, metadata, key)
	_, err := a.SC.Customers.Update(id, p)
	return err
}

// Permanent reports whether a Stripe error cannot succeed on retry (bad request, missing object,
// declined card) as opposed to a network error, 429, 409 lock or 5xx.
func Permanent(err error) bool {
	var se *stripe.Error
	if !errors.As(err, &se) {
		return false
	}
	switch {
	case se.HTTPStatusCode == http.StatusTooManyRequests, se.HTTPStatusCode == http.StatusConflict,
		se.HTTPStatusCode >= 500, se.HTTPStatusCode == 0:
		return false
	case se.HTTPStatusCode == http.StatusUnauthorized, se.HTTPStatusCode == http.StatusForbidden:
		// A rejected key is not the request's fault: see CredentialsRejected.
		return false
	}
	return true
}

// CredentialsRejected reports whether Stripe refused the API key (401 or 403): retrying cannot
// help until an operator fixes it.
func CredentialsRejected(err error) bool {
	var se *stripe.Error
	return errors.As(err, &se) && (se.HTTPStatusCode == http.StatusUnauthorized || se.HTTPStatusCode == http.StatusForbidden)
}

// GetRefund re-fetches a refund with its charge expanded.
func (a *API) GetRefund(ctx context.Context, id string) (*stripe.Refund, error) {
	p := &stripe.RefundParams{}
	p.Context = ctx
	p.AddExpand("charge")
	p.AddExpand("balance_transaction")
	return a.SC.Refunds.Get(id, p)
}

// ListChargeRefunds lists every refund of a charge.
func (a *API) ListChargeRefunds(ctx context.Context, chargeID string) ([]*stripe.Refund, error) {
	p := &stripe.RefundListParams{Charge: stripe.String(chargeID)}
	p.Context = ctx
	var out []*stripe.Refund
	it := a.SC.Refunds.List(p)
	for it.Next() {
		out = append(out, it.Refund())
	}
	return out, it.Err()
}

// UpdateRefundMetadata merges metadata into a refund under an idempotency key.
func (a *API) UpdateRefundMetadata(ctx context.Context, id string, metadata map[string]string, key string) error {
	p := &stripe.RefundParams{}
	p.Context = ctx
	setMetadata(p, metadata, key)
	_, err := a.SC.Refunds.Update(id, p)
	return err
}

// GetDispute re-fetches a dispute with its balance transactions.
func (a *API) GetDispute(ctx context.Context, id string) (*stripe.Dispute, error) {
	p := &stripe.DisputeParams{}
	p.Context = ctx
	return a.SC.Disputes.Get(id, p)
}

// GetPayout re-fetches a payout.
func (a *API) GetPayout(ctx context.Context, id string) (*stripe.Payout, error) {
	p := &stripe.PayoutParams{}
	p.Context = ctx
	return a.SC.Payouts.Get(id, p)
}

// PayoutTransactions fetches one page of a payout's balance transactions.
func (a *API) PayoutTransactions(ctx context.Context, payoutID, startingAfter string, limit int64) ([]*stripe.BalanceTransaction, bool, error) {
	p := &stripe.BalanceTransactionListParams{Payout: stripe.String(payoutID)}
	p.Context = ctx
	p.Limit = stripe.Int64(limit)
	p.Single = true // one page per call: the caller owns the cursor (and heartbeats it)
	if startingAfter != "" {
		p.StartingAfter = stripe.String(startingAfter)
	}
	it := a.SC.BalanceTransactions.List(p)
	var out []*stripe.BalanceTransaction
	for it.Next() {
		out = append(out, it.BalanceTransaction())
	}
	if err := it.Err(); err != nil {
		return nil, false, err
	}
	return out, it.BalanceTransactionList().HasMore, nil
}

// GetCustomer re-fetches a customer.
func (a *API) GetCustomer(ctx context.Context, id string) (*stripe.Customer, error) {
	p := &stripe.CustomerParams{}
	p.Context = ctx
	return a.SC.Customers.Get(id, p)
}

// SaveCustomer creates (empty id) or updates a customer under an idempotency key.
func (a *API) SaveCustomer(ctx context.Context, id string, p *stripe.CustomerParams, key string) (*stripe.Customer, error) {
	p.Context = ctx
	p.SetIdempotencyKey(key)
	if id == "" {
		return a.SC.Customers.New(p)
	}
	return a.SC.Customers.Update(id, p)
}

// CustomersByEmail lists the customers with an email address.
func (a *API) CustomersByEmail(ctx context.Context, email string) ([]*stripe.Customer, error) {
	p := &stripe.CustomerListParams{Email: stripe.String(email)}
	p.Context = ctx
	var out []*stripe.Customer
	it := a.SC.Customers.List(p)
	for it.Next() {
		out = append(out, it.Customer())
	}
	return out, it.Err()
}

// metadataParams is what every stripe-go params type with metadata offers.
type metadataParams interface {
	AddMetadata(key, value string)
	SetIdempotencyKey(key string)
}

// setMetadata merges metadata into p under an idempotency key (an empty value deletes the key).
func setMetadata(p metadataParams, metadata map[string]string, key string) {
	p.SetIdempotencyKey(key)
	for k, v := range metadata {
		p.AddMetadata(k, v)
	}
}

// Object is a provider object as reconciliation lists it: what it is, what it is worth, its
// state, and (refunds) the charge it belongs to.
type Object struct {
	Kind     string // charge, refund, payout
	ID       string
	Amount   int64 // minor units
	Captured int64 // charges: amount_captured
	Currency string
	Created  int64
	Status   string
	Paid     bool
	ChargeID string
	Customer string
}

// ListObjects returns one page (up to limit) of the charges, refunds or payouts created in
// [from, to), newest first, after the cursor startingAfter, and whether more follow.
func (a *API) ListObjects(ctx context.Context, kind string, from, to time.Time, startingAfter string, limit int64) ([]Object, bool, error) {
	created := &stripe.RangeQueryParams{GreaterThanOrEqual: from.Unix(), LesserThan: to.Unix()}
	lp := stripe.ListParams{Limit: stripe.Int64(limit), Single: true, Context: ctx}
	if startingAfter != "" {
		lp.StartingAfter = stripe.String(startingAfter)
	}
	var out []Object
	switch kind {
	case "charge":
		it := a.SC.Charges.List(&stripe.ChargeListParams{ListParams: lp, CreatedRange: created})
		for it.Next() {
			c := it.Charge()
			o := Object{Kind: kind, ID: c.ID, Amount: c.Amount, Captured: c.AmountCaptured, Currency: string(c.Currency), Created: c.Created,
				Status: string(c.Status), Paid: c.Paid && c.Captured}
			if c.Customer != nil {
				o.Customer = c.Customer.ID
			}
			out = append(out, o)
		}
		return out, it.ChargeList().HasMore, it.Err()
	case "refund":
		it := a.SC.Refunds.List(&stripe.RefundListParams{ListParams: lp, CreatedRange: created})
		for it.Next() {
			r := it.Refund()
			o := Object{Kind: kind, ID: r.ID, Amount: r.Amount, Currency: string(r.Currency), Created: r.Created, Status: string(r.Status)}
			if r.Charge != nil {
				o.ChargeID = r.Charge.ID
			}
			out = append(out, o)
		}
		return out, it.RefundList().HasMore, it.Err()
	case "payout":
		it := a.SC.Payouts.List(&stripe.PayoutListParams{ListParams: lp, CreatedRange: created})
		for it.Next() {
			p := it.Payout()
			out = append(out, Object{Kind: kind, ID: p.ID, Amount: p.Amount, Currency: string(p.Currency), Created: p.Created, Status: string(p.Status)})
		}
		return out, it.PayoutList().HasMore, it.Err()
	}
	return nil, false, fmt.Errorf("cannot list %q objects", kind)
}

// CustomerCharges lists up to limit of a customer's charges created at or after since, newest first.
func (a *API) CustomerCharges(ctx context.Context, customerID string, since time.Time, limit int64) ([]Object, error) {
	it := a.SC.Charges.List(&stripe.ChargeListParams{ListParams: stripe.ListParams{Limit: stripe.Int64(limit), Single: true, Context: ctx},
		Customer: stripe.String(customerID), CreatedRange: &stripe.RangeQueryParams{GreaterThanOrEqual: since.Unix()}})
	var out []Object
	for it.Next() {
		c := it.Charge()
		out = append(out, Object{Kind: "charge", ID: c.ID, Amount: c.Amount, Captured: c.AmountCaptured, Currency: string(c.Currency),
			Created: c.Created, Status: string(c.Status), Paid: c.Paid && c.Captured, Customer: customerID})
	}
	return out, it.Err()
}
