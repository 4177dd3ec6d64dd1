package monitor

import (
	"context"
	"sync"
	"time"

	"github.com/stripe/stripe-go/v76"

	"github.com/ledgerbridge/ledgerbridge/internal/erp"
	"github.com/ledgerbridge/ledgerbridge/internal/stripeapi"
)

// hits counts calls per method name.
type hits struct {
	mu sync.Mutex
	n  map[string]int
}

func (h *hits) hit(name string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.n == nil {
		h.n = map[string]int{}
	}
	h.n[name]++
}

func (h *hits) count(name string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.n[name]
}

// fakeERP implements erp.Connector and nothing else; every method returns err.
type fakeERP struct {
	hits
	err      error
	customer *erp.Customer
}

func (f *fakeERP) Name() string { return "fake" }
func (f *fakeERP) GetCustomer(ctx context.Context, id string) (*erp.Customer, error) {
	f.hit("GetCustomer")
	return f.customer, f.err
}
func (f *fakeERP) FindCustomerByExternalRef(ctx context.Context, ref string) (*erp.Customer, error) {
	f.hit("FindCustomerByExternalRef")
	return f.customer, f.err
}
func (f *fakeERP) FindCustomerByEmail(ctx context.Context, email string) (*erp.Customer, error) {
	f.hit("FindCustomerByEmail")
	return f.customer, f.err
}
func (f *fakeERP) CreateCustomer(ctx context.Context, c erp.Customer) (*erp.Customer, error) {
	f.hit("CreateCustomer")
	return f.customer, f.err
}
func (f *fakeERP) UpdateCustomer(ctx context.Context, c erp.Customer) (*erp.Customer, error) {
	f.hit("UpdateCustomer")
	return f.customer, f.err
}
func (f *fakeERP) ListCustomersModifiedSince(ctx context.Context, since time.Time) ([]erp.Customer, error) {
	f.hit("ListCustomersModifiedSince")
	return nil, f.err
}
func (f *fakeERP) FindDocument(ctx context.Context, kind erp.DocumentKind, externalRef string) (*erp.Document, error) {
	f.hit("FindDocument")
	return nil, f.err
}
func (f *fakeERP) CreateDocument(ctx context.Context, kind erp.DocumentKind, d erp.Document) (*erp.Document, error) {
	f.hit("CreateDocument")
	return nil, f.err
}
func (f *fakeERP) VoidDocument(ctx context.Context, kind erp.DocumentKind, number string) error {
	f.hit("VoidDocument")
	return f.err
}
func (f *fakeERP) FindPayment(ctx context.Context, externalRef string) (*erp.Payment, error) {
	f.hit("FindPayment")
	return nil, f.err
}
func (f *fakeERP) ApplyPayment(ctx context.Context, p erp.Payment) (*erp.Payment, error) {
	f.hit("ApplyPayment")
	return nil, f.err
}
func (f *fakeERP) VoidPayment(ctx context.Context, id string) error {
	f.hit("VoidPayment")
	return f.err
}
func (f *fakeERP) FindJournalEntry(ctx context.Context, externalRef string) (*erp.JournalEntry, error) {
	f.hit("FindJournalEntry")
	return nil, f.err
}
func (f *fakeERP) PostJournalEntry(ctx context.Context, je erp.JournalEntry) (*erp.JournalEntry, error) {
	f.hit("PostJournalEntry")
	return nil, f.err
}
func (f *fakeERP) ReverseJournalEntry(ctx context.Context, number, date, externalRef string) (*erp.JournalEntry, error) {
	f.hit("ReverseJournalEntry")
	return nil, f.err
}

// listerERP also lists GL accounts.
type listerERP struct{ fakeERP }

func (f *listerERP) ListGLAccounts(ctx context.Context) ([]string, error) {
	f.hit("ListGLAccounts")
	return []string{"1000-00"}, f.err
}

// checkerERP also checks customer IDs (only "C1" is valid).
type checkerERP struct{ fakeERP }

func (f *checkerERP) ValidCustomerID(id string) bool { f.hit("ValidCustomerID"); return id == "C1" }

