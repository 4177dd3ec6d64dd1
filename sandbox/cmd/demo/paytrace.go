package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"go.temporal.io/sdk/client"

	"github.com/ledgerbridge/ledgerbridge/activities"
	"github.com/ledgerbridge/ledgerbridge/internal/devstack"
	"github.com/ledgerbridge/ledgerbridge/internal/erp"
	"github.com/ledgerbridge/ledgerbridge/internal/erp/connectors"
	"github.com/ledgerbridge/ledgerbridge/internal/paytrace"
	"github.com/ledgerbridge/ledgerbridge/internal/tclient"
	"github.com/ledgerbridge/ledgerbridge/workflows"
)

// testPAN is the PayTrace sandbox's approving Visa test card. It goes to PayTrace only: the demo
// prints the masked number PayTrace answers with.
const testPAN = "4111111111111111"

// payTraceWait bounds the wait for the Sage X3 documents; the notification extension usually
// gets them there in seconds, the triggered poll otherwise.
const payTraceWait = 90 * time.Second

// pollNudge is how often the demo triggers the paytrace-poll schedule while it waits.
const pollNudge = 10 * time.Second

var testCard = paytrace.CreditCard{Number: testPAN, ExpirationMonth: 12, ExpirationYear: 2030}

// ptTxn is one PayTrace transaction the demo made and what it expects in Sage X3.
type ptTxn struct {
	id     int64
	kind   string // "keyed sale", "sale by customer", "voided sale", "refund"
	amount decimal.Decimal
	// refunded is the sale a refund is against.
	refunded int64

	so, inv, memo *erp.Document
	pay           *erp.Payment
	cash          *erp.JournalEntry
}

func (t *ptTxn) ref() string { return activities.PayTraceRef(t.id) }

// posted reports whether Sage X3 holds what the transaction becomes: a sale's order, invoice and
// payment; a voided sale's voided payment; a refund's credit memo and cash entry.
func (t *ptTxn) posted(ctx context.Context, conn erp.Connector) (bool, error) {
	var err error
	switch t.kind {
	case "refund":
		if t.memo, err = conn.FindDocument(ctx, erp.KindCreditMemo, t.ref()); err != nil || t.memo == nil {
			return false, err
		}
		t.cash, err = conn.FindJournalEntry(ctx, t.ref())
		return t.cash != nil, err
	default:
		if t.pay, err = conn.FindPayment(ctx, t.ref()); err != nil || t.pay == nil {
			return false, err
		}
		if t.so, err = conn.FindDocument(ctx, erp.KindSalesOrder, t.ref()); err != nil || t.so == nil {
			return false, err
		}
		if t.inv, err = conn.FindDocument(ctx, erp.KindInvoice, t.ref()); err != nil || t.inv == nil {
			return false, err
		}
		// A voided sale is done once the void has reached all three.
		return t.kind != "voided sale" || (erp.Dead(t.pay.Status) && erp.Dead(t.so.Status) && erp.Dead(t.inv.Status)), nil
	}
}

