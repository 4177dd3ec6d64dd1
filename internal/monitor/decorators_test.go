package monitor

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stripe/stripe-go/v76"

	"github.com/ledgerbridge/ledgerbridge/internal/erp"
	"github.com/ledgerbridge/ledgerbridge/internal/stripeapi"
)

// counter is what the fakes share: calls counted by method name.
type counter interface{ count(string) int }

// callEvery calls every method of iface on v with a background context and zero arguments,
// and returns the method names (Name, which calls nothing, excepted).
func callEvery(t *testing.T, iface reflect.Type, v any) []string {
	t.Helper()
	ctxType := reflect.TypeFor[context.Context]()
	var names []string
	for i := range iface.NumMethod() {
		meth := iface.Method(i)
		if meth.Name == "Name" {
			continue
		}
		fn := reflect.ValueOf(v).MethodByName(meth.Name)
		var args []reflect.Value
		for j := range fn.Type().NumIn() {
			if in := fn.Type().In(j); in == ctxType {
				args = append(args, reflect.ValueOf(context.Background()))
			} else {
				args = append(args, reflect.Zero(in))
			}
		}
		fn.Call(args)
		names = append(names, meth.Name)
	}
	return names
}

// TestStripeForwardsEveryMethod: each stripeapi.Client method reaches the inner client once and
// is counted under its own name (a copy-pasted operation label would show here).
func TestStripeForwardsEveryMethod(t *testing.T) {
	m := New(Config{}, prometheus.NewRegistry())
	inner := &fakeStripe{}
	names := callEvery(t, reflect.TypeFor[stripeapi.Client](), Stripe(inner, m))
	if len(names) < 15 {
		t.Fatalf("only %d methods", len(names))
	}
	for _, name := range names {
		if n := inner.count(name); n != 1 {
			t.Errorf("%s reached the inner client %d times, want 1", name, n)
		}
		if got := value(t, m.calls.WithLabelValues(SystemStripe, name, string(OK))); got != 1 {
			t.Errorf("calls_total{stripe,%s,ok} = %v, want 1", name, got)
		}
	}
}

// TestERPForwardsEveryMethod: the same for erp.Connector and the optional AccountLister.
func TestERPForwardsEveryMethod(t *testing.T) {
	m := New(Config{}, prometheus.NewRegistry())
	inner := &bothERP{}
	w := ERP(inner, SystemERP, m)
	names := callEvery(t, reflect.TypeFor[erp.Connector](), w)
	names = append(names, callEvery(t, reflect.TypeFor[erp.AccountLister](), w)...)
	for _, name := range names {
		if n := inner.count(name); n != 1 {
			t.Errorf("%s reached the inner connector %d times, want 1", name, n)
		}
		if got := value(t, m.calls.WithLabelValues(SystemERP, name, string(OK))); got != 1 {
			t.Errorf("calls_total{erp,%s,ok} = %v, want 1", name, got)
		}
	}
	if got := w.Name(); got != "fake" {
		t.Errorf("Name = %q", got)
	}
}

// TestERPOptionalInterfaces: the decorator satisfies erp.AccountLister and
// erp.CustomerIDChecker exactly when the inner connector does, and forwards them.
func TestERPOptionalInterfaces(t *testing.T) {
	tests := []struct {
		name                string
		inner               erp.Connector
		isLister, isChecker bool
	}{
		{"plain", &fakeERP{}, false, false},
		{"lister", &listerERP{}, true, false},
		{"checker", &checkerERP{}, false, true},
		{"both", &bothERP{}, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := New(Config{}, nil)
			w := ERP(tt.inner, SystemERP, m)
			lister, ok := w.(erp.AccountLister)
			if ok != tt.isLister {
				t.Fatalf("decorator is an AccountLister: %v, want %v", ok, tt.isLister)
			}
			if ok {
				accts, err := lister.ListGLAccounts(context.Background())
				if err != nil || len(accts) != 1 || accts[0] != "1000-00" {
					t.Errorf("ListGLAccounts = %v, %v", accts, err)
				}
				if got := value(t, m.calls.WithLabelValues(SystemERP, "ListGLAccounts", string(OK))); got != 1 {
					t.Errorf("ListGLAccounts not counted: %v", got)
				}
			}
			checker, ok := w.(erp.CustomerIDChecker)
			if ok != tt.isChecker {
				t.Fatalf("decorator is a CustomerIDChecker: %v, want %v", ok, tt.isChecker)
			}
			if ok {
				if !checker.ValidCustomerID("C1") || checker.ValidCustomerID("bad id") {
					t.Error("ValidCustomerID does not forward the inner answer")
				}
				if n := tt.inner.(counter).count("ValidCustomerID"); n != 2 {
					t.Errorf("ValidCustomerID reached the inner connector %d times, want 2", n)
				}
			}
		})
	}
}

// TestResultsUnchanged: values and errors come back exactly as the inner client returned them.
func TestResultsUnchanged(t *testing.T) {
	m := New(Config{}, nil)
	ctx := context.Background()

	cust := &erp.Customer{ID: "C1"}
	got, err := ERP(&fakeERP{customer: cust}, SystemERP, m).GetCustomer(ctx, "C1")
	if got != cust || err != nil {
		t.Errorf("GetCustomer = %p, %v; want %p, nil", got, err, cust)
	}
	want := &erp.ValidationError{Status: 400, Message: "x"}
	if _, err := ERP(&fakeERP{customer: cust, err: want}, SystemERP, m).GetCustomer(ctx, "C1"); err != want { //nolint:errorlint
		t.Errorf("err = %v, want the inner error itself", err)
	}

	ch := &stripe.Charge{ID: "ch_1"}
	txns := []*stripe.BalanceTransaction{{ID: "txn_1"}}
	s := Stripe(&fakeStripe{charge: ch, txns: txns}, m)
	if got, err := s.GetCharge(ctx, "ch_1"); got != ch || err != nil {
		t.Errorf("GetCharge = %p, %v; want %p, nil", got, err, ch)
	}
	page, more, err := s.PayoutTransactions(ctx, "po_1", "", 100)
	if len(page) != 1 || page[0] != txns[0] || !more || err != nil {
		t.Errorf("PayoutTransactions = %v, %v, %v", page, more, err)
	}
	serr := &stripe.Error{HTTPStatusCode: 500}
	if err := Stripe(&fakeStripe{err: serr}, m).UpdateChargeMetadata(ctx, "ch_1", nil, "k"); !errors.Is(err, serr) || err != error(serr) { //nolint:errorlint
		t.Errorf("err = %v, want the inner error itself", err)
	}
}
