package workflows

import (
	"os"
	"path/filepath"
	"testing"

	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// Histories recorded from real runs must replay against today's workflow code: a change that
// would break running workflows fails here and needs workflow.GetVersion with a named change ID
// instead. The oldest recordings (ordertocash.json, refund.json, payout.json) cover the code
// before any change ID; the *-current.json ones (tests/record_test.go) the newest branches of
// every workflow the worker registers, PayTrace's and the reconciliation's included.
func TestRecordedHistoriesReplay(t *testing.T) {
	r := worker.NewWorkflowReplayer()
	r.RegisterWorkflowWithOptions(OrderToCash, workflow.RegisterOptions{Name: OrderToCashWorkflowName})
	r.RegisterWorkflowWithOptions(RefundToCreditMemo, workflow.RegisterOptions{Name: RefundWorkflowName})
	r.RegisterWorkflowWithOptions(ChargeRefunds, workflow.RegisterOptions{Name: ChargeRefundsWorkflowName})
	r.RegisterWorkflowWithOptions(Dispute, workflow.RegisterOptions{Name: DisputeWorkflowName})
	r.RegisterWorkflowWithOptions(CreditNoteToCreditMemo, workflow.RegisterOptions{Name: CreditNoteWorkflowName})
	r.RegisterWorkflowWithOptions(PayoutToGL, workflow.RegisterOptions{Name: PayoutWorkflowName})
	r.RegisterWorkflowWithOptions(CustomerToERP, workflow.RegisterOptions{Name: CustomerWorkflowName})
	r.RegisterWorkflowWithOptions(CustomerSyncToStripe, workflow.RegisterOptions{Name: CustomerSyncWorkflowName})
	r.RegisterWorkflowWithOptions(PayTraceTransaction, workflow.RegisterOptions{Name: PayTraceTransactionWorkflowName})
	r.RegisterWorkflowWithOptions(PayTraceBatch, workflow.RegisterOptions{Name: PayTraceBatchWorkflowName})
	r.RegisterWorkflowWithOptions(PayTracePoll, workflow.RegisterOptions{Name: PayTracePollWorkflowName})
	RegisterReconcile(r) // Reconcile and ReconcileContinued, as the worker registers them
	files, _ := filepath.Glob("testdata/*.json")
	// Every workflow has a recording of its newest code (tests/record_test.go writes them all).
	for _, name := range []string{"ordertocash", "ordertocash-partial-capture", "refund", "refund-release", "chargerefunds", "dispute",
		"customer", "customersync", "payout", "paytrace-sale", "paytrace-refund", "paytrace-batch", "paytrace-poll", "reconcile"} {
		if _, err := os.Stat(filepath.Join("testdata", name+"-current.json")); err != nil {
			t.Errorf("recorded history missing: %v", err)
		}
	}
	for _, f := range files {
		if err := r.ReplayWorkflowHistoryFromJSONFile(nil, f); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}
