package stripesandbox

import (
	"database/sql"
	"errors"
	"net/http"
)

// Disputes. The test card pm_card_createDispute (and
// pm_card_createDisputeProductNotReceived) charges successfully, then the
// sandbox opens a dispute for the whole unrefunded amount in the same
// request (Stripe does it moments later, asynchronously; the events carry
// request.id null like Stripe's automatic events). The dispute starts in
// needs_response and the funds are withdrawn at once: a type=adjustment,
// reporting_category=dispute balance transaction of -amount with the
// dispute fee (see disputeFee). It closes through POST /v1/disputes/{id}/close
// (accepting = lost) or the admin POST /_sandbox/disputes/{id}/close
// {"outcome":"won"|"lost"}. Winning reinstates the funds with a
// dispute_reversal adjustment of +amount and fee -dispute fee (the fee is
// returned unless Config.KeepDisputeFeeOnWin).

// networkReasonCodes are Visa reason codes per dispute reason.
var networkReasonCodes = map[string]string{"fraudulent": "10.4", "product_not_received": "13.1"}

func disputeRow(d *dispute) row {
	r := row{ID: d.ID, Type: "dispute", Created: d.Created, Source: d.Charge, Currency: d.Currency, Kind: d.Status}
	if d.PaymentIntent != nil {
		r.PaymentIntent = *d.PaymentIntent
	}
	return r
}

// openDispute disputes the unrefunded part of a charge and withdraws it.
func (c *call) openDispute(ch *charge, chBT *balanceTransaction, reason string) (*dispute, *apiError) {
	// An automatic event, not caused by the API request.
	reqID, idem := c.reqID, c.idemKey
	c.reqID, c.idemKey = "", ""
	defer func() { c.reqID, c.idemKey = reqID, idem }()

	now := c.now()
	total := c.s.capturedTotal(ch)
	amount := total - ch.AmountRefunded
	settled := settledPortion(ch, chBT.Currency, ch.AmountRefunded, total)
	d := &dispute{ID: newID("dp"), Object: "dispute", Amount: amount, Charge: ch.ID, Created: now,
		Currency: ch.Currency, EvidenceDetails: disputeEvidenceDetails{DueBy: now + 7*86400},
		Metadata: map[string]string{}, PaymentIntent: ch.PaymentIntent, Reason: reason, Status: "needs_response"}
	code := networkReasonCodes[reason]
	d.NetworkReasonCode = optStr(code)
	d.PaymentMethodDetails = disputePaymentMethodDetails{Type: "card",
		Card: disputeCardDetails{Brand: ch.PaymentMethodDetails.Card.Brand, NetworkReasonCode: code}}
	fee := disputeFee(chBT.Currency)
	desc := "Chargeback withdrawal for " + ch.ID
	bt := &balanceTransaction{ID: newID("txn"), Object: "balance_transaction", Amount: -settled,
		AvailableOn: now, Created: now, Currency: chBT.Currency, Description: &desc, ExchangeRate: chBT.ExchangeRate,
		Fee: fee, Net: -settled - fee, ReportingCategory: "dispute", Source: &d.ID, Status: "available", Type: "adjustment",
		FeeDetails: []feeDetail{{Amount: fee, Currency: chBT.Currency, Description: "Dispute fee", Type: "stripe_fee"}}}
	if aerr := c.saveBT(bt, ""); aerr != nil {
		return nil, aerr
	}
	d.BalanceTransactions = []*balanceTransaction{bt}
	if aerr := c.save(disputeRow(d), d); aerr != nil {
		return nil, aerr
	}
	ch.Disputed = true
	if aerr := c.save(chargeRow(ch), ch); aerr != nil {
		return nil, aerr
	}
	if aerr := c.emit(evChargeDisputeCreated, d, nil); aerr != nil {
		return nil, aerr
	}
	if aerr := c.emit(evChargeDisputeFundsWithdrawn, d, nil); aerr != nil {
		return nil, aerr
	}
	return d, nil
}

