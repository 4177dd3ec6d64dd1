// Command gateway receives provider webhooks and turns each into a durable workflow:
// config → logger → Temporal client → HTTP listeners. It never calls an ERP.
//
// Two listeners: the public one (GATEWAY_ADDR) serves only what providers reach (POST
// /webhooks/*, /healthz, /readyz); the internal one (GATEWAY_INTERNAL_ADDR) serves operators
// (/metrics, /admin/* when a token is set, and /codec/* when payloads are encrypted).
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"go.uber.org/zap"

	"github.com/ledgerbridge/ledgerbridge/activities"
	"github.com/ledgerbridge/ledgerbridge/internal/codec"
	"github.com/ledgerbridge/ledgerbridge/internal/config"
	"github.com/ledgerbridge/ledgerbridge/internal/erp/connectors"
	"github.com/ledgerbridge/ledgerbridge/internal/logging"
	"github.com/ledgerbridge/ledgerbridge/internal/report"
	"github.com/ledgerbridge/ledgerbridge/internal/stripeapi"
	"github.com/ledgerbridge/ledgerbridge/internal/tclient"
	"github.com/ledgerbridge/ledgerbridge/internal/tsetup"
	"github.com/ledgerbridge/ledgerbridge/internal/webhooks"
	"github.com/ledgerbridge/ledgerbridge/workflows"
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

	m, gl, err := cfg.LoadMapping()
	if err != nil {
		return err
	}
	topts, err := cfg.TemporalOptions(log, time.Minute)
	if err != nil {
		return err
	}
	keys, _ := cfg.Keyring()
	tc, err := tclient.DialOptions(ctx, topts)
	if err != nil {
		return err
	}
	defer tc.Close()

	// Preview reads Stripe (IDs) and the mapping; it never touches the ERP (the connector only
	// renders the request bodies it would send).
	render, err := connectors.Renderer(cfg.ERP, m.Extra)
	if err != nil {
		return err
	}
	acts := &activities.Activities{Stripe: &stripeapi.API{SC: stripeapi.NewClient(cfg.StripeAPIURL, cfg.StripeAPIKey)}, GL: gl, ERP: render,
		Settings: activities.Settings{Mapping: m, CreateSalesOrder: cfg.CreateSalesOrder}}
	gcfg := webhooks.Config{StripeWebhookSecrets: cfg.StripeWebhookSecrets, PayTraceSecrets: cfg.PayTraceNotifySecrets, MaxBodyBytes: cfg.WebhookMaxBytes,
		TaskQueue: cfg.TaskQueue, AdminToken: cfg.AdminToken, TrustedProxies: cfg.GatewayTrustedProxies,
		RecentEvents: cfg.GatewayRecentEvents,
		Preview: func(ctx context.Context, raw []byte, id string) (any, error) {
			if id != "" {
				return activities.PreviewID(ctx, acts, id)
			}
			return activities.PreviewEvent(ctx, acts, raw)
		}}
	if keys != nil {
		gcfg.Codec = codec.Handler(keys, cfg.CodecOrigins)
	}
	store, err := report.NewStore(cfg.ReportDir)
	if err != nil {
		return fmt.Errorf("LEDGERBRIDGE_REPORT_DIR=%s: %w", cfg.ReportDir, err)
	}
	gcfg.Reports = report.Handler(store)
	// Webhooks start workflows with search attributes: not ready until the namespace has them
	// (the worker creates them on a fresh cluster).
	want := tsetup.Want{Namespace: cfg.TemporalNamespace, SearchAttributes: workflows.SearchAttributeTypes}
	// Once the namespace is prepared it stays so: later probes skip the three Temporal calls
	// (one a visibility query), and /readyz still fails whenever Temporal does not answer.
	var prepared atomic.Bool
	gcfg.Ready = func(ctx context.Context) error {
		if prepared.Load() {
			return nil
		}
		missing, err := tsetup.Missing(ctx, tc, want)
		if err == nil && len(missing) > 0 {
			err = fmt.Errorf("namespace lacks %s", strings.Join(missing, ", "))
		}
		prepared.Store(err == nil)
		return err
	}
	gw := webhooks.New(gcfg, tc, log)

	limits := webhooks.DefaultLimits
	limits.ReadTimeout, limits.MaxConnections = cfg.GatewayReadTimeout, cfg.GatewayMaxConnections
	public, err := webhooks.Listen("public", cfg.GatewayAddr, gw.PublicHandler(), limits)
	if err != nil {
		return err
	}
	internal, err := webhooks.Listen("internal", cfg.GatewayInternalAddr, gw.InternalHandler(), limits)
	if err != nil {
		return err
	}
	errc := make(chan error, 2)
	for _, s := range []*webhooks.Server{public, internal} {
		go func(s *webhooks.Server) { errc <- s.Serve() }(s)
	}
	log.Info("gateway listening", zap.String("addr", public.Addr()), zap.String("internal", internal.Addr()),
		zap.String("temporal", cfg.TemporalAddress), zap.Bool("admin", cfg.AdminToken != ""), zap.Bool("codec", keys != nil))
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, s := range []*webhooks.Server{public, internal} {
		if err := s.Shutdown(shutdownCtx); err != nil {
			return err
		}
	}
	return nil
}
