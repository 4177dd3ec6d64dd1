package stripesandbox

import "net/http"

// Attaching payment methods to customers: POST
// /v1/payment_methods/{id}/attach (customer; {id} may be a test token such
// as pm_card_visa, which creates a new PaymentMethod), POST
// /v1/payment_methods/{id}/detach, GET /v1/payment_methods?customer=…
// (type card), and the customer's payment_method parameter on create. Like
// Stripe, attaching checks the card: the declining test cards are refused
// with a 402 card_error, except pm_card_chargeCustomerFail, which attaches
// and then declines every charge (the card for failed renewals).

const (
	evPaymentMethodAttached = "payment_method.attached"
	evPaymentMethodDetached = "payment_method.detached"
)

func paymentMethodRow(pm *paymentMethod, kind string) row {
	r := row{ID: pm.ID, Type: "payment_method", Created: pm.Created, Kind: kind}
	if pm.Customer != nil {
		r.Customer = *pm.Customer
	}
	return r
}

// pmKind returns the test token a stored payment method was made from.
func (c *call) pmKind(id string) string {
	r, err := getRow(c.ctx, c.q, id, "payment_method")
	if err != nil {
		return ""
	}
	return r.Kind
}

// attachPaymentMethod attaches a payment method (or a new one made from a
// test token) to a customer; param names it in errors.
func (c *call) attachPaymentMethod(id, customerID, param string) (*paymentMethod, *apiError) {
	if card, ok := testCards[id]; ok && card.DeclineCode != "" && !card.AttachOK {
		return nil, &apiError{Status: http.StatusPaymentRequired, Type: "card_error", Code: card.Code,
			DeclineCode: card.DeclineCode, Message: card.Message, DocURL: docURL(card.Code), Param: param}
	}
	pm, card, aerr := c.resolvePaymentMethod(id)
	if aerr != nil {
		aerr.Param = param
		return nil, aerr
	}
	if card.DeclineCode != "" && !card.AttachOK {
		return nil, &apiError{Status: http.StatusPaymentRequired, Type: "card_error", Code: card.Code,
			DeclineCode: card.DeclineCode, Message: card.Message, DocURL: docURL(card.Code), Param: param}
	}
	if pm.Customer != nil {
		if *pm.Customer == customerID {
			return pm, nil
		}
		return nil, invalidParam(param, "The payment method you provided has already been attached to a customer.")
	}
	pm.Customer = &customerID
	kind := id
	if _, isToken := testCards[id]; !isToken {
		kind = c.pmKind(pm.ID)
	}
	if aerr := c.save(paymentMethodRow(pm, kind), pm); aerr != nil {
		return nil, aerr
	}
	if aerr := c.emit(evPaymentMethodAttached, pm, nil); aerr != nil {
		return nil, aerr
	}
	return pm, nil
}

// customerPaymentMethod loads a payment method that must belong to the
// customer (for invoice_settings[default_payment_method] and the like).
func (c *call) customerPaymentMethod(id, customerID, param string) (*paymentMethod, *apiError) {
	var pm paymentMethod
	if aerr := c.loadRef(id, "payment_method", param, &pm); aerr != nil {
		if _, isToken := testCards[id]; isToken {
			aerr.Message = "The customer does not have a payment method with the ID " + id +
				". The payment method must be attached to the customer."
		}
		return nil, aerr
	}
	if pm.Customer == nil || *pm.Customer != customerID {
		return nil, invalidParam(param, "The customer does not have a payment method with the ID %s. The payment method must be attached to the customer.", id)
	}
	return &pm, nil
}

func (s *Server) attachPaymentMethodAPI(c *call) (any, *apiError) {
	if aerr := c.p.allow("", "customer", "expand"); aerr != nil {
		return nil, aerr
	}
	cusID, ok, aerr := c.p.str("customer")
	if aerr != nil {
		return nil, aerr
	}
	if !ok || cusID == "" {
		return nil, missingParam("customer")
	}
	cu, aerr := c.loadCustomer(cusID, "customer")
	if aerr != nil {
		return nil, aerr
	}
	if aerr := c.useClock(cu); aerr != nil {
		return nil, aerr
	}
	id := c.r.PathValue("id")
	if _, isToken := testCards[id]; !isToken {
		if _, aerr := c.load("payment_method"); aerr != nil {
			return nil, aerr
		}
	}
	pm, aerr := c.attachPaymentMethod(id, cu.ID, "")
	if aerr != nil {
		return nil, aerr
	}
	return c.renderValue(pm, "payment_method")
}

func (s *Server) detachPaymentMethod(c *call) (any, *apiError) {
	if aerr := c.p.allow("", "expand"); aerr != nil {
		return nil, aerr
	}
	r, aerr := c.load("payment_method")
	if aerr != nil {
		return nil, aerr
	}
	var pm paymentMethod
	if aerr := decodeRow(r, &pm); aerr != nil {
		return nil, aerr
	}
	if pm.Customer == nil {
		return nil, invalidParam("", "The payment method %s is not attached to a customer.", pm.ID)
	}
	prev := map[string]any{"customer": *pm.Customer}
	pm.Customer = nil
	if aerr := c.save(paymentMethodRow(&pm, r.Kind), &pm); aerr != nil {
		return nil, aerr
	}
	if aerr := c.emit(evPaymentMethodDetached, &pm, prev); aerr != nil {
		return nil, aerr
	}
	return c.renderValue(&pm, "payment_method")
}

func (s *Server) listPaymentMethods(c *call) (any, *apiError) {
	if v, ok, _ := c.p.str("type"); ok && v != "card" {
		return nil, invalidParam("type", "The sandbox has card payment methods only.")
	}
	delete(c.p, "type")
	if !c.p.has("customer") {
		return nil, missingParam("customer")
	}
	return c.list("payment_method", "/v1/payment_methods", map[string]string{"customer": "customer"})
}
