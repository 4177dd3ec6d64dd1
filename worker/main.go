// Command worker runs ledgerbridge's workflows and activities: config → logger → Temporal client
// → worker. It is the only process that talks to Stripe's API and to the ERP.
package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"go.uber.org/zap"

	"github.com/ledgerbridge/ledgerbridge/activities"
	"github.com/ledgerbridge/ledgerbridge/internal/config"
	"github.com/ledgerbridge/ledgerbridge/internal/erp/sage500"
	"github.com/ledgerbridge/ledgerbridge/internal/logging"
	"github.com/ledgerbridge/ledgerbridge/internal/stripeapi"
	"github.com/ledgerbridge/ledgerbridge/internal/tclient"
	"github.com/ledgerbridge/ledgerbridge/workflows"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "worker:", err)
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

	acts := &activities.Activities{
		Stripe: &stripeapi.API{SC: stripeapi.NewClient(cfg.StripeAPIURL, cfg.StripeAPIKey)},
		ERP:    sage500.New(cfg.SageURL, cfg.SageAPIKey, &http.Client{Timeout: 15 * time.Second}),
		Settings: activities.Settings{Location: cfg.Location, DateFormat: cfg.DateFormat, DefaultItem: cfg.DefaultItem,
			CreateSalesOrder: cfg.CreateSalesOrder, AlertWebhookURL: cfg.AlertWebhookURL},
		Logger: log,
	}
	w := worker.New(tc, cfg.TaskQueue, worker.Options{})
	w.RegisterWorkflowWithOptions(workflows.OrderToCash, workflow.RegisterOptions{Name: workflows.OrderToCashWorkflowName})
	w.RegisterActivity(acts)

	log.Info("worker started", zap.String("temporal", cfg.TemporalAddress), zap.String("taskQueue", cfg.TaskQueue),
		zap.String("stripe", cfg.StripeAPIURL), zap.String("erp", cfg.ERP), zap.String("sage", cfg.SageURL))
	if err := w.Start(); err != nil {
		return err
	}
	<-ctx.Done()
	log.Info("worker stopping")
	w.Stop()
	return nil
}
