package report

import (
	"bytes"
	"html"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

func TestFormatAmount(t *testing.T) {
	tests := []struct {
		amount, currency, want string
	}{
		{"1234.5", "usd", "1,234.50"},
		{"0", "USD", "0.00"},
		{"999.999", "usd", "1,000.00"},
		{"-1234567.891", "eur", "-1,234,567.89"},
		{"-0.005", "usd", "-0.01"}, // half away from zero, as ERPs round
		{"-0.004", "usd", "0.00"},
		{"1500", "jpy", "1,500"},
		{"1234567", "JPY", "1,234,567"},
		{"52000.4", "jpy", "52,000"},
		{"1.2345", "kwd", "1.235"},
		{"1234567.891", "KWD", "1,234,567.891"},
		{"100", "kwd", "100.000"},
		{"12345678901234567890.12", "usd", "12,345,678,901,234,567,890.12"},
	}
	for _, tt := range tests {
		t.Run(tt.amount+" "+tt.currency, func(t *testing.T) {
			if got := FormatAmount(decimal.RequireFromString(tt.amount), tt.currency); got != tt.want {
				t.Errorf("FormatAmount(%s, %s) = %q, want %q", tt.amount, tt.currency, got, tt.want)
			}
		})
	}
	if got := FormatMoney(dec("1500"), "jpy"); got != "JPY 1,500" {
		t.Errorf("FormatMoney = %q", got)
	}
}

func TestRunURL(t *testing.T) {
	tests := []struct {
		name, webUI, workflowID, runID, want string
	}{
		{"run", "http://127.0.0.1:8233/namespaces/default", "order-to-cash/stripe/ch_1", "r-1",
			"http://127.0.0.1:8233/namespaces/default/workflows/order-to-cash%2Fstripe%2Fch_1/r-1"},
		{"latest run", "http://127.0.0.1:8233/namespaces/default/", "refund/stripe/re_1", "",
			"http://127.0.0.1:8233/namespaces/default/workflows/refund%2Fstripe%2Fre_1"},
		{"reserved characters", "https://ui.example/namespaces/prod", "a b?c#d&e%f", "",
			"https://ui.example/namespaces/prod/workflows/a%20b%3Fc%23d&e%25f"},
		{"no web ui", "", "order-to-cash/stripe/ch_1", "r", ""},
		{"no workflow", "http://127.0.0.1:8233", "", "r", ""},
		{"not http", "javascript:alert(1)", "w", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := RunURL(tt.webUI, tt.workflowID, tt.runID); got != tt.want {
				t.Errorf("RunURL = %q, want %q", got, tt.want)
			}
		})
	}
}

// render renders r or fails the test.
func render(t *testing.T, r *Report) string {
	t.Helper()
	var b bytes.Buffer
	if err := Render(&b, r); err != nil {
		t.Fatalf("Render: %v", err)
	}
	return b.String()
}

