package activities

import (
	"github.com/ledgerbridge/ledgerbridge/internal/mapping"
	"github.com/ledgerbridge/ledgerbridge/internal/posting"
)

// source flattens a Stripe customer (with its currency) for the customer mapping.
func (c *StripeCustomer) source() mapping.Source {
	return posting.CustomerSource(c.CustomerSnapshot, c.Currency)
}
