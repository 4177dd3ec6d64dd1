package stripesandbox

import (
	"reflect"
	"testing"
)

func pctCoupon(id string, p percent) *discount {
	return &discount{ID: id, Coupon: coupon{ID: id, PercentOff: &p}}
}

func amountCoupon(id string, a int64) *discount {
	return &discount{ID: id, Coupon: coupon{ID: id, AmountOff: &a}}
}

func rate(id string, p percent, inclusive bool) *taxRate {
	return &taxRate{ID: id, Percentage: p, Inclusive: inclusive}
}

func TestComputeTotals(t *testing.T) {
	state, city := rate("state", 62500, false), rate("city", 21250, false)
	lineCoupon, invCoupon := pctCoupon("di_line", 100000), pctCoupon("di_inv", 150000)
	three := func(a, b, c int64) []calcLine {
		return []calcLine{
			{Amount: a, Quantity: 3, Discountable: true, LineDiscounts: []*discount{lineCoupon}, TaxRates: []*taxRate{state, city}},
			{Amount: b, Quantity: 2, Discountable: true, TaxRates: []*taxRate{state, city}},
			{Amount: c, Quantity: 1, Discountable: true, TaxRates: []*taxRate{state, city}},
		}
	}
	for _, tc := range []struct {
		name                    string
		lines                   []calcLine
		inv                     []*discount
		subtotal, disc, tax     int64
		total                   int64
		lineDiscounts, lineTaxs [][]int64
	}{
		{
			// 3×19.99, 2×25.50, 1×12.34 USD; 10% on line 1; 15% on the invoice;
			// 6.25% + 2.125% exclusive. Worked out in doc.go's terms:
			// line 1 5997-600=5397; subtotal 11731; 15% = 1760 shared
			// 809.71→810 (largest remainder), 765.15→765, 185.13→185.
			name: "usd", lines: three(5997, 5100, 1234), inv: []*discount{invCoupon},
			subtotal: 11731, disc: 1760, tax: 835, total: 10806,
			lineDiscounts: [][]int64{{600, 810}, {765}, {185}},
			lineTaxs:      [][]int64{{287, 97}, {271, 92}, {66, 22}},
		},
		{
			// The same in JPY (zero-decimal): 3×1980, 2×2550, 1×1234.
			name: "jpy", lines: three(5940, 5100, 1234), inv: []*discount{invCoupon},
			subtotal: 11680, disc: 1752, tax: 832, total: 10760,
			lineDiscounts: [][]int64{{594, 802}, {765}, {185}},
			lineTaxs:      [][]int64{{284, 97}, {271, 92}, {66, 22}},
		},
		{
			// amount_off larger than what is left is capped; a negative
			// (credit) line gets no discount but negative tax.
			name: "amount off and credit",
			lines: []calcLine{
				{Amount: 1000, Quantity: 1, Discountable: true, TaxRates: []*taxRate{state}},
				{Amount: -400, Quantity: 1, Discountable: false, TaxRates: []*taxRate{state}},
			},
			inv:      []*discount{amountCoupon("di_amt", 5000)},
			subtotal: 600, disc: 1000, tax: -25, total: -425,
			lineDiscounts: [][]int64{{1000}, {}},
			lineTaxs:      [][]int64{{0}, {-25}},
		},
		{
			// Inclusive 20%: tax = round(1000 × 20 / 120) = 167.
			name:     "inclusive",
			lines:    []calcLine{{Amount: 1000, Quantity: 1, Discountable: true, TaxRates: []*taxRate{rate("vat", 200000, true)}}},
			subtotal: 1000, tax: 167, total: 1000,
			lineDiscounts: [][]int64{{}},
			lineTaxs:      [][]int64{{167}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := computeTotals(tc.lines, tc.inv)
			if res.Subtotal != tc.subtotal || res.InvoiceDiscounts != tc.disc || res.Tax == nil || *res.Tax != tc.tax || res.Total != tc.total {
				tax := int64(-1)
				if res.Tax != nil {
					tax = *res.Tax
				}
				t.Fatalf("subtotal %d disc %d tax %d total %d", res.Subtotal, res.InvoiceDiscounts, tax, res.Total)
			}
			for i, l := range res.Lines {
				var d, x []int64
				for _, da := range l.DiscountAmounts {
					d = append(d, da.Amount)
				}
				for _, ta := range l.TaxAmounts {
					x = append(x, ta.Amount)
				}
				if len(d) == 0 {
					d = []int64{}
				}
				if !reflect.DeepEqual(d, tc.lineDiscounts[i]) || !reflect.DeepEqual(x, tc.lineTaxs[i]) {
					t.Errorf("line %d: discounts %v taxes %v, want %v %v", i, d, x, tc.lineDiscounts[i], tc.lineTaxs[i])
				}
			}
			var sumTax int64
			for _, ta := range res.TotalTaxAmounts {
				sumTax += ta.Amount
			}
			if sumTax != tc.tax {
				t.Errorf("total_tax_amounts sum %d", sumTax)
			}
		})
	}
}

func TestAllocateAndDecimal(t *testing.T) {
	for _, tc := range []struct {
		total   int64
		weights []int64
		want    []int64
	}{
		{100, []int64{1, 1, 1}, []int64{34, 33, 33}},
		{1760, []int64{5397, 5100, 1234}, []int64{810, 765, 185}},
		{0, []int64{5, 5}, []int64{0, 0}},
		{7, []int64{10}, []int64{7}},
	} {
		if got := allocate(tc.total, tc.weights); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("allocate(%d, %v) = %v, want %v", tc.total, tc.weights, got, tc.want)
		}
	}
	for _, tc := range []struct {
		a, q int64
		want string
	}{{1000, 1, "1000"}, {1000, 3, "333.333333333333"}, {-250, 2, "-125"}, {5, 2, "2.5"}, {0, 4, "0"}} {
		if got := decimalQuotient(tc.a, tc.q); got != tc.want {
			t.Errorf("decimalQuotient(%d, %d) = %s, want %s", tc.a, tc.q, got, tc.want)
		}
	}
}
