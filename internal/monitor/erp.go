package monitor

import (
	"context"
	"time"

	"github.com/ledgerbridge/ledgerbridge/internal/erp"
)

// ERP returns c with every call monitored as system (normally SystemERP), its errors
// classified by ClassifyERP. The result implements erp.AccountLister and erp.CustomerIDChecker
// exactly when c does, so callers' type assertions behave as they would on c. A nil m returns c.
func ERP(c erp.Connector, system string, m *Monitor) erp.Connector {
	if m == nil || c == nil {
		return c
	}
	w := &erpConn{c: c, system: system, m: m}
	lister, isLister := c.(erp.AccountLister)
	checker, isChecker := c.(erp.CustomerIDChecker)
	switch {
	case isLister && isChecker:
		return &erpListerChecker{erpConn: w, accounts: accounts{w, lister}, idChecker: idChecker{checker}}
	case isLister:
		return &erpLister{erpConn: w, accounts: accounts{w, lister}}
	case isChecker:
		return &erpChecker{erpConn: w, idChecker: idChecker{checker}}
	}
	return w
}

// erpConn monitors every erp.Connector method.
type erpConn struct {
	c      erp.Connector
	system string
	m      *Monitor
}

// Unwrap returns the monitored connector (erp.As finds its other optional interfaces).
func (w *erpConn) Unwrap() erp.Connector { return w.c }

// The optional interfaces, one wrapper type per combination.
type (
	erpLister struct {
		*erpConn
		accounts
	}
	erpChecker struct {
		*erpConn
		idChecker
	}
	erpListerChecker struct {
		*erpConn
		accounts
		idChecker
	}
)

// idChecker forwards erp.CustomerIDChecker: a syntax check that calls nothing, so unmonitored.
type idChecker struct{ c erp.CustomerIDChecker }

func (i idChecker) ValidCustomerID(id string) bool { return i.c.ValidCustomerID(id) }

// accounts monitors erp.AccountLister.
type accounts struct {
	w *erpConn
	l erp.AccountLister
}

func (a accounts) ListGLAccounts(ctx context.Context) ([]string, error) {
	return erpCall(ctx, a.w, "ListGLAccounts", func() ([]string, error) { return a.l.ListGLAccounts(ctx) })
}

func erpCall[T any](ctx context.Context, w *erpConn, op string, fn func() (T, error)) (T, error) {
	return call(ctx, w.m, w.system, op, ClassifyERP, fn)
}

func erpDo(ctx context.Context, w *erpConn, op string, fn func() error) error {
	_, err := call(ctx, w.m, w.system, op, ClassifyERP, func() (struct{}, error) { return struct{}{}, fn() })
	return err
}

func (w *erpConn) Name() string { return w.c.Name() }

func (w *erpConn) GetCustomer(ctx context.Context, id string) (*erp.Customer, error) {
	return erpCall(ctx, w, "GetCustomer", func() (*erp.Customer, error) { return w.c.GetCustomer(ctx, id) })
}

func (w *erpConn) FindCustomerByExternalRef(ctx context.Context, ref string) (*erp.Customer, error) {
	return erpCall(ctx, w, "FindCustomerByExternalRef", func() (*erp.Customer, error) { return w.c.FindCustomerByExternalRef(ctx, ref) })
}

func (w *erpConn) FindCustomerByEmail(ctx context.Context, email string) (*erp.Customer, error) {
	return erpCall(ctx, w, "FindCustomerByEmail", func() (*erp.Customer, error) { return w.c.FindCustomerByEmail(ctx, email) })
}

func (w *erpConn) CreateCustomer(ctx context.Context, c erp.Customer) (*erp.Customer, error) {
	return erpCall(ctx, w, "CreateCustomer", func() (*erp.Customer, error) { return w.c.CreateCustomer(ctx, c) })
}

func (w *erpConn) UpdateCustomer(ctx context.Context, c erp.Customer) (*erp.Customer, error) {
	return erpCall(ctx, w, "UpdateCustomer", func() (*erp.Customer, error) { return w.c.UpdateCustomer(ctx, c) })
}

func (w *erpConn) ListCustomersModifiedSince(ctx context.Context, since time.Time) ([]erp.Customer, error) {
	return erpCall(ctx, w, "ListCustomersModifiedSince", func() ([]erp.Customer, error) { return w.c.ListCustomersModifiedSince(ctx, since) })
}

