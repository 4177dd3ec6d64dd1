package sagesandbox

import (
	"strings"
	"testing"
	"time"
)

func TestAuth(t *testing.T) {
	e := newEnv(t)
	for _, key := range []string{"", "wrong"} {
		for _, path := range []string{"/Sage500API/Items", "/_admin/stats", "/nowhere"} {
			r := e.doKey("GET", path, nil, key)
			if r.status != 401 || r.errField("code") != "Unauthorized" {
				t.Errorf("GET %s with key %q: %d %s", path, key, r.status, r.raw)
			}
		}
	}
	e.want(200, "GET", "/Sage500API/Items", nil)
}

func TestMasterDataAndListShape(t *testing.T) {
	e := newEnv(t)
	r := e.want(200, "GET", "/Sage500API/Items", nil)
	if n, _ := r.body["count"].(float64); n < 5 || int(n) != len(r.body["value"].([]any)) {
		t.Fatalf("items list = %s", r.raw)
	}
	r = e.want(200, "GET", "/Sage500API/Items/STRIPE-SALE", nil)
	if r.body["Description"] != "Online sale" {
		t.Errorf("STRIPE-SALE = %s", r.raw)
	}
	e.wantErr(404, "GET", "/Sage500API/Items/NOPE", nil, `"NOPE" does not exist`)
	r = e.want(200, "GET", "/Sage500API/GLAccounts", nil)
	if !strings.Contains(r.raw, `"1015-00"`) || !strings.Contains(r.raw, "Stripe clearing") {
		t.Errorf("GL accounts = %s", r.raw)
	}
	e.wantErr(404, "GET", "/Sage500API/Widgets", nil, "no route")
	e.wantErr(400, "GET", "/Sage500API/Invoices?externalref=x", nil, `unknown query parameter "externalref"`)
	e.wantErr(400, "GET", "/Sage500API/Invoices?externalRef=", nil, "non-empty")
}

func TestCustomers(t *testing.T) {
	e := newEnv(t)
	r := e.want(201, "POST", "/Sage500API/Customers", map[string]any{"CustomerID": "C000002", "CustomerName": "Given"})
	if r.body["CurrID"] != "USD" || r.body["Status"] != "Active" || r.body["CreateDate"] == "" {
		t.Errorf("defaults = %s", r.raw)
	}
	e.wantErr(409, "POST", "/Sage500API/Customers", map[string]any{"CustomerID": "C000002", "CustomerName": "Again"}, `"C000002" already exists`)
	// Auto-numbering skips the number taken explicitly.
	if id := e.customer("One"); id != "C000001" {
		t.Errorf("first auto ID = %s", id)
	}
	if id := e.customer("Three"); id != "C000003" {
		t.Errorf("auto ID after a taken one = %s", id)
	}
	e.wantErr(400, "POST", "/Sage500API/Customers", map[string]any{"CustomerName": "  "}, "CustomerName is required")
	e.wantErr(400, "POST", "/Sage500API/Customers", map[string]any{"CustomerName": strings.Repeat("x", 41)}, "CustomerName", "40")
	e.wantErr(400, "POST", "/Sage500API/Customers", map[string]any{"CustomerName": "X", "CurrID": "usd"}, `"usd"`)
	e.wantErr(400, "POST", "/Sage500API/Customers", map[string]any{"CustomerName": "X", "Status": "Gone"}, `"Gone"`)
	e.wantErr(400, "POST", "/Sage500API/Customers", map[string]any{"CustomerName": "X", "Nickname": "y"}, `unknown field "Nickname"`)
	e.wantErr(400, "POST", "/Sage500API/Customers", `{"CustomerName":`, "JSON")

	before := time.Now().UTC().Add(-time.Second).Format(time.RFC3339)
	e.want(200, "PUT", "/Sage500API/Customers/C000002", map[string]any{"CustomerName": "Renamed", "EmailAddress": "Mixed@Case.com", "StripeCustomerID_Custom": "cus_9"})
	if r := e.want(200, "GET", "/Sage500API/Customers/C000002", nil); r.body["CurrID"] != "USD" || r.body["Status"] != "Active" {
		t.Errorf("PUT without CurrID/Status changed them: %s", r.raw)
	}
	e.invoice("C000002", "1")
	e.wantErr(409, "PUT", "/Sage500API/Customers/C000002", map[string]any{"CustomerName": "X", "CurrID": "EUR"}, "cannot change to EUR")
	e.wantErr(404, "PUT", "/Sage500API/Customers/NOPE", map[string]any{"CustomerName": "X"}, `"NOPE"`)
	e.wantErr(400, "PUT", "/Sage500API/Customers/C000002", map[string]any{"CustomerID": "C000001", "CustomerName": "X"}, "does not match")
	r = e.want(200, "GET", "/Sage500API/Customers?email=mixed@case.COM", nil)
	if r.body["count"].(float64) != 1 {
		t.Errorf("email lookup = %s", r.raw)
	}
	r = e.want(200, "GET", "/Sage500API/Customers?externalRef=cus_9&modifiedSince="+before, nil)
	if r.body["count"].(float64) != 1 {
		t.Errorf("externalRef+modifiedSince lookup = %s", r.raw)
	}
	future := time.Now().UTC().Add(time.Hour).Format(time.RFC3339)
	if r := e.want(200, "GET", "/Sage500API/Customers?modifiedSince="+future, nil); r.body["count"].(float64) != 0 {
		t.Errorf("modifiedSince future = %s", r.raw)
	}
	e.wantErr(400, "GET", "/Sage500API/Customers?modifiedSince=yesterday", nil, `"yesterday"`)
}

