package erptest

import (
	"testing"

	"github.com/ledgerbridge/ledgerbridge/internal/erp"
	"github.com/shopspring/decimal"
)

func balancedJE(c erp.Connector, extRef, amount string) erp.JournalEntry {
	fx := fixturesOf(c)
	return erp.JournalEntry{Date: testDate, Currency: "USD", Memo: "Payout", ExternalRef: extRef, Lines: []erp.JournalLine{
		{Account: fx.DebitAccount, Debit: dec(amount), Description: "clearing"},
		{Account: fx.CreditAccount, Credit: dec(amount), Description: "sales"},
	}}
}

func testJournalEntries(t *testing.T, c erp.Connector) {
	ctx := ctxT(t)
	fx := fixturesOf(c)
	in := balancedJE(c, ref("po"), "123.45")
	je := must(c.PostJournalEntry(ctx, in))
	if je.Number == "" || len(je.Lines) != 2 || je.Lines[0].Account != fx.DebitAccount {
		t.Fatalf("journal entry = %+v", je)
	}
	eqDec(t, "debit", je.Lines[0].Debit, "123.45")
	eqDec(t, "credit side of debit line", je.Lines[0].Credit, "0")
	eqDec(t, "credit", je.Lines[1].Credit, "123.45")
	if got := must(c.FindJournalEntry(ctx, in.ExternalRef)); got == nil || got.Number != je.Number {
		t.Errorf("FindJournalEntry = %+v", got)
	}
	if got := must(c.FindJournalEntry(ctx, ref("po_missing"))); got != nil {
		t.Errorf("FindJournalEntry(missing) = %+v, want nil", got)
	}

	bad := balancedJE(c, ref("po"), "10.00")
	bad.Lines[1].Credit = dec("9.99")
	_, err := c.PostJournalEntry(ctx, bad)
	wantValidation(t, err, "10.00", "9.99")

	bad = balancedJE(c, ref("po"), "10.00")
	bad.Lines = bad.Lines[:1]
	_, err = c.PostJournalEntry(ctx, bad)
	wantValidation(t, err, "2")

	bad = balancedJE(c, ref("po"), "10.00")
	bad.Lines[0].Credit = dec("10.00") // both sides on one line
	bad.Lines = append(bad.Lines, erp.JournalLine{Account: fx.DebitAccount, Debit: dec("10.00")})
	_, err = c.PostJournalEntry(ctx, bad)
	wantValidation(t, err, fx.term(func(t Terms) string { return t.Debit }), fx.term(func(t Terms) string { return t.Credit }))

	bad = balancedJE(c, ref("po"), "10.00")
	bad.Lines[0].Debit = decimal.Zero
	bad.Lines[0].Credit = dec("-10.00")
	_, err = c.PostJournalEntry(ctx, bad)
	wantValidation(t, err, fx.term(func(t Terms) string { return t.Credit }))

	bad = balancedJE(c, ref("po"), "10.00")
	bad.Lines[1].Account = fx.UnknownAccount
	_, err = c.PostJournalEntry(ctx, bad)
	wantValidation(t, err, fx.UnknownAccount)

	// Multi-line payout: gross, fee and a suspense residual still balance.
	multi := erp.JournalEntry{Date: testDate, Currency: "USD", ExternalRef: ref("po"), Lines: []erp.JournalLine{
		{Account: fx.DebitAccount, Debit: dec("97.10")},
		{Account: fx.DebitAccount, Debit: dec("2.90")},
		{Account: fx.CreditAccount, Credit: dec("99.99")},
		{Account: fx.CreditAccount, Credit: dec("0.01")},
	}}
	must(c.PostJournalEntry(ctx, multi))
}

func testReverseJournalEntry(t *testing.T, c erp.Connector) {
	ctx := ctxT(t)
	je := must(c.PostJournalEntry(ctx, balancedJE(c, ref("po"), "40.00")))
	revRef := ref("rev")
	rev := must(c.ReverseJournalEntry(ctx, je.Number, "2026-01-31", revRef))
	if rev.Number == "" || rev.Number == je.Number || rev.ExternalRef != revRef || rev.Date != "2026-01-31" || len(rev.Lines) != 2 {
		t.Fatalf("reversal = %+v", rev)
	}
	// The reversal mirrors the original: debits become credits and vice versa.
	eqDec(t, "reversal line 1 debit", rev.Lines[0].Debit, "0")
	eqDec(t, "reversal line 1 credit", rev.Lines[0].Credit, "40.00")
	eqDec(t, "reversal line 2 debit", rev.Lines[1].Debit, "40.00")
	if rev.Lines[0].Account != je.Lines[0].Account {
		t.Errorf("reversal line 1 account = %s, want %s", rev.Lines[0].Account, je.Lines[0].Account)
	}
	if got := must(c.FindJournalEntry(ctx, revRef)); got == nil || got.Number != rev.Number {
		t.Errorf("FindJournalEntry(reversal ref) = %+v, want %s", got, rev.Number)
	}
	if got := must(c.FindJournalEntry(ctx, je.ExternalRef)); got == nil || got.Status != "Reversed" {
		t.Errorf("original after reversal = %+v, want status Reversed", got)
	}
	// A second reversal is refused (callers FindJournalEntry(externalRef) before reversing).
	_, err := c.ReverseJournalEntry(ctx, je.Number, "", ref("rev"))
	wantValidation(t, err, je.Number)
	_, err = c.ReverseJournalEntry(ctx, "NOPE-JE", "", ref("rev"))
	wantValidation(t, err, "NOPE-JE")
	// A reversal without a date keeps the original's.
	je2 := must(c.PostJournalEntry(ctx, balancedJE(c, ref("po"), "1.00")))
	rev2 := must(c.ReverseJournalEntry(ctx, je2.Number, "", ref("rev")))
	if rev2.Date != je2.Date {
		t.Errorf("reversal date = %q, want the original's %q", rev2.Date, je2.Date)
	}
}
