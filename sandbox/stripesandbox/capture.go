package stripesandbox

import (
	"errors"
	"net/http"
)

// Manual capture. A PaymentIntent with capture_method=manual authorises
// on confirm: the charge is succeeded and paid but captured=false,
// amount_captured 0 and has no balance transaction; the intent is
// requires_capture with amount_capturable = amount. Capturing (all or part)
// writes the balance transaction; cancelling releases the authorisation.
//
// What happens to the released part follows the API version. Under
// 2023-10-16 (the default) Stripe represents it as a Refund: a partial
// capture writes the charge's balance transaction for the whole authorised
// amount and a second one (type refund, reporting_category
// partial_capture_reversal) reversing the uncaptured part and its share of
// the fee, linked to a Refund of the remainder that is counted in
// amount_refunded; cancelling refunds the whole amount (refunded=true, a
// Refund without balance transaction). Both send charge.refunded. With
// Config.DisableRefundOnAuthRelease the 2025-03-31.basil rules apply: one
// balance transaction for the captured amount, no Refund, amount_refunded
// and refunded untouched, no charge.refunded.

var cancellationReasons = map[string]bool{"duplicate": true, "fraudulent": true,
	"requested_by_customer": true, "abandoned": true}

// authorize finishes a successful manual-capture confirmation: the charge
// is authorised, nothing is settled yet.
func (c *call) authorize(pi *paymentIntent, ch *charge, pm *paymentMethod) *apiError {
	// Refuse a currency that could never settle now, not at capture time.
	if _, aerr := c.s.chargeBalanceTxn(ch, ch.Amount, c.now()); aerr != nil {
		return aerr
	}
	ch.Status, ch.Paid, ch.Captured, ch.AmountCaptured = "succeeded", true, false, 0
	ch.Outcome = chargeOutcome{NetworkStatus: "approved_by_network", RiskLevel: "normal", RiskScore: 20,
		SellerMessage: sellerMessage(""), Type: "authorized"}
	if aerr := c.save(chargeRow(ch), ch); aerr != nil {
		return aerr
	}
	pi.Status, pi.AmountCapturable, pi.PaymentMethod, pi.LastPaymentError = "requires_capture", pi.Amount, &pm.ID, nil
	if aerr := c.save(paymentIntentRow(pi), pi); aerr != nil {
		return aerr
	}
	if aerr := c.emit(evChargeSucceeded, ch, nil); aerr != nil {
		return aerr
	}
	return c.emit(evPaymentIntentCapturable, pi, map[string]any{"amount_capturable": 0, "status": "requires_confirmation"})
}

// capture settles amount (≤ the authorised amount) of an authorised charge.
func (c *call) capture(pi *paymentIntent, ch *charge, amount int64, card testCard) *apiError {
	now := c.now()
	before := *ch
	legacy := !c.s.cfg.DisableRefundOnAuthRelease
	settle := amount
	if legacy {
		settle = ch.Amount
	}
	bt, aerr := c.s.chargeBalanceTxn(ch, settle, now)
	if aerr != nil {
		return aerr
	}
	if aerr := c.saveBT(bt, ""); aerr != nil {
		return aerr
	}
	ch.BalanceTransaction, ch.Captured, ch.AmountCaptured = &bt.ID, true, amount
	captured := *ch
	var re *refund
	if legacy && amount < ch.Amount {
		if re, aerr = c.releaseRefund(ch, bt, ch.Amount-amount, nil, nil); aerr != nil {
			return aerr
		}
	}
	if aerr := c.save(chargeRow(ch), ch); aerr != nil {
		return aerr
	}
	pi.Status, pi.AmountCapturable, pi.AmountReceived = "succeeded", 0, amount
	if aerr := c.save(paymentIntentRow(pi), pi); aerr != nil {
		return aerr
	}
	prev, aerr := previousAttributes(&before, &captured)
	if aerr != nil {
		return aerr
	}
	if aerr := c.emit(evChargeCaptured, &captured, prev); aerr != nil {
		return aerr
	}
	if re != nil {
		if aerr := c.emitRelease(re, &captured, ch); aerr != nil {
			return aerr
		}
	}
	if aerr := c.emit(evPaymentIntentSucceded, pi, nil); aerr != nil {
		return aerr
	}
	if card.Dispute != "" {
		if _, aerr := c.openDispute(ch, bt, card.Dispute); aerr != nil {
			return aerr
		}
	}
	return nil
}

