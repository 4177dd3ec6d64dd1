package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"

	"github.com/ledgerbridge/ledgerbridge/internal/money"
	"github.com/ledgerbridge/ledgerbridge/internal/report"
)

// reportDir is where reconciliation reports are: LEDGERBRIDGE_REPORT_DIR, else
// $LEDGERBRIDGE_DATA_DIR/reports, else .data/reports (what `make run` uses).
func reportDir() string {
	if d := os.Getenv("LEDGERBRIDGE_REPORT_DIR"); d != "" {
		return d
	}
	if d := os.Getenv("LEDGERBRIDGE_DATA_DIR"); d != "" {
		return filepath.Join(d, "reports")
	}
	return filepath.Join(".data", "reports")
}

func (a *app) reportCommand() *cobra.Command {
	var (
		dir                   string
		open, asJSON, listAll bool
		items                 int
	)
	c := &cobra.Command{
		Use:   "report [REPORT-ID]",
		Short: "Show a reconciliation report (the latest by default)",
		Long: `Show a reconciliation report from the report folder (LEDGERBRIDGE_REPORT_DIR, else
$LEDGERBRIDGE_DATA_DIR/reports, else .data/reports): totals per currency (provider vs ERP),
objects per class and the first discrepancies. Without an ID, the latest report. --json prints the
report's JSON, --open opens its HTML page in a browser (xdg-open), --list lists the reports.`,
		Example: `  ledgerbridge report
  ledgerbridge report stripe-20261101T000000Z-20261201T000000Z-1a2b3c4d --json
  ledgerbridge report --open
  ledgerbridge report --list`,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usagef("%s takes at most one report ID, got %d arguments", c.CommandPath(), len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if dir == "" {
				dir = reportDir()
			}
			st, err := openStore(dir)
			if err != nil {
				return err
			}
			if listAll {
				list, err := st.List()
				if err != nil {
					return err
				}
				if len(list) == 0 {
					return fmt.Errorf("no reports in %s yet: run ledgerbridge reconcile", dir)
				}
				tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
				fmt.Fprintln(tw, "REPORT ID\tPROVIDER\tFROM\tTO\tGENERATED\tOBJECTS\tDISCREPANCIES")
				for _, r := range list {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%d\n", r.ID, r.Provider, day(r.From), day(r.To),
						r.GeneratedAt.Local().Format("2006-01-02 15:04"), r.Objects, r.Discrepancies)
				}
				return tw.Flush()
			}
			id := ""
			if len(args) == 1 {
				id = args[0]
			} else {
				list, err := st.List()
				if err != nil {
					return err
				}
				if len(list) == 0 {
					return fmt.Errorf("no reports in %s yet: run ledgerbridge reconcile", dir)
				}
				id = list[0].ID
			}
			r, err := st.Get(id)
			switch {
			case errors.Is(err, report.ErrNotFound):
				return fmt.Errorf("no report %q in %s (ledgerbridge report --list shows them)", id, dir)
			case errors.Is(err, report.ErrInvalidID):
				return usagef("%q is not a report ID (ledgerbridge report --list shows them)", id)
			case err != nil:
				return fmt.Errorf("report %s: %s", id, oneLine(err.Error()))
			}
			path := filepath.Join(st.Dir(), r.ID+".json")
			switch {
			case asJSON:
				b, err := os.ReadFile(path)
				if err != nil {
					return fmt.Errorf("read report: %v", err)
				}
				_, err = a.stdout.Write(b)
				return err
			case open:
				html, _ := st.HTMLPath(r.ID)
				if _, err := os.Stat(html); err != nil {
					return fmt.Errorf("report %s has no HTML page at %s", r.ID, html)
				}
				if err := exec.Command("xdg-open", html).Run(); err != nil {
					fmt.Fprintf(a.stdout, "could not open a browser (%s); the report is at %s\n", oneLine(err.Error()), html)
					return nil
				}
				fmt.Fprintf(a.stdout, "opened %s\n", html)
				return nil
			}
			printReport(a.stdout, r, path, items)
			return nil
		},
	}
	fl := c.Flags()
	fl.StringVar(&dir, "dir", "", "report folder (default $LEDGERBRIDGE_REPORT_DIR, $LEDGERBRIDGE_DATA_DIR/reports or .data/reports)")
	fl.BoolVar(&open, "open", false, "open the report's HTML page with xdg-open (prints its path when that fails)")
	fl.BoolVar(&asJSON, "json", false, "print the report's JSON")
	fl.BoolVar(&listAll, "list", false, "list the reports, newest first")
	fl.IntVar(&items, "items", 10, "how many discrepancies to show")
	return c
}

