package monitor

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stripe/stripe-go/v76"

	"github.com/ledgerbridge/ledgerbridge/internal/erp"
)

// TestOutcomes: every error class lands in its outcome, through each entry point.
func TestOutcomes(t *testing.T) {
	ctx := context.Background()
	canceledCtx, cancel := context.WithCancel(ctx)
	cancel()
	urlErr := &url.Error{Op: "Get", URL: "http://127.0.0.1:1/x", Err: errors.New("connection refused")}
	viaERP := func(m *Monitor, ctx context.Context, err error) (string, string) {
		_, _ = ERP(&fakeERP{err: err}, SystemERP, m).CreateDocument(ctx, erp.KindInvoice, erp.Document{})
		return SystemERP, "CreateDocument"
	}
	viaStripe := func(m *Monitor, ctx context.Context, err error) (string, string) {
		_, _ = Stripe(&fakeStripe{err: err}, m).GetCharge(ctx, "ch_1")
		return SystemStripe, "GetCharge"
	}
	viaDo := func(m *Monitor, ctx context.Context, err error) (string, string) {
		_ = m.Do(ctx, SystemPayTrace, "ExportTransactions", func() error { return err })
		return SystemPayTrace, "ExportTransactions"
	}
	tests := []struct {
		name string
		via  func(*Monitor, context.Context, error) (string, string)
		ctx  context.Context
		err  error
		want Outcome
	}{
		{"erp ok", viaERP, ctx, nil, OK},
		{"erp validation", viaERP, ctx, fmt.Errorf("create: %w", &erp.ValidationError{Status: 400, Message: "unknown item"}), Validation},
		{"erp transient", viaERP, ctx, &erp.TransientError{Status: 503}, Transient},
		{"erp 429", viaERP, ctx, &erp.TransientError{Status: 429}, Transient},
		{"erp auth", viaERP, ctx, &erp.AuthError{Message: "bad key"}, Auth},
		{"erp canceled", viaERP, ctx, context.Canceled, Canceled},
		{"erp deadline", viaERP, ctx, fmt.Errorf("post: %w", context.DeadlineExceeded), Transient},
		{"erp network error of a canceled caller", viaERP, canceledCtx, &erp.TransientError{Message: "context canceled"}, Canceled},
		{"erp unknown", viaERP, ctx, errors.New("boom"), Other},
		{"stripe ok", viaStripe, ctx, nil, OK},
		{"stripe 400", viaStripe, ctx, &stripe.Error{HTTPStatusCode: 400}, Validation},
		{"stripe 404", viaStripe, ctx, &stripe.Error{HTTPStatusCode: 404}, Validation},
		{"stripe 401", viaStripe, ctx, &stripe.Error{HTTPStatusCode: 401}, Auth},
		{"stripe 403", viaStripe, ctx, &stripe.Error{HTTPStatusCode: 403}, Auth},
		{"stripe 429", viaStripe, ctx, &stripe.Error{HTTPStatusCode: 429}, Transient},
		{"stripe 409", viaStripe, ctx, &stripe.Error{HTTPStatusCode: 409}, Transient},
		{"stripe 500", viaStripe, ctx, &stripe.Error{HTTPStatusCode: 500}, Transient},
		{"stripe network", viaStripe, ctx, urlErr, Transient},
		{"stripe canceled", viaStripe, ctx, fmt.Errorf("get: %w", context.Canceled), Canceled},
		{"stripe network error of a canceled caller", viaStripe, canceledCtx, urlErr, Canceled},
		{"do ok", viaDo, ctx, nil, OK},
		{"do network", viaDo, ctx, urlErr, Transient},
		{"do erp type", viaDo, ctx, &erp.AuthError{}, Auth},
		{"do stripe type", viaDo, ctx, &stripe.Error{HTTPStatusCode: 402}, Validation},
		{"do deadline", viaDo, ctx, context.DeadlineExceeded, Transient},
		{"do unknown", viaDo, ctx, errors.New("boom"), Other},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := New(Config{}, prometheus.NewRegistry())
			system, op := tt.via(m, tt.ctx, tt.err)
			for _, o := range []Outcome{OK, Validation, Transient, Auth, Canceled, Other} {
				want := 0.0
				if o == tt.want {
					want = 1
				}
				if got := value(t, m.calls.WithLabelValues(system, op, string(o))); got != want {
					t.Errorf("calls_total{%s,%s,%s} = %v, want %v", system, op, o, got, want)
				}
			}
			if got := value(t, m.seconds.WithLabelValues(system, op).(prometheus.Metric)); got != 1 {
				t.Errorf("call_seconds count = %v, want 1", got)
			}
			wantOutage := 0.0
			if tt.want == Transient {
				wantOutage = 1
			}
			if got := value(t, m.outageGauge.WithLabelValues(system)); got != wantOutage {
				t.Errorf("outage gauge = %v, want %v", got, wantOutage)
			}
		})
	}
}

