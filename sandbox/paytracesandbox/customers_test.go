package paytracesandbox

import (
	"strings"
	"testing"
)

func TestCustomerProfiles(t *testing.T) {
	e := newEnv(t)
	create := obj{"customer_id": "cust-100", "credit_card": card(CardVisa),
		"billing_address": obj{"name": "Steve Smith", "street_address": "8320 E. West St.", "zip": "85284"},
		"email":           "steve@example.com", "phone": "509-555-0100"}
	r := want(t, e.api("customer/create", create), 200, codeCustomerOK)
	if r.body["status_message"] != "The customer profile for cust-100/Steve Smith was successfully created" ||
		r.body["customer_id"] != "cust-100" || r.body["masked_card_number"] != "xxxxxxxxxxxx1111" {
		t.Fatalf("create %s", r.raw)
	}
	r = wantErr(t, e.api("customer/create", obj{"customer_id": "cust-100", "credit_card": card(CardMastercard)}), codeError, keyDuplicateCust)
	if !strings.Contains(r.raw, "Please provide a unique customer ID.") || r.body["masked_card_number"] != "xxxxxxxxxxxx5454" {
		t.Fatalf("duplicate %s", r.raw)
	}
	errs := []struct {
		name string
		body obj
		keys string
	}{
		{"no card", obj{"customer_id": "c2"}, keyCardNumber},
		{"bad id", obj{"customer_id": "has space", "credit_card": card(CardVisa)}, keyCustomerID},
		{"bad card", obj{"customer_id": "c2", "credit_card": card("4111111111111113")}, keyCardNumber},
		{"bad email", obj{"customer_id": "c2", "credit_card": card(CardVisa), "email": "nope"}, keyEmail},
		{"bad check", obj{"customer_id": "c2", "check": obj{"account_number": "12", "routing_number": "123456789"}}, keyCheckAccount + "," + keyCheckRouting},
	}
	for _, tc := range errs {
		t.Run(tc.name, func(t *testing.T) {
			wantErr(t, e.api("customer/create", tc.body), codeError, tc.keys)
		})
	}

	// The stored card is charged by customer ID; the profile's address feeds AVS.
	r = want(t, e.api("transactions/sale/by_customer", obj{"customer_id": "cust-100", "amount": "42.00", "invoice_number": "INV-7"}), 200, codeApproved)
	if r.body["masked_card_number"] != "xxxxxxxxxxxx1111" || r.body["avs_response"] != "Full Exact Match" {
		t.Fatalf("sale by customer %s", r.raw)
	}
	x := e.export(r.id())
	if x["customer_id"] != "cust-100" || x["email"] != "steve@example.com" || x["created"].(map[string]any)["through"] != "API Customer" {
		t.Fatalf("by-customer export %v", x)
	}
	r = want(t, e.api("transactions/export/by_date_range", obj{"start_date": "03/10/2026", "end_date": "03/10/2026", "customer_id": "cust-100"}), 200, codeCompleted)
	if len(r.txns()) != 1 {
		t.Fatalf("export by customer %s", r.raw)
	}
	want(t, e.api("transactions/authorization/by_customer", obj{"customer_id": "cust-100", "amount": "5.00"}), 200, codeApproved)
	wantErr(t, e.api("transactions/sale/by_customer", obj{"customer_id": "nobody", "amount": "1.00"}), codeError, keyCustomerAbsent)
	wantErr(t, e.api("transactions/sale/by_customer", obj{"customer_id": "cust-100"}), codeError, keyAmount)

	// Update replaces the card; export shows the masked number only.
	r = want(t, e.api("customer/update", obj{"customer_id": "cust-100", "credit_card": card(CardMastercard), "email": "new@example.com"}), 200, codeCustomerUp)
	if r.body["masked_card_number"] != "xxxxxxxxxxxx5454" {
		t.Fatalf("update %s", r.raw)
	}
	r = want(t, e.api("customer/export", obj{"customer_id": "cust-100"}), 200, codeCompleted)
	list := r.body["customers"].([]any)
	c := list[0].(map[string]any)
	if len(list) != 1 || c["email"] != "new@example.com" || c["credit_card"].(map[string]any)["masked_number"] != "xxxxxxxxxxxx5454" ||
		c["billing_address"].(map[string]any)["name"] != "Steve Smith" || strings.Contains(r.raw, CardMastercard) {
		t.Fatalf("customer export %s", r.raw)
	}

	// A profile with a decline test card declines; a check-only profile cannot be charged as a card.
	want(t, e.api("customer/create", obj{"customer_id": "declines", "credit_card": card(CardDeclined)}), 200, codeCustomerOK)
	want(t, e.api("transactions/sale/by_customer", obj{"customer_id": "declines", "amount": "3.00"}), 400, codeDeclined)
	want(t, e.api("customer/create", obj{"customer_id": "ach-only", "check": obj{"account_number": "123456789", "routing_number": "325070760"}}), 200, codeCustomerOK)
	wantErr(t, e.api("transactions/sale/by_customer", obj{"customer_id": "ach-only", "amount": "3.00"}), codeError, keyNoCard)
	r = want(t, e.api("customer/export", obj{"customer_id": "ach-only"}), 200, codeCompleted)
	if !strings.Contains(r.raw, `"masked_account_number":"xxxxx6789"`) || strings.Contains(r.raw, "123456789") {
		t.Fatalf("check export %s", r.raw)
	}

	// Rename, list all, delete.
	want(t, e.api("customer/update", obj{"customer_id": "declines", "new_customer_id": "cust-100"}), 400, codeError)
	want(t, e.api("customer/update", obj{"customer_id": "declines", "new_customer_id": "declines-2"}), 200, codeCustomerUp)
	r = want(t, e.api("customer/export", obj{}), 200, codeCompleted)
	if n := len(r.body["customers"].([]any)); n != 3 {
		t.Fatalf("all customers %s", r.raw)
	}
	r = want(t, e.api("customer/delete", obj{"customer_id": "cust-100"}), 200, codeCustomerDl)
	if r.body["status_message"] != "The customer profile for cust-100/Steve Smith was successfully deleted" {
		t.Fatalf("delete %s", r.raw)
	}
	wantErr(t, e.api("customer/delete", obj{"customer_id": "cust-100"}), codeError, keyCustomerAbsent)
	wantErr(t, e.api("transactions/sale/by_customer", obj{"customer_id": "cust-100", "amount": "1.00"}), codeError, keyCustomerAbsent)
	wantErr(t, e.api("customer/export", obj{"customer_id": "cust-100"}), codeError, keyCustomerAbsent)
	// Its transactions keep the customer ID.
	if x := e.export(int64(x["transaction_id"].(float64))); x["customer_id"] != "cust-100" {
		t.Fatalf("after delete %v", x)
	}
}

func TestCustomerExportPages(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.ExportLimit = 2 })
	for _, id := range []string{"a", "b", "c"} {
		want(t, e.api("customer/create", obj{"customer_id": id, "credit_card": card(CardVisa), "email": id + "@example.com"}), 200, codeCustomerOK)
	}
	r := want(t, e.api("customer/export", obj{}), 200, codeCompleted)
	if len(r.body["customers"].([]any)) != 2 || r.body["has_more"] != true {
		t.Fatalf("page 1 %s", r.raw)
	}
	r = want(t, e.api("customer/export", obj{"after_customer_id": "b"}), 200, codeCompleted)
	if len(r.body["customers"].([]any)) != 1 || r.body["has_more"] != false {
		t.Fatalf("page 2 %s", r.raw)
	}
	r = want(t, e.api("customer/export", obj{"email": "B@example.com"}), 200, codeCompleted)
	if list := r.body["customers"].([]any); len(list) != 1 || list[0].(map[string]any)["customer_id"] != "b" {
		t.Fatalf("by email %s", r.raw)
	}
}
