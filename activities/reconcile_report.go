package activities

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"time"

	"go.temporal.io/sdk/activity"

	"github.com/ledgerbridge/ledgerbridge/internal/report"
)

// ReconcileTally is a reconciliation's running totals, merged page by page (bounded: items stop
// at report.MaxItems, the rest is counted).
type ReconcileTally struct {
	Objects   int                     `json:"objects"`
	Healed    int                     `json:"healed"`
	Totals    []report.CurrencyTotals `json:"totals,omitempty"`
	Classes   []report.ClassCount     `json:"classes,omitempty"`
	Items     []report.Item           `json:"items,omitempty"`
	Truncated int                     `json:"truncated,omitempty"`
	Daily     []report.Day            `json:"daily,omitempty"`
	Payouts   []report.Payout         `json:"payouts,omitempty"`
	Anomalies []report.Anomaly        `json:"anomalies,omitempty"`
	Hours     []HourCount             `json:"hours,omitempty"`
	Kinds     []KindTotal             `json:"kinds,omitempty"`
}

// Merge adds one page's findings (deterministic: slices only, no maps).
func (t *ReconcileTally) Merge(p *ReconcilePageResult) {
	t.Objects += p.Objects
	t.Healed += p.Healed
	for _, c := range p.Classes {
		found := false
		for i := range t.Classes {
			if t.Classes[i].Class == c.Class {
				t.Classes[i].Count += c.Count
				found = true
			}
		}
		if !found {
			t.Classes = append(t.Classes, c)
		}
	}
	for _, x := range p.Totals {
		found := false
		for i := range t.Totals {
			if y := &t.Totals[i]; y.Currency == x.Currency {
				y.Provider, y.ERP, y.Count = y.Provider.Add(x.Provider), y.ERP.Add(x.ERP), y.Count+x.Count
				found = true
			}
		}
		if !found {
			t.Totals = append(t.Totals, x)
		}
	}
	for _, d := range p.Daily {
		found := false
		for i := range t.Daily {
			if y := &t.Daily[i]; y.Day == d.Day && y.Currency == d.Currency {
				y.Provider, y.Posted = y.Provider.Add(d.Provider), y.Posted.Add(d.Posted)
				found = true
			}
		}
		if !found {
			t.Daily = append(t.Daily, d)
		}
	}
	room := report.MaxItems - len(t.Items)
	if room >= len(p.Items) {
		t.Items = append(t.Items, p.Items...)
	} else {
		if room > 0 {
			t.Items = append(t.Items, p.Items[:room]...)
		}
		t.Truncated += len(p.Items) - max(room, 0)
	}
	if len(t.Payouts) < report.MaxItems {
		t.Payouts = append(t.Payouts, p.Payouts...)
	}
	if len(t.Anomalies) < report.MaxItems {
		t.Anomalies = append(t.Anomalies, p.Anomalies...)
	}
	t.Hours = mergeHours(t.Hours, p.Hours)
	t.Kinds = mergeKinds(t.Kinds, p.Kinds)
}

// Discrepancies counts the objects that need a look (everything but posted, healed, not posted).
func (t *ReconcileTally) Discrepancies() int {
	n := 0
	for _, c := range t.Classes {
		switch c.Class {
		case report.ClassPosted, report.ClassNotPosting, report.ClassHealed:
		default:
			n += c.Count
		}
	}
	return n
}

// ReportStore keeps reconciliation reports (report.Store, in LEDGERBRIDGE_REPORT_DIR).
type ReportStore interface {
	Save(r *report.Report) error
	History(provider string, n int) []report.HistoryPoint
}

// WriteReportInput is a finished reconciliation.
type WriteReportInput struct {
	Provider string         `json:"provider"`
	From     time.Time      `json:"from"`
	To       time.Time      `json:"to"`
	Tally    ReconcileTally `json:"tally"`
}

// WriteReportResult names the saved report.
type WriteReportResult struct {
	ReportID string `json:"reportId"`
	Path     string `json:"path"`
}

// WriteReport saves the reconciliation's report (JSON and HTML) in the report folder, with the
// discrepancy history of the provider's earlier runs for its chart.
func (a *Activities) WriteReport(ctx context.Context, in *WriteReportInput) (*WriteReportResult, error) {
	st := a.Reports
	if st == nil {
		return nil, validation("no report folder configured (LEDGERBRIDGE_REPORT_DIR)")
	}
	info := activity.GetInfo(ctx)
	run := info.WorkflowExecution.RunID
	id := fmt.Sprintf("%s-%s-%s-%s", in.Provider, in.From.UTC().Format("20060102T150405Z"), in.To.UTC().Format("20060102T150405Z"), run[:min(8, len(run))])
	t := in.Tally
	sort.SliceStable(t.Daily, func(i, j int) bool {
		if t.Daily[i].Day != t.Daily[j].Day {
			return t.Daily[i].Day < t.Daily[j].Day
		}
		return t.Daily[i].Currency < t.Daily[j].Currency
	})
	r := &report.Report{ID: id, Provider: in.Provider, ERP: a.ERP.Name(), From: in.From, To: in.To, GeneratedAt: time.Now().UTC(),
		WorkflowID: info.WorkflowExecution.ID, RunID: run, WebUI: a.Settings.WebUI, Objects: t.Objects, Totals: t.Totals,
		Classes: t.Classes, Items: t.Items, Truncated: t.Truncated, Daily: t.Daily, Payouts: t.Payouts,
		History: st.History(in.Provider, 30), Anomalies: append(append([]report.Anomaly(nil), t.Anomalies...), windowAnomalies(t.Hours, t.Kinds)...)}
	r.History = append(r.History, report.HistoryPoint{At: r.GeneratedAt, Discrepancies: t.Discrepancies()})
	if err := st.Save(r); err != nil {
		return nil, fmt.Errorf("save report %s: %w", id, err)
	}
	if a.Metrics != nil {
		for _, c := range t.Classes {
			a.Metrics.Reconciled.WithLabelValues(in.Provider, c.Class).Set(float64(c.Count))
		}
	}
	return &WriteReportResult{ReportID: id, Path: filepath.Join(a.Settings.ReportDir, id+".html")}, nil
}
