package sagex3

import (
	"context"
	"net/url"

	"github.com/ledgerbridge/ledgerbridge/internal/erp"
	"github.com/ledgerbridge/ledgerbridge/internal/erp/httpx"
	"github.com/shopspring/decimal"
)

// wireJELine is a GACCENTRYD line: one positive amount and a sense (1 debit, -1 credit).
type wireJELine struct {
	ACC    string       `json:"ACC"`
	SNS    int          `json:"SNS"`
	AMTCUR httpx.Amount `json:"AMTCUR"`
	DES    string       `json:"DES,omitempty"`
}

type wireJournal struct {
	NUM        string       `json:"NUM,omitempty"`
	ACCDAT     string       `json:"ACCDAT"`
	CUR        string       `json:"CUR,omitempty"`
	DES        string       `json:"DES,omitempty"`
	ZEXTREF    string       `json:"ZEXTREF"`
	LINES      []wireJELine `json:"LINES"`
	STA        string       `json:"STA,omitempty"`
	REVERSALOF string       `json:"REVERSALOF,omitempty"`
}

const journalPath = "/financials/journalEntries"

func fromWireJournal(w wireJournal) *erp.JournalEntry {
	je := &erp.JournalEntry{Number: w.NUM, Date: w.ACCDAT, Currency: w.CUR, Memo: w.DES, ExternalRef: w.ZEXTREF, Status: w.STA}
	for _, l := range w.LINES {
		jl := erp.JournalLine{Account: l.ACC, Debit: decimal.Zero, Credit: decimal.Zero, Description: l.DES}
		if l.SNS < 0 {
			jl.Credit = l.AMTCUR.D
		} else {
			jl.Debit = l.AMTCUR.D
		}
		je.Lines = append(je.Lines, jl)
	}
	return je
}

// FindJournalEntry returns the oldest entry whose ZEXTREF is externalRef.
func (c *Client) FindJournalEntry(ctx context.Context, externalRef string) (*erp.JournalEntry, error) {
	if externalRef == "" {
		return nil, httpx.Invalid("FindJournalEntry: external reference is required")
	}
	w, err := httpx.First[wireJournal](ctx, c.h, journalPath, url.Values{"externalRef": {externalRef}})
	if err != nil || w == nil {
		return nil, err
	}
	return fromWireJournal(*w), nil
}

// PostJournalEntry posts a GAS entry. X3 lines carry one amount and a sense, so a line must have
// exactly one positive side (checked here); X3 checks accounts and balance.
func (c *Client) PostJournalEntry(ctx context.Context, je erp.JournalEntry) (*erp.JournalEntry, error) {
	w, err := toWireJournal(je)
	if err != nil {
		return nil, err
	}
	var out wireJournal
	if err := c.h.Do(ctx, "POST", journalPath, nil, w, &out); err != nil {
		return nil, err
	}
	return fromWireJournal(out), nil
}

// ReverseJournalEntry posts the reversing entry of number (dated date, or the original's date
// when empty) carrying externalRef (X3's default is "REV-" + the original's) and returns it.
func (c *Client) ReverseJournalEntry(ctx context.Context, number, date, externalRef string) (*erp.JournalEntry, error) {
	if number == "" {
		return nil, httpx.Invalid("ReverseJournalEntry: entry number is required")
	}
	body := map[string]string{}
	if date != "" {
		body["ACCDAT"] = date
	}
	if externalRef != "" {
		body["ZEXTREF"] = externalRef
	}
	var out wireJournal
	if err := c.h.Do(ctx, "POST", journalPath+httpx.Seg(number)+"/reverse", nil, body, &out); err != nil {
		return nil, err
	}
	return fromWireJournal(out), nil
}

func toWireJournal(je erp.JournalEntry) (wireJournal, error) {
	w := wireJournal{ACCDAT: je.Date, CUR: je.Currency, DES: je.Memo, ZEXTREF: je.ExternalRef}
	for i, l := range je.Lines {
		wl := wireJELine{ACC: l.Account, DES: l.Description}
		switch {
		case l.Debit.IsNegative() || l.Credit.IsNegative() || l.Debit.IsPositive() == l.Credit.IsPositive():
			return w, httpx.Invalid("journal line %d: exactly one of Debit or Credit must be positive and the other zero (Debit %s, Credit %s)",
				i+1, l.Debit, l.Credit)
		case l.Debit.IsPositive():
			wl.SNS, wl.AMTCUR = 1, httpx.Amt(l.Debit)
		default:
			wl.SNS, wl.AMTCUR = -1, httpx.Amt(l.Credit)
		}
		w.LINES = append(w.LINES, wl)
	}
	return w, nil
}

// WireJournal is the body PostJournalEntry would POST.
func (c *Client) WireJournal(je erp.JournalEntry) (any, error) { return toWireJournal(je) }
