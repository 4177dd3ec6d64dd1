package tests

import (
	"fmt"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stripe/stripe-go/v76"

	"github.com/ledgerbridge/ledgerbridge/internal/glmap"
	"github.com/ledgerbridge/ledgerbridge/internal/money"
)

// A month with charges presented in CHF and KWD (three decimals) that settle in USD, JPY (zero
// decimals) that settles in itself, and USD: invoices and payments are in the presentment
// currency, each foreign payment carries its USD value at Stripe's rate, refunds of converted
// charges are booked at their settled USD amount, and after the payouts the clearing account is
// zero in the home currency with the FX account holding exactly Stripe's settled amounts minus
// the booked home values. On Sage 500 (TranAmtHC) and Sage X3 (AMTLOC).
func TestFXMonthTiesOut(t *testing.T) {
	for _, name := range []string{"sage500", "sagex3"} {
		t.Run(name, func(t *testing.T) {
			e := newMonthEnv(t, "ERP="+name)
			type sale struct {
				amount int64
				cur    string
			}
			sales := map[string]sale{}
			for _, s := range []sale{{10000, "chf"}, {4550, "chf"}, {12340, "kwd"}, {5000, "jpy"}, {2599, "usd"}} {
				sales[e.pay(t, s.amount, s.cur, "pm_card_visa")] = s
			}
			var chfCharge string
			for id, s := range sales {
				if s.cur == "chf" && s.amount == 10000 {
					chfCharge = id
				}
			}
			re := e.refund(t, chfCharge, 2500)
			for _, cur := range []string{"usd", "jpy"} {
				e.admin(t, "/_sandbox/payouts/sweep", map[string]any{"currency": cur, "all_pending": true}, nil)
			}
			e.waitQuiet(t, 3*time.Minute)
			b := e.books

			// Settled vs booked per converted charge, from Stripe's balance transactions and the ERP.
			fx := decimal.Zero
			home := ledger{}
			for id, s := range sales {
				cur := money.Currency(s.cur)
				cp := &stripe.ChargeParams{}
				cp.AddExpand("balance_transaction")
				ch, err := e.sc.Charges.Get(id, cp)
				if err != nil {
					t.Fatal(err)
				}
				invs, pays := e.sage(t, b.invoices, byRef(id)), e.sage(t, b.payments, byRef(id))
				if len(invs) != 1 || len(pays) != 1 {
					t.Fatalf("charge %s: %d invoices, %d payments", id, len(invs), len(pays))
				}
				want := money.FromMinor(s.amount, cur)
				if invs[0][b.curr] != cur || !dec(t, invs[0][b.invoiceTotal]).Equal(want) || pays[0][b.curr] != cur || !dec(t, pays[0][b.payAmount]).Equal(want) {
					t.Fatalf("charge %s (%s %s): invoice %v, payment %v", id, want, cur, invs[0], pays[0])
				}
				bt := ch.BalanceTransaction
				if string(bt.Currency) == s.cur {
					if pays[0][b.payHome] != nil {
						t.Errorf("payment of %s in its settlement currency carries a home amount: %v", id, pays[0])
					}
					continue
				}
				if bt.Currency != "usd" || bt.ExchangeRate == 0 {
					t.Fatalf("charge %s settled %s at %v", id, bt.Currency, bt.ExchangeRate)
				}
				booked := dec(t, pays[0][b.payHome])
				atRate := money.Round(want.Mul(decimal.NewFromFloat(bt.ExchangeRate)), "USD")
				if !booked.Equal(atRate) {
					t.Errorf("charge %s: home amount %s, want %s × %v = %s", id, booked, want, bt.ExchangeRate, atRate)
				}
				fx = fx.Add(money.FromMinor(bt.Amount, "USD").Sub(booked))
				home.add("USD", glmap.Defaults().Clearing, booked)
			}
			// The refund's cash left Stripe's USD balance: it is booked in USD at its settled amount.
			rp := &stripe.RefundParams{}
			rp.AddExpand("balance_transaction")
			r, err := e.sc.Refunds.Get(re, rp)
			if err != nil {
				t.Fatal(err)
			}
			jes := e.sage(t, b.journals, byRef(re))
			if len(jes) != 1 || jes[0][b.curr] != "USD" {
				t.Fatalf("refund %s cash entry %v", re, jes)
			}
			if got := entryAmount(t, b, jes[0], glmap.Defaults().Clearing).Neg(); !got.Equal(money.FromMinor(-r.BalanceTransaction.Amount, "USD")) {
				t.Errorf("refund %s credits clearing %s, Stripe settled %d", re, got, -r.BalanceTransaction.Amount)
			}

			// The books in the home currency: USD receipts at face value, foreign ones at their home
			// value, every USD entry; JPY on its own.
			l := e.ledger(t)
			gl := glmap.Defaults()
			for cur, accts := range l {
				if cur != "USD" && cur != "JPY" {
					delete(l, cur) // presentment-currency receipts, counted above at their home value
					continue
				}
				for acct, v := range accts {
					home.add(cur, acct, v)
				}
			}
			if got := home.get("USD", gl.Clearing); !got.IsZero() {
				t.Errorf("USD clearing after the payout is %s, want 0:\n%s", got, home)
			}
			if got := home.get("JPY", gl.Clearing); !got.IsZero() {
				t.Errorf("JPY clearing after the payout is %s, want 0:\n%s", got, home)
			}
			if got := home.get("USD", gl.FX).Neg(); !got.Equal(fx) {
				t.Errorf("FX gain/loss %s, want Σ settled − booked = %s:\n%s", got, fx, home)
			}
			t.Logf("%s home-currency books:\n%s", name, home)
		})
	}
}

// entryAmount is the debit minus credit an entry puts on acct.
func entryAmount(t *testing.T, b books, je map[string]any, acct string) decimal.Decimal {
	t.Helper()
	sum := decimal.Zero
	lines, _ := je[b.jeLines].([]any)
	for _, raw := range lines {
		ln := raw.(map[string]any)
		if fmt.Sprint(ln[b.lineAccount]) == acct {
			sum = sum.Add(b.lineDebit(t, ln))
		}
	}
	return sum
}
