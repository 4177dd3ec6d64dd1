package workflows

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/ledgerbridge/ledgerbridge/activities"
	"github.com/ledgerbridge/ledgerbridge/internal/erp"
	"github.com/ledgerbridge/ledgerbridge/internal/paytrace"
	"github.com/ledgerbridge/ledgerbridge/internal/posting"
)

// calls records, in order, the activities a run called and the input each one was sent.
type calls struct {
	mu   sync.Mutex
	list []call
}

type call struct {
	name string
	in   any
}

func (c *calls) add(name string, in any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.list = append(c.list, call{name, in})
}

func (c *calls) names() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]string, 0, len(c.list))
	for _, x := range c.list {
		out = append(out, x.name)
	}
	return out
}

// nth is the input of the i-th call (0-based) of the named activity.
func (c *calls) nth(t *testing.T, name string, i int) any {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, x := range c.list {
		if x.name == name {
			if i == 0 {
				return x.in
			}
			i--
		}
	}
	t.Fatalf("%s was not called that often: %v", name, c.list)
	return nil
}

func (c *calls) count(name string) int {
	n := 0
	for _, x := range c.names() {
		if x == name {
			n++
		}
	}
	return n
}

const ptSaleID int64 = 101

func ptTx(kind string) *activities.PayTraceTransaction {
	tx := &activities.PayTraceTransaction{ID: ptSaleID, Ref: activities.PayTraceRef(ptSaleID), Kind: kind, Status: paytrace.StatusPendingSettlement,
		Amount: decimal.RequireFromString("89.48"), Currency: "USD", Created: 1767225600, Email: "mary@example.com"}
	switch kind {
	case activities.PayTraceDeclined:
		tx.Status, tx.Amount = paytrace.StatusDeclined, decimal.RequireFromString("1.12")
	case activities.PayTraceVoided:
		tx.Status = paytrace.StatusVoided
	case activities.PayTraceUncaptured:
		tx.Status = paytrace.StatusAuthorized
	}
	return tx
}

const ptRefundID int64 = 202

func ptRefundTx() *activities.PayTraceTransaction {
	return &activities.PayTraceTransaction{ID: ptRefundID, Ref: activities.PayTraceRef(ptRefundID), Kind: activities.PayTraceRefund,
		Status: paytrace.StatusPendingSettlement, Amount: decimal.RequireFromString("15"), Currency: "USD", OriginalRef: activities.PayTraceRef(ptSaleID)}
}

func ptRefundSnap() *activities.RefundSnapshot {
	return &activities.RefundSnapshot{ID: activities.PayTraceRef(ptRefundID), ChargeID: activities.PayTraceRef(ptSaleID),
		Amount: decimal.RequireFromString("15"), Currency: "USD", Status: "succeeded"}
}

// mockPayTrace mocks every activity a PayTrace run may call, recording each call, so that "nothing
// was posted" is checked against the full list. Activities named in skip are left to the test,
// which mocks them before calling this (testify takes the first matching expectation).
func mockPayTrace(env *testsuite.TestWorkflowEnvironment, rec *calls, skip ...string) {
	on := func(name string) bool {
		for _, s := range skip {
			if s == name {
				return false
			}
		}
		return true
	}
	if on("FetchPayTraceTransaction") {
		env.OnActivity(a.FetchPayTraceTransaction, mock.Anything, mock.Anything).Return(
			func(_ context.Context, in *activities.FetchPayTraceTransactionInput) (*activities.PayTraceTransaction, error) {
				rec.add("FetchPayTraceTransaction", in)
				return ptTx(activities.PayTraceSale), nil
			})
	}
	if on("ResolveCustomer") {
		env.OnActivity(a.ResolveCustomer, mock.Anything, mock.Anything).Return(
			func(_ context.Context, in *activities.ResolveCustomerInput) (*activities.ResolveCustomerResult, error) {
				rec.add("ResolveCustomer", in)
				return &activities.ResolveCustomerResult{CustomerID: "BPC0001", How: "created"}, nil
			})
	}
	if on("PostSalesOrder") {
		env.OnActivity(a.PostSalesOrder, mock.Anything, mock.Anything).Return(
			func(_ context.Context, in *activities.PostDocumentInput) (*activities.PostDocumentResult, error) {
				rec.add("PostSalesOrder", in)
				return &activities.PostDocumentResult{Number: "SO0001", Total: decimal.RequireFromString("89.48")}, nil
			})
	}
	if on("PostInvoice") {
		env.OnActivity(a.PostInvoice, mock.Anything, mock.Anything).Return(
			func(_ context.Context, in *activities.PostDocumentInput) (*activities.PostDocumentResult, error) {
				rec.add("PostInvoice", in)
				return &activities.PostDocumentResult{Number: "INV0001", Total: decimal.RequireFromString("89.48")}, nil
			})
	}
	if on("ApplyPayment") {
		env.OnActivity(a.ApplyPayment, mock.Anything, mock.Anything).Return(
			func(_ context.Context, in *activities.ApplyPaymentInput) (*activities.ApplyPaymentResult, error) {
				rec.add("ApplyPayment", in)
				return &activities.ApplyPaymentResult{PaymentID: "PAY0001"}, nil
			})
	}
	if on("UndoSale") {
		env.OnActivity(a.UndoSale, mock.Anything, mock.Anything).Return(
			func(_ context.Context, in *activities.UndoSaleInput) (*activities.UndoSaleResult, error) {
				rec.add("UndoSale", in)
				return &activities.UndoSaleResult{}, nil
			})
	}
	if on("PayTraceRefundSnapshot") {
		env.OnActivity(a.PayTraceRefundSnapshot, mock.Anything, mock.Anything).Return(
			func(_ context.Context, in *activities.FetchPayTraceTransactionInput) (*activities.RefundSnapshot, error) {
				rec.add("PayTraceRefundSnapshot", in)
				return ptRefundSnap(), nil
			})
	}
	if on("FindChargeInvoice") {
		env.OnActivity(a.FindChargeInvoice, mock.Anything, mock.Anything).Return(
			func(_ context.Context, in *activities.FindChargeInvoiceInput) (*activities.FindChargeInvoiceResult, error) {
				rec.add("FindChargeInvoice", in)
				return &activities.FindChargeInvoiceResult{Found: true, Paid: true, Invoice: &erp.Document{Number: "INV0001", Status: "Paid"}}, nil
			})
	}
	if on("PostCreditMemo") {
		env.OnActivity(a.PostCreditMemo, mock.Anything, mock.Anything).Return(
			func(_ context.Context, in *activities.PostCreditMemoInput) (*activities.PostCreditMemoResult, error) {
				rec.add("PostCreditMemo", in)
				return &activities.PostCreditMemoResult{Number: "CM0001"}, nil
			})
	}
	if on("PostRefundCash") {
		env.OnActivity(a.PostRefundCash, mock.Anything, mock.Anything).Return(
			func(_ context.Context, in *activities.PostRefundCashInput) (*activities.PostJournalResult, error) {
				rec.add("PostRefundCash", in)
				return &activities.PostJournalResult{Number: "JE0001"}, nil
			})
	}
	if on("Compensate") {
		env.OnActivity(a.Compensate, mock.Anything, mock.Anything).Return(
			func(_ context.Context, in *activities.CompensateInput) (*activities.CompensateResult, error) {
				rec.add("Compensate", in)
				return &activities.CompensateResult{Voided: []string{"invoice " + in.InvoiceNumber, "sales order " + in.SalesOrder}}, nil
			})
	}
	if on("ReverseJournal") {
		env.OnActivity(a.ReverseJournal, mock.Anything, mock.Anything).Return(
			func(_ context.Context, in *activities.ReverseJournalInput) (*activities.PostJournalResult, error) {
				rec.add("ReverseJournal", in)
				return &activities.PostJournalResult{Number: "JE-REV"}, nil
			})
	}
	if on("Alert") {
		env.OnActivity(a.Alert, mock.Anything, mock.Anything).Return(
			func(_ context.Context, in *activities.AlertInput) (*activities.AlertResult, error) {
				rec.add("Alert", in)
				return &activities.AlertResult{}, nil
			})
	}
}

