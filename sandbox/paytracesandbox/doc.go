// Package paytracesandbox is a stateful, persistent stand-in for the PayTrace v1 JSON API,
// strict like the real one and in its wire format, so a client tested here behaves the
// same against api.paytrace.com. State lives in one SQLite file and survives restarts.
// Card numbers are checked and thrown away: only masked numbers ("xxxxxxxxxxxx1111"),
// brand and expiry are stored or returned; CSCs are never stored.
//
// # Wire format
//
// Every endpoint is a POST. /oauth/token takes a form body; /v1/* take a JSON object and
// "Authorization: Bearer <access_token>". Every /v1 body must carry "integrator_id".
// Responses are JSON. Failures are success false with a response_code and, for most, an
// errors map {"<key>":["message"]}; they are answered HTTP 400 (declines too), so clients
// must parse the body whatever the status. Decide on success, not on response_code:
// exports answer response_code 1 with "Your request has been successfully completed.",
// errors answer response_code 1 with "One or more errors has occurred.".
//
// Unknown fields, wrong JSON types, trailing data and non-JSON content types are refused
// (key 1), so a typo never silently drops data. "username" and "password" in a /v1 body
// (ActiveMerchant repeats them) are accepted and ignored. Amounts are dollars with at most
// two decimals, sent as a JSON number (19.99) or string ("19.99"), answered as JSON numbers
// with two decimals (19.99, 10.00). transaction_id is an increasing integer (the first is
// 100000001); it is accepted as a number or a string of digits. Dates are MM/DD/YYYY (or
// M/D/YYYY) in the merchant time zone (Config.TimeZone, default America/Los_Angeles,
// PayTrace's own).
//
// # OAuth
//
//	POST /oauth/token  grant_type=password&username=…&password=…
//	  200 {"access_token":"…","token_type":"Bearer","expires_in":7200,"created_at":<unix>}
//	  401 {"error":"invalid_grant","error_description":"The provided authorization grant is invalid, …"}
//	  400 {"error":"invalid_request",…} (no grant_type, not a form) or "unsupported_grant_type"
//
// Tokens live Config.TokenTTL (default 2h) and survive restarts (only their SHA-256 is
// stored). A /v1 call without a valid token gets 401
// {"error":"invalid_token","error_description":"The access token is invalid"} ("The access
// token expired" once expired) with a WWW-Authenticate header: re-authenticate and retry.
//
// # Transactions (/v1/transactions/…)
//
//	sale/keyed, authorization/keyed
//	  amount, credit_card{number, expiration_month, expiration_year}, csc, billing_address,
//	  shipping_address, invoice_number (≤50), description (≤255), email, tax_amount,
//	  customer_reference_id (≤25), discretionary_data {string: string}, line_items[]
//	sale/by_customer, authorization/by_customer
//	  customer_id, amount, csc, and the same descriptive fields; the profile's card, billing
//	  address and (unless sent) email and shipping address are used
//	  → 200 {"success":true,"response_code":101,"status_message":"Your transaction was successfully approved.",
//	        "transaction_id":100000001,"approval_code":"TAS001","approval_message":"  EXACT MATCH - Approved and completed",
//	        "avs_response":"Full Exact Match","csc_response":"Match","external_transaction_id":"",
//	        "masked_card_number":"xxxxxxxxxxxx1111"}
//	  → 400 the same fields with success false, response_code 102, "Your transaction was not approved.",
//	        approval_code "" and approval_message "    DECLINE - Do not honor", "    NSF - Insufficient funds"
//	        or "  EXPIRED CARD - Expired card" (declines are stored and exported with status Declined)
//	authorization/capture  transaction_id, amount (optional, ≤ authorized; the rest is released)
//	  → 200 {"success":true,"response_code":112,"status_message":"Your transaction was successfully captured.",
//	        "transaction_id":N,"external_transaction_id":""}; once only
//	refund/for_transaction  transaction_id, amount (optional: what is left)
//	  → 200 {"success":true,"response_code":106,"status_message":"Your transaction successfully refunded.",
//	        "transaction_id":<the new refund's ID>,"external_transaction_id":""}
//	  Only settled sales and captured authorizations, as often as wanted, never above the
//	  captured amount minus earlier unvoided refunds.
//	refund/keyed  amount, credit_card, csc, billing_address, invoice_number, description, email
//	void  transaction_id → 200 {"success":true,"response_code":109,"status_message":"Your transaction was successfully voided.","transaction_id":N}
//	  Any unsettled sale, authorization (captured or not) or refund; voiding a refund gives
//	  its amount back to the original.
//
// AVS: billing zip and street_address → "Full Exact Match", zip only → "Zip Match", none
// or zip 99999 → "No Match". csc_response is "Match" when a csc was sent, else "".
//
// Level 3 (/v1/level_three/visa, /v1/level_three/mastercard): transaction_id, line_items,
// tax_amount, customer_reference_id, shipping_address (stored), invoice_id,
// national_tax_amount, merchant_tax_id, customer_tax_id, commodity_code, discount_amount,
// freight_amount, duty_amount, additional_tax_amount, additional_tax_rate, source_address
// (validated, not stored) → 200 response_code 170 "Visa/MasterCard enhanced data was
// successfully added to Transaction ID N. K line item records were created." Only approved,
// unsettled sales and authorizations of the endpoint's brand. A line item is
// {product_id (≤12), description (required, ≤35), quantity (>0, ≤4 decimals),
// unit_of_measure (≤12), unit_cost (≥0, ≤4 decimals), amount, discount_amount,
// additional_tax_amount, additional_tax_rate, commodity_code (≤12)}; amount, when sent,
// must equal round(quantity × unit_cost, 2) half up, and is computed when omitted. Sales and
// authorizations accept the same line_items directly.
//
// # Test cards and amounts
//
//	4111111111111111 Visa, 5454545454545454 Mastercard, 4012000098765439 Visa,
//	378282246310005 Amex, 6011111111111117 Discover  approve (so does any other Luhn-valid
//	                                                   Visa, Mastercard, Amex or Discover)
//	4000000000000002  declines 102 "    DECLINE - Do not honor"
//	4000000000009995  declines 102 "    NSF - Insufficient funds"
//	amount 1.12       declines 102 insufficient funds, on any card
//	amount 1.13       declines 102 do not honor, on any card
//	expiry in the past  declines 102 "  EXPIRED CARD - Expired card"
//	a Luhn-invalid or other-brand number  → response_code 1, errors{"35"}
//
// A customer profile made with a decline card declines the same way.
//
// # Statuses and exports
//
// transaction_type is SALE, AUTHORIZATION or REFUND. status is one of Authorized
// (uncaptured), Pending Settlement, Settled, Partially Refunded and Refunded (settled, with
// refunds against it), Voided, Declined.
//
//	transactions/export/by_id  transaction_id
//	transactions/export/by_date_range  start_date, end_date (inclusive), transaction_type,
//	    customer_id, transaction_id, including_text (matches invoice_number, description,
//	    email, customer_id, customer_reference_id, billing name), include_bin (accepted; the
//	    sandbox never has the BIN), date_type, after_transaction_id
//	  → 200 {"success":true,"response_code":1,"status_message":"Your request has been successfully completed.",
//	        "transactions":[…],"has_more":false}
//
// The transaction_type filter takes SALE, AUTHORIZATION, REFUND (each without declines),
// VOID (voided), SETTLED (in a batch), PENDING (pending settlement), DECLINED and STR/FWD
// (matches nothing); case-insensitive. Results are by ascending transaction_id, at most
// Config.ExportLimit (default 1000) per response; has_more true means the cap cut the list:
// ask again with after_transaction_id = the last transaction_id returned (a sandbox
// extension, like has_more; PayTrace's own cap is undocumented). date_type (extension)
// "transaction" (default, PayTrace's behaviour) matches the transaction date; "updated"
// matches the date of the last change (see Polling).
//
// An exported transaction has: transaction_id, transaction_type, status, response_code,
// status_message, approval_code, approval_message, avs_response, csc_response,
// payment_method_type ("CC"), amount, authorized_amount (0 for declines), captured_amount (the
// amount that settles; 0 until an authorization is captured), refunded_amount (unvoided
// refunds against it), tax_amount, original_transaction_id (refunds of a transaction),
// refund_transaction_ids, invoice_number, description, customer_id, customer_reference_id,
// email, credit_card{masked_number, type (VISA, MASTERCARD, AMEX, DISCOVER),
// expiration_month, expiration_year}, billing_address{name, street_address,
// street_address2, city, state, zip, country}, shipping_address, line_items,
// discretionary_data, created{through ("API Keyed", "API Customer", "API Refund"), by (the
// API user), at ("3/10/2026 10:00:00 AM", merchant time), at_utc (RFC 3339, exact)},
// updated{at, at_utc} (the last change), captured{…} and voided{…} when they happened,
// settled ("MM/DD/YYYY" or "") and batch_number (0 until settled).
//
// # Polling
//
// PayTrace has no webhooks; ledgerbridge polls. A transaction's later changes (capture,
// void, settlement, refunds against it) do not change its transaction date, so a poller
// that must also work against the real API: (1) asks by_date_range from the merchant-local
// date of its previous poll minus one day (the overlap absorbs clock skew and the day
// boundary) to today, and dedupes on (transaction_id, updated.at_utc); (2) re-fetches with
// export/by_id every transaction it saw Authorized or Pending Settlement until it is
// Settled, Voided or Declined (voids only happen before settlement, captures only to
// Authorized ones); (3) asks batches/export for each settled date since its last batch and
// batches/transaction_list for each new batch. Refunds are new transactions carrying
// original_transaction_id, so (1) finds them. Against the sandbox, date_type "updated"
// finds every change by the date it happened (every change, settlement included, moves
// updated), with the same one-day overlap and dedupe key.
//
// # Batches (settlement)
//
//	batches/export  start_date, end_date (settled dates, inclusive) → {…,"batches":[…]}
//	batches/export_one  batch_number (omitted: the latest batch) → {…,"batch":{…}}
//	batches/transaction_list  batch_number, after_transaction_id → {…,"batch_number":N,"transactions":[…],"has_more":…}
//
// A batch is {batch_number (1, 2, …), settled (MM/DD/YYYY), created{at, at_utc},
// transaction_count, sales_count, sales_amount, refund_count, refund_amount, fee_amount,
// net_amount, card_types[{type, sales_count, sales_amount, refund_count, refund_amount}]}.
// Batches close only through POST /_sandbox/settle (the processor's nightly close): every
// sale, captured authorization and refund that became pending settlement before the end of
// the batch's date goes in; uncaptured authorizations, voids and declines never do. The fee
// is Config.Pricing per sale (default "2.9%+0.30": 2.9% of the captured amount plus $0.30,
// rounded half up to the cent per sale); refunds carry no fee and return none; net_amount (the
// net deposit) = sales_amount − refund_amount − fee_amount.
//
// # Customer profiles (/v1/customer/…)
//
//	create  customer_id (merchant-chosen, 1-50 of A-Z a-z 0-9 _ . @ -), credit_card and/or
//	        check{account_number, routing_number (ABA checksum)}, billing_address,
//	        shipping_address, email, phone, fax
//	  → 200 {"success":true,"response_code":160,"status_message":"The customer profile for ID/Name was successfully created",
//	        "customer_id":"ID","masked_card_number":"xxxxxxxxxxxx1111"}
//	  → 400 errors{"171":["Please provide a unique customer ID."]} (with masked_card_number) when taken
//	update  customer_id, new_customer_id (rename), and any create field to replace → 161
//	delete  customer_id → 162 "… was successfully deleted" (its transactions keep the ID)
//	export  customer_id, email, after_customer_id (extension) → {…,"customers":[{customer_id,
//	        credit_card{masked_number, type, expiration_month, expiration_year},
//	        check{masked_account_number, routing_number}, billing_address, shipping_address,
//	        email, phone, fax, created{…}, updated{…}}],"has_more":…}, by customer_id, capped
//	        like transaction exports
//
// An unknown customer_id is errors{"30":["Customer ID, X, was not found or is incomplete."]}.
//
// # Error keys
//
// PayTrace's (seen in real responses): 30 customer not found, 35 card number, 43 expiration
// month, 44 expiration year, 45 check account, 46 routing number, 58 transaction ID missing
// or unknown, 171 duplicate customer ID. 817 (refund of an unsettled transaction: void it)
// and 818 (void of a settled one: refund it) follow public client code. The sandbox's own:
// 1 malformed body, 8 integrator_id missing or wrong, 31 customer_id malformed, 39 csc, 40
// amount or tax_amount, 50 address field too long (50; state 30, zip 10), 51 email, 52 text
// too long, 70 line item, 90 start_date, 91 end_date, 92 transaction_type, 93 batch_number,
// 94 paging or date_type, 819 already voided, 820 refund above what is left, 821 wrong type
// or state for the operation, 822 already captured, 823 capture above the authorization,
// 824 profile has no card. Failed captures answer response_code 113 ("Your transaction was
// not successfully captured."), refunds 107, voids 110, each with transaction_id and one of
// the keys above; unknown IDs answer response_code 1 with key 58.
//
// # Notifications (a project extension)
//
// The real PayTrace sends no webhooks. With Config.NotifyURL set, the sandbox POSTs
// {"event":"transaction.success","id":"ntf_…","transaction_id":N,"created":<unix>} with
// header X-PayTrace-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")> (secret
// Config.NotifySecret, default ptwhsec_ledgerbridge_dev; see Sign and Verify). Events:
// transaction.success (a sale, authorization or refund approved; declines send nothing),
// transaction.updated (captured, voided, refunded against, settled: then batch_number is
// set too) and batch.settled ({"batch_number":N}, no transaction_id). They carry IDs only:
// fetch the transaction with export/by_id. Deliveries are queued in SQLite with the change
// that caused them, sent at most four at a time, retried on non-2xx or network errors after
// 1s, 2s, 4s … (capped at 60s; Config.NotifyRetryBase scales them) for 12 attempts, then
// marked failed; pending ones resume after a restart (at least once, maybe out of order).
//
// # Admin endpoints (HTTP Basic with the sandbox user and password, or a valid bearer token)
//
//	GET    /healthz                          liveness, no auth
//	PUT    /_sandbox/faults                  {"latency_ms","response_delay_ms","error_rate","error_status",
//	                                          "rate_limit_rate","retry_after_s","outage_seconds","path_prefix",
//	                                          "expire_tokens":true}
//	GET    /_sandbox/faults, DELETE /_sandbox/faults (clear)
//	GET    /_sandbox/stats                   {"since","requests","responses":{"200":3},"faults":{…},"stored":{…}}
//	POST   /_sandbox/stats/reset
//	POST   /_sandbox/settle                  {"date":"MM/DD/YYYY"} (optional; default today) → {"batch":{…}|null,"transaction_ids":[…]}
//	GET    /_sandbox/notifications           ?state=pending|succeeded|failed&notification_id=&limit= → knobs and deliveries
//	POST   /_sandbox/notifications           {"paused":bool,"duplicates":N} (partial bodies change only named knobs)
//	POST   /_sandbox/notifications/{id}/redeliver
//
// Faults apply to /oauth/token and /v1 (never to /_sandbox): error_rate answers
// error_status (5xx, default 503) before doing anything, rate_limit_rate answers 429 with
// Retry-After: retry_after_s (default 1), outage_seconds answers 503 with the remaining
// seconds as Retry-After, latency_ms waits before handling, response_delay_ms waits after
// the write committed (the crash window), path_prefix limits them; expire_tokens makes
// every token issued so far expired at once. Faults and knobs live in memory (a restart is
// healthy and unpaused); random choices use Config.Seed.
package paytracesandbox
