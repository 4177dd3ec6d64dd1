package stripesandbox

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Subscriptions: POST/GET /v1/subscriptions[/{id}], DELETE (cancel).
// charge_automatically, licensed per_unit prices sharing one currency and
// interval. Creating one invoices the first period at once (billing_reason
// subscription_create) and charges the default payment method; renewals
// happen when the customer's test clock passes a period end (testclocks.go);
// price and quantity changes prorate (proration.go). See doc.go.

const (
	evSubscriptionCreated = "customer.subscription.created"
	evSubscriptionUpdated = "customer.subscription.updated"
	evSubscriptionDeleted = "customer.subscription.deleted"
)

func subscriptionRow(sub *subscription) row {
	return row{ID: sub.ID, Type: "subscription", Created: sub.Created, Customer: sub.Customer, Currency: sub.Currency,
		Kind: sub.Status}
}

// loadSubscription loads a subscription named by param.
func (c *call) loadSubscription(id, param string) (*subscription, *apiError) {
	var sub subscription
	if aerr := c.loadRef(id, "subscription", param, &sub); aerr != nil {
		return nil, aerr
	}
	return &sub, nil
}

// periodBoundary is the k-th period boundary after anchor: anchor + k
// intervals, computed from the anchor (months keep the anchor's day,
// clamped to shorter months: Jan 31, Feb 28, Mar 31).
func periodBoundary(anchor int64, k int64, rc *recurring) int64 {
	n := k * rc.IntervalCount
	switch rc.Interval {
	case "day":
		return anchor + n*86400
	case "week":
		return anchor + n*7*86400
	case "year":
		return addMonths(anchor, 12*n)
	}
	return addMonths(anchor, n)
}

// nextBoundary returns the first period boundary after t.
func nextBoundary(anchor, t int64, rc *recurring) int64 {
	for k := int64(1); ; k++ {
		if b := periodBoundary(anchor, k, rc); b > t {
			return b
		}
	}
}

// interval returns the subscription's billing interval (all items share it).
func (sub *subscription) interval() *recurring {
	if len(sub.Items.Data) == 0 || sub.Items.Data[0].Price.Recurring == nil {
		return &recurring{Interval: "month", IntervalCount: 1}
	}
	return sub.Items.Data[0].Price.Recurring
}

// intervalText is "month" or "every 3 months".
func intervalText(rc *recurring) string {
	if rc.IntervalCount == 1 {
		return rc.Interval
	}
	return fmt.Sprintf("every %d %ss", rc.IntervalCount, rc.Interval)
}

// productName returns a price's product name ("" when unknown).
func (c *call) productName(pr *price) string {
	var prod product
	if aerr := c.loadRef(pr.Product, "product", "price", &prod); aerr != nil {
		return ""
	}
	return prod.Name
}

// qtyPrefix is "3 × " (Stripe's subscription line descriptions).
func qtyPrefix(q int64) string { return strconv.FormatInt(q, 10) + " × " }

// subscriptionLine is the invoice line billing item si for a period.
func (c *call) subscriptionLine(sub *subscription, si *subscriptionItem, invID string, per period) *lineItem {
	pr := si.Price
	desc := fmt.Sprintf("%s%s (at %s / %s)", qtyPrefix(si.Quantity), c.productName(pr),
		formatAmount(pr.UnitAmount, pr.Currency), intervalText(pr.Recurring))
	return &lineItem{ID: newID("il"), Object: "line_item", Amount: pr.UnitAmount * si.Quantity, Currency: sub.Currency,
		Description: &desc, DiscountAmounts: []discountAmount{}, Discountable: true, Discounts: append([]string{}, si.Discounts...),
		Invoice: invID, Metadata: copyMap(sub.Metadata), Period: per, Plan: si.Plan, Price: pr, Quantity: si.Quantity,
		Subscription: &sub.ID, SubscriptionItem: &si.ID, TaxAmounts: []taxAmount{}, TaxRates: si.TaxRates, Type: "subscription"}
}

