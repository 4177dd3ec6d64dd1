package redact

import (
	"regexp"
	"strings"
	"testing"
)

// runRE finds digit runs the way the package documents them: digits, with single spaces or
// dashes between groups. The fuzz target checks Text against this regexp and brute force
// rather than against the package's own scanner.
var runRE = regexp.MustCompile(`[0-9]+(?:[ -][0-9]+)*`)

// naivePAN reports whether s holds a card number by the package's definition, by brute force:
// any stretch of whole groups of a run with 13-19 digits that passes Luhn, or any Luhn-valid
// 13-19 digit window of a group longer than 19 digits.
func naivePAN(s string) bool {
	for _, r := range runRE.FindAllString(s, -1) {
		groups := strings.FieldsFunc(r, func(c rune) bool { return c == ' ' || c == '-' })
		for i := range groups {
			if g := groups[i]; len(g) > maxPAN {
				for a := 0; a < len(g); a++ {
					for b := a + minPAN; b <= len(g) && b-a <= maxPAN; b++ {
						if luhn([]byte(g[a:b])) {
							return true
						}
					}
				}
				continue
			}
			digits := ""
			for j := i; j < len(groups); j++ {
				if digits += groups[j]; len(digits) > maxPAN {
					break
				}
				if len(digits) >= minPAN && luhn([]byte(digits)) {
					return true
				}
			}
		}
	}
	return false
}

// mayHaveLabel reports whether s contains a word every security code or expiry label contains.
func mayHaveLabel(s string) bool {
	low := []byte(s)
	for i, c := range low {
		if 'A' <= c && c <= 'Z' {
			low[i] = c | 0x20
		}
	}
	for _, w := range []string{"cv", "csc", "sec", "card", "exp", "valid", "good"} {
		if strings.Contains(string(low), w) {
			return true
		}
	}
	return false
}

func FuzzText(f *testing.F) {
	for _, s := range []string{
		"phone order, card 4242 4242 4242 4242 exp 12/29 cvc 123",
		"4242424242424242", "5555-5555-5555-4444", "Amex 3782 822463 10005", "30569309025904",
		"6222222222222222222", "4242424242424242 5555555555554444", "****4242 4242 4242 4242",
		"4242424242424242 4242 4242 4242 4242", "ref 1234567890123456789012345",
		"order 4242424242424243", "Order #1001 for $125.50 on 2026-12-01, call +1 555-123-4567",
		`{"cvc": "123", "exp": "12/2029"}`, "cvv2=123 expires 1229 valid thru 1/30",
		"exp 12-29-4242-4242-4242-4242", "cvc 1234242424242424242", "カード4242424242424242です",
		"\xff\xfe4242424242424242\x00", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkText(t, s)
		// Random bytes rarely hold a Luhn-valid number; splice a test card into the middle too,
		// so the masking paths meet whatever the fuzzer put around them.
		pans := []string{"4242424242424242", "5555 5555 5555 4444", "3782-822463-10005", "4242"}
		h := len(s) / 2
		checkText(t, s[:h]+pans[len(s)%len(pans)]+s[h:])
	})
}

// checkText checks the properties Text promises for s.
func checkText(t *testing.T, s string) {
	t.Helper()
	out := Text(s)
	if naivePAN(out) {
		t.Fatalf("Text(%q) = %q still holds a card number", s, out)
	}
	if got, want := ContainsPAN(s), naivePAN(s); got != want {
		t.Fatalf("ContainsPAN(%q) = %v, brute force says %v", s, got, want)
	}
	if again := Text(out); again != out {
		t.Fatalf("not idempotent: Text(%q) = %q, Text of that = %q", s, out, again)
	}
	if !ContainsPAN(s) && !mayHaveLabel(s) && out != s {
		t.Fatalf("Text(%q) = %q changed text with no card number and no label", s, out)
	}
}
