package sagesandbox

import (
	"net/http"
)

// spLine is a sotran01 / artran01 line.
type spLine struct {
	Lineno   int    `json:"lineno,omitempty"`
	Item     string `json:"item"`
	Descrip  string `json:"descrip"`
	Qty      num    `json:"qty"`
	Price    num    `json:"price"`
	Extprice num    `json:"extprice,omitzero"`
	// Linetype is C(1): blank for an item, P proration, D discount.
	Linetype string `json:"linetype,omitempty"`
	Disc     num    `json:"disc,omitzero"` // discount amount on the line
	Tax      num    `json:"tax,omitzero"`  // sales tax of the line
	Taxcode  string `json:"taxcode,omitempty"`
}

// spLineKinds spells the neutral line kinds the Sage Pro way.
var spLineKinds = map[string]string{lineItem: "", lineProration: "P", lineDiscount: "D"}

func fromSPLineKind(code string) string {
	for k, v := range spLineKinds {
		if v == code {
			return k
		}
	}
	return code
}

// spDoc is the wire form of a sales order (somast01), invoice or credit memo (armast01). Each
// type uses its own key, date and amount columns; the others must be absent.
type spDoc struct {
	Sono          string   `json:"sono,omitempty"`
	Invno         string   `json:"invno,omitempty"`
	Memono        string   `json:"memono,omitempty"`
	Custno        string   `json:"custno"`
	Ordate        string   `json:"ordate,omitempty"`
	Invdate       string   `json:"invdate,omitempty"`
	Memodate      string   `json:"memodate,omitempty"`
	Currcode      string   `json:"currcode"`
	Lines         []spLine `json:"lines"`
	Tax           num      `json:"tax,omitzero"`
	Disc          num      `json:"disc,omitzero"` // sum of the lines' discounts (read-only)
	Ordamt        num      `json:"ordamt,omitzero"`
	Invamt        num      `json:"invamt,omitzero"`
	Cmamt         num      `json:"cmamt,omitzero"`
	Appamt        num      `json:"appamt,omitzero"`  // credit memo: applied to the invoice (read-only)
	Balance       num      `json:"balance,omitzero"` // open amount (read-only)
	Sostat        string   `json:"sostat,omitempty"` // O open, X cancelled
	Arstat        string   `json:"arstat,omitempty"` // O open, V void
	PaymentStatus string   `json:"PaymentStatus,omitempty"`
	Extref        string   `json:"extref"`
	Notes         string   `json:"notes"`
	Lastupdt      string   `json:"lastupdt,omitempty"`
}

func (w *spDoc) toCore(s ldSpec) (*ldDoc, error) {
	if err := firstErr(spReadOnly("sostat", w.Sostat != ""), spReadOnly("arstat", w.Arstat != ""),
		spReadOnly("PaymentStatus", w.PaymentStatus != ""), spReadOnly("balance", w.Balance.set),
		spReadOnly("appamt", w.Appamt.set), spReadOnly("lastupdt", w.Lastupdt != ""), spReadOnly("disc", w.Disc.set)); err != nil {
		return nil, err
	}
	x := &ldDoc{Customer: w.Custno, Curr: w.Currcode, Tax: w.Tax, ExtRef: w.Extref, Memo: w.Notes}
	var date, dateField string
	var wrong map[string]bool
	switch s.entity {
	case ldOrder:
		date, dateField, x.Total = w.Ordate, "ordate", w.Ordamt
		wrong = map[string]bool{"sono": w.Sono != "", "invno": w.Invno != "", "memono": w.Memono != "", "invdate": w.Invdate != "",
			"memodate": w.Memodate != "", "invamt": w.Invamt.set, "cmamt": w.Cmamt.set}
	case ldInvoice:
		date, dateField, x.Total, x.SourceRef = w.Invdate, "invdate", w.Invamt, w.Sono
		wrong = map[string]bool{"invno": w.Invno != "", "memono": w.Memono != "", "ordate": w.Ordate != "",
			"memodate": w.Memodate != "", "ordamt": w.Ordamt.set, "cmamt": w.Cmamt.set}
	default:
		date, dateField, x.Total, x.SourceRef = w.Memodate, "memodate", w.Cmamt, w.Invno
		wrong = map[string]bool{"sono": w.Sono != "", "memono": w.Memono != "", "ordate": w.Ordate != "",
			"invdate": w.Invdate != "", "ordamt": w.Ordamt.set, "invamt": w.Invamt.set}
	}
	for _, f := range []string{"cmamt", "invamt", "invdate", "invno", "memodate", "memono", "ordamt", "ordate", "sono"} {
		if wrong[f] {
			return nil, badField(f, "%s must not be sent to the %s endpoint (assigned by Sage Pro or belongs to another document type)", f, s.label)
		}
	}
	var err error
	if x.Date, err = spDate(dateField, date); err != nil {
		return nil, err
	}
	if err := spCode("custno", w.Custno, 10); err != nil {
		return nil, err
	}
	for _, l := range w.Lines {
		if l.Lineno != 0 {
			return nil, spReadOnly("lineno", true)
		}
		if err := spCode("item", l.Item, 20); err != nil {
			return nil, err
		}
		x.Lines = append(x.Lines, ldLine{Item: l.Item, Desc: l.Descrip, Qty: l.Qty, Price: l.Price, Amount: l.Extprice,
			Kind: fromSPLineKind(l.Linetype), Discount: l.Disc, Tax: l.Tax, TaxCode: l.Taxcode})
	}
	return x, nil
}

