package stripesandbox

import (
	"strings"
	"testing"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/client"
)

// The billing contract: the same stripe-go calls for manual capture,
// catalog, invoices, credit notes, subscriptions and test clocks against
// stripe-mock (which validates every request against Stripe's OpenAPI spec)
// and the sandbox. Parameters are the ones both the 2023-10-16 API and the
// mock's newer spec accept (invoice items by amount, not price).

type billingResult struct {
	clock, advanced         *stripe.TestHelpersTestClock
	customer                *stripe.Customer
	product                 *stripe.Product
	price, oneOff           *stripe.Price
	taxRate                 *stripe.TaxRate
	coupon                  *stripe.Coupon
	invoice, final, paid    *stripe.Invoice
	item                    *stripe.InvoiceItem
	lines                   []*stripe.InvoiceLineItem
	note                    *stripe.CreditNote
	noteLines               []*stripe.CreditNoteLineItem
	sub, subUpdated, subEnd *stripe.Subscription
	captured, canceled      *stripe.PaymentIntent
}

func runBillingContract(t *testing.T, name string, sc *client.API) billingResult {
	t.Helper()
	var r billingResult
	var err error
	must := func(call string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %s: %v", name, call, err)
		}
	}
	r.clock, err = sc.TestHelpersTestClocks.New(&stripe.TestHelpersTestClockParams{FrozenTime: stripe.Int64(jan1), Name: stripe.String("contract")})
	must("TestHelpersTestClocks.New", err)
	r.customer, err = sc.Customers.New(&stripe.CustomerParams{Email: stripe.String("billing@example.com"),
		TestClock: stripe.String(r.clock.ID), PaymentMethod: stripe.String("pm_card_visa"),
		InvoiceSettings: &stripe.CustomerInvoiceSettingsParams{DefaultPaymentMethod: stripe.String("pm_card_visa")}})
	must("Customers.New", err)
	pp := &stripe.ProductParams{Name: stripe.String("Contract plan")}
	pp.AddMetadata("erp_item", "PLAN-1")
	r.product, err = sc.Products.New(pp)
	must("Products.New", err)
	r.price, err = sc.Prices.New(&stripe.PriceParams{Product: stripe.String(r.product.ID), Currency: stripe.String("usd"),
		UnitAmount: stripe.Int64(1000), Recurring: &stripe.PriceRecurringParams{Interval: stripe.String("month")}})
	must("Prices.New recurring", err)
	r.oneOff, err = sc.Prices.New(&stripe.PriceParams{Product: stripe.String(r.product.ID), Currency: stripe.String("usd"),
		UnitAmount: stripe.Int64(500)})
	must("Prices.New one-off", err)
	r.taxRate, err = sc.TaxRates.New(&stripe.TaxRateParams{DisplayName: stripe.String("VAT"), Percentage: stripe.Float64(10),
		Inclusive: stripe.Bool(false), Jurisdiction: stripe.String("EU")})
	must("TaxRates.New", err)
	r.coupon, err = sc.Coupons.New(&stripe.CouponParams{PercentOff: stripe.Float64(10), Duration: stripe.String("once")})
	must("Coupons.New", err)

	r.invoice, err = sc.Invoices.New(&stripe.InvoiceParams{Customer: stripe.String(r.customer.ID), AutoAdvance: stripe.Bool(false),
		DefaultTaxRates: []*string{stripe.String(r.taxRate.ID)},
		Discounts:       []*stripe.InvoiceDiscountParams{{Coupon: stripe.String(r.coupon.ID)}}})
	must("Invoices.New", err)
	r.item, err = sc.InvoiceItems.New(&stripe.InvoiceItemParams{Customer: stripe.String(r.customer.ID),
		Invoice: stripe.String(r.invoice.ID), Amount: stripe.Int64(2000), Currency: stripe.String("usd"),
		Description: stripe.String("Setup")})
	must("InvoiceItems.New", err)
	r.final, err = sc.Invoices.FinalizeInvoice(r.invoice.ID, nil)
	must("Invoices.FinalizeInvoice", err)
	r.paid, err = sc.Invoices.Pay(r.invoice.ID, nil)
	must("Invoices.Pay", err)
	lit := sc.Invoices.ListLines(&stripe.InvoiceListLinesParams{Invoice: stripe.String(r.invoice.ID)})
	for lit.Next() {
		r.lines = append(r.lines, lit.InvoiceLineItem())
	}
	must("Invoices.ListLines", lit.Err())

	r.note, err = sc.CreditNotes.New(&stripe.CreditNoteParams{Invoice: stripe.String(r.invoice.ID), RefundAmount: stripe.Int64(500),
		Reason: stripe.String("order_change"),
		Lines: []*stripe.CreditNoteLineParams{{Type: stripe.String("custom_line_item"), UnitAmount: stripe.Int64(500),
			Quantity: stripe.Int64(1), Description: stripe.String("Goodwill")}}})
	must("CreditNotes.New", err)
	cit := sc.CreditNotes.ListLines(&stripe.CreditNoteListLinesParams{CreditNote: stripe.String(r.note.ID)})
	for cit.Next() {
		r.noteLines = append(r.noteLines, cit.CreditNoteLineItem())
	}
	must("CreditNotes.ListLines", cit.Err())

	r.sub, err = sc.Subscriptions.New(&stripe.SubscriptionParams{Customer: stripe.String(r.customer.ID),
		Items:           []*stripe.SubscriptionItemsParams{{Price: stripe.String(r.price.ID)}},
		DefaultTaxRates: []*string{stripe.String(r.taxRate.ID)}})
	must("Subscriptions.New", err)
	if r.sub.Items == nil || len(r.sub.Items.Data) == 0 {
		t.Fatalf("%s: subscription without items", name)
	}
	r.subUpdated, err = sc.Subscriptions.Update(r.sub.ID, &stripe.SubscriptionParams{ProrationBehavior: stripe.String("create_prorations"),
		Items: []*stripe.SubscriptionItemsParams{{ID: stripe.String(r.sub.Items.Data[0].ID), Quantity: stripe.Int64(2)}}})
	must("Subscriptions.Update", err)
	r.advanced, err = sc.TestHelpersTestClocks.Advance(r.clock.ID, &stripe.TestHelpersTestClockAdvanceParams{FrozenTime: stripe.Int64(feb1 + 60)})
	must("TestHelpersTestClocks.Advance", err)
	r.subEnd, err = sc.Subscriptions.Cancel(r.sub.ID, nil)
	must("Subscriptions.Cancel", err)

	auth, err := sc.PaymentIntents.New(&stripe.PaymentIntentParams{Amount: stripe.Int64(3000), Currency: stripe.String("usd"),
		CaptureMethod: stripe.String("manual"), PaymentMethod: stripe.String("pm_card_visa"), Confirm: stripe.Bool(true)})
	must("PaymentIntents.New manual", err)
	r.captured, err = sc.PaymentIntents.Capture(auth.ID, &stripe.PaymentIntentCaptureParams{AmountToCapture: stripe.Int64(2000)})
	must("PaymentIntents.Capture", err)
	auth2, err := sc.PaymentIntents.New(&stripe.PaymentIntentParams{Amount: stripe.Int64(3000), Currency: stripe.String("usd"),
		CaptureMethod: stripe.String("manual"), PaymentMethod: stripe.String("pm_card_visa"), Confirm: stripe.Bool(true)})
	must("PaymentIntents.New manual 2", err)
	r.canceled, err = sc.PaymentIntents.Cancel(auth2.ID, &stripe.PaymentIntentCancelParams{CancellationReason: stripe.String("abandoned")})
	must("PaymentIntents.Cancel", err)
	return r
}

