package paytracesandbox

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCards(t *testing.T) {
	tests := []struct {
		number string
		brand  string
		luhn   bool
	}{
		{CardVisa, brandVisa, true},
		{CardMastercard, brandMastercard, true},
		{CardVisa2, brandVisa, true},
		{CardAmex, brandAmex, true},
		{CardDiscover, brandDiscover, true},
		{CardDeclined, brandVisa, true},
		{CardInsufficientFund, brandVisa, true},
		{"2223003122003222", brandMastercard, true},
		{"4111111111111112", brandVisa, false},
		{"3530111333300000", "", true}, // JCB: not accepted
	}
	for _, tc := range tests {
		if got := cardBrand(tc.number); got != tc.brand {
			t.Errorf("cardBrand(%s) = %q, want %q", tc.number, got, tc.brand)
		}
		if got := luhn(tc.number); got != tc.luhn {
			t.Errorf("luhn(%s) = %v, want %v", tc.number, got, tc.luhn)
		}
	}
	if got := maskNumber(CardAmex); got != "xxxxxxxxxxx0005" {
		t.Errorf("mask = %q", got)
	}
}

func TestSaleKeyed(t *testing.T) {
	e := newEnv(t)
	billing := obj{"name": "Steve Smith", "street_address": "8320 E. West St.", "city": "Spokane", "state": "WA", "zip": "85284"}
	tests := []struct {
		name     string
		body     obj
		status   int
		code     int
		keys     string
		approval string
		masked   string
	}{
		{"visa approves", obj{"amount": "19.99", "credit_card": card(CardVisa), "csc": "999", "billing_address": billing},
			200, codeApproved, "", "  EXACT MATCH - Approved and completed", "xxxxxxxxxxxx1111"},
		{"mastercard, number amount", obj{"amount": 5.5, "credit_card": card(CardMastercard)},
			200, codeApproved, "", "  NO  MATCH - Approved and completed", "xxxxxxxxxxxx5454"},
		{"string expiry", obj{"amount": "1.00", "credit_card": obj{"number": CardAmex, "expiration_month": "09", "expiration_year": "2031"}, "csc": "1234"},
			200, codeApproved, "", "  NO  MATCH - Approved and completed", "xxxxxxxxxxx0005"},
		{"insufficient funds amount", obj{"amount": "1.12", "credit_card": card(CardVisa)},
			400, codeDeclined, "", "    NSF - Insufficient funds", "xxxxxxxxxxxx1111"},
		{"do not honor amount", obj{"amount": "1.13", "credit_card": card(CardMastercard)},
			400, codeDeclined, "", "    DECLINE - Do not honor", "xxxxxxxxxxxx5454"},
		{"decline card", obj{"amount": "20.00", "credit_card": card(CardDeclined)},
			400, codeDeclined, "", "    DECLINE - Do not honor", "xxxxxxxxxxxx0002"},
		{"nsf card", obj{"amount": "20.00", "credit_card": card(CardInsufficientFund)},
			400, codeDeclined, "", "    NSF - Insufficient funds", "xxxxxxxxxxxx9995"},
		{"expired card", obj{"amount": "20.00", "credit_card": obj{"number": CardVisa, "expiration_month": 2, "expiration_year": 2026}},
			400, codeDeclined, "", "  EXPIRED CARD - Expired card", "xxxxxxxxxxxx1111"},
		{"luhn invalid", obj{"amount": "1.00", "credit_card": card("4111111111111112")}, 400, codeError, keyCardNumber, "", ""},
		{"unsupported brand", obj{"amount": "1.00", "credit_card": card("3530111333300000")}, 400, codeError, keyCardNumber, "", ""},
		{"bad month and year", obj{"amount": "1.00", "credit_card": obj{"number": CardVisa, "expiration_month": 13, "expiration_year": 1999}},
			400, codeError, keyExpMonth + "," + keyExpYear, "", ""},
		{"zero amount", obj{"amount": "0.00", "credit_card": card(CardVisa)}, 400, codeError, keyAmount, "", ""},
		{"three decimals", obj{"amount": "1.001", "credit_card": card(CardVisa)}, 400, codeError, keyAmount, "", ""},
		{"no amount no card", obj{}, 400, codeError, keyCardNumber + "," + keyAmount, "", ""},
		{"bad csc", obj{"amount": "1.00", "credit_card": card(CardVisa), "csc": "12"}, 400, codeError, keyCSC, "", ""},
		{"unknown field", obj{"amount": "1.00", "credit_card": card(CardVisa), "invoice": "A1"}, 400, codeError, keyMalformed, "", ""},
		{"customer_id is not a keyed field", obj{"amount": "1.00", "credit_card": card(CardVisa), "customer_id": "c1"}, 400, codeError, keyMalformed, "", ""},
		{"card number as number", obj{"amount": "1.00", "credit_card": obj{"number": 4111111111111111, "expiration_month": 1, "expiration_year": 2030}},
			400, codeError, keyMalformed, "", ""},
	}
	var lastID int64
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.api("transactions/sale/keyed", tc.body)
			want(t, r, tc.status, tc.code)
			if tc.keys != "" {
				wantErr(t, r, tc.code, tc.keys)
				if _, ok := r.body["transaction_id"]; ok {
					t.Errorf("an error carries a transaction_id: %s", r.raw)
				}
				return
			}
			if r.body["success"] != (tc.code == codeApproved) || r.body["approval_message"] != tc.approval ||
				r.body["masked_card_number"] != tc.masked || r.body["external_transaction_id"] != "" {
				t.Fatalf("body %s", r.raw)
			}
			if r.id() <= lastID {
				t.Fatalf("transaction_id %d not above %d", r.id(), lastID)
			}
			lastID = r.id()
			if tc.code == codeApproved && !strings.HasPrefix(r.body["approval_code"].(string), "TAS") {
				t.Errorf("approval_code %v", r.body["approval_code"])
			}
			if tc.code == codeDeclined && (r.body["status_message"] != msgDeclined || r.body["approval_code"] != "") {
				t.Errorf("decline body %s", r.raw)
			}
		})
	}
}

