package sagepro

import (
	"context"
	"net/url"

	"github.com/ledgerbridge/ledgerbridge/internal/erp"
	"github.com/ledgerbridge/ledgerbridge/internal/erp/httpx"
)

type wireGLLine struct {
	Glacnt  string       `json:"glacnt"`
	Debit   httpx.Amount `json:"debit,omitzero"`
	Credit  httpx.Amount `json:"credit,omitzero"`
	Descrip string       `json:"descrip,omitempty"`
}

type wireGL struct {
	Glno     string       `json:"glno,omitempty"`
	Trandate string       `json:"trandate"`
	Currcode string       `json:"currcode,omitempty"`
	Descrip  string       `json:"descrip,omitempty"`
	Extref   string       `json:"extref"`
	Lines    []wireGLLine `json:"lines"`
	Glstat   string       `json:"glstat,omitempty"`
}

const glPath = "/GLPosting"

func fromWireGL(w wireGL) *erp.JournalEntry {
	status := "Posted"
	if w.Glstat == "R" {
		status = "Reversed"
	}
	je := &erp.JournalEntry{Number: w.Glno, Date: isoDate(w.Trandate), Currency: w.Currcode, Memo: w.Descrip, ExternalRef: w.Extref, Status: status}
	for _, l := range w.Lines {
		je.Lines = append(je.Lines, erp.JournalLine{Account: l.Glacnt, Debit: l.Debit.D, Credit: l.Credit.D, Description: l.Descrip})
	}
	return je
}

// FindJournalEntry returns the oldest GL posting whose extref is externalRef.
func (c *Client) FindJournalEntry(ctx context.Context, externalRef string) (*erp.JournalEntry, error) {
	if externalRef == "" {
		return nil, httpx.Invalid("FindJournalEntry: external reference is required")
	}
	w, err := httpx.First[wireGL](ctx, c.h, glPath, url.Values{"externalRef": {externalRef}})
	if err != nil || w == nil {
		return nil, err
	}
	return fromWireGL(*w), nil
}

// PostJournalEntry posts a GL posting; Sage Pro rejects unbalanced entries, unknown or inactive
// accounts and lines without exactly one positive side.
func (c *Client) PostJournalEntry(ctx context.Context, je erp.JournalEntry) (*erp.JournalEntry, error) {
	w, err := toWireGL(je)
	if err != nil {
		return nil, err
	}
	var out wireGL
	if err := c.h.Do(ctx, "POST", glPath, nil, w, &out); err != nil {
		return nil, err
	}
	return fromWireGL(out), nil
}

// ReverseJournalEntry posts the reversing entry of number (dated date, or the original's date
// when empty) carrying externalRef (Sage Pro's default is "REV-" + the original's).
func (c *Client) ReverseJournalEntry(ctx context.Context, number, date, externalRef string) (*erp.JournalEntry, error) {
	if number == "" {
		return nil, httpx.Invalid("ReverseJournalEntry: entry number is required")
	}
	body := map[string]string{}
	if date != "" {
		d, err := proDate(date)
		if err != nil {
			return nil, err
		}
		body["trandate"] = d
	}
	if externalRef != "" {
		body["extref"] = externalRef
	}
	var out wireGL
	if err := c.h.Do(ctx, "POST", glPath+httpx.Seg(number)+"/Reverse", nil, body, &out); err != nil {
		return nil, err
	}
	return fromWireGL(out), nil
}

func toWireGL(je erp.JournalEntry) (wireGL, error) {
	date, err := proDate(je.Date)
	if err != nil {
		return wireGL{}, err
	}
	w := wireGL{Trandate: date, Currcode: je.Currency, Descrip: je.Memo, Extref: je.ExternalRef}
	for _, l := range je.Lines {
		wl := wireGLLine{Glacnt: l.Account, Descrip: l.Description}
		// Only the non-zero side is sent; Sage Pro requires exactly one positive side per line.
		if !l.Debit.IsZero() {
			wl.Debit = amount(l.Debit, je.Currency)
		}
		if !l.Credit.IsZero() {
			wl.Credit = amount(l.Credit, je.Currency)
		}
		w.Lines = append(w.Lines, wl)
	}
	return w, nil
}

// WireJournal is the body PostJournalEntry would POST.
func (c *Client) WireJournal(je erp.JournalEntry) (any, error) { return toWireGL(je) }
