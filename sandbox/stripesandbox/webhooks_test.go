package stripesandbox

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v76"
)

// createEndpoint registers rc through the API and points rc at its secret.
func createEndpoint(t *testing.T, sb *sandbox, rc *receiver, events ...string) *stripe.WebhookEndpoint {
	t.Helper()
	p := &stripe.WebhookEndpointParams{URL: stripe.String(rc.URL)}
	for _, e := range events {
		p.EnabledEvents = append(p.EnabledEvents, stripe.String(e))
	}
	we, err := sb.Client.WebhookEndpoints.New(p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(we.Secret, "whsec_") || !strings.HasPrefix(we.ID, "we_") {
		t.Fatalf("bad endpoint %+v", we)
	}
	rc.setSecret(we.Secret)
	return we
}

func pay(t *testing.T, sb *sandbox, pm string) *stripe.PaymentIntent {
	t.Helper()
	pi, err := sb.Client.PaymentIntents.New(&stripe.PaymentIntentParams{Amount: stripe.Int64(2500), Currency: stripe.String("usd"),
		PaymentMethod: stripe.String(pm), Confirm: stripe.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	return pi
}

func TestWebhooksSignedAndFiltered(t *testing.T) {
	sb := startSandbox(t, "", nil)
	rc := newReceiver(t, "")
	we := createEndpoint(t, sb, rc, "charge.succeeded", "payment_intent.succeeded")
	pi := pay(t, sb, "pm_card_visa")
	is := func(typ string) func(stripe.Event) bool {
		return func(e stripe.Event) bool { return string(e.Type) == typ }
	}
	eventually(t, 5*time.Second, "charge.succeeded and payment_intent.succeeded", func() bool {
		return rc.count(is("charge.succeeded")) == 1 && rc.count(is("payment_intent.succeeded")) == 1
	})
	if f := rc.failureList(); len(f) > 0 {
		t.Fatalf("receiver rejected deliveries: %v", f)
	}
	if n := rc.count(is("payment_intent.created")); n != 0 {
		t.Fatalf("unsubscribed event delivered %d times", n)
	}
	if n := rc.count(func(e stripe.Event) bool {
		return e.Data.Object["id"] == pi.ID && e.Data.Object["status"] == "succeeded"
	}); n != 1 {
		t.Fatalf("payment_intent snapshot missing")
	}
	// Listing, fetching and deleting the endpoint; the secret is not shown again.
	got, err := sb.Client.WebhookEndpoints.Get(we.ID, nil)
	if err != nil || got.Secret != "" || got.URL != rc.URL {
		t.Fatalf("get endpoint: %v %+v", err, got)
	}
	del, err := sb.Client.WebhookEndpoints.Del(we.ID, nil)
	if err != nil || !del.Deleted {
		t.Fatalf("delete: %v %+v", err, del)
	}
	if _, err := sb.Client.WebhookEndpoints.Get(we.ID, nil); stripeErr(t, err).HTTPStatusCode != 404 {
		t.Fatalf("deleted endpoint still there")
	}
}

func TestDefaultEndpointFromConfig(t *testing.T) {
	rc := newReceiver(t, "whsec_test_default")
	sb := startSandbox(t, "", func(c *Config) { c.WebhookURL = rc.URL; c.WebhookSecret = "whsec_test_default" })
	cus, err := sb.Client.Customers.New(&stripe.CustomerParams{})
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, 5*time.Second, "customer.created", func() bool {
		return rc.count(func(e stripe.Event) bool { return e.Type == "customer.created" && e.Data.Object["id"] == cus.ID }) == 1
	})
	// Restarting does not register the endpoint twice.
	sb.stop()
	sb2 := startSandbox(t, sb.DBPath, func(c *Config) { c.WebhookURL = rc.URL; c.WebhookSecret = "whsec_test_default" })
	it := sb2.Client.WebhookEndpoints.List(&stripe.WebhookEndpointListParams{})
	n := 0
	for it.Next() {
		n++
	}
	if n != 1 {
		t.Fatalf("endpoints after restart: %d", n)
	}
}

func TestWebhookRetriedAfter500(t *testing.T) {
	sb := startSandbox(t, "", nil)
	rc := newReceiver(t, "")
	rc.status = func(n int) int {
		if n == 1 {
			return http.StatusInternalServerError
		}
		return http.StatusOK
	}
	createEndpoint(t, sb, rc, "customer.created")
	cus, err := sb.Client.Customers.New(&stripe.CustomerParams{})
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, 6*time.Second, "retried delivery", func() bool {
		return rc.count(func(e stripe.Event) bool { return e.Data.Object["id"] == cus.ID }) == 1
	})
	var out struct {
		Data []deliveryInfo `json:"data"`
	}
	evs := sb.Client.Events.List(&stripe.EventListParams{Type: stripe.String("customer.created")})
	if !evs.Next() {
		t.Fatal("no event")
	}
	sb.admin(t, "GET", "/_sandbox/deliveries?event="+evs.Event().ID, nil, &out)
	if len(out.Data) != 1 || out.Data[0].State != "succeeded" || out.Data[0].Attempts != 2 ||
		len(out.Data[0].History) != 2 || out.Data[0].History[0].StatusCode != 500 || out.Data[0].History[1].StatusCode != 200 {
		t.Fatalf("delivery record: %+v", out.Data)
	}
	if gap := out.Data[0].History[1].AtMs - out.Data[0].History[0].AtMs; gap < 900 {
		t.Fatalf("retry came after %dms, want ~1s backoff", gap)
	}
}

func TestDuplicatesKnob(t *testing.T) {
	sb := startSandbox(t, "", nil)
	rc := newReceiver(t, "")
	createEndpoint(t, sb, rc, "customer.created")
	var k DeliveryKnobs
	sb.admin(t, "POST", "/_sandbox/delivery", map[string]any{"duplicates": 2}, &k)
	if k.Duplicates != 2 {
		t.Fatalf("knobs %+v", k)
	}
	sb.admin(t, "GET", "/_sandbox/delivery", nil, &k)
	if k.Duplicates != 2 || k.Paused || k.Reorder {
		t.Fatalf("knobs %+v", k)
	}
	cus, err := sb.Client.Customers.New(&stripe.CustomerParams{})
	if err != nil {
		t.Fatal(err)
	}
	mine := func(e stripe.Event) bool { return e.Data.Object["id"] == cus.ID }
	eventually(t, 5*time.Second, "3 deliveries", func() bool { return rc.count(mine) == 3 })
	time.Sleep(300 * time.Millisecond)
	if n := rc.count(mine); n != 3 {
		t.Fatalf("delivered %d times, want 3", n)
	}
}

func TestPauseReorderRedeliver(t *testing.T) {
	sb := startSandbox(t, "", nil)
	rc := newReceiver(t, "")
	createEndpoint(t, sb, rc, "customer.created")
	sb.admin(t, "POST", "/_sandbox/delivery", map[string]any{"paused": true, "reorder": true}, nil)
	for i := 0; i < 6; i++ {
		if _, err := sb.Client.Customers.New(&stripe.CustomerParams{}); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(400 * time.Millisecond)
	if n := rc.count(func(stripe.Event) bool { return true }); n != 0 {
		t.Fatalf("paused but delivered %d", n)
	}
	sb.admin(t, "POST", "/_sandbox/delivery", map[string]any{"paused": false}, nil)
	eventually(t, 5*time.Second, "6 deliveries after unpause", func() bool {
		return rc.count(func(stripe.Event) bool { return true }) == 6
	})
	// Redeliver one event on demand.
	evs := sb.Client.Events.List(&stripe.EventListParams{Type: stripe.String("customer.created")})
	if !evs.Next() {
		t.Fatal("no event")
	}
	id := evs.Event().ID
	sb.admin(t, "POST", "/_sandbox/events/"+id+"/redeliver", nil, nil)
	eventually(t, 5*time.Second, "redelivery", func() bool {
		return rc.count(func(e stripe.Event) bool { return e.ID == id }) == 2
	})
}