// upserts records the search attributes a run sets, in order.
type upserts struct {
	mu   sync.Mutex
	list []temporal.SearchAttributes
}

func recordUpserts(env *testsuite.TestWorkflowEnvironment) *upserts {
	u := &upserts{}
	env.OnUpsertTypedSearchAttributes(mock.Anything).Run(func(args mock.Arguments) {
		u.mu.Lock()
		defer u.mu.Unlock()
		u.list = append(u.list, args.Get(0).(temporal.SearchAttributes))
	}).Return(nil).Maybe()
	return u
}

// keyword is the last value the run set for a keyword attribute.
func (u *upserts) keyword(k temporal.SearchAttributeKeyKeyword) string {
	u.mu.Lock()
	defer u.mu.Unlock()
	v := ""
	for _, sa := range u.list {
		if s, ok := sa.GetKeyword(k); ok {
			v = s
		}
	}
	return v
}

// statuses are the LedgerStatus values the run went through, with NeedsAttention alongside.
func (u *upserts) statuses() []string {
	u.mu.Lock()
	defer u.mu.Unlock()
	var out []string
	for _, sa := range u.list {
		if s, ok := sa.GetKeyword(SALedgerStatus); ok {
			if na, _ := sa.GetBool(SANeedsAttention); na != (s == StatusNeedsAttention) {
				out = append(out, s+"(NeedsAttention="+strconv.FormatBool(na)+")")
				continue
			}
			out = append(out, s)
		}
	}
	return out
}

func payTraceStatus(t *testing.T, env *testsuite.TestWorkflowEnvironment) PayTraceTransactionStatus {
	t.Helper()
	v, err := env.QueryWorkflow(QueryStatus)
	require.NoError(t, err)
	var st PayTraceTransactionStatus
	require.NoError(t, v.Get(&st))
	return st
}

func payTraceResult(t *testing.T, env *testsuite.TestWorkflowEnvironment) PayTraceTransactionResult {
	t.Helper()
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	var res PayTraceTransactionResult
	require.NoError(t, env.GetWorkflowResult(&res))
	return res
}

// A sale posts, in this order, the customer, the sales order (always, seed 002) with the
// transaction's lines, the invoice linked to the order, and the payment linked to both; every
// step is keyed by the transaction's ERP reference "paytrace-<id>".
func TestPayTraceSalePostsCustomerOrderInvoiceAndPaymentInOrder(t *testing.T) {
	env := newEnv(t)
	rec := &calls{}
	mockPayTrace(env, rec)
	sa := recordUpserts(env)
	env.ExecuteWorkflow(PayTraceTransaction, &PayTraceTransactionInput{TransactionID: ptSaleID, Source: "poll"})
	res := payTraceResult(t, env)

	require.Equal(t, []string{"FetchPayTraceTransaction", "ResolveCustomer", "PostSalesOrder", "PostInvoice", "ApplyPayment"}, rec.names())
	require.Equal(t, &activities.FetchPayTraceTransactionInput{TransactionID: ptSaleID}, rec.nth(t, "FetchPayTraceTransaction", 0))
	require.Equal(t, &activities.ResolveCustomerInput{ChargeID: "paytrace-101"}, rec.nth(t, "ResolveCustomer", 0))
	require.Equal(t, &activities.PostDocumentInput{ChargeID: "paytrace-101", CustomerID: "BPC0001", Required: true}, rec.nth(t, "PostSalesOrder", 0))
	require.Equal(t, &activities.PostDocumentInput{ChargeID: "paytrace-101", CustomerID: "BPC0001", SalesOrder: "SO0001"}, rec.nth(t, "PostInvoice", 0))
	require.Equal(t, &activities.ApplyPaymentInput{ChargeID: "paytrace-101", CustomerID: "BPC0001", InvoiceNumber: "INV0001", SalesOrder: "SO0001"},
		rec.nth(t, "ApplyPayment", 0))

	require.Equal(t, PayTraceTransactionResult{Status: StatusPosted, TransactionID: ptSaleID, Kind: activities.PayTraceSale, CustomerID: "BPC0001",
		SalesOrder: "SO0001", InvoiceNumber: "INV0001", PaymentID: "PAY0001", Amount: "89.48"}, res)
	st := payTraceStatus(t, env)
	require.Equal(t, "done", st.Step)
	require.Zero(t, st.Parked)
	require.Equal(t, "INV0001", sa.keyword(SAErpDocument))
	require.Equal(t, "mary@example.com", sa.keyword(SACustomerEmail))
	require.Equal(t, []string{StatusRunning, StatusPosted}, sa.statuses())
}

