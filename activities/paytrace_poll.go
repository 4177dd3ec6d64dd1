package activities

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/ledgerbridge/ledgerbridge/internal/paytrace"
)

// Starter starts or signals workflows (the Temporal client): the PayTrace poll hands each
// transaction to its own run, by the same workflow ID the notification extension uses.
type Starter interface {
	SignalWithStartWorkflow(ctx context.Context, workflowID string, signalName string, signalArg interface{},
		options client.StartWorkflowOptions, workflow interface{}, workflowArgs ...interface{}) (client.WorkflowRun, error)
}

// PayTracePollCursor is where the poll resumes: transactions changed after HighWater (less the
// overlap) are read again, but only the changes not in Recent are handed over; batches after
// LastBatch are posted.
type PayTracePollCursor struct {
	HighWater time.Time `json:"highWater"`
	LastBatch int64     `json:"lastBatch,omitempty"`
	// Recent are the transaction versions already handed over whose last change falls within
	// the overlap window, sorted by ID: re-reading the window hands over what changed since,
	// not every transaction of the window again. At most maxRecent are kept; a version that
	// fell out is handed over once more, which is harmless.
	Recent []PayTraceVersion `json:"recent,omitempty"`
	// Window and AfterID are set while a backlog is taken in several passes: the next pass goes
	// on reading the same export window (changes from Window.From) after transaction AfterID,
	// instead of starting a new window at the high-water mark, which would skip the
	// transactions of the backlog not read yet.
	Window  *PayTraceWindow `json:"window,omitempty"`
	AfterID int64           `json:"afterId,omitempty"`
}

// PayTraceWindow is an export window read over several passes.
type PayTraceWindow struct {
	// From is the first change the window reads; Started is when its first pass began: every
	// change before it is read by the window, later ones by the next window.
	From    time.Time `json:"from"`
	Started time.Time `json:"started"`
}

// PayTraceVersion is one state of a transaction as the export showed it.
type PayTraceVersion struct {
	ID int64 `json:"id"`
	// Updated is the last change, Unix milliseconds; State is what a change alters (status,
	// captured and refunded amounts, tax, level-3 lines), since PayTrace's own timestamps may
	// have only seconds, or be missing.
	Updated int64  `json:"u"`
	State   string `json:"s"`
}

// maxRecent bounds the cursor's Recent list (about 70 bytes each).
const maxRecent = 4000

func versionOf(tx *paytrace.Transaction) PayTraceVersion {
	return PayTraceVersion{ID: tx.ID, Updated: tx.Updated.UnixMilli(), State: fmt.Sprintf("%s %s %s %s %d",
		tx.Status, tx.CapturedAmount, tx.RefundedAmount, tx.TaxAmount, len(tx.LineItems))}
}

// PollPayTraceInput is one poll pass.
type PollPayTraceInput struct {
	Cursor PayTracePollCursor `json:"cursor"`
	// Overlap re-reads transactions changed this long before the high-water mark (late writes,
	// clock skew); Lookback bounds the first poll of an empty cursor.
	Overlap  time.Duration `json:"overlap"`
	Lookback time.Duration `json:"lookback"`
	// MaxTransactions ends the pass early (More = true) so a backlog of days is taken in parts.
	MaxTransactions int `json:"maxTransactions"`
	// Workflow names and signal the dispatched runs get (the workflows package owns them).
	TransactionWorkflow, BatchWorkflow, TransactionIDPrefix, BatchIDPrefix, Signal, TaskQueue string
}

// PollPayTraceResult counts what the pass saw and dispatched.
type PollPayTraceResult struct {
	Cursor     PayTracePollCursor `json:"cursor"`
	More       bool               `json:"more"`
	Seen       int                `json:"seen"`
	Dispatched int                `json:"dispatched"`
	// Unchanged counts the transactions of the overlap window already handed over as they are.
	Unchanged int `json:"unchanged,omitempty"`
	// ByStatus counts the dispatched transactions by PayTrace status, sorted by status
	// (Declined ones post nothing, and are counted here).
	ByStatus []StatusCount `json:"byStatus,omitempty"`
	Batches  int           `json:"batches"`
}

// pollProgress is the heartbeat: the export page cursor and the running result.
type pollProgress struct {
	AfterID int64              `json:"afterId"`
	Result  PollPayTraceResult `json:"result"`
}

