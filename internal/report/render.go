package report

import (
	"embed"
	"html/template"
	"io"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ledgerbridge/ledgerbridge/internal/money"
)

// Prefix is where the gateway serves reports (Handler); the index page links to Prefix/<id>.
const Prefix = "/admin/reports"

//go:embed templates/*.html
var templateFS embed.FS

// templates are the report page and the index page; both include the shared style.
var templates = template.Must(template.New("").Funcs(template.FuncMap{
	"add":      func(a, b int) int { return a + b },
	"maxItems": func() int { return MaxItems },
}).ParseFS(templateFS, "templates/*.html"))

// page is what the report template shows, every string already formatted.
type page struct {
	ID, Title                 string
	Provider, ERP             string
	Period, PeriodExact       string
	Generated                 string
	Objects                   int
	Verdict, VerdictDetail    string
	Tone                      string // ok, warn, bad
	RunURL, WorkflowID, RunID string
	Totals                    []totalRow
	Classes                   []classCard
	Daily                     []barChart
	History                   *lineChart
	Payouts                   *payoutChart
	Items                     []itemRow
	Truncated, Listed         int
	AttentionText             string
	Anomalies                 []anomalyRow
	JSONHref                  string
	ClassTotal                int
}

// totalRow is one currency of the totals table.
type totalRow struct {
	Currency, Provider, ERP, Difference string
	Differs                             bool
	Count                               int
}

// classCard is one class's badge.
type classCard struct {
	Class, Label, Tone, Meaning string
	Count                       int
}

// itemRow is one discrepancy of the table.
type itemRow struct {
	Class, Label, Tone     string
	Object, Kind, Currency string
	Amount, ERPAmount      string
	AmountsDiffer          bool
	ERPDocument, Reason    string
	Created, CreatedExact  string
	WorkflowID, RunURL     string
	sortRank               int
	sortAmount             decimal.Decimal
	sortObject             string
}

// anomalyRow is one anomaly of the table.
type anomalyRow struct {
	Rule, Object, Detail, WorkflowID, RunURL string
}

// Render writes r's HTML page: self-contained (inline CSS and SVG charts, no script, no external
// asset), printable, with dates in the local time zone (time.Local).
func Render(w io.Writer, r *Report) error {
	return templates.ExecuteTemplate(w, "report.html", newPage(r, time.Local))
}

