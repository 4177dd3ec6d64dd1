package paytracesandbox

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Transaction types, as exports name them.
const (
	typeSale   = "SALE"
	typeAuth   = "AUTHORIZATION"
	typeRefund = "REFUND"
)

// Transaction statuses, as exports name them.
const (
	statusAuthorized   = "Authorized"         // authorization not captured yet
	statusPending      = "Pending Settlement" // captured sale, captured authorization or refund
	statusSettled      = "Settled"
	statusPartRefunded = "Partially Refunded" // settled, part of it refunded
	statusRefunded     = "Refunded"           // settled, fully refunded
	statusVoided       = "Voided"
	statusDeclined     = "Declined"
)

// firstTransactionID offsets the transaction counter so IDs look like PayTrace's.
const firstTransactionID = 100_000_000

// transaction is one stored PayTrace transaction. Card data is cardInfo only (masked).
type transaction struct {
	ID               int64             `json:"id"`
	Type             string            `json:"type"`
	Status           string            `json:"status"`
	Through          string            `json:"through"`
	By               string            `json:"by"`
	Created          time.Time         `json:"created"`
	Updated          time.Time         `json:"updated"`
	Amount           decimal.Decimal   `json:"amount"`
	AuthorizedAmount decimal.Decimal   `json:"authorized_amount"`
	CapturedAmount   decimal.Decimal   `json:"captured_amount"`
	RefundedAmount   decimal.Decimal   `json:"refunded_amount"`
	TaxAmount        *decimal.Decimal  `json:"tax_amount,omitempty"`
	Captured         *time.Time        `json:"captured,omitempty"`
	Voided           *time.Time        `json:"voided,omitempty"`
	PendingSince     *time.Time        `json:"pending_since,omitempty"`
	Settled          *time.Time        `json:"settled,omitempty"`
	SettledDate      string            `json:"settled_date,omitempty"` // YYYY-MM-DD
	BatchNumber      int64             `json:"batch_number,omitempty"`
	OriginalID       int64             `json:"original_id,omitempty"`
	RefundIDs        []int64           `json:"refund_ids,omitempty"`
	ResponseCode     int               `json:"response_code"`
	StatusMessage    string            `json:"status_message"`
	ApprovalCode     string            `json:"approval_code"`
	ApprovalMessage  string            `json:"approval_message"`
	AVSResponse      string            `json:"avs_response"`
	CSCResponse      string            `json:"csc_response"`
	PaymentMethod    string            `json:"payment_method"`
	Card             cardInfo          `json:"card"`
	CustomerID       string            `json:"customer_id,omitempty"`
	InvoiceNumber    string            `json:"invoice_number,omitempty"`
	Description      string            `json:"description,omitempty"`
	Email            string            `json:"email,omitempty"`
	CustomerRef      string            `json:"customer_reference_id,omitempty"`
	BillingAddress   *address          `json:"billing_address,omitempty"`
	ShippingAddress  *address          `json:"shipping_address,omitempty"`
	LineItems        []lineItem        `json:"line_items,omitempty"`
	Discretionary    map[string]string `json:"discretionary_data,omitempty"`
}

// refundable is what is left to refund of a settled sale or captured authorization.
func (t *transaction) refundable() decimal.Decimal { return t.CapturedAmount.Sub(t.RefundedAmount) }

// settledStatus recomputes the status of a settled sale from its refunds.
func (t *transaction) settledStatus() string {
	switch {
	case t.RefundedAmount.IsZero():
		return statusSettled
	case t.RefundedAmount.GreaterThanOrEqual(t.CapturedAmount):
		return statusRefunded
	default:
		return statusPartRefunded
	}
}

// searchText is what including_text matches (case-insensitive).
func (t *transaction) searchText() string {
	parts := []string{t.InvoiceNumber, t.Description, t.Email, t.CustomerID, t.CustomerRef}
	if t.BillingAddress != nil {
		parts = append(parts, t.BillingAddress.Name)
	}
	return strings.ToLower(strings.Join(parts, "\x1f"))
}

// nextTransactionID allocates the next transaction ID.
func nextTransactionID(ctx context.Context, q dbtx) (int64, error) {
	n, err := next(ctx, q, "transaction")
	return firstTransactionID + n, err
}

