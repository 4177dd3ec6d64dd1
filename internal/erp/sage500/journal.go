package sage500

import (
	"context"
	"net/url"

	"github.com/ledgerbridge/ledgerbridge/internal/erp"
)

func fromWireJournal(w wireJournal) *erp.JournalEntry {
	je := &erp.JournalEntry{Number: w.EntryNo, Date: w.PostDate, Currency: w.CurrID, Memo: w.Memo,
		ExternalRef: w.ExternalRef, Status: w.Status}
	for _, l := range w.Lines {
		je.Lines = append(je.Lines, erp.JournalLine{Account: l.AcctNo, Debit: l.Debit.d, Credit: l.Credit.d, Description: l.Description})
	}
	return je
}

// FindJournalEntry returns the oldest journal entry whose ExternalRef is externalRef.
func (c *Client) FindJournalEntry(ctx context.Context, externalRef string) (*erp.JournalEntry, error) {
	if externalRef == "" {
		return nil, localInvalid("FindJournalEntry: external reference is required")
	}
	var l list[wireJournal]
	if err := c.do(ctx, "GET", "/JournalEntries", url.Values{"externalRef": {externalRef}}, nil, &l); err != nil {
		return nil, err
	}
	if len(l.Value) == 0 {
		return nil, nil
	}
	return fromWireJournal(l.Value[0]), nil
}

// PostJournalEntry posts an entry; Sage rejects unbalanced entries, unknown or inactive
// accounts and lines without exactly one positive side (ValidationError).
func (c *Client) PostJournalEntry(ctx context.Context, je erp.JournalEntry) (*erp.JournalEntry, error) {
	w := toWireJournal(je)
	var out wireJournal
	if err := c.do(ctx, "POST", "/JournalEntries", nil, w, &out); err != nil {
		return nil, err
	}
	return fromWireJournal(out), nil
}

// ReverseJournalEntry posts the reversing entry of number (dated date, or the original's date
// when empty) carrying externalRef (Sage's default is "REV-" + the original's) and returns it.
func (c *Client) ReverseJournalEntry(ctx context.Context, number, date, externalRef string) (*erp.JournalEntry, error) {
	if number == "" {
		return nil, localInvalid("ReverseJournalEntry: entry number is required")
	}
	body := map[string]string{}
	if date != "" {
		body["PostDate"] = date
	}
	if externalRef != "" {
		body["ExternalRef"] = externalRef
	}
	var out wireJournal
	if err := c.do(ctx, "POST", "/JournalEntries/"+pathEscape(number)+"/Reverse", nil, body, &out); err != nil {
		return nil, err
	}
	return fromWireJournal(out), nil
}

func toWireJournal(je erp.JournalEntry) wireJournal {
	w := wireJournal{PostDate: je.Date, CurrID: je.Currency, Memo: je.Memo, ExternalRef: je.ExternalRef}
	for _, l := range je.Lines {
		wl := wireJELine{AcctNo: l.Account, Description: l.Description}
		// Only the non-zero side is sent; Sage requires exactly one positive side per line.
		if !l.Debit.IsZero() {
			wl.Debit = amt(l.Debit)
		}
		if !l.Credit.IsZero() {
			wl.Credit = amt(l.Credit)
		}
		w.Lines = append(w.Lines, wl)
	}
	return w
}
