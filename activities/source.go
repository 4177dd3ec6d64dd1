package activities

import (
	"strconv"

	"github.com/ledgerbridge/ledgerbridge/internal/mapping"
)

// source flattens a charge (and its customer) into the dotted paths mapping files reference
// (charge.id, customer.address.city, charge.metadata.<key>, …).
func (ch *ChargeSnapshot) source() mapping.Source {
	s := mapping.Source{
		"charge.id": ch.ID, "charge.amount": ch.Amount.String(), "charge.currency": ch.Currency,
		"charge.status": ch.Status, "charge.description": ch.Description, "charge.created": strconv.FormatInt(ch.Created, 10),
		"charge.card.brand": ch.CardBrand, "charge.card.last4": ch.CardLast4, "charge.payment_intent": ch.PaymentIntentID,
		"charge.invoice": ch.InvoiceID, "charge.customer": ch.Customer.StripeID,
	}
	if ch.CardBrand != "" {
		s["charge.payment_method_type"] = "card"
	}
	for k, v := range ch.Metadata {
		s["charge.metadata."+k] = v
	}
	ch.Customer.addTo(s)
	return s
}

func (c CustomerSnapshot) addTo(s mapping.Source) {
	s["customer.id"], s["customer.name"], s["customer.email"], s["customer.phone"] = c.StripeID, c.Name, c.Email, c.Phone
	s["customer.address.line1"], s["customer.address.line2"], s["customer.address.city"] = c.Line1, c.Line2, c.City
	s["customer.address.state"], s["customer.address.postal_code"], s["customer.address.country"] = c.State, c.PostalCode, c.Country
	for k, v := range c.Metadata {
		s["customer.metadata."+k] = v
	}
}

// lineSource is the charge's source plus one invoice line.
func (ch *ChargeSnapshot) lineSource(l LineSnapshot) mapping.Source {
	s := ch.source()
	s["line.description"], s["line.product"], s["line.price"] = l.Description, l.ProductID, l.PriceID
	s["line.quantity"], s["line.amount"], s["line.currency"] = strconv.FormatInt(l.Quantity, 10), l.Amount.String(), ch.Currency
	if l.ItemID != "" {
		s["line.metadata."+MetaItemID] = l.ItemID
	}
	return s
}

// source flattens a Stripe customer (with its currency) for the customer mapping.
func (c *StripeCustomer) source() mapping.Source {
	s := mapping.Source{"customer.currency": c.Currency}
	c.CustomerSnapshot.addTo(s)
	return s
}