// latestDispute returns the newest dispute of a charge, or nil.
func (c *call) latestDispute(chargeID string) (*dispute, *apiError) {
	r, err := scanRow(c.q.QueryRowContext(c.ctx, `SELECT `+rowCols+` FROM objects WHERE type = 'dispute' AND source = ? ORDER BY seq DESC LIMIT 1`, chargeID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, internalError(err)
	}
	var d dispute
	if aerr := decodeRow(r, &d); aerr != nil {
		return nil, aerr
	}
	return &d, nil
}

// closeDispute settles an open dispute as won or lost.
func (c *call) closeDispute(d *dispute, outcome string) *apiError {
	switch d.Status {
	case "needs_response", "under_review", "warning_needs_response", "warning_under_review":
	default:
		return invalidParamCode("dispute_already_closed", "", "This dispute is already closed (status %s).", d.Status)
	}
	if outcome != "won" && outcome != "lost" {
		return invalidParam("outcome", "outcome must be \"won\" or \"lost\"")
	}
	before := *d
	d.Status = outcome
	if outcome == "won" && len(d.BalanceTransactions) > 0 {
		w := d.BalanceTransactions[0]
		now := c.s.now().Unix()
		fee := -w.Fee
		details := []feeDetail{{Amount: fee, Currency: w.Currency, Description: "Dispute fee refund", Type: "stripe_fee"}}
		if c.s.cfg.KeepDisputeFeeOnWin {
			fee, details = 0, []feeDetail{}
		}
		desc := "Chargeback reversal for " + d.Charge
		bt := &balanceTransaction{ID: newID("txn"), Object: "balance_transaction", Amount: -w.Amount,
			AvailableOn: now, Created: now, Currency: w.Currency, Description: &desc, ExchangeRate: w.ExchangeRate,
			Fee: fee, FeeDetails: details, Net: -w.Amount - fee, ReportingCategory: "dispute_reversal",
			Source: &d.ID, Status: "available", Type: "adjustment"}
		if aerr := c.saveBT(bt, ""); aerr != nil {
			return aerr
		}
		d.BalanceTransactions = append(append([]*balanceTransaction{}, d.BalanceTransactions...), bt)
	}
	prev, aerr := previousAttributes(&before, d)
	if aerr != nil {
		return aerr
	}
	if aerr := c.save(disputeRow(d), d); aerr != nil {
		return aerr
	}
	if outcome == "won" {
		if aerr := c.emit(evChargeDisputeFundsReinstate, d, nil); aerr != nil {
			return aerr
		}
	}
	return c.emit(evChargeDisputeClosed, d, prev)
}

func (c *call) loadDispute(id string) (*dispute, *apiError) {
	r, err := getRow(c.ctx, c.q, id, "dispute")
	if errors.Is(err, errNotFound) {
		return nil, noSuchObject(http.StatusNotFound, "id", "dispute", id)
	}
	if err != nil {
		return nil, internalError(err)
	}
	var d dispute
	if aerr := decodeRow(r, &d); aerr != nil {
		return nil, aerr
	}
	return &d, nil
}

// closeDisputeAPI is Stripe's "accept the dispute": it is lost.
func (s *Server) closeDisputeAPI(c *call) (any, *apiError) {
	if aerr := c.p.allow("", "expand"); aerr != nil {
		return nil, aerr
	}
	d, aerr := c.loadDispute(c.r.PathValue("id"))
	if aerr != nil {
		return nil, aerr
	}
	if aerr := c.closeDispute(d, "lost"); aerr != nil {
		return nil, aerr
	}
	return c.renderValue(d, "dispute")
}

// updateDispute accepts metadata (evidence is accepted and ignored) and
// emits charge.dispute.updated when metadata changed.
func (s *Server) updateDispute(c *call) (any, *apiError) {
	if aerr := c.p.allow("", "metadata", "evidence", "submit", "expand"); aerr != nil {
		return nil, aerr
	}
	d, aerr := c.loadDispute(c.r.PathValue("id"))
	if aerr != nil {
		return nil, aerr
	}
	before := *d
	before.Metadata = copyMap(d.Metadata)
	md, _, aerr := applyMetadata(c.p, d.Metadata)
	if aerr != nil {
		return nil, aerr
	}
	d.Metadata = md
	prev, aerr := previousAttributes(&before, d)
	if aerr != nil {
		return nil, aerr
	}
	if len(prev) > 0 {
		if aerr := c.save(disputeRow(d), d); aerr != nil {
			return nil, aerr
		}
		if aerr := c.emit(evChargeDisputeUpdated, d, prev); aerr != nil {
			return nil, aerr
		}
	}
	return c.renderValue(d, "dispute")
}

func (s *Server) getDispute(c *call) (any, *apiError) { return c.getAndRender("dispute") }

func (s *Server) listDisputes(c *call) (any, *apiError) {
	return c.list("dispute", "/v1/disputes", map[string]string{"charge": "source", "payment_intent": "payment_intent"})
}
