package redact

import (
	"reflect"
	"testing"
)

func TestText(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"the support-desk sentence", "phone order, card 4242 4242 4242 4242 exp 12/29 cvc 123",
			"phone order, card ****4242 exp **/** cvc ***"},

		// Test PANs of each length and brand.
		{"visa", "4242424242424242", "****4242"},
		{"mastercard", "5555555555554444", "****4444"},
		{"amex, 15 digits", "Amex 378282246310005", "Amex ****0005"},
		{"amex as printed", "Amex 3782 822463 10005", "Amex ****0005"},
		{"diners, 14 digits", "Diners 30569309025904", "Diners ****5904"},
		{"19 digits", "UnionPay 6222222222222222222", "UnionPay ****2222"},
		{"13 digits", "old visa 4222222222222", "old visa ****2222"},
		{"dashes", "4242-4242-4242-4242", "****4242"},
		{"spaces and dashes mixed", "5555 5555-5555 4444", "****4444"},

		// Where it sits.
		{"at the start", "4242424242424242 was declined", "****4242 was declined"},
		{"at the end", "declined: 5555555555554444", "declined: ****4444"},
		{"next to punctuation", "card:4242424242424242.", "card:****4242."},
		{"next to letters", "pan4242424242424242x", "pan****4242x"},
		{"two in one string", "4242424242424242 and 5555555555554444", "****4242 and ****4444"},
		{"two a single space apart", "4242424242424242 5555555555554444", "****4242 ****4444"},
		{"two grouped, a single space apart", "4242 4242 4242 4242 5555 5555 5555 4444", "****4242 ****4444"},
		{"unicode around", "carte «4242 4242 4242 4242» — merci ✓", "carte «****4242» — merci ✓"},
		{"no spaces in Japanese", "カード4242424242424242です", "カード****4242です"},
		{"followed by an unlabelled expiry", "4242424242424242 12/29", "****4242 12/29"},
		{"followed by an unlabelled cvc", "4242 4242 4242 4242 123", "****4242 123"},
		{"after four stars", "****4242 4242 4242 4242", "********4242"},
		{"mislabelled as a cvc", "cvc 4242 4242 4242 4242", "cvc ****4242"},

		// Longer digit runs: masked when some 13-19 digit window passes Luhn (the safe side).
		{"25 digit reference", "ref 1234567890123456789012345", "ref ****2345"},
		{"pan glued to an expiry", "42424242424242421229", "****1229"},
		{"20 digits without a valid window", "ref 40874138443622436890", "ref 40874138443622436890"},

		// Left alone.
		{"non-Luhn 16 digits", "order 4242424242424243", "order 4242424242424243"},
		{"non-Luhn grouped", "1234 5678 9012 3456", "1234 5678 9012 3456"},
		{"ordinary text", "Order #1001 for $125.50 on 2026-12-01, call +1 555-123-4567",
			"Order #1001 for $125.50 on 2026-12-01, call +1 555-123-4567"},
		{"double space ends a run", "4242 4242  4242 4242", "4242 4242  4242 4242"},
		{"empty", "", ""},

		// Security codes.
		{"cvc", "cvc 123", "cvc ***"},
		{"CVV with colon, 4 digits", "CVV: 1234", "CVV: ***"},
		{"cvv2", "cvv2=123", "cvv2=***"},
		{"security code", "security code 123", "security code ***"},
		{"csc", "CSC#987", "CSC#***"},
		{"json", `{"cvc": "123"}`, `{"cvc": "***"}`},
		{"snake case key", "card_cvc=123", "card_cvc=***"},
		{"with is", "the cvv is 321.", "the cvv is ***."},
		{"inside a word", "xcvc 123", "xcvc 123"},
		{"too many digits", "cvc 12345", "cvc 12345"},
		{"too few digits", "cvc 12", "cvc 12"},

		// Expiry dates.
		{"exp", "exp 12/29", "exp **/**"},
		{"exp. with a 4 digit year", "exp. 12/2029", "exp. **/**"},
		{"expiry with a dash", "expiry 12-29", "expiry **/**"},
		{"expires compact", "expires 1229", "expires **/**"},
		{"valid thru", "valid thru 12/29", "valid thru **/**"},
		{"upper case", "EXP 01/30", "EXP **/**"},
		{"expiration date", "Expiration date: 3/2031", "Expiration date: **/**"},
		{"year first", "expires 2029-12", "expires **/**"},
		{"a full date is not an expiry", "quote expires 2026-12-01", "quote expires 2026-12-01"},
		{"neither is mm/dd/yyyy", "exp 12/29/2026", "exp 12/29/2026"},
		{"no month 13", "exp 13/29", "exp 13/29"},
		{"export is no label", "export 12/29", "export 12/29"},
		{"no label", "due 12/29", "due 12/29"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Text(tc.in)
			if got != tc.want {
				t.Errorf("Text(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
			if again := Text(got); again != got {
				t.Errorf("Text is not idempotent: Text(%q) = %q", got, again)
			}
		})
	}
}

