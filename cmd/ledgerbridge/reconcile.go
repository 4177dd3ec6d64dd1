package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/ledgerbridge/ledgerbridge/internal/report"
	"github.com/ledgerbridge/ledgerbridge/workflows"
)

// followOptions say whether to wait for a reconciliation and how to show it.
type followOptions struct {
	detach bool
	wait   bool
	asJSON bool
}

func (f *followOptions) flags(c *cobra.Command) {
	c.Flags().BoolVar(&f.wait, "wait", true, "wait for the result, with a progress bar (the default)")
	c.Flags().BoolVar(&f.detach, "detach", false, "start it and return at once (the opposite of --wait)")
	c.Flags().BoolVar(&f.asJSON, "json", false, "print the result as JSON")
}

func (f *followOptions) waits() bool { return f.wait && !f.detach }

func (a *app) reconcileCommand() *cobra.Command {
	var (
		provider, from, to string
		noHeal             bool
		follow             followOptions
	)
	c := &cobra.Command{
		Use:   "reconcile --provider stripe|paytrace --from DATE [--to DATE]",
		Short: "Reconcile a provider's objects in a window against the ERP, and heal what is missing",
		Long: `Start the Reconcile workflow for one provider over [--from, --to): it lists the provider's
objects in the window, classifies each against the ERP and its run (posted, missing, mismatch,
duplicate, parked, in flight, not posted), starts the run of each missing object by its normal
workflow ID (so healing can never post twice; --no-heal only reports) and writes the report.

The workflow ID is derived from the window, so asking for the same window while it runs joins
it. By default the command waits and shows a progress bar fed by the workflow's progress query;
--detach returns at once. Dates are UTC (2026-12-01 is midnight UTC) or RFC 3339 times.`,
		Example: `  ledgerbridge reconcile --provider stripe --from 2026-11-01 --to 2026-12-01
  ledgerbridge reconcile --provider paytrace --from 2026-12-01T00:00:00Z --no-heal --detach`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			now := time.Now()
			p, err := oneOf("provider", provider, providers)
			if provider == "" {
				return usagef("--provider is required: stripe or paytrace")
			}
			if err != nil {
				return err
			}
			if from == "" {
				return usagef("--from is required: the start of the window (e.g. 2026-11-01)")
			}
			f, err := parseTime("from", from, now)
			if err != nil {
				return err
			}
			t, err := parseTime("to", to, now)
			if err != nil {
				return err
			}
			if !f.Before(t) {
				return usagef("--from %s is not before --to %s", f.Format(time.RFC3339), t.Format(time.RFC3339))
			}
			in := &workflows.ReconcileInput{Provider: p, From: f, To: t, Heal: !noHeal}
			return a.startReconcile(cmd.Context(), workflows.ReconcileID(p, f, t, false), in, follow)
		},
	}
	fl := c.Flags()
	fl.StringVar(&provider, "provider", "", "provider to reconcile: stripe or paytrace (required)")
	fl.StringVar(&from, "from", "", "start of the window, inclusive: a date (UTC) or an RFC 3339 time (required)")
	fl.StringVar(&to, "to", "now", "end of the window, exclusive: a date (UTC), an RFC 3339 time or now")
	fl.BoolVar(&noHeal, "no-heal", false, "only report: do not start the runs of missing objects")
	follow.flags(c)
	return c
}