// payTraceDemo makes PayTrace sales in the PayTrace sandbox (keyed with level-3 lines, by
// customer profile, one voided, one partly refunded after the batch settles) and prints the Sage
// X3 documents and the settlement entry they became.
func payTraceDemo(ctx context.Context, sageURL, sageKey string) error {
	ptURL := envOr("PAYTRACE_API_URL", "http://127.0.0.1:8282")
	user, pass := envOr("PAYTRACE_USERNAME", devstack.PayTraceUser), envOr("PAYTRACE_PASSWORD", devstack.PayTracePassword)
	pt := paytrace.New(paytrace.Config{BaseURL: ptURL, Username: user, Password: pass,
		IntegratorID: envOr("PAYTRACE_INTEGRATOR_ID", devstack.PayTraceIntegratorID)})
	conn, err := connectors.New("sagex3", sageURL, sageKey, &http.Client{Timeout: 10 * time.Second}, connectors.Options{})
	if err != nil {
		return err
	}
	stamp := time.Now().Format("150405")
	fmt.Printf("\nMaking payments in the PayTrace sandbox at %s …\n", ptURL)

	// A web shop's checkout: a keyed sale with level-3 lines on items of the X3 item master.
	sale, err := keyedSale(ctx, pt, "WEB-"+stamp+"-1", "mary+"+stamp+"@example.com",
		paytrace.Address{Name: "Mary Jackson", StreetAddress: "4 Langley Way", City: "Hampton", State: "VA", Zip: "23666", Country: "US"},
		line("WIDGET", "Widget", 2, "19.99"), line("GADGET", "Gadget", 1, "49.50"))
	if err != nil {
		return err
	}

	// A returning customer: a PayTrace customer profile holds the card, the sale names the profile.
	profile := "demo-" + time.Now().Format("20060102-150405")
	cr, err := pt.CreateCustomer(ctx, paytrace.NewCustomer{CustomerID: profile, CreditCard: &testCard, Email: "katherine+" + stamp + "@example.com",
		BillingAddress: &paytrace.Address{Name: "Katherine Johnson", StreetAddress: "1 Mercury Rd", City: "White Sulphur Springs", State: "WV",
			Zip: "24986", Country: "US"}})
	if err != nil {
		return fmt.Errorf("create PayTrace customer profile: %w", err)
	}
	fmt.Printf("  %-16s %s (card %s) created (customer/create)\n", "customer profile", cr.CustomerID, cr.MaskedCardNumber)
	byCustomer, err := customerSale(ctx, pt, profile, "WEB-"+stamp+"-2", line("WIDGET", "Widget", 3, "19.99"))
	if err != nil {
		return err
	}

	// A sale cancelled the same day: posted, then voided before settlement.
	voided, err := keyedSale(ctx, pt, "WEB-"+stamp+"-3", "dorothy+"+stamp+"@example.com",
		paytrace.Address{Name: "Dorothy Vaughan", StreetAddress: "9 West Computing Ave", City: "Kansas City", State: "MO", Zip: "64101", Country: "US"},
		line("GADGET", "Gadget", 1, "49.50"))
	if err != nil {
		return err
	}
	voided.kind = "voided sale"

	tc := dialTemporal(ctx)
	if tc != nil {
		defer tc.Close()
	}
	nudge := poller(ctx, tc)
	nudge(true)
	// The void waits for the sale to be posted, so that the demo shows what a void undoes.
	if err := waitPosted(ctx, conn, nudge, &ptTxn{id: voided.id, kind: "keyed sale"}); err != nil {
		return err
	}
	if _, err := pt.Void(ctx, voided.id); err != nil {
		return fmt.Errorf("void %d: %w", voided.id, err)
	}
	fmt.Printf("  %-16s %-10d %7s  posted in Sage X3, then voided before settlement (transactions/void)\n", "void", voided.id, voided.amount.StringFixed(2))

	// The nightly close, then a partial refund (PayTrace refunds settled sales only).
	number, err := settle(ctx, ptURL, user, pass)
	if err != nil {
		return err
	}
	batch, err := pt.Batch(ctx, number)
	if err != nil {
		return fmt.Errorf("batch %s: %w", number, err)
	}
	fmt.Printf("  %-16s %-10s %7s  %s, %s, fees %s, net deposit %s (the nightly close: POST /_sandbox/settle)\n", "settled batch",
		batch.Number, batch.SalesAmount.StringFixed(2), plural(batch.SalesCount, "sale"), plural(batch.RefundCount, "refund"), batch.FeeAmount.StringFixed(2), batch.NetAmount.StringFixed(2))
	rr, err := pt.RefundTransaction(ctx, sale.id, decimal.RequireFromString("10.00"))
	if err != nil {
		return fmt.Errorf("refund %d: %w", sale.id, err)
	}
	refund := &ptTxn{id: rr.TransactionID, kind: "refund", amount: decimal.RequireFromString("10.00"), refunded: sale.id}
	fmt.Printf("  %-16s %-10d %7s  of sale %d, after settlement (refund/for_transaction)\n", "partial refund", refund.id, refund.amount.StringFixed(2), sale.id)

	fmt.Printf("\nWaiting for the Sage X3 documents at %s (the paytrace-poll schedule, triggered now, and the\nsandbox's notifications start the runs) …\n\n", sageURL)
	txns := []*ptTxn{sale, byCustomer, voided, refund}
	nudge(true)
	if err := waitPosted(ctx, conn, nudge, txns...); err != nil {
		return err
	}
	var je *erp.JournalEntry
	if err := waitUntil(ctx, nudge, "batch "+number+"'s journal entry ("+workflows.PayTraceBatchID(mustInt(number))+")", func() (bool, error) {
		var err error
		je, err = conn.FindJournalEntry(ctx, activities.PayTraceBatchRef(number))
		return je != nil, err
	}); err != nil {
		return err
	}
	printPayTraceTable(txns)
	fmt.Printf("\n  Settlement batch %s (%d transactions) → journal entry %s, %s %s:\n", number, batch.TransactionCount, je.Number, je.Date, je.Currency)
	fmt.Printf("    %-8s %10s %10s  %s\n", "ACCOUNT", "DEBIT", "CREDIT", "DESCRIPTION")
	for _, l := range je.Lines {
		fmt.Printf("    %-8s %10s %10s  %s\n", l.Account, blankZero(l.Debit), blankZero(l.Credit), l.Description)
	}
	fmt.Println("\nEach sale is one BPC, sales order (SOH) with its level-3 lines, invoice (SIH) and payment (PAY: PAYTYP")
	fmt.Println("mapped from PayTrace's payment method type, REFLOT the PayTrace invoice number) deposited to PayTrace")
	fmt.Println("clearing (1016-00); the void voided what its sale had posted; the refund is a credit memo on the sale's")
	fmt.Println("invoice and its cash entry (it settles in the next batch); the batch's entry empties clearing into the")
	fmt.Println("bank. Their runs are transaction/paytrace/<id> and batch/paytrace/<n>.")
	return nil
}

