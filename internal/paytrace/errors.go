package paytrace

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ledgerbridge/ledgerbridge/internal/redact"
)

// ErrNotFound is matched (errors.Is) by the *APIError of a lookup whose object does not
// exist: ExportTransaction, Capture, RefundTransaction and Void of an unknown transaction ID
// (key 58), Customer of an unknown customer ID (key 30) and Batch of an unknown batch number
// (key 93). errors.As still finds the *APIError with its keys and messages.
var ErrNotFound = errors.New("paytrace: not found")

// ErrInvalidInput is returned, wrapped, before any request is sent when an argument cannot be
// sent faithfully (an amount with more than two decimals, a non-positive ID, an end date before
// the start date). Retrying the same call cannot succeed.
var ErrInvalidInput = errors.New("paytrace: invalid input")

// Error keys of PayTrace's errors{} map that callers act on.
const (
	// KeyCustomerNotFound is "Customer ID, X, was not found or is incomplete."
	KeyCustomerNotFound = 30
	// KeyCardNumber is an invalid card number.
	KeyCardNumber = 35
	// KeyTransactionID is a missing or unknown transaction ID.
	KeyTransactionID = 58
	// KeyBatchNumber is a malformed or unknown batch number (the sandbox's key).
	KeyBatchNumber = 93
	// KeyDuplicateCustomer is "Please provide a unique customer ID."
	KeyDuplicateCustomer = 171
	// KeyNotSettled is a refund of an unsettled transaction: void it instead.
	KeyNotSettled = 817
	// KeySettled is a void of a settled transaction: refund it instead.
	KeySettled = 818
	// KeyInsufficientPermissions is an API user without the right to this call; it is
	// reported as an *AuthError.
	KeyInsufficientPermissions = 981
)

// TransientError is a failure worth retrying with backoff: a network error, a timeout, an
// HTTP 5xx, a 429, a 408 or an undecodable success body. A money-moving call (sale,
// authorization, capture, refund, void) that fails this way may still have been processed:
// look the transaction up before sending it again.
type TransientError struct {
	// Endpoint is the path called ("/v1/transactions/sale/keyed").
	Endpoint string
	// Status is the HTTP status; 0 for network errors.
	Status int
	// RetryAfter is the delay the server asked for (Retry-After seconds or HTTP date), zero
	// if none.
	RetryAfter time.Duration
	// Message describes the failure; it never contains request data.
	Message string
	// Err is the underlying network error, if any.
	Err error
}

// Error names the endpoint, the status and the server's message.
func (e *TransientError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "paytrace: %s unavailable", e.Endpoint)
	if e.Status != 0 {
		fmt.Fprintf(&b, " (HTTP %d)", e.Status)
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, ", retry after %s", e.RetryAfter)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	return b.String()
}

// Unwrap returns the underlying network error.
func (e *TransientError) Unwrap() error { return e.Err }

// AuthError is a rejected credential or permission: invalid_grant from /oauth/token (wrong
// user or password), any other OAuth error, invalid_token again after three fresh tokens
// in a row, HTTP 401/403, or error key 981 (insufficient permissions). An operator has to
// fix the configuration; a retry after that succeeds.
type AuthError struct {
	// Endpoint is the path called.
	Endpoint string
	// Status is the HTTP status.
	Status int
	// Code is the OAuth error ("invalid_grant", "invalid_token"), empty for key 981.
	Code string
	// Keys are the PayTrace error keys (981), sorted.
	Keys []int
	// Message is the server's description.
	Message string
}

// Error names the endpoint, the OAuth code or keys and the server's description.
func (e *AuthError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "paytrace: %s: authentication failed (HTTP %d)", e.Endpoint, e.Status)
	if e.Code != "" {
		b.WriteString(" " + e.Code)
	}
	if len(e.Keys) > 0 {
		b.WriteString(" keys " + joinKeys(e.Keys))
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	return b.String()
}

