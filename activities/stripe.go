package activities

import (
	"context"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
	"github.com/stripe/stripe-go/v76"
	"go.temporal.io/sdk/temporal"

	"github.com/ledgerbridge/ledgerbridge/internal/money"
	"github.com/ledgerbridge/ledgerbridge/internal/posting"
	"github.com/ledgerbridge/ledgerbridge/internal/stripeapi"
)

func stripeError(op string, err error) error {
	if stripeapi.CredentialsRejected(err) {
		return temporal.NewNonRetryableApplicationError(op+": credentials rejected by Stripe ("+err.Error()+
			"): fix STRIPE_API_KEY, restart the worker, then send retry", ErrStripeAuth, err)
	}
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
	sum := summarize(snap)
	sum.Anomalies = a.runAnomalies(ctx, snap)
	return sum, nil
}

// charge returns the snapshot of a charge from the worker's cache, or fetches it.
func (a *Activities) charge(ctx context.Context, id string) (*ChargeSnapshot, error) {
	if id == "" {
		return nil, validation("no charge ID in the activity input")
	}
	if s := a.charges().get(id); s != nil {
		return s, nil
	}
	if strings.HasPrefix(id, payTraceRefPrefix) {
		return a.fetchPayTraceCharge(ctx, id)
	}
	return a.fetchCharge(ctx, id)
}

// fetchCharge re-fetches a charge with its customer and balance transaction and, when it paid a
// Stripe invoice, that invoice and all its lines; masks any card data pasted into them; and
// caches the snapshot.
func (a *Activities) fetchCharge(ctx context.Context, id string) (*ChargeSnapshot, error) {
	ch, err := a.Stripe.GetCharge(ctx, id)
	if err != nil {
		return nil, stripeError("fetch charge "+id, err)
	}
	snap := snapshotCharge(ch)
	if snap.InvoiceID != "" {
		inv, err := a.Stripe.GetInvoice(ctx, snap.InvoiceID)
		if err != nil {
			return nil, stripeError("fetch invoice "+snap.InvoiceID, err)
		}
		lines, err := a.Stripe.ListInvoiceLines(ctx, snap.InvoiceID)
		if err != nil {
			return nil, stripeError("fetch invoice lines "+snap.InvoiceID, err)
		}
		snap.Invoice = snapshotInvoice(inv, lines)
	}
	snap.Mask()
	a.charges().put(snap)
	return snap, nil
}

// snapshotInvoice keeps what posting needs of a Stripe invoice and its lines, in decimals.
func snapshotInvoice(inv *stripe.Invoice, lines []*stripe.InvoiceLineItem) *posting.Invoice {
	cur := string(inv.Currency)
	amt := func(minor int64) decimal.Decimal { return money.FromMinor(minor, cur) }
	out := &posting.Invoice{ID: inv.ID, Number: inv.Number, Total: amt(inv.Total), Subtotal: amt(inv.Subtotal),
		Tax: amt(inv.Tax), BillingReason: string(inv.BillingReason), PeriodStart: inv.PeriodStart, PeriodEnd: inv.PeriodEnd}
	for _, d := range inv.TotalDiscountAmounts {
		out.Discount = out.Discount.Add(amt(d.Amount))
	}
	if inv.Subscription != nil {
		out.Subscription = inv.Subscription.ID
	}
	for _, l := range lines {
		pl := posting.Line{ID: l.ID, Description: l.Description, Quantity: l.Quantity, Amount: amt(l.Amount), Proration: l.Proration}
		for _, d := range l.DiscountAmounts {
			pl.Discount = pl.Discount.Add(amt(d.Amount))
		}
		for _, t := range l.TaxAmounts {
			tax := posting.Tax{Amount: amt(t.Amount)}
			if t.TaxRate != nil {
				tax.RateID, tax.Name = t.TaxRate.ID, t.TaxRate.DisplayName
				if t.TaxRate.Jurisdiction != "" {
					tax.Name += " " + t.TaxRate.Jurisdiction
				}
				// Stripe sends the percentage as a JSON number; decimal keeps it as written.
				tax.Percent = decimal.NewFromFloat(t.TaxRate.Percentage)
			}
			if t.Inclusive {
				// An inclusive tax is inside the line's amount: the ERP line is the amount net of it.
				pl.Amount = pl.Amount.Sub(tax.Amount)
			}
			pl.Taxes = append(pl.Taxes, tax)
		}
		if l.Period != nil {
			pl.PeriodStart, pl.PeriodEnd = l.Period.Start, l.Period.End
		}
		if l.Price != nil {
			pl.PriceID = l.Price.ID
			if l.Price.Product != nil {
				pl.ProductID, pl.Metadata = l.Price.Product.ID, l.Price.Product.Metadata
			}
		}
		out.Lines = append(out.Lines, pl)
	}
	return out
}

