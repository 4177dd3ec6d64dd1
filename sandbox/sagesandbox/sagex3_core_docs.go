package sagesandbox

import (
	"encoding/json"

	"github.com/shopspring/decimal"
)

// ldSpec names the fields of one document type in messages.
type ldSpec struct {
	entity        string
	label         string // "Sales Order (SOH)"
	customerField string
	totalField    string
	taxField      string // empty: the document has no tax field
	sourceField   string
}

// header validates customer, currency and free-text widths; it returns the effective currency.
func (d *ldDialect) header(t *txn, s ldSpec, x *ldDoc) error {
	if x.Customer == "" {
		return badField(s.customerField, "%s is required", s.customerField)
	}
	if err := firstErr(checkLen(d.v.ExtRef, x.ExtRef, 100), checkLen(d.v.Memo, x.Memo, 255)); err != nil {
		return err
	}
	if _, err := checkCurr(d.v.Curr, x.Curr, "USD"); err != nil {
		return err
	}
	c, err := d.activeCustomer(t, s.customerField, x.Customer)
	if err != nil {
		return err
	}
	if x.Curr == "" {
		x.Curr = c.Curr
	}
	if x.Curr != c.Curr {
		return badField(d.v.Curr, "%s %q does not match the currency %q of %s %q", d.v.Curr, x.Curr, c.Curr, d.v.Customer, c.ID)
	}
	return nil
}

func (d *ldDialect) activeCustomer(t *txn, field, id string) (*ldCust, error) {
	c, err := d.customer(t, id)
	if err != nil {
		return nil, err
	}
	if c == nil {
		return nil, badField(field, "%s %q does not exist", d.v.Customer, id)
	}
	if !c.Active {
		return nil, badField(field, "%s %q is inactive; documents cannot be posted to it", d.v.Customer, id)
	}
	return c, nil
}

// lines validates and extends the lines, returning their sum.
func (d *ldDialect) lines(t *txn, s ldSpec, lines []ldLine, curr string) ([]ldLine, decimal.Decimal, error) {
	places := decimalsOf(curr)
	total := decimal.Zero.Round(places)
	if len(lines) == 0 {
		return nil, total, badField(d.v.Lines, "%s: at least one line is required", s.label)
	}
	if len(lines) > maxLines {
		return nil, total, badField(d.v.Lines, "%d lines exceed the maximum of %d", len(lines), maxLines)
	}
	out := make([]ldLine, len(lines))
	for i, l := range lines {
		f := func(name string) string { return d.line(i, name) }
		l.LineNo = i + 1
		item, err := d.activeItem(t, s, f(d.v.ItemField), l.Item)
		if err != nil {
			return nil, total, err
		}
		if l.Desc == "" {
			l.Desc = item.Desc
		}
		if err := checkLen(f(d.v.Desc), l.Desc, 255); err != nil {
			return nil, total, err
		}
		switch {
		case !l.Qty.set:
			return nil, total, badField(f(d.v.Qty), "%s is required", f(d.v.Qty))
		case !l.Qty.d.IsPositive():
			return nil, total, badField(f(d.v.Qty), "%s %s must be greater than 0", f(d.v.Qty), l.Qty.d)
		case !l.Qty.d.Equal(l.Qty.d.Round(qtyDecimals)):
			return nil, total, badField(f(d.v.Qty), "%s %s has more than %d decimal places", f(d.v.Qty), l.Qty.d, qtyDecimals)
		}
		// Proration and discount lines may credit: their prices may be negative.
		credit := l.Kind == lineProration || l.Kind == lineDiscount
		if err := checkPrice(f(d.v.Price), l.Price, true, credit); err != nil {
			return nil, total, err
		}
		if !l.NetPrice.set {
			l.NetPrice = l.Price
		} else if err := checkPrice(f(d.v.NetPrice), l.NetPrice, true, credit); err != nil {
			return nil, total, err
		} else if l.NetPrice.d.Abs().GreaterThan(l.Price.d.Abs()) || !sameSign(l.NetPrice.d, l.Price.d) {
			return nil, total, badField(f(d.v.NetPrice), "%s %s exceeds %s %s (discounts only)", f(d.v.NetPrice), l.NetPrice.d, f(d.v.Price), l.Price.d)
		}
		ext := l.Qty.d.Mul(l.NetPrice.d).Round(places)
		if l.Amount.set {
			got, err := checkAmount(f(d.v.LineAmt), l.Amount, curr)
			if err != nil {
				return nil, total, err
			}
			if !got.Equal(ext) {
				return nil, total, badField(f(d.v.LineAmt), "%s %s does not equal %s × %s = %s × %s = %s (rounded to %d decimals for %s)",
					f(d.v.LineAmt), got.StringFixed(places), d.v.Qty, d.v.NetPrice, l.Qty.d, l.NetPrice.d, ext.StringFixed(places), places, curr)
			}
		}
		disc, tax, err := checkLineMoney(lineFields{Kind: f(d.v.LineKind), Price: f(d.v.Price), Discount: f(d.v.LineDisc), Tax: f(d.v.LineTax)},
			lineMoney{kind: l.Kind, amount: ext, discount: l.Discount, tax: l.Tax}, curr)
		if err != nil {
			return nil, total, err
		}
		if err := checkLen(f(d.v.TaxCode), l.TaxCode, 20); err != nil {
			return nil, total, err
		}
		l.Amount, l.Discount = val(ext), val(disc)
		if l.Tax.set {
			l.Tax = val(tax)
		}
		total = total.Add(ext)
		out[i] = l
	}
	return out, total, nil
}

