package httpx

import (
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
)

// Amount is a decimal sent and received as a bare JSON number with exact digits. It is
// independent of decimal.MarshalJSONWithoutQuotes, a process-wide switch we must not flip.
type Amount struct {
	D   decimal.Decimal
	Set bool
}

// Amt wraps d as a set amount.
func Amt(d decimal.Decimal) Amount { return Amount{D: d, Set: true} }

// OptAmt sends d only when non-zero: a zero total means "let the ERP compute it".
func OptAmt(d decimal.Decimal) Amount {
	if d.IsZero() {
		return Amount{}
	}
	return Amt(d)
}

// MarshalJSON writes the exact digits, keeping the scale.
func (a Amount) MarshalJSON() ([]byte, error) {
	if !a.Set {
		return []byte("null"), nil
	}
	if exp := a.D.Exponent(); exp < 0 {
		return []byte(a.D.StringFixed(-exp)), nil
	}
	return []byte(a.D.String()), nil
}

// UnmarshalJSON accepts a JSON number (or, leniently, a quoted one) and null.
func (a *Amount) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "null" || s == "" {
		*a = Amount{}
		return nil
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return fmt.Errorf("bad amount %s: %w", b, err)
	}
	*a = Amount{D: d, Set: true}
	return nil
}

// IsZero lets omitzero drop unset amounts.
func (a Amount) IsZero() bool { return !a.Set }