func TestContainsPAN(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"card 4242 4242 4242 4242", true},
		{"378282246310005", true},
		{"ref 1234567890123456789012345", true},
		{"****4242", false},
		{"order 4242424242424243", false},
		{"cvc 123 exp 12/29", false},
		{"", false},
	}
	for _, tc := range tests {
		if got := ContainsPAN(tc.in); got != tc.want {
			t.Errorf("ContainsPAN(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestMap(t *testing.T) {
	tests := []struct {
		name    string
		in, out map[string]string
	}{
		{"nil", nil, nil},
		{"empty", map[string]string{}, map[string]string{}},
		{"values and keys", map[string]string{
			"note":             "card 4242424242424242 cvc 123",
			"4242424242424242": "pasted into a key",
			"order":            "1001",
		}, map[string]string{
			"note":     "card ****4242 cvc ***",
			"****4242": "pasted into a key",
			"order":    "1001",
		}},
		{"colliding keys resolve the same way every time", map[string]string{
			"4242 4242 4242 4242": "b",
			"4242424242424242":    "a",
		}, map[string]string{"****4242": "b"}}, // "4242 4242…" sorts first
		{"an unmasked key wins a collision", map[string]string{
			"4242424242424242": "pasted",
			"****4242":         "already masked",
		}, map[string]string{"****4242": "already masked"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for range 5 { // map order varies between runs
				if got := Map(tc.in); !reflect.DeepEqual(got, tc.out) || (got == nil) != (tc.out == nil) {
					t.Fatalf("Map = %#v, want %#v", got, tc.out)
				}
			}
		})
	}
	in := map[string]string{"k": "4242424242424242"}
	Map(in)
	if in["k"] != "4242424242424242" {
		t.Error("Map changed its argument")
	}
}

func TestStrings(t *testing.T) {
	if got := Strings(nil); got != nil {
		t.Errorf("Strings(nil) = %#v", got)
	}
	got := Strings([]string{"a", "card 5555555555554444", "exp 12/29"})
	if want := []string{"a", "card ****4444", "exp **/**"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Strings = %q, want %q", got, want)
	}
}

func TestNoAllocationWhenNothingMatches(t *testing.T) {
	for _, s := range []string{
		"Order #1001 for $125.50 on 2026-12-01, call +1 555-123-4567",
		"no digits at all",
		"order 4242424242424243, ref 1234 5678 9012 3456",
	} {
		if n := testing.AllocsPerRun(100, func() { Text(s) }); n != 0 {
			t.Errorf("Text(%q) allocates %v times", s, n)
		}
		if n := testing.AllocsPerRun(100, func() { ContainsPAN(s) }); n != 0 {
			t.Errorf("ContainsPAN(%q) allocates %v times", s, n)
		}
	}
}

func BenchmarkText(b *testing.B) {
	for _, bc := range []struct{ name, in string }{
		{"plain", "Order #1001 for $125.50 on 2026-12-01, call +1 555-123-4567 about the blue widgets"},
		{"card", "phone order, card 4242 4242 4242 4242 exp 12/29 cvc 123"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Text(bc.in)
			}
		})
	}
}
