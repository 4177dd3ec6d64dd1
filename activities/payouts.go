package activities

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/shopspring/decimal"
	"github.com/stripe/stripe-go/v76"
	"go.temporal.io/sdk/activity"

	"github.com/ledgerbridge/ledgerbridge/internal/erp"
	"github.com/ledgerbridge/ledgerbridge/internal/money"
	"github.com/ledgerbridge/ledgerbridge/internal/posting"
)

// PayoutSnapshot is a Stripe payout, re-fetched.
type PayoutSnapshot struct {
	ID             string          `json:"id"`
	AmountMinor    int64           `json:"amountMinor"`
	Amount         decimal.Decimal `json:"amount"`
	Currency       string          `json:"currency"`
	Status         string          `json:"status"`
	ArrivalDate    int64           `json:"arrivalDate"`
	Created        int64           `json:"created"`
	FailureCode    string          `json:"failureCode,omitempty"`
	FailureMessage string          `json:"failureMessage,omitempty"`
}

// FetchPayoutInput names a payout.
type FetchPayoutInput struct {
	PayoutID string `json:"payoutId"`
}

// FetchPayout re-fetches a payout.
func (a *Activities) FetchPayout(ctx context.Context, in *FetchPayoutInput) (*PayoutSnapshot, error) {
	p, err := a.Stripe.GetPayout(ctx, in.PayoutID)
	if err != nil {
		return nil, stripeError("fetch payout "+in.PayoutID, err)
	}
	return &PayoutSnapshot{ID: p.ID, AmountMinor: p.Amount, Amount: money.FromMinor(p.Amount, string(p.Currency)),
		Currency: money.Currency(string(p.Currency)), Status: string(p.Status), ArrivalDate: p.ArrivalDate, Created: p.Created,
		FailureCode: string(p.FailureCode), FailureMessage: p.FailureMessage}, nil
}

// CategoryTotal aggregates a payout's balance transactions of one reporting category, in
// integer minor units of the payout currency (exact, and cheap to heartbeat).
type CategoryTotal struct {
	Category string `json:"category"`
	Count    int64  `json:"count"`
	Gross    int64  `json:"gross"`
	Fee      int64  `json:"fee"`
	Net      int64  `json:"net"`
	// Converted counts transactions settled from another currency (exchange_rate set).
	Converted int64 `json:"converted,omitempty"`
	// FX is, for converted charges, what Stripe settled minus the home-currency value their ERP
	// payments carry (the rate at payment): the FX gain (positive) or loss of this category.
	FX int64 `json:"fx,omitempty"`
}

// PayoutAggregate is what a payout's journal entry is built from; its size does not depend on
// the number of transactions, so the workflow history does not either.
type PayoutAggregate struct {
	PayoutID string          `json:"payoutId"`
	Currency string          `json:"currency"`
	Rows     int64           `json:"rows"`
	Pages    int64           `json:"pages"`
	Totals   []CategoryTotal `json:"totals"`
	// BankRows are the payout's own rows (type payout, source this payout).
	BankRows int64 `json:"bankRows"`
	BankNet  int64 `json:"bankNet"`
}

// aggregateProgress is the heartbeat: the cursor and the totals so far.
type aggregateProgress struct {
	Cursor string                    `json:"cursor"`
	Agg    PayoutAggregate           `json:"agg"`
	ByCat  map[string]*CategoryTotal `json:"byCat"`
}

// AggregatePayoutInput names the payout to aggregate and its currency.
type AggregatePayoutInput struct {
	PayoutID string `json:"payoutId"`
	Currency string `json:"currency"`
	PageSize int64  `json:"pageSize,omitempty"`
}

// AggregatePayout pages through a payout's balance transactions and totals them by reporting
// category. It heartbeats its cursor and running totals after every page: a retry after a crash
// resumes from the last page instead of starting over. Memory is bounded by the page size.
func (a *Activities) AggregatePayout(ctx context.Context, in *AggregatePayoutInput) (*PayoutAggregate, error) {
	var p aggregateProgress
	if activity.HasHeartbeatDetails(ctx) {
		if err := activity.GetHeartbeatDetails(ctx, &p); err != nil {
			return nil, fmt.Errorf("read heartbeat: %w", err)
		}
	}
	return a.aggregate(ctx, in, p, func(p aggregateProgress) { activity.RecordHeartbeat(ctx, p) })
}

