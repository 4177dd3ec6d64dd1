package sagesandbox

import (
	"fmt"

	"github.com/shopspring/decimal"
)

// ldPaySpec names the payment fields in messages.
type ldPaySpec struct {
	label, customerField, invoiceField, amountField string
}

// createPayment validates a cash receipt and applies it to its invoice. p.Date must already be
// valid; dialect-specific checks (payment type, bank account) run before.
func (d *ldDialect) createPayment(t *txn, s ldPaySpec, p *ldPay) error {
	if p.Customer == "" {
		return badField(s.customerField, "%s is required", s.customerField)
	}
	if err := firstErr(checkLen(d.v.ExtRef, p.ExtRef, 100), checkLen(d.v.Memo, p.Memo, 255)); err != nil {
		return err
	}
	if _, err := checkCurr(d.v.Curr, p.Curr, "USD"); err != nil {
		return err
	}
	c, err := d.activeCustomer(t, s.customerField, p.Customer)
	if err != nil {
		return err
	}
	if p.Curr == "" {
		p.Curr = c.Curr
	}
	if p.Invoice == "" {
		return badField(s.invoiceField, "%s is required: payments are applied to an invoice", s.invoiceField)
	}
	if !p.Amount.set {
		return badField(s.amountField, "%s is required", s.amountField)
	}
	amt, err := checkAmount(s.amountField, p.Amount, p.Curr)
	if err != nil {
		return err
	}
	if !amt.IsPositive() {
		return badField(s.amountField, "%s %s must be greater than 0", s.amountField, amt)
	}
	if err := d.feeSplit(p, amt); err != nil {
		return err
	}
	inv, err := d.openInvoice(t, s.invoiceField, p.Invoice, p.Customer, p.Curr)
	if err != nil {
		return err
	}
	places := decimalsOf(p.Curr)
	if amt.GreaterThan(inv.Balance.d) {
		return badField(s.amountField, "%s %s exceeds the open balance %s of invoice %q",
			s.amountField, amt.StringFixed(places), inv.Balance.d.StringFixed(places), p.Invoice)
	}
	inv.Balance = val(inv.Balance.d.Sub(amt).Round(places))
	inv.Status, inv.Updated = statusFor(inv.Balance.d), stamp(t.now)
	if err := t.update(d.kind(ldInvoice), inv.No, inv); err != nil {
		return err
	}
	if p.No, err = d.next(t, ldPayment); err != nil {
		return err
	}
	p.Amount, p.Status, p.Created, p.Updated = val(amt), s5Applied, stamp(t.now), stamp(t.now)
	return t.insert(d.kind(ldPayment), p.No, p)
}

// feeSplit defaults and checks the gross/fee/net breakdown of a receipt: gross is the amount
// applied, net = gross − fee.
func (d *ldDialect) feeSplit(p *ldPay, amt decimal.Decimal) error {
	places := decimalsOf(p.Curr)
	get := func(field string, n num, def decimal.Decimal) (decimal.Decimal, error) {
		if !n.set {
			return def, nil
		}
		v, err := checkAmount(field, n, p.Curr)
		if err == nil && v.IsNegative() {
			err = badField(field, "%s %s must not be negative", field, v.StringFixed(places))
		}
		return v, err
	}
	gross, err := get("gross", p.Gross, amt)
	if err != nil {
		return err
	}
	fee, err := get("fee", p.Fee, decimal.Zero.Round(places))
	if err != nil {
		return err
	}
	net, err := get("net", p.Net, gross.Sub(fee))
	if err != nil {
		return err
	}
	switch {
	case !gross.Equal(amt):
		return badField("gross", "gross amount %s must equal the amount applied %s", gross.StringFixed(places), amt.StringFixed(places))
	case fee.GreaterThan(gross):
		return badField("fee", "fee %s exceeds the gross amount %s", fee.StringFixed(places), gross.StringFixed(places))
	case !net.Equal(gross.Sub(fee)):
		return badField("net", "net amount %s does not equal gross %s − fee %s = %s",
			net.StringFixed(places), gross.StringFixed(places), fee.StringFixed(places), gross.Sub(fee).StringFixed(places))
	}
	p.Gross, p.Fee, p.Net = val(gross.Round(places)), val(fee.Round(places)), val(net.Round(places))
	return nil
}

// voidPayment voids a receipt and restores its invoice's balance.
func (d *ldDialect) voidPayment(t *txn, label, no string) (*ldPay, error) {
	var p ldPay
	found, err := t.get(d.kind(ldPayment), no, &p)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, notFound("%s %q does not exist", label, no)
	}
	if p.Status == s5Void {
		return nil, conflict("status", "%s %q is already Void", label, no)
	}
	if err := d.restore(t, p.Invoice, p.Amount.d); err != nil {
		return nil, err
	}
	p.Status, p.Updated = s5Void, stamp(t.now)
	return &p, t.update(d.kind(ldPayment), no, &p)
}

// account loads an active GL account; label prefixes the message (the X3 payment failure).
func (d *ldDialect) account(t *txn, field, no, prefix string) error {
	if no == "" {
		return badField(field, "%s%s is required", prefix, field)
	}
	var a ldAccount
	found, err := t.get(d.kind(ldAcctK), no, &a)
	if err != nil {
		return err
	}
	if !found {
		return badField(field, "%s%s %q does not exist in the chart of accounts", prefix, d.v.AccountField, no)
	}
	if !a.Active {
		return badField(field, "%s%s %q is inactive and cannot be posted to", prefix, d.v.AccountField, no)
	}
	return nil
}

