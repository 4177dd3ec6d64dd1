package paytrace

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Transaction types (transaction_type).
const (
	TypeSale          = "SALE"
	TypeAuthorization = "AUTHORIZATION"
	TypeRefund        = "REFUND"
)

// Transaction statuses, as exports name them.
const (
	StatusAuthorized        = "Authorized"
	StatusPendingSettlement = "Pending Settlement"
	StatusSettled           = "Settled"
	StatusPartiallyRefunded = "Partially Refunded"
	StatusRefunded          = "Refunded"
	StatusVoided            = "Voided"
	StatusDeclined          = "Declined"
)

// Response codes of payment calls.
const (
	CodeError      = 1   // one or more errors (also "request completed" on exports, with success true)
	CodeApproved   = 101 // sale or authorization approved
	CodeDeclined   = 102 // not approved
	CodeAutoVoided = 103 // approved then voided automatically (AVS/CSC rules)
	CodeRefunded   = 106 // refund accepted
	CodeVoided     = 109 // void accepted
	CodeCaptured   = 112 // capture accepted
	CodeCustomerOK = 160 // customer profile created
	CodeCustomerUp = 161 // customer profile updated
)

// DefaultCurrency is PayTrace's only currency; exports carry none.
const DefaultCurrency = "USD"

// Address is a billing or shipping address.
type Address struct {
	Name           string `json:"name,omitempty"`
	StreetAddress  string `json:"street_address,omitempty"`
	StreetAddress2 string `json:"street_address2,omitempty"`
	City           string `json:"city,omitempty"`
	State          string `json:"state,omitempty"`
	Zip            string `json:"zip,omitempty"`
	Country        string `json:"country,omitempty"`
}

// CreditCard is a card to charge or store. Number never leaves the client except in the
// request body to PayTrace: it is excluded from JSON, and printing or logging the value
// shows only the last four digits.
type CreditCard struct {
	// Number is the PAN.
	Number string `json:"-"`
	// ExpirationMonth is 1-12.
	ExpirationMonth int `json:"expiration_month"`
	// ExpirationYear is the four-digit year.
	ExpirationYear int `json:"expiration_year"`
}

// String shows the card masked ("card ****1111 12/2030").
func (c CreditCard) String() string {
	return fmt.Sprintf("card %s %02d/%d", maskTail(c.Number), c.ExpirationMonth, c.ExpirationYear)
}

// GoString is String, so %#v cannot print the PAN either.
func (c CreditCard) GoString() string { return c.String() }

// LogValue is String, for log/slog.
func (c CreditCard) LogValue() slog.Value { return slog.StringValue(c.String()) }

// wire is the request form of the card.
func (c CreditCard) wire() map[string]any {
	return map[string]any{"number": c.Number, "expiration_month": c.ExpirationMonth, "expiration_year": c.ExpirationYear}
}

// SecurityCode is a card's CSC/CVV. It is sent to PayTrace only: printed and logged as "***".
type SecurityCode string

// String hides the code.
func (SecurityCode) String() string { return "***" }

// GoString hides the code.
func (SecurityCode) GoString() string { return "***" }

// LogValue hides the code, for log/slog.
func (SecurityCode) LogValue() slog.Value { return slog.StringValue("***") }

// maskTail shows at most the last four digits of a sensitive number.
func maskTail(n string) string {
	if len(n) <= 4 {
		return "****"
	}
	return "****" + n[len(n)-4:]
}

// LineItem is a level-3 line item, sent with a sale or authorization and exported with it.
// In requests, zero optional amounts are omitted; PayTrace computes Amount as
// round(Quantity × UnitCost, 2) when it is not sent (and refuses a different one).
type LineItem struct {
	ProductID           string
	Description         string
	Quantity            decimal.Decimal
	UnitOfMeasure       string
	UnitCost            decimal.Decimal
	Amount              decimal.Decimal
	DiscountAmount      decimal.Decimal
	AdditionalTaxAmount decimal.Decimal
	AdditionalTaxRate   decimal.Decimal
	CommodityCode       string
}

