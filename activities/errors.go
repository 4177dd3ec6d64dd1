package activities

// Application error types. Workflows and retry policies match on these names, and operators see
// them in Temporal Web UI, so they are part of the public contract: do not rename.
const (
	// ErrValidation: the data cannot be posted as is (ERP rejected it, or a mapping is missing).
	// Non-retryable; the workflow parks the run for an operator.
	ErrValidation = "ValidationError"
	// ErrERPUnavailable: network error, timeout, 5xx or 429 from the ERP. Retried with backoff,
	// honouring Retry-After.
	ErrERPUnavailable = "ErpUnavailable"
	// ErrERPAuth: the ERP rejected our credentials (401/403). Non-retryable: the run parks with
	// "credentials rejected" and alerts; retry resumes it once the key is fixed.
	ErrERPAuth = "ErpAuthError"
	// ErrStripeAuth: Stripe rejected our key (401/403). Non-retryable, like ErrERPAuth.
	ErrStripeAuth = "StripeAuthError"
	// ErrPayTrace: PayTrace refused a request (unknown transaction, invalid data). Non-retryable.
	ErrPayTrace = "PayTraceError"
	// ErrPayTraceUnavailable: network error, 5xx or 429 from PayTrace. Retried, honouring Retry-After.
	ErrPayTraceUnavailable = "PayTraceUnavailable"
	// ErrPayTraceAuth: PayTrace rejected our credentials. Non-retryable, like ErrERPAuth.
	ErrPayTraceAuth = "PayTraceAuthError"
	// ErrStripe: Stripe rejected a request permanently (missing object, invalid parameters).
	// Non-retryable; the run parks.
	ErrStripe = "StripeError"
)