// subscriptionDiscounts returns the subscription discounts that apply to
// an invoice of the period starting at start: forever, repeating until
// its end, once only on the first invoice after it was applied (then it is
// dropped from the subscription, see dropUsedDiscounts).
func (c *call) subscriptionDiscounts(sub *subscription, start int64) ([]string, *apiError) {
	out := []string{}
	for _, id := range sub.Discounts {
		d, aerr := c.loadDiscount(id, "discounts")
		if aerr != nil {
			return nil, aerr
		}
		if d.End != nil && start >= *d.End {
			continue
		}
		out = append(out, id)
	}
	return out, nil
}

// dropUsedDiscounts removes once-coupons that have now been used and
// repeating ones that have ended at t from the subscription.
func (c *call) dropUsedDiscounts(sub *subscription, t int64) *apiError {
	kept := []string{}
	for _, id := range sub.Discounts {
		d, aerr := c.loadDiscount(id, "discounts")
		if aerr != nil {
			return aerr
		}
		if d.Coupon.Duration == "once" || d.End != nil && t >= *d.End {
			continue
		}
		kept = append(kept, id)
	}
	sub.Discounts = kept
	return c.refreshDiscount(sub)
}

// refreshDiscount sets the deprecated single discount field.
func (c *call) refreshDiscount(sub *subscription) *apiError {
	sub.Discount = nil
	if len(sub.Discounts) == 1 {
		d, aerr := c.loadDiscount(sub.Discounts[0], "discounts")
		if aerr != nil {
			return aerr
		}
		sub.Discount = d
	}
	return nil
}

// subscriptionInvoice builds, finalizes and tries to pay an invoice of the
// subscription: its pending items (and the customer's pending items
// without subscription) plus, when per is not nil, every item billed for
// per. It returns the invoice and whether it is paid; a decline is not an
// error (collected reports it) unless the caller wants it (cardErr).
func (c *call) subscriptionInvoice(sub *subscription, cu *customer, reason string, per *period, periodStart, periodEnd int64, collectNow bool) (*invoice, *apiError, *apiError) {
	return c.subscriptionInvoiceOf(sub, cu, reason, per, periodStart, periodEnd, collectNow, per != nil)
}

// subscriptionInvoiceOf is subscriptionInvoice; loose says whether the
// customer's pending items without subscription are taken too (period
// invoices take them, update invoices only take the subscription's).
func (c *call) subscriptionInvoiceOf(sub *subscription, cu *customer, reason string, per *period, periodStart, periodEnd int64, collectNow, loose bool) (*invoice, *apiError, *apiError) {
	inv := c.newInvoice(cu, sub.Currency, reason)
	inv.Subscription = &sub.ID
	inv.SubscriptionDetails = &subscriptionDetails{Metadata: copyMap(sub.Metadata)}
	inv.DefaultTaxRates = sub.DefaultTaxRates
	inv.DefaultPaymentMethod = sub.DefaultPaymentMethod
	inv.PeriodStart, inv.PeriodEnd = periodStart, periodEnd
	inv.AutoAdvance = true
	own, aerr := c.pendingItems(cu.ID, sub.ID)
	if aerr != nil {
		return nil, nil, aerr
	}
	var others []*invoiceItem
	if loose {
		if others, aerr = c.pendingItems(cu.ID, ""); aerr != nil {
			return nil, nil, aerr
		}
	}
	if aerr := c.takeItems(inv, append(others, own...)); aerr != nil {
		return nil, nil, aerr
	}
	if per != nil {
		for i := len(sub.Items.Data) - 1; i >= 0; i-- {
			inv.Lines.Data = append(inv.Lines.Data, c.subscriptionLine(sub, sub.Items.Data[i], inv.ID, *per))
		}
	}
	ds, aerr := c.subscriptionDiscounts(sub, inv.Created)
	if aerr != nil {
		return nil, nil, aerr
	}
	inv.Discounts = ds
	if aerr := c.recompute(inv); aerr != nil {
		return nil, nil, aerr
	}
	if aerr := c.save(invoiceRow(inv), inv); aerr != nil {
		return nil, nil, aerr
	}
	if aerr := c.emit(evInvoiceCreated, inv, nil); aerr != nil {
		return nil, nil, aerr
	}
	if c.renewing == nil {
		c.renewing = map[string]bool{}
	}
	c.renewing[sub.ID] = true
	defer delete(c.renewing, sub.ID)
	if aerr := c.finalize(inv, cu); aerr != nil {
		return nil, nil, aerr
	}
	var cardErr *apiError
	if inv.Status == "open" && collectNow {
		// The subscription row must exist for default payment method lookup.
		if err := c.collect(inv, cu, ""); err != nil {
			if err.Type != "card_error" && err.Message != noPaymentMethodMessage {
				return nil, nil, err
			}
			cardErr = err
		}
	}
	if len(sub.Discounts) > 0 {
		if aerr := c.dropUsedDiscounts(sub, inv.Created); aerr != nil {
			return nil, nil, aerr
		}
	}
	sub.LatestInvoice = &inv.ID
	return inv, cardErr, nil
}

