// Package activities holds every piece of ledgerbridge that talks to the outside world: Stripe,
// the ERP and the alert channel. Activities are methods on Activities, whose fields are interfaces
// so tests can swap them. Each ERP write looks its document up by external reference first, so a
// retry, a duplicate webhook or an operator reset reuses what an earlier attempt created.
package activities

import (
	"context"
	"errors"
	"sync"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.uber.org/zap"

	"github.com/ledgerbridge/ledgerbridge/internal/erp"
	"github.com/ledgerbridge/ledgerbridge/internal/glmap"
	"github.com/ledgerbridge/ledgerbridge/internal/mapping"
	"github.com/ledgerbridge/ledgerbridge/internal/metrics"
	"github.com/ledgerbridge/ledgerbridge/internal/paytrace"
	"github.com/ledgerbridge/ledgerbridge/internal/stripeapi"
)

// Settings are the choices that shape ERP documents.
type Settings struct {
	// Mapping is the ERP connection's mapping file (fields, items, value maps, dates, GL).
	Mapping *mapping.Mapping
	// CreateSalesOrder posts a sales order before the invoice.
	CreateSalesOrder bool
	// AlertWebhookURL receives parked-run alerts when set.
	AlertWebhookURL string
	// ReportDir is where reconciliation reports are saved; WebUI the Temporal Web UI base URL
	// their links point at.
	ReportDir, WebUI string
}

// Activities is registered with the worker; workflows call its methods.
type Activities struct {
	Stripe stripeapi.Client
	// PayTrace is the PayTrace API (nil when PayTrace is not used).
	PayTrace paytrace.API
	ERP      erp.Connector
	Settings Settings
	// GL maps Stripe money movements to ERP accounts.
	GL     glmap.Accounts
	Logger *zap.Logger
	// Schedules lets the customer sync store its cursor on its Temporal schedule.
	Schedules Schedules
	// Starter lets the PayTrace poll start the runs of the transactions it finds.
	Starter Starter
	// Runs lets reconciliation look up and (re)start the runs of the objects it reconciles.
	Runs RunInspector
	// Reports saves reconciliation reports.
	Reports ReportStore
	// Metrics counts what was posted (nil: not counted).
	Metrics *metrics.Ledger

	cacheOnce sync.Once
	cache     *chargeCache
}

// posted counts one ERP document created.
func (a *Activities) posted(kind string) {
	if a.Metrics != nil {
		a.Metrics.Posted.WithLabelValues(kind).Inc()
	}
}

// charges is the worker's cache of recently fetched charge snapshots.
func (a *Activities) charges() *chargeCache {
	a.cacheOnce.Do(func() { a.cache = newChargeCache(4096, 10*time.Minute) })
	return a.cache
}

// erpError converts a connector error into a Temporal application error with the right type and
// retry behaviour.
func erpError(op string, err error) error {
	if err == nil {
		return nil
	}
	var (
		v  *erp.ValidationError
		tr *erp.TransientError
		au *erp.AuthError
	)
	switch {
	case errors.As(err, &v):
		return temporal.NewNonRetryableApplicationError(op+": "+v.Message, ErrValidation, err)
	case errors.As(err, &tr):
		return temporal.NewApplicationErrorWithOptions(op+": "+tr.Error(), ErrERPUnavailable,
			temporal.ApplicationErrorOptions{NextRetryDelay: tr.RetryAfter, Cause: err})
	case errors.As(err, &au):
		// Retrying a rejected key cannot help: park at once, say so, and let retry resume the run
		// once an operator has fixed SAGE_API_KEY and restarted the worker.
		return temporal.NewNonRetryableApplicationError(op+": credentials rejected by the ERP ("+au.Message+
			"): fix SAGE_API_KEY, restart the worker, then send retry", ErrERPAuth, err)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return temporal.NewApplicationError(op+": "+err.Error(), ErrERPUnavailable, err)
	}
	return temporal.NewApplicationError(op+": "+err.Error(), ErrERPUnavailable, err)
}

// validation builds a non-retryable ValidationError for data problems found before calling the ERP.
func validation(msg string) error {
	return temporal.NewNonRetryableApplicationError(msg, ErrValidation, nil)
}

// mapping returns the configured mapping, or the shipped Sage 500 default (unit tests).
func (a *Activities) mapping() *mapping.Mapping {
	if a.Settings.Mapping != nil {
		return a.Settings.Mapping
	}
	m, err := mapping.Default("sage500")
	if err != nil {
		panic(err) // the embedded default is tested; failing here is a build defect
	}
	return m
}

// dataError turns a mapping data error into a parking validation error.
func dataError(err error) error {
	if mapping.IsDataError(err) {
		return validation(err.Error())
	}
	return err
}
