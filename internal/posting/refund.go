package posting

import (
	"fmt"
	"sort"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/ledgerbridge/ledgerbridge/internal/erp"
	"github.com/ledgerbridge/ledgerbridge/internal/glmap"
	"github.com/ledgerbridge/ledgerbridge/internal/mapping"
	"github.com/ledgerbridge/ledgerbridge/internal/money"
)

// Refund is a provider refund, re-fetched.
type Refund struct {
	ID          string          `json:"id"`
	ChargeID    string          `json:"chargeId"`
	AmountMinor int64           `json:"amountMinor"`
	Amount      decimal.Decimal `json:"amount"`
	Currency    string          `json:"currency"`
	Status      string          `json:"status"`
	Reason      string          `json:"reason,omitempty"`
	Created     int64           `json:"created"`
	// Settlement is how the refund left Stripe's balance when its charge settled in another
	// currency: the refunded cash leaves clearing at that amount.
	Settlement *Settlement `json:"settlement,omitempty"`
	// Release is true for the "refund" that releases the uncaptured part of an authorisation
	// (a partial capture or a cancelled one): no money was received, so nothing is credited.
	Release bool `json:"release,omitempty"`
}

// CreditMemo renders a refund's credit memo against the invoice it credits: the refunded amount
// spread over the invoice's lines in proportion to what each line charged (its net plus tax), each
// share split back into net and tax in the line's own proportion, with the line's item and tax
// code, so that the memo credits tax where the invoice charged it and sums to the refund exactly.
func CreditMemo(m *mapping.Mapping, r *Refund, inv *erp.Document) (erp.Document, error) {
	if r.Currency != inv.Currency {
		return erp.Document{}, &mapping.DataError{Field: "refund.currency", Message: fmt.Sprintf(
			"refund %s is in %s but invoice %s is in %s", r.ID, r.Currency, inv.Number, inv.Currency)}
	}
	lines, err := AllocateLines(inv.Lines, r.Amount, r.Currency)
	if err != nil {
		return erp.Document{}, &mapping.DataError{Field: "refund.amount", Message: fmt.Sprintf("refund %s: %v", r.ID, err)}
	}
	doc := erp.Document{CustomerID: inv.CustomerID, Date: m.Date(r.Created), Currency: r.Currency, Lines: lines,
		ExternalRef: r.ID, SourceRef: inv.Number, Site: inv.Site,
		Memo: strings.TrimSpace(fmt.Sprintf("Refund %s of %s %s", r.ID, r.ChargeID, r.Reason))}
	doc.DiscountTotal, doc.TaxTotal, doc.Total = doc.Totals()
	return doc, nil
}

// AllocateLines splits amount across the lines that charged something (net plus tax above zero)
// in proportion to what each charged, rounding to the currency's exponent with the
// largest-remainder method, and splits each share into net and tax in the line's proportion: the
// result's amounts and taxes sum to amount exactly.
func AllocateLines(lines []erp.Line, amount decimal.Decimal, currency string) ([]erp.Line, error) {
	type src struct {
		line  erp.Line
		gross decimal.Decimal
	}
	var charged []src
	total := decimal.Zero
	for _, l := range lines {
		if g := l.Net().Add(l.Tax); g.IsPositive() {
			charged = append(charged, src{l, g})
			total = total.Add(g)
		}
	}
	if !total.IsPositive() {
		return nil, fmt.Errorf("invoice has no lines that charged anything to credit")
	}
	if amount.GreaterThan(total) {
		return nil, fmt.Errorf("refund %s exceeds what the invoice lines charged, %s", amount, total)
	}
	exp := money.Exponent(currency)
	unit := decimal.New(1, -exp)
	shares := make([]decimal.Decimal, len(charged))
	type rem struct {
		i int
		r decimal.Decimal
	}
	rems := make([]rem, len(charged))
	allocated := decimal.Zero
	for i, c := range charged {
		exact := amount.Mul(c.gross).DivRound(total, exp+8)
		shares[i] = exact.Truncate(exp)
		rems[i] = rem{i, exact.Sub(shares[i])}
		allocated = allocated.Add(shares[i])
	}
	sort.SliceStable(rems, func(x, y int) bool { return rems[x].r.GreaterThan(rems[y].r) })
	for k := 0; allocated.LessThan(amount); k++ {
		i := rems[k%len(rems)].i
		shares[i] = shares[i].Add(unit)
		allocated = allocated.Add(unit)
	}
	var out []erp.Line
	one := decimal.NewFromInt(1)
	for i, c := range charged {
		if !shares[i].IsPositive() {
			continue
		}
		tax := decimal.Zero
		if c.line.Tax.IsPositive() {
			tax = shares[i].Mul(c.line.Tax).DivRound(c.gross, exp+8).Round(exp)
		}
		net := shares[i].Sub(tax)
		out = append(out, erp.Line{ItemID: c.line.ItemID, Description: c.line.Description, Quantity: one, UnitPrice: net,
			Amount: net, Tax: tax, TaxCode: c.line.TaxCode})
	}
	return out, nil
}

// RefundCash renders the refunded cash: Dr receivable (clearing the credit the memo left) / Cr
// processor clearing (the money left the provider's balance). With the memo (Dr returns / Cr
// receivable) the customer's balance nets to zero and clearing ties to the payout.
//
// Clearing is kept in the currency Stripe settles in: a refund of a charge settled in another
// currency is booked at its settled amount in that currency.
func RefundCash(m *mapping.Mapping, gl glmap.Accounts, clearing string, r *Refund, creditMemo string) erp.JournalEntry {
	cur, amt := r.Currency, r.Amount
	if st := r.Settlement; st != nil {
		cur, amt = st.Currency, st.Settled.Abs()
	}
	return erp.JournalEntry{
		Date: m.Date(r.Created), Currency: cur, ExternalRef: r.ID,
		Memo: fmt.Sprintf("Refund %s paid out (credit memo %s)", r.ID, creditMemo),
		Lines: []erp.JournalLine{
			{Account: gl.Receivable, Debit: amt, Description: "Refund " + r.ID},
			{Account: clearing, Credit: amt, Description: "Refund " + r.ID},
		},
	}
}

// Balanced checks that debits equal credits.
func Balanced(je erp.JournalEntry) error {
	dr, cr := decimal.Zero, decimal.Zero
	for _, l := range je.Lines {
		dr, cr = dr.Add(l.Debit), cr.Add(l.Credit)
	}
	if !dr.Equal(cr) {
		return fmt.Errorf("journal entry %s does not balance: debits %s, credits %s, difference %s", je.ExternalRef, dr, cr, dr.Sub(cr))
	}
	return nil
}
