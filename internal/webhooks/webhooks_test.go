package webhooks

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/webhook"
	"go.temporal.io/sdk/client"
	"go.uber.org/zap"

	"github.com/ledgerbridge/ledgerbridge/workflows"
)

// fakeTemporal records StartWorkflow calls; the real path is covered by tests/ end to end.
type fakeTemporal struct {
	started   []client.StartWorkflowOptions
	inputs    []interface{}
	signalled []string
	err       error
}

func (f *fakeTemporal) ExecuteWorkflow(_ context.Context, o client.StartWorkflowOptions, _ interface{}, args ...interface{}) (client.WorkflowRun, error) {
	if f.err != nil {
		return nil, f.err
	}
	f.started = append(f.started, o)
	f.inputs = append(f.inputs, args[0])
	return fakeRun{id: o.ID}, nil
}

func (f *fakeTemporal) SignalWithStartWorkflow(ctx context.Context, id, signal string, _ interface{}, o client.StartWorkflowOptions, wf interface{}, args ...interface{}) (client.WorkflowRun, error) {
	f.signalled = append(f.signalled, id+" "+signal)
	return f.ExecuteWorkflow(ctx, o, wf, args...)
}

func (f *fakeTemporal) CheckHealth(context.Context, *client.CheckHealthRequest) (*client.CheckHealthResponse, error) {
	return &client.CheckHealthResponse{}, f.err
}

type fakeRun struct {
	client.WorkflowRun
	id string
}

func (r fakeRun) GetID() string    { return r.id }
func (r fakeRun) GetRunID() string { return "run-1" }

const secret = "whsec_test"

func post(t *testing.T, h http.Handler, body []byte, sign bool) (int, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/webhooks/stripe", bytes.NewReader(body))
	if sign {
		req.Header.Set("Stripe-Signature", webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: body, Secret: secret}).Header)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var out map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &out)
	return rec.Code, out
}

func event(typ, object string) []byte {
	return []byte(`{"id":"evt_1","object":"event","api_version":"` + stripe.APIVersion + `","type":"` + typ + `","data":{"object":` + object + `}}`)
}

func newGateway(ft *fakeTemporal) http.Handler {
	return New(Config{StripeWebhookSecret: secret, MaxBodyBytes: 1024}, ft, zap.NewNop()).Handler()
}

func TestSiblingEventsMapToTheChargesWorkflow(t *testing.T) {
	ft := &fakeTemporal{}
	h := newGateway(ft)
	if code, out := post(t, h, event("charge.succeeded", `{"id":"ch_1","object":"charge"}`), true); code != 200 || out["workflowId"] != "order-to-cash/stripe/ch_1" {
		t.Fatalf("charge.succeeded: %d %v", code, out)
	}
	if code, out := post(t, h, event("payment_intent.succeeded", `{"id":"pi_1","object":"payment_intent","latest_charge":"ch_1"}`), true); code != 200 || out["workflowId"] != "order-to-cash/stripe/ch_1" {
		t.Fatalf("payment_intent.succeeded: %d %v", code, out)
	}
	if len(ft.started) != 2 || ft.started[0].ID != ft.started[1].ID || ft.inputs[1].(*workflows.OrderToCashInput).ChargeID != "ch_1" {
		t.Fatalf("started %+v", ft.started)
	}
}

func TestEventsRouteToTheirObjectsWorkflow(t *testing.T) {
	cases := []struct {
		typ, object, wantID string
		refresh             bool
	}{
		{"refund.created", `{"id":"re_1","object":"refund","charge":"ch_1"}`, "refund/stripe/re_1", true},
		{"charge.refunded", `{"id":"ch_1","object":"charge","amount_refunded":500}`, "charge-refunds/stripe/ch_1/500", false},
		{"charge.dispute.created", `{"id":"dp_1","object":"dispute"}`, "dispute/stripe/dp_1", true},
		{"charge.dispute.funds_withdrawn", `{"id":"dp_1","object":"dispute"}`, "dispute/stripe/dp_1", true},
		{"charge.dispute.closed", `{"id":"dp_1","object":"dispute"}`, "dispute/stripe/dp_1", true},
		{"payout.paid", `{"id":"po_1","object":"payout"}`, "payout/stripe/po_1", true},
		{"customer.updated", `{"id":"cus_1","object":"customer"}`, "customer/stripe/cus_1", true},
		{"payout.failed", `{"id":"po_1","object":"payout"}`, "payout/stripe/po_1", true},
	}
	for _, c := range cases {
		ft := &fakeTemporal{}
		code, out := post(t, newGateway(ft), event(c.typ, c.object), true)
		if code != 200 || out["workflowId"] != c.wantID {
			t.Errorf("%s: %d %v", c.typ, code, out)
			continue
		}
		if (len(ft.signalled) == 1) != c.refresh {
			t.Errorf("%s: signal-with-start %v, want %v", c.typ, ft.signalled, c.refresh)
		}
	}
}

func TestRejectsAndIgnores(t *testing.T) {
	ft := &fakeTemporal{}
	h := newGateway(ft)
	ok := event("charge.succeeded", `{"id":"ch_1"}`)
	cases := []struct {
		name string
		body []byte
		sign bool
		want int
	}{
		{"unsigned", ok, false, 400},
		{"malformed", []byte(`{"id":`), true, 400},
		{"too large", []byte(`{"x":"` + strings.Repeat("a", 2000) + `"}`), true, 413},
	}
	for _, c := range cases {
		if code, out := post(t, h, c.body, c.sign); code != c.want || out["error"] == nil {
			t.Errorf("%s: %d %v", c.name, code, out)
		}
	}
	if code, out := post(t, h, event("invoice.created", `{"id":"in_1"}`), true); code != 200 || out["ignored"] != "invoice.created" {
		t.Errorf("ignored: %d %v", code, out)
	}
	if code, out := post(t, h, event("payment_intent.succeeded", `{"id":"pi_1"}`), true); code != 200 || out["ignored"] == nil {
		t.Errorf("intent without charge: %d %v", code, out)
	}
	if len(ft.started) != 0 {
		t.Fatalf("started workflows for rejected or ignored events: %+v", ft.started)
	}
}

func TestTemporalDownAnswers503SoStripeRedelivers(t *testing.T) {
	ft := &fakeTemporal{err: errors.New("connection refused")}
	h := newGateway(ft)
	if code, _ := post(t, h, event("charge.succeeded", `{"id":"ch_1"}`), true); code != http.StatusServiceUnavailable {
		t.Fatalf("got %d", code)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	if rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("readyz %d", rec.Code)
	}
}
