package workflows

import (
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/ledgerbridge/ledgerbridge/activities"
)

// Customer master sync workflow names and IDs.
const (
	CustomerWorkflowName     = "CustomerToERP"
	CustomerSyncWorkflowName = "CustomerSyncToStripe"
	// CustomerSyncScheduleID is the Temporal Schedule that runs the ERP → Stripe sync.
	CustomerSyncScheduleID = "customer-sync-erp-to-stripe"
	customerSyncBatch      = 200
	customerSyncMaxBatches = 25
)

// CustomerID is the workflow ID of a Stripe customer's Stripe → ERP sync.
func CustomerID(stripeCustomerID string) string { return "customer/stripe/" + stripeCustomerID }

// RefreshSignal is what the gateway signals to a running per-object run when a new event for the
// object arrives.
type RefreshSignal struct {
	EventType string `json:"eventType"`
	Created   int64  `json:"created"`
}

// CustomerInput names the Stripe customer and when Stripe changed it.
type CustomerInput struct {
	CustomerID string `json:"customerId"`
	EventType  string `json:"eventType,omitempty"`
	EventTime  int64  `json:"eventTime,omitempty"`
}

// CustomerResult says what the ERP customer became.
type CustomerResult struct {
	Status        string `json:"status"`
	StripeID      string `json:"stripeId"`
	ERPCustomerID string `json:"erpCustomerId,omitempty"`
	Action        string `json:"action,omitempty"`
}

// CustomerToERP mirrors a Stripe customer in the ERP on customer.created / customer.updated:
// upsert by stored cross-reference, then email, never a second ERP customer for one Stripe
// customer; the newer edit wins (see activities.UpsertERPCustomer).
func CustomerToERP(ctx workflow.Context, in *CustomerInput) (*CustomerResult, error) {
	res := &CustomerResult{Status: StatusRunning, StripeID: in.CustomerID}
	var (
		status, stepName, problem string
		parked                    int
		corr                      activities.Corrections
	)
	if err := workflow.SetQueryHandler(ctx, QueryStatus, func() (*CustomerResult, error) { return res, nil }); err != nil {
		return nil, err
	}
	r := newStepRunner(ctx, &status, &stepName, &problem, &parked, &corr)
	r.setStatus(ctx, StatusRunning)
	refresh := workflow.GetSignalChannel(ctx, SignalRefresh)
	stripeCtx := workflow.WithActivityOptions(ctx, stripeActivity)
	erpCtx := workflow.WithActivityOptions(ctx, erpActivity)
	eventTime := in.EventTime
	for {
		var c *activities.StripeCustomer
		var up activities.UpsertERPCustomerResult
		for _, s := range []step{
			{"fetch-customer", func() error {
				return workflow.ExecuteActivity(stripeCtx, a.FetchStripeCustomer, &activities.FetchStripeCustomerInput{CustomerID: in.CustomerID}).Get(ctx, &c)
			}},
			{"upsert-erp-customer", func() error {
				return workflow.ExecuteActivity(erpCtx, a.UpsertERPCustomer, &activities.UpsertERPCustomerInput{Customer: c, EventTime: eventTime}).Get(ctx, &up)
			}},
			{"write-back", func() error {
				clearHash := up.Action == "updated" && c.Metadata[activities.MetaSyncHash] != ""
				// The ERP ID's metadata key is named per ERP since change customer-meta-per-erp;
				// runs recorded before it read the Sage500 key.
				linked := c.Metadata[activities.LegacyMetaKeys.CustomerID]
				if workflow.GetVersion(ctx, "customer-meta-per-erp", workflow.DefaultVersion, 1) == 1 {
					linked = c.ERPCustomerID
				}
				if up.CustomerID == "" || (linked == up.CustomerID && !clearHash) {
					return nil
				}
				return workflow.ExecuteActivity(stripeCtx, a.WriteBackCustomer, &activities.WriteBackCustomerInput{
					StripeCustomerID: c.StripeID, CustomerID: up.CustomerID, ClearSyncHash: clearHash, EventTime: eventTime}).Get(ctx, nil)
			}},
		} {
			abandoned, err := r.run(ctx, s)
			if err != nil || abandoned {
				res.Status = status
				return res, err
			}
		}
		res.ERPCustomerID, res.Action = up.CustomerID, up.Action
		if up.CustomerID != "" {
			_ = workflow.UpsertTypedSearchAttributes(ctx, SAErpDocument.ValueSet(up.CustomerID), SACustomerEmail.ValueSet(c.Email))
		}
		var sig RefreshSignal
		more := false
		for refresh.ReceiveAsync(&sig) {
			more = true
			if sig.Created > eventTime {
				eventTime = sig.Created
			}
		}
		if !more {
			break
		}
	}
	r.setStatus(ctx, StatusPosted)
	res.Status = StatusPosted
	return res, nil
}

