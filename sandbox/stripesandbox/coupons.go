package stripesandbox

import (
	"sort"
	"strconv"
	"strings"
	"time"
)

// Coupons: POST/GET/DELETE /v1/coupons[/{id}] with percent_off (at most
// four decimals, 0 < p ≤ 100) or amount_off + currency, duration once,
// repeating (duration_in_months) or forever, max_redemptions, redeem_by.
// Applying a coupon (discounts[][coupon] on invoice items, invoices and
// subscriptions, or coupon= on subscriptions) creates a Discount (di_…) and
// counts a redemption.

const (
	evCouponCreated = "coupon.created"
	evCouponUpdated = "coupon.updated"
	evCouponDeleted = "coupon.deleted"
)

func couponRow(cp *coupon) row { return row{ID: cp.ID, Type: "coupon", Created: cp.Created} }

func (s *Server) createCoupon(c *call) (any, *apiError) {
	p := c.p
	if aerr := p.allow("", "id", "percent_off", "amount_off", "currency", "duration", "duration_in_months",
		"name", "metadata", "max_redemptions", "redeem_by", "expand"); aerr != nil {
		return nil, aerr
	}
	id, aerr := c.objectID("coupon", "", "Coupon")
	if aerr != nil {
		return nil, aerr
	}
	cp := &coupon{ID: id, Object: "coupon", Created: c.now(), Duration: "once", Metadata: map[string]string{}, Valid: true}
	pctRaw, hasPct, aerr := p.str("percent_off")
	if aerr != nil {
		return nil, aerr
	}
	amountOff, hasAmount, aerr := p.integer("amount_off")
	if aerr != nil {
		return nil, aerr
	}
	switch {
	case hasPct && hasAmount:
		return nil, invalidParam("percent_off", "You may only specify one of these parameters: amount_off, percent_off.")
	case hasPct:
		pct, ok := parsePercent(pctRaw)
		if !ok || pct == 0 || pct > 100*percentScale {
			return nil, invalidParam("percent_off", "Invalid percent_off: must be greater than 0 and at most 100")
		}
		cp.PercentOff = &pct
		if p.has("currency") {
			return nil, invalidParam("currency", "currency can only be set with amount_off.")
		}
	case hasAmount:
		if amountOff < 1 {
			return nil, invalidParam("amount_off", "Invalid amount_off: must be a positive integer")
		}
		cur, ok, aerr := p.str("currency")
		if aerr != nil {
			return nil, aerr
		}
		if !ok || cur == "" {
			return nil, invalidParam("currency", "You must pass currency when passing amount_off")
		}
		cur = strings.ToLower(cur)
		if aerr := billingCurrency(cur, "currency"); aerr != nil {
			return nil, aerr
		}
		cp.AmountOff, cp.Currency = &amountOff, &cur
	default:
		return nil, invalidParam("", "You must pass either percent_off or amount_off")
	}
	if v, ok, aerr := p.str("duration"); aerr != nil {
		return nil, aerr
	} else if ok {
		if v != "once" && v != "repeating" && v != "forever" {
			return nil, invalidParam("duration", "Invalid duration: must be one of forever, once, or repeating")
		}
		cp.Duration = v
	}
	if n, ok, aerr := p.integer("duration_in_months"); aerr != nil {
		return nil, aerr
	} else if ok {
		if cp.Duration != "repeating" {
			return nil, invalidParam("duration_in_months", "duration_in_months can only be set when duration is repeating")
		}
		if n < 1 {
			return nil, invalidParam("duration_in_months", "Invalid duration_in_months: must be a positive integer")
		}
		cp.DurationInMonths = &n
	} else if cp.Duration == "repeating" {
		return nil, missingParam("duration_in_months")
	}
	for name, dst := range map[string]**int64{"max_redemptions": &cp.MaxRedemptions, "redeem_by": &cp.RedeemBy} {
		if n, ok, aerr := p.integer(name); aerr != nil {
			return nil, aerr
		} else if ok {
			if n < 1 {
				return nil, invalidParam(name, "Invalid %s: must be a positive integer", name)
			}
			*dst = &n
		}
	}
	if aerr := setStrings(p, "", map[string]**string{"name": &cp.Name}); aerr != nil {
		return nil, aerr
	}
	md, _, aerr := applyMetadata(p, nil)
	if aerr != nil {
		return nil, aerr
	}
	cp.Metadata = md
	if aerr := c.save(couponRow(cp), cp); aerr != nil {
		return nil, aerr
	}
	if aerr := c.emit(evCouponCreated, cp, nil); aerr != nil {
		return nil, aerr
	}
	return c.renderValue(cp, "coupon")
}