// releaseRefund records the Refund that releases amount of an authorisation
// (2023-10-16 rules) and updates the charge in memory. chBT is the charge's
// balance transaction after a partial capture (the refund then gets a
// partial_capture_reversal row) or nil for an uncaptured charge.
func (c *call) releaseRefund(ch *charge, chBT *balanceTransaction, amount int64, reason *string, md map[string]string) (*refund, *apiError) {
	now := c.now()
	if md == nil {
		md = map[string]string{}
	}
	re := &refund{ID: newID("re"), Object: "refund", Amount: amount, Charge: ch.ID, Created: now,
		Currency: ch.Currency, Metadata: md, PaymentIntent: ch.PaymentIntent, Reason: reason,
		Status: "succeeded"}
	if chBT != nil {
		// The released part is the first slice [0, amount) of the charge, so
		// later refunds ([amount_refunded, …)) add up exactly under FX.
		settled := settledPortion(ch, chBT.Currency, 0, amount)
		feeBack := chBT.Fee - stripeFee(chBT.Amount-settled, chBT.Currency)
		desc := "Partial capture reversal for " + ch.ID
		bt := &balanceTransaction{ID: newID("txn"), Object: "balance_transaction", Amount: -settled,
			AvailableOn: now, Created: now, Currency: chBT.Currency, Description: &desc, ExchangeRate: chBT.ExchangeRate,
			Fee: -feeBack, FeeDetails: []feeDetail{}, Net: -settled + feeBack, ReportingCategory: "partial_capture_reversal",
			Source: &re.ID, Status: "available", Type: "refund"}
		if feeBack != 0 {
			bt.FeeDetails = []feeDetail{{Amount: -feeBack, Currency: chBT.Currency, Description: "Stripe processing fees", Type: "stripe_fee"}}
		}
		if aerr := c.saveBT(bt, ""); aerr != nil {
			return nil, aerr
		}
		re.BalanceTransaction = &bt.ID
	}
	if aerr := c.save(refundRow(re), re); aerr != nil {
		return nil, aerr
	}
	ch.AmountRefunded += amount
	ch.Refunded = ch.AmountRefunded >= c.s.capturedTotal(ch)
	refunds := &refundList{Object: "list", Data: []*refund{re}, URL: "/v1/charges/" + ch.ID + "/refunds"}
	if ch.Refunds != nil {
		refunds.Data = append(refunds.Data, ch.Refunds.Data...)
	}
	refunds.TotalCount = int64(len(refunds.Data))
	ch.Refunds = refunds
	return re, nil
}

// emitRelease sends refund.created and charge.refunded for a release refund.
func (c *call) emitRelease(re *refund, before, ch *charge) *apiError {
	prev, aerr := previousAttributes(before, ch)
	if aerr != nil {
		return aerr
	}
	if aerr := c.emit(evRefundCreated, re, nil); aerr != nil {
		return aerr
	}
	return c.emit(evChargeRefunded, ch, prev)
}

// releaseAuthorization cancels an intent in requires_capture and releases
// its charge's authorisation. It returns the release Refund (nil under
// DisableRefundOnAuthRelease).
func (c *call) releaseAuthorization(pi *paymentIntent, cancelReason, refundReason *string, md map[string]string) (*refund, *apiError) {
	var re *refund
	if pi.LatestCharge != nil && !c.s.cfg.DisableRefundOnAuthRelease {
		ch, _, aerr := c.chargeAndBT(*pi.LatestCharge, "charge")
		if aerr != nil {
			return nil, aerr
		}
		before := *ch
		if re, aerr = c.releaseRefund(ch, nil, ch.Amount, refundReason, md); aerr != nil {
			return nil, aerr
		}
		if aerr := c.save(chargeRow(ch), ch); aerr != nil {
			return nil, aerr
		}
		if aerr := c.cancelIntent(pi, cancelReason); aerr != nil {
			return nil, aerr
		}
		return re, c.emitRelease(re, &before, ch)
	}
	return nil, c.cancelIntent(pi, cancelReason)
}

