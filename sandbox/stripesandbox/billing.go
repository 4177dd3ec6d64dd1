package stripesandbox

import (
	"errors"
	"net/http"
)

// Shared helpers of the billing objects (invoice items, invoices,
// subscriptions, credit notes).

// loadCustomer loads a customer named by param (400 resource_missing).
func (c *call) loadCustomer(id, param string) (*customer, *apiError) {
	var cu customer
	if aerr := c.loadRef(id, "customer", param, &cu); aerr != nil {
		return nil, aerr
	}
	return &cu, nil
}

// useClock makes the call stamp objects with the frozen time of the
// customer's test clock, if it has one.
func (c *call) useClock(cu *customer) *apiError {
	if cu.TestClock == nil {
		return nil
	}
	clk, aerr := c.loadClock(*cu.TestClock, "test_clock")
	if aerr != nil {
		if aerr.Code == "resource_missing" {
			return nil // the clock was deleted: back on the server clock
		}
		return aerr
	}
	c.frozen = clk.FrozenTime
	return nil
}

// loadClock loads a test clock by ID.
func (c *call) loadClock(id, param string) (*testClock, *apiError) {
	r, err := getRow(c.ctx, c.q, id, clockType)
	if errors.Is(err, errNotFound) {
		return nil, noSuchObject(http.StatusBadRequest, param, "test clock", id)
	}
	if err != nil {
		return nil, internalError(err)
	}
	var clk testClock
	if aerr := decodeRow(r, &clk); aerr != nil {
		return nil, aerr
	}
	return &clk, nil
}

// setCustomerCurrency fixes the customer's billing currency the first time
// it is billed (customer.updated), and refuses any other currency later.
func (c *call) setCustomerCurrency(cu *customer, currency, param string) *apiError {
	if cu.Currency != nil {
		if *cu.Currency != currency {
			return invalidParam(param, "You cannot combine currencies on a single customer. This customer has had a subscription or payment in %s, but you are trying to bill in %s.", *cu.Currency, currency)
		}
		return nil
	}
	cu.Currency = &currency
	if aerr := c.save(customerRow(cu), cu); aerr != nil {
		return aerr
	}
	return c.emit(evCustomerUpdated, cu, map[string]any{"currency": nil})
}

// ptr returns a pointer to a copy of v.
func ptr[T any](v T) *T { return &v }
