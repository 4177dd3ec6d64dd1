package sage500

import (
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
)

// amount is a decimal sent and received as a bare JSON number with exact digits. It is
// independent of decimal.MarshalJSONWithoutQuotes, a process-wide switch we must not flip.
type amount struct {
	d   decimal.Decimal
	set bool
}

func amt(d decimal.Decimal) amount { return amount{d: d, set: true} }

// MarshalJSON writes the exact digits, keeping the scale.
func (a amount) MarshalJSON() ([]byte, error) {
	if !a.set {
		return []byte("null"), nil
	}
	if exp := a.d.Exponent(); exp < 0 {
		return []byte(a.d.StringFixed(-exp)), nil
	}
	return []byte(a.d.String()), nil
}

// UnmarshalJSON accepts a JSON number (or, leniently, a quoted one) and null.
func (a *amount) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "null" || s == "" {
		*a = amount{}
		return nil
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return fmt.Errorf("sage500: bad amount %s: %w", b, err)
	}
	*a = amount{d: d, set: true}
	return nil
}

// IsZero lets omitzero drop unset amounts.
func (a amount) IsZero() bool { return !a.set }

type wireCustomer struct {
	CustomerID              string `json:"CustomerID,omitempty"`
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
	CurrID                  string `json:"CurrID,omitempty"`
	Status                  string `json:"Status,omitempty"`
	CreateDate              string `json:"CreateDate,omitempty"`
	UpdateDate              string `json:"UpdateDate,omitempty"`
}

type wireLine struct {
	LineNo      int    `json:"LineNo,omitempty"`
	ItemID      string `json:"ItemID"`
	Description string `json:"Description,omitempty"`
	Qty         amount `json:"Qty"`
	UnitPrice   amount `json:"UnitPrice"`
	ExtAmt      amount `json:"ExtAmt,omitzero"`
	// LineType is empty for an item line, Proration or Discount.
	LineType     string `json:"LineType,omitempty"`
	TradeDiscAmt amount `json:"TradeDiscAmt,omitzero"`
	STaxAmt      amount `json:"STaxAmt,omitzero"`
	STaxClassID  string `json:"STaxClassID,omitempty"`
}

// wireTotals are a document's read-only header amounts: Σ extensions, discounts and tax.
type wireTotals struct {
	SalesAmt     amount `json:"SalesAmt,omitzero"`
	TradeDiscAmt amount `json:"TradeDiscAmt,omitzero"`
	STaxAmt      amount `json:"STaxAmt,omitzero"`
}

type wireSalesOrder struct {
	SONo       string     `json:"SONo,omitempty"`
	CustomerID string     `json:"CustomerID"`
	OrderDate  string     `json:"OrderDate"`
	CurrID     string     `json:"CurrID,omitempty"`
	Lines      []wireLine `json:"Lines"`
	OrderTotal amount     `json:"OrderTotal,omitzero"`
	wireTotals
	ExternalRef string `json:"ExternalRef"`
	Memo        string `json:"Memo,omitempty"`
	Status      string `json:"Status,omitempty"`
}

type wireInvoice struct {
	InvoiceNo    string     `json:"InvoiceNo,omitempty"`
	CustomerID   string     `json:"CustomerID"`
	InvoiceDate  string     `json:"InvoiceDate"`
	CurrID       string     `json:"CurrID,omitempty"`
	Lines        []wireLine `json:"Lines"`
	InvoiceTotal amount     `json:"InvoiceTotal,omitzero"`
	wireTotals
	Balance      amount `json:"Balance,omitzero"`
	ExternalRef  string `json:"ExternalRef"`
	SalesOrderNo string `json:"SalesOrderNo,omitempty"`
	Memo         string `json:"Memo,omitempty"`
	Status       string `json:"Status,omitempty"`
}

type wireCreditMemo struct {
	MemoNo     string     `json:"MemoNo,omitempty"`
	CustomerID string     `json:"CustomerID"`
	MemoDate   string     `json:"MemoDate"`
	CurrID     string     `json:"CurrID,omitempty"`
	InvoiceNo  string     `json:"InvoiceNo,omitempty"`
	Lines      []wireLine `json:"Lines"`
	MemoTotal  amount     `json:"MemoTotal,omitzero"`
	wireTotals
	AppliedAmt  amount `json:"AppliedAmt,omitzero"`
	Balance     amount `json:"Balance,omitzero"`
	ExternalRef string `json:"ExternalRef"`
	Memo        string `json:"Memo,omitempty"`
	Status      string `json:"Status,omitempty"`
}

type wirePayment struct {
	PaymentNo     string `json:"PaymentNo,omitempty"`
	CustomerID    string `json:"CustomerID"`
	InvoiceNo     string `json:"InvoiceNo"`
	PaymentDate   string `json:"PaymentDate"`
	CurrID        string `json:"CurrID,omitempty"`
	Amount        amount `json:"Amount"`
	PaymentMethod string `json:"PaymentMethod,omitempty"`
	CurrExchRate  amount `json:"CurrExchRate,omitzero"`
	TranAmtHC     amount `json:"TranAmtHC,omitzero"`
	ExternalRef   string `json:"ExternalRef"`
	Status        string `json:"Status,omitempty"`
}

type wireJELine struct {
	AcctNo      string `json:"AcctNo"`
	Debit       amount `json:"Debit,omitzero"`
	Credit      amount `json:"Credit,omitzero"`
	Description string `json:"Description,omitempty"`
}

type wireJournal struct {
	EntryNo     string       `json:"EntryNo,omitempty"`
	PostDate    string       `json:"PostDate"`
	CurrID      string       `json:"CurrID,omitempty"`
	Memo        string       `json:"Memo,omitempty"`
	ExternalRef string       `json:"ExternalRef"`
	Lines       []wireJELine `json:"Lines"`
	Status      string       `json:"Status,omitempty"`
	ReversalOf  string       `json:"ReversalOf,omitempty"`
	ReversedBy  string       `json:"ReversedBy,omitempty"`
}

// list is the facade's collection envelope.
type list[T any] struct {
	Value []T `json:"value"`
	Count int `json:"count"`
}
