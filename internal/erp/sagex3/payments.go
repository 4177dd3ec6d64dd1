package sagex3

import (
	"context"
	"net/http"
	"net/url"

	"github.com/ledgerbridge/ledgerbridge/internal/erp"
	"github.com/ledgerbridge/ledgerbridge/internal/erp/httpx"
)

type wirePayment struct {
	NUM    string       `json:"NUM,omitempty"`
	PAYTYP string       `json:"PAYTYP"`
	BPR    string       `json:"BPR"`
	ACCDAT string       `json:"ACCDAT"`
	CUR    string       `json:"CUR,omitempty"`
	AMTCUR httpx.Amount `json:"AMTCUR"`
	ACC    string       `json:"ACC"`
	VCRNUM string       `json:"VCRNUM"`
	SOHNUM string       `json:"SOHNUM,omitempty"`
	REFLOT string       `json:"REFLOT"`
	DES    string       `json:"DES,omitempty"`
	STA    string       `json:"STA,omitempty"`
}

func fromWirePayment(w wirePayment) *erp.Payment {
	return &erp.Payment{ID: w.NUM, CustomerID: w.BPR, InvoiceNumber: w.VCRNUM, Date: w.ACCDAT, Currency: w.CUR,
		Amount: w.AMTCUR.D, Method: w.DES, ExternalRef: w.REFLOT, Status: w.STA}
}

const paymentsPath = "/financials/payments"

// FindPayment returns the oldest receipt whose REFLOT (processor transaction ID) is externalRef.
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

// ApplyPayment records a receipt against p.InvoiceNumber: PAYTYP from p.Method (see
// PaymentType), banked on Options.BankAccount, REFLOT = p.ExternalRef, the method text in DES.
func (c *Client) ApplyPayment(ctx context.Context, p erp.Payment) (*erp.Payment, error) {
	typ, err := c.PaymentType(p.Method)
	if err != nil {
		return nil, err
	}
	w := wirePayment{PAYTYP: typ, BPR: p.CustomerID, ACCDAT: p.Date, CUR: p.Currency, AMTCUR: httpx.Amt(p.Amount),
		ACC: c.opts.BankAccount, VCRNUM: p.InvoiceNumber, REFLOT: p.ExternalRef, DES: p.Method}
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
