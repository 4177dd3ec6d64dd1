package activities

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v76"
	"go.temporal.io/sdk/client"

	"github.com/ledgerbridge/ledgerbridge/internal/erp"
	"github.com/ledgerbridge/ledgerbridge/internal/money"
)

// Customer master sync (seeds 000, 001, 002: "Unified Customer Master").
//
// Conflict rule — the newer edit wins, per customer: a Stripe customer.* event is applied to the
// ERP only if it is newer than the ERP record's last change; an ERP change is pushed to Stripe by
// the scheduled sync. Both directions compare fields first and write only differences, so a
// change made by the sync itself is seen once more on the other side, found equal, and stops.

// FetchStripeCustomerInput names a Stripe customer.
type FetchStripeCustomerInput struct {
	CustomerID string `json:"customerId"`
}

// StripeCustomer is a re-fetched Stripe customer.
type StripeCustomer struct {
	CustomerSnapshot
	Currency string `json:"currency,omitempty"`
	Deleted  bool   `json:"deleted,omitempty"`
	// ERPCustomerID is the ERP customer ID its metadata names (this ERP's key, or the legacy one).
	ERPCustomerID string `json:"erpCustomerId,omitempty"`
}

// FetchStripeCustomer re-fetches a Stripe customer.
func (a *Activities) FetchStripeCustomer(ctx context.Context, in *FetchStripeCustomerInput) (*StripeCustomer, error) {
	c, err := a.Stripe.GetCustomer(ctx, in.CustomerID)
	if err != nil {
		return nil, stripeError("fetch customer "+in.CustomerID, err)
	}
	s := &StripeCustomer{Currency: money.Currency(string(c.Currency)), Deleted: c.Deleted}
	s.StripeID, s.Email, s.Name, s.Phone, s.Metadata = c.ID, c.Email, c.Name, c.Phone, c.Metadata
	if c.Address != nil {
		s.Line1, s.Line2, s.City, s.State, s.PostalCode, s.Country = c.Address.Line1, c.Address.Line2, c.Address.City,
			c.Address.State, c.Address.PostalCode, c.Address.Country
	}
	s.CustomerSnapshot.Mask()
	s.ERPCustomerID = a.meta().ERPCustomerID(s.Metadata)
	return s, nil
}

// UpsertERPCustomerInput is a Stripe customer and when Stripe last changed it.
type UpsertERPCustomerInput struct {
	Customer  *StripeCustomer `json:"customer"`
	EventTime int64           `json:"eventTime"`
}

// UpsertERPCustomerResult says what happened: created, updated, unchanged or kept (the ERP's
// edit is newer).
type UpsertERPCustomerResult struct {
	CustomerID string `json:"customerId"`
	Action     string `json:"action"`
}