// afterInvoicePayment moves a subscription to active or past_due when its
// latest invoice is paid or fails outside a subscription flow (e.g. POST
// /v1/invoices/{id}/pay on a past_due renewal).
func (c *call) afterInvoicePayment(inv *invoice, paid bool) *apiError {
	if inv.Subscription == nil || c.renewing[*inv.Subscription] {
		return nil
	}
	sub, aerr := c.loadSubscription(*inv.Subscription, "subscription")
	if aerr != nil || sub.LatestInvoice == nil || *sub.LatestInvoice != inv.ID {
		return nil
	}
	before := sub.Status
	switch {
	case paid && (sub.Status == "incomplete" || sub.Status == "past_due" || sub.Status == "unpaid"):
		sub.Status = "active"
	case !paid && sub.Status == "active":
		sub.Status = "past_due"
	default:
		return nil
	}
	if aerr := c.save(subscriptionRow(sub), sub); aerr != nil {
		return aerr
	}
	return c.emit(evSubscriptionUpdated, sub, map[string]any{"status": before})
}

// itemSpec is one entry of items[] on create or update.
type itemSpec struct {
	index    int
	id       string
	price    *price
	quantity *int64
	deleted  bool
	taxRates []*taxRate
	hasRates bool
	metadata params
}

// parseItems reads items[i][…].
func (c *call) parseItems(update bool) ([]itemSpec, bool, *apiError) {
	hs, ok, aerr := hashList(c.p, "items")
	if aerr != nil || !ok {
		return nil, ok, aerr
	}
	var out []itemSpec
	for i, h := range hs {
		prefix := "items[" + strconv.Itoa(i) + "]"
		allowed := []string{"price", "quantity", "tax_rates", "metadata", "plan"}
		if update {
			allowed = append(allowed, "id", "deleted", "clear_usage")
		}
		if aerr := h.allow(prefix, allowed...); aerr != nil {
			return nil, true, aerr
		}
		sp := itemSpec{index: i}
		if v, ok, _ := h.str("id"); ok {
			sp.id = v
		}
		priceID, hasPrice, aerr := h.str("price")
		if aerr != nil {
			return nil, true, aerr
		}
		if !hasPrice {
			priceID, hasPrice, _ = h.str("plan")
		}
		if hasPrice && priceID != "" {
			pr, aerr := c.loadPrice(priceID, prefix+"[price]")
			if aerr != nil {
				return nil, true, aerr
			}
			if pr.Type != "recurring" {
				return nil, true, invalidParam(prefix+"[price]", "The price specified is set to `type=one_time` but this field only accepts prices with `type=recurring`.")
			}
			if !pr.Active {
				return nil, true, invalidParam(prefix+"[price]", "The price %s is not active.", pr.ID)
			}
			sp.price = pr
		}
		if q, ok, aerr := h.integer("quantity"); aerr != nil {
			aerr.Param = prefix + "[quantity]"
			return nil, true, aerr
		} else if ok {
			if q < 0 {
				return nil, true, invalidParam(prefix+"[quantity]", "Invalid quantity: must be a non-negative integer")
			}
			sp.quantity = &q
		}
		if d, ok, aerr := h.boolean("deleted"); aerr != nil {
			return nil, true, aerr
		} else if ok {
			sp.deleted = d
		}
		if ids, ok, aerr := h.list("tax_rates"); aerr != nil {
			return nil, true, aerr
		} else if ok {
			rates, aerr := c.loadTaxRates(ids, prefix+"[tax_rates]")
			if aerr != nil {
				return nil, true, aerr
			}
			sp.taxRates, sp.hasRates = rates, true
		}
		if md, ok, _ := h.hash("metadata"); ok {
			sp.metadata = md
		}
		if !update && sp.price == nil {
			return nil, true, missingParam(prefix + "[price]")
		}
		out = append(out, sp)
	}
	return out, true, nil
}

