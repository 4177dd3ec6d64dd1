package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/ledgerbridge/ledgerbridge/activities"
)

// PayoutWorkflowName is the registered name of PayoutToGL.
const PayoutWorkflowName = "PayoutToGL"

// PayoutID is the workflow ID of a Stripe payout: payout.paid and payout.failed reach it.
func PayoutID(payoutID string) string { return "payout/stripe/" + payoutID }

// PayoutInput names the payout.
type PayoutInput struct {
	PayoutID  string `json:"payoutId"`
	EventType string `json:"eventType,omitempty"`
}

// PayoutResult is the posted journal entry (and its reversal when the payout failed).
type PayoutResult struct {
	Status       string   `json:"status"`
	PayoutID     string   `json:"payoutId"`
	PayoutStatus string   `json:"payoutStatus,omitempty"`
	Amount       string   `json:"amount,omitempty"`
	Currency     string   `json:"currency,omitempty"`
	Transactions int64    `json:"transactions"`
	JournalEntry string   `json:"journalEntry,omitempty"`
	Reversal     string   `json:"reversal,omitempty"`
	Suspense     []string `json:"suspense,omitempty"`
	Voided       []string `json:"voided,omitempty"`
	Note         string   `json:"note,omitempty"`
}

// PayoutStatusView answers the status query.
type PayoutStatusView struct {
	PayoutResult
	Step        string                 `json:"step"`
	Problem     string                 `json:"problem,omitempty"`
	Parked      int                    `json:"timesParked"`
	Corrections activities.Corrections `json:"corrections"`
}

// aggregateActivity pages through up to 100,000s of balance transactions: a long start-to-close
// with a short heartbeat timeout, so a dead worker is noticed quickly and a retry resumes from
// the last heartbeated page.
var aggregateActivity = workflow.ActivityOptions{
	StartToCloseTimeout: 2 * time.Hour,
	HeartbeatTimeout:    30 * time.Second,
	RetryPolicy: &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2,
		MaximumInterval: time.Minute, NonRetryableErrorTypes: []string{activities.ErrValidation, activities.ErrStripe}},
}

// PayoutToGL posts a Stripe payout as one balanced journal entry (seed 001: "GL account mapping:
// map Stripe transaction types from BalanceTransactions to specific Sage 500 General Ledger
// accounts"): bank for the net payout, clearing for gross charges, refunds and disputes, fee
// expense, and suspense for any unmapped category. A failed payout gets the reversing entry of
// its bank leg (the fees stay expensed; the funds are back in clearing for the next payout).
func PayoutToGL(ctx workflow.Context, in *PayoutInput) (*PayoutResult, error) {
	st := &PayoutStatusView{PayoutResult: PayoutResult{Status: StatusRunning, PayoutID: in.PayoutID}}
	if err := workflow.SetQueryHandler(ctx, QueryStatus, func() (*PayoutStatusView, error) { return st, nil }); err != nil {
		return nil, err
	}
	r := newStepRunner(ctx, &st.Status, &st.Step, &st.Problem, &st.Parked, &st.Corrections)
	r.compensate = func(ctx workflow.Context, reason string) {
		st.Note = "abandoned: " + reason
		if st.JournalEntry != "" && st.Reversal == "" {
			var res activities.PostJournalResult
			if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, erpActivity), a.ReverseJournal,
				&activities.ReverseJournalInput{ExternalRef: in.PayoutID}).Get(ctx, &res); err == nil {
				st.Voided = append(st.Voided, "reversed "+st.JournalEntry+" by "+res.Number)
			}
		}
	}
	r.setStatus(ctx, StatusRunning)
	refresh := refreshChannel(ctx)
	stripeCtx := workflow.WithActivityOptions(ctx, stripeActivity)
	erpCtx := workflow.WithActivityOptions(ctx, erpActivity)

	for {
		var (
			p   *activities.PayoutSnapshot
			agg *activities.PayoutAggregate
		)
		steps := []step{
			{"fetch-payout", func() error {
				err := workflow.ExecuteActivity(stripeCtx, a.FetchPayout, &activities.FetchPayoutInput{PayoutID: in.PayoutID}).Get(ctx, &p)
				if err == nil {
					st.PayoutStatus, st.Amount, st.Currency = p.Status, p.Amount.String(), p.Currency
					_ = workflow.UpsertTypedSearchAttributes(ctx, SAAmount.ValueSet(p.Amount.InexactFloat64()))
				}
				return err
			}},
			{"find-posted-entry", func() error {
				// A redelivered payout.paid, or payout.failed after it, must not page through
				// 100,000 transactions again just to find the entry already posted.
				var res activities.PostJournalResult
				err := workflow.ExecuteActivity(erpCtx, a.FindJournal, &activities.FindJournalInput{ExternalRef: p.ID}).Get(ctx, &res)
				st.JournalEntry = res.Number
				return err
			}},
			{"aggregate-transactions", func() error {
				if st.JournalEntry != "" {
					return nil
				}
				err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, aggregateActivity), a.AggregatePayout,
					&activities.AggregatePayoutInput{PayoutID: p.ID, Currency: p.Currency}).Get(ctx, &agg)
				if err == nil {
					st.Transactions = agg.Rows - agg.BankRows
				}
				return err
			}},
			{"post-journal-entry", func() error {
				if st.JournalEntry != "" {
					return nil
				}
				var res activities.PostPayoutJournalResult
				err := workflow.ExecuteActivity(erpCtx, a.PostPayoutJournal, &activities.PostPayoutJournalInput{Payout: p, Aggregate: agg}).Get(ctx, &res)
				if err == nil {
					st.JournalEntry, st.Suspense = res.Number, res.Suspense
					_ = workflow.UpsertTypedSearchAttributes(ctx, SAErpDocument.ValueSet(res.Number))
				}
				return err
			}},
			{"reverse-failed-payout", func() error {
				if p.Status != "failed" && p.Status != "canceled" {
					return nil
				}
				var res activities.PostJournalResult
				err := workflow.ExecuteActivity(erpCtx, a.ReversePayoutBank, &activities.ReversePayoutBankInput{Payout: p}).Get(ctx, &res)
				st.Reversal = res.Number
				if err == nil {
					st.Note = "payout " + p.Status + ": " + p.FailureCode + " " + p.FailureMessage
				}
				return err
			}},
		}
		for _, s := range steps {
			if s.name == "find-posted-entry" && p.Status != "paid" && p.Status != "failed" && p.Status != "canceled" {
				st.Note = "payout is " + p.Status + "; it posts when paid"
				r.setStatus(ctx, StatusSkipped)
				return &st.PayoutResult, nil
			}
			abandoned, err := r.run(ctx, s)
			if err != nil || abandoned {
				return &st.PayoutResult, err
			}
		}
		if !drain(refresh) {
			break
		}
	}
	st.Step = "done"
	r.setStatus(ctx, StatusPosted)
	return &st.PayoutResult, nil
}
