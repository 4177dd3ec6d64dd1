package posting

import (
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/ledgerbridge/ledgerbridge/internal/erp"
	"github.com/ledgerbridge/ledgerbridge/internal/mapping"
)

// CreditNote is a provider credit note (Stripe cn_…) against a paid invoice.
type CreditNote struct {
	ID        string          `json:"id"`
	Number    string          `json:"number,omitempty"`
	InvoiceID string          `json:"invoiceId"`
	ChargeID  string          `json:"chargeId,omitempty"`
	Currency  string          `json:"currency"`
	Created   int64           `json:"created"`
	Total     decimal.Decimal `json:"total"`
	Status    string          `json:"status"`
	Reason    string          `json:"reason,omitempty"`
	// RefundID is the refund it paid back, if any (its cash is posted by that refund's run).
	RefundID string           `json:"refundId,omitempty"`
	Lines    []CreditNoteLine `json:"lines"`
	// InvoiceLineIDs are the provider invoice's line IDs in order, which is the order of the ERP
	// invoice's lines: a credit note line names the invoice line it credits by ID.
	InvoiceLineIDs []string `json:"invoiceLineIds,omitempty"`
}

// CreditNoteLine is one credited line: Amount before discount, excluding tax (Stripe's line
// amount), its Discount and Tax.
type CreditNoteLine struct {
	Description   string          `json:"description,omitempty"`
	Quantity      int64           `json:"quantity"`
	Amount        decimal.Decimal `json:"amount"`
	Discount      decimal.Decimal `json:"discount,omitzero"`
	Tax           decimal.Decimal `json:"tax,omitzero"`
	InvoiceLineID string          `json:"invoiceLineId,omitempty"`
}

// CreditNoteMemo renders the ERP credit memo of a credit note against the invoice it credits:
// each line as the provider credited it (amount, discount, tax), on the ERP item and tax code of
// the invoice line it names; a line that names none (a custom line) on the mapping's default item.
// The memo's total equals the credit note's, or it is a data error.
func CreditNoteMemo(m *mapping.Mapping, cn *CreditNote, inv *erp.Document) (erp.Document, error) {
	if cn.Currency != inv.Currency {
		return erp.Document{}, &mapping.DataError{Field: "credit_note.currency", Message: fmt.Sprintf(
			"credit note %s is in %s but invoice %s is in %s", cn.ID, cn.Currency, inv.Number, inv.Currency)}
	}
	byID := map[string]erp.Line{}
	if len(cn.InvoiceLineIDs) == len(inv.Lines) {
		for i, id := range cn.InvoiceLineIDs {
			byID[id] = inv.Lines[i]
		}
	}
	one := decimal.NewFromInt(1)
	var lines []erp.Line
	for _, l := range cn.Lines {
		src, ok := byID[l.InvoiceLineID]
		if !ok {
			item, err := m.Item(mapping.Source{"charge.id": cn.ChargeID, "line.description": l.Description})
			if err != nil {
				return erp.Document{}, err
			}
			src = erp.Line{ItemID: item, Description: l.Description}
		}
		desc := firstNonEmpty(l.Description, src.Description)
		lines = append(lines, erp.Line{ItemID: src.ItemID, Description: desc, Quantity: one, UnitPrice: l.Amount, Amount: l.Amount,
			Discount: l.Discount, Tax: l.Tax, TaxCode: src.TaxCode, Kind: src.Kind})
	}
	doc := erp.Document{CustomerID: inv.CustomerID, Date: m.Date(cn.Created), Currency: cn.Currency, Lines: lines,
		ExternalRef: cn.ID, SourceRef: inv.Number, Site: inv.Site,
		Memo: fmt.Sprintf("Stripe credit note %s %s of invoice %s %s", cn.ID, cn.Number, cn.InvoiceID, cn.Reason)}
	doc.DiscountTotal, doc.TaxTotal, doc.Total = doc.Totals()
	if !doc.Total.Equal(cn.Total) {
		return doc, &mapping.DataError{Field: "credit_note.lines", Message: fmt.Sprintf(
			"credit note %s: its lines total %s but the credit note is %s %s", cn.ID, doc.Total, cn.Total, cn.Currency)}
	}
	return doc, nil
}
