// Command devstack is `make run`: it starts the Temporal dev server (or uses TEMPORAL_ADDRESS),
// the Stripe and Sage sandboxes, the worker and the gateway on 127.0.0.1, prints where each runs,
// streams the worker's and gateway's logs, and stops everything on Ctrl-C.
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

func run() error {
	tport, err := envInt("TEMPORAL_PORT", 7233)
	if err != nil {
		return err
	}
	uiport, err := envInt("TEMPORAL_UI_PORT", tport+1000)
	if err != nil {
		return err
	}
	opts := devstack.Options{
		BinDir: envOr("LEDGERBRIDGE_BIN_DIR", "bin"), DataDir: envOr("LEDGERBRIDGE_DATA_DIR", ".data"),
		TemporalAddress: os.Getenv("TEMPORAL_ADDRESS"), TemporalPort: tport, TemporalUIPort: uiport,
		GatewayAddr: envOr("GATEWAY_ADDR", "127.0.0.1:8080"), StripeAddr: envOr("STRIPE_SANDBOX_ADDR", "127.0.0.1:12111"),
		SageAddr: envOr("SAGE_SANDBOX_ADDR", "127.0.0.1:8383"), Console: os.Stdout,
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	fmt.Println("starting ledgerbridge (first start of the Temporal dev server takes a few seconds)…")
	start := time.Now()
	st, err := devstack.Start(ctx, opts)
	if err != nil {
		return err
	}
	defer func() {
		fmt.Println("\nstopping every process…")
		st.Stop()
		fmt.Println("stopped; state is kept in", opts.DataDir, "(make clean removes it)")
	}()
	printTable(st, time.Since(start))

	tick := time.NewTicker(2 * time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
			if dead := st.Exited(); len(dead) > 0 {
				return fmt.Errorf("%v exited unexpectedly; see %s", dead, st.LogPath(dead[0]))
			}
		}
	}
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func printTable(st *devstack.Stack, took time.Duration) {
	o := st.Opts
	ui := fmt.Sprintf("http://127.0.0.1:%d", o.TemporalUIPort)
	temporal := st.TemporalAddress() + " (dev server, state in " + o.DataDir + "/temporal.db)"
	if o.TemporalAddress != "" {
		temporal, ui = o.TemporalAddress+" (external cluster)", "your cluster's Web UI"
	}
	fmt.Printf(`
ledgerbridge is running (ready in %s). Ctrl-C stops every process.

  WHAT               WHERE
  Temporal           %s
  Temporal Web UI    %s
  gateway            %s   POST /webhooks/stripe · GET /healthz /readyz /metrics
  Stripe sandbox     %s   key %s, webhooks → gateway signed with %s
  Sage sandbox       %s/Sage500API   Authorization: Bearer %s
  worker             task queue %q
  logs               %s/logs/*.log (worker and gateway also below)

Try it:
  make demo                                    # payments in the Stripe sandbox → Sage invoices
  curl -s -H 'Authorization: Bearer %s' %s/Sage500API/Invoices
  Web UI → Workflows, filter:  NeedsAttention = true   or   ProviderObjectID = "ch_…"

`, took.Round(100*time.Millisecond), temporal, ui, st.GatewayURL(), st.StripeURL(), devstack.StripeKey, devstack.StripeWebhookSecret,
		st.SageURL(), devstack.SageKey, workflows.TaskQueue, o.DataDir, devstack.SageKey, st.SageURL())
}
