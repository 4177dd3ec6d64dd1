package stripesandbox

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// percentScale is the fixed-point scale of percent: four decimal places,
// the precision stripe-go sends (it formats floats with %.4f) and Stripe's
// own limit for tax rates.
const percentScale = 10_000

// percent is an exact, non-negative percentage in ten-thousandths of a
// percent (8.25% = 82500). It is written to JSON as a plain number (8.25),
// which stripe-go reads into its float64 fields, and never used as a float.
type percent int64

// parsePercent reads "8.25", "8.2500" or "10" (at most four decimals, no
// sign or exponent).
func parsePercent(s string) (percent, bool) {
	whole, frac, _ := strings.Cut(strings.TrimSpace(s), ".")
	frac = strings.TrimRight(frac, "0")
	if whole == "" || len(frac) > 4 || strings.Trim(whole, "0123456789") != "" || strings.Trim(frac, "0123456789") != "" {
		return 0, false
	}
	w, err := strconv.ParseInt(whole, 10, 32)
	if err != nil {
		return 0, false
	}
	f := int64(0)
	if frac != "" {
		f, _ = strconv.ParseInt(frac+strings.Repeat("0", 4-len(frac)), 10, 64)
	}
	return percent(w*percentScale + f), true
}

// String is the shortest decimal form: 8.25, 10, 0.0001.
func (p percent) String() string {
	w, f := int64(p)/percentScale, int64(p)%percentScale
	if f == 0 {
		return strconv.FormatInt(w, 10)
	}
	return strings.TrimRight(fmt.Sprintf("%d.%04d", w, f), "0")
}

// MarshalJSON writes the percentage as a JSON number.
func (p percent) MarshalJSON() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalJSON reads a JSON number written by MarshalJSON.
func (p *percent) UnmarshalJSON(b []byte) error {
	v, ok := parsePercent(string(b))
	if !ok {
		return fmt.Errorf("stripesandbox: bad percentage %s", b)
	}
	*p = v
	return nil
}

// of returns p% of amount in minor units, rounded half away from zero
// (half-up for positive amounts): round(amount × p / 100).
func (p percent) of(amount int64) int64 {
	num := new(big.Int).Mul(big.NewInt(amount), big.NewInt(int64(p)))
	return divRound(num, big.NewInt(100*percentScale)).Int64()
}

// mulDivRound returns round(a × b / d) (d > 0), half away from zero, without
// overflow.
func mulDivRound(a, b, d int64) int64 {
	num := new(big.Int).Mul(big.NewInt(a), big.NewInt(b))
	return divRound(num, big.NewInt(d)).Int64()
}
