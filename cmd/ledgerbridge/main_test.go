package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ledgerbridge/ledgerbridge/activities"
	"github.com/ledgerbridge/ledgerbridge/internal/report"
	"github.com/ledgerbridge/ledgerbridge/workflows"
)

func TestListFilterQuery(t *testing.T) {
	since := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		f    listFilter
		want string
	}{
		{"nothing", listFilter{}, ""},
		{"parked", listFilter{Parked: true}, "NeedsAttention = true"},
		{"all", listFilter{Parked: true, Provider: "stripe", Status: "NeedsAttention", Since: since},
			"NeedsAttention = true AND Provider = 'stripe' AND LedgerStatus = 'NeedsAttention' AND StartTime >= '2026-12-01T00:00:00Z'"},
		{"quote injection", listFilter{Provider: `x' OR '1'='1`}, `Provider = 'x\' OR \'1\'=\'1'`},
		{"backslash", listFilter{Status: `a\`}, `LedgerStatus = 'a\\'`},
		{"extra alone", listFilter{Extra: "Amount > 10"}, "Amount > 10"},
		{"extra ANDed", listFilter{Parked: true, Extra: "Amount > 10 OR Amount < 1"}, "NeedsAttention = true AND (Amount > 10 OR Amount < 1)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.f.query(); got != tt.want {
				t.Errorf("query() = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestOnlyRunning(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "ExecutionStatus = 'Running'"},
		{"NeedsAttention = true", "(NeedsAttention = true) AND ExecutionStatus = 'Running'"},
		{"Amount > 1 ORDER BY StartTime", "Amount > 1 ORDER BY StartTime"},
	}
	for _, tt := range tests {
		if got := onlyRunning(tt.in); got != tt.want {
			t.Errorf("onlyRunning(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseSince(t *testing.T) {
	now := time.Date(2026, 12, 10, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in      string
		want    time.Time
		wantErr bool
	}{
		{"", time.Time{}, false},
		{"24h", now.Add(-24 * time.Hour), false},
		{"90m", now.Add(-90 * time.Minute), false},
		{"7d", now.Add(-7 * 24 * time.Hour), false},
		{"2026-12-01", time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), false},
		{"2026-12-01T09:30:00+01:00", time.Date(2026, 12, 1, 8, 30, 0, 0, time.UTC), false},
		{"yesterday", time.Time{}, true},
		{"2026-13-01", time.Time{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseSince("since", tt.in, now)
			if (err != nil) != tt.wantErr {
				t.Fatalf("parseSince(%q) error %v, want error %v", tt.in, err, tt.wantErr)
			}
			if err != nil {
				var u usageError
				if !errors.As(err, &u) {
					t.Errorf("error %v is not a usage error", err)
				}
				return
			}
			if !got.Equal(tt.want) {
				t.Errorf("parseSince(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseCorrections(t *testing.T) {
	tests := []struct {
		name    string
		sets    []string
		skip    bool
		want    activities.Corrections
		wantErr string
	}{
		{"none", nil, false, activities.Corrections{}, ""},
		{"item", []string{"itemId=WIDGET"}, false, activities.Corrections{ItemID: "WIDGET"}, ""},
		{"case-insensitive key", []string{"ITEMID=WIDGET", "customerid=C1"}, false, activities.Corrections{ItemID: "WIDGET", CustomerID: "C1"}, ""},
		{"skip flag", nil, true, activities.Corrections{SkipWriteBack: true}, ""},
		{"skip via set", []string{"skipWriteBack=true"}, false, activities.Corrections{SkipWriteBack: true}, ""},
		{"unknown key", []string{"nope=1"}, false, activities.Corrections{}, "known keys are customerId, itemId, skipWriteBack"},
		{"no equals", []string{"itemId"}, false, activities.Corrections{}, "want key=value"},
		{"empty value", []string{"itemId="}, false, activities.Corrections{}, "needs a value"},
		{"bad bool", []string{"skipWriteBack=maybe"}, false, activities.Corrections{}, "true or false"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseCorrections(tt.sets, tt.skip)
			if tt.wantErr != "" {
				var u usageError
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.As(err, &u) {
					t.Fatalf("error %v, want a usage error containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("parseCorrections = %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestCorrectionKeysFollowActivities(t *testing.T) {
	b, _ := json.Marshal(activities.Corrections{CustomerID: "c", ItemID: "i", SkipWriteBack: true})
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	keys := correctionKeys()
	if len(keys) != len(m) {
		t.Fatalf("correctionKeys() = %v, JSON has %v", keys, m)
	}
	for _, k := range keys {
		if _, ok := m[k]; !ok {
			t.Errorf("key %s is not in the JSON of activities.Corrections", k)
		}
	}
}

// Usage errors are found before any connection is made: these run without Temporal.
func TestUsageErrorsExitTwo(t *testing.T) {
	t.Setenv("TEMPORAL_ADDRESS", "127.0.0.1:1") // nothing listens: a connection attempt would be exit 1
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown command", []string{"nope"}, `unknown command "nope"`},
		{"suggestion", []string{"runz"}, "did you mean runs?"},
		{"unknown subcommand", []string{"runs", "nope"}, `unknown command "nope" for "ledgerbridge runs"`},
		{"unknown flag", []string{"runs", "list", "--bogus"}, "unknown flag: --bogus"},
		{"bad provider", []string{"runs", "list", "--provider", "paypal"}, "want one of stripe, paytrace"},
		{"bad status", []string{"runs", "list", "--status", "Done"}, "want one of Received"},
		{"bad since", []string{"runs", "list", "--since", "last week"}, "--since"},
		{"explain without ID", []string{"runs", "explain"}, "needs one workflow ID"},
		{"retry unknown key", []string{"runs", "retry", "x", "--set", "nope=1"}, "known keys are customerId, itemId, skipWriteBack"},
		{"retry ID and query", []string{"runs", "retry", "x", "--query", "NeedsAttention = true"}, "not both"},
		{"abandon without reason", []string{"runs", "abandon", "x"}, "--reason is required"},
		{"reconcile without provider", []string{"reconcile", "--from", "2026-11-01"}, "--provider is required"},
		{"reconcile without from", []string{"reconcile", "--provider", "stripe"}, "--from is required"},
		{"reconcile backwards", []string{"reconcile", "--provider", "stripe", "--from", "2026-12-01", "--to", "2026-11-01"}, "is not before"},
		{"backfill without since", []string{"backfill"}, "--since is required"},
		{"report two IDs", []string{"report", "a", "b"}, "at most one report ID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := execute(context.Background(), tt.args, strings.NewReader(""), &out, &errOut)
			var u usageError
			if !errors.As(err, &u) {
				t.Fatalf("error %v (stderr %q), want a usage error", err, errOut.String())
			}
			msg := errOut.String()
			if !strings.Contains(msg, tt.want) || strings.Count(msg, "\n") != 1 || !strings.HasPrefix(msg, "ledgerbridge: ") {
				t.Errorf("stderr %q, want one line containing %q", msg, tt.want)
			}
		})
	}
}

func TestUnreachableTemporalIsOneLine(t *testing.T) {
	t.Setenv("TEMPORAL_ADDRESS", "127.0.0.1:1")
	var out, errOut bytes.Buffer
	err := execute(context.Background(), []string{"runs", "list", "--timeout", "3s"}, strings.NewReader(""), &out, &errOut)
	var u usageError
	if err == nil || errors.As(err, &u) {
		t.Fatalf("error %v, want a plain error", err)
	}
	msg := errOut.String()
	if !strings.HasPrefix(msg, "ledgerbridge: cannot reach Temporal at 127.0.0.1:1") || !strings.Contains(msg, "is make run running?") ||
		strings.Count(msg, "\n") != 1 {
		t.Errorf("stderr %q", msg)
	}
}

func TestRunURL(t *testing.T) {
	tests := []struct {
		webUI, id, run, want string
	}{
		{"", "order-to-cash/stripe/ch_1", "r1", "http://127.0.0.1:8233/namespaces/default/workflows/order-to-cash%2Fstripe%2Fch_1/r1/history"},
		{"http://ui:8080/namespaces/prod/", "x", "", "http://ui:8080/namespaces/prod/workflows/x"},
		{"https://cloud.temporal.io", "x", "r", "https://cloud.temporal.io/namespaces/default/workflows/x/r/history"},
	}
	for _, tt := range tests {
		a := &app{webUI: tt.webUI}
		if got := a.runURL(tt.id, tt.run); got != tt.want {
			t.Errorf("runURL(%q, %q) with %q = %s, want %s", tt.id, tt.run, tt.webUI, got, tt.want)
		}
	}
}

func TestReachReason(t *testing.T) {
	tests := []struct{ in, want string }{
		{`connect to Temporal at 127.0.0.1:1 (namespace default): failed reaching server: last connection error: connection error: desc = "transport: Error while dialing: dial tcp 127.0.0.1:1: connect: connection refused"`, "connection refused"},
		{"connect to Temporal at x: context deadline exceeded", "no answer"},
		{"connect to Temporal at x: something odd", "something odd"},
	}
	for _, tt := range tests {
		if got := reachReason(errors.New(tt.in)); got != tt.want {
			t.Errorf("reachReason(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func writeReport(t *testing.T, dir string, r *report.Report) {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, r.ID+".json"), b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestReport(t *testing.T) {
	dir := t.TempDir()
	old := &report.Report{ID: "stripe-old", Provider: "stripe", GeneratedAt: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)}
	newer := &report.Report{ID: "stripe-new", Provider: "stripe", ERP: "sage500", Objects: 3,
		From: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC),
		GeneratedAt: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC),
		Totals:      []report.CurrencyTotals{{Currency: "USD", Provider: decimal.RequireFromString("100.50"), ERP: decimal.RequireFromString("75.25"), Count: 3}},
		Classes:     []report.ClassCount{{Class: report.ClassPosted, Count: 2}, {Class: report.ClassMismatch, Count: 1}},
		Items: []report.Item{{Class: report.ClassMismatch, Object: "ch_mismatch", Kind: "charge", Currency: "usd",
			Amount: decimal.RequireFromString("25.25"), ERPAmount: decimal.RequireFromString("25"), ERPDocument: "INV-000009", Reason: "amount differs"}}}
	writeReport(t, dir, old)
	writeReport(t, dir, newer)
	if err := os.WriteFile(filepath.Join(dir, "junk.json"), []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		args    []string
		want    []string
		wantErr string
	}{
		{"latest", []string{"report", "--dir", dir}, []string{"Report stripe-new", "USD", "100.50", "75.25", "25.25", "posted 2 · mismatch 1", "ch_mismatch", "INV-000009", "amount differs", "1 discrepancy"}, ""},
		{"by ID", []string{"report", "stripe-old", "--dir", dir}, []string{"Report stripe-old", "no discrepancies"}, ""},
		{"json", []string{"report", "stripe-new", "--json", "--dir", dir}, []string{`"id":"stripe-new"`}, ""},
		{"list", []string{"report", "--list", "--dir", dir}, []string{"stripe-new", "stripe-old"}, ""},
		{"missing", []string{"report", "nope", "--dir", dir}, nil, `no report "nope"`},
		{"empty folder", []string{"report", "--dir", t.TempDir()}, nil, "no reports in"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := execute(context.Background(), tt.args, strings.NewReader(""), &out, &errOut)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(errOut.String(), tt.wantErr) {
					t.Fatalf("error %v, stderr %q; want %q", err, errOut.String(), tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("%v: %s", err, errOut.String())
			}
			for _, w := range tt.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out.String())
				}
			}
		})
	}
}

func TestReportOpenPrintsPathWithoutBrowser(t *testing.T) {
	dir := t.TempDir()
	writeReport(t, dir, &report.Report{ID: "r1", Provider: "stripe", GeneratedAt: time.Now()})
	html := filepath.Join(dir, "r1.html")
	if err := os.WriteFile(html, []byte("<html></html>"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", t.TempDir()) // no xdg-open
	var out, errOut bytes.Buffer
	if err := execute(context.Background(), []string{"report", "--open", "--dir", dir}, strings.NewReader(""), &out, &errOut); err != nil {
		t.Fatalf("%v: %s", err, errOut.String())
	}
	if !strings.Contains(out.String(), "the report is at "+html) {
		t.Errorf("output %q lacks the path", out.String())
	}
}

func TestShellQuote(t *testing.T) {
	tests := []struct{ in, want string }{
		{"order-to-cash/stripe/ch_1", "order-to-cash/stripe/ch_1"},
		{"a b", "'a b'"},
		{"it's", `'it'\''s'`},
	}
	for _, tt := range tests {
		if got := shellQuote(tt.in); got != tt.want {
			t.Errorf("shellQuote(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestProgress(t *testing.T) {
	steps := []workflows.ReconcileProgress{
		{Phase: "listing"}, {Phase: "classifying", Done: 100}, {Phase: "classifying", Done: 200, Healed: 3},
		{Phase: "reporting", Done: 250, Healed: 3}, {Phase: "done", Done: 250, Total: 250, Healed: 3},
	}
	tests := []struct {
		name string
		tty  bool
		want []string
	}{
		{"terminal: a progress bar", true, []string{"classifying, 3 healed", "250/250"}},
		{"log: a line per phase", false, []string{"listing: 0 objects\n", "classifying: 100 objects\n", "reporting, 3 healed: 250 objects\n", "done, 3 healed: 250 objects\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			p := newProgress(&buf, tt.tty)
			for _, s := range steps {
				p.update(s)
			}
			p.finish()
			for _, w := range tt.want {
				if !strings.Contains(buf.String(), w) {
					t.Errorf("output lacks %q: %q", w, buf.String())
				}
			}
		})
	}
}
