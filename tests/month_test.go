package tests

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/client"
	"go.temporal.io/api/workflowservice/v1"
	tclient "go.temporal.io/sdk/client"

	"github.com/ledgerbridge/ledgerbridge/internal/devstack"
	"github.com/ledgerbridge/ledgerbridge/internal/glmap"
	"github.com/ledgerbridge/ledgerbridge/internal/money"
	"github.com/ledgerbridge/ledgerbridge/internal/stripeapi"
)

// monthEnv is a stack of its own, so that the month's ledger is the whole ledger: balances can be
// compared globally, not filtered.
type monthEnv struct {
	st *devstack.Stack
	sc *client.API
	tc tclient.Client
	// books says where the stack's ERP keeps what ledgerbridge posts.
	books books
}

func newMonthEnv(t *testing.T, env ...string) *monthEnv {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	st, err := devstack.StartEphemeral(ctx, binDir(), env)
	if err != nil {
		t.Fatal(err)
	}
	c, err := tclient.Dial(tclient.Options{HostPort: st.TemporalAddress(), Namespace: st.Namespace(), Logger: quietLogger{}})
	if err != nil {
		st.Stop()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Log(devstack.LogTails(st.Opts.DataDir, 4000))
		}
		c.Close()
		st.Stop()
	})
	return &monthEnv{st: st, sc: stripeapi.NewClient(st.StripeURL(), devstack.StripeKey), tc: c, books: booksFor(env)}
}

func (e *monthEnv) admin(t *testing.T, path string, body, out any) {
	t.Helper()
	doJSON(t, http.MethodPost, e.st.StripeURL()+path, devstack.StripeKey, body, out)
}

func (e *monthEnv) pay(t *testing.T, amount int64, currency, pm string) string {
	t.Helper()
	cus, err := e.sc.Customers.New(&stripe.CustomerParams{Name: stripe.String("Month " + currency),
		Email: stripe.String(fmt.Sprintf("month-%s@example.com", uniqueSuffix()))})
	if err != nil {
		t.Fatal(err)
	}
	pi, err := e.sc.PaymentIntents.New(&stripe.PaymentIntentParams{Amount: stripe.Int64(amount), Currency: stripe.String(currency),
		Customer: stripe.String(cus.ID), PaymentMethod: stripe.String(pm), Confirm: stripe.Bool(true)})
	if err != nil {
		t.Fatalf("pay %d %s: %v", amount, currency, err)
	}
	return pi.LatestCharge.ID
}

func (e *monthEnv) refund(t *testing.T, chargeID string, amount int64) string {
	t.Helper()
	p := &stripe.RefundParams{Charge: stripe.String(chargeID)}
	if amount > 0 {
		p.Amount = stripe.Int64(amount)
	}
	r, err := e.sc.Refunds.New(p)
	if err != nil {
		t.Fatalf("refund %s: %v", chargeID, err)
	}
	return r.ID
}

func (e *monthEnv) disputeOf(t *testing.T, chargeID string) string {
	t.Helper()
	it := e.sc.Disputes.List(&stripe.DisputeListParams{Charge: stripe.String(chargeID)})
	for it.Next() {
		return it.Dispute().ID
	}
	t.Fatalf("no dispute for %s: %v", chargeID, it.Err())
	return ""
}

// month is what a scripted month created in Stripe.
type month struct {
	charges  map[string]int64 // charge → amount
	refunds  map[string]int64 // refund → amount
	disputes map[string]string
	payouts  []*stripe.Payout
}

