package paytrace

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

func TestFlexDecimal(t *testing.T) {
	tests := []struct {
		in, want string
		bad      bool
	}{
		{in: `19.99`, want: "19.99"},
		{in: `"19.99"`, want: "19.99"},
		{in: `10.00`, want: "10"},
		{in: `0.1`, want: "0.1"},
		{in: `1234567.89`, want: "1234567.89"},
		{in: `" 5.10 "`, want: "5.1"},
		{in: `""`, want: "0"},
		{in: `null`, want: "0"},
		{in: `-3.50`, want: "-3.5"},
		{in: `"abc"`, bad: true},
		{in: `true`, bad: true},
		{in: `{}`, bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var d flexDecimal
			err := json.Unmarshal([]byte(tt.in), &d)
			if tt.bad {
				if err == nil {
					t.Errorf("%s: want an error, got %s", tt.in, d)
				}
				return
			}
			if err != nil || !d.Equal(decimal.RequireFromString(tt.want)) {
				t.Errorf("%s = %s, %v; want %s", tt.in, d, err, tt.want)
			}
		})
	}
	// Sums stay exact where floats would not: 0.1 + 0.2 = 0.3.
	var a, b flexDecimal
	_ = json.Unmarshal([]byte(`0.1`), &a)
	_ = json.Unmarshal([]byte(`"0.2"`), &b)
	if !a.Add(b.Decimal).Equal(decimal.RequireFromString("0.3")) {
		t.Error("0.1 + 0.2 != 0.3")
	}
}

func TestFlexIntAndString(t *testing.T) {
	tests := []struct {
		in      string
		wantInt int64
		wantStr string
	}{
		{`395970044`, 395970044, "395970044"},
		{`"395970044"`, 395970044, "395970044"},
		{`0`, 0, ""},
		{`null`, 0, ""},
		{`""`, 0, ""},
	}
	for _, tt := range tests {
		var n flexInt
		var s flexString
		if err := json.Unmarshal([]byte(tt.in), &n); err != nil || int64(n) != tt.wantInt {
			t.Errorf("flexInt %s = %d, %v", tt.in, n, err)
		}
		if err := json.Unmarshal([]byte(tt.in), &s); err != nil || string(s) != tt.wantStr {
			t.Errorf("flexString %s = %q, %v", tt.in, s, err)
		}
	}
}

