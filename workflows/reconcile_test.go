package workflows

import (
	"context"
	"errors"
	"strconv"
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
	"github.com/ledgerbridge/ledgerbridge/internal/report"
)

var (
	reconcileFrom = time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)
	reconcileTo   = time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	reconcileNow  = time.Date(2026, 12, 1, 6, 30, 15, 250_000_000, time.UTC) // a schedule fires between seconds
)

func usd(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// reconcilePages are three pages of a Stripe reconciliation: charges, refunds, payouts.
func reconcilePages() []*activities.ReconcilePageResult {
	return []*activities.ReconcilePageResult{
		{Cursor: "charge:ch_2", Objects: 2,
			Classes: []report.ClassCount{{Class: report.ClassPosted, Count: 2}},
			Totals:  []report.CurrencyTotals{{Currency: "USD", Provider: usd("150"), ERP: usd("150"), Count: 2}},
			Daily:   []report.Day{{Day: "2026-11-29", Currency: "USD", Provider: usd("150"), Posted: usd("150")}}},
		{Cursor: "payout:", Objects: 2, Healed: 1,
			Classes: []report.ClassCount{{Class: report.ClassHealed, Count: 1}, {Class: report.ClassPosted, Count: 1}},
			Totals:  []report.CurrencyTotals{{Currency: "USD", Provider: usd("25"), ERP: usd("10"), Count: 2}, {Currency: "JPY", Provider: usd("1000"), ERP: usd("1000"), Count: 1}},
			Items:   []report.Item{{Class: report.ClassHealed, Object: "re_2", Kind: "refund", Currency: "USD", Amount: usd("15"), Reason: "its webhook never arrived"}},
			Daily:   []report.Day{{Day: "2026-11-29", Currency: "USD", Provider: usd("25"), Posted: usd("10")}}},
		{Done: true, Objects: 1,
			Classes: []report.ClassCount{{Class: report.ClassPosted, Count: 1}},
			Payouts: []report.Payout{{ID: "po_1", Currency: "USD", Amount: usd("140"), Posted: usd("140"), Status: "tied"}}},
	}
}

// reconcileMocks answers ReconcilePage with pages in turn (the last one repeats) and records
// every page input, the report input and the alerts.
type reconcileMocks struct {
	pages   []*activities.ReconcilePageInput
	reports []*activities.WriteReportInput
	alerts  []*activities.AlertInput
}

func mockReconcile(env *testsuite.TestWorkflowEnvironment, pages []*activities.ReconcilePageResult) *reconcileMocks {
	m := &reconcileMocks{}
	env.OnActivity(a.ReconcilePage, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in *activities.ReconcilePageInput) (*activities.ReconcilePageResult, error) {
			m.pages = append(m.pages, in)
			return pages[min(len(m.pages)-1, len(pages)-1)], nil
		})
	env.OnActivity(a.WriteReport, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in *activities.WriteReportInput) (*activities.WriteReportResult, error) {
			m.reports = append(m.reports, in)
			return &activities.WriteReportResult{ReportID: "stripe-20261129T000000Z-20261130T000000Z-default-", Path: "/reports/x.html"}, nil
		})
	env.OnActivity(a.Alert, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in *activities.AlertInput) (*activities.AlertResult, error) {
			m.alerts = append(m.alerts, in)
			return &activities.AlertResult{}, nil
		})
	return m
}

func reconcileEnv(t *testing.T) *testsuite.TestWorkflowEnvironment {
	env := newEnv(t)
	env.SetStartTime(reconcileNow)
	env.SetStartWorkflowOptions(client.StartWorkflowOptions{TaskQueue: TaskQueue})
	RegisterReconcile(env)
	return env
}

func reconcileResult(t *testing.T, env *testsuite.TestWorkflowEnvironment) ReconcileResult {
	t.Helper()
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	var res ReconcileResult
	require.NoError(t, env.GetWorkflowResult(&res))
	return res
}

