package activities

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/stripe/stripe-go/v76"

	"github.com/ledgerbridge/ledgerbridge/internal/erp"
	"github.com/ledgerbridge/ledgerbridge/internal/posting"
)

// Preview is what ledgerbridge would post for a provider object, computed with the mapping and
// without writing anything anywhere.
type Preview struct {
	ERP        string            `json:"erp"`
	Mapping    string            `json:"mapping"`
	Object     string            `json:"object"`
	Customer   *erp.Customer     `json:"customer,omitempty"`
	SalesOrder *erp.Document     `json:"salesOrder,omitempty"`
	Invoice    *erp.Document     `json:"invoice,omitempty"`
	Payment    *erp.Payment      `json:"payment,omitempty"`
	CreditMemo *erp.Document     `json:"creditMemo,omitempty"`
	Journal    *erp.JournalEntry `json:"journalEntry,omitempty"`
	// Rules lists the mapping rules that matched.
	Rules []string `json:"rulesApplied,omitempty"`
	// Notes explain what the preview cannot know without the ERP (matching, numbering).
	Notes []string `json:"notes,omitempty"`
	// Problems are the data errors that would park the run.
	Problems []string `json:"problems,omitempty"`
	// Wire is the request body the connector would send for each document (salesOrder, invoice,
	// payment, journalEntry), in the ERP dialect's own field names.
	Wire map[string]any `json:"wire,omitempty"`
}

// addWire renders the dialect's request bodies of the plan, when the connector can; a body the
// connector would refuse to send is a problem.
func (p *Preview) addWire(c erp.Connector) {
	w, ok := erp.As[erp.WireRenderer](c)
	if !ok {
		return
	}
	p.Wire = map[string]any{}
	add := func(name string, body any, err error) {
		if err != nil {
			p.Problems = append(p.Problems, fmt.Sprintf("%s: %v", name, err))
			return
		}
		p.Wire[name] = body
	}
	if p.SalesOrder != nil {
		body, err := w.WireDocument(erp.KindSalesOrder, *p.SalesOrder)
		add("salesOrder", body, err)
	}
	if p.Invoice != nil {
		body, err := w.WireDocument(erp.KindInvoice, *p.Invoice)
		add("invoice", body, err)
	}
	if p.Payment != nil {
		body, err := w.WirePayment(*p.Payment)
		add("payment", body, err)
	}
	if p.Journal != nil {
		body, err := w.WireJournal(*p.Journal)
		add("journalEntry", body, err)
	}
}

// PreviewCharge shows the customer, sales order, invoice and payment order-to-cash would post
// for a charge: the posting layer's plan, as the activities would create it.
func PreviewCharge(a *Activities, ch *ChargeSnapshot) *Preview {
	m := a.mapping()
	p := &Preview{ERP: m.ERP, Mapping: m.Name, Object: ch.ID,
		Notes: []string{"the ERP customer is matched by Stripe metadata, Stripe ID, then email before one is created; document numbers are assigned by the ERP"}}
	if ch.Status != "succeeded" || !ch.Paid {
		p.Notes = append(p.Notes, "charge is "+ch.Status+": order-to-cash would post nothing")
	}
	customerID := ""
	if c, err := posting.Customer(m, ch); err == nil && c.ID == "" {
		customerID = CustomerKey(firstNonEmpty(ch.Customer.StripeID, ch.Customer.Email))
	}
	plan := posting.Order(m, ch, customerID, a.Settings.CreateSalesOrder, posting.Corrections{})
	if plan.Customer != nil && plan.Customer.ID == "" {
		plan.Customer.ID = customerID
	}
	p.Customer, p.SalesOrder, p.Invoice, p.Payment = plan.Customer, plan.SalesOrder, plan.Invoice, plan.Payment
	p.Rules, p.Problems = plan.Rules, plan.Problems
	if p.Payment != nil {
		p.Payment.Account = a.clearingFor(ch) // as ApplyPayment deposits it
	}
	p.addWire(a.ERP)
	return p
}

// PreviewPayout shows the journal entry of a payout, paging through its balance transactions.
func PreviewPayout(ctx context.Context, a *Activities, payoutID string) (*Preview, error) {
	ps, err := a.FetchPayout(ctx, &FetchPayoutInput{PayoutID: payoutID})
	if err != nil {
		return nil, err
	}
	agg, err := a.aggregate(ctx, &AggregatePayoutInput{PayoutID: ps.ID, Currency: ps.Currency}, aggregateProgress{}, nil)
	if err != nil {
		return nil, err
	}
	m := a.mapping()
	p := &Preview{ERP: m.ERP, Mapping: m.Name, Object: payoutID}
	je, suspense, err := a.payoutJournal(ps, agg)
	p.Journal = &je
	if err != nil {
		p.Problems = append(p.Problems, err.Error())
	}
	for _, s := range suspense {
		p.Notes = append(p.Notes, "unmapped category posted to suspense: "+s)
	}
	p.addWire(a.ERP)
	return p, nil
}

// PreviewEvent previews the object of a Stripe event (or a bare Stripe object) given as JSON. A
// charge is previewed from the payload itself; anything else needs the Stripe API (IDs).
func PreviewEvent(ctx context.Context, a *Activities, raw []byte) (*Preview, error) {
	var probe struct {
		Object string          `json:"object"`
		Type   string          `json:"type"`
		Data   json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(raw, &probe); err != nil {
		return nil, fmt.Errorf("not JSON: %w", err)
	}
	obj := raw
	if probe.Object == "event" {
		var d struct {
			Object json.RawMessage `json:"object"`
		}
		if err := json.Unmarshal(probe.Data, &d); err != nil || len(d.Object) == 0 {
			return nil, fmt.Errorf("event has no data.object")
		}
		obj = d.Object
	}
	var kind struct {
		Object string `json:"object"`
		ID     string `json:"id"`
	}
	if err := json.Unmarshal(obj, &kind); err != nil {
		return nil, fmt.Errorf("object: %w", err)
	}
	switch kind.Object {
	case "charge":
		var ch stripe.Charge
		if err := json.Unmarshal(obj, &ch); err != nil {
			return nil, fmt.Errorf("charge: %w", err)
		}
		return PreviewCharge(a, snapshotCharge(&ch)), nil
	case "payment_intent":
		var pi stripe.PaymentIntent
		if err := json.Unmarshal(obj, &pi); err != nil || pi.LatestCharge == nil {
			return nil, fmt.Errorf("payment intent %s has no charge to preview", kind.ID)
		}
		return PreviewID(ctx, a, pi.LatestCharge.ID)
	case "payout":
		return PreviewPayout(ctx, a, kind.ID)
	}
	return nil, fmt.Errorf("no preview for %q objects (charges, payment intents and payouts are supported)", kind.Object)
}

// PreviewID previews a Stripe object by ID (ch_…, py_…, pi_… via its charge, po_…), fetching it
// from the Stripe API.
func PreviewID(ctx context.Context, a *Activities, id string) (*Preview, error) {
	switch {
	case len(id) > 3 && (id[:3] == "ch_" || id[:3] == "py_"):
		snap, err := a.fetchCharge(ctx, id)
		if err != nil {
			return nil, err
		}
		return PreviewCharge(a, snap), nil
	case len(id) > 3 && id[:3] == "po_":
		return PreviewPayout(ctx, a, id)
	}
	return nil, fmt.Errorf("%q: give a charge (ch_…) or payout (po_…) ID", id)
}
