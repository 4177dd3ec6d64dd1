// Package stripeapi builds the real stripe-go client for a configurable base URL (Stripe itself,
// the project's Stripe sandbox, or stripe-mock) and classifies its errors for Temporal retries.
package stripeapi

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/client"
)

// NewClient returns a stripe-go API client that talks to baseURL with key. stripe-go's own
// network retries are disabled: Temporal owns retries, so each attempt is visible in history.
func NewClient(baseURL, key string) *client.API {
	cfg := &stripe.BackendConfig{
		URL:               stripe.String(baseURL),
		MaxNetworkRetries: stripe.Int64(0),
		HTTPClient:        &http.Client{Timeout: 20 * time.Second},
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
	ListInvoiceLines(ctx context.Context, invoiceID string) ([]*stripe.InvoiceLineItem, error)
	UpdateChargeMetadata(ctx context.Context, id string, metadata map[string]string, idempotencyKey string) error
	UpdateCustomerMetadata(ctx context.Context, id string, metadata map[string]string, idempotencyKey string) error
}

// API implements Client over stripe-go.
type API struct{ SC *client.API }

// GetCharge re-fetches a charge with its customer expanded: the webhook only says "look at X".
func (a *API) GetCharge(ctx context.Context, id string) (*stripe.Charge, error) {
	p := &stripe.ChargeParams{}
	p.Context = ctx
	p.AddExpand("customer")
	return a.SC.Charges.Get(id, p)
}

// ListInvoiceLines pages through every line of a Stripe invoice.
func (a *API) ListInvoiceLines(ctx context.Context, invoiceID string) ([]*stripe.InvoiceLineItem, error) {
	p := &stripe.InvoiceListLinesParams{Invoice: stripe.String(invoiceID)}
	p.Context = ctx
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
	p.SetIdempotencyKey(key)
	for k, v := range metadata {
		p.AddMetadata(k, v)
	}
	_, err := a.SC.Charges.Update(id, p)
	return err
}

// UpdateCustomerMetadata merges metadata into a customer under an idempotency key.
func (a *API) UpdateCustomerMetadata(ctx context.Context, id string, metadata map[string]string, key string) error {
	p := &stripe.CustomerParams{}
	p.Context = ctx
	p.SetIdempotencyKey(key)
	for k, v := range metadata {
		p.AddMetadata(k, v)
	}
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
		// A bad key is fixed by an operator; keep retrying so the run resumes by itself.
		return false
	}
	return true
}
