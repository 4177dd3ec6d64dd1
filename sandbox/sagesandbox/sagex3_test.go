package sagesandbox

import (
	"strings"
	"testing"
)

const x3BPC = "/api/v1/customers/businessPartners"

func (e *tenv) x3Customer(email, ref string) string {
	e.t.Helper()
	r := e.want(201, "POST", x3BPC, map[string]any{"BPCNAM": "Buyer", "WEB": email, "ZEXTREF": ref, "CRY": "US", "SAT": "IL"})
	return r.body["BPCNUM"].(string)
}

func TestX3Customers(t *testing.T) {
	e := newEnv(t)
	id := e.x3Customer("a@b.co", "pt_cust_1")
	r := e.want(200, "GET", x3BPC+"/"+id, nil)
	if r.body["BPCSTA"] != float64(2) || r.body["CUR"] != "USD" || r.body["CREDATTIM"] == "" {
		t.Errorf("defaults = %s", r.raw)
	}
	e.wantErr(409, "POST", x3BPC, map[string]any{"BPCNAM": "Dup", "WEB": "A@B.CO"}, "Duplicate Customer (BPC) record detected during sync", id, "WEB")
	e.wantErr(409, "POST", x3BPC, map[string]any{"BPCNAM": "Dup", "ZEXTREF": "pt_cust_1"}, "Duplicate Customer (BPC)", "ZEXTREF")
	e.wantErr(400, "POST", x3BPC, map[string]any{"BPCNAM": "X", "CRY": "XX"}, `CRY "XX"`)
	e.wantErr(400, "POST", x3BPC, map[string]any{"BPCNAM": "X", "CRY": "us"}, `CRY "us"`)
	e.wantErr(400, "POST", x3BPC, map[string]any{"BPCNAM": "X", "CRY": "US", "SAT": "Illinois"}, `SAT "Illinois"`, "IL")
	e.wantErr(400, "POST", x3BPC, map[string]any{"BPCNAM": "X", "CRY": "US", "SAT": "il"}, `SAT "il"`)
	e.wantErr(400, "POST", x3BPC, map[string]any{"BPCNAM": ""}, "BPCNAM")
	e.wantErr(400, "POST", x3BPC, map[string]any{"BPCNAM": "X", "BPAADDLIG": []string{"1", "2", "3", "4"}}, "at most 3")
	e.wantErr(400, "POST", x3BPC, map[string]any{"BPCNAM": "X", "CustomerName": "y"}, `unknown field "CustomerName"`)
	// Same e-mail on an update is the integration's business (no duplicate check on PUT).
	e.want(200, "PUT", x3BPC+"/"+id, map[string]any{"BPCNAM": "Renamed", "WEB": "a@b.co", "ZEXTREF": "pt_cust_1", "BPCSTA": 1})
	if r := e.want(200, "GET", x3BPC+"?externalRef=pt_cust_1", nil); !strings.Contains(r.raw, `"BPCSTA":1`) {
		t.Errorf("after PUT = %s", r.raw)
	}
}

func TestX3OrdersStockAndInvoices(t *testing.T) {
	e := newEnv(t)
	cust := e.x3Customer("o@b.co", "")
	order := func(item string) resp {
		return e.do("POST", "/api/v1/sales/salesOrders", map[string]any{"BPCORD": cust, "ORDDAT": "2026-01-15", "ZEXTREF": "pt_1",
			"LINES": []map[string]any{{"ITMREF": item, "QTY": 4, "GROPRI": 19.99}}})
	}
	r := order("NOPE")
	if r.status != 400 || !strings.Contains(r.errField("message"), `Sales Order (SOH) creation failure due to invalid Product (ITM): ITMREF "NOPE" does not exist`) {
		t.Errorf("invalid product = %d %s", r.status, r.raw)
	}
	r = order("WIDGET")
	if r.status != 201 || r.body["SALFCY"] != "US011" || r.body["STA"] != "Open" || !strings.Contains(r.raw, `"ORDATI":79.96`) {
		t.Fatalf("order = %s", r.raw)
	}
	so := r.body["SOHNUM"].(string)
	// Creating the order allocates nothing; the explicit allocation does, once.
	if st := e.want(200, "GET", "/api/v1/inventory/stock/WIDGET?facility=US011", nil); !strings.Contains(st.raw, `"ALASTO":0`) || r.body["ALLSTA"] != float64(1) {
		t.Errorf("stock before allocation = %s (order %s)", st.raw, r.raw)
	}
	for i := 0; i < 2; i++ {
		if a := e.want(200, "POST", "/api/v1/sales/salesOrders/"+so+"/allocate", nil); a.body["ALLSTA"] != float64(3) {
			t.Errorf("allocate = %s", a.raw)
		}
	}
	st := e.want(200, "GET", "/api/v1/inventory/stock/WIDGET?facility=US011", nil)
	if !strings.Contains(st.raw, `"ALASTO":4`) || !strings.Contains(st.raw, `"AVASTO":96`) {
		t.Errorf("stock = %s", st.raw)
	}
	e.wantErr(404, "POST", "/api/v1/sales/salesOrders/SOH999999/allocate", nil, "SOH999999")
	e.wantErr(400, "GET", "/api/v1/inventory/stock/SERVICE", nil, "not stock-managed")
	inv := e.want(201, "POST", "/api/v1/sales/salesInvoices", map[string]any{"BPCINV": cust, "INVDAT": "2026-01-15", "SOHNUM": so,
		"ZEXTREF": "pt_1", "LINES": []map[string]any{{"ITMREF": "WIDGET", "QTY": 4, "GROPRI": 19.99, "NETPRI": 18, "AMTNOTLIN": 72}}})
	if inv.body["SIVTYP"] != "INV" || !strings.Contains(inv.raw, `"OPNAMT":72.00`) {
		t.Errorf("invoice = %s", inv.raw)
	}
	e.wantErr(400, "POST", "/api/v1/sales/salesInvoices", map[string]any{"BPCINV": cust, "INVDAT": "2026-01-15", "ORDDAT": "2026-01-15",
		"LINES": []map[string]any{{"ITMREF": "WIDGET", "QTY": 1, "GROPRI": 1}}}, "ORDDAT must not be sent")
	e.wantErr(409, "POST", "/api/v1/sales/salesOrders/"+so+"/cancel", nil, so, inv.body["NUM"].(string))
	if r := e.want(200, "GET", "/api/v1/sales/salesInvoices?salesOrder="+so, nil); r.body["count"] != float64(1) {
		t.Errorf("invoices of order = %s", r.raw)
	}
}

