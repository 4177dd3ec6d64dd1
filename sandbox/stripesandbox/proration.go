package stripesandbox

import (
	"strconv"
)

// Prorations. Changing an item's price or quantity (or adding or removing
// an item) at time t inside the current period [start, end) with
// proration_behavior=create_prorations (the default) creates two pending
// invoice items on the subscription, both proration=true and not
// discountable: a credit for the unused time on the old price,
//
//	-round(old unit × old quantity × (end - t) / (end - start))
//
// with proration_details.credited_items naming the invoice line that billed
// the old price, and a charge for the remaining time on the new price,
//
//	round(new unit × new quantity × (end - t) / (end - start)),
//
// in seconds, rounded half away from zero to the minor unit once per item.
// They go on the next invoice; always_invoice invoices them at once
// (billing_reason subscription_update); none creates nothing.

var prorationBehaviors = map[string]bool{"create_prorations": true, "always_invoice": true, "none": true}

// prorationItem creates the pending proration invoice item for item si at
// price pr × qty from t to the period end: a credit (negative) or a charge.
func (c *call) prorationItem(sub *subscription, si *subscriptionItem, pr *price, qty, t int64, credit bool) (*invoiceItem, *apiError) {
	start, end := sub.CurrentPeriodStart, sub.CurrentPeriodEnd
	if t >= end || end <= start || qty == 0 {
		return nil, nil
	}
	amount := mulDivRound(pr.UnitAmount*qty, end-t, end-start)
	if amount == 0 {
		return nil, nil
	}
	q := ""
	if qty != 1 {
		q = strconv.FormatInt(qty, 10) + " × "
	}
	desc := "Remaining time on " + q + c.productName(pr) + " after " + formatDate(t)
	if credit {
		amount = -amount
		desc = "Unused time on " + q + c.productName(pr) + " after " + formatDate(t)
	}
	unit := pr.UnitAmount
	ii := &invoiceItem{ID: newID("ii"), Object: "invoiceitem", Amount: amount, Currency: sub.Currency, Customer: sub.Customer,
		Date: c.now(), Description: &desc, Discounts: []string{}, Metadata: map[string]string{},
		Period: period{Start: t, End: end}, Plan: planOf(pr), Price: pr, Proration: true, Quantity: qty,
		Subscription: &sub.ID, SubscriptionItem: &si.ID, TaxRates: si.TaxRates, TestClock: sub.TestClock,
		UnitAmount: &unit, UnitAmountDecimal: ptr(strconv.FormatInt(unit, 10))}
	if ii.TaxRates == nil {
		ii.TaxRates = []*taxRate{}
	}
	if credit {
		cr, aerr := c.creditedLine(sub, si.ID, t)
		if aerr != nil {
			return nil, aerr
		}
		ii.Credited = cr
	}
	if aerr := c.save(invoiceItemRow(ii), ii); aerr != nil {
		return nil, aerr
	}
	return ii, c.emit(evInvoiceItemCreated, ii, nil)
}

// creditedLine finds the invoice line that billed item siID for the time
// at t (the newest line of the subscription's invoices whose period covers
// t with a positive amount).
func (c *call) creditedLine(sub *subscription, siID string, t int64) (*creditedItems, *apiError) {
	rows, err := listRows(c.ctx, c.q, listQuery{Type: "invoice", Eq: map[string]string{"source": sub.ID}, Limit: 50})
	if err != nil {
		return nil, internalError(err)
	}
	for _, r := range rows {
		var inv invoice
		if aerr := decodeRow(r, &inv); aerr != nil {
			return nil, aerr
		}
		if inv.Status == "void" || inv.Status == "draft" {
			continue
		}
		for _, l := range inv.Lines.Data {
			if l.SubscriptionItem != nil && *l.SubscriptionItem == siID && l.Amount > 0 &&
				l.Period.Start <= t && t < l.Period.End {
				return &creditedItems{Invoice: inv.ID, InvoiceLineItems: []string{l.ID}}, nil
			}
		}
	}
	return nil, nil
}