// What the card issuer declined, or what is only authorised, posts nothing: the run ends Skipped
// after the fetch, saying why.
func TestPayTraceDeclineAndUncapturedAuthorisationPostNothing(t *testing.T) {
	for _, tc := range []struct {
		kind, note string
	}{
		{activities.PayTraceDeclined, "declined by the card issuer"},
		{activities.PayTraceUncaptured, "authorised, not captured"},
	} {
		t.Run(tc.kind, func(t *testing.T) {
			env := newEnv(t)
			rec := &calls{}
			env.OnActivity(a.FetchPayTraceTransaction, mock.Anything, mock.Anything).Return(
				func(_ context.Context, in *activities.FetchPayTraceTransactionInput) (*activities.PayTraceTransaction, error) {
					rec.add("FetchPayTraceTransaction", in)
					return ptTx(tc.kind), nil
				})
			mockPayTrace(env, rec, "FetchPayTraceTransaction")
			env.ExecuteWorkflow(PayTraceTransaction, &PayTraceTransactionInput{TransactionID: ptSaleID})
			res := payTraceResult(t, env)
			require.Equal(t, StatusSkipped, res.Status)
			require.Equal(t, tc.kind, res.Kind)
			require.Contains(t, res.Note, tc.note)
			require.Empty(t, res.SalesOrder+res.InvoiceNumber+res.PaymentID+res.CreditMemo+res.JournalEntry)
			require.Equal(t, []string{"FetchPayTraceTransaction"}, rec.names(), "nothing may be posted")
		})
	}
}

// A sale voided before anything was posted: the void-posted step finds nothing to void.
func TestPayTraceVoidBeforePostingVoidsNothing(t *testing.T) {
	env := newEnv(t)
	rec := &calls{}
	env.OnActivity(a.FetchPayTraceTransaction, mock.Anything, mock.Anything).Return(ptTx(activities.PayTraceVoided), nil)
	mockPayTrace(env, rec, "FetchPayTraceTransaction")
	env.ExecuteWorkflow(PayTraceTransaction, &PayTraceTransactionInput{TransactionID: ptSaleID})
	res := payTraceResult(t, env)
	require.Equal(t, []string{"UndoSale"}, rec.names())
	require.Equal(t, &activities.UndoSaleInput{ChargeID: "paytrace-101"}, rec.nth(t, "UndoSale", 0))
	require.Equal(t, StatusSkipped, res.Status)
	require.Equal(t, "voided before settlement: nothing to post", res.Note)
	require.Empty(t, res.Voided)
	require.Equal(t, "done", payTraceStatus(t, env).Step)
}

// A void seen while the sale's pass runs (the poll signals refresh) makes a second pass, whose
// void-posted step voids what the first pass posted.
func TestPayTraceVoidDuringThePassVoidsWhatWasPosted(t *testing.T) {
	env := newEnv(t)
	rec := &calls{}
	fetches := 0
	env.OnActivity(a.FetchPayTraceTransaction, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in *activities.FetchPayTraceTransactionInput) (*activities.PayTraceTransaction, error) {
			rec.add("FetchPayTraceTransaction", in)
			if fetches++; fetches == 1 {
				return ptTx(activities.PayTraceSale), nil
			}
			return ptTx(activities.PayTraceVoided), nil
		})
	env.OnActivity(a.ApplyPayment, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in *activities.ApplyPaymentInput) (*activities.ApplyPaymentResult, error) {
			rec.add("ApplyPayment", in)
			return &activities.ApplyPaymentResult{PaymentID: "PAY0001"}, nil
		}).After(time.Minute)
	env.OnActivity(a.UndoSale, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in *activities.UndoSaleInput) (*activities.UndoSaleResult, error) {
			rec.add("UndoSale", in)
			return &activities.UndoSaleResult{Voided: []string{"payment PAY0001", "invoice INV0001", "sales order SO0001"}}, nil
		})
	mockPayTrace(env, rec, "FetchPayTraceTransaction", "ApplyPayment", "UndoSale")
	env.RegisterDelayedCallback(func() {
		require.Equal(t, "apply-payment", payTraceStatus(t, env).Step)
		env.SignalWorkflow(SignalRefresh, map[string]any{"eventType": "poll"})
	}, 30*time.Second)
	env.ExecuteWorkflow(PayTraceTransaction, &PayTraceTransactionInput{TransactionID: ptSaleID})
	res := payTraceResult(t, env)
	require.Equal(t, []string{"FetchPayTraceTransaction", "ResolveCustomer", "PostSalesOrder", "PostInvoice", "ApplyPayment",
		"FetchPayTraceTransaction", "UndoSale"}, rec.names())
	require.Equal(t, &activities.UndoSaleInput{ChargeID: "paytrace-101"}, rec.nth(t, "UndoSale", 0))
	require.Equal(t, StatusSkipped, res.Status)
	require.Equal(t, activities.PayTraceVoided, res.Kind)
	require.Equal(t, []string{"payment PAY0001", "invoice INV0001", "sales order SO0001"}, res.Voided)
	require.Equal(t, "voided before settlement after it was posted: what was posted is voided", res.Note)
}