func TestSaleFieldsExported(t *testing.T) {
	e := newEnv(t)
	r := want(t, e.api("transactions/sale/keyed", obj{"amount": "26.50", "credit_card": card(CardVisa), "csc": "123",
		"billing_address": obj{"name": "Ann Lee", "street_address": "1 Main St", "street_address2": "Suite 2", "city": "Spokane",
			"state": "WA", "zip": "99201", "country": "US"},
		"invoice_number": "INV-1001", "description": "Widgets", "email": "ann@example.com", "tax_amount": "1.50",
		"line_items": []obj{{"product_id": "WIDGET", "description": "Blue widget", "quantity": 2, "unit_cost": "12.50", "amount": "25.00"}},
	}), 200, codeApproved)
	x := e.export(r.id())
	checks := map[string]any{"transaction_type": "SALE", "status": "Pending Settlement", "amount": 26.5, "authorized_amount": 26.5,
		"captured_amount": 26.5, "refunded_amount": 0.0, "tax_amount": 1.5, "invoice_number": "INV-1001", "description": "Widgets",
		"email": "ann@example.com", "payment_method_type": "CC", "settled": "", "batch_number": 0.0, "response_code": 101.0,
		"avs_response": "Full Exact Match", "csc_response": "Match"}
	for k, v := range checks {
		if x[k] != v {
			t.Errorf("%s = %v, want %v", k, x[k], v)
		}
	}
	cc := x["credit_card"].(map[string]any)
	if cc["masked_number"] != "xxxxxxxxxxxx1111" || cc["type"] != "VISA" || cc["expiration_month"] != 12.0 || cc["expiration_year"] != 2030.0 {
		t.Errorf("credit_card %v", cc)
	}
	created := x["created"].(map[string]any)
	if created["at"] != "3/10/2026 10:00:00 AM" || created["through"] != "API Keyed" || created["by"] != DefaultUser ||
		created["at_utc"] != "2026-03-10T17:00:00Z" {
		t.Errorf("created %v", created)
	}
	li := x["line_items"].([]any)[0].(map[string]any)
	if li["amount"] != 25.0 || li["quantity"] != 2.0 || li["product_id"] != "WIDGET" {
		t.Errorf("line item %v", li)
	}
	if x["billing_address"].(map[string]any)["street_address2"] != "Suite 2" {
		t.Errorf("billing %v", x["billing_address"])
	}
	// A line item amount that is not quantity × unit_cost is refused.
	r = e.api("transactions/sale/keyed", obj{"amount": "10.00", "credit_card": card(CardVisa),
		"line_items": []obj{{"description": "x", "quantity": 3, "unit_cost": "3.33", "amount": "10.00"}}})
	wantErr(t, r, codeError, keyLineItem)
}

// TestPANNeverStored scans every byte of the database files and every response for the
// card numbers that came in.
func TestPANNeverStored(t *testing.T) {
	e := newEnv(t)
	pans := []string{CardVisa2, CardMastercard, CardAmex}
	var bodies []string
	r := e.api("transactions/sale/keyed", obj{"amount": "12.00", "credit_card": card(CardVisa2), "csc": "314"})
	bodies = append(bodies, r.raw)
	r = e.api("transactions/authorization/keyed", obj{"amount": "1.12", "credit_card": card(CardMastercard)})
	bodies = append(bodies, r.raw)
	r = e.api("customer/create", obj{"customer_id": "pan-test", "credit_card": obj{"number": CardAmex, "expiration_month": 1, "expiration_year": 2031}})
	bodies = append(bodies, r.raw)
	bodies = append(bodies, e.api("transactions/export/by_date_range", obj{"start_date": "03/10/2026", "end_date": "03/10/2026"}).raw)
	bodies = append(bodies, e.api("customer/export", obj{}).raw)
	e.close()

	files, err := filepath.Glob(e.dbPath + "*")
	if err != nil || len(files) == 0 {
		t.Fatalf("db files: %v %v", files, err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, pan := range pans {
			if bytes.Contains(data, []byte(pan)) {
				t.Errorf("%s contains the PAN %s", filepath.Base(f), pan)
			}
			if bytes.Contains(data, []byte(pan[:12])) {
				t.Errorf("%s contains the first 12 digits of %s", filepath.Base(f), pan)
			}
		}
		if bytes.Contains(data, []byte(`"csc"`)) {
			t.Errorf("%s stores a csc field", filepath.Base(f))
		}
	}
	for _, b := range bodies {
		for _, pan := range pans {
			if strings.Contains(b, pan) {
				t.Errorf("a response contains the PAN %s: %s", pan, b)
			}
		}
	}
	if !strings.Contains(bodies[3], "xxxxxxxxxxxx5439") {
		t.Errorf("export lacks the masked number: %s", bodies[3])
	}
}