// A reconciliation pages through the provider with the cursor each page returns, asks every page
// to heal at the bounded rate through the normal workflows, merges the pages' tallies and writes
// one report of the whole window.
func TestReconcilePagesMergesTalliesAndWritesTheReport(t *testing.T) {
	env := reconcileEnv(t)
	m := mockReconcile(env, reconcilePages())
	sa := recordUpserts(env)
	env.ExecuteWorkflow(Reconcile, &ReconcileInput{Provider: "stripe", From: reconcileFrom, To: reconcileTo, Heal: true})
	res := reconcileResult(t, env)

	require.Len(t, m.pages, 3)
	want := &activities.ReconcilePageInput{Provider: "stripe", From: reconcileFrom, To: reconcileTo, PageSize: 100, Heal: true, HealRate: 10,
		TaskQueue: TaskQueue, Runs: activities.RunNames{OrderToCash: OrderToCashWorkflowName, Refund: RefundWorkflowName, Payout: PayoutWorkflowName,
			PayTrace: PayTraceTransactionWorkflowName, PayTraceBatch: PayTraceBatchWorkflowName, Signal: SignalRefresh}}
	for i, cursor := range []string{"", "charge:ch_2", "payout:"} {
		want.Cursor = cursor
		require.Equal(t, want, m.pages[i], "page %d", i)
	}

	require.Len(t, m.reports, 1)
	rep := m.reports[0]
	require.Equal(t, "stripe", rep.Provider)
	require.Equal(t, reconcileFrom, rep.From)
	require.Equal(t, reconcileTo, rep.To)
	tally := rep.Tally
	require.Equal(t, 5, tally.Objects)
	require.Equal(t, 1, tally.Healed)
	require.Equal(t, []report.ClassCount{{Class: report.ClassPosted, Count: 4}, {Class: report.ClassHealed, Count: 1}}, tally.Classes)
	require.Len(t, tally.Totals, 2)
	require.Equal(t, "USD", tally.Totals[0].Currency)
	require.True(t, tally.Totals[0].Provider.Equal(usd("175")) && tally.Totals[0].ERP.Equal(usd("160")), "%+v", tally.Totals[0])
	require.Equal(t, 4, tally.Totals[0].Count)
	require.Equal(t, "JPY", tally.Totals[1].Currency)
	require.Len(t, tally.Daily, 1)
	require.True(t, tally.Daily[0].Provider.Equal(usd("175")) && tally.Daily[0].Posted.Equal(usd("160")))
	require.Len(t, tally.Items, 1)
	require.Equal(t, "re_2", tally.Items[0].Object)
	require.Len(t, tally.Payouts, 1)

	require.Equal(t, ReconcileResult{ReportID: "stripe-20261129T000000Z-20261130T000000Z-default-", Provider: "stripe", From: reconcileFrom, To: reconcileTo,
		Objects: 5, Classes: map[string]int{report.ClassPosted: 4, report.ClassHealed: 1}, Healed: 1}, res)
	require.Empty(t, m.alerts, "healed and posted objects are no discrepancy")
	require.Equal(t, []string{StatusRunning, StatusPosted}, sa.statuses())
	require.Equal(t, "stripe", sa.keyword(SAProvider))
}

// The window: a scheduled run reconciles the Lookback (48 hours by default) until now, to the
// second; an explicit window is kept as asked. A backfill always heals, at half the rate.
func TestReconcileWindowAndHealing(t *testing.T) {
	now := reconcileNow.Truncate(time.Second)
	for _, tc := range []struct {
		name     string
		in       ReconcileInput
		from, to time.Time
		heal     bool
		rate     float64
	}{
		{"scheduled default", ReconcileInput{Provider: "stripe", Heal: true}, now.Add(-48 * time.Hour), now, true, 10},
		{"scheduled lookback", ReconcileInput{Provider: "paytrace", Lookback: 6 * time.Hour, Heal: true}, now.Add(-6 * time.Hour), now, true, 10},
		{"explicit window without healing", ReconcileInput{Provider: "stripe", From: reconcileFrom, To: reconcileTo}, reconcileFrom, reconcileTo, false, 10},
		{"backfill", ReconcileInput{Provider: "stripe", From: reconcileFrom, To: reconcileTo, Backfill: true}, reconcileFrom, reconcileTo, true, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := reconcileEnv(t)
			m := mockReconcile(env, []*activities.ReconcilePageResult{{Done: true}})
			in := tc.in
			env.ExecuteWorkflow(Reconcile, &in)
			res := reconcileResult(t, env)
			require.Len(t, m.pages, 1)
			p := m.pages[0]
			require.Equal(t, tc.in.Provider, p.Provider)
			require.True(t, p.From.Equal(tc.from), "from %v, want %v", p.From, tc.from)
			require.True(t, p.To.Equal(tc.to), "to %v, want %v", p.To, tc.to)
			require.Equal(t, tc.heal, p.Heal)
			require.Equal(t, tc.rate, p.HealRate)
			require.True(t, m.reports[0].From.Equal(tc.from) && m.reports[0].To.Equal(tc.to))
			require.True(t, res.From.Equal(tc.from) && res.To.Equal(tc.to))
		})
	}
}

