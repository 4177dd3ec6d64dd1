// Command worker runs ledgerbridge's workflows and activities: config → logger → Temporal client
// → worker. It is the only process that talks to Stripe's API and to the ERP.
package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"go.uber.org/zap"

	"github.com/ledgerbridge/ledgerbridge/activities"
	"github.com/ledgerbridge/ledgerbridge/internal/config"
	"github.com/ledgerbridge/ledgerbridge/internal/erp"
	"github.com/ledgerbridge/ledgerbridge/internal/erp/connectors"
	"github.com/ledgerbridge/ledgerbridge/internal/glmap"
	"github.com/ledgerbridge/ledgerbridge/internal/logging"
	"github.com/ledgerbridge/ledgerbridge/internal/metrics"
	"github.com/ledgerbridge/ledgerbridge/internal/monitor"
	"github.com/ledgerbridge/ledgerbridge/internal/paytrace"
	"github.com/ledgerbridge/ledgerbridge/internal/report"
	"github.com/ledgerbridge/ledgerbridge/internal/stripeapi"
	"github.com/ledgerbridge/ledgerbridge/internal/tclient"
	"github.com/ledgerbridge/ledgerbridge/internal/tsetup"
	"github.com/ledgerbridge/ledgerbridge/workflows"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "preview" {
		if err := preview(os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, "preview:", err)
			os.Exit(1)
		}
		return
	}
	if len(os.Args) > 1 && os.Args[1] == "setup" {
		if err := setup(); err != nil {
			fmt.Fprintln(os.Stderr, "worker setup:", err)
			os.Exit(1)
		}
		return
	}
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

	// The mapping and GL accounts are checked before anything runs: a bad file stops the worker
	// with file, line and reason instead of parking every run later.
	m, gl, err := cfg.LoadMapping()
	if err != nil {
		return err
	}
	want := namespaceWant(cfg)
	h := newHealth(log, want)
	alerts := &activities.Activities{Settings: activities.Settings{AlertWebhookURL: cfg.AlertWebhookURL}, Logger: log}
	mon, err := newMonitor(cfg, h.registry, alerts, log)
	if err != nil {
		return err
	}
	inner, err := connectors.New(cfg.ERP, cfg.SageURL, cfg.SageAPIKey,
		&http.Client{Timeout: 15 * time.Second, Transport: mon.Transport(monitor.SystemERP, nil)}, connectors.StaticOptions(m.Extra))
	if err != nil {
		return fmt.Errorf("%s: %w", m.Name, err)
	}
	connector := monitor.ERP(inner, monitor.SystemERP, mon)
	if err := validateGL(ctx, gl, connector, log); err != nil {
		return err
	}

	topts, err := cfg.TemporalOptions(log, time.Minute)
	if err != nil {
		return err
	}
	topts.MetricsHandler = metrics.NewTemporal(h.registry)
	ledger := metrics.NewLedger(h.registry)
	if _, err := serveHealth(ctx, cfg.WorkerHealthAddr, h); err != nil {
		return err
	}
	tc, err := tclient.DialOptions(ctx, topts)
	if err != nil {
		return err
	}
	defer tc.Close()
	h.tc = tc
	// A fresh cluster has neither the namespace nor the search attributes: create them (or say
	// what is missing) before polling, so that no webhook is refused for a missing attribute.
	ectx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	err = tsetup.Ensure(ectx, tc, want, log)
	cancel()
	if err != nil {
		return err
	}
	acts := &activities.Activities{
		Stripe: monitor.Stripe(&stripeapi.API{SC: stripeapi.NewClientWith(cfg.StripeAPIURL, cfg.StripeAPIKey,
			&http.Client{Timeout: 20 * time.Second, Transport: mon.Transport(monitor.SystemStripe, nil)})}, mon),
		ERP: connector,
		GL:  gl,
		Settings: activities.Settings{Mapping: m, CreateSalesOrder: cfg.CreateSalesOrder, AlertWebhookURL: cfg.AlertWebhookURL,
			ReportDir: cfg.ReportDir, WebUI: cfg.WebUI},
		Logger:    log,
		Schedules: tc.ScheduleClient(),
		Starter:   tc,
		Runs:      tc,
		Metrics:   ledger,
	}
	// Reconciliation reports are written where the gateway serves them (/admin/reports).
	if acts.Reports, err = report.NewStore(cfg.ReportDir); err != nil {
		return fmt.Errorf("LEDGERBRIDGE_REPORT_DIR=%s: %w", cfg.ReportDir, err)
	}
	if cfg.Uses("paytrace") {
		acts.PayTrace = paytrace.New(paytrace.Config{BaseURL: cfg.PayTraceURL, Username: cfg.PayTraceUser, Password: cfg.PayTracePassword,
			IntegratorID: cfg.PayTraceIntegratorID, Location: cfg.PayTraceLocation, HTTPClient: &http.Client{Timeout: 30 * time.Second, Transport: mon.Transport(monitor.SystemPayTrace, nil)}})
	}
	w := worker.New(tc, cfg.TaskQueue, worker.Options{})
	w.RegisterWorkflowWithOptions(workflows.OrderToCash, workflow.RegisterOptions{Name: workflows.OrderToCashWorkflowName})
	w.RegisterWorkflowWithOptions(workflows.RefundToCreditMemo, workflow.RegisterOptions{Name: workflows.RefundWorkflowName})
	w.RegisterWorkflowWithOptions(workflows.ChargeRefunds, workflow.RegisterOptions{Name: workflows.ChargeRefundsWorkflowName})
	w.RegisterWorkflowWithOptions(workflows.Dispute, workflow.RegisterOptions{Name: workflows.DisputeWorkflowName})
	w.RegisterWorkflowWithOptions(workflows.CreditNoteToCreditMemo, workflow.RegisterOptions{Name: workflows.CreditNoteWorkflowName})
	w.RegisterWorkflowWithOptions(workflows.PayTraceTransaction, workflow.RegisterOptions{Name: workflows.PayTraceTransactionWorkflowName})
	w.RegisterWorkflowWithOptions(workflows.PayTraceBatch, workflow.RegisterOptions{Name: workflows.PayTraceBatchWorkflowName})
	w.RegisterWorkflowWithOptions(workflows.PayTracePoll, workflow.RegisterOptions{Name: workflows.PayTracePollWorkflowName})
	workflows.RegisterReconcile(w)
	w.RegisterWorkflowWithOptions(workflows.PayoutToGL, workflow.RegisterOptions{Name: workflows.PayoutWorkflowName})
	w.RegisterWorkflowWithOptions(workflows.CustomerToERP, workflow.RegisterOptions{Name: workflows.CustomerWorkflowName})
	w.RegisterWorkflowWithOptions(workflows.CustomerSyncToStripe, workflow.RegisterOptions{Name: workflows.CustomerSyncWorkflowName})
	w.RegisterWorkflowWithOptions(workflows.PayTraceCustomerSync, workflow.RegisterOptions{Name: workflows.PayTraceCustomerSyncWorkflowName})
	w.RegisterActivity(acts)

	log.Info("worker started", zap.String("temporal", cfg.TemporalAddress), zap.String("taskQueue", cfg.TaskQueue),
		zap.String("stripe", cfg.StripeAPIURL), zap.String("erp", cfg.ERP), zap.String("sage", cfg.SageURL),
		zap.Bool("encryptedPayloads", topts.DataConverter != nil), zap.Bool("alerts", cfg.AlertWebhookURL != ""))
	// A provider this installation does not use has its schedules paused (interval 0).
	stripeSyncEvery, payTraceEvery, payTraceSyncEvery := cfg.CustomerSyncInterval, cfg.PayTracePollInterval, cfg.CustomerSyncInterval
	if !cfg.Uses("stripe") {
		stripeSyncEvery = 0
	}
	if !cfg.Uses("paytrace") {
		payTraceEvery, payTraceSyncEvery = 0, 0
	}
	if err := ensureSchedule(ctx, tc, workflows.CustomerSyncScheduleID, workflows.CustomerSyncWorkflowName, cfg.TaskQueue,
		stripeSyncEvery, &activities.SyncCursor{}, log); err != nil {
		return err
	}
	if err := ensureSchedule(ctx, tc, workflows.PayTraceCustomerSyncScheduleID, workflows.PayTraceCustomerSyncWorkflowName, cfg.TaskQueue,
		payTraceSyncEvery, &activities.SyncCursor{}, log); err != nil {
		return err
	}
	for _, p := range cfg.Providers {
		if err := ensureSchedule(ctx, tc, workflows.ReconcileScheduleID(p), workflows.ReconcileWorkflowName, cfg.TaskQueue,
			cfg.ReconcileInterval, &workflows.ReconcileInput{Provider: p, Lookback: 48 * time.Hour, Heal: true}, log); err != nil {
			return err
		}
	}
	if err := ensureSchedule(ctx, tc, workflows.PayTracePollScheduleID, workflows.PayTracePollWorkflowName, cfg.TaskQueue,
		payTraceEvery, &activities.PayTracePollCursor{}, log); err != nil {
		return err
	}
	if err := w.Start(); err != nil {
		return err
	}
	h.polling.Store(true)
	go countParked(ctx, tc, ledger, log)
	<-ctx.Done()
	log.Info("worker stopping")
	w.Stop()
	return nil
}