// newItem makes a subscription item from a spec.
func (c *call) newItem(sub *subscription, sp itemSpec) (*subscriptionItem, *apiError) {
	si := &subscriptionItem{ID: newID("si"), Object: "subscription_item", Created: c.now(), Discounts: []string{},
		Metadata: map[string]string{}, Plan: planOf(sp.price), Price: sp.price, Quantity: 1, Subscription: sub.ID,
		TaxRates: []*taxRate{}}
	if sp.quantity != nil {
		si.Quantity = *sp.quantity
	}
	if sp.hasRates {
		si.TaxRates = sp.taxRates
	}
	if sp.metadata != nil {
		md, _, aerr := applyMetadata(params{"metadata": sp.metadata}, nil)
		if aerr != nil {
			return nil, aerr
		}
		si.Metadata = md
	}
	return si, nil
}

// checkItems enforces one currency and one interval across the items.
func checkItems(items []*subscriptionItem) *apiError {
	if len(items) == 0 {
		return missingParam("items")
	}
	if len(items) > 20 {
		return invalidParam("items", "A subscription can have at most 20 items.")
	}
	first := items[0].Price
	seen := map[string]bool{}
	for _, si := range items {
		pr := si.Price
		if pr.Currency != first.Currency || pr.Recurring.Interval != first.Recurring.Interval ||
			pr.Recurring.IntervalCount != first.Recurring.IntervalCount {
			return invalidParam("items", "Currency and interval fields must match across all prices on this subscription.")
		}
		if seen[pr.ID] {
			return invalidParam("items", "Cannot add multiple subscription items with the same price: %s.", pr.ID)
		}
		seen[pr.ID] = true
	}
	return nil
}

var subscriptionCreateParams = []string{"customer", "items", "default_tax_rates", "coupon", "discounts",
	"proration_behavior", "payment_behavior", "default_payment_method", "metadata", "description",
	"collection_method", "cancel_at_period_end", "off_session", "currency", "expand"}

