package workflows

import (
	"strconv"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/ledgerbridge/ledgerbridge/activities"
	"github.com/ledgerbridge/ledgerbridge/internal/erp"
)

// Workflow names (stable across refactors).
const (
	RefundWorkflowName        = "RefundToCreditMemo"
	ChargeRefundsWorkflowName = "ChargeRefunds"
)

// RefundID is the workflow ID of one Stripe refund's credit memo.
func RefundID(refundID string) string { return "refund/stripe/" + refundID }

// ChargeRefundsID is the workflow ID of one charge.refunded event's scan. It carries the
// refunded total, so each new refund scans again while redeliveries of one event do not.
func ChargeRefundsID(chargeID string, amountRefunded int64) string {
	return "charge-refunds/stripe/" + chargeID + "/" + strconv.FormatInt(amountRefunded, 10)
}

// RefundInput names the refund.
type RefundInput struct {
	RefundID  string `json:"refundId"`
	EventID   string `json:"eventId,omitempty"`
	EventType string `json:"eventType,omitempty"`
}

// RefundResult is what the run posted.
type RefundResult struct {
	Status        string   `json:"status"`
	RefundID      string   `json:"refundId"`
	ChargeID      string   `json:"chargeId,omitempty"`
	InvoiceNumber string   `json:"invoiceNumber,omitempty"`
	CreditMemo    string   `json:"creditMemo,omitempty"`
	JournalEntry  string   `json:"journalEntry,omitempty"`
	Amount        string   `json:"amount,omitempty"`
	Currency      string   `json:"currency,omitempty"`
	Voided        []string `json:"voided,omitempty"`
	Note          string   `json:"note,omitempty"`
}

// RefundStatus answers the status query.
type RefundStatus struct {
	RefundResult
	Step        string                 `json:"step"`
	Problem     string                 `json:"problem,omitempty"`
	Parked      int                    `json:"timesParked"`
	Corrections activities.Corrections `json:"corrections"`
}

// invoiceWait bounds the backoff while a refund waits for its charge's invoice.
var invoiceWait = struct{ first, max time.Duration }{2 * time.Second, 10 * time.Minute}

