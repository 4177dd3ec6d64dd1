package activities

import (
	"context"
	"errors"
	"strings"

	"go.temporal.io/sdk/temporal"

	"github.com/ledgerbridge/ledgerbridge/internal/erp"
	"github.com/ledgerbridge/ledgerbridge/internal/paytrace"
	"github.com/ledgerbridge/ledgerbridge/internal/posting"
)

// PayTrace customer profiles (the vault's tokens) and ERP customers are kept in sync both ways,
// as Stripe customers are: a profile becomes one ERP customer (external reference
// "paytrace-cus-<customer_id>", the same one a by-customer sale resolves to), and an edit made to
// that ERP customer's contact data reaches the profile. A profile cannot be created from the ERP
// (PayTrace needs a card or bank account for it), so ERP customers without a profile stay ERP-only.

// PayTraceCustomerRef is the ERP external reference of a PayTrace customer profile.
func PayTraceCustomerRef(customerID string) string { return payTraceCustomerPrefix + customerID }

// SyncPayTraceProfilesInput pages through the profiles: those after AfterID, up to Limit.
type SyncPayTraceProfilesInput struct {
	AfterID string `json:"afterId,omitempty"`
	Limit   int    `json:"limit,omitempty"`
}

// SyncPayTraceProfilesResult counts what one page did.
type SyncPayTraceProfilesResult struct {
	Seen, Created, Updated int
	// Failed names profiles the ERP refused (data errors), with the reason; they are retried on
	// the next pass.
	Failed []string `json:"failed,omitempty"`
	// LastID is the last profile of the page; More says another page follows.
	LastID string `json:"lastId,omitempty"`
	More   bool   `json:"more"`
}

// SyncPayTraceProfiles mirrors one page of PayTrace customer profiles in the ERP: matched by
// external reference, then by e-mail (an ERP customer not linked to another profile), else
// created with the mapping's customer fields; an existing one is updated only where the profile
// differs and is the newer edit.
func (a *Activities) SyncPayTraceProfiles(ctx context.Context, in *SyncPayTraceProfilesInput) (*SyncPayTraceProfilesResult, error) {
	res := &SyncPayTraceProfilesResult{LastID: in.AfterID}
	for res.Seen < max(in.Limit, 1) {
		page, more, err := a.PayTrace.ExportCustomers(ctx, paytrace.CustomerQuery{AfterCustomerID: res.LastID})
		if err != nil {
			return nil, payTraceError("export customer profiles", err)
		}
		for _, p := range page {
			res.Seen++
			res.LastID = p.ID
			action, err := a.upsertProfileCustomer(ctx, &p)
			switch {
			case err != nil && isDataProblem(err):
				res.Failed = append(res.Failed, p.ID+": "+err.Error())
			case err != nil:
				return nil, err
			case action == "created":
				res.Created++
			case action == "updated":
				res.Updated++
			}
		}
		if !more || len(page) == 0 {
			return res, nil
		}
		res.More = true
	}
	return res, nil
}

// profileParty is the posting layer's view of a profile, so the mapping's customer fields apply.
func profileParty(p *paytrace.Customer) *ChargeSnapshot {
	b := p.BillingAddress
	ch := &ChargeSnapshot{Provider: "paytrace", Customer: CustomerSnapshot{StripeID: PayTraceCustomerRef(p.ID), Email: p.Email,
		Name: b.Name, Phone: p.Phone, Line1: b.StreetAddress, Line2: b.StreetAddress2, City: b.City, State: b.State,
		PostalCode: b.Zip, Country: b.Country}}
	ch.Mask()
	return ch
}

