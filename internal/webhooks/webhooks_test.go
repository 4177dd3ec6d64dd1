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
	"time"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/webhook"
	"go.temporal.io/sdk/client"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

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
	return New(Config{StripeWebhookSecrets: []string{secret}, MaxBodyBytes: 1024}, ft, zap.NewNop()).PublicHandler()
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
		{"invoice.paid", `{"id":"in_1","object":"invoice","charge":"ch_9"}`, "order-to-cash/stripe/ch_9", false},
		{"credit_note.created", `{"id":"cn_1","object":"credit_note"}`, "credit-note/stripe/cn_1", true},
		{"credit_note.voided", `{"id":"cn_1","object":"credit_note"}`, "credit-note/stripe/cn_1", true},
		{"invoice.payment_succeeded", `{"id":"in_1","object":"invoice","charge":{"id":"ch_9","object":"charge"}}`, "order-to-cash/stripe/ch_9", false},
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
		{"no data", []byte(`{"id":"evt_1","object":"event","api_version":"` + stripe.APIVersion + `","type":"charge.succeeded"}`), true, 400},
		{"null data", []byte(`{"id":"evt_1","object":"event","api_version":"` + stripe.APIVersion + `","type":"charge.succeeded","data":null}`), true, 400},
		{"data without object", []byte(`{"id":"evt_1","object":"event","api_version":"` + stripe.APIVersion + `","type":"charge.succeeded","data":{}}`), true, 400},
		{"object not an object", []byte(`{"id":"evt_1","object":"event","api_version":"` + stripe.APIVersion + `","type":"charge.succeeded","data":{"object":5}}`), true, 400},
		{"no id", []byte(`{"object":"event","api_version":"` + stripe.APIVersion + `","type":"charge.succeeded","data":{"object":{"id":"ch_1"}}}`), true, 400},
	}
	for _, c := range cases {
		if code, out := post(t, h, c.body, c.sign); code != c.want || out["error"] == nil {
			t.Errorf("%s: %d %v", c.name, code, out)
		}
	}
	if code, out := post(t, h, event("invoice.created", `{"id":"in_1"}`), true); code != 200 || out["ignored"] != "invoice.created" {
		t.Errorf("ignored: %d %v", code, out)
	}
	if code, out := post(t, h, event("invoice.paid", `{"id":"in_1","charge":null}`), true); code != 200 || out["ignored"] != "invoice.paid" {
		t.Errorf("invoice paid without a charge: %d %v", code, out)
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

func signAt(body []byte, secret string, at time.Time) string { return Sign(body, secret, at) }

func postWith(t *testing.T, h http.Handler, body []byte, header string) (int, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/webhooks/stripe", bytes.NewReader(body))
	if header != "" {
		req.Header.Set("Stripe-Signature", header)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var out map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &out)
	return rec.Code, out
}

// Timestamps outside the tolerance are refused in both directions: stripe-go checks only the
// past, so a captured request with a future timestamp would stay replayable forever.
func TestSignatureTimestampBoundedBothWays(t *testing.T) {
	body := event("charge.succeeded", `{"id":"ch_1"}`)
	now := time.Now()
	cases := []struct {
		name string
		at   time.Time
		want int
	}{
		{"now", now, 200},
		{"4 min ago", now.Add(-4 * time.Minute), 200},
		{"4 min ahead (clock skew)", now.Add(4 * time.Minute), 200},
		{"6 min ago", now.Add(-6 * time.Minute), 400},
		{"6 min ahead", now.Add(6 * time.Minute), 400},
		{"a year ahead", now.Add(365 * 24 * time.Hour), 400},
	}
	for _, c := range cases {
		ft := &fakeTemporal{}
		code, out := postWith(t, newGateway(ft), body, signAt(body, secret, c.at))
		if code != c.want {
			t.Errorf("%s: %d %v, want %d", c.name, code, out, c.want)
		}
	}
}

// Several secrets are accepted at once (rotation, several endpoints); any other is refused.
func TestSeveralWebhookSecrets(t *testing.T) {
	ft := &fakeTemporal{}
	h := New(Config{StripeWebhookSecrets: []string{"whsec_new", "whsec_old"}, MaxBodyBytes: 1024}, ft, zap.NewNop()).PublicHandler()
	body := event("charge.succeeded", `{"id":"ch_1"}`)
	for _, sec := range []string{"whsec_new", "whsec_old"} {
		if code, out := postWith(t, h, body, signAt(body, sec, time.Now())); code != 200 {
			t.Errorf("%s: %d %v", sec, code, out)
		}
	}
	if code, out := postWith(t, h, body, signAt(body, "whsec_other", time.Now())); code != 400 || !strings.Contains(out["error"].(string), "signature") {
		t.Errorf("unknown secret: %d %v", code, out)
	}
	// One header carrying signatures by two secrets (Stripe during a roll) passes once.
	both := signAt(body, "whsec_other", time.Now()) + "," + strings.Split(signAt(body, "whsec_old", time.Now()), ",")[1]
	if code, out := postWith(t, h, body, both); code != 200 {
		t.Errorf("rolled header: %d %v", code, out)
	}
}

// The header is checked before the body is read: an unsigned oversized body is a 400, not a 413,
// and a malformed header names the problem.
func TestHeaderCheckedBeforeBody(t *testing.T) {
	h := newGateway(&fakeTemporal{})
	big := []byte(`{"x":"` + strings.Repeat("a", 5000) + `"}`)
	if code, out := postWith(t, h, big, ""); code != 400 || !strings.Contains(out["error"].(string), "missing signature header") {
		t.Errorf("unsigned: %d %v", code, out)
	}
	for _, hdr := range []string{"garbage", "t=abc,v1=00", "t=1", "v1=" + strings.Repeat("0", 64)} {
		if code, out := postWith(t, h, big, hdr); code != 400 || !strings.Contains(out["error"].(string), "malformed") {
			t.Errorf("%q: %d %v", hdr, code, out)
		}
	}
}

// An event rendered for another API version gets its own outcome and message, not "signature
// verification failed".
func TestOtherAPIVersionIsItsOwnOutcome(t *testing.T) {
	g := New(Config{StripeWebhookSecrets: []string{secret}, MaxBodyBytes: 4096}, &fakeTemporal{}, zap.NewNop())
	body := []byte(`{"id":"evt_1","object":"event","api_version":"2026-08-26.dahlia","type":"charge.succeeded","data":{"object":{"id":"ch_1"}}}`)
	code, out := postWith(t, g.PublicHandler(), body, signAt(body, secret, time.Now()))
	if code != 400 || !strings.Contains(out["error"].(string), "API version") || strings.Contains(out["error"].(string), "signature") {
		t.Fatalf("%d %v", code, out)
	}
	rec := httptest.NewRecorder()
	g.InternalHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if !strings.Contains(rec.Body.String(), `outcome="unsupported_api_version"`) {
		t.Fatalf("metric missing:\n%s", rec.Body.String())
	}
}

// An exact redelivery is answered from the recent-event cache without Temporal; a new event for
// the same object still reaches Temporal.
func TestRecentEventCacheAnswersRedeliveries(t *testing.T) {
	ft := &fakeTemporal{}
	h := New(Config{StripeWebhookSecrets: []string{secret}, MaxBodyBytes: 1024, RecentEvents: 2}, ft, zap.NewNop()).PublicHandler()
	body := event("charge.succeeded", `{"id":"ch_1"}`)
	for i := 0; i < 3; i++ {
		if code, out := post(t, h, body, true); code != 200 || out["workflowId"] != "order-to-cash/stripe/ch_1" {
			t.Fatalf("delivery %d: %d %v", i, code, out)
		}
	}
	if len(ft.started) != 1 {
		t.Fatalf("redeliveries reached Temporal %d times", len(ft.started))
	}
	other := bytes.Replace(body, []byte(`"evt_1"`), []byte(`"evt_2"`), 1)
	post(t, h, other, true)
	if len(ft.started) != 2 {
		t.Fatalf("a new event was answered from the cache")
	}
	// Failed starts are not remembered: Stripe's retry must reach Temporal again.
	ft.err = errors.New("down")
	third := bytes.Replace(body, []byte(`"evt_1"`), []byte(`"evt_3"`), 1)
	if code, _ := post(t, h, third, true); code != 503 {
		t.Fatalf("want 503, got %d", code)
	}
	ft.err = nil
	post(t, h, third, true)
	if len(ft.started) != 3 {
		t.Fatalf("retry after a failed start did not reach Temporal")
	}
}

// Metrics and admin are not on the public listener; readyz says nothing about why; a spoofed
// X-Forwarded-For is not believed.
func TestPublicAndInternalSurfaces(t *testing.T) {
	ft := &fakeTemporal{err: errors.New("dial tcp 10.0.0.7:7233: connection refused")}
	var logs bytes.Buffer
	log := zap.New(zapcore.NewCore(zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig()), zapcore.AddSync(&logs), zap.InfoLevel))
	g := New(Config{StripeWebhookSecrets: []string{secret}, MaxBodyBytes: 1024, AdminToken: "tok",
		Preview: func(context.Context, []byte, string) (any, error) { return "ok", nil }}, ft, log)
	pub, internal := g.PublicHandler(), g.InternalHandler()
	get := func(h http.Handler, path, auth string, hdr map[string]string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		if auth != "" {
			req.Header.Set("Authorization", "Bearer "+auth)
		}
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	if rec := get(pub, "/metrics", "", nil); rec.Code != 404 {
		t.Errorf("public /metrics: %d", rec.Code)
	}
	if rec := get(pub, "/admin/preview?id=ch_1", "tok", nil); rec.Code != 404 {
		t.Errorf("public /admin: %d", rec.Code)
	}
	if rec := get(internal, "/admin/preview?id=ch_1", "tok", nil); rec.Code != 200 {
		t.Errorf("internal /admin with token: %d %s", rec.Code, rec.Body)
	}
	if rec := get(internal, "/admin/preview?id=ch_1", "wrong", nil); rec.Code != 401 {
		t.Errorf("internal /admin wrong token: %d", rec.Code)
	}
	rec := get(pub, "/readyz", "", map[string]string{"X-Forwarded-For": "6.6.6.6"})
	if rec.Code != 503 || strings.Contains(rec.Body.String(), "10.0.0.7") || strings.Contains(rec.Body.String(), "refused") {
		t.Errorf("readyz leaks: %d %s", rec.Code, rec.Body)
	}
	if strings.Contains(logs.String(), "6.6.6.6") {
		t.Errorf("access log believed a spoofed X-Forwarded-For: %s", logs.String())
	}
	noAdmin := New(Config{StripeWebhookSecrets: []string{secret}, Preview: func(context.Context, []byte, string) (any, error) { return "ok", nil }}, ft, zap.NewNop())
	if rec := get(noAdmin.InternalHandler(), "/admin/preview?id=ch_1", "", nil); rec.Code != 404 {
		t.Errorf("admin without a token configured: %d", rec.Code)
	}
}

// Rejections are logged at warn with the reason, never with the body or the header.
func TestRejectionsLoggedAtWarn(t *testing.T) {
	var logs bytes.Buffer
	log := zap.New(zapcore.NewCore(zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig()), zapcore.AddSync(&logs), zap.DebugLevel))
	h := New(Config{StripeWebhookSecrets: []string{secret}, MaxBodyBytes: 1024}, &fakeTemporal{}, log).PublicHandler()
	body := event("charge.succeeded", `{"id":"ch_1","description":"card 4242424242424242"}`)
	postWith(t, h, body, signAt(body, "whsec_wrong", time.Now()))
	out := logs.String()
	if !strings.Contains(out, `"level":"warn"`) || !strings.Contains(out, "no v1 signature matches") {
		t.Fatalf("no warn line with the reason: %s", out)
	}
	if strings.Contains(out, "4242424242424242") || strings.Contains(out, "v1=") {
		t.Fatalf("the log holds the body or the signature: %s", out)
	}
}
