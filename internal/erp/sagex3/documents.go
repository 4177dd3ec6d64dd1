package sagex3

import (
	"context"
	"net/http"
	"net/url"

	"github.com/ledgerbridge/ledgerbridge/internal/erp"
	"github.com/ledgerbridge/ledgerbridge/internal/erp/httpx"
)

type wireLine struct {
	ITMREF    string       `json:"ITMREF"`
	ITMDES    string       `json:"ITMDES,omitempty"`
	QTY       httpx.Amount `json:"QTY"`
	GROPRI    httpx.Amount `json:"GROPRI"`
	NETPRI    httpx.Amount `json:"NETPRI,omitzero"`
	AMTNOTLIN httpx.Amount `json:"AMTNOTLIN,omitzero"`
	// ZLINTYP is the line type (custom field): empty for an item, PRORATION or DISCOUNT.
	ZLINTYP    string       `json:"ZLINTYP,omitempty"`
	DISCRGVAL1 httpx.Amount `json:"DISCRGVAL1,omitzero"`
	AMTTAXLIN  httpx.Amount `json:"AMTTAXLIN,omitzero"`
	VACITM1    string       `json:"VACITM1,omitempty"`
}

// lineKinds spells the port's line kinds as X3 ZLINTYP codes.
var lineKinds = map[string]string{erp.LineItem: "", erp.LineProration: "PRORATION", erp.LineDiscount: "DISCOUNT"}

func lineKind(code string) string {
	for k, v := range lineKinds {
		if v == code {
			return k
		}
	}
	return code
}

// wireDoc is SOH, SIH (SIVTYP INV) and credit memo (SIVTYP CRN) in one shape; each type uses
// its own number, customer, date and total fields.
type wireDoc struct {
	SOHNUM    string       `json:"SOHNUM,omitempty"`
	NUM       string       `json:"NUM,omitempty"`
	SIVTYP    string       `json:"SIVTYP,omitempty"`
	SALFCY    string       `json:"SALFCY,omitempty"`
	BPCORD    string       `json:"BPCORD,omitempty"`
	BPCINV    string       `json:"BPCINV,omitempty"`
	ORDDAT    string       `json:"ORDDAT,omitempty"`
	INVDAT    string       `json:"INVDAT,omitempty"`
	CUR       string       `json:"CUR,omitempty"`
	LINES     []wireLine   `json:"LINES"`
	AMTNOT    httpx.Amount `json:"AMTNOT,omitzero"`
	AMTTAX    httpx.Amount `json:"AMTTAX,omitzero"`
	ORDATI    httpx.Amount `json:"ORDATI,omitzero"`
	AMTATI    httpx.Amount `json:"AMTATI,omitzero"`
	OPNAMT    httpx.Amount `json:"OPNAMT,omitzero"`
	APPAMT    httpx.Amount `json:"APPAMT,omitzero"`
	SIHORINUM string       `json:"SIHORINUM,omitempty"`
	ZEXTREF   string       `json:"ZEXTREF"`
	DES       string       `json:"DES,omitempty"`
	STA       string       `json:"STA,omitempty"`
}

// docPath maps a document kind to its collection and its void action.
func docPath(kind erp.DocumentKind) (path, action string, err error) {
	switch kind {
	case erp.KindSalesOrder:
		return "/sales/salesOrders", "/cancel", nil
	case erp.KindInvoice:
		return "/sales/salesInvoices", "/void", nil
	case erp.KindCreditMemo:
		return "/sales/creditMemos", "/void", nil
	}
	return "", "", httpx.Invalid("unsupported document kind %q", kind)
}

