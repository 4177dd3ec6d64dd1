package bench

import (
	"fmt"
	"io"
	"runtime"
	"sort"
	"strings"
	"time"
)

// report collects every benchmark's figures; TestMain prints it once at the end.
type report struct {
	notes      []string
	server     string // the Temporal server measured
	elapsed    time.Duration
	throughput []throughputRow
	work       []workRow
	calls      map[string]float64 // external calls per payment of the worker process, by system
	// rateLimited is the worker process's time spent waiting for its client-side rate limiters.
	rateLimited map[string]float64
	delivery    []deliveryRow
	acks        []ackRow
	payouts     []payoutRow
	reconciles  []reconcileRow
}

type throughputRow struct {
	name string
	n    int
	took time.Duration
	rate float64
}

type workRow struct {
	name string
	w    work
}

type deliveryRow struct {
	name     string
	n        int
	took     time.Duration
	rate     float64
	outcomes map[string]float64 // gateway outcomes per charge
}

type ackRow struct {
	rate, n, acked, backlog, posted int
	over, p50, p99, max, drained    time.Duration
}

type payoutRow struct {
	n                int
	created, posting time.Duration
	rows             int64
	status, entry    string
	timedOut         bool
	peakKiB          int64
	events           int
}

func (r *report) print(out io.Writer) {
	p := func(format string, args ...any) { fmt.Fprintf(out, format+"\n", args...) }
	p("")
	p("==== ledgerbridge bench: one run, %s, %d CPUs, %s ====", r.server, runtime.NumCPU(), r.elapsed.Round(time.Second))
	p("worker and gateway environment: %s", strings.Join(r.notes, " "))

	if len(r.work) > 0 {
		p("")
		p("Temporal work per payment (mean of up to 5 runs each, counted from their recorded histories)")
		p("%-46s %6s %5s %7s %7s | %7s %6s %6s %6s %6s %6s %7s", "", "events", "tasks", "history", "payload", "actions", "starts", "activ.", "marker", "timers", "upsert", "signals")
		p("%-46s %6s %5s %7s %7s | %7s %6s %6s %6s %6s %6s %7s", "", "", "", "bytes", "bytes", "(Cloud)", "", "+retry", "tasks", "", "", "")
		for _, row := range r.work {
			w := row.w
			p("%-46s %6.1f %5.1f %7.0f %7.0f | %7.1f %6.1f %6.1f %6.1f %6.1f %6.1f %7.1f", row.name, w.events, w.tasks, w.histSize, w.payloadBytes,
				w.actions(), w.starts, w.activities+w.retries, w.markerTasks+w.laRetries+w.heartbeats, w.timers, w.upserts, w.signals)
		}
		p("(actions as Temporal Cloud bills them: start, each activity and retry, all markers of one workflow task as one")
		p(" (local activities, version markers) plus local retries and task heartbeats, timers, signals, search-attribute")
		p(" upserts except TemporalChangeVersion's; queries and activity heartbeats are not in histories. Local activities")
		p(" per run: %s)", r.localActivities())
	}

	if len(r.throughput) > 0 {
		p("")
		p("Order-to-cash throughput, started through the Temporal client, 2 interleaved rounds")
		var noop float64
		for _, t := range r.throughput {
			if strings.HasPrefix(t.name, "no-op") {
				noop = t.rate
			}
		}
		var before float64
		for _, t := range r.throughput {
			if strings.Contains(t.name, "before levers") {
				before = t.rate
			}
		}
		p("%-46s %8s %9s %11s %9s %9s", "", "payments", "time", "payments/s", "vs no-op", "vs before")
		for _, t := range r.throughput {
			vsNoop, vsBefore := "", ""
			if noop > 0 {
				vsNoop = fmt.Sprintf("%.2fx", t.rate/noop)
			}
			if before > 0 {
				vsBefore = fmt.Sprintf("%.2fx", t.rate/before)
			}
			p("%-46s %8d %9s %11.1f %9s %9s", t.name, t.n, t.took.Round(10*time.Millisecond), t.rate, vsNoop, vsBefore)
		}
		if len(r.calls) > 0 {
			var parts []string
			for _, sys := range sortedKeys(r.calls) {
				parts = append(parts, fmt.Sprintf("%s %.1f", sys, r.calls[sys]))
			}
			var waited float64
			for _, v := range r.rateLimited {
				waited += v
			}
			p("external calls per payment (worker process): %s; %.1fs waited for client-side rate limits", strings.Join(parts, ", "), waited)
			if erp, stripe := r.calls["erp"], r.calls["stripe"]; erp > 0 && stripe > 0 {
				p("  with the default client-side limits (20/s to each system, per worker) one worker tops out at %.1f payments/s",
					min(20/erp, 20/stripe))
			}
		}
	}

	if len(r.delivery) > 0 {
		p("")
		p("Webhook delivery end to end (Stripe sandbox -> gateway -> worker process), each leg twice (forward, then reverse order)")
		p("%-46s %8s %9s %11s %9s  %s", "", "payments", "time", "payments/s", "cost", "gateway answers per charge")
		base := r.delivery[0].rate
		for _, d := range r.delivery {
			var parts []string
			for _, k := range sortedKeys(d.outcomes) {
				if d.outcomes[k] >= 0.005 {
					parts = append(parts, fmt.Sprintf("%s %.2f", k, d.outcomes[k]))
				}
			}
			p("%-46s %8d %9s %11.1f %8.0f%%  %s", d.name, d.n, d.took.Round(10*time.Millisecond), d.rate, 100*(1-d.rate/base), strings.Join(parts, ", "))
		}
		p("(cost: throughput lost against delivered once. The sandbox delivers at most 4 webhooks at a time; each charge")
		p(" has 3 events: payment_intent.created (ignored), charge.succeeded, payment_intent.succeeded. \"started\" counts")
		p(" every start call Temporal answered, de-duplicated ones into the running run included: those are not billed)")
	}

	if len(r.acks) > 0 {
		p("")
		p("Gateway ack latency (signed charge.succeeded, open loop)")
		for _, a := range r.acks {
			load := "worker idle"
			if a.backlog > 0 {
				load = fmt.Sprintf("worker posting (%d runs started just before)", a.backlog)
			}
			p("  %3d/s, %s: %d webhooks over %s, %d answered 200: p50 %s, p99 %s, max %s; all %d runs posted %s after the first webhook",
				a.rate, load, a.n, a.over.Round(time.Millisecond), a.acked, ms(a.p50), ms(a.p99), ms(a.max), a.posted, a.drained.Round(100*time.Millisecond))
		}
	}

	if len(r.payouts) > 0 {
		p("")
		p("Payout to GL (worker process restarted before each, so its peak RSS is the payout's)")
		for _, po := range r.payouts {
			rate := float64(po.rows) / po.posting.Seconds()
			reduced := ""
			if po.n < 1_000_000 && po.n != 1000 {
				reduced = " (reduced by LEDGERBRIDGE_BENCH_PAYOUT_COUNT from 1,000,000)"
			}
			if po.timedOut {
				p("  %s balance transactions%s: created in %s; NOT posted within %s (LEDGERBRIDGE_BENCH_PAYOUT_TIMEOUT): aggregated %s rows by the last heartbeat = %.0f rows/s; worker peak RSS %.1f MiB; history %d events so far",
					thousands(int64(po.n)), reduced, po.created.Round(100*time.Millisecond), payoutTimeout, thousands(po.rows), rate, float64(po.peakKiB)/1024, po.events)
				continue
			}
			p("  %s balance transactions%s: created in %s; posted %s (%s) %s after payout.paid = %.0f rows/s; worker peak RSS %.1f MiB; history %d events",
				thousands(int64(po.n)), reduced, po.created.Round(100*time.Millisecond), po.entry, po.status, po.posting.Round(100*time.Millisecond),
				rate, float64(po.peakKiB)/1024, po.events)
		}
	}
	if len(r.reconciles) > 0 {
		p("")
		p("Reconciliation of a window of charges that never reached the ERP, no healing (worker restarted first)")
		for _, rc := range r.reconciles {
			reduced := ""
			if rc.n != 100_000 {
				reduced = " (LEDGERBRIDGE_BENCH_RECONCILE_COUNT; the goal is stated for 100,000)"
			}
			if rc.timedOut {
				p("  %s charges%s: created in %s; NOT reconciled within the timeout: %s classified by the last progress (%s); worker peak RSS %.1f MiB; %d runs so far, the longest %d events",
					thousands(int64(rc.n)), reduced, rc.created.Round(100*time.Millisecond), thousands(int64(rc.objects)), rc.lastPhase, float64(rc.peakKiB)/1024, rc.runs, rc.maxEvents)
				continue
			}
			p("  %s charges%s: created in %s; reconciled in %s = %.0f objects/s (%s missing); worker peak RSS %.1f MiB; %d runs (continue-as-new), the longest %d events; report %s",
				thousands(int64(rc.n)), reduced, rc.created.Round(100*time.Millisecond), rc.took.Round(100*time.Millisecond),
				float64(rc.objects)/rc.took.Seconds(), thousands(int64(rc.missing)), float64(rc.peakKiB)/1024, rc.runs, rc.maxEvents, rc.reportID)
		}
	}
	p("")
}

func (r *report) localActivities() string {
	var parts []string
	for _, row := range r.work {
		if row.w.localActivities > 0 {
			parts = append(parts, fmt.Sprintf("%s %.1f", strings.TrimSpace(row.name), row.w.localActivities))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, "; ")
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000) }

func thousands(n int64) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func sortedKeys(m map[string]float64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