// itemChange is one item's state before and after an update (nil price:
// the item does not exist on that side).
type itemChange struct {
	item     *subscriptionItem
	oldPrice *price
	oldQty   int64
	newPrice *price
	newQty   int64
}

// updateSubscription implements POST /v1/subscriptions/{id}.
func (s *Server) updateSubscription(c *call) (any, *apiError) {
	p := c.p
	if aerr := p.allow("", "items", "proration_behavior", "proration_date", "default_tax_rates", "coupon", "discounts",
		"default_payment_method", "metadata", "description", "cancel_at_period_end", "payment_behavior",
		"off_session", "expand"); aerr != nil {
		return nil, aerr
	}
	sub, cu, aerr := c.urlSubscription()
	if aerr != nil {
		return nil, aerr
	}
	if sub.Status == "canceled" || sub.Status == "incomplete_expired" {
		for k := range p {
			if k != "metadata" && k != "expand" {
				return nil, invalidParam(k, "A canceled subscription can only update its metadata.")
			}
		}
	}
	behavior := "create_prorations"
	if v, ok, aerr := p.str("proration_behavior"); aerr != nil {
		return nil, aerr
	} else if ok {
		if !prorationBehaviors[v] {
			return nil, invalidParam("proration_behavior", "Invalid proration_behavior: must be one of always_invoice, create_prorations, or none")
		}
		behavior = v
	}
	payBehavior := "allow_incomplete"
	if v, ok, aerr := p.str("payment_behavior"); aerr != nil {
		return nil, aerr
	} else if ok {
		if v != "allow_incomplete" && v != "error_if_incomplete" && v != "default_incomplete" && v != "pending_if_incomplete" {
			return nil, invalidParam("payment_behavior", "Invalid payment_behavior: must be one of allow_incomplete, default_incomplete, error_if_incomplete, or pending_if_incomplete")
		}
		if v == "pending_if_incomplete" {
			return nil, invalidParam("payment_behavior", "The sandbox does not support pending updates (pending_if_incomplete).")
		}
		payBehavior = v
	}
	if _, _, aerr := p.boolean("off_session"); aerr != nil {
		return nil, aerr
	}
	now := c.now()
	t := now
	if v, ok, aerr := p.integer("proration_date"); aerr != nil {
		return nil, aerr
	} else if ok {
		if v < sub.CurrentPeriodStart || v >= sub.CurrentPeriodEnd {
			return nil, invalidParam("proration_date", "proration_date must be within the current period [%d, %d).", sub.CurrentPeriodStart, sub.CurrentPeriodEnd)
		}
		t = v
	}
	before := *sub
	before.Items.Data = append([]*subscriptionItem{}, sub.Items.Data...)
	specs, _, aerr := c.parseItems(true)
	if aerr != nil {
		return nil, aerr
	}
	changes, aerr := applyItemSpecs(c, sub, specs)
	if aerr != nil {
		return nil, aerr
	}
	if aerr := checkItems(sub.Items.Data); aerr != nil {
		return nil, aerr
	}
	sub.Items.TotalCount = int64(len(sub.Items.Data))
	if aerr := c.applySubscriptionParams(sub, cu); aerr != nil {
		return nil, aerr
	}
	ds, sent, aerr := c.discountsParam(discountScope{Customer: &cu.ID, Subscription: &sub.ID}, sub.Currency, true)
	if aerr != nil {
		return nil, aerr
	}
	if sent {
		sub.Discounts = discountIDs(ds)
		if aerr := c.refreshDiscount(sub); aerr != nil {
			return nil, aerr
		}
	}
	if v, ok, aerr := p.boolean("cancel_at_period_end"); aerr != nil {
		return nil, aerr
	} else if ok {
		sub.CancelAtPeriodEnd = v
		sub.CancelAt, sub.CanceledAt = nil, nil
		if v {
			sub.CancelAt, sub.CanceledAt = &sub.CurrentPeriodEnd, &now
		}
	}
	prorate := behavior != "none" && sub.Status != "incomplete"
	if prorate {
		for _, ch := range changes {
			if ch.oldPrice != nil {
				if _, aerr := c.prorationItem(sub, ch.item, ch.oldPrice, ch.oldQty, t, true); aerr != nil {
					return nil, aerr
				}
			}
			if ch.newPrice != nil {
				if _, aerr := c.prorationItem(sub, ch.item, ch.newPrice, ch.newQty, t, false); aerr != nil {
					return nil, aerr
				}
			}
		}
	}
	if aerr := c.save(subscriptionRow(sub), sub); aerr != nil {
		return nil, aerr
	}
	if behavior == "always_invoice" && len(changes) > 0 {
		inv, cardErr, aerr := c.subscriptionInvoiceOf(sub, cu, "subscription_update", nil, now, now, payBehavior != "default_incomplete", false)
		if aerr != nil {
			return nil, aerr
		}
		if inv != nil && t != now {
			inv.SubscriptionProrationDate = &t
			if aerr := c.save(invoiceRow(inv), inv); aerr != nil {
				return nil, aerr
			}
		}
		if cardErr != nil && payBehavior == "error_if_incomplete" {
			c.discard = true
			return nil, cardErr
		}
		if inv.Status != "paid" && sub.Status == "active" {
			sub.Status = "past_due"
		}
		if aerr := c.save(subscriptionRow(sub), sub); aerr != nil {
			return nil, aerr
		}
	}
	return c.saveUpdate(subscriptionRow(sub), &before, sub, evSubscriptionUpdated, "subscription", nil)
}