func (a *Activities) upsertProfileCustomer(ctx context.Context, p *paytrace.Customer) (string, error) {
	ref := PayTraceCustomerRef(p.ID)
	desired, err := posting.Customer(a.mapping(), profileParty(p))
	if err != nil {
		return "", dataError(err)
	}
	desired.ExternalRef = ref
	found, err := a.ERP.FindCustomerByExternalRef(ctx, ref)
	if err != nil {
		return "", erpError("find customer "+ref, err)
	}
	if found == nil && p.Email != "" {
		c, err := a.ERP.FindCustomerByEmail(ctx, p.Email)
		if err != nil {
			return "", erpError("find customer by email", err)
		}
		if c != nil && (c.ExternalRef == "" || c.ExternalRef == ref) {
			found = c
		}
	}
	if found == nil {
		_, how, err := a.createCustomerOnce(ctx, desired, ref)
		return how, err
	}
	// Newer edit wins: an ERP change made after the profile's last change is pushed the other way.
	if found.ExternalRef == ref && !found.UpdatedAt.IsZero() && found.UpdatedAt.After(p.Updated) {
		return "kept", nil
	}
	next := *found
	next.Name, next.Email, next.Phone, next.Address, next.ExternalRef = desired.Name, desired.Email, desired.Phone, desired.Address, ref
	if sameContact(*found, next) {
		return "unchanged", nil
	}
	if _, err := a.ERP.UpdateCustomer(ctx, next); err != nil {
		return "", erpError("update customer "+found.ID, err)
	}
	return "updated", nil
}

// PushCustomerToPayTraceInput is one changed ERP customer.
type PushCustomerToPayTraceInput struct {
	Customer erp.Customer `json:"customer"`
}

// PushCustomerToPayTrace writes an ERP customer's contact data (billing name and address, e-mail,
// phone) to its PayTrace profile when they differ and the ERP's edit is the newer one. ERP
// customers not linked to a profile are left alone ("skipped").
func (a *Activities) PushCustomerToPayTrace(ctx context.Context, in *PushCustomerToPayTraceInput) (*PushCustomerResult, error) {
	c := in.Customer
	id, ok := strings.CutPrefix(c.ExternalRef, payTraceCustomerPrefix)
	if !ok || id == "" {
		return &PushCustomerResult{Action: "skipped"}, nil
	}
	p, err := a.PayTrace.Customer(ctx, id)
	if errors.Is(err, paytrace.ErrNotFound) || (err == nil && p == nil) {
		return &PushCustomerResult{Action: "skipped"}, nil // the profile was deleted in PayTrace
	}
	if err != nil {
		return nil, payTraceError("export customer profile "+id, err)
	}
	if p.Updated.After(c.UpdatedAt) {
		return &PushCustomerResult{StripeCustomerID: id, Action: "kept"}, nil
	}
	have, err := posting.Customer(a.mapping(), profileParty(p))
	if err != nil {
		return nil, dataError(err)
	}
	have.ExternalRef = c.ExternalRef
	if sameContact(c, have) {
		return &PushCustomerResult{StripeCustomerID: id, Action: "unchanged"}, nil
	}
	email, phone := c.Email, c.Phone
	upd := paytrace.CustomerUpdate{CustomerID: id, Email: &email, Phone: &phone, BillingAddress: &paytrace.Address{
		Name: c.Name, StreetAddress: c.Address.Line1, StreetAddress2: c.Address.Line2, City: c.Address.City,
		State: c.Address.State, Zip: c.Address.PostalCode, Country: c.Address.Country}}
	r, err := a.PayTrace.UpdateCustomer(ctx, upd)
	if err != nil {
		return nil, payTraceError("update customer profile "+id, err)
	}
	if r != nil && !r.Success {
		return nil, validation("PayTrace refused the update of customer profile " + id + ": " + r.StatusMessage)
	}
	return &PushCustomerResult{StripeCustomerID: id, Action: "updated"}, nil
}

// isDataProblem reports whether err is a validation error (the ERP or the mapping refused the
// data), which retrying cannot fix, as opposed to an outage or rejected credentials.
func isDataProblem(err error) bool {
	var ae *temporal.ApplicationError
	return errors.As(err, &ae) && ae.Type() == ErrValidation
}
