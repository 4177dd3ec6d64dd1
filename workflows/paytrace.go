package workflows

import (
	"fmt"
	"strconv"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/ledgerbridge/ledgerbridge/activities"
)

// PayTrace → ERP (seed 002). PayTrace has no webhooks: the paytrace-poll schedule exports changed
// transactions and hands each to its own PayTraceTransaction run (transaction/paytrace/<id>), which
// re-fetches it and posts, step by step, what a sale, refund or void means for the ERP: the
// customer, the sales order with its lines, the invoice and the payment linked to both; a credit
// memo and the refunded cash; or the voiding of what was posted. Closed settlement batches get a
// PayTraceBatch run that posts the deposit once the batch's transactions are all in the ERP.

// PayTraceTransactionResult is what a transaction's run posted.
type PayTraceTransactionResult struct {
	Status        string   `json:"status"`
	TransactionID int64    `json:"transactionId"`
	Kind          string   `json:"kind,omitempty"`
	CustomerID    string   `json:"customerId,omitempty"`
	SalesOrder    string   `json:"salesOrder,omitempty"`
	InvoiceNumber string   `json:"invoiceNumber,omitempty"`
	PaymentID     string   `json:"paymentId,omitempty"`
	CreditMemo    string   `json:"creditMemo,omitempty"`
	JournalEntry  string   `json:"journalEntry,omitempty"`
	Amount        string   `json:"amount,omitempty"`
	Voided        []string `json:"voided,omitempty"`
	Note          string   `json:"note,omitempty"`
}

// PayTraceTransactionStatus answers the status query.
type PayTraceTransactionStatus struct {
	PayTraceTransactionResult
	Step        string                 `json:"step"`
	Problem     string                 `json:"problem,omitempty"`
	Parked      int                    `json:"timesParked"`
	Corrections activities.Corrections `json:"corrections"`
}

// payTraceRun is one transaction's run: its state and a method per step.
type payTraceRun struct {
	ctx      workflow.Context
	st       *PayTraceTransactionStatus
	r        *stepRunner
	tx       *activities.PayTraceTransaction
	refund   *activities.RefundSnapshot
	invoice  activities.FindChargeInvoiceResult
	erpCtx   workflow.Context
	fetchCtx workflow.Context
}

// payTraceActivity retries PayTrace calls like Stripe's, parking on its refusals.
var payTraceActivity = workflow.ActivityOptions{
	StartToCloseTimeout: 30 * time.Second,
	RetryPolicy: &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute,
		NonRetryableErrorTypes: []string{activities.ErrValidation, activities.ErrPayTrace, activities.ErrPayTraceAuth}},
}

// PayTraceTransaction posts one PayTrace transaction to the ERP exactly once, whichever of the
// poll, the notification extension or reconciliation reached it, and however often.
func PayTraceTransaction(ctx workflow.Context, in *PayTraceTransactionInput) (*PayTraceTransactionResult, error) {
	p := &payTraceRun{ctx: ctx, st: &PayTraceTransactionStatus{PayTraceTransactionResult: PayTraceTransactionResult{Status: StatusRunning, TransactionID: in.TransactionID}},
		erpCtx: workflow.WithActivityOptions(ctx, erpActivity), fetchCtx: workflow.WithActivityOptions(ctx, payTraceActivity)}
	if err := workflow.SetQueryHandler(ctx, QueryStatus, func() (*PayTraceTransactionStatus, error) { return p.st, nil }); err != nil {
		return nil, err
	}
	st := p.st
	p.r = newStepRunner(ctx, &st.Status, &st.Step, &st.Problem, &st.Parked, &st.Corrections)
	p.r.compensate = p.compensate
	p.r.setStatus(ctx, StatusRunning)
	refresh := refreshChannel(ctx)
	for {
		if done, err := p.pass(in.TransactionID); err != nil || done {
			return &st.PayTraceTransactionResult, err
		}
		// A change seen while this pass ran (a void, a capture) asks for another.
		if !drain(refresh) {
			break
		}
	}
	return &st.PayTraceTransactionResult, nil
}