// putTransaction inserts or replaces t with its index columns.
func (s *Server) putTransaction(ctx context.Context, q dbtx, t *transaction) error {
	data, err := json.Marshal(t)
	if err != nil {
		return err
	}
	_, err = q.ExecContext(ctx, `INSERT INTO transactions
		(id, type, status, customer_id, original_id, batch_number, created_date, updated_date, created_ns, updated_ns, search, data)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET type = excluded.type, status = excluded.status, customer_id = excluded.customer_id,
			original_id = excluded.original_id, batch_number = excluded.batch_number, updated_date = excluded.updated_date,
			updated_ns = excluded.updated_ns, search = excluded.search, data = excluded.data`,
		t.ID, t.Type, t.Status, t.CustomerID, t.OriginalID, t.BatchNumber, s.dateKey(t.Created), s.dateKey(t.Updated),
		t.Created.UnixNano(), t.Updated.UnixNano(), t.searchText(), string(data))
	return err
}

// getTransaction loads a transaction; nil when it does not exist.
func getTransaction(ctx context.Context, q dbtx, id int64) (*transaction, error) {
	var t transaction
	ok, err := getJSON(ctx, q, &t, `SELECT data FROM transactions WHERE id = ?`, id)
	if err != nil || !ok {
		return nil, err
	}
	return &t, nil
}

// mustTransaction loads a transaction or fails with PayTrace's key 58.
func mustTransaction(ctx context.Context, q dbtx, id int64) (*transaction, error) {
	t, err := getTransaction(ctx, q, id)
	if err != nil {
		return nil, err
	}
	if t == nil {
		return nil, fail(keyTransactionID, "Please provide a valid Transaction ID. %d was not found.", id)
	}
	return t, nil
}

// createdOut is the created{} object of exports.
type createdOut struct {
	Through string `json:"through"`
	By      string `json:"by"`
	At      string `json:"at"`
	AtUTC   string `json:"at_utc"`
}

// txnOut is a transaction in export responses.
type txnOut struct {
	TransactionID         int64             `json:"transaction_id"`
	TransactionType       string            `json:"transaction_type"`
	Status                string            `json:"status"`
	ResponseCode          int               `json:"response_code"`
	StatusMessage         string            `json:"status_message"`
	ApprovalCode          string            `json:"approval_code"`
	ApprovalMessage       string            `json:"approval_message"`
	AVSResponse           string            `json:"avs_response"`
	CSCResponse           string            `json:"csc_response"`
	PaymentMethod         string            `json:"payment_method_type"`
	Amount                money             `json:"amount"`
	AuthorizedAmount      money             `json:"authorized_amount"`
	CapturedAmount        money             `json:"captured_amount"`
	RefundedAmount        money             `json:"refunded_amount"`
	TaxAmount             *money            `json:"tax_amount,omitempty"`
	OriginalTransactionID int64             `json:"original_transaction_id,omitempty"`
	RefundTransactionIDs  []int64           `json:"refund_transaction_ids"`
	InvoiceNumber         string            `json:"invoice_number"`
	Description           string            `json:"description"`
	CustomerID            string            `json:"customer_id"`
	CustomerReferenceID   string            `json:"customer_reference_id,omitempty"`
	Email                 string            `json:"email"`
	CreditCard            *cardOut          `json:"credit_card,omitempty"`
	BillingAddress        address           `json:"billing_address"`
	ShippingAddress       *address          `json:"shipping_address,omitempty"`
	LineItems             []lineItemOut     `json:"line_items"`
	DiscretionaryData     map[string]string `json:"discretionary_data,omitempty"`
	Created               createdOut        `json:"created"`
	Updated               stamp             `json:"updated"`
	Captured              *stamp            `json:"captured,omitempty"`
	Voided                *stamp            `json:"voided,omitempty"`
	Settled               string            `json:"settled"`
	BatchNumber           int64             `json:"batch_number"`
}

