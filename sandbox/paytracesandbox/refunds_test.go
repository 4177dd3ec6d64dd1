package paytracesandbox

import (
	"testing"
)

func TestRefundRules(t *testing.T) {
	e := newEnv(t)
	sale := e.sale("10.00")
	auth := e.authorize("20.00")
	r := wantErr(t, e.api("transactions/refund/for_transaction", obj{"transaction_id": sale}), codeRefundFail, keyNotSettled)
	if r.body["status_message"] != msgRefundErr {
		t.Fatalf("unsettled refund %s", r.raw)
	}
	wantErr(t, e.api("transactions/refund/for_transaction", obj{"transaction_id": auth}), codeRefundFail, keyNotEligible)
	e.settle()

	first := want(t, e.api("transactions/refund/for_transaction", obj{"transaction_id": sale, "amount": "3.00"}), 200, codeRefunded)
	if first.id() <= sale || first.body["status_message"] != msgRefunded {
		t.Fatalf("refund %s", first.raw)
	}
	second := want(t, e.api("transactions/refund/for_transaction", obj{"transaction_id": sale, "amount": 4}), 200, codeRefunded)
	if x := e.export(sale); x["status"] != "Partially Refunded" || x["refunded_amount"] != 7.0 || len(x["refund_transaction_ids"].([]any)) != 2 {
		t.Fatalf("after two refunds %v", x)
	}
	x := e.export(first.id())
	if x["transaction_type"] != "REFUND" || x["original_transaction_id"] != float64(sale) || x["amount"] != 3.0 ||
		x["status"] != "Pending Settlement" || x["credit_card"].(map[string]any)["masked_number"] != "xxxxxxxxxxxx1111" {
		t.Fatalf("refund export %v", x)
	}
	r = wantErr(t, e.api("transactions/refund/for_transaction", obj{"transaction_id": sale, "amount": "3.01"}), codeRefundFail, keyOverRefund)
	if r.id() != sale {
		t.Errorf("over-refund %s", r.raw)
	}
	wantErr(t, e.api("transactions/refund/for_transaction", obj{"transaction_id": first.id()}), codeRefundFail, keyNotEligible)

	// Voiding a pending refund gives its amount back.
	want(t, e.api("transactions/void", obj{"transaction_id": second.id()}), 200, codeVoided)
	if x := e.export(sale); x["refunded_amount"] != 3.0 || x["status"] != "Partially Refunded" {
		t.Fatalf("after voiding a refund %v", x)
	}
	// No amount refunds what is left.
	rest := want(t, e.api("transactions/refund/for_transaction", obj{"transaction_id": sale}), 200, codeRefunded)
	if x := e.export(rest.id()); x["amount"] != 7.0 {
		t.Fatalf("rest refund %v", x)
	}
	if x := e.export(sale); x["status"] != "Refunded" || x["refunded_amount"] != 10.0 {
		t.Fatalf("fully refunded %v", x)
	}
	wantErr(t, e.api("transactions/refund/for_transaction", obj{"transaction_id": sale, "amount": "0.01"}), codeRefundFail, keyOverRefund)
	wantErr(t, e.api("transactions/refund/for_transaction", obj{"transaction_id": sale}), codeRefundFail, keyOverRefund)

	// Refunds settle too; a settled refund cannot be voided.
	r = e.settle()
	if n := len(r.body["transaction_ids"].([]any)); n != 2 {
		t.Fatalf("second batch settled %d transactions: %s", n, r.raw)
	}
	wantErr(t, e.api("transactions/void", obj{"transaction_id": rest.id()}), codeVoidFail, keySettled)

	// Voided and declined sales have nothing to refund.
	voided := e.sale("2.00")
	want(t, e.api("transactions/void", obj{"transaction_id": voided}), 200, codeVoided)
	wantErr(t, e.api("transactions/refund/for_transaction", obj{"transaction_id": voided}), codeRefundFail, keyAlreadyVoided)
	declined := want(t, e.api("transactions/sale/keyed", obj{"amount": "1.12", "credit_card": card(CardVisa)}), 400, codeDeclined).id()
	wantErr(t, e.api("transactions/refund/for_transaction", obj{"transaction_id": declined}), codeRefundFail, keyNotEligible)
}

func TestRefundCapturedAuthorization(t *testing.T) {
	e := newEnv(t)
	auth := e.authorize("100.00")
	want(t, e.api("transactions/authorization/capture", obj{"transaction_id": auth, "amount": "60.00"}), 200, codeCaptured)
	e.settle()
	// Only the captured amount can be refunded.
	wantErr(t, e.api("transactions/refund/for_transaction", obj{"transaction_id": auth, "amount": "60.01"}), codeRefundFail, keyOverRefund)
	want(t, e.api("transactions/refund/for_transaction", obj{"transaction_id": auth, "amount": "60.00"}), 200, codeRefunded)
}

func TestRefundKeyed(t *testing.T) {
	e := newEnv(t)
	r := want(t, e.api("transactions/refund/keyed", obj{"amount": "8.25", "credit_card": card(CardMastercard), "invoice_number": "RMA-9"}), 200, codeRefunded)
	x := e.export(r.id())
	if x["transaction_type"] != "REFUND" || x["original_transaction_id"] != nil || x["amount"] != 8.25 || x["invoice_number"] != "RMA-9" {
		t.Fatalf("keyed refund %v", x)
	}
	wantErr(t, e.api("transactions/refund/keyed", obj{"amount": "8.25", "credit_card": card("5454545454545455")}), codeError, keyCardNumber)
}