// runMonth scripts a month of Stripe activity: charges in USD, EUR and JPY; full, partial and
// double refunds; a won and a lost dispute; then one payout per currency, the JPY one failing and
// its funds paid out again by a fourth payout.
func (e *monthEnv) runMonth(t *testing.T) *month {
	m := &month{charges: map[string]int64{}, refunds: map[string]int64{}, disputes: map[string]string{}}
	charge := func(amount int64, cur, pm string) string {
		id := e.pay(t, amount, cur, pm)
		m.charges[id] = amount
		return id
	}
	refund := func(ch string, amount int64) {
		full := amount
		if amount == 0 {
			full = m.charges[ch]
		}
		m.refunds[e.refund(t, ch, amount)] = full
	}
	c1 := charge(10000, "usd", "pm_card_visa")
	c2 := charge(8000, "usd", "pm_card_mastercard")
	c3 := charge(12000, "usd", "pm_card_visa")
	c4 := charge(5000, "usd", "pm_card_createDispute")
	c5 := charge(6000, "usd", "pm_card_createDispute")
	charge(2500, "usd", "pm_card_amex")
	charge(4550, "eur", "pm_card_visa")
	e2 := charge(2000, "eur", "pm_card_visa")
	charge(5000, "jpy", "pm_card_visa")
	j2 := charge(3000, "jpy", "pm_card_visa")
	refund(c1, 0)
	refund(c2, 2000)
	refund(c3, 3000)
	refund(c3, 4000)
	refund(e2, 500)
	refund(j2, 0)
	m.disputes[c4] = e.disputeOf(t, c4)
	m.disputes[c5] = e.disputeOf(t, c5)
	e.admin(t, "/_sandbox/disputes/"+m.disputes[c4]+"/close", map[string]any{"outcome": "won"}, nil)
	e.admin(t, "/_sandbox/disputes/"+m.disputes[c5]+"/close", map[string]any{"outcome": "lost"}, nil)
	for _, sweep := range []map[string]any{
		{"currency": "usd", "all_pending": true}, {"currency": "eur", "all_pending": true},
		{"currency": "jpy", "all_pending": true, "fail": true},
		// The failed payout's funds come back to the balance; the next payout sweeps them.
		{"currency": "jpy", "all_pending": true},
	} {
		var res struct {
			Data []*stripe.Payout `json:"data"`
		}
		e.admin(t, "/_sandbox/payouts/sweep", sweep, &res)
		if len(res.Data) != 1 {
			t.Fatalf("sweep %v made %d payouts", sweep, len(res.Data))
		}
		m.payouts = append(m.payouts, res.Data[0])
	}
	return m
}

// waitQuiet waits until no workflow is running, then fails if any run did not end Posted/Skipped.
func (e *monthEnv) waitQuiet(t *testing.T, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	quietSince := time.Time{}
	for {
		open := e.list(t, `ExecutionStatus = "Running"`)
		if len(open) == 0 {
			if quietSince.IsZero() {
				quietSince = time.Now()
			}
			// Webhooks may still be in flight: quiet for 3 s means done.
			if time.Since(quietSince) > 3*time.Second {
				break
			}
		} else {
			quietSince = time.Time{}
		}
		if time.Now().After(deadline) {
			t.Fatalf("still running after %s: %v", timeout, open)
		}
		time.Sleep(500 * time.Millisecond)
	}
	if bad := e.list(t, `ExecutionStatus != "Completed" OR (LedgerStatus != "Posted" AND LedgerStatus != "Skipped" AND LedgerStatus != "Dispatched")`); len(bad) > 0 {
		t.Fatalf("runs that did not post: %v", bad)
	}
}

func (e *monthEnv) list(t *testing.T, query string) []string {
	t.Helper()
	var out []string
	var token []byte
	for {
		resp, err := e.tc.ListWorkflow(context.Background(), &workflowservice.ListWorkflowExecutionsRequest{Query: query, NextPageToken: token})
		if err != nil {
			t.Fatal(err)
		}
		for _, ex := range resp.Executions {
			out = append(out, ex.Execution.WorkflowId+" "+ex.Status.String())
		}
		if token = resp.NextPageToken; len(token) == 0 {
			return out
		}
	}
}

