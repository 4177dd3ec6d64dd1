package workflows

import "time"

// Reconciliation names (see reconcile.go).
const (
	ReconcileWorkflowName = "Reconcile"
)

// ReconcileScheduleID is the Temporal Schedule that reconciles a provider every day.
func ReconcileScheduleID(provider string) string { return "reconcile-" + provider }

// ReconcileID is the workflow ID of one on-demand reconciliation (or backfill) of a provider over
// [from, to): the same window asked twice joins the same run.
func ReconcileID(provider string, from, to time.Time, backfill bool) string {
	kind := "reconcile"
	if backfill {
		kind = "backfill"
	}
	return kind + "/" + provider + "/" + from.UTC().Format("20060102T150405Z") + "-" + to.UTC().Format("20060102T150405Z")
}

// ReconcileInput is one reconciliation: a provider ("stripe", "paytrace") and a window. A zero
// window on the schedule means "the last Lookback until now".
type ReconcileInput struct {
	Provider string    `json:"provider"`
	From     time.Time `json:"from,omitempty"`
	To       time.Time `json:"to,omitempty"`
	// Lookback is the window of a scheduled run (default 48h: yesterday fully, today so far).
	Lookback time.Duration `json:"lookback,omitempty"`
	// Heal starts the runs of missing objects (by their normal workflow IDs, so healing can
	// never post twice). Scheduled runs heal; an operator may reconcile without healing.
	Heal bool `json:"heal"`
	// Backfill imports everything in the window (historical import): every missing object's run
	// is started, throttled so live traffic keeps its share.
	Backfill bool `json:"backfill,omitempty"`
}

// ReconcileResult is a reconciliation's outcome; the full report is in the data folder
// (report.Store) under ReportID.
type ReconcileResult struct {
	ReportID      string         `json:"reportId"`
	Provider      string         `json:"provider"`
	From          time.Time      `json:"from"`
	To            time.Time      `json:"to"`
	Objects       int            `json:"objects"`
	Classes       map[string]int `json:"classes"`
	Healed        int            `json:"healed"`
	Discrepancies int            `json:"discrepancies"`
}

// ReconcileProgress answers the reconciliation's "progress" query (the CLI's progress bar).
type ReconcileProgress struct {
	Phase   string `json:"phase"` // listing, classifying, healing, reporting, done
	Done    int    `json:"done"`
	Total   int    `json:"total"` // 0 while unknown
	Healed  int    `json:"healed"`
	Message string `json:"message,omitempty"`
}

// QueryProgress is the reconciliation's progress query.
const QueryProgress = "progress"
