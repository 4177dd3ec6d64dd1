package activities

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/testsuite"

	"github.com/ledgerbridge/ledgerbridge/internal/paytrace"
	"github.com/ledgerbridge/ledgerbridge/sandbox/paytracesandbox"
)

// recordingStarter records the workflow IDs the poll hands transactions to (the Temporal
// client's one call, not what this test is about).
type recordingStarter struct {
	mu  sync.Mutex
	ids map[string]int
}

func (s *recordingStarter) SignalWithStartWorkflow(_ context.Context, workflowID, _ string, _ any,
	_ client.StartWorkflowOptions, _ any, _ ...any) (client.WorkflowRun, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ids[workflowID]++
	return nil, nil
}

// A backlog larger than one pass is read over several passes of the same window: every
// transaction is handed over exactly once (none skipped by a high-water mark that jumped, none
// re-read from the window's start each pass), and the next poll over the overlap hands over
// nothing that did not change, then only the transaction that did.
func TestPollPayTraceBacklogInPasses(t *testing.T) {
	// Pages of 4: the backlog takes several pages, and a pass of at most 5 ends after two.
	sb, err := paytracesandbox.New(paytracesandbox.Config{DBPath: filepath.Join(t.TempDir(), "paytrace.db"), ExportLimit: 4})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(sb.Handler())
	t.Cleanup(func() { hs.Close(); _ = sb.Close() })
	pt := paytrace.New(paytrace.Config{BaseURL: hs.URL, Username: paytracesandbox.DefaultUser,
		Password: paytracesandbox.DefaultPassword, IntegratorID: paytracesandbox.DefaultIntegratorID})
	const sales = 23
	var ids []int64
	for i := range sales {
		res, err := pt.SaleKeyed(t.Context(), paytrace.KeyedSale{
			SaleDetails: paytrace.SaleDetails{Amount: decimal.NewFromInt(int64(10 + i)), InvoiceNumber: "BACKLOG"},
			CreditCard:  paytrace.CreditCard{Number: paytracesandbox.CardVisa, ExpirationMonth: 12, ExpirationYear: 2030}})
		if err != nil || !res.Success {
			t.Fatalf("sale %d: %+v %v", i, res, err)
		}
		ids = append(ids, res.TransactionID)
	}
	starter := &recordingStarter{ids: map[string]int{}}
	a := &Activities{PayTrace: pt, Starter: starter}
	var ts testsuite.WorkflowTestSuite
	env := ts.NewTestActivityEnvironment()
	env.RegisterActivity(a.PollPayTrace)
	poll := func(cursor PayTracePollCursor) *PollPayTraceResult {
		t.Helper()
		v, err := env.ExecuteActivity(a.PollPayTrace, &PollPayTraceInput{Cursor: cursor, Overlap: 10 * time.Minute,
			Lookback: time.Hour, MaxTransactions: 5, TransactionWorkflow: "tx", BatchWorkflow: "batch",
			TransactionIDPrefix: "paytrace/", BatchIDPrefix: "paytrace-batch/", Signal: "refresh", TaskQueue: "q"})
		if err != nil {
			t.Fatal(err)
		}
		var res PollPayTraceResult
		if err := v.Get(&res); err != nil {
			t.Fatal(err)
		}
		return &res
	}
	// pollAll polls until the backlog is read, as the poll workflow's passes do.
	pollAll := func(cursor PayTracePollCursor) (total PollPayTraceResult, passes int) {
		t.Helper()
		for {
			res := poll(cursor)
			passes++
			cursor = res.Cursor
			total.Cursor, total.Dispatched, total.Unchanged = res.Cursor, total.Dispatched+res.Dispatched, total.Unchanged+res.Unchanged
			if !res.More {
				return total, passes
			}
			if passes > sales {
				t.Fatalf("the backlog never ends: cursor %+v", cursor)
			}
		}
	}
	first, passes := pollAll(PayTracePollCursor{})
	if passes < 3 {
		t.Errorf("%d sales in pages of 4 in %d passes of at most 5", sales, passes)
	}
	for _, id := range ids {
		if n := starter.ids["paytrace/"+itoa(id)]; n != 1 {
			t.Errorf("transaction %d handed over %d times", id, n)
		}
	}
	if first.Dispatched != sales || first.Cursor.Window != nil || first.Cursor.HighWater.IsZero() {
		t.Fatalf("after the backlog: dispatched %d, cursor %+v", first.Dispatched, first.Cursor)
	}

	// The next poll re-reads the overlap: nothing changed, nothing is handed over.
	again, _ := pollAll(first.Cursor)
	if again.Dispatched != 0 || again.Unchanged != sales {
		t.Fatalf("a poll with nothing new dispatched %d, unchanged %d (want 0, %d)", again.Dispatched, again.Unchanged, sales)
	}
	// A void changes one transaction: only it is handed over again.
	if r, err := pt.Void(t.Context(), ids[3]); err != nil || !r.Success {
		t.Fatalf("void: %+v %v", r, err)
	}
	after, _ := pollAll(again.Cursor)
	if after.Dispatched != 1 || starter.ids["paytrace/"+itoa(ids[3])] != 2 {
		t.Fatalf("after a void: dispatched %d, transaction %d handed over %d times", after.Dispatched, ids[3], starter.ids["paytrace/"+itoa(ids[3])])
	}
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }
