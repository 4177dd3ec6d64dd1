package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/ledgerbridge/ledgerbridge/activities"
)

// reconcileState is what a reconciliation carries from page to page, and across continue-as-new.
type reconcileState struct {
	Input  ReconcileInput            `json:"input"`
	Cursor string                    `json:"cursor"`
	Tally  activities.ReconcileTally `json:"tally"`
	Pages  int                       `json:"pages"`
}

// reconcilePagesPerRun bounds one run's history: after that many pages it continues as new, so a
// window of 100,000 objects never grows one history with the count.
const reconcilePagesPerRun = 40

// reconcileActivity pages through the provider and the ERP; a page is at most 100 objects.
var reconcileActivity = workflow.ActivityOptions{
	StartToCloseTimeout: 10 * time.Minute,
	// A page heartbeats per object: a worker killed mid-page has the page retried on another
	// worker within 30 s (it is idempotent: what it healed is now in flight or posted).
	HeartbeatTimeout: 30 * time.Second,
	RetryPolicy: &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute,
		NonRetryableErrorTypes: []string{activities.ErrValidation, activities.ErrStripe, activities.ErrStripeAuth, activities.ErrERPAuth, activities.ErrPayTraceAuth}},
}

// Reconcile compares a provider's objects in a window with the ERP, heals what is missing by
// starting each object's own run (same workflow ID as the webhook path: healing cannot post twice),
// never changes the ERP itself, and writes the report a controller reads. It is also the historical
// backfill (Backfill: heal everything in the window) and the re-poll for missed webhooks. The
// schedules reconcile-stripe and reconcile-paytrace run it daily.
func Reconcile(ctx workflow.Context, in *ReconcileInput) (*ReconcileResult, error) {
	st := &reconcileState{Input: *in}
	return reconcile(ctx, st)
}

// reconcileContinued is Reconcile resumed after continue-as-new.
func reconcileContinued(ctx workflow.Context, st *reconcileState) (*ReconcileResult, error) {
	return reconcile(ctx, st)
}

func reconcile(ctx workflow.Context, st *reconcileState) (*ReconcileResult, error) {
	in := &st.Input
	if in.To.IsZero() {
		in.To = workflow.Now(ctx).UTC().Truncate(time.Second)
	}
	if in.From.IsZero() {
		lookback := in.Lookback
		if lookback <= 0 {
			lookback = 48 * time.Hour
		}
		in.From = in.To.Add(-lookback)
	}
	if in.Backfill {
		in.Heal = true
	}
	progress := ReconcileProgress{Phase: "listing", Done: st.Tally.Objects, Healed: st.Tally.Healed}
	if err := workflow.SetQueryHandler(ctx, QueryProgress, func() (ReconcileProgress, error) { return progress, nil }); err != nil {
		return nil, err
	}
	_ = workflow.UpsertTypedSearchAttributes(ctx, SAProvider.ValueSet(in.Provider), SALedgerStatus.ValueSet(StatusRunning))
	actx := workflow.WithActivityOptions(ctx, reconcileActivity)
	healRate := 10.0
	if in.Backfill {
		healRate = 5 // a backfill leaves most of the ERP's and the provider's rate to live traffic
	}
	runs := activities.RunNames{OrderToCash: OrderToCashWorkflowName, Refund: RefundWorkflowName, Payout: PayoutWorkflowName,
		PayTrace: PayTraceTransactionWorkflowName, PayTraceBatch: PayTraceBatchWorkflowName, Signal: SignalRefresh}
	for pages := 0; ; pages++ {
		if pages == reconcilePagesPerRun {
			return nil, workflow.NewContinueAsNewError(ctx, reconcileContinuedName, st)
		}
		var page activities.ReconcilePageResult
		if err := workflow.ExecuteActivity(actx, a.ReconcilePage, &activities.ReconcilePageInput{Provider: in.Provider, From: in.From, To: in.To,
			Cursor: st.Cursor, PageSize: 100, Heal: in.Heal, HealRate: healRate, TaskQueue: workflow.GetInfo(ctx).TaskQueueName,
			Runs: runs}).Get(ctx, &page); err != nil {
			return nil, err
		}
		st.Tally.Merge(&page)
		st.Cursor, st.Pages = page.Cursor, st.Pages+1
		progress = ReconcileProgress{Phase: "classifying", Done: st.Tally.Objects, Healed: st.Tally.Healed, Message: st.Cursor}
		if page.Done {
			break
		}
	}
	progress.Phase = "reporting"
	var rep activities.WriteReportResult
	if err := workflow.ExecuteActivity(actx, a.WriteReport, &activities.WriteReportInput{Provider: in.Provider, From: in.From, To: in.To,
		Tally: st.Tally}).Get(ctx, &rep); err != nil {
		return nil, err
	}
	res := &ReconcileResult{ReportID: rep.ReportID, Provider: in.Provider, From: in.From, To: in.To, Objects: st.Tally.Objects,
		Classes: map[string]int{}, Healed: st.Tally.Healed, Discrepancies: st.Tally.Discrepancies()}
	for _, c := range st.Tally.Classes {
		res.Classes[c.Class] = c.Count
	}
	if res.Discrepancies > 0 {
		_ = workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, alertActivity), a.Alert, &activities.AlertInput{
			WorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID, Step: "reconcile " + in.Provider,
			Problem: "ReconciliationDiscrepancies: report " + rep.ReportID}).Get(ctx, nil)
	}
	progress = ReconcileProgress{Phase: "done", Done: st.Tally.Objects, Total: st.Tally.Objects, Healed: st.Tally.Healed}
	_ = workflow.UpsertTypedSearchAttributes(ctx, SALedgerStatus.ValueSet(StatusPosted), SANeedsAttention.ValueSet(res.Discrepancies > 0))
	return res, nil
}

// reconcileContinuedName is the registered name of a reconciliation continued as new.
const reconcileContinuedName = "ReconcileContinued"

// Registrar is the part of a worker that registers workflows.
type Registrar interface {
	RegisterWorkflowWithOptions(w interface{}, options workflow.RegisterOptions)
}

// RegisterReconcile registers Reconcile and its continued-as-new form.
func RegisterReconcile(r Registrar) {
	r.RegisterWorkflowWithOptions(Reconcile, workflow.RegisterOptions{Name: ReconcileWorkflowName})
	r.RegisterWorkflowWithOptions(reconcileContinued, workflow.RegisterOptions{Name: reconcileContinuedName})
}
