package tests

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v76"

	"github.com/ledgerbridge/ledgerbridge/internal/devstack"
	"github.com/ledgerbridge/ledgerbridge/internal/erp"
	"github.com/ledgerbridge/ledgerbridge/internal/erp/connectors"
	"github.com/ledgerbridge/ledgerbridge/internal/money"
	"github.com/ledgerbridge/ledgerbridge/workflows"
)

// connector reads the stack's ERP through the project's own connector, so a test checks every
// dialect through the same neutral fields (lines, discounts, taxes) as order-to-cash wrote them.
func (m *monthEnv) connector(t *testing.T, name string) erp.Connector {
	t.Helper()
	c, err := connectors.New(name, m.st.SageURL(), devstack.SageKey, &http.Client{Timeout: 10 * time.Second}, connectors.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// A subscription billed over three periods, with a 10% coupon, 8.25% sales tax and a
// mid-period upgrade (prorations), delivered shuffled and three times over: every Stripe
// invoice becomes exactly one ERP invoice whose lines, discounts and taxes equal Stripe's to the
// cent, on Sage 500, Sage X3 and Sage Pro.
func TestSubscriptionInvoicesPostLineByLine(t *testing.T) {
	for _, name := range []string{"sage500", "sagex3", "sagepro"} {
		t.Run(name, func(t *testing.T) {
			e := newMonthEnv(t, "ERP="+name)
			e.admin(t, "/_sandbox/delivery", map[string]any{"duplicates": 3, "reorder": true}, nil)
			start := time.Date(2026, 1, 5, 12, 0, 0, 0, time.UTC)
			clock, err := e.sc.TestHelpersTestClocks.New(&stripe.TestHelpersTestClockParams{FrozenTime: stripe.Int64(start.Unix())})
			if err != nil {
				t.Fatal(err)
			}
			cus, err := e.sc.Customers.New(&stripe.CustomerParams{Email: stripe.String("sub-" + uniqueSuffix() + "@example.com"),
				Name: stripe.String("Katherine Johnson"), TestClock: stripe.String(clock.ID), PaymentMethod: stripe.String("pm_card_visa"),
				InvoiceSettings: &stripe.CustomerInvoiceSettingsParams{DefaultPaymentMethod: stripe.String("pm_card_visa")},
				Address: &stripe.AddressParams{Line1: stripe.String("1 Langley Blvd"), City: stripe.String("Hampton"), State: stripe.String("VA"),
					PostalCode: stripe.String("23681"), Country: stripe.String("US")}})
			if err != nil {
				t.Fatal(err)
			}
			basic := e.price(t, "Basic plan", 2000)
			pro := e.price(t, "Pro plan", 5000)
			tax, err := e.sc.TaxRates.New(&stripe.TaxRateParams{DisplayName: stripe.String("Sales tax"), Percentage: stripe.Float64(8.25),
				Inclusive: stripe.Bool(false), Jurisdiction: stripe.String("VA")})
			if err != nil {
				t.Fatal(err)
			}
			coupon, err := e.sc.Coupons.New(&stripe.CouponParams{PercentOff: stripe.Float64(10), Duration: stripe.String("forever")})
			if err != nil {
				t.Fatal(err)
			}
			sub, err := e.sc.Subscriptions.New(&stripe.SubscriptionParams{Customer: stripe.String(cus.ID),
				Items:           []*stripe.SubscriptionItemsParams{{Price: stripe.String(basic), Quantity: stripe.Int64(2)}},
				DefaultTaxRates: []*string{stripe.String(tax.ID)}, Coupon: stripe.String(coupon.ID)})
			if err != nil {
				t.Fatal(err)
			}
			e.advance(t, clock.ID, start.AddDate(0, 0, 14))
			if _, err := e.sc.Subscriptions.Update(sub.ID, &stripe.SubscriptionParams{ProrationBehavior: stripe.String("create_prorations"),
				Items: []*stripe.SubscriptionItemsParams{{ID: stripe.String(sub.Items.Data[0].ID), Price: stripe.String(pro)}}}); err != nil {
				t.Fatal(err)
			}
			e.advance(t, clock.ID, start.AddDate(0, 2, 1))

			it := e.sc.Invoices.List(&stripe.InvoiceListParams{Subscription: stripe.String(sub.ID)})
			var invoices []*stripe.Invoice
			for it.Next() {
				invoices = append(invoices, it.Invoice())
			}
			if err := it.Err(); err != nil || len(invoices) != 3 {
				t.Fatalf("%d Stripe invoices for three periods: %v", len(invoices), err)
			}
			conn := e.connector(t, name)
			sawProration := false
			for _, inv := range invoices {
				if inv.Status != stripe.InvoiceStatusPaid || inv.Charge == nil {
					t.Fatalf("invoice %s is %s", inv.ID, inv.Status)
				}
				ch := inv.Charge.ID
				var res workflows.OrderToCashResult
				waitDone(t, e.tc, workflows.OrderToCashID(ch), &res, 2*time.Minute)
				if res.Status != workflows.StatusPosted {
					t.Fatalf("invoice %s (charge %s): %+v", inv.ID, ch, res)
				}
				cur := string(inv.Currency)
				doc, err := conn.FindDocument(context.Background(), erp.KindInvoice, ch)
				if err != nil || doc == nil {
					t.Fatalf("ERP invoice for %s: %v", ch, err)
				}
				discount := int64(0)
				for _, d := range inv.TotalDiscountAmounts {
					discount += d.Amount
				}
				if !doc.Total.Equal(money.FromMinor(inv.Total, cur)) || !doc.TaxTotal.Equal(money.FromMinor(inv.Tax, cur)) ||
					!doc.DiscountTotal.Equal(money.FromMinor(discount, cur)) {
					t.Fatalf("ERP invoice %s: total %s tax %s discount %s; Stripe %s: total %d tax %d discount %d",
						doc.Number, doc.Total, doc.TaxTotal, doc.DiscountTotal, inv.ID, inv.Total, inv.Tax, discount)
				}
				lines := e.stripeLines(t, inv.ID)
				if len(doc.Lines) != len(lines) {
					t.Fatalf("ERP invoice %s has %d lines, Stripe %s has %d", doc.Number, len(doc.Lines), inv.ID, len(lines))
				}
				for i, l := range lines {
					got, want := doc.Lines[i], expectLine(l, cur)
					if !got.Amount.Equal(want.Amount) || !got.Discount.Equal(want.Discount) || !got.Tax.Equal(want.Tax) || (got.Kind == erp.LineProration) != l.Proration {
						t.Errorf("invoice %s line %d: ERP %+v, Stripe %+v", inv.ID, i, got, want)
					}
					sawProration = sawProration || l.Proration
				}
			}
			if !sawProration {
				t.Fatal("the upgrade produced no proration lines")
			}
			// Exactly one ERP invoice and one payment per Stripe invoice, despite three deliveries.
			time.Sleep(2 * time.Second)
			for _, inv := range invoices {
				if n := len(e.count(t, dialectOf(name).invoices, inv.Charge.ID)); n != 1 {
					t.Errorf("%d ERP invoices for Stripe invoice %s", n, inv.ID)
				}
				if n := len(e.count(t, dialectOf(name).payment, inv.Charge.ID)); n != 1 {
					t.Errorf("%d ERP payments for Stripe invoice %s", n, inv.ID)
				}
			}
		})
	}
}

// expectLine is the ERP line a Stripe invoice line must become (amounts before discount, excl. tax).
func expectLine(l *stripe.InvoiceLineItem, cur string) erp.Line {
	out := erp.Line{Amount: money.FromMinor(l.Amount, cur)}
	for _, d := range l.DiscountAmounts {
		out.Discount = out.Discount.Add(money.FromMinor(d.Amount, cur))
	}
	for _, x := range l.TaxAmounts {
		out.Tax = out.Tax.Add(money.FromMinor(x.Amount, cur))
	}
	return out
}

func (e *monthEnv) stripeLines(t *testing.T, invoiceID string) []*stripe.InvoiceLineItem {
	t.Helper()
	it := e.sc.Invoices.ListLines(&stripe.InvoiceListLinesParams{Invoice: stripe.String(invoiceID)})
	var out []*stripe.InvoiceLineItem
	for it.Next() {
		out = append(out, it.InvoiceLineItem())
	}
	if err := it.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func (e *monthEnv) price(t *testing.T, name string, unit int64) string {
	t.Helper()
	p, err := e.sc.Prices.New(&stripe.PriceParams{Currency: stripe.String("usd"), UnitAmount: stripe.Int64(unit),
		Recurring:   &stripe.PriceRecurringParams{Interval: stripe.String("month")},
		ProductData: &stripe.PriceProductDataParams{Name: stripe.String(name)}})
	if err != nil {
		t.Fatal(err)
	}
	return p.ID
}

// advance moves a test clock and waits until it is ready.
func (e *monthEnv) advance(t *testing.T, clockID string, to time.Time) {
	t.Helper()
	if _, err := e.sc.TestHelpersTestClocks.Advance(clockID, &stripe.TestHelpersTestClockAdvanceParams{FrozenTime: stripe.Int64(to.Unix())}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := e.sc.TestHelpersTestClocks.Get(clockID, nil)
		if err == nil && c.Status == stripe.TestHelpersTestClockStatusReady {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("test clock %s not ready: %v", clockID, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func dialectOf(name string) dialect {
	for _, d := range dialects {
		if d.erp == name {
			return d
		}
	}
	return dialect{erp: "sage500", customers: "/Sage500API/Customers", invoices: "/Sage500API/Invoices", payment: "/Sage500API/Payments",
		creditMemos: "/Sage500API/CreditMemos", invoiceTotal: "InvoiceTotal"}
}
