package sage500

import (
	"context"
	"net/http"
	"net/url"

	"github.com/ledgerbridge/ledgerbridge/internal/erp"
	"github.com/shopspring/decimal"
)

// docPath maps a document kind to its collection path.
func docPath(kind erp.DocumentKind) (string, error) {
	switch kind {
	case erp.KindSalesOrder:
		return "/SalesOrders", nil
	case erp.KindInvoice:
		return "/Invoices", nil
	case erp.KindCreditMemo:
		return "/CreditMemos", nil
	}
	return "", localInvalid("unsupported document kind %q", kind)
}

func toWireLines(ls []erp.Line) []wireLine {
	out := make([]wireLine, len(ls))
	for i, l := range ls {
		out[i] = wireLine{LineNo: i + 1, ItemID: l.ItemID, Description: l.Description, Qty: amt(l.Quantity), UnitPrice: amt(l.UnitPrice),
			LineType: lineKinds[l.Kind], TradeDiscAmt: optAmt(l.Discount), STaxAmt: optAmt(l.Tax), STaxClassID: l.TaxCode}
		// A zero amount means "let Sage extend the line"; a non-zero one is checked by Sage.
		if !l.Amount.IsZero() {
			out[i].ExtAmt = amt(l.Amount)
		}
	}
	return out
}

func fromWireLines(ls []wireLine) []erp.Line {
	out := make([]erp.Line, len(ls))
	for i, l := range ls {
		out[i] = erp.Line{ItemID: l.ItemID, Description: l.Description, Quantity: l.Qty.d, UnitPrice: l.UnitPrice.d, Amount: l.ExtAmt.d,
			Kind: lineKind(l.LineType), Discount: l.TradeDiscAmt.d, Tax: l.STaxAmt.d, TaxCode: l.STaxClassID}
	}
	return out
}

// lineKinds spells the port's line kinds as Sage 500 LineType values.
var lineKinds = map[string]string{erp.LineItem: "", erp.LineProration: "Proration", erp.LineDiscount: "Discount"}

func lineKind(code string) string {
	for k, v := range lineKinds {
		if v == code {
			return k
		}
	}
	return code
}

// withTotals fills a read document's discount and tax totals from the header.
func withTotals(d *erp.Document, t wireTotals) *erp.Document {
	d.DiscountTotal, d.TaxTotal = t.TradeDiscAmt.d, t.STaxAmt.d
	return d
}

// optAmt sends a total only when the caller set one, so Sage validates it against the lines.
func optAmt(d decimal.Decimal) amount {
	if d.IsZero() {
		return amount{}
	}
	return amt(d)
}

// wireDoc is the per-kind JSON shape of a document, convertible to the neutral form.
type wireDoc interface{ toDoc() *erp.Document }

func (w *wireSalesOrder) toDoc() *erp.Document {
	return withTotals(&erp.Document{Number: w.SONo, CustomerID: w.CustomerID, Date: w.OrderDate, Currency: w.CurrID,
		Lines: fromWireLines(w.Lines), Total: w.OrderTotal.d, ExternalRef: w.ExternalRef, Memo: w.Memo, Status: w.Status}, w.wireTotals)
}

func (w *wireInvoice) toDoc() *erp.Document {
	return withTotals(&erp.Document{Number: w.InvoiceNo, CustomerID: w.CustomerID, Date: w.InvoiceDate, Currency: w.CurrID,
		Lines: fromWireLines(w.Lines), Total: w.InvoiceTotal.d, Balance: w.Balance.d, ExternalRef: w.ExternalRef,
		SourceRef: w.SalesOrderNo, Memo: w.Memo, Status: w.Status}, w.wireTotals)
}

func (w *wireCreditMemo) toDoc() *erp.Document {
	return withTotals(&erp.Document{Number: w.MemoNo, CustomerID: w.CustomerID, Date: w.MemoDate, Currency: w.CurrID,
		Lines: fromWireLines(w.Lines), Total: w.MemoTotal.d, Balance: w.Balance.d, ExternalRef: w.ExternalRef,
		SourceRef: w.InvoiceNo, Memo: w.Memo, Status: w.Status}, w.wireTotals)
}

// toWireDoc builds the create body for kind.
func toWireDoc(kind erp.DocumentKind, d erp.Document) any {
	lines := toWireLines(d.Lines)
	switch kind {
	case erp.KindSalesOrder:
		return &wireSalesOrder{CustomerID: d.CustomerID, OrderDate: d.Date, CurrID: d.Currency, Lines: lines,
			OrderTotal: optAmt(d.Total), ExternalRef: d.ExternalRef, Memo: d.Memo}
	case erp.KindInvoice:
		return &wireInvoice{CustomerID: d.CustomerID, InvoiceDate: d.Date, CurrID: d.Currency, Lines: lines,
			InvoiceTotal: optAmt(d.Total), ExternalRef: d.ExternalRef, SalesOrderNo: d.SourceRef, Memo: d.Memo}
	default:
		return &wireCreditMemo{CustomerID: d.CustomerID, MemoDate: d.Date, CurrID: d.Currency, Lines: lines,
			MemoTotal: optAmt(d.Total), ExternalRef: d.ExternalRef, InvoiceNo: d.SourceRef, Memo: d.Memo}
	}
}

