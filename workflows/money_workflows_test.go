package workflows

import (
	"context"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/workflow"

	"github.com/ledgerbridge/ledgerbridge/activities"
	"github.com/ledgerbridge/ledgerbridge/internal/erp"
)

func refundSnap() *activities.RefundSnapshot {
	return &activities.RefundSnapshot{ID: "re_1", ChargeID: "ch_1", AmountMinor: 1000, Amount: decimal.RequireFromString("10"), Currency: "USD", Status: "succeeded"}
}

func TestRefundWaitsForTheInvoiceAndStartsOrderToCash(t *testing.T) {
	env := newEnv(t)
	env.RegisterWorkflowWithOptions(OrderToCash, workflow.RegisterOptions{Name: OrderToCashWorkflowName})
	env.OnWorkflow(OrderToCashWorkflowName, mock.Anything, mock.Anything).Return(&OrderToCashResult{Status: StatusPosted}, nil).Once()
	env.OnActivity(a.FetchRefund, mock.Anything, mock.Anything).Return(refundSnap(), nil)
	env.OnActivity(a.RefundCreditNote, mock.Anything, mock.Anything).Return(&activities.RefundCreditNoteResult{}, nil).Maybe()
	inv := &erp.Document{Number: "INV-000001", CustomerID: "C1", Currency: "USD", Status: "Paid"}
	env.OnActivity(a.FindChargeInvoice, mock.Anything, mock.Anything).Return(&activities.FindChargeInvoiceResult{}, nil).Times(3)
	env.OnActivity(a.FindChargeInvoice, mock.Anything, mock.Anything).Return(&activities.FindChargeInvoiceResult{Found: true, Invoice: inv}, nil).Once()
	env.OnActivity(a.FindChargeInvoice, mock.Anything, mock.Anything).Return(&activities.FindChargeInvoiceResult{Found: true, Invoice: inv, Paid: true}, nil).Once()
	env.OnActivity(a.PostCreditMemo, mock.Anything, mock.Anything).Return(&activities.PostCreditMemoResult{Number: "CM-000001"}, nil).Once()
	env.OnActivity(a.PostRefundCash, mock.Anything, mock.Anything).Return(&activities.PostJournalResult{Number: "JE-000001"}, nil).Once()
	env.OnActivity(a.WriteBackRefund, mock.Anything, mock.Anything).Return(&activities.WriteBackResult{}, nil).Once()
	var waiting bool
	env.RegisterDelayedCallback(func() {
		v, err := env.QueryWorkflow(QueryStatus)
		require.NoError(t, err)
		var st RefundStatus
		require.NoError(t, v.Get(&st))
		waiting = st.Status == StatusWaiting
	}, 3*time.Second)
	env.ExecuteWorkflow(RefundToCreditMemo, &RefundInput{RefundID: "re_1"})
	var res RefundResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.True(t, waiting, "the run should report it waits for order-to-cash")
	require.Equal(t, StatusPosted, res.Status)
	require.Equal(t, "CM-000001", res.CreditMemo)

}

func TestRefundOfAVoidedInvoiceParks(t *testing.T) {
	env := newEnv(t)
	env.OnActivity(a.FetchRefund, mock.Anything, mock.Anything).Return(refundSnap(), nil)
	env.OnActivity(a.RefundCreditNote, mock.Anything, mock.Anything).Return(&activities.RefundCreditNoteResult{}, nil).Maybe()
	env.OnActivity(a.FindChargeInvoice, mock.Anything, mock.Anything).Return(&activities.FindChargeInvoiceResult{Found: true,
		Invoice: &erp.Document{Number: "INV-1", Status: "Void"}}, nil)
	env.OnActivity(a.Alert, mock.Anything, mock.Anything).Return(&activities.AlertResult{}, nil)
	env.RegisterDelayedCallback(func() {
		v, _ := env.QueryWorkflow(QueryStatus)
		var st RefundStatus
		require.NoError(t, v.Get(&st))
		require.Equal(t, StatusNeedsAttention, st.Status)
		require.Contains(t, st.Problem, "is void")
		env.SignalWorkflow(SignalAbandon, AbandonSignal{Reason: "posted by hand"})
	}, time.Hour)
	env.ExecuteWorkflow(RefundToCreditMemo, &RefundInput{RefundID: "re_1"})
	var res RefundResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, StatusAbandoned, res.Status)
	env.AssertNotCalled(t, "PostCreditMemo", mock.Anything, mock.Anything)
}