// line is a level-3 line item; item is an ITMREF of the Sage X3 item master.
func line(item, description string, qty int64, unit string) paytrace.LineItem {
	u := decimal.RequireFromString(unit)
	return paytrace.LineItem{ProductID: item, Description: description, Quantity: decimal.NewFromInt(qty), UnitOfMeasure: "EA", UnitCost: u,
		Amount: u.Mul(decimal.NewFromInt(qty))}
}

func total(lines []paytrace.LineItem) decimal.Decimal {
	sum := decimal.Zero
	for _, l := range lines {
		sum = sum.Add(l.Amount)
	}
	return sum
}

func describe(lines []paytrace.LineItem) string {
	parts := make([]string, 0, len(lines))
	for _, l := range lines {
		parts = append(parts, l.ProductID+" × "+l.Quantity.String())
	}
	return strings.Join(parts, ", ")
}

func keyedSale(ctx context.Context, pt *paytrace.Client, invoice, email string, bill paytrace.Address, lines ...paytrace.LineItem) (*ptTxn, error) {
	amount := total(lines)
	res, err := pt.SaleKeyed(ctx, paytrace.KeyedSale{
		SaleDetails: paytrace.SaleDetails{Amount: amount, InvoiceNumber: invoice, Description: "Web order " + invoice, Email: email, LineItems: lines},
		CreditCard:  testCard, CSC: "999", BillingAddress: &bill})
	if err != nil {
		return nil, fmt.Errorf("keyed sale %s (is `make run` running?): %w", invoice, err)
	}
	fmt.Printf("  %-16s %-10d %7s  card %s, invoice %s, level 3: %s\n", "keyed sale", res.TransactionID, amount.StringFixed(2), res.MaskedCardNumber, invoice, describe(lines))
	return &ptTxn{id: res.TransactionID, kind: "keyed sale", amount: amount}, nil
}

func customerSale(ctx context.Context, pt *paytrace.Client, profile, invoice string, lines ...paytrace.LineItem) (*ptTxn, error) {
	amount := total(lines)
	res, err := pt.SaleByCustomer(ctx, paytrace.CustomerSale{CustomerID: profile,
		SaleDetails: paytrace.SaleDetails{Amount: amount, InvoiceNumber: invoice, Description: "Repeat order " + invoice, LineItems: lines}})
	if err != nil {
		return nil, fmt.Errorf("sale by customer %s: %w", profile, err)
	}
	fmt.Printf("  %-16s %-10d %7s  card %s of profile %s, invoice %s, level 3: %s\n", "sale by customer", res.TransactionID, amount.StringFixed(2),
		res.MaskedCardNumber, profile, invoice, describe(lines))
	return &ptTxn{id: res.TransactionID, kind: "sale by customer", amount: amount}, nil
}

// settle closes today's batch through the sandbox's admin API (the nightly close) and returns its
// number.
func settle(ctx context.Context, base, user, pass string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/_sandbox/settle", bytes.NewReader([]byte("{}")))
	if err != nil {
		return "", err
	}
	req.SetBasicAuth(user, pass)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("settle: %w", err)
	}
	defer resp.Body.Close()
	var out struct {
		Batch *struct {
			Number json.Number `json:"batch_number"`
		} `json:"batch"`
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("POST /_sandbox/settle: %s", resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return "", fmt.Errorf("settle: %w", err)
	}
	if out.Batch == nil {
		return "", errors.New("settle: nothing was pending settlement")
	}
	return out.Batch.Number.String(), nil
}

