package sagesandbox

import (
	"fmt"

	"github.com/shopspring/decimal"
)

// The ledger core holds the business rules the Sage X3 and Sage Pro dialects share: sales
// documents, cash receipts, credit memos, stock allocation and GL entries. Each dialect keeps its
// own wire format (field codes, dates, status codes) and converts to and from these neutral
// records, which it stores under its own kinds ("sagex3.invoice", "sagepro.invoice"). The Sage 500
// dialect predates the core and keeps its own implementation. (Named sagex3_* only because of
// file ownership; it serves both dialects.)

// ldDialect describes a dialect to the core.
type ldDialect struct {
	// prefix namespaces record kinds and counters ("sagex3").
	prefix string
	// system names the ERP in messages ("Sage X3").
	system string
	v      ldVocab
	// number formats a document number from the counter value of an entity.
	number func(entity string, n int64) string
	// customer loads the document-relevant part of a customer.
	customer func(t *txn, id string) (*ldCust, error)
	// stock makes sales orders allocate stock of stocked items (and cancellation release it).
	stock bool
	// allocateOnCreate allocates when the order is created (Sage Pro); otherwise allocation is
	// its own idempotent call (Sage X3's allocation, POST …/salesOrders/{SOHNUM}/allocate).
	allocateOnCreate bool
}

// ldVocab names fields and entities the way the dialect's users see them.
type ldVocab struct {
	Customer, Item, Account      string // entity labels, e.g. "Customer (BPC)"
	Lines, ItemField, Qty, Price string
	NetPrice, LineAmt, Desc      string
	AccountField, Debit, Credit  string
	PayAmount, PayInvoice        string
	ExtRef, Memo, Curr           string
	// LineKind, LineDisc, LineTax and TaxCode name a line's type, discount, tax and tax code.
	LineKind, LineDisc, LineTax, TaxCode string
}

func (d *ldDialect) kind(entity string) string { return d.prefix + "." + entity }

func (d *ldDialect) line(i int, field string) string {
	return fmt.Sprintf("%s[%d].%s", d.v.Lines, i, field)
}

// Entities of the core.
const (
	ldOrder   = "salesorder"
	ldInvoice = "invoice"
	ldCredit  = "creditmemo"
	ldPayment = "payment"
	ldJE      = "journalentry"
	ldItemK   = "item"
	ldAcctK   = "glaccount"
	ldStockK  = "stock"
)

// ldCust is what documents need to know about a customer.
type ldCust struct {
	ID, Curr string
	Active   bool
}

// ldItem is a product (ITM / icitem01) of the item master, seeded.
type ldItem struct {
	Code    string `json:"code"`
	Desc    string `json:"desc"`
	Type    string `json:"type"`
	Price   num    `json:"price"`
	Active  bool   `json:"active"`
	Stocked bool   `json:"stocked"`
}

func (*ldItem) index() index { return index{} }

// ldStock is the stock of one item in one facility (X3 STOCK / ITMMVT; Pro icitem on-hand).
type ldStock struct {
	Item      string `json:"item"`
	Facility  string `json:"facility"`
	OnHand    num    `json:"onHand"`
	Allocated num    `json:"allocated"`
}

func (*ldStock) index() index { return index{} }

// ldAccount is a GL account, seeded.
type ldAccount struct {
	No     string `json:"no"`
	Desc   string `json:"desc"`
	Type   string `json:"type"`
	Active bool   `json:"active"`
}

func (*ldAccount) index() index { return index{} }

// ldLine is a sales document line.
type ldLine struct {
	LineNo   int    `json:"lineNo"`
	Item     string `json:"item"`
	Desc     string `json:"desc"`
	Qty      num    `json:"qty"`
	Price    num    `json:"price"`    // gross unit price (X3 GROPRI)
	NetPrice num    `json:"netPrice"` // net unit price after discount (X3 NETPRI); = Price when not sent
	Amount   num    `json:"amount"`   // Qty × NetPrice at the currency's scale
	// Kind is lineItem (empty), lineProration or lineDiscount.
	Kind string `json:"kind,omitempty"`
	// Discount is taken off Amount; Tax is charged on the net (Amount − Discount).
	Discount num    `json:"discount,omitzero"`
	Tax      num    `json:"tax,omitzero"`
	TaxCode  string `json:"taxCode,omitempty"`
}

// ldDoc is a sales order, invoice or credit memo.
type ldDoc struct {
	Entity    string   `json:"entity"`
	No        string   `json:"no"`
	Customer  string   `json:"customer"`
	Date      string   `json:"date"` // YYYY-MM-DD; dialects convert
	Curr      string   `json:"curr"`
	Facility  string   `json:"facility,omitempty"`
	Lines     []ldLine `json:"lines"`
	LinesAmt  num      `json:"linesAmt"`          // sum of line amounts
	Discount  num      `json:"discount,omitzero"` // sum of line discounts
	Tax       num      `json:"tax"`
	Total     num      `json:"total"`   // LinesAmt − Discount + Tax
	Balance   num      `json:"balance"` // invoice: open amount; credit memo: unapplied credit
	Applied   num      `json:"applied"` // credit memo: part applied to the invoice
	ExtRef    string   `json:"extRef"`
	SourceRef string   `json:"sourceRef"` // invoice → sales order, credit memo → invoice
	Memo      string   `json:"memo"`
	Status    string   `json:"status"` // neutral: Open, Paid, Void, Canceled
	// Allocated is set once a sales order's stocked quantities are allocated.
	Allocated bool   `json:"allocated,omitempty"`
	Created   string `json:"created"`
	Updated   string `json:"updated"`
}