// UpsertERPCustomer creates or updates the ERP customer of a Stripe customer. It matches by the
// stored cross-reference (ERP ID in Stripe metadata, Stripe ID in the ERP), then by email, and
// never creates a second ERP customer for one Stripe customer.
func (a *Activities) UpsertERPCustomer(ctx context.Context, in *UpsertERPCustomerInput) (*UpsertERPCustomerResult, error) {
	sc := in.Customer
	if h := sc.Metadata[MetaSyncHash]; h != "" && h == contactHash(sc.Name, sc.Email, sc.Phone, sc.Line1, sc.Line2, sc.City, sc.State, sc.PostalCode, sc.Country) {
		// The Stripe customer holds exactly what the ERP → Stripe sync wrote: this event is the
		// echo of our own write, and the ERP (possibly edited since) stays as it is.
		return &UpsertERPCustomerResult{CustomerID: sc.ERPCustomerID, Action: "unchanged"}, nil
	}
	desired, err := a.mapping().Customer(sc.source())
	if err != nil {
		return nil, dataError(err)
	}
	var found *erp.Customer
	if id := sc.ERPCustomerID; id != "" && a.validCustomerID(id) {
		c, err := a.ERP.GetCustomer(ctx, id)
		if err != nil {
			return nil, erpError("get customer "+id, err)
		}
		found = c
	}
	if found == nil {
		c, err := a.ERP.FindCustomerByExternalRef(ctx, sc.StripeID)
		if err != nil {
			return nil, erpError("find customer by Stripe ID", err)
		}
		found = c
	}
	if found == nil && sc.Email != "" {
		c, err := a.ERP.FindCustomerByEmail(ctx, sc.Email)
		if err != nil {
			return nil, erpError("find customer by email", err)
		}
		if c != nil && c.ExternalRef != "" && c.ExternalRef != sc.StripeID {
			c = nil // that ERP customer belongs to another Stripe customer
		}
		found = c
	}
	if found == nil {
		if sc.Deleted {
			return &UpsertERPCustomerResult{Action: "unchanged"}, nil
		}
		created, how, err := a.createCustomerOnce(ctx, desired, sc.StripeID)
		if err != nil {
			return nil, err
		}
		if how != "created" {
			how = "unchanged"
		}
		return &UpsertERPCustomerResult{CustomerID: created.ID, Action: how}, nil
	}
	// Stripe stamps events in whole seconds: the ERP's edit wins only from the next second on.
	if !found.UpdatedAt.IsZero() && in.EventTime > 0 && found.UpdatedAt.Unix() > in.EventTime && found.ExternalRef == sc.StripeID {
		return &UpsertERPCustomerResult{CustomerID: found.ID, Action: "kept"}, nil
	}
	next := *found
	next.Name, next.Email, next.Phone, next.Address, next.ExternalRef = desired.Name, desired.Email, desired.Phone, desired.Address, sc.StripeID
	if sameContact(*found, next) {
		return &UpsertERPCustomerResult{CustomerID: found.ID, Action: "unchanged"}, nil
	}
	if _, err := a.ERP.UpdateCustomer(ctx, next); err != nil {
		return nil, erpError("update customer "+found.ID, err)
	}
	return &UpsertERPCustomerResult{CustomerID: found.ID, Action: "updated"}, nil
}

// sameContact compares the synced fields, ignoring case and surrounding space; connectors may
// fit or normalise values (Sage widths, X3 country codes), so a field the ERP shortened counts as
// equal when the ERP's value is a prefix of ours.
func sameContact(a, b erp.Customer) bool {
	eq := func(x, y string) bool {
		x, y = strings.ToLower(strings.TrimSpace(x)), strings.ToLower(strings.TrimSpace(y))
		return x == y || (x != "" && strings.HasPrefix(y, x))
	}
	return eq(a.Name, b.Name) && eq(a.Email, b.Email) && eq(a.Phone, b.Phone) && eq(a.Address.Line1, b.Address.Line1) &&
		eq(a.Address.Line2, b.Address.Line2) && eq(a.Address.City, b.Address.City) && eq(a.Address.State, b.Address.State) &&
		eq(a.Address.PostalCode, b.Address.PostalCode) && eq(a.Address.Country, b.Address.Country) && a.ExternalRef == b.ExternalRef
}

// WriteBackCustomerInput links a Stripe customer to its ERP ID.
type WriteBackCustomerInput struct {
	StripeCustomerID string `json:"stripeCustomerId"`
	CustomerID       string `json:"customerId"`
	// ClearSyncHash forgets the ERP → Stripe sync's hash: a Stripe edit was applied to the ERP,
	// so the Stripe data is no longer "what the ERP wrote".
	ClearSyncHash bool  `json:"clearSyncHash,omitempty"`
	EventTime     int64 `json:"eventTime,omitempty"`
}

// WriteBackCustomer records the ERP customer ID in the Stripe customer's metadata.
func (a *Activities) WriteBackCustomer(ctx context.Context, in *WriteBackCustomerInput) (*WriteBackResult, error) {
	md := map[string]string{a.meta().CustomerID: in.CustomerID}
	key := fmt.Sprintf("ledgerbridge-xref-%s-%s", in.StripeCustomerID, in.CustomerID)
	if in.ClearSyncHash {
		md[MetaSyncHash] = "" // Stripe deletes a metadata key set to ""
		key = fmt.Sprintf("%s-unhash-%d", key, in.EventTime)
	}
	if err := a.Stripe.UpdateCustomerMetadata(ctx, in.StripeCustomerID, md, key); err != nil {
		return nil, stripeError("write ERP ID to customer "+in.StripeCustomerID, err)
	}
	return &WriteBackResult{}, nil
}

