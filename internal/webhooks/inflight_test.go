package webhooks

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.uber.org/zap"
)

// gatedTemporal holds every call until release is closed, counting them; safe for concurrent use.
type gatedTemporal struct {
	mu      sync.Mutex
	calls   []string
	release chan struct{}
	err     error
}

func (g *gatedTemporal) ExecuteWorkflow(_ context.Context, o client.StartWorkflowOptions, _ interface{}, _ ...interface{}) (client.WorkflowRun, error) {
	g.mu.Lock()
	g.calls = append(g.calls, o.ID)
	g.mu.Unlock()
	<-g.release
	if g.err != nil {
		return nil, g.err
	}
	return fakeRun{id: o.ID}, nil
}

func (g *gatedTemporal) SignalWithStartWorkflow(ctx context.Context, id, _ string, _ interface{}, o client.StartWorkflowOptions, wf interface{}, args ...interface{}) (client.WorkflowRun, error) {
	return g.ExecuteWorkflow(ctx, o, wf, args...)
}

func (g *gatedTemporal) CheckHealth(context.Context, *client.CheckHealthRequest) (*client.CheckHealthResponse, error) {
	return &client.CheckHealthResponse{}, nil
}

func (g *gatedTemporal) count() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.calls)
}

// deliverAtOnce posts bodies concurrently, releases Temporal once every delivery has reached the
// gateway (the first is calling Temporal, the others wait or call too), and returns the codes.
func deliverAtOnce(t *testing.T, g *Gateway, gt *gatedTemporal, wantCalls int, bodies ...[]byte) []int {
	t.Helper()
	h := g.PublicHandler()
	codes := make([]int, len(bodies))
	var wg sync.WaitGroup
	for i, b := range bodies {
		wg.Add(1)
		go func(i int, b []byte) {
			defer wg.Done()
			codes[i], _ = post(t, h, b, true)
		}(i, b)
	}
	// Every delivery that will call Temporal has done so, and the others are waiting.
	deadline := time.Now().Add(5 * time.Second)
	for gt.count() < wantCalls && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond)
	close(gt.release)
	wg.Wait()
	return codes
}

func withID(body []byte, id string) []byte {
	return bytes.Replace(body, []byte(`"evt_1"`), []byte(`"`+id+`"`), 1)
}

func metricsText(g *Gateway) string {
	rec := httptest.NewRecorder()
	g.InternalHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	return rec.Body.String()
}

// Five copies of an event delivered at once, and a sibling event of the same charge, make one
// Temporal call; every delivery is answered 200 with the charge's workflow.
func TestConcurrentDuplicatesMakeOneTemporalCall(t *testing.T) {
	gt := &gatedTemporal{release: make(chan struct{})}
	g := New(Config{StripeWebhookSecrets: []string{secret}, MaxBodyBytes: 1024}, gt, zap.NewNop())
	ev := event("charge.succeeded", `{"id":"ch_1"}`)
	sibling := withID(event("payment_intent.succeeded", `{"id":"pi_1","latest_charge":"ch_1"}`), "evt_2")
	codes := deliverAtOnce(t, g, gt, 1, ev, ev, ev, ev, ev, sibling)
	for i, c := range codes {
		if c != http.StatusOK {
			t.Fatalf("delivery %d: %d", i, c)
		}
	}
	if n := gt.count(); n != 1 {
		t.Fatalf("%d Temporal calls for one charge, want 1", n)
	}
	if m := metricsText(g); !strings.Contains(m, `outcome="duplicate_inflight",provider="stripe",type="charge.succeeded"} 4`) ||
		!strings.Contains(m, `outcome="duplicate_inflight",provider="stripe",type="payment_intent.succeeded"} 1`) {
		t.Fatalf("metrics:\n%s", m)
	}
}

// Different events of an object that is signalled per event each reach Temporal; copies of the
// same one do not.
func TestSignalledObjectsCoalesceOnlyTheSameEvent(t *testing.T) {
	gt := &gatedTemporal{release: make(chan struct{})}
	g := New(Config{StripeWebhookSecrets: []string{secret}, MaxBodyBytes: 1024}, gt, zap.NewNop())
	paid := event("payout.paid", `{"id":"po_1"}`)
	failed := withID(event("payout.failed", `{"id":"po_1"}`), "evt_2")
	deliverAtOnce(t, g, gt, 2, paid, paid, paid, failed)
	if n := gt.count(); n != 2 {
		t.Fatalf("%d Temporal calls, want 2 (one per event)", n)
	}
}

// When the call fails, every delivery waiting for it fails too (the provider redelivers), and
// nothing is remembered: the next delivery calls Temporal again.
func TestCoalescedDeliveriesFailWithTheCall(t *testing.T) {
	gt := &gatedTemporal{release: make(chan struct{}), err: errors.New("temporal down")}
	g := New(Config{StripeWebhookSecrets: []string{secret}, MaxBodyBytes: 1024, RecentEvents: 10}, gt, zap.NewNop())
	ev := event("charge.succeeded", `{"id":"ch_1"}`)
	for i, c := range deliverAtOnce(t, g, gt, 1, ev, ev, ev) {
		if c != http.StatusServiceUnavailable {
			t.Fatalf("delivery %d: %d, want 503", i, c)
		}
	}
	gt.err = nil
	if code, _ := post(t, g.PublicHandler(), ev, true); code != http.StatusOK || gt.count() != 2 {
		t.Fatalf("redelivery: %d after %d calls", code, gt.count())
	}
}

// With NoCoalescing every delivery makes its own call.
func TestNoCoalescing(t *testing.T) {
	gt := &gatedTemporal{release: make(chan struct{})}
	g := New(Config{StripeWebhookSecrets: []string{secret}, MaxBodyBytes: 1024, NoCoalescing: true}, gt, zap.NewNop())
	ev := event("charge.succeeded", `{"id":"ch_1"}`)
	deliverAtOnce(t, g, gt, 3, ev, ev, ev)
	if n := gt.count(); n != 3 {
		t.Fatalf("%d Temporal calls, want 3", n)
	}
}
