package sagex3

import (
	"context"
	"net/http"
	"net/url"

	"github.com/ledgerbridge/ledgerbridge/internal/erp"
	"github.com/ledgerbridge/ledgerbridge/internal/erp/httpx"
)

type wirePayment struct {
	NUM     string       `json:"NUM,omitempty"`
	PAYTYP  string       `json:"PAYTYP"`
	BPR     string       `json:"BPR"`
	ACCDAT  string       `json:"ACCDAT"`
	CUR     string       `json:"CUR,omitempty"`
	AMTCUR  httpx.Amount `json:"AMTCUR"`
	ACC     string       `json:"ACC"`
	VCRNUM  string       `json:"VCRNUM"`
	SOHNUM  string       `json:"SOHNUM,omitempty"`
	REFLOT  string       `json:"REFLOT"`
	ZEXTREF string       `json:"ZEXTREF,omitempty"`
	FCY     string       `json:"FCY,omitempty"`
	AMTLOC  httpx.Amount `json:"AMTLOC,omitzero"`
	CHGRAT  httpx.Amount `json:"CHGRAT,omitzero"`
	DES     string       `json:"DES,omitempty"`
	STA     string       `json:"STA,omitempty"`
}

func fromWirePayment(w wirePayment) *erp.Payment {
	p := &erp.Payment{ID: w.NUM, CustomerID: w.BPR, InvoiceNumber: w.VCRNUM, Date: w.ACCDAT, Currency: w.CUR,
		Amount: w.AMTCUR.D, Method: w.DES, Type: w.PAYTYP, Reference: w.REFLOT, Site: w.FCY, SalesOrder: w.SOHNUM,
		Account: w.ACC, HomeAmount: w.AMTLOC.D, ExchangeRate: w.CHGRAT.D, ExternalRef: w.ZEXTREF, Status: w.STA}
	if p.ExternalRef == "" {
		p.ExternalRef = w.REFLOT // a receipt posted before ZEXTREF existed
	}
	if w.AMTLOC.Set {
		p.HomeCurrency = companyCurrency
	}
	return p
}

// companyCurrency is the currency of the X3 company's ledger (AMTLOC).
const companyCurrency = "USD"

const paymentsPath = "/financials/payments"

// FindPayment returns the oldest live receipt whose ZEXTREF (processor transaction ID) is
// externalRef (erp.PickLive).
func (c *Client) FindPayment(ctx context.Context, externalRef string) (*erp.Payment, error) {
	if externalRef == "" {
		return nil, httpx.Invalid("FindPayment: external reference is required")
	}
	ws, err := httpx.All[wirePayment](ctx, c.h, paymentsPath, url.Values{"externalRef": {externalRef}})
	if err != nil {
		return nil, err
	}
	pays := make([]erp.Payment, 0, len(ws))
	for _, w := range ws {
		pays = append(pays, *fromWirePayment(w))
	}
	return erp.PickLive(pays, func(p *erp.Payment) string { return p.Status }), nil
}

// ApplyPayment records a receipt against p.InvoiceNumber (and p.SalesOrder): PAYTYP p.Type (the
// mapping's payment.type; required), deposited to p.Account (else DefaultBankAccount), on site p.Site (else Options.SalesFacility), ZEXTREF = p.ExternalRef,
// REFLOT = p.Reference (else the external reference), the method text in DES, and its value in
// the company currency when it was paid in another.
func (c *Client) ApplyPayment(ctx context.Context, p erp.Payment) (*erp.Payment, error) {
	w, err := c.toWirePayment(p)
	if err != nil {
		return nil, err
	}
	var out wirePayment
	if err := c.h.Do(ctx, "POST", paymentsPath, nil, w, &out); err != nil {
		return nil, err
	}
	return fromWirePayment(out), nil
}

// VoidPayment voids a receipt, restoring the invoice's open amount; an already void one succeeds.
func (c *Client) VoidPayment(ctx context.Context, id string) error {
	if id == "" {
		return httpx.Invalid("VoidPayment: payment number is required")
	}
	path := paymentsPath + httpx.Seg(id)
	err := c.h.Do(ctx, "POST", path+"/void", nil, nil, nil)
	if err == nil || !httpx.IsStatus(err, http.StatusConflict) {
		return err
	}
	var cur wirePayment
	if gerr := c.h.Do(ctx, "GET", path, nil, nil, &cur); gerr == nil && cur.STA == "Void" {
		return nil
	}
	return err
}

func (c *Client) toWirePayment(p erp.Payment) (wirePayment, error) {
	var w wirePayment
	typ := p.Type
	if typ == "" {
		return w, httpx.Invalid("receipt for %s: PAYTYP is required; set payment.type (and value_maps.payment_type) in the mapping", p.ExternalRef)
	}
	acc, site, ref := p.Account, p.Site, p.Reference
	if acc == "" {
		acc = DefaultBankAccount
	}
	if site == "" {
		site = c.opts.SalesFacility
	}
	if ref == "" {
		ref = p.ExternalRef
	}
	w = wirePayment{PAYTYP: typ, BPR: p.CustomerID, ACCDAT: p.Date, CUR: p.Currency, AMTCUR: httpx.Amt(p.Amount),
		ACC: acc, VCRNUM: p.InvoiceNumber, SOHNUM: p.SalesOrder, REFLOT: ref, ZEXTREF: p.ExternalRef, FCY: site, DES: p.Method}
	if p.HomeCurrency == companyCurrency && p.Currency != companyCurrency && p.HomeAmount.IsPositive() && p.ExchangeRate.IsPositive() {
		w.AMTLOC, w.CHGRAT = httpx.Amt(p.HomeAmount), httpx.Amt(p.ExchangeRate)
	}
	return w, nil
}

// WirePayment is the body ApplyPayment would POST.
func (c *Client) WirePayment(p erp.Payment) (any, error) { return c.toWirePayment(p) }