// RefundToCreditMemo posts one Stripe refund as a credit memo against the charge's invoice
// (seed 001: "Delayed processing of refunds and credit memos"). A refund can arrive before the
// charge's own event: the run starts the charge's order-to-cash itself (or joins the running
// one) and waits durably for its invoice, without failing or duplicating anything.
func RefundToCreditMemo(ctx workflow.Context, in *RefundInput) (*RefundResult, error) {
	st := &RefundStatus{RefundResult: RefundResult{Status: StatusRunning, RefundID: in.RefundID}}
	if err := workflow.SetQueryHandler(ctx, QueryStatus, func() (*RefundStatus, error) { return st, nil }); err != nil {
		return nil, err
	}
	r := newStepRunner(ctx, &st.Status, &st.Step, &st.Problem, &st.Parked, &st.Corrections)
	r.compensate = func(ctx workflow.Context, reason string) {
		st.Note = "abandoned: " + reason
		actx := workflow.WithActivityOptions(ctx, erpActivity)
		if st.JournalEntry != "" {
			if err := workflow.ExecuteActivity(actx, a.ReverseJournal, &activities.ReverseJournalInput{ExternalRef: in.RefundID}).Get(ctx, nil); err == nil {
				st.Voided = append(st.Voided, "journal entry "+st.JournalEntry+" reversed")
			}
		}
		if st.CreditMemo != "" {
			if err := workflow.ExecuteActivity(actx, a.Compensate, &activities.CompensateInput{CreditMemo: st.CreditMemo}).Get(ctx, nil); err == nil {
				st.Voided = append(st.Voided, "credit memo "+st.CreditMemo)
			}
		}
	}
	r.setStatus(ctx, StatusRunning)
	stripeCtx := workflow.WithActivityOptions(ctx, stripeActivity)
	erpCtx := workflow.WithActivityOptions(ctx, erpActivity)
	var (
		refund    *activities.RefundSnapshot
		invoice   activities.FindChargeInvoiceResult
		coveredBy string // the credit note that issued this refund, if any
	)
	refresh := workflow.GetSignalChannel(ctx, SignalRefresh)
	undo := func() (*RefundResult, error) {
		// A refund that failed or was cancelled returns the money to Stripe's balance: undo
		// whatever an earlier run (or pass) posted for it.
		var res activities.UndoRefundResult
		abandoned, err := r.run(ctx, step{"undo-refund", func() error {
			return workflow.ExecuteActivity(erpCtx, a.UndoRefund, &activities.UndoRefundInput{RefundID: in.RefundID}).Get(ctx, &res)
		}})
		if err != nil || abandoned {
			return &st.RefundResult, err
		}
		st.Voided = append(st.Voided, res.Undone...)
		st.Note = "refund is " + refund.Status + ", nothing to credit"
		if len(res.Undone) > 0 {
			st.Note = "refund " + refund.Status + " after it was posted: " + strings.Join(res.Undone, "; ")
		}
		r.setStatus(ctx, StatusSkipped)
		return &st.RefundResult, nil
	}
	failed := func() bool { return refund.Status == "failed" || refund.Status == "canceled" }
	undoes := workflow.GetVersion(ctx, "refund-undo-failed", workflow.DefaultVersion, 1) == 1
	steps := []step{
		{"fetch-refund", func() error {
			err := workflow.ExecuteActivity(stripeCtx, a.FetchRefund, &activities.FetchRefundInput{RefundID: in.RefundID}).Get(ctx, &refund)
			if err == nil {
				st.ChargeID, st.Amount, st.Currency = refund.ChargeID, refund.Amount.String(), refund.Currency
				_ = workflow.UpsertTypedSearchAttributes(ctx, SAAmount.ValueSet(refund.Amount.InexactFloat64()))
			}
			return err
		}},
		{"await-invoice", func() error { return awaitInvoice(ctx, r, refund.ChargeID, &invoice) }},
		{"recheck-refund", func() error {
			// Events that arrived while this run waited may say the refund failed meanwhile.
			if !undoes || !drain(refresh) {
				return nil
			}
			return workflow.ExecuteActivity(stripeCtx, a.FetchRefund, &activities.FetchRefundInput{RefundID: in.RefundID}).Get(ctx, &refund)
		}},
		{"check-credit-note", func() error {
			// A refund a Stripe credit note issued is credited by that credit note's own run
			// (change refund-credit-note): this run posts only the refunded cash.
			if workflow.GetVersion(ctx, "refund-credit-note", workflow.DefaultVersion, 1) != 1 {
				return nil
			}
			var res activities.RefundCreditNoteResult
			err := workflow.ExecuteActivity(stripeCtx, a.RefundCreditNote, &activities.RefundCreditNoteInput{RefundID: in.RefundID, ChargeID: refund.ChargeID}).Get(ctx, &res)
			coveredBy = res.CreditNoteID
			return err
		}},
		{"post-credit-memo", func() error {
			if coveredBy != "" {
				st.Note = "credited by credit note " + coveredBy + " (its own run posts the credit memo)"
				return nil
			}
			var res activities.PostCreditMemoResult
			err := workflow.ExecuteActivity(erpCtx, a.PostCreditMemo, &activities.PostCreditMemoInput{Refund: refund, Invoice: invoice.Invoice}).Get(ctx, &res)
			if err == nil {
				st.CreditMemo = res.Number
				_ = workflow.UpsertTypedSearchAttributes(ctx, SAErpDocument.ValueSet(res.Number))
			}
			return err
		}},
		{"post-refund-cash", func() error {
			var res activities.PostJournalResult
			memo := st.CreditMemo
			if coveredBy != "" {
				memo = "of credit note " + coveredBy
			}
			err := workflow.ExecuteActivity(erpCtx, a.PostRefundCash, &activities.PostRefundCashInput{Refund: refund, CreditMemo: memo}).Get(ctx, &res)
			st.JournalEntry = res.Number
			return err
		}},
		{"write-back", func() error {
			if st.Corrections.SkipWriteBack || st.CreditMemo == "" {
				return nil
			}
			return workflow.ExecuteActivity(stripeCtx, a.WriteBackRefund, &activities.WriteBackRefundInput{RefundID: refund.ID, CreditMemo: st.CreditMemo}).Get(ctx, nil)
		}},
	}
	for _, s := range steps {
		if s.name == "post-credit-memo" && undoes && failed() {
			return undo()
		}
		// The released part of a partial or cancelled authorisation is a "refund" of money never
		// received: order-to-cash posted the captured amount only (change refund-skip-auth-release).
		if s.name == "await-invoice" && refund.Release && workflow.GetVersion(ctx, "refund-skip-auth-release", workflow.DefaultVersion, 1) == 1 {
			st.Note = "releases the uncaptured part of an authorisation: nothing was received, nothing to credit"
			r.setStatus(ctx, StatusSkipped)
			return &st.RefundResult, nil
		}
		if s.name == "await-invoice" && refund.Status != "succeeded" && refund.Status != "pending" {
			if undoes && failed() {
				return undo()
			}
			st.Note = "refund is " + refund.Status + ", nothing to credit"
			r.setStatus(ctx, StatusSkipped)
			return &st.RefundResult, nil
		}
		abandoned, err := r.run(ctx, s)
		if err != nil {
			return nil, err
		}
		if abandoned {
			return &st.RefundResult, nil
		}
	}
	// refund.updated while this run posted: look again; a refund that failed meanwhile is undone.
	for undoes && drain(refresh) {
		abandoned, err := r.run(ctx, step{"recheck-refund", func() error {
			return workflow.ExecuteActivity(stripeCtx, a.FetchRefund, &activities.FetchRefundInput{RefundID: in.RefundID}).Get(ctx, &refund)
		}})
		if err != nil || abandoned {
			return &st.RefundResult, err
		}
		if failed() {
			return undo()
		}
	}
	st.Step = "done"
	r.setStatus(ctx, StatusPosted)
	return &st.RefundResult, nil
}

