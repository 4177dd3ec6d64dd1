// Command sage-sandbox serves the Sage ERP sandbox (Sage 500 dialect under /Sage500API, fault
// injection under /_admin) on a loopback address.
//
// Environment: SAGE_SANDBOX_ADDR (default 127.0.0.1:8383), SAGE_API_KEY (default
// sage_ledgerbridge_dev), SAGE_SANDBOX_DB (default ./.data/sage-sandbox.db).
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
	"syscall"
	"time"

	"github.com/ledgerbridge/ledgerbridge/sandbox/sagesandbox"
)

func main() {
	if err := run(); err != nil {
		log.Printf("sage-sandbox: %v", err)
		os.Exit(1)
	}
}

func run() error {
	addr := envOr("SAGE_SANDBOX_ADDR", "127.0.0.1:8383")
	dbPath := envOr("SAGE_SANDBOX_DB", filepath.Join(".data", "sage-sandbox.db"))
	if err := checkLoopback(addr); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dbPath), 0o755); err != nil {
		return fmt.Errorf("create data dir: %w", err)
	}
	srv, err := sagesandbox.New(sagesandbox.Config{APIKey: os.Getenv("SAGE_API_KEY"), DBPath: dbPath, Logf: log.Printf})
	if err != nil {
		return err
	}
	defer srv.Close()

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	log.Printf("sage-sandbox: listening on http://%s (db %s)", ln.Addr(), dbPath)

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Printf("sage-sandbox: shutting down")
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

// checkLoopback refuses non-loopback listen addresses: the sandbox has a well-known dev key.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("SAGE_SANDBOX_ADDR %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("SAGE_SANDBOX_ADDR %q: the sandbox only listens on loopback addresses", addr)
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
