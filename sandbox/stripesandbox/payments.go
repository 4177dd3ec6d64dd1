package stripesandbox

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
)

// minChargeAmounts are Stripe's minimum charge amounts (minor units) for the
// common currencies; other currencies have no minimum in the sandbox.
var minChargeAmounts = map[string]int64{
	"usd": 50, "eur": 50, "cad": 50, "aud": 50, "nzd": 50, "chf": 50, "sgd": 50, "gbp": 30, "jpy": 50,
}

var paymentIntentCreateParams = []string{"amount", "currency", "customer", "payment_method", "confirm",
	"description", "metadata", "receipt_email", "payment_method_types", "capture_method",
	"confirmation_method", "off_session", "statement_descriptor", "statement_descriptor_suffix",
	"return_url", "error_on_requires_action", "expand"}

func (s *Server) createPaymentIntent(c *call) (any, *apiError) {
	p := c.p
	if aerr := p.allow("", paymentIntentCreateParams...); aerr != nil {
		return nil, aerr
	}
	now := s.now().Unix()
	pi := &paymentIntent{ID: newID("pi"), Object: "payment_intent", CaptureMethod: "automatic",
		ConfirmationMethod: "automatic", Created: now, Metadata: map[string]string{},
		PaymentMethodTypes: []string{"card"}, Status: "requires_payment_method"}
	pi.ClientSecret = pi.ID + "_secret_" + randomString(25)

	amount, ok, aerr := p.integer("amount")
	if aerr != nil {
		return nil, aerr
	}
	if !ok {
		return nil, missingParam("amount")
	}
	currency, ok, aerr := p.str("currency")
	if aerr != nil {
		return nil, aerr
	}
	if !ok || currency == "" {
		return nil, missingParam("currency")
	}
	currency = strings.ToLower(currency)
	if aerr := validateAmount(amount, currency); aerr != nil {
		return nil, aerr
	}
	pi.Amount, pi.Currency = amount, currency

	if id, ok, aerr := p.str("customer"); aerr != nil {
		return nil, aerr
	} else if ok && id != "" {
		if _, err := getRow(c.ctx, c.q, id, "customer"); errors.Is(err, errNotFound) {
			return nil, noSuchObject(http.StatusBadRequest, "customer", "customer", id)
		} else if err != nil {
			return nil, internalError(err)
		}
		pi.Customer = &id
	}
	for name, dst := range map[string]**string{"description": &pi.Description, "receipt_email": &pi.ReceiptEmail,
		"statement_descriptor": &pi.StatementDescriptor, "statement_descriptor_suffix": &pi.StatementDescSuffix} {
		v, _, aerr := p.str(name)
		if aerr != nil {
			return nil, aerr
		}
		*dst = optStr(v)
	}
	if pi.StatementDescriptor != nil && len(*pi.StatementDescriptor) > 22 {
		return nil, invalidParam("statement_descriptor", "The statement descriptor must be at most 22 characters.")
	}
	if v, ok, aerr := p.str("capture_method"); aerr != nil {
		return nil, aerr
	} else if ok {
		switch v {
		case "automatic", "automatic_async":
		case "manual":
			pi.CaptureMethod = "manual"
		default:
			return nil, invalidParam("capture_method", "Invalid capture_method: must be one of automatic, automatic_async, or manual")
		}
	}
	if v, ok, aerr := p.str("confirmation_method"); aerr != nil {
		return nil, aerr
	} else if ok {
		if v != "automatic" && v != "manual" {
			return nil, invalidParam("confirmation_method", "Invalid confirmation_method: must be one of automatic, manual")
		}
		pi.ConfirmationMethod = v
	}
	if types, ok, aerr := p.list("payment_method_types"); aerr != nil {
		return nil, aerr
	} else if ok {
		for _, t := range types {
			if t != "card" {
				return nil, invalidParam("payment_method_types", "The payment method type %q is invalid (the sandbox supports card).", t)
			}
		}
		if len(types) > 0 {
			pi.PaymentMethodTypes = types
		}
	}
	md, _, aerr := applyMetadata(p, nil)
	if aerr != nil {
		return nil, aerr
	}
	pi.Metadata = md
	confirm, _, aerr := p.boolean("confirm")
	if aerr != nil {
		return nil, aerr
	}
	if _, _, aerr := p.boolean("off_session"); aerr != nil {
		return nil, aerr
	}
	var pm *paymentMethod
	var card testCard
	if id, ok, aerr := p.str("payment_method"); aerr != nil {
		return nil, aerr
	} else if ok && id != "" {
		if pm, card, aerr = c.resolvePaymentMethod(id); aerr != nil {
			return nil, aerr
		}
		pi.PaymentMethod = &pm.ID
		pi.Status = "requires_confirmation"
	}
	if aerr := c.save(paymentIntentRow(pi), pi); aerr != nil {
		return nil, aerr
	}
	if aerr := c.emit(evPaymentIntentCreated, pi, nil); aerr != nil {
		return nil, aerr
	}
	if confirm {
		if pm == nil {
			return nil, missingPaymentMethod(pi)
		}
		if aerr := c.attemptCharge(pi, pm, card); aerr != nil {
			return nil, aerr
		}
	}
	return c.renderValue(pi, "payment_intent")
}