// Discrepancies (missing without healing, mismatches, duplicates, parked runs, in flight) are
// reported, alerted once with the report's ID, and flag the run NeedsAttention.
func TestReconcileAlertsOnDiscrepancies(t *testing.T) {
	env := reconcileEnv(t)
	m := mockReconcile(env, []*activities.ReconcilePageResult{{Done: true, Objects: 4,
		Classes: []report.ClassCount{{Class: report.ClassPosted, Count: 1}, {Class: report.ClassMismatch, Count: 1}, {Class: report.ClassParked, Count: 1},
			{Class: report.ClassNotPosting, Count: 1}},
		Items: []report.Item{{Class: report.ClassMismatch, Object: "ch_9"}, {Class: report.ClassParked, Object: "ch_8"}}}})
	var needsAttention []bool
	env.OnUpsertTypedSearchAttributes(mock.Anything).Run(func(args mock.Arguments) {
		if v, ok := args.Get(0).(temporal.SearchAttributes).GetBool(SANeedsAttention); ok {
			needsAttention = append(needsAttention, v)
		}
	}).Return(nil).Maybe()
	env.ExecuteWorkflow(Reconcile, &ReconcileInput{Provider: "stripe", From: reconcileFrom, To: reconcileTo})
	res := reconcileResult(t, env)
	require.Equal(t, 2, res.Discrepancies)
	require.Equal(t, []*activities.AlertInput{{WorkflowID: "default-test-workflow-id", Step: "reconcile stripe",
		Problem: "ReconciliationDiscrepancies: report " + res.ReportID}}, m.alerts)
	require.Equal(t, []bool{true}, needsAttention)
}

// Every reconcilePagesPerRun pages the run continues as new, carrying the cursor, the tally and
// the window it resolved (a scheduled window must not move with the clock); the continued run
// (its own registered type) goes on from there and reports the whole window.
func TestReconcileContinuesAsNewWithTheTallyCarried(t *testing.T) {
	env := reconcileEnv(t)
	n := 0
	env.OnActivity(a.ReconcilePage, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in *activities.ReconcilePageInput) (*activities.ReconcilePageResult, error) {
			require.Equal(t, cursorN(n), in.Cursor)
			n++
			return &activities.ReconcilePageResult{Cursor: cursorN(n), Objects: 100, Healed: 1,
				Classes: []report.ClassCount{{Class: report.ClassPosted, Count: 99}, {Class: report.ClassHealed, Count: 1}},
				Totals:  []report.CurrencyTotals{{Currency: "USD", Provider: usd("1000"), ERP: usd("990"), Count: 100}}}, nil
		})
	env.OnActivity(a.WriteReport, mock.Anything, mock.Anything).Return(nil, errors.New("not yet")).Never()
	env.ExecuteWorkflow(Reconcile, &ReconcileInput{Provider: "stripe", Lookback: 24 * time.Hour, Heal: true})
	require.True(t, env.IsWorkflowCompleted())
	require.Equal(t, reconcilePagesPerRun, n)
	var can *workflow.ContinueAsNewError
	require.True(t, errors.As(env.GetWorkflowError(), &can), "got %v", env.GetWorkflowError())
	require.Equal(t, reconcileContinuedName, can.WorkflowType.Name)
	var st reconcileState
	require.NoError(t, converter.GetDefaultDataConverter().FromPayloads(can.Input, &st))
	to := reconcileNow.Truncate(time.Second)
	require.True(t, st.Input.To.Equal(to) && st.Input.From.Equal(to.Add(-24*time.Hour)), "window %v – %v", st.Input.From, st.Input.To)
	require.Equal(t, "stripe", st.Input.Provider)
	require.True(t, st.Input.Heal)
	require.Equal(t, cursorN(reconcilePagesPerRun), st.Cursor)
	require.Equal(t, reconcilePagesPerRun, st.Pages)
	require.Equal(t, 100*reconcilePagesPerRun, st.Tally.Objects)
	require.Equal(t, reconcilePagesPerRun, st.Tally.Healed)
	require.Equal(t, []report.ClassCount{{Class: report.ClassPosted, Count: 99 * reconcilePagesPerRun}, {Class: report.ClassHealed, Count: reconcilePagesPerRun}},
		st.Tally.Classes)
	require.True(t, st.Tally.Totals[0].Provider.Equal(usd("40000")))

	// The continued run, a day later: same window, from the carried cursor, tally added to.
	env2 := newEnv(t)
	env2.SetStartTime(reconcileNow.Add(24 * time.Hour))
	RegisterReconcile(env2)
	m := mockReconcile(env2, []*activities.ReconcilePageResult{{Done: true, Objects: 3, Classes: []report.ClassCount{{Class: report.ClassPosted, Count: 3}}}})
	var progress ReconcileProgress
	env2.ExecuteWorkflow(reconcileContinuedName, &st)
	res := reconcileResult(t, env2)
	require.Len(t, m.pages, 1)
	require.Equal(t, cursorN(reconcilePagesPerRun), m.pages[0].Cursor)
	require.True(t, m.pages[0].From.Equal(to.Add(-24*time.Hour)) && m.pages[0].To.Equal(to), "the window moved: %v – %v", m.pages[0].From, m.pages[0].To)
	require.Equal(t, 100*reconcilePagesPerRun+3, m.reports[0].Tally.Objects)
	require.Equal(t, 100*reconcilePagesPerRun+3, res.Objects)
	require.Equal(t, reconcilePagesPerRun, res.Healed)
	require.Equal(t, map[string]int{report.ClassPosted: 99*reconcilePagesPerRun + 3, report.ClassHealed: reconcilePagesPerRun}, res.Classes)
	v, err := env2.QueryWorkflow(QueryProgress)
	require.NoError(t, err)
	require.NoError(t, v.Get(&progress))
	require.Equal(t, ReconcileProgress{Phase: "done", Done: res.Objects, Total: res.Objects, Healed: res.Healed}, progress)
}