// newPage formats r for the template, dates in loc.
func newPage(r *Report, loc *time.Location) *page {
	p := &page{ID: r.ID, Provider: displayName(providerNames, r.Provider), ERP: displayName(erpNames, r.ERP),
		Objects: r.Objects, WorkflowID: r.WorkflowID, RunID: r.RunID, Truncated: r.Truncated,
		RunURL: RunURL(r.WebUI, r.WorkflowID, r.RunID)}
	if p.Provider == "" {
		p.Provider = "Provider"
	}
	if p.ERP == "" {
		p.ERP = "ERP"
	}
	if !r.From.IsZero() || !r.To.IsZero() {
		p.Period = periodText(r.From, r.To, loc)
		p.PeriodExact = r.From.UTC().Format(time.RFC3339) + " – " + r.To.UTC().Format(time.RFC3339) + " (UTC, end exclusive)"
	}
	if !r.GeneratedAt.IsZero() {
		p.Generated = r.GeneratedAt.In(loc).Format("2006-01-02 15:04 MST")
	}
	p.Title = p.Provider + " → " + p.ERP + " reconciliation"
	if p.Period != "" {
		p.Title += " · " + p.Period
	}
	if r.ID != "" {
		p.JSONHref = url.PathEscape(r.ID) + ".json"
	}

	// Verdict: green when nothing needs a look, red when money is posted wrongly or not at all,
	// amber when only runs wait or work.
	n := r.Discrepancies()
	healed := r.Count(ClassHealed)
	p.Tone = "ok"
	if n == 0 {
		p.Verdict = "Everything ties out"
		detail := plural(r.Objects, "provider object", "provider objects") + " reconciled"
		if healed > 0 {
			detail += "; " + plural(healed, "missing object was", "missing objects were") + " healed (runs started)"
		}
		p.VerdictDetail = detail + "."
	} else {
		p.Tone = "warn"
		var parts []string
		for _, c := range sortedClasses(r.Classes) {
			if !NeedsAttention(c.Class) || c.Count == 0 {
				continue
			}
			if info(c.Class).Tone == "bad" {
				p.Tone = "bad"
			}
			parts = append(parts, strconv.Itoa(c.Count)+" "+strings.ToLower(info(c.Class).Label))
		}
		p.Verdict = plural(n, "discrepancy needs", "discrepancies need") + " attention"
		p.VerdictDetail = strings.Join(parts, " · ") + " of " + plural(r.Objects, "provider object", "provider objects")
		if healed > 0 {
			p.VerdictDetail += "; " + strconv.Itoa(healed) + " healed"
		}
		p.VerdictDetail += "."
	}

	for _, t := range r.Totals {
		d := t.ERP.Sub(t.Provider)
		p.Totals = append(p.Totals, totalRow{Currency: money.Currency(t.Currency), Count: t.Count,
			Provider: FormatAmount(t.Provider, t.Currency), ERP: FormatAmount(t.ERP, t.Currency),
			Difference: signed(d, t.Currency), Differs: !money.Round(d, t.Currency).IsZero()})
	}
	sort.SliceStable(p.Totals, func(i, j int) bool { return p.Totals[i].Currency < p.Totals[j].Currency })

	// Every class gets a card, in the order a controller reads them, zero or not.
	counts := map[string]int{}
	for _, c := range r.Classes {
		counts[c.Class] += c.Count
		p.ClassTotal += c.Count
	}
	cardOrder := []string{ClassPosted, ClassHealed, ClassMissing, ClassMismatch, ClassDuplicate,
		ClassOrphan, ClassParked, ClassInFlight, ClassNotPosting}
	for _, c := range sortedClasses(r.Classes) {
		if _, known := classes[c.Class]; !known {
			cardOrder = append(cardOrder, c.Class)
		}
	}
	for _, c := range cardOrder {
		ci := info(c)
		p.Classes = append(p.Classes, classCard{Class: c, Label: ci.Label, Tone: ci.Tone, Meaning: ci.Meaning, Count: counts[c]})
	}

	p.Daily = dailyCharts(r.Daily)
	p.History = historyChart(r.History, loc)
	p.Payouts = payoutTieOut(r.Payouts)

	for _, it := range r.Items {
		ci := info(it.Class)
		row := itemRow{Class: it.Class, Label: ci.Label, Tone: ci.Tone, Object: it.Object, Kind: it.Kind,
			Currency: money.Currency(it.Currency), Amount: FormatAmount(it.Amount, it.Currency),
			ERPAmount: FormatAmount(it.ERPAmount, it.Currency), ERPDocument: it.ERPDocument, Reason: it.Reason,
			AmountsDiffer: !it.Amount.Equal(it.ERPAmount),
			WorkflowID:    it.WorkflowID, RunURL: RunURL(r.WebUI, it.WorkflowID, ""),
			sortRank: classRank(it.Class), sortAmount: decimal.Max(it.Amount.Abs(), it.ERPAmount.Abs()), sortObject: it.Object}
		if !it.Created.IsZero() {
			row.Created = it.Created.In(loc).Format("2006-01-02 15:04")
			row.CreatedExact = it.Created.UTC().Format(time.RFC3339)
		}
		if it.Class == ClassOrphan && it.Amount.IsZero() {
			row.Amount = "—" // no provider object
		}
		if it.ERPDocument == "" && it.ERPAmount.IsZero() {
			row.ERPAmount, row.AmountsDiffer = "—", false // nothing in the ERP
		}
		p.Items = append(p.Items, row)
	}
	sort.SliceStable(p.Items, func(i, j int) bool {
		a, b := &p.Items[i], &p.Items[j]
		if a.sortRank != b.sortRank {
			return a.sortRank < b.sortRank
		}
		if c := a.sortAmount.Cmp(b.sortAmount); c != 0 {
			return c > 0
		}
		return a.sortObject < b.sortObject
	})
	p.Listed = len(p.Items)
	if n == 1 {
		p.AttentionText = "1 needs attention"
	} else {
		p.AttentionText = strconv.Itoa(n) + " need attention"
	}
	if healed > 0 {
		p.AttentionText += " · " + strconv.Itoa(healed) + " healed"
	}
	if r.Truncated > 0 {
		p.AttentionText += " · " + strconv.Itoa(p.Listed) + " listed"
	}

	for _, a := range r.Anomalies {
		p.Anomalies = append(p.Anomalies, anomalyRow{Rule: a.Rule, Object: a.Object, Detail: a.Detail,
			WorkflowID: a.WorkflowID, RunURL: RunURL(r.WebUI, a.WorkflowID, "")})
	}
	return p
}

