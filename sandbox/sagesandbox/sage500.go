package sagesandbox

import (
	"net/http"
	"strings"

	"github.com/shopspring/decimal"
)

// Sage 500 dialect: a REST facade over Sage 500 (ex-MAS 500) with PascalCase JSON, amounts as
// JSON numbers, server-assigned keys and the table widths of the underlying SQL schema.
//
// Endpoints (base /Sage500API):
//
//	POST/GET /Customers, GET/PUT /Customers/{id}        ?externalRef=&email=&modifiedSince=
//	GET /Items, GET /Items/{id}, GET /GLAccounts, GET /GLAccounts/{id}
//	POST/GET /SalesOrders, GET /SalesOrders/{no}, POST /SalesOrders/{no}/Cancel   ?externalRef=&customerId=
//	POST/GET /Invoices, GET /Invoices/{no}, POST /Invoices/{no}/Void   ?externalRef=&customerId=&salesOrderNo=
//	POST/GET /CreditMemos, GET /CreditMemos/{no}, POST /CreditMemos/{no}/Void   ?externalRef=&invoiceNo=&customerId=
//	POST/GET /Payments, GET /Payments/{no}, POST /Payments/{no}/Void   ?externalRef=&invoiceNo=&customerId=
//	POST/GET /JournalEntries, GET /JournalEntries/{no}, POST /JournalEntries/{no}/Reverse   ?externalRef=
const s5Base = "/Sage500API"

// Record kinds of the Sage 500 dialect in the shared store.
const (
	s5KindCustomer   = "sage500.customer"
	s5KindItem       = "sage500.item"
	s5KindGLAccount  = "sage500.glaccount"
	s5KindSalesOrder = "sage500.salesorder"
	s5KindInvoice    = "sage500.invoice"
	s5KindCreditMemo = "sage500.creditmemo"
	s5KindPayment    = "sage500.payment"
	s5KindJournal    = "sage500.journalentry"
)

// Status values.
const (
	s5Active   = "Active"
	s5Inactive = "Inactive"
	s5Open     = "Open"
	s5Paid     = "Paid"
	s5Void     = "Void"
	s5Canceled = "Canceled"
	s5Applied  = "Applied"
	s5Posted   = "Posted"
	s5Reversed = "Reversed"
)

// s5Customer is tarCustomer plus its default billing address (tciAddress).
type s5Customer struct {
	CustomerID              string `json:"CustomerID"`
	CustomerName            string `json:"CustomerName"`
	EmailAddress            string `json:"EmailAddress"`
	BillingAddress1         string `json:"BillingAddress1"`
	BillingAddress2         string `json:"BillingAddress2"`
	BillingCity             string `json:"BillingCity"`
	BillingState            string `json:"BillingState"`
	BillingZip              string `json:"BillingZip"`
	BillingCountry          string `json:"BillingCountry"`
	PhoneNumber             string `json:"PhoneNumber"`
	StripeCustomerID_Custom string `json:"StripeCustomerID_Custom"` //nolint:revive // Sage custom-field name
	CurrID                  string `json:"CurrID"`
	Status                  string `json:"Status"`
	CreateDate              string `json:"CreateDate,omitempty"`
	UpdateDate              string `json:"UpdateDate,omitempty"`
}

func (c *s5Customer) index() index {
	return index{ExternalRef: c.StripeCustomerID_Custom, Email: c.EmailAddress}
}

// s5Item is inventory master data (timItem), seeded.
type s5Item struct {
	ItemID      string `json:"ItemID"`
	Description string `json:"Description"`
	ItemType    string `json:"ItemType"`
	UnitPrice   num    `json:"UnitPrice"`
	Status      string `json:"Status"`
}

func (*s5Item) index() index { return index{} }

// s5GLAccount is a chart-of-accounts entry (tglAccount), seeded.
type s5GLAccount struct {
	AcctNo      string `json:"AcctNo"`
	Description string `json:"Description"`
	AcctType    string `json:"AcctType"`
	Status      string `json:"Status"`
}

func (*s5GLAccount) index() index { return index{} }

// s5Line is a sales document line.
type s5Line struct {
	LineNo      int    `json:"LineNo"`
	ItemID      string `json:"ItemID"`
	Description string `json:"Description"`
	Qty         num    `json:"Qty"`
	UnitPrice   num    `json:"UnitPrice"`
	ExtAmt      num    `json:"ExtAmt,omitzero"`
	// LineType is empty for an item line, Proration or Discount.
	LineType     string `json:"LineType,omitempty"`
	TradeDiscAmt num    `json:"TradeDiscAmt,omitzero"` // discount taken off ExtAmt
	STaxAmt      num    `json:"STaxAmt,omitzero"`      // sales tax on the line's net
	STaxClassID  string `json:"STaxClassID,omitempty"` // the line's sales tax class
}

