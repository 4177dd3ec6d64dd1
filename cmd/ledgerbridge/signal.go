package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ledgerbridge/ledgerbridge/activities"
	"github.com/ledgerbridge/ledgerbridge/workflows"
)

// correctionKeys are the JSON names of activities.Corrections' fields (what --set accepts).
func correctionKeys() []string {
	t := reflect.TypeOf(activities.Corrections{})
	var keys []string
	for i := range t.NumField() {
		if name := jsonName(t.Field(i)); name != "" {
			keys = append(keys, name)
		}
	}
	sort.Strings(keys)
	return keys
}

func jsonName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if name == "-" {
		return ""
	}
	if name == "" {
		return f.Name
	}
	return name
}

// parseCorrections turns --set key=value pairs (and --skip-write-back) into the corrections of a
// retry signal. An unknown key is a usage error naming the known ones.
func parseCorrections(sets []string, skipWriteBack bool) (activities.Corrections, error) {
	var c activities.Corrections
	v := reflect.ValueOf(&c).Elem()
	t := v.Type()
	for _, s := range sets {
		key, val, ok := strings.Cut(s, "=")
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		if !ok || key == "" {
			return c, usagef("--set %q: want key=value, e.g. --set itemId=WIDGET (keys: %s)", s, joinKnown(correctionKeys()))
		}
		field := -1
		for i := range t.NumField() {
			if strings.EqualFold(jsonName(t.Field(i)), key) {
				field = i
			}
		}
		if field < 0 {
			return c, usagef("--set %s: unknown correction %q; known keys are %s", s, key, joinKnown(correctionKeys()))
		}
		name := jsonName(t.Field(field))
		if val == "" {
			return c, usagef("--set %s: %s needs a value", s, name)
		}
		switch fv := v.Field(field); fv.Kind() {
		case reflect.String:
			if err := checkValue("set", val); err != nil {
				return c, err
			}
			fv.SetString(val)
		case reflect.Bool:
			b, err := strconv.ParseBool(val)
			if err != nil {
				return c, usagef("--set %s: %s wants true or false", s, name)
			}
			fv.SetBool(b)
		default:
			return c, usagef("--set %s: %s cannot be set from the command line", s, name)
		}
	}
	if skipWriteBack {
		c.SkipWriteBack = true
	}
	return c, nil
}

// signalSpec is one operator signal: its name, argument and the check a run must pass.
type signalSpec struct {
	verb  string // "retry" or "abandon"
	name  string // the signal name
	arg   any
	force bool
	// eligible says why a run cannot take the signal, or "" when it can.
	eligible func(r runRow) string
	// describe says what is sent, for messages.
	describe string
}

func retrySpec(c activities.Corrections, force bool) signalSpec {
	b, _ := json.Marshal(workflows.RetrySignal{Corrections: c})
	return signalSpec{verb: "retry", name: workflows.SignalRetry, arg: workflows.RetrySignal{Corrections: c}, force: force,
		describe: "retry " + string(b),
		eligible: func(r runRow) string {
			if r.NeedsAttention || r.LedgerStatus == workflows.StatusNeedsAttention {
				return ""
			}
			return fmt.Sprintf("not parked (LedgerStatus %s)", dash(r.LedgerStatus))
		}}
}

func abandonSpec(reason string, force bool) signalSpec {
	b, _ := json.Marshal(workflows.AbandonSignal{Reason: reason})
	return signalSpec{verb: "abandon", name: workflows.SignalAbandon, arg: workflows.AbandonSignal{Reason: reason}, force: force,
		describe: "abandon " + string(b),
		eligible: func(r runRow) string {
			// A parked run, or one waiting on durable timers (a refund waiting for its charge),
			// is for operators to end; a run that is working is not, unless forced.
			switch {
			case r.NeedsAttention, r.LedgerStatus == workflows.StatusNeedsAttention,
				r.LedgerStatus == workflows.StatusWaiting, r.LedgerStatus == workflows.StatusWaitingCapture:
				return ""
			}
			return fmt.Sprintf("not parked (LedgerStatus %s)", dash(r.LedgerStatus))
		}}
}

