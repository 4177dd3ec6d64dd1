package tests

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stripe/stripe-go/v76"

	"github.com/ledgerbridge/ledgerbridge/internal/devstack"
)

type previewDoc struct {
	Customer struct {
		Name, Email string
	} `json:"customer"`
	Invoice struct {
		Total decimal.Decimal `json:"total"`
		Lines []struct {
			ItemID string          `json:"itemId"`
			Amount decimal.Decimal `json:"amount"`
		} `json:"lines"`
	} `json:"invoice"`
	Payment struct {
		Method string `json:"method"`
	} `json:"payment"`
	Problems []string `json:"problems"`
	// Wire is what the connector would send, in the dialect's field names.
	Wire struct {
		Invoice map[string]any `json:"invoice"`
		Payment map[string]any `json:"payment"`
	} `json:"wire"`
}

// Preview shows the documents a charge would become, from the gateway's admin endpoint and from
// the worker's CLI, and posts nothing.
func TestPreviewShowsDocumentsWithoutPosting(t *testing.T) {
	// Webhooks stay queued while we preview, so nothing reaches the workflows meanwhile.
	setDelivery(t, map[string]any{"paused": true})
	t.Cleanup(func() { setDelivery(t, map[string]any{"paused": false}) })
	cus, err := sc.Customers.New(&stripe.CustomerParams{Email: stripe.String("preview-" + t.Name() + "@example.com"), Name: stripe.String("Preview Person")})
	if err != nil {
		t.Fatal(err)
	}
	pi, err := sc.PaymentIntents.New(&stripe.PaymentIntentParams{Amount: stripe.Int64(2345), Currency: stripe.String("usd"),
		Customer: stripe.String(cus.ID), PaymentMethod: stripe.String("pm_card_visa"), Confirm: stripe.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	p := payment{Customer: cus, Intent: pi, ChargeID: pi.LatestCharge.ID}
	mp := &stripe.ChargeParams{}
	mp.AddMetadata("sage_item_id", "WIDGET")
	if _, err := sc.Charges.Update(p.ChargeID, mp); err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(eventFor(t, "charge.succeeded", p.ChargeID))
	// Preview by ID re-fetches the charge (with its metadata); the event is the one Stripe sent.
	req, _ := http.NewRequest(http.MethodGet, stack.GatewayInternalURL()+"/admin/preview?id="+p.ChargeID, nil)
	req.Header.Set("Authorization", "Bearer "+devstack.AdminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var pv previewDoc
	if err := json.NewDecoder(resp.Body).Decode(&pv); err != nil || resp.StatusCode != 200 {
		t.Fatalf("%s: %v", resp.Status, err)
	}
	if !pv.Invoice.Total.Equal(decimal.RequireFromString("23.45")) || len(pv.Invoice.Lines) != 1 || pv.Invoice.Lines[0].ItemID != "WIDGET" ||
		!strings.Contains(strings.ToLower(pv.Payment.Method), "visa") || pv.Customer.Email != p.Customer.Email || len(pv.Problems) != 0 {
		t.Fatalf("preview %+v", pv)
	}
	// Beside the plan, the exact Sage 500 request bodies.
	if lines, _ := pv.Wire.Invoice["Lines"].([]any); len(lines) != 1 || fmtAny(pv.Wire.Invoice["InvoiceTotal"]) != "23.45" ||
		lines[0].(map[string]any)["ItemID"] != "WIDGET" || pv.Wire.Payment["ExternalRef"] != p.ChargeID || fmtAny(pv.Wire.Payment["Amount"]) != "23.45" {
		t.Fatalf("preview wire bodies %+v", pv.Wire)
	}
	// The event JSON works too, and unauthenticated calls are refused.
	req, _ = http.NewRequest(http.MethodPost, stack.GatewayInternalURL()+"/admin/preview", bytes.NewReader(raw))
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("unauthenticated preview: %v %v", resp.Status, err)
	}
	req, _ = http.NewRequest(http.MethodPost, stack.GatewayInternalURL()+"/admin/preview", bytes.NewReader(raw))
	req.Header.Set("Authorization", "Bearer "+devstack.AdminToken)
	resp2, err := http.DefaultClient.Do(req)
	if err != nil || resp2.StatusCode != 200 {
		t.Fatalf("preview of an event: %v %v", resp2.Status, err)
	}
	resp2.Body.Close()

	// The CLI: worker preview --id.
	cmd := exec.Command(filepath.Join(binDir(), "worker"), "preview", "--id", p.ChargeID)
	cmd.Env = append(os.Environ(), "STRIPE_API_URL="+stack.StripeURL(), "STRIPE_API_KEY="+devstack.StripeKey)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("worker preview: %v: %s", err, out)
	}
	var cli previewDoc
	if err := json.Unmarshal(out, &cli); err != nil || !cli.Invoice.Total.Equal(pv.Invoice.Total) || cli.Wire.Invoice == nil {
		t.Fatalf("CLI preview %s (%v)", out, err)
	}
	if !strings.Contains(string(out), `"erp": "sage500"`) {
		t.Fatalf("CLI preview names no ERP: %s", out)
	}
	if n := len(sageList(t, "Invoices", byRef(p.ChargeID))) + len(sageList(t, "Customers", byRef(cus.ID))); n != 0 {
		t.Fatalf("preview posted %d documents", n)
	}
}

func fmtAny(v any) string { return fmt.Sprint(v) }
