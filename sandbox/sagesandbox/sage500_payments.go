package sagesandbox

import (
	"net/http"

	"github.com/shopspring/decimal"
)

// s5CreatePayment records a cash receipt and applies it to one open invoice.
func (s *Server) s5CreatePayment(r *http.Request) (int, any, error) {
	var p s5Payment
	if err := decodeBody(r, &p); err != nil {
		return 0, nil, err
	}
	if err := firstErr(readOnly("PaymentNo", p.PaymentNo != ""), readOnly("Status", p.Status != ""),
		checkLen("PaymentMethod", p.PaymentMethod, 30)); err != nil {
		return 0, nil, err
	}
	err := s.st.write(r.Context(), func(t *txn) error {
		curr, _, err := checkHeader(t, s5DocHeader{"CustomerID", "PaymentDate", p.CustomerID, p.PaymentDate, p.CurrID, p.ExternalRef, p.Memo})
		if err != nil {
			return err
		}
		if p.InvoiceNo == "" {
			return badField("InvoiceNo", "InvoiceNo is required: payments are applied to an invoice")
		}
		if !p.Amount.set {
			return badField("Amount", "Amount is required")
		}
		amt, err := checkAmount("Amount", p.Amount, curr)
		if err != nil {
			return err
		}
		if !amt.IsPositive() {
			return badField("Amount", "Amount %s must be greater than 0", amt)
		}
		if err := checkHomeAmount(p, amt, curr); err != nil {
			return err
		}
		inv, err := loadOpenInvoice(t, p.InvoiceNo, p.CustomerID, curr)
		if err != nil {
			return err
		}
		places := decimalsOf(curr)
		if amt.GreaterThan(inv.Balance.d) {
			return badField("Amount", "Amount %s exceeds the open balance %s of invoice %q",
				amt.StringFixed(places), inv.Balance.d.StringFixed(places), p.InvoiceNo)
		}
		inv.Balance = val(inv.Balance.d.Sub(amt).Round(places))
		inv.Status, inv.UpdateDate = statusFor(inv.Balance.d), stamp(t.now)
		if err := t.update(s5KindInvoice, inv.InvoiceNo, inv); err != nil {
			return err
		}
		n, err := t.next(s5KindPayment)
		if err != nil {
			return err
		}
		p.PaymentNo, p.CurrID, p.Amount, p.Status = docNo("PMT-", n), curr, val(amt), s5Applied
		p.CreateDate, p.UpdateDate = stamp(t.now), stamp(t.now)
		return t.insert(s5KindPayment, p.PaymentNo, &p)
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, &p, nil
}

func (s *Server) s5GetPayment(r *http.Request) (int, any, error) {
	return getOne[s5Payment](s, r, s5KindPayment, "Payment", r.PathValue("no"))
}

func (s *Server) s5ListPayments(r *http.Request) (int, any, error) {
	q, err := queryParams(r, "externalRef", "invoiceNo", "customerId")
	if err != nil {
		return 0, nil, err
	}
	return listMatching[s5Payment](s, r, s5KindPayment, filter{ExternalRef: q.Get("externalRef"), ParentRef: q.Get("invoiceNo"), CustomerID: q.Get("customerId")})
}

// s5VoidPayment voids a payment and restores the invoice balance.
func (s *Server) s5VoidPayment(r *http.Request) (int, any, error) {
	no := r.PathValue("no")
	var p s5Payment
	err := s.st.write(r.Context(), func(t *txn) error {
		found, err := t.get(s5KindPayment, no, &p)
		if err != nil {
			return err
		}
		if !found {
			return notFound("Payment %q does not exist", no)
		}
		if p.Status == s5Void {
			return conflict("Status", "Payment %q is already Void", no)
		}
		if err := restoreBalance(t, p.InvoiceNo, p.Amount.d); err != nil {
			return err
		}
		p.Status, p.UpdateDate = s5Void, stamp(t.now)
		return t.update(s5KindPayment, no, &p)
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, &p, nil
}

// s5HomeCurrency is the company's home currency.
const s5HomeCurrency = "USD"

// checkHomeAmount validates the home-currency value of a foreign receipt: both fields or neither,
// only on a receipt not in the home currency, TranAmtHC at the home currency's scale and within
// one cent of Amount × CurrExchRate.
func checkHomeAmount(p s5Payment, amt decimal.Decimal, curr string) error {
	if !p.CurrExchRate.set && !p.TranAmtHC.set {
		return nil
	}
	if p.CurrExchRate.set != p.TranAmtHC.set {
		return badField("TranAmtHC", "CurrExchRate and TranAmtHC go together: send both (a foreign-currency receipt) or neither")
	}
	if curr == s5HomeCurrency {
		return badField("CurrExchRate", "CurrExchRate must not be sent on a receipt in the home currency %s", s5HomeCurrency)
	}
	hc, err := checkAmount("TranAmtHC", p.TranAmtHC, s5HomeCurrency)
	if err != nil {
		return err
	}
	if !p.CurrExchRate.d.IsPositive() || !hc.IsPositive() {
		return badField("CurrExchRate", "CurrExchRate and TranAmtHC must be greater than 0")
	}
	want := amt.Mul(p.CurrExchRate.d).Round(decimalsOf(s5HomeCurrency))
	if hc.Sub(want).Abs().GreaterThan(decimal.New(1, -decimalsOf(s5HomeCurrency))) {
		return badField("TranAmtHC", "TranAmtHC %s is not Amount %s × CurrExchRate %s = %s", hc, amt, p.CurrExchRate.d, want)
	}
	return nil
}