// jeLines validates GL lines: ≥ 2, one positive side each, active accounts, balanced.
func (d *ldDialect) jeLines(t *txn, lines []ldJELine, curr string) ([]ldJELine, error) {
	if len(lines) < 2 {
		return nil, badField(d.v.Lines, "a journal entry needs at least 2 lines, got %d", len(lines))
	}
	if len(lines) > maxLines {
		return nil, badField(d.v.Lines, "%d lines exceed the maximum of %d", len(lines), maxLines)
	}
	places := decimalsOf(curr)
	z := decimal.Zero.Round(places)
	debits, credits := z, z
	out := make([]ldJELine, len(lines))
	for i, l := range lines {
		l.LineNo = i + 1
		if err := d.account(t, d.line(i, d.v.AccountField), l.Account, ""); err != nil {
			return nil, err
		}
		if err := checkLen(d.line(i, d.v.Desc), l.Desc, 255); err != nil {
			return nil, err
		}
		dr, cr := z, z
		var err error
		if l.Debit.set {
			if dr, err = checkAmount(d.line(i, d.v.Debit), l.Debit, curr); err != nil {
				return nil, err
			}
		}
		if l.Credit.set {
			if cr, err = checkAmount(d.line(i, d.v.Credit), l.Credit, curr); err != nil {
				return nil, err
			}
		}
		if dr.IsNegative() || cr.IsNegative() || dr.IsPositive() == cr.IsPositive() {
			return nil, badField(fmt.Sprintf("%s[%d]", d.v.Lines, i), "%s[%d]: exactly one of %s or %s must be positive and the other zero (%s %s, %s %s)",
				d.v.Lines, i, d.v.Debit, d.v.Credit, d.v.Debit, dr.StringFixed(places), d.v.Credit, cr.StringFixed(places))
		}
		debits, credits = debits.Add(dr), credits.Add(cr)
		l.Debit, l.Credit = val(dr), val(cr)
		out[i] = l
	}
	if !debits.Equal(credits) {
		return nil, badField(d.v.Lines, "journal entry is out of balance: debits %s ≠ credits %s (difference %s)",
			debits.StringFixed(places), credits.StringFixed(places), debits.Sub(credits).StringFixed(places))
	}
	return out, nil
}

// postJournal validates and stores a GL entry; j.Date must already be valid.
func (d *ldDialect) postJournal(t *txn, j *ldJournal) error {
	if err := firstErr(checkLen(d.v.ExtRef, j.ExtRef, 100), checkLen(d.v.Memo, j.Memo, 255)); err != nil {
		return err
	}
	curr, err := checkCurr(d.v.Curr, j.Curr, "USD")
	if err != nil {
		return err
	}
	lines, err := d.jeLines(t, j.Lines, curr)
	if err != nil {
		return err
	}
	if j.No, err = d.next(t, ldJE); err != nil {
		return err
	}
	j.Curr, j.Lines, j.Status = curr, lines, s5Posted
	j.Created, j.Updated = stamp(t.now), stamp(t.now)
	return t.insert(d.kind(ldJE), j.No, j)
}

// reverseJournal posts the mirror of entry no and marks the original Reversed. Empty date and
// extRef default to the original's date and "REV-" + its reference.
func (d *ldDialect) reverseJournal(t *txn, label, no, date, extRef, memo string) (*ldJournal, error) {
	var orig ldJournal
	found, err := t.get(d.kind(ldJE), no, &orig)
	if err != nil {
		return nil, err
	}
	switch {
	case !found:
		return nil, notFound("%s %q does not exist", label, no)
	case orig.Status == s5Reversed:
		return nil, conflict("status", "%s %q is already reversed by %s", label, no, orig.ReversedBy)
	case orig.ReversalOf != "":
		return nil, conflict("status", "%s %q is itself the reversal of %s and cannot be reversed", label, no, orig.ReversalOf)
	}
	rev := ldJournal{Date: orig.Date, Curr: orig.Curr, Status: s5Posted, ExtRef: "REV-" + orig.ExtRef,
		Memo: "Reversal of " + no, ReversalOf: no, Created: stamp(t.now), Updated: stamp(t.now)}
	if rev.No, err = d.next(t, ldJE); err != nil {
		return nil, err
	}
	if date != "" {
		rev.Date = date
	}
	if extRef != "" {
		rev.ExtRef = extRef
	}
	if memo != "" {
		rev.Memo = memo
	}
	if err := checkLen(d.v.ExtRef, rev.ExtRef, 100); err != nil {
		return nil, err
	}
	for _, l := range orig.Lines {
		rev.Lines = append(rev.Lines, ldJELine{LineNo: l.LineNo, Account: l.Account, Debit: l.Credit, Credit: l.Debit, Desc: l.Desc})
	}
	orig.Status, orig.ReversedBy, orig.Updated = s5Reversed, rev.No, stamp(t.now)
	if err := t.update(d.kind(ldJE), no, &orig); err != nil {
		return nil, err
	}
	return &rev, t.insert(d.kind(ldJE), rev.No, &rev)
}
