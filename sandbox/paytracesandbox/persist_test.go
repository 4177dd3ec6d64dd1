package paytracesandbox

import (
	"testing"
)

// TestRestartKeepsEverything closes the sandbox and reopens it on the same file.
func TestRestartKeepsEverything(t *testing.T) {
	e := newEnv(t)
	settled := e.sale("20.00")
	e.settle()
	pending := e.sale("7.00")
	want(t, e.api("customer/create", obj{"customer_id": "keep-me", "credit_card": card(CardVisa)}), 200, codeCustomerOK)
	refund := want(t, e.api("transactions/refund/for_transaction", obj{"transaction_id": settled, "amount": "2.00"}), 200, codeRefunded).id()

	e = e.reopen()
	// The token issued before the restart is still valid.
	if x := e.export(settled); x["status"] != "Partially Refunded" || x["batch_number"] != 1.0 || x["refunded_amount"] != 2.0 {
		t.Fatalf("settled sale after restart %v", x)
	}
	if x := e.export(pending); x["status"] != "Pending Settlement" {
		t.Fatalf("pending sale after restart %v", x)
	}
	want(t, e.api("transactions/sale/by_customer", obj{"customer_id": "keep-me", "amount": "1.00"}), 200, codeApproved)
	// Counters continue: IDs and batch numbers never repeat.
	if id := e.sale("3.00"); id <= refund+1 {
		t.Fatalf("transaction ID %d reused after restart (last %d)", id, refund)
	}
	r := e.settle()
	if b := r.body["batch"].(map[string]any); b["batch_number"] != 2.0 || b["refund_amount"] != 2.0 {
		t.Fatalf("batch after restart %s", r.raw)
	}
	wantErr(t, e.api("customer/create", obj{"customer_id": "keep-me", "credit_card": card(CardVisa)}), codeError, keyDuplicateCust)
}
