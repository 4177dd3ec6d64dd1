package sagesandbox

import (
	"context"
	"net/http"
	"strings"
)

// Sage X3 dialect: a REST facade keeping X3 field codes (BPCNUM, SOHNUM, ITMREF, …), ISO dates
// (YYYY-MM-DD) and amounts as exact JSON numbers. Business rules come from the ledger core.
//
// Endpoints (base /api/v1):
//
//	POST/GET /customers/businessPartners, GET/PUT /customers/businessPartners/{BPCNUM}   ?externalRef=&email=&modifiedSince=
//	GET /products, GET /products/{ITMREF}, GET /inventory/stock/{ITMREF} ?facility=
//	POST /sales/salesOrders/{SOHNUM}/allocate (allocates the order's stock once; cancel releases it)
//	GET /financials/accounts, GET /financials/accounts/{ACC}, GET /financials/paymentTypes
//	POST/GET /sales/salesOrders, GET /sales/salesOrders/{SOHNUM}, POST …/{SOHNUM}/cancel   ?externalRef=&customer=
//	POST/GET /sales/salesInvoices, GET …/{NUM}, POST …/{NUM}/void   ?externalRef=&customer=&salesOrder=
//	POST/GET /sales/creditMemos, GET …/{NUM}, POST …/{NUM}/void   ?externalRef=&customer=&invoice=
//	POST/GET /financials/payments, GET …/{NUM}, POST …/{NUM}/void   ?externalRef= (REFLOT) &customer=&invoice=
//	POST/GET /financials/journalEntries, GET …/{NUM}, POST …/{NUM}/reverse   ?externalRef=
const x3Base = "/api/v1"

// x3DefaultFacility is the sales site used when SALFCY is absent.
const x3DefaultFacility = "US011"

// x3Facilities are the seeded sales/stock sites.
var x3Facilities = map[string]string{"US011": "US main site", "FR011": "France main site"}

// x3PayTypes are the seeded payment types (PAYTYP).
var x3PayTypes = []x3PayType{
	{PAYTYP: "CB", DES: "Card (credit/debit)"},
	{PAYTYP: "VIR", DES: "Bank transfer / ACH"},
	{PAYTYP: "PRL", DES: "Direct debit"},
	{PAYTYP: "CHQ", DES: "Check"},
	{PAYTYP: "ESP", DES: "Cash"},
}

type x3PayType struct {
	PAYTYP string `json:"PAYTYP"`
	DES    string `json:"DES"`
}

var x3 = &ldDialect{
	prefix: "sagex3",
	system: "Sage X3",
	v: ldVocab{Customer: "Customer (BPC)", Item: "Product (ITM)", Account: "Ledger Account (ACC)",
		Lines: "LINES", ItemField: "ITMREF", Qty: "QTY", Price: "GROPRI", NetPrice: "NETPRI", LineAmt: "AMTNOTLIN",
		Desc: "ITMDES", AccountField: "ACC", Debit: "debit", Credit: "credit", PayAmount: "AMTCUR", PayInvoice: "VCRNUM",
		ExtRef: "ZEXTREF", Memo: "DES", Curr: "CUR",
		LineKind: "ZLINTYP", LineDisc: "DISCRGVAL1", LineTax: "AMTTAXLIN", TaxCode: "VACITM1"},
	number: func(entity string, n int64) string {
		p := map[string]string{ldOrder: "SOH", ldInvoice: "SIH", ldCredit: "SCN", ldPayment: "PAY", ldJE: "GAS"}[entity]
		return docNo(p, n)
	},
	customer: x3LoadCustomer,
	stock:    true,
}

var (
	x3SOH = ldSpec{entity: ldOrder, label: "Sales Order (SOH)", customerField: "BPCORD", totalField: "ORDATI", taxField: "AMTTAX"}
	x3SIH = ldSpec{entity: ldInvoice, label: "Sales Invoice (SIH)", customerField: "BPCINV", totalField: "AMTATI", taxField: "AMTTAX", sourceField: "SOHNUM"}
	x3SCN = ldSpec{entity: ldCredit, label: "Credit Memo (SIH/CRN)", customerField: "BPCINV", totalField: "AMTATI", taxField: "AMTTAX", sourceField: "SIHORINUM"}
	x3PAY = ldPaySpec{label: "Payment (PAY)", customerField: "BPR", invoiceField: "VCRNUM", amountField: "AMTCUR"}
)

// registerSageX3 mounts the Sage X3 routes.
func (s *Server) registerSageX3(mux *http.ServeMux) {
	h := func(pattern string, fn handlerFunc) {
		method, path, _ := strings.Cut(pattern, " ")
		mux.HandleFunc(method+" "+x3Base+path, s.serve(fn))
	}
	h("POST /customers/businessPartners", s.x3CreateCustomer)
	h("GET /customers/businessPartners", s.x3ListCustomers)
	h("GET /customers/businessPartners/{id}", s.x3GetCustomer)
	h("PUT /customers/businessPartners/{id}", s.x3UpdateCustomer)

	h("GET /products", s.x3ListProducts)
	h("GET /products/{id}", s.x3GetProduct)
	h("GET /inventory/stock/{id}", s.x3GetStock)
	h("GET /financials/accounts", s.x3ListAccounts)
	h("GET /financials/accounts/{id}", s.x3GetAccount)
	h("GET /financials/paymentTypes", s.x3ListPayTypes)

	for _, d := range []struct {
		path   string
		spec   ldSpec
		action string
	}{{"/sales/salesOrders", x3SOH, "cancel"}, {"/sales/salesInvoices", x3SIH, "void"}, {"/sales/creditMemos", x3SCN, "void"}} {
		h("POST "+d.path, s.x3CreateDoc(d.spec))
		h("GET "+d.path, s.x3ListDocs(d.spec))
		h("GET "+d.path+"/{no}", s.x3GetDoc(d.spec))
		h("POST "+d.path+"/{no}/"+d.action, s.x3VoidDoc(d.spec))
	}
	h("POST /sales/salesOrders/{no}/allocate", s.x3AllocateOrder)

	h("POST /financials/payments", s.x3CreatePayment)
	h("GET /financials/payments", s.x3ListPayments)
	h("GET /financials/payments/{no}", s.x3GetPayment)
	h("POST /financials/payments/{no}/void", s.x3VoidPayment)

	h("POST /financials/journalEntries", s.x3CreateJournal)
	h("GET /financials/journalEntries", s.x3ListJournals)
	h("GET /financials/journalEntries/{no}", s.x3GetJournal)
	h("POST /financials/journalEntries/{no}/reverse", s.x3ReverseJournal)
}

// seedSageX3 inserts the X3 master data: the shared item master and chart of accounts, and
// on-hand stock of the stocked items in both facilities.
func seedSageX3(ctx context.Context, st *store) error {
	var stock []ldStock
	for fcy := range x3Facilities {
		stock = append(stock,
			ldStock{Item: "WIDGET", Facility: fcy, OnHand: val(decInt(100)), Allocated: val(decInt(0))},
			ldStock{Item: "GADGET", Facility: fcy, OnHand: val(decInt(25)), Allocated: val(decInt(0))})
	}
	return st.write(ctx, func(t *txn) error { return x3.seed(t, ldItems(), ldAccounts(), stock) })
}

// x3ReadOnly rejects a field X3 assigns.
func x3ReadOnly(field string, set bool) error {
	if set {
		return badField(field, "%s is assigned by Sage X3 and must not be sent", field)
	}
	return nil
}
