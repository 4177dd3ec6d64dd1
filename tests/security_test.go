package tests

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v76"
	commonpb "go.temporal.io/api/common/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/proxy"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/ledgerbridge/ledgerbridge/internal/codec"
	"github.com/ledgerbridge/ledgerbridge/internal/devstack"
	"github.com/ledgerbridge/ledgerbridge/workflows"
)

// rawHistory returns a run's history as Temporal stores it (payloads still encrypted).
func rawHistory(t *testing.T, workflowID string) []*historypb.HistoryEvent {
	t.Helper()
	ctx := context.Background()
	var out []*historypb.HistoryEvent
	var token []byte
	for {
		resp, err := tc.WorkflowService().GetWorkflowExecutionHistory(ctx, &workflowservice.GetWorkflowExecutionHistoryRequest{
			Namespace: stack.Namespace(), Execution: &commonpb.WorkflowExecution{WorkflowId: workflowID}, NextPageToken: token})
		if err != nil {
			t.Fatalf("history of %s: %v", workflowID, err)
		}
		out = append(out, resp.History.Events...)
		if token = resp.NextPageToken; len(token) == 0 {
			return out
		}
	}
}

// decodedHistoryText is a run's history as an operator with the key sees it: every payload
// decrypted, the whole rendered as JSON text with each payload's data also spelled out.
func decodedHistoryText(t *testing.T, workflowID string) string {
	t.Helper()
	c := codec.NewCodec(keys)
	var b strings.Builder
	for _, e := range rawHistory(t, workflowID) {
		err := proxy.VisitPayloads(context.Background(), e, proxy.VisitPayloadsOptions{
			Visitor: func(_ *proxy.VisitPayloadsContext, ps []*commonpb.Payload) ([]*commonpb.Payload, error) {
				dec, err := c.Decode(ps)
				for _, p := range dec {
					b.Write(p.GetData())
					b.WriteByte('\n')
				}
				return dec, err
			}})
		if err != nil {
			t.Fatalf("decode history of %s: %v", workflowID, err)
		}
		j, _ := protojson.Marshal(e)
		b.Write(j)
		b.WriteByte('\n')
	}
	return b.String()
}

// rawHistoryText is the history with nothing decoded.
func rawHistoryText(t *testing.T, workflowID string) string {
	t.Helper()
	var b strings.Builder
	for _, e := range rawHistory(t, workflowID) {
		j, _ := protojson.Marshal(e)
		b.Write(j)
		for _, p := range payloadsOf(e) {
			b.Write(p.GetData())
		}
	}
	return b.String()
}

// payloadsOf lists an event's payloads except search attributes, which Temporal indexes in clear
// text by design (CustomerEmail is the one personal datum there, so operators can find a
// customer's runs; README says so).
func payloadsOf(e *historypb.HistoryEvent) []*commonpb.Payload {
	var all []*commonpb.Payload
	_ = proxy.VisitPayloads(context.Background(), e, proxy.VisitPayloadsOptions{
		SkipSearchAttributes: true,
		Visitor: func(_ *proxy.VisitPayloadsContext, ps []*commonpb.Payload) ([]*commonpb.Payload, error) {
			all = append(all, ps...)
			return ps, nil
		}})
	return all
}

// panPattern matches the test card numbers in any spacing, and the CVC/expiry text pasted next
// to them.
var panPattern = regexp.MustCompile(`4242[ -]?4242[ -]?4242[ -]?4242|5555[ -]?5555[ -]?5555[ -]?4444|(?i)cvc 123|exp 12/29`)

