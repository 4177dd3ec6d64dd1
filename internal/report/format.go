package report

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ledgerbridge/ledgerbridge/internal/money"
)

// Discrepancies counts the objects that need a look: every class but posted, not posted and
// healed (a healed object's run has been started, so it posts by itself). It is computed from
// Classes, which count every object, not from Items, which stop at MaxItems.
func (r *Report) Discrepancies() int {
	n := 0
	for _, c := range r.Classes {
		if NeedsAttention(c.Class) {
			n += c.Count
		}
	}
	return n
}

// Count is how many objects fell in class.
func (r *Report) Count(class string) int {
	n := 0
	for _, c := range r.Classes {
		if c.Class == class {
			n += c.Count
		}
	}
	return n
}

// NeedsAttention says whether objects of class are discrepancies an operator should look at.
func NeedsAttention(class string) bool {
	switch class {
	case ClassPosted, ClassNotPosting, ClassHealed:
		return false
	}
	return true
}

// classOrder lists the classes by severity, most severe first: money posted wrongly, then money
// not posted, then runs that wait, then the fine ones. The report's cards and tables use it.
var classOrder = []string{
	ClassDuplicate, ClassMismatch, ClassOrphan, ClassMissing, ClassParked, ClassInFlight,
	ClassHealed, ClassPosted, ClassNotPosting,
}

// classRank is a class's place in classOrder (unknown classes after the known discrepancies).
func classRank(class string) int {
	for i, c := range classOrder {
		if c == class {
			return i
		}
	}
	return 6 // after in_flight: an unknown class still needs a look
}

// classInfo is how the report shows a class: its label, tone and what it means.
type classInfo struct {
	Label, Tone, Meaning string
}

// classes describes every class; Tone is bad (red), warn (amber), ok (green), info or muted.
var classes = map[string]classInfo{
	ClassPosted:     {"Posted", "ok", "in the ERP, equal"},
	ClassHealed:     {"Healed", "info", "its run was started"},
	ClassMissing:    {"Missing", "bad", "not in the ERP"},
	ClassMismatch:   {"Mismatch", "bad", "ERP amount differs"},
	ClassDuplicate:  {"Duplicate", "bad", "2+ ERP documents"},
	ClassOrphan:     {"Orphan", "bad", "no provider object"},
	ClassParked:     {"Parked", "warn", "waits for an operator"},
	ClassInFlight:   {"In flight", "warn", "run still working"},
	ClassNotPosting: {"Not posted", "muted", "correctly absent"},
}

// info describes class, inventing a label for a class this version does not know.
func info(class string) classInfo {
	if ci, ok := classes[class]; ok {
		return ci
	}
	label := strings.ReplaceAll(class, "_", " ")
	if label != "" {
		label = strings.ToUpper(label[:1]) + label[1:]
	}
	return classInfo{Label: label, Tone: "warn", Meaning: "needs a look"}
}

// FormatAmount formats an amount with its currency's decimals (money.Exponent: USD 2, JPY 0,
// KWD 3), rounded half away from zero as ERPs do, with thousands separators:
// FormatAmount(1234.5, "usd") = "1,234.50", FormatAmount(1500, "JPY") = "1,500",
// FormatAmount(-1.2345, "KWD") = "-1.235".
func FormatAmount(d decimal.Decimal, currency string) string {
	s := d.StringFixed(money.Exponent(currency))
	sign := ""
	if rest, ok := strings.CutPrefix(s, "-"); ok {
		sign, s = "-", rest
	}
	whole, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	b.WriteString(sign)
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if hasFrac {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return b.String()
}

// FormatMoney is FormatAmount with the upper-case currency code in front: "USD 1,234.50".
func FormatMoney(d decimal.Decimal, currency string) string {
	if currency == "" {
		return FormatAmount(d, currency)
	}
	return money.Currency(currency) + " " + FormatAmount(d, currency)
}

// RunURL is the Temporal Web UI page of a workflow run: <webUI>/workflows/<workflowID>/<runID>,
// each part path-escaped (workflow IDs such as order-to-cash/stripe/ch_1 hold slashes). Without a run
// ID it is the workflow's page, which Web UI opens on the latest run. It is "" when workflowID
// is empty or webUI is not an http(s) URL.
func RunURL(webUI, workflowID, runID string) string {
	webUI = strings.TrimRight(strings.TrimSpace(webUI), "/")
	if u, err := url.Parse(webUI); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || workflowID == "" {
		return ""
	}
	u := webUI + "/workflows/" + url.PathEscape(workflowID)
	if runID != "" {
		u += "/" + url.PathEscape(runID)
	}
	return u
}

// providerNames and erpNames are the display names of the systems the report names.
var (
	providerNames = map[string]string{"stripe": "Stripe", "paytrace": "PayTrace"}
	erpNames      = map[string]string{"sage500": "Sage 500", "sagex3": "Sage X3", "sagepro": "Sage Pro"}
)

// displayName is names[key], or key itself when the table does not know it.
func displayName(names map[string]string, key string) string {
	if n, ok := names[strings.ToLower(key)]; ok {
		return n
	}
	return key
}

// isMidnight says whether t is the start of a day in its location.
func isMidnight(t time.Time) bool {
	return t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0
}

// periodText describes the window [from, to) in loc: whole local days as an inclusive date range
// ("2026-12-01 to 2026-12-08 (8 days)"), anything else with times.
func periodText(from, to time.Time, loc *time.Location) string {
	from, to = from.In(loc), to.In(loc)
	if isMidnight(from) && isMidnight(to) && to.After(from) {
		last := to.AddDate(0, 0, -1)
		days := 0
		for d := from; d.Before(to); d = d.AddDate(0, 0, 1) {
			days++
		}
		if days == 1 {
			return from.Format("2006-01-02") + " (1 day)"
		}
		return from.Format("2006-01-02") + " to " + last.Format("2006-01-02") + " (" + strconv.Itoa(days) + " days)"
	}
	return from.Format("2006-01-02 15:04") + " to " + to.Format("2006-01-02 15:04 MST")
}

// plural is "1 thing" or "n things".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
