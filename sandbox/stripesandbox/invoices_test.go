package stripesandbox

import (
	"testing"

	"github.com/stripe/stripe-go/v76"
)

// billingCustomer creates a customer whose default payment method is a new
// card from token.
func billingCustomer(t *testing.T, sb *sandbox, token string, clock string) *stripe.Customer {
	t.Helper()
	p := &stripe.CustomerParams{Email: stripe.String("billing@example.com"), Name: stripe.String("Billing Co"),
		PaymentMethod:   stripe.String(token),
		InvoiceSettings: &stripe.CustomerInvoiceSettingsParams{DefaultPaymentMethod: stripe.String(token)}}
	if clock != "" {
		p.TestClock = stripe.String(clock)
	}
	cu, err := sb.Client.Customers.New(p)
	if err != nil {
		t.Fatal(err)
	}
	if cu.InvoiceSettings == nil || cu.InvoiceSettings.DefaultPaymentMethod == nil {
		t.Fatalf("no default payment method: %+v", cu.InvoiceSettings)
	}
	return cu
}

func newPrice(t *testing.T, sb *sandbox, name, currency string, amount int64, interval string) *stripe.Price {
	t.Helper()
	p := &stripe.PriceParams{Currency: stripe.String(currency), UnitAmount: stripe.Int64(amount),
		ProductData: &stripe.PriceProductDataParams{Name: stripe.String(name)}}
	if interval != "" {
		p.Recurring = &stripe.PriceRecurringParams{Interval: stripe.String(interval)}
	}
	pr, err := sb.Client.Prices.New(p)
	if err != nil {
		t.Fatal(err)
	}
	return pr
}

