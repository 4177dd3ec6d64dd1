package posting

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/ledgerbridge/ledgerbridge/internal/erp"
	"github.com/ledgerbridge/ledgerbridge/internal/mapping"
	"github.com/ledgerbridge/ledgerbridge/internal/money"
)

// Corrections are what an operator supplied with a parked run's retry that changes a plan.
type Corrections struct {
	// ItemID replaces the ERP item of every item line.
	ItemID string
}

// Customer renders the ERP customer a charge's customer becomes when it has to be created.
func Customer(m *mapping.Mapping, ch *Charge) (erp.Customer, error) {
	c, err := m.Customer(ch.Source())
	return c, err
}

// Document renders the sales order or invoice of a charge for ERP customer customerID (and,
// for an invoice, the sales order it follows). Its lines are the provider invoice's lines, each
// with its discount, tax and tax code, prorations as their own lines; or one line for the
// charge itself. The totals equal the amount the charge posts, to the cent, or it is an error.
func Document(m *mapping.Mapping, ch *Charge, customerID, salesOrder string, corr Corrections) (erp.Document, error) {
	src := ch.Source()
	lines, err := lines(m, ch, corr)
	if err != nil {
		return erp.Document{}, err
	}
	doc := erp.Document{CustomerID: customerID, Date: m.Date(ch.Created), Currency: ch.Currency, Lines: lines,
		ExternalRef: ch.ID, SourceRef: salesOrder, Memo: m.InvoiceMemo(src), Site: m.ExtraValue("sales_facility", src)}
	doc.DiscountTotal, doc.TaxTotal, doc.Total = doc.Totals()
	if want := ch.Posted(); !doc.Total.Equal(want) {
		return doc, &mapping.DataError{Field: "invoice.lines", Message: fmt.Sprintf(
			"charge %s: the invoice lines total %s %s (after discounts %s and tax %s) but the charge posts %s %s; retry with corrections or post by hand",
			ch.ID, doc.Total, ch.Currency, doc.DiscountTotal, doc.TaxTotal, want, ch.Currency)}
	}
	return doc, nil
}

// lines maps the provider invoice's lines, or the charge itself, to ERP lines.
func lines(m *mapping.Mapping, ch *Charge, corr Corrections) ([]erp.Line, error) {
	item := func(src mapping.Source) (string, error) {
		if corr.ItemID != "" {
			return corr.ItemID, nil
		}
		return m.Item(src)
	}
	one := decimal.NewFromInt(1)
	if ch.Invoice == nil || len(ch.Invoice.Lines) == 0 {
		src := ch.Source()
		itemID, err := item(src)
		if err != nil {
			return nil, err
		}
		desc := firstNonEmpty(m.LineDescription(src), "Stripe charge "+ch.ID)
		amt := ch.Posted()
		return []erp.Line{{ItemID: itemID, Description: desc, Quantity: one, UnitPrice: amt, Amount: amt}}, nil
	}
	out := make([]erp.Line, 0, len(ch.Invoice.Lines))
	for _, l := range ch.Invoice.Lines {
		src := ch.lineSource(l)
		itemID, err := item(src)
		if err != nil {
			return nil, err
		}
		qty, unit := decimal.NewFromInt(l.Quantity), decimal.Zero
		if l.Quantity > 0 {
			unit = l.Amount.Div(qty)
		}
		// A unit price the currency cannot express (10.00 / 3) is posted as one unit of the total.
		if l.Quantity <= 0 || !money.Round(unit, ch.Currency).Equal(unit) {
			qty, unit = one, l.Amount
		}
		code, err := taxCode(m, l.Taxes)
		if err != nil {
			return nil, err
		}
		el := erp.Line{ItemID: itemID, Description: m.LineDescription(src), Quantity: qty, UnitPrice: unit, Amount: l.Amount,
			Discount: l.Discount, Tax: l.tax(), TaxCode: code}
		if l.Proration {
			el.Kind = erp.LineProration
		}
		out = append(out, el)
	}
	return out, nil
}

