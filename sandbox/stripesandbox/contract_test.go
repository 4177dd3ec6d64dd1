package stripesandbox

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/client"
)

// The contract test runs the same stripe-go calls against stripe-mock (Stripe's
// OpenAPI-driven mock) and against the sandbox. stripe-mock is stateless, so
// only shapes are compared: both must accept the requests and decode into the
// same stripe-go types with IDs and the right "object" values.

// stripeMockBin finds the stripe-mock binary: $STRIPE_MOCK_BIN or <repo>/bin.
func stripeMockBin(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("STRIPE_MOCK_BIN"); p != "" {
		return p
	}
	dir, _ := os.Getwd()
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "bin", "stripe-mock")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startStripeMock runs stripe-mock on loopback-only ports and returns its URL.
func startStripeMock(t *testing.T) string {
	t.Helper()
	bin := stripeMockBin(t)
	if _, err := os.Stat(bin); bin == "" || err != nil {
		msg := fmt.Sprintf("stripe-mock not found (STRIPE_MOCK_BIN or %q); `make tools` installs it", bin)
		if os.Getenv("LEDGERBRIDGE_REQUIRE_TOOLS") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	httpPort, httpsPort := freePort(t), freePort(t)
	// Both addresses, or stripe-mock also opens HTTPS on all interfaces.
	cmd := exec.Command(bin, "-http-addr", fmt.Sprintf("127.0.0.1:%d", httpPort), "-https-addr", fmt.Sprintf("127.0.0.1:%d", httpsPort))
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start stripe-mock: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	addr := fmt.Sprintf("127.0.0.1:%d", httpPort)
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return "http://" + addr
		}
		if time.Now().After(deadline) {
			t.Fatalf("stripe-mock did not listen on %s: %s", addr, out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// contractResult collects what each backend returned.
type contractResult struct {
	customer, customerGot, customerUpd *stripe.Customer
	intent                             *stripe.PaymentIntent
	charge                             *stripe.Charge
	txn                                *stripe.BalanceTransaction
	txnList                            []*stripe.BalanceTransaction
	endpoint                           *stripe.WebhookEndpoint
	events                             []*stripe.Event
}

// runContract issues the calls ledgerbridge makes; any error fails the test.
func runContract(t *testing.T, name string, sc *client.API) contractResult {
	t.Helper()
	var r contractResult
	var err error
	must := func(call string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %s: %v", name, call, err)
		}
	}
	cp := &stripe.CustomerParams{Email: stripe.String("contract@example.com"), Name: stripe.String("Contract"),
		Address: &stripe.AddressParams{Line1: stripe.String("1 Main St"), Country: stripe.String("US")}}
	cp.AddMetadata("erp_id", "C1")
	cp.SetIdempotencyKey("contract-customer-" + name)
	r.customer, err = sc.Customers.New(cp)
	must("Customers.New", err)
	r.customerGot, err = sc.Customers.Get(r.customer.ID, nil)
	must("Customers.Get", err)
	up := &stripe.CustomerParams{}
	up.AddMetadata("tier", "gold")
	r.customerUpd, err = sc.Customers.Update(r.customer.ID, up)
	must("Customers.Update", err)

	r.intent, err = sc.PaymentIntents.New(&stripe.PaymentIntentParams{Amount: stripe.Int64(2000), Currency: stripe.String("usd"),
		Customer: stripe.String(r.customer.ID), PaymentMethod: stripe.String("pm_card_visa"), Confirm: stripe.Bool(true),
		PaymentMethodTypes: []*string{stripe.String("card")}, Description: stripe.String("contract")})
	must("PaymentIntents.New", err)
	chargeID := "ch_contract" // stripe-mock's intent fixture has no latest_charge
	if r.intent.LatestCharge != nil && r.intent.LatestCharge.ID != "" {
		chargeID = r.intent.LatestCharge.ID
	}
	r.charge, err = sc.Charges.Get(chargeID, nil)
	must("Charges.Get", err)
	if r.charge.BalanceTransaction == nil {
		t.Fatalf("%s: charge has no balance_transaction", name)
	}
	r.txn, err = sc.BalanceTransactions.Get(r.charge.BalanceTransaction.ID, nil)
	must("BalanceTransactions.Get", err)
	lp := &stripe.BalanceTransactionListParams{Source: stripe.String(chargeID)}
	lp.Limit = stripe.Int64(3)
	it := sc.BalanceTransactions.List(lp)
	for it.Next() {
		r.txnList = append(r.txnList, it.BalanceTransaction())
	}
	must("BalanceTransactions.List", it.Err())

	r.endpoint, err = sc.WebhookEndpoints.New(&stripe.WebhookEndpointParams{URL: stripe.String("https://example.com/webhooks/stripe"),
		EnabledEvents: []*string{stripe.String("charge.succeeded"), stripe.String("payment_intent.succeeded")}})
	must("WebhookEndpoints.New", err)
	el := &stripe.EventListParams{Type: stripe.String("charge.succeeded")}
	el.Limit = stripe.Int64(5)
	eit := sc.Events.List(el)
	for eit.Next() {
		r.events = append(r.events, eit.Event())
	}
	must("Events.List", eit.Err())
	return r
}

// checkShape asserts the parts of the contract both backends must honour.
func checkShape(t *testing.T, name string, r contractResult) {
	t.Helper()
	check := func(what, id, prefix, object, wantObject string) {
		t.Helper()
		if !strings.HasPrefix(id, prefix) || object != wantObject {
			t.Errorf("%s: %s id=%q object=%q, want %s… %q", name, what, id, prefix, object, wantObject)
		}
	}
	for _, c := range []*stripe.Customer{r.customer, r.customerGot, r.customerUpd} {
		check("customer", c.ID, "cus_", c.Object, "customer")
	}
	check("payment_intent", r.intent.ID, "pi_", r.intent.Object, "payment_intent")
	check("charge", r.charge.ID, "ch_", r.charge.Object, "charge")
	check("balance_transaction", r.txn.ID, "txn_", r.txn.Object, "balance_transaction")
	if len(r.txnList) == 0 {
		t.Errorf("%s: empty balance transaction list", name)
	}
	for _, bt := range r.txnList {
		check("listed balance_transaction", bt.ID, "txn_", bt.Object, "balance_transaction")
		if bt.Net != bt.Amount-bt.Fee {
			t.Errorf("%s: net %d != amount %d - fee %d", name, bt.Net, bt.Amount, bt.Fee)
		}
	}
	check("webhook_endpoint", r.endpoint.ID, "we_", r.endpoint.Object, "webhook_endpoint")
	for _, e := range r.events {
		check("event", e.ID, "evt_", e.Object, "event")
		if e.Data == nil || e.Data.Object == nil {
			t.Errorf("%s: event %s without data.object", name, e.ID)
		}
	}
}

func TestContractAgainstStripeMockAndSandbox(t *testing.T) {
	mockURL := startStripeMock(t)
	mock := runContract(t, "stripe-mock", newClient(mockURL, "sk_test_123"))
	checkShape(t, "stripe-mock", mock)
	if len(mock.events) == 0 {
		t.Errorf("stripe-mock: no events listed")
	}

	sb := startSandbox(t, "", nil)
	got := runContract(t, "sandbox", sb.Client)
	checkShape(t, "sandbox", got)
	// The sandbox is stateful: values must round-trip, unlike stripe-mock.
	if got.customerGot.Email != "contract@example.com" || got.customerUpd.Metadata["erp_id"] != "C1" ||
		got.customerUpd.Metadata["tier"] != "gold" || got.intent.Status != stripe.PaymentIntentStatusSucceeded ||
		got.charge.PaymentIntent.ID != got.intent.ID || got.txn.Source.ID != got.charge.ID || len(got.txnList) != 1 ||
		len(got.events) != 1 || got.events[0].Data.Object["id"] != got.charge.ID ||
		!strings.HasPrefix(got.endpoint.Secret, "whsec_") { // stripe-mock's fixture has no secret
		t.Errorf("sandbox values do not round-trip: %+v", got)
	}
}
