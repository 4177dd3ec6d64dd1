package paytracesandbox

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

func TestPricing(t *testing.T) {
	tests := []struct {
		in      string
		amount  string
		fee     string
		invalid bool
	}{
		{"2.9%+0.30", "10.00", "0.59", false},
		{"2.9%+0.30", "5.00", "0.45", false}, // 0.145 rounds half up
		{"2.9%+0.30", "25.50", "1.04", false},
		{"2.9% + 0.30", "7.77", "0.53", false},
		{"3%", "10.00", "0.30", false},
		{"0.25", "10.00", "0.25", false},
		{"0", "10.00", "0.00", false},
		{"2.9%0.30", "", "", true},
		{"-1%", "", "", true},
		{"2.9%+0.305", "", "", true},
		{"abc", "", "", true},
	}
	for _, tc := range tests {
		p, err := ParsePricing(tc.in)
		if tc.invalid {
			if err == nil {
				t.Errorf("ParsePricing(%q) accepted", tc.in)
			}
			continue
		}
		if err != nil {
			t.Fatalf("ParsePricing(%q): %v", tc.in, err)
		}
		if got := p.Fee(decimal.RequireFromString(tc.amount)).StringFixed(2); got != tc.fee {
			t.Errorf("%s fee on %s = %s, want %s", tc.in, tc.amount, got, tc.fee)
		}
	}
}

