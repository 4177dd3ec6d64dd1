package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/converter"

	"github.com/ledgerbridge/ledgerbridge/workflows"
)

func (a *app) runsCommand() *cobra.Command {
	c := &cobra.Command{
		Use:   "runs",
		Short: "Find, explain, retry and abandon runs (parked ones above all)",
		Long: `A run that cannot proceed because of data (unknown item, bad GL account, a field the ERP
requires) parks: it stays open with LedgerStatus NeedsAttention, answers the status query with the
ERP's own message, and waits for an operator to retry it (optionally with corrections) or abandon it
(what it posted is voided).`,
		Example: `  ledgerbridge runs list --parked
  ledgerbridge runs explain order-to-cash/stripe/ch_3Px…
  ledgerbridge runs retry order-to-cash/stripe/ch_3Px… --set itemId=WIDGET
  ledgerbridge runs abandon order-to-cash/stripe/ch_3Px… --reason "booked by hand"`,
		Args: noArgs,
		RunE: helpOnly,
	}
	c.AddCommand(a.runsListCommand(), a.runsExplainCommand(), a.runsRetryCommand(), a.runsAbandonCommand())
	return c
}

// runRow is one run as `runs list` shows it.
type runRow struct {
	WorkflowID     string     `json:"workflowId"`
	RunID          string     `json:"runId"`
	Type           string     `json:"type"`
	Execution      string     `json:"executionStatus"`
	LedgerStatus   string     `json:"ledgerStatus,omitempty"`
	NeedsAttention bool       `json:"needsAttention"`
	Provider       string     `json:"provider,omitempty"`
	Object         string     `json:"object,omitempty"`
	Amount         *float64   `json:"amount,omitempty"`
	ERPDocument    string     `json:"erpDocument,omitempty"`
	Started        time.Time  `json:"started"`
	Closed         *time.Time `json:"closed,omitempty"`
	URL            string     `json:"url"`
}

// status is LedgerStatus, or the execution status for runs that set none.
func (r runRow) status() string {
	if r.LedgerStatus != "" {
		if r.Execution != "Running" && r.Execution != "Completed" {
			return r.LedgerStatus + " (" + r.Execution + ")"
		}
		return r.LedgerStatus
	}
	return r.Execution
}

// searchAttrs decodes a run's search attributes (never encrypted: Temporal indexes them).
func searchAttrs(sa *commonpb.SearchAttributes) map[string]any {
	out := map[string]any{}
	dc := converter.GetDefaultDataConverter()
	for k, p := range sa.GetIndexedFields() {
		var v any
		if err := dc.FromPayload(p, &v); err == nil {
			out[k] = v
		}
	}
	return out
}

func str(m map[string]any, k string) string {
	switch v := m[k].(type) {
	case string:
		return v
	case []any:
		if len(v) > 0 {
			s, _ := v[0].(string)
			return s
		}
	}
	return ""
}

func (a *app) rowOf(info *workflowpb.WorkflowExecutionInfo) runRow {
	sa := searchAttrs(info.GetSearchAttributes())
	r := runRow{
		WorkflowID: info.GetExecution().GetWorkflowId(), RunID: info.GetExecution().GetRunId(), Type: info.GetType().GetName(),
		Execution: info.GetStatus().String(), LedgerStatus: str(sa, workflows.SALedgerStatus.GetName()),
		Provider: str(sa, workflows.SAProvider.GetName()), Object: str(sa, workflows.SAProviderObject.GetName()),
		ERPDocument: str(sa, workflows.SAErpDocument.GetName()), Started: info.GetStartTime().AsTime(),
	}
	r.NeedsAttention, _ = sa[workflows.SANeedsAttention.GetName()].(bool)
	if v, ok := sa[workflows.SAAmount.GetName()].(float64); ok {
		r.Amount = &v
	}
	if info.GetCloseTime() != nil {
		t := info.GetCloseTime().AsTime()
		r.Closed = &t
	}
	r.URL = a.runURL(r.WorkflowID, r.RunID)
	return r
}

// listRuns pages through the runs matching query, up to limit.
func (a *app) listRuns(ctx context.Context, query string, limit int) ([]runRow, error) {
	tc, err := a.client(ctx)
	if err != nil {
		return nil, err
	}
	var rows []runRow
	var token []byte
	for {
		size := min(limit-len(rows), 1000)
		cctx, cancel := a.callCtx(ctx)
		resp, err := tc.ListWorkflow(cctx, &workflowservice.ListWorkflowExecutionsRequest{Query: query, PageSize: int32(size), NextPageToken: token})
		cancel()
		if err != nil {
			if nerr := a.namespaceError(err); nerr != nil {
				return nil, nerr
			}
			var ia *serviceerror.InvalidArgument
			if errors.As(err, &ia) {
				return nil, usagef("Temporal refused the visibility query %s: %s", query, ia.Message)
			}
			if isDeadline(err) {
				return nil, fmt.Errorf("listing runs: Temporal did not answer in %s", a.timeout)
			}
			return nil, fmt.Errorf("listing runs: %s", oneLine(err.Error()))
		}
		for _, info := range resp.GetExecutions() {
			if len(rows) < limit {
				rows = append(rows, a.rowOf(info))
			}
		}
		token = resp.GetNextPageToken()
		if len(token) == 0 || len(rows) >= limit {
			return rows, nil
		}
	}
}

