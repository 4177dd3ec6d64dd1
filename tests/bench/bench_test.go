// Package bench measures ledgerbridge on one machine, through the real stack (Temporal dev
// server, sandboxes, worker and gateway as separate processes). `make bench` runs it; numbers
// are printed, never asserted. Every benchmark adds its rows to one report, printed at the end
// (report.go), so one run gives the whole table side by side.
package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/client"
	"github.com/stripe/stripe-go/v76/webhook"
	tclient "go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"go.uber.org/zap"

	"github.com/ledgerbridge/ledgerbridge/activities"
	"github.com/ledgerbridge/ledgerbridge/internal/devstack"
	"github.com/ledgerbridge/ledgerbridge/internal/erp/connectors"
	"github.com/ledgerbridge/ledgerbridge/internal/glmap"
	"github.com/ledgerbridge/ledgerbridge/internal/mapping"
	"github.com/ledgerbridge/ledgerbridge/internal/stripeapi"
	"github.com/ledgerbridge/ledgerbridge/internal/webhooks"
	"github.com/ledgerbridge/ledgerbridge/workflows"
)

var (
	stack *devstack.Stack
	sc    *client.API
	tc    tclient.Client
	// acts are the real activities (Stripe and Sage sandboxes, default mapping) for the workers
	// the benchmark runs in its own process, so variants of the same workflow run side by side.
	acts *activities.Activities
	rep  = &report{}
)

// Knobs (environment): payments per order-to-cash variant, the size of the big payout and how
// long to wait for it.
var (
	payments      = envInt("LEDGERBRIDGE_BENCH_PAYMENTS", 200)
	payoutCount   = envInt("LEDGERBRIDGE_BENCH_PAYOUT_COUNT", 1_000_000)
	payoutTimeout = envDuration("LEDGERBRIDGE_BENCH_PAYOUT_TIMEOUT", 6*time.Minute)
)

// benchEnv is the worker's and gateway's environment in the benchmark stack. The client-side
// rate limits (20 calls/s per worker to Stripe and to the ERP by default, sized to Stripe's
// test-mode quota) would make them the measurement; the sandboxes have no quota, so they are off
// unless set in the environment. The scheduled customer sync is off so it does not run in the
// middle of a measurement.
func benchEnv() (env []string, notes []string) {
	for _, kv := range [][2]string{{"LEDGERBRIDGE_RATE_STRIPE", "off"}, {"LEDGERBRIDGE_RATE_ERP", "off"}, {"LEDGERBRIDGE_CUSTOMER_SYNC_INTERVAL", "0"}} {
		v, set := os.LookupEnv(kv[0])
		if !set {
			v = kv[1]
			env = append(env, kv[0]+"="+v)
		}
		notes = append(notes, kv[0]+"="+v)
	}
	return env, notes
}

func TestMain(m *testing.M) { os.Exit(run(m)) }

