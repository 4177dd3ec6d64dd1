// Command demo is `make demo`: against a running `make run`, it uses stripe-go to create a few
// customers and card payments in the Stripe sandbox, waits for ledgerbridge to post them, and
// prints the Sage documents they became. On ERP=sagex3 it then makes PayTrace payments with the
// project's PayTrace client (a keyed sale with level-3 lines, a sale by customer profile, a void,
// a settled batch and a partial refund) and prints the Sage X3 documents and the batch's journal
// entry they became.
//
// Environment (defaults are make run's): ERP (sage500), STRIPE_API_URL, STRIPE_API_KEY, SAGE_URL,
// SAGE_API_KEY, PAYTRACE_API_URL, PAYTRACE_USERNAME, PAYTRACE_PASSWORD, PAYTRACE_INTEGRATOR_ID,
// TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE (and the TEMPORAL_TLS_* / TEMPORAL_API_KEY settings).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/stripe/stripe-go/v76"

	"github.com/ledgerbridge/ledgerbridge/internal/stripeapi"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// dialect says where each ERP keeps invoices and payments and what its fields are called.
type dialect struct {
	name, invoices, payments                             string
	number, customer, currency, total, status, paymentNo string
}

var dialects = map[string]dialect{
	"sage500": {"Sage 500", "/Sage500API/Invoices", "/Sage500API/Payments", "InvoiceNo", "CustomerID", "CurrID", "InvoiceTotal", "Status", "PaymentNo"},
	"sagex3":  {"Sage X3", "/api/v1/sales/salesInvoices", "/api/v1/financials/payments", "NUM", "BPCINV", "CUR", "AMTATI", "STA", "NUM"},
	"sagepro": {"Sage Pro", "/SageProAPI/Invoice", "/SageProAPI/Receipt", "invno", "custno", "currcode", "invamt", "PaymentStatus", "rcptno"},
}

type order struct {
	name, email, city string
	amount            int64
	currency, card    string
}

func run() error {
	stripeURL := envOr("STRIPE_API_URL", "http://127.0.0.1:12111")
	sageURL := envOr("SAGE_URL", "http://127.0.0.1:8383")
	sageKey := envOr("SAGE_API_KEY", "sage_ledgerbridge_dev")
	erpName := envOr("ERP", "sage500")
	d, ok := dialects[erpName]
	if !ok {
		return fmt.Errorf("ERP=%q: want sage500, sagex3 or sagepro (the ERP make run uses)", os.Getenv("ERP"))
	}
	sc := stripeapi.NewClient(stripeURL, envOr("STRIPE_API_KEY", "sk_test_ledgerbridge"))
	stamp := time.Now().Format("150405")
	orders := []order{
		{"Grace Hopper", "grace+" + stamp + "@example.com", "Arlington", 12999, "usd", "pm_card_visa"},
		{"Ada Lovelace", "ada+" + stamp + "@example.com", "London", 4550, "eur", "pm_card_mastercard"},
		{"Yukihiro Matsumoto", "matz+" + stamp + "@example.com", "Matsue", 8800, "jpy", "pm_card_amex"},
		{"Declined Dan", "dan+" + stamp + "@example.com", "Nowhere", 1000, "usd", "pm_card_chargeDeclined"},
	}
	var charges []string
	fmt.Printf("Creating payments in the Stripe sandbox at %s …\n", stripeURL)
	for _, o := range orders {
		cus, err := sc.Customers.New(&stripe.CustomerParams{Name: stripe.String(o.name), Email: stripe.String(o.email),
			Address: &stripe.AddressParams{City: stripe.String(o.city), Line1: stripe.String("1 Main St")}})
		if err != nil {
			return fmt.Errorf("create customer (is `make run` running?): %w", err)
		}
		pi, err := sc.PaymentIntents.New(&stripe.PaymentIntentParams{Amount: stripe.Int64(o.amount), Currency: stripe.String(o.currency),
			Customer: stripe.String(cus.ID), PaymentMethod: stripe.String(o.card), Confirm: stripe.Bool(true),
			Description: stripe.String("Demo order for " + o.name)})
		var se *stripe.Error
		if errors.As(err, &se) && se.Code == stripe.ErrorCodeCardDeclined {
			fmt.Printf("  %-20s %6d %s  declined by the card (%s): nothing to post\n", o.name, o.amount, o.currency, se.Msg)
			continue
		}
		if err != nil {
			return err
		}
		fmt.Printf("  %-20s %6d %s  %s  charge %s\n", o.name, o.amount, o.currency, pi.Status, pi.LatestCharge.ID)
		charges = append(charges, pi.LatestCharge.ID)
	}

	fmt.Printf("\nWaiting for the %s documents at %s …\n\n", d.name, sageURL)
	fmt.Printf("  %-28s %-12s %-10s %-4s %10s %-6s %-12s\n", "STRIPE CHARGE", "INVOICE", "CUSTOMER", "CUR", "TOTAL", "STATUS", "PAYMENT")
	for _, ch := range charges {
		inv, pmt, err := waitFor(sageURL, sageKey, d, ch, 60*time.Second)
		if err != nil {
			return err
		}
		fmt.Printf("  %-28s %-12v %-10v %-4v %10v %-6v %-12v\n", ch, inv[d.number], inv[d.customer], inv[d.currency],
			inv[d.total], inv[d.status], pmt[d.paymentNo])
	}
	fmt.Println("\nEach charge is one invoice with its payment applied; the ERP IDs are in the charge's metadata.")
	if erpName == "sagex3" {
		if err := payTraceDemo(context.Background(), sageURL, sageKey); err != nil {
			return err
		}
	} else {
		fmt.Printf("\nPayTrace: skipped on ERP=%s; PayTrace → Sage runs on ERP=sagex3 (make run ERP=sagex3, then make demo ERP=sagex3).\n", erpName)
	}
	fmt.Println("\nRuns are in Temporal Web UI (http://127.0.0.1:8233), searchable by ProviderObjectID and ErpDocument.")
	return nil
}

func waitFor(base, key string, d dialect, chargeID string, timeout time.Duration) (inv, pmt map[string]any, err error) {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		invs, err := list(base, key, d.invoices, chargeID)
		if err != nil {
			return nil, nil, err
		}
		pmts, err := list(base, key, d.payments, chargeID)
		if err != nil {
			return nil, nil, err
		}
		if len(invs) > 0 && len(pmts) > 0 {
			return invs[0], pmts[0], nil
		}
		time.Sleep(300 * time.Millisecond)
	}
	return nil, nil, fmt.Errorf("charge %s not posted after %s: look for the run in Temporal Web UI (it may be parked)", chargeID, timeout)
}

func list(base, key, path, ref string) ([]map[string]any, error) {
	req, _ := http.NewRequest(http.MethodGet, base+path+"?externalRef="+url.QueryEscape(ref), nil)
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("the Sage sandbox (is `make run` running?): %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", path, resp.Status)
	}
	var out struct {
		Value []map[string]any `json:"value"`
	}
	return out.Value, json.NewDecoder(resp.Body).Decode(&out)
}