// ChangedERPCustomersInput is the sync cursor: changes after (Since, AfterID), in
// (UpdatedAt, ID) order, so that many customers changed at the same instant page correctly.
type ChangedERPCustomersInput struct {
	Since   time.Time `json:"since"`
	AfterID string    `json:"afterId,omitempty"`
	Limit   int       `json:"limit"`
}

// ChangedERPCustomersResult lists changed customers, oldest change first.
type ChangedERPCustomersResult struct {
	Customers []erp.Customer `json:"customers"`
	More      bool           `json:"more"`
}

// ChangedERPCustomers lists up to Limit ERP customers changed at or after Since.
func (a *Activities) ChangedERPCustomers(ctx context.Context, in *ChangedERPCustomersInput) (*ChangedERPCustomersResult, error) {
	list, err := a.ERP.ListCustomersModifiedSince(ctx, in.Since)
	if err != nil {
		return nil, erpError("list customers changed since "+in.Since.Format(time.RFC3339), err)
	}
	sort.SliceStable(list, func(i, j int) bool {
		if !list[i].UpdatedAt.Equal(list[j].UpdatedAt) {
			return list[i].UpdatedAt.Before(list[j].UpdatedAt)
		}
		return list[i].ID < list[j].ID
	})
	for len(list) > 0 && list[0].UpdatedAt.Equal(in.Since) && in.AfterID != "" && list[0].ID <= in.AfterID {
		list = list[1:]
	}
	for i := range list {
		maskERPCustomer(&list[i])
	}
	res := &ChangedERPCustomersResult{Customers: list}
	if in.Limit > 0 && len(list) > in.Limit {
		res.Customers, res.More = list[:in.Limit], true
	}
	return res, nil
}

// PushCustomerInput is one ERP customer to mirror in Stripe.
type PushCustomerInput struct {
	Customer erp.Customer `json:"customer"`
}

// PushCustomerResult says what happened in Stripe.
type PushCustomerResult struct {
	StripeCustomerID string `json:"stripeCustomerId"`
	Action           string `json:"action"`
}

// PushCustomerToStripe creates or updates the Stripe customer of an ERP customer and writes the
// cross-reference both ways (Stripe metadata and the ERP's Stripe ID field). Idempotency keys
// come from the ERP ID and its change time, so a retry replays rather than duplicates.
func (a *Activities) PushCustomerToStripe(ctx context.Context, in *PushCustomerInput) (*PushCustomerResult, error) {
	c := in.Customer
	if strings.HasPrefix(c.ExternalRef, payTraceRefPrefix) {
		// A PayTrace customer: its profile sync owns it (PushCustomerToPayTrace), not Stripe.
		return &PushCustomerResult{Action: "skipped"}, nil
	}
	params := func() *stripe.CustomerParams {
		p := &stripe.CustomerParams{Name: stripe.String(c.Name), Email: stripe.String(c.Email), Phone: stripe.String(c.Phone),
			Address: &stripe.AddressParams{Line1: stripe.String(c.Address.Line1), Line2: stripe.String(c.Address.Line2),
				City: stripe.String(c.Address.City), State: stripe.String(c.Address.State),
				PostalCode: stripe.String(c.Address.PostalCode), Country: stripe.String(c.Address.Country)}}
		p.AddMetadata(a.meta().CustomerID, c.ID)
		p.AddMetadata(MetaSyncHash, contactHash(c.Name, c.Email, c.Phone, c.Address.Line1, c.Address.Line2, c.Address.City,
			c.Address.State, c.Address.PostalCode, c.Address.Country))
		return p
	}
	if c.ExternalRef == "" {
		// A Stripe customer created for this ERP customer by an earlier attempt whose ERP
		// write-back failed carries its ERP ID in metadata: reuse it rather than create another.
		var created *stripe.Customer
		if c.Email != "" {
			same, err := a.Stripe.CustomersByEmail(ctx, c.Email)
			if err != nil {
				return nil, stripeError("find Stripe customers by email", err)
			}
			for _, sc := range same {
				if a.meta().ERPCustomerID(sc.Metadata) == c.ID {
					created = sc
					break
				}
			}
		}
		if created == nil {
			var err error
			key := fmt.Sprintf("ledgerbridge-erp-customer-%s-%d", c.ID, c.UpdatedAt.UnixNano())
			if created, err = a.Stripe.SaveCustomer(ctx, "", params(), key); err != nil {
				return nil, stripeError("create Stripe customer for "+c.ID, err)
			}
		}
		c.ExternalRef = created.ID
		if _, err := a.ERP.UpdateCustomer(ctx, c); err != nil {
			return nil, erpError("store Stripe ID on customer "+c.ID, err)
		}
		return &PushCustomerResult{StripeCustomerID: created.ID, Action: "created"}, nil
	}
	cur, err := a.Stripe.GetCustomer(ctx, c.ExternalRef)
	if err != nil {
		return nil, stripeError("fetch Stripe customer "+c.ExternalRef, err)
	}
	have := erp.Customer{Name: cur.Name, Email: cur.Email, Phone: cur.Phone, ExternalRef: c.ExternalRef}
	if cur.Address != nil {
		have.Address = erp.Address{Line1: cur.Address.Line1, Line2: cur.Address.Line2, City: cur.Address.City,
			State: cur.Address.State, PostalCode: cur.Address.PostalCode, Country: cur.Address.Country}
	}
	hash := contactHash(c.Name, c.Email, c.Phone, c.Address.Line1, c.Address.Line2, c.Address.City, c.Address.State,
		c.Address.PostalCode, c.Address.Country)
	if sameContact(c, have) && cur.Metadata[a.meta().CustomerID] == c.ID && cur.Metadata[MetaSyncHash] == hash {
		return &PushCustomerResult{StripeCustomerID: cur.ID, Action: "unchanged"}, nil
	}
	key := fmt.Sprintf("ledgerbridge-erp-customer-%s-%d", c.ID, c.UpdatedAt.UnixNano())
	if _, err := a.Stripe.SaveCustomer(ctx, cur.ID, params(), key); err != nil {
		return nil, stripeError("update Stripe customer "+cur.ID, err)
	}
	return &PushCustomerResult{StripeCustomerID: cur.ID, Action: "updated"}, nil
}