func TestTimestamps(t *testing.T) {
	loc := merchantTZ(t)
	tests := []struct {
		name string
		in   stampWire
		want time.Time
		bad  bool
	}{
		{"real API local, PDT", stampWire{At: "3/10/2026 10:00:00 AM"}, time.Date(2026, 3, 10, 17, 0, 0, 0, time.UTC), false},
		{"real API local, PST", stampWire{At: "1/5/2026 3:04:05 PM"}, time.Date(2026, 1, 5, 23, 4, 5, 0, time.UTC), false},
		{"zero-padded", stampWire{At: "08/19/2016 03:52:16 PM"}, time.Date(2016, 8, 19, 22, 52, 16, 0, time.UTC), false},
		{"after midnight", stampWire{At: "12/31/2026 12:30:00 AM"}, time.Date(2026, 12, 31, 8, 30, 0, 0, time.UTC), false},
		{"at_utc wins", stampWire{At: "3/10/2026 10:00:00 AM", AtUTC: "2026-03-10T17:00:00.123456789Z"}, time.Date(2026, 3, 10, 17, 0, 0, 123456789, time.UTC), false},
		{"bad at_utc falls back", stampWire{At: "3/10/2026 10:00:00 AM", AtUTC: "yesterday"}, time.Date(2026, 3, 10, 17, 0, 0, 0, time.UTC), false},
		{"RFC 3339 in at", stampWire{At: "2026-03-10T10:00:00-07:00"}, time.Date(2026, 3, 10, 17, 0, 0, 0, time.UTC), false},
		{"empty", stampWire{}, time.Time{}, false},
		{"garbage", stampWire{At: "soon"}, time.Time{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseStamp(tt.in, loc)
			if (err != nil) != tt.bad || !got.Equal(tt.want) || (!got.IsZero() && got.Location() != time.UTC) {
				t.Errorf("parseStamp(%+v) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
		})
	}
	d, err := parseDate("03/10/2026", loc)
	if err != nil || d.In(loc).Format(layoutDate) != "03/10/2026" {
		t.Errorf("parseDate = %v, %v", d, err)
	}
	// Request dates are the merchant-local date of the instant: 02:00 UTC is still the 9th in LA.
	if got := formatDate(time.Date(2026, 3, 10, 2, 0, 0, 0, time.UTC), loc); got != "03/09/2026" {
		t.Errorf("formatDate = %s, want 03/09/2026", got)
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 3, 10, 17, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"5", 5 * time.Second},
		{" 120 ", 2 * time.Minute},
		{"0", 0},
		{"-3", 0},
		{"Tue, 10 Mar 2026 17:00:30 GMT", 30 * time.Second},
		{"Tue, 10 Mar 2026 16:59:00 GMT", 0},
		{"99999999999", 7 * 24 * time.Hour},
		{"soon", 0},
	}
	for _, tt := range tests {
		if got := retryAfter(tt.in, now); got != tt.want {
			t.Errorf("retryAfter(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestAmountString(t *testing.T) {
	tests := []struct {
		in, want string
		bad      bool
	}{
		{in: "12.34", want: "12.34"},
		{in: "12.3", want: "12.30"},
		{in: "12", want: "12.00"},
		{in: "12.340", want: "12.34"},
		{in: "12.345", bad: true},
		{in: "0", bad: true},
		{in: "-1.00", bad: true},
	}
	for _, tt := range tests {
		got, err := amountString("amount", decimal.RequireFromString(tt.in))
		if tt.bad != (err != nil) || got != tt.want {
			t.Errorf("amountString(%s) = %q, %v", tt.in, got, err)
		}
		if err != nil && !errors.Is(err, ErrInvalidInput) {
			t.Errorf("amountString(%s): %v is not ErrInvalidInput", tt.in, err)
		}
	}
}

// TestRealResponseShapes classifies the real PayTrace transcripts of
// /work/shared/reference/external-apis.md §3 and answers the sandbox cannot give (key 981,
// Retry-After as an HTTP date, non-JSON errors from a proxy).
func TestRealResponseShapes(t *testing.T) {
	tests := []struct {
		name   string
		status int
		header map[string]string
		body   string
		check  func(t *testing.T, res *TransactionResult, err error)
	}{
		{name: "approved", status: 200,
			body: `{"success":true,"response_code":101,"status_message":"Your transaction was successfully approved.","transaction_id":395970044,"approval_code":"TAS679","approval_message":"  NO  MATCH - Approved and completed","avs_response":"No Match","csc_response":"","external_transaction_id":"","masked_card_number":"xxxxxxxxxxxx5439"}`,
			check: func(t *testing.T, res *TransactionResult, err error) {
				if err != nil || res.TransactionID != 395970044 || res.ApprovalCode != "TAS679" || res.MaskedCardNumber != "xxxxxxxxxxxx5439" {
					t.Errorf("approved: %+v, %v", res, err)
				}
			}},
		{name: "declined", status: 400,
			body: `{"success":false,"response_code":102,"status_message":"Your transaction was not approved.","transaction_id":395970045,"approval_code":"","approval_message":"    DECLINE - Do not honor","avs_response":"No Match","csc_response":"","external_transaction_id":"","masked_card_number":"xxxxxxxxxxxx0002"}`,
			check: func(t *testing.T, res *TransactionResult, err error) {
				var de *DeclinedError
				if !errors.As(err, &de) || res == nil || res.Success || res.TransactionID != 395970045 || de.ApprovalMessage == "" {
					t.Errorf("declined: %+v, %v", res, err)
				}
			}},
		{name: "error keys", status: 400,
			body: `{"success":false,"response_code":1,"status_message":"One or more errors has occurred.","errors":{"58":["Please provide a valid Transaction ID."],"35":["Please provide a valid Credit Card Number."]}}`,
			check: func(t *testing.T, _ *TransactionResult, err error) {
				var ae *APIError
				if !errors.As(err, &ae) || fmt.Sprint(ae.Keys) != "[35 58]" || ae.Status != 400 || ae.ResponseCode != 1 ||
					fmt.Sprint(ae.Messages) != "[Please provide a valid Credit Card Number. Please provide a valid Transaction ID.]" {
					t.Fatalf("error keys: %#v", err)
				}
				want := "paytrace: /v1/transactions/sale/keyed: response_code 1 (HTTP 400): One or more errors has occurred. [35: Please provide a valid Credit Card Number.; 58: Please provide a valid Transaction ID.]"
				if err.Error() != want {
					t.Errorf("Error() = %q\nwant      %q", err, want)
				}
			}},
		{name: "insufficient permissions", status: 400,
			body: `{"success":false,"response_code":1,"status_message":"One or more errors has occurred.","errors":{"981":["Log in failed for insufficient permissions."]}}`,
			check: func(t *testing.T, _ *TransactionResult, err error) {
				var ae *AuthError
				if !errors.As(err, &ae) || fmt.Sprint(ae.Keys) != "[981]" {
					t.Errorf("981: %T %v, want *AuthError", err, err)
				}
			}},
		{name: "echoed card number is masked", status: 400,
			body: `{"success":false,"response_code":1,"status_message":"One or more errors has occurred.","errors":{"35":["4111111111111111 is not valid"]}}`,
			check: func(t *testing.T, _ *TransactionResult, err error) {
				if strings.Contains(err.Error(), "4111111111111111") || !strings.Contains(err.Error(), "1111") {
					t.Errorf("echoed PAN: %v", err)
				}
			}},
		{name: "503 with an HTTP-date Retry-After", status: 503, header: map[string]string{"Retry-After": "Tue, 10 Mar 2026 17:01:00 GMT"},
			body: `<html>Service Unavailable</html>`,
			check: func(t *testing.T, _ *TransactionResult, err error) {
				var te *TransientError
				if !errors.As(err, &te) || te.Status != 503 || te.RetryAfter != time.Minute {
					t.Errorf("503: %T %+v", err, err)
				}
			}},
		{name: "non-JSON 404 from a proxy", status: 404, body: `not found`,
			check: func(t *testing.T, _ *TransactionResult, err error) {
				var ae *APIError
				if !errors.As(err, &ae) || ae.Status != 404 {
					t.Errorf("404: %T %v, want *APIError", err, err)
				}
			}},
		{name: "garbled 200", status: 200, body: `{"success":tr`,
			check: func(t *testing.T, _ *TransactionResult, err error) {
				var te *TransientError
				if !errors.As(err, &te) {
					t.Errorf("garbled 200: %T %v, want *TransientError (it may have been processed)", err, err)
				}
			}},
		{name: "403", status: 403, body: `{"error":"access_denied","error_description":"nope"}`,
			check: func(t *testing.T, _ *TransactionResult, err error) {
				var ae *AuthError
				if !errors.As(err, &ae) || ae.Code != "access_denied" {
					t.Errorf("403: %T %v, want *AuthError", err, err)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var gotBody map[string]any
			hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/oauth/token" {
					w.Header().Set("Content-Type", "application/json")
					_, _ = w.Write([]byte(`{"access_token":"t","token_type":"Bearer","expires_in":7200,"created_at":1}`))
					return
				}
				_ = json.NewDecoder(r.Body).Decode(&gotBody)
				for k, v := range tt.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			}))
			defer hs.Close()
			now := time.Date(2026, 3, 10, 17, 0, 0, 0, time.UTC)
			c := New(Config{BaseURL: hs.URL, Username: "u", Password: "p", IntegratorID: "ledgerbridge", Now: func() time.Time { return now }})
			res, err := c.SaleKeyed(t.Context(), KeyedSale{SaleDetails: SaleDetails{Amount: decimal.RequireFromString("1.00")}, CreditCard: visa()})
			tt.check(t, res, err)
			if gotBody["integrator_id"] != "ledgerbridge" || gotBody["amount"] != "1.00" {
				t.Errorf("request body = %v, want integrator_id and amount \"1.00\"", gotBody)
			}
		})
	}
}

func TestCardDataIsMaskedWhenPrinted(t *testing.T) {
	card := CreditCard{Number: "4111111111111111", ExpirationMonth: 1, ExpirationYear: 2030}
	chk := &Check{AccountNumber: "000123456789", RoutingNumber: "011000015"}
	values := []any{card, &card, KeyedSale{CreditCard: card, CSC: "4321"}, NewCustomer{CreditCard: &card, Check: chk},
		CustomerSale{CSC: "4321"}, chk}
	for _, v := range values {
		b, _ := json.Marshal(v)
		for _, text := range []string{fmt.Sprintf("%v", v), fmt.Sprintf("%+v", v), fmt.Sprintf("%#v", v), fmt.Sprint(v), string(b)} {
			for _, secret := range []string{"4111111111111111", "411111", "4321", "000123456789"} {
				if strings.Contains(text, secret) {
					t.Errorf("%T prints %q containing %s", v, text, secret)
				}
			}
		}
	}
}