func run(m *testing.M) int {
	flag.Parse()
	// `go test ./...` compiles this package too: start the stack only when benchmarking.
	if f := flag.Lookup("test.bench"); f == nil || f.Value.String() == "" {
		return m.Run()
	}
	_, file, _, _ := runtime.Caller(0)
	bin := os.Getenv("LEDGERBRIDGE_BIN_DIR")
	if bin == "" {
		bin = filepath.Join(filepath.Dir(file), "..", "..", "bin")
	}
	if missing := devstack.MissingBinary(bin); missing != "" {
		fmt.Fprintf(os.Stderr, "benchmarks need %s in %s: run `make bench`\n", missing, bin)
		return 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	env, notes := benchEnv()
	rep.notes = notes
	rep.server = "one Temporal dev server (SQLite)"
	if addr := os.Getenv(devstack.TestTemporalAddressEnv); addr != "" {
		rep.server = "the Temporal cluster at " + addr + " (make cluster: PostgreSQL)"
	}
	began := time.Now()
	var err error
	if stack, err = devstack.StartEphemeral(ctx, bin, env); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(stack.Opts.DataDir)
	defer stack.Stop()
	sc = stripeapi.NewClient(stack.StripeURL(), devstack.StripeKey)
	if tc, err = tclient.Dial(tclient.Options{HostPort: stack.TemporalAddress(), Namespace: stack.Namespace(), Logger: nopLogger{}}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer tc.Close()
	if acts, err = benchActivities(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	code := m.Run()
	rep.elapsed = time.Since(began)
	rep.print(os.Stdout)
	return code
}

// benchActivities wires the activities as the worker does (default mapping, Sage 500 on the
// sandbox), without the client-side rate limits and metrics.
func benchActivities() (*activities.Activities, error) {
	const erpName = "sage500"
	m, err := mapping.Default(erpName)
	if err != nil {
		return nil, err
	}
	gl, err := glmap.Apply(m.GL, "")
	if err != nil {
		return nil, err
	}
	conn, err := connectors.New(erpName, stack.SageURL(), devstack.SageKey, &http.Client{Timeout: 15 * time.Second}, connectors.StaticOptions(m.Extra))
	if err != nil {
		return nil, err
	}
	return &activities.Activities{Stripe: &stripeapi.API{SC: stripeapi.NewClient(stack.StripeURL(), devstack.StripeKey)},
		ERP: conn, GL: gl, Settings: activities.Settings{Mapping: m}, Logger: zap.NewNop()}, nil
}

// makeCharges creates n succeeded card charges with webhook delivery paused, so the benchmark
// decides when and how each reaches ledgerbridge.
func makeCharges(b *testing.B, n int) []string {
	setDelivery(b, `{"paused":true}`)
	ids := make([]string, n)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			pi, err := sc.PaymentIntents.New(&stripe.PaymentIntentParams{
				Amount: stripe.Int64(1000 + int64(i)), Currency: stripe.String("usd"),
				PaymentMethod: stripe.String("pm_card_visa"), Confirm: stripe.Bool(true),
				ReceiptEmail: stripe.String(fmt.Sprintf("bench-%d-%d@example.com", time.Now().UnixNano(), i)),
			})
			if err != nil {
				errs <- err
				return
			}
			ids[i] = pi.LatestCharge.ID
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	return ids
}

// setDelivery changes the Stripe sandbox's delivery knobs (POST /_sandbox/delivery).
func setDelivery(b *testing.B, knobs string) {
	req, _ := http.NewRequest(http.MethodPost, stack.StripeURL()+"/_sandbox/delivery", strings.NewReader(knobs))
	req.Header.Set("Authorization", "Bearer "+devstack.StripeKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b.Fatalf("POST /_sandbox/delivery %s: %s", knobs, resp.Status)
	}
}

// startAndWait starts one workflow per ID on taskQueue (8 at a time) and waits for all; it
// returns the wall time from the first start to the last completion.
func startAndWait(b *testing.B, taskQueue string, wf interface{}, ids []string, eager bool, arg func(id string) interface{}) time.Duration {
	ctx := context.Background()
	start := time.Now()
	runs := make([]tclient.WorkflowRun, len(ids))
	errs := make([]error, len(ids))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for i, id := range ids {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int, id string) {
			defer wg.Done()
			defer func() { <-sem }()
			runs[i], errs[i] = tc.ExecuteWorkflow(ctx, tclient.StartWorkflowOptions{ID: id, TaskQueue: taskQueue, EnableEagerStart: eager}, wf, arg(id))
		}(i, id)
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			b.Fatalf("start %s: %v", ids[i], err)
		}
	}
	for _, r := range runs {
		if err := r.Get(ctx, nil); err != nil {
			b.Fatalf("%s: %v", r.GetID(), err)
		}
	}
	return time.Since(start)
}

// waitClosed waits until every workflow ID has a completed run (started by the gateway, so it
// may not exist yet) and returns the latest close time.
func waitClosed(b *testing.B, ids []string, timeout time.Duration) time.Time {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var (
		mu     sync.Mutex
		last   time.Time
		failed error
		wg     sync.WaitGroup
	)
	sem := make(chan struct{}, 16)
	for _, id := range ids {
		wg.Add(1)
		sem <- struct{}{}
		go func(id string) {
			defer wg.Done()
			defer func() { <-sem }()
			for {
				err := tc.GetWorkflow(ctx, id, "").Get(ctx, nil)
				if err == nil {
					break
				}
				if ctx.Err() != nil || !strings.Contains(err.Error(), "not found") {
					mu.Lock()
					failed = fmt.Errorf("%s: %w", id, err)
					mu.Unlock()
					return
				}
				time.Sleep(250 * time.Millisecond)
			}
			desc, err := tc.DescribeWorkflow(ctx, id, "")
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				failed = err
				return
			}
			if ct := desc.RawResponse.GetWorkflowExecutionInfo().GetCloseTime().AsTime(); ct.After(last) {
				last = ct
			}
		}(id)
	}
	wg.Wait()
	if failed != nil {
		b.Fatal(failed)
	}
	return last
}