func (x *ldDoc) index() index {
	return index{ExternalRef: x.ExtRef, CustomerID: x.Customer, ParentRef: x.SourceRef}
}

// ldPay is a cash receipt applied to one invoice.
type ldPay struct {
	No       string `json:"no"`
	Customer string `json:"customer"`
	Invoice  string `json:"invoice"`
	Order    string `json:"order,omitempty"`
	Date     string `json:"date"`
	Curr     string `json:"curr"`
	Amount   num    `json:"amount"`
	Gross    num    `json:"gross"`
	Fee      num    `json:"fee"`
	Net      num    `json:"net"`
	Method   string `json:"method"`
	PayType  string `json:"payType,omitempty"`
	Account  string `json:"account,omitempty"`
	ExtRef   string `json:"extRef"`
	// Ref is the traceability reference shown on the receipt (X3 REFLOT); lookups use ExtRef.
	Ref string `json:"ref,omitempty"`
	// Site is the receipt's site (X3 FCY).
	Site string `json:"site,omitempty"`
	// HomeAmt and Rate value a foreign-currency receipt in the company currency (X3 AMTLOC, CHGRAT).
	HomeAmt num    `json:"homeAmt,omitzero"`
	Rate    num    `json:"rate,omitzero"`
	Memo    string `json:"memo"`
	Status  string `json:"status"` // neutral: Applied, Void
	Created string `json:"created"`
	Updated string `json:"updated"`
}

func (p *ldPay) index() index {
	return index{ExternalRef: p.ExtRef, CustomerID: p.Customer, ParentRef: p.Invoice}
}

// ldJELine is one GL distribution.
type ldJELine struct {
	LineNo  int    `json:"lineNo"`
	Account string `json:"account"`
	Debit   num    `json:"debit"`
	Credit  num    `json:"credit"`
	Desc    string `json:"desc"`
}

// ldJournal is a posted GL entry.
type ldJournal struct {
	No         string     `json:"no"`
	Date       string     `json:"date"`
	Curr       string     `json:"curr"`
	Memo       string     `json:"memo"`
	ExtRef     string     `json:"extRef"`
	Lines      []ldJELine `json:"lines"`
	Status     string     `json:"status"` // neutral: Posted, Reversed
	ReversalOf string     `json:"reversalOf,omitempty"`
	ReversedBy string     `json:"reversedBy,omitempty"`
	Created    string     `json:"created"`
	Updated    string     `json:"updated"`
}

func (j *ldJournal) index() index { return index{ExternalRef: j.ExtRef, ParentRef: j.ReversalOf} }

// zero is a set amount of 0 at the currency's scale.
func zero(curr string) num { return val(decimal.Zero.Round(decimalsOf(curr))) }

// next assigns the next number of entity, skipping numbers already taken.
func (d *ldDialect) next(t *txn, entity string) (string, error) {
	for {
		n, err := t.next(d.kind(entity))
		if err != nil {
			return "", err
		}
		no := d.number(entity, n)
		taken, err := t.exists(d.kind(entity), no)
		if err != nil || !taken {
			return no, err
		}
	}
}

// seed inserts master data that is missing; edited rows are kept.
func (d *ldDialect) seed(t *txn, items []ldItem, accounts []ldAccount, stock []ldStock) error {
	for i := range items {
		if err := insertIfMissing(t, d.kind(ldItemK), items[i].Code, &items[i]); err != nil {
			return err
		}
	}
	for i := range accounts {
		if err := insertIfMissing(t, d.kind(ldAcctK), accounts[i].No, &accounts[i]); err != nil {
			return err
		}
	}
	for i := range stock {
		if err := insertIfMissing(t, d.kind(ldStockK), stockKey(stock[i].Facility, stock[i].Item), &stock[i]); err != nil {
			return err
		}
	}
	return nil
}

func stockKey(facility, item string) string { return facility + "~" + item }

// ldItems is the item master both dialects seed: the Sage 500 item codes, so item mappings work
// unchanged on every ERP. WIDGET and GADGET are stocked.
func ldItems() []ldItem {
	p := func(s string) num { return val(decimal.RequireFromString(s)) }
	return []ldItem{
		{Code: "STRIPE-SALE", Desc: "Online sale", Type: "Misc", Price: p("0"), Active: true},
		{Code: "WIDGET", Desc: "Widget", Type: "Finished Good", Price: p("19.99"), Active: true, Stocked: true},
		{Code: "GADGET", Desc: "Gadget", Type: "Finished Good", Price: p("49.50"), Active: true, Stocked: true},
		{Code: "SERVICE", Desc: "Professional services (hour)", Type: "Service", Price: p("150.00"), Active: true},
		{Code: "SHIPPING", Desc: "Shipping and handling", Type: "Misc", Price: p("0"), Active: true},
		{Code: "SUBSCRIPTION", Desc: "Subscription fee", Type: "Service", Price: p("0"), Active: true},
		{Code: "DISCONTINUED", Desc: "Discontinued item", Type: "Finished Good", Price: p("0")},
	}
}

// ldAccounts is the chart of accounts both dialects seed: the Sage 500 account numbers, so GL
// mappings work unchanged on every ERP. 1999-00 is inactive.
func ldAccounts() []ldAccount {
	out := make([]ldAccount, len(s5Accounts))
	for i, a := range s5Accounts {
		out[i] = ldAccount{No: a.AcctNo, Desc: a.Description, Type: a.AcctType, Active: a.Status == s5Active}
	}
	return out
}

func decInt(n int64) decimal.Decimal { return decimal.NewFromInt(n) }
