package sagesandbox

import (
	"net/http"
)

// x3Line is a sales document line (SORDERQ/SORDERP, SINVOICED).
type x3Line struct {
	LINNUM    int    `json:"LINNUM,omitempty"`
	ITMREF    string `json:"ITMREF"`
	ITMDES    string `json:"ITMDES"`
	QTY       num    `json:"QTY"`
	GROPRI    num    `json:"GROPRI"`
	NETPRI    num    `json:"NETPRI,omitzero"`
	AMTNOTLIN num    `json:"AMTNOTLIN,omitzero"`
	// ZLINTYP is the line type (custom field): empty for an item, PRORATION or DISCOUNT.
	ZLINTYP    string `json:"ZLINTYP,omitempty"`
	DISCRGVAL1 num    `json:"DISCRGVAL1,omitzero"` // discount amount on the line
	AMTTAXLIN  num    `json:"AMTTAXLIN,omitzero"`  // tax amount of the line
	VACITM1    string `json:"VACITM1,omitempty"`   // tax level (code) of the line
}

// x3LineKinds spells the neutral line kinds the X3 way.
var x3LineKinds = map[string]string{lineItem: "", lineProration: "PRORATION", lineDiscount: "DISCOUNT"}

// fromX3LineKind reads ZLINTYP; an unknown code is kept so the core rejects it by name.
func fromX3LineKind(code string) string {
	for k, v := range x3LineKinds {
		if v == code {
			return k
		}
	}
	return code
}

// x3Doc is the wire form of a sales order (SOH), sales invoice (SIH) or credit memo; the
// document number and customer fields differ by type, so each type renames them.
type x3Doc struct {
	SOHNUM    string   `json:"SOHNUM,omitempty"` // order number; on an invoice, the order it bills
	NUM       string   `json:"NUM,omitempty"`    // invoice / credit memo number
	SIVTYP    string   `json:"SIVTYP,omitempty"` // invoice type: INV or CRN
	SALFCY    string   `json:"SALFCY,omitempty"`
	BPCORD    string   `json:"BPCORD,omitempty"`
	BPCINV    string   `json:"BPCINV,omitempty"`
	ORDDAT    string   `json:"ORDDAT,omitempty"`
	INVDAT    string   `json:"INVDAT,omitempty"`
	CUR       string   `json:"CUR"`
	LINES     []x3Line `json:"LINES"`
	AMTNOT    num      `json:"AMTNOT,omitzero"` // total after discounts, excluding tax (read-only)
	AMTTAX    num      `json:"AMTTAX,omitzero"`
	ORDATI    num      `json:"ORDATI,omitzero"` // order total including tax
	AMTATI    num      `json:"AMTATI,omitzero"` // invoice / memo total including tax
	OPNAMT    num      `json:"OPNAMT,omitzero"` // open (unpaid / unapplied) amount (read-only)
	APPAMT    num      `json:"APPAMT,omitzero"` // credit memo: amount applied to the invoice (read-only)
	SIHORINUM string   `json:"SIHORINUM,omitempty"`
	ZEXTREF   string   `json:"ZEXTREF"`
	DES       string   `json:"DES"`
	STA       string   `json:"STA,omitempty"`
	ALLSTA    int      `json:"ALLSTA,omitempty"` // order allocation status: 1 not allocated, 3 allocated (read-only)
	CREDATTIM string   `json:"CREDATTIM,omitempty"`
	UPDDATTIM string   `json:"UPDDATTIM,omitempty"`
}

