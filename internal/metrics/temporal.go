// Package metrics exposes the Temporal SDK's own metrics (task latencies, poller and slot use) and
// ledgerbridge's (documents posted, runs parked, reconciliation classes) on a Prometheus registry,
// served by the worker's /metrics.
package metrics

import (
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/sdk/client"
)

// Temporal adapts the SDK's metrics to Prometheus: client.Options.MetricsHandler. A metric's label
// names are fixed by its first use (the SDK always tags a metric the same way); a later call with
// other tags fills missing labels with "" and drops unknown ones.
type Temporal struct {
	reg  prometheus.Registerer
	tags map[string]string
	m    *vecs
}

type vecs struct {
	mu       sync.Mutex
	counters map[string]*labelled[*prometheus.CounterVec]
	gauges   map[string]*labelled[*prometheus.GaugeVec]
	timers   map[string]*labelled[*prometheus.HistogramVec]
}

type labelled[V any] struct {
	vec    V
	labels []string
}

// NewTemporal returns a metrics handler registering on reg.
func NewTemporal(reg prometheus.Registerer) *Temporal {
	return &Temporal{reg: reg, tags: map[string]string{}, m: &vecs{counters: map[string]*labelled[*prometheus.CounterVec]{},
		gauges: map[string]*labelled[*prometheus.GaugeVec]{}, timers: map[string]*labelled[*prometheus.HistogramVec]{}}}
}

// WithTags returns a handler whose metrics carry tags too.
func (t *Temporal) WithTags(tags map[string]string) client.MetricsHandler {
	merged := make(map[string]string, len(t.tags)+len(tags))
	for k, v := range t.tags {
		merged[k] = v
	}
	for k, v := range tags {
		merged[k] = v
	}
	return &Temporal{reg: t.reg, tags: merged, m: t.m}
}

func (t *Temporal) keys() []string {
	ks := make([]string, 0, len(t.tags))
	for k := range t.tags {
		ks = append(ks, sanitize(k))
	}
	sort.Strings(ks)
	return ks
}

func (t *Temporal) values(labels []string) []string {
	out := make([]string, len(labels))
	for k, v := range t.tags {
		for i, l := range labels {
			if l == sanitize(k) {
				out[i] = v
			}
		}
	}
	return out
}

// Counter returns the SDK counter name.
func (t *Temporal) Counter(name string) client.MetricsCounter {
	t.m.mu.Lock()
	l, ok := t.m.counters[name]
	if !ok {
		l = &labelled[*prometheus.CounterVec]{labels: t.keys()}
		l.vec = prometheus.NewCounterVec(prometheus.CounterOpts{Name: sanitize(name), Help: "Temporal SDK " + name}, l.labels)
		if err := t.reg.Register(l.vec); err != nil {
			if are, ok := err.(prometheus.AlreadyRegisteredError); ok {
				l.vec = are.ExistingCollector.(*prometheus.CounterVec)
			}
		}
		t.m.counters[name] = l
	}
	t.m.mu.Unlock()
	c := l.vec.WithLabelValues(t.values(l.labels)...)
	return counterFunc(func(d int64) { c.Add(float64(d)) })
}

// Gauge returns the SDK gauge name.
func (t *Temporal) Gauge(name string) client.MetricsGauge {
	t.m.mu.Lock()
	l, ok := t.m.gauges[name]
	if !ok {
		l = &labelled[*prometheus.GaugeVec]{labels: t.keys()}
		l.vec = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: sanitize(name), Help: "Temporal SDK " + name}, l.labels)
		if err := t.reg.Register(l.vec); err != nil {
			if are, ok := err.(prometheus.AlreadyRegisteredError); ok {
				l.vec = are.ExistingCollector.(*prometheus.GaugeVec)
			}
		}
		t.m.gauges[name] = l
	}
	t.m.mu.Unlock()
	g := l.vec.WithLabelValues(t.values(l.labels)...)
	return gaugeFunc(g.Set)
}

// Timer returns the SDK timer name, as a histogram in seconds.
func (t *Temporal) Timer(name string) client.MetricsTimer {
	t.m.mu.Lock()
	l, ok := t.m.timers[name]
	if !ok {
		l = &labelled[*prometheus.HistogramVec]{labels: t.keys()}
		l.vec = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: sanitize(name) + "_seconds", Help: "Temporal SDK " + name,
			Buckets: []float64{.001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}}, l.labels)
		if err := t.reg.Register(l.vec); err != nil {
			if are, ok := err.(prometheus.AlreadyRegisteredError); ok {
				l.vec = are.ExistingCollector.(*prometheus.HistogramVec)
			}
		}
		t.m.timers[name] = l
	}
	t.m.mu.Unlock()
	h := l.vec.WithLabelValues(t.values(l.labels)...)
	return timerFunc(func(d time.Duration) { h.Observe(d.Seconds()) })
}

type (
	counterFunc func(int64)
	gaugeFunc   func(float64)
	timerFunc   func(time.Duration)
)

func (f counterFunc) Inc(d int64)          { f(d) }
func (f gaugeFunc) Update(v float64)       { f(v) }
func (f timerFunc) Record(d time.Duration) { f(d) }

// sanitize makes a Prometheus name of an SDK metric or tag name.
func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_':
			return r
		}
		return '_'
	}, s)
}

// Ledger is ledgerbridge's own metrics.
type Ledger struct {
	// Posted counts ERP documents created, by kind (customer, salesorder, invoice, payment,
	// creditmemo, journal).
	Posted *prometheus.CounterVec
	// Parked is the number of runs waiting for an operator now.
	Parked prometheus.Gauge
	// Reconciled is the last reconciliation's object count per provider and class.
	Reconciled *prometheus.GaugeVec
}

// NewLedger registers ledgerbridge's metrics on reg.
func NewLedger(reg prometheus.Registerer) *Ledger {
	l := &Ledger{
		Posted: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ledgerbridge_documents_posted_total",
			Help: "ERP documents created by ledgerbridge, by kind."}, []string{"kind"}),
		Parked: prometheus.NewGauge(prometheus.GaugeOpts{Name: "ledgerbridge_runs_parked",
			Help: "Runs waiting for an operator (NeedsAttention = true), counted every 30 s."}),
		Reconciled: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "ledgerbridge_reconciliation_objects",
			Help: "Objects of the last reconciliation of a provider, by class."}, []string{"provider", "class"}),
	}
	reg.MustRegister(l.Posted, l.Parked, l.Reconciled)
	return l
}
