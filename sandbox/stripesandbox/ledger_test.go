package stripesandbox

import (
	"database/sql"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v76"
)

// chargeOf confirms a PaymentIntent and returns its charge with the
// balance transaction expanded.
func chargeOf(t *testing.T, sb *sandbox, amount int64, currency, pm string) *stripe.Charge {
	t.Helper()
	pi, err := sb.Client.PaymentIntents.New(&stripe.PaymentIntentParams{Amount: stripe.Int64(amount),
		Currency: stripe.String(currency), PaymentMethod: stripe.String(pm), Confirm: stripe.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	cp := &stripe.ChargeParams{}
	cp.AddExpand("balance_transaction")
	ch, err := sb.Client.Charges.Get(pi.LatestCharge.ID, cp)
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

func getBT(t *testing.T, sb *sandbox, id string) *stripe.BalanceTransaction {
	t.Helper()
	bt, err := sb.Client.BalanceTransactions.Get(id, nil)
	if err != nil {
		t.Fatal(err)
	}
	return bt
}

// payoutRows lists a payout's balance transactions page by page.
func payoutRows(t *testing.T, sb *sandbox, po string, limit int64) []*stripe.BalanceTransaction {
	t.Helper()
	p := &stripe.BalanceTransactionListParams{Payout: stripe.String(po)}
	p.Limit = stripe.Int64(limit)
	it := sb.Client.BalanceTransactions.List(p)
	var out []*stripe.BalanceTransaction
	for it.Next() {
		out = append(out, it.BalanceTransaction())
	}
	if it.Err() != nil {
		t.Fatal(it.Err())
	}
	return out
}

func eventsOf(t *testing.T, sb *sandbox, typ string) []*stripe.Event {
	t.Helper()
	it := sb.Client.Events.List(&stripe.EventListParams{Type: stripe.String(typ)})
	var out []*stripe.Event
	for it.Next() {
		out = append(out, it.Event())
	}
	if it.Err() != nil {
		t.Fatal(it.Err())
	}
	return out
}

func isType(typ string) func(stripe.Event) bool {
	return func(e stripe.Event) bool { return string(e.Type) == typ }
}

type sweepResult struct {
	Data []stripe.Payout `json:"data"`
}

func TestRefundsFullPartialAndOverRefund(t *testing.T) {
	sb := startSandbox(t, "", nil)
	rc := newReceiver(t, "")
	createEndpoint(t, sb, rc, "*")
	sc := sb.Client
	ch := chargeOf(t, sb, 10000, "usd", "pm_card_visa")

	re1, err := sc.Refunds.New(&stripe.RefundParams{Charge: stripe.String(ch.ID), Amount: stripe.Int64(3000),
		Reason: stripe.String("requested_by_customer"), Metadata: map[string]string{"rma": "R1"}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(re1.ID, "re_") || re1.Status != "succeeded" || re1.Amount != 3000 || re1.Charge.ID != ch.ID ||
		re1.Reason != "requested_by_customer" || re1.Metadata["rma"] != "R1" || re1.PaymentIntent.ID != ch.PaymentIntent.ID {
		t.Fatalf("bad refund %+v", re1)
	}
	bt := getBT(t, sb, re1.BalanceTransaction.ID)
	if bt.Type != "refund" || bt.ReportingCategory != "refund" || bt.Amount != -3000 || bt.Fee != 0 || bt.Net != -3000 ||
		bt.Currency != "usd" || bt.Source.ID != re1.ID || len(bt.FeeDetails) != 0 {
		t.Fatalf("bad refund balance transaction %+v", bt)
	}
	// Second partial refund, through the PaymentIntent.
	re2, err := sc.Refunds.New(&stripe.RefundParams{PaymentIntent: stripe.String(ch.PaymentIntent.ID), Amount: stripe.Int64(2000)})
	if err != nil || re2.Amount != 2000 || re2.Charge.ID != ch.ID {
		t.Fatalf("second partial: %v %+v", err, re2)
	}
	got, err := sc.Charges.Get(ch.ID, nil)
	if err != nil || got.AmountRefunded != 5000 || got.Refunded || got.Refunds == nil || len(got.Refunds.Data) != 2 {
		t.Fatalf("charge after partials: %v %+v", err, got)
	}
	// Over-refund.
	_, err = sc.Refunds.New(&stripe.RefundParams{Charge: stripe.String(ch.ID), Amount: stripe.Int64(6000)})
	se := stripeErr(t, err)
	if se.HTTPStatusCode != 400 || se.Type != stripe.ErrorTypeInvalidRequest || se.Param != "amount" ||
		se.Msg != "Refund amount ($60.00) is greater than unrefunded amount on charge ($50.00)" {
		t.Fatalf("over-refund: %d %s %q %q", se.HTTPStatusCode, se.Type, se.Param, se.Msg)
	}
	// The rest (no amount = everything left).
	re3, err := sc.Refunds.New(&stripe.RefundParams{Charge: stripe.String(ch.ID)})
	if err != nil || re3.Amount != 5000 {
		t.Fatalf("final refund: %v %+v", err, re3)
	}
	got, _ = sc.Charges.Get(ch.ID, nil)
	if got.AmountRefunded != 10000 || !got.Refunded || len(got.Refunds.Data) != 3 || got.Refunds.Data[0].ID != re3.ID {
		t.Fatalf("charge after full refund: %+v", got)
	}
	_, err = sc.Refunds.New(&stripe.RefundParams{Charge: stripe.String(ch.ID), Amount: stripe.Int64(1)})
	if se := stripeErr(t, err); se.Code != "charge_already_refunded" {
		t.Fatalf("refund of refunded charge: %+v", se)
	}
	_, err = sc.Refunds.New(&stripe.RefundParams{Charge: stripe.String(ch.ID), Reason: stripe.String("because")})
	if se := stripeErr(t, err); se.HTTPStatusCode != 400 {
		t.Fatalf("bad reason accepted: %+v", se)
	}
	// Get, list by charge, metadata update.
	if g, err := sc.Refunds.Get(re2.ID, nil); err != nil || g.Amount != 2000 {
		t.Fatalf("get refund: %v %+v", err, g)
	}
	it := sc.Refunds.List(&stripe.RefundListParams{Charge: stripe.String(ch.ID)})
	var sum int64
	n := 0
	for it.Next() {
		n++
		sum += it.Refund().Amount
	}
	if it.Err() != nil || n != 3 || sum != 10000 {
		t.Fatalf("list refunds: n=%d sum=%d err=%v", n, sum, it.Err())
	}
	upd, err := sc.Refunds.Update(re1.ID, &stripe.RefundParams{Metadata: map[string]string{"rma": "R1-b"}})
	if err != nil || upd.Metadata["rma"] != "R1-b" {
		t.Fatalf("update: %v %+v", err, upd)
	}
	// Refund balance transactions sum to minus the charge.
	var total int64
	for _, r := range []*stripe.Refund{re1, re2, re3} {
		total += getBT(t, sb, r.BalanceTransaction.ID).Amount
	}
	if total != -10000 {
		t.Fatalf("refund balance transactions sum to %d", total)
	}
	// Events, delivered signed.
	eventually(t, 5*time.Second, "refund events", func() bool {
		return rc.count(isType("refund.created")) == 3 && rc.count(isType("charge.refunded")) == 3 &&
			rc.count(isType("charge.refund.updated")) == 1 && rc.count(isType("refund.updated")) == 1
	})
	if f := rc.failureList(); len(f) > 0 {
		t.Fatalf("bad deliveries: %v", f)
	}
	last := eventsOf(t, sb, "charge.refunded")[0]
	if last.Data.Object["object"] != "charge" || last.Data.Object["refunded"] != true ||
		last.Data.PreviousAttributes["amount_refunded"] != float64(5000) {
		t.Fatalf("charge.refunded data: %+v prev %+v", last.Data.Object["refunded"], last.Data.PreviousAttributes)
	}
}

func TestDisputeLifecycleWon(t *testing.T) {
	sb := startSandbox(t, "", nil)
	rc := newReceiver(t, "")
	createEndpoint(t, sb, rc, "*")
	sc := sb.Client
	ch := chargeOf(t, sb, 10000, "usd", "pm_card_createDispute")
	if ch.Status != "succeeded" || !ch.Disputed {
		t.Fatalf("charge %s disputed=%v", ch.Status, ch.Disputed)
	}
	it := sc.Disputes.List(&stripe.DisputeListParams{Charge: stripe.String(ch.ID)})
	if !it.Next() {
		t.Fatalf("no dispute: %v", it.Err())
	}
	dp := it.Dispute()
	if !strings.HasPrefix(dp.ID, "dp_") || dp.Amount != 10000 || dp.Currency != "usd" || dp.Reason != "fraudulent" ||
		dp.Status != "needs_response" || dp.IsChargeRefundable || dp.PaymentIntent.ID != ch.PaymentIntent.ID ||
		len(dp.BalanceTransactions) != 1 || dp.Evidence == nil || dp.EvidenceDetails.DueBy == 0 {
		t.Fatalf("bad dispute %+v", dp)
	}
	w := dp.BalanceTransactions[0]
	if w.Type != "adjustment" || w.ReportingCategory != "dispute" || w.Amount != -10000 || w.Fee != 1500 || w.Net != -11500 ||
		len(w.FeeDetails) != 1 || w.FeeDetails[0].Description != "Dispute fee" || w.FeeDetails[0].Type != "stripe_fee" {
		t.Fatalf("bad withdrawal %+v", w)
	}
	if g := getBT(t, sb, w.ID); g.Source.ID != dp.ID {
		t.Fatalf("withdrawal source %+v", g.Source)
	}
	// A disputed charge cannot be refunded.
	_, err := sc.Refunds.New(&stripe.RefundParams{Charge: stripe.String(ch.ID)})
	if se := stripeErr(t, err); se.Code != "charge_disputed" {
		t.Fatalf("refund of disputed charge: %+v", se)
	}
	var closed stripe.Dispute
	sb.admin(t, "POST", "/_sandbox/disputes/"+dp.ID+"/close", map[string]string{"outcome": "won"}, &closed)
	if closed.Status != "won" || len(closed.BalanceTransactions) != 2 {
		t.Fatalf("closed %+v", closed)
	}
	rv := closed.BalanceTransactions[1]
	if rv.Type != "adjustment" || rv.ReportingCategory != "dispute_reversal" || rv.Amount != 10000 || rv.Fee != -1500 || rv.Net != 11500 {
		t.Fatalf("bad reversal %+v", rv)
	}
	g, err := sc.Disputes.Get(dp.ID, nil)
	if err != nil || g.Status != "won" {
		t.Fatalf("get: %v %+v", err, g)
	}
	eventually(t, 5*time.Second, "dispute events", func() bool {
		return rc.count(isType("charge.dispute.created")) == 1 && rc.count(isType("charge.dispute.funds_withdrawn")) == 1 &&
			rc.count(isType("charge.dispute.funds_reinstated")) == 1 && rc.count(isType("charge.dispute.closed")) == 1
	})
	if f := rc.failureList(); len(f) > 0 {
		t.Fatalf("bad deliveries: %v", f)
	}
	if ev := eventsOf(t, sb, "charge.dispute.closed")[0]; ev.Data.Object["status"] != "won" || ev.Request.ID != "" {
		t.Fatalf("closed event %+v request %+v", ev.Data.Object["status"], ev.Request)
	}
	// The whole story nets to the charge's net: dispute amount and fee came back.
	p := &stripe.BalanceTransactionListParams{}
	p.Filters.AddFilter("limit", "", "100")
	var net int64
	bts := sc.BalanceTransactions.List(p)
	for bts.Next() {
		net += bts.BalanceTransaction().Net
	}
	if net != ch.BalanceTransaction.Net {
		t.Fatalf("net %d, want %d", net, ch.BalanceTransaction.Net)
	}
	// Closing twice fails.
	_, err = sc.Disputes.Close(dp.ID, nil)
	if se := stripeErr(t, err); se.HTTPStatusCode != 400 {
		t.Fatalf("close closed: %+v", se)
	}
}

func TestDisputeLifecycleLost(t *testing.T) {
	sb := startSandbox(t, "", nil)
	rc := newReceiver(t, "")
	createEndpoint(t, sb, rc, "*")
	sc := sb.Client
	ch := chargeOf(t, sb, 4200, "eur", "pm_card_createDispute")
	it := sc.Disputes.List(&stripe.DisputeListParams{PaymentIntent: stripe.String(ch.PaymentIntent.ID)})
	if !it.Next() {
		t.Fatalf("no dispute: %v", it.Err())
	}
	dp := it.Dispute()
	if w := dp.BalanceTransactions[0]; w.Currency != "eur" || w.Amount != -4200 || w.Fee != 2000 || w.Net != -6200 {
		t.Fatalf("eur withdrawal %+v", w)
	}
	// Accepting the dispute (Stripe's close) loses it.
	lost, err := sc.Disputes.Close(dp.ID, nil)
	if err != nil || lost.Status != "lost" || len(lost.BalanceTransactions) != 1 {
		t.Fatalf("close: %v %+v", err, lost)
	}
	eventually(t, 5*time.Second, "charge.dispute.closed", func() bool {
		return rc.count(isType("charge.dispute.closed")) == 1
	})
	time.Sleep(100 * time.Millisecond)
	if n := rc.count(isType("charge.dispute.funds_reinstated")); n != 0 {
		t.Fatalf("funds_reinstated on a lost dispute")
	}
	// The admin close of a closed dispute is refused too.
	req, _ := http.NewRequest("POST", sb.HTTP.URL+"/_sandbox/disputes/"+dp.ID+"/close", strings.NewReader(`{"outcome":"won"}`))
	req.Header.Set("Authorization", "Bearer "+testKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Fatalf("admin close of a lost dispute: %d", resp.StatusCode)
	}
	if g, _ := sc.Disputes.Get(dp.ID, nil); g.Status != "lost" {
		t.Fatalf("status %s", g.Status)
	}
	// A lost dispute keeps the withdrawal: the charge nets to -fee.
	var net int64
	for _, id := range []string{ch.BalanceTransaction.ID, dp.BalanceTransactions[0].ID} {
		net += getBT(t, sb, id).Net
	}
	if net != ch.BalanceTransaction.Net-4200-2000 {
		t.Fatalf("net %d", net)
	}
}

func TestPayoutSweepPerCurrency(t *testing.T) {
	var mu sync.Mutex
	clock := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	sb := startSandbox(t, "", func(c *Config) { c.Now = now })
	rc := newReceiver(t, "")
	createEndpoint(t, sb, rc, "*")
	sc := sb.Client

	usd1 := chargeOf(t, sb, 10000, "usd", "pm_card_visa")
	usd2 := chargeOf(t, sb, 2550, "usd", "pm_card_mastercard")
	eur := chargeOf(t, sb, 5000, "eur", "pm_card_visa")
	jpy := chargeOf(t, sb, 12000, "jpy", "pm_card_jcb")
	gbp := chargeOf(t, sb, 3000, "gbp", "pm_card_gb")
	if _, err := sc.Refunds.New(&stripe.RefundParams{Charge: stripe.String(usd1.ID), Amount: stripe.Int64(1000)}); err != nil {
		t.Fatal(err)
	}
	for _, ch := range []*stripe.Charge{eur, jpy, gbp} {
		if bt := ch.BalanceTransaction; string(bt.Currency) != string(ch.Currency) || bt.ExchangeRate != 0 || bt.Amount != ch.Amount {
			t.Fatalf("%s should settle in itself: %+v", ch.Currency, bt)
		}
	}
	if jpy.BalanceTransaction.Fee != 432 { // 3.6% of 12000
		t.Fatalf("jpy fee %d", jpy.BalanceTransaction.Fee)
	}
	// Charges are pending for two days: a normal sweep pays nothing out...
	var res sweepResult
	sb.admin(t, "POST", "/_sandbox/payouts/sweep", map[string]any{}, &res)
	if len(res.Data) != 0 {
		t.Fatalf("swept pending funds: %+v", res.Data)
	}
	bal, err := sc.Balance.Get(nil)
	if err != nil {
		t.Fatal(err)
	}
	amounts := func(list []*stripe.Amount) map[string]int64 {
		m := map[string]int64{}
		for _, a := range list {
			m[string(a.Currency)] = a.Amount
		}
		return m
	}
	usdNet := usd1.BalanceTransaction.Net + usd2.BalanceTransaction.Net
	if p, a := amounts(bal.Pending), amounts(bal.Available); p["usd"] != usdNet || a["usd"] != -1000 || p["jpy"] != jpy.BalanceTransaction.Net {
		t.Fatalf("balance pending %v available %v", p, a)
	}
	// ...until they become available (the refund is available at once).
	mu.Lock()
	clock = clock.Add(3 * 24 * time.Hour)
	mu.Unlock()
	if bt := getBT(t, sb, usd2.BalanceTransaction.ID); bt.Status != "available" {
		t.Fatalf("status after available_on: %s", bt.Status)
	}
	sb.admin(t, "POST", "/_sandbox/payouts/sweep", map[string]any{"currency": "usd"}, &res)
	if len(res.Data) != 1 || res.Data[0].Amount != usdNet-1000 || res.Data[0].Status != "paid" {
		t.Fatalf("usd sweep: %+v", res.Data)
	}
	// all_pending sweeps the rest, one payout per currency.
	eur2 := chargeOf(t, sb, 1000, "eur", "pm_card_visa") // pending
	sb.admin(t, "POST", "/_sandbox/payouts/sweep", map[string]any{"all_pending": true}, &res)
	if len(res.Data) != 3 {
		t.Fatalf("want eur, gbp, jpy payouts, got %+v", res.Data)
	}
	want := map[string]int64{
		"eur": eur.BalanceTransaction.Net + eur2.BalanceTransaction.Net,
		"gbp": gbp.BalanceTransaction.Net, "jpy": jpy.BalanceTransaction.Net}
	all := append([]stripe.Payout{}, res.Data...)
	var usdPO stripe.Payout
	sb.admin(t, "POST", "/_sandbox/payouts/sweep", map[string]any{"all_pending": true}, &res)
	if len(res.Data) != 0 {
		t.Fatalf("second sweep paid out again: %+v", res.Data)
	}
	pl := sc.Payouts.List(&stripe.PayoutListParams{})
	n := 0
	for pl.Next() {
		n++
		if pl.Payout().Currency == "usd" {
			usdPO = *pl.Payout()
		}
	}
	if n != 4 || usdPO.ID == "" {
		t.Fatalf("payouts listed: %d", n)
	}
	all = append(all, usdPO)
	want["usd"] = usdNet - 1000
	for _, po := range all {
		full, err := sc.Payouts.Get(po.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !full.Automatic || full.Status != "paid" || full.ReconciliationStatus != "completed" || full.Method != "standard" ||
			full.Type != "bank_account" || full.Destination == nil || full.BalanceTransaction == nil || full.Amount != want[string(full.Currency)] {
			t.Fatalf("payout %+v", full)
		}
		rows := payoutRows(t, sb, po.ID, 2) // small pages exercise starting_after
		var sum, swept int64
		payoutRowsSeen := 0
		for _, r := range rows {
			sum += r.Net
			if r.Type == "payout" {
				payoutRowsSeen++
				if r.Amount != -full.Amount || r.ReportingCategory != "payout" || r.ID != full.BalanceTransaction.ID {
					t.Fatalf("payout row %+v", r)
				}
			} else {
				swept += r.Net
				if r.Status != "available" {
					t.Fatalf("swept row still %s", r.Status)
				}
			}
			if string(r.Currency) != string(full.Currency) {
				t.Fatalf("row in %s in a %s payout", r.Currency, full.Currency)
			}
		}
		if payoutRowsSeen != 1 || sum != 0 || swept != full.Amount {
			t.Fatalf("%s payout rows: %d rows, sum %d, swept %d, amount %d", full.Currency, len(rows), sum, swept, full.Amount)
		}
	}
	if rows := payoutRows(t, sb, usdPO.ID, 100); len(rows) != 4 { // 2 charges, 1 refund, payout
		t.Fatalf("usd payout has %d rows", len(rows))
	}
	bal, _ = sc.Balance.Get(nil)
	for _, list := range [][]*stripe.Amount{bal.Available, bal.Pending} {
		for _, a := range list {
			if a.Amount != 0 {
				t.Fatalf("balance not swept: %s %d", a.Currency, a.Amount)
			}
		}
	}
	eventually(t, 5*time.Second, "payout events", func() bool {
		return rc.count(isType("payout.created")) == 4 && rc.count(isType("payout.paid")) == 4 &&
			rc.count(isType("payout.reconciliation_completed")) == 4
	})
	// Unknown payouts are a 400 like Stripe.
	p := &stripe.BalanceTransactionListParams{Payout: stripe.String("po_nope")}
	it := sc.BalanceTransactions.List(p)
	it.Next()
	if se := stripeErr(t, it.Err()); se.HTTPStatusCode != 400 || se.Code != stripe.ErrorCodeResourceMissing {
		t.Fatalf("unknown payout: %+v", se)
	}
}

func TestPayoutFailureReturnsFunds(t *testing.T) {
	sb := startSandbox(t, "", nil)
	rc := newReceiver(t, "")
	createEndpoint(t, sb, rc, "*")
	sc := sb.Client
	ch := chargeOf(t, sb, 20000, "usd", "pm_card_visa")
	var res sweepResult
	sb.admin(t, "POST", "/_sandbox/payouts/sweep", map[string]any{"currency": "usd", "fail": true, "all_pending": true}, &res)
	if len(res.Data) != 1 {
		t.Fatalf("sweep: %+v", res.Data)
	}
	po, err := sc.Payouts.Get(res.Data[0].ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if po.Status != "failed" || po.FailureCode != "account_closed" || po.FailureMessage == "" || po.FailureBalanceTransaction == nil ||
		po.Amount != ch.BalanceTransaction.Net {
		t.Fatalf("failed payout %+v", po)
	}
	fb := getBT(t, sb, po.FailureBalanceTransaction.ID)
	if fb.Type != "payout_failure" || fb.ReportingCategory != "payout_reversal" || fb.Amount != po.Amount || fb.Net != po.Amount || fb.Source.ID != po.ID {
		t.Fatalf("failure row %+v", fb)
	}
	// The failed payout's own rows still sum to zero; the funds are back.
	rows := payoutRows(t, sb, po.ID, 10)
	if len(rows) != 2 || rows[0].Net+rows[1].Net != 0 {
		t.Fatalf("failed payout rows %+v", rows)
	}
	bal, _ := sc.Balance.Get(nil)
	if bal.Available[0].Currency != "usd" || bal.Available[0].Amount != po.Amount {
		t.Fatalf("funds not returned: %+v", bal.Available[0])
	}
	eventually(t, 5*time.Second, "payout.failed", func() bool { return rc.count(isType("payout.failed")) == 1 })
	if rc.count(isType("payout.paid")) != 0 {
		t.Fatalf("payout.paid for a failed payout")
	}
	// The next sweep pays the returned funds out.
	sb.admin(t, "POST", "/_sandbox/payouts/sweep", map[string]any{"currency": "usd"}, &res)
	if len(res.Data) != 1 || res.Data[0].Amount != po.Amount || res.Data[0].Status != "paid" {
		t.Fatalf("retry sweep %+v", res.Data)
	}
	rows = payoutRows(t, sb, res.Data[0].ID, 10)
	if len(rows) != 2 || rows[1].Type != "payout_failure" || rows[0].Type != "payout" {
		t.Fatalf("retry payout rows %+v", rows)
	}
}

func TestSettlementAndFX(t *testing.T) {
	sb := startSandbox(t, "", nil)
	sc := sb.Client
	// CHF is not a settlement currency: it settles in USD at 1.12.
	chf := chargeOf(t, sb, 10000, "chf", "pm_card_visa")
	bt := chf.BalanceTransaction
	if bt.Currency != "usd" || bt.Amount != 11200 || bt.ExchangeRate != 1.12 || bt.Fee != (11200*29+500)/1000+30 ||
		bt.FeeDetails[0].Currency != "usd" {
		t.Fatalf("chf settlement %+v", bt)
	}
	// KWD (three decimals): 12.340 KWD * 3.25 = 40.105 USD -> 4011 cents (half up).
	kwd := chargeOf(t, sb, 12340, "kwd", "pm_card_visa")
	if b := kwd.BalanceTransaction; b.Currency != "usd" || b.Amount != 4011 || b.ExchangeRate != 3.25 {
		t.Fatalf("kwd settlement %+v", b)
	}
	// Partial refunds of a converted charge add up to its settled amount.
	var refunded int64
	for _, amt := range []int64{3333, 3333, 3334} {
		re, err := sc.Refunds.New(&stripe.RefundParams{Charge: stripe.String(chf.ID), Amount: stripe.Int64(amt)})
		if err != nil {
			t.Fatal(err)
		}
		rb := getBT(t, sb, re.BalanceTransaction.ID)
		if rb.Currency != "usd" || rb.ExchangeRate != 1.12 {
			t.Fatalf("refund row %+v", rb)
		}
		refunded += rb.Amount
	}
	if refunded != -11200 {
		t.Fatalf("chf refunds settle to %d", refunded)
	}
	// A dispute on a converted charge withdraws the settled amount; the
	// dispute itself stays in the charge currency.
	d := chargeOf(t, sb, 5000, "chf", "pm_card_createDispute")
	it := sc.Disputes.List(&stripe.DisputeListParams{Charge: stripe.String(d.ID)})
	if !it.Next() {
		t.Fatal(it.Err())
	}
	if dp := it.Dispute(); dp.Currency != "chf" || dp.Amount != 5000 || dp.BalanceTransactions[0].Amount != -5600 ||
		dp.BalanceTransactions[0].Currency != "usd" || dp.BalanceTransactions[0].Fee != 1500 {
		t.Fatalf("chf dispute %+v %+v", dp, dp.BalanceTransactions[0])
	}
	// JPY zero-decimal, EUR and GBP settle in themselves; unknown currencies are refused.
	_, err := sc.PaymentIntents.New(&stripe.PaymentIntentParams{Amount: stripe.Int64(1000), Currency: stripe.String("xyz"),
		PaymentMethod: stripe.String("pm_card_visa"), Confirm: stripe.Bool(true)})
	if se := stripeErr(t, err); se.HTTPStatusCode != 400 || se.Param != "currency" {
		t.Fatalf("unknown currency: %+v", se)
	}

	// With USD as the only settlement currency, EUR and JPY convert too.
	sb2 := startSandbox(t, "", func(c *Config) { c.SettlementCurrencies = []string{"usd"} })
	eur := chargeOf(t, sb2, 5000, "eur", "pm_card_visa")
	if b := eur.BalanceTransaction; b.Currency != "usd" || b.Amount != 5400 || b.ExchangeRate != 1.08 {
		t.Fatalf("eur->usd %+v", b)
	}
	jpy := chargeOf(t, sb2, 1000, "jpy", "pm_card_visa")
	if b := jpy.BalanceTransaction; b.Currency != "usd" || b.Amount != 670 || b.ExchangeRate != 0.0067 {
		t.Fatalf("jpy->usd %+v", b)
	}
}

func TestBulkPayoutListsFast(t *testing.T) {
	sb := startSandbox(t, "", nil)
	rc := newReceiver(t, "")
	createEndpoint(t, sb, rc, "*")
	const n = 20000
	start := time.Now()
	var po stripe.Payout
	sb.admin(t, "POST", "/_sandbox/payouts/bulk", map[string]any{"currency": "usd", "count": n, "amount": 1000}, &po)
	t.Logf("bulk payout of %d rows: %s", n, time.Since(start))
	if po.Status != "paid" || po.Amount != n*(1000-59) { // fee 2.9% of 1000 + 30 = 59
		t.Fatalf("bulk payout %+v", po)
	}
	start = time.Now()
	rows := payoutRows(t, sb, po.ID, 100)
	took := time.Since(start)
	t.Logf("listed %d rows in pages of 100: %s", len(rows), took)
	if len(rows) != n+1 {
		t.Fatalf("listed %d rows", len(rows))
	}
	var sum int64
	seen := map[string]bool{}
	for _, r := range rows {
		sum += r.Net
		if seen[r.ID] {
			t.Fatalf("duplicate row %s", r.ID)
		}
		seen[r.ID] = true
	}
	if sum != 0 {
		t.Fatalf("rows sum to %d", sum)
	}
	if took > 10*time.Second {
		t.Fatalf("listing too slow: %s", took)
	}
	eventually(t, 5*time.Second, "payout.paid", func() bool { return rc.count(isType("payout.paid")) == 1 })
	if c := rc.count(func(e stripe.Event) bool { return string(e.Type) != "payout.paid" }); c != 0 {
		t.Fatalf("%d other events", c)
	}
}

func TestPayoutsSurviveRestart(t *testing.T) {
	sb := startSandbox(t, "", nil)
	chargeOf(t, sb, 7700, "usd", "pm_card_visa")
	ch := chargeOf(t, sb, 3000, "usd", "pm_card_createDispute")
	var res sweepResult
	sb.admin(t, "POST", "/_sandbox/payouts/sweep", map[string]any{"all_pending": true}, &res)
	if len(res.Data) != 1 {
		t.Fatalf("sweep %+v", res.Data)
	}
	before := payoutRows(t, sb, res.Data[0].ID, 100)
	sb.stop()

	sb2 := startSandbox(t, sb.DBPath, nil)
	po, err := sb2.Client.Payouts.Get(res.Data[0].ID, nil)
	if err != nil || po.Status != "paid" || po.Amount != res.Data[0].Amount {
		t.Fatalf("after restart: %v %+v", err, po)
	}
	after := payoutRows(t, sb2, po.ID, 100)
	if len(after) != len(before) || len(after) != 4 { // 2 charges, dispute withdrawal, payout
		t.Fatalf("rows %d before, %d after", len(before), len(after))
	}
	it := sb2.Client.Disputes.List(&stripe.DisputeListParams{Charge: stripe.String(ch.ID)})
	if !it.Next() || it.Dispute().Status != "needs_response" {
		t.Fatalf("dispute lost on restart: %v", it.Err())
	}
	var closed stripe.Dispute
	sb2.admin(t, "POST", "/_sandbox/disputes/"+it.Dispute().ID+"/close", map[string]string{"outcome": "won"}, &closed)
	sb2.admin(t, "POST", "/_sandbox/payouts/sweep", map[string]any{"all_pending": true}, &res)
	if len(res.Data) != 1 || res.Data[0].Amount != 3000+1500 {
		t.Fatalf("reinstated funds payout %+v", res.Data)
	}
}

func TestMigratesPrePayoutDatabase(t *testing.T) {
	// A database written before the ledger columns existed.
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	// schema is the pre-payout table; migrateLedger adds the ledger columns.
	if _, err := db.Exec(schema); err != nil {
		t.Fatal(err)
	}
	js := `{"id":"txn_old","object":"balance_transaction","amount":1000,"available_on":1,"created":1,"currency":"usd","description":null,"exchange_rate":null,"fee":59,"fee_details":[],"net":941,"reporting_category":"charge","source":"ch_old","status":"pending","type":"charge"}`
	if _, err := db.Exec(`INSERT INTO objects (id, type, created, seq, json, source, kind, currency) VALUES ('txn_old','balance_transaction',1,1,?,'ch_old','charge','usd')`, js); err != nil {
		t.Fatal(err)
	}
	db.Close()
	sb := startSandbox(t, path, nil)
	bal, err := sb.Client.Balance.Get(nil)
	if err != nil || bal.Available[0].Amount != 941 {
		t.Fatalf("balance after migration: %v %+v", err, bal.Available)
	}
	if bt := getBT(t, sb, "txn_old"); bt.Status != "available" {
		t.Fatalf("old row status %s", bt.Status)
	}
	var res sweepResult
	sb.admin(t, "POST", "/_sandbox/payouts/sweep", map[string]any{}, &res)
	if len(res.Data) != 1 || res.Data[0].Amount != 941 {
		t.Fatalf("sweep of migrated rows %+v", res.Data)
	}
}

// Bulk charges are real charges to the API: listed by created range, page by page, each once.
func TestBulkChargesList(t *testing.T) {
	sb := startSandbox(t, "", nil)
	const n = 250
	var res struct {
		Count       int
		First, Last string
	}
	from := time.Now().Add(-time.Second).Unix()
	sb.admin(t, "POST", "/_sandbox/charges/bulk", map[string]any{"currency": "jpy", "count": n, "amount": 500}, &res)
	if res.Count != n || res.First == "" || res.Last == "" {
		t.Fatalf("bulk charges: %+v", res)
	}
	it := sb.Client.Charges.List(&stripe.ChargeListParams{ListParams: stripe.ListParams{Limit: stripe.Int64(100)},
		CreatedRange: &stripe.RangeQueryParams{GreaterThanOrEqual: from}})
	seen := map[string]bool{}
	for it.Next() {
		ch := it.Charge()
		if seen[ch.ID] || ch.Status != "succeeded" || !ch.Captured || ch.Amount != 500 || ch.Currency != "jpy" {
			t.Fatalf("charge %+v (seen before: %v)", ch, seen[ch.ID])
		}
		seen[ch.ID] = true
	}
	if err := it.Err(); err != nil || len(seen) != n || !seen[res.First] || !seen[res.Last] {
		t.Fatalf("listed %d of %d charges: %v", len(seen), n, err)
	}
	if got, err := sb.Client.Charges.Get(res.Last, nil); err != nil || got.AmountCaptured != 500 {
		t.Fatalf("get %s: %+v %v", res.Last, got, err)
	}
}
