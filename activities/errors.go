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
	// ErrERPAuth: the ERP rejected our credentials. Retried (an operator fixes the key) and alerted.
	ErrERPAuth = "ErpAuthError"
	// ErrStripe: Stripe rejected a request permanently (missing object, invalid parameters).
	// Non-retryable; the run parks.
	ErrStripe = "StripeError"
)