func TestRenderRealistic(t *testing.T) {
	r := realisticReport()
	page := render(t, r)
	for _, want := range []string{
		"<title>Stripe → Sage 500 reconciliation · 2026-12-01 to 2026-12-08 (8 days)</title>",
		`<h2 id="verdict-text">12 discrepancies need attention</h2>`,
		`class="verdict tone-bad"`,
		// totals: provider, ERP, highlighted difference, counts
		`<td class="num provider">48,210.55</td><td class="num erp">47,020.30</td><td class="num difference diff">-1,190.25</td>`,
		`<td class="num provider">1,250,000</td><td class="num erp">1,203,200</td><td class="num difference diff">-46,800</td>`,
		`<td class="num count">121</td>`,
		// class cards
		`data-class="mismatch"><div class="n">3</div>`,
		`data-class="posted"><div class="n">118</div>`,
		// the run and the items in Web UI, workflow IDs escaped
		`href="http://127.0.0.1:8233/namespaces/default/workflows/reconcile%2Fstripe%2F20261201T000000Z-20261209T000000Z/3f9a2c1e-7b4d-4c2a-9e61-0d5b8a7c6f10"`,
		`href="http://127.0.0.1:8233/namespaces/default/workflows/order-to-cash%2Fstripe%2Fch_3QmissingA1"`,
		// JPY without decimals, USD with two
		`<td class="num amount">52,000</td><td class="num erp-amount diff">5,200</td><td>JPY</td>`,
		`<td class="num amount">2,400.00</td><td class="num erp-amount diff">2,040.00</td><td>USD</td>`,
		// charts: three kinds, accessible
		`id="chart-daily-0" data-currency="JPY"`, `id="chart-daily-1" data-currency="USD"`,
		`id="chart-history"`, `id="chart-payouts"`,
		`<title id="chart-history-title">Discrepancies over time</title>`,
		`aria-label="Payout tie-out"`,
		// anomalies
		`<span class="badge tone-warn">same_amount_repeated</span>`,
		"Discrepancies: 12 need attention · 2 healed",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	for _, it := range r.Items {
		if !strings.Contains(page, "<code>"+html.EscapeString(it.Object)+"</code>") {
			t.Errorf("page lacks object %s", it.Object)
		}
		if !strings.Contains(page, html.EscapeString(it.Reason)) {
			t.Errorf("page lacks the reason of %s: %s", it.Object, it.Reason)
		}
	}
	if n := strings.Count(page, `<tr class="item"`); n != len(r.Items) {
		t.Errorf("%d item rows, want %d", n, len(r.Items))
	}
	if n := strings.Count(page, `<rect class="bar `); n != 2*len(r.Daily) {
		t.Errorf("%d daily bars, want %d", n, 2*len(r.Daily))
	}
	if n := strings.Count(page, `<circle class="point`); n != len(r.History) {
		t.Errorf("%d history points, want %d", n, len(r.History))
	}
	if n := strings.Count(page, `class="payout-bar `); n != len(r.Payouts) {
		t.Errorf("%d payout bars, want %d", n, len(r.Payouts))
	}
	// Self-contained: no script, no external asset, no font or stylesheet link.
	for _, bad := range []string{"<script", "<link", "src=", "@import", "url(", "@font-face"} {
		if strings.Contains(page, bad) {
			t.Errorf("page contains %q", bad)
		}
	}
}

func TestRenderSortsBySeverityThenAmount(t *testing.T) {
	page := render(t, realisticReport())
	objects := regexp.MustCompile(`<tr class="item" data-class="[^"]*" data-object="([^"]*)"`).FindAllStringSubmatch(page, -1)
	var got []string
	for _, m := range objects {
		got = append(got, m[1])
	}
	want := []string{"ch_3QdupF6", "ch_3QdupG7", // duplicates: ERP 620 before 150
		"ch_3QmismatchD4", "po_1QmismatchE5", "ch_3QmismatchC3", // 52,000 JPY, 9,850.25, 2,400.00
		"SO-000499", "ch_3QmissingA1", "re_3QmissingB2", "ch_3QparkI9", "ch_3QparkH8",
		"ch_3QflightJ10", "re_3QflightK11", "ch_3QhealM13", "ch_3QhealL12"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("item order\n got %v\nwant %v", got, want)
	}
}

func TestRenderVerdict(t *testing.T) {
	tests := []struct {
		name    string
		classes []ClassCount
		verdict string
		tone    string
	}{
		{"nothing", nil, "Everything ties out", "ok"},
		{"posted and healed", []ClassCount{{ClassPosted, 9}, {ClassHealed, 2}, {ClassNotPosting, 1}}, "Everything ties out", "ok"},
		{"only waiting runs", []ClassCount{{ClassPosted, 9}, {ClassParked, 1}}, "1 discrepancy needs attention", "warn"},
		{"in flight", []ClassCount{{ClassInFlight, 2}, {ClassParked, 1}}, "3 discrepancies need attention", "warn"},
		{"money at risk", []ClassCount{{ClassParked, 1}, {ClassOrphan, 1}}, "2 discrepancies need attention", "bad"},
		{"unknown class", []ClassCount{{"stale", 4}}, "4 discrepancies need attention", "warn"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page := render(t, &Report{ID: "x", Provider: "paytrace", ERP: "sagex3", Classes: tt.classes})
			if !strings.Contains(page, `<h2 id="verdict-text">`+tt.verdict+`</h2>`) {
				t.Errorf("verdict is not %q", tt.verdict)
			}
			if !strings.Contains(page, `class="verdict tone-`+tt.tone+`"`) {
				t.Errorf("verdict tone is not %s", tt.tone)
			}
		})
	}
}

func TestRenderEmptyReport(t *testing.T) {
	for _, r := range []*Report{{}, {ID: "empty", Provider: "stripe", ERP: "sage500", From: time.Now(), To: time.Now()}} {
		page := render(t, r)
		for _, want := range []string{"Everything ties out", "No provider objects in this period.", "No discrepancies.",
			"No days to show.", "No earlier runs yet.", "No payouts in this period."} {
			if !strings.Contains(page, want) {
				t.Errorf("empty report page lacks %q", want)
			}
		}
		if strings.Contains(page, `id="anomalies"`) || strings.Contains(page, `class="run"`) || strings.Contains(page, `id="run-link"`) {
			t.Error("empty report page has anomalies or links")
		}
	}
}