func (s *Server) updateCoupon(c *call) (any, *apiError) {
	if aerr := c.p.allow("", "name", "metadata", "expand"); aerr != nil {
		return nil, aerr
	}
	r, aerr := c.load("coupon")
	if aerr != nil {
		return nil, aerr
	}
	var cp coupon
	if aerr := decodeRow(r, &cp); aerr != nil {
		return nil, aerr
	}
	before := cp
	if aerr := setStrings(c.p, "", map[string]**string{"name": &cp.Name}); aerr != nil {
		return nil, aerr
	}
	md, _, aerr := applyMetadata(c.p, cp.Metadata)
	if aerr != nil {
		return nil, aerr
	}
	cp.Metadata = md
	return c.saveUpdate(couponRow(&cp), &before, &cp, evCouponUpdated, "coupon", nil)
}

func (s *Server) deleteCoupon(c *call) (any, *apiError) {
	if aerr := c.p.allow(""); aerr != nil {
		return nil, aerr
	}
	r, aerr := c.load("coupon")
	if aerr != nil {
		return nil, aerr
	}
	var cp coupon
	if aerr := decodeRow(r, &cp); aerr != nil {
		return nil, aerr
	}
	// Discounts keep their copy of the coupon, as in Stripe.
	if _, err := c.q.ExecContext(c.ctx, `DELETE FROM objects WHERE id = ?`, cp.ID); err != nil {
		return nil, internalError(err)
	}
	cp.Valid = false
	if aerr := c.emit(evCouponDeleted, &cp, nil); aerr != nil {
		return nil, aerr
	}
	return deletedObject{ID: cp.ID, Object: "coupon", Deleted: true}, nil
}

func (s *Server) getCoupon(c *call) (any, *apiError) { return c.getAndRender("coupon") }

func (s *Server) listCoupons(c *call) (any, *apiError) {
	return c.list("coupon", "/v1/coupons", nil)
}

func discountRow(d *discount) row {
	r := row{ID: d.ID, Type: "discount", Created: d.Start}
	if d.Customer != nil {
		r.Customer = *d.Customer
	}
	return r
}

// discountScope says what a new discount is attached to.
type discountScope struct {
	Customer, Invoice, InvoiceItem, Subscription *string
}

// redeem applies coupon couponID (named by param) at the call's time: it
// checks the coupon can still be redeemed, counts the redemption and stores
// a new Discount. A repeating coupon's discount ends duration_in_months
// after it starts.
func (c *call) redeem(couponID, param string, scope discountScope) (*discount, *apiError) {
	var cp coupon
	if aerr := c.loadRef(couponID, "coupon", param, &cp); aerr != nil {
		return nil, aerr
	}
	now := c.now()
	if cp.RedeemBy != nil && now > *cp.RedeemBy || cp.MaxRedemptions != nil && cp.TimesRedeemed >= *cp.MaxRedemptions {
		return nil, invalidParamCode("coupon_expired", param, "Coupon %s is no longer valid.", cp.ID)
	}
	cp.TimesRedeemed++
	if cp.MaxRedemptions != nil && cp.TimesRedeemed >= *cp.MaxRedemptions {
		cp.Valid = false
	}
	if aerr := c.save(couponRow(&cp), &cp); aerr != nil {
		return nil, aerr
	}
	d := &discount{ID: newID("di"), Object: "discount", Coupon: cp, Customer: scope.Customer, Invoice: scope.Invoice,
		InvoiceItem: scope.InvoiceItem, Start: now, Subscription: scope.Subscription}
	if cp.Duration == "repeating" && cp.DurationInMonths != nil {
		end := addMonths(now, *cp.DurationInMonths)
		d.End = &end
	}
	if aerr := c.save(discountRow(d), d); aerr != nil {
		return nil, aerr
	}
	return d, nil
}

// loadDiscount loads a stored discount.
func (c *call) loadDiscount(id, param string) (*discount, *apiError) {
	var d discount
	if aerr := c.loadRef(id, "discount", param, &d); aerr != nil {
		return nil, aerr
	}
	return &d, nil
}