// signed formats a difference with an explicit sign when it is not zero: "+12.00", "-3", "0.00".
func signed(d decimal.Decimal, currency string) string {
	s := FormatAmount(d, currency)
	if d.IsPositive() && !money.Round(d, currency).IsZero() {
		return "+" + s
	}
	return s
}

// sortedClasses is classes by severity (classOrder), unknown classes by name among them.
func sortedClasses(cs []ClassCount) []ClassCount {
	out := append([]ClassCount(nil), cs...)
	sort.SliceStable(out, func(i, j int) bool {
		if a, b := classRank(out[i].Class), classRank(out[j].Class); a != b {
			return a < b
		}
		return out[i].Class < out[j].Class
	})
	return out
}

// indexPage is what the list template shows.
type indexPage struct {
	Rows []indexRow
}

// indexRow is one report of the list.
type indexRow struct {
	ID, Href, JSONHref    string
	Provider, ERP, Period string
	Generated             string
	Objects, Discrepancy  int
	Tone, Verdict         string
}

// RenderIndex writes the list page of reports: one row per summary in the order given (List's
// is newest first), each linking to its page at Prefix/<id>.
func RenderIndex(w io.Writer, list []Summary) error {
	return renderIndex(w, list, Prefix, time.Local)
}

// renderIndex is RenderIndex with links under base and dates in loc.
func renderIndex(w io.Writer, list []Summary, base string, loc *time.Location) error {
	ip := indexPage{}
	base = strings.TrimRight(base, "/")
	for _, s := range list {
		row := indexRow{ID: s.ID, Href: base + "/" + url.PathEscape(s.ID), JSONHref: base + "/" + url.PathEscape(s.ID) + ".json",
			Provider: displayName(providerNames, s.Provider), ERP: displayName(erpNames, s.ERP),
			Objects: s.Objects, Discrepancy: s.Discrepancies}
		if !s.From.IsZero() || !s.To.IsZero() {
			row.Period = periodText(s.From, s.To, loc)
		}
		if !s.GeneratedAt.IsZero() {
			row.Generated = s.GeneratedAt.In(loc).Format("2006-01-02 15:04 MST")
		}
		row.Tone, row.Verdict = "ok", "Ties out"
		if s.Discrepancies > 0 {
			row.Tone, row.Verdict = "warn", plural(s.Discrepancies, "discrepancy", "discrepancies")
			for _, c := range s.Classes {
				if c.Count > 0 && NeedsAttention(c.Class) && info(c.Class).Tone == "bad" {
					row.Tone = "bad"
				}
			}
		}
		ip.Rows = append(ip.Rows, row)
	}
	return templates.ExecuteTemplate(w, "index.html", ip)
}