// pass fetches the transaction and does what its state calls for; done ends the run early.
func (p *payTraceRun) pass(id int64) (done bool, err error) {
	if abandoned, err := p.r.run(p.ctx, step{"fetch-transaction", func() error { return p.fetch(id) }}); err != nil || abandoned {
		return true, err
	}
	var steps []step
	switch p.tx.Kind {
	case activities.PayTraceDeclined:
		p.skip("declined by the card issuer: nothing to post")
		return false, nil
	case activities.PayTraceUncaptured:
		p.skip("authorised, not captured: it posts at the captured amount once captured (the poll sees the capture)")
		return false, nil
	case activities.PayTraceVoided:
		steps = []step{{"void-posted", p.voidPosted}}
	case activities.PayTraceRefund:
		steps = []step{{"fetch-refund", func() error { return p.fetchRefund(id) }}, {"await-invoice", p.awaitInvoice},
			{"post-credit-memo", p.postCreditMemo}, {"post-refund-cash", p.postRefundCash}}
	default:
		steps = []step{{"resolve-customer", p.resolveCustomer}, {"post-sales-order", p.postSalesOrder},
			{"post-invoice", p.postInvoice}, {"apply-payment", p.applyPayment}}
	}
	for _, s := range steps {
		abandoned, err := p.r.run(p.ctx, s)
		if err != nil || abandoned {
			return true, err
		}
	}
	p.st.Step = "done"
	if p.tx.Kind == activities.PayTraceVoided {
		p.r.setStatus(p.ctx, StatusSkipped)
	} else {
		p.r.setStatus(p.ctx, StatusPosted)
	}
	return false, nil
}

func (p *payTraceRun) skip(note string) {
	p.st.Note = note
	p.r.setStatus(p.ctx, StatusSkipped)
}

func (p *payTraceRun) fetch(id int64) error {
	err := workflow.ExecuteActivity(p.fetchCtx, a.FetchPayTraceTransaction, &activities.FetchPayTraceTransactionInput{TransactionID: id}).Get(p.ctx, &p.tx)
	if err == nil {
		p.st.Kind, p.st.Amount = p.tx.Kind, p.tx.Amount.String()
		_ = workflow.UpsertTypedSearchAttributes(p.ctx, SAAmount.ValueSet(p.tx.Amount.InexactFloat64()), SACustomerEmail.ValueSet(p.tx.Email))
	}
	return err
}

func (p *payTraceRun) resolveCustomer() error {
	var res activities.ResolveCustomerResult
	err := workflow.ExecuteActivity(p.erpCtx, a.ResolveCustomer, &activities.ResolveCustomerInput{ChargeID: p.tx.Ref, Corrections: p.st.Corrections}).Get(p.ctx, &res)
	p.st.CustomerID = res.CustomerID
	return err
}

// postSalesOrder always posts the sales order (SOH) with the transaction's lines (seed 002).
func (p *payTraceRun) postSalesOrder() error {
	var res activities.PostDocumentResult
	err := workflow.ExecuteActivity(p.erpCtx, a.PostSalesOrder, &activities.PostDocumentInput{ChargeID: p.tx.Ref, CustomerID: p.st.CustomerID,
		Required: true, Corrections: p.st.Corrections}).Get(p.ctx, &res)
	p.st.SalesOrder = res.Number
	return err
}

func (p *payTraceRun) postInvoice() error {
	var res activities.PostDocumentResult
	err := workflow.ExecuteActivity(p.erpCtx, a.PostInvoice, &activities.PostDocumentInput{ChargeID: p.tx.Ref, CustomerID: p.st.CustomerID,
		SalesOrder: p.st.SalesOrder, Corrections: p.st.Corrections}).Get(p.ctx, &res)
	if err == nil {
		p.st.InvoiceNumber = res.Number
		_ = workflow.UpsertTypedSearchAttributes(p.ctx, SAErpDocument.ValueSet(res.Number))
	}
	return err
}

