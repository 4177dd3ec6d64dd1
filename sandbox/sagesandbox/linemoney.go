package sagesandbox

import (
	"github.com/shopspring/decimal"
)

// Line kinds every dialect accepts, in the neutral spelling (dialects render their own). An item
// line sells something at a price ≥ 0; a proration line is the credit or charge of a plan change
// and may be negative; a discount line is a negative line carrying a discount not attributed to
// any one line.
const (
	lineItem      = ""
	lineProration = "proration"
	lineDiscount  = "discount"
)

// lineFields names a line's money fields in a dialect's vocabulary, for messages.
type lineFields struct {
	Kind, Price, Discount, Tax string
}

// lineMoney is what a line carries besides quantity and price.
type lineMoney struct {
	kind          string
	amount        decimal.Decimal // the line's extension, before discount (already checked)
	discount, tax num
}

// checkLineMoney validates a line's kind and its discount and tax against its amount: both carry
// the amount's sign (a credit line's tax is a credit too), the discount never exceeds the amount,
// and only proration and discount lines may be negative. It returns the discount and tax at the
// currency's scale.
func checkLineMoney(f lineFields, l lineMoney, curr string) (disc, tax decimal.Decimal, err error) {
	places := decimalsOf(curr)
	disc, tax = decimal.Zero.Round(places), decimal.Zero.Round(places)
	switch l.kind {
	case lineItem, lineProration, lineDiscount:
	default:
		return disc, tax, badField(f.Kind, "%s %q is not a line type (empty for an item line, %q or %q)", f.Kind, l.kind, lineProration, lineDiscount)
	}
	if l.amount.IsNegative() && l.kind == lineItem {
		return disc, tax, badField(f.Price, "%s must not be negative on an item line (only %s lines %q and %q may credit)", f.Price, f.Kind, lineProration, lineDiscount)
	}
	if l.amount.IsPositive() && l.kind == lineDiscount {
		return disc, tax, badField(f.Price, "%s must be negative on a %q line", f.Price, lineDiscount)
	}
	if l.discount.set {
		if disc, err = checkAmount(f.Discount, l.discount, curr); err != nil {
			return disc, tax, err
		}
		if l.kind == lineDiscount && !disc.IsZero() {
			return disc, tax, badField(f.Discount, "%s must be empty on a %q line (its amount is the discount)", f.Discount, lineDiscount)
		}
		if !sameSign(disc, l.amount) || disc.Abs().GreaterThan(l.amount.Abs()) {
			return disc, tax, badField(f.Discount, "%s %s must lie between 0 and the line amount %s", f.Discount,
				disc.StringFixed(places), l.amount.StringFixed(places))
		}
	}
	if l.tax.set {
		if tax, err = checkAmount(f.Tax, l.tax, curr); err != nil {
			return disc, tax, err
		}
		if !sameSign(tax, l.amount) {
			return disc, tax, badField(f.Tax, "%s %s must have the sign of the line amount %s", f.Tax,
				tax.StringFixed(places), l.amount.StringFixed(places))
		}
	}
	return disc, tax, nil
}

// sameSign reports whether v is zero or has the sign of ref.
func sameSign(v, ref decimal.Decimal) bool {
	return v.IsZero() || v.Sign() == ref.Sign()
}