// PollPayTrace exports the transactions changed since the cursor (by last change, with an
// overlap window for late and modified transactions) and signals-with-start one workflow per
// new or changed transaction (a version already handed over is not handed over again), then
// one per newly closed batch. It heartbeats its page cursor: a retry resumes where the last one
// stopped. Dispatching twice is harmless (a transaction's run posts once), only wasteful.
func (a *Activities) PollPayTrace(ctx context.Context, in *PollPayTraceInput) (*PollPayTraceResult, error) {
	var p pollProgress
	resumed := false
	if activity.HasHeartbeatDetails(ctx) {
		if err := activity.GetHeartbeatDetails(ctx, &p); err != nil {
			return nil, fmt.Errorf("read heartbeat: %w", err)
		}
		resumed = true
	}
	now := time.Now().UTC()
	window := PayTraceWindow{From: in.Cursor.HighWater.Add(-in.Overlap), Started: now}
	if in.Cursor.HighWater.IsZero() {
		window.From = now.Add(-in.Lookback)
	}
	if in.Cursor.Window != nil {
		// A backlog pass: the same window, after the last transaction the previous pass read.
		window = *in.Cursor.Window
	}
	if !resumed {
		p = pollProgress{AfterID: in.Cursor.AfterID, Result: PollPayTraceResult{Cursor: in.Cursor}}
	}
	from := window.From
	handed := make(map[PayTraceVersion]bool, len(p.Result.Cursor.Recent))
	for _, v := range p.Result.Cursor.Recent {
		handed[v] = true
	}
	for {
		page, more, err := a.PayTrace.ExportTransactions(ctx, paytrace.ExportQuery{Start: from, End: now,
			DateType: paytrace.DateUpdated, AfterTransactionID: p.AfterID})
		if err != nil {
			return nil, payTraceError("export transactions", err)
		}
		for i := range page {
			tx := &page[i]
			p.Result.Seen++
			p.AfterID = tx.ID
			if tx.Updated.Before(from) {
				continue
			}
			if tx.Updated.After(p.Result.Cursor.HighWater) {
				p.Result.Cursor.HighWater = tx.Updated
			}
			v := versionOf(tx)
			if handed[v] {
				p.Result.Unchanged++
				continue
			}
			if err := a.dispatch(ctx, in, in.TransactionIDPrefix+strconv.FormatInt(tx.ID, 10), in.TransactionWorkflow,
				map[string]any{"transactionId": tx.ID, "source": "poll"}, strconv.FormatInt(tx.ID, 10)); err != nil {
				return nil, err
			}
			handed[v] = true
			p.Result.Cursor.Recent = append(p.Result.Cursor.Recent, v)
			p.Result.Dispatched++
			p.Result.ByStatus = AddCount(p.Result.ByStatus, tx.Status, 1)
		}
		activity.RecordHeartbeat(ctx, p)
		if !more || len(page) == 0 {
			break
		}
		if in.MaxTransactions > 0 && p.Result.Seen >= in.MaxTransactions {
			// The next pass reads on in this window; the high-water mark only moves once it is read.
			p.Result.More = true
			p.Result.Cursor.Window, p.Result.Cursor.AfterID = &window, p.AfterID
			p.Result.Cursor.Recent = recentWithin(p.Result.Cursor.Recent, window.From)
			return &p.Result, nil
		}
	}
	if in.Cursor.Window != nil && p.Result.Cursor.HighWater.After(window.Started) {
		// Read over several passes, the window saw changes after its start only for the
		// transactions it had not read yet: the next window starts from its start.
		p.Result.Cursor.HighWater = window.Started
	}
	p.Result.Cursor.Window, p.Result.Cursor.AfterID = nil, 0
	p.Result.Cursor.Recent = recentWithin(p.Result.Cursor.Recent, p.Result.Cursor.HighWater.Add(-in.Overlap))
	batches, err := a.PayTrace.Batches(ctx, from, now)
	if err != nil {
		return nil, payTraceError("export batches", err)
	}
	sort.Slice(batches, func(i, j int) bool { return batchNo(batches[i].Number) < batchNo(batches[j].Number) })
	for _, b := range batches {
		n := batchNo(b.Number)
		if n <= in.Cursor.LastBatch {
			continue
		}
		if err := a.dispatch(ctx, in, in.BatchIDPrefix+b.Number, in.BatchWorkflow, map[string]any{"batchNumber": n, "source": "poll"}, b.Number); err != nil {
			return nil, err
		}
		p.Result.Batches++
		if n > p.Result.Cursor.LastBatch {
			p.Result.Cursor.LastBatch = n
		}
	}
	return &p.Result, nil
}

