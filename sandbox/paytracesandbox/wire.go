package paytracesandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Response codes (PayTrace's, from its published list and real transcripts).
const (
	codeError      = 1   // one or more errors; see errors{}
	codeApproved   = 101 // sale or authorization approved
	codeDeclined   = 102 // not approved
	codeRefunded   = 106 // refund accepted
	codeRefundFail = 107 // refund failed
	codeVoided     = 109 // void accepted
	codeVoidFail   = 110 // void failed
	codeCaptured   = 112 // capture accepted
	codeCaptureErr = 113 // capture failed
	codeCustomerOK = 160 // customer profile created
	codeCustomerUp = 161 // customer profile updated
	codeCustomerDl = 162 // customer profile deleted
	codeLevel3     = 170 // level 3 data added
	codeCompleted  = 1   // exports: "Your request has been successfully completed." (success true)
)

// Status messages.
const (
	msgErrors    = "One or more errors has occurred."
	msgApproved  = "Your transaction was successfully approved."
	msgDeclined  = "Your transaction was not approved."
	msgRefunded  = "Your transaction successfully refunded."
	msgRefundErr = "Your transaction was not successfully refunded."
	msgVoided    = "Your transaction was successfully voided."
	msgVoidErr   = "Your transaction was not successfully voided."
	msgCaptured  = "Your transaction was successfully captured."
	msgCaptErr   = "Your transaction was not successfully captured."
	msgCompleted = "Your request has been successfully completed."
)

// Error keys of the errors{} map. 30, 35, 43, 44, 45, 46, 58, 171 and 981 are PayTrace's
// (seen in real responses); 817 and 818 follow public client code; the rest are the
// sandbox's own choice, documented in doc.go.
const (
	keyMalformed      = "1"   // body is not a JSON object of the documented fields and types
	keyIntegrator     = "8"   // integrator_id missing or wrong
	keyCustomerAbsent = "30"  // customer profile not found
	keyCustomerID     = "31"  // customer_id missing or malformed
	keyCardNumber     = "35"  // card number missing, not digits, wrong length, Luhn or brand
	keyCSC            = "39"  // csc not 3-4 digits
	keyAmount         = "40"  // amount missing, not positive, more than 2 decimals or too large
	keyExpMonth       = "43"  // expiration_month not 1-12
	keyExpYear        = "44"  // expiration_year not a plausible year
	keyCheckAccount   = "45"  // check account_number
	keyCheckRouting   = "46"  // check routing_number
	keyAddress        = "50"  // an address field is too long
	keyEmail          = "51"  // email malformed
	keyText           = "52"  // invoice_number, description or another text field too long
	keyTransactionID  = "58"  // transaction_id missing, malformed or unknown
	keyLineItem       = "70"  // a level-3 line item is invalid
	keyStartDate      = "90"  // start_date not MM/DD/YYYY
	keyEndDate        = "91"  // end_date not MM/DD/YYYY or before start_date
	keyTxnType        = "92"  // transaction_type not one of the documented values
	keyBatchNumber    = "93"  // batch_number malformed or unknown
	keyPaging         = "94"  // after_transaction_id / after_customer_id / date_type malformed
	keyDuplicateCust  = "171" // customer_id already used
	keyNotSettled     = "817" // refund of an unsettled transaction: void it instead
	keySettled        = "818" // void of a settled transaction: refund it instead
	keyAlreadyVoided  = "819" // transaction already voided
	keyOverRefund     = "820" // refund above what is left to refund
	keyNotEligible    = "821" // wrong type or state for this operation
	keyAlreadyCapture = "822" // authorization already captured
	keyOverCapture    = "823" // capture above the authorized amount
	keyNoCard         = "824" // customer profile has no credit card
	keyPermission     = "981" // insufficient permissions
)

// ptError is a PayTrace failure: success false, a response code, a status message and
// usually an errors{} map. Handlers return it; serve renders it with status HTTP.
type ptError struct {
	HTTP          int
	Code          int
	Message       string
	Errors        map[string][]string
	TransactionID int64
	Masked        string
}

func (e *ptError) Error() string {
	parts := []string{e.Message}
	for k, v := range e.Errors {
		parts = append(parts, k+": "+strings.Join(v, " "))
	}
	return strings.Join(parts, "; ")
}

// errorBody is the wire form of a ptError.
type errorBody struct {
	Success          bool                `json:"success"`
	ResponseCode     int                 `json:"response_code"`
	StatusMessage    string              `json:"status_message"`
	TransactionID    int64               `json:"transaction_id,omitempty"`
	Errors           map[string][]string `json:"errors,omitempty"`
	MaskedCardNumber string              `json:"masked_card_number,omitempty"`
}

func (e *ptError) body() errorBody {
	return errorBody{ResponseCode: e.Code, StatusMessage: e.Message, TransactionID: e.TransactionID,
		Errors: e.Errors, MaskedCardNumber: e.Masked}
}

// fail builds a response-code-1 error with one key.
func fail(key, format string, args ...any) *ptError {
	return &ptError{HTTP: http.StatusBadRequest, Code: codeError, Message: msgErrors,
		Errors: map[string][]string{key: {fmt.Sprintf(format, args...)}}}
}

// opFail builds a failed capture (113), refund (107) or void (110) with an explanatory key.
func opFail(code int, msg string, id int64, key, format string, args ...any) *ptError {
	return &ptError{HTTP: http.StatusBadRequest, Code: code, Message: msg, TransactionID: id,
		Errors: map[string][]string{key: {fmt.Sprintf(format, args...)}}}
}

// problems collects validation errors by key, like PayTrace's errors{} map.
type problems map[string][]string

func (p problems) add(key, format string, args ...any) {
	p[key] = append(p[key], fmt.Sprintf(format, args...))
}

// err returns the collected problems as a response-code-1 error, or nil.
func (p problems) err() error {
	if len(p) == 0 {
		return nil
	}
	return &ptError{HTTP: http.StatusBadRequest, Code: codeError, Message: msgErrors, Errors: p}
}

// common holds the fields every /v1 body may carry. ActiveMerchant repeats username and
// password in every JSON body; they are accepted and ignored (the bearer token decides).
type common struct {
	IntegratorID *string         `json:"integrator_id"`
	Username     json.RawMessage `json:"username,omitempty"`
	Password     json.RawMessage `json:"password,omitempty"`
}

func (c *common) base() *common { return c }

type withCommon interface{ base() *common }

// maxBody bounds request bodies.
const maxBody = 1 << 20

// decodeStrict decodes one JSON object into dst. Unknown fields, wrong types, trailing data
// and non-JSON content types are malformed-request errors, so a typo never silently drops
// data. It returns the problems found so far (the integrator_id check) for the handler to
// extend.
func decodeStrict(r *http.Request, dst withCommon, integratorID string) (problems, error) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" {
			return nil, fail(keyMalformed, "Content-Type must be application/json, got %q.", ct)
		}
	}
	b, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBody))
	if err != nil {
		return nil, fail(keyMalformed, "The request body could not be read: %v.", err)
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, fail(keyMalformed, "The request body must be a JSON object.")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return nil, fail(keyMalformed, "%s", decodeMessage(err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fail(keyMalformed, "The request body must contain a single JSON object.")
	}
	p := problems{}
	if id := dst.base().IntegratorID; id == nil || *id == "" {
		p.add(keyIntegrator, "Please provide a valid Integrator ID. integrator_id is required.")
	} else if *id != integratorID {
		p.add(keyIntegrator, "Please provide a valid Integrator ID. %q is not registered for this account.", *id)
	}
	return p, nil
}

func decodeMessage(err error) string {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	var maxErr *http.MaxBytesError
	switch {
	case errors.As(err, &typeErr):
		return fmt.Sprintf("Field %q has the wrong type: got %s, want %s.", typeErr.Field, typeErr.Value, typeErr.Type)
	case errors.As(err, &syntaxErr):
		return fmt.Sprintf("Malformed JSON at byte %d: %v.", syntaxErr.Offset, err)
	case errors.As(err, &maxErr):
		return fmt.Sprintf("The request body is larger than %d bytes.", maxErr.Limit)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "The request body is truncated JSON."
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return fmt.Sprintf("Unknown field %s.", strings.TrimPrefix(err.Error(), "json: unknown field "))
	default:
		return fmt.Sprintf("Invalid JSON body: %v.", err)
	}
}

// amountPattern is a positive-or-zero dollar amount with at most two decimals.
var amountPattern = regexp.MustCompile(`^[0-9]{1,7}(\.[0-9]{1,2})?$`)

// maxAmount is the largest amount the sandbox accepts.
var maxAmount = decimal.RequireFromString("999999.99")

// parseAmount reads a dollar amount sent as a JSON number (19.99) or string ("19.99").
func parseAmount(raw json.RawMessage) (decimal.Decimal, bool) {
	s := strings.TrimSpace(string(raw))
	if unq, err := strconv.Unquote(s); err == nil && strings.HasPrefix(s, `"`) {
		s = strings.TrimSpace(unq)
	}
	if !amountPattern.MatchString(s) {
		return decimal.Decimal{}, false
	}
	d, err := decimal.NewFromString(s)
	if err != nil || d.GreaterThan(maxAmount) {
		return decimal.Decimal{}, false
	}
	return d, true
}

// requireAmount validates a required positive amount, adding a problem when it is not one.
func requireAmount(p problems, raw json.RawMessage, field string) decimal.Decimal {
	if raw == nil {
		p.add(keyAmount, "Please provide a valid Amount. %s is required.", field)
		return decimal.Decimal{}
	}
	return optionalAmount(p, raw, field)
}

// optionalAmount validates an optional positive amount (zero value when absent).
func optionalAmount(p problems, raw json.RawMessage, field string) decimal.Decimal {
	if raw == nil {
		return decimal.Decimal{}
	}
	d, ok := parseAmount(raw)
	if !ok || !d.IsPositive() {
		p.add(keyAmount, "Please provide a valid Amount. %s %s must be a positive dollar amount with at most 2 decimals, at most 999999.99.", field, raw)
		return decimal.Decimal{}
	}
	return d
}

// parseInt reads a non-negative integer sent as a JSON number or a string of digits.
func parseInt(raw json.RawMessage) (int64, bool) {
	s := strings.TrimSpace(string(raw))
	if unq, err := strconv.Unquote(s); err == nil && strings.HasPrefix(s, `"`) {
		s = strings.TrimSpace(unq)
	}
	if s == "" || len(s) > 15 || strings.Trim(s, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// requireTransactionID validates a transaction_id.
func requireTransactionID(p problems, raw json.RawMessage) int64 {
	id, ok := parseInt(raw)
	if raw == nil || !ok || id <= 0 {
		p.add(keyTransactionID, "Please provide a valid Transaction ID.")
		return 0
	}
	return id
}

// money renders as a JSON number with exactly two decimals (10.00), like PayTrace.
type money decimal.Decimal

// MarshalJSON writes the amount as a bare number with two decimals.
func (m money) MarshalJSON() ([]byte, error) { return []byte(decimal.Decimal(m).StringFixed(2)), nil }

// stamp is a point in time as exports show it: PayTrace's merchant-local "at" plus an exact
// UTC instant (a sandbox extension pollers can use as a cursor).
type stamp struct {
	At    string `json:"at"`
	AtUTC string `json:"at_utc"`
}

// Time and date layouts.
const (
	layoutAt   = "1/2/2006 3:04:05 PM" // PayTrace's created.at, merchant time zone
	layoutDate = "01/02/2006"          // request and response dates, MM/DD/YYYY
	layoutKey  = "2006-01-02"          // stored date keys, sortable
)

func (s *Server) stamp(t time.Time) stamp {
	return stamp{At: t.In(s.loc).Format(layoutAt), AtUTC: t.UTC().Format(time.RFC3339Nano)}
}

func (s *Server) stampPtr(t *time.Time) *stamp {
	if t == nil {
		return nil
	}
	st := s.stamp(*t)
	return &st
}

// dateKey is the merchant-local calendar date of t, as stored (YYYY-MM-DD).
func (s *Server) dateKey(t time.Time) string { return t.In(s.loc).Format(layoutKey) }

// parseDate reads an MM/DD/YYYY (or M/D/YYYY) date and returns its stored key.
func parseDate(v string) (string, bool) {
	if len(v) < 8 || len(v) > 10 {
		return "", false
	}
	t, err := time.Parse("1/2/2006", v)
	if err != nil {
		return "", false
	}
	return t.Format(layoutKey), true
}

// keyToDate renders a stored YYYY-MM-DD key as MM/DD/YYYY ("" stays "").
func keyToDate(k string) string {
	t, err := time.Parse(layoutKey, k)
	if err != nil {
		return ""
	}
	return t.Format(layoutDate)
}

// handlerFunc is a JSON handler: it returns the HTTP status and body, or an error.
type handlerFunc func(c *call) (int, any, error)

// writeJSON writes v as the response.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// writeError renders err: a ptError as PayTrace does, anything else as an opaque 500.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var pe *ptError
	if !errors.As(err, &pe) {
		s.logf("paytrace-sandbox: %s %s: internal error: %v", r.Method, r.URL.Path, err)
		pe = &ptError{HTTP: http.StatusInternalServerError, Code: codeError, Message: "An internal error occurred in the PayTrace sandbox."}
	}
	writeJSON(w, pe.HTTP, pe.body())
}
