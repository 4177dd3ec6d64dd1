package sagesandbox

import (
	"fmt"
	"net/http"
	"strings"
)

// x3Payment is a customer receipt (PAYMENTH/PAYMENTD) applied to one sales invoice.
type x3Payment struct {
	NUM       string `json:"NUM,omitempty"`
	PAYTYP    string `json:"PAYTYP"` // payment type (CB card, VIR transfer/ACH, …)
	BPR       string `json:"BPR"`    // customer
	ACCDAT    string `json:"ACCDAT"`
	CUR       string `json:"CUR"`
	AMTCUR    num    `json:"AMTCUR"`
	ACC       string `json:"ACC"`               // ledger account the receipt is banked on
	VCRNUM    string `json:"VCRNUM"`            // invoice (SIH) paid
	SOHNUM    string `json:"SOHNUM,omitempty"`  // optional sales order link
	REFLOT    string `json:"REFLOT"`            // traceability reference (e.g. the merchant's invoice number)
	ZEXTREF   string `json:"ZEXTREF,omitempty"` // integration key: the processor transaction ID (custom field)
	FCY       string `json:"FCY,omitempty"`     // site of the receipt
	AMTLOC    num    `json:"AMTLOC,omitzero"`   // amount in the company currency (USD)
	CHGRAT    num    `json:"CHGRAT,omitzero"`   // exchange rate CUR → company currency
	DES       string `json:"DES"`
	STA       string `json:"STA,omitempty"`
	CREDATTIM string `json:"CREDATTIM,omitempty"`
	UPDDATTIM string `json:"UPDDATTIM,omitempty"`
}

func x3PaymentFromCore(p *ldPay) *x3Payment {
	return &x3Payment{NUM: p.No, PAYTYP: p.PayType, BPR: p.Customer, ACCDAT: p.Date, CUR: p.Curr, AMTCUR: p.Amount,
		ACC: p.Account, VCRNUM: p.Invoice, SOHNUM: p.Order, REFLOT: p.Ref, ZEXTREF: p.ExtRef, FCY: p.Site, AMTLOC: p.HomeAmt,
		CHGRAT: p.Rate, DES: p.Memo, STA: p.Status, CREDATTIM: p.Created, UPDDATTIM: p.Updated}
}

const x3PayFailure = "Payment (PAY) posting failure due to incorrect Ledger Account (ACC) mapping: "