// createSubscription implements POST /v1/subscriptions.
func (s *Server) createSubscription(c *call) (any, *apiError) {
	p := c.p
	if aerr := p.allow("", subscriptionCreateParams...); aerr != nil {
		return nil, aerr
	}
	cusID, ok, aerr := p.str("customer")
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
	if v, ok, _ := p.str("collection_method"); ok && v != "charge_automatically" {
		return nil, invalidParam("collection_method", "The sandbox supports collection_method=charge_automatically only.")
	}
	behavior := "allow_incomplete"
	if v, ok, aerr := p.str("payment_behavior"); aerr != nil {
		return nil, aerr
	} else if ok {
		switch v {
		case "allow_incomplete", "error_if_incomplete", "default_incomplete":
			behavior = v
		case "pending_if_incomplete":
			return nil, invalidParam("payment_behavior", "pending_if_incomplete is only for updates.")
		default:
			return nil, invalidParam("payment_behavior", "Invalid payment_behavior: must be one of allow_incomplete, default_incomplete, error_if_incomplete")
		}
	}
	if v, ok, aerr := p.str("proration_behavior"); aerr != nil {
		return nil, aerr
	} else if ok && !prorationBehaviors[v] {
		return nil, invalidParam("proration_behavior", "Invalid proration_behavior: must be one of always_invoice, create_prorations, or none")
	}
	for _, b := range []string{"off_session", "cancel_at_period_end"} {
		if _, _, aerr := p.boolean(b); aerr != nil {
			return nil, aerr
		}
	}
	now := c.now()
	sub := &subscription{ID: newID("sub"), Object: "subscription", BillingCycleAnchor: now, CollectionMethod: "charge_automatically",
		Created: now, Customer: cu.ID, DefaultTaxRates: []*taxRate{}, Discounts: []string{}, Metadata: map[string]string{},
		StartDate: now, Status: "incomplete", TestClock: cu.TestClock}
	sub.Items = subscriptionItemList{Object: "list", Data: []*subscriptionItem{}, URL: "/v1/subscription_items?subscription=" + sub.ID}
	specs, _, aerr := c.parseItems(false)
	if aerr != nil {
		return nil, aerr
	}
	for _, sp := range specs {
		si, aerr := c.newItem(sub, sp)
		if aerr != nil {
			return nil, aerr
		}
		sub.Items.Data = append(sub.Items.Data, si)
	}
	if aerr := checkItems(sub.Items.Data); aerr != nil {
		return nil, aerr
	}
	sub.Currency = sub.Items.Data[0].Price.Currency
	if v, ok, _ := p.str("currency"); ok && strings.ToLower(v) != sub.Currency {
		return nil, invalidParam("currency", "The currency %s does not match the prices' currency %s.", v, sub.Currency)
	}
	sub.Items.TotalCount = int64(len(sub.Items.Data))
	if aerr := c.applySubscriptionParams(sub, cu); aerr != nil {
		return nil, aerr
	}
	ds, _, aerr := c.discountsParam(discountScope{Customer: &cu.ID, Subscription: &sub.ID}, sub.Currency, true)
	if aerr != nil {
		return nil, aerr
	}
	sub.Discounts = discountIDs(ds)
	if aerr := c.refreshDiscount(sub); aerr != nil {
		return nil, aerr
	}
	if v, _, _ := p.boolean("cancel_at_period_end"); v {
		sub.CancelAtPeriodEnd = true
	}
	if aerr := c.setCustomerCurrency(cu, sub.Currency, "items"); aerr != nil {
		return nil, aerr
	}
	sub.CurrentPeriodStart = now
	sub.CurrentPeriodEnd = nextBoundary(sub.BillingCycleAnchor, now, sub.interval())
	if sub.CancelAtPeriodEnd {
		sub.CancelAt, sub.CanceledAt = &sub.CurrentPeriodEnd, &now
	}
	if aerr := c.save(subscriptionRow(sub), sub); aerr != nil {
		return nil, aerr
	}
	per := period{Start: sub.CurrentPeriodStart, End: sub.CurrentPeriodEnd}
	inv, cardErr, aerr := c.subscriptionInvoice(sub, cu, "subscription_create", &per, now, now, behavior != "default_incomplete")
	if aerr != nil {
		return nil, aerr
	}
	if cardErr != nil && behavior == "error_if_incomplete" {
		c.discard = true
		return nil, cardErr
	}
	if inv.Status == "paid" {
		sub.Status = "active"
	}
	if aerr := c.save(subscriptionRow(sub), sub); aerr != nil {
		return nil, aerr
	}
	if aerr := c.emit(evSubscriptionCreated, sub, nil); aerr != nil {
		return nil, aerr
	}
	return c.renderValue(sub, "subscription")
}

// applySubscriptionParams applies default_tax_rates, default_payment_method,
// description and metadata (create and update).
func (c *call) applySubscriptionParams(sub *subscription, cu *customer) *apiError {
	p := c.p
	if ids, ok, aerr := p.list("default_tax_rates"); aerr != nil {
		return aerr
	} else if ok {
		rates, aerr := c.loadTaxRates(ids, "default_tax_rates")
		if aerr != nil {
			return aerr
		}
		sub.DefaultTaxRates = rates
	}
	if v, ok, aerr := p.str("default_payment_method"); aerr != nil {
		return aerr
	} else if ok && v == "" {
		sub.DefaultPaymentMethod = nil
	} else if ok {
		pm, aerr := c.customerPaymentMethod(v, cu.ID, "default_payment_method")
		if aerr != nil {
			return aerr
		}
		sub.DefaultPaymentMethod = &pm.ID
	}
	if aerr := setStrings(p, "", map[string]**string{"description": &sub.Description}); aerr != nil {
		return aerr
	}
	md, _, aerr := applyMetadata(p, sub.Metadata)
	if aerr != nil {
		return aerr
	}
	sub.Metadata = md
	return nil
}

