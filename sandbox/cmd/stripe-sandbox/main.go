// Command stripe-sandbox serves the Stripe API subset of package
// stripesandbox on 127.0.0.1 and delivers signed webhooks.
//
// Environment:
//
//	STRIPE_SANDBOX_ADDR         listen address (default 127.0.0.1:12111; loopback only)
//	STRIPE_API_KEY              API key clients must send (default sk_test_ledgerbridge)
//	STRIPE_WEBHOOK_SECRET       secret of the default endpoint (default whsec_ledgerbridge_dev)
//	STRIPE_SANDBOX_WEBHOOK_URL  default endpoint (default http://127.0.0.1:8080/webhooks/stripe; empty = none)
//	STRIPE_SANDBOX_DB           SQLite file (default ./.data/stripe-sandbox.db)
//	STRIPE_SANDBOX_SETTLEMENT_CURRENCY    default settlement currency (default usd)
//	STRIPE_SANDBOX_SETTLEMENT_CURRENCIES  comma list settling in themselves (default usd,eur,jpy,gbp)
//	STRIPE_SANDBOX_KEEP_DISPUTE_FEE_ON_WIN  "1"/"true": a won dispute does not return the fee
//	STRIPE_SANDBOX_DISABLE_REFUND_ON_AUTH_RELEASE  "1"/"true": 2025-03-31.basil rules for manual
//	                            capture (a partial capture settles only the captured amount, no
//	                            Refund for the released part; default: the 2023-10-16 rules)
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/ledgerbridge/ledgerbridge/sandbox/stripesandbox"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "stripe-sandbox:", err)
		os.Exit(1)
	}
}

func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

func run() error {
	addr := env("STRIPE_SANDBOX_ADDR", "127.0.0.1:12111")
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("STRIPE_SANDBOX_ADDR %q: %w", addr, err)
	}
	// The sandbox accepts a well-known dev key: never expose it beyond loopback.
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("STRIPE_SANDBOX_ADDR %q: only loopback addresses are allowed", addr)
	}
	logger := log.New(os.Stderr, "", log.LstdFlags|log.Lmicroseconds)
	var settle []string
	if v := env("STRIPE_SANDBOX_SETTLEMENT_CURRENCIES", ""); v != "" {
		settle = strings.Split(v, ",")
	}
	keepFee := false
	if v := env("STRIPE_SANDBOX_KEEP_DISPUTE_FEE_ON_WIN", ""); v != "" {
		if keepFee, err = strconv.ParseBool(v); err != nil {
			return fmt.Errorf("STRIPE_SANDBOX_KEEP_DISPUTE_FEE_ON_WIN %q: %w", v, err)
		}
	}
	basilRelease := false
	if v := env("STRIPE_SANDBOX_DISABLE_REFUND_ON_AUTH_RELEASE", ""); v != "" {
		if basilRelease, err = strconv.ParseBool(v); err != nil {
			return fmt.Errorf("STRIPE_SANDBOX_DISABLE_REFUND_ON_AUTH_RELEASE %q: %w", v, err)
		}
	}
	srv, err := stripesandbox.New(stripesandbox.Config{
		DisableRefundOnAuthRelease: basilRelease,
		SettlementCurrency:         env("STRIPE_SANDBOX_SETTLEMENT_CURRENCY", "usd"),
		SettlementCurrencies:       settle,
		KeepDisputeFeeOnWin:        keepFee,
		APIKey:                     env("STRIPE_API_KEY", stripesandbox.DefaultAPIKey),
		WebhookURL:                 env("STRIPE_SANDBOX_WEBHOOK_URL", stripesandbox.DefaultWebhookURL),
		WebhookSecret:              env("STRIPE_WEBHOOK_SECRET", stripesandbox.DefaultWebhookSecret),
		DBPath:                     env("STRIPE_SANDBOX_DB", "./.data/stripe-sandbox.db"),
		Logf:                       logger.Printf,
	})
	if err != nil {
		return err
	}
	defer srv.Close()

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	srv.Start(ctx)

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	logger.Printf("stripe-sandbox: listening on http://%s", ln.Addr())

	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	case <-ctx.Done():
		logger.Printf("stripe-sandbox: shutting down")
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return hs.Shutdown(shutdownCtx)
}