func checkBillingShape(t *testing.T, name string, r billingResult) {
	t.Helper()
	check := func(what, id, prefix, object, wantObject string) {
		t.Helper()
		if !strings.HasPrefix(id, prefix) || object != wantObject {
			t.Errorf("%s: %s id=%q object=%q, want %s… %q", name, what, id, prefix, object, wantObject)
		}
	}
	check("clock", r.clock.ID, "clock_", r.clock.Object, "test_helpers.test_clock")
	check("advanced clock", r.advanced.ID, "clock_", r.advanced.Object, "test_helpers.test_clock")
	check("customer", r.customer.ID, "cus_", r.customer.Object, "customer")
	check("product", r.product.ID, "prod_", r.product.Object, "product")
	check("price", r.price.ID, "price_", r.price.Object, "price")
	check("one-off price", r.oneOff.ID, "price_", r.oneOff.Object, "price")
	check("tax rate", r.taxRate.ID, "txr_", r.taxRate.Object, "tax_rate")
	check("coupon", r.coupon.ID, "", r.coupon.Object, "coupon")
	for what, inv := range map[string]*stripe.Invoice{"invoice": r.invoice, "finalized": r.final, "paid": r.paid} {
		check(what, inv.ID, "in_", inv.Object, "invoice")
	}
	check("invoice item", r.item.ID, "ii_", r.item.Object, "invoiceitem")
	if len(r.lines) == 0 {
		t.Errorf("%s: no invoice lines", name)
	}
	for _, l := range r.lines {
		check("line", l.ID, "", l.Object, "line_item")
	}
	check("credit note", r.note.ID, "cn_", r.note.Object, "credit_note")
	for _, l := range r.noteLines {
		check("credit note line", l.ID, "cnli_", l.Object, "credit_note_line_item")
	}
	for what, sub := range map[string]*stripe.Subscription{"subscription": r.sub, "updated": r.subUpdated, "canceled": r.subEnd} {
		check(what, sub.ID, "sub_", sub.Object, "subscription")
	}
	check("captured", r.captured.ID, "pi_", r.captured.Object, "payment_intent")
	check("canceled", r.canceled.ID, "pi_", r.canceled.Object, "payment_intent")
}

func TestBillingContractAgainstStripeMockAndSandbox(t *testing.T) {
	mockURL := startStripeMock(t)
	checkBillingShape(t, "stripe-mock", runBillingContract(t, "stripe-mock", newClient(mockURL, "sk_test_123")))

	sb := startSandbox(t, "", nil)
	got := runBillingContract(t, "sandbox", sb.Client)
	checkBillingShape(t, "sandbox", got)
	// The sandbox is stateful: the values must hold together.
	// Invoice: 2000 - 10% = 1800, + 10% tax = 1980.
	if got.paid.Status != stripe.InvoiceStatusPaid || got.paid.Total != 1980 || got.final.Number == "" ||
		got.note.Total != 500 || got.note.Refund == nil || got.subEnd.Status != stripe.SubscriptionStatusCanceled ||
		got.advanced.Status != stripe.TestHelpersTestClockStatusAdvancing || got.captured.AmountReceived != 2000 ||
		got.canceled.Status != stripe.PaymentIntentStatusCanceled || got.subUpdated.Items.Data[0].Quantity != 2 ||
		got.customer.TestClock.ID != got.clock.ID || len(got.lines) != 1 || got.lines[0].Amount != 2000 {
		t.Errorf("sandbox values do not hold together: %+v", got)
	}
}