// newMonitor builds the rate limits, call metrics and outage alerts every external call goes
// through.
func newMonitor(cfg *config.Config, reg *prometheus.Registry, alerts *activities.Activities, log *zap.Logger) (*monitor.Monitor, error) {
	limits := map[string]monitor.Limits{}
	for _, l := range []struct{ name, system, spec string }{{"LEDGERBRIDGE_RATE_STRIPE", monitor.SystemStripe, cfg.RateStripe},
		{"LEDGERBRIDGE_RATE_ERP", monitor.SystemERP, cfg.RateERP}, {"LEDGERBRIDGE_RATE_PAYTRACE", monitor.SystemPayTrace, cfg.RatePayTrace}} {
		lim, err := monitor.ParseLimits(l.spec)
		if err != nil {
			return nil, fmt.Errorf("%s=%q: %w", l.name, l.spec, err)
		}
		limits[l.system] = lim
	}
	alert := func(system, problem string) {
		// An outage alert, like a parked run's: where to look, no data values.
		_, _ = alerts.Alert(context.Background(), &activities.AlertInput{WorkflowID: "external/" + system, Step: system, Problem: problem})
	}
	// Limits count HTTP requests (every system's own rate limit does), not connector calls.
	return monitor.New(monitor.Config{Limits: limits, Threshold: cfg.OutageAlertAfter,
		PerRequest: []string{monitor.SystemERP, monitor.SystemStripe, monitor.SystemPayTrace},
		OnOutage: func(system string, since time.Time, lastErr error) {
			log.Error("external system failing", zap.String("system", system), zap.Time("since", since), zap.Error(lastErr))
			alert(system, "ExternalOutage: failing since "+since.UTC().Format(time.RFC3339))
		},
		OnRecovery: func(system string, lasted time.Duration) {
			log.Warn("external system recovered", zap.String("system", system), zap.Duration("after", lasted))
			alert(system, "ExternalRecovered: after "+lasted.Round(time.Second).String())
		}}, reg), nil
}

