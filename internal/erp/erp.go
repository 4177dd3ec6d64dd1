// Package erp defines the port through which workflows and activities talk to an ERP.
// Connectors (Sage 500 today; Sage X3 and Sage Pro next) implement Connector. Every create
// call is paired with a lookup by external reference so that activities can make writes
// idempotent even though the ERP itself stores every POST it receives.
package erp

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
)

// Customer is an ERP customer record in connector-neutral terms.
type Customer struct {
	// ID is the ERP's customer key (Sage 500 CustomerID).
	ID string `json:"id,omitempty"`
	// Name is the full or company name.
	Name string `json:"name"`
	// Email is the matching key shared with the payment provider.
	Email    string  `json:"email,omitempty"`
	Phone    string  `json:"phone,omitempty"`
	Address  Address `json:"address"`
	Currency string  `json:"currency,omitempty"`
	// ExternalRef is the provider's customer ID (Stripe cus_…), stored in a custom field.
	ExternalRef string `json:"externalRef,omitempty"`
	// Active is false for customers deactivated in the ERP.
	Active bool `json:"active"`
	// UpdatedAt is when the ERP last changed the record (read-only; drives ERP → Stripe sync).
	UpdatedAt time.Time `json:"updatedAt,omitzero"`
}

// Address is a postal address.
type Address struct {
	Line1      string `json:"line1,omitempty"`
	Line2      string `json:"line2,omitempty"`
	City       string `json:"city,omitempty"`
	State      string `json:"state,omitempty"`
	PostalCode string `json:"postalCode,omitempty"`
	Country    string `json:"country,omitempty"`
}

// Line kinds. An item line sells something; a proration line is the credit or charge of a plan
// change (it may be negative); a discount line is a negative line that carries a discount the
// provider did not attribute to any one line.
const (
	LineItem      = ""
	LineProration = "proration"
	LineDiscount  = "discount"
)

// Line is one document line. Amount is Quantity × UnitPrice before the line's discount; the
// line's net is Amount − Discount, and Tax is charged on that net.
type Line struct {
	ItemID      string          `json:"itemId"`
	Description string          `json:"description,omitempty"`
	Quantity    decimal.Decimal `json:"quantity"`
	UnitPrice   decimal.Decimal `json:"unitPrice"`
	Amount      decimal.Decimal `json:"amount"`
	// Kind is LineItem (empty), LineProration or LineDiscount.
	Kind string `json:"kind,omitempty"`
	// Discount is the discount given on this line (its own and its share of invoice-level
	// coupons), ≥ 0.
	Discount decimal.Decimal `json:"discount,omitzero"`
	// Tax is the tax charged on the line's net; TaxCode names its rate for the ERP (e.g. the
	// ERP tax code a mapping gives a Stripe tax rate).
	Tax     decimal.Decimal `json:"tax,omitzero"`
	TaxCode string          `json:"taxCode,omitempty"`
}

// Net is the line's amount after its discount, before tax.
func (l Line) Net() decimal.Decimal { return l.Amount.Sub(l.Discount) }

// Document is a sales order, invoice or credit memo. Its totals always satisfy
// Total = Σ line Amount − DiscountTotal + TaxTotal, with DiscountTotal = Σ line Discount and
// TaxTotal = Σ line Tax (Totals computes them).
type Document struct {
	// Number is the ERP's document number, empty until created.
	Number     string `json:"number,omitempty"`
	CustomerID string `json:"customerId"`
	Date       string `json:"date"`
	Currency   string `json:"currency"`
	Lines      []Line `json:"lines"`
	// DiscountTotal and TaxTotal are the document's discount and tax (the ERP's header fields).
	DiscountTotal decimal.Decimal `json:"discountTotal,omitzero"`
	TaxTotal      decimal.Decimal `json:"taxTotal,omitzero"`
	Total         decimal.Decimal `json:"total"`
	Balance       decimal.Decimal `json:"balance"`
	ExternalRef   string          `json:"externalRef"`
	// SourceRef links an invoice to its sales order, or a credit memo to its invoice.
	SourceRef string `json:"sourceRef,omitempty"`
	Memo      string `json:"memo,omitempty"`
	// Site is the selling site or facility (Sage X3 SALFCY); empty means the connector's default.
	Site   string `json:"site,omitempty"`
	Status string `json:"status,omitempty"`
}

// Totals returns the document's discount, tax and grand totals computed from its lines.
func (d Document) Totals() (discount, tax, total decimal.Decimal) {
	for _, l := range d.Lines {
		discount, tax, total = discount.Add(l.Discount), tax.Add(l.Tax), total.Add(l.Amount)
	}
	return discount, tax, total.Sub(discount).Add(tax)
}