func (c *Client) toWireDoc(kind erp.DocumentKind, d erp.Document) wireDoc {
	w := wireDoc{CUR: d.Currency, ZEXTREF: d.ExternalRef, DES: d.Memo}
	for _, l := range d.Lines {
		// A zero amount lets X3 extend the line; a non-zero one is checked against QTY × NETPRI.
		// Discount and tax travel on the line (X3 then checks AMTATI = Σ AMTNOTLIN − Σ DISCRGVAL1 + Σ AMTTAXLIN).
		w.LINES = append(w.LINES, wireLine{ITMREF: l.ItemID, ITMDES: l.Description, QTY: httpx.Amt(l.Quantity),
			GROPRI: httpx.Amt(l.UnitPrice), AMTNOTLIN: httpx.OptAmt(l.Amount), ZLINTYP: lineKinds[l.Kind],
			DISCRGVAL1: httpx.OptAmt(l.Discount), AMTTAXLIN: httpx.OptAmt(l.Tax), VACITM1: l.TaxCode})
	}
	if _, tax, _ := d.Totals(); !tax.IsZero() && !anyLineTax(d.Lines) {
		w.AMTTAX = httpx.Amt(tax)
	}
	site := d.Site
	if site == "" {
		site = c.opts.SalesFacility
	}
	switch kind {
	case erp.KindSalesOrder:
		w.BPCORD, w.ORDDAT, w.SALFCY, w.ORDATI = d.CustomerID, d.Date, site, httpx.OptAmt(d.Total)
	case erp.KindInvoice:
		w.BPCINV, w.INVDAT, w.AMTATI, w.SOHNUM, w.SALFCY = d.CustomerID, d.Date, httpx.OptAmt(d.Total), d.SourceRef, site
	default:
		w.BPCINV, w.INVDAT, w.AMTATI, w.SIHORINUM, w.SALFCY = d.CustomerID, d.Date, httpx.OptAmt(d.Total), d.SourceRef, site
	}
	return w
}

func fromWireDoc(kind erp.DocumentKind, w wireDoc) *erp.Document {
	d := &erp.Document{Currency: w.CUR, ExternalRef: w.ZEXTREF, Memo: w.DES, Status: w.STA, Balance: w.OPNAMT.D}
	if d.Status == "Cancelled" {
		d.Status = "Canceled" // the port's spelling
	}
	for _, l := range w.LINES {
		d.Lines = append(d.Lines, erp.Line{ItemID: l.ITMREF, Description: l.ITMDES, Quantity: l.QTY.D, UnitPrice: l.GROPRI.D, Amount: l.AMTNOTLIN.D,
			Kind: lineKind(l.ZLINTYP), Discount: l.DISCRGVAL1.D, Tax: l.AMTTAXLIN.D, TaxCode: l.VACITM1})
	}
	d.DiscountTotal, _, _ = d.Totals()
	d.TaxTotal, d.Site = w.AMTTAX.D, w.SALFCY
	switch kind {
	case erp.KindSalesOrder:
		d.Number, d.CustomerID, d.Date, d.Total = w.SOHNUM, w.BPCORD, w.ORDDAT, w.ORDATI.D
	case erp.KindInvoice:
		d.Number, d.CustomerID, d.Date, d.Total, d.SourceRef = w.NUM, w.BPCINV, w.INVDAT, w.AMTATI.D, w.SOHNUM
	default:
		d.Number, d.CustomerID, d.Date, d.Total, d.SourceRef = w.NUM, w.BPCINV, w.INVDAT, w.AMTATI.D, w.SIHORINUM
	}
	return d
}

// FindDocument returns the document of kind whose ZEXTREF is externalRef: the oldest live one,
// else the newest void or cancelled one (erp.PickLive).
func (c *Client) FindDocument(ctx context.Context, kind erp.DocumentKind, externalRef string) (*erp.Document, error) {
	p, _, err := docPath(kind)
	if err != nil {
		return nil, err
	}
	if externalRef == "" {
		return nil, httpx.Invalid("FindDocument: external reference is required")
	}
	docs, err := c.list(ctx, kind, p, url.Values{"externalRef": {externalRef}})
	if err != nil {
		return nil, err
	}
	return erp.PickLive(docs, func(d *erp.Document) string { return d.Status }), nil
}

