// Package stripesandbox is a stateful, persistent stand-in for the Stripe API
// in test mode, strict enough that the real stripe-go v76 client works
// against it unchanged and code tested here behaves the same against Stripe.
//
// # Wire format
//
// Requests are form-encoded with Stripe's bracket nesting (metadata[k]=v,
// address[line1]=…, expand[]=customer or expand[0]=customer); responses are
// Stripe JSON objects, errors are {"error":{type,code,message,param,…}} with
// Stripe's status codes (400, 401, 402 card_error, 404 resource_missing, 429).
// Every response carries a Request-Id header. POSTs honour Idempotency-Key:
// the first executed result (including card errors and 5xx) is stored in
// SQLite and replayed with "Idempotent-Replayed: true"; reusing a key with
// different parameters is a 400 idempotency_error. Validation failures are
// not stored. Lists are newest first with limit (1-100, default 10),
// starting_after, ending_before and created[gt|gte|lt|lte].
//
// # Resources
//
// Customers, PaymentIntents (automatic capture; confirm), PaymentMethods
// (GET; created from test tokens), Charges, BalanceTransactions (fee 2.9% +
// 30 in two-decimal currencies, 3.6% in zero-decimal ones, 2.9% + 300
// rounded to tens in three-decimal ones), Events (api_version 2023-10-16)
// and WebhookEndpoints. Test tokens: pm_card_visa, pm_card_visa_debit,
// pm_card_mastercard, pm_card_amex, pm_card_discover, pm_card_jcb,
// pm_card_gb succeed; pm_card_chargeDeclined, …InsufficientFunds,
// …Fraudulent, …LostCard, …ExpiredCard and …ProcessingError are declined
// with a 402 card_error, a failed charge, charge.failed and
// payment_intent.payment_failed.
//
// # Webhooks
//
// Every event is queued (table deliveries) for each enabled endpoint whose
// enabled_events matches ("*" = all) and POSTed with a Stripe-Signature
// header that stripe-go's webhook.ConstructEvent accepts. Non-2xx answers and
// network errors are retried after 1s, 2s, 4s … (capped at 60s) for up to 12
// attempts, then the delivery is marked failed. At most 4 deliveries are in
// flight; the queue survives restarts (at-least-once).
//
// # Admin endpoints (JSON, same Bearer API key)
//
//	GET  /_sandbox/delivery            current knobs
//	POST /_sandbox/delivery            {"duplicates":N,"reorder":bool,"paused":bool}
//	                                   (partial bodies change only named knobs)
//	    duplicates  queue every new event N extra times per endpoint (0-10)
//	    reorder     hold new deliveries ~300ms, then send each batch shuffled
//	    paused      keep queueing, send nothing until unpaused
//	GET  /_sandbox/deliveries?event=evt_…&endpoint=we_…&state=pending|succeeded|failed|canceled&limit=N
//	                                   deliveries, newest first, each with its
//	                                   attempt history (status codes, errors)
//	POST /_sandbox/events/{id}/redeliver[?endpoint=we_…]
//	                                   queue the event again (like "Resend")
//	GET  /_sandbox/faults              pending injected faults
//	POST /_sandbox/faults              {"rate_limit":N,"server_error":M}: the
//	                                   next N API requests get 429 rate_limit
//	                                   (Retry-After: 1), then M get 500
//	GET  /healthz                      liveness, no auth
//
// Knobs and faults are kept in memory and reset on restart.
package stripesandbox