func (a *app) backfillCommand() *cobra.Command {
	var (
		provider, since, until string
		follow                 followOptions
	)
	c := &cobra.Command{
		Use:   "backfill --since DATE [--provider stripe|paytrace] [--until DATE]",
		Short: "Import everything since a date (historical backfill), resumable",
		Long: `Start a backfill: the Reconcile workflow with Backfill and Heal on, which starts the run of every
object in the window that is not in the ERP yet (by its normal workflow ID: never twice), throttled
so that live traffic keeps its share of the provider's and the ERP's rate limits.

It is resumable: the workflow keeps its cursor across worker crashes, and running the same
command again joins the backfill that is still running (without --until, the running backfill of
the provider from the same --since is joined). Without --provider, each configured provider
(LEDGERBRIDGE_PROVIDERS) is backfilled in turn.`,
		Example: `  ledgerbridge backfill --since 2026-01-01
  ledgerbridge backfill --since 2026-01-01 --provider stripe --until 2026-07-01
  ledgerbridge backfill --since 2026-01-01 --provider paytrace --detach`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			now := time.Now()
			if since == "" {
				return usagef("--since is required: the first day to import (e.g. 2026-01-01)")
			}
			f, err := parseTime("since", since, now)
			if err != nil {
				return err
			}
			var t time.Time
			if until != "" {
				if t, err = parseTime("until", until, now); err != nil {
					return err
				}
				if !f.Before(t) {
					return usagef("--since %s is not before --until %s", f.Format(time.RFC3339), t.Format(time.RFC3339))
				}
			}
			var ps []string
			if provider != "" {
				p, err := oneOf("provider", provider, providers)
				if err != nil {
					return err
				}
				ps = []string{p}
			} else {
				cfg, err := a.config()
				if err != nil {
					return err
				}
				ps = cfg.Providers
			}
			for _, p := range ps {
				id := ""
				to := t
				if to.IsZero() {
					// Resume: a running backfill of p from the same start is joined, whatever its end.
					if id, err = a.runningBackfill(cmd.Context(), p, f); err != nil {
						return err
					}
					to = now.UTC().Truncate(time.Second)
				}
				if !f.Before(to) {
					return usagef("--since %s is in the future", f.Format(time.RFC3339))
				}
				in := &workflows.ReconcileInput{Provider: p, From: f, To: to, Heal: true, Backfill: true}
				if id == "" {
					id = workflows.ReconcileID(p, f, to, true)
				}
				if err := a.startReconcile(cmd.Context(), id, in, follow); err != nil {
					return err
				}
			}
			return nil
		},
	}
	fl := c.Flags()
	fl.StringVar(&since, "since", "", "first day to import: a date (UTC) or an RFC 3339 time (required)")
	fl.StringVar(&until, "until", "", "end of the import, exclusive: a date, an RFC 3339 time or now (default now, or the end of the running backfill)")
	fl.StringVar(&provider, "provider", "", "provider to import from: stripe or paytrace (default: every configured provider)")
	follow.flags(c)
	return c
}

// runningBackfill finds the open backfill of provider that started its window at from.
func (a *app) runningBackfill(ctx context.Context, provider string, from time.Time) (string, error) {
	prefix := strings.TrimSuffix(workflows.ReconcileID(provider, from, from, true), from.UTC().Format("20060102T150405Z"))
	q := fmt.Sprintf("(WorkflowType = %s OR WorkflowType = %s) AND ExecutionStatus = 'Running'",
		quote(workflows.ReconcileWorkflowName), quote("ReconcileContinued"))
	rows, err := a.listRuns(ctx, q, 1000)
	if err != nil {
		return "", err
	}
	for _, r := range rows {
		if strings.HasPrefix(r.WorkflowID, prefix) {
			return r.WorkflowID, nil
		}
	}
	return "", nil
}

