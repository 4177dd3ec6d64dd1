// Package posting is ledgerbridge's pure posting layer: it turns a provider snapshot (a Stripe
// charge, refund, dispute, payout; later a PayTrace transaction), the mapping file and an
// operator's corrections into the complete plan of ERP documents, every field rendered: the
// customer, the sales order and invoice with their lines, discounts, tax and site, the payment
// with its method, type, reference, status and home-currency amount, credit memos and journal
// entries. It does no I/O. Activities find by external reference, ask this package for the
// plan and create it; preview prints the same plan; so every mapping key is applied here, once.
package posting

import (
	"github.com/shopspring/decimal"

	"github.com/ledgerbridge/ledgerbridge/internal/redact"
)

// Charge is a provider payment as order-to-cash posts it, re-fetched from the provider. It holds
// processor IDs and the masked card (brand, last 4) only: never card data.
type Charge struct {
	ID string `json:"id"`
	// Provider is "stripe" (empty) or "paytrace".
	Provider    string          `json:"provider,omitempty"`
	AmountMinor int64           `json:"amountMinor"`
	Amount      decimal.Decimal `json:"amount"`
	// Captured is the amount captured when less than Amount (a partial capture); zero means all of
	// Amount (or not captured yet, see Uncaptured).
	Captured decimal.Decimal `json:"captured,omitzero"`
	Currency string          `json:"currency"`
	Created  int64           `json:"created"`
	Status   string          `json:"status"`
	Paid     bool            `json:"paid"`
	// Uncaptured is true for an authorisation not yet captured (manual capture).
	Uncaptured bool `json:"uncaptured,omitempty"`
	// Refunded is true once the charge is fully refunded (or its authorisation released).
	Refunded    bool   `json:"refunded,omitempty"`
	Description string `json:"description,omitempty"`
	// StatementDescriptor is what the customer's bank statement shows.
	StatementDescriptor string            `json:"statementDescriptor,omitempty"`
	PaymentIntentID     string            `json:"paymentIntentId,omitempty"`
	InvoiceID           string            `json:"invoiceId,omitempty"`
	Metadata            map[string]string `json:"metadata,omitempty"`
	CardBrand           string            `json:"cardBrand,omitempty"`
	CardLast4           string            `json:"cardLast4,omitempty"`
	// PaymentMethodType is the provider's method type (Stripe "card", PayTrace "CC" or "ACH").
	PaymentMethodType string `json:"paymentMethodType,omitempty"`
	Customer          Party  `json:"customer"`
	// Invoice is the provider invoice the charge paid (Stripe subscriptions and invoices), if any.
	Invoice *Invoice `json:"invoice,omitempty"`
	// Settlement is how the charge was settled when in another currency than it was presented in.
	Settlement *Settlement `json:"settlement,omitempty"`
}

// Posted is the amount the charge posts: the captured amount of a partial capture, else Amount.
func (ch *Charge) Posted() decimal.Decimal {
	if !ch.Captured.IsZero() && ch.Captured.LessThan(ch.Amount) {
		return ch.Captured
	}
	return ch.Amount
}

// Party is the customer behind a payment, or its billing details for a guest.
type Party struct {
	StripeID   string            `json:"stripeId,omitempty"`
	Email      string            `json:"email,omitempty"`
	Name       string            `json:"name,omitempty"`
	Phone      string            `json:"phone,omitempty"`
	Line1      string            `json:"line1,omitempty"`
	Line2      string            `json:"line2,omitempty"`
	City       string            `json:"city,omitempty"`
	State      string            `json:"state,omitempty"`
	PostalCode string            `json:"postalCode,omitempty"`
	Country    string            `json:"country,omitempty"`
	Metadata   map[string]string `json:"metadata,omitempty"`
}