func otcIDs(charges []string) []string {
	ids := make([]string, len(charges))
	for i, ch := range charges {
		ids[i] = workflows.OrderToCashID(ch)
	}
	return ids
}

func otcInput(id string) interface{} {
	return &workflows.OrderToCashInput{ChargeID: strings.TrimPrefix(id, "order-to-cash/stripe/")}
}

// variant is one way of running order-to-cash (or the no-op baseline) in BenchmarkOrderToCash.
type variant struct {
	key, name string
	// taskQueue: the worker process's queue, or the queue of a worker this benchmark runs
	// (inProcess) with opts.
	taskQueue string
	inProcess bool
	opts      worker.Options
	// workers is how many in-process workers poll taskQueue (default 1).
	workers int
	noop    bool
	eager   bool
	// pinned: new runs take the pre-lever path (otc-fewer-actions recorded as DefaultVersion).
	pinned  bool
	ids     []string
	elapsed time.Duration
	ran     int
}

// tunedOptions is the worker tuning measured against the SDK defaults (2 pollers per task type).
func tunedOptions() worker.Options {
	return worker.Options{MaxConcurrentWorkflowTaskPollers: 8, MaxConcurrentActivityTaskPollers: 8}
}

// pinBeforeLevers makes a worker start new order-to-cash runs on the path they took before the
// levers (change ID otc-fewer-actions at DefaultVersion), the path older runs replay.
func pinBeforeLevers(in worker.PreferredVersionProviderInput) *worker.VersionPreference {
	if in.ChangeID == changeFewerActions {
		return &worker.VersionPreference{Version: workflow.DefaultVersion}
	}
	return nil
}

// changeFewerActions is order-to-cash's change ID for the levers (workflows/ordertocash.go).
const changeFewerActions = "otc-fewer-actions"

func (v *variant) run(b *testing.B, ids []string) {
	if v.inProcess {
		opts := v.opts
		if v.pinned {
			opts.PreferredVersionProvider = pinBeforeLevers
		}
		for range max(1, v.workers) {
			w := worker.New(tc, v.taskQueue, opts)
			if v.noop {
				w.RegisterWorkflowWithOptions(noopWorkflow, workflow.RegisterOptions{Name: "BenchNoop"})
				w.RegisterActivity(noopActivity)
			} else {
				w.RegisterWorkflowWithOptions(workflows.OrderToCash, workflow.RegisterOptions{Name: workflows.OrderToCashWorkflowName})
				w.RegisterActivity(acts)
			}
			if err := w.Start(); err != nil {
				b.Fatal(err)
			}
			defer w.Stop()
		}
	}
	var took time.Duration
	if v.noop {
		took = startAndWait(b, v.taskQueue, "BenchNoop", ids, v.eager, func(string) interface{} { return noopActivities })
	} else {
		took = startAndWait(b, v.taskQueue, workflows.OrderToCashWorkflowName, ids, v.eager, otcInput)
	}
	v.elapsed += took
	v.ran += len(ids)
	v.ids = ids
}

