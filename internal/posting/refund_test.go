package posting

import (
	"testing"

	"github.com/shopspring/decimal"

	"github.com/ledgerbridge/ledgerbridge/internal/erp"
	"github.com/ledgerbridge/ledgerbridge/internal/money"
)

// A refund's memo lines sum exactly to the refund in every currency, never above what the
// invoice charged.
func TestAllocateLinesSumsExactlyToTheRefund(t *testing.T) {
	lines := []erp.Line{{ItemID: "WIDGET", Amount: d("10.00")}, {ItemID: "GADGET", Amount: d("10.00")}, {ItemID: "SERVICE", Amount: d("10.00")}}
	for _, c := range []struct{ amount, currency string }{{"10.00", "USD"}, {"0.01", "USD"}, {"29.99", "USD"}, {"30.00", "USD"}, {"7", "JPY"}, {"1.001", "KWD"}} {
		got, err := AllocateLines(lines, d(c.amount), c.currency)
		if err != nil {
			t.Fatal(err)
		}
		sum := decimal.Zero
		for _, l := range got {
			if !l.Amount.Equal(l.Amount.Round(money.Exponent(c.currency))) {
				t.Errorf("%s %s: line %s has sub-unit digits", c.amount, c.currency, l.Amount)
			}
			sum = sum.Add(l.Amount).Add(l.Tax)
		}
		if !sum.Equal(d(c.amount)) {
			t.Errorf("%s %s: lines sum to %s", c.amount, c.currency, sum)
		}
	}
	if _, err := AllocateLines(lines, d("30.01"), "USD"); err == nil {
		t.Fatal("a refund above the invoice must be refused")
	}
}

// A refund of a taxed, discounted invoice credits net and tax where the invoice charged them,
// with the lines' tax codes; proration credits and zero lines take no share.
func TestCreditMemoCreditsTaxWhereItWasCharged(t *testing.T) {
	m := defaultMapping(t, "sage500")
	inv := &erp.Document{Number: "INV-1", CustomerID: "C1", Currency: "USD", Lines: []erp.Line{
		{ItemID: "PRO", Amount: d("100.00"), Discount: d("10.00"), Tax: d("7.20"), TaxCode: "TX-STATE"}, // charged 97.20
		{ItemID: "PRO", Amount: d("-20.00"), Kind: erp.LineProration},                                   // a credit
		{ItemID: "ADDON", Amount: d("20.00"), Tax: d("1.60"), TaxCode: "TX-STATE"},                      // charged 21.60
	}}
	r := &Refund{ID: "re_1", ChargeID: "ch_1", Amount: d("50.00"), Currency: "USD", Created: 1_790_000_000}
	memo, err := CreditMemo(m, r, inv)
	if err != nil {
		t.Fatal(err)
	}
	if !memo.Total.Equal(d("50.00")) || len(memo.Lines) != 2 || memo.SourceRef != "INV-1" || memo.ExternalRef != "re_1" {
		t.Fatalf("memo %+v", memo)
	}
	// 50 × 97.20/118.80 = 40.909… → 40.91, of which tax 40.91 × 7.20/97.20 = 3.03.
	if l := memo.Lines[0]; !l.Amount.Add(l.Tax).Equal(d("40.91")) || !l.Tax.Equal(d("3.03")) || l.TaxCode != "TX-STATE" {
		t.Errorf("line 0 %+v", l)
	}
	if !memo.TaxTotal.Equal(memo.Lines[0].Tax.Add(memo.Lines[1].Tax)) {
		t.Errorf("tax total %s", memo.TaxTotal)
	}
	r.Currency = "EUR"
	if _, err := CreditMemo(m, r, inv); err == nil {
		t.Fatal("a refund in another currency than its invoice must park")
	}
}

// A credit note becomes a credit memo line by line, on the items and tax codes of the invoice
// lines it names, discount and tax as Stripe credited them.
func TestCreditNoteMemo(t *testing.T) {
	m := defaultMapping(t, "sage500")
	inv := &erp.Document{Number: "INV-7", CustomerID: "C1", Currency: "USD", Lines: []erp.Line{
		{ItemID: "PRO", Amount: d("50.00"), Discount: d("5.00"), Tax: d("3.71"), TaxCode: "VA"},
		{ItemID: "ADDON", Amount: d("10.00"), Tax: d("0.83"), TaxCode: "VA"},
	}}
	cn := &CreditNote{ID: "cn_1", InvoiceID: "in_1", Currency: "USD", Total: d("13.57"), InvoiceLineIDs: []string{"il_1", "il_2"},
		Lines: []CreditNoteLine{{Amount: d("10.00"), Discount: d("1.00"), Tax: d("0.74"), InvoiceLineID: "il_1"},
			{Amount: d("2.50"), Tax: d("0.21"), InvoiceLineID: "il_2"}, {Description: "Goodwill", Amount: d("0.12")}}}
	cn.Total = d("12.57") // 10 − 1 + 0.74 + 2.50 + 0.21 + 0.12
	memo, err := CreditNoteMemo(m, cn, inv)
	if err != nil || memo.ExternalRef != "cn_1" || memo.SourceRef != "INV-7" || memo.Lines[0].ItemID != "PRO" || memo.Lines[0].TaxCode != "VA" || memo.Lines[1].ItemID != "ADDON" ||
		memo.Lines[2].ItemID != "STRIPE-SALE" || !memo.TaxTotal.Equal(d("0.95")) || !memo.DiscountTotal.Equal(d("1.00")) {
		t.Fatalf("%+v %v", memo, err)
	}
	cn.Total = d("13.57")
	if _, err := CreditNoteMemo(m, cn, inv); err == nil {
		t.Fatal("a memo that does not total the credit note must park")
	}
}
