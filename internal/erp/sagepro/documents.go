package sagepro

import (
	"context"
	"net/http"
	"net/url"

	"github.com/ledgerbridge/ledgerbridge/internal/erp"
	"github.com/ledgerbridge/ledgerbridge/internal/erp/httpx"
)

type wireLine struct {
	Item     string       `json:"item"`
	Descrip  string       `json:"descrip,omitempty"`
	Qty      httpx.Amount `json:"qty"`
	Price    httpx.Amount `json:"price"`
	Extprice httpx.Amount `json:"extprice,omitzero"`
	// Linetype is blank for an item line, P proration, D discount.
	Linetype string       `json:"linetype,omitempty"`
	Disc     httpx.Amount `json:"disc,omitzero"`
	Tax      httpx.Amount `json:"tax,omitzero"`
	Taxcode  string       `json:"taxcode,omitempty"`
}

// lineKinds spells the port's line kinds as Sage Pro linetype codes.
var lineKinds = map[string]string{erp.LineItem: "", erp.LineProration: "P", erp.LineDiscount: "D"}

func lineKind(code string) string {
	for k, v := range lineKinds {
		if v == code {
			return k
		}
	}
	return code
}

// wireDoc is somast01 (sales order) and armast01 (invoice, credit memo) in one shape; each
// type uses its own key, date and amount columns.
type wireDoc struct {
	Sono          string       `json:"sono,omitempty"`
	Invno         string       `json:"invno,omitempty"`
	Memono        string       `json:"memono,omitempty"`
	Custno        string       `json:"custno"`
	Ordate        string       `json:"ordate,omitempty"`
	Invdate       string       `json:"invdate,omitempty"`
	Memodate      string       `json:"memodate,omitempty"`
	Currcode      string       `json:"currcode,omitempty"`
	Lines         []wireLine   `json:"lines"`
	Tax           httpx.Amount `json:"tax,omitzero"`
	Disc          httpx.Amount `json:"disc,omitzero"`
	Ordamt        httpx.Amount `json:"ordamt,omitzero"`
	Invamt        httpx.Amount `json:"invamt,omitzero"`
	Cmamt         httpx.Amount `json:"cmamt,omitzero"`
	Balance       httpx.Amount `json:"balance,omitzero"`
	Sostat        string       `json:"sostat,omitempty"`
	Arstat        string       `json:"arstat,omitempty"`
	PaymentStatus string       `json:"PaymentStatus,omitempty"`
	Extref        string       `json:"extref"`
	Notes         string       `json:"notes,omitempty"`
}

func docPath(kind erp.DocumentKind) (string, error) {
	switch kind {
	case erp.KindSalesOrder:
		return "/SalesOrder", nil
	case erp.KindInvoice:
		return "/Invoice", nil
	case erp.KindCreditMemo:
		return "/CreditMemo", nil
	}
	return "", httpx.Invalid("unsupported document kind %q", kind)
}

func toWireDoc(kind erp.DocumentKind, d erp.Document) (wireDoc, error) {
	date, err := proDate(d.Date)
	if err != nil {
		return wireDoc{}, err
	}
	cur := d.Currency
	w := wireDoc{Custno: d.CustomerID, Currcode: cur, Extref: d.ExternalRef, Notes: d.Memo}
	for _, l := range d.Lines {
		// A zero extension lets Sage Pro extend the line; a non-zero one is checked.
		w.Lines = append(w.Lines, wireLine{Item: l.ItemID, Descrip: l.Description, Qty: httpx.Amt(l.Quantity),
			Price: httpx.Amt(l.UnitPrice), Extprice: optAmount(l.Amount, cur), Linetype: lineKinds[l.Kind],
			Disc: optAmount(l.Discount, cur), Tax: optAmount(l.Tax, cur), Taxcode: l.TaxCode})
	}
	if !linesTaxed(d.Lines) {
		if _, tax, _ := d.Totals(); !tax.IsZero() {
			w.Tax = amount(tax, cur)
		}
	}
	switch kind {
	case erp.KindSalesOrder:
		w.Ordate, w.Ordamt = date, optAmount(d.Total, cur)
	case erp.KindInvoice:
		w.Invdate, w.Invamt, w.Sono = date, optAmount(d.Total, cur), d.SourceRef
	default:
		w.Memodate, w.Cmamt, w.Invno = date, optAmount(d.Total, cur), d.SourceRef
	}
	return w, nil
}

