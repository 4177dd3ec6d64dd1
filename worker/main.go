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
	"github.com/ledgerbridge/ledgerbridge/internal/erp"
	"github.com/ledgerbridge/ledgerbridge/internal/erp/connectors"
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

	connector, err := connectors.New(cfg.ERP, cfg.SageURL, cfg.SageAPIKey, &http.Client{Timeout: 15 * time.Second}, nil, nil)
	if err != nil {
		return err
	}
	if err := validateGL(ctx, cfg, connector, log); err != nil {
		return err
	}
	acts := &activities.Activities{
		Stripe: &stripeapi.API{SC: stripeapi.NewClient(cfg.StripeAPIURL, cfg.StripeAPIKey)},
		ERP:    connector,
		GL:     cfg.GL,
		Settings: activities.Settings{Location: cfg.Location, DateFormat: cfg.DateFormat, DefaultItem: cfg.DefaultItem,
			CreateSalesOrder: cfg.CreateSalesOrder, AlertWebhookURL: cfg.AlertWebhookURL},
		Logger: log,
	}
	w := worker.New(tc, cfg.TaskQueue, worker.Options{})
	w.RegisterWorkflowWithOptions(workflows.OrderToCash, workflow.RegisterOptions{Name: workflows.OrderToCashWorkflowName})
	w.RegisterWorkflowWithOptions(workflows.RefundToCreditMemo, workflow.RegisterOptions{Name: workflows.RefundWorkflowName})
	w.RegisterWorkflowWithOptions(workflows.ChargeRefunds, workflow.RegisterOptions{Name: workflows.ChargeRefundsWorkflowName})
	w.RegisterWorkflowWithOptions(workflows.Dispute, workflow.RegisterOptions{Name: workflows.DisputeWorkflowName})
	w.RegisterWorkflowWithOptions(workflows.PayoutToGL, workflow.RegisterOptions{Name: workflows.PayoutWorkflowName})
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

// validateGL refuses to start with a GL mapping that names an account the ERP does not have,
// listing every bad entry. The ERP may still be starting: it is retried for a minute.
func validateGL(ctx context.Context, cfg *config.Config, conn erp.Connector, log *zap.Logger) error {
	lister, ok := conn.(erp.AccountLister)
	if !ok {
		log.Warn("the ERP connector cannot list GL accounts; the GL mapping is not checked against it", zap.String("erp", conn.Name()))
		return nil
	}
	deadline := time.Now().Add(time.Minute)
	for {
		accounts, err := lister.ListGLAccounts(ctx)
		if err == nil {
			known := map[string]bool{}
			for _, a := range accounts {
				known[a] = true
			}
			return cfg.GL.Validate(known)
		}
		if erp.IsValidation(err) || time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("read the ERP's chart of accounts to check the GL mapping: %w", err)
		}
		log.Info("waiting for the ERP to list GL accounts", zap.Error(err))
		time.Sleep(time.Second)
	}
}
