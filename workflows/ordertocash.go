package workflows

import (
	"errors"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/ledgerbridge/ledgerbridge/activities"
)

// a lets workflows reference activity methods at compile time; it is never dereferenced.
var a *activities.Activities

// OrderToCashInput names the charge to post. The event fields are for the record only: the
// workflow re-fetches the charge from Stripe.
type OrderToCashInput struct {
	ChargeID  string `json:"chargeId"`
	EventID   string `json:"eventId,omitempty"`
	EventType string `json:"eventType,omitempty"`
}

// OrderToCashResult is what the run posted (or voided, when abandoned).
type OrderToCashResult struct {
	Status        string   `json:"status"`
	ChargeID      string   `json:"chargeId"`
	CustomerID    string   `json:"customerId,omitempty"`
	SalesOrder    string   `json:"salesOrder,omitempty"`
	InvoiceNumber string   `json:"invoiceNumber,omitempty"`
	PaymentID     string   `json:"paymentId,omitempty"`
	Amount        string   `json:"amount,omitempty"`
	Currency      string   `json:"currency,omitempty"`
	Voided        []string `json:"voided,omitempty"`
	Note          string   `json:"note,omitempty"`
	// Anomalies are the anomaly rules the charge tripped (also the Anomaly search attribute).
	Anomalies []string `json:"anomalies,omitempty"`
}

// OrderToCashStatus answers the status query: where the run is and, when parked, why.
type OrderToCashStatus struct {
	OrderToCashResult
	Step        string                 `json:"step"`
	Problem     string                 `json:"problem,omitempty"`
	Parked      int                    `json:"timesParked"`
	Corrections activities.Corrections `json:"corrections"`
}

// RetrySignal resumes a parked run at the step that failed, with optional corrections.
type RetrySignal struct {
	Corrections activities.Corrections `json:"corrections"`
}

// AbandonSignal ends a parked run: what it posted is voided.
type AbandonSignal struct {
	Reason string `json:"reason"`
}

// Activity options per external system. Retries are unlimited for transient failures (nothing is
// dropped while Sage or Stripe is down); data errors are non-retryable and park the run.
var (
	stripeActivity = workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2,
			MaximumInterval: time.Minute, NonRetryableErrorTypes: []string{activities.ErrValidation, activities.ErrStripe}},
	}
	erpActivity = workflow.ActivityOptions{
		StartToCloseTimeout: 20 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2,
			MaximumInterval: 15 * time.Second, NonRetryableErrorTypes: []string{activities.ErrValidation}},
	}
	alertActivity = workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 5},
	}
)

// Local activity options of the calls order-to-cash runs inside its workflow task (change ID
// otc-fewer-actions): a local activity has no task of its own and leaves one marker in the
// history. Its retries stay in the worker and stay short (every backoff within the workflow task
// timeout, so no timer is needed), and it gives up after half a minute: runLocal then hands the
// same call to a regular activity, which the server retries without limit and without growing
// the history, so an outage of Stripe or the ERP still drops nothing.
var (
	stripeLocal = workflow.LocalActivityOptions{
		ScheduleToCloseTimeout: 30 * time.Second,
		StartToCloseTimeout:    15 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: 4 * time.Second,
			NonRetryableErrorTypes: stripeActivity.RetryPolicy.NonRetryableErrorTypes},
	}
	erpLocal = workflow.LocalActivityOptions{
		ScheduleToCloseTimeout: 30 * time.Second,
		StartToCloseTimeout:    15 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: 4 * time.Second,
			NonRetryableErrorTypes: erpActivity.RetryPolicy.NonRetryableErrorTypes},
	}
)

// otcFewerActions is the change ID of order-to-cash's leaner command sequence (version 1): the
// Stripe re-fetch, the customer resolution and the write-back run as local activities (runLocal),
// the Running status is upserted with the charge's email and amount instead of on its own, and
// the ERP document number goes into the next status upsert (Posted, or NeedsAttention when the
// run parks) instead of its own. The ERP postings (sales order, invoice, payment) stay regular
// activities: the server runs one attempt at a time, which their find-then-create relies on.
const otcFewerActions = "otc-fewer-actions"

// runLocal runs fn(in) into out as a local activity with local; when that has not succeeded and
// the error is not one the activity options call final (a data error: the run parks on it),
// the same call is made as a regular activity with remote. Only calls that are safe to run twice
// at once go through it: reads, and writes keyed by business keys (the ERP customer's derived
// ID, Stripe idempotency keys).
func runLocal(ctx workflow.Context, local workflow.LocalActivityOptions, remote workflow.ActivityOptions, fn, in, out any) error {
	err := workflow.ExecuteLocalActivity(workflow.WithLocalActivityOptions(ctx, local), fn, in).Get(ctx, out)
	if err == nil || temporal.IsCanceledError(err) || ctx.Err() != nil {
		return err
	}
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) && (appErr.NonRetryable() || slices.Contains(remote.RetryPolicy.NonRetryableErrorTypes, appErr.Type())) {
		return err
	}
	return workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, remote), fn, in).Get(ctx, out)
}