// render turns a stored transaction into its export form.
func (s *Server) render(t *transaction) txnOut {
	created := s.stamp(t.Created)
	o := txnOut{TransactionID: t.ID, TransactionType: t.Type, Status: t.Status, ResponseCode: t.ResponseCode,
		StatusMessage: t.StatusMessage, ApprovalCode: t.ApprovalCode, ApprovalMessage: t.ApprovalMessage,
		AVSResponse: t.AVSResponse, CSCResponse: t.CSCResponse, PaymentMethod: t.PaymentMethod,
		Amount: money(t.Amount), AuthorizedAmount: money(t.AuthorizedAmount), CapturedAmount: money(t.CapturedAmount),
		RefundedAmount: money(t.RefundedAmount), OriginalTransactionID: t.OriginalID,
		RefundTransactionIDs: append([]int64{}, t.RefundIDs...), InvoiceNumber: t.InvoiceNumber,
		Description: t.Description, CustomerID: t.CustomerID, CustomerReferenceID: t.CustomerRef, Email: t.Email,
		CreditCard: t.Card.out(), ShippingAddress: t.ShippingAddress, LineItems: []lineItemOut{},
		DiscretionaryData: t.Discretionary,
		Created:           createdOut{Through: t.Through, By: t.By, At: created.At, AtUTC: created.AtUTC},
		Updated:           s.stamp(t.Updated), Captured: s.stampPtr(t.Captured), Voided: s.stampPtr(t.Voided),
		Settled: keyToDate(t.SettledDate), BatchNumber: t.BatchNumber}
	if t.TaxAmount != nil {
		m := money(*t.TaxAmount)
		o.TaxAmount = &m
	}
	if t.BillingAddress != nil {
		o.BillingAddress = *t.BillingAddress
	}
	for _, li := range t.LineItems {
		o.LineItems = append(o.LineItems, li.out())
	}
	return o
}

// txnQuery selects transactions for exports; zero fields do not filter.
type txnQuery struct {
	DateColumn string // created_date or updated_date
	From, To   string // inclusive YYYY-MM-DD keys
	ID         int64
	Type       string // a transaction_type filter value
	CustomerID string
	Text       string
	Batch      int64
	AfterID    int64
	Limit      int
}

// Values of the transaction_type filter.
var txnTypeFilters = map[string]string{
	"SALE":          `type = 'SALE' AND status <> 'Declined'`,
	"AUTHORIZATION": `type = 'AUTHORIZATION' AND status <> 'Declined'`,
	"REFUND":        `type = 'REFUND' AND status <> 'Declined'`,
	"VOID":          `status = 'Voided'`,
	"SETTLED":       `batch_number > 0`,
	"PENDING":       `status = 'Pending Settlement'`,
	"DECLINED":      `status = 'Declined'`,
	"STR/FWD":       `0`, // store-and-forward does not exist in the sandbox
}

// listTransactions returns up to q.Limit matching transactions by ascending ID, and
// whether more match.
func listTransactions(ctx context.Context, db dbtx, q txnQuery) ([]*transaction, bool, error) {
	where := []string{"1"}
	var args []any
	if q.From != "" {
		where = append(where, q.DateColumn+" >= ?", q.DateColumn+" <= ?")
		args = append(args, q.From, q.To)
	}
	if q.ID != 0 {
		where = append(where, "id = ?")
		args = append(args, q.ID)
	}
	if q.Type != "" {
		where = append(where, "("+txnTypeFilters[q.Type]+")")
	}
	if q.CustomerID != "" {
		where = append(where, "customer_id = ?")
		args = append(args, q.CustomerID)
	}
	if q.Text != "" {
		where = append(where, "instr(search, ?) > 0")
		args = append(args, strings.ToLower(q.Text))
	}
	if q.Batch != 0 {
		where = append(where, "batch_number = ?")
		args = append(args, q.Batch)
	}
	if q.AfterID != 0 {
		where = append(where, "id > ?")
		args = append(args, q.AfterID)
	}
	args = append(args, q.Limit+1)
	rows, err := db.QueryContext(ctx, fmt.Sprintf(`SELECT data FROM transactions WHERE %s ORDER BY id LIMIT ?`,
		strings.Join(where, " AND ")), args...)
	list, err := decodeRows[transaction](rows, err)
	if err != nil {
		return nil, false, err
	}
	more := len(list) > q.Limit
	if more {
		list = list[:q.Limit]
	}
	out := make([]*transaction, len(list))
	for i := range list {
		out[i] = &list[i]
	}
	return out, more, nil
}

// wtx is one write transaction of a handler.
type wtx struct {
	ctx    context.Context
	tx     *sql.Tx
	now    time.Time
	queued bool // notifications were queued: wake the notifier after commit
}

// update runs fn in the store's serialized write transaction and wakes the notifier after
// a commit that queued notifications.
func (s *Server) update(ctx context.Context, fn func(w *wtx) error) error {
	var w *wtx
	err := s.st.write(ctx, func(tx *sql.Tx) error {
		w = &wtx{ctx: context.WithoutCancel(ctx), tx: tx, now: s.now()}
		return fn(w)
	})
	if err == nil && w != nil && w.queued {
		s.kick()
	}
	return err
}
