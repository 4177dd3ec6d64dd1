// Command devstack is `make run`: it starts the Temporal dev server (or uses TEMPORAL_ADDRESS),
// the Stripe and Sage sandboxes, the worker and the gateway on 127.0.0.1, prints where each runs
// and streams the worker's and gateway's logs.
//
// It supervises them like a process manager: a process that dies on its own (killed, out of
// memory, a panic, any exit) is restarted after 1 s, 2 s, 4 s … up to 30 s (back to 1 s once it
// has stayed up for a minute), and each death and restart is printed. Every process keeps its
// state on disk (SQLite, Temporal), so a restarted one resumes where it stopped: killing the
// worker mid-run loses nothing. Each child's PID is in <data dir>/run/<name>.pid, so
// `kill -9 $(cat .data/run/worker.pid)` shows it. Ctrl-C (or SIGTERM) stops every process, and
// so does a process that cannot be started at all, with the process and its log named.
//
// Environment (defaults in parentheses): LEDGERBRIDGE_BIN_DIR (bin), LEDGERBRIDGE_DATA_DIR
// (.data), TEMPORAL_ADDRESS (none: start the dev server), TEMPORAL_NAMESPACE (default),
// TEMPORAL_PORT (7233), TEMPORAL_UI_PORT
// (TEMPORAL_PORT+1000), LEDGERBRIDGE_HEADLESS (1: no Web UI), GATEWAY_ADDR (127.0.0.1:8080),
// GATEWAY_INTERNAL_ADDR (127.0.0.1:8081), STRIPE_SANDBOX_ADDR (127.0.0.1:12111),
// SAGE_SANDBOX_ADDR (127.0.0.1:8383), LEDGERBRIDGE_ADMIN_TOKEN (admin_ledgerbridge_dev).
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/ledgerbridge/ledgerbridge/internal/devstack"
	"github.com/ledgerbridge/ledgerbridge/workflows"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "devstack:", err)
		os.Exit(1)
	}
}

func envInt(name string, def int) (int, error) {
	v := os.Getenv(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 || n > 65535 {
		return 0, fmt.Errorf("%s=%q: want a port number", name, v)
	}
	return n, nil
}

func envBool(name string) (bool, error) {
	v := os.Getenv(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("%s=%q: want 1 or 0", name, v)
	}
	return b, nil
}

func run() error {
	tport, err := envInt("TEMPORAL_PORT", 7233)
	if err != nil {
		return err
	}
	uiport, err := envInt("TEMPORAL_UI_PORT", tport+1000)
	if err != nil {
		return err
	}
	headless, err := envBool("LEDGERBRIDGE_HEADLESS")
	if err != nil {
		return err
	}
	opts := devstack.Options{
		BinDir: envOr("LEDGERBRIDGE_BIN_DIR", "bin"), DataDir: envOr("LEDGERBRIDGE_DATA_DIR", ".data"),
		TemporalAddress: os.Getenv("TEMPORAL_ADDRESS"), Namespace: os.Getenv("TEMPORAL_NAMESPACE"), TemporalPort: tport, TemporalUIPort: uiport, Headless: headless,
		GatewayAddr: envOr("GATEWAY_ADDR", "127.0.0.1:8080"), GatewayInternalAddr: envOr("GATEWAY_INTERNAL_ADDR", "127.0.0.1:8081"),
		WorkerHealthAddr: envOr("WORKER_HEALTH_ADDR", "127.0.0.1:8090"),
		StripeAddr:       envOr("STRIPE_SANDBOX_ADDR", "127.0.0.1:12111"), SageAddr: envOr("SAGE_SANDBOX_ADDR", "127.0.0.1:8383"),
		PayTraceAddr: envOr("PAYTRACE_SANDBOX_ADDR", "127.0.0.1:8282"),
		Console:      os.Stdout, Supervise: true,
	}
	adminToken := envOr("LEDGERBRIDGE_ADMIN_TOKEN", devstack.AdminToken)
	if adminToken != devstack.AdminToken {
		opts.Env = append(opts.Env, "LEDGERBRIDGE_ADMIN_TOKEN="+adminToken)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	fmt.Println("starting ledgerbridge (first start of the Temporal dev server takes a few seconds)…")
	start := time.Now()
	st, err := devstack.Start(ctx, opts)
	if err != nil {
		return err
	}
	printTable(st, adminToken, time.Since(start))

	select {
	case <-ctx.Done():
		stop() // a second Ctrl-C ends devstack at once; its children die with it
	case err = <-st.Failed():
	}
	fmt.Println("\nstopping every process…")
	st.Stop()
	fmt.Println("stopped; state is kept in", opts.DataDir, "(make clean removes it)")
	return err
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func printTable(st *devstack.Stack, adminToken string, took time.Duration) {
	o := st.Opts
	ui := fmt.Sprintf("http://127.0.0.1:%d", o.TemporalUIPort)
	if o.Headless {
		ui = "off (LEDGERBRIDGE_HEADLESS)"
	}
	temporal := st.TemporalAddress() + " (dev server, state in " + o.DataDir + "/temporal.db)"
	if o.TemporalAddress != "" {
		temporal, ui = o.TemporalAddress+" (external cluster)", "your cluster's Web UI"
	}
	fmt.Printf(`
ledgerbridge is running (ready in %s). A process that dies is restarted; Ctrl-C stops every process.

  WHAT               WHERE
  Temporal           %s
  Temporal Web UI    %s
  gateway            %s   POST /webhooks/stripe · GET /healthz /readyz
  gateway (internal) %s   GET /metrics · /admin/preview · /codec (Web UI codec server)
  Stripe sandbox     %s   key %s, webhooks → gateway signed with %s
  Sage sandbox       %s/Sage500API   Authorization: Bearer %s
  PayTrace sandbox   %s   user %s / %s, integrator_id %s; polled by the paytrace-poll schedule
  worker             task queue %q · %s/readyz /metrics
  admin token        %s   Authorization: Bearer … for the internal listener's /admin/*
  logs, pids         %s/logs/*.log (worker and gateway also below), %s/run/*.pid

Try it:
  make demo                                    # payments in the Stripe sandbox → Sage invoices
  %-44s # the worker comes back; runs resume, nothing posts twice
  curl -s -H 'Authorization: Bearer %s' %s/Sage500API/Invoices
  Web UI → Workflows, filter:  NeedsAttention = true   or   ProviderObjectID = "ch_…"

`, took.Round(100*time.Millisecond), temporal, ui, st.GatewayURL(), st.GatewayInternalURL(),
		st.StripeURL(), devstack.StripeKey, devstack.StripeWebhookSecret, st.SageURL(), devstack.SageKey,
		st.PayTraceURL(), devstack.PayTraceUser, devstack.PayTracePassword, devstack.PayTraceIntegratorID,
		workflows.TaskQueue, st.WorkerHealthURL(), adminToken, o.DataDir, o.DataDir, "kill -9 $(cat "+st.PIDPath("worker")+")", devstack.SageKey, st.SageURL())
}