func TestInvoiceTotalsDiscountsAndTax(t *testing.T) {
	type line struct {
		amount     int64
		discounts  []int64
		taxes      []int64
		unitExTax  float64
		quantity   int64
		product    string
		discounted bool
	}
	for _, tc := range []struct {
		currency                 string
		unitA                    int64
		subtotal, tax, total     int64
		lineDiscount, invDiscont int64
		lines                    []line
		fee                      int64
	}{
		{currency: "usd", unitA: 1999, subtotal: 11731, tax: 835, total: 10806, lineDiscount: 600, invDiscont: 1760,
			lines: []line{
				{5997, []int64{600, 810}, []int64{287, 97}, 1999, 3, "A", true},
				{5100, []int64{765}, []int64{271, 92}, 2550, 2, "B", false},
				{1234, []int64{185}, []int64{66, 22}, 1234, 1, "C", false},
			}, fee: 343}, // 2.9% of 10806 = 313.374 → 313, + 30
		{currency: "jpy", unitA: 1980, subtotal: 11680, tax: 832, total: 10760, lineDiscount: 594, invDiscont: 1752,
			lines: []line{
				{5940, []int64{594, 802}, []int64{284, 97}, 1980, 3, "A", true},
				{5100, []int64{765}, []int64{271, 92}, 2550, 2, "B", false},
				{1234, []int64{185}, []int64{66, 22}, 1234, 1, "C", false},
			}, fee: 387}, // 3.6% of 10760 = 387.36 → 387
	} {
		t.Run(tc.currency, func(t *testing.T) {
			sb := startSandbox(t, "", nil)
			sc := sb.Client
			cu := billingCustomer(t, sb, "pm_card_visa", "")
			state, err := sc.TaxRates.New(&stripe.TaxRateParams{DisplayName: stripe.String("State"), Percentage: stripe.Float64(6.25),
				Inclusive: stripe.Bool(false), Jurisdiction: stripe.String("CA")})
			if err != nil {
				t.Fatal(err)
			}
			city, err := sc.TaxRates.New(&stripe.TaxRateParams{DisplayName: stripe.String("City"), Percentage: stripe.Float64(2.125),
				Inclusive: stripe.Bool(false)})
			if err != nil {
				t.Fatal(err)
			}
			lineCoupon, err := sc.Coupons.New(&stripe.CouponParams{PercentOff: stripe.Float64(10)})
			if err != nil {
				t.Fatal(err)
			}
			invCoupon, err := sc.Coupons.New(&stripe.CouponParams{PercentOff: stripe.Float64(15), Duration: stripe.String("forever")})
			if err != nil {
				t.Fatal(err)
			}
			inv, err := sc.Invoices.New(&stripe.InvoiceParams{Customer: stripe.String(cu.ID), Currency: stripe.String(tc.currency),
				DefaultTaxRates: []*string{stripe.String(state.ID), stripe.String(city.ID)},
				Discounts:       []*stripe.InvoiceDiscountParams{{Coupon: stripe.String(invCoupon.ID)}},
				AutoAdvance:     stripe.Bool(false), Metadata: map[string]string{"order": "O-7"}})
			if err != nil {
				t.Fatal(err)
			}
			if inv.Status != stripe.InvoiceStatusDraft || inv.Total != 0 || len(inv.Discounts) != 1 {
				t.Fatalf("draft: %+v", inv)
			}
			for _, it := range []struct {
				name     string
				unit     int64
				qty      int64
				discount bool
			}{{"A", tc.unitA, 3, true}, {"B", 2550, 2, false}, {"C", 1234, 1, false}} {
				pr := newPrice(t, sb, it.name, tc.currency, it.unit, "")
				p := &stripe.InvoiceItemParams{Customer: stripe.String(cu.ID), Invoice: stripe.String(inv.ID),
					Price: stripe.String(pr.ID), Quantity: stripe.Int64(it.qty)}
				if it.discount {
					p.Discounts = []*stripe.InvoiceItemDiscountParams{{Coupon: stripe.String(lineCoupon.ID)}}
				}
				ii, err := sc.InvoiceItems.New(p)
				if err != nil {
					t.Fatal(err)
				}
				if ii.Amount != it.unit*it.qty || ii.Invoice.ID != inv.ID || ii.Description != it.name {
					t.Fatalf("invoice item: %+v", ii)
				}
			}
			inv, err = sc.Invoices.FinalizeInvoice(inv.ID, nil)
			if err != nil {
				t.Fatal(err)
			}
			if inv.Status != stripe.InvoiceStatusOpen || inv.Number == "" || inv.PaymentIntent == nil || inv.AmountDue != tc.total {
				t.Fatalf("finalized: status=%s number=%q due=%d", inv.Status, inv.Number, inv.AmountDue)
			}
			if inv.Subtotal != tc.subtotal || inv.SubtotalExcludingTax != tc.subtotal || inv.Tax != tc.tax || inv.Total != tc.total ||
				inv.TotalExcludingTax != tc.subtotal-tc.invDiscont {
				t.Fatalf("totals: subtotal %d tax %d total %d total_excluding_tax %d", inv.Subtotal, inv.Tax, inv.Total, inv.TotalExcludingTax)
			}
			discByCoupon := map[string]int64{}
			for _, d := range inv.TotalDiscountAmounts {
				discByCoupon[d.Discount.ID] = d.Amount
			}
			if len(discByCoupon) != 2 || discByCoupon[inv.Discounts[0].ID] != tc.invDiscont ||
				sum([]int64{inv.TotalDiscountAmounts[0].Amount, inv.TotalDiscountAmounts[1].Amount}) != tc.invDiscont+tc.lineDiscount {
				t.Fatalf("total_discount_amounts %+v", inv.TotalDiscountAmounts)
			}
			var taxSum int64
			for _, ta := range inv.TotalTaxAmounts {
				taxSum += ta.Amount
				if ta.Inclusive {
					t.Errorf("inclusive tax amount")
				}
			}
			if taxSum != tc.tax || len(inv.TotalTaxAmounts) != 2 {
				t.Fatalf("total_tax_amounts %+v", inv.TotalTaxAmounts)
			}
			// Lines through the endpoint the project uses, with products expanded.
			lp := &stripe.InvoiceListLinesParams{Invoice: stripe.String(inv.ID)}
			lp.AddExpand("data.price.product")
			lp.AddExpand("data.discounts")
			it := sc.Invoices.ListLines(lp)
			i := 0
			for it.Next() {
				l := it.InvoiceLineItem()
				w := tc.lines[i]
				i++
				if l.Amount != w.amount || l.AmountExcludingTax != w.amount || l.Quantity != w.quantity ||
					l.UnitAmountExcludingTax != w.unitExTax || l.Type != "invoiceitem" || l.Price.Product.Name != w.product ||
					l.Currency != stripe.Currency(tc.currency) || l.InvoiceItem == nil || !l.Discountable {
					t.Errorf("line %d: %+v", i, l)
				}
				var ds, ts []int64
				for _, da := range l.DiscountAmounts {
					ds = append(ds, da.Amount)
				}
				for _, ta := range l.TaxAmounts {
					ts = append(ts, ta.Amount)
					if ta.TaxableAmount != l.Amount-sum(ds) {
						t.Errorf("line %d taxable %d, want %d", i, ta.TaxableAmount, l.Amount-sum(ds))
					}
				}
				if !equal(ds, w.discounts) || !equal(ts, w.taxes) {
					t.Errorf("line %d: discounts %v taxes %v, want %v %v", i, ds, ts, w.discounts, w.taxes)
				}
				if w.discounted && (len(l.Discounts) != 1 || l.Discounts[0].Coupon == nil || l.Discounts[0].Coupon.ID != lineCoupon.ID) {
					t.Errorf("line %d discounts not expanded: %+v", i, l.Discounts)
				}
			}
			if it.Err() != nil || i != 3 {
				t.Fatalf("lines: %d %v", i, it.Err())
			}

			paid, err := sc.Invoices.Pay(inv.ID, nil)
			if err != nil {
				t.Fatal(err)
			}
			if paid.Status != stripe.InvoiceStatusPaid || !paid.Paid || paid.AmountPaid != tc.total || paid.AmountRemaining != 0 ||
				paid.Charge == nil || paid.AttemptCount != 1 || paid.StatusTransitions.PaidAt == 0 {
				t.Fatalf("paid: %+v", paid)
			}
			cp := &stripe.ChargeParams{}
			cp.AddExpand("invoice")
			cp.AddExpand("balance_transaction")
			ch, err := sc.Charges.Get(paid.Charge.ID, cp)
			if err != nil {
				t.Fatal(err)
			}
			if ch.Invoice == nil || ch.Invoice.ID != inv.ID || ch.Invoice.Number != inv.Number || ch.Amount != tc.total ||
				ch.PaymentIntent.ID != inv.PaymentIntent.ID || ch.BalanceTransaction.Amount != tc.total || ch.BalanceTransaction.Fee != tc.fee {
				t.Fatalf("charge: %+v", ch)
			}
			pi, err := sc.PaymentIntents.Get(inv.PaymentIntent.ID, nil)
			if err != nil || pi.Invoice == nil || pi.Invoice.ID != inv.ID || pi.Status != stripe.PaymentIntentStatusSucceeded {
				t.Fatalf("intent: %v %+v", err, pi)
			}
			for typ, want := range map[string]int{"invoice.created": 1, "invoice.finalized": 1, "invoice.paid": 1,
				"invoice.payment_succeeded": 1, "invoiceitem.created": 3, "charge.succeeded": 1} {
				if n := eventCount(t, sb, typ); n != want {
					t.Errorf("%s: %d events, want %d", typ, n, want)
				}
			}
			// Lists by customer and status.
			lit := sc.Invoices.List(&stripe.InvoiceListParams{Customer: stripe.String(cu.ID), Status: stripe.String("paid")})
			if !lit.Next() || lit.Invoice().ID != inv.ID || lit.Next() {
				t.Fatalf("list paid: %v", lit.Err())
			}
			if _, err := sc.Invoices.Pay(inv.ID, nil); stripeErr(t, err).HTTPStatusCode != 400 {
				t.Fatalf("paid twice")
			}
		})
	}
}