func checkPrice(field string, n num, required, mayBeNegative bool) error {
	switch {
	case !n.set && required:
		return badField(field, "%s is required", field)
	case n.d.IsNegative() && !mayBeNegative:
		return badField(field, "%s %s must not be negative", field, n.d)
	case !n.d.Equal(n.d.Round(unitPriceDecimals)):
		return badField(field, "%s %s has more than %d decimal places", field, n.d, unitPriceDecimals)
	}
	return nil
}

// activeItem loads a sellable item; the message follows the dialect's failure wording, e.g.
// "Sales Order (SOH) creation failure due to invalid Product (ITM): ITMREF "NOPE" does not exist".
func (d *ldDialect) activeItem(t *txn, s ldSpec, field, code string) (*ldItem, error) {
	if code == "" {
		return nil, badField(field, "%s is required", field)
	}
	var it ldItem
	found, err := t.get(d.kind(ldItemK), code, &it)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, badField(field, "%s creation failure due to invalid %s: %s %q does not exist", s.label, d.v.Item, d.v.ItemField, code)
	}
	if !it.Active {
		return nil, badField(field, "%s creation failure due to invalid %s: %s %q is inactive and cannot be sold", s.label, d.v.Item, d.v.ItemField, code)
	}
	return &it, nil
}