// validateAmount applies Stripe's amount rules for a currency.
func validateAmount(amount int64, currency string) *apiError {
	if len(currency) != 3 || strings.Trim(currency, "abcdefghijklmnopqrstuvwxyz") != "" {
		return invalidParam("currency", "Invalid currency: %s. Stripe currencies are three-letter ISO codes in lowercase.", currency)
	}
	if amount < 1 {
		return invalidParam("amount", "This value must be greater than or equal to 1.")
	}
	if amount > maxChargeAmount {
		return invalidParamCode("amount_too_large", "amount", "Amount must be no more than %d", int64(maxChargeAmount))
	}
	if min, ok := minChargeAmounts[currency]; ok && amount < min {
		return invalidParamCode("amount_too_small", "amount", "Amount must be at least %d %s", min, currency)
	}
	if currencyExponent(currency) == 3 && amount%10 != 0 {
		return invalidParamCode("invalid_amount", "amount",
			"Invalid amount: amounts in %s must be a multiple of 10 (the last of the three decimal digits must be 0).", strings.ToUpper(currency))
	}
	return nil
}

func missingPaymentMethod(pi *paymentIntent) *apiError {
	return invalidParamCode("payment_intent_unexpected_state", "payment_method",
		"You cannot confirm this PaymentIntent because it's missing a payment method. To confirm the PaymentIntent, specify a payment method (for example payment_method=pm_card_visa).")
}

func paymentIntentRow(pi *paymentIntent) row {
	r := row{ID: pi.ID, Type: "payment_intent", Created: pi.Created, Currency: pi.Currency}
	if pi.Customer != nil {
		r.Customer = *pi.Customer
	}
	return r
}

// resolvePaymentMethod turns a test token (pm_card_visa) into a new stored
// PaymentMethod, or loads a previously created pm_ ID.
func (c *call) resolvePaymentMethod(id string) (*paymentMethod, testCard, *apiError) {
	if card, ok := testCards[id]; ok {
		sum := sha256.Sum256([]byte(id))
		pm := &paymentMethod{ID: newID("pm"), Object: "payment_method", Created: c.now(),
			Metadata: map[string]string{}, Type: "card",
			Card: cardDetails{Brand: card.Brand, Country: card.Country, ExpMonth: 12, ExpYear: int64(c.s.now().Year() + 3),
				Fingerprint: hex.EncodeToString(sum[:8]), Funding: card.Funding, Last4: card.Last4}}
		if aerr := c.save(row{ID: pm.ID, Type: "payment_method", Created: pm.Created, Kind: id}, pm); aerr != nil {
			return nil, card, aerr
		}
		return pm, card, nil
	}
	r, err := getRow(c.ctx, c.q, id, "payment_method")
	if errors.Is(err, errNotFound) {
		return nil, testCard{}, noSuchObject(http.StatusBadRequest, "payment_method", "PaymentMethod", id)
	}
	if err != nil {
		return nil, testCard{}, internalError(err)
	}
	var pm paymentMethod
	if aerr := decodeRow(r, &pm); aerr != nil {
		return nil, testCard{}, aerr
	}
	return &pm, testCards[r.Kind], nil
}