// openStore opens the report folder for reading (a missing folder is an error, not created).
func openStore(dir string) (*report.Store, error) {
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("no report folder %s (set LEDGERBRIDGE_REPORT_DIR, or run ledgerbridge reconcile first)", dir)
	}
	return report.NewStore(dir)
}

func day(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	u := t.UTC()
	if u.Equal(u.Truncate(24 * time.Hour)) {
		return u.Format("2006-01-02")
	}
	return u.Format(time.RFC3339)
}

func printReport(w io.Writer, r *report.Report, path string, items int) {
	fmt.Fprintf(w, "Report %s\n", r.ID)
	erp := r.ERP
	if erp == "" {
		erp = "the ERP"
	}
	fmt.Fprintf(w, "%s → %s, %s to %s, generated %s: %s, %s\n", r.Provider, erp, day(r.From), day(r.To),
		r.GeneratedAt.Local().Format("2006-01-02 15:04:05"), plural(r.Objects, "object"), plural(r.Discrepancies(), "discrepancy"))
	if r.WorkflowID != "" {
		fmt.Fprintf(w, "run %s", r.WorkflowID)
		if u := report.RunURL(r.WebUI, r.WorkflowID, r.RunID); u != "" {
			fmt.Fprintf(w, "  %s", u)
		}
		fmt.Fprintln(w)
	}

	if len(r.Totals) > 0 {
		fmt.Fprintln(w)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "CURRENCY\tPROVIDER\tERP\tDIFFERENCE\tOBJECTS\t")
		for _, t := range r.Totals {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t\n", money.Currency(t.Currency), report.FormatAmount(t.Provider, t.Currency),
				report.FormatAmount(t.ERP, t.Currency), report.FormatAmount(t.Provider.Sub(t.ERP), t.Currency), t.Count)
		}
		tw.Flush()
	}
	if len(r.Classes) > 0 {
		m := map[string]int{}
		for _, c := range r.Classes {
			m[c.Class] += c.Count
		}
		var parts []string
		for _, c := range sortedClasses(m) {
			parts = append(parts, fmt.Sprintf("%s %d", c, m[c]))
		}
		fmt.Fprintf(w, "\nclasses: %s\n", strings.Join(parts, " · "))
	}
	total := len(r.Items) + r.Truncated
	if total > 0 && items > 0 {
		shown := min(items, len(r.Items))
		fmt.Fprintf(w, "\ndiscrepancies (first %d of %d):\n", shown, total)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "CLASS\tOBJECT\tKIND\tAMOUNT\tERP AMOUNT\tERP DOCUMENT\tREASON")
		for _, it := range r.Items[:shown] {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", it.Class, it.Object, dash(it.Kind), amount(it.Amount, it.Currency),
				amount(it.ERPAmount, it.Currency), dash(it.ERPDocument), oneLine(it.Reason))
		}
		tw.Flush()
	} else if total == 0 {
		fmt.Fprintln(w, "\nno discrepancies")
	}
	if len(r.Anomalies) > 0 {
		fmt.Fprintf(w, "\nanomalies: %d (e.g. %s on %s: %s)\n", len(r.Anomalies), r.Anomalies[0].Rule, r.Anomalies[0].Object, oneLine(r.Anomalies[0].Detail))
	}
	html := strings.TrimSuffix(path, ".json") + ".html"
	fmt.Fprintf(w, "\nfile %s", path)
	if _, err := os.Stat(html); err == nil {
		fmt.Fprintf(w, " (page: %s, or ledgerbridge report --open)", html)
	}
	fmt.Fprintln(w)
}

// amount prints an amount with its currency's ISO 4217 exponent ("-" for none).
func amount(d decimal.Decimal, currency string) string {
	if d.IsZero() {
		return "-"
	}
	if currency == "" {
		return d.String()
	}
	return report.FormatAmount(d, currency) + " " + money.Currency(currency)
}