// totals checks the optional tax and total the client sent and fills them in.
func (d *ldDialect) totals(s ldSpec, x *ldDoc, sum decimal.Decimal) error {
	places := decimalsOf(x.Curr)
	tax := decimal.Zero.Round(places)
	discount, lineTax, taxed := decimal.Zero.Round(places), decimal.Zero.Round(places), false
	for _, l := range x.Lines {
		discount = discount.Add(l.Discount.d)
		lineTax, taxed = lineTax.Add(l.Tax.d), taxed || l.Tax.set
	}
	if taxed {
		// Lines that carry their tax make the header tax their sum.
		if x.Tax.set && !x.Tax.d.Equal(lineTax) {
			return badField(s.taxField, "%s %s does not equal the sum of the lines' tax %s", s.taxField,
				x.Tax.d.StringFixed(places), lineTax.StringFixed(places))
		}
		x.Tax = val(lineTax)
	}
	if x.Tax.set {
		var err error
		if tax, err = checkAmount(s.taxField, x.Tax, x.Curr); err != nil {
			return err
		}
		if tax.IsNegative() && !taxed {
			return badField(s.taxField, "%s %s must not be negative", s.taxField, tax.StringFixed(places))
		}
	}
	total := sum.Sub(discount).Add(tax)
	if x.Total.set {
		got, err := checkAmount(s.totalField, x.Total, x.Curr)
		if err != nil {
			return err
		}
		if !got.Equal(total) {
			return badField(s.totalField, "%s %s does not equal the sum of the lines %s less discounts %s plus tax %s",
				s.totalField, got.StringFixed(places), sum.StringFixed(places), discount.StringFixed(places), tax.StringFixed(places))
		}
	}
	if total.IsNegative() {
		return badField(s.totalField, "%s: the document total %s is negative; post a credit memo instead", s.label, total.StringFixed(places))
	}
	x.LinesAmt, x.Discount, x.Tax, x.Total = val(sum), val(discount), val(tax), val(total)
	return nil
}

// createDoc validates and stores a sales order, invoice or credit memo. x.Date must already be
// a valid YYYY-MM-DD date (dialects parse their own format).
func (d *ldDialect) createDoc(t *txn, s ldSpec, x *ldDoc) error {
	if err := d.header(t, s, x); err != nil {
		return err
	}
	if s.entity == ldInvoice && x.SourceRef != "" {
		if err := d.checkInvoiceOrder(t, s, x); err != nil {
			return err
		}
	}
	lines, sum, err := d.lines(t, s, x.Lines, x.Curr)
	if err != nil {
		return err
	}
	x.Lines = lines
	if err := d.totals(s, x, sum); err != nil {
		return err
	}
	x.Balance, x.Applied, x.Status = zero(x.Curr), zero(x.Curr), s5Open
	switch s.entity {
	case ldInvoice:
		x.Balance, x.Status = x.Total, statusFor(x.Total.d)
	case ldCredit:
		applied := decimal.Zero.Round(decimalsOf(x.Curr))
		if x.SourceRef != "" {
			if applied, err = d.applyCredit(t, s, x); err != nil {
				return err
			}
		}
		x.Applied, x.Balance = val(applied), val(x.Total.d.Sub(applied))
	case ldOrder:
		if d.stock && d.allocateOnCreate {
			if err := d.allocate(t, x, false); err != nil {
				return err
			}
			x.Allocated = true
		}
	}
	if x.No, err = d.next(t, s.entity); err != nil {
		return err
	}
	x.Entity, x.Created, x.Updated = s.entity, stamp(t.now), stamp(t.now)
	return t.insert(d.kind(s.entity), x.No, x)
}

func (d *ldDialect) checkInvoiceOrder(t *txn, s ldSpec, x *ldDoc) error {
	var o ldDoc
	found, err := t.get(d.kind(ldOrder), x.SourceRef, &o)
	if err != nil {
		return err
	}
	switch {
	case !found:
		return badField(s.sourceField, "%s %q does not exist", s.sourceField, x.SourceRef)
	case o.Status == s5Canceled:
		return conflict(s.sourceField, "sales order %q is cancelled and cannot be invoiced", x.SourceRef)
	case o.Customer != x.Customer:
		return badField(s.sourceField, "sales order %q belongs to %s %q, not %q", x.SourceRef, d.v.Customer, o.Customer, x.Customer)
	case o.Curr != x.Curr:
		return badField(s.sourceField, "sales order %q is in %s, not %s", x.SourceRef, o.Curr, x.Curr)
	}
	return nil
}

