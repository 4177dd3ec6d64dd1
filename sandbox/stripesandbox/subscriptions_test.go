package stripesandbox

import (
	"strings"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v76"
)

// Jan 1 2024 00:00 UTC and the month boundaries after it.
const (
	jan1  = 1704067200
	jan16 = jan1 + 15*86400
	feb1  = 1706745600
	mar1  = 1709251200
	apr1  = 1711929600
	may1  = 1714521600
)

func newClock(t *testing.T, sb *sandbox, at int64) *stripe.TestHelpersTestClock {
	t.Helper()
	clk, err := sb.Client.TestHelpersTestClocks.New(&stripe.TestHelpersTestClockParams{FrozenTime: stripe.Int64(at),
		Name: stripe.String("billing")})
	if err != nil {
		t.Fatal(err)
	}
	if clk.Status != stripe.TestHelpersTestClockStatusReady || clk.FrozenTime != at {
		t.Fatalf("clock: %+v", clk)
	}
	return clk
}

func advance(t *testing.T, sb *sandbox, clk *stripe.TestHelpersTestClock, to int64) {
	t.Helper()
	got, err := sb.Client.TestHelpersTestClocks.Advance(clk.ID, &stripe.TestHelpersTestClockAdvanceParams{FrozenTime: stripe.Int64(to)})
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != stripe.TestHelpersTestClockStatusAdvancing || got.FrozenTime != to {
		t.Fatalf("advance answer: %+v", got)
	}
	got, err = sb.Client.TestHelpersTestClocks.Get(clk.ID, nil)
	if err != nil || got.Status != stripe.TestHelpersTestClockStatusReady || got.FrozenTime != to {
		t.Fatalf("clock after advance: %v %+v", err, got)
	}
}

// subscriptionInvoices lists a subscription's invoices oldest first.
func subscriptionInvoices(t *testing.T, sb *sandbox, subID string) []*stripe.Invoice {
	t.Helper()
	var out []*stripe.Invoice
	it := sb.Client.Invoices.List(&stripe.InvoiceListParams{Subscription: stripe.String(subID)})
	for it.Next() {
		out = append([]*stripe.Invoice{it.Invoice()}, out...)
	}
	if it.Err() != nil {
		t.Fatal(it.Err())
	}
	return out
}