// s5LineKinds spells the neutral line kinds the Sage 500 way.
var s5LineKinds = map[string]string{lineItem: "", lineProration: "Proration", lineDiscount: "Discount"}

func fromS5LineKind(code string) string {
	for k, v := range s5LineKinds {
		if v == code {
			return k
		}
	}
	return code
}

// s5Totals are a document's header amounts, computed from its lines (read-only on the wire):
// SalesAmt is Σ ExtAmt, TradeDiscAmt Σ discounts, STaxAmt Σ tax.
type s5Totals struct {
	SalesAmt     num `json:"SalesAmt,omitzero"`
	TradeDiscAmt num `json:"TradeDiscAmt,omitzero"`
	STaxAmt      num `json:"STaxAmt,omitzero"`
}

func s5Sum(lines []s5Line, curr string) s5Totals {
	z := decimal.Zero.Round(decimalsOf(curr))
	sales, disc, tax := z, z, z
	for _, l := range lines {
		sales, disc, tax = sales.Add(l.ExtAmt.d), disc.Add(l.TradeDiscAmt.d), tax.Add(l.STaxAmt.d)
	}
	return s5Totals{SalesAmt: val(sales), TradeDiscAmt: val(disc), STaxAmt: val(tax)}
}

// s5SalesOrder is tsoSalesOrder.
type s5SalesOrder struct {
	SONo       string   `json:"SONo"`
	CustomerID string   `json:"CustomerID"`
	OrderDate  string   `json:"OrderDate"`
	CurrID     string   `json:"CurrID"`
	Lines      []s5Line `json:"Lines"`
	OrderTotal num      `json:"OrderTotal,omitzero"`
	s5Totals
	ExternalRef string `json:"ExternalRef"`
	Memo        string `json:"Memo"`
	Status      string `json:"Status"`
	CreateDate  string `json:"CreateDate,omitempty"`
	UpdateDate  string `json:"UpdateDate,omitempty"`
}

func (o *s5SalesOrder) index() index {
	return index{ExternalRef: o.ExternalRef, CustomerID: o.CustomerID}
}

// s5Invoice is tarInvoice.
type s5Invoice struct {
	InvoiceNo    string   `json:"InvoiceNo"`
	CustomerID   string   `json:"CustomerID"`
	InvoiceDate  string   `json:"InvoiceDate"`
	CurrID       string   `json:"CurrID"`
	Lines        []s5Line `json:"Lines"`
	InvoiceTotal num      `json:"InvoiceTotal,omitzero"`
	s5Totals
	Balance      num    `json:"Balance,omitzero"`
	ExternalRef  string `json:"ExternalRef"`
	SalesOrderNo string `json:"SalesOrderNo"`
	Memo         string `json:"Memo"`
	Status       string `json:"Status"`
	CreateDate   string `json:"CreateDate,omitempty"`
	UpdateDate   string `json:"UpdateDate,omitempty"`
}

func (i *s5Invoice) index() index {
	return index{ExternalRef: i.ExternalRef, CustomerID: i.CustomerID, ParentRef: i.SalesOrderNo}
}

// s5CreditMemo is an AR credit memo, optionally applied to an invoice.
type s5CreditMemo struct {
	MemoNo     string   `json:"MemoNo"`
	CustomerID string   `json:"CustomerID"`
	MemoDate   string   `json:"MemoDate"`
	CurrID     string   `json:"CurrID"`
	InvoiceNo  string   `json:"InvoiceNo"`
	Lines      []s5Line `json:"Lines"`
	MemoTotal  num      `json:"MemoTotal,omitzero"`
	s5Totals
	AppliedAmt  num    `json:"AppliedAmt,omitzero"` // part applied to the invoice's open balance
	Balance     num    `json:"Balance,omitzero"`    // unapplied customer credit
	ExternalRef string `json:"ExternalRef"`
	Memo        string `json:"Memo"`
	Status      string `json:"Status"`
	CreateDate  string `json:"CreateDate,omitempty"`
	UpdateDate  string `json:"UpdateDate,omitempty"`
}

func (m *s5CreditMemo) index() index {
	return index{ExternalRef: m.ExternalRef, CustomerID: m.CustomerID, ParentRef: m.InvoiceNo}
}

// s5Payment is an AR cash receipt (tarCustPmt) applied to one invoice.
type s5Payment struct {
	PaymentNo     string `json:"PaymentNo"`
	CustomerID    string `json:"CustomerID"`
	InvoiceNo     string `json:"InvoiceNo"`
	PaymentDate   string `json:"PaymentDate"`
	CurrID        string `json:"CurrID"`
	Amount        num    `json:"Amount,omitzero"`
	PaymentMethod string `json:"PaymentMethod"`
	// CurrExchRate and TranAmtHC value a receipt in a foreign currency in the company's home
	// currency (tarCustPmt.CurrExchRate, TranAmtHC): TranAmtHC ≈ Amount × CurrExchRate.
	CurrExchRate num    `json:"CurrExchRate,omitzero"`
	TranAmtHC    num    `json:"TranAmtHC,omitzero"`
	ExternalRef  string `json:"ExternalRef"`
	Memo         string `json:"Memo"`
	Status       string `json:"Status"`
	CreateDate   string `json:"CreateDate,omitempty"`
	UpdateDate   string `json:"UpdateDate,omitempty"`
}