// startReconcile starts (or joins) the reconciliation id and, unless detached, follows it to its
// result.
func (a *app) startReconcile(ctx context.Context, id string, in *workflows.ReconcileInput, follow followOptions) error {
	cfg, err := a.config()
	if err != nil {
		return err
	}
	tc, err := a.client(ctx)
	if err != nil {
		return err
	}
	joined := false
	if d, err := a.describe(ctx, id); err == nil && isRunning(d) {
		joined = true
	}
	cctx, cancel := a.callCtx(ctx)
	run, err := tc.ExecuteWorkflow(cctx, client.StartWorkflowOptions{
		ID: id, TaskQueue: cfg.TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
	}, workflows.ReconcileWorkflowName, in)
	cancel()
	if err != nil {
		return a.temporalError(err, id, "start")
	}
	kind := "reconciliation"
	if in.Backfill {
		kind = "backfill"
	}
	verb := "started"
	if joined {
		verb = "joined the running"
	}
	fmt.Fprintf(a.stderr, "%s %s %s (%s %s → %s, heal %v)\n", verb, kind, id, in.Provider,
		in.From.UTC().Format(time.RFC3339), in.To.UTC().Format(time.RFC3339), in.Heal)
	if !follow.waits() {
		fmt.Fprintf(a.stdout, "%s\n", id)
		fmt.Fprintf(a.stderr, "follow it in Temporal Web UI: %s\n", a.runURL(id, ""))
		return nil
	}
	res, err := a.follow(ctx, run, id)
	if err != nil {
		return err
	}
	if follow.asJSON {
		return writeJSON(a.stdout, res)
	}
	a.printReconcileResult(a.stdout, id, res)
	return nil
}

// follow shows the reconciliation's progress (its progress query every 500 ms) until it ends.
func (a *app) follow(ctx context.Context, run client.WorkflowRun, id string) (*workflows.ReconcileResult, error) {
	tc, err := a.client(ctx)
	if err != nil {
		return nil, err
	}
	var (
		res  workflows.ReconcileResult
		werr error
		done = make(chan struct{})
	)
	go func() {
		werr = run.Get(ctx, &res) // follows continue-as-new to the last run
		close(done)
	}()
	bar := newProgress(a.stderr, isTerminal(a.stderr))
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	var silentSince time.Time
	warned := false
	for {
		select {
		case <-done:
			bar.finish()
			if werr != nil {
				if ctx.Err() != nil {
					return nil, fmt.Errorf("interrupted: %s goes on; run the same command again to follow it", id)
				}
				return nil, fmt.Errorf("%s failed: %s", id, workflowFailure(werr))
			}
			return &res, nil
		case <-ctx.Done():
			bar.finish()
			return nil, fmt.Errorf("interrupted: %s goes on; run the same command again to follow it", id)
		case <-tick.C:
			qctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			v, err := tc.QueryWorkflow(qctx, id, "", workflows.QueryProgress)
			cancel()
			if err != nil {
				if silentSince.IsZero() {
					silentSince = time.Now()
				}
				if !warned && isDeadline(err) && time.Since(silentSince) > a.timeout {
					bar.note(fmt.Sprintf("no worker answered the progress query of %s: is the worker running? (still waiting)", id))
					warned = true
				}
				continue
			}
			silentSince = time.Time{}
			var p workflows.ReconcileProgress
			if v.Get(&p) == nil {
				bar.update(p)
			}
		}
	}
}

// workflowFailure is the innermost application error of a failed workflow, in one line.
func workflowFailure(err error) string {
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		if appErr.Type() != "" {
			return oneLine(appErr.Type() + ": " + appErr.Message())
		}
		return oneLine(appErr.Message())
	}
	var te *temporal.TimeoutError
	if errors.As(err, &te) {
		return "timed out"
	}
	var ce *temporal.CanceledError
	if errors.As(err, &ce) {
		return "cancelled"
	}
	var term *temporal.TerminatedError
	if errors.As(err, &term) {
		return "terminated"
	}
	return oneLine(err.Error())
}

// progress shows a reconciliation's progress: a progress bar on a terminal, a line per phase
// (and every 10 s) otherwise.
type progress struct {
	w        io.Writer
	bar      *progressbar.ProgressBar
	last     workflows.ReconcileProgress
	lastLine time.Time
	started  bool
}