func (w *erpConn) FindDocument(ctx context.Context, kind erp.DocumentKind, externalRef string) (*erp.Document, error) {
	return erpCall(ctx, w, "FindDocument", func() (*erp.Document, error) { return w.c.FindDocument(ctx, kind, externalRef) })
}

func (w *erpConn) CreateDocument(ctx context.Context, kind erp.DocumentKind, d erp.Document) (*erp.Document, error) {
	return erpCall(ctx, w, "CreateDocument", func() (*erp.Document, error) { return w.c.CreateDocument(ctx, kind, d) })
}

// AllocateStock monitors erp.StockAllocator when the inner connector has it; otherwise it
// returns erp.ErrUnsupported (the ERP allocates, if at all, when the order is created).
func (w *erpConn) AllocateStock(ctx context.Context, salesOrder string) error {
	al, ok := w.c.(erp.StockAllocator)
	if !ok {
		return erp.ErrUnsupported
	}
	return erpDo(ctx, w, "AllocateStock", func() error { return al.AllocateStock(ctx, salesOrder) })
}

// CountLive monitors erp.LiveCounter when the inner connector has it (else erp.ErrUnsupported).
func (w *erpConn) CountLive(ctx context.Context, kind erp.DocumentKind, externalRef string) (int, error) {
	lc, ok := w.c.(erp.LiveCounter)
	if !ok {
		return 0, erp.ErrUnsupported
	}
	return erpCall(ctx, w, "CountLive", func() (int, error) { return lc.CountLive(ctx, kind, externalRef) })
}

// ListDocuments monitors erp.DocumentLister when the inner connector has it (else erp.ErrUnsupported).
func (w *erpConn) ListDocuments(ctx context.Context, kind erp.DocumentKind, from, to string) ([]erp.Document, error) {
	dl, ok := w.c.(erp.DocumentLister)
	if !ok {
		return nil, erp.ErrUnsupported
	}
	return erpCall(ctx, w, "ListDocuments", func() ([]erp.Document, error) { return dl.ListDocuments(ctx, kind, from, to) })
}

func (w *erpConn) VoidDocument(ctx context.Context, kind erp.DocumentKind, number string) error {
	return erpDo(ctx, w, "VoidDocument", func() error { return w.c.VoidDocument(ctx, kind, number) })
}

func (w *erpConn) FindPayment(ctx context.Context, externalRef string) (*erp.Payment, error) {
	return erpCall(ctx, w, "FindPayment", func() (*erp.Payment, error) { return w.c.FindPayment(ctx, externalRef) })
}

func (w *erpConn) ApplyPayment(ctx context.Context, p erp.Payment) (*erp.Payment, error) {
	return erpCall(ctx, w, "ApplyPayment", func() (*erp.Payment, error) { return w.c.ApplyPayment(ctx, p) })
}

func (w *erpConn) VoidPayment(ctx context.Context, id string) error {
	return erpDo(ctx, w, "VoidPayment", func() error { return w.c.VoidPayment(ctx, id) })
}

func (w *erpConn) FindJournalEntry(ctx context.Context, externalRef string) (*erp.JournalEntry, error) {
	return erpCall(ctx, w, "FindJournalEntry", func() (*erp.JournalEntry, error) { return w.c.FindJournalEntry(ctx, externalRef) })
}

func (w *erpConn) PostJournalEntry(ctx context.Context, je erp.JournalEntry) (*erp.JournalEntry, error) {
	return erpCall(ctx, w, "PostJournalEntry", func() (*erp.JournalEntry, error) { return w.c.PostJournalEntry(ctx, je) })
}

func (w *erpConn) ReverseJournalEntry(ctx context.Context, number, date, externalRef string) (*erp.JournalEntry, error) {
	return erpCall(ctx, w, "ReverseJournalEntry", func() (*erp.JournalEntry, error) {
		return w.c.ReverseJournalEntry(ctx, number, date, externalRef)
	})
}

var (
	_ erp.Connector         = (*erpConn)(nil)
	_ erp.AccountLister     = (*erpLister)(nil)
	_ erp.CustomerIDChecker = (*erpChecker)(nil)
	_ erp.AccountLister     = (*erpListerChecker)(nil)
	_ erp.CustomerIDChecker = (*erpListerChecker)(nil)
)