// docStatus maps Pro's status codes to the port's: sostat X → Canceled, arstat V → Void, an
// invoice whose PaymentStatus is Paid → Paid, anything else Open.
func docStatus(w wireDoc) string {
	switch {
	case w.Sostat == "X":
		return "Canceled"
	case w.Arstat == "V":
		return "Void"
	case w.PaymentStatus == "Paid":
		return "Paid"
	}
	return "Open"
}

func fromWireDoc(kind erp.DocumentKind, w wireDoc) *erp.Document {
	d := &erp.Document{CustomerID: w.Custno, Currency: w.Currcode, ExternalRef: w.Extref, Memo: w.Notes,
		Balance: w.Balance.D, Status: docStatus(w)}
	for _, l := range w.Lines {
		d.Lines = append(d.Lines, erp.Line{ItemID: l.Item, Description: l.Descrip, Quantity: l.Qty.D, UnitPrice: l.Price.D, Amount: l.Extprice.D,
			Kind: lineKind(l.Linetype), Discount: l.Disc.D, Tax: l.Tax.D, TaxCode: l.Taxcode})
	}
	d.DiscountTotal, d.TaxTotal = w.Disc.D, w.Tax.D
	switch kind {
	case erp.KindSalesOrder:
		d.Number, d.Date, d.Total = w.Sono, isoDate(w.Ordate), w.Ordamt.D
	case erp.KindInvoice:
		d.Number, d.Date, d.Total, d.SourceRef = w.Invno, isoDate(w.Invdate), w.Invamt.D, w.Sono
	default:
		d.Number, d.Date, d.Total, d.SourceRef = w.Memono, isoDate(w.Memodate), w.Cmamt.D, w.Invno
	}
	return d
}

// FindDocument returns the oldest document of kind whose extref is externalRef.
func (c *Client) FindDocument(ctx context.Context, kind erp.DocumentKind, externalRef string) (*erp.Document, error) {
	p, err := docPath(kind)
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

// CountLive counts the live documents of kind carrying externalRef (extref).
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

// CreateDocument posts a sales order (allocating stock), invoice (SourceRef: its sales order)
// or credit memo (SourceRef: the invoice it credits). Sage Pro does not deduplicate.
func (c *Client) CreateDocument(ctx context.Context, kind erp.DocumentKind, d erp.Document) (*erp.Document, error) {
	p, err := docPath(kind)
	if err != nil {
		return nil, err
	}
	w, err := toWireDoc(kind, d)
	if err != nil {
		return nil, err
	}
	var out wireDoc
	if err := c.h.Do(ctx, "POST", p, nil, w, &out); err != nil {
		return nil, err
	}
	return fromWireDoc(kind, out), nil
}

// VoidDocument voids (for a sales order: cancels) a document; an already void one succeeds.
func (c *Client) VoidDocument(ctx context.Context, kind erp.DocumentKind, number string) error {
	p, err := docPath(kind)
	if err != nil {
		return err
	}
	if number == "" {
		return httpx.Invalid("VoidDocument: document number is required")
	}
	path := p + httpx.Seg(number)
	err = c.h.Do(ctx, "POST", path+"/Void", nil, nil, nil)
	if err == nil || !httpx.IsStatus(err, http.StatusConflict) {
		return err
	}
	var cur wireDoc
	if gerr := c.h.Do(ctx, "GET", path, nil, nil, &cur); gerr == nil && (cur.Sostat == "X" || cur.Arstat == "V") {
		return nil
	}
	return err
}

// linesTaxed reports whether some line carries its own tax (then Sage Pro sums the header's).
func linesTaxed(lines []erp.Line) bool {
	for _, l := range lines {
		if !l.Tax.IsZero() {
			return true
		}
	}
	return false
}

// WireDocument is the body CreateDocument would POST.
func (c *Client) WireDocument(kind erp.DocumentKind, d erp.Document) (any, error) {
	if _, err := docPath(kind); err != nil {
		return nil, err
	}
	return toWireDoc(kind, d)
}