// cancelIntent marks an intent canceled and sends payment_intent.canceled.
func (c *call) cancelIntent(pi *paymentIntent, reason *string) *apiError {
	now := c.now()
	pi.Status, pi.CanceledAt, pi.CancellationReason, pi.AmountCapturable = "canceled", &now, reason, 0
	if aerr := c.save(paymentIntentRow(pi), pi); aerr != nil {
		return aerr
	}
	return c.emit(evPaymentIntentCanceled, pi, nil)
}

// loadIntent loads a PaymentIntent by ID (param names it in errors).
func (c *call) loadIntent(id, param string) (*paymentIntent, *apiError) {
	r, err := getRow(c.ctx, c.q, id, "payment_intent")
	if errors.Is(err, errNotFound) {
		return nil, noSuchObject(http.StatusBadRequest, param, "payment_intent", id)
	}
	if err != nil {
		return nil, internalError(err)
	}
	var pi paymentIntent
	if aerr := decodeRow(r, &pi); aerr != nil {
		return nil, aerr
	}
	return &pi, nil
}

// captureAmount validates the amount to capture of an authorised intent.
func captureAmount(pi *paymentIntent, p params, param string) (int64, *apiError) {
	if pi.Status != "requires_capture" {
		return 0, invalidParamCode("payment_intent_unexpected_state", "",
			"This PaymentIntent could not be captured because it has a status of %s. Only a PaymentIntent with one of the following statuses may be captured: requires_capture.", pi.Status)
	}
	amount := pi.AmountCapturable
	v, ok, aerr := p.integer(param)
	if aerr != nil {
		return 0, aerr
	}
	if !ok {
		return amount, nil
	}
	switch {
	case v < 1:
		return 0, invalidParam(param, "This value must be greater than or equal to 1.")
	case v > pi.AmountCapturable:
		return 0, invalidParamCode("amount_too_large", param,
			"The amount to capture (%s) is greater than the amount capturable (%s) of this PaymentIntent.",
			formatAmount(v, pi.Currency), formatAmount(pi.AmountCapturable, pi.Currency))
	case currencyExponent(pi.Currency) == 3 && v%10 != 0:
		return 0, invalidParamCode("invalid_amount", param, "Invalid amount: amounts in %s must be a multiple of 10.", pi.Currency)
	}
	if min, ok := minChargeAmounts[pi.Currency]; ok && v < min {
		return 0, invalidParamCode("amount_too_small", param, "Amount must be at least %d %s", min, pi.Currency)
	}
	return v, nil
}

// intentCard returns the intent's test card (for dispute-on-capture cards).
func (c *call) intentCard(pi *paymentIntent) testCard {
	if pi.PaymentMethod == nil {
		return testCard{}
	}
	r, err := getRow(c.ctx, c.q, *pi.PaymentMethod, "payment_method")
	if err != nil {
		return testCard{}
	}
	return testCards[r.Kind]
}

