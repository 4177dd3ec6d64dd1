package stripesandbox

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/stripe/stripe-go/v76"
)

func TestParseForm(t *testing.T) {
	v, _ := url.ParseQuery("metadata[a]=1&metadata[b]=&address[line1]=x&expand[]=customer&expand[]=data.x&payment_method_types[0]=card&payment_method_types[1]=link&amount=5")
	p, aerr := parseForm(v)
	if aerr != nil {
		t.Fatal(aerr)
	}
	if ex, _, _ := p.list("expand"); !reflect.DeepEqual(ex, []string{"customer", "data.x"}) {
		t.Fatalf("expand %v", ex)
	}
	if pmt, _, _ := p.list("payment_method_types"); !reflect.DeepEqual(pmt, []string{"card", "link"}) {
		t.Fatalf("indexed list %v", pmt)
	}
	md, sent, aerr := applyMetadata(p, map[string]string{"b": "old", "c": "keep"})
	if aerr != nil || !sent || !reflect.DeepEqual(md, map[string]string{"a": "1", "c": "keep"}) {
		t.Fatalf("metadata %v %v", md, aerr)
	}
	if n, _, _ := p.integer("amount"); n != 5 {
		t.Fatal("amount")
	}
	if aerr := p.allow("", "metadata", "address", "expand", "payment_method_types"); aerr == nil || aerr.Param != "amount" {
		t.Fatalf("allow: %v", aerr)
	}
	for _, bad := range []string{"a=1&a[b]=2", "a[b=1", "[x]=1", "a[]=1&a[x]=2"} {
		v, _ := url.ParseQuery(bad)
		if _, aerr := parseForm(v); aerr == nil || aerr.Status != 400 {
			t.Errorf("%q accepted", bad)
		}
	}
	// "metadata=" clears everything.
	p, _ = parseForm(url.Values{"metadata": {""}})
	if md, _, _ := applyMetadata(p, map[string]string{"x": "y"}); len(md) != 0 {
		t.Fatalf("clear: %v", md)
	}
}

// rawPost sends a hand-written form request, checking Stripe's envelope.
func rawPost(t *testing.T, base, path, body string, hdr map[string]string) (int, map[string]any, http.Header) {
	t.Helper()
	req, _ := http.NewRequest("POST", base+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(testKey, "") // curl -u sk_test_…: style
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("non-JSON answer %q", b)
	}
	if !strings.HasPrefix(resp.Header.Get("Request-Id"), "req_") {
		t.Fatalf("missing Request-Id")
	}
	return resp.StatusCode, m, resp.Header
}

func TestRawWireFormat(t *testing.T) {
	sb := startSandbox(t, "", nil)
	st, cus, _ := rawPost(t, sb.HTTP.URL, "/v1/customers", "email=w%40example.com&address[line1]=1+Main&metadata[k]=v", nil)
	if st != 200 || cus["object"] != "customer" || cus["address"].(map[string]any)["line1"] != "1 Main" {
		t.Fatalf("%d %v", st, cus)
	}
	st, pi, _ := rawPost(t, sb.HTTP.URL, "/v1/payment_intents",
		"amount=1000&currency=usd&customer="+cus["id"].(string)+"&payment_method=pm_card_visa&confirm=true&payment_method_types[]=card&expand[]=customer&expand[]=latest_charge", nil)
	if st != 200 || pi["customer"].(map[string]any)["email"] != "w@example.com" || pi["latest_charge"].(map[string]any)["object"] != "charge" {
		t.Fatalf("%d %v", st, pi)
	}
	ch := pi["latest_charge"].(map[string]any)
	if _, expanded := ch["balance_transaction"].(string); !expanded {
		t.Fatalf("nested field should stay an ID without expand: %v", ch["balance_transaction"])
	}
	// JSON bodies are rejected like Stripe does.
	st, e, _ := rawPost(t, sb.HTTP.URL, "/v1/customers", `{"email":"x"}`, map[string]string{"Content-Type": "application/json"})
	if st != 400 || e["error"].(map[string]any)["type"] != "invalid_request_error" {
		t.Fatalf("json body: %d %v", st, e)
	}
	st, e, _ = rawPost(t, sb.HTTP.URL, "/v1/nothing", "", nil)
	if st != 404 || e["error"] == nil {
		t.Fatalf("unknown URL: %d %v", st, e)
	}
}

func TestConcurrentRequests(t *testing.T) {
	sb := startSandbox(t, "", nil)
	var wg sync.WaitGroup
	ids := make([]string, 16)
	errs := make([]error, 16)
	for i := range ids {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			p := &stripe.PaymentIntentParams{Amount: stripe.Int64(1000), Currency: stripe.String("usd"),
				PaymentMethod: stripe.String("pm_card_visa"), Confirm: stripe.Bool(true)}
			p.SetIdempotencyKey([]string{"same-a", "same-b"}[i%2]) // two keys shared by 8 requests each
			pi, err := sb.Client.PaymentIntents.New(p)
			if err == nil {
				ids[i] = pi.ID
			}
			errs[i] = err
		}(i)
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		if ids[i] != ids[i%2] {
			t.Fatalf("idempotency broken under concurrency: %s vs %s", ids[i], ids[i%2])
		}
	}
	it := sb.Client.Charges.List(&stripe.ChargeListParams{})
	n := 0
	for it.Next() {
		n++
	}
	if n != 2 {
		t.Fatalf("%d charges, want 2", n)
	}
}