// A refund waits durably for the refunded sale's invoice and payment (starting the sale's own
// run, transaction/paytrace/<sale>), then posts the credit memo on that invoice and the cash
// entry out of PayTrace's clearing account.
func TestPayTraceRefundWaitsForTheSaleThenPostsCreditMemoAndCash(t *testing.T) {
	env := newEnv(t)
	// The sale's run is mocked; the refund's own run (the same workflow type, so the mock sees it
	// too) is the real one.
	env.RegisterWorkflowWithOptions(PayTraceTransaction, workflow.RegisterOptions{Name: PayTraceTransactionWorkflowName})
	env.OnWorkflow(PayTraceTransactionWorkflowName, mock.Anything, mock.Anything).Return(
		func(ctx workflow.Context, in *PayTraceTransactionInput) (*PayTraceTransactionResult, error) {
			if in.TransactionID == ptRefundID {
				return PayTraceTransaction(ctx, in)
			}
			return &PayTraceTransactionResult{Status: StatusPosted, TransactionID: in.TransactionID}, nil
		})
	var children []string
	var childIn []PayTraceTransactionInput
	env.SetOnChildWorkflowStartedListener(func(info *workflow.Info, _ workflow.Context, args converter.EncodedValues) {
		var in PayTraceTransactionInput
		require.NoError(t, args.Get(&in))
		children, childIn = append(children, info.WorkflowExecution.ID), append(childIn, in)
	})
	rec := &calls{}
	env.OnActivity(a.FetchPayTraceTransaction, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in *activities.FetchPayTraceTransactionInput) (*activities.PayTraceTransaction, error) {
			rec.add("FetchPayTraceTransaction", in)
			return ptRefundTx(), nil
		})
	inv := &erp.Document{Number: "INV0001", CustomerID: "BPC0001", Currency: "USD", Status: "Open"}
	finds := 0
	env.OnActivity(a.FindChargeInvoice, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in *activities.FindChargeInvoiceInput) (*activities.FindChargeInvoiceResult, error) {
			rec.add("FindChargeInvoice", in)
			switch finds++; {
			case finds <= 2:
				return &activities.FindChargeInvoiceResult{}, nil
			case finds == 3: // invoiced, not paid yet: a credit memo now would eat the payment's balance
				return &activities.FindChargeInvoiceResult{Found: true, Invoice: inv}, nil
			}
			return &activities.FindChargeInvoiceResult{Found: true, Invoice: inv, Paid: true}, nil
		})
	mockPayTrace(env, rec, "FetchPayTraceTransaction", "FindChargeInvoice")
	var waiting PayTraceTransactionStatus
	env.RegisterDelayedCallback(func() { waiting = payTraceStatus(t, env) }, time.Second)
	env.ExecuteWorkflow(PayTraceTransaction, &PayTraceTransactionInput{TransactionID: ptRefundID, Source: "poll"})
	res := payTraceResult(t, env)

	require.Equal(t, StatusWaiting, waiting.Status)
	require.Equal(t, "await-invoice", waiting.Step)
	require.Equal(t, []string{"transaction/paytrace/101"}, children, "the sale's own run, started once")
	require.Equal(t, ptSaleID, childIn[0].TransactionID)
	require.Equal(t, []string{"FetchPayTraceTransaction", "PayTraceRefundSnapshot", "FindChargeInvoice", "FindChargeInvoice", "FindChargeInvoice",
		"FindChargeInvoice", "PostCreditMemo", "PostRefundCash"}, rec.names())
	require.Equal(t, &activities.FetchPayTraceTransactionInput{TransactionID: ptRefundID}, rec.nth(t, "PayTraceRefundSnapshot", 0))
	require.Equal(t, &activities.FindChargeInvoiceInput{ChargeID: "paytrace-101"}, rec.nth(t, "FindChargeInvoice", 0))
	cm := rec.nth(t, "PostCreditMemo", 0).(*activities.PostCreditMemoInput)
	require.Equal(t, "paytrace-202", cm.Refund.ID)
	require.Equal(t, "paytrace-101", cm.Refund.ChargeID)
	require.True(t, cm.Refund.Amount.Equal(decimal.RequireFromString("15")))
	require.Equal(t, "INV0001", cm.Invoice.Number)
	cash := rec.nth(t, "PostRefundCash", 0).(*activities.PostRefundCashInput)
	require.Equal(t, "CM0001", cash.CreditMemo)
	require.Equal(t, "paytrace", cash.Provider, "the refunded cash leaves PayTrace's clearing account")
	require.Equal(t, "paytrace-202", cash.Refund.ID)

	require.Equal(t, StatusPosted, res.Status)
	require.Equal(t, activities.PayTraceRefund, res.Kind)
	require.Equal(t, "CM0001", res.CreditMemo)
	require.Equal(t, "JE0001", res.JournalEntry)
	require.Equal(t, "15", res.Amount)
	require.Empty(t, res.SalesOrder+res.InvoiceNumber+res.PaymentID)
}

// A data error parks the run at its step (NeedsAttention, an alert naming the step and the ERP's
// words); the operator's retry signal with a correction resumes it at that step, the correction
// carried to the later steps, and the run posts.
func TestPayTraceDataErrorParksAndRetryWithCorrectionResumes(t *testing.T) {
	env := newEnv(t)
	rec := &calls{}
	env.OnActivity(a.PostSalesOrder, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in *activities.PostDocumentInput) (*activities.PostDocumentResult, error) {
			rec.add("PostSalesOrder", in)
			if in.Corrections.ItemID == "" {
				return nil, temporal.NewNonRetryableApplicationError(`ITMREF "NOPE" does not exist`, activities.ErrValidation, nil)
			}
			return &activities.PostDocumentResult{Number: "SO0001"}, nil
		})
	mockPayTrace(env, rec, "PostSalesOrder")
	sa := recordUpserts(env)
	var parked PayTraceTransactionStatus
	env.RegisterDelayedCallback(func() {
		parked = payTraceStatus(t, env)
		// A refresh while parked does not resume the run: only the operator's retry does.
		env.SignalWorkflow(SignalRefresh, nil)
	}, time.Hour)
	env.RegisterDelayedCallback(func() {
		require.Equal(t, StatusNeedsAttention, payTraceStatus(t, env).Status)
		env.SignalWorkflow(SignalRetry, RetrySignal{Corrections: activities.Corrections{ItemID: "WIDGET"}})
	}, 2*time.Hour)
	env.ExecuteWorkflow(PayTraceTransaction, &PayTraceTransactionInput{TransactionID: ptSaleID})
	res := payTraceResult(t, env)

	require.Equal(t, StatusNeedsAttention, parked.Status)
	require.Equal(t, "post-sales-order", parked.Step)
	require.Equal(t, `ValidationError: ITMREF "NOPE" does not exist`, parked.Problem)
	require.Equal(t, 1, parked.Parked)
	require.Equal(t, &activities.AlertInput{WorkflowID: "default-test-workflow-id", Step: "post-sales-order",
		Problem: `ValidationError: ITMREF "NOPE" does not exist`}, rec.nth(t, "Alert", 0))

	// Resumed at the parked step (the customer is not resolved again), with the correction.
	require.Equal(t, []string{"FetchPayTraceTransaction", "ResolveCustomer", "PostSalesOrder", "Alert", "PostSalesOrder", "PostInvoice", "ApplyPayment",
		"FetchPayTraceTransaction", "ResolveCustomer", "PostSalesOrder", "PostInvoice", "ApplyPayment"}, rec.names())
	require.Equal(t, "WIDGET", rec.nth(t, "PostSalesOrder", 1).(*activities.PostDocumentInput).Corrections.ItemID)
	require.Equal(t, "WIDGET", rec.nth(t, "PostInvoice", 0).(*activities.PostDocumentInput).Corrections.ItemID)
	require.Equal(t, StatusPosted, res.Status)
	require.Equal(t, "INV0001", res.InvoiceNumber)
	st := payTraceStatus(t, env)
	require.Equal(t, 1, st.Parked)
	require.Empty(t, st.Problem)
	require.Equal(t, activities.Corrections{ItemID: "WIDGET"}, st.Corrections)
	// The refresh sent while parked asks for a second pass once the first is done.
	require.Equal(t, []string{StatusRunning, StatusNeedsAttention, StatusRunning, StatusPosted, StatusRunning, StatusPosted}, sa.statuses())
}

