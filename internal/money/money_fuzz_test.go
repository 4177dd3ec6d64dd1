package money

import (
	"strconv"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

// fuzzCurrencies has every exponent Stripe uses (0, 2, 3), the special cases ISK and HUF, mixed
// case, and codes no table knows.
var fuzzCurrencies = []string{"usd", "jpy", "kwd", "bhd", "eur", "isk", "huf", "clp", "JPY", "Kwd", "xxx", "", "ü"}

// majorText writes minor units as a major-unit decimal string with exp digits after the point,
// by string surgery alone: the reference the decimal arithmetic is checked against.
func majorText(minor int64, exp int32) string {
	digits := strconv.FormatInt(minor, 10)
	sign := ""
	if d, ok := strings.CutPrefix(digits, "-"); ok {
		sign, digits = "-", d
	}
	if exp == 0 {
		return sign + digits
	}
	if pad := int(exp) + 1 - len(digits); pad > 0 {
		digits = strings.Repeat("0", pad) + digits
	}
	cut := len(digits) - int(exp)
	return sign + digits[:cut] + "." + digits[cut:]
}

// FuzzMinorRoundTrip: for any amount and currency, FromMinor gives exactly the amount the
// currency's exponent says, and ToMinor gives the minor units back without error.
func FuzzMinorRoundTrip(f *testing.F) {
	for _, minor := range []int64{0, 1, -1, 99, 1999, -250, 500, 1230, 123456789, 1<<53 + 1,
		9223372036854775807, -9223372036854775808} {
		for _, c := range []string{"usd", "jpy", "kwd"} {
			f.Add(minor, c)
		}
	}
	f.Add(int64(42), "not a currency")
	f.Fuzz(func(t *testing.T, minor int64, currency string) {
		for _, cur := range append([]string{currency}, fuzzCurrencies...) {
			exp := Exponent(cur)
			if exp != 0 && exp != 2 && exp != 3 {
				t.Fatalf("Exponent(%q) = %d", cur, exp)
			}
			major := FromMinor(minor, cur)
			want := decimal.RequireFromString(majorText(minor, exp))
			if !major.Equal(want) {
				t.Fatalf("FromMinor(%d, %q) = %s, want %s", minor, cur, major, want)
			}
			back, err := ToMinor(major, cur)
			if err != nil || back != minor {
				t.Fatalf("ToMinor(FromMinor(%d, %q) = %s) = %d, %v", minor, cur, major, back, err)
			}
		}
	})
}

// FuzzToMinor: for any decimal text and currency, ToMinor either refuses or gives minor units
// that FromMinor turns back into exactly the same amount (no rounding, no overflow).
func FuzzToMinor(f *testing.F) {
	for _, s := range []string{"0", "19.99", "-2.5", "500", "1.230", "0.001", "1.5", "1.005",
		"92233720368547758.07", "92233720368547758.08", "-92233720368547758.08", "-92233720368547758.09",
		"1e30", "-1e-30", "12345678901234567890123456789"} {
		for _, c := range []string{"usd", "jpy", "kwd"} {
			f.Add(s, c)
		}
	}
	f.Fuzz(func(t *testing.T, s, currency string) {
		if len(s) > 64 {
			return // decimal parses huge exponents slowly; amounts are short
		}
		amount, err := decimal.NewFromString(s)
		if err != nil {
			return
		}
		for _, cur := range append([]string{currency}, fuzzCurrencies...) {
			minor, err := ToMinor(amount, cur)
			if err != nil {
				continue
			}
			if back := FromMinor(minor, cur); !back.Equal(amount) {
				t.Fatalf("ToMinor(%s, %q) = %d, but that is %s", amount, cur, minor, back)
			}
		}
	})
}
