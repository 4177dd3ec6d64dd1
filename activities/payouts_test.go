package activities

import (
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/ledgerbridge/ledgerbridge/internal/glmap"
)

func payoutActivities() *Activities {
	return &Activities{GL: glmap.Defaults()}
}

func TestPayoutJournalBalancesAndTiesToThePayout(t *testing.T) {
	a := payoutActivities()
	// 3 charges of $100 (fee 320 each), a $30 refund, a lost $50 dispute (fee $15).
	agg := &PayoutAggregate{PayoutID: "po_1", Currency: "USD", Rows: 6, BankRows: 1, Totals: []CategoryTotal{
		{Category: "charge", Count: 3, Gross: 30000, Fee: 960, Net: 29040},
		{Category: "dispute", Count: 1, Gross: -5000, Fee: 1500, Net: -6500},
		{Category: "refund", Count: 1, Gross: -3000, Fee: 0, Net: -3000},
	}}
	p := &PayoutSnapshot{ID: "po_1", AmountMinor: 19540, Amount: decimal.RequireFromString("195.40"), Currency: "USD"}
	je, suspense, err := a.payoutJournal(p, agg)
	if err != nil {
		t.Fatal(err)
	}
	if len(suspense) != 0 {
		t.Fatalf("suspense %v", suspense)
	}
	if je.Lines[0].Account != "1010-00" || !je.Lines[0].Debit.Equal(decimal.RequireFromString("195.40")) {
		t.Fatalf("bank line %+v", je.Lines[0])
	}
	byAcct := map[string]decimal.Decimal{}
	for _, l := range je.Lines {
		byAcct[l.Account] = byAcct[l.Account].Add(l.Debit).Sub(l.Credit)
	}
	// Clearing: −300 (charges in) +50 (dispute) +15 (dispute fee, expensed by the dispute run) +30 (refund).
	if !byAcct["1015-00"].Equal(decimal.RequireFromString("-205")) {
		t.Fatalf("clearing %s", byAcct["1015-00"])
	}
	if !byAcct["6150-00"].Equal(decimal.RequireFromString("9.6")) {
		t.Fatalf("fees %s", byAcct["6150-00"])
	}
}

func TestPayoutJournalSendsUnmappedCategoriesToSuspense(t *testing.T) {
	a := payoutActivities()
	agg := &PayoutAggregate{Currency: "JPY", Totals: []CategoryTotal{
		{Category: "charge", Count: 1, Gross: 5000, Fee: 180, Net: 4820},
		{Category: "climate_order_purchase", Count: 1, Gross: -100, Net: -100},
	}}
	p := &PayoutSnapshot{ID: "po_2", AmountMinor: 4720, Amount: decimal.RequireFromString("4720"), Currency: "JPY"}
	je, suspense, err := a.payoutJournal(p, agg)
	if err != nil {
		t.Fatal(err)
	}
	if len(suspense) != 1 || !strings.Contains(suspense[0], "climate_order_purchase -100 JPY") {
		t.Fatalf("suspense %v", suspense)
	}
	found := false
	for _, l := range je.Lines {
		if l.Account == "2990-00" && l.Debit.Equal(decimal.NewFromInt(100)) {
			found = true
		}
	}
	if !found {
		t.Fatalf("no suspense line: %+v", je.Lines)
	}
}

func TestPayoutJournalRefusesAPayoutItsTransactionsDoNotExplain(t *testing.T) {
	a := payoutActivities()
	agg := &PayoutAggregate{Currency: "USD", Totals: []CategoryTotal{{Category: "charge", Count: 1, Gross: 1000, Fee: 59, Net: 941}}}
	p := &PayoutSnapshot{ID: "po_3", AmountMinor: 1000, Amount: decimal.RequireFromString("10.00"), Currency: "USD"}
	_, _, err := a.payoutJournal(p, agg)
	if err == nil || !strings.Contains(err.Error(), "differs from the payout amount 10 USD by -0.59") {
		t.Fatalf("got %v", err)
	}
}