// PayTrace's own refusals (an unknown transaction) park like ERP data errors; a PayTrace outage
// is retried with backoff and never parks.
func TestPayTraceFetchRefusalParksAndOutageRetries(t *testing.T) {
	t.Run("refusal parks", func(t *testing.T) {
		env := newEnv(t)
		rec := &calls{}
		env.OnActivity(a.FetchPayTraceTransaction, mock.Anything, mock.Anything).Return(nil,
			temporal.NewNonRetryableApplicationError("export transaction 101: not found", activities.ErrPayTrace, nil)).Once()
		mockPayTrace(env, rec)
		env.RegisterDelayedCallback(func() {
			st := payTraceStatus(t, env)
			require.Equal(t, StatusNeedsAttention, st.Status)
			require.Equal(t, "fetch-transaction", st.Step)
			require.Contains(t, st.Problem, "not found")
			env.SignalWorkflow(SignalRetry, RetrySignal{})
		}, time.Hour)
		env.ExecuteWorkflow(PayTraceTransaction, &PayTraceTransactionInput{TransactionID: ptSaleID})
		require.Equal(t, StatusPosted, payTraceResult(t, env).Status)
		require.Equal(t, 1, rec.count("Alert"))
	})
	t.Run("outage retries", func(t *testing.T) {
		env := newEnv(t)
		rec := &calls{}
		env.OnActivity(a.FetchPayTraceTransaction, mock.Anything, mock.Anything).Return(nil,
			temporal.NewApplicationError("export transaction 101: HTTP 503", activities.ErrPayTraceUnavailable)).Times(3)
		mockPayTrace(env, rec)
		env.ExecuteWorkflow(PayTraceTransaction, &PayTraceTransactionInput{TransactionID: ptSaleID})
		require.Equal(t, StatusPosted, payTraceResult(t, env).Status)
		require.Zero(t, rec.count("Alert"))
	})
}

// Abandoning a parked sale voids what its run posted (newest first is the activity's job): the
// compensation gets exactly the documents the run created.
func TestPayTraceAbandonCompensatesWhatWasPosted(t *testing.T) {
	env := newEnv(t)
	rec := &calls{}
	env.OnActivity(a.ApplyPayment, mock.Anything, mock.Anything).Return(nil,
		temporal.NewNonRetryableApplicationError("amount exceeds the invoice's open balance", activities.ErrValidation, nil))
	mockPayTrace(env, rec, "ApplyPayment")
	env.RegisterDelayedCallback(func() {
		require.Equal(t, "apply-payment", payTraceStatus(t, env).Step)
		env.SignalWorkflow(SignalAbandon, AbandonSignal{Reason: "booked by hand"})
	}, time.Hour)
	env.ExecuteWorkflow(PayTraceTransaction, &PayTraceTransactionInput{TransactionID: ptSaleID})
	res := payTraceResult(t, env)
	require.Equal(t, StatusAbandoned, res.Status)
	require.Equal(t, &activities.CompensateInput{InvoiceNumber: "INV0001", SalesOrder: "SO0001"}, rec.nth(t, "Compensate", 0))
	require.Zero(t, rec.count("ReverseJournal"), "a sale has no journal entry to reverse")
	require.Equal(t, []string{"invoice INV0001", "sales order SO0001"}, res.Voided)
	require.Equal(t, "abandoned: booked by hand", res.Note)
}

// --- PayTraceBatch ---

func settlement() *posting.SettlementBatch {
	return &posting.SettlementBatch{Ref: activities.PayTraceBatchRef("7"), Number: "7", Settled: 1767225600, Currency: "USD",
		SalesCount: 2, Sales: decimal.RequireFromString("109.47"), RefundCount: 1, Refunds: decimal.RequireFromString("15"),
		Fees: decimal.RequireFromString("3.10"), Net: decimal.RequireFromString("91.37")}
}

type batchStatus struct {
	Result  PayTraceBatchResult `json:"result"`
	Status  string              `json:"status"`
	Step    string              `json:"step"`
	Problem string              `json:"problem"`
	Parked  int                 `json:"timesParked"`
}

func queryBatch(t *testing.T, env *testsuite.TestWorkflowEnvironment) batchStatus {
	t.Helper()
	v, err := env.QueryWorkflow(QueryStatus)
	require.NoError(t, err)
	var st batchStatus
	require.NoError(t, v.Get(&st))
	return st
}

// batchEnv mocks the batch's activities: checks answers CheckPayTraceBatch in turn (the last one
// repeats), the transactions' runs are mocked children whose IDs are recorded.
func batchEnv(t *testing.T, rec *calls, checks ...*activities.PayTraceBatchCheck) (env *testsuite.TestWorkflowEnvironment, children *[]string, timers *[]time.Duration) {
	env = newEnv(t)
	env.RegisterWorkflowWithOptions(PayTraceTransaction, workflow.RegisterOptions{Name: PayTraceTransactionWorkflowName})
	env.OnWorkflow(PayTraceTransactionWorkflowName, mock.Anything, mock.Anything).Return(&PayTraceTransactionResult{Status: StatusPosted}, nil).Maybe()
	children, timers = &[]string{}, &[]time.Duration{}
	env.SetOnChildWorkflowStartedListener(func(info *workflow.Info, _ workflow.Context, args converter.EncodedValues) {
		var in PayTraceTransactionInput
		require.NoError(t, args.Get(&in))
		require.Equal(t, PayTraceTransactionID(in.TransactionID), info.WorkflowExecution.ID)
		require.Equal(t, "batch", in.Source)
		*children = append(*children, info.WorkflowExecution.ID)
	})
	env.SetOnTimerScheduledListener(func(_ string, d time.Duration) { *timers = append(*timers, d) })
	n := 0
	env.OnActivity(a.CheckPayTraceBatch, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in *activities.PayTraceBatchInput) (*activities.PayTraceBatchCheck, error) {
			rec.add("CheckPayTraceBatch", in)
			c := checks[min(n, len(checks)-1)]
			n++
			return c, nil
		})
	env.OnActivity(a.PostPayTraceBatch, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in *activities.PostPayTraceBatchInput) (*activities.PostJournalResult, error) {
			rec.add("PostPayTraceBatch", in)
			return &activities.PostJournalResult{Number: "GACC0007"}, nil
		}).Maybe()
	env.OnActivity(a.Alert, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in *activities.AlertInput) (*activities.AlertResult, error) {
			rec.add("Alert", in)
			return &activities.AlertResult{}, nil
		}).Maybe()
	return env, children, timers
}

func batchResult(t *testing.T, env *testsuite.TestWorkflowEnvironment) PayTraceBatchResult {
	t.Helper()
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	var res PayTraceBatchResult
	require.NoError(t, env.GetWorkflowResult(&res))
	return res
}

