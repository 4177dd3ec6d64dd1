package stripesandbox

import (
	"testing"

	"github.com/stripe/stripe-go/v76"
)

// authorize creates and confirms a manual-capture intent of amount.
func authorize(t *testing.T, sb *sandbox, amount int64, currency string) *stripe.PaymentIntent {
	t.Helper()
	pi, err := sb.Client.PaymentIntents.New(&stripe.PaymentIntentParams{Amount: stripe.Int64(amount),
		Currency: stripe.String(currency), CaptureMethod: stripe.String("manual"),
		PaymentMethod: stripe.String("pm_card_visa"), Confirm: stripe.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	if pi.Status != stripe.PaymentIntentStatusRequiresCapture || pi.AmountCapturable != amount || pi.AmountReceived != 0 {
		t.Fatalf("authorised intent: %+v", pi)
	}
	ch, err := sb.Client.Charges.Get(pi.LatestCharge.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if ch.Captured || ch.AmountCaptured != 0 || ch.BalanceTransaction != nil || !ch.Paid || ch.Status != stripe.ChargeStatusSucceeded {
		t.Fatalf("authorised charge: %+v", ch)
	}
	return pi
}

// chargeTxns returns the balance transactions of a charge and its refunds.
func chargeTxns(t *testing.T, sb *sandbox, ch *stripe.Charge) []*stripe.BalanceTransaction {
	t.Helper()
	var out []*stripe.BalanceTransaction
	sources := []string{ch.ID}
	for _, re := range ch.Refunds.Data {
		sources = append(sources, re.ID)
	}
	for _, src := range sources {
		it := sb.Client.BalanceTransactions.List(&stripe.BalanceTransactionListParams{Source: stripe.String(src)})
		for it.Next() {
			out = append(out, it.BalanceTransaction())
		}
		if it.Err() != nil {
			t.Fatal(it.Err())
		}
	}
	return out
}

func eventCount(t *testing.T, sb *sandbox, typ string) int {
	t.Helper()
	it := sb.Client.Events.List(&stripe.EventListParams{Type: stripe.String(typ)})
	n := 0
	for it.Next() {
		n++
	}
	if it.Err() != nil {
		t.Fatal(it.Err())
	}
	return n
}

func TestManualCapture(t *testing.T) {
	type txn struct {
		amount, fee int64
		category    string
	}
	for _, tc := range []struct {
		name          string
		basil         bool
		capture       int64 // 0 = capture everything
		captured      int64
		refunded      int64 // amount_refunded after capture
		txns          []txn
		refundEvents  int
		refundableTop int64
	}{
		{name: "full", captured: 10000, txns: []txn{{10000, 320, "charge"}}, refundableTop: 10000},
		{name: "partial 2023-10-16", capture: 6000, captured: 6000, refunded: 4000,
			// fee(10000)=320, fee(6000)=204: the reversal returns 116.
			txns: []txn{{10000, 320, "charge"}, {-4000, -116, "partial_capture_reversal"}}, refundEvents: 1, refundableTop: 6000},
		{name: "partial basil", basil: true, capture: 6000, captured: 6000,
			txns: []txn{{6000, 204, "charge"}}, refundableTop: 6000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sb := startSandbox(t, "", func(c *Config) { c.DisableRefundOnAuthRelease = tc.basil })
			pi := authorize(t, sb, 10000, "usd")
			p := &stripe.PaymentIntentCaptureParams{}
			if tc.capture != 0 {
				p.AmountToCapture = stripe.Int64(tc.capture)
			}
			pi, err := sb.Client.PaymentIntents.Capture(pi.ID, p)
			if err != nil {
				t.Fatal(err)
			}
			if pi.Status != stripe.PaymentIntentStatusSucceeded || pi.AmountReceived != tc.captured || pi.AmountCapturable != 0 {
				t.Fatalf("captured intent: %+v", pi)
			}
			ch, err := sb.Client.Charges.Get(pi.LatestCharge.ID, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !ch.Captured || ch.AmountCaptured != tc.captured || ch.AmountRefunded != tc.refunded || ch.Refunded ||
				ch.BalanceTransaction == nil || len(ch.Refunds.Data) != tc.refundEvents {
				t.Fatalf("captured charge: captured=%v amount_captured=%d amount_refunded=%d refunded=%v refunds=%d",
					ch.Captured, ch.AmountCaptured, ch.AmountRefunded, ch.Refunded, len(ch.Refunds.Data))
			}
			txns := chargeTxns(t, sb, ch)
			if len(txns) != len(tc.txns) {
				t.Fatalf("%d balance transactions, want %d", len(txns), len(tc.txns))
			}
			var net int64
			for i, bt := range txns {
				w := tc.txns[i]
				if bt.Amount != w.amount || bt.Fee != w.fee || string(bt.ReportingCategory) != w.category || bt.Net != bt.Amount-bt.Fee {
					t.Errorf("txn %d: amount=%d fee=%d category=%s, want %+v", i, bt.Amount, bt.Fee, bt.ReportingCategory, w)
				}
				net += bt.Net
			}
			if want := tc.captured - stripeFee(tc.captured, "usd"); net != want {
				t.Errorf("net of the capture %d, want %d", net, want)
			}
			if n := eventCount(t, sb, "charge.captured"); n != 1 {
				t.Errorf("charge.captured events: %d", n)
			}
			if n := eventCount(t, sb, "charge.refunded"); n != tc.refundEvents {
				t.Errorf("charge.refunded events: %d, want %d", n, tc.refundEvents)
			}
			if n := eventCount(t, sb, "payment_intent.amount_capturable_updated"); n != 1 {
				t.Errorf("amount_capturable_updated events: %d", n)
			}
			// Only the captured amount can be refunded.
			_, err = sb.Client.Refunds.New(&stripe.RefundParams{Charge: stripe.String(ch.ID), Amount: stripe.Int64(tc.refundableTop + 1)})
			if se := stripeErr(t, err); se.Param != "amount" {
				t.Fatalf("over-refund: %+v", se)
			}
			re, err := sb.Client.Refunds.New(&stripe.RefundParams{Charge: stripe.String(ch.ID)})
			if err != nil || re.Amount != tc.refundableTop {
				t.Fatalf("refund rest: %v %+v", err, re)
			}
			if ch, _ = sb.Client.Charges.Get(ch.ID, nil); !ch.Refunded {
				t.Errorf("charge not refunded after refunding the captured amount: %+v", ch)
			}
			// A captured intent cannot be captured or canceled again.
			_, err = sb.Client.PaymentIntents.Capture(pi.ID, nil)
			if se := stripeErr(t, err); se.Code != "payment_intent_unexpected_state" {
				t.Errorf("recapture: %+v", se)
			}
			_, err = sb.Client.PaymentIntents.Cancel(pi.ID, nil)
			if se := stripeErr(t, err); se.Code != "payment_intent_unexpected_state" {
				t.Errorf("cancel succeeded: %+v", se)
			}
		})
	}
}

func TestCancelAuthorization(t *testing.T) {
	for _, basil := range []bool{false, true} {
		sb := startSandbox(t, "", func(c *Config) { c.DisableRefundOnAuthRelease = basil })
		pi := authorize(t, sb, 5000, "eur")
		pi, err := sb.Client.PaymentIntents.Cancel(pi.ID, &stripe.PaymentIntentCancelParams{
			CancellationReason: stripe.String("requested_by_customer")})
		if err != nil {
			t.Fatal(err)
		}
		if pi.Status != stripe.PaymentIntentStatusCanceled || pi.CanceledAt == 0 || pi.AmountCapturable != 0 ||
			pi.CancellationReason != "requested_by_customer" {
			t.Fatalf("canceled intent: %+v", pi)
		}
		ch, err := sb.Client.Charges.Get(pi.LatestCharge.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		wantRefunded, wantAmount, wantRefunds := true, int64(5000), 1
		if basil {
			wantRefunded, wantAmount, wantRefunds = false, 0, 0
		}
		if ch.Captured || ch.BalanceTransaction != nil || ch.Refunded != wantRefunded || ch.AmountRefunded != wantAmount ||
			len(ch.Refunds.Data) != wantRefunds {
			t.Fatalf("basil=%v: released charge %+v", basil, ch)
		}
		if wantRefunds == 1 && ch.Refunds.Data[0].BalanceTransaction != nil {
			t.Errorf("release refund has a balance transaction")
		}
		if txns := chargeTxns(t, sb, ch); len(txns) != 0 {
			t.Errorf("basil=%v: %d balance transactions for a released authorisation", basil, len(txns))
		}
		if n := eventCount(t, sb, "payment_intent.canceled"); n != 1 {
			t.Errorf("payment_intent.canceled: %d", n)
		}
		if n := eventCount(t, sb, "charge.refunded"); n != wantRefunds {
			t.Errorf("basil=%v: charge.refunded: %d", basil, n)
		}
		if _, err := sb.Client.Charges.Capture(ch.ID, nil); err == nil {
			t.Errorf("captured a released charge")
		}
	}
}

func TestChargeCaptureAndRefundUncaptured(t *testing.T) {
	sb := startSandbox(t, "", nil)
	pi := authorize(t, sb, 3000, "usd")
	_, err := sb.Client.Charges.Capture(pi.LatestCharge.ID, &stripe.ChargeCaptureParams{Amount: stripe.Int64(3001)})
	if se := stripeErr(t, err); se.Param != "amount" || se.Code != "amount_too_large" {
		t.Fatalf("over-capture: %+v", se)
	}
	ch, err := sb.Client.Charges.Capture(pi.LatestCharge.ID, &stripe.ChargeCaptureParams{Amount: stripe.Int64(2500)})
	if err != nil || !ch.Captured || ch.AmountCaptured != 2500 || ch.AmountRefunded != 500 {
		t.Fatalf("charge capture: %v %+v", err, ch)
	}
	if _, err := sb.Client.Charges.Capture(ch.ID, nil); stripeErr(t, err).Code != "charge_already_captured" {
		t.Fatalf("second capture: %v", err)
	}
	// Refunding an uncaptured charge releases it whole and cancels its intent.
	pi2 := authorize(t, sb, 4000, "usd")
	_, err = sb.Client.Refunds.New(&stripe.RefundParams{Charge: stripe.String(pi2.LatestCharge.ID), Amount: stripe.Int64(100)})
	if se := stripeErr(t, err); se.Param != "amount" {
		t.Fatalf("partial refund of uncaptured: %+v", se)
	}
	re, err := sb.Client.Refunds.New(&stripe.RefundParams{PaymentIntent: stripe.String(pi2.ID)})
	if err != nil {
		t.Fatalf("refund uncaptured: %v", err)
	}
	if re.Amount != 4000 || re.BalanceTransaction != nil || re.Status != stripe.RefundStatusSucceeded {
		t.Fatalf("release refund: %+v", re)
	}
	got, err := sb.Client.PaymentIntents.Get(pi2.ID, nil)
	if err != nil || got.Status != stripe.PaymentIntentStatusCanceled {
		t.Fatalf("intent after refund: %v %+v", err, got)
	}
}
