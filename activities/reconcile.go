package activities

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stripe/stripe-go/v76"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"golang.org/x/time/rate"

	"github.com/ledgerbridge/ledgerbridge/internal/erp"
	"github.com/ledgerbridge/ledgerbridge/internal/money"
	"github.com/ledgerbridge/ledgerbridge/internal/paytrace"
	"github.com/ledgerbridge/ledgerbridge/internal/report"
)

// Reconciliation (issue 10): for a provider and a window, list the provider's objects, look each
// up in the ERP by external reference and in Temporal by its workflow ID, and classify it:
// posted, missing, mismatch, duplicate, parked, in flight or correctly not posted. What is
// missing with no run (or a run that ended without posting it) is healed by starting its run by
// the same workflow ID as the webhook path, so healing can never post twice. Nothing in the ERP
// is ever changed by reconciliation itself.

// RunInspector is what reconciliation needs of Temporal: a run's state, and starting one.
type RunInspector interface {
	DescribeWorkflow(ctx context.Context, workflowID, runID string) (*client.WorkflowExecutionDescription, error)
	ExecuteWorkflow(ctx context.Context, options client.StartWorkflowOptions, workflow interface{}, args ...interface{}) (client.WorkflowRun, error)
	SignalWithStartWorkflow(ctx context.Context, workflowID string, signalName string, signalArg interface{},
		options client.StartWorkflowOptions, workflow interface{}, workflowArgs ...interface{}) (client.WorkflowRun, error)
}

// Run is how a reconciled object's workflow is found and (re)started: the same ID and input the
// webhook path uses.
type Run struct {
	WorkflowID string `json:"workflowId"`
	Workflow   string `json:"workflow"`
	// Input is the workflow's input (JSON-compatible).
	Input any `json:"input"`
	// Refresh starts it by signal-with-start (objects whose state changes).
	Refresh bool `json:"refresh,omitempty"`
}

// ReconcilePageInput is one page of one reconciliation.
type ReconcilePageInput struct {
	Provider string    `json:"provider"`
	From     time.Time `json:"from"`
	To       time.Time `json:"to"`
	// Cursor is "<phase>:<last ID>" ("" starts with the first phase).
	Cursor   string `json:"cursor"`
	PageSize int    `json:"pageSize"`
	Heal     bool   `json:"heal"`
	// HealRate bounds how many runs per second healing starts (0: 10/s), so a backfill never
	// starves live traffic.
	HealRate  float64 `json:"healRate,omitempty"`
	TaskQueue string  `json:"taskQueue"`
	// Runs names the workflow of each kind of object (the workflows package owns the names).
	Runs RunNames `json:"runs"`
}

// RunNames are the workflow names and ID prefixes healing starts.
type RunNames struct {
	OrderToCash, Refund, Payout, PayTrace, PayTraceBatch string
	Signal                                               string
}

// ReconcilePageResult is what one page found.
type ReconcilePageResult struct {
	Cursor  string                  `json:"cursor"`
	Done    bool                    `json:"done"`
	Objects int                     `json:"objects"`
	Healed  int                     `json:"healed"`
	Totals  []report.CurrencyTotals `json:"totals,omitempty"`
	Classes []report.ClassCount     `json:"classes,omitempty"`
	Items   []report.Item           `json:"items,omitempty"`
	Daily   []report.Day            `json:"daily,omitempty"`
	Payouts []report.Payout         `json:"payouts,omitempty"`
	// Anomalies are the page's anomaly flags; Hours and Kinds feed the window's rules.
	Anomalies []report.Anomaly `json:"anomalies,omitempty"`
	Hours     []HourCount      `json:"hours,omitempty"`
	Kinds     []KindTotal      `json:"kinds,omitempty"`
}

// phases of each provider, in order.
// The orphan phase lists the ERP's invoices of the window and looks for their provider objects.
var reconcilePhases = map[string][]string{"stripe": {"charge", "refund", "payout", "orphan"}, "paytrace": {"transaction", "batch", "orphan"}}