// Payment is a cash receipt applied to an invoice.
type Payment struct {
	ID            string          `json:"id,omitempty"`
	CustomerID    string          `json:"customerId"`
	InvoiceNumber string          `json:"invoiceNumber"`
	Date          string          `json:"date"`
	Currency      string          `json:"currency"`
	Amount        decimal.Decimal `json:"amount"`
	// Method is the payment method text or code (the mapping's payment.method).
	Method string `json:"method,omitempty"`
	// Type is the ERP's payment type code (Sage X3 PAYTYP), from the mapping's payment.type.
	Type string `json:"type,omitempty"`
	// Reference is the traceability reference shown on the receipt (Sage X3 REFLOT), from the
	// mapping's payment.reference. Lookups never use it: they use ExternalRef.
	Reference string `json:"reference,omitempty"`
	// PaymentStatus is the status posted with the receipt (Sage Pro PaymentStatus), from the
	// mapping's payment.status.
	PaymentStatus string `json:"paymentStatus,omitempty"`
	// Site is the site or facility of the receipt (Sage X3 FCY); empty means the connector's default.
	Site string `json:"site,omitempty"`
	// SalesOrder links the receipt to the sales order it pays (Sage X3 SOHNUM), when one was posted.
	SalesOrder string `json:"salesOrder,omitempty"`
	// Account is the GL account the receipt is deposited to: the processor's clearing account
	// (Sage X3 ACC); empty means the connector's default.
	Account string `json:"account,omitempty"`
	// HomeCurrency, HomeAmount and ExchangeRate carry the receipt's value in the merchant's home
	// currency when it is paid in another (Amount in Currency × ExchangeRate = HomeAmount).
	HomeCurrency string          `json:"homeCurrency,omitempty"`
	HomeAmount   decimal.Decimal `json:"homeAmount,omitzero"`
	ExchangeRate decimal.Decimal `json:"exchangeRate,omitzero"`
	// ExternalRef is the provider's transaction ID (Stripe ch_…), the key lookups use.
	ExternalRef string `json:"externalRef"`
	// Status is the record's state in the ERP (e.g. Void); read-only.
	Status string `json:"status,omitempty"`
}

// JournalLine is one debit or credit on a GL account.
type JournalLine struct {
	Account     string          `json:"account"`
	Debit       decimal.Decimal `json:"debit"`
	Credit      decimal.Decimal `json:"credit"`
	Description string          `json:"description,omitempty"`
}

// JournalEntry is a balanced GL posting.
type JournalEntry struct {
	Number      string        `json:"number,omitempty"`
	Date        string        `json:"date"`
	Currency    string        `json:"currency"`
	Memo        string        `json:"memo,omitempty"`
	ExternalRef string        `json:"externalRef"`
	Lines       []JournalLine `json:"lines"`
	Status      string        `json:"status,omitempty"`
}

// DocumentKind names the ERP document families a connector handles.
type DocumentKind string

// Document kinds.
const (
	KindSalesOrder DocumentKind = "salesorder"
	KindInvoice    DocumentKind = "invoice"
	KindCreditMemo DocumentKind = "creditmemo"
)

// Connector is what workflows need from an ERP. Find* return (nil, nil) when nothing matches.
type Connector interface {
	// Name identifies the connector ("sage500").
	Name() string

	GetCustomer(ctx context.Context, id string) (*Customer, error)
	FindCustomerByExternalRef(ctx context.Context, ref string) (*Customer, error)
	FindCustomerByEmail(ctx context.Context, email string) (*Customer, error)
	CreateCustomer(ctx context.Context, c Customer) (*Customer, error)
	UpdateCustomer(ctx context.Context, c Customer) (*Customer, error)
	// ListCustomersModifiedSince returns customers changed at or after since, oldest change first.
	ListCustomersModifiedSince(ctx context.Context, since time.Time) ([]Customer, error)

	FindDocument(ctx context.Context, kind DocumentKind, externalRef string) (*Document, error)
	CreateDocument(ctx context.Context, kind DocumentKind, d Document) (*Document, error)
	VoidDocument(ctx context.Context, kind DocumentKind, number string) error

	FindPayment(ctx context.Context, externalRef string) (*Payment, error)
	ApplyPayment(ctx context.Context, p Payment) (*Payment, error)
	VoidPayment(ctx context.Context, id string) error

	FindJournalEntry(ctx context.Context, externalRef string) (*JournalEntry, error)
	PostJournalEntry(ctx context.Context, je JournalEntry) (*JournalEntry, error)
	// ReverseJournalEntry posts the reversing entry of number, dated date, carrying externalRef
	// (callers FindJournalEntry(externalRef) first, so a retry does not reverse twice).
	ReverseJournalEntry(ctx context.Context, number, date, externalRef string) (*JournalEntry, error)
}

// ValidationError is the ERP rejecting data (missing mandatory field, unknown customer or item).
// Retrying the same request cannot succeed; the run must park for an operator.
type ValidationError struct {
	Status  int
	Message string
}

func (e *ValidationError) Error() string {
	return fmt.Sprintf("erp validation error (HTTP %d): %s", e.Status, e.Message)
}

