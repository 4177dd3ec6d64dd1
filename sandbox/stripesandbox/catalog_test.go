package stripesandbox

import (
	"testing"

	"github.com/stripe/stripe-go/v76"
)

func TestProductsAndPrices(t *testing.T) {
	sb := startSandbox(t, "", nil)
	sc := sb.Client
	prod, err := sc.Products.New(&stripe.ProductParams{Name: stripe.String("Widget"),
		Metadata: map[string]string{"erp_item": "W-1"}})
	if err != nil {
		t.Fatal(err)
	}
	if !prod.Active || prod.Name != "Widget" || prod.Metadata["erp_item"] != "W-1" || prod.Object != "product" {
		t.Fatalf("product: %+v", prod)
	}
	custom, err := sc.Products.New(&stripe.ProductParams{ID: stripe.String("gold-plan"), Name: stripe.String("Gold")})
	if err != nil || custom.ID != "gold-plan" {
		t.Fatalf("custom id: %v %+v", err, custom)
	}
	if _, err := sc.Products.New(&stripe.ProductParams{ID: stripe.String("gold-plan"), Name: stripe.String("Again")}); stripeErr(t, err).Code != "resource_already_exists" {
		t.Fatalf("duplicate id: %v", err)
	}
	upd, err := sc.Products.Update(custom.ID, &stripe.ProductParams{Active: stripe.Bool(false), Metadata: map[string]string{"tier": "3"}})
	if err != nil || upd.Active || upd.Metadata["tier"] != "3" {
		t.Fatalf("update: %v %+v", err, upd)
	}
	lp := &stripe.ProductListParams{Active: stripe.Bool(true)}
	it := sc.Products.List(lp)
	var active []string
	for it.Next() {
		active = append(active, it.Product().ID)
	}
	if it.Err() != nil || len(active) != 1 || active[0] != prod.ID {
		t.Fatalf("active products %v %v", active, it.Err())
	}

	oneOff, err := sc.Prices.New(&stripe.PriceParams{Product: stripe.String(prod.ID), Currency: stripe.String("usd"),
		UnitAmount: stripe.Int64(1999), Metadata: map[string]string{"k": "v"}})
	if err != nil {
		t.Fatal(err)
	}
	if oneOff.Type != stripe.PriceTypeOneTime || oneOff.UnitAmount != 1999 || oneOff.UnitAmountDecimal != 1999 ||
		oneOff.Product.ID != prod.ID || oneOff.Recurring != nil {
		t.Fatalf("one-off price: %+v", oneOff)
	}
	monthly, err := sc.Prices.New(&stripe.PriceParams{Currency: stripe.String("jpy"), UnitAmount: stripe.Int64(1200),
		ProductData: &stripe.PriceProductDataParams{Name: stripe.String("Monthly box")},
		Recurring:   &stripe.PriceRecurringParams{Interval: stripe.String("month"), IntervalCount: stripe.Int64(3)}})
	if err != nil {
		t.Fatal(err)
	}
	if monthly.Type != stripe.PriceTypeRecurring || monthly.Recurring.Interval != "month" || monthly.Recurring.IntervalCount != 3 ||
		monthly.Recurring.UsageType != "licensed" {
		t.Fatalf("recurring price: %+v", monthly)
	}
	gp := &stripe.PriceParams{}
	gp.AddExpand("product")
	got, err := sc.Prices.Get(monthly.ID, gp)
	if err != nil || got.Product.Name != "Monthly box" {
		t.Fatalf("expand product: %v %+v", err, got.Product)
	}
	for _, tc := range []struct {
		name   string
		params *stripe.PriceListParams
		want   []string
	}{
		{"by product", &stripe.PriceListParams{Product: stripe.String(prod.ID)}, []string{oneOff.ID}},
		{"recurring", &stripe.PriceListParams{Type: stripe.String("recurring")}, []string{monthly.ID}},
		{"active", &stripe.PriceListParams{Active: stripe.Bool(true)}, []string{monthly.ID, oneOff.ID}},
		{"currency", &stripe.PriceListParams{Currency: stripe.String("JPY")}, []string{monthly.ID}},
	} {
		var ids []string
		pit := sc.Prices.List(tc.params)
		for pit.Next() {
			ids = append(ids, pit.Price().ID)
		}
		if pit.Err() != nil || len(ids) != len(tc.want) || ids[0] != tc.want[0] {
			t.Errorf("%s: %v %v, want %v", tc.name, ids, pit.Err(), tc.want)
		}
	}
	if p, err := sc.Prices.Update(oneOff.ID, &stripe.PriceParams{Active: stripe.Bool(false), Nickname: stripe.String("old")}); err != nil || p.Active || p.Nickname != "old" {
		t.Fatalf("price update: %v %+v", err, p)
	}
	if _, err := sc.Products.Del(prod.ID, nil); stripeErr(t, err).HTTPStatusCode != 400 {
		t.Fatalf("deleted a product with prices: %v", err)
	}
	for _, tc := range []struct {
		name   string
		params *stripe.PriceParams
		param  string
	}{
		{"no currency", &stripe.PriceParams{Product: stripe.String(prod.ID), UnitAmount: stripe.Int64(1)}, "currency"},
		{"no amount", &stripe.PriceParams{Product: stripe.String(prod.ID), Currency: stripe.String("usd")}, "unit_amount"},
		{"no product", &stripe.PriceParams{Currency: stripe.String("usd"), UnitAmount: stripe.Int64(1)}, "product"},
		{"unknown product", &stripe.PriceParams{Product: stripe.String("prod_nope"), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(1)}, "product"},
		{"bad interval", &stripe.PriceParams{Product: stripe.String(prod.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(1),
			Recurring: &stripe.PriceRecurringParams{Interval: stripe.String("fortnight")}}, "recurring[interval]"},
		{"too long", &stripe.PriceParams{Product: stripe.String(prod.ID), Currency: stripe.String("usd"), UnitAmount: stripe.Int64(1),
			Recurring: &stripe.PriceRecurringParams{Interval: stripe.String("month"), IntervalCount: stripe.Int64(37)}}, "recurring[interval_count]"},
	} {
		_, err := sc.Prices.New(tc.params)
		if se := stripeErr(t, err); se.HTTPStatusCode != 400 || se.Param != tc.param {
			t.Errorf("%s: %d %q %s", tc.name, se.HTTPStatusCode, se.Param, se.Msg)
		}
	}
	types := map[string]int{}
	eit := sc.Events.List(&stripe.EventListParams{ListParams: stripe.ListParams{Limit: stripe.Int64(100)}})
	for eit.Next() {
		types[string(eit.Event().Type)]++
	}
	if types["product.created"] != 3 || types["product.updated"] != 1 || types["price.created"] != 2 || types["price.updated"] != 1 {
		t.Errorf("events %v", types)
	}
}

func TestTaxRatesAndCoupons(t *testing.T) {
	sb := startSandbox(t, "", nil)
	sc := sb.Client
	tr, err := sc.TaxRates.New(&stripe.TaxRateParams{DisplayName: stripe.String("Sales tax"), Percentage: stripe.Float64(8.875),
		Inclusive: stripe.Bool(false), Jurisdiction: stripe.String("US - NY"), Country: stripe.String("us")})
	if err != nil {
		t.Fatal(err)
	}
	if tr.Percentage != 8.875 || tr.Inclusive || tr.Jurisdiction != "US - NY" || tr.Country != "US" || !tr.Active {
		t.Fatalf("tax rate: %+v", tr)
	}
	if _, err := sc.TaxRates.New(&stripe.TaxRateParams{DisplayName: stripe.String("x"), Percentage: stripe.Float64(101),
		Inclusive: stripe.Bool(false)}); stripeErr(t, err).Param != "percentage" {
		t.Fatalf("101%%: %v", err)
	}
	if _, err := sc.TaxRates.New(&stripe.TaxRateParams{DisplayName: stripe.String("x"), Percentage: stripe.Float64(5)}); stripeErr(t, err).Param != "inclusive" {
		t.Fatalf("missing inclusive: %v", err)
	}
	if u, err := sc.TaxRates.Update(tr.ID, &stripe.TaxRateParams{Active: stripe.Bool(false)}); err != nil || u.Active {
		t.Fatalf("deactivate: %v %+v", err, u)
	}
	it := sc.TaxRates.List(&stripe.TaxRateListParams{Active: stripe.Bool(true)})
	if it.Next() || it.Err() != nil {
		t.Fatalf("inactive rate listed as active")
	}

	pct, err := sc.Coupons.New(&stripe.CouponParams{PercentOff: stripe.Float64(12.5), Duration: stripe.String("repeating"),
		DurationInMonths: stripe.Int64(3), Name: stripe.String("Spring")})
	if err != nil {
		t.Fatal(err)
	}
	if pct.PercentOff != 12.5 || pct.Duration != "repeating" || pct.DurationInMonths != 3 || len(pct.ID) != 8 || !pct.Valid {
		t.Fatalf("percent coupon: %+v", pct)
	}
	amt, err := sc.Coupons.New(&stripe.CouponParams{ID: stripe.String("TENOFF"), AmountOff: stripe.Int64(1000),
		Currency: stripe.String("USD")})
	if err != nil || amt.ID != "TENOFF" || amt.AmountOff != 1000 || amt.Currency != "usd" || amt.Duration != "once" {
		t.Fatalf("amount coupon: %v %+v", err, amt)
	}
	for name, p := range map[string]*stripe.CouponParams{
		"both":          {PercentOff: stripe.Float64(5), AmountOff: stripe.Int64(5), Currency: stripe.String("usd")},
		"none":          {Duration: stripe.String("once")},
		"no currency":   {AmountOff: stripe.Int64(5)},
		"no months":     {PercentOff: stripe.Float64(5), Duration: stripe.String("repeating")},
		"over 100":      {PercentOff: stripe.Float64(100.5)},
		"bad duration":  {PercentOff: stripe.Float64(5), Duration: stripe.String("weekly")},
		"duplicate id":  {ID: stripe.String("TENOFF"), PercentOff: stripe.Float64(5)},
		"months w/o rp": {PercentOff: stripe.Float64(5), DurationInMonths: stripe.Int64(2)},
	} {
		if _, err := sc.Coupons.New(p); stripeErr(t, err).HTTPStatusCode != 400 {
			t.Errorf("%s accepted", name)
		}
	}
	if d, err := sc.Coupons.Del(amt.ID, nil); err != nil || !d.Deleted {
		t.Fatalf("delete coupon: %v %+v", err, d)
	}
	if _, err := sc.Coupons.Get(amt.ID, nil); stripeErr(t, err).HTTPStatusCode != 404 {
		t.Fatalf("deleted coupon still there")
	}
}
