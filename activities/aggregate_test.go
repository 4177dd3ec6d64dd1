package activities

import (
	"context"
	"fmt"
	"testing"

	"github.com/stripe/stripe-go/v76"
	"go.temporal.io/sdk/testsuite"

	"github.com/ledgerbridge/ledgerbridge/internal/stripeapi"
)

// pagedStripe serves a payout of n charge rows plus the payout row, and records the cursors asked.
type pagedStripe struct {
	stripeapi.Client
	rows    []*stripe.BalanceTransaction
	cursors []string
}

func newPagedStripe(n int) *pagedStripe {
	p := &pagedStripe{}
	for i := 0; i < n; i++ {
		p.rows = append(p.rows, &stripe.BalanceTransaction{ID: fmt.Sprintf("txn_%05d", i), Type: "charge",
			ReportingCategory: "charge", Currency: "usd", Amount: 1000, Fee: 59, Net: 941})
	}
	p.rows = append(p.rows, &stripe.BalanceTransaction{ID: "txn_payout", Type: "payout", ReportingCategory: "payout",
		Currency: "usd", Amount: -941 * int64(n), Net: -941 * int64(n)})
	return p
}

func (p *pagedStripe) PayoutTransactions(_ context.Context, _ string, after string, limit int64) ([]*stripe.BalanceTransaction, bool, error) {
	p.cursors = append(p.cursors, after)
	start := 0
	if after != "" {
		for i, r := range p.rows {
			if r.ID == after {
				start = i + 1
			}
		}
	}
	end := start + int(limit)
	if end > len(p.rows) {
		end = len(p.rows)
	}
	return p.rows[start:end], end < len(p.rows), nil
}

func TestAggregatePayoutTotalsEveryRow(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	ps := newPagedStripe(250)
	env.RegisterActivity(&Activities{Stripe: ps})
	v, err := env.ExecuteActivity((&Activities{}).AggregatePayout, &AggregatePayoutInput{PayoutID: "po_1", Currency: "usd"})
	if err != nil {
		t.Fatal(err)
	}
	var agg PayoutAggregate
	if err := v.Get(&agg); err != nil {
		t.Fatal(err)
	}
	if agg.Rows != 251 || agg.BankRows != 1 || len(agg.Totals) != 1 || agg.Totals[0].Gross != 250000 || agg.Totals[0].Fee != 250*59 {
		t.Fatalf("%+v", agg)
	}
	if len(ps.cursors) != 3 {
		t.Fatalf("pages asked: %v", ps.cursors)
	}
}

// A retried attempt resumes from the heartbeated cursor with the totals so far: it neither
// restarts nor counts a page twice.
func TestAggregatePayoutResumesFromItsHeartbeat(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	ps := newPagedStripe(250)
	env.RegisterActivity(&Activities{Stripe: ps})
	done := aggregateProgress{Cursor: "txn_00199", Agg: PayoutAggregate{PayoutID: "po_1", Currency: "usd", Rows: 200, Pages: 2},
		ByCat: map[string]*CategoryTotal{"charge": {Category: "charge", Count: 200, Gross: 200000, Fee: 200 * 59, Net: 200 * 941}}}
	env.SetHeartbeatDetails(done)
	v, err := env.ExecuteActivity((&Activities{}).AggregatePayout, &AggregatePayoutInput{PayoutID: "po_1", Currency: "usd"})
	if err != nil {
		t.Fatal(err)
	}
	var agg PayoutAggregate
	if err := v.Get(&agg); err != nil {
		t.Fatal(err)
	}
	if len(ps.cursors) != 1 || ps.cursors[0] != "txn_00199" {
		t.Fatalf("did not resume from the heartbeat: cursors %v", ps.cursors)
	}
	if agg.Rows != 251 || agg.Totals[0].Count != 250 || agg.Totals[0].Gross != 250000 || agg.Pages != 3 {
		t.Fatalf("%+v", agg)
	}
}