// APIError is PayTrace refusing a request: success false with a response code, a status
// message and usually an errors{} map of keys to messages. Sending the same request again
// cannot succeed.
type APIError struct {
	// Endpoint is the path called.
	Endpoint string
	// Status is the HTTP status (PayTrace answers errors with 400).
	Status int
	// ResponseCode is PayTrace's response_code (1 for validation errors, 107 failed refund,
	// 110 failed void, 113 failed capture).
	ResponseCode int
	// StatusMessage is PayTrace's status_message.
	StatusMessage string
	// TransactionID is the transaction the failed operation was about, when answered.
	TransactionID int64
	// Keys are the keys of errors{}, sorted.
	Keys []int
	// Messages are the messages of errors{}, in key order.
	Messages []string
	// Errors is errors{} by key.
	Errors map[int][]string

	notFound bool
}

// Error lists the endpoint, the response code, the keys and their messages.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "paytrace: %s: response_code %d", e.Endpoint, e.ResponseCode)
	if e.Status != 0 {
		fmt.Fprintf(&b, " (HTTP %d)", e.Status)
	}
	if e.StatusMessage != "" {
		b.WriteString(": " + e.StatusMessage)
	}
	if len(e.Keys) > 0 {
		parts := make([]string, 0, len(e.Keys))
		for _, k := range e.Keys {
			parts = append(parts, strconv.Itoa(k)+": "+strings.Join(e.Errors[k], " "))
		}
		b.WriteString(" [" + strings.Join(parts, "; ") + "]")
	}
	return b.String()
}

// HasKey reports whether errors{} holds key.
func (e *APIError) HasKey(key int) bool {
	_, ok := e.Errors[key]
	return ok
}

// Is makes errors.Is(err, ErrNotFound) true for a lookup of an object that does not exist.
func (e *APIError) Is(target error) bool { return target == ErrNotFound && e.notFound }

// DeclinedError is a sale or authorization the issuer did not approve (response_code 102,
// or 103 auto-voided). It is a business outcome, not a fault: the call also returns the
// *TransactionResult (Success false, with its transaction ID). PayTrace stores the decline;
// exports show it with status "Declined" and never report it as an error.
type DeclinedError struct {
	// Endpoint is the path called.
	Endpoint string
	// TransactionID is the declined transaction's ID.
	TransactionID int64
	// ResponseCode is 102 (declined) or 103 (auto-voided).
	ResponseCode int
	// StatusMessage is "Your transaction was not approved."
	StatusMessage string
	// ApprovalMessage is the issuer's reason ("    DECLINE - Do not honor").
	ApprovalMessage string
}

// Error names the transaction, the response code and the issuer's reason.
func (e *DeclinedError) Error() string {
	msg := fmt.Sprintf("paytrace: %s: transaction %d declined (response_code %d): %s", e.Endpoint,
		e.TransactionID, e.ResponseCode, e.StatusMessage)
	if r := strings.TrimSpace(e.ApprovalMessage); r != "" {
		msg += " " + r
	}
	return msg
}

// newAPIError builds an APIError from a decoded failure body. Messages pass through
// redact.Text: the client never repeats a card number, even one a server echoed.
func newAPIError(endpoint string, status int, env *envelope) *APIError {
	e := &APIError{Endpoint: endpoint, Status: status, ResponseCode: env.ResponseCode,
		StatusMessage: redact.Text(env.StatusMessage), TransactionID: int64(env.TransactionID),
		Errors: map[int][]string{}}
	e.Keys = make([]int, 0, len(env.Errors))
	for k, msgs := range env.Errors {
		n, err := strconv.Atoi(strings.TrimSpace(k))
		if err != nil {
			n = -1 // a non-numeric key: kept under -1 so its message is not lost
		}
		if _, seen := e.Errors[n]; !seen {
			e.Keys = append(e.Keys, n)
		}
		for _, m := range msgs {
			e.Errors[n] = append(e.Errors[n], redact.Text(m))
		}
	}
	sort.Ints(e.Keys)
	for _, k := range e.Keys {
		e.Messages = append(e.Messages, e.Errors[k]...)
	}
	return e
}

func joinKeys(keys []int) string {
	s := make([]string, len(keys))
	for i, k := range keys {
		s[i] = strconv.Itoa(k)
	}
	return strings.Join(s, ",")
}