// aggregate pages from p's cursor, calling beat after every page (nil: no heartbeat, e.g. preview).
func (a *Activities) aggregate(ctx context.Context, in *AggregatePayoutInput, p aggregateProgress, beat func(aggregateProgress)) (*PayoutAggregate, error) {
	pageSize := in.PageSize
	if pageSize <= 0 || pageSize > 100 {
		pageSize = 100
	}
	if p.ByCat == nil {
		p = aggregateProgress{Agg: PayoutAggregate{PayoutID: in.PayoutID, Currency: in.Currency}, ByCat: map[string]*CategoryTotal{}}
	}
	for {
		page, more, err := a.Stripe.PayoutTransactions(ctx, in.PayoutID, p.Cursor, pageSize)
		if err != nil {
			return nil, stripeError("list balance transactions of "+in.PayoutID, err)
		}
		for _, bt := range page {
			if !strings.EqualFold(string(bt.Currency), in.Currency) {
				return nil, validation(fmt.Sprintf("payout %s (%s) lists transaction %s in %s", in.PayoutID, in.Currency, bt.ID, bt.Currency))
			}
			p.Agg.Rows++
			// Only the payout's own row is the bank side. A payout_failure row returning an earlier
			// failed payout's money is an ordinary movement of this payout (payout_reversal).
			if bt.Type == "payout" && (bt.Source == nil || bt.Source.ID == "" || bt.Source.ID == in.PayoutID) {
				p.Agg.BankRows++
				p.Agg.BankNet += bt.Net
				continue
			}
			cat := string(bt.ReportingCategory)
			t := p.ByCat[cat]
			if t == nil {
				t = &CategoryTotal{Category: cat}
				p.ByCat[cat] = t
			}
			t.Count++
			t.Gross += bt.Amount
			t.Fee += bt.Fee
			t.Net += bt.Net
			if bt.ExchangeRate != 0 {
				t.Converted++
				fx, err := a.fxDifference(ctx, bt)
				if err != nil {
					return nil, err
				}
				t.FX += fx
			}
		}
		p.Agg.Pages++
		if len(page) > 0 {
			p.Cursor = page[len(page)-1].ID
		}
		if beat != nil {
			beat(p)
		}
		if !more || len(page) == 0 {
			break
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
	}
	for _, t := range p.ByCat {
		p.Agg.Totals = append(p.Agg.Totals, *t)
	}
	sort.Slice(p.Agg.Totals, func(i, j int) bool { return p.Agg.Totals[i].Category < p.Agg.Totals[j].Category })
	return &p.Agg, nil
}

// fxDifference is, for a converted charge's balance transaction, Stripe's settled amount minus
// the home-currency value order-to-cash gave the charge's ERP payment, in minor units; zero for
// other rows (refunds and disputes are booked at their settled amounts).
func (a *Activities) fxDifference(ctx context.Context, bt *stripe.BalanceTransaction) (int64, error) {
	if (bt.Type != "charge" && bt.Type != "payment") || bt.Source == nil || bt.Source.ID == "" {
		return 0, nil
	}
	ch, err := a.charge(ctx, bt.Source.ID)
	if err != nil {
		return 0, err
	}
	if ch.Settlement == nil || !ch.Captured.IsZero() {
		// A partially captured converted charge: its reversal row settles the difference.
		return 0, nil
	}
	booked, err := money.ToMinor(posting.HomeAmount(ch.Amount, ch.Settlement), ch.Settlement.Currency)
	if err != nil {
		return 0, validation(fmt.Sprintf("charge %s: home amount: %v", ch.ID, err))
	}
	return bt.Amount - booked, nil
}

// PostPayoutJournalInput is a payout and its aggregate.
type PostPayoutJournalInput struct {
	Payout    *PayoutSnapshot  `json:"payout"`
	Aggregate *PayoutAggregate `json:"aggregate"`
}

// PostPayoutJournalResult names the entry and reports unmapped categories.
type PostPayoutJournalResult struct {
	Number string `json:"number"`
	Reused bool   `json:"reused"`
	// Suspense lists the categories posted to the suspense account, with their amounts.
	Suspense []string `json:"suspense,omitempty"`
}

// payoutJournal builds a payout's journal entry: Dr bank (net payout); per reporting category,
// its gross on the mapped account (credit when money came in, debit when it went out); fees on
// the fee account. A category without a mapping goes to suspense, reported. It checks that the
// entry balances and that the bank line equals the payout amount.
func (a *Activities) payoutJournal(p *PayoutSnapshot, agg *PayoutAggregate) (erp.JournalEntry, []string, error) {
	cur := p.Currency
	lines := map[string]*erp.JournalLine{}
	var order []string
	post := func(acct string, signedDebitMinor int64, desc string) {
		if signedDebitMinor == 0 {
			return
		}
		key := acct + "|" + desc
		l := lines[key]
		if l == nil {
			l = &erp.JournalLine{Account: acct, Description: desc}
			lines[key] = l
			order = append(order, key)
		}
		amt := money.FromMinor(signedDebitMinor, cur)
		if amt.IsPositive() {
			l.Debit = l.Debit.Add(amt)
		} else {
			l.Credit = l.Credit.Add(amt.Neg())
		}
	}
	var suspense []string
	var netMinor int64
	for _, t := range agg.Totals {
		acct, mapped := a.GL.AccountFor(t.Category)
		desc := fmt.Sprintf("Stripe %s (%d)", t.Category, t.Count)
		if !mapped {
			desc = fmt.Sprintf("Unmapped Stripe category %q (%d): review", t.Category, t.Count)
			suspense = append(suspense, fmt.Sprintf("%s %s %s", t.Category, money.FromMinor(t.Gross, cur), cur))
		}
		// Converted charges leave clearing at the home value their payments carried; the rest of
		// what Stripe settled is FX gain (credit) or loss (debit).
		post(acct, -(t.Gross - t.FX), desc)
		post(a.GL.FX, -t.FX, fmt.Sprintf("FX gain/loss on %d converted %s", t.Converted, t.Category))
		post(a.GL.FeeAccountFor(t.Category), t.Fee, fmt.Sprintf("Stripe fees on %s", t.Category))
		netMinor += t.Net
	}
	bank := &erp.JournalLine{Account: a.GL.Bank, Description: "Stripe payout " + p.ID}
	if netMinor >= 0 {
		bank.Debit = money.FromMinor(netMinor, cur)
	} else {
		bank.Credit = money.FromMinor(-netMinor, cur)
	}
	out := []erp.JournalLine{*bank}
	for _, k := range order {
		l := lines[k]
		// Net a line that received both debits and credits, as a controller would.
		if d := l.Debit.Sub(l.Credit); d.IsPositive() {
			l.Debit, l.Credit = d, decimal.Zero
		} else {
			l.Debit, l.Credit = decimal.Zero, d.Neg()
		}
		if !l.Debit.IsZero() || !l.Credit.IsZero() {
			out = append(out, *l)
		}
	}
	je := erp.JournalEntry{Date: a.date(p.ArrivalDate), Currency: cur, ExternalRef: p.ID, Lines: out,
		Memo: fmt.Sprintf("Stripe payout %s: %d transactions", p.ID, agg.Rows-agg.BankRows)}
	if err := posting.Balanced(je); err != nil {
		return je, suspense, err
	}
	if netMinor != p.AmountMinor {
		return je, suspense, fmt.Errorf("payout %s: the bank line %s %s differs from the payout amount %s %s by %s; the balance transactions do not explain the payout",
			p.ID, money.FromMinor(netMinor, cur), cur, p.Amount, cur, money.FromMinor(netMinor-p.AmountMinor, cur))
	}
	return je, suspense, nil
}

// PostPayoutJournal posts the payout's journal entry once (external reference = payout ID).
func (a *Activities) PostPayoutJournal(ctx context.Context, in *PostPayoutJournalInput) (*PostPayoutJournalResult, error) {
	je, suspense, err := a.payoutJournal(in.Payout, in.Aggregate)
	if err != nil {
		return nil, validation(err.Error())
	}
	res, err := a.postJournalOnce(ctx, je)
	if err != nil {
		return nil, err
	}
	return &PostPayoutJournalResult{Number: res.Number, Reused: res.Reused, Suspense: suspense}, nil
}

// ReversePayoutBankInput names a payout that failed after it was posted.
type ReversePayoutBankInput struct {
	Payout *PayoutSnapshot `json:"payout"`
}

// ReversePayoutBank posts the reversing entry of a failed payout's bank leg: Dr clearing / Cr bank
// for the payout amount. The money never reached the bank and is back in the Stripe balance
// (clearing); the fees in the payout entry were real and stay expensed. The next payout sweeps
// the returned funds as a payout_reversal movement out of clearing.
func (a *Activities) ReversePayoutBank(ctx context.Context, in *ReversePayoutBankInput) (*PostJournalResult, error) {
	p := in.Payout
	return a.postJournalOnce(ctx, erp.JournalEntry{
		Date: a.date(firstNonZero(p.ArrivalDate, p.Created)), Currency: p.Currency, ExternalRef: "REV-" + p.ID,
		Memo: fmt.Sprintf("Stripe payout %s failed (%s %s): funds returned to the Stripe balance", p.ID, p.FailureCode, p.FailureMessage),
		Lines: []erp.JournalLine{
			{Account: a.GL.Clearing, Debit: p.Amount, Description: "Failed payout " + p.ID},
			{Account: a.GL.Bank, Credit: p.Amount, Description: "Failed payout " + p.ID},
		},
	})
}

func firstNonZero(vals ...int64) int64 {
	for _, v := range vals {
		if v != 0 {
			return v
		}
	}
	return 0
}
