package sagesandbox

import (
	"fmt"
	"net/http"

	"github.com/shopspring/decimal"
)

// checkJELines validates GL lines (≥2, one positive side each, active accounts, balanced) and
// returns them with both sides set at the currency's scale.
func checkJELines(t *txn, lines []s5JELine, curr string) ([]s5JELine, error) {
	if len(lines) < 2 {
		return nil, badField("Lines", "a journal entry needs at least 2 lines, got %d", len(lines))
	}
	if len(lines) > maxLines {
		return nil, badField("Lines", "%d lines exceed the maximum of %d", len(lines), maxLines)
	}
	places := decimalsOf(curr)
	zero := decimal.Zero.Round(places)
	debits, credits := zero, zero
	out := make([]s5JELine, len(lines))
	for i, l := range lines {
		f := func(name string) string { return fmt.Sprintf("Lines[%d].%s", i, name) }
		l.LineNo = i + 1
		if err := activeAccount(t, f("AcctNo"), l.AcctNo); err != nil {
			return nil, err
		}
		if err := checkLen(f("Description"), l.Description, 255); err != nil {
			return nil, err
		}
		dr, cr := zero, zero
		var err error
		if l.Debit.set {
			if dr, err = checkAmount(f("Debit"), l.Debit, curr); err != nil {
				return nil, err
			}
		}
		if l.Credit.set {
			if cr, err = checkAmount(f("Credit"), l.Credit, curr); err != nil {
				return nil, err
			}
		}
		if dr.IsNegative() || cr.IsNegative() || dr.IsPositive() == cr.IsPositive() {
			return nil, badField(fmt.Sprintf("Lines[%d]", i), "Lines[%d]: exactly one of Debit or Credit must be positive and the other zero (Debit %s, Credit %s)",
				i, dr.StringFixed(places), cr.StringFixed(places))
		}
		debits, credits = debits.Add(dr), credits.Add(cr)
		l.Debit, l.Credit = val(dr), val(cr)
		out[i] = l
	}
	if !debits.Equal(credits) {
		return nil, badField("Lines", "journal entry is out of balance: debits %s ≠ credits %s (difference %s)",
			debits.StringFixed(places), credits.StringFixed(places), debits.Sub(credits).StringFixed(places))
	}
	return out, nil
}

func activeAccount(t *txn, field, no string) error {
	if no == "" {
		return badField(field, "%s is required", field)
	}
	var a s5GLAccount
	found, err := t.get(s5KindGLAccount, no, &a)
	if err != nil {
		return err
	}
	if !found {
		return badField(field, "AcctNo %q does not exist in the chart of accounts", no)
	}
	if a.Status != s5Active {
		return badField(field, "AcctNo %q is %s and cannot be posted to", no, a.Status)
	}
	return nil
}

func (s *Server) s5CreateJournal(r *http.Request) (int, any, error) {
	var j s5Journal
	if err := decodeBody(r, &j); err != nil {
		return 0, nil, err
	}
	if err := firstErr(readOnly("EntryNo", j.EntryNo != ""), readOnly("Status", j.Status != ""),
		readOnly("ReversalOf", j.ReversalOf != ""), readOnly("ReversedBy", j.ReversedBy != ""),
		checkDate("PostDate", j.PostDate), checkLen("ExternalRef", j.ExternalRef, 100), checkLen("Memo", j.Memo, 255)); err != nil {
		return 0, nil, err
	}
	curr, err := checkCurr("CurrID", j.CurrID, "USD")
	if err != nil {
		return 0, nil, err
	}
	err = s.st.write(r.Context(), func(t *txn) error {
		lines, err := checkJELines(t, j.Lines, curr)
		if err != nil {
			return err
		}
		n, err := t.next(s5KindJournal)
		if err != nil {
			return err
		}
		j.EntryNo, j.CurrID, j.Lines, j.Status = docNo("JE-", n), curr, lines, s5Posted
		j.CreateDate, j.UpdateDate = stamp(t.now), stamp(t.now)
		return t.insert(s5KindJournal, j.EntryNo, &j)
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, &j, nil
}

func (s *Server) s5GetJournal(r *http.Request) (int, any, error) {
	return getOne[s5Journal](s, r, s5KindJournal, "JournalEntry", r.PathValue("no"))
}

func (s *Server) s5ListJournals(r *http.Request) (int, any, error) {
	q, err := queryParams(r, "externalRef")
	if err != nil {
		return 0, nil, err
	}
	return listMatching[s5Journal](s, r, s5KindJournal, filter{ExternalRef: q.Get("externalRef")})
}

// s5ReverseRequest is the optional body of POST /JournalEntries/{no}/Reverse.
type s5ReverseRequest struct {
	PostDate    string `json:"PostDate"`    // default: the original's PostDate
	ExternalRef string `json:"ExternalRef"` // default: "REV-" + the original's ExternalRef
	Memo        string `json:"Memo"`
}

// s5ReverseJournal posts the mirror entry of a posted entry and marks the original Reversed.
func (s *Server) s5ReverseJournal(r *http.Request) (int, any, error) {
	no := r.PathValue("no")
	var req s5ReverseRequest
	if err := decodeOptionalBody(r, &req); err != nil {
		return 0, nil, err
	}
	if req.PostDate != "" {
		if err := checkDate("PostDate", req.PostDate); err != nil {
			return 0, nil, err
		}
	}
	var rev s5Journal
	err := s.st.write(r.Context(), func(t *txn) error {
		var orig s5Journal
		found, err := t.get(s5KindJournal, no, &orig)
		if err != nil {
			return err
		}
		switch {
		case !found:
			return notFound("JournalEntry %q does not exist", no)
		case orig.Status == s5Reversed:
			return conflict("Status", "JournalEntry %q is already reversed by %s", no, orig.ReversedBy)
		case orig.ReversalOf != "":
			return conflict("ReversalOf", "JournalEntry %q is itself the reversal of %s and cannot be reversed", no, orig.ReversalOf)
		}
		n, err := t.next(s5KindJournal)
		if err != nil {
			return err
		}
		rev = s5Journal{EntryNo: docNo("JE-", n), PostDate: orig.PostDate, CurrID: orig.CurrID, Status: s5Posted,
			ExternalRef: "REV-" + orig.ExternalRef, Memo: "Reversal of " + no, ReversalOf: no,
			CreateDate: stamp(t.now), UpdateDate: stamp(t.now)}
		if req.PostDate != "" {
			rev.PostDate = req.PostDate
		}
		if req.ExternalRef != "" {
			rev.ExternalRef = req.ExternalRef
		}
		if req.Memo != "" {
			rev.Memo = req.Memo
		}
		for _, l := range orig.Lines {
			rev.Lines = append(rev.Lines, s5JELine{LineNo: l.LineNo, AcctNo: l.AcctNo, Debit: l.Credit, Credit: l.Debit, Description: l.Description})
		}
		orig.Status, orig.ReversedBy, orig.UpdateDate = s5Reversed, rev.EntryNo, stamp(t.now)
		if err := t.update(s5KindJournal, no, &orig); err != nil {
			return err
		}
		return t.insert(s5KindJournal, rev.EntryNo, &rev)
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, &rev, nil
}
