package paytracesandbox

import (
	"fmt"
	"sync"
	"testing"
)

func TestLevelThree(t *testing.T) {
	e := newEnv(t)
	id := e.sale("60.00")
	items := []obj{
		{"product_id": "E123125", "description": "Widgets and wodgets", "quantity": 4, "unit_cost": "3.99", "unit_of_measure": "EACH", "discount_amount": "1.86"},
		{"product_id": "D987654", "description": "Logs", "quantity": "2.5", "unit_cost": 10, "amount": "25.00", "additional_tax_amount": 2},
	}
	r := want(t, e.api("level_three/visa", obj{"transaction_id": id, "tax_amount": "4.99", "customer_reference_id": "PO-77",
		"freight_amount": "7.99", "source_address": obj{"zip": "94947"}, "line_items": items}), 200, codeLevel3)
	if r.body["status_message"] != fmt.Sprintf("Visa/MasterCard enhanced data was successfully added to Transaction ID %d. 2 line item records were created.", id) {
		t.Fatalf("level 3 %s", r.raw)
	}
	x := e.export(id)
	li := x["line_items"].([]any)
	if len(li) != 2 || li[0].(map[string]any)["amount"] != 15.96 || li[0].(map[string]any)["discount_amount"] != 1.86 ||
		li[1].(map[string]any)["quantity"] != 2.5 || x["tax_amount"] != 4.99 || x["customer_reference_id"] != "PO-77" {
		t.Fatalf("export after level 3 %v", x)
	}
	wantErr(t, e.api("level_three/mastercard", obj{"transaction_id": id, "line_items": items}), codeError, keyNotEligible)
	wantErr(t, e.api("level_three/visa", obj{"transaction_id": id, "line_items": []obj{{"description": "x", "quantity": 0, "unit_cost": 1}}}), codeError, keyLineItem)
	e.settle()
	wantErr(t, e.api("level_three/visa", obj{"transaction_id": id, "line_items": items}), codeError, keyNotEligible)
}

// TestConcurrentRefundsNeverOverRefund hammers one settled sale: writes are serialized, so
// exactly the affordable refunds succeed.
func TestConcurrentRefundsNeverOverRefund(t *testing.T) {
	e := newEnv(t)
	id := e.sale("10.00")
	e.settle()
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok := 0
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := e.api("transactions/refund/for_transaction", obj{"transaction_id": id, "amount": "1.00"})
			if r.code() == codeRefunded {
				mu.Lock()
				ok++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if x := e.export(id); ok != 10 || x["refunded_amount"] != 10.0 || x["status"] != "Refunded" {
		t.Fatalf("%d refunds succeeded; sale %v", ok, x)
	}
}