// taxCode gives the ERP tax code of a line's taxes through value map tax_code (keyed by the
// provider's tax rate ID, then its display name), several codes comma-separated; without that
// value map the ERP applies its own (empty code).
func taxCode(m *mapping.Mapping, taxes []Tax) (string, error) {
	if len(taxes) == 0 || !m.HasValueMap(mapping.MapTaxCode) {
		return "", nil
	}
	var codes []string
	for _, t := range taxes {
		code, err := m.Value(mapping.MapTaxCode, t.RateID)
		if err != nil && t.Name != "" {
			code, err = m.Value(mapping.MapTaxCode, t.Name)
		}
		if err != nil {
			var d *mapping.DataError
			if errors.As(err, &d) {
				d.Field = "value_maps.tax_code"
				d.Message = fmt.Sprintf("no ERP tax code for tax rate %s (%q); add it to value_maps.tax_code", t.RateID, t.Name)
			}
			return "", err
		}
		if !slices.Contains(codes, code) {
			codes = append(codes, code)
		}
	}
	return strings.Join(codes, ","), nil
}

// Payment renders the cash receipt of a charge against invoiceNumber: its method, ERP payment
// type, reference and posted status through the mapping (each unmapped value a *DataError), its
// site, and its home-currency value when the charge settled in another currency.
func Payment(m *mapping.Mapping, ch *Charge, customerID, invoiceNumber string) (erp.Payment, error) {
	src := ch.Source()
	p := erp.Payment{CustomerID: customerID, InvoiceNumber: invoiceNumber, Date: m.Date(ch.Created), Currency: ch.Currency,
		Amount: ch.Posted(), ExternalRef: ch.ID, Reference: m.PaymentReference(src), Site: m.ExtraValue("sales_facility", src)}
	var err error
	if p.Method, err = m.PaymentMethod(src); err != nil {
		return p, err
	}
	if p.Type, err = m.PaymentType(src); err != nil {
		return p, err
	}
	if p.PaymentStatus, err = m.PaymentStatus(src); err != nil {
		return p, err
	}
	if st := ch.Settlement; st != nil && !strings.EqualFold(st.Currency, ch.Currency) {
		p.HomeCurrency, p.ExchangeRate = st.Currency, st.Rate
		p.HomeAmount = HomeAmount(p.Amount, st)
	}
	return p, nil
}

// OrderPlan is everything order-to-cash would post for a charge.
type OrderPlan struct {
	Customer   *erp.Customer `json:"customer,omitempty"`
	SalesOrder *erp.Document `json:"salesOrder,omitempty"`
	Invoice    *erp.Document `json:"invoice,omitempty"`
	Payment    *erp.Payment  `json:"payment,omitempty"`
	// Rules lists the mapping rules that matched.
	Rules []string `json:"rulesApplied,omitempty"`
	// Problems are the data errors that would park the run, in step order.
	Problems []string `json:"problems,omitempty"`
}

// Order renders the whole plan of a charge, collecting data errors instead of stopping at the
// first (preview shows them all). customerID stands in for the ERP customer it would resolve to.
func Order(m *mapping.Mapping, ch *Charge, customerID string, salesOrder bool, corr Corrections) *OrderPlan {
	p := &OrderPlan{Rules: m.MatchedRules(ch.Source())}
	if c, err := Customer(m, ch); err != nil {
		p.Problems = append(p.Problems, err.Error())
	} else {
		p.Customer = &c
		if customerID == "" {
			customerID = c.ID
		}
	}
	doc, err := Document(m, ch, customerID, "", corr)
	if err != nil {
		p.Problems = append(p.Problems, err.Error())
		return p
	}
	if salesOrder {
		so := doc
		p.SalesOrder = &so
	}
	p.Invoice = &doc
	pay, err := Payment(m, ch, customerID, "")
	if err != nil {
		p.Problems = append(p.Problems, err.Error())
	}
	p.Payment = &pay
	return p
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// HomeAmount is what amount (in the charge's currency) is worth in the settlement currency at the
// rate Stripe reported at payment: the home-currency value the ERP payment carries. The payout
// books the difference to Stripe's settled amount as FX gain or loss.
func HomeAmount(amount decimal.Decimal, st *Settlement) decimal.Decimal {
	return money.Round(amount.Mul(st.Rate), st.Currency)
}
