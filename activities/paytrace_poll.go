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
// overlap) are dispatched again, batches after LastBatch are posted.
type PayTracePollCursor struct {
	HighWater time.Time `json:"highWater"`
	LastBatch int64     `json:"lastBatch,omitempty"`
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
// transaction, then one per newly closed batch. It heartbeats its page cursor: a retry resumes
// where the last one stopped. Dispatching twice is harmless: a transaction's run posts once.
func (a *Activities) PollPayTrace(ctx context.Context, in *PollPayTraceInput) (*PollPayTraceResult, error) {
	var p pollProgress
	if activity.HasHeartbeatDetails(ctx) {
		if err := activity.GetHeartbeatDetails(ctx, &p); err != nil {
			return nil, fmt.Errorf("read heartbeat: %w", err)
		}
	}
	if p.Result.Cursor.HighWater.IsZero() && p.Result.Seen == 0 {
		p.Result = PollPayTraceResult{Cursor: in.Cursor}
	}
	now := time.Now().UTC()
	from := in.Cursor.HighWater.Add(-in.Overlap)
	if in.Cursor.HighWater.IsZero() {
		from = now.Add(-in.Lookback)
	}
	for {
		page, more, err := a.PayTrace.ExportTransactions(ctx, paytrace.ExportQuery{Start: from, End: now,
			DateType: paytrace.DateUpdated, AfterTransactionID: p.AfterID})
		if err != nil {
			return nil, payTraceError("export transactions", err)
		}
		for _, tx := range page {
			p.Result.Seen++
			p.AfterID = tx.ID
			if tx.Updated.Before(from) {
				continue
			}
			if err := a.dispatch(ctx, in, in.TransactionIDPrefix+strconv.FormatInt(tx.ID, 10), in.TransactionWorkflow,
				map[string]any{"transactionId": tx.ID, "source": "poll"}, strconv.FormatInt(tx.ID, 10)); err != nil {
				return nil, err
			}
			p.Result.Dispatched++
			p.Result.ByStatus = AddCount(p.Result.ByStatus, tx.Status, 1)
			if tx.Updated.After(p.Result.Cursor.HighWater) {
				p.Result.Cursor.HighWater = tx.Updated
			}
		}
		activity.RecordHeartbeat(ctx, p)
		if !more || len(page) == 0 {
			break
		}
		if in.MaxTransactions > 0 && p.Result.Seen >= in.MaxTransactions {
			p.Result.More = true
			return &p.Result, nil
		}
	}
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
