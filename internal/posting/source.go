package posting

import (
	"strconv"

	"github.com/shopspring/decimal"

	"github.com/ledgerbridge/ledgerbridge/internal/mapping"
)

// Source flattens a charge (and its customer and invoice) into the dotted paths mapping files
// reference (charge.id, customer.address.city, charge.metadata.<key>, invoice.number, …). Every
// path mapping.KnownSourcePaths lists for these roots is filled here.
func (ch *Charge) Source() mapping.Source {
	s := mapping.Source{
		"charge.id": ch.ID, "charge.provider": firstNonEmpty(ch.Provider, "stripe"), "charge.amount": ch.Posted().String(), "charge.amount_authorized": ch.Amount.String(),
		"charge.currency": ch.Currency, "charge.status": ch.Status, "charge.description": ch.Description,
		"charge.statement_descriptor": ch.StatementDescriptor,
		"charge.created":              strconv.FormatInt(ch.Created, 10), "charge.card.brand": ch.CardBrand, "charge.card.last4": ch.CardLast4,
		"charge.payment_method_type": ch.PaymentMethodType, "charge.payment_intent": ch.PaymentIntentID,
		"charge.invoice": ch.InvoiceID, "charge.customer": ch.Customer.StripeID,
	}
	if s["charge.payment_method_type"] == "" && ch.CardBrand != "" {
		s["charge.payment_method_type"] = "card"
	}
	if st := ch.Settlement; st != nil {
		s["charge.settlement.currency"], s["charge.settlement.amount"], s["charge.settlement.rate"] = st.Currency, st.Settled.String(), st.Rate.String()
	}
	for k, v := range ch.Metadata {
		s["charge.metadata."+k] = v
	}
	ch.Customer.addTo(s)
	if inv := ch.Invoice; inv != nil {
		s["invoice.id"], s["invoice.number"], s["invoice.currency"] = inv.ID, inv.Number, ch.Currency
		s["invoice.subscription"], s["invoice.billing_reason"] = inv.Subscription, inv.BillingReason
		s["invoice.total"], s["invoice.subtotal"], s["invoice.tax"], s["invoice.discount"] = inv.Total.String(), inv.Subtotal.String(), inv.Tax.String(), inv.Discount.String()
		s["invoice.period.start"], s["invoice.period.end"] = unix(inv.PeriodStart), unix(inv.PeriodEnd)
	}
	return s
}

func (c Party) addTo(s mapping.Source) {
	s["customer.id"], s["customer.name"], s["customer.email"], s["customer.phone"] = c.StripeID, c.Name, c.Email, c.Phone
	s["customer.address.line1"], s["customer.address.line2"], s["customer.address.city"] = c.Line1, c.Line2, c.City
	s["customer.address.state"], s["customer.address.postal_code"], s["customer.address.country"] = c.State, c.PostalCode, c.Country
	for k, v := range c.Metadata {
		s["customer.metadata."+k] = v
	}
}

// CustomerSource flattens a provider customer (with its currency) for the customer mapping.
func CustomerSource(c Party, currency string) mapping.Source {
	s := mapping.Source{"customer.currency": currency}
	c.addTo(s)
	return s
}

// lineSource is the charge's source plus one invoice line.
func (ch *Charge) lineSource(l Line) mapping.Source {
	s := ch.Source()
	s["line.id"], s["line.description"], s["line.product"], s["line.price"] = l.ID, l.Description, l.ProductID, l.PriceID
	s["line.quantity"], s["line.amount"], s["line.currency"] = strconv.FormatInt(l.Quantity, 10), l.Amount.String(), ch.Currency
	s["line.discount"], s["line.tax"] = l.Discount.String(), l.tax().String()
	s["line.proration"] = strconv.FormatBool(l.Proration)
	s["line.period.start"], s["line.period.end"] = unix(l.PeriodStart), unix(l.PeriodEnd)
	if l.Quantity > 0 {
		s["line.unit_amount"] = l.Amount.Div(decimal.NewFromInt(l.Quantity)).String()
	}
	for k, v := range l.Metadata {
		s["line.metadata."+k] = v
	}
	return s
}

func unix(t int64) string {
	if t == 0 {
		return ""
	}
	return strconv.FormatInt(t, 10)
}