// Invoice is the provider invoice a charge paid: its number and lines, with Stripe's own
// discount and tax amounts, so the ERP invoice equals it to the cent.
type Invoice struct {
	ID       string          `json:"id"`
	Number   string          `json:"number,omitempty"`
	Total    decimal.Decimal `json:"total"`
	Subtotal decimal.Decimal `json:"subtotal"`
	Tax      decimal.Decimal `json:"tax"`
	Discount decimal.Decimal `json:"discount"`
	// Subscription is the subscription that issued it, BillingReason why (subscription_cycle, …).
	Subscription  string `json:"subscription,omitempty"`
	BillingReason string `json:"billingReason,omitempty"`
	PeriodStart   int64  `json:"periodStart,omitempty"`
	PeriodEnd     int64  `json:"periodEnd,omitempty"`
	Lines         []Line `json:"lines"`
}

// Line is one provider invoice line. Amount is before discounts and excludes tax (Stripe's line
// amount); Discount is every discount on it (its own and its share of invoice-level coupons),
// Taxes the tax charged on the discounted amount.
type Line struct {
	ID          string          `json:"id,omitempty"`
	Description string          `json:"description"`
	Quantity    int64           `json:"quantity"`
	Amount      decimal.Decimal `json:"amount"`
	Discount    decimal.Decimal `json:"discount,omitzero"`
	Taxes       []Tax           `json:"taxes,omitempty"`
	Proration   bool            `json:"proration,omitempty"`
	PriceID     string          `json:"priceId,omitempty"`
	ProductID   string          `json:"productId,omitempty"`
	// Metadata is the product's metadata (line.metadata.<key>; invoice.items.metadata_key names
	// the ERP item there).
	Metadata    map[string]string `json:"metadata,omitempty"`
	PeriodStart int64             `json:"periodStart,omitempty"`
	PeriodEnd   int64             `json:"periodEnd,omitempty"`
}

// tax is the line's total tax.
func (l Line) tax() decimal.Decimal {
	t := decimal.Zero
	for _, x := range l.Taxes {
		t = t.Add(x.Amount)
	}
	return t
}

// Tax is one tax amount on a line, under its rate.
type Tax struct {
	Amount decimal.Decimal `json:"amount"`
	// RateID is the provider's tax rate (Stripe txr_…); Name its display name and jurisdiction.
	RateID  string          `json:"rateId,omitempty"`
	Name    string          `json:"name,omitempty"`
	Percent decimal.Decimal `json:"percent,omitzero"`
}

// Settlement is the settled side of a charge presented in another currency: Stripe converted
// Amount (in Charge.Currency) at Rate into SettledMinor of Currency.
type Settlement struct {
	Currency     string          `json:"currency"`
	Rate         decimal.Decimal `json:"rate"`
	SettledMinor int64           `json:"settledMinor"`
	Settled      decimal.Decimal `json:"settled"`
}

// Mask masks card numbers, CVCs and expiry text pasted into the charge's free text, metadata,
// customer and lines (see internal/redact). Fetching activities call it before anything leaves
// them.
func (ch *Charge) Mask() {
	ch.Description = redact.Text(ch.Description)
	ch.StatementDescriptor = redact.Text(ch.StatementDescriptor)
	ch.Metadata = redact.Map(ch.Metadata)
	ch.Customer.Mask()
	if ch.Invoice != nil {
		for i := range ch.Invoice.Lines {
			ch.Invoice.Lines[i].Description = redact.Text(ch.Invoice.Lines[i].Description)
			ch.Invoice.Lines[i].Metadata = redact.Map(ch.Invoice.Lines[i].Metadata)
		}
	}
}

// Mask masks every free-text field of a customer.
func (c *Party) Mask() {
	for _, f := range []*string{&c.Email, &c.Name, &c.Phone, &c.Line1, &c.Line2, &c.City, &c.State, &c.PostalCode, &c.Country} {
		*f = redact.Text(*f)
	}
	c.Metadata = redact.Map(c.Metadata)
}
