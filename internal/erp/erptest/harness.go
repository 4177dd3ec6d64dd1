// Package erptest is a conformance suite for erp.Connector implementations, run against a real
// (or sandboxed) ERP over real HTTP. A connector's test calls RunConformance; optional abilities
// of the environment (fault injection, restart, bad credentials, fixtures) are discovered by
// type assertions on the value newConnector returns, so the suite runs what each ERP supports.
package erptest

import (
	"testing"
	"time"

	"github.com/ledgerbridge/ledgerbridge/internal/erp"
)

// Fixtures names master data that must exist in the ERP under test.
type Fixtures struct {
	// ItemID is an active, sellable item.
	ItemID string
	// UnknownItemID does not exist.
	UnknownItemID string
	// DebitAccount and CreditAccount are active GL accounts.
	DebitAccount, CreditAccount string
	// UnknownAccount is not in the chart of accounts.
	UnknownAccount string
	// Terms are the field names the ERP's validation messages use; empty ones default to
	// Sage 500's (Sage500Terms).
	Terms Terms
	// UniqueCustomers is set for ERPs that reject a second customer with the same e-mail or
	// external reference (Sage X3's duplicate BPC control) instead of storing it.
	UniqueCustomers bool
	// PaymentType and PaymentStatus are what the posting layer renders from the mapping for a
	// card payment on this ERP (Sage X3 PAYTYP, Sage Pro PaymentStatus), empty where the ERP has
	// no such field; cases that do not test them get these.
	PaymentType, PaymentStatus string
}

// Terms names fields as they appear in an ERP's validation messages.
type Terms struct {
	CustomerName, Quantity, PaymentAmount, Debit, Credit string
}

// Sage500Terms are the Sage 500 field names.
var Sage500Terms = Terms{CustomerName: "CustomerName", Quantity: "Qty", PaymentAmount: "Amount", Debit: "Debit", Credit: "Credit"}

// term returns the ERP's name for a field, defaulting to Sage 500's.
func (f Fixtures) term(pick func(Terms) string) string {
	if v := pick(f.Terms); v != "" {
		return v
	}
	return pick(Sage500Terms)
}

// Sage500Fixtures are the Sage sandbox's seeded Sage 500 master data.
var Sage500Fixtures = Fixtures{
	ItemID: "STRIPE-SALE", UnknownItemID: "NOPE",
	DebitAccount: "1015-00", CreditAccount: "4000-00", UnknownAccount: "9999-99",
}

// Fixtured is implemented by environments whose master data differs from Sage500Fixtures.
type Fixtured interface{ Fixtures() Fixtures }

// Fault is an injected ERP failure.
type Fault struct {
	// Status is 429 or a 5xx.
	Status int
	// RetryAfter, when non-zero, is sent as Retry-After.
	RetryAfter time.Duration
}

// FaultInjector is implemented by environments that can make the ERP fail every request.
type FaultInjector interface {
	InjectFault(t *testing.T, f Fault)
	ClearFaults(t *testing.T)
}

// Restarter is implemented by environments that can restart the ERP on the same storage; it
// returns a connector to the restarted instance.
type Restarter interface {
	Restart(t *testing.T) erp.Connector
}

// BadCredentials is implemented by environments that can build a connector to the same ERP
// with a rejected credential.
type BadCredentials interface {
	WithBadCredentials(t *testing.T) erp.Connector
}

func fixturesOf(c erp.Connector) Fixtures {
	if f, ok := c.(Fixtured); ok {
		return f.Fixtures()
	}
	return Sage500Fixtures
}

// mapped fills a payment's mapped fields the way the posting layer would, unless a case set them.
func mapped(c erp.Connector, p erp.Payment) erp.Payment {
	fx := fixturesOf(c)
	if p.Type == "" {
		p.Type = fx.PaymentType
	}
	if p.PaymentStatus == "" {
		p.PaymentStatus = fx.PaymentStatus
	}
	return p
}
