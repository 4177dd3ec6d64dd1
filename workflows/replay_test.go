package workflows

import (
	"path/filepath"
	"testing"

	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// Histories recorded from real runs (make run + make demo, a refund and a payout sweep) must
// replay against today's workflow code: a change that would break running workflows fails here
// and needs workflow.GetVersion with a named change ID instead.
func TestRecordedHistoriesReplay(t *testing.T) {
	r := worker.NewWorkflowReplayer()
	r.RegisterWorkflowWithOptions(OrderToCash, workflow.RegisterOptions{Name: OrderToCashWorkflowName})
	r.RegisterWorkflowWithOptions(RefundToCreditMemo, workflow.RegisterOptions{Name: RefundWorkflowName})
	r.RegisterWorkflowWithOptions(PayoutToGL, workflow.RegisterOptions{Name: PayoutWorkflowName})
	files, _ := filepath.Glob("testdata/*.json")
	if len(files) < 3 {
		t.Fatalf("recorded histories missing: %v", files)
	}
	for _, f := range files {
		if err := r.ReplayWorkflowHistoryFromJSONFile(nil, f); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}
