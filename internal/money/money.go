// Package money converts provider amounts (integer minor units) to exact decimal amounts using
// each currency's ISO 4217 exponent, and formats provider timestamps as ERP dates.
package money

import (
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// zeroDecimal and threeDecimal list the currencies whose exponent is not 2 (Stripe's list,
// which follows ISO 4217 except where Stripe itself documents otherwise).
var (
	zeroDecimal = map[string]bool{
		"BIF": true, "CLP": true, "DJF": true, "GNF": true, "JPY": true, "KMF": true, "KRW": true,
		"MGA": true, "PYG": true, "RWF": true, "UGX": true, "VND": true, "VUV": true, "XAF": true,
		"XOF": true, "XPF": true,
	}
	threeDecimal = map[string]bool{"BHD": true, "JOD": true, "KWD": true, "OMR": true, "TND": true}
)

// Exponent returns the number of minor-unit digits for an ISO 4217 currency code
// (case-insensitive): 0 for JPY, 3 for KWD, 2 for everything else.
func Exponent(currency string) int32 {
	c := strings.ToUpper(currency)
	switch {
	case zeroDecimal[c]:
		return 0
	case threeDecimal[c]:
		return 3
	default:
		return 2
	}
}

// FromMinor converts an integer amount in minor units (Stripe's `amount`) to a decimal in major
// units: FromMinor(1999, "usd") = 19.99, FromMinor(500, "jpy") = 500, FromMinor(1230, "kwd") = 1.230.
func FromMinor(minor int64, currency string) decimal.Decimal {
	return decimal.New(minor, -Exponent(currency))
}

// ToMinor converts a decimal major-unit amount back to integer minor units. It fails rather than
// round when the amount has more digits than the currency allows, and rather than wrap around
// when the minor units do not fit in an int64.
func ToMinor(amount decimal.Decimal, currency string) (int64, error) {
	exp := Exponent(currency)
	shifted := amount.Shift(exp)
	if !shifted.Equal(shifted.Truncate(0)) {
		return 0, fmt.Errorf("amount %s has more than %d decimals for %s", amount, exp, strings.ToUpper(currency))
	}
	// IntPart silently keeps the low 64 bits of a larger integer.
	n := shifted.BigInt()
	if !n.IsInt64() {
		return 0, fmt.Errorf("amount %s %s is too large: its minor units do not fit in a 64-bit integer", amount, strings.ToUpper(currency))
	}
	return n.Int64(), nil
}

// Round rounds a major-unit amount to the currency's exponent (half away from zero, as ERPs do).
func Round(amount decimal.Decimal, currency string) decimal.Decimal {
	return amount.Round(Exponent(currency))
}

// Currency normalises a provider currency code ("usd") to the ERP's upper-case form ("USD").
func Currency(code string) string { return strings.ToUpper(strings.TrimSpace(code)) }

// DateFormat is the ERP date layout used when none is configured (ISO 8601 calendar date).
const DateFormat = "2006-01-02"

// FormatUnix formats a Unix timestamp (Stripe's `created`) in loc with the given layout. The
// ERP's day is the merchant's local day, not UTC's: a charge at 23:30 in New York is booked that day.
func FormatUnix(unix int64, loc *time.Location, layout string) string {
	if loc == nil {
		loc = time.UTC
	}
	if layout == "" {
		layout = DateFormat
	}
	return time.Unix(unix, 0).In(loc).Format(layout)
}
