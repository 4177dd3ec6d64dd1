package sagesandbox

import (
	"strings"
	"testing"
)

func (e *tenv) proCustomer() string {
	e.t.Helper()
	return e.want(201, "POST", "/SageProAPI/Customer", map[string]any{"company": "Buyer", "email": "a@b.co"}).body["custno"].(string)
}

func TestProCustomers(t *testing.T) {
	e := newEnv(t)
	id := e.proCustomer()
	if id != "C000001" {
		t.Errorf("custno = %q", id)
	}
	e.wantErr(400, "POST", "/SageProAPI/Customer", map[string]any{"custno": "abc", "company": "X"}, `custno "abc" must be upper case`)
	e.wantErr(400, "POST", "/SageProAPI/Customer", map[string]any{"custno": "TOOLONGCUSTNO", "company": "X"}, "custno", "10")
	e.wantErr(400, "POST", "/SageProAPI/Customer", map[string]any{"company": strings.Repeat("x", 41)}, "company", "40")
	e.wantErr(400, "POST", "/SageProAPI/Customer", map[string]any{"company": "X", "address1": strings.Repeat("x", 41)}, "address1", "40")
	e.wantErr(400, "POST", "/SageProAPI/Customer", map[string]any{"company": "X", "state": "il"}, `state "il" must be upper case`)
	e.wantErr(409, "POST", "/SageProAPI/Customer", map[string]any{"custno": id, "company": "X"}, "already exists")
	// Sage Pro stores duplicates by e-mail: preventing them is the integration's job.
	e.want(201, "POST", "/SageProAPI/Customer", map[string]any{"company": "Buyer", "email": "a@b.co"})
}

func TestProDocuments(t *testing.T) {
	e := newEnv(t)
	cust := e.proCustomer()
	inv := func(date string, extra map[string]any) resp {
		body := map[string]any{"custno": cust, "invdate": date, "extref": "ch_1",
			"lines": []map[string]any{{"item": "WIDGET", "qty": 2, "price": 19.99}}}
		for k, v := range extra {
			body[k] = v
		}
		return e.do("POST", "/SageProAPI/Invoice", body)
	}
	if r := inv("2026-01-15", nil); r.status != 400 || !strings.Contains(r.errField("message"), "MM/DD/YYYY") {
		t.Errorf("ISO date accepted: %s", r.raw)
	}
	if r := inv("01/15/2026", map[string]any{"tax": 3.20, "invamt": 43.18}); r.status != 201 ||
		!strings.Contains(r.raw, `"invamt":43.18`) || r.body["PaymentStatus"] != "Unpaid" || r.body["invdate"] != "01/15/2026" {
		t.Errorf("invoice with tax = %s", r.raw)
	}
	if r := inv("01/15/2026", map[string]any{"invamt": 40.00}); r.status != 400 || !strings.Contains(r.errField("message"), "plus tax") {
		t.Errorf("wrong total = %s", r.raw)
	}
	if r := inv("01/15/2026", map[string]any{"PaymentStatus": "Paid"}); r.status != 400 || !strings.Contains(r.errField("message"), "assigned by Sage Pro") {
		t.Errorf("PaymentStatus accepted on invoice: %s", r.raw)
	}
	r := e.do("POST", "/SageProAPI/SalesOrder", map[string]any{"custno": cust, "ordate": "01/15/2026", "extref": "pi_1",
		"lines": []map[string]any{{"item": "NOPE", "qty": 1, "price": 1}}})
	if r.status != 400 || !strings.Contains(r.errField("message"), `item "NOPE" does not exist`) {
		t.Errorf("unknown item = %s", r.raw)
	}
}

func TestProReceipts(t *testing.T) {
	e := newEnv(t)
	cust := e.proCustomer()
	invno := e.want(201, "POST", "/SageProAPI/Invoice", map[string]any{"custno": cust, "invdate": "01/15/2026", "extref": "ch_1",
		"lines": []map[string]any{{"item": "SERVICE", "qty": 1, "price": 100}}}).body["invno"].(string)
	rc := func(extra map[string]any) resp {
		body := map[string]any{"custno": cust, "invno": invno, "dtepaid": "01/16/2026", "paidamt": 100, "paymethod": "Stripe visa",
			"PaymentStatus": "Paid", "extref": "ch_1"}
		for k, v := range extra {
			body[k] = v
		}
		return e.do("POST", "/SageProAPI/Receipt", body)
	}
	if r := rc(map[string]any{"PaymentStatus": "succeeded"}); r.status != 400 || !strings.Contains(r.errField("message"), `PaymentStatus "succeeded"`) {
		t.Errorf("unmapped status accepted: %s", r.raw)
	}
	if r := rc(map[string]any{"feeamt": 3.20, "netamt": 97.00}); r.status != 400 || !strings.Contains(r.errField("message"), "net amount 97.00 does not equal gross 100.00 − fee 3.20 = 96.80") {
		t.Errorf("bad net = %s", r.raw)
	}
	r := rc(map[string]any{"grossamt": 100, "feeamt": 3.20})
	if r.status != 201 || !strings.Contains(r.raw, `"netamt":96.80`) || r.body["PaymentStatus"] != "Paid" {
		t.Fatalf("receipt = %s", r.raw)
	}
	inv := e.want(200, "GET", "/SageProAPI/Invoice/"+invno, nil)
	if inv.body["PaymentStatus"] != "Paid" || !strings.Contains(inv.raw, `"balance":0.00`) {
		t.Errorf("invoice after receipt = %s", inv.raw)
	}
	e.wantErr(409, "POST", "/SageProAPI/Invoice/"+invno+"/Void", nil, r.body["rcptno"].(string))
	v := e.want(200, "POST", "/SageProAPI/Receipt/"+r.body["rcptno"].(string)+"/Void", nil)
	if v.body["PaymentStatus"] != "Void" {
		t.Errorf("voided receipt = %s", v.raw)
	}
	if inv := e.want(200, "GET", "/SageProAPI/Invoice/"+invno, nil); inv.body["PaymentStatus"] != "Unpaid" {
		t.Errorf("invoice after receipt void = %s", inv.raw)
	}
}