func TestSubscriptionOverPeriodsWithUpgrade(t *testing.T) {
	sb := startSandbox(t, "", nil)
	sc := sb.Client
	rc := newReceiver(t, "")
	createEndpoint(t, sb, rc, "invoice.paid", "customer.subscription.*", "test_helpers.test_clock.ready")
	clk := newClock(t, sb, jan1)
	cu := billingCustomer(t, sb, "pm_card_visa", clk.ID)
	if cu.TestClock == nil || cu.TestClock.ID != clk.ID || cu.Created != jan1 {
		t.Fatalf("clocked customer: %+v", cu)
	}
	basic := newPrice(t, sb, "Basic", "usd", 1000, "month")
	pro := newPrice(t, sb, "Pro", "usd", 3000, "month")
	vat, err := sc.TaxRates.New(&stripe.TaxRateParams{DisplayName: stripe.String("VAT"), Percentage: stripe.Float64(10),
		Inclusive: stripe.Bool(false)})
	if err != nil {
		t.Fatal(err)
	}
	sp := &stripe.SubscriptionParams{Customer: stripe.String(cu.ID),
		Items:           []*stripe.SubscriptionItemsParams{{Price: stripe.String(basic.ID)}},
		DefaultTaxRates: []*string{stripe.String(vat.ID)}}
	sp.AddExpand("latest_invoice")
	sub, err := sc.Subscriptions.New(sp)
	if err != nil {
		t.Fatal(err)
	}
	if sub.Status != stripe.SubscriptionStatusActive || sub.CurrentPeriodStart != jan1 || sub.CurrentPeriodEnd != feb1 ||
		sub.TestClock == nil || sub.TestClock.ID != clk.ID || len(sub.Items.Data) != 1 || sub.Items.Data[0].Price.ID != basic.ID {
		t.Fatalf("subscription: %+v", sub)
	}
	first := sub.LatestInvoice
	if first.BillingReason != stripe.InvoiceBillingReasonSubscriptionCreate || first.Status != stripe.InvoiceStatusPaid ||
		first.Total != 1100 || first.Created != jan1 || first.Lines.Data[0].Type != "subscription" ||
		first.Lines.Data[0].Description != "1 × Basic (at $10.00 / month)" || first.Lines.Data[0].Period.End != feb1 {
		t.Fatalf("first invoice: %+v", first)
	}
	// Mid-period upgrade on Jan 16: 16 of 31 days are left.
	advance(t, sb, clk, jan16)
	up, err := sc.Subscriptions.Update(sub.ID, &stripe.SubscriptionParams{Items: []*stripe.SubscriptionItemsParams{
		{ID: stripe.String(sub.Items.Data[0].ID), Price: stripe.String(pro.ID)}}})
	if err != nil {
		t.Fatal(err)
	}
	if up.Items.Data[0].ID != sub.Items.Data[0].ID || up.Items.Data[0].Price.ID != pro.ID {
		t.Fatalf("upgraded items: %+v", up.Items.Data[0])
	}
	pending := map[int64]*stripe.InvoiceItem{}
	iit := sc.InvoiceItems.List(&stripe.InvoiceItemListParams{Customer: stripe.String(cu.ID), Pending: stripe.Bool(true)})
	for iit.Next() {
		ii := iit.InvoiceItem()
		pending[ii.Amount] = ii
		if !ii.Proration || ii.Period.Start != jan16 || ii.Period.End != feb1 || ii.Date != jan16 || ii.Subscription.ID != sub.ID {
			t.Errorf("proration item: %+v", ii)
		}
	}
	// -round(1000 × 16/31) = -516, round(3000 × 16/31) = 1548.
	credit, charge := pending[-516], pending[1548]
	if len(pending) != 2 || credit == nil || charge == nil ||
		!strings.HasPrefix(credit.Description, "Unused time on Basic after 16 Jan 2024") ||
		!strings.HasPrefix(charge.Description, "Remaining time on Pro after 16 Jan 2024") {
		t.Fatalf("pending prorations: %+v", pending)
	}
	// Feb 1: the cycle invoice carries the prorations and the new price.
	advance(t, sb, clk, feb1+3600)
	invs := subscriptionInvoices(t, sb, sub.ID)
	if len(invs) != 2 {
		t.Fatalf("%d invoices after February", len(invs))
	}
	feb := invs[1]
	// subtotal 1548 - 516 + 3000 = 4032; 10% per line: 155 - 52 + 300 = 403.
	if feb.BillingReason != stripe.InvoiceBillingReasonSubscriptionCycle || feb.Created != feb1 || feb.Subtotal != 4032 ||
		feb.Tax != 403 || feb.Total != 4435 || feb.Status != stripe.InvoiceStatusPaid || feb.PeriodStart != jan1 || feb.PeriodEnd != feb1 {
		t.Fatalf("february invoice: reason=%s created=%d subtotal=%d tax=%d total=%d status=%s",
			feb.BillingReason, feb.Created, feb.Subtotal, feb.Tax, feb.Total, feb.Status)
	}
	var prorations, subs int
	for _, l := range feb.Lines.Data {
		switch {
		case l.Proration:
			prorations++
			if l.Discountable || l.Type != "invoiceitem" {
				t.Errorf("proration line: %+v", l)
			}
			if l.Amount < 0 && (l.ProrationDetails == nil || l.ProrationDetails.CreditedItems == nil ||
				l.ProrationDetails.CreditedItems.Invoice != first.ID ||
				l.ProrationDetails.CreditedItems.InvoiceLineItems[0] != first.Lines.Data[0].ID) {
				t.Errorf("credit proration_details: %+v", l.ProrationDetails)
			}
		case l.Type == "subscription":
			subs++
			if l.Price.ID != pro.ID || l.Period.Start != feb1 || l.Period.End != mar1 || l.Amount != 3000 {
				t.Errorf("subscription line: %+v", l)
			}
		}
	}
	if prorations != 2 || subs != 1 {
		t.Fatalf("february lines: %d prorations, %d subscription", prorations, subs)
	}
	cp := &stripe.ChargeParams{}
	cp.AddExpand("balance_transaction")
	ch, err := sc.Charges.Get(feb.Charge.ID, cp)
	if err != nil || ch.Created != feb1 || ch.Invoice.ID != feb.ID || ch.Amount != 4435 || ch.BalanceTransaction.Created != feb1 {
		t.Fatalf("february charge: %v %+v", err, ch)
	}
	// A jump over two period ends invoices each period at its own start.
	advance(t, sb, clk, apr1+7200)
	invs = subscriptionInvoices(t, sb, sub.ID)
	if len(invs) != 4 {
		t.Fatalf("%d invoices after April", len(invs))
	}
	for i, want := range []int64{mar1, apr1} {
		inv := invs[i+2]
		if inv.Created != want || inv.Total != 3300 || inv.Status != stripe.InvoiceStatusPaid || inv.Lines.Data[0].Period.Start != want {
			t.Errorf("invoice %d: created=%d total=%d status=%s", i+2, inv.Created, inv.Total, inv.Status)
		}
	}
	got, err := sc.Subscriptions.Get(sub.ID, nil)
	if err != nil || got.CurrentPeriodStart != apr1 || got.CurrentPeriodEnd != may1 || got.Status != stripe.SubscriptionStatusActive ||
		got.LatestInvoice.ID != invs[3].ID {
		t.Fatalf("subscription after April: %v %+v", err, got)
	}
	// invoice.paid reached the endpoint signed, once per invoice.
	eventually(t, 5*time.Second, "four invoice.paid deliveries", func() bool {
		return rc.count(func(e stripe.Event) bool { return e.Type == "invoice.paid" }) == 4
	})
	eventually(t, 5*time.Second, "three test_clock.ready deliveries", func() bool {
		return rc.count(func(e stripe.Event) bool { return e.Type == "test_helpers.test_clock.ready" }) == 3
	})
	if f := rc.failureList(); len(f) > 0 {
		t.Fatalf("deliveries rejected: %v", f)
	}
	// Cancel.
	canceled, err := sc.Subscriptions.Cancel(sub.ID, nil)
	if err != nil || canceled.Status != stripe.SubscriptionStatusCanceled || canceled.EndedAt != apr1+7200 {
		t.Fatalf("cancel: %v %+v", err, canceled)
	}
	if n := eventCount(t, sb, "customer.subscription.deleted"); n != 1 {
		t.Errorf("customer.subscription.deleted: %d", n)
	}
	lit := sc.Subscriptions.List(&stripe.SubscriptionListParams{Customer: stripe.String(cu.ID)})
	if lit.Next() {
		t.Errorf("canceled subscription listed by default")
	}
	advance(t, sb, clk, may1+3600)
	if invs = subscriptionInvoices(t, sb, sub.ID); len(invs) != 4 {
		t.Errorf("canceled subscription renewed: %d invoices", len(invs))
	}
}

