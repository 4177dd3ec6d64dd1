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
	wantValidation(t, err, "Debit", "Credit")

	bad = balancedJE(c, ref("po"), "10.00")
	bad.Lines[0].Debit = decimal.Zero
	bad.Lines[0].Credit = dec("-10.00")
	_, err = c.PostJournalEntry(ctx, bad)
	wantValidation(t, err, "Credit")

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