// applyItemSpecs applies items[] of an update to the subscription and
// returns the changes that prorate.
func applyItemSpecs(c *call, sub *subscription, specs []itemSpec) ([]itemChange, *apiError) {
	var changes []itemChange
	for _, sp := range specs {
		prefix := "items[" + strconv.Itoa(sp.index) + "]"
		if sp.id == "" {
			if sp.deleted {
				return nil, invalidParam(prefix+"[id]", "An item to delete needs its id.")
			}
			if sp.price == nil {
				return nil, missingParam(prefix + "[price]")
			}
			si, aerr := c.newItem(sub, sp)
			if aerr != nil {
				return nil, aerr
			}
			sub.Items.Data = append(sub.Items.Data, si)
			changes = append(changes, itemChange{item: si, newPrice: si.Price, newQty: si.Quantity})
			continue
		}
		idx := -1
		for i, si := range sub.Items.Data {
			if si.ID == sp.id {
				idx = i
			}
		}
		if idx < 0 {
			return nil, invalidParam(prefix+"[id]", "No such subscription item: '%s'", sp.id)
		}
		old := sub.Items.Data[idx]
		if sp.deleted {
			sub.Items.Data = append(sub.Items.Data[:idx:idx], sub.Items.Data[idx+1:]...)
			changes = append(changes, itemChange{item: old, oldPrice: old.Price, oldQty: old.Quantity})
			continue
		}
		si := *old
		if sp.price != nil {
			if rc, orc := sp.price.Recurring, old.Price.Recurring; sp.price.Currency != sub.Currency ||
				rc.Interval != orc.Interval || rc.IntervalCount != orc.IntervalCount {
				return nil, invalidParam(prefix+"[price]", "The sandbox supports price changes with the same currency and interval only (%s every %d %s).",
					sub.Currency, orc.IntervalCount, orc.Interval)
			}
			si.Price, si.Plan = sp.price, planOf(sp.price)
		}
		if sp.quantity != nil {
			si.Quantity = *sp.quantity
		}
		if sp.hasRates {
			si.TaxRates = sp.taxRates
		}
		if sp.metadata != nil {
			md, _, aerr := applyMetadata(params{"metadata": sp.metadata}, si.Metadata)
			if aerr != nil {
				return nil, aerr
			}
			si.Metadata = md
		}
		sub.Items.Data[idx] = &si
		if si.Price.ID != old.Price.ID || si.Quantity != old.Quantity {
			changes = append(changes, itemChange{item: &si, oldPrice: old.Price, oldQty: old.Quantity,
				newPrice: si.Price, newQty: si.Quantity})
		}
	}
	return changes, nil
}
