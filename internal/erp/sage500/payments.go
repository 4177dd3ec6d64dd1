package sage500

import (
	"context"
	"net/http"
	"net/url"

	"github.com/ledgerbridge/ledgerbridge/internal/erp"
)

func fromWirePayment(w wirePayment) *erp.Payment {
	p := &erp.Payment{ID: w.PaymentNo, CustomerID: w.CustomerID, InvoiceNumber: w.InvoiceNo, Date: w.PaymentDate,
		Currency: w.CurrID, Amount: w.Amount.d, Method: w.PaymentMethod, ExternalRef: w.ExternalRef, Status: w.Status,
		HomeAmount: w.TranAmtHC.d, ExchangeRate: w.CurrExchRate.d}
	if w.TranAmtHC.set {
		p.HomeCurrency = homeCurrency
	}
	return p
}

// homeCurrency is the Sage 500 company's home currency (TranAmtHC).
const homeCurrency = "USD"

// FindPayment returns the oldest payment whose ExternalRef is externalRef.
func (c *Client) FindPayment(ctx context.Context, externalRef string) (*erp.Payment, error) {
	if externalRef == "" {
		return nil, localInvalid("FindPayment: external reference is required")
	}
	var l list[wirePayment]
	if err := c.do(ctx, "GET", "/Payments", url.Values{"externalRef": {externalRef}}, nil, &l); err != nil {
		return nil, err
	}
	pays := make([]erp.Payment, 0, len(l.Value))
	for _, w := range l.Value {
		pays = append(pays, *fromWirePayment(w))
	}
	return erp.PickLive(pays, func(p *erp.Payment) string { return p.Status }), nil
}

// ApplyPayment records a cash receipt against p.InvoiceNumber (Sage does not deduplicate), with
// its home-currency value (CurrExchRate, TranAmtHC) when it was paid in another currency.
func (c *Client) ApplyPayment(ctx context.Context, p erp.Payment) (*erp.Payment, error) {
	w := toWirePayment(p)
	var out wirePayment
	if err := c.do(ctx, "POST", "/Payments", nil, w, &out); err != nil {
		return nil, err
	}
	return fromWirePayment(out), nil
}

// VoidPayment voids a payment, restoring the invoice balance; an already void payment succeeds.
func (c *Client) VoidPayment(ctx context.Context, id string) error {
	if id == "" {
		return localInvalid("VoidPayment: payment number is required")
	}
	path := "/Payments/" + pathEscape(id)
	err := c.do(ctx, "POST", path+"/Void", nil, nil, nil)
	if err == nil || !isStatus(err, http.StatusConflict) {
		return err
	}
	var cur wirePayment
	if gerr := c.do(ctx, "GET", path, nil, nil, &cur); gerr == nil && cur.Status == "Void" {
		return nil
	}
	return err
}

func toWirePayment(p erp.Payment) wirePayment {
	w := wirePayment{CustomerID: p.CustomerID, InvoiceNo: p.InvoiceNumber, PaymentDate: p.Date, CurrID: p.Currency,
		Amount: amt(p.Amount), PaymentMethod: p.Method, ExternalRef: p.ExternalRef}
	if p.HomeCurrency == homeCurrency && p.Currency != homeCurrency && p.HomeAmount.IsPositive() && p.ExchangeRate.IsPositive() {
		w.CurrExchRate, w.TranAmtHC = amt(p.ExchangeRate), amt(p.HomeAmount)
	}
	return w
}

// WireDocument is the body CreateDocument would POST.
func (c *Client) WireDocument(kind erp.DocumentKind, d erp.Document) (any, error) {
	if _, err := docPath(kind); err != nil {
		return nil, err
	}
	return toWireDoc(kind, d), nil
}

// WirePayment is the body ApplyPayment would POST.
func (c *Client) WirePayment(p erp.Payment) (any, error) { return toWirePayment(p), nil }

// WireJournal is the body PostJournalEntry would POST.
func (c *Client) WireJournal(je erp.JournalEntry) (any, error) { return toWireJournal(je), nil }