// applyPayment records the receipt against the invoice, linked to the sales order and carrying
// the PayTrace transaction ID, deposited to PayTrace's clearing account.
func (p *payTraceRun) applyPayment() error {
	var res activities.ApplyPaymentResult
	err := workflow.ExecuteActivity(p.erpCtx, a.ApplyPayment, &activities.ApplyPaymentInput{ChargeID: p.tx.Ref, CustomerID: p.st.CustomerID,
		InvoiceNumber: p.st.InvoiceNumber, SalesOrder: p.st.SalesOrder}).Get(p.ctx, &res)
	p.st.PaymentID = res.PaymentID
	return err
}

// voidPosted voids what a pass posted for a sale that was voided before settlement (nothing when
// it was voided before anything was posted).
func (p *payTraceRun) voidPosted() error {
	var res activities.UndoSaleResult
	err := workflow.ExecuteActivity(p.erpCtx, a.UndoSale, &activities.UndoSaleInput{ChargeID: p.tx.Ref}).Get(p.ctx, &res)
	if err == nil {
		p.st.Voided = res.Voided
		p.st.Note = "voided before settlement: nothing to post"
		if len(res.Voided) > 0 {
			p.st.Note = "voided before settlement after it was posted: what was posted is voided"
		}
	}
	return err
}

func (p *payTraceRun) fetchRefund(id int64) error {
	return workflow.ExecuteActivity(p.fetchCtx, a.PayTraceRefundSnapshot, &activities.FetchPayTraceTransactionInput{TransactionID: id}).Get(p.ctx, &p.refund)
}

// awaitInvoice waits durably until the refunded sale's invoice and payment are posted, starting
// the sale's own run if it has none (a refund seen before its sale).
func (p *payTraceRun) awaitInvoice() error {
	return awaitInvoice(p.ctx, p.r, p.refund.ChargeID, &p.invoice)
}

func (p *payTraceRun) postCreditMemo() error {
	var res activities.PostCreditMemoResult
	err := workflow.ExecuteActivity(p.erpCtx, a.PostCreditMemo, &activities.PostCreditMemoInput{Refund: p.refund, Invoice: p.invoice.Invoice}).Get(p.ctx, &res)
	if err == nil {
		p.st.CreditMemo = res.Number
		_ = workflow.UpsertTypedSearchAttributes(p.ctx, SAErpDocument.ValueSet(res.Number))
	}
	return err
}

// postRefundCash posts the journal entry (GACC) the seed's conditional rule names for a refund.
func (p *payTraceRun) postRefundCash() error {
	var res activities.PostJournalResult
	err := workflow.ExecuteActivity(p.erpCtx, a.PostRefundCash, &activities.PostRefundCashInput{Refund: p.refund, CreditMemo: p.st.CreditMemo,
		Provider: "paytrace"}).Get(p.ctx, &res)
	p.st.JournalEntry = res.Number
	return err
}

// compensate voids what this run posted (abandon, cancel), newest first.
func (p *payTraceRun) compensate(ctx workflow.Context, reason string) {
	p.st.Note = "abandoned: " + reason
	actx := workflow.WithActivityOptions(ctx, erpActivity)
	if p.st.JournalEntry != "" && p.refund != nil {
		if err := workflow.ExecuteActivity(actx, a.ReverseJournal, &activities.ReverseJournalInput{ExternalRef: p.refund.ID}).Get(ctx, nil); err == nil {
			p.st.Voided = append(p.st.Voided, "journal entry "+p.st.JournalEntry+" reversed")
		}
	}
	var res activities.CompensateResult
	if err := workflow.ExecuteActivity(actx, a.Compensate, &activities.CompensateInput{PaymentID: p.st.PaymentID, InvoiceNumber: p.st.InvoiceNumber,
		SalesOrder: p.st.SalesOrder, CreditMemo: p.st.CreditMemo}).Get(ctx, &res); err == nil {
		p.st.Voided = append(p.st.Voided, res.Voided...)
	}
}

// PayTraceBatchResult is a settlement batch's entry.
type PayTraceBatchResult struct {
	Status       string `json:"status"`
	BatchNumber  int64  `json:"batchNumber"`
	JournalEntry string `json:"journalEntry,omitempty"`
	Net          string `json:"net,omitempty"`
	Note         string `json:"note,omitempty"`
}

// payTraceBatchFreshCheck is the change ID of decoding each batch check on its own.
const payTraceBatchFreshCheck = "paytrace-batch-fresh-check"

