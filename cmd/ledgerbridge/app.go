package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"golang.org/x/term"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/ledgerbridge/ledgerbridge/internal/config"
	"github.com/ledgerbridge/ledgerbridge/internal/tclient"
)

// app is the state the commands share: the streams, the global flags and, once a command
// needs it, the configuration and the Temporal client.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer

	// Global flags.
	address, namespace, webUI string
	timeout                   time.Duration

	cfg *config.Config
	tc  client.Client
	// fc decodes failures (their messages are encrypted when LEDGERBRIDGE_CODEC_KEYS is set).
	fc converter.FailureConverter
}

func newApp(stdin io.Reader, stdout, stderr io.Writer) *app {
	return &app{stdin: stdin, stdout: stdout, stderr: stderr}
}

func (a *app) close() {
	if a.tc != nil {
		a.tc.Close()
	}
}

const rootLong = `ledgerbridge is the operator's CLI of ledgerbridge: it finds the runs that wait for an
operator (NeedsAttention), explains them in the ERP's own words, retries them with corrections or
abandons them (one by one or by visibility query), starts reconciliations and backfills, and reads
their reports.

It reads the same environment as the worker: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_TLS_*,
TEMPORAL_API_KEY, LEDGERBRIDGE_CODEC_KEYS (so encrypted payloads decode), LEDGERBRIDGE_TASK_QUEUE,
LEDGERBRIDGE_WEB_UI, LEDGERBRIDGE_REPORT_DIR, GATEWAY_INTERNAL_ADDR.

Exit codes: 0 done, 1 error, 2 usage error.`

const rootExample = `  ledgerbridge runs list --parked
  ledgerbridge runs explain order-to-cash/stripe/ch_3Px…
  ledgerbridge runs retry order-to-cash/stripe/ch_3Px… --set itemId=WIDGET
  ledgerbridge reconcile --provider stripe --from 2026-11-01 --to 2026-12-01
  ledgerbridge report`

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:           "ledgerbridge",
		Short:         "Operate ledgerbridge: parked runs, reconciliation, backfill, reports",
		Long:          rootLong,
		Example:       rootExample,
		SilenceErrors: true,
		SilenceUsage:  true,
		Args:          noArgs,
		RunE:          helpOnly,
	}
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usagef("%v (see %s --help)", err, c.CommandPath())
	})
	pf := root.PersistentFlags()
	pf.StringVar(&a.address, "address", "", "Temporal frontend host:port (default $TEMPORAL_ADDRESS or 127.0.0.1:7233)")
	pf.StringVarP(&a.namespace, "namespace", "n", "", "Temporal namespace (default $TEMPORAL_NAMESPACE or default)")
	pf.StringVar(&a.webUI, "web-ui", "", "Temporal Web UI base URL for links (default $LEDGERBRIDGE_WEB_UI or http://127.0.0.1:8233)")
	pf.DurationVar(&a.timeout, "timeout", 10*time.Second, "how long to wait for Temporal (connect, each call, a query)")
	root.AddCommand(a.runsCommand(), a.reconcileCommand(), a.backfillCommand(), a.reportCommand(), versionCommand())
	return root
}

// noArgs refuses arguments on commands that take none (group commands included, so that a
// mistyped subcommand is a usage error rather than a help page).
func noArgs(c *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	if c.HasSubCommands() {
		msg := fmt.Sprintf("unknown command %q for %q", args[0], c.CommandPath())
		if c.SuggestionsMinimumDistance <= 0 {
			c.SuggestionsMinimumDistance = 2
		}
		if s := c.SuggestionsFor(args[0]); len(s) > 0 {
			msg += " (did you mean " + strings.Join(s, ", ") + "?)"
		}
		return usageError{errors.New(msg + "; see " + c.CommandPath() + " --help")}
	}
	return usagef("%s takes no arguments, got %q (see --help)", c.CommandPath(), strings.Join(args, " "))
}

func helpOnly(c *cobra.Command, _ []string) error { return c.Help() }

// config loads the environment once, with the global flags applied over it.
func (a *app) config() (*config.Config, error) {
	if a.cfg != nil {
		return a.cfg, nil
	}
	cfg, err := config.Load()
	if err != nil {
		return nil, err
	}
	if a.address != "" {
		cfg.TemporalAddress = a.address
	}
	if a.namespace != "" {
		cfg.TemporalNamespace = a.namespace
	}
	a.cfg = cfg
	return cfg, nil
}