func newProgress(w io.Writer, tty bool) *progress {
	p := &progress{w: w}
	if tty {
		p.bar = progressbar.NewOptions(-1, progressbar.OptionSetWriter(w), progressbar.OptionSetDescription("starting"),
			progressbar.OptionShowCount(), progressbar.OptionSetItsString("objects"), progressbar.OptionShowIts(),
			progressbar.OptionSpinnerType(14), progressbar.OptionSetElapsedTime(true),
			progressbar.OptionSetRenderBlankState(true))
	}
	return p
}

func (p *progress) update(st workflows.ReconcileProgress) {
	desc := st.Phase
	if st.Healed > 0 {
		desc += fmt.Sprintf(", %d healed", st.Healed)
	}
	if p.bar != nil {
		if st.Total > 0 && p.bar.GetMax() != st.Total {
			p.bar.ChangeMax(st.Total)
		}
		p.bar.Describe(fmt.Sprintf("%-24s", desc))
		_ = p.bar.Set(st.Done)
		p.last = st
		return
	}
	if !p.started || st.Phase != p.last.Phase || time.Since(p.lastLine) >= 10*time.Second && st != p.last {
		fmt.Fprintf(p.w, "%s: %d objects\n", desc, st.Done)
		p.lastLine = time.Now()
		p.started = true
	}
	p.last = st
}

func (p *progress) note(s string) {
	if p.bar != nil {
		_ = p.bar.Clear()
	}
	fmt.Fprintln(p.w, s)
}

func (p *progress) finish() {
	if p.bar != nil {
		_ = p.bar.Finish()
		fmt.Fprintln(p.w)
	}
}

// classOrder is the order classes are printed in.
var classOrder = []string{report.ClassPosted, report.ClassNotPosting, report.ClassHealed, report.ClassMissing, report.ClassMismatch,
	report.ClassDuplicate, report.ClassOrphan, report.ClassParked, report.ClassInFlight}

func sortedClasses(m map[string]int) []string {
	rank := map[string]int{}
	for i, c := range classOrder {
		rank[c] = i + 1
	}
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		ri, rj := rank[keys[i]], rank[keys[j]]
		if ri == 0 {
			ri = len(classOrder) + 1
		}
		if rj == 0 {
			rj = len(classOrder) + 1
		}
		if ri != rj {
			return ri < rj
		}
		return keys[i] < keys[j]
	})
	return keys
}

func (a *app) printReconcileResult(w io.Writer, id string, res *workflows.ReconcileResult) {
	fmt.Fprintf(w, "%s done: %s, %d healed, %s\n", id, plural(res.Objects, "object"), res.Healed, plural(res.Discrepancies, "discrepancy"))
	var parts []string
	for _, c := range sortedClasses(res.Classes) {
		parts = append(parts, fmt.Sprintf("%s %d", c, res.Classes[c]))
	}
	if len(parts) > 0 {
		fmt.Fprintf(w, "  classes  %s\n", strings.Join(parts, " · "))
	}
	if res.ReportID != "" {
		fmt.Fprintf(w, "  report   %s\n", res.ReportID)
		if a.cfg != nil {
			fmt.Fprintf(w, "           %s (Authorization: Bearer <LEDGERBRIDGE_ADMIN_TOKEN>)\n", a.reportURL(res.ReportID))
		}
		fmt.Fprintf(w, "           %s (on the worker's host)\n", filepath.Join(reportDir(), res.ReportID+".html"))
		fmt.Fprintf(w, "           ledgerbridge report %s\n", shellQuote(res.ReportID))
	}
}

// reportURL is the report's page on the gateway's internal listener.
func (a *app) reportURL(id string) string {
	addr := "127.0.0.1:8081"
	if a.cfg != nil && a.cfg.GatewayInternalAddr != "" {
		addr = a.cfg.GatewayInternalAddr
	}
	if host, port, err := net.SplitHostPort(addr); err == nil && (host == "" || host == "0.0.0.0" || host == "::") {
		addr = net.JoinHostPort("127.0.0.1", port)
	}
	return "http://" + addr + "/admin/reports/" + id
}
