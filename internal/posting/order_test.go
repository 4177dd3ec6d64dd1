package posting

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ledgerbridge/ledgerbridge/internal/erp"
	"github.com/ledgerbridge/ledgerbridge/internal/mapping"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func defaultMapping(t *testing.T, name string) *mapping.Mapping {
	t.Helper()
	m, err := mapping.Default(name)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func parse(t *testing.T, yaml string) *mapping.Mapping {
	t.Helper()
	m, err := mapping.Parse("test.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func charge(amount, currency string) *Charge {
	return &Charge{ID: "ch_1", Amount: d(amount), Currency: currency, Status: "succeeded", Paid: true,
		Created: time.Date(2026, 11, 23, 17, 0, 0, 0, time.UTC).Unix(), CardBrand: "visa", CardLast4: "4242",
		Customer: Party{StripeID: "cus_1", Email: "ada@example.com", Name: "Ada Lovelace"}}
}

// Invoice lines keep every cent: quantities, discounts and taxes are Stripe's own, the totals
// equal the charge, and a unit price the currency cannot express becomes one unit of the total.
func TestDocumentLinesKeepEveryCent(t *testing.T) {
	m := defaultMapping(t, "sage500")
	ch := charge("38.42", "USD")
	ch.Invoice = &Invoice{ID: "in_1", Lines: []Line{
		{Description: "Widgets", Quantity: 3, Amount: d("10.00"), Discount: d("1.00"), Taxes: []Tax{{Amount: d("0.74"), RateID: "txr_tx"}},
			Metadata: map[string]string{"sage_item_id": "WIDGET"}},
		{Description: "Gadget", Quantity: 2, Amount: d("20.00"), Discount: d("2.00"), Taxes: []Tax{{Amount: d("1.49"), RateID: "txr_tx"}, {Amount: d("0.19"), RateID: "txr_city"}}},
		{Description: "Unused time on Basic", Quantity: 1, Amount: d("-5.00"), Proration: true},
		{Description: "Remaining time on Pro", Quantity: 1, Amount: d("15.00"), Discount: d("1.00"), Proration: true},
	}}
	doc, err := Document(m, ch, "C1", "", Corrections{})
	if err != nil {
		t.Fatal(err)
	}
	if !doc.Total.Equal(d("38.42")) || !doc.DiscountTotal.Equal(d("4.00")) || !doc.TaxTotal.Equal(d("2.42")) {
		t.Fatalf("totals %s / %s / %s", doc.Total, doc.DiscountTotal, doc.TaxTotal)
	}
	for _, l := range doc.Lines {
		if !l.Quantity.Mul(l.UnitPrice).Equal(l.Amount) {
			t.Errorf("line %+v: qty × price ≠ amount", l)
		}
	}
	if l := doc.Lines[0]; l.ItemID != "WIDGET" || !l.Quantity.Equal(decimal.NewFromInt(1)) || !l.Tax.Equal(d("0.74")) {
		t.Errorf("line 0 %+v", l)
	}
	if l := doc.Lines[1]; l.ItemID != "STRIPE-SALE" || !l.UnitPrice.Equal(d("10")) || !l.Tax.Equal(d("1.68")) {
		t.Errorf("line 1 %+v", l)
	}
	if doc.Lines[2].Kind != erp.LineProration || doc.Lines[3].Kind != erp.LineProration || doc.Lines[0].Kind != erp.LineItem {
		t.Errorf("proration kinds %+v", doc.Lines)
	}
	// Lines that do not explain the charge park instead of being lumped onto a line.
	ch.Amount = d("40.00")
	if _, err := Document(m, ch, "C1", "", Corrections{}); !mapping.IsDataError(err) || !strings.Contains(err.Error(), "invoice lines total 38.42") {
		t.Fatalf("mismatch: %v", err)
	}
}

// A partial capture posts the captured amount; a charge without invoice is one line.
func TestPartialCapturePostsTheCapturedAmount(t *testing.T) {
	m := defaultMapping(t, "sage500")
	ch := charge("100.00", "USD")
	ch.Captured = d("60.00")
	doc, err := Document(m, ch, "C1", "", Corrections{})
	if err != nil || !doc.Total.Equal(d("60.00")) || len(doc.Lines) != 1 {
		t.Fatalf("%+v %v", doc, err)
	}
	p, err := Payment(m, ch, "C1", "INV-1")
	if err != nil || !p.Amount.Equal(d("60.00")) {
		t.Fatalf("%+v %v", p, err)
	}
}

// Every payment key of the mapping changes what is posted: the X3 rule sets the site, the
// payment type goes through value_maps.payment_type (an unmapped type parks), the reference
// template renders REFLOT, and the status goes through value_maps.payment_status.
func TestPaymentKeysAreApplied(t *testing.T) {
	m := defaultMapping(t, "sagex3")
	ch := charge("45.50", "EUR")
	ch.PaymentMethodType = "card"
	p, err := Payment(m, ch, "C1", "INV-1")
	if err != nil {
		t.Fatal(err)
	}
	if p.Type != "CB" || p.Method != "VISA" || p.Reference != "ch_1" || p.PaymentStatus != "" || p.Site != "FR011" {
		t.Fatalf("EUR card payment %+v", p)
	}
	// Sage Pro's status comes through value_maps.payment_status; an unmapped one parks.
	pro := defaultMapping(t, "sagepro")
	if p, err := Payment(pro, ch, "C1", "INV-1"); err != nil || p.PaymentStatus != "Paid" || p.Type != "" || p.Site != "" {
		t.Fatalf("Sage Pro payment %+v %v", p, err)
	}
	pending := *ch
	pending.Status = "pending"
	if _, err := Payment(pro, &pending, "C1", "INV-1"); !mapping.IsDataError(err) || !strings.Contains(err.Error(), "payment_status") {
		t.Fatalf("unmapped status must park: %v", err)
	}
	ch.Currency = "USD"
	if p, _ := Payment(m, ch, "C1", "INV-1"); p.Site != "US011" {
		t.Fatalf("USD site %q", p.Site)
	}
	doc, _ := Document(m, ch, "C1", "", Corrections{})
	if doc.Site != "US011" {
		t.Fatalf("document site %q", doc.Site)
	}
	ch.PaymentMethodType = "klarna"
	if _, err := Payment(m, ch, "C1", "INV-1"); !mapping.IsDataError(err) || !strings.Contains(err.Error(), "payment_type") {
		t.Fatalf("unmapped payment type must park: %v", err)
	}
	custom := parse(t, `erp: sagex3
dates: {timezone: UTC, format: "2006-01-02"}
customer: {fields: {name: "{customer.name}"}}
payment: {method: "{charge.card.brand}", status: "{charge.status}", type: "{charge.payment_method_type}", reference: "ORDER-{charge.metadata.order_id}"}
value_maps:
  payment_type: {card: CB}
  payment_status: {succeeded: Settled}
`)
	ch.PaymentMethodType, ch.Metadata = "card", map[string]string{"order_id": "1001"}
	p, err = Payment(custom, ch, "C1", "INV-1")
	if err != nil || p.Reference != "ORDER-1001" || p.PaymentStatus != "Settled" || p.Method != "visa" {
		t.Fatalf("custom %+v %v", p, err)
	}
}

// A charge settled in another currency carries its home-currency value at Stripe's rate.
func TestSettledInAnotherCurrency(t *testing.T) {
	m := defaultMapping(t, "sage500")
	ch := charge("100.00", "CHF")
	ch.Settlement = &Settlement{Currency: "USD", Rate: d("1.12345"), SettledMinor: 11235, Settled: d("112.35")}
	p, err := Payment(m, ch, "C1", "INV-1")
	if err != nil || p.HomeCurrency != "USD" || !p.HomeAmount.Equal(d("112.35")) || !p.ExchangeRate.Equal(d("1.12345")) {
		t.Fatalf("%+v %v", p, err)
	}
}

// Tax rates become ERP tax codes through value_maps.tax_code; a rate without a code parks.
func TestTaxCodes(t *testing.T) {
	m := parse(t, `erp: sage500
dates: {timezone: UTC, format: "2006-01-02"}
customer: {fields: {name: "{customer.name}"}}
invoice: {items: {metadata_key: sage_item_id, default: ITEM}}
value_maps:
  tax_code: {txr_tx: TX-STATE, "City tax": NY-CITY}
`)
	ch := charge("10.90", "USD")
	ch.Invoice = &Invoice{ID: "in_1", Lines: []Line{{Description: "x", Quantity: 1, Amount: d("10.00"),
		Taxes: []Tax{{Amount: d("0.60"), RateID: "txr_tx"}, {Amount: d("0.30"), RateID: "txr_other", Name: "City tax"}}}}}
	doc, err := Document(m, ch, "C1", "", Corrections{})
	if err != nil || doc.Lines[0].TaxCode != "TX-STATE,NY-CITY" {
		t.Fatalf("%+v %v", doc.Lines, err)
	}
	ch.Invoice.Lines[0].Taxes[0].RateID = "txr_unknown"
	var de *mapping.DataError
	if _, err := Document(m, ch, "C1", "", Corrections{}); !errors.As(err, &de) || de.Field != "value_maps.tax_code" {
		t.Fatalf("unknown rate: %v", err)
	}
}

// Every source path a mapping may reference is filled by the posting layer: a template can
// only name data that exists.
func TestEveryKnownSourcePathIsFilled(t *testing.T) {
	ch := charge("10.00", "USD")
	ch.Settlement = &Settlement{Currency: "EUR", Rate: d("0.9"), Settled: d("9.00")}
	ch.Invoice = &Invoice{ID: "in_1", Lines: []Line{{Quantity: 1, Amount: d("10.00")}}}
	src := ch.lineSource(ch.Invoice.Lines[0])
	for k, v := range CustomerSource(ch.Customer, "USD") {
		src[k] = v
	}
	for root, paths := range mapping.KnownSourcePaths {
		for _, p := range paths {
			if _, ok := src[root+"."+p]; !ok {
				t.Errorf("%s.%s is accepted by the mapping loader but never filled", root, p)
			}
		}
	}
}
