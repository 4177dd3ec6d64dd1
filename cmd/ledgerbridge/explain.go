package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	enumspb "go.temporal.io/api/enums/v1"
	failurepb "go.temporal.io/api/failure/v1"
	"go.temporal.io/sdk/temporal"

	"github.com/ledgerbridge/ledgerbridge/internal/codec"
	"github.com/ledgerbridge/ledgerbridge/workflows"
)

// explanation is everything `runs explain` shows about one run.
type explanation struct {
	Run         runRow          `json:"run"`
	Status      map[string]any  `json:"status,omitempty"`
	StatusError string          `json:"statusError,omitempty"`
	LastFailure *failureInfo    `json:"lastFailure,omitempty"`
	Pending     []pendingInfo   `json:"pendingActivities,omitempty"`
	Links       []explainedLink `json:"links"`
}

type failureInfo struct {
	Activity string    `json:"activity,omitempty"`
	Attempt  int32     `json:"attempt,omitempty"`
	Message  string    `json:"message"`
	At       time.Time `json:"at"`
}

type pendingInfo struct {
	Activity    string     `json:"activity"`
	State       string     `json:"state"`
	Attempt     int32      `json:"attempt"`
	LastFailure string     `json:"lastFailure,omitempty"`
	NextAttempt *time.Time `json:"nextAttempt,omitempty"`
}

type explainedLink struct {
	Name string `json:"name"`
	URL  string `json:"url"`
}

func (a *app) runsExplainCommand() *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "explain WORKFLOW-ID",
		Short: "Why a run is where it is: its status query, last failure and links",
		Long: `Explain a run: its status query (step, status, the problem in the ERP's own words, the
corrections applied, what it posted), the last failure (a retrying activity's attempt and error,
or the last failed activity in its history) and where to look further (Temporal Web UI, the
commands that retry or abandon it).`,
		Example: `  ledgerbridge runs explain order-to-cash/stripe/ch_3Px…
  ledgerbridge runs explain refund/stripe/re_3Px… --json`,
		Args: oneID,
		RunE: func(cmd *cobra.Command, args []string) error {
			ex, err := a.explain(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(a.stdout, ex)
			}
			printExplanation(a.stdout, ex)
			if ex.StatusError != "" && isRunningRow(ex.Run) {
				return errors.New(ex.StatusError)
			}
			return nil
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return c
}

func isRunningRow(r runRow) bool { return r.Execution == "Running" }

func (a *app) explain(ctx context.Context, id string) (*explanation, error) {
	d, err := a.describe(ctx, id)
	if err != nil {
		return nil, err
	}
	info := d.GetWorkflowExecutionInfo()
	ex := &explanation{Run: a.rowOf(info)}
	runID := ex.Run.RunID

	// The status query (every posting workflow answers it; reconciliations answer progress).
	queryName := workflows.QueryStatus
	if t := ex.Run.Type; t == workflows.ReconcileWorkflowName || strings.HasPrefix(t, workflows.ReconcileWorkflowName) {
		queryName = workflows.QueryProgress
	}
	tc, _ := a.client(ctx)
	qctx, cancel := a.callCtx(ctx)
	v, qerr := tc.QueryWorkflow(qctx, id, runID, queryName)
	cancel()
	if qerr == nil {
		var st map[string]any
		if err := v.Get(&st); err != nil {
			return nil, a.decodeError(err, queryName+" query of "+id)
		}
		ex.Status = st
	} else {
		ex.StatusError = a.temporalError(qerr, id, queryName+" query").Error()
	}

	for _, p := range d.GetPendingActivities() {
		pi := pendingInfo{Activity: p.GetActivityType().GetName(), State: pendingState(p.GetState()), Attempt: p.GetAttempt()}
		if f := p.GetLastFailure(); f != nil {
			pi.LastFailure = a.failureText(f)
		}
		if t := p.GetNextAttemptScheduleTime(); t != nil {
			nt := t.AsTime()
			pi.NextAttempt = &nt
		}
		ex.Pending = append(ex.Pending, pi)
	}
	ex.LastFailure = a.lastFailure(ctx, id, runID)

	ex.Links = append(ex.Links, explainedLink{"Temporal Web UI", ex.Run.URL})
	if isRunningRow(ex.Run) {
		ex.Links = append(ex.Links,
			explainedLink{"retry", "ledgerbridge runs retry " + shellQuote(id) + " [--set itemId=… | customerId=… | skipWriteBack=true]"},
			explainedLink{"abandon", "ledgerbridge runs abandon " + shellQuote(id) + ` --reason "…"`})
	}
	ex.Links = append(ex.Links, explainedLink{"history", "temporal workflow show --workflow-id " + shellQuote(id) + " (with --codec-endpoint http://<gateway internal>/codec when payloads are encrypted)"})
	return ex, nil
}

