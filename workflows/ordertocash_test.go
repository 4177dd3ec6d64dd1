package workflows

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/ledgerbridge/ledgerbridge/activities"
)

func charge() *activities.ChargeSummary {
	return &activities.ChargeSummary{ID: "ch_1", AmountMinor: 4200, Amount: decimal.RequireFromString("42.00"),
		Currency: "USD", Status: "succeeded", Paid: true,
		Customer: activities.ChargeParty{StripeID: "cus_1", Email: "ada@example.com"}}
}

func newEnv(t *testing.T) *testsuite.TestWorkflowEnvironment {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.RegisterActivity(&activities.Activities{})
	return env
}

// happyActivities mocks every activity to succeed, except those named in skip.
func happyActivities(env *testsuite.TestWorkflowEnvironment, skip ...string) {
	skipped := func(name string) bool {
		for _, s := range skip {
			if s == name {
				return true
			}
		}
		return false
	}
	if !skipped("FetchCharge") {
		env.OnActivity(a.FetchCharge, mock.Anything, mock.Anything).Return(charge(), nil)
	}
	env.OnActivity(a.ResolveCustomer, mock.Anything, mock.Anything).Return(&activities.ResolveCustomerResult{CustomerID: "C000001", How: "created"}, nil)
	env.OnActivity(a.PostSalesOrder, mock.Anything, mock.Anything).Return(&activities.PostDocumentResult{Skipped: true}, nil)
	if !skipped("PostInvoice") {
		env.OnActivity(a.PostInvoice, mock.Anything, mock.Anything).Return(&activities.PostDocumentResult{Number: "INV-000001", Total: decimal.RequireFromString("42")}, nil)
	}
	if !skipped("ApplyPayment") {
		env.OnActivity(a.ApplyPayment, mock.Anything, mock.Anything).Return(&activities.ApplyPaymentResult{PaymentID: "PMT-000001"}, nil)
	}
	if !skipped("WriteBack") {
		env.OnActivity(a.WriteBack, mock.Anything, mock.Anything).Return(&activities.WriteBackResult{}, nil)
	}
	env.OnActivity(a.Alert, mock.Anything, mock.Anything).Return(&activities.AlertResult{}, nil)
}

func queryStatus(t *testing.T, env *testsuite.TestWorkflowEnvironment) OrderToCashStatus {
	v, err := env.QueryWorkflow(QueryStatus)
	require.NoError(t, err)
	var st OrderToCashStatus
	require.NoError(t, v.Get(&st))
	return st
}

func TestOrderToCashPostsInvoiceAndPayment(t *testing.T) {
	env := newEnv(t)
	happyActivities(env)
	env.ExecuteWorkflow(OrderToCash, &OrderToCashInput{ChargeID: "ch_1"})
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	var res OrderToCashResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, StatusPosted, res.Status)
	require.Equal(t, "C000001", res.CustomerID)
	require.Equal(t, "INV-000001", res.InvoiceNumber)
	require.Equal(t, "PMT-000001", res.PaymentID)
	require.Equal(t, "42", res.Amount)
	env.AssertNotCalled(t, "Alert", mock.Anything, mock.Anything)
}

func TestOrderToCashSkipsAChargeThatDidNotSucceed(t *testing.T) {
	env := newEnv(t)
	failed := charge()
	failed.Status, failed.Paid = "failed", false
	env.OnActivity(a.FetchCharge, mock.Anything, mock.Anything).Return(failed, nil)
	env.ExecuteWorkflow(OrderToCash, &OrderToCashInput{ChargeID: "ch_1"})
	var res OrderToCashResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, "Skipped", res.Status)
	require.Empty(t, res.InvoiceNumber)
}

func TestValidationErrorParksAndRetryWithCorrectionCompletes(t *testing.T) {
	env := newEnv(t)
	happyActivities(env, "PostInvoice")
	env.OnActivity(a.PostInvoice, mock.Anything, mock.MatchedBy(func(in *activities.PostDocumentInput) bool {
		return in.Corrections.ItemID == ""
	})).Return(nil, temporal.NewNonRetryableApplicationError(`ItemID "NOPE" does not exist`, activities.ErrValidation, nil)).Once()
	env.OnActivity(a.PostInvoice, mock.Anything, mock.MatchedBy(func(in *activities.PostDocumentInput) bool {
		return in.Corrections.ItemID == "WIDGET"
	})).Return(&activities.PostDocumentResult{Number: "INV-000009"}, nil).Once()

	env.RegisterDelayedCallback(func() {
		st := queryStatus(t, env)
		require.Equal(t, StatusNeedsAttention, st.Status)
		require.Equal(t, "post-invoice", st.Step)
		require.Contains(t, st.Problem, `ItemID "NOPE" does not exist`)
		env.SignalWorkflow(SignalRetry, RetrySignal{Corrections: activities.Corrections{ItemID: "WIDGET"}})
	}, time.Hour)
	env.ExecuteWorkflow(OrderToCash, &OrderToCashInput{ChargeID: "ch_1"})
	var res OrderToCashResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, StatusPosted, res.Status)
	require.Equal(t, "INV-000009", res.InvoiceNumber)
	env.AssertNumberOfCalls(t, "Alert", 1)
}