// ReconcilePage reconciles one page of provider objects and says where the next page starts.
func (a *Activities) ReconcilePage(ctx context.Context, in *ReconcilePageInput) (*ReconcilePageResult, error) {
	phases, ok := reconcilePhases[in.Provider]
	if !ok {
		return nil, validation(fmt.Sprintf("cannot reconcile provider %q (want stripe or paytrace)", in.Provider))
	}
	if in.PageSize <= 0 || in.PageSize > 100 {
		in.PageSize = 100
	}
	phase, after, _ := strings.Cut(in.Cursor, ":")
	if phase == "" {
		phase = phases[0]
	}
	idx := -1
	for i, p := range phases {
		if p == phase {
			idx = i
		}
	}
	if idx < 0 {
		return nil, validation("bad reconciliation cursor " + in.Cursor)
	}
	rc := &reconciler{a: a, in: in, res: &ReconcilePageResult{}}
	if in.HealRate <= 0 {
		in.HealRate = 10
	}
	rc.limit = rate.NewLimiter(rate.Limit(in.HealRate), 1)
	var (
		last string
		more bool
		err  error
	)
	switch {
	case phase == "orphan":
		last, more, err = rc.orphanPage(ctx, after)
	case in.Provider == "stripe":
		last, more, err = rc.stripePage(ctx, phase, after)
	default:
		last, more, err = rc.payTracePage(ctx, phase, after)
	}
	if err != nil {
		return nil, err
	}
	switch {
	case more:
		rc.res.Cursor = phase + ":" + last
	case idx+1 < len(phases):
		rc.res.Cursor = phases[idx+1] + ":"
	default:
		rc.res.Done = true
	}
	return rc.res, nil
}

// reconciler classifies the objects of one page.
type reconciler struct {
	a     *Activities
	in    *ReconcilePageInput
	res   *ReconcilePageResult
	limit *rate.Limiter
}

// object is one provider object to classify.
type object struct {
	kind, id, currency string
	amount             decimal.Decimal
	created            time.Time
	// posts says whether the object should be in the ERP at all (declines, voids, uncaptured
	// authorisations and released holds post nothing).
	posts    bool
	notWhy   string
	find     func(ctx context.Context) (found bool, erpAmount decimal.Decimal, erpDoc string, live int, err error)
	run      Run
	isPayout bool
}

func (rc *reconciler) stripePage(ctx context.Context, phase, after string) (string, bool, error) {
	list, more, err := rc.a.Stripe.ListObjects(ctx, phase, rc.in.From, rc.in.To, after, int64(rc.in.PageSize))
	if err != nil {
		return "", false, stripeError("list "+phase+"s", err)
	}
	last := ""
	var charges []anomalyCharge
	defer func() {
		rc.res.Anomalies = append(rc.res.Anomalies, pageAnomalies(charges, func(id string) string { return "order-to-cash/stripe/" + id })...)
	}()
	for _, o := range list {
		last = o.ID
		cur := money.Currency(o.Currency)
		ob := object{kind: phase, id: o.ID, currency: cur, amount: money.FromMinor(o.Amount, cur), created: time.Unix(o.Created, 0), posts: true}
		if (phase == "charge" && o.Status == "succeeded") || (phase == "refund" && o.Status == "succeeded") {
			rc.res.Kinds = mergeKinds(rc.res.Kinds, []KindTotal{{Kind: phase, Currency: cur, Amount: ob.amount}})
		}
		if phase == "charge" && o.Status == "succeeded" {
			charges = append(charges, anomalyCharge{ID: o.ID, Customer: o.Customer, Currency: cur, Amount: ob.amount, Created: ob.created})
			rc.res.Hours = mergeHours(rc.res.Hours, []HourCount{{Hour: ob.created.UTC().Format("2006-01-02T15"), Count: 1}})
		}
		switch phase {
		case "charge":
			if o.Captured > 0 && o.Captured < o.Amount {
				ob.amount = money.FromMinor(o.Captured, cur)
			}
			if o.Status != "succeeded" || !o.Paid {
				ob.posts, ob.notWhy = false, "charge is "+o.Status+" or not captured"
			}
			id := o.ID
			ob.find = rc.findDoc(erp.KindInvoice, id)
			ob.run = Run{WorkflowID: "order-to-cash/stripe/" + id, Workflow: rc.in.Runs.OrderToCash,
				Input: map[string]any{"chargeId": id, "eventType": "reconcile"}}
		case "refund":
			if o.Status != "succeeded" {
				ob.posts, ob.notWhy = false, "refund is "+o.Status
			} else if snap, err := rc.a.FetchRefund(ctx, &FetchRefundInput{RefundID: o.ID}); err == nil && snap.Release {
				ob.posts, ob.notWhy = false, "releases the uncaptured part of an authorisation"
			}
			ob.find = rc.findJournal(o.ID)
			ob.run = Run{WorkflowID: "refund/stripe/" + o.ID, Workflow: rc.in.Runs.Refund, Refresh: true,
				Input: map[string]any{"refundId": o.ID, "eventType": "reconcile"}}
		case "payout":
			if o.Status != "paid" && o.Status != "failed" {
				ob.posts, ob.notWhy = false, "payout is "+o.Status
			}
			ob.isPayout = true
			ob.find = rc.findJournal(o.ID)
			ob.run = Run{WorkflowID: "payout/stripe/" + o.ID, Workflow: rc.in.Runs.Payout, Refresh: true,
				Input: map[string]any{"payoutId": o.ID, "eventType": "reconcile"}}
		}
		if err := rc.classify(ctx, ob); err != nil {
			return "", false, err
		}
	}
	return last, more, nil
}