func TestDeclinedRenewal(t *testing.T) {
	sb := startSandbox(t, "", nil)
	sc := sb.Client
	clk := newClock(t, sb, jan1)
	cu := billingCustomer(t, sb, "pm_card_visa", clk.ID)
	coupon, err := sc.Coupons.New(&stripe.CouponParams{AmountOff: stripe.Int64(500), Currency: stripe.String("usd"),
		Duration: stripe.String("once")})
	if err != nil {
		t.Fatal(err)
	}
	pr := newPrice(t, sb, "Plan", "usd", 2000, "month")
	sub, err := sc.Subscriptions.New(&stripe.SubscriptionParams{Customer: stripe.String(cu.ID),
		Items:     []*stripe.SubscriptionItemsParams{{Price: stripe.String(pr.ID), Quantity: stripe.Int64(2)}},
		Discounts: []*stripe.SubscriptionDiscountParams{{Coupon: stripe.String(coupon.ID)}}})
	if err != nil {
		t.Fatal(err)
	}
	invs := subscriptionInvoices(t, sb, sub.ID)
	if invs[0].Total != 3500 || len(invs[0].Discounts) != 1 {
		t.Fatalf("first invoice with a once coupon: total %d", invs[0].Total)
	}
	// The card on file now declines every charge.
	bad, err := sc.PaymentMethods.Attach("pm_card_chargeCustomerFail", &stripe.PaymentMethodAttachParams{Customer: stripe.String(cu.ID)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sc.Customers.Update(cu.ID, &stripe.CustomerParams{InvoiceSettings: &stripe.CustomerInvoiceSettingsParams{
		DefaultPaymentMethod: stripe.String(bad.ID)}}); err != nil {
		t.Fatal(err)
	}
	advance(t, sb, clk, feb1+60)
	invs = subscriptionInvoices(t, sb, sub.ID)
	renewal := invs[1]
	// The once coupon is not applied again.
	if renewal.Status != stripe.InvoiceStatusOpen || renewal.AttemptCount != 1 || !renewal.Attempted || renewal.Paid ||
		renewal.Total != 4000 || renewal.Charge == nil || len(renewal.Discounts) != 0 {
		t.Fatalf("declined renewal: status=%s attempts=%d total=%d", renewal.Status, renewal.AttemptCount, renewal.Total)
	}
	ch, err := sc.Charges.Get(renewal.Charge.ID, nil)
	if err != nil || ch.Status != stripe.ChargeStatusFailed || ch.Invoice.ID != renewal.ID {
		t.Fatalf("failed charge: %v %+v", err, ch)
	}
	got, err := sc.Subscriptions.Get(sub.ID, nil)
	if err != nil || got.Status != stripe.SubscriptionStatusPastDue {
		t.Fatalf("subscription after decline: %v %+v", err, got.Status)
	}
	if n := eventCount(t, sb, "invoice.payment_failed"); n != 1 {
		t.Errorf("invoice.payment_failed: %d", n)
	}
	// Paying with a good card brings the subscription back to active.
	if _, err := sc.Invoices.Pay(renewal.ID, &stripe.InvoicePayParams{PaymentMethod: stripe.String("pm_card_visa")}); err != nil {
		t.Fatal(err)
	}
	got, err = sc.Subscriptions.Get(sub.ID, nil)
	if err != nil || got.Status != stripe.SubscriptionStatusActive {
		t.Fatalf("subscription after payment: %v %+v", err, got.Status)
	}
	// error_if_incomplete refuses the subscription outright.
	bad2 := billingCustomer(t, sb, "pm_card_chargeCustomerFail", "")
	_, err = sc.Subscriptions.New(&stripe.SubscriptionParams{Customer: stripe.String(bad2.ID),
		Items:           []*stripe.SubscriptionItemsParams{{Price: stripe.String(pr.ID)}},
		PaymentBehavior: stripe.String("error_if_incomplete")})
	if se := stripeErr(t, err); se.HTTPStatusCode != 402 {
		t.Fatalf("error_if_incomplete: %+v", se)
	}
	lit := sc.Subscriptions.List(&stripe.SubscriptionListParams{Customer: stripe.String(bad2.ID), Status: stripe.String("all")})
	if lit.Next() {
		t.Fatalf("subscription kept after error_if_incomplete")
	}
	// allow_incomplete keeps it incomplete with an open invoice.
	inc, err := sc.Subscriptions.New(&stripe.SubscriptionParams{Customer: stripe.String(bad2.ID),
		Items: []*stripe.SubscriptionItemsParams{{Price: stripe.String(pr.ID)}}})
	if err != nil || inc.Status != stripe.SubscriptionStatusIncomplete {
		t.Fatalf("allow_incomplete: %v %+v", err, inc)
	}
}

func TestAlwaysInvoiceAndPeriodMath(t *testing.T) {
	for _, tc := range []struct {
		anchor int64
		rc     recurring
		k      int64
		want   int64
	}{
		{1706659200, recurring{Interval: "month", IntervalCount: 1}, 1, 1709164800}, // Jan 31 → Feb 29 2024
		{1706659200, recurring{Interval: "month", IntervalCount: 1}, 2, 1711843200}, // → Mar 31
		{jan1, recurring{Interval: "week", IntervalCount: 2}, 1, jan1 + 14*86400},
		{jan1, recurring{Interval: "year", IntervalCount: 1}, 1, 1735689600},
		{jan1, recurring{Interval: "day", IntervalCount: 3}, 2, jan1 + 6*86400},
	} {
		if got := periodBoundary(tc.anchor, tc.k, &tc.rc); got != tc.want {
			t.Errorf("periodBoundary(%d, %d, %+v) = %d, want %d", tc.anchor, tc.k, tc.rc, got, tc.want)
		}
	}
	sb := startSandbox(t, "", nil)
	sc := sb.Client
	clk := newClock(t, sb, jan1)
	cu := billingCustomer(t, sb, "pm_card_visa", clk.ID)
	small := newPrice(t, sb, "Small", "jpy", 3100, "month")
	big := newPrice(t, sb, "Big", "jpy", 6200, "month")
	sub, err := sc.Subscriptions.New(&stripe.SubscriptionParams{Customer: stripe.String(cu.ID),
		Items: []*stripe.SubscriptionItemsParams{{Price: stripe.String(small.ID)}}})
	if err != nil {
		t.Fatal(err)
	}
	advance(t, sb, clk, jan16)
	up, err := sc.Subscriptions.Update(sub.ID, &stripe.SubscriptionParams{ProrationBehavior: stripe.String("always_invoice"),
		Items: []*stripe.SubscriptionItemsParams{{ID: stripe.String(sub.Items.Data[0].ID), Price: stripe.String(big.ID)}}})
	if err != nil {
		t.Fatal(err)
	}
	invs := subscriptionInvoices(t, sb, sub.ID)
	if len(invs) != 2 || invs[1].ID != up.LatestInvoice.ID {
		t.Fatalf("always_invoice: %d invoices", len(invs))
	}
	// 16/31 of ¥3100 = 1600 back, of ¥6200 = 3200 due.
	upd := invs[1]
	if upd.BillingReason != stripe.InvoiceBillingReasonSubscriptionUpdate || upd.Total != 1600 || upd.Status != stripe.InvoiceStatusPaid ||
		len(upd.Lines.Data) != 2 || upd.Created != jan16 {
		t.Fatalf("update invoice: reason=%s total=%d status=%s lines=%d", upd.BillingReason, upd.Total, upd.Status, len(upd.Lines.Data))
	}
	if n := eventCount(t, sb, "customer.subscription.updated"); n != 1 {
		t.Errorf("customer.subscription.updated: %d", n)
	}
}

func TestBillingSurvivesRestart(t *testing.T) {
	sb := startSandbox(t, "", nil)
	clk := newClock(t, sb, jan1)
	cu := billingCustomer(t, sb, "pm_card_visa", clk.ID)
	pr := newPrice(t, sb, "Kept", "eur", 900, "month")
	sub, err := sb.Client.Subscriptions.New(&stripe.SubscriptionParams{Customer: stripe.String(cu.ID),
		Items: []*stripe.SubscriptionItemsParams{{Price: stripe.String(pr.ID)}}})
	if err != nil {
		t.Fatal(err)
	}
	sb.stop()

	sb2 := startSandbox(t, sb.DBPath, nil)
	advance(t, sb2, clk, feb1+60)
	invs := subscriptionInvoices(t, sb2, sub.ID)
	if len(invs) != 2 || invs[1].Created != feb1 || invs[1].Total != 900 || invs[1].Status != stripe.InvoiceStatusPaid {
		t.Fatalf("renewal after restart: %d invoices", len(invs))
	}
	// The invoice's lines expand to the product through the invoice itself.
	p := &stripe.InvoiceParams{}
	p.AddExpand("lines.data.price.product")
	p.AddExpand("charge")
	inv, err := sb2.Client.Invoices.Get(invs[1].ID, p)
	if err != nil || inv.Lines.Data[0].Price.Product.Name != "Kept" || inv.Charge.Amount != 900 || inv.Charge.Invoice.ID != inv.ID {
		t.Fatalf("expanded invoice: %v %+v", err, inv)
	}
	if inv.Lines.Data[0].Plan == nil || inv.Lines.Data[0].Plan.Interval != "month" || inv.TestClock.ID != clk.ID {
		t.Fatalf("plan or test_clock missing: %+v", inv.Lines.Data[0].Plan)
	}
}

func TestInvoiceForSubscriptionAndProratedCancel(t *testing.T) {
	sb := startSandbox(t, "", nil)
	sc := sb.Client
	clk := newClock(t, sb, jan1)
	cu := billingCustomer(t, sb, "pm_card_visa", clk.ID)
	pr := newPrice(t, sb, "Seat", "usd", 3100, "month")
	sub, err := sc.Subscriptions.New(&stripe.SubscriptionParams{Customer: stripe.String(cu.ID),
		Items: []*stripe.SubscriptionItemsParams{{Price: stripe.String(pr.ID)}}})
	if err != nil {
		t.Fatal(err)
	}
	advance(t, sb, clk, jan16)
	// One seat more on Jan 16: -round(3100 × 16/31) + round(6200 × 16/31) = -1600 + 3200.
	if _, err := sc.Subscriptions.Update(sub.ID, &stripe.SubscriptionParams{Items: []*stripe.SubscriptionItemsParams{
		{ID: stripe.String(sub.Items.Data[0].ID), Quantity: stripe.Int64(2)}}}); err != nil {
		t.Fatal(err)
	}
	inv, err := sc.Invoices.New(&stripe.InvoiceParams{Customer: stripe.String(cu.ID), Subscription: stripe.String(sub.ID)})
	if err != nil {
		t.Fatal(err)
	}
	if inv.BillingReason != stripe.InvoiceBillingReasonManual || len(inv.Lines.Data) != 2 || inv.Total != 1600 || inv.Subscription.ID != sub.ID {
		t.Fatalf("invoice of the prorations: reason=%s lines=%d total=%d", inv.BillingReason, len(inv.Lines.Data), inv.Total)
	}
	if inv, err = sc.Invoices.Pay(inv.ID, nil); err != nil || inv.AmountPaid != 1600 {
		t.Fatalf("pay: %v %+v", err, inv)
	}
	// Canceled on Jan 26 with a prorated final invoice: -round(6200 × 6/31) = -1200,
	// nothing due and the credit left on the customer's balance.
	advance(t, sb, clk, jan1+25*86400)
	end, err := sc.Subscriptions.Cancel(sub.ID, &stripe.SubscriptionCancelParams{Prorate: stripe.Bool(true), InvoiceNow: stripe.Bool(true)})
	if err != nil || end.Status != stripe.SubscriptionStatusCanceled {
		t.Fatalf("cancel: %v %+v", err, end)
	}
	invs := subscriptionInvoices(t, sb, sub.ID)
	last := invs[len(invs)-1]
	if last.Total != -1200 || last.AmountDue != 0 || last.Status != stripe.InvoiceStatusPaid || last.EndingBalance != -1200 {
		t.Fatalf("final invoice: total=%d due=%d status=%s ending=%d", last.Total, last.AmountDue, last.Status, last.EndingBalance)
	}
	if c, _ := sc.Customers.Get(cu.ID, nil); c.Balance != -1200 {
		t.Fatalf("customer balance %d", c.Balance)
	}
}