// TransientError is a failure worth retrying: network error, timeout, 5xx or 429.
type TransientError struct {
	Status int
	// RetryAfter is the server's requested delay (429/503 Retry-After), zero if none.
	RetryAfter time.Duration
	Message    string
}

func (e *TransientError) Error() string {
	if e.Status == 0 {
		return "erp unavailable: " + e.Message
	}
	return fmt.Sprintf("erp unavailable (HTTP %d): %s", e.Status, e.Message)
}

// AuthError is a rejected credential. It is retried (an operator fixes the key, the run resumes)
// but alerted on.
type AuthError struct{ Message string }

func (e *AuthError) Error() string { return "erp authentication failed: " + e.Message }

// IsValidation reports whether err is (or wraps) a ValidationError.
func IsValidation(err error) bool {
	var v *ValidationError
	return errors.As(err, &v)
}

// CustomerIDChecker is implemented by connectors that know their ERP's customer key syntax.
// IDs that arrive from outside (Stripe metadata, which anyone with dashboard access can edit)
// are checked before they are used in an ERP request.
type CustomerIDChecker interface {
	ValidCustomerID(id string) bool
}

// KeySyntax reports whether id is 1..maxLen characters of letters, digits, '.', '_' and '-'
// (upperOnly: no lower-case letters), the key syntax every Sage dialect shares.
func KeySyntax(id string, maxLen int, upperOnly bool) bool {
	if id == "" || len(id) > maxLen {
		return false
	}
	for _, r := range id {
		switch {
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '_', r == '-':
		case r >= 'a' && r <= 'z' && !upperOnly:
		default:
			return false
		}
	}
	return true
}

// WireRenderer is implemented by connectors that can show the exact request body they would send
// for a document, receipt or journal entry (preview prints it beside the plan). Each returns the
// dialect's JSON-marshalable body, or the error the create call would return before sending.
type WireRenderer interface {
	WireDocument(kind DocumentKind, d Document) (any, error)
	WirePayment(p Payment) (any, error)
	WireJournal(je JournalEntry) (any, error)
}

// Unwrapper is implemented by decorators around a connector (monitoring), so an optional
// interface of the inner connector can still be found (As).
type Unwrapper interface {
	Unwrap() Connector
}

// As returns c, or the first connector it wraps, as a T (an optional interface such as
// WireRenderer).
func As[T any](c Connector) (T, bool) {
	for c != nil {
		if t, ok := c.(T); ok {
			return t, true
		}
		u, ok := c.(Unwrapper)
		if !ok {
			break
		}
		c = u.Unwrap()
	}
	var zero T
	return zero, false
}

// StockAllocator is implemented by ERPs whose sales orders allocate stock by their own call
// (Sage X3's allocation, not a side effect of creating the order). AllocateStock must be
// idempotent: allocating an allocated order changes nothing.
type StockAllocator interface {
	AllocateStock(ctx context.Context, salesOrder string) error
}

// DocumentLister is implemented by connectors that can list the documents of a kind dated in a
// range (YYYY-MM-DD, inclusive); reconciliation uses it to find orphans (ERP documents whose
// provider object does not exist).
type DocumentLister interface {
	ListDocuments(ctx context.Context, kind DocumentKind, from, to string) ([]Document, error)
}

// LiveCounter is implemented by connectors that can count the live (not void or cancelled)
// documents sharing an external reference: more than one is a duplicate someone posted by hand.
type LiveCounter interface {
	CountLive(ctx context.Context, kind DocumentKind, externalRef string) (int, error)
}

// CountLive counts the live documents among docs.
func CountLive(docs []Document) int {
	n := 0
	for _, d := range docs {
		if !Dead(d.Status) {
			n++
		}
	}
	return n
}

// ErrUnsupported is returned by a decorator's optional method when the connector it wraps does
// not have it (e.g. AllocateStock on an ERP that allocates when the order is created).
var ErrUnsupported = errors.New("not supported by this ERP")

// AccountLister is implemented by connectors that can list the ERP's active GL accounts; the
// worker uses it to validate the GL mapping at start-up.
type AccountLister interface {
	ListGLAccounts(ctx context.Context) ([]string, error)
}

// Dead reports whether a document or payment status means it no longer counts: voided, cancelled
// or reversed. A dead record must not stop a workflow from posting a live one.
func Dead(status string) bool {
	switch status {
	case "Void", "Canceled", "Cancelled", "Reversed":
		return true
	}
	return false
}

// PickLive chooses among the records that share an external reference (oldest first): the
// oldest live one, else the newest dead one (so callers see that one was voided), else nil.
// Find* use it so that a voided earlier attempt never hides, or stands in for, a live document.
func PickLive[T any](items []T, status func(*T) string) *T {
	for i := range items {
		if !Dead(status(&items[i])) {
			return &items[i]
		}
	}
	if len(items) == 0 {
		return nil
	}
	return &items[len(items)-1]
}