// BenchmarkOrderToCash posts charges through order-to-cash (Stripe re-fetch, Sage customer,
// sales order step, invoice, payment, Stripe write-back) in several ways side by side, in two
// interleaved rounds (the second in reverse order, so drift on a shared machine evens out): the
// worker process as shipped; workers in this process before and after the levers that cut
// Temporal work (the same code, the old path pinned by version), after with worker tuning and
// with eager start; and a no-op workflow with six activities, the ceiling for the old shape.
// Each variant's Temporal work per payment is read from the recorded histories of its runs.
func BenchmarkOrderToCash(b *testing.B) {
	vs := []*variant{
		{key: "worker", name: "order-to-cash, worker process (shipped)", taskQueue: workflows.TaskQueue},
		{key: "before", name: "order-to-cash before levers (v0 pinned)", taskQueue: "bench-otc-before", inProcess: true, pinned: true},
		{key: "after", name: "order-to-cash after levers (v1)", taskQueue: "bench-otc-after", inProcess: true},
		{key: "tuned", name: "  + 8 pollers per task type", taskQueue: "bench-otc-tuned", inProcess: true, opts: tunedOptions()},
		{key: "eager", name: "  + eager workflow start", taskQueue: "bench-otc-eager", inProcess: true, eager: true},
		{key: "two", name: "  + two workers on the queue", taskQueue: "bench-otc-two", inProcess: true, workers: 2},
		{key: "noop", name: "no-op workflow, 6 activities", taskQueue: "bench-noop", inProcess: true, noop: true},
	}
	const rounds = 2
	per := max(1, payments/rounds)
	callsBefore := scrapeCalls(b)
	for round := 0; round < rounds; round++ {
		charges := makeCharges(b, per*(len(vs)-1))
		order := make([]*variant, len(vs))
		copy(order, vs)
		if round%2 == 1 {
			for i, j := 0, len(order)-1; i < j; i, j = i+1, j-1 {
				order[i], order[j] = order[j], order[i]
			}
		}
		for _, v := range order {
			var ids []string
			if v.noop {
				ids = make([]string, per)
				for i := range ids {
					ids[i] = fmt.Sprintf("bench-noop-%d-%d", time.Now().UnixNano(), i)
				}
			} else {
				ids, charges = otcIDs(charges[:per]), charges[per:]
			}
			v.run(b, ids)
		}
	}
	callsAfter := scrapeCalls(b)
	rep.calls = map[string]float64{}
	for sys, n := range callsAfter {
		rep.calls[sys] = (n - callsBefore[sys]) / float64(vs[0].ran)
	}
	rep.rateLimited = scrape(b, stack.WorkerHealthURL()+"/metrics", "ledgerbridge_external_rate_limited_seconds_total", "system")
	for _, v := range vs {
		ignore := ""
		if v.pinned {
			ignore = changeFewerActions
		}
		w := sampleWork(b, v.ids, ignore)
		rate := float64(v.ran) / v.elapsed.Seconds()
		rep.throughput = append(rep.throughput, throughputRow{name: v.name, n: v.ran, took: v.elapsed, rate: rate})
		rep.work = append(rep.work, workRow{name: v.name, w: w})
		b.ReportMetric(rate, v.key+"-payments/s")
	}
}

// noopActivities matches order-to-cash's activities before the levers: fetch, customer, sales
// order, invoice, payment, write-back.
const noopActivities = 6

func noopWorkflow(ctx workflow.Context, n int) error {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 30 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{MaximumAttempts: 3}})
	for i := 0; i < n; i++ {
		if err := workflow.ExecuteActivity(ctx, noopActivity).Get(ctx, nil); err != nil {
			return err
		}
	}
	return nil
}

func noopActivity(context.Context) error { return nil }