func TestSettlementBatches(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.ExportLimit = 3 })
	first := e.sale("100.00")
	r := e.settle()
	b1 := r.body["batch"].(map[string]any)
	if b1["batch_number"] != 1.0 || b1["settled"] != "03/10/2026" || b1["fee_amount"] != 3.2 || b1["net_amount"] != 96.8 {
		t.Fatalf("batch 1 %s", r.raw)
	}

	e.advance(24 * time.Hour) // 03/11/2026
	sales := []int64{e.sale("10.00"), e.sale("25.50")}
	mc := want(t, e.api("transactions/sale/keyed", obj{"amount": "5.00", "credit_card": card(CardMastercard)}), 200, codeApproved).id()
	captured := e.authorize("8.00")
	want(t, e.api("transactions/authorization/capture", obj{"transaction_id": captured, "amount": "7.77"}), 200, codeCaptured)
	uncaptured := e.authorize("3.00")
	voided := e.sale("9.00")
	want(t, e.api("transactions/void", obj{"transaction_id": voided}), 200, codeVoided)
	want(t, e.api("transactions/sale/keyed", obj{"amount": "1.12", "credit_card": card(CardVisa)}), 400, codeDeclined)
	refund := want(t, e.api("transactions/refund/for_transaction", obj{"transaction_id": first, "amount": "5.00"}), 200, codeRefunded).id()

	r = e.settle()
	b2 := r.body["batch"].(map[string]any)
	wantBatch := map[string]any{"batch_number": 2.0, "settled": "03/11/2026", "transaction_count": 5.0, "sales_count": 4.0,
		"sales_amount": 48.27, "refund_count": 1.0, "refund_amount": 5.0, "fee_amount": 2.61, "net_amount": 40.66}
	for k, v := range wantBatch {
		if b2[k] != v {
			t.Errorf("batch 2 %s = %v, want %v", k, b2[k], v)
		}
	}
	cards := b2["card_types"].([]any)
	if len(cards) != 2 || cards[0].(map[string]any)["type"] != "MASTERCARD" || cards[0].(map[string]any)["sales_amount"] != 12.77 ||
		cards[1].(map[string]any)["refund_amount"] != 5.0 {
		t.Errorf("card types %v", cards)
	}
	settledIDs := []int64{sales[0], sales[1], mc, captured, refund}
	if got := r.body["transaction_ids"].([]any); len(got) != len(settledIDs) {
		t.Fatalf("settled %v, want %v", got, settledIDs)
	}
	for _, id := range settledIDs {
		if x := e.export(id); x["status"] != "Settled" || x["settled"] != "03/11/2026" || x["batch_number"] != 2.0 {
			t.Errorf("settled transaction %v", x)
		}
	}
	for id, status := range map[int64]string{uncaptured: "Authorized", voided: "Voided", first: "Partially Refunded"} {
		if x := e.export(id); x["status"] != status {
			t.Errorf("transaction %d status %v, want %s", id, x["status"], status)
		}
	}

	// Exports of batches.
	r = want(t, e.api("batches/export", obj{"start_date": "03/10/2026", "end_date": "03/11/2026"}), 200, codeCompleted)
	if list := r.body["batches"].([]any); len(list) != 2 || list[1].(map[string]any)["net_amount"] != 40.66 {
		t.Fatalf("batches/export %s", r.raw)
	}
	r = want(t, e.api("batches/export_one", obj{"batch_number": 2}), 200, codeCompleted)
	if r.body["batch"].(map[string]any)["fee_amount"] != 2.61 {
		t.Fatalf("export_one %s", r.raw)
	}
	r = want(t, e.api("batches/transaction_list", obj{"batch_number": "2"}), 200, codeCompleted)
	page1 := r.txns()
	if len(page1) != 3 || r.body["has_more"] != true || r.body["batch_number"] != 2.0 {
		t.Fatalf("transaction_list page 1 %s", r.raw)
	}
	r = want(t, e.api("batches/transaction_list", obj{"batch_number": 2, "after_transaction_id": page1[2]["transaction_id"]}), 200, codeCompleted)
	if page2 := r.txns(); len(page2) != 2 || r.body["has_more"] != false || page2[1]["transaction_id"] != float64(refund) {
		t.Fatalf("transaction_list page 2 %s", r.raw)
	}
	wantErr(t, e.api("batches/export_one", obj{"batch_number": 9}), codeError, keyBatchNumber)
	wantErr(t, e.api("batches/transaction_list", obj{}), codeError, keyBatchNumber)

	// A poller finds the refunded sale by the date it changed, not by its transaction date.
	r = want(t, e.api("transactions/export/by_date_range", obj{"start_date": "03/11/2026", "end_date": "03/11/2026",
		"date_type": "updated", "transaction_type": "SETTLED"}), 200, codeCompleted)
	if list := r.txns(); len(list) != 3 || list[0]["transaction_id"] != float64(first) {
		t.Fatalf("updated on 03/11, first page: %s", r.raw)
	}

	// The cutoff: a sale of 03/12 does not settle into a batch dated 03/11.
	e.advance(24 * time.Hour)
	late := e.sale("1.00")
	r = e.admin("POST", "settle", obj{"date": "03/11/2026"})
	if r.status != 200 || r.body["batch"] != nil || len(r.body["transaction_ids"].([]any)) != 0 {
		t.Fatalf("settle 03/11 again: %s", r.raw)
	}
	if r = e.admin("POST", "settle", obj{"date": "03/10/2026"}); r.status != 400 {
		t.Fatalf("settle before the last batch: %d %s", r.status, r.raw)
	}
	if r = e.admin("POST", "settle", obj{"date": "03/13/2026"}); r.status != 400 {
		t.Fatalf("settle in the future: %d %s", r.status, r.raw)
	}
	r = e.settle()
	if b := r.body["batch"].(map[string]any); b["batch_number"] != 3.0 || b["settled"] != "03/12/2026" || e.export(late)["batch_number"] != 3.0 {
		t.Fatalf("batch 3 %s", r.raw)
	}
	r = want(t, e.api("batches/export_one", obj{}), 200, codeCompleted)
	if r.body["batch"].(map[string]any)["batch_number"] != 3.0 {
		t.Fatalf("latest batch %s", r.raw)
	}
	if r = e.settle(); r.body["batch"] != nil {
		t.Fatalf("empty settle made a batch: %s", r.raw)
	}
}
