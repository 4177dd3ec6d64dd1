package tests

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stripe/stripe-go/v76"

	"github.com/ledgerbridge/ledgerbridge/workflows"
)

// authorise creates a confirmed manual-capture payment intent with webhook delivery paused, runs
// then(pi) and resumes delivery, so order-to-cash first sees the charge after then.
func authorise(t *testing.T, amount int64, then func(pi *stripe.PaymentIntent)) *stripe.PaymentIntent {
	t.Helper()
	setDelivery(t, map[string]any{"paused": true})
	defer setDelivery(t, map[string]any{"paused": false})
	cus, err := sc.Customers.New(&stripe.CustomerParams{Email: stripe.String("auth-" + uniqueSuffix() + "@example.com"), Name: stripe.String("Auth Customer")})
	if err != nil {
		t.Fatal(err)
	}
	pi, err := sc.PaymentIntents.New(&stripe.PaymentIntentParams{Amount: stripe.Int64(amount), Currency: stripe.String("usd"),
		Customer: stripe.String(cus.ID), PaymentMethod: stripe.String("pm_card_visa"), Confirm: stripe.Bool(true), CaptureMethod: stripe.String("manual")})
	if err != nil {
		t.Fatal(err)
	}
	then(pi)
	return pi
}

// An authorisation captured for less posts the captured amount (invoice and payment), and the
// "refund" Stripe records for the released rest credits nothing.
func TestPartialCapturePostsTheCapturedAmount(t *testing.T) {
	pi := authorise(t, 10000, func(pi *stripe.PaymentIntent) {
		if _, err := sc.PaymentIntents.Capture(pi.ID, &stripe.PaymentIntentCaptureParams{AmountToCapture: stripe.Int64(6000)}); err != nil {
			t.Fatal(err)
		}
	})
	ch := pi.LatestCharge.ID
	if res := waitResult(t, ch, time.Minute); res.Status != workflows.StatusPosted || res.Amount != "60" {
		t.Fatalf("run %+v", res)
	}
	inv := requireOne(t, "Invoices", byRef(ch))
	pmt := requireOne(t, "Payments", byRef(ch))
	if !dec(t, inv["InvoiceTotal"]).Equal(decimal.RequireFromString("60.00")) || !dec(t, pmt["Amount"]).Equal(decimal.RequireFromString("60.00")) {
		t.Fatalf("invoice %v, payment %v: want the captured 60.00", inv["InvoiceTotal"], pmt["Amount"])
	}
	it := sc.Refunds.List(&stripe.RefundListParams{Charge: stripe.String(ch)})
	var release string
	for it.Next() {
		release = it.Refund().ID
	}
	if release == "" {
		t.Fatal("Stripe recorded no refund for the released part")
	}
	var rr workflows.RefundResult
	waitDone(t, tc, workflows.RefundID(release), &rr, time.Minute)
	if rr.Status != workflows.StatusSkipped {
		t.Fatalf("release refund %+v", rr)
	}
	if memos := sageList(t, "CreditMemos", byRef(release)); len(memos) != 0 {
		t.Fatalf("the released authorisation was credited: %v", memos)
	}
}

// An authorisation released without capture posts nothing.
func TestReleasedAuthorisationPostsNothing(t *testing.T) {
	pi := authorise(t, 4200, func(pi *stripe.PaymentIntent) {
		if _, err := sc.PaymentIntents.Cancel(pi.ID, nil); err != nil {
			t.Fatal(err)
		}
	})
	ch := pi.LatestCharge.ID
	if res := waitResult(t, ch, time.Minute); res.Status != workflows.StatusSkipped {
		t.Fatalf("run %+v", res)
	}
	if invs := sageList(t, "Invoices", byRef(ch)); len(invs) != 0 {
		t.Fatalf("a released authorisation was invoiced: %v", invs)
	}
}
