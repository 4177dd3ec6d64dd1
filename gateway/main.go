// Command gateway receives provider webhooks and turns each into a durable workflow:
// config → logger → Temporal client → HTTP server. It never calls an ERP.
package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"go.uber.org/zap"

	"github.com/ledgerbridge/ledgerbridge/activities"
	"github.com/ledgerbridge/ledgerbridge/internal/config"
	"github.com/ledgerbridge/ledgerbridge/internal/logging"
	"github.com/ledgerbridge/ledgerbridge/internal/stripeapi"
	"github.com/ledgerbridge/ledgerbridge/internal/tclient"
	"github.com/ledgerbridge/ledgerbridge/internal/webhooks"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "gateway:", err)
		os.Exit(1)
	}
}

func run() error {
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	log, err := logging.New(cfg.LogLevel)
	if err != nil {
		return err
	}
	defer log.Sync() //nolint:errcheck
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	tc, err := tclient.Dial(ctx, cfg.TemporalAddress, cfg.TemporalNamespace, log, time.Minute)
	if err != nil {
		return err
	}
	defer tc.Close()

	m, gl, err := cfg.LoadMapping()
	if err != nil {
		return err
	}
	// Preview reads Stripe (IDs) and the mapping; it never touches the ERP.
	acts := &activities.Activities{Stripe: &stripeapi.API{SC: stripeapi.NewClient(cfg.StripeAPIURL, cfg.StripeAPIKey)}, GL: gl,
		Settings: activities.Settings{Mapping: m, CreateSalesOrder: cfg.CreateSalesOrder}}
	gw := webhooks.New(webhooks.Config{StripeWebhookSecret: cfg.StripeWebhookSecret, MaxBodyBytes: cfg.WebhookMaxBytes,
		TaskQueue: cfg.TaskQueue, AdminToken: cfg.AdminToken,
		Preview: func(ctx context.Context, raw []byte, id string) (any, error) {
			if id != "" {
				return activities.PreviewID(ctx, acts, id)
			}
			return activities.PreviewEvent(ctx, acts, raw)
		}}, tc, log)
	srv := &http.Server{Addr: cfg.GatewayAddr, Handler: gw.Handler(), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	log.Info("gateway listening", zap.String("addr", cfg.GatewayAddr), zap.String("temporal", cfg.TemporalAddress))
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
