// Command paytrace-sandbox serves the PayTrace v1 sandbox of package paytracesandbox on a
// loopback address and sends its signed notifications (a project extension).
//
// Environment:
//
//	PAYTRACE_SANDBOX_ADDR           listen address (default 127.0.0.1:8282; loopback only)
//	PAYTRACE_SANDBOX_DB             SQLite file (default ./.data/paytrace-sandbox.db)
//	PAYTRACE_SANDBOX_USER           OAuth user name (default ledgerbridge)
//	PAYTRACE_SANDBOX_PASSWORD       OAuth password (default ledgerbridge-dev)
//	PAYTRACE_SANDBOX_INTEGRATOR_ID  integrator_id every /v1 body must carry (default ledgerbridge)
//	PAYTRACE_SANDBOX_TOKEN_TTL      token lifetime: a Go duration or seconds (default 2h)
//	PAYTRACE_SANDBOX_PRICING        fee per settled sale (default 2.9%+0.30)
//	PAYTRACE_SANDBOX_EXPORT_LIMIT   records per export response (default 1000)
//	PAYTRACE_SANDBOX_TIMEZONE       merchant time zone of dates (default America/Los_Angeles)
//	PAYTRACE_SANDBOX_NOTIFY_URL     notification receiver (default none)
//	PAYTRACE_SANDBOX_NOTIFY_SECRET  notification signing secret (default ptwhsec_ledgerbridge_dev)
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
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/ledgerbridge/ledgerbridge/sandbox/paytracesandbox"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "paytrace-sandbox:", err)
		os.Exit(1)
	}
}

func run() error {
	addr := envOr("PAYTRACE_SANDBOX_ADDR", "127.0.0.1:8282")
	if err := checkLoopback(addr); err != nil {
		return err
	}
	ttl, err := durationEnv("PAYTRACE_SANDBOX_TOKEN_TTL", paytracesandbox.DefaultTokenTTL)
	if err != nil {
		return err
	}
	limit, err := intEnv("PAYTRACE_SANDBOX_EXPORT_LIMIT", paytracesandbox.DefaultExportLimit)
	if err != nil {
		return err
	}
	dbPath := envOr("PAYTRACE_SANDBOX_DB", filepath.Join(".data", "paytrace-sandbox.db"))
	logger := log.New(os.Stderr, "", log.LstdFlags|log.Lmicroseconds)
	srv, err := paytracesandbox.New(paytracesandbox.Config{
		DBPath:       dbPath,
		User:         envOr("PAYTRACE_SANDBOX_USER", paytracesandbox.DefaultUser),
		Password:     envOr("PAYTRACE_SANDBOX_PASSWORD", paytracesandbox.DefaultPassword),
		IntegratorID: envOr("PAYTRACE_SANDBOX_INTEGRATOR_ID", paytracesandbox.DefaultIntegratorID),
		TokenTTL:     ttl,
		Pricing:      envOr("PAYTRACE_SANDBOX_PRICING", paytracesandbox.DefaultPricing),
		ExportLimit:  limit,
		TimeZone:     envOr("PAYTRACE_SANDBOX_TIMEZONE", paytracesandbox.DefaultTimeZone),
		NotifyURL:    os.Getenv("PAYTRACE_SANDBOX_NOTIFY_URL"),
		NotifySecret: envOr("PAYTRACE_SANDBOX_NOTIFY_SECRET", paytracesandbox.DefaultNotifySecret),
		Logf:         logger.Printf,
	})
	if err != nil {
		return err
	}
	defer srv.Close()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv.Start(ctx)

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	logger.Printf("paytrace-sandbox: listening on http://%s (db %s)", ln.Addr(), dbPath)

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Printf("paytrace-sandbox: shutting down")
	shutCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutCtx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// checkLoopback refuses non-loopback listen addresses: the sandbox has well-known dev
// credentials.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("PAYTRACE_SANDBOX_ADDR %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("PAYTRACE_SANDBOX_ADDR %q: the sandbox only listens on loopback addresses", addr)
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// durationEnv reads a Go duration ("90s", "2h") or a number of seconds.
func durationEnv(key string, def time.Duration) (time.Duration, error) {
	v := os.Getenv(key)
	if v == "" {
		return def, nil
	}
	if n, err := strconv.Atoi(v); err == nil && n > 0 {
		return time.Duration(n) * time.Second, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < time.Second {
		return 0, fmt.Errorf("%s=%q: want a duration of at least 1s (e.g. 2h, 90s) or seconds", key, v)
	}
	return d, nil
}

func intEnv(key string, def int) (int, error) {
	v := os.Getenv(key)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("%s=%q: want a positive integer", key, v)
	}
	return n, nil
}
