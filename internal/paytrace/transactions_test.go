package paytrace

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ledgerbridge/ledgerbridge/sandbox/paytracesandbox"
)

func TestExportTransactionByID(t *testing.T) {
	e := newEnv(t)
	billing := &Address{Name: "Ada Lovelace", StreetAddress: "1 Main St", StreetAddress2: "Suite 2", City: "Spokane",
		State: "WA", Zip: "99201", Country: "US"}
	res, err := e.client.SaleKeyed(t.Context(), KeyedSale{
		SaleDetails: SaleDetails{Amount: dec("1234.57"), InvoiceNumber: "INV-42", Description: "Widgets",
			Email: "ada@example.com", TaxAmount: dec("12.30"),
			LineItems: []LineItem{{ProductID: "W-1", Description: "Widget", Quantity: dec("3"), UnitCost: dec("407.4233")}}},
		CreditCard: visa(), CSC: "123", BillingAddress: billing})
	if err != nil {
		t.Fatal(err)
	}
	if res.MaskedCardNumber != "xxxxxxxxxxxx1111" || res.ApprovalCode == "" || res.StatusMessage == "" {
		t.Errorf("sale result = %+v", res)
	}
	got, err := e.client.ExportTransaction(t.Context(), res.TransactionID)
	if err != nil {
		t.Fatal(err)
	}
	wantCreated := time.Date(2026, 3, 10, 17, 0, 0, 0, time.UTC) // 10:00 PDT
	checks := []struct {
		what      string
		got, want any
	}{
		{"ID", got.ID, res.TransactionID},
		{"Type", got.Type, TypeSale},
		{"Status", got.Status, StatusPendingSettlement},
		{"Currency", got.Currency, "USD"},
		{"InvoiceNumber", got.InvoiceNumber, "INV-42"},
		{"Description", got.Description, "Widgets"},
		{"Email", got.Email, "ada@example.com"},
		{"BillingAddress", got.BillingAddress, *billing},
		{"MaskedCard", got.MaskedCard, "xxxxxxxxxxxx1111"},
		{"CardType", got.CardType, "VISA"},
		{"PaymentMethodType", got.PaymentMethodType, "CC"},
		{"ApprovalCode", got.ApprovalCode, res.ApprovalCode},
		{"ResponseCode", got.ResponseCode, CodeApproved},
		{"Created", got.Created, wantCreated},
		{"Created location", got.Created.Location(), time.UTC},
		{"Updated", got.Updated, wantCreated},
		{"Settled", got.Settled.IsZero(), true},
		{"BatchNumber", got.BatchNumber, ""},
		{"CreatedThrough", got.CreatedThrough, "API Keyed"},
		{"line items", len(got.LineItems), 1},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.what, c.got, c.want)
		}
	}
	wantDecimal(t, "Amount", got.Amount, "1234.57")
	wantDecimal(t, "AuthorizedAmount", got.AuthorizedAmount, "1234.57")
	wantDecimal(t, "CapturedAmount", got.CapturedAmount, "1234.57")
	wantDecimal(t, "RefundedAmount", got.RefundedAmount, "0")
	wantDecimal(t, "TaxAmount", got.TaxAmount, "12.30")
	if len(got.LineItems) == 1 {
		li := got.LineItems[0]
		wantDecimal(t, "line amount", li.Amount, "1222.27") // 3 × 407.4233 = 1222.2699 → 1222.27
		wantDecimal(t, "line unit cost", li.UnitCost, "407.4233")
		if li.ProductID != "W-1" || li.Description != "Widget" {
			t.Errorf("line item = %+v", li)
		}
	}
}

func TestExportTransactionNotFound(t *testing.T) {
	e := newEnv(t)
	_, err := e.client.ExportTransaction(t.Context(), 999999999)
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
	var ae *APIError
	if !errors.As(err, &ae) || fmt.Sprint(ae.Keys) != "[58]" {
		t.Fatalf("err = %#v, want *APIError with key 58", err)
	}
	if _, err := e.client.ExportTransaction(t.Context(), 0); !errors.Is(err, ErrInvalidInput) {
		t.Errorf("ID 0: err = %v, want ErrInvalidInput", err)
	}
}