// OrderToCash posts one Stripe charge to the ERP exactly once (seed 001's "Automated E-commerce
// Order Processing"): re-fetch the charge, resolve the customer, post the sales order (optional)
// and the invoice with lines, apply the payment, and write the ERP IDs back to Stripe.
func OrderToCash(ctx workflow.Context, in *OrderToCashInput) (*OrderToCashResult, error) {
	st := &OrderToCashStatus{OrderToCashResult: OrderToCashResult{Status: StatusRunning, ChargeID: in.ChargeID}}
	if err := workflow.SetQueryHandler(ctx, QueryStatus, func() (*OrderToCashStatus, error) { return st, nil }); err != nil {
		return nil, err
	}
	r := newStepRunner(ctx, &st.Status, &st.Step, &st.Problem, &st.Parked, &st.Corrections)
	r.compensate = func(ctx workflow.Context, reason string) {
		var res activities.CompensateResult
		err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, erpActivity), a.Compensate, &activities.CompensateInput{
			PaymentID: st.PaymentID, InvoiceNumber: st.InvoiceNumber, SalesOrder: st.SalesOrder}).Get(ctx, &res)
		st.Voided = res.Voided
		st.Note = "abandoned: " + reason
		if err != nil {
			st.Problem = "compensation failed: " + problemText(err)
		} else if len(res.NotVoided) > 0 {
			st.Problem = "the ERP refused to void: " + strings.Join(res.NotVoided, "; ")
		}
	}
	// Runs started before the leaner command sequence replay the old one (change ID otc-fewer-actions).
	lean := workflow.GetVersion(ctx, otcFewerActions, workflow.DefaultVersion, 1) == 1
	if !lean {
		r.setStatus(ctx, StatusRunning)
	}

	stripeCtx := workflow.WithActivityOptions(ctx, stripeActivity)
	erpCtx := workflow.WithActivityOptions(ctx, erpActivity)
	var charge *activities.ChargeSummary
	// stripeCall and erpCall run a read or an idempotent, concurrency-safe call: locally on the
	// lean path, else as the activity it always was.
	stripeCall := func(fn, in, out any) error {
		if lean {
			return runLocal(ctx, stripeLocal, stripeActivity, fn, in, out)
		}
		return workflow.ExecuteActivity(stripeCtx, fn, in).Get(ctx, out)
	}
	erpCall := func(fn, in, out any) error {
		if lean {
			return runLocal(ctx, erpLocal, erpActivity, fn, in, out)
		}
		return workflow.ExecuteActivity(erpCtx, fn, in).Get(ctx, out)
	}

	steps := []step{
		{"fetch-charge", func() error {
			return stripeCall(a.FetchCharge, &activities.FetchChargeInput{ChargeID: in.ChargeID}, &charge)
		}},
		{"check-charge", func() error {
			st.Amount, st.Currency = charge.Amount.String(), charge.Currency
			if lean {
				// One upsert: the run is Running (the gateway started it as Received), for whom, and
				// the anomaly rules its charge tripped (flagged, never blocking).
				updates := []temporal.SearchAttributeUpdate{SALedgerStatus.ValueSet(st.Status),
					SACustomerEmail.ValueSet(charge.Customer.Email), SAAmount.ValueSet(charge.Amount.InexactFloat64())}
				if len(charge.Anomalies) > 0 {
					st.Anomalies = charge.Anomalies
					updates = append(updates, SAAnomaly.ValueSet(charge.Anomalies))
				}
				_ = workflow.UpsertTypedSearchAttributes(ctx, updates...)
				return nil
			}
			_ = workflow.UpsertTypedSearchAttributes(ctx, SACustomerEmail.ValueSet(charge.Customer.Email),
				SAAmount.ValueSet(charge.Amount.InexactFloat64()))
			return nil
		}},
		{"resolve-customer", func() error {
			var res activities.ResolveCustomerResult
			err := erpCall(a.ResolveCustomer, &activities.ResolveCustomerInput{ChargeID: charge.ID, Corrections: st.Corrections}, &res)
			st.CustomerID = res.CustomerID
			return err
		}},
		{"post-sales-order", func() error {
			var res activities.PostDocumentResult
			err := workflow.ExecuteActivity(erpCtx, a.PostSalesOrder, &activities.PostDocumentInput{
				ChargeID: charge.ID, CustomerID: st.CustomerID, Corrections: st.Corrections}).Get(ctx, &res)
			st.SalesOrder = res.Number
			return err
		}},
		{"post-invoice", func() error {
			var res activities.PostDocumentResult
			err := workflow.ExecuteActivity(erpCtx, a.PostInvoice, &activities.PostDocumentInput{
				ChargeID: charge.ID, CustomerID: st.CustomerID, SalesOrder: st.SalesOrder, Corrections: st.Corrections}).Get(ctx, &res)
			if err == nil {
				st.InvoiceNumber = res.Number
				if lean {
					// Shown with the next status change: Posted, or NeedsAttention if the run parks.
					r.withNextStatus(SAErpDocument.ValueSet(res.Number))
				} else {
					_ = workflow.UpsertTypedSearchAttributes(ctx, SAErpDocument.ValueSet(res.Number))
				}
			}
			return err
		}},
		{"apply-payment", func() error {
			var res activities.ApplyPaymentResult
			err := workflow.ExecuteActivity(erpCtx, a.ApplyPayment, &activities.ApplyPaymentInput{
				ChargeID: charge.ID, CustomerID: st.CustomerID, InvoiceNumber: st.InvoiceNumber}).Get(ctx, &res)
			st.PaymentID = res.PaymentID
			return err
		}},
		{"write-back", func() error {
			if st.Corrections.SkipWriteBack {
				st.Note = "ERP IDs not written back to Stripe (operator correction)"
				return nil
			}
			// A customer chosen by an operator correction is right for this charge, not necessarily
			// for every charge of the Stripe customer: do not record it as the cross-reference.
			xref := charge.Customer.StripeID
			if st.Corrections.CustomerID != "" {
				xref = ""
			}
			return stripeCall(a.WriteBack, &activities.WriteBackInput{
				ChargeID: charge.ID, StripeCustomerID: xref, CustomerID: st.CustomerID,
				SalesOrder: st.SalesOrder, InvoiceNumber: st.InvoiceNumber, PaymentID: st.PaymentID}, nil)
		}},
	}

	for _, s := range steps {
		// Runs recorded before the capture check replay without it (change ID otc-skip-uncaptured).
		uncaptured := false
		if s.name == "check-charge" && workflow.GetVersion(ctx, "otc-skip-uncaptured", workflow.DefaultVersion, 1) == 1 {
			if err := awaitCapture(ctx, r, stripeCall, &charge); err != nil {
				return nil, err
			}
			uncaptured = charge.Uncaptured
		}
		if s.name == "check-charge" && (charge.Status != "succeeded" || !charge.Paid || uncaptured) {
			// A webhook can race a later state change; the charge itself decides. An uncaptured
			// authorisation is not cash yet (charge.captured is not handled: see README).
			st.Note = "charge is " + charge.Status + ", nothing to post"
			if charge.Status == "succeeded" && uncaptured {
				st.Note = "charge was authorised but never captured (authorisation released or expired), nothing to post"
			}
			r.setStatus(ctx, StatusSkipped)
			return &st.OrderToCashResult, nil
		}
		abandoned, err := r.run(ctx, s)
		if err != nil {
			return nil, err
		}
		if abandoned {
			return &st.OrderToCashResult, nil
		}
	}
	st.Step = "done"
	r.setStatus(ctx, StatusPosted)
	return &st.OrderToCashResult, nil
}

