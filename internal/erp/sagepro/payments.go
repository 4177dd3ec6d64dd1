package sagepro

import (
	"context"
	"net/http"
	"net/url"

	"github.com/ledgerbridge/ledgerbridge/internal/erp"
	"github.com/ledgerbridge/ledgerbridge/internal/erp/httpx"
)

type wireReceipt struct {
	Rcptno        string       `json:"rcptno,omitempty"`
	Custno        string       `json:"custno"`
	Invno         string       `json:"invno"`
	Dtepaid       string       `json:"dtepaid"`
	Currcode      string       `json:"currcode,omitempty"`
	Paidamt       httpx.Amount `json:"paidamt"`
	Grossamt      httpx.Amount `json:"grossamt,omitzero"`
	Feeamt        httpx.Amount `json:"feeamt,omitzero"`
	Netamt        httpx.Amount `json:"netamt,omitzero"`
	Paymethod     string       `json:"paymethod"`
	PaymentStatus string       `json:"PaymentStatus"`
	Extref        string       `json:"extref"`
}

const receiptPath = "/Receipt"

func fromWireReceipt(w wireReceipt) *erp.Payment {
	status := "Applied"
	if w.PaymentStatus == "Void" {
		status = "Void"
	}
	return &erp.Payment{ID: w.Rcptno, CustomerID: w.Custno, InvoiceNumber: w.Invno, Date: isoDate(w.Dtepaid), Currency: w.Currcode,
		Amount: w.Paidamt.D, Method: w.Paymethod, ExternalRef: w.Extref, Status: status}
}

// FindPayment returns the oldest receipt whose extref (processor transaction ID) is externalRef.
func (c *Client) FindPayment(ctx context.Context, externalRef string) (*erp.Payment, error) {
	if externalRef == "" {
		return nil, httpx.Invalid("FindPayment: external reference is required")
	}
	ws, err := httpx.All[wireReceipt](ctx, c.h, receiptPath, url.Values{"externalRef": {externalRef}})
	if err != nil {
		return nil, err
	}
	pays := make([]erp.Payment, 0, len(ws))
	for _, w := range ws {
		pays = append(pays, *fromWireReceipt(w))
	}
	return erp.PickLive(pays, func(p *erp.Payment) string { return p.Status }), nil
}

// ApplyPayment posts a cash receipt against p.InvoiceNumber with PaymentStatus p.PaymentStatus
// (the mapping's payment.status through value_maps.payment_status; required) and the gross
// amount; Sage Pro derives fee and net.
func (c *Client) ApplyPayment(ctx context.Context, p erp.Payment) (*erp.Payment, error) {
	w, err := toWireReceipt(p)
	if err != nil {
		return nil, err
	}
	var out wireReceipt
	if err := c.h.Do(ctx, "POST", receiptPath, nil, w, &out); err != nil {
		return nil, err
	}
	return fromWireReceipt(out), nil
}

// VoidPayment voids a receipt, restoring the invoice balance; an already void one succeeds.
func (c *Client) VoidPayment(ctx context.Context, id string) error {
	if id == "" {
		return httpx.Invalid("VoidPayment: receipt number is required")
	}
	path := receiptPath + httpx.Seg(id)
	err := c.h.Do(ctx, "POST", path+"/Void", nil, nil, nil)
	if err == nil || !httpx.IsStatus(err, http.StatusConflict) {
		return err
	}
	var cur wireReceipt
	if gerr := c.h.Do(ctx, "GET", path, nil, nil, &cur); gerr == nil && cur.PaymentStatus == "Void" {
		return nil
	}
	return err
}

func toWireReceipt(p erp.Payment) (wireReceipt, error) {
	status := p.PaymentStatus
	if status == "" {
		return wireReceipt{}, httpx.Invalid("receipt for %s: PaymentStatus is required; set payment.status (and value_maps.payment_status) in the mapping", p.ExternalRef)
	}
	date, err := proDate(p.Date)
	if err != nil {
		return wireReceipt{}, err
	}
	w := wireReceipt{Custno: p.CustomerID, Invno: p.InvoiceNumber, Dtepaid: date, Currcode: p.Currency,
		Paidamt: amount(p.Amount, p.Currency), Grossamt: amount(p.Amount, p.Currency), Paymethod: fit(p.Method, 30),
		PaymentStatus: status, Extref: p.ExternalRef}
	return w, nil
}

// WirePayment is the body ApplyPayment would POST.
func (c *Client) WirePayment(p erp.Payment) (any, error) { return toWireReceipt(p) }
