package workflows

import (
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/ledgerbridge/ledgerbridge/activities"
)

// PayTrace customer profiles ↔ ERP customers, on a Temporal Schedule like the Stripe sync.
const (
	PayTraceCustomerSyncWorkflowName = "PayTraceCustomerSync"
	PayTraceCustomerSyncScheduleID   = "paytrace-customer-sync"

	// payTraceProfilePage is the profiles one activity mirrors; payTraceProfilePages bounds a pass.
	payTraceProfilePage  = 100
	payTraceProfilePages = 50
)

// PayTraceCustomerSyncResult reports one pass in both directions.
type PayTraceCustomerSyncResult struct {
	// Profiles → ERP.
	ProfilesSeen int `json:"profilesSeen"`
	Created      int `json:"created"`
	Updated      int `json:"updated"`
	// ERP → profiles.
	ERPSeen int `json:"erpSeen"`
	Pushed  int `json:"pushed"`
	// Cursor and AfterID are the last ERP change handled (stored on the schedule).
	Cursor  time.Time `json:"cursor"`
	AfterID string    `json:"afterId,omitempty"`
	// Failed lists the records one side refused, with why; they are tried again next pass.
	Failed []string `json:"failed,omitempty"`
}

// PayTraceCustomerSync mirrors PayTrace customer profiles in the ERP (created or updated where
// the profile is the newer edit), then pushes the ERP's edits of linked customers back to their
// profiles, and stores the ERP cursor on the schedule. Both directions compare first and write
// only differences, so a pass's own writes come back as "unchanged".
func PayTraceCustomerSync(ctx workflow.Context, in *activities.SyncCursor) (*PayTraceCustomerSyncResult, error) {
	s := &payTraceCustomerSync{ctx: ctx, res: &PayTraceCustomerSyncResult{},
		erpCtx: workflow.WithActivityOptions(ctx, erpActivity), ptCtx: workflow.WithActivityOptions(ctx, payTraceActivity)}
	if in != nil {
		s.res.Cursor, s.res.AfterID = in.Since, in.AfterID
	}
	for _, step := range []func() error{s.profilesToERP, s.erpToProfiles, s.saveCursor} {
		if err := step(); err != nil {
			return s.res, err
		}
	}
	return s.res, nil
}

type payTraceCustomerSync struct {
	ctx, erpCtx, ptCtx workflow.Context
	res                *PayTraceCustomerSyncResult
	pushedAny          bool
}

// profilesToERP pages through every profile (PayTrace's export has no "changed since").
func (s *payTraceCustomerSync) profilesToERP() error {
	after := ""
	for page := 0; page < payTraceProfilePages; page++ {
		var r activities.SyncPayTraceProfilesResult
		if err := workflow.ExecuteActivity(s.erpCtx, a.SyncPayTraceProfiles,
			&activities.SyncPayTraceProfilesInput{AfterID: after, Limit: payTraceProfilePage}).Get(s.ctx, &r); err != nil {
			return err
		}
		s.res.ProfilesSeen += r.Seen
		s.res.Created += r.Created
		s.res.Updated += r.Updated
		s.res.Failed = append(s.res.Failed, r.Failed...)
		if !r.More {
			return nil
		}
		after = r.LastID
	}
	return nil
}

// erpToProfiles pushes linked ERP customers changed since the cursor to their profiles.
func (s *payTraceCustomerSync) erpToProfiles() error {
	for batch := 0; batch < customerSyncMaxBatches; batch++ {
		var changed activities.ChangedERPCustomersResult
		if err := workflow.ExecuteActivity(s.erpCtx, a.ChangedERPCustomers, &activities.ChangedERPCustomersInput{
			Since: s.res.Cursor, AfterID: s.res.AfterID, Limit: customerSyncBatch}).Get(s.ctx, &changed); err != nil {
			return err
		}
		for _, c := range changed.Customers {
			s.res.ERPSeen++
			if strings.HasPrefix(c.ExternalRef, activities.PayTraceCustomerRef("")) {
				var pr activities.PushCustomerResult
				err := workflow.ExecuteActivity(s.ptCtx, a.PushCustomerToPayTrace, &activities.PushCustomerToPayTraceInput{Customer: c}).Get(s.ctx, &pr)
				if err != nil {
					// One profile PayTrace refuses must not stall every later change.
					s.res.Failed = append(s.res.Failed, c.ID+": "+problemText(err))
				} else if pr.Action == "updated" {
					s.res.Pushed++
				}
			}
			s.res.Cursor, s.res.AfterID, s.pushedAny = c.UpdatedAt, c.ID, true
		}
		if !changed.More {
			return nil
		}
	}
	return nil
}

func (s *payTraceCustomerSync) saveCursor() error {
	if !s.pushedAny {
		return nil
	}
	return workflow.ExecuteActivity(s.erpCtx, a.SaveSyncCursor, &activities.SaveSyncCursorInput{
		ScheduleID: PayTraceCustomerSyncScheduleID, Cursor: s.res.Cursor, AfterID: s.res.AfterID}).Get(s.ctx, nil)
}
