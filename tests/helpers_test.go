package tests

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/webhook"
	tclient "go.temporal.io/sdk/client"

	"github.com/ledgerbridge/ledgerbridge/internal/devstack"
	"github.com/ledgerbridge/ledgerbridge/workflows"
)

// payment is one payment made in the Stripe sandbox by a test.
type payment struct {
	Customer *stripe.Customer
	Intent   *stripe.PaymentIntent
	ChargeID string
}

// pay creates a customer and a confirmed card payment, like a shop's checkout would. extra
// metadata goes on the charge itself (with webhook delivery paused, so the workflow sees it).
func pay(t *testing.T, amount int64, currency string, chargeMeta map[string]string) payment {
	t.Helper()
	email := fmt.Sprintf("%s-%s@example.com", strings.ToLower(strings.ReplaceAll(t.Name(), "/", "-")), uniqueSuffix())
	if chargeMeta != nil {
		setDelivery(t, map[string]any{"paused": true})
		defer setDelivery(t, map[string]any{"paused": false})
	}
	cus, err := sc.Customers.New(&stripe.CustomerParams{
		Email: stripe.String(email), Name: stripe.String("Ada Lovelace"), Phone: stripe.String("+1 555 0100"),
		Address: &stripe.AddressParams{Line1: stripe.String("1 Analytical Way"), City: stripe.String("Springfield"),
			State: stripe.String("IL"), PostalCode: stripe.String("62701"), Country: stripe.String("US")},
	})
	if err != nil {
		t.Fatalf("create customer: %v", err)
	}
	pi, err := sc.PaymentIntents.New(&stripe.PaymentIntentParams{
		Amount: stripe.Int64(amount), Currency: stripe.String(currency), Customer: stripe.String(cus.ID),
		PaymentMethod: stripe.String("pm_card_visa"), Confirm: stripe.Bool(true), Description: stripe.String("Order " + t.Name()),
	})
	if err != nil {
		t.Fatalf("confirm payment intent: %v", err)
	}
	if pi.LatestCharge == nil {
		t.Fatalf("payment intent %s has no charge (status %s)", pi.ID, pi.Status)
	}
	if chargeMeta != nil {
		p := &stripe.ChargeParams{}
		for k, v := range chargeMeta {
			p.AddMetadata(k, v)
		}
		if _, err := sc.Charges.Update(pi.LatestCharge.ID, p); err != nil {
			t.Fatalf("set charge metadata: %v", err)
		}
	}
	return payment{Customer: cus, Intent: pi, ChargeID: pi.LatestCharge.ID}
}

// setDelivery sets the Stripe sandbox's webhook delivery knobs.
func setDelivery(t *testing.T, knobs map[string]any) {
	t.Helper()
	doJSON(t, http.MethodPost, stack.StripeURL()+"/_sandbox/delivery", devstack.StripeKey, knobs, nil)
}

// setFaults sets (or with nil clears) the Sage sandbox's fault injection.
func setFaults(t *testing.T, faults map[string]any) {
	t.Helper()
	if faults == nil {
		doJSON(t, http.MethodDelete, stack.SageURL()+"/_admin/faults", devstack.SageKey, nil, nil)
		return
	}
	doJSON(t, http.MethodPut, stack.SageURL()+"/_admin/faults", devstack.SageKey, faults, nil)
}

// sageStats is the Sage sandbox's response and fault counters.
type sageStats struct {
	Responses map[string]int `json:"responses"`
	Faults    map[string]int `json:"faults"`
}

func getSageStats(t *testing.T) sageStats {
	var s sageStats
	doJSON(t, http.MethodGet, stack.SageURL()+"/_admin/stats", devstack.SageKey, nil, &s)
	return s
}

func doJSON(t *testing.T, method, u, key string, in, out any) int {
	t.Helper()
	var body io.Reader
	if in != nil {
		b, _ := json.Marshal(in)
		body = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, u, body)
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		t.Fatalf("%s %s: %s: %s", method, u, resp.Status, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("decode %s: %v: %s", u, err, b)
		}
	}
	return resp.StatusCode
}

// sageList returns the Sage 500 documents of a kind ("Invoices", "Payments", "Customers") that
// match the query, as a controller would list them.
func sageList(t *testing.T, kind string, query url.Values) []map[string]any {
	t.Helper()
	var res struct {
		Value []map[string]any `json:"value"`
	}
	doJSON(t, http.MethodGet, stack.SageURL()+"/Sage500API/"+kind+"?"+query.Encode(), devstack.SageKey, nil, &res)
	return res.Value
}