// awaitInvoice waits, on durable timers with backoff, until the charge's invoice exists and its
// payment is applied (a memo posted before the payment would eat the balance the payment needs).
// On the first miss it starts the charge's order-to-cash (a no-op when it is already running or
// done), so a refund whose charge event was lost still gets its invoice. An operator can abandon
// the wait; after invoiceWaitAlert without progress the run also raises NeedsAttention (and keeps
// waiting: the charge's own run is the one to fix).
func awaitInvoice(ctx workflow.Context, r *stepRunner, chargeID string, out *activities.FindChargeInvoiceResult) error {
	erpCtx := workflow.WithActivityOptions(ctx, erpActivity)
	wait := invoiceWait.first
	started, alerted := false, false
	begin := workflow.Now(ctx)
	// Runs recorded before this change treated "invoice found" as enough, had no alert and did not
	// listen for abandon while waiting; they must replay the same way.
	waitPaid := workflow.GetVersion(ctx, "refund-waits-for-payment", workflow.DefaultVersion, 1) == 1
	for {
		if err := workflow.ExecuteActivity(erpCtx, a.FindChargeInvoice, &activities.FindChargeInvoiceInput{ChargeID: chargeID}).Get(ctx, out); err != nil {
			return err
		}
		if out.Found && erp.Dead(out.Invoice.Status) {
			return temporal.NewNonRetryableApplicationError("invoice "+out.Invoice.Number+" of charge "+chargeID+
				" is void (its order-to-cash was abandoned): post this refund by hand and abandon this run, or repost the charge and retry",
				activities.ErrValidation, nil)
		}
		if out.Found && (out.Paid || !waitPaid) {
			if *r.status != StatusRunning {
				*r.problem = ""
				r.setStatus(ctx, StatusRunning)
			}
			return nil
		}
		if !started {
			startOrderToCash(ctx, chargeID)
			started = true
		}
		if waitPaid && !alerted && workflow.Now(ctx).Sub(begin) > invoiceWaitAlert {
			alerted = true
			*r.problem = "waiting since " + begin.Format(time.RFC3339) + " for order-to-cash of " + chargeID + " to post its invoice and payment; look at that run"
			r.setStatus(ctx, StatusNeedsAttention)
			_ = workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, alertActivity), a.Alert, &activities.AlertInput{
				WorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID, Step: "await-invoice", Problem: *r.problem}).Get(ctx, nil)
		} else if !alerted {
			r.setStatus(ctx, StatusWaiting)
		}
		timer := workflow.NewTimer(ctx, wait)
		abandon := false
		sel := workflow.NewSelector(ctx)
		sel.AddFuture(timer, func(workflow.Future) {})
		if waitPaid {
			sel.AddReceive(r.abandon, func(workflow.ReceiveChannel, bool) { abandon = true })
			// A retry while waiting means "look again now"; its corrections apply to later steps.
			sel.AddReceive(r.retry, func(c workflow.ReceiveChannel, _ bool) {
				var sig RetrySignal
				c.Receive(ctx, &sig)
				mergeCorrections(r.corrections, sig.Corrections)
			})
		}
		sel.Select(ctx)
		if abandon {
			// Leave the signal for the step runner, which compensates and ends the run.
			return errAbandonWhileWaiting
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if wait *= 2; wait > invoiceWait.max {
			wait = invoiceWait.max
		}
	}
}