// MarshalJSON renders the request form: decimals as strings, zero optional fields omitted.
func (li LineItem) MarshalJSON() ([]byte, error) {
	m := map[string]any{"description": li.Description, "quantity": li.Quantity.String(), "unit_cost": li.UnitCost.String()}
	for k, v := range map[string]string{"product_id": li.ProductID, "unit_of_measure": li.UnitOfMeasure, "commodity_code": li.CommodityCode} {
		if v != "" {
			m[k] = v
		}
	}
	for k, v := range map[string]decimal.Decimal{"amount": li.Amount, "discount_amount": li.DiscountAmount,
		"additional_tax_amount": li.AdditionalTaxAmount, "additional_tax_rate": li.AdditionalTaxRate} {
		if !v.IsZero() {
			m[k] = v.String()
		}
	}
	return json.Marshal(m)
}

// UnmarshalJSON reads the export form (numbers or strings).
func (li *LineItem) UnmarshalJSON(b []byte) error {
	var w struct {
		ProductID           flexString  `json:"product_id"`
		Description         string      `json:"description"`
		Quantity            flexDecimal `json:"quantity"`
		UnitOfMeasure       string      `json:"unit_of_measure"`
		UnitCost            flexDecimal `json:"unit_cost"`
		Amount              flexDecimal `json:"amount"`
		DiscountAmount      flexDecimal `json:"discount_amount"`
		AdditionalTaxAmount flexDecimal `json:"additional_tax_amount"`
		AdditionalTaxRate   flexDecimal `json:"additional_tax_rate"`
		CommodityCode       string      `json:"commodity_code"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*li = LineItem{ProductID: string(w.ProductID), Description: w.Description, Quantity: w.Quantity.Decimal,
		UnitOfMeasure: w.UnitOfMeasure, UnitCost: w.UnitCost.Decimal, Amount: w.Amount.Decimal,
		DiscountAmount: w.DiscountAmount.Decimal, AdditionalTaxAmount: w.AdditionalTaxAmount.Decimal,
		AdditionalTaxRate: w.AdditionalTaxRate.Decimal, CommodityCode: w.CommodityCode}
	return nil
}

// Transaction is one exported PayTrace transaction, typed. Amounts are exact dollars;
// instants are UTC; Settled is a calendar date (midnight in the merchant time zone).
type Transaction struct {
	ID     int64
	Type   string // TypeSale, TypeAuthorization, TypeRefund
	Status string // StatusAuthorized … StatusDeclined
	// ResponseCode and StatusMessage are those of the original call (101 approved, 102 declined, 106 refund).
	ResponseCode    int
	StatusMessage   string
	ApprovalCode    string
	ApprovalMessage string
	AVSResponse     string
	CSCResponse     string
	// PaymentMethodType is "CC" (card) or "ACH" (check).
	PaymentMethodType string

	Amount decimal.Decimal
	// AuthorizedAmount is 0 for declines.
	AuthorizedAmount decimal.Decimal
	// CapturedAmount is what settles (0 until an authorization is captured).
	CapturedAmount decimal.Decimal
	// RefundedAmount is the sum of the unvoided refunds against this transaction.
	RefundedAmount decimal.Decimal
	TaxAmount      decimal.Decimal
	// Currency is "USD" unless the server names another.
	Currency string

	// OriginalTransactionID is the refunded transaction, for refunds of a transaction.
	OriginalTransactionID int64
	// RefundTransactionIDs are the refunds against this transaction.
	RefundTransactionIDs []int64

	InvoiceNumber       string
	Description         string
	CustomerID          string
	CustomerReferenceID string
	Email               string
	BillingAddress      Address
	ShippingAddress     *Address
	LineItems           []LineItem
	DiscretionaryData   map[string]string

	// MaskedCard is "xxxxxxxxxxxx1111"; CardType VISA, MASTERCARD, AMEX or DISCOVER.
	MaskedCard     string
	CardType       string
	CardExpMonth   int
	CardExpYear    int
	CreatedThrough string // "API Keyed", "API Customer", "API Refund"
	CreatedBy      string // the API user
	Created        time.Time
	Updated        time.Time // the last change; Created when the server does not say
	Captured       time.Time // zero unless captured
	Voided         time.Time // zero unless voided
	Settled        time.Time // zero until settled; a date
	BatchNumber    string    // "" until settled
}

// txnWire is the export form of a transaction (lenient: unknown fields are ignored, numbers
// may be strings).
type txnWire struct {
	TransactionID         flexInt           `json:"transaction_id"`
	TransactionType       string            `json:"transaction_type"`
	Status                string            `json:"status"`
	ResponseCode          flexInt           `json:"response_code"`
	StatusMessage         string            `json:"status_message"`
	ApprovalCode          string            `json:"approval_code"`
	ApprovalMessage       string            `json:"approval_message"`
	AVSResponse           string            `json:"avs_response"`
	CSCResponse           string            `json:"csc_response"`
	PaymentMethodType     string            `json:"payment_method_type"`
	Amount                flexDecimal       `json:"amount"`
	AuthorizedAmount      flexDecimal       `json:"authorized_amount"`
	CapturedAmount        flexDecimal       `json:"captured_amount"`
	RefundedAmount        flexDecimal       `json:"refunded_amount"`
	TaxAmount             flexDecimal       `json:"tax_amount"`
	Currency              string            `json:"currency"`
	CurrencyCode          string            `json:"currency_code"`
	OriginalTransactionID flexInt           `json:"original_transaction_id"`
	RefundTransactionIDs  []flexInt         `json:"refund_transaction_ids"`
	InvoiceNumber         string            `json:"invoice_number"`
	Description           string            `json:"description"`
	CustomerID            string            `json:"customer_id"`
	CustomerReferenceID   string            `json:"customer_reference_id"`
	Email                 string            `json:"email"`
	MaskedCardNumber      string            `json:"masked_card_number"`
	CreditCard            *cardWire         `json:"credit_card"`
	BillingAddress        *Address          `json:"billing_address"`
	ShippingAddress       *Address          `json:"shipping_address"`
	LineItems             []LineItem        `json:"line_items"`
	DiscretionaryData     map[string]string `json:"discretionary_data"`
	Created               stampWire         `json:"created"`
	Updated               stampWire         `json:"updated"`
	Captured              *stampWire        `json:"captured"`
	Voided                *stampWire        `json:"voided"`
	Settled               string            `json:"settled"`
	BatchNumber           flexString        `json:"batch_number"`
}

// cardWire is the masked credit_card object of exports.
type cardWire struct {
	MaskedNumber    string  `json:"masked_number"`
	Type            string  `json:"type"`
	ExpirationMonth flexInt `json:"expiration_month"`
	ExpirationYear  flexInt `json:"expiration_year"`
}

// transaction converts the wire form.
func (w *txnWire) transaction(loc *time.Location) (Transaction, error) {
	t := Transaction{ID: int64(w.TransactionID), Type: strings.ToUpper(w.TransactionType), Status: w.Status,
		ResponseCode: int(w.ResponseCode), StatusMessage: w.StatusMessage, ApprovalCode: w.ApprovalCode,
		ApprovalMessage: w.ApprovalMessage, AVSResponse: w.AVSResponse, CSCResponse: w.CSCResponse,
		PaymentMethodType: strings.ToUpper(w.PaymentMethodType), Amount: w.Amount.Decimal,
		AuthorizedAmount: w.AuthorizedAmount.Decimal, CapturedAmount: w.CapturedAmount.Decimal,
		RefundedAmount: w.RefundedAmount.Decimal, TaxAmount: w.TaxAmount.Decimal,
		Currency:              strings.ToUpper(firstNonEmpty(w.Currency, w.CurrencyCode, DefaultCurrency)),
		OriginalTransactionID: int64(w.OriginalTransactionID), InvoiceNumber: w.InvoiceNumber,
		Description: w.Description, CustomerID: w.CustomerID, CustomerReferenceID: w.CustomerReferenceID,
		Email: w.Email, ShippingAddress: w.ShippingAddress, LineItems: w.LineItems,
		DiscretionaryData: w.DiscretionaryData, MaskedCard: w.MaskedCardNumber,
		CreatedThrough: w.Created.Through, CreatedBy: w.Created.By, BatchNumber: string(w.BatchNumber)}
	if t.PaymentMethodType == "" {
		t.PaymentMethodType = "CC"
	}
	for _, id := range w.RefundTransactionIDs {
		t.RefundTransactionIDs = append(t.RefundTransactionIDs, int64(id))
	}
	if w.BillingAddress != nil {
		t.BillingAddress = *w.BillingAddress
	}
	if c := w.CreditCard; c != nil {
		t.MaskedCard = firstNonEmpty(c.MaskedNumber, t.MaskedCard)
		t.CardType, t.CardExpMonth, t.CardExpYear = strings.ToUpper(c.Type), int(c.ExpirationMonth), int(c.ExpirationYear)
	}
	var err error
	if t.Created, err = parseStamp(w.Created, loc); err != nil {
		return t, err
	}
	if t.Updated, err = parseStamp(w.Updated, loc); err != nil {
		return t, err
	}
	if t.Updated.IsZero() {
		t.Updated = t.Created
	}
	if w.Captured != nil {
		if t.Captured, err = parseStamp(*w.Captured, loc); err != nil {
			return t, err
		}
	}
	if w.Voided != nil {
		if t.Voided, err = parseStamp(*w.Voided, loc); err != nil {
			return t, err
		}
	}
	t.Settled, err = parseDate(w.Settled, loc)
	return t, err
}

// exportWire is the answer of transaction exports and batches/transaction_list.
type exportWire struct {
	Transactions []txnWire `json:"transactions"`
	HasMore      bool      `json:"has_more"`
}

func (c *Client) transactions(endpoint string, ws []txnWire) ([]Transaction, error) {
	out := make([]Transaction, 0, len(ws))
	for i := range ws {
		t, err := ws[i].transaction(c.loc)
		if err != nil {
			return nil, &TransientError{Endpoint: endpoint, Message: fmt.Sprintf("transaction %d: %v", ws[i].TransactionID, err)}
		}
		out = append(out, t)
	}
	return out, nil
}

// ExportTransaction fetches one transaction by ID (transactions/export/by_id). An unknown ID
// is an *APIError (key 58) matching ErrNotFound.
func (c *Client) ExportTransaction(ctx context.Context, id int64) (*Transaction, error) {
	const path = "transactions/export/by_id"
	if id <= 0 {
		return nil, fmt.Errorf("%w: transaction ID %d", ErrInvalidInput, id)
	}
	var out exportWire
	if err := notFoundOn(c.do(ctx, path, map[string]any{"transaction_id": id}, &out), KeyTransactionID); err != nil {
		return nil, err
	}
	list, err := c.transactions("/v1/"+path, out.Transactions)
	if err != nil {
		return nil, err
	}
	for i := range list {
		if list[i].ID == id {
			return &list[i], nil
		}
	}
	return nil, &APIError{Endpoint: "/v1/" + path, ResponseCode: CodeError, notFound: true,
		StatusMessage: fmt.Sprintf("transaction %d is not in the export", id)}
}

// DateType picks the date an ExportQuery range applies to (a sandbox extension).
type DateType string

// Date types.
const (
	// DateTransaction is the transaction (creation) date: PayTrace's own behaviour.
	DateTransaction DateType = "transaction"
	// DateUpdated is the date of the last change (capture, void, refund, settlement); the
	// local sandbox only.
	DateUpdated DateType = "updated"
)

// ExportQuery selects transactions for ExportTransactions. Start and End are instants
// rendered as their merchant-local calendar dates (MM/DD/YYYY), both inclusive.
//
// PayTrace's real by_date_range takes start_date, end_date, transaction_type, customer_id,
// transaction_id, including_text and include_bin, and answers every match in one response
// (its cap is undocumented). DateType and AfterTransactionID are extensions of the local
// sandbox, which caps a response and sets has_more; they are sent only when set, so a query
// that leaves them zero is valid against the real API.
type ExportQuery struct {
	Start, End time.Time
	// Type filters by transaction_type: SALE, AUTHORIZATION, REFUND, VOID, SETTLED, PENDING,
	// DECLINED (case-insensitive); "" for all.
	Type string
	// CustomerID filters by customer profile.
	CustomerID string
	// TransactionID filters to one ID (0: all).
	TransactionID int64
	// IncludingText matches invoice number, description, email, customer IDs and billing name.
	IncludingText string
	// DateType (sandbox extension) "" or DateTransaction: the transaction date; DateUpdated:
	// the last change.
	DateType DateType
	// AfterTransactionID (sandbox extension) returns only IDs above it: the paging cursor
	// (the last ID of the previous page).
	AfterTransactionID int64
}

// ExportTransactions returns one page of transactions by ascending ID
// (transactions/export/by_date_range) and whether more follow (has_more; always false
// against the real API, which does not page). Declined transactions are listed with status
// Declined, never as errors. Page with q.AfterTransactionID = the last ID returned.
func (c *Client) ExportTransactions(ctx context.Context, q ExportQuery) (page []Transaction, more bool, err error) {
	const path = "transactions/export/by_date_range"
	if q.Start.IsZero() || q.End.IsZero() {
		return nil, false, fmt.Errorf("%w: export needs a start and an end date", ErrInvalidInput)
	}
	start, end := formatDate(q.Start, c.loc), formatDate(q.End, c.loc)
	if q.End.In(c.loc).Format("20060102") < q.Start.In(c.loc).Format("20060102") {
		return nil, false, fmt.Errorf("%w: end date %s is before start date %s", ErrInvalidInput, end, start)
	}
	body := map[string]any{"start_date": start, "end_date": end}
	if q.Type != "" {
		body["transaction_type"] = strings.ToUpper(q.Type)
	}
	if q.CustomerID != "" {
		body["customer_id"] = q.CustomerID
	}
	if q.TransactionID != 0 {
		body["transaction_id"] = q.TransactionID
	}
	if q.IncludingText != "" {
		body["including_text"] = q.IncludingText
	}
	if q.DateType != "" {
		body["date_type"] = string(q.DateType)
	}
	if q.AfterTransactionID != 0 {
		body["after_transaction_id"] = q.AfterTransactionID
	}
	var out exportWire
	if err := c.do(ctx, path, body, &out); err != nil {
		return nil, false, err
	}
	list, err := c.transactions("/v1/"+path, out.Transactions)
	if err != nil {
		return nil, false, err
	}
	return list, out.HasMore && len(list) > 0, nil
}

// SaleDetails are the descriptive fields of a sale or authorization. Amount is required
// (positive, at most two decimals); zero TaxAmount and empty fields are not sent.
type SaleDetails struct {
	Amount              decimal.Decimal
	InvoiceNumber       string // ≤ 50; the business key to find the transaction again
	Description         string // ≤ 255
	Email               string
	TaxAmount           decimal.Decimal
	CustomerReferenceID string // ≤ 25
	ShippingAddress     *Address
	DiscretionaryData   map[string]string
	LineItems           []LineItem
}

func (d *SaleDetails) wire(body map[string]any) error {
	amount, err := amountString("amount", d.Amount)
	if err != nil {
		return err
	}
	body["amount"] = amount
	tax, err := optionalAmount("tax_amount", d.TaxAmount)
	if err != nil {
		return err
	}
	for k, v := range map[string]string{"tax_amount": tax, "invoice_number": d.InvoiceNumber, "description": d.Description,
		"email": d.Email, "customer_reference_id": d.CustomerReferenceID} {
		if v != "" {
			body[k] = v
		}
	}
	if d.ShippingAddress != nil {
		body["shipping_address"] = d.ShippingAddress
	}
	if len(d.DiscretionaryData) > 0 {
		body["discretionary_data"] = d.DiscretionaryData
	}
	if len(d.LineItems) > 0 {
		body["line_items"] = d.LineItems
	}
	return nil
}

// KeyedSale is a sale or authorization with card data (sale/keyed, authorization/keyed).
// Its card number and CSC are sent to PayTrace only: never in errors or logs.
type KeyedSale struct {
	SaleDetails
	CreditCard     CreditCard
	CSC            SecurityCode `json:"-"`
	BillingAddress *Address
}

// CustomerSale charges a stored customer profile (sale/by_customer, authorization/by_customer).
type CustomerSale struct {
	SaleDetails
	CustomerID string
	CSC        SecurityCode `json:"-"`
}

// TransactionResult is PayTrace's answer to a payment call, approved or not.
type TransactionResult struct {
	Success       bool
	ResponseCode  int
	StatusMessage string
	// TransactionID is the new transaction (for a refund: the refund's own ID; for a
	// capture or void: the transaction operated on).
	TransactionID         int64
	ApprovalCode          string
	ApprovalMessage       string
	AVSResponse           string
	CSCResponse           string
	ExternalTransactionID string
	MaskedCardNumber      string
}

type resultWire struct {
	Success               bool    `json:"success"`
	ResponseCode          flexInt `json:"response_code"`
	StatusMessage         string  `json:"status_message"`
	TransactionID         flexInt `json:"transaction_id"`
	ApprovalCode          string  `json:"approval_code"`
	ApprovalMessage       string  `json:"approval_message"`
	AVSResponse           string  `json:"avs_response"`
	CSCResponse           string  `json:"csc_response"`
	ExternalTransactionID string  `json:"external_transaction_id"`
	MaskedCardNumber      string  `json:"masked_card_number"`
}

func (w resultWire) result() *TransactionResult {
	return &TransactionResult{Success: w.Success, ResponseCode: int(w.ResponseCode), StatusMessage: w.StatusMessage,
		TransactionID: int64(w.TransactionID), ApprovalCode: w.ApprovalCode, ApprovalMessage: w.ApprovalMessage,
		AVSResponse: w.AVSResponse, CSCResponse: w.CSCResponse, ExternalTransactionID: w.ExternalTransactionID,
		MaskedCardNumber: w.MaskedCardNumber}
}

// SaleKeyed charges a card (transactions/sale/keyed). Approved: the result and nil. Declined
// (102/103): the result with Success false and a *DeclinedError. Refused (bad card number,
// amount …): nil and an *APIError. PayTrace v1 has no idempotency key: after a
// *TransientError, find the sale by its InvoiceNumber before charging again.
func (c *Client) SaleKeyed(ctx context.Context, s KeyedSale) (*TransactionResult, error) {
	return c.keyed(ctx, "transactions/sale/keyed", s)
}

// AuthorizeKeyed authorizes a card without capturing (transactions/authorization/keyed);
// outcomes as SaleKeyed.
func (c *Client) AuthorizeKeyed(ctx context.Context, s KeyedSale) (*TransactionResult, error) {
	return c.keyed(ctx, "transactions/authorization/keyed", s)
}

// SaleByCustomer charges a customer profile's card (transactions/sale/by_customer); outcomes
// as SaleKeyed (an unknown customer is an *APIError with key 30).
func (c *Client) SaleByCustomer(ctx context.Context, s CustomerSale) (*TransactionResult, error) {
	return c.byCustomer(ctx, "transactions/sale/by_customer", s)
}

// AuthorizeByCustomer authorizes a customer profile's card (transactions/authorization/by_customer).
func (c *Client) AuthorizeByCustomer(ctx context.Context, s CustomerSale) (*TransactionResult, error) {
	return c.byCustomer(ctx, "transactions/authorization/by_customer", s)
}

func (c *Client) keyed(ctx context.Context, path string, s KeyedSale) (*TransactionResult, error) {
	body := map[string]any{"credit_card": s.CreditCard.wire()}
	if err := s.SaleDetails.wire(body); err != nil {
		return nil, err
	}
	if s.CSC != "" {
		body["csc"] = string(s.CSC)
	}
	if s.BillingAddress != nil {
		body["billing_address"] = s.BillingAddress
	}
	return c.payment(ctx, path, body)
}

func (c *Client) byCustomer(ctx context.Context, path string, s CustomerSale) (*TransactionResult, error) {
	if s.CustomerID == "" {
		return nil, fmt.Errorf("%w: customer ID is required", ErrInvalidInput)
	}
	body := map[string]any{"customer_id": s.CustomerID}
	if err := s.SaleDetails.wire(body); err != nil {
		return nil, err
	}
	if s.CSC != "" {
		body["csc"] = string(s.CSC)
	}
	return c.payment(ctx, path, body)
}

// payment sends a sale or authorization and sorts approval, decline and refusal.
func (c *Client) payment(ctx context.Context, path string, body map[string]any) (*TransactionResult, error) {
	var w resultWire
	env, status, err := c.call(ctx, path, body, &w)
	if err != nil {
		return nil, err
	}
	if env.Success {
		return w.result(), nil
	}
	if (env.ResponseCode == CodeDeclined || env.ResponseCode == CodeAutoVoided) && env.TransactionID > 0 {
		res := w.result()
		return res, &DeclinedError{Endpoint: "/v1/" + path, TransactionID: res.TransactionID, ResponseCode: res.ResponseCode,
			StatusMessage: res.StatusMessage, ApprovalMessage: res.ApprovalMessage}
	}
	return nil, failure("/v1/"+path, status, env)
}

// opWire answers captures, refunds and voids.
type opWire = resultWire

// Capture captures an authorization (transactions/authorization/capture) for amount, or in
// full when amount is zero; the rest is released. A second capture is an *APIError (113,
// key 822); an unknown ID matches ErrNotFound.
func (c *Client) Capture(ctx context.Context, id int64, amount decimal.Decimal) (*TransactionResult, error) {
	return c.operation(ctx, "transactions/authorization/capture", id, amount)
}

// RefundTransaction refunds a settled sale or captured authorization
// (transactions/refund/for_transaction) for amount, or what is left when amount is zero.
// The result's TransactionID is the new refund. An unsettled transaction is an *APIError
// with key 817 (void it instead); more than what is left, key 820.
func (c *Client) RefundTransaction(ctx context.Context, id int64, amount decimal.Decimal) (*TransactionResult, error) {
	return c.operation(ctx, "transactions/refund/for_transaction", id, amount)
}

// Void voids an unsettled sale, authorization or refund (transactions/void). A settled one
// is an *APIError with key 818 (refund it instead).
func (c *Client) Void(ctx context.Context, id int64) (*TransactionResult, error) {
	return c.operation(ctx, "transactions/void", id, decimal.Zero)
}

func (c *Client) operation(ctx context.Context, path string, id int64, amount decimal.Decimal) (*TransactionResult, error) {
	if id <= 0 {
		return nil, fmt.Errorf("%w: transaction ID %d", ErrInvalidInput, id)
	}
	body := map[string]any{"transaction_id": id}
	a, err := optionalAmount("amount", amount)
	if err != nil {
		return nil, err
	}
	if a != "" {
		body["amount"] = a
	}
	var w opWire
	if err := notFoundOn(c.do(ctx, path, body, &w), KeyTransactionID); err != nil {
		return nil, err
	}
	return w.result(), nil
}

// notFoundOn marks an *APIError carrying key as a not-found (errors.Is ErrNotFound).
func notFoundOn(err error, key int) error {
	if ae, ok := err.(*APIError); ok && ae.HasKey(key) {
		ae.notFound = true
	}
	return err
}
