package stripesandbox

import (
	"errors"
	"net/http"
)

var refundReasons = map[string]bool{"duplicate": true, "fraudulent": true, "requested_by_customer": true}

func refundRow(re *refund) row {
	r := row{ID: re.ID, Type: "refund", Created: re.Created, Source: re.Charge, Currency: re.Currency, Kind: re.Status}
	if re.PaymentIntent != nil {
		r.PaymentIntent = *re.PaymentIntent
	}
	return r
}

// createRefund implements POST /v1/refunds: full or partial refunds of a
// succeeded charge (named directly or through its PaymentIntent), any number
// of them until the charge is fully refunded. Each refund writes a
// balance transaction (type and reporting_category refund, negative amount,
// fee 0: Stripe keeps the original processing fee) in the charge's
// settlement currency, converted at the charge's fixed rate.
func (s *Server) createRefund(c *call) (any, *apiError) {
	p := c.p
	if aerr := p.allow("", "charge", "payment_intent", "amount", "reason", "metadata", "expand",
		"instructions_email", "refund_application_fee", "reverse_transfer", "origin", "currency", "customer"); aerr != nil {
		return nil, aerr
	}
	chID, hasCh, aerr := p.str("charge")
	if aerr != nil {
		return nil, aerr
	}
	piID, hasPI, aerr := p.str("payment_intent")
	if aerr != nil {
		return nil, aerr
	}
	hasCh, hasPI = hasCh && chID != "", hasPI && piID != ""
	if !hasCh && !hasPI {
		return nil, invalidParamCode("parameter_missing", "",
			"One of the following params should be provided for this request: charge or payment_intent.")
	}
	if hasPI {
		r, err := getRow(c.ctx, c.q, piID, "payment_intent")
		if errors.Is(err, errNotFound) {
			return nil, noSuchObject(http.StatusBadRequest, "payment_intent", "payment_intent", piID)
		} else if err != nil {
			return nil, internalError(err)
		}
		var pi paymentIntent
		if aerr := decodeRow(r, &pi); aerr != nil {
			return nil, aerr
		}
		if (pi.Status != "succeeded" && pi.Status != "requires_capture") || pi.LatestCharge == nil {
			return nil, invalidParamCode("charge_not_refundable", "payment_intent",
				"This PaymentIntent (%s) does not have a successful charge to refund.", piID)
		}
		if hasCh && chID != *pi.LatestCharge {
			return nil, invalidParam("charge", "The charge %s does not belong to the PaymentIntent %s.", chID, piID)
		}
		chID = *pi.LatestCharge
	}
	param := "charge"
	if !hasCh {
		param = "payment_intent"
	}
	ch, chBT, aerr := c.chargeAndBT(chID, param)
	if aerr != nil {
		return nil, aerr
	}
	if ch.Status == "succeeded" && !ch.Captured && !ch.Refunded {
		return c.refundUncaptured(ch, p, param)
	}
	if ch.Status != "succeeded" || chBT == nil {
		return nil, invalidParamCode("charge_not_refundable", param, "Charge %s has not succeeded and cannot be refunded.", ch.ID)
	}
	if ch.Disputed {
		d, aerr := c.latestDispute(ch.ID)
		if aerr != nil {
			return nil, aerr
		}
		if d != nil && d.Status != "won" && d.Status != "warning_closed" {
			return nil, invalidParamCode("charge_disputed", param, "Charge %s has been charged back; cannot issue a refund.", ch.ID)
		}
	}
	total := c.s.capturedTotal(ch)
	remaining := total - ch.AmountRefunded
	if remaining <= 0 {
		return nil, invalidParamCode("charge_already_refunded", param, "Charge %s has already been refunded.", ch.ID)
	}
	amount := remaining
	if v, ok, aerr := p.integer("amount"); aerr != nil {
		return nil, aerr
	} else if ok {
		if v < 1 {
			return nil, invalidParam("amount", "Invalid positive integer")
		}
		if v > remaining {
			return nil, invalidParam("amount", "Refund amount (%s) is greater than unrefunded amount on charge (%s)",
				formatAmount(v, ch.Currency), formatAmount(remaining, ch.Currency))
		}
		if currencyExponent(ch.Currency) == 3 && v%10 != 0 {
			return nil, invalidParamCode("invalid_amount", "amount",
				"Invalid amount: amounts in %s must be a multiple of 10.", ch.Currency)
		}
		amount = v
	}
	var reason *string
	if v, ok, aerr := p.str("reason"); aerr != nil {
		return nil, aerr
	} else if ok && v != "" {
		if !refundReasons[v] {
			return nil, invalidParam("reason", "Invalid reason: must be one of duplicate, fraudulent, or requested_by_customer")
		}
		reason = &v
	}
	md, _, aerr := applyMetadata(p, nil)
	if aerr != nil {
		return nil, aerr
	}
	re, aerr := c.refundCharge(ch, chBT, amount, reason, md)
	if aerr != nil {
		return nil, aerr
	}
	return c.renderValue(re, "refund")
}

