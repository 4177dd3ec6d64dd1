package webhooks

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/ledgerbridge/ledgerbridge/workflows"
)

func postPayTrace(t *testing.T, h http.Handler, body []byte, header string) (int, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/webhooks/paytrace", bytes.NewReader(body))
	if header != "" {
		req.Header.Set(PayTraceSignatureHeader, header)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var out map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &out)
	return rec.Code, out
}

// A signed PayTrace notification reaches the transaction's (or batch's) workflow by the same ID
// the poll uses; anything unsigned or malformed is refused, a redelivery is answered from memory.
func TestPayTraceNotifications(t *testing.T) {
	ft := &fakeTemporal{}
	h := New(Config{StripeWebhookSecrets: []string{secret}, PayTraceSecrets: []string{"ptwhsec_test"}, MaxBodyBytes: 4096, RecentEvents: 10},
		ft, zap.NewNop()).PublicHandler()
	sale := []byte(`{"event":"transaction.success","id":"ntf_1","transaction_id":100000007,"created":1800000000}`)
	code, out := postPayTrace(t, h, sale, Sign(sale, "ptwhsec_test", time.Now()))
	if code != 200 || out["workflowId"] != workflows.PayTraceTransactionID(100000007) || len(ft.signalled) != 1 {
		t.Fatalf("sale: %d %v %v", code, out, ft.signalled)
	}
	if in := ft.inputs[0].(*workflows.PayTraceTransactionInput); in.TransactionID != 100000007 || in.Source != "notification" {
		t.Fatalf("input %+v", in)
	}
	if code, _ := postPayTrace(t, h, sale, Sign(sale, "ptwhsec_test", time.Now())); code != 200 || len(ft.started) != 1 {
		t.Fatalf("redelivery reached Temporal: %d, %d starts", code, len(ft.started))
	}
	batch := []byte(`{"event":"batch.settled","id":"ntf_2","batch_number":12,"created":1800000000}`)
	if code, out := postPayTrace(t, h, batch, Sign(batch, "ptwhsec_test", time.Now())); code != 200 || out["workflowId"] != workflows.PayTraceBatchID(12) {
		t.Fatalf("batch: %d %v", code, out)
	}
	other := []byte(`{"event":"customer.created","id":"ntf_3"}`)
	if code, out := postPayTrace(t, h, other, Sign(other, "ptwhsec_test", time.Now())); code != 200 || out["ignored"] == nil {
		t.Fatalf("unknown event: %d %v", code, out)
	}
	for name, c := range map[string]struct {
		body   []byte
		header string
	}{
		"unsigned":     {sale, ""},
		"wrong secret": {sale, Sign(sale, "ptwhsec_other", time.Now())},
		"stale":        {sale, Sign(sale, "ptwhsec_test", time.Now().Add(-time.Hour))},
		"not json":     {[]byte("x"), Sign([]byte("x"), "ptwhsec_test", time.Now())},
	} {
		if code, _ := postPayTrace(t, h, c.body, c.header); code != 400 {
			t.Errorf("%s: %d", name, code)
		}
	}
	// Without a secret the endpoint does not exist.
	if code, _ := postPayTrace(t, newGateway(&fakeTemporal{}), sale, Sign(sale, "ptwhsec_test", time.Now())); code != 404 {
		t.Errorf("no secret configured: %d", code)
	}
}