func byRef(ref string) url.Values { return url.Values{"externalRef": {ref}} }

// waitDone waits for workflow id (started asynchronously by a webhook, so possibly not yet
// existing) to complete on c, and decodes its result into out. A failed run fails the test at once.
func waitDone(t *testing.T, c tclient.Client, id string, out any, timeout time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for {
		err := c.GetWorkflow(ctx, id, "").Get(ctx, out)
		if err == nil {
			return
		}
		if ctx.Err() != nil {
			// Where it is: the run's own status query (step, problem), when it answers.
			status := "no status"
			if v, qerr := c.QueryWorkflow(context.Background(), id, "", workflows.QueryStatus); qerr == nil {
				var st map[string]any
				if v.Get(&st) == nil {
					status = fmt.Sprintf("status %v", st)
				}
			}
			t.Fatalf("%s did not complete in %s: %v (%s)", id, timeout, err, status)
		}
		if !strings.Contains(err.Error(), "not found") {
			t.Fatalf("%s: %v", id, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// waitResult waits for the charge's order-to-cash run to complete and returns its result.
func waitResult(t *testing.T, chargeID string, timeout time.Duration) workflows.OrderToCashResult {
	t.Helper()
	var res workflows.OrderToCashResult
	waitDone(t, tc, workflows.OrderToCashID(chargeID), &res, timeout)
	return res
}

// queryStatus asks a run for its status, waiting for the run to exist.
func queryStatus(t *testing.T, chargeID string) workflows.OrderToCashStatus {
	t.Helper()
	var st workflows.OrderToCashStatus
	var lastErr error
	for i := 0; i < 100; i++ {
		v, err := tc.QueryWorkflow(context.Background(), workflows.OrderToCashID(chargeID), "", workflows.QueryStatus)
		if err == nil {
			if err := v.Get(&st); err != nil {
				t.Fatal(err)
			}
			return st
		}
		lastErr = err
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("query %s: %v", chargeID, lastErr)
	return st
}

// waitStatus polls the status query until it reports want.
func waitStatus(t *testing.T, chargeID, want string, timeout time.Duration) workflows.OrderToCashStatus {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		st := queryStatus(t, chargeID)
		if st.Status == want {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("run for %s is %s at %s (problem %q), want %s", chargeID, st.Status, st.Step, st.Problem, want)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// eventFor finds the Stripe sandbox's event of type typ about object id.
func eventFor(t *testing.T, typ, objectID string) *stripe.Event {
	t.Helper()
	it := sc.Events.List(&stripe.EventListParams{Type: stripe.String(typ)})
	for it.Next() {
		e := it.Event()
		if id, _ := e.Data.Object["id"].(string); id == objectID {
			return e
		}
	}
	if err := it.Err(); err != nil {
		t.Fatal(err)
	}
	t.Fatalf("no %s event for %s", typ, objectID)
	return nil
}

// postSigned delivers an event to the gateway the way Stripe does, signed with secret.
func postSigned(t *testing.T, payload []byte, secret string) (int, map[string]any) {
	t.Helper()
	return postSignedURL(t, stack.GatewayURL(), payload, secret)
}

// postSignedURL delivers a signed event to the gateway at gatewayURL.
func postSignedURL(t *testing.T, gatewayURL string, payload []byte, secret string) (int, map[string]any) {
	t.Helper()
	signed := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: secret})
	return postWebhookURL(t, gatewayURL, payload, signed.Header)
}

func postWebhook(t *testing.T, payload []byte, signature string) (int, map[string]any) {
	t.Helper()
	return postWebhookURL(t, stack.GatewayURL(), payload, signature)
}

func postWebhookURL(t *testing.T, gatewayURL string, payload []byte, signature string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, gatewayURL+"/webhooks/stripe", bytes.NewReader(payload))
	req.Header.Set("Content-Type", "application/json")
	if signature != "" {
		req.Header.Set("Stripe-Signature", signature)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// uniqueSuffix makes test emails unique. It is a short base-36 string: a run of 13–19 digits
// (a nanosecond timestamp) can pass the Luhn check and would, rightly, be masked as a card number.
func uniqueSuffix() string {
	return strconv.FormatInt(time.Now().UnixNano(), 36)
}

func jsonEncode(w io.Writer, v any) error { return json.NewEncoder(w).Encode(v) }

func jsonDecode(r io.Reader, v any) error { return json.NewDecoder(r).Decode(v) }