func (rc *reconciler) payTracePage(ctx context.Context, phase, after string) (string, bool, error) {
	if rc.a.PayTrace == nil {
		return "", false, validation("PayTrace is not configured (LEDGERBRIDGE_PROVIDERS)")
	}
	if phase == "batch" {
		batches, err := rc.a.PayTrace.Batches(ctx, rc.in.From, rc.in.To)
		if err != nil {
			return "", false, payTraceError("export batches", err)
		}
		for _, b := range batches {
			ref := PayTraceBatchRef(b.Number)
			n := b.Number
			ob := object{kind: "batch", id: n, currency: "USD", amount: b.NetAmount, created: b.Settled, posts: true, isPayout: true,
				find: rc.findJournal(ref),
				run: Run{WorkflowID: "batch/paytrace/" + n, Workflow: rc.in.Runs.PayTraceBatch, Refresh: true,
					Input: map[string]any{"batchNumber": batchNo(n), "source": "reconcile"}}}
			if err := rc.classify(ctx, ob); err != nil {
				return "", false, err
			}
		}
		return "", false, nil
	}
	afterID, _ := strconv.ParseInt(after, 10, 64)
	page, more, err := rc.a.PayTrace.ExportTransactions(ctx, paytrace.ExportQuery{Start: rc.in.From, End: rc.in.To, AfterTransactionID: afterID})
	if err != nil {
		return "", false, payTraceError("export transactions", err)
	}
	last := after
	for i := range page {
		tx := &page[i]
		last = strconv.FormatInt(tx.ID, 10)
		ref := PayTraceRef(tx.ID)
		ob := object{kind: "transaction", id: last, currency: "USD", amount: tx.Amount.Abs(), created: tx.Created, posts: true,
			run: Run{WorkflowID: "transaction/paytrace/" + last, Workflow: rc.in.Runs.PayTrace, Refresh: true,
				Input: map[string]any{"transactionId": tx.ID, "source": "reconcile"}}}
		switch {
		case tx.Status == paytrace.StatusDeclined:
			ob.posts, ob.notWhy = false, "declined"
		case tx.Status == paytrace.StatusVoided:
			ob.posts, ob.notWhy = false, "voided"
			ob.find = rc.findPayment(ref)
		case tx.Type == paytrace.TypeRefund:
			ob.kind, ob.find = "refund", rc.findJournal(ref)
		case tx.Status == paytrace.StatusAuthorized:
			ob.posts, ob.notWhy = false, "authorised, not captured"
		default:
			if !tx.CapturedAmount.IsZero() {
				ob.amount = tx.CapturedAmount
			}
			ob.find = rc.findPayment(ref)
		}
		if err := rc.classify(ctx, ob); err != nil {
			return "", false, err
		}
	}
	return last, more, nil
}