func (s *Server) x3CreatePayment(r *http.Request) (int, any, error) {
	var w x3Payment
	if err := decodeBody(r, &w); err != nil {
		return 0, nil, err
	}
	if err := firstErr(x3ReadOnly("NUM", w.NUM != ""), x3ReadOnly("STA", w.STA != ""),
		checkDate("ACCDAT", w.ACCDAT), checkLen("REFLOT", w.REFLOT, 100)); err != nil {
		return 0, nil, err
	}
	if err := x3CheckPayType(w.PAYTYP); err != nil {
		return 0, nil, err
	}
	if err := checkLen("ZEXTREF", w.ZEXTREF, 100); err != nil {
		return 0, nil, err
	}
	// Integrations that predate ZEXTREF keyed receipts on REFLOT; it stays their lookup key.
	ext := w.ZEXTREF
	if ext == "" {
		ext = w.REFLOT
	}
	site := w.FCY
	if site == "" {
		site = x3DefaultFacility
	}
	if _, ok := x3Facilities[site]; !ok {
		return 0, nil, badField("FCY", "FCY %q is not a site (facility) defined in X3", site)
	}
	if w.AMTLOC.set != w.CHGRAT.set {
		return 0, nil, badField("AMTLOC", "AMTLOC and CHGRAT go together: send both (a foreign-currency receipt) or neither")
	}
	if w.AMTLOC.set {
		if _, err := checkAmount("AMTLOC", w.AMTLOC, "USD"); err != nil {
			return 0, nil, err
		}
		if !w.AMTLOC.d.IsPositive() || !w.CHGRAT.d.IsPositive() {
			return 0, nil, badField("CHGRAT", "AMTLOC and CHGRAT must be greater than 0")
		}
	}
	p := &ldPay{Customer: w.BPR, Invoice: w.VCRNUM, Order: w.SOHNUM, Date: w.ACCDAT, Curr: w.CUR, Amount: w.AMTCUR,
		PayType: w.PAYTYP, Account: w.ACC, ExtRef: ext, Ref: w.REFLOT, Site: site, HomeAmt: w.AMTLOC, Rate: w.CHGRAT,
		Memo: w.DES, Method: w.PAYTYP}
	err := s.st.write(r.Context(), func(t *txn) error {
		if err := x3.account(t, "ACC", w.ACC, x3PayFailure); err != nil {
			return err
		}
		if w.SOHNUM != "" {
			var o ldDoc
			found, err := t.get(x3.kind(ldOrder), w.SOHNUM, &o)
			if err != nil {
				return err
			}
			if !found || o.Customer != w.BPR {
				return badField("SOHNUM", "SOHNUM %q is not a sales order of customer %q", w.SOHNUM, w.BPR)
			}
		}
		return x3.createPayment(t, x3PAY, p)
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, x3PaymentFromCore(p), nil
}

func x3CheckPayType(code string) error {
	var codes []string
	for _, pt := range x3PayTypes {
		if pt.PAYTYP == code {
			return nil
		}
		codes = append(codes, pt.PAYTYP)
	}
	if code == "" {
		return badField("PAYTYP", "PAYTYP is required (one of %s)", strings.Join(codes, ", "))
	}
	return badField("PAYTYP", "PAYTYP %q is not a payment type defined in Sage X3 (one of %s)", code, strings.Join(codes, ", "))
}

func (s *Server) x3GetPayment(r *http.Request) (int, any, error) {
	_, v, err := getOne[ldPay](s, r, x3.kind(ldPayment), "Payment (PAY)", r.PathValue("no"))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, x3PaymentFromCore(v.(*ldPay)), nil
}

func (s *Server) x3ListPayments(r *http.Request) (int, any, error) {
	q, err := queryParams(r, "externalRef", "customer", "invoice")
	if err != nil {
		return 0, nil, err
	}
	f := filter{ExternalRef: q.Get("externalRef"), CustomerID: q.Get("customer"), ParentRef: q.Get("invoice")}
	return listConverted(s, r, x3.kind(ldPayment), f, func(p *ldPay) any { return x3PaymentFromCore(p) })
}

func (s *Server) x3VoidPayment(r *http.Request) (int, any, error) {
	var p *ldPay
	err := s.st.write(r.Context(), func(t *txn) error {
		var err error
		p, err = x3.voidPayment(t, "Payment (PAY)", r.PathValue("no"))
		return err
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, x3PaymentFromCore(p), nil
}

// x3JELine is a GL entry line (GACCENTRYD): one amount with a sense, 1 debit / -1 credit.
type x3JELine struct {
	LIN    int    `json:"LIN,omitempty"`
	ACC    string `json:"ACC"`
	SNS    int    `json:"SNS"`
	AMTCUR num    `json:"AMTCUR"`
	DES    string `json:"DES"`
}

// x3Journal is a journal entry (GAS, table GACCENTRY).
type x3Journal struct {
	NUM        string     `json:"NUM,omitempty"`
	TYP        string     `json:"TYP"` // entry type, default ODT (miscellaneous operations)
	ACCDAT     string     `json:"ACCDAT"`
	CUR        string     `json:"CUR"`
	DES        string     `json:"DES"`
	ZEXTREF    string     `json:"ZEXTREF"`
	LINES      []x3JELine `json:"LINES"`
	STA        string     `json:"STA,omitempty"`
	REVERSALOF string     `json:"REVERSALOF,omitempty"`
	REVERSEDBY string     `json:"REVERSEDBY,omitempty"`
	CREDATTIM  string     `json:"CREDATTIM,omitempty"`
	UPDDATTIM  string     `json:"UPDDATTIM,omitempty"`
}

func x3JournalFromCore(j *ldJournal) *x3Journal {
	w := &x3Journal{NUM: j.No, TYP: "ODT", ACCDAT: j.Date, CUR: j.Curr, DES: j.Memo, ZEXTREF: j.ExtRef, STA: j.Status,
		REVERSALOF: j.ReversalOf, REVERSEDBY: j.ReversedBy, CREDATTIM: j.Created, UPDDATTIM: j.Updated}
	w.LINES = make([]x3JELine, len(j.Lines))
	for i, l := range j.Lines {
		w.LINES[i] = x3JELine{LIN: l.LineNo, ACC: l.Account, SNS: 1, AMTCUR: l.Debit, DES: l.Desc}
		if l.Credit.d.IsPositive() {
			w.LINES[i].SNS, w.LINES[i].AMTCUR = -1, l.Credit
		}
	}
	return w
}

func (s *Server) x3CreateJournal(r *http.Request) (int, any, error) {
	var w x3Journal
	if err := decodeBody(r, &w); err != nil {
		return 0, nil, err
	}
	if err := firstErr(x3ReadOnly("NUM", w.NUM != ""), x3ReadOnly("STA", w.STA != ""), x3ReadOnly("REVERSALOF", w.REVERSALOF != ""),
		x3ReadOnly("REVERSEDBY", w.REVERSEDBY != ""), checkDate("ACCDAT", w.ACCDAT)); err != nil {
		return 0, nil, err
	}
	if w.TYP != "" && w.TYP != "ODT" {
		return 0, nil, badField("TYP", "TYP %q is not an entry type open to integrations (ODT)", w.TYP)
	}
	j := &ldJournal{Date: w.ACCDAT, Curr: w.CUR, Memo: w.DES, ExtRef: w.ZEXTREF}
	curr := w.CUR
	if curr == "" {
		curr = "USD"
	}
	for i, l := range w.LINES {
		if l.LIN != 0 {
			return 0, nil, x3ReadOnly(fmt.Sprintf("LINES[%d].LIN", i), true)
		}
		line := ldJELine{Account: l.ACC, Desc: l.DES}
		field := fmt.Sprintf("LINES[%d].AMTCUR", i)
		amt, err := checkAmount(field, l.AMTCUR, curr)
		if err != nil {
			return 0, nil, err
		}
		if !amt.IsPositive() {
			return 0, nil, badField(field, "%s must be greater than 0 (the sense SNS gives debit or credit)", field)
		}
		switch l.SNS {
		case 1:
			line.Debit = l.AMTCUR
		case -1:
			line.Credit = l.AMTCUR
		default:
			return 0, nil, badField(fmt.Sprintf("LINES[%d].SNS", i), "LINES[%d].SNS %d must be 1 (debit) or -1 (credit)", i, l.SNS)
		}
		j.Lines = append(j.Lines, line)
	}
	if err := s.st.write(r.Context(), func(t *txn) error { return x3.postJournal(t, j) }); err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, x3JournalFromCore(j), nil
}

func (s *Server) x3GetJournal(r *http.Request) (int, any, error) {
	_, v, err := getOne[ldJournal](s, r, x3.kind(ldJE), "Journal Entry (GAS)", r.PathValue("no"))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, x3JournalFromCore(v.(*ldJournal)), nil
}

func (s *Server) x3ListJournals(r *http.Request) (int, any, error) {
	q, err := queryParams(r, "externalRef")
	if err != nil {
		return 0, nil, err
	}
	return listConverted(s, r, x3.kind(ldJE), filter{ExternalRef: q.Get("externalRef")}, func(j *ldJournal) any { return x3JournalFromCore(j) })
}

// x3ReverseRequest is the optional body of POST /financials/journalEntries/{NUM}/reverse.
type x3ReverseRequest struct {
	ACCDAT  string `json:"ACCDAT"`
	ZEXTREF string `json:"ZEXTREF"`
	DES     string `json:"DES"`
}

func (s *Server) x3ReverseJournal(r *http.Request) (int, any, error) {
	var req x3ReverseRequest
	if err := decodeOptionalBody(r, &req); err != nil {
		return 0, nil, err
	}
	if req.ACCDAT != "" {
		if err := checkDate("ACCDAT", req.ACCDAT); err != nil {
			return 0, nil, err
		}
	}
	var rev *ldJournal
	err := s.st.write(r.Context(), func(t *txn) error {
		var err error
		rev, err = x3.reverseJournal(t, "Journal Entry (GAS)", r.PathValue("no"), req.ACCDAT, req.ZEXTREF, req.DES)
		return err
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, x3JournalFromCore(rev), nil
}
