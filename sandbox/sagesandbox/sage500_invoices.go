package sagesandbox

import (
	"net/http"

	"github.com/shopspring/decimal"
)

func (s *Server) s5CreateInvoice(r *http.Request) (int, any, error) {
	var inv s5Invoice
	if err := decodeBody(r, &inv); err != nil {
		return 0, nil, err
	}
	if err := firstErr(readOnly("InvoiceNo", inv.InvoiceNo != ""), readOnly("Status", inv.Status != ""),
		readOnly("Balance", inv.Balance.set),
		readOnly("SalesAmt", inv.SalesAmt.set), readOnly("TradeDiscAmt", inv.TradeDiscAmt.set), readOnly("STaxAmt", inv.STaxAmt.set)); err != nil {
		return 0, nil, err
	}
	err := s.st.write(r.Context(), func(t *txn) error {
		curr, _, err := checkHeader(t, s5DocHeader{"CustomerID", "InvoiceDate", inv.CustomerID, inv.InvoiceDate, inv.CurrID, inv.ExternalRef, inv.Memo})
		if err != nil {
			return err
		}
		if inv.SalesOrderNo != "" {
			if err := checkInvoiceOrder(t, &inv, curr); err != nil {
				return err
			}
		}
		lines, total, err := checkLines(t, inv.Lines, curr)
		if err != nil {
			return err
		}
		if err := checkTotal("InvoiceTotal", inv.InvoiceTotal, total, curr); err != nil {
			return err
		}
		if total.IsNegative() {
			return badField("InvoiceTotal", "the document total %s is negative; post a credit memo instead", total.StringFixed(decimalsOf(curr)))
		}
		inv.s5Totals = s5Sum(lines, curr)
		n, err := t.next(s5KindInvoice)
		if err != nil {
			return err
		}
		inv.InvoiceNo, inv.CurrID, inv.Lines = docNo("INV-", n), curr, lines
		inv.InvoiceTotal, inv.Balance = val(total), val(total)
		inv.Status = statusFor(total)
		inv.CreateDate, inv.UpdateDate = stamp(t.now), stamp(t.now)
		return t.insert(s5KindInvoice, inv.InvoiceNo, &inv)
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, &inv, nil
}

func checkInvoiceOrder(t *txn, inv *s5Invoice, curr string) error {
	var o s5SalesOrder
	found, err := t.get(s5KindSalesOrder, inv.SalesOrderNo, &o)
	if err != nil {
		return err
	}
	switch {
	case !found:
		return badField("SalesOrderNo", "SalesOrderNo %q does not exist", inv.SalesOrderNo)
	case o.Status == s5Canceled:
		return conflict("SalesOrderNo", "SalesOrder %q is Canceled and cannot be invoiced", inv.SalesOrderNo)
	case o.CustomerID != inv.CustomerID:
		return badField("SalesOrderNo", "SalesOrder %q belongs to customer %q, not %q", inv.SalesOrderNo, o.CustomerID, inv.CustomerID)
	case o.CurrID != curr:
		return badField("SalesOrderNo", "SalesOrder %q is in %s, not %s", inv.SalesOrderNo, o.CurrID, curr)
	}
	return nil
}

// statusFor is Paid for a settled balance, Open otherwise.
func statusFor(balance decimal.Decimal) string {
	if balance.IsZero() {
		return s5Paid
	}
	return s5Open
}

func (s *Server) s5GetInvoice(r *http.Request) (int, any, error) {
	return getOne[s5Invoice](s, r, s5KindInvoice, "Invoice", r.PathValue("no"))
}

func (s *Server) s5ListInvoices(r *http.Request) (int, any, error) {
	q, err := queryParams(r, "externalRef", "customerId", "salesOrderNo", "dateFrom", "dateTo")
	if err != nil {
		return 0, nil, err
	}
	f := filter{ExternalRef: q.Get("externalRef"), CustomerID: q.Get("customerId"), ParentRef: q.Get("salesOrderNo")}
	if err := dateRange(q, &f); err != nil {
		return 0, nil, err
	}
	return listMatching[s5Invoice](s, r, s5KindInvoice, f)
}

// s5VoidInvoice voids an invoice that has no live payments or credit memos.
func (s *Server) s5VoidInvoice(r *http.Request) (int, any, error) {
	no := r.PathValue("no")
	var inv s5Invoice
	err := s.st.write(r.Context(), func(t *txn) error {
		found, err := t.get(s5KindInvoice, no, &inv)
		if err != nil {
			return err
		}
		if !found {
			return notFound("Invoice %q does not exist", no)
		}
		if inv.Status == s5Void {
			return conflict("Status", "Invoice %q is already Void", no)
		}
		pmts, err := listAs[s5Payment](t, s5KindPayment, filter{ParentRef: no})
		if err != nil {
			return err
		}
		for _, p := range pmts {
			if p.Status != s5Void {
				return conflict("InvoiceNo", "Invoice %q has applied payment %s; void the payment first", no, p.PaymentNo)
			}
		}
		memos, err := listAs[s5CreditMemo](t, s5KindCreditMemo, filter{ParentRef: no})
		if err != nil {
			return err
		}
		for _, m := range memos {
			if m.Status != s5Void {
				return conflict("InvoiceNo", "Invoice %q has credit memo %s applied; void the credit memo first", no, m.MemoNo)
			}
		}
		inv.Status, inv.Balance, inv.UpdateDate = s5Void, val(decimal.Zero.Round(decimalsOf(inv.CurrID))), stamp(t.now)
		return t.update(s5KindInvoice, no, &inv)
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, &inv, nil
}

// loadOpenInvoice loads the invoice a payment or credit memo refers to and checks that it
// belongs to the same customer and currency and is not void.
func loadOpenInvoice(t *txn, no, customerID, curr string) (*s5Invoice, error) {
	var inv s5Invoice
	found, err := t.get(s5KindInvoice, no, &inv)
	if err != nil {
		return nil, err
	}
	switch {
	case !found:
		return nil, badField("InvoiceNo", "InvoiceNo %q does not exist", no)
	case inv.Status == s5Void:
		return nil, conflict("InvoiceNo", "Invoice %q is Void", no)
	case inv.CustomerID != customerID:
		return nil, badField("CustomerID", "Invoice %q belongs to customer %q, not %q", no, inv.CustomerID, customerID)
	case inv.CurrID != curr:
		return nil, badField("CurrID", "CurrID %q does not match the currency %q of invoice %q", curr, inv.CurrID, no)
	}
	return &inv, nil
}