// BenchmarkDelivery sends charges through the whole path (Stripe sandbox webhooks → gateway →
// worker process) with every event delivered once, and five times (the sandbox's duplicates
// knob, as Stripe redelivers under retries). The five-fold legs also go through a gateway run
// in this process, with and without coalescing concurrent duplicates (the lever measured), each
// on its own sandbox webhook endpoint while the others are disabled. Legs run in one order,
// then in the reverse one.
func BenchmarkDelivery(b *testing.B) {
	n := max(10, payments/4)
	type leg struct {
		name     string
		dups     int
		url      string // the endpoint's URL: the gateway process, or one run here
		took     time.Duration
		ran      int
		ids      []string
		outcomes map[string]float64
		metrics  func() map[string]float64
	}
	process := stack.GatewayURL() + "/webhooks/stripe"
	gwOff, stopOff := inProcessGateway(b, true)
	defer stopOff()
	gwOn, stopOn := inProcessGateway(b, false)
	defer stopOn()
	legs := []*leg{
		{name: "delivered once", url: process, metrics: func() map[string]float64 { return scrapeGateway(b) }},
		{name: "delivered 5 times", dups: 4, url: process, metrics: func() map[string]float64 { return scrapeGateway(b) }},
		{name: "  5 times, gateway here, no coalescing", dups: 4, url: gwOff.url, metrics: func() map[string]float64 { return gwOff.outcomes(b) }},
		{name: "  5 times, gateway here, coalescing", dups: 4, url: gwOn.url, metrics: func() map[string]float64 { return gwOn.outcomes(b) }},
	}
	order := append(append([]*leg{}, legs...), legs[3], legs[2], legs[1], legs[0])
	for _, l := range order {
		// Drop what earlier legs left queued, then queue only these charges' events, to one endpoint.
		setDelivery(b, fmt.Sprintf(`{"paused":true,"drop_pending":true,"duplicates":%d}`, l.dups))
		useEndpoint(b, l.url)
		charges := makeCharges(b, n)
		ids := otcIDs(charges)
		before := l.metrics()
		start := time.Now()
		setDelivery(b, `{"paused":false}`)
		last := waitClosed(b, ids, 10*time.Minute)
		l.took += last.Sub(start)
		l.ran += n
		l.ids = ids
		after := l.metrics()
		if l.outcomes == nil {
			l.outcomes = map[string]float64{}
		}
		for k, v := range after {
			l.outcomes[k] += v - before[k]
		}
	}
	setDelivery(b, `{"paused":true,"drop_pending":true,"duplicates":0}`)
	useEndpoint(b, process)
	for i, l := range legs {
		rate := float64(l.ran) / l.took.Seconds()
		outcomes := map[string]float64{}
		for k, v := range l.outcomes {
			outcomes[k] = v / float64(l.ran)
		}
		rep.delivery = append(rep.delivery, deliveryRow{name: l.name, n: l.ran, took: l.took, rate: rate, outcomes: outcomes})
		if i < 2 {
			rep.work = append(rep.work, workRow{name: "order-to-cash " + l.name + " (gateway)", w: sampleWork(b, l.ids, "")})
		}
		b.ReportMetric(rate, fmt.Sprintf("leg%d-payments/s", i+1))
	}
}

// benchGateway is a gateway (internal/webhooks) served by this process.
type benchGateway struct {
	url string
	gw  *webhooks.Gateway
}

// outcomes sums its ledgerbridge_webhook_events_total by outcome.
func (g benchGateway) outcomes(b *testing.B) map[string]float64 {
	srv := httptest.NewServer(g.gw.InternalHandler())
	defer srv.Close()
	return scrape(b, srv.URL+"/metrics", "ledgerbridge_webhook_events_total", "outcome")
}

// inProcessGateway serves the webhook handlers on a free port with the shipped defaults (recent
// events remembered: 10,000), coalescing concurrent duplicates unless noCoalescing, behind a new
// sandbox webhook endpoint (disabled until useEndpoint picks it).
func inProcessGateway(b *testing.B, noCoalescing bool) (benchGateway, func()) {
	port, err := devstack.FreePort()
	if err != nil {
		b.Fatal(err)
	}
	url := fmt.Sprintf("http://127.0.0.1:%d/webhooks/stripe", port)
	we, err := sc.WebhookEndpoints.New(&stripe.WebhookEndpointParams{URL: stripe.String(url), EnabledEvents: stripe.StringSlice([]string{"*"})})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := sc.WebhookEndpoints.Update(we.ID, &stripe.WebhookEndpointParams{Disabled: stripe.Bool(true)}); err != nil {
		b.Fatal(err)
	}
	gw := webhooks.New(webhooks.Config{StripeWebhookSecrets: []string{we.Secret}, MaxBodyBytes: 512 << 10,
		TaskQueue: workflows.TaskQueue, RecentEvents: 10000, NoCoalescing: noCoalescing}, tc, zap.NewNop())
	srv, err := webhooks.Listen("bench", fmt.Sprintf("127.0.0.1:%d", port), gw.PublicHandler(), webhooks.DefaultLimits)
	if err != nil {
		b.Fatal(err)
	}
	go func() { _ = srv.Serve() }()
	return benchGateway{url: url, gw: gw}, func() { _ = srv.Shutdown(context.Background()) }
}