// classify looks the object up in the ERP (and its run in Temporal) and records its class.
func (rc *reconciler) classify(ctx context.Context, ob object) error {
	rc.beat(ctx, ob.id)
	rc.res.Objects++
	day := ob.created.UTC().Format("2006-01-02")
	if ob.posts {
		rc.addTotal(ob.currency, ob.amount, decimal.Zero)
		rc.addDay(day, ob.currency, ob.amount, decimal.Zero)
	}
	var (
		found   bool
		erpAmt  decimal.Decimal
		erpDoc  string
		live    int
		findErr error
	)
	if ob.find != nil {
		found, erpAmt, erpDoc, live, findErr = ob.find(ctx)
		if findErr != nil {
			return findErr
		}
	}
	item := report.Item{Object: ob.id, Kind: ob.kind, Currency: ob.currency, Amount: ob.amount, ERPAmount: erpAmt, ERPDocument: erpDoc,
		WorkflowID: ob.run.WorkflowID, Created: ob.created}
	if ob.isPayout {
		status := "tied"
		switch {
		case !ob.posts:
			status = "pending"
		case !found:
			status = "missing"
		}
		rc.res.Payouts = append(rc.res.Payouts, report.Payout{ID: ob.id, Currency: ob.currency, Amount: ob.amount, Posted: erpAmt, Status: status})
	}
	switch {
	case !ob.posts && found:
		item.Class, item.Reason = report.ClassMismatch, "posted in the ERP although it should not be ("+ob.notWhy+")"
	case !ob.posts:
		rc.count(report.ClassNotPosting)
		return nil
	case found && live > 1:
		item.Class, item.Reason = report.ClassDuplicate, fmt.Sprintf("%d live ERP documents carry this reference: void the extra by hand", live)
	case found && !ob.isPayout && !erpAmt.Equal(ob.amount):
		item.Class, item.Reason = report.ClassMismatch, fmt.Sprintf("the ERP has %s %s, the provider %s", erpAmt, ob.currency, ob.amount)
	case found:
		rc.addTotal(ob.currency, decimal.Zero, erpAmt)
		rc.addDay(day, ob.currency, decimal.Zero, erpAmt)
		rc.count(report.ClassPosted)
		return nil
	default:
		class, reason, err := rc.missing(ctx, ob)
		if err != nil {
			return err
		}
		item.Class, item.Reason = class, reason
	}
	rc.count(item.Class)
	rc.res.Items = append(rc.res.Items, item)
	return nil
}

// missing decides what a missing object's run says: parked, in flight, or none (heal it).
func (rc *reconciler) missing(ctx context.Context, ob object) (class, reason string, err error) {
	desc, err := rc.a.Runs.DescribeWorkflow(ctx, ob.run.WorkflowID, "")
	var nf *serviceerror.NotFound
	switch {
	case errors.As(err, &nf):
		reason = "not in the ERP and no run: its webhook never arrived"
	case err != nil:
		return "", "", fmt.Errorf("describe %s: %w", ob.run.WorkflowID, err)
	default:
		info := desc.RawResponse.GetWorkflowExecutionInfo()
		if info.GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
			if parked(desc) {
				return report.ClassParked, "its run waits for an operator (NeedsAttention): see its status query", nil
			}
			return report.ClassInFlight, "its run is still working on it", nil
		}
		reason = "not in the ERP; its run ended (" + strings.ToLower(strings.TrimPrefix(info.GetStatus().String(), "WORKFLOW_EXECUTION_STATUS_")) + ") without posting it"
	}
	if !rc.in.Heal {
		return report.ClassMissing, reason, nil
	}
	if err := rc.heal(ctx, ob.run); err != nil {
		return "", "", err
	}
	rc.res.Healed++
	return report.ClassHealed, reason + "; its run was started again by reconciliation", nil
}

// parked reads the NeedsAttention search attribute of a described run.
func parked(desc *client.WorkflowExecutionDescription) bool {
	sa := desc.RawResponse.GetWorkflowExecutionInfo().GetSearchAttributes().GetIndexedFields()["NeedsAttention"]
	return sa != nil && strings.TrimSpace(string(sa.GetData())) == "true"
}

