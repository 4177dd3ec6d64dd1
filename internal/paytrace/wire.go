package paytrace

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// envelope is what every PayTrace /v1 answer carries, success or not.
type envelope struct {
	Success       bool                `json:"success"`
	ResponseCode  int                 `json:"response_code"`
	StatusMessage string              `json:"status_message"`
	TransactionID flexInt             `json:"transaction_id"`
	Errors        map[string][]string `json:"errors"`
	// OAuth errors ({"error":"invalid_token","error_description":…}) share the decoder.
	OAuthError       string `json:"error"`
	OAuthDescription string `json:"error_description"`
}

// flexDecimal reads an amount sent as a JSON number (19.99), a string ("19.99"), "" or null
// (zero), without ever passing through a float.
type flexDecimal struct{ decimal.Decimal }

// UnmarshalJSON parses the literal digits.
func (d *flexDecimal) UnmarshalJSON(b []byte) error {
	s, err := scalar(b)
	if err != nil {
		return fmt.Errorf("amount %s: %w", b, err)
	}
	if s == "" {
		d.Decimal = decimal.Zero
		return nil
	}
	v, err := decimal.NewFromString(s)
	if err != nil {
		return fmt.Errorf("amount %q is not a decimal", s)
	}
	d.Decimal = v
	return nil
}

// flexInt reads an integer sent as a JSON number or a string of digits ("" and null are 0).
type flexInt int64

// UnmarshalJSON parses the digits.
func (n *flexInt) UnmarshalJSON(b []byte) error {
	s, err := scalar(b)
	if err != nil {
		return fmt.Errorf("integer %s: %w", b, err)
	}
	if s == "" {
		*n = 0
		return nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("integer %q: %w", s, err)
	}
	*n = flexInt(v)
	return nil
}

// flexString reads a string sent as a JSON string or number (batch_number 7 → "7"; 0 and null → "").
type flexString string

// UnmarshalJSON keeps the literal.
func (f *flexString) UnmarshalJSON(b []byte) error {
	s, err := scalar(b)
	if err != nil {
		return err
	}
	if s == "0" {
		s = ""
	}
	*f = flexString(s)
	return nil
}

// scalar returns the text of a JSON string, number or null ("" for null).
func scalar(b []byte) (string, error) {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		return "", nil
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return "", err
		}
		return strings.TrimSpace(s), nil
	case b[0] == '-' || (b[0] >= '0' && b[0] <= '9'):
		return string(b), nil
	default:
		return "", fmt.Errorf("want a string or a number")
	}
}

// Date and time layouts of PayTrace.
const (
	// layoutDate is the MM/DD/YYYY of requests and of settled dates.
	layoutDate = "01/02/2006"
	// layoutLocal is created.at and friends, in the merchant time zone.
	layoutLocal = "1/2/2006 3:04:05 PM"
)

// localLayouts are the merchant-local timestamp forms accepted, most likely first.
var localLayouts = []string{layoutLocal, "1/2/2006 3:04:05PM", "1/2/2006 15:04:05", "1/2/2006 3:04 PM", "2006-01-02 15:04:05", "2006-01-02T15:04:05"}

// stampWire is a point in time in exports: merchant-local "at" and, where the server has it,
// the exact UTC instant (the sandbox's at_utc).
type stampWire struct {
	Through string `json:"through"`
	By      string `json:"by"`
	At      string `json:"at"`
	AtUTC   string `json:"at_utc"`
}

// parseStamp returns the instant of a stamp in UTC: at_utc when present and valid, else at
// read in loc. The zero time when both are empty.
func parseStamp(s stampWire, loc *time.Location) (time.Time, error) {
	if s.AtUTC != "" {
		if t, err := time.Parse(time.RFC3339Nano, s.AtUTC); err == nil {
			return t.UTC(), nil
		}
	}
	return parseLocal(s.At, loc)
}

// parseLocal reads a merchant-local timestamp ("3/10/2026 10:00:00 AM"), or an RFC 3339 one
// carrying its own offset, and returns it in UTC. "" is the zero time.
func parseLocal(v string, loc *time.Location) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t.UTC(), nil
	}
	for _, layout := range localLayouts {
		if t, err := time.ParseInLocation(layout, v, loc); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("unrecognised PayTrace timestamp %q", v)
}

// parseDate reads an MM/DD/YYYY (or M/D/YYYY) date as midnight in loc; "" is the zero time.
func parseDate(v string, loc *time.Location) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.ParseInLocation("1/2/2006", v, loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("unrecognised PayTrace date %q", v)
	}
	return t, nil
}

// formatDate renders the merchant-local calendar date of t as MM/DD/YYYY.
func formatDate(t time.Time, loc *time.Location) string { return t.In(loc).Format(layoutDate) }

// amountString renders a dollar amount for a request ("12.34"). Amounts with more than two
// decimals or not positive are refused rather than rounded: money is exact.
func amountString(field string, d decimal.Decimal) (string, error) {
	if !d.IsPositive() {
		return "", fmt.Errorf("%w: %s %s must be positive", ErrInvalidInput, field, d.String())
	}
	if !d.Equal(d.Round(2)) {
		return "", fmt.Errorf("%w: %s %s has more than 2 decimals", ErrInvalidInput, field, d.String())
	}
	return d.StringFixed(2), nil
}

// optionalAmount renders an optional amount: zero is omitted ("").
func optionalAmount(field string, d decimal.Decimal) (string, error) {
	if d.IsZero() {
		return "", nil
	}
	return amountString(field, d)
}

// maxRetryAfter caps a Retry-After in seconds (a week): larger values are nonsense, not a plan.
const maxRetryAfter = 7 * 24 * 3600

// retryAfter parses Retry-After as delay-seconds or an HTTP date relative to now; zero when
// absent, past or invalid.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		return time.Duration(min(secs, maxRetryAfter)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
