// Package bench measures ledgerbridge on one machine, through the real stack (Temporal dev
// server, sandboxes, worker and gateway as separate processes). `make bench` runs it; numbers
// are printed, never asserted.
package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"sort"
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

	"github.com/ledgerbridge/ledgerbridge/internal/devstack"
	"github.com/ledgerbridge/ledgerbridge/internal/stripeapi"
	"github.com/ledgerbridge/ledgerbridge/workflows"
)

var (
	stack *devstack.Stack
	sc    *client.API
	tc    tclient.Client
)

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
	var err error
	if stack, err = devstack.StartEphemeral(ctx, bin, nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(stack.Opts.DataDir)
	defer stack.Stop()
	sc = stripeapi.NewClient(stack.StripeURL(), devstack.StripeKey)
	if tc, err = tclient.Dial(tclient.Options{HostPort: stack.TemporalAddress(), Logger: nopLogger{}}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer tc.Close()
	return m.Run()
}

// makeCharges creates n succeeded card charges with webhook delivery paused, so the benchmark
// decides when and how each reaches ledgerbridge.
func makeCharges(b *testing.B, n int) []string {
	setPaused(b, true)
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

func setPaused(b *testing.B, paused bool) {
	body := strings.NewReader(fmt.Sprintf(`{"paused":%v}`, paused))
	req, _ := http.NewRequest(http.MethodPost, stack.StripeURL()+"/_sandbox/delivery", body)
	req.Header.Set("Authorization", "Bearer "+devstack.StripeKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	resp.Body.Close()
}

// startAndWait starts one workflow per argument on taskQueue and waits for all; it returns the
// wall time from the first start to the last completion.
func startAndWait(b *testing.B, taskQueue string, wf interface{}, ids []string, arg func(id string) interface{}) time.Duration {
	ctx := context.Background()
	start := time.Now()
	runs := make([]tclient.WorkflowRun, len(ids))
	for i, id := range ids {
		r, err := tc.ExecuteWorkflow(ctx, tclient.StartWorkflowOptions{ID: id, TaskQueue: taskQueue}, wf, arg(id))
		if err != nil {
			b.Fatal(err)
		}
		runs[i] = r
	}
	for _, r := range runs {
		if err := r.Get(ctx, nil); err != nil {
			b.Fatalf("%s: %v", r.GetID(), err)
		}
	}
	return time.Since(start)
}

const payments = 200

// BenchmarkOrderToCash posts `payments` charges through the real worker (Stripe re-fetch, Sage
// customer, invoice, payment, Stripe write-back) and, on the same server, runs as many no-op
// workflows with the same number of activities: the ceiling Temporal itself sets here.
func BenchmarkOrderToCash(b *testing.B) {
	charges := makeCharges(b, payments)
	ids := make([]string, len(charges))
	for i, ch := range charges {
		ids[i] = workflows.OrderToCashID(ch)
	}
	otc := startAndWait(b, workflows.TaskQueue, workflows.OrderToCashWorkflowName, ids, func(id string) interface{} {
		return &workflows.OrderToCashInput{ChargeID: strings.TrimPrefix(id, "order-to-cash/stripe/")}
	})

	w := worker.New(tc, "bench-noop", worker.Options{})
	w.RegisterWorkflowWithOptions(noopWorkflow, workflow.RegisterOptions{Name: "BenchNoop"})
	w.RegisterActivity(noopActivity)
	if err := w.Start(); err != nil {
		b.Fatal(err)
	}
	defer w.Stop()
	noopIDs := make([]string, payments)
	for i := range noopIDs {
		noopIDs[i] = fmt.Sprintf("bench-noop-%d-%d", time.Now().UnixNano(), i)
	}
	noop := startAndWait(b, "bench-noop", "BenchNoop", noopIDs, func(string) interface{} { return noopActivities })

	otcRate := float64(payments) / otc.Seconds()
	noopRate := float64(payments) / noop.Seconds()
	b.ReportMetric(otcRate, "payments/s")
	b.ReportMetric(noopRate, "noop-workflows/s")
	fmt.Printf("\norder-to-cash: %d payments in %s = %.1f payments/s\n", payments, otc.Round(time.Millisecond), otcRate)
	fmt.Printf("no-op ceiling: %d workflows x %d activities in %s = %.1f workflows/s (order-to-cash reaches %.0f%% of it)\n\n",
		payments, noopActivities, noop.Round(time.Millisecond), noopRate, 100*otcRate/noopRate)
}

// noopActivities matches order-to-cash's happy path: fetch, customer, sales order, invoice,
// payment, write-back.
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

// BenchmarkGatewayAck sends signed charge.succeeded webhooks at a fixed rate (open loop: a slow
// answer does not slow the sender) and reports the gateway's acknowledgement latency.
func BenchmarkGatewayAck(b *testing.B) {
	for _, rate := range []int{10, 40} {
		b.Run(fmt.Sprintf("%d-per-s", rate), func(b *testing.B) { gatewayAck(b, rate, 6) })
	}
}

func gatewayAck(b *testing.B, rate, seconds int) {
	n := rate * seconds
	charges := makeCharges(b, n)
	want := map[string]bool{}
	for _, c := range charges {
		want[c] = true
	}
	var bodies [][]byte
	it := sc.Events.List(&stripe.EventListParams{Type: stripe.String("charge.succeeded")})
	for it.Next() {
		e := it.Event()
		if id, _ := e.Data.Object["id"].(string); want[id] {
			raw, _ := json.Marshal(e)
			bodies = append(bodies, raw)
		}
	}
	if len(bodies) != n {
		b.Fatalf("found %d events for %d charges", len(bodies), n)
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
	b.ReportMetric(float64(p50.Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms")
	fmt.Printf("\ngateway ack: %d signed webhooks at %d/s over %s, %d acknowledged 200: p50 %s, p99 %s, max %s\n\n",
		n, rate, elapsed.Round(time.Millisecond), len(ok), p50.Round(10*time.Microsecond), p99.Round(10*time.Microsecond),
		ok[len(ok)-1].Round(10*time.Microsecond))
}

// BenchmarkPayout100k posts one payout of 100,000 balance transactions through the real worker
// and prints the time, the worker's peak memory and the workflow's history length, which stays
// the same for any number of transactions (the aggregate, not the rows, goes into history).
func BenchmarkPayout100k(b *testing.B) {
	for _, n := range []int{1000, 100000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) { payoutBench(b, n) })
	}
}

func payoutBench(b *testing.B, n int) {
	// A fresh worker, so its peak memory is this payout's (stopped gracefully: a killed worker's
	// outstanding polls would delay the next task by the server's poll timeout).
	if err := stack.Terminate("worker"); err != nil {
		b.Fatal(err)
	}
	if err := stack.Restart("worker"); err != nil {
		b.Fatal(err)
	}
	// Deliveries stay paused (earlier benchmarks left a backlog queued); the payout's own
	// payout.paid is delivered to the gateway below, signed, like Stripe would.
	setPaused(b, true)
	start := time.Now()
	var res struct {
		Data []struct {
			ID string `json:"id"`
		} `json:"data"`
		ID string `json:"id"`
	}
	body := strings.NewReader(fmt.Sprintf(`{"currency":"usd","count":%d,"amount":1000}`, n))
	req, _ := http.NewRequest(http.MethodPost, stack.StripeURL()+"/_sandbox/payouts/bulk", body)
	req.Header.Set("Authorization", "Bearer "+devstack.StripeKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	_ = json.NewDecoder(resp.Body).Decode(&res)
	resp.Body.Close()
	payoutID := res.ID
	if payoutID == "" && len(res.Data) > 0 {
		payoutID = res.Data[0].ID
	}
	if payoutID == "" {
		b.Fatalf("bulk payout: %s", resp.Status)
	}
	created := time.Since(start)
	var evt []byte
	it0 := sc.Events.List(&stripe.EventListParams{Type: stripe.String("payout.paid")})
	for it0.Next() {
		if id, _ := it0.Event().Data.Object["id"].(string); id == payoutID {
			evt, _ = json.Marshal(it0.Event())
			break
		}
	}
	if evt == nil {
		b.Fatalf("no payout.paid event for %s", payoutID)
	}
	signed := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: evt, Secret: devstack.StripeWebhookSecret})
	wreq, _ := http.NewRequest(http.MethodPost, stack.GatewayURL()+"/webhooks/stripe", bytes.NewReader(evt))
	wreq.Header.Set("Stripe-Signature", signed.Header)
	wreq.Header.Set("Content-Type", "application/json")
	wresp, err := http.DefaultClient.Do(wreq)
	if err != nil || wresp.StatusCode != http.StatusOK {
		b.Fatalf("deliver payout.paid: %v %v", err, wresp)
	}
	wresp.Body.Close()
	// payout.paid reached the gateway as a webhook; wait for the run it starts.
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	id := workflows.PayoutID(payoutID)
	var out workflows.PayoutResult
	for {
		err := tc.GetWorkflow(ctx, id, "").Get(ctx, &out)
		if err == nil {
			break
		}
		if ctx.Err() != nil || !strings.Contains(err.Error(), "not found") {
			b.Fatalf("%s: %v", id, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	took := time.Since(start)
	events := 0
	it := tc.GetWorkflowHistory(ctx, id, "", false, 0)
	for it.HasNext() {
		if _, err := it.Next(); err != nil {
			b.Fatal(err)
		}
		events++
	}
	peak := peakRSS(stack.Pid("worker"))
	b.ReportMetric(took.Seconds(), "s")
	b.ReportMetric(float64(peak)/1024, "worker-peak-MiB")
	b.ReportMetric(float64(events), "history-events")
	fmt.Printf("\npayout of %d balance transactions: created in %s, posted %s (%s) in %s; worker peak RSS %.1f MiB; workflow history %d events\n\n",
		out.Transactions, created.Round(time.Millisecond), out.JournalEntry, out.Status, took.Round(time.Millisecond), float64(peak)/1024, events)
	if out.Transactions != int64(n) {
		b.Fatalf("posted %d transactions, want %d", out.Transactions, n)
	}
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

type nopLogger struct{}

func (nopLogger) Debug(string, ...interface{}) {}
func (nopLogger) Info(string, ...interface{})  {}
func (nopLogger) Warn(string, ...interface{})  {}
func (nopLogger) Error(string, ...interface{}) {}