// heal starts the object's run by its normal workflow ID. A completed run that did not post is
// started again (its ERP lookups find anything that was posted meanwhile); a running one absorbs it.
func (rc *reconciler) heal(ctx context.Context, r Run) error {
	if err := rc.limit.Wait(ctx); err != nil {
		return err
	}
	opts := client.StartWorkflowOptions{ID: r.WorkflowID, TaskQueue: rc.in.TaskQueue,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		TypedSearchAttributes:    temporal.NewSearchAttributes(saProvider.ValueSet(rc.in.Provider), saProviderObject.ValueSet(lastSegment(r.WorkflowID)))}
	var err error
	if r.Refresh {
		opts.WorkflowIDConflictPolicy = enumspb.WORKFLOW_ID_CONFLICT_POLICY_UNSPECIFIED
		_, err = rc.a.Runs.SignalWithStartWorkflow(ctx, r.WorkflowID, rc.in.Runs.Signal, map[string]any{"eventType": "reconcile"}, opts, r.Workflow, r.Input)
	} else {
		_, err = rc.a.Runs.ExecuteWorkflow(ctx, opts, r.Workflow, r.Input)
	}
	var already *serviceerror.WorkflowExecutionAlreadyStarted
	if err != nil && !errors.As(err, &already) {
		return fmt.Errorf("start %s: %w", r.WorkflowID, err)
	}
	return nil
}

func lastSegment(id string) string { return id[strings.LastIndex(id, "/")+1:] }

func (rc *reconciler) findDoc(kind erp.DocumentKind, ref string) func(context.Context) (bool, decimal.Decimal, string, int, error) {
	return func(ctx context.Context) (bool, decimal.Decimal, string, int, error) {
		d, err := rc.a.ERP.FindDocument(ctx, kind, ref)
		if err != nil {
			return false, decimal.Zero, "", 0, erpError(fmt.Sprintf("find %s %s", kind, ref), err)
		}
		if d == nil || erp.Dead(d.Status) {
			return false, decimal.Zero, "", 0, nil
		}
		live := 1
		if lc, ok := erp.As[erp.LiveCounter](rc.a.ERP); ok {
			n, err := lc.CountLive(ctx, kind, ref)
			switch {
			case err == nil:
				live = n
			case !errors.Is(err, erp.ErrUnsupported):
				return false, decimal.Zero, "", 0, erpError(fmt.Sprintf("count %s %s", kind, ref), err)
			}
		}
		return true, d.Total, d.Number, live, nil
	}
}

func (rc *reconciler) findPayment(ref string) func(context.Context) (bool, decimal.Decimal, string, int, error) {
	return func(ctx context.Context) (bool, decimal.Decimal, string, int, error) {
		p, err := rc.a.ERP.FindPayment(ctx, ref)
		if err != nil {
			return false, decimal.Zero, "", 0, erpError("find payment "+ref, err)
		}
		if p == nil || erp.Dead(p.Status) {
			return false, decimal.Zero, "", 0, nil
		}
		return true, p.Amount, p.ID, 1, nil
	}
}

// findJournal finds the entry posted for a refund, payout or batch; its amount is what it moved
// (the debits), the payout's bank line for a payout.
func (rc *reconciler) findJournal(ref string) func(context.Context) (bool, decimal.Decimal, string, int, error) {
	return func(ctx context.Context) (bool, decimal.Decimal, string, int, error) {
		je, err := rc.a.ERP.FindJournalEntry(ctx, ref)
		if err != nil {
			return false, decimal.Zero, "", 0, erpError("find journal entry "+ref, err)
		}
		if je == nil {
			return false, decimal.Zero, "", 0, nil
		}
		amt := decimal.Zero
		for _, l := range je.Lines {
			if l.Account == rc.a.GL.Bank {
				amt = amt.Add(l.Debit).Sub(l.Credit)
			}
		}
		if amt.IsZero() {
			for _, l := range je.Lines {
				amt = amt.Add(l.Debit)
			}
		}
		return true, amt.Abs(), je.Number, 1, nil
	}
}

func (rc *reconciler) count(class string) {
	for i := range rc.res.Classes {
		if rc.res.Classes[i].Class == class {
			rc.res.Classes[i].Count++
			return
		}
	}
	rc.res.Classes = append(rc.res.Classes, report.ClassCount{Class: class, Count: 1})
}