func (p *s5Payment) index() index {
	return index{ExternalRef: p.ExternalRef, CustomerID: p.CustomerID, ParentRef: p.InvoiceNo}
}

// s5JELine is one GL distribution.
type s5JELine struct {
	LineNo      int    `json:"LineNo"`
	AcctNo      string `json:"AcctNo"`
	Debit       num    `json:"Debit,omitzero"`
	Credit      num    `json:"Credit,omitzero"`
	Description string `json:"Description"`
}

// s5Journal is a posted GL journal entry (tglTransaction batch).
type s5Journal struct {
	EntryNo     string     `json:"EntryNo"`
	PostDate    string     `json:"PostDate"`
	CurrID      string     `json:"CurrID"`
	Memo        string     `json:"Memo"`
	ExternalRef string     `json:"ExternalRef"`
	Lines       []s5JELine `json:"Lines"`
	Status      string     `json:"Status"`
	ReversalOf  string     `json:"ReversalOf,omitempty"`
	ReversedBy  string     `json:"ReversedBy,omitempty"`
	CreateDate  string     `json:"CreateDate,omitempty"`
	UpdateDate  string     `json:"UpdateDate,omitempty"`
}

func (j *s5Journal) index() index { return index{ExternalRef: j.ExternalRef, ParentRef: j.ReversalOf} }

// registerSage500 mounts the Sage 500 routes.
func (s *Server) registerSage500(mux *http.ServeMux) {
	h := func(pattern string, fn handlerFunc) {
		method, path, _ := strings.Cut(pattern, " ")
		mux.HandleFunc(method+" "+s5Base+path, s.serve(fn))
	}
	h("POST /Customers", s.s5CreateCustomer)
	h("GET /Customers", s.s5ListCustomers)
	h("GET /Customers/{id}", s.s5GetCustomer)
	h("PUT /Customers/{id}", s.s5UpdateCustomer)

	h("GET /Items", s.s5ListItems)
	h("GET /Items/{id}", s.s5GetItem)
	h("GET /GLAccounts", s.s5ListAccounts)
	h("GET /GLAccounts/{id}", s.s5GetAccount)

	h("POST /SalesOrders", s.s5CreateSalesOrder)
	h("GET /SalesOrders", s.s5ListSalesOrders)
	h("GET /SalesOrders/{no}", s.s5GetSalesOrder)
	h("POST /SalesOrders/{no}/Cancel", s.s5CancelSalesOrder)

	h("POST /Invoices", s.s5CreateInvoice)
	h("GET /Invoices", s.s5ListInvoices)
	h("GET /Invoices/{no}", s.s5GetInvoice)
	h("POST /Invoices/{no}/Void", s.s5VoidInvoice)

	h("POST /CreditMemos", s.s5CreateCreditMemo)
	h("GET /CreditMemos", s.s5ListCreditMemos)
	h("GET /CreditMemos/{no}", s.s5GetCreditMemo)
	h("POST /CreditMemos/{no}/Void", s.s5VoidCreditMemo)

	h("POST /Payments", s.s5CreatePayment)
	h("GET /Payments", s.s5ListPayments)
	h("GET /Payments/{no}", s.s5GetPayment)
	h("POST /Payments/{no}/Void", s.s5VoidPayment)

	h("POST /JournalEntries", s.s5CreateJournal)
	h("GET /JournalEntries", s.s5ListJournals)
	h("GET /JournalEntries/{no}", s.s5GetJournal)
	h("POST /JournalEntries/{no}/Reverse", s.s5ReverseJournal)
}

// getOne loads kind/key for a path lookup, answering 404 with the entity's name.
func getOne[T any](s *Server, r *http.Request, kind, label, key string) (int, any, error) {
	var v T
	var found bool
	err := s.st.read(r.Context(), func(t *txn) error {
		var err error
		found, err = t.get(kind, key, &v)
		return err
	})
	if err != nil {
		return 0, nil, err
	}
	if !found {
		return 0, nil, notFound("%s %q does not exist", label, key)
	}
	return http.StatusOK, &v, nil
}

// listMatching answers a collection GET.
func listMatching[T any](s *Server, r *http.Request, kind string, f filter) (int, any, error) {
	var out []T
	err := s.st.read(r.Context(), func(t *txn) error {
		var err error
		out, err = listAs[T](t, kind, f)
		return err
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, listOf(out), nil
}
