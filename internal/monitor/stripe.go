package monitor

import (
	"context"
	"time"

	"github.com/stripe/stripe-go/v76"

	"github.com/ledgerbridge/ledgerbridge/internal/stripeapi"
)

// Stripe returns c with every call monitored as SystemStripe, its errors classified by
// ClassifyStripe. A nil m returns c.
func Stripe(c stripeapi.Client, m *Monitor) stripeapi.Client {
	if m == nil || c == nil {
		return c
	}
	return &stripeClient{c: c, m: m}
}

// stripeClient monitors every stripeapi.Client method.
type stripeClient struct {
	c stripeapi.Client
	m *Monitor
}

func stripeCall[T any](ctx context.Context, s *stripeClient, op string, fn func() (T, error)) (T, error) {
	return call(ctx, s.m, SystemStripe, op, ClassifyStripe, fn)
}

func stripeDo(ctx context.Context, s *stripeClient, op string, fn func() error) error {
	_, err := call(ctx, s.m, SystemStripe, op, ClassifyStripe, func() (struct{}, error) { return struct{}{}, fn() })
	return err
}

// page and creditNote carry the two results of PayoutTransactions and GetCreditNote.
type (
	page struct {
		txns []*stripe.BalanceTransaction
		more bool
	}
	creditNote struct {
		note  *stripe.CreditNote
		lines []*stripe.CreditNoteLineItem
	}
)

func (s *stripeClient) GetCharge(ctx context.Context, id string) (*stripe.Charge, error) {
	return stripeCall(ctx, s, "GetCharge", func() (*stripe.Charge, error) { return s.c.GetCharge(ctx, id) })
}

func (s *stripeClient) GetInvoice(ctx context.Context, id string) (*stripe.Invoice, error) {
	return stripeCall(ctx, s, "GetInvoice", func() (*stripe.Invoice, error) { return s.c.GetInvoice(ctx, id) })
}

func (s *stripeClient) GetCreditNote(ctx context.Context, id string) (*stripe.CreditNote, []*stripe.CreditNoteLineItem, error) {
	r, err := stripeCall(ctx, s, "GetCreditNote", func() (creditNote, error) {
		cn, lines, err := s.c.GetCreditNote(ctx, id)
		return creditNote{cn, lines}, err
	})
	return r.note, r.lines, err
}

func (s *stripeClient) InvoiceCreditNotes(ctx context.Context, invoiceID string) ([]*stripe.CreditNote, error) {
	return stripeCall(ctx, s, "InvoiceCreditNotes", func() ([]*stripe.CreditNote, error) { return s.c.InvoiceCreditNotes(ctx, invoiceID) })
}

func (s *stripeClient) ListInvoiceLines(ctx context.Context, invoiceID string) ([]*stripe.InvoiceLineItem, error) {
	return stripeCall(ctx, s, "ListInvoiceLines", func() ([]*stripe.InvoiceLineItem, error) { return s.c.ListInvoiceLines(ctx, invoiceID) })
}

func (s *stripeClient) UpdateChargeMetadata(ctx context.Context, id string, metadata map[string]string, idempotencyKey string) error {
	return stripeDo(ctx, s, "UpdateChargeMetadata", func() error { return s.c.UpdateChargeMetadata(ctx, id, metadata, idempotencyKey) })
}

func (s *stripeClient) UpdateCustomerMetadata(ctx context.Context, id string, metadata map[string]string, idempotencyKey string) error {
	return stripeDo(ctx, s, "UpdateCustomerMetadata", func() error { return s.c.UpdateCustomerMetadata(ctx, id, metadata, idempotencyKey) })
}

func (s *stripeClient) GetCustomer(ctx context.Context, id string) (*stripe.Customer, error) {
	return stripeCall(ctx, s, "GetCustomer", func() (*stripe.Customer, error) { return s.c.GetCustomer(ctx, id) })
}

func (s *stripeClient) CustomersByEmail(ctx context.Context, email string) ([]*stripe.Customer, error) {
	return stripeCall(ctx, s, "CustomersByEmail", func() ([]*stripe.Customer, error) { return s.c.CustomersByEmail(ctx, email) })
}

func (s *stripeClient) SaveCustomer(ctx context.Context, id string, p *stripe.CustomerParams, idempotencyKey string) (*stripe.Customer, error) {
	return stripeCall(ctx, s, "SaveCustomer", func() (*stripe.Customer, error) { return s.c.SaveCustomer(ctx, id, p, idempotencyKey) })
}

func (s *stripeClient) GetRefund(ctx context.Context, id string) (*stripe.Refund, error) {
	return stripeCall(ctx, s, "GetRefund", func() (*stripe.Refund, error) { return s.c.GetRefund(ctx, id) })
}

func (s *stripeClient) ListChargeRefunds(ctx context.Context, chargeID string) ([]*stripe.Refund, error) {
	return stripeCall(ctx, s, "ListChargeRefunds", func() ([]*stripe.Refund, error) { return s.c.ListChargeRefunds(ctx, chargeID) })
}

func (s *stripeClient) UpdateRefundMetadata(ctx context.Context, id string, metadata map[string]string, idempotencyKey string) error {
	return stripeDo(ctx, s, "UpdateRefundMetadata", func() error { return s.c.UpdateRefundMetadata(ctx, id, metadata, idempotencyKey) })
}

func (s *stripeClient) GetDispute(ctx context.Context, id string) (*stripe.Dispute, error) {
	return stripeCall(ctx, s, "GetDispute", func() (*stripe.Dispute, error) { return s.c.GetDispute(ctx, id) })
}

func (s *stripeClient) GetPayout(ctx context.Context, id string) (*stripe.Payout, error) {
	return stripeCall(ctx, s, "GetPayout", func() (*stripe.Payout, error) { return s.c.GetPayout(ctx, id) })
}

func (s *stripeClient) PayoutTransactions(ctx context.Context, payoutID, startingAfter string, limit int64) ([]*stripe.BalanceTransaction, bool, error) {
	p, err := stripeCall(ctx, s, "PayoutTransactions", func() (page, error) {
		txns, more, err := s.c.PayoutTransactions(ctx, payoutID, startingAfter, limit)
		return page{txns, more}, err
	})
	return p.txns, p.more, err
}

// ListObjects pages through a window's charges, refunds or payouts (reconciliation).
func (s *stripeClient) ListObjects(ctx context.Context, kind string, from, to time.Time, startingAfter string, limit int64) ([]stripeapi.Object, bool, error) {
	type objects struct {
		list []stripeapi.Object
		more bool
	}
	o, err := stripeCall(ctx, s, "ListObjects", func() (objects, error) {
		list, more, err := s.c.ListObjects(ctx, kind, from, to, startingAfter, limit)
		return objects{list, more}, err
	})
	return o.list, o.more, err
}

var _ stripeapi.Client = (*stripeClient)(nil)

// CustomerCharges lists a customer's recent charges (the run's anomaly rules).
func (s *stripeClient) CustomerCharges(ctx context.Context, customerID string, since time.Time, limit int64) ([]stripeapi.Object, error) {
	return stripeCall(ctx, s, "CustomerCharges", func() ([]stripeapi.Object, error) { return s.c.CustomerCharges(ctx, customerID, since, limit) })
}