func TestDisputePostsEachLegOnceAcrossRefreshes(t *testing.T) {
	env := newEnv(t)
	withdrawal := activities.DisputeLeg{TxnID: "txn_w", Category: "dispute", Amount: decimal.NewFromInt(-50), Fee: decimal.NewFromInt(15)}
	reinstated := activities.DisputeLeg{TxnID: "txn_r", Category: "dispute_reversal", Amount: decimal.NewFromInt(50), Fee: decimal.NewFromInt(-15)}
	// The closing event arrives while the first pass runs (after its fetch): the run makes a second pass.
	env.OnActivity(a.FetchDispute, mock.Anything, mock.Anything).Return(func(context.Context, *activities.FetchDisputeInput) (*activities.DisputeSnapshot, error) {
		env.SignalWorkflow(SignalRefresh, "charge.dispute.closed")
		return &activities.DisputeSnapshot{ID: "dp_1", Status: "needs_response", Legs: []activities.DisputeLeg{withdrawal}}, nil
	}).Once()
	env.OnActivity(a.FetchDispute, mock.Anything, mock.Anything).Return(&activities.DisputeSnapshot{ID: "dp_1", Status: "won",
		Legs: []activities.DisputeLeg{withdrawal, reinstated}}, nil).Once()
	env.OnActivity(a.FindJournal, mock.Anything, mock.Anything).Return(&activities.PostJournalResult{}, nil)
	var posted []string
	env.OnActivity(a.PostDisputeLeg, mock.Anything, mock.Anything).Return(func(_ context.Context, in *activities.PostDisputeLegInput) (*activities.PostJournalResult, error) {
		posted = append(posted, in.Leg.TxnID)
		return &activities.PostJournalResult{Number: "JE-" + in.Leg.TxnID}, nil
	})
	env.ExecuteWorkflow(Dispute, &DisputeInput{DisputeID: "dp_1"})
	var res DisputeResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, []string{"txn_w", "txn_r"}, posted)
	require.Equal(t, "won", res.DisputeStatus)
}

// The refresh signal that came with the start (the gateway's signal-with-start) asks for no
// second pass: the first pass's fetch already reads the object as the event left it.
func TestStartSignalMakesNoSecondPass(t *testing.T) {
	env := newEnv(t)
	env.OnActivity(a.FetchDispute, mock.Anything, mock.Anything).Return(&activities.DisputeSnapshot{ID: "dp_1", Status: "won"}, nil)
	env.OnActivity(a.FindJournal, mock.Anything, mock.Anything).Return(&activities.PostJournalResult{}, nil).Maybe()
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(SignalRefresh, "charge.dispute.closed") }, 0)
	env.ExecuteWorkflow(Dispute, &DisputeInput{DisputeID: "dp_1"})
	require.NoError(t, env.GetWorkflowError())
	env.AssertNumberOfCalls(t, "FetchDispute", 1)
}