// countParked keeps the parked-runs gauge current (visibility is eventually consistent: every 30 s).
func countParked(ctx context.Context, tc client.Client, ledger *metrics.Ledger, log *zap.Logger) {
	t := time.NewTicker(30 * time.Second)
	defer t.Stop()
	for {
		resp, err := tc.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Query: "NeedsAttention = true AND ExecutionStatus = 'Running'"})
		if err == nil {
			ledger.Parked.Set(float64(resp.GetCount()))
		} else if ctx.Err() == nil {
			log.Debug("count parked runs", zap.Error(err))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// namespaceWant is the namespace and search attributes ledgerbridge needs.
func namespaceWant(cfg *config.Config) tsetup.Want {
	return tsetup.Want{Namespace: cfg.TemporalNamespace, Retention: cfg.NamespaceRetention, SearchAttributes: workflows.SearchAttributeTypes}
}

// setup is `worker setup`: it ensures the namespace and search attributes and exits, for a
// deploy job that runs before the workers and gateways (they also ensure them on their own).
func setup() error {
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	log, err := logging.New(cfg.LogLevel)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	topts, err := cfg.TemporalOptions(log, 2*time.Minute)
	if err != nil {
		return err
	}
	tc, err := tclient.DialOptions(ctx, topts)
	if err != nil {
		return err
	}
	defer tc.Close()
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	if err := tsetup.Ensure(ctx, tc, namespaceWant(cfg), log); err != nil {
		return err
	}
	fmt.Printf("namespace %s on %s is ready: %d search attributes\n", cfg.TemporalNamespace, cfg.TemporalAddress, len(workflows.SearchAttributeTypes))
	return nil
}

// validateGL refuses to start with a GL mapping that names an account the ERP does not have,
// listing every bad entry. The ERP may still be starting: it is retried for a minute.
func validateGL(ctx context.Context, gl glmap.Accounts, conn erp.Connector, log *zap.Logger) error {
	if err := gl.Validate(nil); err != nil {
		return err
	}
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
			return gl.Validate(known)
		}
		if erp.IsValidation(err) || time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("read the ERP's chart of accounts to check the GL mapping: %w", err)
		}
		log.Info("waiting for the ERP to list GL accounts", zap.Error(err))
		time.Sleep(time.Second)
	}
}

