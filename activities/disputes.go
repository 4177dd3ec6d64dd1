package activities

import (
	"context"
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/ledgerbridge/ledgerbridge/internal/erp"
	"github.com/ledgerbridge/ledgerbridge/internal/money"
)

// DisputeSnapshot is a Stripe dispute and the balance transactions (legs) it has moved so far.
type DisputeSnapshot struct {
	ID       string          `json:"id"`
	ChargeID string          `json:"chargeId"`
	Amount   decimal.Decimal `json:"amount"`
	Currency string          `json:"currency"`
	Status   string          `json:"status"`
	Reason   string          `json:"reason,omitempty"`
	Created  int64           `json:"created"`
	Legs     []DisputeLeg    `json:"legs"`
}

// Closed reports whether Stripe has decided the dispute.
func (d *DisputeSnapshot) Closed() bool {
	return d.Status == "won" || d.Status == "lost" || d.Status == "warning_closed"
}

// DisputeLeg is one money movement of a dispute: the withdrawal (reporting category "dispute")
// or the reinstatement when won ("dispute_reversal").
type DisputeLeg struct {
	TxnID    string          `json:"txnId"`
	Category string          `json:"category"`
	Amount   decimal.Decimal `json:"amount"`
	Fee      decimal.Decimal `json:"fee"`
	Net      decimal.Decimal `json:"net"`
	Currency string          `json:"currency"`
	Created  int64           `json:"created"`
}

// FetchDisputeInput names a dispute.
type FetchDisputeInput struct {
	DisputeID string `json:"disputeId"`
}

// FetchDispute re-fetches a dispute with its balance transactions.
func (a *Activities) FetchDispute(ctx context.Context, in *FetchDisputeInput) (*DisputeSnapshot, error) {
	d, err := a.Stripe.GetDispute(ctx, in.DisputeID)
	if err != nil {
		return nil, stripeError("fetch dispute "+in.DisputeID, err)
	}
	s := &DisputeSnapshot{ID: d.ID, Amount: money.FromMinor(d.Amount, string(d.Currency)), Currency: money.Currency(string(d.Currency)),
		Status: string(d.Status), Reason: string(d.Reason), Created: d.Created}
	if d.Charge != nil {
		s.ChargeID = d.Charge.ID
	}
	for _, bt := range d.BalanceTransactions {
		cur := string(bt.Currency)
		s.Legs = append(s.Legs, DisputeLeg{TxnID: bt.ID, Category: string(bt.ReportingCategory),
			Amount: money.FromMinor(bt.Amount, cur), Fee: money.FromMinor(bt.Fee, cur), Net: money.FromMinor(bt.Net, cur),
			Currency: money.Currency(cur), Created: bt.Created})
	}
	return s, nil
}

// PostDisputeLegInput is one leg to post.
type PostDisputeLegInput struct {
	Dispute *DisputeSnapshot `json:"dispute"`
	Leg     DisputeLeg       `json:"leg"`
}

// PostDisputeLeg posts one dispute leg as a journal entry whose external reference is the leg's
// balance transaction, so no leg is ever posted twice. A withdrawal is Dr chargebacks, Dr dispute
// fees / Cr clearing; a reinstatement the reverse. The payout that later sweeps the leg moves
// the same net through clearing, which then nets to zero.
func (a *Activities) PostDisputeLeg(ctx context.Context, in *PostDisputeLegInput) (*PostJournalResult, error) {
	d, l := in.Dispute, in.Leg
	lines := []erp.JournalLine{}
	add := func(acct string, signedDebit decimal.Decimal, desc string) {
		switch {
		case signedDebit.IsPositive():
			lines = append(lines, erp.JournalLine{Account: acct, Debit: signedDebit, Description: desc})
		case signedDebit.IsNegative():
			lines = append(lines, erp.JournalLine{Account: acct, Credit: signedDebit.Neg(), Description: desc})
		}
	}
	label := fmt.Sprintf("Dispute %s (%s) on charge %s", d.ID, l.Category, d.ChargeID)
	add(a.GL.Chargebacks, l.Amount.Neg(), label)
	add(a.GL.DisputeFees, l.Fee, "Dispute fee "+d.ID)
	add(a.GL.Clearing, l.Net, label)
	return a.postJournalOnce(ctx, erp.JournalEntry{Date: a.date(l.Created), Currency: l.Currency, ExternalRef: l.TxnID,
		Memo: label + ", status " + d.Status, Lines: lines})
}

// ReverseJournalInput names an entry to reverse and the reversal's external reference.
type ReverseJournalInput struct {
	ExternalRef string `json:"externalRef"`
	Date        string `json:"date,omitempty"`
}

// ReverseJournal posts the reversal of the entry with ExternalRef, once: the reversal carries
// "REV-" + ExternalRef and is looked up first. A missing original is nothing to reverse.
func (a *Activities) ReverseJournal(ctx context.Context, in *ReverseJournalInput) (*PostJournalResult, error) {
	revRef := "REV-" + in.ExternalRef
	if rev, err := a.ERP.FindJournalEntry(ctx, revRef); err != nil {
		return nil, erpError("find reversal "+revRef, err)
	} else if rev != nil {
		return &PostJournalResult{Number: rev.Number, Reused: true}, nil
	}
	orig, err := a.ERP.FindJournalEntry(ctx, in.ExternalRef)
	if err != nil {
		return nil, erpError("find journal entry "+in.ExternalRef, err)
	}
	if orig == nil {
		return &PostJournalResult{}, nil
	}
	rev, err := a.ERP.ReverseJournalEntry(ctx, orig.Number, in.Date, revRef)
	if err != nil {
		return nil, erpError("reverse journal entry "+orig.Number, err)
	}
	return &PostJournalResult{Number: rev.Number}, nil
}

// FindJournalInput names an entry by external reference.
type FindJournalInput struct {
	ExternalRef string `json:"externalRef"`
}

// FindJournal returns the number of the entry with the external reference, or "".
func (a *Activities) FindJournal(ctx context.Context, in *FindJournalInput) (*PostJournalResult, error) {
	je, err := a.ERP.FindJournalEntry(ctx, in.ExternalRef)
	if err != nil {
		return nil, erpError("find journal entry "+in.ExternalRef, err)
	}
	if je == nil {
		return &PostJournalResult{}, nil
	}
	return &PostJournalResult{Number: je.Number, Reused: true}, nil
}
