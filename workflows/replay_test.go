package workflows

import (
	"path/filepath"
	"testing"

	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// Histories recorded from real runs must replay against today's workflow code: a change that
// would break running workflows fails here and needs workflow.GetVersion with a named change ID
// instead. The oldest recordings (ordertocash.json, refund.json, payout.json) cover the code
// before any change ID; the *-current.json ones (tests/record_test.go) the newest branches.
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
	files, _ := filepath.Glob("testdata/*.json")
	if len(files) < 11 {
		t.Fatalf("recorded histories missing: %v", files)
	}
	for _, f := range files {
		if err := r.ReplayWorkflowHistoryFromJSONFile(nil, f); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}