// useEndpoint makes the sandbox deliver new events only to url's webhook endpoint: it is
// enabled, every other endpoint disabled.
func useEndpoint(b *testing.B, url string) {
	found := false
	it := sc.WebhookEndpoints.List(&stripe.WebhookEndpointListParams{})
	for it.Next() {
		we := it.WebhookEndpoint()
		on := we.URL == url
		found = found || on
		if on == (we.Status == "enabled") {
			continue
		}
		if _, err := sc.WebhookEndpoints.Update(we.ID, &stripe.WebhookEndpointParams{Disabled: stripe.Bool(!on)}); err != nil {
			b.Fatal(err)
		}
	}
	if err := it.Err(); err != nil {
		b.Fatal(err)
	}
	if !found {
		b.Fatalf("no sandbox webhook endpoint for %s", url)
	}
}

// BenchmarkGatewayAck sends signed charge.succeeded webhooks at a fixed rate (open loop: a slow
// answer does not slow the sender) and reports the gateway's acknowledgement latency: at 10/s
// with the worker idle, and at 100/s while the worker posts (a backlog started just before, and
// the runs these webhooks start). The runs are waited for before the next benchmark.
func BenchmarkGatewayAck(b *testing.B) {
	gatewayAck(b, 10, 6, 0)
	gatewayAck(b, 100, 5, 100)
}

func gatewayAck(b *testing.B, rate, seconds, backlog int) {
	n := rate * seconds
	charges := makeCharges(b, n+backlog)
	backlogIDs := otcIDs(charges[n:])
	charges = charges[:n]
	want := map[string]bool{}
	for _, c := range charges {
		want[c] = true
	}
	var bodies [][]byte
	it := sc.Events.List(&stripe.EventListParams{Type: stripe.String("charge.succeeded")})
	for it.Next() && len(bodies) < n {
		e := it.Event()
		if id, _ := e.Data.Object["id"].(string); want[id] {
			raw, _ := json.Marshal(e)
			bodies = append(bodies, raw)
		}
	}
	if len(bodies) != n {
		b.Fatalf("found %d events for %d charges", len(bodies), n)
	}
	for i, id := range backlogIDs {
		if _, err := tc.ExecuteWorkflow(context.Background(), tclient.StartWorkflowOptions{ID: id, TaskQueue: workflows.TaskQueue},
			workflows.OrderToCashWorkflowName, otcInput(backlogIDs[i])); err != nil {
			b.Fatal(err)
		}
	}
	lat := make([]time.Duration, n)
	var wg sync.WaitGroup
	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	hc := &http.Client{Timeout: 10 * time.Second}
	start := time.Now()
	for i := range bodies {
		<-tick.C
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			signed := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: bodies[i], Secret: devstack.StripeWebhookSecret})
			req, _ := http.NewRequest(http.MethodPost, stack.GatewayURL()+"/webhooks/stripe", bytes.NewReader(bodies[i]))
			req.Header.Set("Stripe-Signature", signed.Header)
			req.Header.Set("Content-Type", "application/json")
			t0 := time.Now()
			resp, err := hc.Do(req)
			lat[i] = time.Since(t0)
			if err != nil || resp.StatusCode != http.StatusOK {
				lat[i] = -1
			}
			if resp != nil {
				resp.Body.Close()
			}
		}(i)
	}
	wg.Wait()
	elapsed := time.Since(start)
	ok := lat[:0]
	for _, l := range lat {
		if l >= 0 {
			ok = append(ok, l)
		}
	}
	sort.Slice(ok, func(i, j int) bool { return ok[i] < ok[j] })
	if len(ok) == 0 {
		b.Fatal("no webhook was acknowledged")
	}
	p50, p99 := ok[len(ok)*50/100], ok[min(len(ok)-1, len(ok)*99/100)]
	all := append(otcIDs(charges), backlogIDs...)
	last := waitClosed(b, all, 15*time.Minute)
	row := ackRow{rate: rate, n: n, acked: len(ok), over: elapsed, p50: p50, p99: p99, max: ok[len(ok)-1], backlog: backlog,
		drained: last.Sub(start), posted: len(all)}
	rep.acks = append(rep.acks, row)
	b.ReportMetric(float64(p99.Microseconds())/1000, fmt.Sprintf("p99-ms-at-%d/s", rate))
}