// A card number pasted into a charge's description, its metadata and the customer's address
// is masked in the activity that fetched it: it is nowhere in the runs' histories (decrypted
// with the key, as an operator would read them), the processes' logs, the ERP's store or the
// metrics, and the ERP documents show the masked form.
func TestCardNumberFoundNowhere(t *testing.T) {
	setDelivery(t, map[string]any{"paused": true})
	cus, err := sc.Customers.New(&stripe.CustomerParams{
		Email: stripe.String(fmt.Sprintf("pan-%s@example.com", uniqueSuffix())), Name: stripe.String("Phone Order"),
		Address: &stripe.AddressParams{Line1: stripe.String("1 Main St"), Line2: stripe.String("card 5555-5555-5555-4444"),
			City: stripe.String("Springfield"), State: stripe.String("IL"), PostalCode: stripe.String("62701"), Country: stripe.String("US")},
	})
	if err != nil {
		t.Fatal(err)
	}
	pi, err := sc.PaymentIntents.New(&stripe.PaymentIntentParams{
		Amount: stripe.Int64(2599), Currency: stripe.String("usd"), Customer: stripe.String(cus.ID),
		PaymentMethod: stripe.String("pm_card_visa"), Confirm: stripe.Bool(true),
		Description: stripe.String("phone order, card 4242 4242 4242 4242 exp 12/29 cvc 123"),
	})
	if err != nil {
		t.Fatal(err)
	}
	chID := pi.LatestCharge.ID
	if _, err := sc.Charges.Update(chID, &stripe.ChargeParams{Metadata: map[string]string{"agent_note": "cc 4242-4242-4242-4242"}}); err != nil {
		t.Fatal(err)
	}
	setDelivery(t, map[string]any{"paused": false})
	if res := waitResult(t, chID, time.Minute); res.Status != workflows.StatusPosted {
		t.Fatalf("run %+v", res)
	}
	var cres workflows.CustomerResult
	waitDone(t, tc, workflows.CustomerID(cus.ID), &cres, time.Minute)

	// The ERP has the documents, with the card masked where the text was.
	inv := requireOne(t, "Invoices", byRef(chID))
	if memo, _ := inv["Memo"].(string); !strings.Contains(memo, "****4242") {
		t.Errorf("invoice memo %q does not show the masked card", memo)
	}
	if c := requireOne(t, "Customers", byRef(cus.ID)); !strings.Contains(fmt.Sprint(c["BillingAddress2"]), "****4444") {
		t.Errorf("customer address %v does not show the masked card", c["BillingAddress2"])
	}

	check := func(where, text string) {
		if m := panPattern.FindString(text); m != "" {
			t.Errorf("%s holds %q", where, m)
		}
	}
	for _, id := range []string{workflows.OrderToCashID(chID), workflows.CustomerID(cus.ID)} {
		text := decodedHistoryText(t, id)
		if !strings.Contains(text, chID) && !strings.Contains(text, cus.ID) {
			t.Fatalf("decoded history of %s looks empty", id)
		}
		check("history of "+id, text)
	}
	logs, _ := filepath.Glob(filepath.Join(stack.Opts.DataDir, "logs", "*.log"))
	for _, f := range logs {
		b, _ := os.ReadFile(f)
		check(filepath.Base(f), string(b))
	}
	stores, _ := filepath.Glob(filepath.Join(stack.Opts.DataDir, "sage-sandbox.db*"))
	if len(stores) == 0 {
		t.Fatal("no Sage sandbox store found")
	}
	for _, f := range stores {
		b, _ := os.ReadFile(f)
		check("ERP store "+filepath.Base(f), string(b))
	}
	resp, err := http.Get(stack.GatewayInternalURL() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	m, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	check("metrics", string(m))
}

// With LEDGERBRIDGE_CODEC_KEYS set, what Temporal stores holds no personal data in clear text;
// an operator with the key reads it through the gateway's codec server, the endpoint Temporal
// Web UI is pointed at, which answers the Web UI's origin only.
func TestHistoryEncryptedAndDecodableThroughCodecServer(t *testing.T) {
	p := pay(t, 3100, "usd", nil)
	waitResult(t, p.ChargeID, time.Minute)
	id := workflows.OrderToCashID(p.ChargeID)
	if raw := rawHistoryText(t, id); strings.Contains(raw, p.Customer.Email) || strings.Contains(raw, "Ada Lovelace") {
		t.Fatalf("personal data in clear text in the stored history")
	}
	var enc []*commonpb.Payload
	for _, e := range rawHistory(t, id) {
		for _, pl := range payloadsOf(e) {
			if string(pl.GetMetadata()["encoding"]) == codec.EncodingEncrypted {
				enc = append(enc, pl)
			}
		}
	}
	if len(enc) == 0 {
		t.Fatal("no encrypted payload in the history")
	}
	body, _ := protojson.Marshal(&commonpb.Payloads{Payloads: enc})
	req, _ := http.NewRequest(http.MethodPost, stack.GatewayInternalURL()+"/codec/decode", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Namespace", stack.Namespace())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var dec commonpb.Payloads
	if resp.StatusCode != 200 || protojson.Unmarshal(out, &dec) != nil {
		t.Fatalf("codec server: %s %s", resp.Status, out)
	}
	var plain strings.Builder
	for _, pl := range dec.Payloads {
		plain.Write(pl.GetData())
	}
	if !strings.Contains(plain.String(), p.Customer.Email) {
		t.Fatalf("the codec server did not give back the plaintext")
	}
	ui := fmt.Sprintf("http://127.0.0.1:%d", stack.Opts.TemporalUIPort) // the stack's own Web UI
	for origin, want := range map[string]string{ui: ui, "https://evil.example": ""} {
		req, _ := http.NewRequest(http.MethodOptions, stack.GatewayInternalURL()+"/codec/decode", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Get("Access-Control-Allow-Origin"); got != want {
			t.Errorf("CORS for %s: %q, want %q", origin, got, want)
		}
	}
	// The codec server is not on the public listener.
	resp, err = http.Post(stack.GatewayURL()+"/codec/decode", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Fatalf("public /codec: %s", resp.Status)
	}
}

// A client that sends a signed header and then trickles its body is cut off by the real gateway
// after GATEWAY_READ_TIMEOUT (3 s in the test stack), and the gateway keeps serving.
func TestGatewayCutsOffSlowBodies(t *testing.T) {
	conn, err := net.Dial("tcp", stack.Opts.GatewayAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /webhooks/stripe HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\nStripe-Signature: t=%d,v1=%064x\r\n\r\n", time.Now().Unix(), 1)
	closed := make(chan struct{})
	go func() { _, _ = io.Copy(io.Discard, conn); close(closed) }()
	start := time.Now()
	for time.Since(start) < 30*time.Second {
		select {
		case <-closed:
			if code, _ := postSigned(t, []byte(`{}`), devstack.StripeWebhookSecret); code != 400 {
				t.Fatalf("gateway unhealthy after a slow client: %d", code)
			}
			return
		default:
		}
		_, _ = conn.Write([]byte(" "))
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("a trickling client still holds its connection after %s", time.Since(start))
}

// A signed event with no data object is a clear 400, not a crash.
func TestSignedEventWithoutDataIs400(t *testing.T) {
	for _, body := range []string{
		fmt.Sprintf(`{"id":"evt_nodata","object":"event","api_version":%q,"type":"charge.succeeded"}`, stripe.APIVersion),
		fmt.Sprintf(`{"id":"evt_nulldata","object":"event","api_version":%q,"type":"charge.succeeded","data":null}`, stripe.APIVersion),
	} {
		code, out := postSigned(t, []byte(body), devstack.StripeWebhookSecret)
		if code != 400 || !strings.Contains(fmt.Sprint(out["error"]), "data") {
			t.Errorf("%s: %d %v", body, code, out)
		}
	}
	var health map[string]any
	resp, err := http.Get(stack.GatewayURL() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	_ = json.NewDecoder(resp.Body).Decode(&health)
	resp.Body.Close()
	if health["status"] != "ok" {
		t.Fatalf("gateway after nil-data events: %v", health)
	}
}