// Schedules updates the customer-sync schedule's cursor (the Temporal schedule client).
type Schedules interface {
	GetHandle(ctx context.Context, scheduleID string) client.ScheduleHandle
}

// SaveSyncCursorInput is the cursor the next scheduled run starts from.
type SaveSyncCursorInput struct {
	ScheduleID string    `json:"scheduleId"`
	Cursor     time.Time `json:"cursor"`
	AfterID    string    `json:"afterId,omitempty"`
}

// SaveSyncCursor stores the cursor as the schedule's workflow argument, so the next run starts
// where this one stopped (and an operator sees the cursor in Web UI's schedule view).
func (a *Activities) SaveSyncCursor(ctx context.Context, in *SaveSyncCursorInput) (*WriteBackResult, error) {
	if a.Schedules == nil {
		return nil, fmt.Errorf("no schedule client configured")
	}
	err := a.Schedules.GetHandle(ctx, in.ScheduleID).Update(ctx, client.ScheduleUpdateOptions{
		DoUpdate: func(u client.ScheduleUpdateInput) (*client.ScheduleUpdate, error) {
			act, ok := u.Description.Schedule.Action.(*client.ScheduleWorkflowAction)
			if !ok {
				return nil, fmt.Errorf("schedule %s does not start a workflow", in.ScheduleID)
			}
			act.Args = []interface{}{&SyncCursor{Since: in.Cursor, AfterID: in.AfterID}}
			return &client.ScheduleUpdate{Schedule: &u.Description.Schedule}, nil
		},
	})
	if err != nil {
		return nil, fmt.Errorf("save cursor on schedule %s: %w", in.ScheduleID, err)
	}
	return &WriteBackResult{}, nil
}

// SyncCursor is the argument of each scheduled ERP → Stripe run: the last change pushed.
type SyncCursor struct {
	Since   time.Time `json:"since"`
	AfterID string    `json:"afterId,omitempty"`
}

// MetaSyncHash is the Stripe customer metadata key holding a hash of the contact fields the ERP →
// Stripe sync last wrote. While the customer still hashes to it, Stripe has no edit of its own,
// so the customer.updated that our write caused is recognised as an echo and not applied back.
const MetaSyncHash = "ledgerbridge_sync_hash"

func contactHash(fields ...string) string {
	h := sha256.New()
	for _, f := range fields {
		h.Write([]byte(strings.ToLower(strings.TrimSpace(f))))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}
