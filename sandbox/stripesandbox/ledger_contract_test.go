package stripesandbox

import (
	"strings"
	"testing"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/client"
)

// moneyIDs name the objects the money contract reads; stripe-mock answers
// any ID with a fixture, the sandbox needs real ones.
type moneyIDs struct{ charge, dispute, payout string }

// runMoneyContract issues the refund, dispute, payout and balance calls
// ledgerbridge makes and checks that they decode into stripe-go types.
func runMoneyContract(t *testing.T, name string, sc *client.API, ids moneyIDs) {
	t.Helper()
	must := func(call string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %s: %v", name, call, err)
		}
	}
	check := func(what, id, prefix, object, wantObject string) {
		t.Helper()
		if !strings.HasPrefix(id, prefix) || object != wantObject {
			t.Errorf("%s: %s id=%q object=%q, want %s… %q", name, what, id, prefix, object, wantObject)
		}
	}
	rp := &stripe.RefundParams{Charge: stripe.String(ids.charge), Amount: stripe.Int64(100),
		Reason: stripe.String("requested_by_customer")}
	rp.AddMetadata("order", "O1")
	re, err := sc.Refunds.New(rp)
	must("Refunds.New", err)
	check("refund", re.ID, "re_", re.Object, "refund")
	re, err = sc.Refunds.Get(re.ID, nil)
	must("Refunds.Get", err)
	up := &stripe.RefundParams{}
	up.AddMetadata("order", "O2")
	_, err = sc.Refunds.Update(re.ID, up)
	must("Refunds.Update", err)
	rl := &stripe.RefundListParams{Charge: stripe.String(ids.charge)}
	rl.Limit = stripe.Int64(3)
	rit := sc.Refunds.List(rl)
	for rit.Next() {
		check("listed refund", rit.Refund().ID, "re_", rit.Refund().Object, "refund")
	}
	must("Refunds.List", rit.Err())

	dp, err := sc.Disputes.Get(ids.dispute, nil)
	must("Disputes.Get", err)
	check("dispute", dp.ID, "dp_", dp.Object, "dispute")
	dl := &stripe.DisputeListParams{}
	dl.Limit = stripe.Int64(3)
	dit := sc.Disputes.List(dl)
	for dit.Next() {
		check("listed dispute", dit.Dispute().ID, "dp_", dit.Dispute().Object, "dispute")
	}
	must("Disputes.List", dit.Err())
	dp, err = sc.Disputes.Close(ids.dispute, nil)
	must("Disputes.Close", err)
	check("closed dispute", dp.ID, "dp_", dp.Object, "dispute")

	po, err := sc.Payouts.Get(ids.payout, nil)
	must("Payouts.Get", err)
	check("payout", po.ID, "po_", po.Object, "payout")
	if po.BalanceTransaction == nil || po.Destination == nil {
		t.Errorf("%s: payout without balance_transaction/destination", name)
	}
	pl := &stripe.PayoutListParams{}
	pl.Limit = stripe.Int64(3)
	pit := sc.Payouts.List(pl)
	for pit.Next() {
		check("listed payout", pit.Payout().ID, "po_", pit.Payout().Object, "payout")
	}
	must("Payouts.List", pit.Err())
	bl := &stripe.BalanceTransactionListParams{Payout: stripe.String(ids.payout)}
	bl.Limit = stripe.Int64(3)
	bl.AddExpand("data.source")
	bit := sc.BalanceTransactions.List(bl)
	n := 0
	for bit.Next() {
		n++
		bt := bit.BalanceTransaction()
		check("payout balance_transaction", bt.ID, "txn_", bt.Object, "balance_transaction")
		if bt.Net != bt.Amount-bt.Fee {
			t.Errorf("%s: net %d != amount %d - fee %d", name, bt.Net, bt.Amount, bt.Fee)
		}
	}
	must("BalanceTransactions.List(payout)", bit.Err())
	if n == 0 {
		t.Errorf("%s: no balance transactions for the payout", name)
	}
	bal, err := sc.Balance.Get(nil)
	must("Balance.Get", err)
	if bal.Object != "balance" || len(bal.Available) == 0 || len(bal.Pending) == 0 {
		t.Errorf("%s: balance %+v", name, bal)
	}
}

func TestContractMoneyEndpoints(t *testing.T) {
	mockURL := startStripeMock(t)
	runMoneyContract(t, "stripe-mock", newClient(mockURL, "sk_test_123"),
		moneyIDs{charge: "ch_123", dispute: "dp_123", payout: "po_123"})

	sb := startSandbox(t, "", nil)
	ch := chargeOf(t, sb, 5000, "usd", "pm_card_visa")
	disputed := chargeOf(t, sb, 3000, "usd", "pm_card_createDispute")
	dit := sb.Client.Disputes.List(&stripe.DisputeListParams{Charge: stripe.String(disputed.ID)})
	if !dit.Next() {
		t.Fatalf("no dispute: %v", dit.Err())
	}
	var res sweepResult
	sb.admin(t, "POST", "/_sandbox/payouts/sweep", map[string]any{"all_pending": true}, &res)
	if len(res.Data) != 1 {
		t.Fatalf("sweep: %+v", res.Data)
	}
	runMoneyContract(t, "sandbox", sb.Client, moneyIDs{charge: ch.ID, dispute: dit.Dispute().ID, payout: res.Data[0].ID})
}