// signalOne checks one run by ID and signals it.
func (a *app) signalOne(ctx context.Context, id string, spec signalSpec) error {
	d, err := a.describe(ctx, id)
	if err != nil {
		return err
	}
	r := a.rowOf(d.GetWorkflowExecutionInfo())
	if !isRunning(d) {
		return closedError(r, spec.verb)
	}
	if why := spec.eligible(r); why != "" && !spec.force {
		return notParkedError(r, spec.verb)
	}
	if err := a.send(ctx, r, spec); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "sent %s to %s\n", spec.describe, id)
	fmt.Fprintf(a.stdout, "follow it: ledgerbridge runs explain %s\n", shellQuote(id))
	return nil
}

func (a *app) send(ctx context.Context, r runRow, spec signalSpec) error {
	tc, err := a.client(ctx)
	if err != nil {
		return err
	}
	cctx, cancel := a.callCtx(ctx)
	defer cancel()
	if err := tc.SignalWorkflow(cctx, r.WorkflowID, r.RunID, spec.name, spec.arg); err != nil {
		return a.temporalError(err, r.WorkflowID, spec.verb+" signal")
	}
	return nil
}

// bulkOptions are the flags of a retry or abandon by query.
type bulkOptions struct {
	query       string
	yes, dryRun bool
	limit       int
}

// signalMany lists the open runs matching the query, asks for confirmation, signals each and
// prints a summary. Failures are listed with their reasons and make the exit code 1.
func (a *app) signalMany(ctx context.Context, b bulkOptions, spec signalSpec) error {
	if b.limit <= 0 {
		return usagef("--limit %d: want a positive number", b.limit)
	}
	q := onlyRunning(b.query)
	rows, err := a.listRuns(ctx, q, b.limit)
	if err != nil {
		return err
	}
	if len(rows) == 0 {
		fmt.Fprintf(a.stdout, "no open runs match %s: nothing to %s\n", q, spec.verb)
		return nil
	}
	printRuns(a.stdout, rows)
	if len(rows) == b.limit {
		fmt.Fprintf(a.stdout, "(stopped at --limit %d matches)\n", b.limit)
	}
	if b.dryRun {
		fmt.Fprintf(a.stdout, "dry run: %s would be sent to %s; nothing was sent\n", spec.describe, plural(len(rows), "run"))
		return nil
	}
	if !b.yes {
		if !isTerminal(a.stdin) {
			return usagef("refusing to send %s to %s without confirmation: stdin is not a terminal; pass --yes (or --dry-run to only list)",
				spec.verb, plural(len(rows), "run"))
		}
		fmt.Fprintf(a.stdout, "send %s to these %s? [y/N] ", spec.describe, plural(len(rows), "run"))
		line, _ := bufio.NewReader(a.stdin).ReadString('\n')
		if ans := strings.ToLower(strings.TrimSpace(line)); ans != "y" && ans != "yes" {
			return errors.New("not confirmed: nothing was sent")
		}
	}
	type failure struct{ id, why string }
	var failed []failure
	sent := 0
	for _, r := range rows {
		if err := ctx.Err(); err != nil {
			failed = append(failed, failure{r.WorkflowID, "interrupted before it was signalled"})
			continue
		}
		if why := spec.eligible(r); why != "" && !spec.force {
			failed = append(failed, failure{r.WorkflowID, why + "; --force sends it anyway"})
			continue
		}
		if err := a.send(ctx, r, spec); err != nil {
			failed = append(failed, failure{r.WorkflowID, err.Error()})
			continue
		}
		sent++
	}
	fmt.Fprintf(a.stdout, "%s: signalled %d of %s", spec.verb, sent, plural(len(rows), "run"))
	if len(failed) == 0 {
		fmt.Fprintln(a.stdout)
		return nil
	}
	fmt.Fprintf(a.stdout, "; %d failed:\n", len(failed))
	for _, f := range failed {
		fmt.Fprintf(a.stdout, "  %s: %s\n", f.id, f.why)
	}
	return fmt.Errorf("%d of %s could not be signalled (listed above)", len(failed), plural(len(rows), "run"))
}