// payTraceBatchWaitPerAttempt is the change ID of timing the batch's wait per step attempt.
const payTraceBatchWaitPerAttempt = "paytrace-batch-wait-per-attempt"

// batchWait bounds how long a batch waits for its transactions' runs before it asks for attention.
var batchWait = struct{ first, max, alert time.Duration }{5 * time.Second, 10 * time.Minute, 24 * time.Hour}

// PayTraceBatch posts a closed settlement batch as one balanced entry (Dr bank the deposit, Dr
// fees, Cr PayTrace clearing), once every transaction of the batch is in the ERP as it settled: it
// restarts the runs of any that are missing and waits durably; a batch whose amounts differ from
// what was posted parks with the difference.
func PayTraceBatch(ctx workflow.Context, in *PayTraceBatchInput) (*PayTraceBatchResult, error) {
	res := &PayTraceBatchResult{Status: StatusRunning, BatchNumber: in.BatchNumber}
	var (
		status, stepName, problem string
		parked                    int
		corr                      activities.Corrections
	)
	if err := workflow.SetQueryHandler(ctx, QueryStatus, func() (map[string]any, error) {
		return map[string]any{"result": res, "status": status, "step": stepName, "problem": problem, "timesParked": parked}, nil
	}); err != nil {
		return nil, err
	}
	r := newStepRunner(ctx, &status, &stepName, &problem, &parked, &corr)
	r.setStatus(ctx, StatusRunning)
	number := strconv.FormatInt(in.BatchNumber, 10)
	pctx := workflow.WithActivityOptions(ctx, payTraceActivity)
	erpCtx := workflow.WithActivityOptions(ctx, erpActivity)
	var check activities.PayTraceBatchCheck
	wait, begin := batchWait.first, workflow.Now(ctx)
	abandoned, err := r.run(ctx, step{"match-transactions", func() error {
		// Every attempt (an operator's retry after the alert) waits afresh, instead of parking at
		// once on the time the first attempt already waited (change ID paytrace-batch-wait-per-attempt).
		if workflow.GetVersion(ctx, payTraceBatchWaitPerAttempt, workflow.DefaultVersion, 1) == 1 {
			wait, begin = batchWait.first, workflow.Now(ctx)
		}
		for {
			// Each check is decoded on its own: decoded onto the previous one, the fields a
			// complete check omits (missing, difference) kept their old values and the batch
			// never posted. Runs started before the fix replay the old way.
			dst := &check
			if workflow.GetVersion(ctx, payTraceBatchFreshCheck, workflow.DefaultVersion, 1) == 1 {
				dst = &activities.PayTraceBatchCheck{}
			}
			if err := workflow.ExecuteActivity(pctx, a.CheckPayTraceBatch, &activities.PayTraceBatchInput{BatchNumber: number}).Get(ctx, dst); err != nil {
				return err
			}
			check = *dst
			if check.Difference != "" {
				return temporal.NewNonRetryableApplicationError("batch "+number+" does not match what was posted: "+check.Difference, activities.ErrValidation, nil)
			}
			if check.MissingCount == 0 {
				return nil
			}
			if workflow.Now(ctx).Sub(begin) > batchWait.alert {
				return temporal.NewNonRetryableApplicationError(fmt.Sprintf("batch %s: %d transactions are still not in the ERP after %s (e.g. %v): look at their runs",
					number, check.MissingCount, batchWait.alert, check.Missing), activities.ErrValidation, nil)
			}
			for _, id := range check.Missing {
				startPayTrace(ctx, id, "batch")
			}
			r.setStatus(ctx, StatusWaiting)
			if err := workflow.Sleep(ctx, wait); err != nil {
				return err
			}
			if wait *= 2; wait > batchWait.max {
				wait = batchWait.max
			}
		}
	}})
	if err != nil || abandoned {
		res.Status = status
		return res, err
	}
	abandoned, err = r.run(ctx, step{"post-settlement", func() error {
		var je activities.PostJournalResult
		err := workflow.ExecuteActivity(erpCtx, a.PostPayTraceBatch, &activities.PostPayTraceBatchInput{Batch: check.Batch}).Get(ctx, &je)
		res.JournalEntry, res.Net = je.Number, check.Batch.Net.String()
		if err == nil {
			_ = workflow.UpsertTypedSearchAttributes(ctx, SAErpDocument.ValueSet(je.Number), SAAmount.ValueSet(check.Batch.Net.InexactFloat64()))
		}
		return err
	}})
	if err != nil || abandoned {
		res.Status = status
		return res, err
	}
	r.setStatus(ctx, StatusPosted)
	res.Status = StatusPosted
	return res, nil
}

