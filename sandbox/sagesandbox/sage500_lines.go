package sagesandbox

import (
	"fmt"

	"github.com/shopspring/decimal"
)

const (
	maxLines          = 500
	qtyDecimals       = 8 // Sage 500 quantities are decimal(16,8)
	unitPriceDecimals = 5 // unit prices may carry sub-cent precision; extensions may not
)

// s5DocHeader is what every sales document validates the same way.
type s5DocHeader struct {
	customerField, dateField string
	customerID, date, curr   string
	externalRef, memo        string
}

// checkHeader validates the customer (exists, active), date, currency (the customer's) and
// free-text widths; it returns the effective currency and the customer.
func checkHeader(t *txn, h s5DocHeader) (string, *s5Customer, error) {
	if h.customerID == "" {
		return "", nil, badField(h.customerField, "%s is required", h.customerField)
	}
	if err := checkDate(h.dateField, h.date); err != nil {
		return "", nil, err
	}
	if err := checkLen("ExternalRef", h.externalRef, 100); err != nil {
		return "", nil, err
	}
	if err := checkLen("Memo", h.memo, 255); err != nil {
		return "", nil, err
	}
	if _, err := checkCurr("CurrID", h.curr, "USD"); err != nil {
		return "", nil, err
	}
	cust, err := activeCustomer(t, h.customerID)
	if err != nil {
		return "", nil, err
	}
	curr := h.curr
	if curr == "" {
		curr = cust.CurrID
	}
	if curr != cust.CurrID {
		return "", nil, badField("CurrID", "CurrID %q does not match the currency %q of customer %q", curr, cust.CurrID, cust.CustomerID)
	}
	return curr, cust, nil
}

// activeCustomer loads a customer that documents may be posted to.
func activeCustomer(t *txn, id string) (*s5Customer, error) {
	if id == "" {
		return nil, badField("CustomerID", "CustomerID is required")
	}
	var c s5Customer
	found, err := t.get(s5KindCustomer, id, &c)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, badField("CustomerID", "CustomerID %q does not exist", id)
	}
	if c.Status != s5Active {
		return nil, badField("CustomerID", "customer %q is %s; documents cannot be posted to it", id, c.Status)
	}
	return &c, nil
}

// checkLines validates sales lines and returns them normalized, with the document total they
// make: Σ (ExtAmt − TradeDiscAmt + STaxAmt).
func checkLines(t *txn, lines []s5Line, curr string) ([]s5Line, decimal.Decimal, error) {
	total := decimal.Zero.Round(decimalsOf(curr))
	if len(lines) == 0 {
		return nil, total, badField("Lines", "at least one line is required")
	}
	if len(lines) > maxLines {
		return nil, total, badField("Lines", "%d lines exceed the maximum of %d", len(lines), maxLines)
	}
	places := decimalsOf(curr)
	seen := map[int]bool{}
	out := make([]s5Line, len(lines))
	for i, l := range lines {
		f := func(name string) string { return fmt.Sprintf("Lines[%d].%s", i, name) }
		if l.LineNo == 0 {
			l.LineNo = i + 1
		}
		if l.LineNo < 0 || seen[l.LineNo] {
			return nil, total, badField(f("LineNo"), "%s %d must be positive and unique", f("LineNo"), l.LineNo)
		}
		seen[l.LineNo] = true
		item, err := activeItem(t, f("ItemID"), l.ItemID)
		if err != nil {
			return nil, total, err
		}
		if l.Description == "" {
			l.Description = item.Description
		}
		if err := checkLen(f("Description"), l.Description, 255); err != nil {
			return nil, total, err
		}
		if !l.Qty.set {
			return nil, total, badField(f("Qty"), "%s is required", f("Qty"))
		}
		if !l.Qty.d.IsPositive() {
			return nil, total, badField(f("Qty"), "%s %s must be greater than 0", f("Qty"), l.Qty.d)
		}
		if !l.Qty.d.Equal(l.Qty.d.Round(qtyDecimals)) {
			return nil, total, badField(f("Qty"), "%s %s has more than %d decimal places", f("Qty"), l.Qty.d, qtyDecimals)
		}
		if !l.UnitPrice.set {
			return nil, total, badField(f("UnitPrice"), "%s is required", f("UnitPrice"))
		}
		if l.UnitPrice.d.IsNegative() && s5LineKinds[fromS5LineKind(l.LineType)] == "" {
			return nil, total, badField(f("UnitPrice"), "%s %s must not be negative", f("UnitPrice"), l.UnitPrice.d)
		}
		if !l.UnitPrice.d.Equal(l.UnitPrice.d.Round(unitPriceDecimals)) {
			return nil, total, badField(f("UnitPrice"), "%s %s has more than %d decimal places", f("UnitPrice"), l.UnitPrice.d, unitPriceDecimals)
		}
		ext := l.Qty.d.Mul(l.UnitPrice.d).Round(places)
		if l.ExtAmt.set {
			got, err := checkAmount(f("ExtAmt"), l.ExtAmt, curr)
			if err != nil {
				return nil, total, err
			}
			if !got.Equal(ext) {
				return nil, total, badField(f("ExtAmt"), "%s %s does not equal Qty × UnitPrice = %s × %s = %s (rounded to %d decimals for %s)",
					f("ExtAmt"), got.StringFixed(places), l.Qty.d, l.UnitPrice.d, ext.StringFixed(places), places, curr)
			}
		}
		disc, tax, err := checkLineMoney(lineFields{Kind: f("LineType"), Price: f("UnitPrice"), Discount: f("TradeDiscAmt"), Tax: f("STaxAmt")},
			lineMoney{kind: fromS5LineKind(l.LineType), amount: ext, discount: l.TradeDiscAmt, tax: l.STaxAmt}, curr)
		if err != nil {
			return nil, total, err
		}
		if err := checkLen(f("STaxClassID"), l.STaxClassID, 15); err != nil {
			return nil, total, err
		}
		l.ExtAmt, l.TradeDiscAmt, l.STaxAmt = val(ext), val(disc), val(tax)
		total = total.Add(ext).Sub(disc).Add(tax)
		out[i] = l
	}
	return out, total, nil
}

// checkTotal compares a client-sent document total with the sum of the lines.
func checkTotal(field string, sent num, sum decimal.Decimal, curr string) error {
	if !sent.set {
		return nil
	}
	got, err := checkAmount(field, sent, curr)
	if err != nil {
		return err
	}
	if !got.Equal(sum) {
		places := decimalsOf(curr)
		return badField(field, "%s %s does not equal the sum of the lines (extensions less discounts plus tax) %s", field, got.StringFixed(places), sum.StringFixed(places))
	}
	return nil
}

func activeItem(t *txn, field, id string) (*s5Item, error) {
	if id == "" {
		return nil, badField(field, "%s is required", field)
	}
	var it s5Item
	found, err := t.get(s5KindItem, id, &it)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, badField(field, "ItemID %q does not exist", id)
	}
	if it.Status != s5Active {
		return nil, badField(field, "ItemID %q is %s and cannot be sold", id, it.Status)
	}
	return &it, nil
}