// BenchmarkPayout posts payouts of 1,000 and LEDGERBRIDGE_BENCH_PAYOUT_COUNT (1,000,000 unless
// reduced) balance transactions through the worker process and prints the time, the worker's
// peak memory and the workflow's history length, which stays the same for any number of
// transactions (the aggregate, not the rows, goes into history). A payout that is not posted
// within LEDGERBRIDGE_BENCH_PAYOUT_TIMEOUT is reported with how far it got.
func BenchmarkPayout(b *testing.B) {
	for _, n := range []int{1000, payoutCount} {
		payoutBench(b, n)
	}
}

func payoutBench(b *testing.B, n int) {
	freshWorker(b)
	// Deliveries stay paused; the payout's own payout.paid is delivered to the gateway below,
	// signed, like Stripe would.
	setDelivery(b, `{"paused":true,"drop_pending":true}`)
	start := time.Now()
	var res struct {
		ID string `json:"id"`
	}
	if status := bulk(b, "/_sandbox/payouts/bulk", n, 1000, &res); res.ID == "" {
		b.Fatalf("bulk payout of %d: %s", n, status)
	}
	created := time.Since(start)
	var evt []byte
	it0 := sc.Events.List(&stripe.EventListParams{Type: stripe.String("payout.paid")})
	for it0.Next() {
		if id, _ := it0.Event().Data.Object["id"].(string); id == res.ID {
			evt, _ = json.Marshal(it0.Event())
			break
		}
	}
	if evt == nil {
		b.Fatalf("no payout.paid event for %s", res.ID)
	}
	posting := time.Now()
	signed := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: evt, Secret: devstack.StripeWebhookSecret})
	wreq, _ := http.NewRequest(http.MethodPost, stack.GatewayURL()+"/webhooks/stripe", bytes.NewReader(evt))
	wreq.Header.Set("Stripe-Signature", signed.Header)
	wreq.Header.Set("Content-Type", "application/json")
	wresp, err := http.DefaultClient.Do(wreq)
	if err != nil || wresp.StatusCode != http.StatusOK {
		b.Fatalf("deliver payout.paid: %v %v", err, wresp)
	}
	wresp.Body.Close()
	id := workflows.PayoutID(res.ID)
	row := payoutRow{n: n, created: created}
	ctx, cancel := context.WithTimeout(context.Background(), payoutTimeout)
	defer cancel()
	var out workflows.PayoutResult
	for {
		err := tc.GetWorkflow(ctx, id, "").Get(ctx, &out)
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			// Not posted in time: how far the aggregation got (its last heartbeat) and the rate.
			row.timedOut = true
			row.rows = heartbeatRows(id)
			_ = tc.TerminateWorkflow(context.Background(), id, "", "bench: payout timeout reached")
			break
		}
		if !strings.Contains(err.Error(), "not found") {
			b.Fatalf("%s: %v", id, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	row.posting = time.Since(posting)
	if !row.timedOut {
		row.rows = out.Transactions
		row.status, row.entry = out.Status, out.JournalEntry
		if out.Transactions != int64(n) {
			b.Errorf("payout %s posted %d transactions, want %d", res.ID, out.Transactions, n)
		}
	}
	row.peakKiB = peakRSS(workerPid())
	row.events = len(history(b, id, "").events)
	rep.payouts = append(rep.payouts, row)
	b.ReportMetric(row.posting.Seconds(), fmt.Sprintf("s-payout-%d", n))
	b.ReportMetric(float64(row.peakKiB)/1024, fmt.Sprintf("worker-peak-MiB-payout-%d", n))
}

// freshWorker restarts the worker process, so that its peak memory is the next benchmark's
// (stopped gracefully: a killed worker's outstanding polls would delay the next task by the
// server's poll timeout).
func freshWorker(b *testing.B) {
	if err := stack.Terminate("worker"); err != nil {
		b.Fatal(err)
	}
	if err := stack.Restart("worker"); err != nil {
		b.Fatal(err)
	}
}

// bulk calls one of the Stripe sandbox's bulk endpoints for count USD objects of amount cents,
// decodes the answer into out and returns the HTTP status.
func bulk(b *testing.B, path string, count int, amount int64, out any) string {
	body := strings.NewReader(fmt.Sprintf(`{"currency":"usd","count":%d,"amount":%d}`, count, amount))
	req, _ := http.NewRequest(http.MethodPost, stack.StripeURL()+path, body)
	req.Header.Set("Authorization", "Bearer "+devstack.StripeKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := (&http.Client{Timeout: 15 * time.Minute}).Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	_ = json.NewDecoder(resp.Body).Decode(out)
	return resp.Status
}

// heartbeatRows reads the running aggregation's last heartbeat (its rows so far).
func heartbeatRows(id string) int64 {
	desc, err := tc.DescribeWorkflow(context.Background(), id, "")
	if err != nil {
		return -1
	}
	for _, pa := range desc.RawResponse.GetPendingActivities() {
		var p struct {
			Agg struct {
				Rows int64 `json:"rows"`
			} `json:"agg"`
		}
		if pa.HeartbeatDetails == nil || len(pa.HeartbeatDetails.Payloads) == 0 {
			continue
		}
		if json.Unmarshal(pa.HeartbeatDetails.Payloads[0].Data, &p) == nil {
			return p.Agg.Rows
		}
	}
	return 0
}

// workerPid is the worker process's PID, from its pid file (<data>/run/worker.pid).
func workerPid() int {
	if b, err := os.ReadFile(stack.PIDPath("worker")); err == nil {
		if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
			return pid
		}
	}
	return stack.Pid("worker")
}

// peakRSS reads a process's peak resident set (VmHWM) in KiB from /proc.
func peakRSS(pid int) int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			var kb int64
			fmt.Sscanf(strings.TrimSpace(strings.TrimPrefix(line, "VmHWM:")), "%d", &kb)
			return kb
		}
	}
	return 0
}

