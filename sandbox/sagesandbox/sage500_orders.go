package sagesandbox

import (
	"net/http"
)

func (s *Server) s5CreateSalesOrder(r *http.Request) (int, any, error) {
	var o s5SalesOrder
	if err := decodeBody(r, &o); err != nil {
		return 0, nil, err
	}
	if err := firstErr(readOnly("SONo", o.SONo != ""), readOnly("Status", o.Status != ""),
		readOnly("SalesAmt", o.SalesAmt.set), readOnly("TradeDiscAmt", o.TradeDiscAmt.set), readOnly("STaxAmt", o.STaxAmt.set)); err != nil {
		return 0, nil, err
	}
	err := s.st.write(r.Context(), func(t *txn) error {
		curr, _, err := checkHeader(t, s5DocHeader{"CustomerID", "OrderDate", o.CustomerID, o.OrderDate, o.CurrID, o.ExternalRef, o.Memo})
		if err != nil {
			return err
		}
		lines, total, err := checkLines(t, o.Lines, curr)
		if err != nil {
			return err
		}
		if err := checkTotal("OrderTotal", o.OrderTotal, total, curr); err != nil {
			return err
		}
		if total.IsNegative() {
			return badField("OrderTotal", "the document total %s is negative; post a credit memo instead", total.StringFixed(decimalsOf(curr)))
		}
		o.s5Totals = s5Sum(lines, curr)
		n, err := t.next(s5KindSalesOrder)
		if err != nil {
			return err
		}
		o.SONo, o.CurrID, o.Lines, o.OrderTotal, o.Status = docNo("SO-", n), curr, lines, val(total), s5Open
		o.CreateDate, o.UpdateDate = stamp(t.now), stamp(t.now)
		return t.insert(s5KindSalesOrder, o.SONo, &o)
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, &o, nil
}

func (s *Server) s5GetSalesOrder(r *http.Request) (int, any, error) {
	return getOne[s5SalesOrder](s, r, s5KindSalesOrder, "SalesOrder", r.PathValue("no"))
}

func (s *Server) s5ListSalesOrders(r *http.Request) (int, any, error) {
	q, err := queryParams(r, "externalRef", "customerId")
	if err != nil {
		return 0, nil, err
	}
	return listMatching[s5SalesOrder](s, r, s5KindSalesOrder, filter{ExternalRef: q.Get("externalRef"), CustomerID: q.Get("customerId")})
}

// s5CancelSalesOrder cancels an open order that no live invoice refers to.
func (s *Server) s5CancelSalesOrder(r *http.Request) (int, any, error) {
	no := r.PathValue("no")
	var o s5SalesOrder
	err := s.st.write(r.Context(), func(t *txn) error {
		found, err := t.get(s5KindSalesOrder, no, &o)
		if err != nil {
			return err
		}
		if !found {
			return notFound("SalesOrder %q does not exist", no)
		}
		if o.Status == s5Canceled {
			return conflict("Status", "SalesOrder %q is already Canceled", no)
		}
		invs, err := listAs[s5Invoice](t, s5KindInvoice, filter{ParentRef: no})
		if err != nil {
			return err
		}
		for _, inv := range invs {
			if inv.Status != s5Void {
				return conflict("SONo", "SalesOrder %q is invoiced by %s (%s); void the invoice first", no, inv.InvoiceNo, inv.Status)
			}
		}
		o.Status, o.UpdateDate = s5Canceled, stamp(t.now)
		return t.update(s5KindSalesOrder, no, &o)
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, &o, nil
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}