func TestAbandonVoidsWhatTheRunPosted(t *testing.T) {
	env := newEnv(t)
	happyActivities(env, "WriteBack")
	env.OnActivity(a.WriteBack, mock.Anything, mock.Anything).Return(nil,
		temporal.NewNonRetryableApplicationError("metadata: too many keys", activities.ErrStripe, nil))
	var compensated *activities.CompensateInput
	env.OnActivity(a.Compensate, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in *activities.CompensateInput) (*activities.CompensateResult, error) {
			compensated = in
			return &activities.CompensateResult{Voided: []string{"payment PMT-000001", "invoice INV-000001"}}, nil
		})
	env.RegisterDelayedCallback(func() {
		require.Equal(t, StatusNeedsAttention, queryStatus(t, env).Status)
		env.SignalWorkflow(SignalAbandon, AbandonSignal{Reason: "booked by hand"})
	}, time.Hour)
	env.ExecuteWorkflow(OrderToCash, &OrderToCashInput{ChargeID: "ch_1"})
	var res OrderToCashResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, StatusAbandoned, res.Status)
	require.Equal(t, &activities.CompensateInput{PaymentID: "PMT-000001", InvoiceNumber: "INV-000001"}, compensated)
	require.Len(t, res.Voided, 2)
}

func TestCancelWhileParkedCompensates(t *testing.T) {
	env := newEnv(t)
	happyActivities(env, "ApplyPayment")
	env.OnActivity(a.ApplyPayment, mock.Anything, mock.Anything).Return(nil,
		temporal.NewNonRetryableApplicationError("Amount exceeds invoice balance", activities.ErrValidation, nil))
	env.OnActivity(a.Compensate, mock.Anything, mock.Anything).Return(&activities.CompensateResult{Voided: []string{"invoice INV-000001"}}, nil).Once()
	env.RegisterDelayedCallback(env.CancelWorkflow, time.Hour)
	env.ExecuteWorkflow(OrderToCash, &OrderToCashInput{ChargeID: "ch_1"})
	require.Error(t, env.GetWorkflowError())
	var canceled *temporal.CanceledError
	require.True(t, errors.As(env.GetWorkflowError(), &canceled), "got %v", env.GetWorkflowError())
	env.AssertNumberOfCalls(t, "Compensate", 1)
}

func TestTransientErrorsAreRetriedNotParked(t *testing.T) {
	env := newEnv(t)
	happyActivities(env, "PostInvoice")
	env.OnActivity(a.PostInvoice, mock.Anything, mock.Anything).Return(nil,
		temporal.NewApplicationError("HTTP 503", activities.ErrERPUnavailable)).Times(3)
	env.OnActivity(a.PostInvoice, mock.Anything, mock.Anything).Return(&activities.PostDocumentResult{Number: "INV-000001"}, nil).Once()
	env.ExecuteWorkflow(OrderToCash, &OrderToCashInput{ChargeID: "ch_1"})
	var res OrderToCashResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, StatusPosted, res.Status)
	env.AssertNumberOfCalls(t, "PostInvoice", 4)
	env.AssertNotCalled(t, "Alert", mock.Anything, mock.Anything)
}

func TestAuthorisedChargeWaitsForCaptureThenPosts(t *testing.T) {
	env := newEnv(t)
	auth := charge()
	auth.Uncaptured = true
	happyActivities(env, "FetchCharge")
	env.OnActivity(a.FetchCharge, mock.Anything, mock.Anything).Return(auth, nil).Twice()
	env.OnActivity(a.FetchCharge, mock.Anything, mock.Anything).Return(charge(), nil).Once()
	var waited bool
	env.RegisterDelayedCallback(func() { waited = queryStatus(t, env).Status == StatusWaitingCapture }, 30*time.Second)
	env.ExecuteWorkflow(OrderToCash, &OrderToCashInput{ChargeID: "ch_1"})
	var res OrderToCashResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.True(t, waited)
	require.Equal(t, StatusPosted, res.Status)
}