// capturePaymentIntent implements POST /v1/payment_intents/{id}/capture.
func (s *Server) capturePaymentIntent(c *call) (any, *apiError) {
	if aerr := c.p.allow("", "amount_to_capture", "metadata", "statement_descriptor",
		"statement_descriptor_suffix", "final_capture", "expand"); aerr != nil {
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
	if v, ok, aerr := c.p.boolean("final_capture"); aerr != nil {
		return nil, aerr
	} else if ok && !v {
		return nil, invalidParam("final_capture", "The sandbox supports final captures only (multicapture is not available).")
	}
	amount, aerr := captureAmount(&pi, c.p, "amount_to_capture")
	if aerr != nil {
		return nil, aerr
	}
	md, _, aerr := applyMetadata(c.p, pi.Metadata)
	if aerr != nil {
		return nil, aerr
	}
	pi.Metadata = md
	for name, dst := range map[string]**string{"statement_descriptor": &pi.StatementDescriptor,
		"statement_descriptor_suffix": &pi.StatementDescSuffix} {
		if v, ok, aerr := c.p.str(name); aerr != nil {
			return nil, aerr
		} else if ok {
			*dst = optStr(v)
		}
	}
	if pi.LatestCharge == nil {
		return nil, internalError(errors.New("authorised intent without charge"))
	}
	ch, _, aerr := c.chargeAndBT(*pi.LatestCharge, "charge")
	if aerr != nil {
		return nil, aerr
	}
	if aerr := c.capture(&pi, ch, amount, c.intentCard(&pi)); aerr != nil {
		return nil, aerr
	}
	return c.renderValue(&pi, "payment_intent")
}

// cancelPaymentIntent implements POST /v1/payment_intents/{id}/cancel.
func (s *Server) cancelPaymentIntent(c *call) (any, *apiError) {
	if aerr := c.p.allow("", "cancellation_reason", "expand"); aerr != nil {
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
	var reason *string
	if v, ok, aerr := c.p.str("cancellation_reason"); aerr != nil {
		return nil, aerr
	} else if ok && v != "" {
		if !cancellationReasons[v] {
			return nil, invalidParam("cancellation_reason", "Invalid cancellation_reason: must be one of duplicate, fraudulent, requested_by_customer, or abandoned")
		}
		reason = &v
	}
	switch pi.Status {
	case "requires_payment_method", "requires_confirmation", "requires_action", "requires_capture":
	default:
		return nil, invalidParamCode("payment_intent_unexpected_state", "",
			"You cannot cancel this PaymentIntent because it has a status of %s. Only a PaymentIntent with one of the following statuses may be canceled: requires_payment_method, requires_capture, requires_confirmation, requires_action, processing.", pi.Status)
	}
	if pi.Invoice != nil {
		return nil, invalidParamCode("payment_intent_unexpected_state", "",
			"You cannot cancel this PaymentIntent because it was created by invoice %s. Void the invoice instead.", *pi.Invoice)
	}
	if pi.Status == "requires_capture" {
		if _, aerr := c.releaseAuthorization(&pi, reason, nil, nil); aerr != nil {
			return nil, aerr
		}
	} else if aerr := c.cancelIntent(&pi, reason); aerr != nil {
		return nil, aerr
	}
	return c.renderValue(&pi, "payment_intent")
}

// captureCharge implements POST /v1/charges/{id}/capture (amount optional)
// by capturing the charge's PaymentIntent.
func (s *Server) captureCharge(c *call) (any, *apiError) {
	if aerr := c.p.allow("", "amount", "receipt_email", "statement_descriptor", "statement_descriptor_suffix",
		"expand"); aerr != nil {
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
	switch {
	case ch.Captured:
		return nil, invalidParamCode("charge_already_captured", "", "Charge %s has already been captured.", ch.ID)
	case ch.Status != "succeeded":
		return nil, invalidParamCode("charge_not_capturable", "", "Charge %s cannot be captured because it has a status of %s.", ch.ID, ch.Status)
	case ch.Refunded || ch.PaymentIntent == nil:
		return nil, invalidParamCode("charge_expired_for_capture", "", "Charge %s has been released and can no longer be captured.", ch.ID)
	}
	pi, aerr := c.loadIntent(*ch.PaymentIntent, "charge")
	if aerr != nil {
		return nil, aerr
	}
	amount, aerr := captureAmount(pi, c.p, "amount")
	if aerr != nil {
		return nil, aerr
	}
	if v, ok, aerr := c.p.str("receipt_email"); aerr != nil {
		return nil, aerr
	} else if ok {
		ch.ReceiptEmail = optStr(v)
	}
	for _, name := range []string{"statement_descriptor", "statement_descriptor_suffix"} {
		if _, _, aerr := c.p.str(name); aerr != nil {
			return nil, aerr
		}
	}
	if aerr := c.capture(pi, &ch, amount, c.intentCard(pi)); aerr != nil {
		return nil, aerr
	}
	return c.renderValue(&ch, "charge")
}
