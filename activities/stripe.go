package activities

import (
	"context"
	"fmt"

	"github.com/stripe/stripe-go/v76"
	"go.temporal.io/sdk/temporal"

	"github.com/ledgerbridge/ledgerbridge/internal/money"
	"github.com/ledgerbridge/ledgerbridge/internal/redact"
	"github.com/ledgerbridge/ledgerbridge/internal/stripeapi"
)

// Metadata keys ledgerbridge writes back to Stripe (seed 001: "Update Stripe Metadata with Sage 500 ID").
const (
	MetaCustomerID = "Sage500CustomerID"
	MetaInvoiceNo  = "Sage500InvoiceNo"
	MetaPaymentNo  = "Sage500PaymentNo"
	MetaSalesOrder = "Sage500SalesOrderNo"
	// MetaItemID on a charge names the ERP item to invoice (otherwise Settings.DefaultItem).
	MetaItemID = "sage_item_id"
)

func stripeError(op string, err error) error {
	if stripeapi.Permanent(err) {
		return temporal.NewNonRetryableApplicationError(op+": "+err.Error(), ErrStripe, err)
	}
	return fmt.Errorf("%s: %w", op, err)
}

// FetchCharge re-fetches the charge (the webhook payload is never trusted) and returns what the
// workflow decides on. The full snapshot stays in this worker's cache for the ERP steps.
func (a *Activities) FetchCharge(ctx context.Context, in *FetchChargeInput) (*ChargeSummary, error) {
	snap, err := a.fetchCharge(ctx, in.ChargeID)
	if err != nil {
		return nil, err
	}
	return snap.Summary(), nil
}

// charge returns the snapshot of a charge from the worker's cache, or fetches it.
func (a *Activities) charge(ctx context.Context, id string) (*ChargeSnapshot, error) {
	if id == "" {
		return nil, validation("no charge ID in the activity input")
	}
	if s := a.charges().get(id); s != nil {
		return s, nil
	}
	return a.fetchCharge(ctx, id)
}

// fetchCharge re-fetches a charge, its customer and, when it paid a Stripe invoice, that
// invoice's lines, masks any card data pasted into them, and caches the snapshot.
func (a *Activities) fetchCharge(ctx context.Context, id string) (*ChargeSnapshot, error) {
	ch, err := a.Stripe.GetCharge(ctx, id)
	if err != nil {
		return nil, stripeError("fetch charge "+id, err)
	}
	snap := snapshotCharge(ch)
	if snap.InvoiceID != "" {
		lines, err := a.Stripe.ListInvoiceLines(ctx, snap.InvoiceID)
		if err != nil {
			return nil, stripeError("fetch invoice lines "+snap.InvoiceID, err)
		}
		for _, l := range lines {
			ls := LineSnapshot{Description: redact.Text(l.Description), Quantity: l.Quantity,
				Amount: money.FromMinor(l.Amount, string(l.Currency))}
			if l.Price != nil {
				ls.PriceID = l.Price.ID
				if l.Price.Product != nil {
					ls.ProductID = l.Price.Product.ID
					if l.Price.Product.Metadata != nil {
						ls.ItemID = l.Price.Product.Metadata[MetaItemID]
					}
				}
			}
			snap.Lines = append(snap.Lines, ls)
		}
	}
	a.charges().put(snap)
	return snap, nil
}

func snapshotCharge(ch *stripe.Charge) *ChargeSnapshot {
	s := &ChargeSnapshot{
		ID: ch.ID, AmountMinor: ch.Amount, Amount: money.FromMinor(ch.Amount, string(ch.Currency)),
		Currency: money.Currency(string(ch.Currency)), Created: ch.Created, Status: string(ch.Status),
		Paid: ch.Paid, Uncaptured: !ch.Captured, Refunded: ch.Refunded, Description: ch.Description, Metadata: ch.Metadata,
	}
	if ch.PaymentIntent != nil {
		s.PaymentIntentID = ch.PaymentIntent.ID
	}
	if ch.Invoice != nil {
		s.InvoiceID = ch.Invoice.ID
	}
	if d := ch.PaymentMethodDetails; d != nil && d.Card != nil {
		s.CardBrand, s.CardLast4 = string(d.Card.Brand), d.Card.Last4
	}
	if c := ch.Customer; c != nil {
		s.Customer.StripeID = c.ID
		s.Customer.Email, s.Customer.Name, s.Customer.Phone, s.Customer.Metadata = c.Email, c.Name, c.Phone, c.Metadata
		if c.Address != nil {
			s.Customer.Line1, s.Customer.Line2, s.Customer.City = c.Address.Line1, c.Address.Line2, c.Address.City
			s.Customer.State, s.Customer.PostalCode, s.Customer.Country = c.Address.State, c.Address.PostalCode, c.Address.Country
		}
	}
	// A guest checkout has no customer object: fall back to the billing details.
	if b := ch.BillingDetails; b != nil {
		if s.Customer.Email == "" {
			s.Customer.Email = b.Email
		}
		if s.Customer.Name == "" {
			s.Customer.Name = b.Name
		}
		if s.Customer.Phone == "" {
			s.Customer.Phone = b.Phone
		}
		if s.Customer.Line1 == "" && b.Address != nil {
			s.Customer.Line1, s.Customer.Line2, s.Customer.City = b.Address.Line1, b.Address.Line2, b.Address.City
			s.Customer.State, s.Customer.PostalCode, s.Customer.Country = b.Address.State, b.Address.PostalCode, b.Address.Country
		}
	}
	if s.Customer.Email == "" && ch.ReceiptEmail != "" {
		s.Customer.Email = ch.ReceiptEmail
	}
	s.mask()
	return s
}

// WriteBack records the ERP IDs on the Stripe charge (and the customer's ERP ID on the Stripe
// customer). The idempotency keys come from the business keys, so a retry replays, not repeats.
func (a *Activities) WriteBack(ctx context.Context, in *WriteBackInput) (*WriteBackResult, error) {
	md := map[string]string{MetaCustomerID: in.CustomerID, MetaInvoiceNo: in.InvoiceNumber, MetaPaymentNo: in.PaymentID}
	if in.SalesOrder != "" {
		md[MetaSalesOrder] = in.SalesOrder
	}
	key := fmt.Sprintf("ledgerbridge-writeback-%s-%s-%s", in.ChargeID, in.InvoiceNumber, in.PaymentID)
	if err := a.Stripe.UpdateChargeMetadata(ctx, in.ChargeID, md, key); err != nil {
		return nil, stripeError("write ERP IDs to charge "+in.ChargeID, err)
	}
	if in.StripeCustomerID != "" {
		key := fmt.Sprintf("ledgerbridge-xref-%s-%s", in.StripeCustomerID, in.CustomerID)
		if err := a.Stripe.UpdateCustomerMetadata(ctx, in.StripeCustomerID, map[string]string{MetaCustomerID: in.CustomerID}, key); err != nil {
			return nil, stripeError("write ERP ID to customer "+in.StripeCustomerID, err)
		}
	}
	return &WriteBackResult{}, nil
}