// errAbandonWhileWaiting hands an abandon received during the wait to the step runner.
var errAbandonWhileWaiting = temporal.NewNonRetryableApplicationError("abandon requested while waiting", "Abandon", nil)

// invoiceWaitAlert is how long a refund waits for its invoice before it asks for attention.
const invoiceWaitAlert = 24 * time.Hour

// startOrderToCash starts the charge's order-to-cash as an independent run (it outlives this
// one), unless one already runs or has completed for that charge.
func startOrderToCash(ctx workflow.Context, chargeID string) {
	if id, ok := strings.CutPrefix(chargeID, "paytrace-"); ok {
		// A PayTrace sale's run is PayTraceTransaction.
		if n, err := strconv.ParseInt(id, 10, 64); err == nil {
			startPayTrace(ctx, n, "refund")
		}
		return
	}
	cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID:            OrderToCashID(chargeID),
		ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_ABANDON,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY,
		TypedSearchAttributes: temporal.NewSearchAttributes(SAProvider.ValueSet("stripe"), SAProviderObject.ValueSet(chargeID),
			SALedgerStatus.ValueSet(StatusReceived), SANeedsAttention.ValueSet(false)),
	})
	f := workflow.ExecuteChildWorkflow(cctx, OrderToCashWorkflowName, &OrderToCashInput{ChargeID: chargeID, EventType: "refund"})
	// Already started (by the charge's own event) is the common, fine case.
	_ = f.GetChildWorkflowExecution().Get(ctx, nil)
}

// ChargeRefundsInput names the charge a charge.refunded event is about.
type ChargeRefundsInput struct {
	ChargeID string `json:"chargeId"`
}

// ChargeRefundsResult lists the refund runs it made sure of.
type ChargeRefundsResult struct {
	RefundIDs []string `json:"refundIds"`
}

// ChargeRefunds answers charge.refunded, whose payload names no refund: it lists the charge's
// refunds and starts each one's RefundToCreditMemo (joining any that refund.created started).
func ChargeRefunds(ctx workflow.Context, in *ChargeRefundsInput) (*ChargeRefundsResult, error) {
	var list activities.ListChargeRefundsResult
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, stripeActivity), a.ListChargeRefunds,
		&activities.ListChargeRefundsInput{ChargeID: in.ChargeID}).Get(ctx, &list); err != nil {
		return nil, err
	}
	for _, id := range list.RefundIDs {
		cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
			WorkflowID:            RefundID(id),
			ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_ABANDON,
			WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY,
			TypedSearchAttributes: temporal.NewSearchAttributes(SAProvider.ValueSet("stripe"), SAProviderObject.ValueSet(id),
				SALedgerStatus.ValueSet(StatusReceived), SANeedsAttention.ValueSet(false)),
		})
		_ = workflow.ExecuteChildWorkflow(cctx, RefundWorkflowName, &RefundInput{RefundID: id, EventType: "charge.refunded"}).
			GetChildWorkflowExecution().Get(ctx, nil)
	}
	_ = workflow.UpsertTypedSearchAttributes(ctx, SALedgerStatus.ValueSet(StatusDispatched))
	return &ChargeRefundsResult{RefundIDs: list.RefundIDs}, nil
}
