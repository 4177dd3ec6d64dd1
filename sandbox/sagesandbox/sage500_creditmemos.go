package sagesandbox

import (
	"net/http"

	"github.com/shopspring/decimal"
)

// s5CreateCreditMemo creates a credit memo. With InvoiceNo it is applied to that invoice's open
// balance; the part beyond the balance stays on the memo as unapplied customer credit.
func (s *Server) s5CreateCreditMemo(r *http.Request) (int, any, error) {
	var m s5CreditMemo
	if err := decodeBody(r, &m); err != nil {
		return 0, nil, err
	}
	if err := firstErr(readOnly("MemoNo", m.MemoNo != ""), readOnly("Status", m.Status != ""),
		readOnly("Balance", m.Balance.set), readOnly("AppliedAmt", m.AppliedAmt.set),
		readOnly("SalesAmt", m.SalesAmt.set), readOnly("TradeDiscAmt", m.TradeDiscAmt.set), readOnly("STaxAmt", m.STaxAmt.set)); err != nil {
		return 0, nil, err
	}
	err := s.st.write(r.Context(), func(t *txn) error {
		curr, _, err := checkHeader(t, s5DocHeader{"CustomerID", "MemoDate", m.CustomerID, m.MemoDate, m.CurrID, m.ExternalRef, m.Memo})
		if err != nil {
			return err
		}
		lines, total, err := checkLines(t, m.Lines, curr)
		if err != nil {
			return err
		}
		if err := checkTotal("MemoTotal", m.MemoTotal, total, curr); err != nil {
			return err
		}
		if total.IsNegative() {
			return badField("MemoTotal", "the document total %s is negative; post a credit memo instead", total.StringFixed(decimalsOf(curr)))
		}
		m.s5Totals = s5Sum(lines, curr)
		applied := decimal.Zero.Round(decimalsOf(curr))
		if m.InvoiceNo != "" {
			if applied, err = applyMemo(t, m.InvoiceNo, m.CustomerID, curr, total); err != nil {
				return err
			}
		}
		n, err := t.next(s5KindCreditMemo)
		if err != nil {
			return err
		}
		m.MemoNo, m.CurrID, m.Lines, m.Status = docNo("CM-", n), curr, lines, s5Open
		m.MemoTotal, m.AppliedAmt, m.Balance = val(total), val(applied), val(total.Sub(applied))
		m.CreateDate, m.UpdateDate = stamp(t.now), stamp(t.now)
		return t.insert(s5KindCreditMemo, m.MemoNo, &m)
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, &m, nil
}

// applyMemo checks the memo against the invoice's creditable amount and reduces its balance,
// returning the amount applied.
func applyMemo(t *txn, invNo, customerID, curr string, total decimal.Decimal) (decimal.Decimal, error) {
	inv, err := loadOpenInvoice(t, invNo, customerID, curr)
	if err != nil {
		return decimal.Zero, err
	}
	prior, err := listAs[s5CreditMemo](t, s5KindCreditMemo, filter{ParentRef: invNo})
	if err != nil {
		return decimal.Zero, err
	}
	credited := decimal.Zero
	for _, p := range prior {
		if p.Status != s5Void {
			credited = credited.Add(p.MemoTotal.d)
		}
	}
	places := decimalsOf(curr)
	left := inv.InvoiceTotal.d.Sub(credited)
	if total.GreaterThan(left) {
		return decimal.Zero, badField("MemoTotal", "credit memo total %s exceeds the amount still creditable on invoice %q: %s total − %s prior credit memos = %s",
			total.StringFixed(places), invNo, inv.InvoiceTotal.d.StringFixed(places), credited.StringFixed(places), left.StringFixed(places))
	}
	applied := decimal.Min(total, inv.Balance.d).Round(places)
	if applied.IsPositive() {
		inv.Balance = val(inv.Balance.d.Sub(applied).Round(places))
		inv.Status, inv.UpdateDate = statusFor(inv.Balance.d), stamp(t.now)
		if err := t.update(s5KindInvoice, invNo, inv); err != nil {
			return decimal.Zero, err
		}
	}
	return applied, nil
}

func (s *Server) s5GetCreditMemo(r *http.Request) (int, any, error) {
	return getOne[s5CreditMemo](s, r, s5KindCreditMemo, "CreditMemo", r.PathValue("no"))
}

func (s *Server) s5ListCreditMemos(r *http.Request) (int, any, error) {
	q, err := queryParams(r, "externalRef", "invoiceNo", "customerId")
	if err != nil {
		return 0, nil, err
	}
	return listMatching[s5CreditMemo](s, r, s5KindCreditMemo, filter{ExternalRef: q.Get("externalRef"), ParentRef: q.Get("invoiceNo"), CustomerID: q.Get("customerId")})
}

// s5VoidCreditMemo voids a memo and gives back what it applied to the invoice.
func (s *Server) s5VoidCreditMemo(r *http.Request) (int, any, error) {
	no := r.PathValue("no")
	var m s5CreditMemo
	err := s.st.write(r.Context(), func(t *txn) error {
		found, err := t.get(s5KindCreditMemo, no, &m)
		if err != nil {
			return err
		}
		if !found {
			return notFound("CreditMemo %q does not exist", no)
		}
		if m.Status == s5Void {
			return conflict("Status", "CreditMemo %q is already Void", no)
		}
		if m.InvoiceNo != "" && m.AppliedAmt.d.IsPositive() {
			if err := restoreBalance(t, m.InvoiceNo, m.AppliedAmt.d); err != nil {
				return err
			}
		}
		zero := val(decimal.Zero.Round(decimalsOf(m.CurrID)))
		m.Status, m.Balance, m.UpdateDate = s5Void, zero, stamp(t.now)
		return t.update(s5KindCreditMemo, no, &m)
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, &m, nil
}

// restoreBalance adds amt back to an invoice's open balance.
func restoreBalance(t *txn, invNo string, amt decimal.Decimal) error {
	var inv s5Invoice
	found, err := t.get(s5KindInvoice, invNo, &inv)
	if err != nil {
		return err
	}
	if !found {
		return conflict("InvoiceNo", "Invoice %q referenced by the document no longer exists", invNo)
	}
	inv.Balance = val(inv.Balance.d.Add(amt).Round(decimalsOf(inv.CurrID)))
	inv.Status, inv.UpdateDate = statusFor(inv.Balance.d), stamp(t.now)
	return t.update(s5KindInvoice, invNo, &inv)
}