// decodeError explains a payload that does not decode: almost always encryption keys that differ
// from the worker's.
func (a *app) decodeError(err error, what string) error {
	msg := oneLine(err.Error())
	if strings.Contains(msg, codec.EncodingEncrypted) || errors.Is(err, codec.ErrUnknownKey) {
		if a.cfg == nil || a.cfg.CodecKeys == "" {
			return fmt.Errorf("cannot decode the %s: its payloads are encrypted; set %s to the worker's keys", what, codec.KeysEnv)
		}
		return fmt.Errorf("cannot decode the %s: %s (%s must hold the key the worker encrypted with)", what, msg, codec.KeysEnv)
	}
	return fmt.Errorf("cannot decode the %s: %s", what, msg)
}

func pendingState(s enumspb.PendingActivityState) string {
	return strings.ToLower(strings.TrimPrefix(s.String(), "PENDING_ACTIVITY_STATE_"))
}

// failureText decodes a failure (its message is encrypted when the codec is on) into
// "Type: message" for application errors, or the message.
func (a *app) failureText(f *failurepb.Failure) string {
	err := a.fc.FailureToError(f)
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		if appErr.Type() != "" {
			return oneLine(appErr.Type() + ": " + appErr.Message())
		}
		return oneLine(appErr.Message())
	}
	var te *temporal.TimeoutError
	if errors.As(err, &te) {
		return "timeout (" + strings.ToLower(strings.TrimPrefix(te.TimeoutType().String(), "TIMEOUT_TYPE_")) + ")"
	}
	return oneLine(err.Error())
}

// maxHistoryEvents bounds how much history explain reads for the last failure.
const maxHistoryEvents = 20000