func TestX3PaymentsAndJournal(t *testing.T) {
	e := newEnv(t)
	cust := e.x3Customer("p@b.co", "")
	inv := e.want(201, "POST", "/api/v1/sales/salesInvoices", map[string]any{"BPCINV": cust, "INVDAT": "2026-01-15", "ZEXTREF": "x",
		"LINES": []map[string]any{{"ITMREF": "SERVICE", "QTY": 1, "GROPRI": 150}}}).body["NUM"].(string)
	pay := func(typ, acc string) resp {
		return e.do("POST", "/api/v1/financials/payments", map[string]any{"PAYTYP": typ, "BPR": cust, "ACCDAT": "2026-01-15",
			"AMTCUR": 50, "ACC": acc, "VCRNUM": inv, "REFLOT": "txn_1"})
	}
	if r := pay("CB", "9999-99"); r.status != 400 || !strings.Contains(r.errField("message"), "Payment (PAY) posting failure due to incorrect Ledger Account (ACC) mapping") {
		t.Errorf("bad ACC = %d %s", r.status, r.raw)
	}
	if r := pay("XX", "1016-00"); r.status != 400 || !strings.Contains(r.errField("message"), `PAYTYP "XX"`) {
		t.Errorf("bad PAYTYP = %d %s", r.status, r.raw)
	}
	p := pay("CB", "1016-00")
	if p.status != 201 || p.body["STA"] != "Applied" {
		t.Fatalf("payment = %s", p.raw)
	}
	if r := e.want(200, "GET", "/api/v1/financials/payments?externalRef=txn_1", nil); r.body["count"] != float64(1) {
		t.Errorf("lookup by REFLOT = %s", r.raw)
	}
	je := func(lines ...map[string]any) resp {
		return e.do("POST", "/api/v1/financials/journalEntries", map[string]any{"ACCDAT": "2026-01-31", "ZEXTREF": "po_1", "LINES": lines})
	}
	if r := je(map[string]any{"ACC": "1010-00", "SNS": 0, "AMTCUR": 1}, map[string]any{"ACC": "1015-00", "SNS": -1, "AMTCUR": 1}); r.status != 400 ||
		!strings.Contains(r.errField("message"), "SNS 0 must be 1 (debit) or -1 (credit)") {
		t.Errorf("bad SNS = %s", r.raw)
	}
	if r := je(map[string]any{"ACC": "1010-00", "SNS": 1, "AMTCUR": 10}, map[string]any{"ACC": "1015-00", "SNS": -1, "AMTCUR": 9.99}); r.status != 400 ||
		!strings.Contains(r.errField("message"), "out of balance") {
		t.Errorf("unbalanced = %s", r.raw)
	}
	ok := je(map[string]any{"ACC": "1010-00", "SNS": 1, "AMTCUR": 10}, map[string]any{"ACC": "1015-00", "SNS": -1, "AMTCUR": 10})
	no := ok.body["NUM"].(string)
	rev := e.want(201, "POST", "/api/v1/financials/journalEntries/"+no+"/reverse", "")
	if rev.body["ZEXTREF"] != "REV-po_1" || rev.body["REVERSALOF"] != no {
		t.Errorf("reversal = %s", rev.raw)
	}
	e.wantErr(409, "POST", "/api/v1/financials/journalEntries/"+no+"/reverse", "", "already reversed")
}

func TestFaultsApplyToNewDialects(t *testing.T) {
	e := newEnv(t)
	e.want(200, "PUT", "/_admin/faults", map[string]any{"error_rate": 1, "path_prefix": "/api/v1/"})
	e.want(503, "GET", "/api/v1/products", nil)
	e.want(200, "GET", "/SageProAPI/Item", nil)
	e.want(200, "PUT", "/_admin/faults", map[string]any{"rate_limit_rate": 1, "retry_after_s": 3, "path_prefix": "/SageProAPI/"})
	if r := e.want(429, "GET", "/SageProAPI/Item", nil); r.header.Get("Retry-After") != "3" {
		t.Errorf("Retry-After = %q", r.header.Get("Retry-After"))
	}
	e.want(200, "DELETE", "/_admin/faults", nil)
	e.want(200, "GET", "/api/v1/products/WIDGET", nil)
	if r := e.doKey("GET", "/api/v1/products", nil, "wrong"); r.status != 401 {
		t.Errorf("X3 without auth = %d", r.status)
	}
	if r := e.doKey("GET", "/SageProAPI/Item", nil, ""); r.status != 401 {
		t.Errorf("Pro without auth = %d", r.status)
	}
}