// recentWithin keeps the versions changed at or after from, the newest maxRecent, sorted by
// transaction ID and change.
func recentWithin(vs []PayTraceVersion, from time.Time) []PayTraceVersion {
	cut := from.UnixMilli()
	out := make([]PayTraceVersion, 0, len(vs))
	for _, v := range vs {
		if v.Updated >= cut {
			out = append(out, v)
		}
	}
	if len(out) > maxRecent {
		sort.Slice(out, func(i, j int) bool { return out[i].Updated > out[j].Updated })
		out = out[:maxRecent]
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].ID != out[j].ID {
			return out[i].ID < out[j].ID
		}
		return out[i].Updated < out[j].Updated
	})
	if len(out) == 0 {
		return nil
	}
	return out
}

// StatusCount is how many transactions had a status.
type StatusCount struct {
	Status string `json:"status"`
	Count  int    `json:"count"`
}

// AddCount adds n to status's count, keeping the list sorted by status (no maps: workflow code
// merges these lists and must stay deterministic).
func AddCount(list []StatusCount, status string, n int) []StatusCount {
	i := sort.Search(len(list), func(i int) bool { return list[i].Status >= status })
	if i < len(list) && list[i].Status == status {
		list[i].Count += n
		return list
	}
	list = append(list, StatusCount{})
	copy(list[i+1:], list[i:])
	list[i] = StatusCount{Status: status, Count: n}
	return list
}

func batchNo(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}

// dispatch signals-with-start one run, as the gateway does for a webhook.
func (a *Activities) dispatch(ctx context.Context, in *PollPayTraceInput, workflowID, workflowName string, input any, objectID string) error {
	if a.Starter == nil {
		return fmt.Errorf("no Temporal client to dispatch %s", workflowID)
	}
	opts := client.StartWorkflowOptions{ID: workflowID, TaskQueue: in.TaskQueue,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
		TypedSearchAttributes: temporal.NewSearchAttributes(saProvider.ValueSet("paytrace"), saProviderObject.ValueSet(objectID))}
	_, err := a.Starter.SignalWithStartWorkflow(ctx, workflowID, in.Signal, map[string]any{"eventType": "poll"}, opts, workflowName, input)
	if err != nil {
		return fmt.Errorf("dispatch %s: %w", workflowID, err)
	}
	return nil
}

// The dispatched runs' search attributes (the workflows package declares the same keys).
var (
	saProvider       = temporal.NewSearchAttributeKeyKeyword("Provider")
	saProviderObject = temporal.NewSearchAttributeKeyKeyword("ProviderObjectID")
)

// SavePollCursorInput is the cursor the next scheduled poll starts from.
type SavePollCursorInput struct {
	ScheduleID string             `json:"scheduleId"`
	Cursor     PayTracePollCursor `json:"cursor"`
}

// SavePollCursor stores the cursor as the schedule's workflow argument, like the customer sync.
func (a *Activities) SavePollCursor(ctx context.Context, in *SavePollCursorInput) (*WriteBackResult, error) {
	if a.Schedules == nil {
		return nil, fmt.Errorf("no schedule client configured")
	}
	err := a.Schedules.GetHandle(ctx, in.ScheduleID).Update(ctx, client.ScheduleUpdateOptions{
		DoUpdate: func(u client.ScheduleUpdateInput) (*client.ScheduleUpdate, error) {
			act, ok := u.Description.Schedule.Action.(*client.ScheduleWorkflowAction)
			if !ok {
				return nil, fmt.Errorf("schedule %s does not start a workflow", in.ScheduleID)
			}
			cursor := in.Cursor
			act.Args = []interface{}{&cursor}
			return &client.ScheduleUpdate{Schedule: &u.Description.Schedule}, nil
		},
	})
	if err != nil {
		return nil, fmt.Errorf("save cursor on schedule %s: %w", in.ScheduleID, err)
	}
	return &WriteBackResult{}, nil
}
