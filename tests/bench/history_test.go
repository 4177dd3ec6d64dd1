package bench

import (
	"context"
	"testing"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// work is the Temporal work recorded in workflow histories, per run: events, workflow tasks,
// payload bytes, and the actions Temporal Cloud bills (docs.temporal.io/cloud/actions), counted
// from the events the way Cloud counts them:
//   - workflow started: one per run (a de-duplicated start of the same ID is not billed);
//   - activities: one per activity scheduled, plus one per retry (attempt-1 of its start);
//   - markers: all RecordMarker commands of one workflow task (local activity results and
//     version markers) are one action, plus one per local-activity retry (the workflow task's
//     metering metadata) and one per workflow-task heartbeat (a task forced while local
//     activities run: completed directly followed by scheduled);
//   - signals, timers started, and search-attribute upserts (the TemporalChangeVersion upsert
//     that versioning adds is exempt).
//
// Queries and activity heartbeats are billed too but are not in histories (none in
// order-to-cash's happy path; the payout's aggregation heartbeats about every 24 s).
type work struct {
	runs                                  int
	events, tasks, payloadBytes, histSize float64
	starts, activities, retries           float64
	markerTasks, laRetries, heartbeats    float64
	signals, timers, upserts              float64
	localActivities                       float64
}

func (w work) actions() float64 {
	return w.starts + w.activities + w.retries + w.markerTasks + w.laRetries + w.heartbeats + w.signals + w.timers + w.upserts
}

// per divides the totals by the number of runs.
func (w work) per() work {
	if w.runs == 0 {
		return w
	}
	n := float64(w.runs)
	return work{runs: 1, events: w.events / n, tasks: w.tasks / n, payloadBytes: w.payloadBytes / n, histSize: w.histSize / n,
		starts: w.starts / n, activities: w.activities / n, retries: w.retries / n, markerTasks: w.markerTasks / n,
		laRetries: w.laRetries / n, heartbeats: w.heartbeats / n, signals: w.signals / n, timers: w.timers / n,
		upserts: w.upserts / n, localActivities: w.localActivities / n}
}

type recorded struct{ events []*historypb.HistoryEvent }

// history reads one run's recorded history through the Temporal client.
func history(b *testing.B, id, runID string) recorded {
	it := tc.GetWorkflowHistory(context.Background(), id, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	var h recorded
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			b.Fatalf("history of %s: %v", id, err)
		}
		h.events = append(h.events, ev)
	}
	return h
}

// sampleWork reads up to 5 of ids' histories and returns their work per run. ignoreChange names
// a version marker not to count (with its TemporalChangeVersion upsert): the one a pinned worker
// records for the old path, which the old code never wrote.
func sampleWork(b *testing.B, ids []string, ignoreChange string) work {
	var total work
	for i := 0; i < len(ids) && i < 5; i++ {
		w := historyWork(history(b, ids[i], "").events, ignoreChange)
		total.add(w)
	}
	return total.per()
}

func (w *work) add(o work) {
	w.runs += o.runs
	w.events += o.events
	w.tasks += o.tasks
	w.payloadBytes += o.payloadBytes
	w.histSize += o.histSize
	w.starts += o.starts
	w.activities += o.activities
	w.retries += o.retries
	w.markerTasks += o.markerTasks
	w.laRetries += o.laRetries
	w.heartbeats += o.heartbeats
	w.signals += o.signals
	w.timers += o.timers
	w.upserts += o.upserts
	w.localActivities += o.localActivities
}

// historyWork counts one run's events.
func historyWork(events []*historypb.HistoryEvent, ignoreChange string) work {
	w := work{runs: 1}
	markersInTask, skipVersionUpsert := false, false
	for i, ev := range events {
		switch ev.GetEventType() {
		case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
			w.starts++
		case enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
			w.tasks++
			markersInTask = false
			w.laRetries += float64(ev.GetWorkflowTaskCompletedEventAttributes().GetMeteringMetadata().GetNonfirstLocalActivityExecutionAttempts())
			if i+1 < len(events) && events[i+1].GetEventType() == enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED {
				w.heartbeats++
			}
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
			w.activities++
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED:
			if a := ev.GetActivityTaskStartedEventAttributes().GetAttempt(); a > 1 {
				w.retries += float64(a - 1)
			}
		case enumspb.EVENT_TYPE_MARKER_RECORDED:
			m := ev.GetMarkerRecordedEventAttributes()
			if ignoreChange != "" && m.GetMarkerName() == "Version" && payloadString(m.GetDetails()["change-id"]) == ignoreChange {
				skipVersionUpsert = true
				continue
			}
			if m.GetMarkerName() == "LocalActivity" {
				w.localActivities++
			}
			if !markersInTask {
				w.markerTasks++
				markersInTask = true
			}
		case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
			w.signals++
		case enumspb.EVENT_TYPE_TIMER_STARTED:
			w.timers++
		case enumspb.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
			fields := ev.GetUpsertWorkflowSearchAttributesEventAttributes().GetSearchAttributes().GetIndexedFields()
			if _, ok := fields["TemporalChangeVersion"]; ok && len(fields) == 1 {
				if skipVersionUpsert {
					skipVersionUpsert = false
					continue
				}
				break // exempt from billing, but an event with its payload
			}
			w.upserts++
		}
		w.events++
		w.histSize += float64(proto.Size(ev))
		w.payloadBytes += float64(payloadBytes(ev.ProtoReflect()))
	}
	return w
}

func payloadString(p *commonpb.Payloads) string {
	var s string
	if p == nil || converter.GetDefaultDataConverter().FromPayloads(p, &s) != nil {
		return ""
	}
	return s
}

var payloadName = (&commonpb.Payload{}).ProtoReflect().Descriptor().FullName()

// payloadBytes is the size of every Payload in a message (inputs, results, search attributes,
// marker details, failures' details, headers), data and metadata.
func payloadBytes(m protoreflect.Message) int {
	if m.Descriptor().FullName() == payloadName {
		return proto.Size(m.Interface())
	}
	n := 0
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case fd.IsMap():
			if fd.MapValue().Message() != nil {
				v.Map().Range(func(_ protoreflect.MapKey, mv protoreflect.Value) bool {
					n += payloadBytes(mv.Message())
					return true
				})
			}
		case fd.IsList():
			if fd.Message() != nil {
				for i := 0; i < v.List().Len(); i++ {
					n += payloadBytes(v.List().Get(i).Message())
				}
			}
		case fd.Message() != nil:
			n += payloadBytes(v.Message())
		}
		return true
	})
	return n
}
