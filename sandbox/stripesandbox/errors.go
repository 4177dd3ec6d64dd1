package stripesandbox

import (
	"fmt"
	"net/http"
)

// apiError is a Stripe error object plus the HTTP status it is sent with.
type apiError struct {
	Status        int    `json:"-"`
	Type          string `json:"type"`
	Code          string `json:"code,omitempty"`
	DeclineCode   string `json:"decline_code,omitempty"`
	Message       string `json:"message"`
	Param         string `json:"param,omitempty"`
	DocURL        string `json:"doc_url,omitempty"`
	Charge        string `json:"charge,omitempty"`
	PaymentIntent any    `json:"payment_intent,omitempty"`
	PaymentMethod any    `json:"payment_method,omitempty"`
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Type, e.Message) }

func docURL(code string) string {
	if code == "" {
		return ""
	}
	return "https://stripe.com/docs/error-codes/" + code
}

// invalidParam is a 400 invalid_request_error about one parameter.
func invalidParam(param, format string, args ...any) *apiError {
	return &apiError{Status: http.StatusBadRequest, Type: "invalid_request_error",
		Message: fmt.Sprintf(format, args...), Param: param}
}

// invalidParamCode is invalidParam with a Stripe error code.
func invalidParamCode(code, param, format string, args ...any) *apiError {
	e := invalidParam(param, format, args...)
	e.Code = code
	e.DocURL = docURL(code)
	return e
}

// missingParam reports a required parameter that was not sent.
func missingParam(param string) *apiError {
	return invalidParamCode("parameter_missing", param, "Missing required param: %s.", param)
}

// noSuchObject is Stripe's resource_missing error. status is 404 for the object
// in the URL and 400 for an object referenced by a parameter.
func noSuchObject(status int, param, kind, id string) *apiError {
	return &apiError{Status: status, Type: "invalid_request_error", Code: "resource_missing",
		DocURL: docURL("resource_missing"), Param: param,
		Message: fmt.Sprintf("No such %s: '%s'", kind, id)}
}

// humanKind is the noun Stripe uses in "No such …" messages.
func humanKind(objType string) string {
	switch objType {
	case "payment_intent":
		return "payment_intent"
	case "balance_transaction":
		return "balance transaction"
	case "payment_method":
		return "PaymentMethod"
	case "webhook_endpoint":
		return "webhook endpoint"
	case "tax_rate":
		return "tax rate"
	case "invoiceitem":
		return "invoiceitem"
	case "test_helpers.test_clock":
		return "test clock"
	case "credit_note":
		return "credit note"
	}
	return objType
}

func internalError(err error) *apiError {
	return &apiError{Status: http.StatusInternalServerError, Type: "api_error",
		Message: "An unknown error occurred (sandbox: " + err.Error() + ")"}
}