func mergeCorrections(dst *activities.Corrections, src activities.Corrections) {
	if src.CustomerID != "" {
		dst.CustomerID = src.CustomerID
	}
	if src.ItemID != "" {
		dst.ItemID = src.ItemID
	}
	if src.SkipWriteBack {
		dst.SkipWriteBack = true
	}
}

// captureWindow is how long an authorisation can wait for capture (Stripe's card authorisations
// expire after 7 days).
const captureWindow = 8 * 24 * time.Hour

// awaitCapture waits, re-fetching the charge on durable timers, while an authorised charge is not
// captured yet: it is posted once captured, and skipped when the authorisation is released,
// refunded or expires. Capture events for the charge reach the running workflow (the gateway
// starts with "use existing"), so nothing is lost while it waits.
func awaitCapture(ctx workflow.Context, r *stepRunner, stripeCall func(fn, in, out any) error, charge **activities.ChargeSummary) error {
	deadline := workflow.Now(ctx).Add(captureWindow)
	wait := time.Minute
	for (*charge).Uncaptured && (*charge).Status == "succeeded" && !(*charge).Refunded && workflow.Now(ctx).Before(deadline) {
		r.setStatus(ctx, StatusWaitingCapture)
		if err := workflow.Sleep(ctx, wait); err != nil {
			return err
		}
		if wait *= 2; wait > 30*time.Minute {
			wait = 30 * time.Minute
		}
		var next *activities.ChargeSummary
		if err := stripeCall(a.FetchCharge, &activities.FetchChargeInput{ChargeID: (*charge).ID}, &next); err != nil {
			return err
		}
		*charge = next
	}
	if *r.status == StatusWaitingCapture {
		r.setStatus(ctx, StatusRunning)
	}
	return nil
}