func (a *app) runsRetryCommand() *cobra.Command {
	var (
		sets          []string
		skipWriteBack bool
		force         bool
		bulk          bulkOptions
	)
	c := &cobra.Command{
		Use:   "retry WORKFLOW-ID | --query QUERY",
		Short: "Resume a parked run at the step that failed, optionally with corrections",
		Long: `Send the retry signal to a parked run: it re-runs the step that failed, with the corrections
given (--set itemId=WIDGET replaces the ERP item of every line, --set customerId=C000042 forces the
ERP customer, --skip-write-back completes without writing ERP IDs back to the provider).

A run that is not parked (LedgerStatus other than NeedsAttention) is refused unless --force.

With --query instead of an ID, every open run matching the visibility query is listed and, once
confirmed (on a terminal, or with --yes), signalled; --dry-run only lists them.

Correction keys: ` + joinKnown(correctionKeys()),
		Example: `  ledgerbridge runs retry order-to-cash/stripe/ch_3Px… --set itemId=WIDGET
  ledgerbridge runs retry order-to-cash/stripe/ch_3Px… --set customerId=C000042 --skip-write-back
  ledgerbridge runs retry --query 'NeedsAttention = true AND Provider = "stripe"' --dry-run
  ledgerbridge runs retry --query 'NeedsAttention = true' --set itemId=WIDGET --yes`,
		Args: idOrQuery(&bulk.query),
		RunE: func(cmd *cobra.Command, args []string) error {
			corr, err := parseCorrections(sets, skipWriteBack)
			if err != nil {
				return err
			}
			spec := retrySpec(corr, force)
			if len(args) == 1 {
				if bulk.dryRun {
					return usagef("--dry-run goes with --query")
				}
				return a.signalOne(cmd.Context(), args[0], spec)
			}
			return a.signalMany(cmd.Context(), bulk, spec)
		},
	}
	fl := c.Flags()
	fl.StringArrayVar(&sets, "set", nil, "a correction key=value (repeatable): "+joinKnown(correctionKeys()))
	fl.BoolVar(&skipWriteBack, "skip-write-back", false, "complete without writing ERP IDs back to the provider (same as --set skipWriteBack=true)")
	fl.BoolVar(&force, "force", false, "signal runs that are not parked too")
	bulkFlags(c, &bulk)
	return c
}

func (a *app) runsAbandonCommand() *cobra.Command {
	var (
		reason string
		force  bool
		bulk   bulkOptions
	)
	c := &cobra.Command{
		Use:   "abandon WORKFLOW-ID --reason TEXT | --query QUERY --reason TEXT",
		Short: "End a parked run: what it posted is voided or reversed",
		Long: `Send the abandon signal: the run runs its compensation (payments, invoices, sales orders and
credit memos it created are voided, journal entries reversed, newest first) and ends as Abandoned,
with the reason in its note. --reason is required.

A run that is neither parked nor waiting (WaitingForOrderToCash, WaitingForCapture) is refused
unless --force. With --query, every open run matching the visibility query is listed and, once
confirmed (on a terminal, or with --yes), signalled; --dry-run only lists them.`,
		Example: `  ledgerbridge runs abandon order-to-cash/stripe/ch_3Px… --reason "booked by hand"
  ledgerbridge runs abandon --query 'NeedsAttention = true AND StartTime < "2026-01-01T00:00:00Z"' --reason "pre-go-live" --dry-run`,
		Args: idOrQuery(&bulk.query),
		RunE: func(cmd *cobra.Command, args []string) error {
			if strings.TrimSpace(reason) == "" {
				return usagef("--reason is required: say why the run is abandoned (it is kept in the run's note)")
			}
			spec := abandonSpec(strings.TrimSpace(reason), force)
			if len(args) == 1 {
				if bulk.dryRun {
					return usagef("--dry-run goes with --query")
				}
				return a.signalOne(cmd.Context(), args[0], spec)
			}
			return a.signalMany(cmd.Context(), bulk, spec)
		},
	}
	fl := c.Flags()
	fl.StringVar(&reason, "reason", "", "why the run is abandoned (required)")
	fl.BoolVar(&force, "force", false, "signal runs that are neither parked nor waiting too")
	bulkFlags(c, &bulk)
	return c
}

func bulkFlags(c *cobra.Command, b *bulkOptions) {
	fl := c.Flags()
	fl.StringVar(&b.query, "query", "", "signal every open run matching this visibility query instead of one ID")
	fl.BoolVarP(&b.yes, "yes", "y", false, "with --query: do not ask for confirmation")
	fl.BoolVar(&b.dryRun, "dry-run", false, "with --query: only list the runs that would be signalled")
	fl.IntVar(&b.limit, "limit", 1000, "with --query: signal at most this many runs")
}

// idOrQuery accepts one workflow ID or, with --query, none.
func idOrQuery(query *string) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		switch {
		case *query != "" && len(args) > 0:
			return usagef("%s: give a workflow ID or --query, not both", c.CommandPath())
		case *query != "":
			return nil
		}
		return oneID(c, args)
	}
}
