package workflows

import (
	"errors"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/ledgerbridge/ledgerbridge/activities"
)

// step is one named unit of a workflow; run executes its activities.
type step struct {
	name string
	run  func() error
}

// stepRunner runs steps and parks on data errors: the run stays open as NeedsAttention, alerts,
// and waits for an operator's retry (the step runs again with the corrections) or abandon
// (compensation runs). Every posting workflow shares it, so parking behaves the same everywhere.
type stepRunner struct {
	status, stepName, problem *string
	parked                    *int
	corrections               *activities.Corrections
	retry, abandon            workflow.ReceiveChannel
	// compensate voids what the run posted; nil when there is nothing to undo.
	compensate func(ctx workflow.Context, reason string)
	// nextStatus are search attributes held for the next status upsert (withNextStatus).
	nextStatus []temporal.SearchAttributeUpdate
}

func newStepRunner(ctx workflow.Context, status, stepName, problem *string, parked *int, corr *activities.Corrections) *stepRunner {
	return &stepRunner{status: status, stepName: stepName, problem: problem, parked: parked, corrections: corr,
		retry: workflow.GetSignalChannel(ctx, SignalRetry), abandon: workflow.GetSignalChannel(ctx, SignalAbandon)}
}

// run executes one step. It returns abandoned=true when an operator ended the run, and an error
// only when the workflow is cancelled (after compensating).
func (r *stepRunner) run(ctx workflow.Context, s step) (abandoned bool, err error) {
	*r.stepName = s.name
	for {
		if r.pendingAbandon(ctx) {
			return true, nil
		}
		err := s.run()
		if err == nil {
			if *r.status != StatusRunning {
				*r.problem = ""
				r.setStatus(ctx, StatusRunning)
			}
			return false, nil
		}
		if temporal.IsCanceledError(err) || ctx.Err() != nil {
			r.runCompensation(ctx, "workflow cancelled")
			return false, err
		}
		var appErr *temporal.ApplicationError
		if errors.As(err, &appErr) && appErr.Type() == "Abandon" && r.pendingAbandon(ctx) {
			return true, nil
		}
		// A retry sent while the run was not parked is stale: only a retry sent after the run
		// shows NeedsAttention (set just below, in this same workflow task) counts.
		for r.retry.ReceiveAsync(nil) {
		}
		*r.problem = problemText(err)
		*r.parked++
		r.setStatus(ctx, StatusNeedsAttention)
		alertCtx := workflow.WithActivityOptions(ctx, alertActivity)
		_ = workflow.ExecuteActivity(alertCtx, a.Alert, &activities.AlertInput{
			WorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID, Step: s.name, Problem: *r.problem}).Get(ctx, nil)

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
			r.runCompensation(ctx, "workflow cancelled")
			return false, ctx.Err()
		}
		if gotAbandon {
			r.runCompensation(ctx, abandonSig.Reason)
			return true, nil
		}
		mergeCorrections(r.corrections, retrySig.Corrections)
		r.setStatus(ctx, StatusRunning)
	}
}

func (r *stepRunner) pendingAbandon(ctx workflow.Context) bool {
	var sig AbandonSignal
	if !r.abandon.ReceiveAsync(&sig) {
		return false
	}
	r.runCompensation(ctx, sig.Reason)
	return true
}

// runCompensation runs compensate on a disconnected context, so that it also runs while the
// workflow itself is being cancelled.
func (r *stepRunner) runCompensation(ctx workflow.Context, reason string) {
	dctx, _ := workflow.NewDisconnectedContext(ctx)
	r.setStatus(dctx, StatusCompensating)
	if r.compensate != nil {
		r.compensate(dctx, reason)
	}
	r.setStatus(dctx, StatusAbandoned)
}

func (r *stepRunner) setStatus(ctx workflow.Context, status string) {
	*r.status = status
	updates := append([]temporal.SearchAttributeUpdate{SALedgerStatus.ValueSet(status),
		SANeedsAttention.ValueSet(status == StatusNeedsAttention)}, r.nextStatus...)
	r.nextStatus = nil
	_ = workflow.UpsertTypedSearchAttributes(ctx, updates...)
}

// withNextStatus holds search attributes for the next status upsert instead of upserting them
// now: every upsert is a command, a history event and a billed action, and the next status
// change (Posted at the end, NeedsAttention if the run parks first) is when operators look.
func (r *stepRunner) withNextStatus(updates ...temporal.SearchAttributeUpdate) {
	r.nextStatus = append(r.nextStatus, updates...)
}

// problemText extracts the application error's message (the ERP's own words) from an activity error.
func problemText(err error) string {
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		return appErr.Type() + ": " + appErr.Message()
	}
	return err.Error()
}