func snapshotCharge(ch *stripe.Charge) *ChargeSnapshot {
	cur := string(ch.Currency)
	s := &ChargeSnapshot{
		ID: ch.ID, AmountMinor: ch.Amount, Amount: money.FromMinor(ch.Amount, cur),
		Currency: money.Currency(cur), Created: ch.Created, Status: string(ch.Status),
		Paid: ch.Paid, Uncaptured: !ch.Captured, Refunded: ch.Refunded, Description: ch.Description, Metadata: ch.Metadata,
		StatementDescriptor: ch.StatementDescriptor,
	}
	// A partial capture posts what was captured (the rest of the authorisation was released).
	if ch.Captured && ch.AmountCaptured > 0 && ch.AmountCaptured < ch.Amount {
		s.Captured = money.FromMinor(ch.AmountCaptured, cur)
	}
	if bt := ch.BalanceTransaction; bt != nil && bt.Currency != "" && !strings.EqualFold(string(bt.Currency), cur) && bt.ExchangeRate != 0 {
		// Stripe sends the rate as a JSON number; decimal keeps it as written.
		s.Settlement = &posting.Settlement{Currency: money.Currency(string(bt.Currency)), Rate: decimal.NewFromFloat(bt.ExchangeRate),
			SettledMinor: bt.Amount, Settled: money.FromMinor(bt.Amount, string(bt.Currency))}
	}
	if ch.PaymentIntent != nil {
		s.PaymentIntentID = ch.PaymentIntent.ID
	}
	if ch.Invoice != nil {
		s.InvoiceID = ch.Invoice.ID
	}
	if d := ch.PaymentMethodDetails; d != nil {
		s.PaymentMethodType = string(d.Type)
		if d.Card != nil {
			s.CardBrand, s.CardLast4 = string(d.Card.Brand), d.Card.Last4
			if s.PaymentMethodType == "" {
				s.PaymentMethodType = "card"
			}
		}
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
	s.Mask()
	return s
}

// WriteBack records the ERP IDs on the Stripe charge (and the customer's ERP ID on the Stripe
// customer). The idempotency keys come from the business keys, so a retry replays, not repeats.
func (a *Activities) WriteBack(ctx context.Context, in *WriteBackInput) (*WriteBackResult, error) {
	k := a.meta()
	md := map[string]string{k.CustomerID: in.CustomerID, k.InvoiceNo: in.InvoiceNumber, k.PaymentNo: in.PaymentID}
	if in.SalesOrder != "" {
		md[k.SalesOrder] = in.SalesOrder
	}
	key := fmt.Sprintf("ledgerbridge-writeback-%s-%s-%s", in.ChargeID, in.InvoiceNumber, in.PaymentID)
	if err := a.Stripe.UpdateChargeMetadata(ctx, in.ChargeID, md, key); err != nil {
		return nil, stripeError("write ERP IDs to charge "+in.ChargeID, err)
	}
	if in.StripeCustomerID != "" {
		key := fmt.Sprintf("ledgerbridge-xref-%s-%s", in.StripeCustomerID, in.CustomerID)
		if err := a.Stripe.UpdateCustomerMetadata(ctx, in.StripeCustomerID, map[string]string{k.CustomerID: in.CustomerID}, key); err != nil {
			return nil, stripeError("write ERP ID to customer "+in.StripeCustomerID, err)
		}
	}
	return &WriteBackResult{}, nil
}