// startPayTrace starts a PayTrace transaction's run as an independent workflow (a no-op when it
// runs or has completed); source says who asked for it ("batch", "refund").
func startPayTrace(ctx workflow.Context, id int64, source string) {
	cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID:            PayTraceTransactionID(id),
		ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_ABANDON,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY,
		TypedSearchAttributes: temporal.NewSearchAttributes(SAProvider.ValueSet("paytrace"), SAProviderObject.ValueSet(strconv.FormatInt(id, 10)),
			SALedgerStatus.ValueSet(StatusReceived), SANeedsAttention.ValueSet(false)),
	})
	_ = workflow.ExecuteChildWorkflow(cctx, PayTraceTransactionWorkflowName, &PayTraceTransactionInput{TransactionID: id, Source: source}).
		GetChildWorkflowExecution().Get(ctx, nil)
}

// PayTracePollResult reports one scheduled poll.
type PayTracePollResult struct {
	activities.PollPayTraceResult
	Passes int `json:"passes"`
}

// payTracePollPasses bounds one run's passes before it continues as new, so a backlog of days
// never grows one history without bound.
const payTracePollPasses = 20

// PayTracePoll runs on the Temporal Schedule paytrace-poll: it exports the transactions changed
// since the cursor, hands each to its own run, posts newly closed batches, and stores the new
// cursor on the schedule. A backlog is taken in passes of bounded size.
func PayTracePoll(ctx workflow.Context, in *activities.PayTracePollCursor) (*PayTracePollResult, error) {
	cursor := activities.PayTracePollCursor{}
	if in != nil {
		cursor = *in
	}
	pollCtx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 30 * time.Minute, HeartbeatTimeout: time.Minute,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute,
			NonRetryableErrorTypes: []string{activities.ErrPayTraceAuth}}})
	res := &PayTracePollResult{PollPayTraceResult: activities.PollPayTraceResult{Cursor: cursor}}
	for res.Passes < payTracePollPasses {
		var pass activities.PollPayTraceResult
		err := workflow.ExecuteActivity(pollCtx, a.PollPayTrace, &activities.PollPayTraceInput{Cursor: res.Cursor, Overlap: 10 * time.Minute,
			Lookback: 7 * 24 * time.Hour, MaxTransactions: 2000,
			TransactionWorkflow: PayTraceTransactionWorkflowName, BatchWorkflow: PayTraceBatchWorkflowName,
			TransactionIDPrefix: "transaction/paytrace/", BatchIDPrefix: "batch/paytrace/", Signal: SignalRefresh,
			TaskQueue: workflow.GetInfo(ctx).TaskQueueName}).Get(ctx, &pass)
		if err != nil {
			return res, err
		}
		res.Passes++
		res.Seen, res.Dispatched, res.Batches = res.Seen+pass.Seen, res.Dispatched+pass.Dispatched, res.Batches+pass.Batches
		res.Unchanged += pass.Unchanged
		for _, c := range pass.ByStatus {
			res.ByStatus = activities.AddCount(res.ByStatus, c.Status, c.Count)
		}
		res.Cursor = pass.Cursor
		if !pass.More {
			break
		}
	}
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, erpActivity), a.SavePollCursor,
		&activities.SavePollCursorInput{ScheduleID: PayTracePollScheduleID, Cursor: res.Cursor}).Get(ctx, nil); err != nil {
		return res, err
	}
	if res.Passes == payTracePollPasses {
		// More backlog: go on in a fresh history.
		return res, workflow.NewContinueAsNewError(ctx, PayTracePollWorkflowName, &res.Cursor)
	}
	return res, nil
}
