package sagesandbox

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Sage Pro dialect: a REST facade over the legacy SBT/Visual FoxPro Sage Pro ERP. It keeps the
// DBF column names (arcust01.custno, somast01.sono, …), fixed-width upper-case character keys,
// MM/DD/YYYY dates, single-character status codes and amounts as exact JSON numbers at the
// currency's scale. Business rules come from the ledger core.
//
// Endpoints (base /SageProAPI):
//
//	POST/GET /Customer, GET/PUT /Customer/{custno}   ?externalRef=&email=&modifiedSince=
//	GET /Item, GET /Item/{item}, GET /GLAccount, GET /GLAccount/{glacnt}
//	POST/GET /SalesOrder, GET /SalesOrder/{sono}, POST /SalesOrder/{sono}/Void   ?externalRef=&custno=
//	POST/GET /Invoice, GET /Invoice/{invno}, POST /Invoice/{invno}/Void   ?externalRef=&custno=&sono=
//	POST/GET /CreditMemo, GET /CreditMemo/{memono}, POST /CreditMemo/{memono}/Void   ?externalRef=&custno=&invno=
//	POST/GET /Receipt, GET /Receipt/{rcptno}, POST /Receipt/{rcptno}/Void   ?externalRef=&custno=&invno=
//	POST/GET /GLPosting, GET /GLPosting/{glno}, POST /GLPosting/{glno}/Reverse   ?externalRef=
const spBase = "/SageProAPI"

// spDateLayout is Sage Pro's date format.
const spDateLayout = "01/02/2006"

const spKindCustomer = "sagepro.customer"

var sp = &ldDialect{
	prefix: "sagepro",
	system: "Sage Pro",
	v: ldVocab{Customer: "customer (arcust01)", Item: "item (icitem01)", Account: "GL account (glmast01)",
		Lines: "lines", ItemField: "item", Qty: "qty", Price: "price", NetPrice: "netprice", LineAmt: "extprice",
		Desc: "descrip", AccountField: "glacnt", Debit: "debit", Credit: "credit", PayAmount: "paidamt", PayInvoice: "invno",
		ExtRef: "extref", Memo: "notes", Curr: "currcode",
		LineKind: "linetype", LineDisc: "disc", LineTax: "tax", TaxCode: "taxcode"},
	number: func(entity string, n int64) string {
		// Fixed-width C(10) keys: a two-letter prefix and eight digits.
		p := map[string]string{ldOrder: "SO", ldInvoice: "IN", ldCredit: "CM", ldPayment: "RC", ldJE: "GL"}[entity]
		return fmt.Sprintf("%s%08d", p, n)
	},
	customer:         spLoadCustomer,
	stock:            true,
	allocateOnCreate: true,
}

var (
	spSO  = ldSpec{entity: ldOrder, label: "Sales order (somast01)", customerField: "custno", totalField: "ordamt", taxField: "tax"}
	spINV = ldSpec{entity: ldInvoice, label: "Invoice (armast01)", customerField: "custno", totalField: "invamt", taxField: "tax", sourceField: "sono"}
	spCM  = ldSpec{entity: ldCredit, label: "Credit memo (armast01)", customerField: "custno", totalField: "cmamt", taxField: "tax", sourceField: "invno"}
	spRC  = ldPaySpec{label: "Receipt (arcash01)", customerField: "custno", invoiceField: "invno", amountField: "paidamt"}
)

// registerSagePro mounts the Sage Pro routes.
func (s *Server) registerSagePro(mux *http.ServeMux) {
	h := func(pattern string, fn handlerFunc) {
		method, path, _ := strings.Cut(pattern, " ")
		mux.HandleFunc(method+" "+spBase+path, s.serve(fn))
	}
	h("POST /Customer", s.spCreateCustomer)
	h("GET /Customer", s.spListCustomers)
	h("GET /Customer/{id}", s.spGetCustomer)
	h("PUT /Customer/{id}", s.spUpdateCustomer)

	h("GET /Item", s.spListItems)
	h("GET /Item/{id}", s.spGetItem)
	h("GET /GLAccount", s.spListAccounts)
	h("GET /GLAccount/{id}", s.spGetAccount)

	for _, d := range []struct {
		path string
		spec ldSpec
	}{{"/SalesOrder", spSO}, {"/Invoice", spINV}, {"/CreditMemo", spCM}} {
		h("POST "+d.path, s.spCreateDoc(d.spec))
		h("GET "+d.path, s.spListDocs(d.spec))
		h("GET "+d.path+"/{no}", s.spGetDoc(d.spec))
		h("POST "+d.path+"/{no}/Void", s.spVoidDoc(d.spec))
	}
	h("POST /Receipt", s.spCreateReceipt)
	h("GET /Receipt", s.spListReceipts)
	h("GET /Receipt/{no}", s.spGetReceipt)
	h("POST /Receipt/{no}/Void", s.spVoidReceipt)

	h("POST /GLPosting", s.spCreateGL)
	h("GET /GLPosting", s.spListGL)
	h("GET /GLPosting/{no}", s.spGetGL)
	h("POST /GLPosting/{no}/Reverse", s.spReverseGL)
}

// seedSagePro inserts the Pro master data: the shared items and accounts and on-hand stock of
// the stocked items (Pro has a single warehouse, facility "").
func seedSagePro(ctx context.Context, st *store) error {
	stock := []ldStock{
		{Item: "WIDGET", OnHand: val(decInt(100)), Allocated: val(decInt(0))},
		{Item: "GADGET", OnHand: val(decInt(25)), Allocated: val(decInt(0))},
	}
	return st.write(ctx, func(t *txn) error { return sp.seed(t, ldItems(), ldAccounts(), stock) })
}

// spDate parses a MM/DD/YYYY date into the core's YYYY-MM-DD.
func spDate(field, v string) (string, error) {
	if v == "" {
		return "", badField(field, "%s is required (MM/DD/YYYY)", field)
	}
	d, err := time.Parse(spDateLayout, v)
	if err != nil {
		return "", badField(field, "%s %q is not a valid date (MM/DD/YYYY)", field, v)
	}
	return d.Format(time.DateOnly), nil
}

// spDateOut renders a core date as MM/DD/YYYY.
func spDateOut(iso string) string {
	d, err := time.Parse(time.DateOnly, iso)
	if err != nil {
		return iso
	}
	return d.Format(spDateLayout)
}

// spReadOnly rejects a field Sage Pro assigns.
func spReadOnly(field string, set bool) error {
	if set {
		return badField(field, "%s is assigned by Sage Pro and must not be sent", field)
	}
	return nil
}
