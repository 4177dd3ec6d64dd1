// Package paytrace is ledgerbridge's client for PayTrace's v1 JSON API (api.paytrace.com),
// tested against the local sandbox (sandbox/paytracesandbox), which speaks the same wire
// format. Activities use it to re-fetch transactions, poll exports and batches, sync customer
// profiles with the ERP and, in demos and tests, make payments.
//
// # Authentication
//
// The client takes a token with the OAuth password grant (POST /oauth/token, form body) and
// caches it until a tenth of its expires_in (at most a minute) before it runs out. A /v1
// call answered invalid_token (expired, revoked, forced out) gets a fresh token and is sent
// once more, transparently, as ActiveMerchant does; a request refused that way was never
// processed, so repeating it is safe. A fresh token can itself be expired or rotated out
// before its first use, so this is repeated up to three times before the call fails.
// Concurrent callers share one token request: the first starts it (detached from its
// context, bounded by 30 s) and the others wait for it.
// integrator_id is added to every /v1 body.
//
// # Errors, and how an activity maps them
//
//   - *TransientError (network error, timeout, 408, 429, 5xx, undecodable success body):
//     retry with backoff, at least RetryAfter later (temporal.ApplicationErrorOptions
//     NextRetryDelay). For a money-moving call the effect may have happened: find the
//     transaction (ExportTransactions with IncludingText = the invoice number) before
//     sending it again, since v1 has no idempotency keys.
//   - *AuthError (invalid_grant, invalid_token again after three fresh tokens, 401/403, key 981):
//     an operator must fix credentials or permissions; retry slowly and alert (the ERP
//     connectors' AuthError convention), or park with NeedsAttention.
//   - *APIError (success false with errors{key:[messages]}): PayTrace refused the data; not
//     retryable. Park, except where the key names the fix: 817 (refund of an unsettled
//     transaction: void instead), 818 (void of a settled one: refund instead), 171 (the
//     customer ID exists: update instead). errors.Is(err, ErrNotFound) marks a lookup of an
//     unknown transaction, customer or batch.
//   - *DeclinedError (payment calls only, response_code 102/103): a business outcome, not a
//     fault. The call returns the *TransactionResult too (Success false, with the stored
//     decline's transaction ID). Never retry it. Exports list declines with status
//     "Declined" and no error.
//   - ErrInvalidInput (wrapped): an argument the client refuses to send (an amount with
//     more than two decimals, a non-positive ID); not retryable.
//   - A cancelled or expired ctx is returned wrapped (context.Canceled /
//     DeadlineExceeded), not as a PayTrace fault.
//
// The body is parsed whatever the HTTP status (PayTrace answers errors and declines with 400
// and JSON); success decides, not the status or response_code (exports succeed with
// response_code 1, errors fail with it).
//
// # Card data
//
// CreditCard.Number, KeyedSale.CSC and Check.AccountNumber go to PayTrace and nowhere else:
// they are excluded from JSON (json:"-"), printed and logged masked (String, GoString,
// LogValue), and errors carry only the endpoint, status, response code, keys and server
// messages (passed through redact.Text in case a server echoes a number). Requests carrying
// them must not be activity inputs (they would sit in workflow history); activities keep
// processor IDs, customer IDs and masked numbers only.
//
// # Real API and sandbox
//
// Amounts are sent as strings with two decimals ("12.34") and read exactly from numbers or
// strings. Dates are sent as MM/DD/YYYY in the merchant time zone (Config.Location, default
// America/Los_Angeles, PayTrace's); a time.Time argument is rendered as the merchant-local
// calendar date of that instant. Exported instants are read from at_utc when the server has
// it (the sandbox does) and otherwise from the merchant-local "3/10/2026 10:00:00 AM" of
// the real API. PayTrace has one currency: Transaction.Currency is "USD" unless an answer
// names one.
//
// Sandbox extensions, sent only when the caller sets them, so that zero-valued queries are
// valid against the real API: ExportQuery.DateType ("updated") and AfterTransactionID,
// CustomerQuery.AfterCustomerID, and the has_more flag (paging past the sandbox's export
// cap). The real API's cap is undocumented and it has no has_more: against it, more is
// always false and a long window should be split into shorter ones. BatchTransactions
// follows has_more itself. Batch numbers are strings here (the sandbox's are integers; the
// real format is unverified). Error keys 30, 35, 58, 171 and 981 are PayTrace's; 93
// (unknown batch), 817 and 818 follow the sandbox and public client code.
package paytrace
