package stripesandbox

// loadSubscription loads a subscription named by param.
func (c *call) loadSubscription(id, param string) (*subscription, *apiError) {
	var sub subscription
	if aerr := c.loadRef(id, "subscription", param, &sub); aerr != nil {
		return nil, aerr
	}
	return &sub, nil
}

// afterInvoicePayment updates the subscription of an invoice after a
// payment attempt (paid or failed).
func (c *call) afterInvoicePayment(inv *invoice, paid bool) *apiError {
	return nil
}