func printRuns(w io.Writer, rows []runRow) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "WORKFLOW ID\tTYPE\tSTATUS\tOBJECT\tAMOUNT\tERP DOCUMENT\tSTARTED")
	for _, r := range rows {
		amount := ""
		if r.Amount != nil {
			amount = formatAmount(*r.Amount)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.WorkflowID, r.Type, r.status(), dash(r.Object), dash(amount),
			dash(r.ERPDocument), r.Started.Local().Format("2006-01-02 15:04:05"))
	}
	tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func (a *app) runsListCommand() *cobra.Command {
	var (
		f            listFilter
		since, extra string
		limit        int
		asJSON       bool
	)
	c := &cobra.Command{
		Use:   "list",
		Short: "List runs by search attribute (parked ones with --parked)",
		Long: `List runs from Temporal's visibility store, filtered by ledgerbridge's search attributes:
--parked is NeedsAttention = true, --provider is Provider, --status is LedgerStatus, --since is
StartTime >= the time. --query adds any visibility query (ANDed). Newest first.`,
		Example: `  ledgerbridge runs list --parked
  ledgerbridge runs list --provider stripe --status Posted --since 24h
  ledgerbridge runs list --since 2026-12-01 --limit 500 --json
  ledgerbridge runs list --query 'Amount > 1000'`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if limit <= 0 {
				return usagef("--limit %d: want a positive number", limit)
			}
			var err error
			if f.Provider != "" {
				if f.Provider, err = oneOf("provider", f.Provider, providers); err != nil {
					return err
				}
			}
			if f.Status != "" {
				if f.Status, err = oneOf("status", f.Status, ledgerStatuses); err != nil {
					return err
				}
			}
			if f.Since, err = parseSince("since", since, time.Now()); err != nil {
				return err
			}
			for _, v := range []struct{ name, v string }{{"provider", f.Provider}, {"status", f.Status}} {
				if err := checkValue(v.name, v.v); err != nil {
					return err
				}
			}
			f.Extra = extra
			q := f.query()
			rows, err := a.listRuns(cmd.Context(), q, limit)
			if err != nil {
				return err
			}
			if asJSON {
				if rows == nil {
					rows = []runRow{}
				}
				return writeJSON(a.stdout, rows)
			}
			if len(rows) == 0 {
				if q == "" {
					fmt.Fprintln(a.stdout, "no runs")
				} else {
					fmt.Fprintf(a.stdout, "no runs match %s\n", q)
				}
				return nil
			}
			printRuns(a.stdout, rows)
			if len(rows) == limit {
				fmt.Fprintf(a.stderr, "(first %d; --limit shows more)\n", limit)
			}
			return nil
		},
	}
	fl := c.Flags()
	fl.BoolVar(&f.Parked, "parked", false, "only runs that wait for an operator (NeedsAttention = true)")
	fl.StringVar(&f.Provider, "provider", "", "only runs of this provider: stripe or paytrace")
	fl.StringVar(&f.Status, "status", "", "only runs with this LedgerStatus: "+joinKnown(ledgerStatuses))
	fl.StringVar(&since, "since", "", "only runs started since: a duration back (24h, 7d), a date (2026-12-01, UTC) or an RFC 3339 time")
	fl.StringVar(&extra, "query", "", "an extra visibility query, ANDed (e.g. 'Amount > 1000')")
	fl.IntVar(&limit, "limit", 50, "show at most this many runs")
	fl.BoolVar(&asJSON, "json", false, "print JSON instead of a table")
	return c
}

// describe fetches a run by workflow ID (its latest run).
func (a *app) describe(ctx context.Context, id string) (*workflowservice.DescribeWorkflowExecutionResponse, error) {
	tc, err := a.client(ctx)
	if err != nil {
		return nil, err
	}
	cctx, cancel := a.callCtx(ctx)
	defer cancel()
	desc, err := tc.DescribeWorkflow(cctx, id, "")
	if err != nil {
		return nil, a.temporalError(err, id, "describe")
	}
	return desc.RawResponse, nil
}

// isRunning reports whether the described run is open.
func isRunning(d *workflowservice.DescribeWorkflowExecutionResponse) bool {
	return d.GetWorkflowExecutionInfo().GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING
}

// oneID is the Args of commands that take one workflow ID.
func oneID(c *cobra.Command, args []string) error {
	if len(args) != 1 {
		return usagef("%s needs one workflow ID, got %d arguments (see --help)", c.CommandPath(), len(args))
	}
	if strings.TrimSpace(args[0]) == "" {
		return usagef("%s: the workflow ID is empty", c.CommandPath())
	}
	return nil
}

// closedError says a run cannot take a signal any more.
func closedError(r runRow, what string) error {
	return fmt.Errorf("run %s has already finished (%s): there is nothing to %s", r.WorkflowID, r.status(), what)
}

// notParkedError says a run is not waiting for an operator.
func notParkedError(r runRow, what string) error {
	return fmt.Errorf("run %s is not parked (LedgerStatus %s): %s only applies to a run that waits for an operator; --force sends it anyway",
		r.WorkflowID, dash(r.LedgerStatus), what)
}