func TestInvoiceExactAmountsAndDuplicates(t *testing.T) {
	e := newEnv(t)
	c := e.customer("Buyer")
	body := `{"CustomerID":"` + c + `","InvoiceDate":"2026-01-15","ExternalRef":"ch_dup","InvoiceTotal":30.1,
		"Lines":[{"ItemID":"WIDGET","Qty":3,"UnitPrice":10.0333333}]}`
	e.wantErr(400, "POST", "/Sage500API/Invoices", body, "UnitPrice", "5 decimal places")
	body = `{"CustomerID":"` + c + `","InvoiceDate":"2026-01-15","ExternalRef":"ch_dup","InvoiceTotal":30.1,
		"Lines":[{"ItemID":"WIDGET","Qty":3,"UnitPrice":10.03333}]}`
	r1 := e.want(201, "POST", "/Sage500API/Invoices", body)
	// Exact digits at the currency's scale, as JSON numbers.
	for _, s := range []string{`"InvoiceTotal":30.10`, `"Balance":30.10`, `"ExtAmt":30.10`, `"UnitPrice":10.03333`, `"InvoiceNo":"INV-000001"`} {
		if !strings.Contains(r1.raw, s) {
			t.Errorf("response lacks %s: %s", s, r1.raw)
		}
	}
	r2 := e.want(201, "POST", "/Sage500API/Invoices", body)
	if r2.body["InvoiceNo"] != "INV-000002" {
		t.Errorf("duplicate POST = %s", r2.raw)
	}
	r := e.want(200, "GET", "/Sage500API/Invoices?externalRef=ch_dup", nil)
	if r.body["count"].(float64) != 2 || r.body["value"].([]any)[0].(map[string]any)["InvoiceNo"] != "INV-000001" {
		t.Errorf("duplicates list (oldest first) = %s", r.raw)
	}
	e.wantErr(400, "POST", "/Sage500API/Invoices", strings.Replace(body, "30.1,", `"30.10",`, 1), "InvoiceTotal", "JSON number")
	e.wantErr(400, "POST", "/Sage500API/Invoices", strings.Replace(body, "30.1,", "30.11,", 1), "InvoiceTotal 30.11", "30.10")
	e.wantErr(400, "POST", "/Sage500API/Invoices", strings.Replace(body, `"Qty":3`, `"Qty":-1`, 1), "Lines[0].Qty -1")
	e.wantErr(400, "POST", "/Sage500API/Invoices", strings.Replace(body, `"WIDGET"`, `"DISCONTINUED"`, 1), `"DISCONTINUED" is Inactive`)
	e.wantErr(400, "POST", "/Sage500API/Invoices", strings.Replace(body, `"WIDGET"`, `"NOPE"`, 1), `ItemID "NOPE" does not exist`)
	e.wantErr(400, "POST", "/Sage500API/Invoices", strings.Replace(body, `2026-01-15`, `2026-02-30`, 1), `InvoiceDate "2026-02-30"`)
	e.wantErr(400, "POST", "/Sage500API/Invoices", strings.Replace(body, `"InvoiceDate"`, `"InvoiceNo":"X","InvoiceDate"`, 1), "InvoiceNo is assigned")
	e.wantErr(400, "POST", "/Sage500API/Invoices", strings.Replace(body, `"InvoiceDate"`, `"CurrID":"EUR","InvoiceDate"`, 1), `"EUR" does not match`)
	e.wantErr(400, "POST", "/Sage500API/Invoices", `{"InvoiceDate":"2026-01-15","Lines":[]}`, "CustomerID is required")
	e.wantErr(400, "POST", "/Sage500API/Invoices", body+`{}`, "single JSON object")
	e.wantErr(404, "GET", "/Sage500API/Invoices/INV-999999", nil, `Invoice "INV-999999" does not exist`)
}

