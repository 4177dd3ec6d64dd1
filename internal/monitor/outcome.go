package monitor

import (
	"context"
	"errors"
	"net"
	"net/url"

	"github.com/stripe/stripe-go/v76"

	"github.com/ledgerbridge/ledgerbridge/internal/erp"
	"github.com/ledgerbridge/ledgerbridge/internal/stripeapi"
)

// Outcome is the class of a call's result: the "outcome" label of
// ledgerbridge_external_calls_total. Only Transient feeds an outage and only OK ends one.
type Outcome string

// Outcomes.
const (
	// OK is a call that succeeded.
	OK Outcome = "ok"
	// Validation is the system rejecting the request (ERP validation error, Stripe 4xx other
	// than 401/403/409/429): retrying it cannot help.
	Validation Outcome = "validation"
	// Transient is a failure worth retrying: network error, timeout, 5xx, 429, 409 lock.
	Transient Outcome = "transient"
	// Auth is a rejected credential (401/403).
	Auth Outcome = "auth"
	// Canceled is a call abandoned by its caller (context canceled, or the rate limiter could
	// not grant it before the context ended).
	Canceled Outcome = "canceled"
	// Other is any error the classifier does not know.
	Other Outcome = "other"
)

// Classifier maps a non-nil error to its Outcome.
type Classifier func(err error) Outcome

// ClassifyERP classifies an ERP connector's error by the erp error types.
func ClassifyERP(err error) Outcome {
	var (
		v *erp.ValidationError
		t *erp.TransientError
		a *erp.AuthError
	)
	switch {
	case err == nil:
		return OK
	case errors.Is(err, context.Canceled):
		return Canceled
	case errors.Is(err, context.DeadlineExceeded):
		return Transient
	case errors.As(err, &a):
		return Auth
	case errors.As(err, &v):
		return Validation
	case errors.As(err, &t):
		return Transient
	}
	return Other
}

// ClassifyStripe classifies a Stripe client's error: a rejected key is Auth, an error that
// stripeapi.Permanent says cannot succeed is Validation, and everything else (network error,
// 429, 409, 5xx) is Transient.
func ClassifyStripe(err error) Outcome {
	switch {
	case err == nil:
		return OK
	case errors.Is(err, context.Canceled):
		return Canceled
	case stripeapi.CredentialsRejected(err):
		return Auth
	case stripeapi.Permanent(err):
		return Validation
	}
	return Transient
}

// Classify is the classifier of Do and Call for systems without their own: context errors, the
// erp error types, Stripe errors, network errors (*url.Error, net.Error) as Transient, and
// anything else as Other.
func Classify(err error) Outcome {
	if o := ClassifyERP(err); o != Other {
		return o
	}
	var (
		se *stripe.Error
		ue *url.Error
		ne net.Error
	)
	switch {
	case errors.As(err, &se):
		return ClassifyStripe(err)
	case errors.As(err, &ue), errors.As(err, &ne):
		return Transient
	}
	return Other
}
