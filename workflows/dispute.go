package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/ledgerbridge/ledgerbridge/activities"
)

// DisputeWorkflowName is the registered name of Dispute.
const DisputeWorkflowName = "Dispute"

// SignalRefresh tells a running dispute or payout run that Stripe has news: fetch again.
const SignalRefresh = "refresh"

// DisputeID is the workflow ID of a Stripe dispute: every charge.dispute.* event reaches it.
func DisputeID(disputeID string) string { return "dispute/stripe/" + disputeID }

// DisputeInput names the dispute.
type DisputeInput struct {
	DisputeID string `json:"disputeId"`
	EventType string `json:"eventType,omitempty"`
}

// DisputeResult lists the legs posted and the dispute's state.
type DisputeResult struct {
	Status        string   `json:"status"`
	DisputeID     string   `json:"disputeId"`
	ChargeID      string   `json:"chargeId,omitempty"`
	DisputeStatus string   `json:"disputeStatus,omitempty"`
	Legs          []string `json:"legs,omitempty"`
	Voided        []string `json:"voided,omitempty"`
	Note          string   `json:"note,omitempty"`
}

// DisputeStatus answers the status query.
type DisputeStatus struct {
	DisputeResult
	Step        string                 `json:"step"`
	Problem     string                 `json:"problem,omitempty"`
	Parked      int                    `json:"timesParked"`
	Corrections activities.Corrections `json:"corrections"`
}

// Dispute posts each money movement of a Stripe dispute once: the chargeback and dispute fee
// when funds are withdrawn, their reversal when the dispute is won; a lost dispute keeps the
// chargeback. Each event signals (or starts) the run, which re-fetches the dispute and posts any
// leg not yet posted; legs are keyed by balance transaction, so no leg is ever posted twice.
func Dispute(ctx workflow.Context, in *DisputeInput) (*DisputeResult, error) {
	st := &DisputeStatus{DisputeResult: DisputeResult{Status: StatusRunning, DisputeID: in.DisputeID}}
	if err := workflow.SetQueryHandler(ctx, QueryStatus, func() (*DisputeStatus, error) { return st, nil }); err != nil {
		return nil, err
	}
	r := newStepRunner(ctx, &st.Status, &st.Step, &st.Problem, &st.Parked, &st.Corrections)
	posted := map[string]string{} // balance transaction → journal entry
	var legOrder []string
	r.compensate = func(ctx workflow.Context, reason string) {
		st.Note = "abandoned: " + reason
		actx := workflow.WithActivityOptions(ctx, erpActivity)
		for i := len(legOrder) - 1; i >= 0; i-- {
			var res activities.PostJournalResult
			if err := workflow.ExecuteActivity(actx, a.ReverseJournal, &activities.ReverseJournalInput{ExternalRef: legOrder[i]}).Get(ctx, &res); err == nil && res.Number != "" {
				st.Voided = append(st.Voided, "reversed "+posted[legOrder[i]]+" by "+res.Number)
			}
		}
	}
	r.setStatus(ctx, StatusRunning)
	refresh := refreshChannel(ctx)
	checkFirst := workflow.GetVersion(ctx, "dispute-find-leg-first", workflow.DefaultVersion, 1) == 1
	stripeCtx := workflow.WithActivityOptions(ctx, stripeActivity)
	erpCtx := workflow.WithActivityOptions(ctx, erpActivity)

	for {
		var d *activities.DisputeSnapshot
		abandoned, err := r.run(ctx, step{"fetch-dispute", func() error {
			return workflow.ExecuteActivity(stripeCtx, a.FetchDispute, &activities.FetchDisputeInput{DisputeID: in.DisputeID}).Get(ctx, &d)
		}})
		if err != nil || abandoned {
			return &st.DisputeResult, err
		}
		st.ChargeID, st.DisputeStatus = d.ChargeID, d.Status
		for _, leg := range d.Legs {
			if _, done := posted[leg.TxnID]; done {
				continue
			}
			leg := leg
			abandoned, err := r.run(ctx, step{"post-" + leg.Category, func() error {
				// Only legs this run posts are compensated on abandon, not legs of earlier passes:
				// look first, so that a retry finding its own earlier write still counts as ours.
				if checkFirst {
					var found activities.PostJournalResult
					if err := workflow.ExecuteActivity(erpCtx, a.FindJournal, &activities.FindJournalInput{ExternalRef: leg.TxnID}).Get(ctx, &found); err != nil {
						return err
					}
					if found.Number != "" {
						posted[leg.TxnID] = found.Number
						return nil
					}
				}
				var res activities.PostJournalResult
				err := workflow.ExecuteActivity(erpCtx, a.PostDisputeLeg, &activities.PostDisputeLegInput{Dispute: d, Leg: leg}).Get(ctx, &res)
				if err == nil {
					posted[leg.TxnID] = res.Number
					if checkFirst || !res.Reused {
						legOrder = append(legOrder, leg.TxnID)
					}
					st.Legs = append(st.Legs, leg.Category+" "+leg.TxnID+" → "+res.Number)
					_ = workflow.UpsertTypedSearchAttributes(ctx, SAErpDocument.ValueSet(res.Number))
				}
				return err
			}})
			if err != nil || abandoned {
				return &st.DisputeResult, err
			}
		}
		// Events that arrived during this pass ask for another; otherwise this run is done and the
		// next event starts a new one (which finds the posted legs in the ERP).
		if !drain(refresh) {
			break
		}
	}
	st.Step = "done"
	r.setStatus(ctx, StatusPosted)
	return &st.DisputeResult, nil
}

// drain consumes every pending signal on ch and reports whether there was any.
func drain(ch workflow.ReceiveChannel) bool {
	got := false
	for ch.ReceiveAsync(nil) {
		got = true
	}
	return got
}

// changeSkipStartSignal is the change ID of dropping the refresh signals delivered with the start.
const changeSkipStartSignal = "skip-start-signal"

// refreshChannel returns the refresh signal channel emptied of the signals that came with the
// start (signal-with-start): the first pass reads the object as it is now, so they ask for
// nothing more, and only a signal that arrives during a pass asks for another. Runs recorded
// before this replay with those signals (change ID skip-start-signal).
func refreshChannel(ctx workflow.Context) workflow.ReceiveChannel {
	ch := workflow.GetSignalChannel(ctx, SignalRefresh)
	if workflow.GetVersion(ctx, changeSkipStartSignal, workflow.DefaultVersion, 1) == 1 {
		drain(ch)
	}
	return ch
}