// cancelSubscription implements DELETE /v1/subscriptions/{id}: canceled at
// once; prorate=true credits the unused time (a pending proration item),
// invoice_now=true invoices pending items of the subscription at once.
func (s *Server) cancelSubscription(c *call) (any, *apiError) {
	if aerr := c.p.allow("", "invoice_now", "prorate", "cancellation_details", "expand"); aerr != nil {
		return nil, aerr
	}
	sub, cu, aerr := c.urlSubscription()
	if aerr != nil {
		return nil, aerr
	}
	if sub.Status == "canceled" || sub.Status == "incomplete_expired" {
		return nil, invalidParam("", "No such subscription: '%s' is already canceled.", sub.ID)
	}
	prorate, _, aerr := c.p.boolean("prorate")
	if aerr != nil {
		return nil, aerr
	}
	invoiceNow, _, aerr := c.p.boolean("invoice_now")
	if aerr != nil {
		return nil, aerr
	}
	if h, ok, aerr := c.p.hash("cancellation_details"); aerr != nil {
		return nil, aerr
	} else if ok && h != nil {
		if aerr := h.allow("cancellation_details", "comment", "feedback"); aerr != nil {
			return nil, aerr
		}
		if aerr := setStrings(h, "cancellation_details", map[string]**string{"comment": &sub.CancellationDetails.Comment,
			"feedback": &sub.CancellationDetails.Feedback}); aerr != nil {
			return nil, aerr
		}
	}
	now := c.now()
	if prorate && sub.Status != "incomplete" {
		for _, si := range sub.Items.Data {
			if _, aerr := c.prorationItem(sub, si, si.Price, si.Quantity, now, true); aerr != nil {
				return nil, aerr
			}
		}
	}
	if aerr := c.endSubscription(sub, cu, now, "cancellation_requested"); aerr != nil {
		return nil, aerr
	}
	if invoiceNow {
		if _, _, aerr := c.subscriptionInvoice(sub, cu, "subscription_update", nil, now, now, true); aerr != nil {
			return nil, aerr
		}
		if aerr := c.save(subscriptionRow(sub), sub); aerr != nil {
			return nil, aerr
		}
	}
	return c.renderValue(sub, "subscription")
}

// endSubscription marks a subscription canceled at t and emits
// customer.subscription.deleted.
func (c *call) endSubscription(sub *subscription, cu *customer, t int64, reason string) *apiError {
	sub.Status, sub.EndedAt = "canceled", &t
	if sub.CanceledAt == nil || !sub.CancelAtPeriodEnd {
		sub.CanceledAt = &t
	}
	sub.CancellationDetails.Reason = &reason
	if aerr := c.save(subscriptionRow(sub), sub); aerr != nil {
		return aerr
	}
	return c.emit(evSubscriptionDeleted, sub, nil)
}

// urlSubscription loads the subscription in the URL and its customer, and
// runs the call on the customer's test clock.
func (c *call) urlSubscription() (*subscription, *customer, *apiError) {
	r, aerr := c.load("subscription")
	if aerr != nil {
		return nil, nil, aerr
	}
	var sub subscription
	if aerr := decodeRow(r, &sub); aerr != nil {
		return nil, nil, aerr
	}
	cu, aerr := c.loadCustomer(sub.Customer, "customer")
	if aerr != nil {
		return nil, nil, aerr
	}
	if aerr := c.useClock(cu); aerr != nil {
		return nil, nil, aerr
	}
	return &sub, cu, nil
}

func (s *Server) getSubscription(c *call) (any, *apiError) { return c.getAndRender("subscription") }

// listSubscriptions lists subscriptions; without status, canceled ones are
// left out (Stripe's default), status=all lists every one.
func (s *Server) listSubscriptions(c *call) (any, *apiError) {
	var not map[string]string
	if v, ok, _ := c.p.str("status"); !ok {
		not = map[string]string{"kind": "canceled"}
	} else if v == "all" {
		delete(c.p, "status")
	}
	return c.listExcluding("subscription", "/v1/subscriptions", map[string]string{"customer": "customer",
		"status": "kind", "test_clock": "json:$.test_clock"}, not)
}