func (rc *reconciler) addTotal(cur string, provider, erpAmt decimal.Decimal) {
	for i := range rc.res.Totals {
		if t := &rc.res.Totals[i]; t.Currency == cur {
			t.Provider, t.ERP = t.Provider.Add(provider), t.ERP.Add(erpAmt)
			if provider.IsPositive() {
				t.Count++
			}
			return
		}
	}
	n := 0
	if provider.IsPositive() {
		n = 1
	}
	rc.res.Totals = append(rc.res.Totals, report.CurrencyTotals{Currency: cur, Provider: provider, ERP: erpAmt, Count: n})
}

func (rc *reconciler) addDay(day, cur string, provider, posted decimal.Decimal) {
	for i := range rc.res.Daily {
		if d := &rc.res.Daily[i]; d.Day == day && d.Currency == cur {
			d.Provider, d.Posted = d.Provider.Add(provider), d.Posted.Add(posted)
			return
		}
	}
	rc.res.Daily = append(rc.res.Daily, report.Day{Day: day, Currency: cur, Provider: provider, Posted: posted})
}

// orphanPage lists the ERP invoices dated in the window (a day either side: ERP dates are the
// merchant's) and reports each live one carrying this provider's reference whose provider object
// does not exist. Orphans are never changed: someone posted them by hand, or they belong to
// another account.
func (rc *reconciler) orphanPage(ctx context.Context, after string) (string, bool, error) {
	dl, ok := erp.As[erp.DocumentLister](rc.a.ERP)
	if !ok {
		return "", false, nil
	}
	loc := rc.a.mapping().Location
	from, to := rc.in.From.In(loc).AddDate(0, 0, -1).Format("2006-01-02"), rc.in.To.In(loc).AddDate(0, 0, 1).Format("2006-01-02")
	docs, err := dl.ListDocuments(ctx, erp.KindInvoice, from, to)
	if errors.Is(err, erp.ErrUnsupported) {
		return "", false, nil
	}
	if err != nil {
		return "", false, erpError("list invoices "+from+".."+to, err)
	}
	sort.Slice(docs, func(i, j int) bool { return docs[i].Number < docs[j].Number })
	last, n := after, 0
	for _, d := range docs {
		if d.Number <= after || erp.Dead(d.Status) {
			continue
		}
		if n == rc.in.PageSize {
			return last, true, nil
		}
		n++
		last = d.Number
		rc.beat(ctx, last)
		has, mine, err := rc.providerHas(ctx, d.ExternalRef)
		if err != nil {
			return "", false, err
		}
		if !mine || has {
			continue
		}
		rc.count(report.ClassOrphan)
		rc.res.Items = append(rc.res.Items, report.Item{Class: report.ClassOrphan, Object: d.Number, Kind: "invoice", Currency: d.Currency,
			ERPAmount: d.Total, ERPDocument: d.Number, Reason: fmt.Sprintf("ERP invoice %s carries %s, which %s does not have: void it by hand unless it is a real sale",
				d.Number, d.ExternalRef, rc.in.Provider)})
	}
	return last, false, nil
}

// providerHas reports whether ref names an object of this reconciliation's provider (mine) and
// whether the provider has it.
func (rc *reconciler) providerHas(ctx context.Context, ref string) (has, mine bool, err error) {
	switch rc.in.Provider {
	case "stripe":
		if !strings.HasPrefix(ref, "ch_") && !strings.HasPrefix(ref, "py_") {
			return false, false, nil
		}
		_, err := rc.a.Stripe.GetCharge(ctx, ref)
		var se *stripe.Error
		if errors.As(err, &se) && se.HTTPStatusCode == http.StatusNotFound {
			return false, true, nil
		}
		if err != nil {
			return false, true, stripeError("get charge "+ref, err)
		}
		return true, true, nil
	default:
		id, ok := payTraceID(ref)
		if !ok {
			return false, false, nil
		}
		_, err := rc.a.PayTrace.ExportTransaction(ctx, id)
		if errors.Is(err, paytrace.ErrNotFound) {
			return false, true, nil
		}
		if err != nil {
			return false, true, payTraceError(fmt.Sprintf("export transaction %d", id), err)
		}
		return true, true, nil
	}
}

// beat heartbeats the page's progress (the last object), so a killed worker's page is retried
// soon instead of at its start-to-close timeout; outside an activity (tests) it does nothing.
func (rc *reconciler) beat(ctx context.Context, last string) {
	if activity.IsActivity(ctx) {
		activity.RecordHeartbeat(ctx, last)
	}
}