func (e *monthEnv) sage(t *testing.T, path string, q url.Values) []map[string]any {
	t.Helper()
	var res struct {
		Value []map[string]any `json:"value"`
	}
	doJSON(t, http.MethodGet, e.st.SageURL()+path+"?"+q.Encode(), devstack.SageKey, nil, &res)
	return res.Value
}

// books names, per ERP dialect, the collections and fields a controller reads the month from.
type books struct {
	invoices, creditMemos, payments, journals string // list paths
	curr, invoiceTotal, memoTotal, payAmount  string // record fields
	payHome                                   string // a foreign receipt's home-currency amount
	payVoid                                   func(p map[string]any) bool
	jeLines, lineAccount                      string
	// lineDebit is a journal line's debit minus its credit.
	lineDebit func(t *testing.T, l map[string]any) decimal.Decimal
}

func debitCredit(debit, credit string) func(t *testing.T, l map[string]any) decimal.Decimal {
	return func(t *testing.T, l map[string]any) decimal.Decimal {
		d := decimal.Zero
		if l[debit] != nil {
			d = d.Add(dec(t, l[debit]))
		}
		if l[credit] != nil {
			d = d.Sub(dec(t, l[credit]))
		}
		return d
	}
}

var erpBooks = map[string]books{
	"sage500": {"/Sage500API/Invoices", "/Sage500API/CreditMemos", "/Sage500API/Payments", "/Sage500API/JournalEntries",
		"CurrID", "InvoiceTotal", "MemoTotal", "Amount", "TranAmtHC", func(p map[string]any) bool { return p["Status"] == "Void" },
		"Lines", "AcctNo", debitCredit("Debit", "Credit")},
	"sagex3": {"/api/v1/sales/salesInvoices", "/api/v1/sales/creditMemos", "/api/v1/financials/payments", "/api/v1/financials/journalEntries",
		"CUR", "AMTATI", "AMTATI", "AMTCUR", "AMTLOC", func(p map[string]any) bool { return p["STA"] == "Void" },
		"LINES", "ACC", func(t *testing.T, l map[string]any) decimal.Decimal {
			// X3 lines carry one amount and a sense: 1 debit, -1 credit.
			return dec(t, l["AMTCUR"]).Mul(dec(t, l["SNS"]))
		}},
	"sagepro": {"/SageProAPI/Invoice", "/SageProAPI/CreditMemo", "/SageProAPI/Receipt", "/SageProAPI/GLPosting",
		"currcode", "invamt", "cmamt", "paidamt", "", func(p map[string]any) bool { return p["PaymentStatus"] == "Void" },
		"lines", "glacnt", debitCredit("debit", "credit")},
}

// booksFor picks the books of the ERP a stack's environment names (Sage 500 by default).
func booksFor(env []string) books {
	for _, kv := range env {
		if name, ok := strings.CutPrefix(kv, "ERP="); ok {
			return erpBooks[name]
		}
	}
	return erpBooks["sage500"]
}

// ledger is a currency → account → balance (debit positive) view of everything posted to Sage,
// with payments counted on the clearing account (where the card receipts are deposited).
type ledger map[string]map[string]decimal.Decimal

func (l ledger) add(cur, acct string, d decimal.Decimal) {
	if l[cur] == nil {
		l[cur] = map[string]decimal.Decimal{}
	}
	l[cur][acct] = l[cur][acct].Add(d)
}

func (l ledger) get(cur, acct string) decimal.Decimal { return l[cur][acct] }

func (l ledger) String() string {
	var rows []string
	for cur, accts := range l {
		for acct, v := range accts {
			rows = append(rows, fmt.Sprintf("%s %s %s", cur, acct, v.StringFixed(money.Exponent(cur))))
		}
	}
	sort.Strings(rows)
	return strings.Join(rows, "\n")
}