// toCore validates the type-specific shape and converts to the core document.
func (w *x3Doc) toCore(s ldSpec) (*ldDoc, error) {
	if err := firstErr(x3ReadOnly("STA", w.STA != ""), x3ReadOnly("ALLSTA", w.ALLSTA != 0), x3ReadOnly("AMTNOT", w.AMTNOT.set),
		x3ReadOnly("OPNAMT", w.OPNAMT.set), x3ReadOnly("APPAMT", w.APPAMT.set)); err != nil {
		return nil, err
	}
	x := &ldDoc{Curr: w.CUR, Tax: w.AMTTAX, ExtRef: w.ZEXTREF, Memo: w.DES}
	var date, dateField string
	var wrong []string
	switch s.entity {
	case ldOrder:
		x.Customer, date, dateField, x.Total = w.BPCORD, w.ORDDAT, "ORDDAT", w.ORDATI
		wrong = nonEmpty(map[string]bool{"NUM": w.NUM != "", "SIVTYP": w.SIVTYP != "", "BPCINV": w.BPCINV != "",
			"INVDAT": w.INVDAT != "", "AMTATI": w.AMTATI.set, "SIHORINUM": w.SIHORINUM != "", "SOHNUM": w.SOHNUM != ""})
	default:
		typ := "INV"
		if s.entity == ldCredit {
			typ = "CRN"
		}
		if w.SIVTYP != "" && w.SIVTYP != typ {
			return nil, badField("SIVTYP", "SIVTYP %q must be %q on this endpoint", w.SIVTYP, typ)
		}
		x.Customer, date, dateField, x.Total = w.BPCINV, w.INVDAT, "INVDAT", w.AMTATI
		x.SourceRef = w.SOHNUM
		if s.entity == ldCredit {
			x.SourceRef = w.SIHORINUM
		}
		wrong = nonEmpty(map[string]bool{"NUM": w.NUM != "", "BPCORD": w.BPCORD != "", "ORDDAT": w.ORDDAT != "",
			"ORDATI":    w.ORDATI.set,
			"SIHORINUM": s.entity == ldInvoice && w.SIHORINUM != "", "SOHNUM": s.entity == ldCredit && w.SOHNUM != ""})
	}
	x.Facility = w.SALFCY
	if x.Facility == "" {
		x.Facility = x3DefaultFacility // X3 defaults the sales site from the user's site
	}
	if _, ok := x3Facilities[x.Facility]; !ok {
		return nil, badField("SALFCY", "SALFCY %q is not a sales site (facility) defined in X3", x.Facility)
	}
	if len(wrong) > 0 {
		return nil, badField(wrong[0], "%s must not be sent to the %s endpoint (read-only or belongs to another document type)", wrong[0], s.label)
	}
	if err := checkDate(dateField, date); err != nil {
		return nil, err
	}
	x.Date = date
	for _, l := range w.LINES {
		if l.LINNUM != 0 {
			return nil, badField("LINNUM", "LINNUM is assigned by Sage X3 and must not be sent")
		}
		x.Lines = append(x.Lines, ldLine{Item: l.ITMREF, Desc: l.ITMDES, Qty: l.QTY, Price: l.GROPRI, NetPrice: l.NETPRI, Amount: l.AMTNOTLIN,
			Kind: fromX3LineKind(l.ZLINTYP), Discount: l.DISCRGVAL1, Tax: l.AMTTAXLIN, TaxCode: l.VACITM1})
	}
	return x, nil
}

// nonEmpty returns the names set to true, sorted, so the first is deterministic.
func nonEmpty(m map[string]bool) []string {
	var out []string
	for _, k := range []string{"AMTATI", "BPCINV", "BPCORD", "INVDAT", "NUM", "ORDATI", "ORDDAT", "SALFCY", "SIHORINUM", "SIVTYP", "SOHNUM"} {
		if m[k] {
			out = append(out, k)
		}
	}
	return out
}

// x3FromCore renders a core document in the X3 wire form of its type.
func x3FromCore(x *ldDoc) *x3Doc {
	w := &x3Doc{SALFCY: x.Facility, CUR: x.Curr, AMTNOT: val(x.LinesAmt.d.Sub(x.Discount.d)), AMTTAX: x.Tax, ZEXTREF: x.ExtRef, DES: x.Memo, STA: x3Status(x.Status),
		CREDATTIM: x.Created, UPDDATTIM: x.Updated}
	switch x.Entity {
	case ldOrder:
		w.SOHNUM, w.BPCORD, w.ORDDAT, w.ORDATI, w.ALLSTA = x.No, x.Customer, x.Date, x.Total, 1
		if x.Allocated {
			w.ALLSTA = 3
		}
	case ldInvoice:
		w.NUM, w.SIVTYP, w.BPCINV, w.INVDAT, w.AMTATI, w.OPNAMT, w.SOHNUM = x.No, "INV", x.Customer, x.Date, x.Total, x.Balance, x.SourceRef
	default:
		w.NUM, w.SIVTYP, w.BPCINV, w.INVDAT, w.AMTATI, w.OPNAMT, w.SIHORINUM = x.No, "CRN", x.Customer, x.Date, x.Total, x.Balance, x.SourceRef
		w.APPAMT = x.Applied
	}
	w.LINES = make([]x3Line, len(x.Lines))
	for i, l := range x.Lines {
		w.LINES[i] = x3Line{LINNUM: l.LineNo * 1000, ITMREF: l.Item, ITMDES: l.Desc, QTY: l.Qty, GROPRI: l.Price, NETPRI: l.NetPrice, AMTNOTLIN: l.Amount,
			ZLINTYP: x3LineKinds[l.Kind], DISCRGVAL1: l.Discount, AMTTAXLIN: l.Tax, VACITM1: l.TaxCode}
	}
	return w
}

