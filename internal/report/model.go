// Package report is the reconciliation report a controller reads: what the provider has, what
// the ERP has, every discrepancy with its reason and a link to its run in Temporal Web UI. The
// Reconcile workflow's activities fill a Report; this package stores it (JSON for machines,
// HTML for people) in the data folder and renders it for the gateway's /admin/reports.
package report

import (
	"time"

	"github.com/shopspring/decimal"
)

// Classes of reconciled objects.
const (
	ClassPosted     = "posted"     // in the ERP once, amounts and currency equal
	ClassMissing    = "missing"    // not in the ERP (healed when safe: its run is started)
	ClassMismatch   = "mismatch"   // in the ERP with another amount or currency
	ClassDuplicate  = "duplicate"  // more than one live ERP document for one external reference
	ClassOrphan     = "orphan"     // an ERP document whose provider object does not exist
	ClassParked     = "parked"     // its run waits for an operator (NeedsAttention)
	ClassInFlight   = "in_flight"  // its run is still working on it
	ClassHealed     = "healed"     // was missing; its run has been started by this reconciliation
	ClassNotPosting = "not_posted" // correctly absent: declined, voided, uncaptured, skipped
)

// Report is one reconciliation run over one provider and period.
type Report struct {
	ID          string    `json:"id"` // e.g. "stripe-20261201T000000Z-20261202T000000Z-<runID prefix>"
	Provider    string    `json:"provider"`
	ERP         string    `json:"erp"`
	From        time.Time `json:"from"`
	To          time.Time `json:"to"`
	GeneratedAt time.Time `json:"generatedAt"`
	WorkflowID  string    `json:"workflowId"`
	RunID       string    `json:"runId"`
	// WebUI is the Temporal Web UI base URL for links (e.g. http://127.0.0.1:8233/namespaces/default).
	WebUI string `json:"webUi"`
	// Objects is how many provider objects the window held; Totals per currency.
	Objects int              `json:"objects"`
	Totals  []CurrencyTotals `json:"totals"`
	Classes []ClassCount     `json:"classes"`
	// Items are the discrepancies (every class but posted and not_posted), at most MaxItems;
	// Truncated says how many more there were.
	Items     []Item `json:"items"`
	Truncated int    `json:"truncated,omitempty"`
	// Daily is posted vs provider per day (chart); Payouts the payout tie-out (chart and table).
	Daily   []Day    `json:"daily"`
	Payouts []Payout `json:"payouts,omitempty"`
	// History is the discrepancy count of earlier runs of this provider (chart), oldest first.
	History []HistoryPoint `json:"history,omitempty"`
	// Anomalies are the explainable anomaly flags raised in the window.
	Anomalies []Anomaly `json:"anomalies,omitempty"`
}

// MaxItems bounds the discrepancies a report lists.
const MaxItems = 2000

// CurrencyTotals compares provider and ERP amounts in one currency.
type CurrencyTotals struct {
	Currency string          `json:"currency"`
	Provider decimal.Decimal `json:"provider"`
	ERP      decimal.Decimal `json:"erp"`
	Count    int             `json:"count"`
}

// ClassCount is how many objects fell in a class.
type ClassCount struct {
	Class string `json:"class"`
	Count int    `json:"count"`
}

// Item is one discrepancy.
type Item struct {
	Class string `json:"class"`
	// Object is the provider object (ch_…, re_…, po_…, a PayTrace transaction ID) or, for an
	// orphan, the ERP document number.
	Object      string          `json:"object"`
	Kind        string          `json:"kind"` // charge, refund, dispute, payout, transaction, batch
	Currency    string          `json:"currency,omitempty"`
	Amount      decimal.Decimal `json:"amount"`
	ERPAmount   decimal.Decimal `json:"erpAmount"`
	ERPDocument string          `json:"erpDocument,omitempty"`
	Reason      string          `json:"reason"`
	WorkflowID  string          `json:"workflowId,omitempty"`
	Created     time.Time       `json:"created"`
}

// Day is one day's provider and posted totals (in the report's main currency, or per currency).
type Day struct {
	Day      string          `json:"day"` // YYYY-MM-DD
	Currency string          `json:"currency"`
	Provider decimal.Decimal `json:"provider"`
	Posted   decimal.Decimal `json:"posted"`
}

// Payout is one payout (or settlement batch) and what was posted for it.
type Payout struct {
	ID       string          `json:"id"`
	Currency string          `json:"currency"`
	Amount   decimal.Decimal `json:"amount"`
	Posted   decimal.Decimal `json:"posted"`
	Status   string          `json:"status"` // tied, missing, mismatch, pending
}

// HistoryPoint is an earlier run's discrepancy count.
type HistoryPoint struct {
	At            time.Time `json:"at"`
	Discrepancies int       `json:"discrepancies"`
}

// Anomaly is an explainable rule that fired (same amount several times in minutes, far above the
// customer's usual, refunds exceeding charges, a velocity spike).
type Anomaly struct {
	Rule       string `json:"rule"`
	Object     string `json:"object"`
	Detail     string `json:"detail"`
	WorkflowID string `json:"workflowId,omitempty"`
}