// scrapeCalls sums the worker process's calls to each external system
// (ledgerbridge_external_calls_total by system).
func scrapeCalls(b *testing.B) map[string]float64 {
	return scrape(b, stack.WorkerHealthURL()+"/metrics", "ledgerbridge_external_calls_total", "system")
}

// scrapeGateway sums the gateway's webhook outcomes (ledgerbridge_webhook_events_total by outcome).
func scrapeGateway(b *testing.B) map[string]float64 {
	return scrape(b, stack.GatewayInternalURL()+"/metrics", "ledgerbridge_webhook_events_total", "outcome")
}

// scrape sums a Prometheus counter's series by one label.
func scrape(b *testing.B, url, metric, label string) map[string]float64 {
	resp, err := http.Get(url)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(resp.Body)
	out := map[string]float64{}
	for _, line := range strings.Split(buf.String(), "\n") {
		if !strings.HasPrefix(line, metric+"{") {
			continue
		}
		labels, value, ok := strings.Cut(strings.TrimPrefix(line, metric+"{"), "} ")
		if !ok {
			continue
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if err != nil {
			continue
		}
		for _, kv := range strings.Split(labels, ",") {
			if k, val, ok := strings.Cut(kv, "="); ok && k == label {
				out[strings.Trim(val, `"`)] += v
			}
		}
	}
	return out
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

func envDuration(name string, def time.Duration) time.Duration {
	if v, err := time.ParseDuration(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

type nopLogger struct{}

func (nopLogger) Debug(string, ...interface{}) {}
func (nopLogger) Info(string, ...interface{})  {}
func (nopLogger) Warn(string, ...interface{})  {}
func (nopLogger) Error(string, ...interface{}) {}