// lastFailure finds the last failed activity (or workflow task) in the run's history. Parked runs
// have no pending activity: their failure was non-retryable and is only in the history.
func (a *app) lastFailure(ctx context.Context, id, runID string) *failureInfo {
	tc, err := a.client(ctx)
	if err != nil {
		return nil
	}
	hctx, cancel := context.WithTimeout(ctx, 3*a.timeout)
	defer cancel()
	it := tc.GetWorkflowHistory(hctx, id, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	scheduled := map[int64]string{}
	attempts := map[int64]int32{}
	var last *failureInfo
	for n := 0; it.HasNext() && n < maxHistoryEvents; n++ {
		e, err := it.Next()
		if err != nil {
			break
		}
		switch {
		case e.GetActivityTaskScheduledEventAttributes() != nil:
			scheduled[e.GetEventId()] = e.GetActivityTaskScheduledEventAttributes().GetActivityType().GetName()
		case e.GetActivityTaskStartedEventAttributes() != nil:
			attrs := e.GetActivityTaskStartedEventAttributes()
			attempts[attrs.GetScheduledEventId()] = attrs.GetAttempt()
		case e.GetActivityTaskFailedEventAttributes() != nil:
			attrs := e.GetActivityTaskFailedEventAttributes()
			last = &failureInfo{Activity: scheduled[attrs.GetScheduledEventId()], Attempt: attempts[attrs.GetScheduledEventId()],
				Message: a.failureText(attrs.GetFailure()), At: e.GetEventTime().AsTime()}
		case e.GetActivityTaskTimedOutEventAttributes() != nil:
			attrs := e.GetActivityTaskTimedOutEventAttributes()
			last = &failureInfo{Activity: scheduled[attrs.GetScheduledEventId()], Attempt: attempts[attrs.GetScheduledEventId()],
				Message: a.failureText(attrs.GetFailure()), At: e.GetEventTime().AsTime()}
		case e.GetWorkflowTaskFailedEventAttributes() != nil:
			last = &failureInfo{Activity: "(workflow task)", Message: a.failureText(e.GetWorkflowTaskFailedEventAttributes().GetFailure()),
				At: e.GetEventTime().AsTime()}
		case e.GetWorkflowExecutionFailedEventAttributes() != nil:
			last = &failureInfo{Activity: "(workflow)", Message: a.failureText(e.GetWorkflowExecutionFailedEventAttributes().GetFailure()),
				At: e.GetEventTime().AsTime()}
		}
	}
	return last
}

// statusKeys are the status query's fields explain shows by name; every other non-empty field
// is something the run posted or found.
var statusKeys = map[string]bool{"status": true, "step": true, "problem": true, "timesParked": true, "corrections": true, "note": true, "voided": true}

func printExplanation(w io.Writer, ex *explanation) {
	r := ex.Run
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(k, v string) { fmt.Fprintf(tw, "%s\t%s\n", k, v) }
	row("run", r.WorkflowID+" ("+r.Type+")")
	run := r.Execution + " since " + r.Started.Local().Format("2006-01-02 15:04:05")
	if r.Closed != nil {
		run = r.Execution + " at " + r.Closed.Local().Format("2006-01-02 15:04:05")
	}
	row("execution", run+", run ID "+r.RunID)
	if r.Provider != "" || r.Object != "" {
		row("object", strings.TrimSpace(r.Provider+" "+r.Object))
	}
	st := ex.Status
	switch {
	case st != nil:
		status, _ := st["status"].(string)
		if status == "" {
			status = r.LedgerStatus
		}
		if step, _ := st["step"].(string); step != "" {
			status += " at step " + step
		}
		if n, _ := st["timesParked"].(float64); n > 0 {
			status += fmt.Sprintf(" (parked %s)", plural(int(n), "time"))
		}
		row("status", status)
		if p, _ := st["problem"].(string); p != "" {
			row("problem", oneLine(p))
		}
		if c := corrections(st["corrections"]); c != "" {
			row("corrections", c)
		}
		if n, _ := st["note"].(string); n != "" {
			row("note", oneLine(n))
		}
		if v := compact(st["voided"]); v != "" {
			row("voided", v)
		}
		if amt := compact(st["amount"]); amt != "" {
			row("amount", strings.TrimSpace(amt+" "+compact(st["currency"])))
		}
		var keys []string
		for k := range st {
			if !statusKeys[k] && k != "amount" && k != "currency" && compact(st[k]) != "" {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		var posted []string
		for _, k := range keys {
			posted = append(posted, k+" "+compact(st[k]))
		}
		if len(posted) > 0 {
			label := "details"
			if _, ok := st["phase"]; ok {
				label = "progress"
			}
			row(label, strings.Join(posted, " · "))
		}
	case ex.StatusError != "":
		row("status", dash(r.LedgerStatus)+" (from search attributes; "+ex.StatusError+")")
	}
	if r.ERPDocument != "" {
		row("ERP document", r.ERPDocument)
	}
	for _, p := range ex.Pending {
		s := fmt.Sprintf("%s %s, attempt %d", p.Activity, p.State, p.Attempt)
		if p.NextAttempt != nil {
			s += ", next attempt " + p.NextAttempt.Local().Format("15:04:05")
		}
		if p.LastFailure != "" {
			s += ": " + p.LastFailure
		}
		row("retrying", s)
	}
	if f := ex.LastFailure; f != nil {
		s := f.Activity
		if f.Attempt > 0 {
			s += fmt.Sprintf(" attempt %d", f.Attempt)
		}
		row("last failure", s+" at "+f.At.Local().Format("2006-01-02 15:04:05")+": "+f.Message)
	}
	for _, l := range ex.Links {
		row(l.Name, l.URL)
	}
	tw.Flush()
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	if strings.HasSuffix(word, "y") {
		return fmt.Sprintf("%d %sies", n, strings.TrimSuffix(word, "y"))
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// corrections renders the corrections object as key=value pairs.
func corrections(v any) string {
	m, ok := v.(map[string]any)
	if !ok {
		return ""
	}
	var keys []string
	for k, val := range m {
		if compact(val) != "" && compact(val) != "false" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var out []string
	for _, k := range keys {
		out = append(out, k+"="+compact(m[k]))
	}
	return strings.Join(out, " ")
}

// compact renders a status value on one line ("" for empty values).
func compact(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return oneLine(x)
	case bool:
		if !x {
			return ""
		}
		return "true"
	case float64:
		if x == 0 {
			return ""
		}
		return formatAmount(x)
	case []any:
		var parts []string
		for _, e := range x {
			if s := compact(e); s != "" {
				parts = append(parts, s)
			}
		}
		return strings.Join(parts, ", ")
	case map[string]any:
		if len(x) == 0 {
			return ""
		}
		b, _ := json.Marshal(x)
		if string(b) == "{}" {
			return ""
		}
		return string(b)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// shellQuote quotes s for a shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=@,", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