// attemptCharge creates the charge for a confirmed PaymentIntent. On success
// it also writes the balance transaction (automatic capture) or leaves the
// charge authorised and uncaptured (capture_method manual: no balance
// transaction until capture); on a decline it records the failed charge and
// returns the 402 card_error Stripe sends.
func (c *call) attemptCharge(pi *paymentIntent, pm *paymentMethod, card testCard) *apiError {
	now := c.now()
	network := card.Brand
	ch := &charge{ID: newID("ch"), Object: "charge", Amount: pi.Amount, BillingDetails: pm.BillingDetails,
		Created: now, Currency: pi.Currency, Customer: pi.Customer, Description: pi.Description,
		FraudDetails: map[string]string{}, Metadata: copyMap(pi.Metadata), PaymentIntent: &pi.ID,
		PaymentMethod: pm.ID, ReceiptEmail: pi.ReceiptEmail, Invoice: pi.Invoice}
	ch.PaymentMethodDetails = paymentMethodDetails{Type: "card", Card: pm.Card}
	ch.PaymentMethodDetails.Card.Network = &network
	ch.ReceiptURL = "https://pay.stripe.com/receipts/sandbox/" + ch.ID
	ch.Refunds = &refundList{Object: "list", Data: []*refund{}, URL: "/v1/charges/" + ch.ID + "/refunds"}
	pi.LatestCharge = &ch.ID

	if card.DeclineCode != "" {
		reason := card.DeclineCode
		ch.Status = "failed"
		ch.FailureCode = strPtr(card.Code)
		ch.FailureMessage = strPtr(card.Message)
		ch.Outcome = chargeOutcome{NetworkStatus: "declined_by_network", Reason: &reason, RiskLevel: "normal",
			RiskScore: 20, SellerMessage: sellerMessage(card.DeclineCode), Type: "issuer_declined"}
		if aerr := c.save(chargeRow(ch), ch); aerr != nil {
			return aerr
		}
		declineErr := &apiError{Status: http.StatusPaymentRequired, Type: "card_error", Code: card.Code,
			DeclineCode: card.DeclineCode, Message: card.Message, DocURL: docURL(card.Code), Charge: ch.ID,
			PaymentMethod: pm}
		pi.Status = "requires_payment_method"
		pi.PaymentMethod = nil // Stripe detaches the failed method from the intent
		pi.LastPaymentError = declineErr
		if aerr := c.save(paymentIntentRow(pi), pi); aerr != nil {
			return aerr
		}
		if aerr := c.emit(evChargeFailed, ch, nil); aerr != nil {
			return aerr
		}
		if aerr := c.emit(evPaymentIntentFailed, pi, nil); aerr != nil {
			return aerr
		}
		resp := *declineErr
		resp.PaymentIntent = pi
		return &resp
	}

	if pi.CaptureMethod == "manual" {
		return c.authorize(pi, ch, pm)
	}
	bt, aerr := c.s.chargeBalanceTxn(ch, ch.Amount, now)
	if aerr != nil {
		return aerr
	}
	if aerr := c.saveBT(bt, ""); aerr != nil {
		return aerr
	}
	ch.BalanceTransaction = &bt.ID
	ch.Status, ch.Paid, ch.Captured, ch.AmountCaptured = "succeeded", true, true, ch.Amount
	ch.Outcome = chargeOutcome{NetworkStatus: "approved_by_network", RiskLevel: "normal", RiskScore: 20,
		SellerMessage: sellerMessage(""), Type: "authorized"}
	if aerr := c.save(chargeRow(ch), ch); aerr != nil {
		return aerr
	}
	pi.Status, pi.AmountReceived, pi.PaymentMethod, pi.LastPaymentError = "succeeded", pi.Amount, &pm.ID, nil
	if aerr := c.save(paymentIntentRow(pi), pi); aerr != nil {
		return aerr
	}
	if aerr := c.emit(evChargeSucceeded, ch, nil); aerr != nil {
		return aerr
	}
	if aerr := c.emit(evPaymentIntentSucceded, pi, nil); aerr != nil {
		return aerr
	}
	if card.Dispute != "" {
		// Stripe opens the dispute asynchronously moments later; the sandbox
		// does it in the same request so tests need not wait.
		if _, aerr := c.openDispute(ch, bt, card.Dispute); aerr != nil {
			return aerr
		}
	}
	return nil
}

func copyMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func (s *Server) confirmPaymentIntent(c *call) (any, *apiError) {
	if aerr := c.p.allow("", "payment_method", "receipt_email", "return_url", "off_session",
		"error_on_requires_action", "expand"); aerr != nil {
		return nil, aerr
	}
	r, aerr := c.load("payment_intent")
	if aerr != nil {
		return nil, aerr
	}
	var pi paymentIntent
	if aerr := decodeRow(r, &pi); aerr != nil {
		return nil, aerr
	}
	if pi.Status != "requires_payment_method" && pi.Status != "requires_confirmation" {
		return nil, invalidParamCode("payment_intent_unexpected_state", "",
			"You cannot confirm this PaymentIntent because it has a status of %s. Only a PaymentIntent with one of the following statuses may be confirmed: requires_confirmation, requires_payment_method, requires_action.", pi.Status)
	}
	if v, ok, aerr := c.p.str("receipt_email"); aerr != nil {
		return nil, aerr
	} else if ok {
		pi.ReceiptEmail = optStr(v)
	}
	if _, _, aerr := c.p.boolean("off_session"); aerr != nil {
		return nil, aerr
	}
	var pm *paymentMethod
	var card testCard
	id, ok, aerr := c.p.str("payment_method")
	if aerr != nil {
		return nil, aerr
	}
	if !ok || id == "" {
		if pi.PaymentMethod == nil {
			return nil, missingPaymentMethod(&pi)
		}
		id = *pi.PaymentMethod
	}
	if pm, card, aerr = c.resolvePaymentMethod(id); aerr != nil {
		return nil, aerr
	}
	pi.PaymentMethod = &pm.ID
	if aerr := c.attemptCharge(&pi, pm, card); aerr != nil {
		return nil, aerr
	}
	return c.renderValue(&pi, "payment_intent")
}

func (s *Server) getPaymentIntent(c *call) (any, *apiError) {
	// client_secret is accepted (publishable-key flows send it) but not needed.
	delete(c.p, "client_secret")
	return c.getAndRender("payment_intent")
}

func (s *Server) listPaymentIntents(c *call) (any, *apiError) {
	return c.list("payment_intent", "/v1/payment_intents", map[string]string{"customer": "customer"})
}

func (s *Server) getPaymentMethod(c *call) (any, *apiError) { return c.getAndRender("payment_method") }

func chargeRow(ch *charge) row {
	r := row{ID: ch.ID, Type: "charge", Created: ch.Created, Currency: ch.Currency, Kind: ch.Status}
	if ch.Customer != nil {
		r.Customer = *ch.Customer
	}
	if ch.PaymentIntent != nil {
		r.PaymentIntent = *ch.PaymentIntent
	}
	return r
}

func (s *Server) getCharge(c *call) (any, *apiError) { return c.getAndRender("charge") }

func (s *Server) listCharges(c *call) (any, *apiError) {
	return c.list("charge", "/v1/charges", map[string]string{"customer": "customer", "payment_intent": "payment_intent"})
}

func (s *Server) updateCharge(c *call) (any, *apiError) {
	if aerr := c.p.allow("", "description", "metadata", "receipt_email", "expand"); aerr != nil {
		return nil, aerr
	}
	r, aerr := c.load("charge")
	if aerr != nil {
		return nil, aerr
	}
	var ch charge
	if aerr := decodeRow(r, &ch); aerr != nil {
		return nil, aerr
	}
	before := ch
	for name, dst := range map[string]**string{"description": &ch.Description, "receipt_email": &ch.ReceiptEmail} {
		if v, ok, aerr := c.p.str(name); aerr != nil {
			return nil, aerr
		} else if ok {
			*dst = optStr(v)
		}
	}
	md, _, aerr := applyMetadata(c.p, ch.Metadata)
	if aerr != nil {
		return nil, aerr
	}
	ch.Metadata = md
	prev, aerr := previousAttributes(&before, &ch)
	if aerr != nil {
		return nil, aerr
	}
	if len(prev) > 0 {
		if aerr := c.save(chargeRow(&ch), &ch); aerr != nil {
			return nil, aerr
		}
		if aerr := c.emit(evChargeUpdated, &ch, prev); aerr != nil {
			return nil, aerr
		}
	}
	return c.renderValue(&ch, "charge")
}

func (s *Server) getBalanceTransaction(c *call) (any, *apiError) {
	return c.getAndRender("balance_transaction")
}

func (s *Server) listBalanceTransactions(c *call) (any, *apiError) {
	if c.p.has("payout") {
		// Every sandbox payout is automatic, so the filter always applies; the
		// listing includes the payout's own type=payout row, like Stripe.
		// Keyset pagination on the (type, payout, seq) index keeps pages of a
		// 100,000-row payout fast.
		id, _, aerr := c.p.str("payout")
		if aerr != nil {
			return nil, aerr
		}
		if _, err := getRow(c.ctx, c.q, id, "payout"); errors.Is(err, errNotFound) {
			return nil, noSuchObject(http.StatusBadRequest, "payout", "payout", id)
		} else if err != nil {
			return nil, internalError(err)
		}
	}
	if v, ok, _ := c.p.str("currency"); ok {
		c.p["currency"] = strings.ToLower(v)
	}
	return c.list("balance_transaction", "/v1/balance_transactions",
		map[string]string{"source": "source", "type": "kind", "currency": "currency", "payout": "payout"})
}