// CustomerSyncResult reports one scheduled ERP → Stripe pass.
type CustomerSyncResult struct {
	Since   time.Time `json:"since"`
	Cursor  time.Time `json:"cursor"`
	AfterID string    `json:"afterId,omitempty"`
	Seen    int       `json:"seen"`
	Created int       `json:"created"`
	Updated int       `json:"updated"`
	// Failed lists the customers Stripe refused, with why.
	Failed []string `json:"failed,omitempty"`
}

// CustomerSyncToStripe runs on a Temporal Schedule: it pushes the customers changed in the ERP
// since the cursor to Stripe (create or update, cross-reference written both ways) and stores
// the new cursor on the schedule for the next run.
func CustomerSyncToStripe(ctx workflow.Context, in *activities.SyncCursor) (*CustomerSyncResult, error) {
	since, afterID := time.Time{}, ""
	if in != nil {
		since, afterID = in.Since, in.AfterID
	}
	res := &CustomerSyncResult{Since: since, Cursor: since, AfterID: afterID}
	erpCtx := workflow.WithActivityOptions(ctx, erpActivity)
	stripeCtx := workflow.WithActivityOptions(ctx, stripeActivity)
	for batch := 0; batch < customerSyncMaxBatches; batch++ {
		var changed activities.ChangedERPCustomersResult
		if err := workflow.ExecuteActivity(erpCtx, a.ChangedERPCustomers, &activities.ChangedERPCustomersInput{
			Since: res.Cursor, AfterID: res.AfterID, Limit: customerSyncBatch}).Get(ctx, &changed); err != nil {
			return res, err
		}
		for _, c := range changed.Customers {
			var pr activities.PushCustomerResult
			if err := workflow.ExecuteActivity(stripeCtx, a.PushCustomerToStripe, &activities.PushCustomerInput{Customer: c}).Get(ctx, &pr); err != nil {
				// One record Stripe refuses must not stall every later change: report it (alert,
				// result) and go on; it is pushed again the next time it changes in the ERP.
				res.Failed = append(res.Failed, c.ID+": "+problemText(err))
				_ = workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, alertActivity), a.Alert, &activities.AlertInput{
					WorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID, Step: "push-customer " + c.ID, Problem: problemText(err)}).Get(ctx, nil)
			}
			res.Seen++
			switch pr.Action {
			case "created":
				res.Created++
			case "updated":
				res.Updated++
			}
			// The list is in (UpdatedAt, ID) order: the cursor is the last customer handled.
			res.Cursor, res.AfterID = c.UpdatedAt, c.ID
		}
		if !changed.More {
			break
		}
	}
	return res, saveCursor(ctx, res)
}

func saveCursor(ctx workflow.Context, res *CustomerSyncResult) error {
	if res.Seen == 0 {
		return nil
	}
	return workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, erpActivity), a.SaveSyncCursor,
		&activities.SaveSyncCursorInput{ScheduleID: CustomerSyncScheduleID, Cursor: res.Cursor, AfterID: res.AfterID}).Get(ctx, nil)
}