func TestFailedPayoutPostsThenReverses(t *testing.T) {
	env := newEnv(t)
	p := &activities.PayoutSnapshot{ID: "po_1", AmountMinor: 1000, Amount: decimal.NewFromInt(10), Currency: "USD", Status: "failed"}
	env.OnActivity(a.FetchPayout, mock.Anything, mock.Anything).Return(p, nil)
	env.OnActivity(a.FindJournal, mock.Anything, mock.Anything).Return(&activities.PostJournalResult{}, nil)
	env.OnActivity(a.AggregatePayout, mock.Anything, mock.Anything).Return(&activities.PayoutAggregate{Rows: 3, BankRows: 1}, nil).Once()
	env.OnActivity(a.PostPayoutJournal, mock.Anything, mock.Anything).Return(&activities.PostPayoutJournalResult{Number: "JE-1"}, nil).Once()
	env.OnActivity(a.ReversePayoutBank, mock.Anything, mock.Anything).Return(&activities.PostJournalResult{Number: "JE-2"}, nil).Once()
	env.ExecuteWorkflow(PayoutToGL, &PayoutInput{PayoutID: "po_1"})
	var res PayoutResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, "JE-1", res.JournalEntry)
	require.Equal(t, "JE-2", res.Reversal)
	require.EqualValues(t, 2, res.Transactions)
}

func TestRedeliveredPayoutDoesNotAggregateAgain(t *testing.T) {
	env := newEnv(t)
	p := &activities.PayoutSnapshot{ID: "po_1", AmountMinor: 1000, Amount: decimal.NewFromInt(10), Currency: "USD", Status: "paid"}
	env.OnActivity(a.FetchPayout, mock.Anything, mock.Anything).Return(p, nil)
	env.OnActivity(a.FindJournal, mock.Anything, mock.Anything).Return(&activities.PostJournalResult{Number: "JE-1", Reused: true}, nil)
	env.ExecuteWorkflow(PayoutToGL, &PayoutInput{PayoutID: "po_1"})
	var res PayoutResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, "JE-1", res.JournalEntry)
	env.AssertNotCalled(t, "AggregatePayout", mock.Anything, mock.Anything)
}

func TestFailedRefundUndoesWhatWasPosted(t *testing.T) {
	env := newEnv(t)
	failed := refundSnap()
	failed.Status = "failed"
	env.OnActivity(a.FetchRefund, mock.Anything, mock.Anything).Return(failed, nil)
	env.OnActivity(a.RefundCreditNote, mock.Anything, mock.Anything).Return(&activities.RefundCreditNoteResult{}, nil).Maybe()
	env.OnActivity(a.UndoRefund, mock.Anything, mock.Anything).Return(&activities.UndoRefundResult{
		Undone: []string{"credit memo CM-1 voided", "cash entry reversed by JE-9"}}, nil).Once()
	env.ExecuteWorkflow(RefundToCreditMemo, &RefundInput{RefundID: "re_1"})
	var res RefundResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, StatusSkipped, res.Status)
	require.Len(t, res.Voided, 2)
	env.AssertNotCalled(t, "PostCreditMemo", mock.Anything, mock.Anything)
}

// A refund a credit note issued posts only its cash: the credit note's run posts the memo.
func TestRefundOfACreditNotePostsOnlyItsCash(t *testing.T) {
	env := newEnv(t)
	env.OnActivity(a.FetchRefund, mock.Anything, mock.Anything).Return(refundSnap(), nil)
	env.OnActivity(a.FindChargeInvoice, mock.Anything, mock.Anything).Return(&activities.FindChargeInvoiceResult{Found: true, Paid: true,
		Invoice: &erp.Document{Number: "INV-1", Currency: "USD"}}, nil)
	env.OnActivity(a.RefundCreditNote, mock.Anything, mock.Anything).Return(&activities.RefundCreditNoteResult{CreditNoteID: "cn_1"}, nil)
	env.OnActivity(a.PostRefundCash, mock.Anything, mock.MatchedBy(func(in *activities.PostRefundCashInput) bool {
		return in.CreditMemo == "of credit note cn_1"
	})).Return(&activities.PostJournalResult{Number: "JE-1"}, nil).Once()
	env.ExecuteWorkflow(RefundToCreditMemo, &RefundInput{RefundID: "re_1"})
	require.NoError(t, env.GetWorkflowError())
	var res RefundResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, StatusPosted, res.Status)
	require.Empty(t, res.CreditMemo)
	require.Equal(t, "JE-1", res.JournalEntry)
	env.AssertExpectations(t)
}