// A batch whose transactions are all in the ERP as they settled posts one entry at once.
func TestPayTraceBatchPostsOneEntryWhenAllTransactionsArePosted(t *testing.T) {
	rec := &calls{}
	env, children, timers := batchEnv(t, rec, &activities.PayTraceBatchCheck{Batch: settlement()})
	sa := recordUpserts(env)
	env.ExecuteWorkflow(PayTraceBatch, &PayTraceBatchInput{BatchNumber: 7, Source: "poll"})
	res := batchResult(t, env)
	require.Equal(t, []string{"CheckPayTraceBatch", "PostPayTraceBatch"}, rec.names())
	require.Equal(t, &activities.PayTraceBatchInput{BatchNumber: "7"}, rec.nth(t, "CheckPayTraceBatch", 0))
	posted := rec.nth(t, "PostPayTraceBatch", 0).(*activities.PostPayTraceBatchInput)
	requireSameBatch(t, settlement(), posted.Batch)
	require.Equal(t, PayTraceBatchResult{Status: StatusPosted, BatchNumber: 7, JournalEntry: "GACC0007", Net: "91.37"}, res)
	require.Empty(t, *children)
	require.Empty(t, *timers)
	require.Equal(t, "GACC0007", sa.keyword(SAErpDocument))
	require.Equal(t, []string{StatusRunning, StatusPosted}, sa.statuses())
}

func requireSameBatch(t *testing.T, want, got *posting.SettlementBatch) {
	t.Helper()
	require.NotNil(t, got)
	w, _ := json.Marshal(want)
	g, _ := json.Marshal(got)
	require.JSONEq(t, string(w), string(g))
}

// Transactions of the batch that are not in the ERP yet: their runs are started again (by their
// workflow IDs) and the batch waits, with a growing interval, until they are; then it posts.
func TestPayTraceBatchRestartsMissingRunsAndWaits(t *testing.T) {
	rec := &calls{}
	env, children, timers := batchEnv(t, rec,
		&activities.PayTraceBatchCheck{Batch: settlement(), Missing: []int64{101, 102}, MissingCount: 2},
		&activities.PayTraceBatchCheck{Batch: settlement(), Missing: []int64{102}, MissingCount: 1},
		&activities.PayTraceBatchCheck{Batch: settlement()})
	var waiting batchStatus
	env.RegisterDelayedCallback(func() { waiting = queryBatch(t, env) }, time.Second)
	env.ExecuteWorkflow(PayTraceBatch, &PayTraceBatchInput{BatchNumber: 7})
	res := batchResult(t, env)
	require.Equal(t, StatusWaiting, waiting.Status)
	require.Equal(t, "match-transactions", waiting.Step)
	require.Equal(t, []string{"CheckPayTraceBatch", "CheckPayTraceBatch", "CheckPayTraceBatch", "PostPayTraceBatch"}, rec.names())
	require.Equal(t, []time.Duration{5 * time.Second, 10 * time.Second}, *timers)
	require.Contains(t, *children, "transaction/paytrace/101")
	require.Contains(t, *children, "transaction/paytrace/102")
	require.Equal(t, StatusPosted, res.Status)
	require.Zero(t, rec.count("Alert"))
}

// A batch whose amounts differ from what was posted parks with the difference; once the operator
// has fixed the ERP, retry checks again and posts.
func TestPayTraceBatchDifferenceParksThenRetryPosts(t *testing.T) {
	rec := &calls{}
	diff := "transaction 101 settled 89.48 but its ERP payment PAY0001 is 80.00"
	env, _, _ := batchEnv(t, rec, &activities.PayTraceBatchCheck{Batch: settlement(), Difference: diff}, &activities.PayTraceBatchCheck{Batch: settlement()})
	var parked batchStatus
	env.RegisterDelayedCallback(func() {
		parked = queryBatch(t, env)
		env.SignalWorkflow(SignalRetry, RetrySignal{})
	}, time.Hour)
	env.ExecuteWorkflow(PayTraceBatch, &PayTraceBatchInput{BatchNumber: 7})
	res := batchResult(t, env)
	require.Equal(t, StatusNeedsAttention, parked.Status)
	require.Equal(t, "match-transactions", parked.Step)
	require.Equal(t, "ValidationError: batch 7 does not match what was posted: "+diff, parked.Problem)
	require.Equal(t, 1, parked.Parked)
	require.Equal(t, []string{"CheckPayTraceBatch", "Alert", "CheckPayTraceBatch", "PostPayTraceBatch"}, rec.names())
	require.Equal(t, "match-transactions", rec.nth(t, "Alert", 0).(*activities.AlertInput).Step)
	require.Equal(t, StatusPosted, res.Status)
}

// Transactions still missing after a day: the batch asks for attention, naming them; abandon
// ends it without posting.
func TestPayTraceBatchStillMissingAfterADayParksAndAbandonPostsNothing(t *testing.T) {
	rec := &calls{}
	env, children, timers := batchEnv(t, rec, &activities.PayTraceBatchCheck{Batch: settlement(), Missing: []int64{103}, MissingCount: 1})
	var parked batchStatus
	env.RegisterDelayedCallback(func() {
		parked = queryBatch(t, env)
		env.SignalWorkflow(SignalAbandon, AbandonSignal{Reason: "deposit booked by hand"})
	}, 25*time.Hour)
	env.ExecuteWorkflow(PayTraceBatch, &PayTraceBatchInput{BatchNumber: 7})
	res := batchResult(t, env)
	require.Equal(t, StatusNeedsAttention, parked.Status)
	require.Equal(t, "ValidationError: batch 7: 1 transactions are still not in the ERP after 24h0m0s (e.g. [103]): look at their runs", parked.Problem)
	require.Equal(t, StatusAbandoned, res.Status)
	require.Zero(t, rec.count("PostPayTraceBatch"))
	require.Equal(t, 1, rec.count("Alert"))
	// The wait doubles from 5 s up to 10 min.
	require.Equal(t, []time.Duration{5 * time.Second, 10 * time.Second, 20 * time.Second, 40 * time.Second}, (*timers)[:4])
	for _, d := range *timers {
		require.LessOrEqual(t, d, 10*time.Minute)
	}
	require.Equal(t, 10*time.Minute, (*timers)[len(*timers)-1])
	require.NotEmpty(t, *children)
}

