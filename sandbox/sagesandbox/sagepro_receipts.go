package sagesandbox

import (
	"net/http"
)

// spReceipt is a cash receipt (arcash01) applied to one invoice, with the gross/fee/net split
// of processor settlements.
type spReceipt struct {
	Rcptno        string `json:"rcptno,omitempty"`
	Custno        string `json:"custno"`
	Invno         string `json:"invno"`
	Dtepaid       string `json:"dtepaid"`
	Currcode      string `json:"currcode"`
	Paidamt       num    `json:"paidamt"`
	Grossamt      num    `json:"grossamt,omitzero"`
	Feeamt        num    `json:"feeamt,omitzero"`
	Netamt        num    `json:"netamt,omitzero"`
	Paymethod     string `json:"paymethod"`
	PaymentStatus string `json:"PaymentStatus"`
	Extref        string `json:"extref"`
	Notes         string `json:"notes"`
	Lastupdt      string `json:"lastupdt,omitempty"`
}

func spReceiptFromCore(p *ldPay) *spReceipt {
	status := "Paid"
	if p.Status == s5Void {
		status = "Void"
	}
	return &spReceipt{Rcptno: p.No, Custno: p.Customer, Invno: p.Invoice, Dtepaid: spDateOut(p.Date), Currcode: p.Curr,
		Paidamt: p.Amount, Grossamt: p.Gross, Feeamt: p.Fee, Netamt: p.Net, Paymethod: p.Method, PaymentStatus: status,
		Extref: p.ExtRef, Notes: p.Memo, Lastupdt: p.Updated}
}

func (s *Server) spCreateReceipt(r *http.Request) (int, any, error) {
	var w spReceipt
	if err := decodeBody(r, &w); err != nil {
		return 0, nil, err
	}
	if err := firstErr(spReadOnly("rcptno", w.Rcptno != ""), spReadOnly("lastupdt", w.Lastupdt != ""),
		checkLen("paymethod", w.Paymethod, 30), spCode("custno", w.Custno, 10)); err != nil {
		return 0, nil, err
	}
	// Only settled money is posted as a receipt; pending or failed payments are not.
	if w.PaymentStatus != "Paid" {
		return 0, nil, badField("PaymentStatus", "PaymentStatus %q: a receipt can only be posted as \"Paid\"", w.PaymentStatus)
	}
	date, err := spDate("dtepaid", w.Dtepaid)
	if err != nil {
		return 0, nil, err
	}
	p := &ldPay{Customer: w.Custno, Invoice: w.Invno, Date: date, Curr: w.Currcode, Amount: w.Paidamt, Gross: w.Grossamt,
		Fee: w.Feeamt, Net: w.Netamt, Method: w.Paymethod, ExtRef: w.Extref, Memo: w.Notes}
	if err := s.st.write(r.Context(), func(t *txn) error { return sp.createPayment(t, spRC, p) }); err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, spReceiptFromCore(p), nil
}

func (s *Server) spGetReceipt(r *http.Request) (int, any, error) {
	_, v, err := getOne[ldPay](s, r, sp.kind(ldPayment), spRC.label, r.PathValue("no"))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, spReceiptFromCore(v.(*ldPay)), nil
}

func (s *Server) spListReceipts(r *http.Request) (int, any, error) {
	q, err := queryParams(r, "externalRef", "custno", "invno")
	if err != nil {
		return 0, nil, err
	}
	f := filter{ExternalRef: q.Get("externalRef"), CustomerID: q.Get("custno"), ParentRef: q.Get("invno")}
	return listConverted(s, r, sp.kind(ldPayment), f, func(p *ldPay) any { return spReceiptFromCore(p) })
}