// refundCharge refunds amount (≤ what is left) of a captured charge: the
// Refund, its balance transaction (type and reporting_category refund,
// negative, fee 0: Stripe keeps the processing fee) in the charge's
// settlement currency at the charge's fixed rate, the charge's
// amount_refunded and refunds list, and refund.created + charge.refunded.
func (c *call) refundCharge(ch *charge, chBT *balanceTransaction, amount int64, reason *string, md map[string]string) (*refund, *apiError) {
	total := c.s.capturedTotal(ch)
	now := c.now()
	re := &refund{ID: newID("re"), Object: "refund", Amount: amount, Charge: ch.ID, Created: now,
		Currency: ch.Currency, Metadata: md, PaymentIntent: ch.PaymentIntent, Reason: reason, Status: "succeeded"}
	settled := settledPortion(ch, chBT.Currency, ch.AmountRefunded, ch.AmountRefunded+amount)
	desc := "REFUND FOR CHARGE"
	if ch.Description != nil {
		desc += " (" + *ch.Description + ")"
	}
	bt := &balanceTransaction{ID: newID("txn"), Object: "balance_transaction", Amount: -settled,
		AvailableOn: now, Created: now, Currency: chBT.Currency, Description: &desc, ExchangeRate: chBT.ExchangeRate,
		Fee: 0, FeeDetails: []feeDetail{}, Net: -settled, ReportingCategory: "refund", Source: &re.ID,
		Status: "available", Type: "refund"}
	if aerr := c.saveBT(bt, ""); aerr != nil {
		return nil, aerr
	}
	re.BalanceTransaction = &bt.ID
	if aerr := c.save(refundRow(re), re); aerr != nil {
		return nil, aerr
	}

	before := *ch
	ch.AmountRefunded += amount
	ch.Refunded = ch.AmountRefunded == total
	refunds := &refundList{Object: "list", Data: []*refund{re}, URL: "/v1/charges/" + ch.ID + "/refunds"}
	if ch.Refunds != nil {
		refunds.Data = append(refunds.Data, ch.Refunds.Data...)
	}
	refunds.TotalCount = int64(len(refunds.Data))
	ch.Refunds = refunds
	prev, aerr := previousAttributes(&before, ch)
	if aerr != nil {
		return nil, aerr
	}
	if aerr := c.save(chargeRow(ch), ch); aerr != nil {
		return nil, aerr
	}
	if aerr := c.emit(evRefundCreated, re, nil); aerr != nil {
		return nil, aerr
	}
	if aerr := c.emit(evChargeRefunded, ch, prev); aerr != nil {
		return nil, aerr
	}
	return re, nil
}

func (s *Server) getRefund(c *call) (any, *apiError) { return c.getAndRender("refund") }

func (s *Server) listRefunds(c *call) (any, *apiError) {
	return c.list("refund", "/v1/refunds", map[string]string{"charge": "source", "payment_intent": "payment_intent"})
}

// updateRefund changes metadata only (as Stripe allows) and emits
// refund.updated and charge.refund.updated when something changed.
func (s *Server) updateRefund(c *call) (any, *apiError) {
	if aerr := c.p.allow("", "metadata", "expand"); aerr != nil {
		return nil, aerr
	}
	r, aerr := c.load("refund")
	if aerr != nil {
		return nil, aerr
	}
	var re refund
	if aerr := decodeRow(r, &re); aerr != nil {
		return nil, aerr
	}
	before := re
	before.Metadata = copyMap(re.Metadata)
	md, _, aerr := applyMetadata(c.p, re.Metadata)
	if aerr != nil {
		return nil, aerr
	}
	re.Metadata = md
	prev, aerr := previousAttributes(&before, &re)
	if aerr != nil {
		return nil, aerr
	}
	if len(prev) > 0 {
		if aerr := c.save(refundRow(&re), &re); aerr != nil {
			return nil, aerr
		}
		// Keep the copy in the charge's refunds list current.
		if cr, err := getRow(c.ctx, c.q, re.Charge, "charge"); err == nil {
			var ch charge
			if aerr := decodeRow(cr, &ch); aerr != nil {
				return nil, aerr
			}
			if ch.Refunds != nil {
				for i, x := range ch.Refunds.Data {
					if x.ID == re.ID {
						cp := re
						ch.Refunds.Data[i] = &cp
					}
				}
				if aerr := c.save(chargeRow(&ch), &ch); aerr != nil {
					return nil, aerr
				}
			}
		}
		if aerr := c.emit(evRefundUpdated, &re, prev); aerr != nil {
			return nil, aerr
		}
		if aerr := c.emit(evChargeRefundUpdated, &re, prev); aerr != nil {
			return nil, aerr
		}
	}
	return c.renderValue(&re, "refund")
}

// refundUncaptured refunds an authorised, uncaptured charge: like Stripe it
// releases the whole authorisation (a partial amount is refused) and cancels
// its PaymentIntent.
func (c *call) refundUncaptured(ch *charge, p params, param string) (any, *apiError) {
	if v, ok, aerr := p.integer("amount"); aerr != nil {
		return nil, aerr
	} else if ok && v != ch.Amount {
		return nil, invalidParam("amount", "You cannot partially refund an uncaptured charge. Instead, capture the charge for an amount less than the original amount")
	}
	if c.s.cfg.DisableRefundOnAuthRelease || ch.PaymentIntent == nil {
		return nil, invalidParamCode("charge_not_refundable", param,
			"Charge %s is not captured: cancel its PaymentIntent to release the authorisation.", ch.ID)
	}
	var reason *string
	if v, ok, aerr := p.str("reason"); aerr != nil {
		return nil, aerr
	} else if ok && v != "" {
		if !refundReasons[v] {
			return nil, invalidParam("reason", "Invalid reason: must be one of duplicate, fraudulent, or requested_by_customer")
		}
		reason = &v
	}
	md, _, aerr := applyMetadata(p, nil)
	if aerr != nil {
		return nil, aerr
	}
	pi, aerr := c.loadIntent(*ch.PaymentIntent, param)
	if aerr != nil {
		return nil, aerr
	}
	if pi.Status != "requires_capture" {
		return nil, invalidParamCode("charge_not_refundable", param, "Charge %s cannot be refunded in its current state.", ch.ID)
	}
	re, aerr := c.releaseAuthorization(pi, nil, reason, md)
	if aerr != nil {
		return nil, aerr
	}
	return c.renderValue(re, "refund")
}