// The settlement entry itself refused (a batch that does not add up) parks at post-settlement.
func TestPayTraceBatchEntryRefusalParks(t *testing.T) {
	rec := &calls{}
	env := newEnv(t)
	env.OnActivity(a.CheckPayTraceBatch, mock.Anything, mock.Anything).Return(&activities.PayTraceBatchCheck{Batch: settlement()}, nil)
	env.OnActivity(a.PostPayTraceBatch, mock.Anything, mock.Anything).Return(nil,
		temporal.NewNonRetryableApplicationError("net 91.37 is not sales − refunds − fees", activities.ErrValidation, nil)).Once()
	env.OnActivity(a.PostPayTraceBatch, mock.Anything, mock.Anything).Return(&activities.PostJournalResult{Number: "GACC0007"}, nil).Once()
	env.OnActivity(a.Alert, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in *activities.AlertInput) (*activities.AlertResult, error) {
			rec.add("Alert", in)
			return &activities.AlertResult{}, nil
		})
	env.RegisterDelayedCallback(func() {
		st := queryBatch(t, env)
		require.Equal(t, StatusNeedsAttention, st.Status)
		require.Equal(t, "post-settlement", st.Step)
		env.SignalWorkflow(SignalRetry, RetrySignal{})
	}, time.Hour)
	env.ExecuteWorkflow(PayTraceBatch, &PayTraceBatchInput{BatchNumber: 7})
	res := batchResult(t, env)
	require.Equal(t, StatusPosted, res.Status)
	require.Equal(t, "GACC0007", res.JournalEntry)
	require.Equal(t, "post-settlement", rec.nth(t, "Alert", 0).(*activities.AlertInput).Step)
}

// --- PayTracePoll ---

func cursorAt(minute int, batch int64) activities.PayTracePollCursor {
	return activities.PayTracePollCursor{HighWater: time.Date(2026, 12, 1, 9, minute, 0, 0, time.UTC), LastBatch: batch}
}

func pollEnv(t *testing.T) *testsuite.TestWorkflowEnvironment {
	env := newEnv(t)
	env.SetStartWorkflowOptions(client.StartWorkflowOptions{TaskQueue: TaskQueue})
	return env
}

// One scheduled poll: it asks the activity to dispatch every changed transaction to its own run
// by workflow ID (transaction/paytrace/<id>, batch/paytrace/<n>, the refresh signal), passes
// after passes while there is more, and stores the last cursor on the schedule.
func TestPayTracePollThreadsTheCursorAndSavesIt(t *testing.T) {
	env := pollEnv(t)
	var ins []*activities.PollPayTraceInput
	passes := []activities.PollPayTraceResult{
		{Cursor: cursorAt(10, 6), More: true, Seen: 2000, Dispatched: 1990, Batches: 1,
			ByStatus: []activities.StatusCount{{Status: "Declined", Count: 10}, {Status: "Settled", Count: 1980}}},
		{Cursor: cursorAt(20, 7), Seen: 5, Dispatched: 5, Batches: 1,
			ByStatus: []activities.StatusCount{{Status: "Pending Settlement", Count: 3}, {Status: "Settled", Count: 2}}},
	}
	env.OnActivity(a.PollPayTrace, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in *activities.PollPayTraceInput) (*activities.PollPayTraceResult, error) {
			ins = append(ins, in)
			p := passes[len(ins)-1]
			return &p, nil
		})
	var saved []*activities.SavePollCursorInput
	env.OnActivity(a.SavePollCursor, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in *activities.SavePollCursorInput) (*activities.WriteBackResult, error) {
			saved = append(saved, in)
			return &activities.WriteBackResult{}, nil
		})
	start := cursorAt(0, 5)
	env.ExecuteWorkflow(PayTracePoll, &start)
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	var res PayTracePollResult
	require.NoError(t, env.GetWorkflowResult(&res))

	require.Len(t, ins, 2)
	want := &activities.PollPayTraceInput{Cursor: start, Overlap: 10 * time.Minute, Lookback: 7 * 24 * time.Hour, MaxTransactions: 2000,
		TransactionWorkflow: PayTraceTransactionWorkflowName, BatchWorkflow: PayTraceBatchWorkflowName,
		TransactionIDPrefix: "transaction/paytrace/", BatchIDPrefix: "batch/paytrace/", Signal: SignalRefresh, TaskQueue: TaskQueue}
	require.Equal(t, want, ins[0])
	want.Cursor = passes[0].Cursor
	require.Equal(t, want, ins[1], "the second pass resumes at the first one's cursor")
	// The prefixes the activity builds IDs from are those of the ID helpers the notification
	// extension and reconciliation use: all three reach the same run.
	require.Equal(t, PayTraceTransactionID(4242), ins[0].TransactionIDPrefix+"4242")
	require.Equal(t, PayTraceBatchID(7), ins[0].BatchIDPrefix+"7")

	require.Equal(t, []*activities.SavePollCursorInput{{ScheduleID: PayTracePollScheduleID, Cursor: cursorAt(20, 7)}}, saved)
	require.Equal(t, 2, res.Passes)
	require.Equal(t, cursorAt(20, 7), res.Cursor)
	require.Equal(t, 2005, res.Seen)
	require.Equal(t, 1995, res.Dispatched)
	require.Equal(t, 2, res.Batches)
	require.Equal(t, []activities.StatusCount{{Status: "Declined", Count: 10}, {Status: "Pending Settlement", Count: 3}, {Status: "Settled", Count: 1982}},
		res.ByStatus)
	require.False(t, res.More)
}

// The first poll of an empty schedule (nil argument) starts from an empty cursor.
func TestPayTracePollFromAnEmptyCursor(t *testing.T) {
	env := pollEnv(t)
	var got activities.PayTracePollCursor
	env.OnActivity(a.PollPayTrace, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in *activities.PollPayTraceInput) (*activities.PollPayTraceResult, error) {
			got = in.Cursor
			return &activities.PollPayTraceResult{Cursor: cursorAt(5, 0)}, nil
		})
	env.OnActivity(a.SavePollCursor, mock.Anything, &activities.SavePollCursorInput{ScheduleID: PayTracePollScheduleID, Cursor: cursorAt(5, 0)}).
		Return(&activities.WriteBackResult{}, nil).Once()
	env.ExecuteWorkflow(PayTracePoll, (*activities.PayTracePollCursor)(nil))
	require.NoError(t, env.GetWorkflowError())
	require.True(t, got.HighWater.IsZero())
	env.AssertExpectations(t)
}