// bothERP does both.
type bothERP struct{ listerERP }

func (f *bothERP) ValidCustomerID(id string) bool { f.hit("ValidCustomerID"); return id == "C1" }

// fakeStripe implements stripeapi.Client; every method returns err.
type fakeStripe struct {
	hits
	err    error
	charge *stripe.Charge
	txns   []*stripe.BalanceTransaction
}

func (f *fakeStripe) GetCharge(ctx context.Context, id string) (*stripe.Charge, error) {
	f.hit("GetCharge")
	return f.charge, f.err
}
func (f *fakeStripe) GetInvoice(ctx context.Context, id string) (*stripe.Invoice, error) {
	f.hit("GetInvoice")
	return nil, f.err
}
func (f *fakeStripe) GetCreditNote(ctx context.Context, id string) (*stripe.CreditNote, []*stripe.CreditNoteLineItem, error) {
	f.hit("GetCreditNote")
	return nil, nil, f.err
}
func (f *fakeStripe) InvoiceCreditNotes(ctx context.Context, invoiceID string) ([]*stripe.CreditNote, error) {
	f.hit("InvoiceCreditNotes")
	return nil, f.err
}
func (f *fakeStripe) ListInvoiceLines(ctx context.Context, invoiceID string) ([]*stripe.InvoiceLineItem, error) {
	f.hit("ListInvoiceLines")
	return nil, f.err
}
func (f *fakeStripe) UpdateChargeMetadata(ctx context.Context, id string, metadata map[string]string, idempotencyKey string) error {
	f.hit("UpdateChargeMetadata")
	return f.err
}
func (f *fakeStripe) UpdateCustomerMetadata(ctx context.Context, id string, metadata map[string]string, idempotencyKey string) error {
	f.hit("UpdateCustomerMetadata")
	return f.err
}
func (f *fakeStripe) GetCustomer(ctx context.Context, id string) (*stripe.Customer, error) {
	f.hit("GetCustomer")
	return nil, f.err
}
func (f *fakeStripe) CustomersByEmail(ctx context.Context, email string) ([]*stripe.Customer, error) {
	f.hit("CustomersByEmail")
	return nil, f.err
}
func (f *fakeStripe) SaveCustomer(ctx context.Context, id string, p *stripe.CustomerParams, idempotencyKey string) (*stripe.Customer, error) {
	f.hit("SaveCustomer")
	return nil, f.err
}
func (f *fakeStripe) GetRefund(ctx context.Context, id string) (*stripe.Refund, error) {
	f.hit("GetRefund")
	return nil, f.err
}
func (f *fakeStripe) ListChargeRefunds(ctx context.Context, chargeID string) ([]*stripe.Refund, error) {
	f.hit("ListChargeRefunds")
	return nil, f.err
}
func (f *fakeStripe) UpdateRefundMetadata(ctx context.Context, id string, metadata map[string]string, idempotencyKey string) error {
	f.hit("UpdateRefundMetadata")
	return f.err
}
func (f *fakeStripe) GetDispute(ctx context.Context, id string) (*stripe.Dispute, error) {
	f.hit("GetDispute")
	return nil, f.err
}
func (f *fakeStripe) GetPayout(ctx context.Context, id string) (*stripe.Payout, error) {
	f.hit("GetPayout")
	return nil, f.err
}
func (f *fakeStripe) ListObjects(ctx context.Context, kind string, from, to time.Time, startingAfter string, limit int64) ([]stripeapi.Object, bool, error) {
	f.hit("ListObjects")
	return nil, false, f.err
}

func (f *fakeStripe) CustomerCharges(ctx context.Context, customerID string, since time.Time, limit int64) ([]stripeapi.Object, error) {
	f.hit("CustomerCharges")
	return nil, f.err
}

func (f *fakeStripe) PayoutTransactions(ctx context.Context, payoutID, startingAfter string, limit int64) ([]*stripe.BalanceTransaction, bool, error) {
	f.hit("PayoutTransactions")
	return f.txns, f.txns != nil, f.err
}

// fakeClock is a limiter clock whose Sleep advances time instead of waiting.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.Advance(d)
	return nil
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
