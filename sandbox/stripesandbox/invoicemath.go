package stripesandbox

import (
	"math/big"
	"sort"
	"strconv"
	"strings"
)

// The invoice arithmetic, in integer minor units only. Order and rounding
// (documented in doc.go):
//
//  1. line amount = quantity × unit amount (a proration's computed amount);
//     it is before discounts and, for exclusive tax, excludes tax.
//  2. line discounts, in order, on what is left of the line: percent_off →
//     round(left × p / 100); amount_off → min(amount_off, left). Lines with
//     nothing left (≤ 0) get none.
//  3. invoice discounts, in order, on the discountable lines with a
//     positive amount left: the discount D (percent of their sum, or
//     min(amount_off, sum)) is shared pro rata to what each has left by the
//     largest-remainder method (floor shares, then one unit each to the
//     largest remainders, ties to the earlier line), so shares sum to D.
//  4. tax per line per rate on the discounted amount T: inclusive rates
//     (summing S%) take round(T × r / (100 + S)) each; exclusive rates take
//     round(net × r / 100) of net = T - inclusive tax. Rounding is half away
//     from zero (half-up for positive amounts), per line and rate.
//  5. subtotal = Σ (amount - line discounts); total = subtotal - invoice
//     discounts + exclusive tax; total_excluding_tax = subtotal - invoice
//     discounts - inclusive tax; tax = Σ tax.

// calcLine is one line's input to computeTotals.
type calcLine struct {
	Amount        int64
	Quantity      int64
	Discountable  bool
	LineDiscounts []*discount // line-level, applied first
	TaxRates      []*taxRate  // effective rates of the line
}

// calcLineResult is one line's computed amounts.
type calcLineResult struct {
	DiscountAmounts        []discountAmount
	TaxAmounts             []taxAmount
	AmountExcludingTax     int64
	UnitAmountExcludingTax string
}

// calcResult is the computed invoice.
type calcResult struct {
	Lines                []calcLineResult
	Subtotal             int64
	SubtotalExcludingTax int64
	InvoiceDiscounts     int64
	Tax                  *int64
	Total                int64
	TotalExcludingTax    int64
	TotalDiscountAmounts []discountAmount
	TotalTaxAmounts      []taxAmount
}

// discountOf is what a coupon takes off base (> 0).
func discountOf(cp *coupon, base int64) int64 {
	switch {
	case base <= 0:
		return 0
	case cp.PercentOff != nil:
		return cp.PercentOff.of(base)
	case cp.AmountOff != nil:
		return min(*cp.AmountOff, base)
	}
	return 0
}

// allocate shares total over weights (all > 0) pro rata with the largest-
// remainder method; the shares sum to total exactly.
func allocate(total int64, weights []int64) []int64 {
	out := make([]int64, len(weights))
	var sum int64
	for _, w := range weights {
		sum += w
	}
	if sum <= 0 || total == 0 {
		return out
	}
	type rem struct {
		i int
		r *big.Int
	}
	rems := make([]rem, len(weights))
	var given int64
	bt, bs := big.NewInt(total), big.NewInt(sum)
	for i, w := range weights {
		q, r := new(big.Int).QuoRem(new(big.Int).Mul(bt, big.NewInt(w)), bs, new(big.Int))
		out[i] = q.Int64()
		given += out[i]
		rems[i] = rem{i, r}
	}
	sort.SliceStable(rems, func(a, b int) bool { return rems[a].r.Cmp(rems[b].r) > 0 })
	for k := 0; given < total; k++ {
		out[rems[k%len(rems)].i]++
		given++
	}
	return out
}

// inclusiveSum is the sum of the inclusive rates' percentages.
func inclusiveSum(rates []*taxRate) int64 {
	var s int64
	for _, tr := range rates {
		if tr.Inclusive {
			s += int64(tr.Percentage)
		}
	}
	return s
}

// taxes computes the tax of amount t under rates (step 4) and returns the
// entries and the inclusive part.
func taxes(t int64, rates []*taxRate) ([]taxAmount, int64) {
	s := inclusiveSum(rates)
	var incl int64
	amounts := make([]int64, len(rates))
	for i, tr := range rates {
		if tr.Inclusive {
			amounts[i] = mulDivRound(t, int64(tr.Percentage), 100*percentScale+s)
			incl += amounts[i]
		}
	}
	net := t - incl
	out := make([]taxAmount, 0, len(rates))
	for i, tr := range rates {
		if !tr.Inclusive {
			amounts[i] = tr.Percentage.of(net)
		}
		out = append(out, taxAmount{Amount: amounts[i], Inclusive: tr.Inclusive, TaxRate: tr.ID, TaxableAmount: net})
	}
	return out, incl
}

// computeTotals applies steps 1-5 to the lines and invoice discounts.
func computeTotals(lines []calcLine, invDiscounts []*discount) calcResult {
	res := calcResult{Lines: make([]calcLineResult, len(lines)), TotalDiscountAmounts: []discountAmount{},
		TotalTaxAmounts: []taxAmount{}}
	left := make([]int64, len(lines))
	totalByDiscount := map[string]int64{}
	var discountOrder []string
	addTotal := func(id string, amount int64) {
		if _, ok := totalByDiscount[id]; !ok {
			discountOrder = append(discountOrder, id)
		}
		totalByDiscount[id] += amount
	}
	for _, d := range invDiscounts {
		addTotal(d.ID, 0)
	}
	for i, l := range lines {
		left[i] = l.Amount
		res.Lines[i].DiscountAmounts = []discountAmount{}
		for _, d := range l.LineDiscounts {
			amt := discountOf(&d.Coupon, left[i])
			left[i] -= amt
			res.Lines[i].DiscountAmounts = append(res.Lines[i].DiscountAmounts, discountAmount{Amount: amt, Discount: d.ID})
			addTotal(d.ID, amt)
		}
		res.Subtotal += left[i]
	}
	for _, d := range invDiscounts {
		var idx []int
		var weights []int64
		var base int64
		for i, l := range lines {
			if l.Discountable && left[i] > 0 {
				idx = append(idx, i)
				weights = append(weights, left[i])
				base += left[i]
			}
		}
		amt := discountOf(&d.Coupon, base)
		shares := allocate(amt, weights)
		for k, i := range idx {
			left[i] -= shares[k]
			res.Lines[i].DiscountAmounts = append(res.Lines[i].DiscountAmounts, discountAmount{Amount: shares[k], Discount: d.ID})
		}
		res.InvoiceDiscounts += amt
		addTotal(d.ID, amt)
	}
	taxByRate := map[string]*taxAmount{}
	var rateOrder []string
	var incl, excl, subtotalIncl int64
	anyTax := false
	for i, l := range lines {
		entries, in := taxes(left[i], l.TaxRates)
		res.Lines[i].TaxAmounts = entries
		incl += in
		for _, e := range entries {
			anyTax = true
			if !e.Inclusive {
				excl += e.Amount
			}
			t, ok := taxByRate[e.TaxRate]
			if !ok {
				t = &taxAmount{Inclusive: e.Inclusive, TaxRate: e.TaxRate}
				taxByRate[e.TaxRate] = t
				rateOrder = append(rateOrder, e.TaxRate)
			}
			t.Amount += e.Amount
			t.TaxableAmount += e.TaxableAmount
		}
		// Inclusive tax before invoice discounts, for the *_excluding_tax
		// fields that exclude discounts.
		var lineDisc int64
		for _, da := range res.Lines[i].DiscountAmounts[:len(l.LineDiscounts)] {
			lineDisc += da.Amount
		}
		_, inAfterLine := taxes(l.Amount-lineDisc, l.TaxRates)
		subtotalIncl += inAfterLine
		_, inGross := taxes(l.Amount, l.TaxRates)
		res.Lines[i].AmountExcludingTax = l.Amount - inGross
		res.Lines[i].UnitAmountExcludingTax = decimalQuotient(l.Amount-inGross, l.Quantity)
	}
	for _, id := range discountOrder {
		res.TotalDiscountAmounts = append(res.TotalDiscountAmounts, discountAmount{Amount: totalByDiscount[id], Discount: id})
	}
	for _, id := range rateOrder {
		res.TotalTaxAmounts = append(res.TotalTaxAmounts, *taxByRate[id])
	}
	if anyTax {
		t := incl + excl
		res.Tax = &t
	}
	res.SubtotalExcludingTax = res.Subtotal - subtotalIncl
	res.Total = res.Subtotal - res.InvoiceDiscounts + excl
	res.TotalExcludingTax = res.Subtotal - res.InvoiceDiscounts - incl
	return res
}

// decimalQuotient writes a / q as a decimal string with at most 12
// decimals (truncated), as Stripe's *_decimal fields: "1000", "333.333333333333".
func decimalQuotient(a, q int64) string {
	if q == 0 {
		q = 1
	}
	neg := (a < 0) != (q < 0)
	if a < 0 {
		a = -a
	}
	if q < 0 {
		q = -q
	}
	whole := strconv.FormatInt(a/q, 10)
	r := a % q
	var frac strings.Builder
	for i := 0; i < 12 && r != 0; i++ {
		r *= 10
		frac.WriteByte(byte('0' + r/q))
		r %= q
	}
	s := whole
	if f := strings.TrimRight(frac.String(), "0"); f != "" {
		s += "." + f
	}
	if neg && s != "0" {
		s = "-" + s
	}
	return s
}
