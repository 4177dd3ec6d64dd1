package stripesandbox

import (
	"encoding/json"
	"path"
)

// Event types the sandbox emits.
const (
	evCustomerCreated       = "customer.created"
	evCustomerUpdated       = "customer.updated"
	evPaymentIntentCreated  = "payment_intent.created"
	evPaymentIntentSucceded = "payment_intent.succeeded"
	evPaymentIntentFailed   = "payment_intent.payment_failed"
	evChargeSucceeded       = "charge.succeeded"
	evChargeFailed          = "charge.failed"
	evChargeUpdated         = "charge.updated"
	evChargeCaptured        = "charge.captured"

	evPaymentIntentCapturable = "payment_intent.amount_capturable_updated"
	evPaymentIntentCanceled   = "payment_intent.canceled"

	evChargeRefunded              = "charge.refunded"
	evChargeRefundUpdated         = "charge.refund.updated"
	evRefundCreated               = "refund.created"
	evRefundUpdated               = "refund.updated"
	evChargeDisputeCreated        = "charge.dispute.created"
	evChargeDisputeUpdated        = "charge.dispute.updated"
	evChargeDisputeFundsWithdrawn = "charge.dispute.funds_withdrawn"
	evChargeDisputeFundsReinstate = "charge.dispute.funds_reinstated"
	evChargeDisputeClosed         = "charge.dispute.closed"
	evPayoutCreated               = "payout.created"
	evPayoutPaid                  = "payout.paid"
	evPayoutFailed                = "payout.failed"
	evPayoutReconciled            = "payout.reconciliation_completed"
)

// emit records an event carrying a snapshot of obj and queues its webhook
// deliveries, all inside the request transaction so either both happen or
// neither does.
func (c *call) emit(typ string, obj any, previous map[string]any) *apiError {
	snap, err := json.Marshal(obj)
	if err != nil {
		return internalError(err)
	}
	var probe struct {
		Object string `json:"object"`
	}
	if json.Unmarshal(snap, &probe) == nil && probe.Object != "balance_transaction" {
		snap = c.s.wireForm(probe.Object, snap)
	}
	ev := event{ID: newID("evt"), Object: "event", APIVersion: APIVersion, Created: c.s.now().Unix(),
		Data: eventData{Object: json.RawMessage(snap), PreviousAttributes: previous}, Type: typ,
		Request: eventRequest{ID: optStr(c.reqID), IdempotencyKey: optStr(c.idemKey)}}
	endpoints, aerr := c.s.matchingEndpoints(c.ctx, c.q, typ)
	if aerr != nil {
		return aerr
	}
	ev.PendingWebhooks = int64(len(endpoints))
	if aerr := c.save(row{ID: ev.ID, Type: "event", Created: ev.Created, Kind: typ}, ev); aerr != nil {
		return aerr
	}
	if len(endpoints) > 0 {
		if err := c.s.enqueue(c.ctx, c.q, ev.ID, endpoints); err != nil {
			return internalError(err)
		}
		c.queued = true
	}
	return nil
}

// eventTypeMatches applies Stripe's enabled_events rules: "*" or exact type.
func eventTypeMatches(enabled []string, typ string) bool {
	for _, e := range enabled {
		if e == "*" || e == typ {
			return true
		}
		// Allow "charge.*"-style patterns as a sandbox convenience.
		if ok, _ := path.Match(e, typ); ok {
			return true
		}
	}
	return false
}

// withPending refreshes pending_webhooks from the delivery queue so GET
// /v1/events shows what is still undelivered.
func (c *call) withPending(r row, v any) (any, *apiError) {
	var n int64
	if err := c.q.QueryRowContext(c.ctx, `SELECT COUNT(DISTINCT endpoint_id) FROM deliveries WHERE event_id = ? AND state = 'pending'`, r.ID).Scan(&n); err != nil {
		return nil, internalError(err)
	}
	raw, ok := v.(json.RawMessage)
	if !ok {
		return v, nil
	}
	// The outer Data shadows event.Data so data stays byte-exact.
	var ev struct {
		event
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(raw, &ev); err != nil {
		return nil, internalError(err)
	}
	ev.PendingWebhooks = n
	return ev, nil
}

func (s *Server) getEvent(c *call) (any, *apiError) {
	if aerr := c.p.allow("", "expand"); aerr != nil {
		return nil, aerr
	}
	r, aerr := c.load("event")
	if aerr != nil {
		return nil, aerr
	}
	v, aerr := c.render(r)
	if aerr != nil {
		return nil, aerr
	}
	return c.withPending(r, v)
}

func (s *Server) listEvents(c *call) (any, *apiError) {
	// types[] is an OR filter; the lookup column supports one type, so only
	// a single-element types[] is accepted.
	if types, ok, aerr := c.p.list("types"); aerr != nil {
		return nil, aerr
	} else if ok {
		if len(types) != 1 || c.p.has("type") {
			return nil, invalidParam("types", "The sandbox supports a single value in types[]; use type=.")
		}
		delete(c.p, "types")
		c.p["type"] = types[0]
	}
	return c.list("event", "/v1/events", map[string]string{"type": "kind"})
}