func TestRenderCurrencies(t *testing.T) {
	r := &Report{ID: "fx", Provider: "stripe", ERP: "sagepro", WebUI: testWebUI,
		Totals: []CurrencyTotals{{Currency: "kwd", Provider: dec("1234.5"), ERP: dec("1234.5"), Count: 2},
			{Currency: "jpy", Provider: dec("1500"), ERP: dec("1400"), Count: 1}},
		Classes: []ClassCount{{ClassMismatch, 2}},
		Items: []Item{{Class: ClassMismatch, Object: "ch_kwd", Kind: "charge", Currency: "kwd", Amount: dec("1.2345"), ERPAmount: dec("1.2"), ERPDocument: "SO-1", Reason: "r"},
			{Class: ClassMismatch, Object: "ch_jpy", Kind: "charge", Currency: "jpy", Amount: dec("1500"), ERPAmount: dec("1400"), ERPDocument: "SO-2", Reason: "r"}},
		Daily:   []Day{{Day: "2026-12-01", Currency: "kwd", Provider: dec("1234.5"), Posted: dec("1234.5")}},
		Payouts: []Payout{{ID: "po_k", Currency: "kwd", Amount: dec("10"), Posted: dec("10"), Status: "tied"}},
	}
	page := render(t, r)
	for _, want := range []string{
		`<td class="num provider">1,234.500</td><td class="num erp">1,234.500</td><td class="num difference">0.000</td>`,
		`<td class="num provider">1,500</td><td class="num erp">1,400</td><td class="num difference diff">-100</td>`,
		`<td class="num amount">1.235</td><td class="num erp-amount diff">1.200</td><td>KWD</td>`,
		`<td class="num amount">1,500</td><td class="num erp-amount diff">1,400</td><td>JPY</td>`,
		"2026-12-01: provider KWD 1,234.500", "po_k · KWD 10.000",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if strings.Contains(page, "1,500.00") || strings.Contains(page, "1,400.00") {
		t.Error("JPY shown with decimals")
	}
}

func TestRenderEscapes(t *testing.T) {
	r := &Report{ID: "esc", Provider: "stripe", ERP: "sage500", WebUI: testWebUI, WorkflowID: `reconcile/stripe/"x"`, RunID: "r&1",
		Classes: []ClassCount{{ClassMissing, 1}},
		Items: []Item{{Class: ClassMissing, Object: `ch_<b>1</b>`, Kind: "charge", Currency: "usd", Amount: dec("1"),
			Reason: `<script>alert("x")</script>`, WorkflowID: `order-to-cash/stripe/ch_"><script>`}},
		Anomalies: []Anomaly{{Rule: "velocity", Object: "<i>o</i>", Detail: "a & b", WorkflowID: "w x"}}}
	page := render(t, r)
	if strings.Contains(page, "<script") || strings.Contains(page, "<b>1</b>") || strings.Contains(page, "<i>o</i>") {
		t.Fatal("report data reached the page unescaped")
	}
	for _, want := range []string{
		`href="http://127.0.0.1:8233/namespaces/default/workflows/reconcile%2Fstripe%2F%22x%22/r&amp;1"`,
		`href="http://127.0.0.1:8233/namespaces/default/workflows/order-to-cash%2Fstripe%2Fch_%22%3E%3Cscript%3E"`,
		`href="http://127.0.0.1:8233/namespaces/default/workflows/w%20x"`,
		"&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;", "a &amp; b",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	// Without a usable Web UI the IDs are shown, not linked.
	r.WebUI = "javascript:alert(1)"
	page = render(t, r)
	if strings.Contains(page, "<a class=\"run\"") || strings.Contains(page, "javascript:") || strings.Contains(page, "ZgotmplZ") {
		t.Error("a run link without a usable Web UI")
	}
}

func TestRenderTruncated(t *testing.T) {
	r := smallReport("big", "stripe", time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC), 3)
	r.Truncated = 2997
	r.Classes[2].Count = 3000
	page := render(t, r)
	for _, want := range []string{"… and 2997 more not listed here (a report lists at most 2000", "3000 discrepancies need attention", "3 listed"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}

func TestRenderIndex(t *testing.T) {
	gen := time.Date(2026, 12, 2, 6, 0, 0, 0, time.UTC)
	list := []Summary{Summarize(smallReport("stripe-b", "stripe", gen, 2)), Summarize(smallReport("paytrace-a", "paytrace", gen.Add(-time.Hour), 0))}
	var b bytes.Buffer
	if err := RenderIndex(&b, list); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, want := range []string{`<title>Reconciliation reports</title>`, `href="/admin/reports/stripe-b"`, `href="/admin/reports/paytrace-a.json"`,
		`<span class="badge tone-bad">2 discrepancies</span>`, `<span class="badge tone-ok">Ties out</span>`, "Stripe → Sage X3", "PayTrace → Sage X3"} {
		if !strings.Contains(page, want) {
			t.Errorf("index lacks %s", want)
		}
	}
	if strings.Index(page, "stripe-b") > strings.Index(page, "paytrace-a") {
		t.Error("index does not keep the order given")
	}
	b.Reset()
	if err := RenderIndex(&b, nil); err != nil || !strings.Contains(b.String(), "No reports yet") {
		t.Errorf("empty index: %v", err)
	}
}