func TestAmountsExactToTheCent(t *testing.T) {
	e := newEnv(t)
	for _, amount := range []string{"0.01", "0.10", "0.29", "19.99", "100.00", "4503.15", "999999.99"} {
		t.Run(amount, func(t *testing.T) {
			got, err := e.client.ExportTransaction(t.Context(), e.sale(amount, "INV-"+amount))
			if err != nil {
				t.Fatal(err)
			}
			wantDecimal(t, "Amount", got.Amount, amount)
			if s := got.Amount.StringFixed(2); s != amount {
				t.Errorf("Amount renders %s, want %s", s, amount)
			}
		})
	}
	if _, err := e.client.SaleKeyed(t.Context(), KeyedSale{SaleDetails: SaleDetails{Amount: dec("10.005")}, CreditCard: visa()}); !errors.Is(err, ErrInvalidInput) {
		t.Errorf("amount with 3 decimals: err = %v, want ErrInvalidInput (never rounded)", err)
	}
	if e.v1Calls.Load() != 14 {
		t.Errorf("/v1 calls = %d, want 14: the refused amount must not be sent", e.v1Calls.Load())
	}
}

func TestExportTransactionsPagesByDateRange(t *testing.T) {
	e := newEnv(t, func(c *paytracesandbox.Config) { c.ExportLimit = 2 })
	var want []int64
	for i := range 5 {
		want = append(want, e.sale(fmt.Sprintf("%d.00", 10+i), fmt.Sprintf("INV-%d", i)))
	}
	auth, err := e.client.AuthorizeKeyed(t.Context(), KeyedSale{SaleDetails: SaleDetails{Amount: dec("7.00")}, CreditCard: visa()})
	if err != nil {
		t.Fatal(err)
	}
	want = append(want, auth.TransactionID)
	e.clock.advance(24 * time.Hour) // tomorrow's sale is outside the range
	e.sale("99.00", "INV-later")

	today := e.clock.Now().Add(-24 * time.Hour)
	var got []int64
	pages := 0
	q := ExportQuery{Start: today, End: today}
	for {
		page, more, err := e.client.ExportTransactions(t.Context(), q)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, tx := range page {
			got = append(got, tx.ID)
		}
		if !more {
			break
		}
		q.AfterTransactionID = page[len(page)-1].ID
	}
	if fmt.Sprint(got) != fmt.Sprint(want) || pages != 3 {
		t.Errorf("paged IDs = %v in %d pages, want %v in 3", got, pages, want)
	}

	tests := []struct {
		name string
		q    ExportQuery
		want int
	}{
		{"type SALE", ExportQuery{Start: today, End: today, Type: "sale"}, 2},
		{"type AUTHORIZATION", ExportQuery{Start: today, End: today, Type: TypeAuthorization}, 1},
		{"text", ExportQuery{Start: today, End: today, IncludingText: "INV-3"}, 1},
		{"by ID", ExportQuery{Start: today, End: today, TransactionID: want[1]}, 1},
		{"two days", ExportQuery{Start: today, End: e.clock.Now(), Type: "SALE", AfterTransactionID: want[4]}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page, _, err := e.client.ExportTransactions(t.Context(), tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if len(page) != tt.want {
				t.Errorf("got %d transactions, want %d", len(page), tt.want)
			}
		})
	}
	if _, _, err := e.client.ExportTransactions(t.Context(), ExportQuery{Start: e.clock.Now(), End: today}); !errors.Is(err, ErrInvalidInput) {
		t.Errorf("end before start: err = %v, want ErrInvalidInput", err)
	}
}