// clockSubscriptions returns the live subscriptions of the customers on a
// test clock.
func (c *call) clockSubscriptions(clockID string) ([]*subscription, *apiError) {
	rows, err := c.q.QueryContext(c.ctx, `SELECT `+rowCols+` FROM objects WHERE type = 'subscription'
		AND kind IN ('active', 'past_due') AND json_extract(json, '$.test_clock') = ? ORDER BY seq`, clockID)
	if err != nil {
		return nil, internalError(err)
	}
	defer rows.Close()
	var out []*subscription
	for rows.Next() {
		r, err := scanRow(rows)
		if err != nil {
			return nil, internalError(err)
		}
		var sub subscription
		if aerr := decodeRow(r, &sub); aerr != nil {
			return nil, aerr
		}
		out = append(out, &sub)
	}
	if err := rows.Err(); err != nil {
		return nil, internalError(err)
	}
	return out, nil
}

// renew moves a subscription across its period end t: canceled if it was
// set to cancel at period end, else a new period and its invoice
// (subscription_cycle, dated t), paid or left open (past_due).
func (c *call) renew(sub *subscription, t int64) *apiError {
	cu, aerr := c.loadCustomer(sub.Customer, "customer")
	if aerr != nil {
		return aerr
	}
	before := *sub
	if sub.CancelAtPeriodEnd || sub.CancelAt != nil && *sub.CancelAt <= t {
		return c.endSubscription(sub, cu, t, "cancellation_requested")
	}
	prevStart := sub.CurrentPeriodStart
	sub.CurrentPeriodStart = t
	sub.CurrentPeriodEnd = nextBoundary(sub.BillingCycleAnchor, t, sub.interval())
	per := period{Start: sub.CurrentPeriodStart, End: sub.CurrentPeriodEnd}
	if aerr := c.save(subscriptionRow(sub), sub); aerr != nil {
		return aerr
	}
	inv, _, aerr := c.subscriptionInvoice(sub, cu, "subscription_cycle", &per, prevStart, t, true)
	if aerr != nil {
		return aerr
	}
	if inv.Status == "paid" {
		sub.Status = "active"
	} else {
		sub.Status = "past_due"
	}
	if aerr := c.save(subscriptionRow(sub), sub); aerr != nil {
		return aerr
	}
	prev, aerr := previousAttributes(&before, sub)
	if aerr != nil {
		return aerr
	}
	return c.emit(evSubscriptionUpdated, sub, prev)
}

// errTooManyRenewals bounds one clock advance.
var errTooManyRenewals = errors.New("too many renewals")

// maxRenewalsPerAdvance bounds the work of one test clock advance.
const maxRenewalsPerAdvance = 500

// advanceSubscriptions runs every renewal due on the clock's customers up
// to target, in time order, each at its own period end.
func (c *call) advanceSubscriptions(clockID string, target int64) *apiError {
	subs, aerr := c.clockSubscriptions(clockID)
	if aerr != nil {
		return aerr
	}
	for n := 0; ; n++ {
		var next *subscription
		for _, sub := range subs {
			if sub.Status != "active" && sub.Status != "past_due" {
				continue
			}
			if sub.CurrentPeriodEnd <= target && (next == nil || sub.CurrentPeriodEnd < next.CurrentPeriodEnd) {
				next = sub
			}
		}
		if next == nil {
			return nil
		}
		if n >= maxRenewalsPerAdvance {
			return &apiError{Status: http.StatusBadRequest, Type: "invalid_request_error", Param: "frozen_time",
				Message: fmt.Sprintf("The sandbox renews at most %d subscription periods per advance (%v); advance in smaller steps.", maxRenewalsPerAdvance, errTooManyRenewals)}
		}
		c.frozen = next.CurrentPeriodEnd
		if aerr := c.renew(next, next.CurrentPeriodEnd); aerr != nil {
			return aerr
		}
	}
}

// formatDate is Stripe's date in proration descriptions: "15 Jan 2024".
func formatDate(t int64) string { return time.Unix(t, 0).UTC().Format("2 Jan 2006") }