// TestClassifiersOverride: a system's own classifier decides its outcomes in Do.
func TestClassifiersOverride(t *testing.T) {
	errDeclined := errors.New("declined")
	m := New(Config{Classifiers: map[string]Classifier{SystemPayTrace: func(err error) Outcome {
		if errors.Is(err, errDeclined) {
			return Validation
		}
		return Classify(err)
	}}}, nil)
	_ = m.Do(context.Background(), SystemPayTrace, "Sale", func() error { return errDeclined })
	_ = m.Do(context.Background(), SystemERP, "Sale", func() error { return errDeclined })
	if got := value(t, m.calls.WithLabelValues(SystemPayTrace, "Sale", string(Validation))); got != 1 {
		t.Errorf("paytrace validation = %v, want 1", got)
	}
	if got := value(t, m.calls.WithLabelValues(SystemERP, "Sale", string(Other))); got != 1 {
		t.Errorf("erp other = %v, want 1 (the override is per system)", got)
	}
}

// TestExposition: the registry exposes exactly the four families with the documented labels,
// and no label value is data.
func TestExposition(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := New(Config{Limits: DefaultLimits()}, reg)
	conn := ERP(&fakeERP{err: &erp.TransientError{Status: 502}}, SystemERP, m)
	_, _ = conn.GetCustomer(context.Background(), "CUST-SECRET-42")
	_, _ = Stripe(&fakeStripe{}, m).GetCharge(context.Background(), "ch_SECRET")

	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"ledgerbridge_external_calls_total":                {"operation", "outcome", "system"},
		"ledgerbridge_external_call_seconds":               {"operation", "system"},
		"ledgerbridge_external_rate_limited_seconds_total": {"system"},
		"ledgerbridge_external_outage":                     {"system"},
	}
	var got []string
	for _, f := range families {
		got = append(got, f.GetName())
		for _, metric := range f.GetMetric() {
			var labels []string
			for _, l := range metric.GetLabel() {
				labels = append(labels, l.GetName())
				if strings.Contains(l.GetValue(), "SECRET") {
					t.Errorf("%s: label %s carries data: %q", f.GetName(), l.GetName(), l.GetValue())
				}
			}
			slices.Sort(labels)
			if !slices.Equal(labels, want[f.GetName()]) {
				t.Errorf("%s labels = %v, want %v", f.GetName(), labels, want[f.GetName()])
			}
		}
	}
	slices.Sort(got)
	wantNames := []string{"ledgerbridge_external_call_seconds", "ledgerbridge_external_calls_total",
		"ledgerbridge_external_outage", "ledgerbridge_external_rate_limited_seconds_total"}
	if !slices.Equal(got, wantNames) {
		t.Errorf("families = %v, want %v", got, wantNames)
	}
	// Every system's outage gauge and every limited system's wait counter exist from the start.
	for _, s := range []string{SystemERP, SystemStripe, SystemPayTrace} {
		if n := seriesCount(t, reg, "ledgerbridge_external_outage", s); n != 1 {
			t.Errorf("outage{system=%s} series = %d, want 1", s, n)
		}
		if n := seriesCount(t, reg, "ledgerbridge_external_rate_limited_seconds_total", s); n != 1 {
			t.Errorf("rate_limited{system=%s} series = %d, want 1", s, n)
		}
	}
}

// seriesCount counts the series of family name with system s.
func seriesCount(t *testing.T, reg *prometheus.Registry, name, s string) int {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, metric := range f.GetMetric() {
			for _, l := range metric.GetLabel() {
				if l.GetName() == "system" && l.GetValue() == s {
					n++
				}
			}
		}
	}
	return n
}

// TestNilMonitor: without a Monitor the decorators are the identity and Do just runs fn.
func TestNilMonitor(t *testing.T) {
	c := &fakeERP{}
	if got := ERP(c, SystemERP, nil); got != erp.Connector(c) {
		t.Error("ERP(c, nil) is not c")
	}
	s := &fakeStripe{}
	if got := Stripe(s, nil); got != any(s) {
		t.Error("Stripe(s, nil) is not s")
	}
	var m *Monitor
	want := errors.New("x")
	if err := m.Do(context.Background(), SystemPayTrace, "Op", func() error { return want }); err != want { //nolint:errorlint
		t.Errorf("Do = %v", err)
	}
}

// TestNewTwiceOnOneRegistry panics like MustRegister: one Monitor per registry.
func TestNewTwiceOnOneRegistry(t *testing.T) {
	reg := prometheus.NewRegistry()
	New(Config{}, reg)
	defer func() {
		if recover() == nil {
			t.Error("a second Monitor on the same registry did not panic")
		}
	}()
	New(Config{}, reg)
}
