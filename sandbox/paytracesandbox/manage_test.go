package paytracesandbox

import (
	"testing"
)

func TestCapture(t *testing.T) {
	e := newEnv(t)
	full := e.authorize("50.00")
	partial := e.authorize("80.00")
	sale := e.sale("5.00")
	declined := want(t, e.api("transactions/authorization/keyed", obj{"amount": "1.13", "credit_card": card(CardVisa)}), 400, codeDeclined).id()

	if x := e.export(full); x["status"] != "Authorized" || x["captured_amount"] != 0.0 || x["authorized_amount"] != 50.0 {
		t.Fatalf("before capture %v", x)
	}
	r := want(t, e.api("transactions/authorization/capture", obj{"transaction_id": full}), 200, codeCaptured)
	if r.id() != full || r.body["status_message"] != msgCaptured || r.body["external_transaction_id"] != "" {
		t.Fatalf("capture %s", r.raw)
	}
	want(t, e.api("transactions/authorization/capture", obj{"transaction_id": partial, "amount": "62.40"}), 200, codeCaptured)
	x := e.export(partial)
	if x["status"] != "Pending Settlement" || x["captured_amount"] != 62.4 || x["authorized_amount"] != 80.0 || x["captured"] == nil {
		t.Fatalf("after partial capture %v", x)
	}

	fails := []struct {
		name string
		body obj
		code int
		keys string
	}{
		{"again", obj{"transaction_id": full}, codeCaptureErr, keyAlreadyCapture},
		{"a sale", obj{"transaction_id": sale}, codeCaptureErr, keyNotEligible},
		{"declined", obj{"transaction_id": declined}, codeCaptureErr, keyNotEligible},
		{"unknown", obj{"transaction_id": 42}, codeError, keyTransactionID},
		{"no id", obj{"amount": "1.00"}, codeError, keyTransactionID},
		{"negative amount", obj{"transaction_id": full, "amount": "-1.00"}, codeError, keyAmount},
	}
	for _, tc := range fails {
		t.Run(tc.name, func(t *testing.T) {
			wantErr(t, e.api("transactions/authorization/capture", tc.body), tc.code, tc.keys)
		})
	}
	over := e.authorize("10.00")
	wantErr(t, e.api("transactions/authorization/capture", obj{"transaction_id": over, "amount": "10.01"}), codeCaptureErr, keyOverCapture)
	if x := e.export(over); x["status"] != "Authorized" {
		t.Fatalf("a refused capture changed the authorization: %v", x)
	}
}

func TestVoid(t *testing.T) {
	e := newEnv(t)
	sale := e.sale("12.00")
	auth := e.authorize("30.00")
	captured := e.authorize("40.00")
	want(t, e.api("transactions/authorization/capture", obj{"transaction_id": captured}), 200, codeCaptured)

	for _, id := range []int64{sale, auth, captured} {
		r := want(t, e.api("transactions/void", obj{"transaction_id": id}), 200, codeVoided)
		if r.id() != id || r.body["status_message"] != msgVoided {
			t.Fatalf("void %s", r.raw)
		}
		if x := e.export(id); x["status"] != "Voided" || x["voided"] == nil {
			t.Fatalf("after void %v", x)
		}
	}
	wantErr(t, e.api("transactions/void", obj{"transaction_id": sale}), codeVoidFail, keyAlreadyVoided)
	wantErr(t, e.api("transactions/authorization/capture", obj{"transaction_id": auth}), codeCaptureErr, keyAlreadyVoided)
	wantErr(t, e.api("transactions/void", obj{"transaction_id": 7}), codeError, keyTransactionID)

	settled := e.sale("15.00")
	r := e.settle()
	if ids := r.body["transaction_ids"].([]any); len(ids) != 1 || ids[0] != float64(settled) {
		t.Fatalf("settled %s (voided ones must not settle)", r.raw)
	}
	r = wantErr(t, e.api("transactions/void", obj{"transaction_id": settled}), codeVoidFail, keySettled)
	if r.id() != settled || r.body["status_message"] != msgVoidErr {
		t.Fatalf("void after settlement %s", r.raw)
	}
	if x := e.export(settled); x["status"] != "Settled" {
		t.Fatalf("a refused void changed the sale: %v", x)
	}
}
