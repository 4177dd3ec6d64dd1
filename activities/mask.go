package activities

import (
	"github.com/ledgerbridge/ledgerbridge/internal/erp"
	"github.com/ledgerbridge/ledgerbridge/internal/redact"
)

// Card numbers, CVCs and expiry dates that merchants or support agents paste into free text
// ("phone order, card 4242 4242 4242 4242 exp 12/29") are masked here, in the activity that
// fetched the object, before anything leaves it: so they reach no history, log, metric or ERP
// document. IDs and amounts are left alone.

// maskERPCustomer masks an ERP customer read for the ERP → Stripe sync. A card number someone
// typed into the ERP then reaches neither the history nor Stripe; the masked value comes back
// to the ERP through the Stripe → ERP sync, so it leaves the ERP too.
func maskERPCustomer(c *erp.Customer) {
	for _, f := range []*string{&c.Name, &c.Email, &c.Phone, &c.Address.Line1, &c.Address.Line2, &c.Address.City,
		&c.Address.State, &c.Address.PostalCode, &c.Address.Country} {
		*f = redact.Text(*f)
	}
}