// allocate adds (or, with release, removes) the order's stocked quantities to the allocated
// stock of its facility.
func (d *ldDialect) allocate(t *txn, o *ldDoc, release bool) error {
	for _, l := range o.Lines {
		var it ldItem
		if _, err := t.get(d.kind(ldItemK), l.Item, &it); err != nil {
			return err
		}
		if !it.Stocked {
			continue
		}
		key := stockKey(o.Facility, l.Item)
		var st ldStock
		found, err := t.get(d.kind(ldStockK), key, &st)
		if err != nil {
			return err
		}
		if !found {
			// A stocked item without stock in this facility starts at zero on hand (shortage).
			st = ldStock{Item: l.Item, Facility: o.Facility, OnHand: val(decimal.Zero), Allocated: val(decimal.Zero)}
			if err := t.insert(d.kind(ldStockK), key, &st); err != nil {
				return err
			}
		}
		if release {
			st.Allocated = val(decimal.Max(decimal.Zero, st.Allocated.d.Sub(l.Qty.d)))
		} else {
			st.Allocated = val(st.Allocated.d.Add(l.Qty.d))
		}
		if err := t.update(d.kind(ldStockK), key, &st); err != nil {
			return err
		}
	}
	return nil
}

// applyCredit checks a credit memo against the invoice's creditable amount and reduces the
// invoice's open balance, returning the amount applied.
func (d *ldDialect) applyCredit(t *txn, s ldSpec, x *ldDoc) (decimal.Decimal, error) {
	inv, err := d.openInvoice(t, s.sourceField, x.SourceRef, x.Customer, x.Curr)
	if err != nil {
		return decimal.Zero, err
	}
	prior, err := listAs[ldDoc](t, d.kind(ldCredit), filter{ParentRef: x.SourceRef})
	if err != nil {
		return decimal.Zero, err
	}
	credited := decimal.Zero
	for _, p := range prior {
		if p.Status != s5Void {
			credited = credited.Add(p.Total.d)
		}
	}
	places := decimalsOf(x.Curr)
	left := inv.Total.d.Sub(credited)
	if x.Total.d.GreaterThan(left) {
		return decimal.Zero, badField(s.totalField, "credit memo total %s exceeds the amount still creditable on invoice %q: %s total − %s prior credit memos = %s",
			x.Total.d.StringFixed(places), inv.No, inv.Total.d.StringFixed(places), credited.StringFixed(places), left.StringFixed(places))
	}
	applied := decimal.Min(x.Total.d, inv.Balance.d).Round(places)
	if applied.IsPositive() {
		inv.Balance = val(inv.Balance.d.Sub(applied).Round(places))
		inv.Status, inv.Updated = statusFor(inv.Balance.d), stamp(t.now)
		if err := t.update(d.kind(ldInvoice), inv.No, inv); err != nil {
			return decimal.Zero, err
		}
	}
	return applied, nil
}

// openInvoice loads the invoice a payment or credit memo refers to: it must exist, not be
// void and belong to the same customer and currency.
func (d *ldDialect) openInvoice(t *txn, field, no, customer, curr string) (*ldDoc, error) {
	if no == "" {
		return nil, badField(field, "%s is required: the document is applied to an invoice", field)
	}
	var inv ldDoc
	found, err := t.get(d.kind(ldInvoice), no, &inv)
	if err != nil {
		return nil, err
	}
	switch {
	case !found:
		return nil, badField(field, "invoice %q does not exist", no)
	case inv.Status == s5Void:
		return nil, conflict(field, "invoice %q is Void", no)
	case inv.Customer != customer:
		return nil, badField(field, "invoice %q belongs to %s %q, not %q", no, d.v.Customer, inv.Customer, customer)
	case inv.Curr != curr:
		return nil, badField(d.v.Curr, "%s %q does not match the currency %q of invoice %q", d.v.Curr, curr, inv.Curr, no)
	}
	return &inv, nil
}