// CountLive counts the live documents of kind carrying externalRef (ZEXTREF).
func (c *Client) CountLive(ctx context.Context, kind erp.DocumentKind, externalRef string) (int, error) {
	p, _, err := docPath(kind)
	if err != nil {
		return 0, err
	}
	docs, err := c.list(ctx, kind, p, url.Values{"externalRef": {externalRef}})
	return erp.CountLive(docs), err
}

// ListDocuments lists the documents of kind dated from..to (YYYY-MM-DD, inclusive).
func (c *Client) ListDocuments(ctx context.Context, kind erp.DocumentKind, from, to string) ([]erp.Document, error) {
	p, _, err := docPath(kind)
	if err != nil {
		return nil, err
	}
	return c.list(ctx, kind, p, url.Values{"dateFrom": {from}, "dateTo": {to}})
}

func (c *Client) list(ctx context.Context, kind erp.DocumentKind, p string, q url.Values) ([]erp.Document, error) {
	ws, err := httpx.All[wireDoc](ctx, c.h, p, q)
	if err != nil {
		return nil, err
	}
	docs := make([]erp.Document, 0, len(ws))
	for _, w := range ws {
		docs = append(docs, *fromWireDoc(kind, w))
	}
	return docs, nil
}

// CreateDocument posts a sales order (SOH; its stock is allocated by AllocateStock), sales invoice (SIH; SourceRef is
// its order) or credit memo (SourceRef is the invoice it credits), each on site d.Site (SALFCY,
// else Options.SalesFacility).
// X3 does not deduplicate: callers FindDocument first.
func (c *Client) CreateDocument(ctx context.Context, kind erp.DocumentKind, d erp.Document) (*erp.Document, error) {
	p, _, err := docPath(kind)
	if err != nil {
		return nil, err
	}
	var out wireDoc
	if err := c.h.Do(ctx, "POST", p, nil, c.toWireDoc(kind, d), &out); err != nil {
		return nil, err
	}
	return fromWireDoc(kind, out), nil
}

// VoidDocument cancels a sales order (releasing its stock allocation) or voids an invoice or
// credit memo. An already void or cancelled document succeeds, so compensation can be retried.
func (c *Client) VoidDocument(ctx context.Context, kind erp.DocumentKind, number string) error {
	p, action, err := docPath(kind)
	if err != nil {
		return err
	}
	if number == "" {
		return httpx.Invalid("VoidDocument: document number is required")
	}
	path := p + httpx.Seg(number)
	err = c.h.Do(ctx, "POST", path+action, nil, nil, nil)
	if err == nil || !httpx.IsStatus(err, http.StatusConflict) {
		return err
	}
	// 409 may mean "already void" (a retry after a lost response): check the state.
	var cur wireDoc
	if gerr := c.h.Do(ctx, "GET", path, nil, nil, &cur); gerr == nil && (cur.STA == "Void" || cur.STA == "Cancelled") {
		return nil
	}
	return err
}

// anyLineTax reports whether some line carries its own tax (then the header tax is their sum).
func anyLineTax(lines []erp.Line) bool {
	for _, l := range lines {
		if !l.Tax.IsZero() {
			return true
		}
	}
	return false
}

// WireDocument is the body CreateDocument would POST.
func (c *Client) WireDocument(kind erp.DocumentKind, d erp.Document) (any, error) {
	if _, _, err := docPath(kind); err != nil {
		return nil, err
	}
	return c.toWireDoc(kind, d), nil
}

// AllocateStock allocates the stock (ALASTO) of sales order number's stocked lines in its site.
// X3 allocates an order once, so a retry after a lost response changes nothing.
func (c *Client) AllocateStock(ctx context.Context, number string) error {
	if number == "" {
		return httpx.Invalid("AllocateStock: sales order number is required")
	}
	return c.h.Do(ctx, "POST", "/sales/salesOrders"+httpx.Seg(number)+"/allocate", nil, nil, nil)
}