func (s *Server) spVoidReceipt(r *http.Request) (int, any, error) {
	var p *ldPay
	err := s.st.write(r.Context(), func(t *txn) error {
		var err error
		p, err = sp.voidPayment(t, spRC.label, r.PathValue("no"))
		return err
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, spReceiptFromCore(p), nil
}

// spGLLine is a GL distribution line (gltran01).
type spGLLine struct {
	Lineno  int    `json:"lineno,omitempty"`
	Glacnt  string `json:"glacnt"`
	Debit   num    `json:"debit,omitzero"`
	Credit  num    `json:"credit,omitzero"`
	Descrip string `json:"descrip"`
}

// spGLPosting is a GL journal posting.
type spGLPosting struct {
	Glno     string     `json:"glno,omitempty"`
	Trandate string     `json:"trandate"`
	Currcode string     `json:"currcode"`
	Descrip  string     `json:"descrip"`
	Extref   string     `json:"extref"`
	Lines    []spGLLine `json:"lines"`
	Glstat   string     `json:"glstat,omitempty"` // P posted, R reversed
	Revof    string     `json:"revof,omitempty"`
	Revby    string     `json:"revby,omitempty"`
	Lastupdt string     `json:"lastupdt,omitempty"`
}

func spGLFromCore(j *ldJournal) *spGLPosting {
	w := &spGLPosting{Glno: j.No, Trandate: spDateOut(j.Date), Currcode: j.Curr, Descrip: j.Memo, Extref: j.ExtRef,
		Glstat: "P", Revof: j.ReversalOf, Revby: j.ReversedBy, Lastupdt: j.Updated}
	if j.Status == s5Reversed {
		w.Glstat = "R"
	}
	w.Lines = make([]spGLLine, len(j.Lines))
	for i, l := range j.Lines {
		w.Lines[i] = spGLLine{Lineno: l.LineNo, Glacnt: l.Account, Debit: l.Debit, Credit: l.Credit, Descrip: l.Desc}
	}
	return w
}

func (s *Server) spCreateGL(r *http.Request) (int, any, error) {
	var w spGLPosting
	if err := decodeBody(r, &w); err != nil {
		return 0, nil, err
	}
	if err := firstErr(spReadOnly("glno", w.Glno != ""), spReadOnly("glstat", w.Glstat != ""), spReadOnly("revof", w.Revof != ""),
		spReadOnly("revby", w.Revby != ""), spReadOnly("lastupdt", w.Lastupdt != "")); err != nil {
		return 0, nil, err
	}
	date, err := spDate("trandate", w.Trandate)
	if err != nil {
		return 0, nil, err
	}
	j := &ldJournal{Date: date, Curr: w.Currcode, Memo: w.Descrip, ExtRef: w.Extref}
	for _, l := range w.Lines {
		if l.Lineno != 0 {
			return 0, nil, spReadOnly("lineno", true)
		}
		j.Lines = append(j.Lines, ldJELine{Account: l.Glacnt, Debit: l.Debit, Credit: l.Credit, Desc: l.Descrip})
	}
	if err := s.st.write(r.Context(), func(t *txn) error { return sp.postJournal(t, j) }); err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, spGLFromCore(j), nil
}

func (s *Server) spGetGL(r *http.Request) (int, any, error) {
	_, v, err := getOne[ldJournal](s, r, sp.kind(ldJE), "GL posting", r.PathValue("no"))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, spGLFromCore(v.(*ldJournal)), nil
}

func (s *Server) spListGL(r *http.Request) (int, any, error) {
	q, err := queryParams(r, "externalRef")
	if err != nil {
		return 0, nil, err
	}
	return listConverted(s, r, sp.kind(ldJE), filter{ExternalRef: q.Get("externalRef")}, func(j *ldJournal) any { return spGLFromCore(j) })
}

// spReverseRequest is the optional body of POST /GLPosting/{glno}/Reverse.
type spReverseRequest struct {
	Trandate string `json:"trandate"`
	Extref   string `json:"extref"`
	Descrip  string `json:"descrip"`
}

func (s *Server) spReverseGL(r *http.Request) (int, any, error) {
	var req spReverseRequest
	if err := decodeOptionalBody(r, &req); err != nil {
		return 0, nil, err
	}
	date := ""
	if req.Trandate != "" {
		var err error
		if date, err = spDate("trandate", req.Trandate); err != nil {
			return 0, nil, err
		}
	}
	var rev *ldJournal
	err := s.st.write(r.Context(), func(t *txn) error {
		var err error
		rev, err = sp.reverseJournal(t, "GL posting", r.PathValue("no"), date, req.Extref, req.Descrip)
		return err
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, spGLFromCore(rev), nil
}

// spItem is an icitem01 record with its stock: on hand and allocated to open sales orders.
type spItem struct {
	Item    string `json:"item"`
	Descrip string `json:"descrip"`
	Itmtype string `json:"itmtype"`
	Price   num    `json:"price"`
	Itmstat string `json:"itmstat"` // A active, I inactive
	Stocked bool   `json:"stocked"`
	Onhand  num    `json:"onhand,omitzero"`
	Alloc   num    `json:"alloc,omitzero"`
}

func spItemOf(t *txn, it *ldItem) (*spItem, error) {
	w := &spItem{Item: it.Code, Descrip: it.Desc, Itmtype: it.Type, Price: it.Price, Itmstat: "A", Stocked: it.Stocked}
	if !it.Active {
		w.Itmstat = "I"
	}
	if it.Stocked {
		var st ldStock
		found, err := t.get(sp.kind(ldStockK), stockKey("", it.Code), &st)
		if err != nil {
			return nil, err
		}
		w.Onhand, w.Alloc = val(decInt(0)), val(decInt(0))
		if found {
			w.Onhand, w.Alloc = st.OnHand, st.Allocated
		}
	}
	return w, nil
}

func (s *Server) spListItems(r *http.Request) (int, any, error) {
	if _, err := queryParams(r); err != nil {
		return 0, nil, err
	}
	var out []*spItem
	err := s.st.read(r.Context(), func(t *txn) error {
		items, err := listAs[ldItem](t, sp.kind(ldItemK), filter{})
		if err != nil {
			return err
		}
		for i := range items {
			w, err := spItemOf(t, &items[i])
			if err != nil {
				return err
			}
			out = append(out, w)
		}
		return nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, listOf(out), nil
}

func (s *Server) spGetItem(r *http.Request) (int, any, error) {
	id := r.PathValue("id")
	var w *spItem
	err := s.st.read(r.Context(), func(t *txn) error {
		var it ldItem
		found, err := t.get(sp.kind(ldItemK), id, &it)
		if err != nil {
			return err
		}
		if !found {
			return notFound("item %q does not exist in icitem01", id)
		}
		w, err = spItemOf(t, &it)
		return err
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, w, nil
}

// spAccount is a glmast01 record.
type spAccount struct {
	Glacnt  string `json:"glacnt"`
	Descrip string `json:"descrip"`
	Type    string `json:"type"`
	Status  string `json:"status"` // A active, I inactive
}

func spAccountOf(a *ldAccount) any {
	w := &spAccount{Glacnt: a.No, Descrip: a.Desc, Type: a.Type, Status: "A"}
	if !a.Active {
		w.Status = "I"
	}
	return w
}

func (s *Server) spListAccounts(r *http.Request) (int, any, error) {
	if _, err := queryParams(r); err != nil {
		return 0, nil, err
	}
	return listConverted(s, r, sp.kind(ldAcctK), filter{}, spAccountOf)
}

func (s *Server) spGetAccount(r *http.Request) (int, any, error) {
	_, v, err := getOne[ldAccount](s, r, sp.kind(ldAcctK), "GL account (glmast01)", r.PathValue("id"))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, spAccountOf(v.(*ldAccount)), nil
}
