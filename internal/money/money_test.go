package money

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

func TestFromMinorRespectsExponent(t *testing.T) {
	cases := []struct {
		minor    int64
		currency string
		want     string
	}{
		{1999, "usd", "19.99"},
		{5, "eur", "0.05"},
		{-250, "usd", "-2.5"},
		{500, "jpy", "500"},
		{1230, "kwd", "1.23"},
		{1, "kwd", "0.001"},
		{0, "usd", "0"},
	}
	for _, c := range cases {
		got := FromMinor(c.minor, c.currency)
		if !got.Equal(decimal.RequireFromString(c.want)) {
			t.Errorf("FromMinor(%d, %s) = %s, want %s", c.minor, c.currency, got, c.want)
		}
	}
}

func TestToMinorRoundTripsAndRejectsExtraDigits(t *testing.T) {
	for _, cur := range []string{"usd", "jpy", "kwd"} {
		for _, minor := range []int64{0, 1, 99, 100, 123456789} {
			back, err := ToMinor(FromMinor(minor, cur), cur)
			if err != nil || back != minor {
				t.Fatalf("round trip %d %s = %d, %v", minor, cur, back, err)
			}
		}
	}
	if _, err := ToMinor(decimal.RequireFromString("1.5"), "JPY"); err == nil {
		t.Fatal("1.5 JPY must be rejected: JPY has no minor unit")
	}
	if _, err := ToMinor(decimal.RequireFromString("1.005"), "USD"); err == nil {
		t.Fatal("1.005 USD must be rejected")
	}
}

func TestFormatUnixUsesTheMerchantsDay(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no tzdata:", err)
	}
	// 2026-11-24 03:30 UTC is still 2026-11-23 in New York.
	ts := time.Date(2026, 11, 24, 3, 30, 0, 0, time.UTC).Unix()
	if got := FormatUnix(ts, ny, ""); got != "2026-11-23" {
		t.Fatalf("got %s", got)
	}
	if got := FormatUnix(ts, time.UTC, "01/02/2006"); got != "11/24/2026" {
		t.Fatalf("got %s", got)
	}
}

// TestToMinorRefusesOverflow: IntPart keeps only the low 64 bits, so 1e30 USD once came back as
// -8814407033341083648 cents without an error (found by FuzzToMinor).
func TestToMinorRefusesOverflow(t *testing.T) {
	tests := []struct {
		amount, currency string
		want             int64
		ok               bool
	}{
		{"92233720368547758.07", "usd", 9223372036854775807, true},
		{"-92233720368547758.08", "usd", -9223372036854775808, true},
		{"92233720368547758.08", "usd", 0, false},
		{"-92233720368547758.09", "usd", 0, false},
		{"9223372036854775808", "jpy", 0, false},
		{"1e30", "usd", 0, false},
		{"12345678901234567890123456789", "kwd", 0, false},
	}
	for _, tc := range tests {
		got, err := ToMinor(decimal.RequireFromString(tc.amount), tc.currency)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ToMinor(%s, %s) = %d, %v; want %d, ok=%v", tc.amount, tc.currency, got, err, tc.want, tc.ok)
		}
	}
}