func TestDeclinedSale(t *testing.T) {
	tests := []struct {
		name       string
		card       string
		amount     string
		wantReason string
	}{
		{"do not honor card", paytracesandbox.CardDeclined, "10.00", "DECLINE - Do not honor"},
		{"insufficient funds card", paytracesandbox.CardInsufficientFund, "10.00", "NSF - Insufficient funds"},
		{"declining amount", paytracesandbox.CardVisa, "1.13", "DECLINE - Do not honor"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			res, err := e.client.SaleKeyed(t.Context(), KeyedSale{SaleDetails: SaleDetails{Amount: dec(tt.amount)},
				CreditCard: CreditCard{Number: tt.card, ExpirationMonth: 12, ExpirationYear: 2030}})
			var de *DeclinedError
			if !errors.As(err, &de) {
				t.Fatalf("err = %T %v, want *DeclinedError", err, err)
			}
			if res == nil || res.Success || res.ResponseCode != CodeDeclined || res.TransactionID == 0 || res.MaskedCardNumber == "" {
				t.Fatalf("result = %+v, want the decline with its transaction ID", res)
			}
			if de.TransactionID != res.TransactionID || !strings.Contains(de.Error(), tt.wantReason) {
				t.Errorf("DeclinedError = %v", de)
			}
			if strings.Contains(err.Error(), tt.card) {
				t.Errorf("error text contains the PAN: %s", err)
			}
			// An export of the decline is not an error.
			got, err := e.client.ExportTransaction(t.Context(), res.TransactionID)
			if err != nil {
				t.Fatalf("export of a decline: %v", err)
			}
			if got.Status != StatusDeclined || got.ResponseCode != CodeDeclined {
				t.Errorf("exported decline = %s/%d", got.Status, got.ResponseCode)
			}
			wantDecimal(t, "AuthorizedAmount", got.AuthorizedAmount, "0")
			page, _, err := e.client.ExportTransactions(t.Context(), ExportQuery{Start: e.clock.Now(), End: e.clock.Now(), Type: "DECLINED"})
			if err != nil || len(page) != 1 {
				t.Errorf("DECLINED export = %d, %v", len(page), err)
			}
		})
	}
}

func TestFailingSaleNeverShowsThePAN(t *testing.T) {
	e := newEnv(t)
	const pan = "4111111111111112" // fails Luhn: key 35
	sale := KeyedSale{SaleDetails: SaleDetails{Amount: dec("10.00"), InvoiceNumber: "INV-PAN"},
		CreditCard: CreditCard{Number: pan, ExpirationMonth: 12, ExpirationYear: 2030}, CSC: "987"}
	_, err := e.client.SaleKeyed(t.Context(), sale)
	var ae *APIError
	if !errors.As(err, &ae) || !ae.HasKey(KeyCardNumber) {
		t.Fatalf("err = %v, want *APIError with key 35", err)
	}
	e.faults(paytracesandbox.Faults{OutageSeconds: 30})
	_, outage := e.client.SaleKeyed(t.Context(), sale)
	var te *TransientError
	if !errors.As(outage, &te) {
		t.Fatalf("outage: err = %v, want *TransientError", outage)
	}
	for _, text := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", ae), outage.Error(),
		fmt.Sprintf("%v %+v %#v %s", sale, sale, sale, sale.CreditCard)} {
		if strings.Contains(text, pan) || strings.Contains(text, pan[:12]) || strings.Contains(text, "987") {
			t.Errorf("card data in %q", text)
		}
	}
	if !strings.Contains(err.Error(), "/v1/transactions/sale/keyed") || !strings.Contains(err.Error(), "35") {
		t.Errorf("error %q should name the endpoint and key 35", err)
	}
}