// discountsParam reads discounts[i][coupon|discount] (or the legacy coupon=
// parameter when legacy is true) and redeems them for scope. It returns the
// discounts in order and whether the parameter was sent ("discounts=" sent
// empty clears them).
func (c *call) discountsParam(scope discountScope, currency string, legacy bool) ([]*discount, bool, *apiError) {
	var out []*discount
	sent := false
	if legacy {
		if id, ok, aerr := c.p.str("coupon"); aerr != nil {
			return nil, false, aerr
		} else if ok {
			sent = true
			if id != "" {
				d, aerr := c.redeem(id, "coupon", scope)
				if aerr != nil {
					return nil, false, aerr
				}
				out = append(out, d)
			}
		}
	}
	items, ok, aerr := hashList(c.p, "discounts")
	if aerr != nil {
		return nil, false, aerr
	}
	if ok {
		if sent {
			return nil, false, invalidParam("coupon", "You may only specify one of these parameters: coupon, discounts.")
		}
		sent = true
	}
	for i, h := range items {
		prefix := "discounts[" + strconv.Itoa(i) + "]"
		if aerr := h.allow(prefix, "coupon", "discount", "promotion_code"); aerr != nil {
			return nil, false, aerr
		}
		if h.has("promotion_code") {
			return nil, false, invalidParam(prefix+"[promotion_code]", "The sandbox does not support promotion codes.")
		}
		couponID, hasCoupon, _ := h.str("coupon")
		discID, hasDisc, _ := h.str("discount")
		switch {
		case hasCoupon == hasDisc:
			return nil, false, invalidParam(prefix, "Each discount must name exactly one of coupon or discount.")
		case hasCoupon:
			d, aerr := c.redeem(couponID, prefix+"[coupon]", scope)
			if aerr != nil {
				return nil, false, aerr
			}
			out = append(out, d)
		default:
			d, aerr := c.loadDiscount(discID, prefix+"[discount]")
			if aerr != nil {
				return nil, false, aerr
			}
			out = append(out, d)
		}
	}
	seen := map[string]bool{}
	for _, d := range out {
		if seen[d.Coupon.ID] {
			return nil, false, invalidParam("discounts", "The coupon %s was applied more than once.", d.Coupon.ID)
		}
		seen[d.Coupon.ID] = true
		if currency != "" && d.Coupon.Currency != nil && *d.Coupon.Currency != currency {
			return nil, false, invalidParam("discounts", "Coupon %s is in %s and cannot be applied to an amount in %s.",
				d.Coupon.ID, *d.Coupon.Currency, currency)
		}
	}
	return out, sent, nil
}

// hashList reads an array of hashes sent as name[0][k]=v, name[1][k]=v. A
// single empty "name=" is reported as sent with no items.
func hashList(p params, name string) ([]params, bool, *apiError) {
	v, ok := p[name]
	if !ok {
		return nil, false, nil
	}
	switch h := v.(type) {
	case string:
		if h == "" {
			return []params{}, true, nil
		}
	case params:
		keys := make([]int, 0, len(h))
		byIdx := map[int]params{}
		for k, e := range h {
			i, err := strconv.Atoi(k)
			sub, isHash := e.(params)
			if err != nil || i < 0 || !isHash {
				return nil, true, invalidParam(name, "Invalid array: %s must be a list of hashes (%s[0][…])", name, name)
			}
			keys = append(keys, i)
			byIdx[i] = sub
		}
		sort.Ints(keys)
		out := make([]params, len(keys))
		for i, k := range keys {
			out[i] = byIdx[k]
		}
		return out, true, nil
	}
	return nil, true, invalidParam(name, "Invalid array: %s must be a list of hashes", name)
}

// discountIDs returns the IDs of ds, [] when none.
func discountIDs(ds []*discount) []string {
	out := make([]string, 0, len(ds))
	for _, d := range ds {
		out = append(out, d.ID)
	}
	return out
}

// addMonths adds n calendar months to a Unix time in UTC, clamping the day
// to the end of a shorter month (Jan 31 + 1 month = Feb 28/29), as Stripe
// does for billing periods.
func addMonths(t, n int64) int64 {
	tm := time.Unix(t, 0).UTC()
	y, m, d := tm.Date()
	first := time.Date(y, m+time.Month(n), 1, tm.Hour(), tm.Minute(), tm.Second(), 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	if d > last {
		d = last
	}
	return time.Date(first.Year(), first.Month(), d, tm.Hour(), tm.Minute(), tm.Second(), 0, time.UTC).Unix()
}