func spFromCore(x *ldDoc) *spDoc {
	w := &spDoc{Custno: x.Customer, Currcode: x.Curr, Tax: x.Tax, Disc: x.Discount, Extref: x.ExtRef, Notes: x.Memo, Lastupdt: x.Updated}
	date := spDateOut(x.Date)
	arstat := "O"
	if x.Status == s5Void {
		arstat = "V"
	}
	switch x.Entity {
	case ldOrder:
		w.Sono, w.Ordate, w.Ordamt, w.Sostat = x.No, date, x.Total, "O"
		if x.Status == s5Canceled {
			w.Sostat = "X"
		}
	case ldInvoice:
		w.Invno, w.Invdate, w.Invamt, w.Balance, w.Sono, w.Arstat = x.No, date, x.Total, x.Balance, x.SourceRef, arstat
		w.PaymentStatus = spPaymentStatus(x)
	default:
		w.Memono, w.Memodate, w.Cmamt, w.Appamt, w.Balance, w.Invno, w.Arstat = x.No, date, x.Total, x.Applied, x.Balance, x.SourceRef, arstat
	}
	w.Lines = make([]spLine, len(x.Lines))
	for i, l := range x.Lines {
		w.Lines[i] = spLine{Lineno: l.LineNo, Item: l.Item, Descrip: l.Desc, Qty: l.Qty, Price: l.Price, Extprice: l.Amount,
			Linetype: spLineKinds[l.Kind], Disc: l.Discount, Tax: l.Tax, Taxcode: l.TaxCode}
	}
	return w
}

// spPaymentStatus is the invoice's PaymentStatus: Unpaid, Partial, Paid or Void.
func spPaymentStatus(x *ldDoc) string {
	switch {
	case x.Status == s5Void:
		return "Void"
	case x.Balance.d.IsZero():
		return "Paid"
	case x.Balance.d.LessThan(x.Total.d):
		return "Partial"
	}
	return "Unpaid"
}

func (s *Server) spCreateDoc(spec ldSpec) handlerFunc {
	return func(r *http.Request) (int, any, error) {
		var w spDoc
		if err := decodeBody(r, &w); err != nil {
			return 0, nil, err
		}
		x, err := w.toCore(spec)
		if err != nil {
			return 0, nil, err
		}
		if err := s.st.write(r.Context(), func(t *txn) error { return sp.createDoc(t, spec, x) }); err != nil {
			return 0, nil, err
		}
		return http.StatusCreated, spFromCore(x), nil
	}
}

func (s *Server) spGetDoc(spec ldSpec) handlerFunc {
	return func(r *http.Request) (int, any, error) {
		_, v, err := getOne[ldDoc](s, r, sp.kind(spec.entity), spec.label, r.PathValue("no"))
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, spFromCore(v.(*ldDoc)), nil
	}
}

func (s *Server) spListDocs(spec ldSpec) handlerFunc {
	parent := map[string]string{ldInvoice: "sono", ldCredit: "invno"}[spec.entity]
	return func(r *http.Request) (int, any, error) {
		allowed := []string{"externalRef", "custno", "dateFrom", "dateTo"}
		if parent != "" {
			allowed = append(allowed, parent)
		}
		q, err := queryParams(r, allowed...)
		if err != nil {
			return 0, nil, err
		}
		f := filter{ExternalRef: q.Get("externalRef"), CustomerID: q.Get("custno")}
		if err := dateRange(q, &f); err != nil {
			return 0, nil, err
		}
		if parent != "" {
			f.ParentRef = q.Get(parent)
		}
		return listConverted(s, r, sp.kind(spec.entity), f, func(x *ldDoc) any { return spFromCore(x) })
	}
}

func (s *Server) spVoidDoc(spec ldSpec) handlerFunc {
	return func(r *http.Request) (int, any, error) {
		var x *ldDoc
		err := s.st.write(r.Context(), func(t *txn) error {
			var err error
			x, err = sp.voidDoc(t, spec, r.PathValue("no"))
			return err
		})
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, spFromCore(x), nil
	}
}