func sum(xs []int64) int64 {
	var s int64
	for _, x := range xs {
		s += x
	}
	return s
}

func equal(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestInvoiceLifecycle(t *testing.T) {
	sb := startSandbox(t, "", nil)
	sc := sb.Client
	cu := billingCustomer(t, sb, "pm_card_visa", "")
	// Pending items are excluded by default (2023-10-16) and included on request.
	ii, err := sc.InvoiceItems.New(&stripe.InvoiceItemParams{Customer: stripe.String(cu.ID), Amount: stripe.Int64(2500),
		Currency: stripe.String("usd"), Description: stripe.String("Setup fee")})
	if err != nil {
		t.Fatal(err)
	}
	if ii.Invoice != nil || ii.Price == nil || ii.Price.Product == nil || ii.Price.Product.ID == "" {
		t.Fatalf("pending item: %+v", ii)
	}
	empty, err := sc.Invoices.New(&stripe.InvoiceParams{Customer: stripe.String(cu.ID)})
	if err != nil || empty.Lines == nil || len(empty.Lines.Data) != 0 {
		t.Fatalf("exclude: %v %+v", err, empty)
	}
	inv, err := sc.Invoices.New(&stripe.InvoiceParams{Customer: stripe.String(cu.ID), PendingInvoiceItemsBehavior: stripe.String("include")})
	if err != nil || len(inv.Lines.Data) != 1 || inv.Total != 2500 {
		t.Fatalf("include: %v %+v", err, inv)
	}
	pit := sc.InvoiceItems.List(&stripe.InvoiceItemListParams{Customer: stripe.String(cu.ID), Pending: stripe.Bool(true)})
	if pit.Next() {
		t.Fatalf("item still pending")
	}
	// Deleting the empty draft; voiding the open one cancels its intent.
	if d, err := sc.Invoices.Del(empty.ID, nil); err != nil || !d.Deleted {
		t.Fatalf("delete draft: %v", err)
	}
	inv, err = sc.Invoices.FinalizeInvoice(inv.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sc.InvoiceItems.New(&stripe.InvoiceItemParams{Customer: stripe.String(cu.ID), Invoice: stripe.String(inv.ID),
		Amount: stripe.Int64(100), Currency: stripe.String("usd")}); stripeErr(t, err).Param != "invoice" {
		t.Fatalf("item on open invoice: %v", err)
	}
	inv, err = sc.Invoices.VoidInvoice(inv.ID, nil)
	if err != nil || inv.Status != stripe.InvoiceStatusVoid {
		t.Fatalf("void: %v %+v", err, inv)
	}
	pi, err := sc.PaymentIntents.Get(inv.PaymentIntent.ID, nil)
	if err != nil || pi.Status != stripe.PaymentIntentStatusCanceled {
		t.Fatalf("intent of void invoice: %v %+v", err, pi)
	}
	if n := eventCount(t, sb, "invoice.voided"); n != 1 {
		t.Errorf("invoice.voided: %d", n)
	}
	// A declined card: 402, the invoice stays open with attempt_count 1.
	bad := billingCustomer(t, sb, "pm_card_chargeCustomerFail", "")
	inv2, err := sc.Invoices.New(&stripe.InvoiceParams{Customer: stripe.String(bad.ID)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sc.InvoiceItems.New(&stripe.InvoiceItemParams{Customer: stripe.String(bad.ID), Invoice: stripe.String(inv2.ID),
		UnitAmount: stripe.Int64(700), Quantity: stripe.Int64(2), Currency: stripe.String("usd")}); err != nil {
		t.Fatal(err)
	}
	_, err = sc.Invoices.Pay(inv2.ID, nil)
	if se := stripeErr(t, err); se.HTTPStatusCode != 402 || se.Code != stripe.ErrorCodeCardDeclined {
		t.Fatalf("declined pay: %+v", se)
	}
	got, err := sc.Invoices.Get(inv2.ID, nil)
	if err != nil || got.Status != stripe.InvoiceStatusOpen || got.AttemptCount != 1 || !got.Attempted || got.Charge == nil || got.Paid {
		t.Fatalf("after decline: %v %+v", err, got)
	}
	ch, err := sc.Charges.Get(got.Charge.ID, nil)
	if err != nil || ch.Status != stripe.ChargeStatusFailed || ch.Invoice == nil || ch.Invoice.ID != inv2.ID {
		t.Fatalf("failed charge: %v %+v", err, ch)
	}
	if n := eventCount(t, sb, "invoice.payment_failed"); n != 1 {
		t.Errorf("invoice.payment_failed: %d", n)
	}
	// Paying with another card succeeds.
	paid, err := sc.Invoices.Pay(inv2.ID, &stripe.InvoicePayParams{PaymentMethod: stripe.String("pm_card_mastercard")})
	if err != nil || paid.Status != stripe.InvoiceStatusPaid || paid.AttemptCount != 2 || paid.AmountPaid != 1400 {
		t.Fatalf("retry: %v %+v", err, paid)
	}
	// Attaching a card that declines at attach time is refused.
	_, err = sc.Customers.New(&stripe.CustomerParams{PaymentMethod: stripe.String("pm_card_chargeDeclined")})
	if se := stripeErr(t, err); se.HTTPStatusCode != 402 {
		t.Fatalf("attach declined card: %+v", se)
	}
	// invoice_settings[default_payment_method] must belong to the customer.
	_, err = sc.Customers.Update(bad.ID, &stripe.CustomerParams{InvoiceSettings: &stripe.CustomerInvoiceSettingsParams{
		DefaultPaymentMethod: stripe.String(cu.InvoiceSettings.DefaultPaymentMethod.ID)}})
	if se := stripeErr(t, err); se.HTTPStatusCode != 400 {
		t.Fatalf("foreign default payment method: %+v", se)
	}
}