// newWireDoc returns an empty response value for kind.
func newWireDoc(kind erp.DocumentKind) wireDoc {
	switch kind {
	case erp.KindSalesOrder:
		return &wireSalesOrder{}
	case erp.KindInvoice:
		return &wireInvoice{}
	default:
		return &wireCreditMemo{}
	}
}

// FindDocument returns the oldest document of kind whose ExternalRef is externalRef.
func (c *Client) FindDocument(ctx context.Context, kind erp.DocumentKind, externalRef string) (*erp.Document, error) {
	p, err := docPath(kind)
	if err != nil {
		return nil, err
	}
	if externalRef == "" {
		return nil, localInvalid("FindDocument: external reference is required")
	}
	docs, err := c.list(ctx, kind, p, url.Values{"externalRef": {externalRef}})
	if err != nil {
		return nil, err
	}
	return erp.PickLive(docs, func(d *erp.Document) string { return d.Status }), nil
}

// CountLive counts the live documents of kind carrying externalRef.
func (c *Client) CountLive(ctx context.Context, kind erp.DocumentKind, externalRef string) (int, error) {
	p, err := docPath(kind)
	if err != nil {
		return 0, err
	}
	docs, err := c.list(ctx, kind, p, url.Values{"externalRef": {externalRef}})
	return erp.CountLive(docs), err
}

// ListDocuments lists the documents of kind dated from..to (YYYY-MM-DD, inclusive).
func (c *Client) ListDocuments(ctx context.Context, kind erp.DocumentKind, from, to string) ([]erp.Document, error) {
	p, err := docPath(kind)
	if err != nil {
		return nil, err
	}
	return c.list(ctx, kind, p, url.Values{"dateFrom": {from}, "dateTo": {to}})
}

func (c *Client) list(ctx context.Context, kind erp.DocumentKind, p string, q url.Values) ([]erp.Document, error) {
	switch kind {
	case erp.KindSalesOrder:
		return listDocs[wireSalesOrder](ctx, c, p, q)
	case erp.KindInvoice:
		return listDocs[wireInvoice](ctx, c, p, q)
	default:
		return listDocs[wireCreditMemo](ctx, c, p, q)
	}
}

func listDocs[T any, PT interface {
	*T
	wireDoc
}](ctx context.Context, c *Client, path string, q url.Values) ([]erp.Document, error) {
	var l list[T]
	if err := c.do(ctx, "GET", path, q, nil, &l); err != nil {
		return nil, err
	}
	docs := make([]erp.Document, 0, len(l.Value))
	for i := range l.Value {
		docs = append(docs, *PT(&l.Value[i]).toDoc())
	}
	return docs, nil
}

// CreateDocument posts a new document. Sage 500 does not deduplicate: callers look the
// document up with FindDocument first. For invoices SourceRef is the sales order; for credit
// memos it is the invoice the memo is applied to.
func (c *Client) CreateDocument(ctx context.Context, kind erp.DocumentKind, d erp.Document) (*erp.Document, error) {
	p, err := docPath(kind)
	if err != nil {
		return nil, err
	}
	out := newWireDoc(kind)
	if err := c.do(ctx, "POST", p, nil, toWireDoc(kind, d), out); err != nil {
		return nil, err
	}
	return out.toDoc(), nil
}

// VoidDocument voids an invoice or credit memo, or cancels a sales order. Voiding a document
// that is already void (or canceled) succeeds, so compensation can be retried safely.
func (c *Client) VoidDocument(ctx context.Context, kind erp.DocumentKind, number string) error {
	p, err := docPath(kind)
	if err != nil {
		return err
	}
	if number == "" {
		return localInvalid("VoidDocument: document number is required")
	}
	action, done := "/Void", "Void"
	if kind == erp.KindSalesOrder {
		action, done = "/Cancel", "Canceled"
	}
	path := p + "/" + pathEscape(number)
	err = c.do(ctx, "POST", path+action, nil, nil, nil)
	if err == nil || !isStatus(err, http.StatusConflict) {
		return err
	}
	// 409 may mean "already void" (e.g. a retry after a lost response): check the state.
	cur := newWireDoc(kind)
	if gerr := c.do(ctx, "GET", path, nil, nil, cur); gerr != nil {
		return err
	}
	if cur.toDoc().Status == done {
		return nil
	}
	return err
}