// x3Status renders a core status; X3 spells it "Cancelled".
func x3Status(s string) string {
	if s == s5Canceled {
		return "Cancelled"
	}
	return s
}

func (s *Server) x3CreateDoc(spec ldSpec) handlerFunc {
	return func(r *http.Request) (int, any, error) {
		var w x3Doc
		if err := decodeBody(r, &w); err != nil {
			return 0, nil, err
		}
		x, err := w.toCore(spec)
		if err != nil {
			return 0, nil, err
		}
		if err := s.st.write(r.Context(), func(t *txn) error { return x3.createDoc(t, spec, x) }); err != nil {
			return 0, nil, err
		}
		return http.StatusCreated, x3FromCore(x), nil
	}
}

func (s *Server) x3GetDoc(spec ldSpec) handlerFunc {
	return func(r *http.Request) (int, any, error) {
		_, v, err := getOne[ldDoc](s, r, x3.kind(spec.entity), spec.label, r.PathValue("no"))
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, x3FromCore(v.(*ldDoc)), nil
	}
}

func (s *Server) x3ListDocs(spec ldSpec) handlerFunc {
	parent := map[string]string{ldInvoice: "salesOrder", ldCredit: "invoice"}[spec.entity]
	return func(r *http.Request) (int, any, error) {
		allowed := []string{"externalRef", "customer", "dateFrom", "dateTo"}
		if parent != "" {
			allowed = append(allowed, parent)
		}
		q, err := queryParams(r, allowed...)
		if err != nil {
			return 0, nil, err
		}
		f := filter{ExternalRef: q.Get("externalRef"), CustomerID: q.Get("customer")}
		if err := dateRange(q, &f); err != nil {
			return 0, nil, err
		}
		if parent != "" {
			f.ParentRef = q.Get(parent)
		}
		return listConverted(s, r, x3.kind(spec.entity), f, func(x *ldDoc) any { return x3FromCore(x) })
	}
}

func (s *Server) x3VoidDoc(spec ldSpec) handlerFunc {
	return func(r *http.Request) (int, any, error) {
		var x *ldDoc
		err := s.st.write(r.Context(), func(t *txn) error {
			var err error
			x, err = x3.voidDoc(t, spec, r.PathValue("no"))
			return err
		})
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, x3FromCore(x), nil
	}
}

// listConverted answers a collection GET of core records rendered by conv.
func listConverted[T any](s *Server, r *http.Request, kind string, f filter, conv func(*T) any) (int, any, error) {
	var recs []T
	err := s.st.read(r.Context(), func(t *txn) error {
		var err error
		recs, err = listAs[T](t, kind, f)
		return err
	})
	if err != nil {
		return 0, nil, err
	}
	out := make([]any, len(recs))
	for i := range recs {
		out[i] = conv(&recs[i])
	}
	return http.StatusOK, listOf(out), nil
}

// x3AllocateOrder allocates a sales order's stock (POST /sales/salesOrders/{SOHNUM}/allocate),
// idempotently.
func (s *Server) x3AllocateOrder(r *http.Request) (int, any, error) {
	var x *ldDoc
	err := s.st.write(r.Context(), func(t *txn) error {
		var err error
		x, err = x3.allocateOrder(t, x3SOH, r.PathValue("no"))
		return err
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, x3FromCore(x), nil
}
