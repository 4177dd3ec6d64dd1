package paytracesandbox

import (
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
)

// Pricing is the processing fee the processor keeps per settled sale (or captured
// authorization): Percent of its amount plus Fixed, rounded half up to the cent. Refunds
// carry no fee and give no fee back.
type Pricing struct {
	Percent decimal.Decimal // e.g. 2.9 for 2.9%
	Fixed   decimal.Decimal // dollars per sale, e.g. 0.30
}

var hundred = decimal.NewFromInt(100)

// ParsePricing reads "2.9%+0.30", "2.9%", "0.30" or "0" (spaces are ignored).
func ParsePricing(v string) (Pricing, error) {
	s := strings.ReplaceAll(strings.TrimSpace(v), " ", "")
	bad := fmt.Errorf(`paytracesandbox: pricing %q: want "<percent>%%+<fixed dollars>", e.g. "2.9%%+0.30", "3%%", "0.25" or "0"`, v)
	var p Pricing
	pct, fixed, hasPct := strings.Cut(s, "%")
	if !hasPct {
		pct, fixed = "0", s
	} else if fixed != "" {
		if !strings.HasPrefix(fixed, "+") {
			return Pricing{}, bad
		}
		fixed = fixed[1:]
	}
	if fixed == "" {
		fixed = "0"
	}
	var err error
	if p.Percent, err = decimal.NewFromString(pct); err != nil || p.Percent.IsNegative() || p.Percent.GreaterThan(hundred) {
		return Pricing{}, bad
	}
	if p.Fixed, err = decimal.NewFromString(fixed); err != nil || p.Fixed.IsNegative() || p.Fixed.GreaterThan(hundred) || -p.Fixed.Exponent() > 2 {
		return Pricing{}, bad
	}
	return p, nil
}

// Fee is the fee on one sale of amount.
func (p Pricing) Fee(amount decimal.Decimal) decimal.Decimal {
	return amount.Mul(p.Percent).Div(hundred).Add(p.Fixed).Round(2)
}

// String renders the pricing as ParsePricing reads it.
func (p Pricing) String() string {
	return p.Percent.String() + "%+" + p.Fixed.StringFixed(2)
}