// client dials Temporal once (TLS, API key and codec as the worker does).
func (a *app) client(ctx context.Context) (client.Client, error) {
	if a.tc != nil {
		return a.tc, nil
	}
	cfg, err := a.config()
	if err != nil {
		return nil, err
	}
	o, err := cfg.TemporalOptions(nil, 0)
	if err != nil {
		return nil, err
	}
	// TLS settings are checked (and their files read) before dialling, naming the variable.
	if _, err := tclient.TLSConfig(o); err != nil {
		return nil, err
	}
	dctx, cancel := context.WithTimeout(ctx, a.timeout)
	defer cancel()
	tc, err := tclient.DialOptions(dctx, o)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("cannot reach Temporal at %s (namespace %s): %s (is make run running?)", cfg.TemporalAddress, cfg.TemporalNamespace, reachReason(err))
	}
	a.tc = tc
	a.fc = o.FailureConverter
	if a.fc == nil {
		a.fc = temporal.GetDefaultFailureConverter()
	}
	return tc, nil
}

var dialReason = regexp.MustCompile(`(connection refused|no such host|i/o timeout|network is unreachable|certificate[^"]*|tls:[^"]*|context deadline exceeded)`)

// reachReason is the short reason a dial failed: the gRPC message without its chain of wrappers.
func reachReason(err error) string {
	msg := err.Error()
	if m := dialReason.FindString(msg); m != "" {
		if m == "context deadline exceeded" || m == "i/o timeout" {
			return "no answer"
		}
		return strings.TrimSpace(m)
	}
	if inner := errors.Unwrap(err); inner != nil {
		if s, ok := status.FromError(inner); ok && s.Message() != "" {
			return oneLine(s.Message())
		}
	}
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		return msg[i+2:]
	}
	return msg
}

// callCtx bounds one Temporal call.
func (a *app) callCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, a.timeout)
}

// webUIBase is Temporal Web UI's URL with the namespace path (LEDGERBRIDGE_WEB_UI may or may
// not include /namespaces/<ns>).
func (a *app) webUIBase() string {
	base := a.webUI
	ns := "default"
	if a.cfg != nil {
		ns = a.cfg.TemporalNamespace
		if base == "" {
			base = a.cfg.WebUI
		}
	}
	if base == "" {
		base = "http://127.0.0.1:8233"
	}
	base = strings.TrimRight(base, "/")
	if !strings.Contains(base, "/namespaces/") {
		base += "/namespaces/" + url.PathEscape(ns)
	}
	return base
}

// runURL links a run in Temporal Web UI.
func (a *app) runURL(workflowID, runID string) string {
	u := a.webUIBase() + "/workflows/" + url.PathEscape(workflowID)
	if runID != "" {
		u += "/" + url.PathEscape(runID) + "/history"
	}
	return u
}

// namespaceError says the namespace is missing, or returns nil.
func (a *app) namespaceError(err error) error {
	var nnf *serviceerror.NamespaceNotFound
	if !errors.As(err, &nnf) {
		return nil
	}
	addr, ns := "", ""
	if a.cfg != nil {
		addr, ns = a.cfg.TemporalAddress, a.cfg.TemporalNamespace
	}
	return fmt.Errorf("namespace %q does not exist on Temporal at %s (TEMPORAL_NAMESPACE; the worker creates it when it first starts)", ns, addr)
}

// temporalError turns an SDK error about workflow id into one line an operator can act on.
func (a *app) temporalError(err error, id, what string) error {
	if err == nil {
		return nil
	}
	if nerr := a.namespaceError(err); nerr != nil {
		return nerr
	}
	var nf *serviceerror.NotFound
	var qf *serviceerror.QueryFailed
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	switch {
	case errors.As(err, &nf):
		if strings.Contains(nf.Error(), "already completed") {
			return fmt.Errorf("%s: run %s has already finished", what, id)
		}
		return fmt.Errorf("no run with workflow ID %q in this namespace", id)
	case errors.As(err, &qf):
		return fmt.Errorf("the %s query of %s failed: %s", what, id, qf.Error())
	case errors.As(err, &started):
		return fmt.Errorf("%s: %s is already running", what, id)
	case isDeadline(err):
		if strings.HasSuffix(what, "query") {
			return fmt.Errorf("no worker answered the %s of %s: is the worker running?", what, id)
		}
		return fmt.Errorf("%s of %s: Temporal did not answer in time", what, id)
	}
	if s, ok := status.FromError(err); ok && s.Code() == codes.Unavailable {
		return fmt.Errorf("%s of %s: Temporal is unavailable: %s", what, id, s.Message())
	}
	return fmt.Errorf("%s of %s: %s", what, id, oneLine(err.Error()))
}

func isDeadline(err error) bool {
	var de *serviceerror.DeadlineExceeded
	if errors.Is(err, context.DeadlineExceeded) || errors.As(err, &de) {
		return true
	}
	if s, ok := status.FromError(err); ok && s.Code() == codes.DeadlineExceeded {
		return true
	}
	return strings.Contains(err.Error(), "context deadline exceeded")
}

// isTerminal reports whether f is an interactive terminal.
func isTerminal(f any) bool {
	file, ok := f.(*os.File)
	if !ok {
		return false
	}
	return term.IsTerminal(int(file.Fd()))
}