// A backlog bigger than one run's passes: after payTracePollPasses the cursor is saved and the
// poll continues as new from it, so one history never grows with the backlog.
func TestPayTracePollContinuesAsNewAfterItsBound(t *testing.T) {
	env := pollEnv(t)
	n := 0
	env.OnActivity(a.PollPayTrace, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in *activities.PollPayTraceInput) (*activities.PollPayTraceResult, error) {
			n++
			require.Equal(t, cursorAt(n-1, 0), in.Cursor)
			return &activities.PollPayTraceResult{Cursor: cursorAt(n, 0), More: true, Seen: 2000, Dispatched: 2000}, nil
		})
	env.OnActivity(a.SavePollCursor, mock.Anything, &activities.SavePollCursorInput{ScheduleID: PayTracePollScheduleID, Cursor: cursorAt(payTracePollPasses, 0)}).
		Return(&activities.WriteBackResult{}, nil).Once()
	start := cursorAt(0, 0)
	env.ExecuteWorkflow(PayTracePoll, &start)
	require.True(t, env.IsWorkflowCompleted())
	require.Equal(t, payTracePollPasses, n)
	var can *workflow.ContinueAsNewError
	require.True(t, errors.As(env.GetWorkflowError(), &can), "got %v", env.GetWorkflowError())
	require.Equal(t, PayTracePollWorkflowName, can.WorkflowType.Name)
	var next activities.PayTracePollCursor
	require.NoError(t, converter.GetDefaultDataConverter().FromPayloads(can.Input, &next))
	require.Equal(t, cursorAt(payTracePollPasses, 0), next)
	env.AssertExpectations(t)
}

// A poll that fails (PayTrace refuses the credentials) saves no cursor: the next scheduled poll
// starts where this one did, so nothing is skipped.
func TestPayTracePollFailureKeepsTheOldCursor(t *testing.T) {
	env := pollEnv(t)
	env.OnActivity(a.PollPayTrace, mock.Anything, mock.Anything).Return(nil,
		temporal.NewNonRetryableApplicationError("export transactions: credentials rejected by PayTrace", activities.ErrPayTraceAuth, nil))
	env.OnActivity(a.SavePollCursor, mock.Anything, mock.Anything).Return(&activities.WriteBackResult{}, nil).Never()
	start := cursorAt(0, 0)
	env.ExecuteWorkflow(PayTracePoll, &start)
	require.Error(t, env.GetWorkflowError())
	require.Contains(t, env.GetWorkflowError().Error(), "credentials rejected")
	env.AssertNotCalled(t, "SavePollCursor", mock.Anything, mock.Anything)
}

// fakePayTrace serves the export endpoints the poll reads; other methods are not used.
type fakePayTrace struct {
	paytrace.API
	txs     []paytrace.Transaction
	batches []paytrace.Batch
}

func (f *fakePayTrace) ExportTransactions(_ context.Context, q paytrace.ExportQuery) ([]paytrace.Transaction, bool, error) {
	var page []paytrace.Transaction
	for _, tx := range f.txs {
		if tx.ID > q.AfterTransactionID {
			page = append(page, tx)
		}
	}
	return page, false, nil
}

func (f *fakePayTrace) Batches(context.Context, time.Time, time.Time) ([]paytrace.Batch, error) {
	return f.batches, nil
}

// fakeStarter records the signal-with-starts the poll sends.
type fakeStarter struct {
	mu   sync.Mutex
	sent []started
}

type started struct {
	id, signal, workflow, taskQueue string
	input                           any
}

func (s *fakeStarter) SignalWithStartWorkflow(_ context.Context, id, signal string, _ interface{}, opts client.StartWorkflowOptions,
	wf interface{}, args ...interface{}) (client.WorkflowRun, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	name, _ := wf.(string)
	s.sent = append(s.sent, started{id: id, signal: signal, workflow: name, taskQueue: opts.TaskQueue, input: args[0]})
	return nil, nil
}

// Through the real PollPayTrace activity: each changed transaction reaches its run by
// PayTraceTransactionID with an input PayTraceTransaction decodes, each new batch its
// PayTraceBatch run; transactions older than the overlap and batches already seen are not sent.
func TestPayTracePollDispatchesEachTransactionToItsRunByWorkflowID(t *testing.T) {
	now := time.Now().UTC()
	pt := &fakePayTrace{
		txs: []paytrace.Transaction{
			{ID: 101, Status: paytrace.StatusPendingSettlement, Updated: now.Add(-2 * time.Minute)},
			{ID: 102, Status: paytrace.StatusDeclined, Updated: now.Add(-time.Minute)},
			{ID: 103, Status: paytrace.StatusSettled, Updated: now.Add(-3 * time.Hour)}, // before cursor − overlap
		},
		batches: []paytrace.Batch{{Number: "7"}, {Number: "6"}, {Number: "5"}},
	}
	st := &fakeStarter{}
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.SetStartWorkflowOptions(client.StartWorkflowOptions{TaskQueue: TaskQueue})
	env.RegisterActivity(&activities.Activities{PayTrace: pt, Starter: st})
	var saved activities.PayTracePollCursor
	env.OnActivity(a.SavePollCursor, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in *activities.SavePollCursorInput) (*activities.WriteBackResult, error) {
			saved = in.Cursor
			return &activities.WriteBackResult{}, nil
		})
	start := activities.PayTracePollCursor{HighWater: now.Add(-time.Hour), LastBatch: 5}
	env.ExecuteWorkflow(PayTracePoll, &start)
	require.NoError(t, env.GetWorkflowError())

	require.Len(t, st.sent, 4, "%+v", st.sent)
	for i, id := range []int64{101, 102} {
		d := st.sent[i]
		require.Equal(t, PayTraceTransactionID(id), d.id)
		require.Equal(t, PayTraceTransactionWorkflowName, d.workflow)
		require.Equal(t, SignalRefresh, d.signal)
		require.Equal(t, TaskQueue, d.taskQueue)
		b, err := json.Marshal(d.input)
		require.NoError(t, err)
		var in PayTraceTransactionInput
		require.NoError(t, json.Unmarshal(b, &in))
		require.Equal(t, PayTraceTransactionInput{TransactionID: id, Source: "poll"}, in)
	}
	for i, n := range []int64{6, 7} {
		d := st.sent[2+i]
		require.Equal(t, PayTraceBatchID(n), d.id)
		require.Equal(t, PayTraceBatchWorkflowName, d.workflow)
		b, _ := json.Marshal(d.input)
		var in PayTraceBatchInput
		require.NoError(t, json.Unmarshal(b, &in))
		require.Equal(t, n, in.BatchNumber)
	}
	require.Equal(t, int64(7), saved.LastBatch)
	require.True(t, saved.HighWater.Equal(pt.txs[1].Updated), "the cursor moves to the latest change: %v", saved.HighWater)
}