func (e *monthEnv) ledger(t *testing.T) ledger {
	gl := glmap.Defaults()
	b := e.books
	l := ledger{}
	for _, p := range e.sage(t, b.payments, nil) {
		if !b.payVoid(p) {
			l.add(fmt.Sprint(p[b.curr]), gl.Clearing, dec(t, p[b.payAmount]))
		}
	}
	for _, je := range e.sage(t, b.journals, nil) {
		lines, _ := je[b.jeLines].([]any)
		for _, raw := range lines {
			ln := raw.(map[string]any)
			l.add(fmt.Sprint(je[b.curr]), fmt.Sprint(ln[b.lineAccount]), b.lineDebit(t, ln))
		}
	}
	return l
}

// checkMonth asserts what a controller would: one document per Stripe object, each dispute leg
// once, one balanced entry per paid payout tying to the payout, a reversal for the failed one,
// and per currency the ledger equal to Stripe's balance movements to the cent.
func (e *monthEnv) checkMonth(t *testing.T, m *month) ledger {
	t.Helper()
	for ch, amt := range m.charges {
		invs := e.sage(t, e.books.invoices, byRef(ch))
		pmts := e.sage(t, e.books.payments, byRef(ch))
		if len(invs) != 1 || len(pmts) != 1 {
			t.Fatalf("charge %s: %d invoices, %d payments", ch, len(invs), len(pmts))
		}
		cur := fmt.Sprint(invs[0][e.books.curr])
		if !dec(t, invs[0][e.books.invoiceTotal]).Equal(money.FromMinor(amt, cur)) {
			t.Errorf("charge %s: invoice total %v, want %s", ch, invs[0][e.books.invoiceTotal], money.FromMinor(amt, cur))
		}
	}
	for re, amt := range m.refunds {
		memos := e.sage(t, e.books.creditMemos, byRef(re))
		if len(memos) != 1 {
			t.Fatalf("refund %s: %d credit memos", re, len(memos))
		}
		cur := fmt.Sprint(memos[0][e.books.curr])
		if got := dec(t, memos[0][e.books.memoTotal]); !got.Equal(money.FromMinor(amt, cur)) {
			t.Errorf("refund %s: credit memo %v, want %s", re, memos[0], money.FromMinor(amt, cur))
		}
	}
	for ch, dp := range m.disputes {
		d, err := e.sc.Disputes.Get(dp, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, bt := range d.BalanceTransactions {
			if n := len(e.sage(t, e.books.journals, byRef(bt.ID))); n != 1 {
				t.Errorf("dispute %s of %s: leg %s posted %d times", dp, ch, bt.ID, n)
			}
		}
		if want := map[stripe.DisputeStatus]int{"won": 2, "lost": 1}[d.Status]; len(d.BalanceTransactions) != want {
			t.Errorf("dispute %s (%s) has %d legs, want %d", dp, d.Status, len(d.BalanceTransactions), want)
		}
	}
	l := e.ledger(t)
	gl := glmap.Defaults()
	bal, err := e.sc.Balance.Get(nil)
	if err != nil {
		t.Fatal(err)
	}
	stripeBalance := map[string]int64{}
	for _, a := range append(bal.Available, bal.Pending...) {
		stripeBalance[money.Currency(string(a.Currency))] += a.Amount
	}
	paid, fees, disputeFees := map[string]int64{}, map[string]int64{}, map[string]int64{}
	for _, p := range m.payouts {
		cur := money.Currency(string(p.Currency))
		if n := len(e.sage(t, e.books.journals, byRef(p.ID))); n != 1 {
			t.Fatalf("payout %s: %d journal entries", p.ID, n)
		}
		it := e.sc.BalanceTransactions.List(&stripe.BalanceTransactionListParams{Payout: stripe.String(p.ID)})
		for it.Next() {
			bt := it.BalanceTransaction()
			if bt.Type == "payout" && bt.Source != nil && bt.Source.ID == p.ID {
				continue
			}
			if strings.HasPrefix(string(bt.ReportingCategory), "dispute") {
				disputeFees[cur] += bt.Fee
			} else {
				fees[cur] += bt.Fee
			}
		}
		if it.Err() != nil {
			t.Fatal(it.Err())
		}
		revs := len(e.sage(t, e.books.journals, byRef("REV-"+p.ID)))
		switch p.Status {
		case "paid":
			paid[cur] += p.Amount
			if revs != 0 {
				t.Errorf("paid payout %s was reversed", p.ID)
			}
		case "failed":
			if revs != 1 {
				t.Errorf("failed payout %s: %d reversals", p.ID, revs)
			}
		default:
			t.Fatalf("payout %s is %s", p.ID, p.Status)
		}
	}
	// Per currency: the bank got exactly the paid payouts, fees and dispute fees are Stripe's to the
	// cent, and clearing holds exactly what is still in Stripe's balance (nothing, here).
	for _, cur := range []string{"USD", "EUR", "JPY"} {
		if got := l.get(cur, gl.Bank); !got.Equal(money.FromMinor(paid[cur], cur)) {
			t.Errorf("%s: bank %s, paid payouts %s", cur, got, money.FromMinor(paid[cur], cur))
		}
		if got := l.get(cur, gl.Fees); !got.Equal(money.FromMinor(fees[cur], cur)) {
			t.Errorf("%s: fee expense %s, Stripe fees %s", cur, got, money.FromMinor(fees[cur], cur))
		}
		if got := l.get(cur, gl.DisputeFees); !got.Equal(money.FromMinor(disputeFees[cur], cur)) {
			t.Errorf("%s: dispute fees %s, Stripe dispute fees %s", cur, got, money.FromMinor(disputeFees[cur], cur))
		}
		if got := l.get(cur, gl.Clearing); !got.Equal(money.FromMinor(stripeBalance[cur], cur)) {
			t.Errorf("%s: clearing %s, Stripe balance %s", cur, got, money.FromMinor(stripeBalance[cur], cur))
		}
	}
	return l
}

// A scripted month lands in Sage once, and the books tie out to Stripe to the cent.
func TestMonthTiesOutToStripe(t *testing.T) {
	e := newMonthEnv(t)
	m := e.runMonth(t)
	e.waitQuiet(t, 3*time.Minute)
	l := e.checkMonth(t, m)
	t.Logf("ledger:\n%s", l)

	// Out of order and duplicated: every event of the same month shuffled and delivered three
	// times gives the same ledger.
	e2 := newMonthEnv(t)
	e2.admin(t, "/_sandbox/delivery", map[string]any{"reorder": true, "duplicates": 2}, nil)
	m2 := e2.runMonth(t)
	e2.waitQuiet(t, 4*time.Minute)
	l2 := e2.checkMonth(t, m2)
	if l.String() != l2.String() {
		t.Fatalf("shuffled, duplicated delivery gave another ledger:\n%s\nwant\n%s", l2, l)
	}
	var deliveries struct {
		Data []json.RawMessage `json:"data"`
	}
	doJSON(t, http.MethodGet, e2.st.StripeURL()+"/_sandbox/deliveries?limit=100", devstack.StripeKey, nil, &deliveries)
	if len(deliveries.Data) == 0 {
		t.Fatal("no deliveries recorded")
	}
}

// Parity: the same scripted month (charges in three currencies, refunds, a won and a lost
// dispute, payouts with one failing) lands once on Sage X3 and Sage Pro too, and each ERP's
// books tie out to Stripe to the cent, read in that ERP's own records.
func TestMonthTiesOutOnEveryERP(t *testing.T) {
	for _, name := range []string{"sagex3", "sagepro"} {
		t.Run(name, func(t *testing.T) {
			e := newMonthEnv(t, "ERP="+name)
			m := e.runMonth(t)
			e.waitQuiet(t, 3*time.Minute)
			t.Logf("%s ledger:\n%s", name, e.checkMonth(t, m))
		})
	}
}