func TestPaymentsAndVoids(t *testing.T) {
	e := newEnv(t)
	c := e.customer("Payer")
	inv := e.invoice(c, "100")
	pay := func(amount string) resp {
		return e.do("POST", "/Sage500API/Payments", `{"CustomerID":"`+c+`","InvoiceNo":"`+inv+`","PaymentDate":"2026-01-16","Amount":`+amount+`,"ExternalRef":"ch_1"}`)
	}
	if r := pay("100.001"); r.status != 400 || !strings.Contains(r.errField("message"), "more than 2 decimal places") {
		t.Errorf("3-decimal USD payment: %s", r.raw)
	}
	if r := pay("100.01"); r.status != 400 || !strings.Contains(r.errField("message"), "exceeds the open balance 100.00") {
		t.Errorf("overpayment: %s", r.raw)
	}
	p := pay("100")
	if p.status != 201 || p.body["PaymentNo"] != "PMT-000001" {
		t.Fatalf("payment: %s", p.raw)
	}
	r := e.want(200, "GET", "/Sage500API/Invoices/"+inv, nil)
	if r.body["Status"] != "Paid" || !strings.Contains(r.raw, `"Balance":0.00`) {
		t.Errorf("paid invoice = %s", r.raw)
	}
	e.wantErr(409, "POST", "/Sage500API/Invoices/"+inv+"/Void", nil, "PMT-000001", "void the payment first")
	e.want(200, "POST", "/Sage500API/Payments/PMT-000001/Void", nil)
	e.wantErr(409, "POST", "/Sage500API/Payments/PMT-000001/Void", nil, "already Void")
	r = e.want(200, "GET", "/Sage500API/Payments?invoiceNo="+inv, nil)
	if r.body["count"].(float64) != 1 {
		t.Errorf("payments by invoice = %s", r.raw)
	}
	e.want(200, "POST", "/Sage500API/Invoices/"+inv+"/Void", nil)
	if r := pay("1"); r.status != 409 || !strings.Contains(r.errField("message"), "is Void") {
		t.Errorf("payment on void invoice: %s", r.raw)
	}
}

func TestJournalEntriesAndReverse(t *testing.T) {
	e := newEnv(t)
	je := `{"PostDate":"2026-01-20","CurrID":"JPY","ExternalRef":"po_1","Lines":[
		{"AcctNo":"1010-00","Debit":9700},{"AcctNo":"6150-00","Debit":300},{"AcctNo":"1015-00","Credit":10000}]}`
	r := e.want(201, "POST", "/Sage500API/JournalEntries", je)
	if !strings.Contains(r.raw, `"Debit":9700,"Credit":0`) {
		t.Errorf("JPY entry = %s", r.raw)
	}
	e.wantErr(400, "POST", "/Sage500API/JournalEntries", strings.Replace(je, "9700", "9700.5", 1), "Lines[0].Debit 9700.5", "0 decimal places")
	e.wantErr(400, "POST", "/Sage500API/JournalEntries", strings.Replace(je, "9700", "9600", 1), "out of balance", "9900", "10000")
	e.wantErr(400, "POST", "/Sage500API/JournalEntries", strings.Replace(je, "1010-00", "1999-00", 1), `"1999-00" is Inactive`)
	e.wantErr(400, "POST", "/Sage500API/JournalEntries", strings.Replace(je, `"Debit":300`, `"Debit":300,"Credit":300`, 1), "exactly one of Debit or Credit")

	rev := e.want(201, "POST", "/Sage500API/JournalEntries/JE-000001/Reverse", `{"PostDate":"2026-01-31"}`)
	if rev.body["ReversalOf"] != "JE-000001" || rev.body["PostDate"] != "2026-01-31" || !strings.Contains(rev.raw, `"Debit":0,"Credit":9700`) {
		t.Errorf("reversal = %s", rev.raw)
	}
	orig := e.want(200, "GET", "/Sage500API/JournalEntries/JE-000001", nil)
	if orig.body["Status"] != "Reversed" || orig.body["ReversedBy"] != rev.body["EntryNo"] {
		t.Errorf("original after reverse = %s", orig.raw)
	}
	e.wantErr(409, "POST", "/Sage500API/JournalEntries/JE-000001/Reverse", nil, "already reversed")
	e.wantErr(409, "POST", "/Sage500API/JournalEntries/"+rev.body["EntryNo"].(string)+"/Reverse", nil, "itself the reversal")
	e.wantErr(404, "POST", "/Sage500API/JournalEntries/JE-999/Reverse", nil, "JE-999")
}

func TestPersistenceAcrossRestart(t *testing.T) {
	e := newEnv(t)
	c := e.customer("Durable")
	inv := e.invoice(c, "12.34")
	e.close()

	e2 := openEnv(t, e.dbPath)
	r := e2.want(200, "GET", "/Sage500API/Invoices/"+inv, nil)
	if !strings.Contains(r.raw, `"InvoiceTotal":12.34`) {
		t.Errorf("invoice after restart = %s", r.raw)
	}
	if got := e2.invoice(c, "1"); got != "INV-000002" {
		t.Errorf("numbering after restart = %s", got)
	}
	if got := e2.customer("Next"); got != "C000002" {
		t.Errorf("customer numbering after restart = %s", got)
	}
}
