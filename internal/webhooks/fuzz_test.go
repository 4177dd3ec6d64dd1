package webhooks

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v76"
	"go.uber.org/zap"
)

// FuzzStripeWebhook feeds arbitrary bodies, signed with the gateway's secret so they reach
// decoding and routing, and arbitrary signature headers. The gateway must never panic or answer
// 5xx for anything but Temporal being down, and must start a workflow only for an event whose
// data object has an ID.
func FuzzStripeWebhook(f *testing.F) {
	v := stripe.APIVersion
	for _, seed := range []string{
		`{"id":"evt_1","object":"event","api_version":"` + v + `","type":"charge.succeeded","data":{"object":{"id":"ch_1"}}}`,
		`{"id":"evt_1","object":"event","api_version":"` + v + `","type":"payment_intent.succeeded","data":{"object":{"id":"pi_1","latest_charge":{"id":"ch_1"}}}}`,
		`{"id":"evt_1","object":"event","api_version":"` + v + `","type":"charge.refunded","data":{"object":{"id":"ch_1","amount_refunded":-5}}}`,
		`{"id":"evt_1","object":"event","api_version":"` + v + `","type":"charge.dispute.created","data":null}`,
		`{"id":"evt_1","object":"event","api_version":"` + v + `","type":"payout.paid"}`,
		`{"id":"evt_1","type":"customer.updated","api_version":"2020-01-01","data":{"object":[]}}`,
		`[]`, `null`, ``, `{"data":{"object":{"id":""}}}`,
	} {
		f.Add([]byte(seed), "")
	}
	f.Add([]byte(`{}`), "t=1,v1=zz")
	f.Add([]byte(`{}`), "t=99999999999,v1=00,v0=1")
	f.Fuzz(func(t *testing.T, body []byte, header string) {
		ft := &fakeTemporal{}
		now := time.Unix(1_800_000_000, 0)
		h := New(Config{StripeWebhookSecrets: []string{secret}, MaxBodyBytes: 1 << 16, RecentEvents: 8,
			Now: func() time.Time { return now }}, ft, zap.NewNop()).PublicHandler()
		if header == "" {
			header = Sign(body, secret, now)
		}
		req := httptest.NewRequest(http.MethodPost, "/webhooks/stripe", bytes.NewReader(body))
		req.Header.Set("Stripe-Signature", header)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%d for %q: %s", rec.Code, body, rec.Body)
		}
		for _, o := range ft.started {
			if o.ID == "" || bytes.HasSuffix([]byte(o.ID), []byte("/")) {
				t.Fatalf("started a workflow without an object ID: %q for %q", o.ID, body)
			}
		}
	})
}

// FuzzSignedHeader checks the header parser on its own: never panics, and accepts a header only
// with a timestamp within the tolerance.
func FuzzSignedHeader(f *testing.F) {
	now := time.Unix(1_800_000_000, 0)
	f.Add(Sign([]byte("x"), secret, now))
	f.Add("t=1800000000,v1=" + string(bytes.Repeat([]byte("a"), 64)))
	f.Add("t=,v1=")
	f.Add(",,,")
	f.Fuzz(func(t *testing.T, header string) {
		sh, err := parseSignedHeader(header, 5*time.Minute, now)
		if err == nil {
			if d := now.Sub(sh.timestamp); d > 5*time.Minute || d < -5*time.Minute || len(sh.signatures) == 0 {
				t.Fatalf("accepted %q (timestamp %v, %d signatures)", header, sh.timestamp, len(sh.signatures))
			}
		}
	})
}
