package workflows

import (
	"errors"
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

// OrderToCash posts one Stripe charge to the ERP exactly once (seed 001's "Automated E-commerce
// Order Processing"): re-fetch the charge, resolve the customer, post the sales order (optional)
// and the invoice with lines, apply the payment, and write the ERP IDs back to Stripe.
func OrderToCash(ctx workflow.Context, in *OrderToCashInput) (*OrderToCashResult, error) {
	r := &otcRun{st: &OrderToCashStatus{OrderToCashResult: OrderToCashResult{Status: StatusRunning, ChargeID: in.ChargeID}}}
	if err := workflow.SetQueryHandler(ctx, QueryStatus, func() (*OrderToCashStatus, error) { return r.st, nil }); err != nil {
		return nil, err
	}
	r.retry = workflow.GetSignalChannel(ctx, SignalRetry)
	r.abandon = workflow.GetSignalChannel(ctx, SignalAbandon)
	r.setStatus(ctx, StatusRunning)

	stripeCtx := workflow.WithActivityOptions(ctx, stripeActivity)
	erpCtx := workflow.WithActivityOptions(ctx, erpActivity)
	var charge *activities.ChargeSnapshot

	steps := []otcStep{
		{"fetch-charge", func() error {
			return workflow.ExecuteActivity(stripeCtx, a.FetchCharge, &activities.FetchChargeInput{ChargeID: in.ChargeID}).Get(ctx, &charge)
		}},
		{"check-charge", func() error {
			r.st.Amount, r.st.Currency = charge.Amount.String(), charge.Currency
			_ = workflow.UpsertTypedSearchAttributes(ctx, SACustomerEmail.ValueSet(charge.Customer.Email),
				SAAmount.ValueSet(charge.Amount.InexactFloat64()))
			return nil
		}},
		{"resolve-customer", func() error {
			var res activities.ResolveCustomerResult
			err := workflow.ExecuteActivity(erpCtx, a.ResolveCustomer,
				&activities.ResolveCustomerInput{Charge: charge, Corrections: r.st.Corrections}).Get(ctx, &res)
			r.st.CustomerID = res.CustomerID
			return err
		}},
		{"post-sales-order", func() error {
			var res activities.PostDocumentResult
			err := workflow.ExecuteActivity(erpCtx, a.PostSalesOrder, &activities.PostDocumentInput{
				Charge: charge, CustomerID: r.st.CustomerID, Corrections: r.st.Corrections}).Get(ctx, &res)
			r.st.SalesOrder = res.Number
			return err
		}},
		{"post-invoice", func() error {
			var res activities.PostDocumentResult
			err := workflow.ExecuteActivity(erpCtx, a.PostInvoice, &activities.PostDocumentInput{
				Charge: charge, CustomerID: r.st.CustomerID, SalesOrder: r.st.SalesOrder, Corrections: r.st.Corrections}).Get(ctx, &res)
			if err == nil {
				r.st.InvoiceNumber = res.Number
				_ = workflow.UpsertTypedSearchAttributes(ctx, SAErpDocument.ValueSet(res.Number))
			}
			return err
		}},
		{"apply-payment", func() error {
			var res activities.ApplyPaymentResult
			err := workflow.ExecuteActivity(erpCtx, a.ApplyPayment, &activities.ApplyPaymentInput{
				Charge: charge, CustomerID: r.st.CustomerID, InvoiceNumber: r.st.InvoiceNumber}).Get(ctx, &res)
			r.st.PaymentID = res.PaymentID
			return err
		}},
		{"write-back", func() error {
			if r.st.Corrections.SkipWriteBack {
				r.st.Note = "ERP IDs not written back to Stripe (operator correction)"
				return nil
			}
			return workflow.ExecuteActivity(stripeCtx, a.WriteBack, &activities.WriteBackInput{
				ChargeID: charge.ID, StripeCustomerID: charge.Customer.StripeID, CustomerID: r.st.CustomerID,
				SalesOrder: r.st.SalesOrder, InvoiceNumber: r.st.InvoiceNumber, PaymentID: r.st.PaymentID}).Get(ctx, nil)
		}},
	}

	for _, s := range steps {
		if s.name == "check-charge" && (charge.Status != "succeeded" || !charge.Paid) {
			// A webhook can race a later state change; the charge itself decides.
			r.st.Note = "charge is " + charge.Status + ", nothing to post"
			r.setStatus(ctx, "Skipped")
			return &r.st.OrderToCashResult, nil
		}
		abandoned, err := r.runStep(ctx, s)
		if err != nil {
			return nil, err
		}
		if abandoned {
			return &r.st.OrderToCashResult, nil
		}
	}
	r.st.Step = "done"
	r.setStatus(ctx, StatusPosted)
	return &r.st.OrderToCashResult, nil
}

type otcStep struct {
	name string
	run  func() error
}

type otcRun struct {
	st      *OrderToCashStatus
	retry   workflow.ReceiveChannel
	abandon workflow.ReceiveChannel
}

// runStep runs one step; on a data error it parks until an operator retries (the step runs
// again with the corrections) or abandons (compensation runs). It returns abandoned=true when the
// run ended by abandonment, and an error only for cancellation.
func (r *otcRun) runStep(ctx workflow.Context, s otcStep) (abandoned bool, err error) {
	r.st.Step = s.name
	for {
		if r.pendingAbandon(ctx) {
			return true, nil
		}
		err := s.run()
		if err == nil {
			if r.st.Status != StatusRunning {
				r.st.Problem = ""
				r.setStatus(ctx, StatusRunning)
			}
			return false, nil
		}
		if temporal.IsCanceledError(err) || ctx.Err() != nil {
			r.compensate(ctx, "workflow cancelled")
			return false, err
		}
		r.st.Problem = problemText(err)
		r.st.Parked++
		r.setStatus(ctx, StatusNeedsAttention)
		alertCtx := workflow.WithActivityOptions(ctx, alertActivity)
		_ = workflow.ExecuteActivity(alertCtx, a.Alert, &activities.AlertInput{
			WorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID, Step: s.name, Problem: r.st.Problem}).Get(ctx, nil)

		var (
			retrySig   RetrySignal
			abandonSig AbandonSignal
			gotAbandon bool
		)
		sel := workflow.NewSelector(ctx)
		sel.AddReceive(r.retry, func(c workflow.ReceiveChannel, _ bool) { c.Receive(ctx, &retrySig) })
		sel.AddReceive(r.abandon, func(c workflow.ReceiveChannel, _ bool) { c.Receive(ctx, &abandonSig); gotAbandon = true })
		sel.AddReceive(ctx.Done(), func(workflow.ReceiveChannel, bool) {})
		sel.Select(ctx)
		if ctx.Err() != nil {
			r.compensate(ctx, "workflow cancelled")
			return false, ctx.Err()
		}
		if gotAbandon {
			r.compensate(ctx, abandonSig.Reason)
			return true, nil
		}
		mergeCorrections(&r.st.Corrections, retrySig.Corrections)
		r.setStatus(ctx, StatusRunning)
	}
}

func (r *otcRun) pendingAbandon(ctx workflow.Context) bool {
	var sig AbandonSignal
	if !r.abandon.ReceiveAsync(&sig) {
		return false
	}
	r.compensate(ctx, sig.Reason)
	return true
}

// compensate voids what the run posted, on a disconnected context so that it also runs when the
// workflow itself is being cancelled.
func (r *otcRun) compensate(ctx workflow.Context, reason string) {
	dctx, _ := workflow.NewDisconnectedContext(ctx)
	r.setStatus(dctx, StatusCompensating)
	var res activities.CompensateResult
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(dctx, erpActivity), a.Compensate, &activities.CompensateInput{
		PaymentID: r.st.PaymentID, InvoiceNumber: r.st.InvoiceNumber, SalesOrder: r.st.SalesOrder}).Get(dctx, &res)
	r.st.Voided = res.Voided
	r.st.Note = "abandoned: " + reason
	if err != nil {
		r.st.Problem = "compensation failed: " + problemText(err)
	}
	r.setStatus(dctx, StatusAbandoned)
}

func (r *otcRun) setStatus(ctx workflow.Context, status string) {
	r.st.Status = status
	_ = workflow.UpsertTypedSearchAttributes(ctx, SALedgerStatus.ValueSet(status),
		SANeedsAttention.ValueSet(status == StatusNeedsAttention))
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

// problemText extracts the application error's message (the ERP's own words) from an activity error.
func problemText(err error) string {
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		return appErr.Type() + ": " + appErr.Message()
	}
	return err.Error()
}