// voidDoc cancels a sales order or voids an invoice or credit memo, enforcing the dependency
// rules (an invoiced order, an invoice with live receipts or memos cannot be voided).
func (d *ldDialect) voidDoc(t *txn, s ldSpec, no string) (*ldDoc, error) {
	var x ldDoc
	found, err := t.get(d.kind(s.entity), no, &x)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, notFound("%s %q does not exist", s.label, no)
	}
	if x.Status == s5Void || x.Status == s5Canceled {
		return nil, conflict("status", "%s %q is already %s", s.label, no, x.Status)
	}
	for _, b := range ldBlockers[s.entity] {
		live, err := d.liveChild(t, b.entity, no)
		if err != nil {
			return nil, err
		}
		if live != "" {
			return nil, conflict("status", "%s %q %s %s; %s", s.label, no, b.what, live, b.hint)
		}
	}
	switch s.entity {
	case ldOrder:
		x.Status = s5Canceled
		if d.stock && x.Allocated {
			if err := d.allocate(t, &x, true); err != nil {
				return nil, err
			}
			x.Allocated = false
		}
	case ldInvoice:
		x.Status, x.Balance = s5Void, zero(x.Curr)
	case ldCredit:
		if x.SourceRef != "" && x.Applied.d.IsPositive() {
			if err := d.restore(t, x.SourceRef, x.Applied.d); err != nil {
				return nil, err
			}
		}
		x.Status, x.Balance = s5Void, zero(x.Curr)
	}
	x.Updated = stamp(t.now)
	return &x, t.update(d.kind(s.entity), no, &x)
}

// ldBlocker is a kind of document that keeps its parent from being voided while it is live.
type ldBlocker struct{ entity, what, hint string }

var ldBlockers = map[string][]ldBlocker{
	ldOrder: {{ldInvoice, "is invoiced by", "void the invoice first"}},
	ldInvoice: {{ldPayment, "has applied payment", "void the payment first"},
		{ldCredit, "has credit memo", "void the credit memo first"}},
}

// liveChild returns the number of a non-void document of entity referring to parent, or "".
func (d *ldDialect) liveChild(t *txn, entity, parent string) (string, error) {
	raws, err := t.list(d.kind(entity), filter{ParentRef: parent})
	if err != nil {
		return "", err
	}
	for _, r := range raws {
		var head struct{ No, Status string }
		if err := json.Unmarshal(r, &head); err != nil {
			return "", err
		}
		if head.Status != s5Void {
			return head.No, nil
		}
	}
	return "", nil
}

// restore adds amt back to an invoice's open balance.
func (d *ldDialect) restore(t *txn, invNo string, amt decimal.Decimal) error {
	var inv ldDoc
	found, err := t.get(d.kind(ldInvoice), invNo, &inv)
	if err != nil {
		return err
	}
	if !found {
		return conflict("invoice", "invoice %q referenced by the document no longer exists", invNo)
	}
	inv.Balance = val(inv.Balance.d.Add(amt).Round(decimalsOf(inv.Curr)))
	inv.Status, inv.Updated = statusFor(inv.Balance.d), stamp(t.now)
	return t.update(d.kind(ldInvoice), invNo, &inv)
}

// allocateOrder allocates the stock of an open sales order once: a second call changes nothing
// (so a retried integration cannot allocate twice) and returns the order.
func (d *ldDialect) allocateOrder(t *txn, s ldSpec, no string) (*ldDoc, error) {
	var x ldDoc
	found, err := t.get(d.kind(ldOrder), no, &x)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, notFound("%s %q does not exist", s.label, no)
	}
	if x.Status == s5Canceled {
		return nil, conflict("status", "%s %q is cancelled; its stock cannot be allocated", s.label, no)
	}
	if x.Allocated {
		return &x, nil
	}
	if err := d.allocate(t, &x, false); err != nil {
		return nil, err
	}
	x.Allocated, x.Updated = true, stamp(t.now)
	return &x, t.update(d.kind(ldOrder), no, &x)
}