// dialTemporal connects to the stack's Temporal (to trigger the poll schedule); nil, with a note,
// when it cannot: the notification extension and the schedule's own interval still bring the
// transactions, only more slowly.
func dialTemporal(ctx context.Context) client.Client {
	addr := envOr("TEMPORAL_ADDRESS", "127.0.0.1:7233")
	dctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	tc, err := tclient.DialOptions(dctx, tclient.Options{HostPort: addr, Namespace: os.Getenv("TEMPORAL_NAMESPACE"),
		TLSCert: os.Getenv(tclient.EnvTLSCert), TLSKey: os.Getenv(tclient.EnvTLSKey), TLSCA: os.Getenv(tclient.EnvTLSCA),
		TLSServerName: os.Getenv(tclient.EnvTLSServerName), APIKey: os.Getenv(tclient.EnvAPIKey)})
	if err != nil {
		fmt.Printf("  (cannot reach Temporal at %s to trigger the paytrace-poll schedule: waiting for its interval instead)\n", addr)
		return nil
	}
	return tc
}

// poller returns a function that triggers the paytrace-poll schedule now (force) or when the
// last trigger is older than pollNudge.
func poller(ctx context.Context, tc client.Client) func(force bool) {
	var last time.Time
	return func(force bool) {
		if tc == nil || (!force && time.Since(last) < pollNudge) {
			return
		}
		last = time.Now()
		// A poll already running (overlap policy skip) makes this a no-op; errors are not fatal.
		_ = tc.ScheduleClient().GetHandle(ctx, workflows.PayTracePollScheduleID).Trigger(ctx, client.ScheduleTriggerOptions{})
	}
}

func waitPosted(ctx context.Context, conn erp.Connector, nudge func(bool), txns ...*ptTxn) error {
	for _, t := range txns {
		if err := waitUntil(ctx, nudge, fmt.Sprintf("%s %d (%s)", t.kind, t.id, workflows.PayTraceTransactionID(t.id)), func() (bool, error) {
			return t.posted(ctx, conn)
		}); err != nil {
			return err
		}
	}
	return nil
}

func waitUntil(ctx context.Context, nudge func(bool), what string, done func() (bool, error)) error {
	deadline := time.Now().Add(payTraceWait)
	for {
		ok, err := done()
		if err != nil {
			return fmt.Errorf("reading Sage X3 for %s: %w", what, err)
		}
		if ok {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not in Sage X3 after %s: look for its run in Temporal Web UI (it may be parked)", what, payTraceWait)
		}
		nudge(false)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(300 * time.Millisecond):
		}
	}
}

func printPayTraceTable(txns []*ptTxn) {
	const row = "  %-10s %-16s %7s  %-18s %-14s %-33s %-22s %s\n"
	fmt.Printf(row, "PAYTRACE", "TYPE", "AMOUNT", "SOH", "SIH", "PAY (PAYTYP, REFLOT)", "CREDIT MEMO", "CASH ENTRY")
	for _, t := range txns {
		so, inv, pay, memo, cash := "", "", "", "", ""
		if t.so != nil {
			so = withStatus(t.so.Number, t.so.Status)
		}
		if t.inv != nil {
			inv = withStatus(t.inv.Number, t.inv.Status)
		}
		if t.pay != nil {
			pay = withStatus(fmt.Sprintf("%s (%s, %s)", t.pay.ID, t.pay.Type, t.pay.Reference), t.pay.Status)
		}
		if t.memo != nil {
			memo = fmt.Sprintf("%s on %s", t.memo.Number, t.memo.SourceRef)
		}
		if t.cash != nil {
			cash = t.cash.Number
		}
		kind := t.kind
		if t.refunded != 0 {
			kind = "partial refund"
		}
		fmt.Printf(row, strconv.FormatInt(t.id, 10), kind, t.amount.StringFixed(2), dash(so), dash(inv), dash(pay), dash(memo), dash(cash))
	}
}

// withStatus is a document's number, with its status when it no longer counts.
func withStatus(number, status string) string {
	if erp.Dead(status) {
		return number + " " + status
	}
	return number
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func dash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func blankZero(d decimal.Decimal) string {
	if d.IsZero() {
		return ""
	}
	return d.StringFixed(2)
}

func mustInt(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}