func TestCaptureRefundVoid(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	auth, err := e.client.AuthorizeKeyed(ctx, KeyedSale{SaleDetails: SaleDetails{Amount: dec("50.00")}, CreditCard: visa()})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := e.client.ExportTransaction(ctx, auth.TransactionID); got.Status != StatusAuthorized {
		t.Errorf("authorization status = %s", got.Status)
	}
	cap, err := e.client.Capture(ctx, auth.TransactionID, dec("40.00"))
	if err != nil || cap.ResponseCode != CodeCaptured || cap.TransactionID != auth.TransactionID {
		t.Fatalf("capture = %+v, %v", cap, err)
	}
	_, err = e.client.Capture(ctx, auth.TransactionID, decimal.Zero)
	var ae *APIError
	if !errors.As(err, &ae) || ae.ResponseCode != 113 || !ae.HasKey(822) {
		t.Errorf("second capture: err = %v, want 113 key 822", err)
	}
	got, err := e.client.ExportTransaction(ctx, auth.TransactionID)
	if err != nil {
		t.Fatal(err)
	}
	wantDecimal(t, "AuthorizedAmount", got.AuthorizedAmount, "50.00")
	wantDecimal(t, "CapturedAmount", got.CapturedAmount, "40.00")
	if got.Captured.IsZero() || got.Status != StatusPendingSettlement {
		t.Errorf("captured = %v status %s", got.Captured, got.Status)
	}

	// Unsettled: a refund is refused with 817 (void instead), a void works.
	sale := e.sale("30.00", "INV-void")
	_, err = e.client.RefundTransaction(ctx, sale, decimal.Zero)
	if !errors.As(err, &ae) || !ae.HasKey(KeyNotSettled) || ae.ResponseCode != 107 {
		t.Errorf("refund unsettled: err = %v, want 107 key 817", err)
	}
	v, err := e.client.Void(ctx, sale)
	if err != nil || v.ResponseCode != CodeVoided {
		t.Fatalf("void = %+v, %v", v, err)
	}
	if got, _ := e.client.ExportTransaction(ctx, sale); got.Status != StatusVoided || got.Voided.IsZero() {
		t.Errorf("voided sale = %s at %v", got.Status, got.Voided)
	}
	if _, err := e.client.Void(ctx, 999999999); !errors.Is(err, ErrNotFound) {
		t.Errorf("void unknown: err = %v, want ErrNotFound", err)
	}

	// Settled: refund in parts; the refund points back to its original.
	e.settle()
	r1, err := e.client.RefundTransaction(ctx, auth.TransactionID, dec("15.25"))
	if err != nil || r1.ResponseCode != CodeRefunded || r1.TransactionID == auth.TransactionID {
		t.Fatalf("refund = %+v, %v", r1, err)
	}
	_, err = e.client.Void(ctx, auth.TransactionID)
	if !errors.As(err, &ae) || !ae.HasKey(KeySettled) {
		t.Errorf("void settled: err = %v, want key 818", err)
	}
	refund, err := e.client.ExportTransaction(ctx, r1.TransactionID)
	if err != nil {
		t.Fatal(err)
	}
	if refund.Type != TypeRefund || refund.OriginalTransactionID != auth.TransactionID {
		t.Errorf("refund = %s original %d", refund.Type, refund.OriginalTransactionID)
	}
	wantDecimal(t, "refund Amount", refund.Amount, "15.25")
	orig, err := e.client.ExportTransaction(ctx, auth.TransactionID)
	if err != nil {
		t.Fatal(err)
	}
	wantDecimal(t, "RefundedAmount", orig.RefundedAmount, "15.25")
	if orig.Status != StatusPartiallyRefunded || fmt.Sprint(orig.RefundTransactionIDs) != fmt.Sprint([]int64{r1.TransactionID}) {
		t.Errorf("original = %s refunds %v", orig.Status, orig.RefundTransactionIDs)
	}
	_, err = e.client.RefundTransaction(ctx, auth.TransactionID, dec("24.76"))
	if !errors.As(err, &ae) || !ae.HasKey(820) {
		t.Errorf("over-refund: err = %v, want key 820", err)
	}
}
