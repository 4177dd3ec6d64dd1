package sagepro

import (
	"strings"
	"time"

	"github.com/ledgerbridge/ledgerbridge/internal/erp/httpx"
	"github.com/ledgerbridge/ledgerbridge/internal/money"
	"github.com/shopspring/decimal"
)

// dateLayout is Sage Pro's date format.
const dateLayout = "01/02/2006"

// proDate converts the port's YYYY-MM-DD to MM/DD/YYYY; a date already in MM/DD/YYYY (the Sage
// Pro mapping's dates.format) passes through. Anything else is rejected here, naming the value,
// because Sage Pro would misread a day-first date.
func proDate(iso string) (string, error) {
	if d, err := time.Parse(dateLayout, iso); err == nil {
		return d.Format(dateLayout), nil
	}
	d, err := time.Parse(time.DateOnly, iso)
	if err != nil {
		return "", httpx.Invalid("date %q is neither YYYY-MM-DD nor MM/DD/YYYY", iso)
	}
	return d.Format(dateLayout), nil
}

// isoDate converts MM/DD/YYYY back; an unreadable value is passed through.
func isoDate(pro string) string {
	d, err := time.Parse(dateLayout, pro)
	if err != nil {
		return pro
	}
	return d.Format(time.DateOnly)
}

// money formats d at the currency's exponent (10.5 USD → 10.50). An amount with more digits
// than the currency allows is sent as is, so Sage Pro rejects it instead of it being rounded.
func amount(d decimal.Decimal, curr string) httpx.Amount {
	exp := money.Exponent(curr)
	if d.Equal(d.Round(exp)) {
		return httpx.Amt(d.Round(exp))
	}
	return httpx.Amt(d)
}

// optAmount is amount for totals: zero means "let Sage Pro compute it" and is not sent.
func optAmount(d decimal.Decimal, curr string) httpx.Amount {
	if d.IsZero() {
		return httpx.Amount{}
	}
	return amount(d, curr)
}

// fit cuts s to at most n characters (runes), trimming spaces.
func fit(s string, n int) string {
	r := []rune(strings.TrimSpace(s))
	if len(r) <= n {
		return string(r)
	}
	return strings.TrimSpace(string(r[:n]))
}

// splitAddress fits two address lines into address1/address2 of width n: a first line that is
// too long breaks at its last space within the width and its rest is concatenated in front of
// the second line (", " separated), which is then cut to the width.
func splitAddress(line1, line2 string, n int) (string, string) {
	line1, line2 = strings.TrimSpace(line1), strings.TrimSpace(line2)
	r := []rune(line1)
	if len(r) <= n {
		return line1, fit(line2, n)
	}
	cut := n
	if i := strings.LastIndex(string(r[:n+1]), " "); i > 0 {
		cut = len([]rune(string(r[:n+1])[:i]))
	}
	first := strings.TrimSpace(string(r[:cut]))
	rest := strings.TrimSpace(string(r[cut:]))
	return first, fit(joinNonEmpty(", ", rest, line2), n)
}

func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}