// ensureSchedule creates a Temporal Schedule running workflowName every interval with initial
// arguments args, or updates its interval keeping its arguments (the cursor); interval 0 pauses
// it. Schedules are what operators see, pause and trigger in Web UI.
func ensureSchedule(ctx context.Context, tc client.Client, id, workflowName, taskQueue string, interval time.Duration, args any, log *zap.Logger) error {
	sc := tc.ScheduleClient()
	h := sc.GetHandle(ctx, id)
	_, err := h.Describe(ctx)
	exists := err == nil
	if interval == 0 {
		if exists {
			log.Info("schedule disabled: pausing it", zap.String("schedule", id))
			return h.Pause(ctx, client.SchedulePauseOptions{Note: "interval 0 in the worker's configuration"})
		}
		return nil
	}
	spec := client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: interval}}}
	if exists {
		if err := h.Unpause(ctx, client.ScheduleUnpauseOptions{Note: "worker started with an interval"}); err != nil {
			return fmt.Errorf("unpause schedule %s: %w", id, err)
		}
		return h.Update(ctx, client.ScheduleUpdateOptions{DoUpdate: func(u client.ScheduleUpdateInput) (*client.ScheduleUpdate, error) {
			u.Description.Schedule.Spec = &spec
			return &client.ScheduleUpdate{Schedule: &u.Description.Schedule}, nil
		}})
	}
	_, err = sc.Create(ctx, client.ScheduleOptions{
		ID: id, Spec: spec, Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_SKIP,
		Action: &client.ScheduleWorkflowAction{ID: id + "-run", Workflow: workflowName, TaskQueue: taskQueue, Args: []interface{}{args}},
	})
	if err != nil && !strings.Contains(err.Error(), "already") {
		return fmt.Errorf("create schedule %s: %w", id, err)
	}
	log.Info("scheduled", zap.String("schedule", id), zap.Duration("every", interval))
	return nil
}