func cursorN(n int) string {
	if n == 0 {
		return ""
	}
	return "charge:ch_" + strconv.Itoa(n)
}

// The progress query (the CLI's progress bar): listing before the first page, then the objects
// done so far and where the cursor is, then done with the total.
func TestReconcileProgressQuery(t *testing.T) {
	env := reconcileEnv(t)
	pages := reconcilePages()
	n := 0
	env.OnActivity(a.ReconcilePage, mock.Anything, mock.Anything).Return(
		func(_ context.Context, _ *activities.ReconcilePageInput) (*activities.ReconcilePageResult, error) {
			n++
			return pages[n-1], nil
		}).After(time.Minute)
	env.OnActivity(a.WriteReport, mock.Anything, mock.Anything).Return(&activities.WriteReportResult{ReportID: "r1"}, nil)
	var seen []ReconcileProgress
	for _, at := range []time.Duration{30 * time.Second, 90 * time.Second, 150 * time.Second} {
		env.RegisterDelayedCallback(func() {
			v, err := env.QueryWorkflow(QueryProgress)
			require.NoError(t, err)
			var p ReconcileProgress
			require.NoError(t, v.Get(&p))
			seen = append(seen, p)
		}, at)
	}
	env.ExecuteWorkflow(Reconcile, &ReconcileInput{Provider: "stripe", From: reconcileFrom, To: reconcileTo, Heal: true})
	res := reconcileResult(t, env)
	require.Equal(t, []ReconcileProgress{
		{Phase: "listing"},
		{Phase: "classifying", Done: 2, Message: "charge:ch_2"},
		{Phase: "classifying", Done: 4, Healed: 1, Message: "payout:"},
	}, seen)
	v, err := env.QueryWorkflow(QueryProgress)
	require.NoError(t, err)
	var done ReconcileProgress
	require.NoError(t, v.Get(&done))
	require.Equal(t, ReconcileProgress{Phase: "done", Done: 5, Total: 5, Healed: 1}, done)
	require.Equal(t, 5, res.Objects)
}

// A page the provider refuses (a provider this installation does not take) fails the run
// without a report: a half-read window is never reported as reconciled.
func TestReconcileRefusedPageFailsWithoutAReport(t *testing.T) {
	env := reconcileEnv(t)
	env.OnActivity(a.ReconcilePage, mock.Anything, mock.Anything).Return(nil,
		temporal.NewNonRetryableApplicationError(`cannot reconcile provider "adyen" (want stripe or paytrace)`, activities.ErrValidation, nil))
	env.OnActivity(a.WriteReport, mock.Anything, mock.Anything).Return(&activities.WriteReportResult{}, nil).Never()
	env.ExecuteWorkflow(Reconcile, &ReconcileInput{Provider: "adyen"})
	require.True(t, env.IsWorkflowCompleted())
	require.ErrorContains(t, env.GetWorkflowError(), "cannot reconcile provider")
	env.AssertNotCalled(t, "WriteReport", mock.Anything, mock.Anything)
}
