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
// Customers, PaymentIntents (automatic or manual capture; confirm,
// capture, cancel), PaymentMethods (GET, list by customer, attach, detach;
// created from test tokens), Charges (capture), BalanceTransactions (fee
// 2.9% + 30 in two-decimal currencies, 3.6% in zero-decimal ones, 2.9% +
// 300 rounded to tens in three-decimal ones), Refunds, Disputes, Payouts,
// Balance, Products, Prices, TaxRates, Coupons (Discounts), InvoiceItems,
// Invoices (and their lines), Subscriptions, CreditNotes (and their lines),
// TestHelpers TestClocks, Events (api_version 2023-10-16) and
// WebhookEndpoints; each section below lists its endpoints. Test tokens:
// pm_card_visa, pm_card_visa_debit, pm_card_mastercard, pm_card_amex,
// pm_card_discover, pm_card_jcb, pm_card_gb succeed; pm_card_chargeDeclined,
// …InsufficientFunds, …Fraudulent, …LostCard, …ExpiredCard and
// …ProcessingError are declined with a 402 card_error, a failed charge,
// charge.failed and payment_intent.payment_failed (and cannot be attached
// to a customer); pm_card_chargeCustomerFail attaches and then declines.
//
// Expansion follows IDs (expand[]=invoice on a charge, latest_invoice on a
// subscription, refund on a credit note, discounts…) and goes through
// embedded objects and lists: expand[]=lines.data.price.product on an
// invoice, data.price.product on GET /v1/invoices/{id}/lines.
//
// Where the sandbox knowingly differs from Stripe: objects of a test clock
// carry its frozen time but events carry the server's; a clock advance
// finishes inside its request (the answer still says advancing) and has no
// limit of two intervals (at most 500 renewals per advance); invoices are
// finalized and charged as they are created (no hour of grace), failed
// payments are never retried and drafts are never finalized automatically;
// subscriptions have no trials, billing thresholds, schedules, pending
// updates or interval changes, and an incomplete one never expires;
// credit_amount moves the customer's balance without a customer balance
// transaction object; prorations are never discountable; there are no
// promotion codes, automatic tax, tiered or metered prices or
// send_invoice collection.
//
// # Catalog
//
// Products (POST/GET /v1/products[/{id}], DELETE only without prices; name,
// active, description, metadata, default_price[_data], custom id), Prices
// (POST/GET /v1/prices[/{id}]; per_unit, integer unit_amount, one_time or
// recurring[interval day|week|month|year, interval_count ≤ 3 years],
// product or product_data, metadata, nickname, lookup_key, tax_behavior;
// list filters product, active, type, currency; expand[]=product), Tax rates
// (POST/GET /v1/tax_rates[/{id}]; display_name, percentage with at most 4
// decimals, inclusive, jurisdiction, country, state, tax_type; filters
// active, inclusive) and Coupons (POST/GET/DELETE /v1/coupons[/{id}];
// percent_off or amount_off+currency, duration once|repeating|forever,
// duration_in_months, max_redemptions, redeem_by, custom id). Percentages
// are exact fixed-point numbers (never floats) written as JSON numbers.
// Events: product.created|updated|deleted, price.created|updated,
// tax_rate.created|updated, coupon.created|updated|deleted. Three-decimal
// currencies are refused for prices and billing.
//
// # Invoice items and invoices
//
// Customers take test_clock, payment_method (a test token attached at
// create), invoice_settings[default_payment_method] (a payment method of the
// customer, or the payment_method token just attached) and balance; POST
// /v1/payment_methods/{id}/attach|detach and GET /v1/payment_methods
// ?customer= manage cards. Attaching checks the card: the declining test
// cards are refused (402), except pm_card_chargeCustomerFail, which attaches
// and declines every charge.
//
// POST/GET/DELETE /v1/invoiceitems[/{id}] (customer; price (one_time),
// unit_amount+quantity or amount (may be negative) with currency;
// description, discounts[][coupon], tax_rates, period, discountable,
// metadata, invoice (a draft), subscription; filters customer, invoice,
// pending). An ad-hoc amount gets an inactive product and price, as in
// Stripe. POST/GET /v1/invoices[/{id}] creates a draft for a customer
// (default_tax_rates, discounts[][coupon|discount], auto_advance (default
// false), default_payment_method, description, footer, metadata, currency);
// pending_invoice_items_behavior defaults to exclude as in 2023-10-16 (add
// items with invoiceitems invoice=in_…), include takes the customer's
// pending items without subscription, subscription=sub_… takes that
// subscription's. Lines are type invoiceitem or subscription, listed in
// Stripe's order (pending items newest first, then subscription items,
// then items added to the draft in order); GET /v1/invoices/{id}/lines pages
// over them (expand[]=data.price.product, data.discounts); an invoice embeds
// its first 10 lines. POST /v1/invoices/{id}/finalize numbers it
// (<customer invoice_prefix>-0001…), applies the customer's balance
// (starting/ending_balance), creates its PaymentIntent (invoice set) and
// emits invoice.finalized; /pay (finalizing a draft first; payment_method,
// paid_out_of_band) charges payment_method, else the invoice's, the
// subscription's, then the customer's default payment method: the charge
// and intent carry invoice=in_…, the invoice gets charge, amount_paid,
// status paid (events charge.succeeded, payment_intent.succeeded,
// invoice.paid, invoice.payment_succeeded). A decline answers 402, leaves
// the invoice open with attempted, attempt_count+1 and charge = the failed
// charge, and emits invoice.payment_failed (no automatic retries).
// /void (open or uncollectible; the intent is canceled; invoice.voided),
// /mark_uncollectible, DELETE of a draft (its items become pending again).
// An invoice with nothing due is paid at finalization; one due less than
// the currency's minimum charge is marked paid and the amount carried on
// the customer's balance. Lists filter customer, status, subscription.
//
// Amounts, in integer minor units of the invoice currency (invoicemath.go):
// line amount = quantity × unit amount, before discounts and exclusive tax
// (amount_excluding_tax also excludes inclusive tax; unit_amount_excluding
// _tax is that ÷ quantity as a decimal string). Line discounts come first,
// each on what is left of the line: percent_off p → round(left × p/100),
// amount_off a → min(a, left). Then each invoice discount in order on the
// discountable lines with a positive amount left (prorations and negative
// items are not discountable): D = round(Σleft × p/100) or min(a, Σleft),
// shared pro rata to what each line has left by largest remainder (floor
// each share, then one minor unit to the largest remainders, ties to the
// earlier line) so the shares sum to D exactly; each line lists its shares
// in discount_amounts. Then tax per line and rate on the discounted amount
// T: exclusive r → round(T × r/100); inclusive rates (summing S) take
// round(T × r/(100+S)) each and exclusive rates apply to T minus those;
// taxable_amount is T less inclusive tax. Every rounding is half away from
// zero (half-up for positive amounts; credits round symmetrically), per
// line and rate; the tax rates of a line are its own, else the invoice's
// default_tax_rates. subtotal = Σ(amount − line discounts) (Stripe's
// subtotal already nets item discounts); total = subtotal − invoice
// discounts + exclusive tax; total_excluding_tax = subtotal − invoice
// discounts − inclusive tax; tax = Σ tax (null without tax rates);
// total_discount_amounts and total_tax_amounts sum per discount and rate;
// amount_due = max(0, total + starting_balance − pre-payment credit notes).
//
// # Subscriptions and test clocks
//
// POST /v1/subscriptions (customer, items[][price, quantity, tax_rates,
// metadata], default_tax_rates, coupon or discounts[], default_payment
// _method, payment_behavior allow_incomplete|error_if_incomplete|
// default_incomplete, cancel_at_period_end, metadata): licensed per_unit
// recurring prices sharing one currency and interval; the billing cycle is
// anchored at creation (months keep the anchor's day, clamped: Jan 31, Feb
// 29, Mar 31). The first period is invoiced and charged at once
// (billing_reason subscription_create, also taking the customer's pending
// items without subscription); paid → active, declined → incomplete (or a
// 402 and nothing created with error_if_incomplete). GET/list (customer,
// status — canceled ones only with status=canceled|all —, test_clock).
// POST /v1/subscriptions/{id} changes items (id + price and/or quantity,
// deleted, or new items), discounts, default_tax_rates, default_payment
// _method, cancel_at_period_end, metadata. With proration_behavior
// create_prorations (default) each changed item gets two pending proration
// invoice items at t (proration_date or now), proration=true,
// discountable=false, period [t, period end]: "Unused time on <product>
// after <date>" = -round(old unit × old quantity × (end - t)/(end - start))
// with proration_details.credited_items naming the invoice line that billed
// it, and "Remaining time on <product> after <date>" = round(new unit × new
// quantity × (end - t)/(end - start)), in seconds, rounded half away from
// zero once per item; they go on the next invoice. always_invoice bills
// them at once (subscription_update; a credit larger than the charge ends
// on the customer's balance), none creates none. Price changes keep the
// interval (changing it is refused). DELETE /v1/subscriptions/{id} cancels
// at once (prorate, invoice_now, cancellation_details).
//
// Subscriptions renew only through test clocks: POST/GET/DELETE
// /v1/test_helpers/test_clocks[/{id}] and POST .../{id}/advance
// (frozen_time). Customers created with test_clock=clock_… live on its
// time: every object created for them is stamped with frozen_time (invoice
// items, invoices, intents, charges and their balance transactions,
// subscriptions, credit notes); events keep the server clock. An advance
// runs every due period end in time order, each at its own time: a new
// period and its invoice (subscription_cycle, created at the period start,
// period_start/end = the period just ended; lines: the pending prorations
// and other pending items, newest first, then the items for the new
// period), finalized and charged at once (Stripe waits about an hour);
// paid → active, declined → past_due with invoice.payment_failed (no
// retries; paying the invoice later makes it active again); a
// cancel_at_period_end subscription is canceled instead. A jump over
// several periods makes one invoice per period. Coupons on a subscription:
// once applies to the next invoice only (then leaves the subscription),
// repeating while the invoice's date is before its end, forever always.
// The advance answers status advancing and the clock is ready by the next
// request (test_helpers.test_clock.advancing, .ready). Events:
// customer.subscription.created (with the status reached after the first
// payment) | updated (previous_attributes) | deleted, invoiceitem.created,
// invoice.* as above. Deleting a clock leaves its customers.
//
// # Credit notes
//
// POST/GET /v1/credit_notes[/{id}] (invoice; lines[][type
// invoice_line_item + invoice_line_item + quantity|amount, or type
// custom_line_item + unit_amount, quantity, description, tax_rates] or just
// amount; reason, memo, metadata; refund_amount, credit_amount,
// out_of_band_amount), POST /v1/credit_notes/{id} (memo, metadata), POST
// /v1/credit_notes/{id}/void, GET /v1/credit_notes/{id}/lines, list
// (invoice, customer). Numbered <invoice number>-CN-01…. On an open invoice
// (type pre_payment) the total lowers amount_due and the invoice's intent
// (at zero the invoice is paid and the intent canceled); refund/credit/out
// of band amounts are refused. On a paid invoice (post_payment)
// refund_amount + credit_amount + out_of_band_amount must equal the total
// (as since 2019-12-03): refund_amount refunds the invoice's charge like
// POST /v1/refunds (a Refund, its refund balance transaction, refund.created
// and charge.refunded; the note's refund field), credit_amount credits the
// customer's balance (no customer balance transaction object). An
// invoice_line_item line credits gross = round(line amount × quantity /
// line quantity) (or amount), each of the line's discounts pro rata
// (round(discount × gross / line amount)) and tax afresh on gross − those
// discounts with the line's rates, so crediting a whole line gives back
// exactly its amounts; a line is never credited beyond its amount. amount
// alone is one custom line "Credit" without tax. subtotal = Σ (line amount −
// line-level discounts), discount_amount = all credited discounts, total =
// amount = subtotal − invoice-level discounts + exclusive tax. Voiding
// reverses the effect on the invoice and balance; a note with a refund
// cannot be voided. Events credit_note.created|updated|voided and
// invoice.updated.
//
// # Manual capture
//
// capture_method=manual authorises on confirm: the charge is succeeded and
// paid with captured=false, amount_captured 0 and no balance transaction;
// the intent is requires_capture with amount_capturable = amount (events
// charge.succeeded, payment_intent.amount_capturable_updated). POST
// /v1/payment_intents/{id}/capture (amount_to_capture ≤ amount_capturable,
// metadata) or POST /v1/charges/{id}/capture (amount) settles it: captured
// =true, amount_captured, a balance transaction and charge.captured then
// payment_intent.succeeded (the test dispute cards open their dispute at
// capture). The released part follows the 2023-10-16 rules Stripe used
// before 2025-03-31.basil: a partial capture writes the charge's balance
// transaction for the whole authorised amount (fee on it) plus a second one,
// type refund, reporting_category partial_capture_reversal, of -remainder
// with fee -(fee(authorised) - fee(captured)), so the two sum to the
// captured amount less its fee; that row belongs to a Refund (no reason) of
// the remainder, counted in amount_refunded (refunded stays false), with
// refund.created and charge.refunded. POST /v1/payment_intents/{id}/cancel
// (cancellation_reason) on requires_capture releases everything: a Refund
// of the whole amount without balance transaction, refunded=true,
// amount_refunded = amount, payment_intent.canceled, refund.created and
// charge.refunded; POST /v1/refunds on an uncaptured charge does the same
// (partial amounts refused). Config.DisableRefundOnAuthRelease switches to
// the basil rules (Stripe's disable_refund_on_auth_release preview): one
// balance transaction for the captured amount, no Refund, amount_refunded
// and refunded untouched, no charge.refunded. Authorisations never expire
// in the sandbox; intents created by an invoice cannot be canceled.
//
// # Refunds, disputes, payouts, balance
//
// POST /v1/refunds (charge or payment_intent, optional amount, reason,
// metadata) refunds a succeeded charge in as many parts as wanted; asking
// for more than is left is a 400 "Refund amount ($X) is greater than
// unrefunded amount on charge ($Y)", a fully refunded charge gives
// charge_already_refunded and an open or lost dispute charge_disputed.
// Each refund has a balance transaction type=refund, reporting_category
// refund, amount -refund, fee 0 (the processing fee is not returned),
// net = amount, and updates the charge (amount_refunded, refunded, refunds
// list). GET /v1/refunds[/{id}] (filters charge, payment_intent) and
// POST /v1/refunds/{id} (metadata only). Events: refund.created,
// charge.refunded (the charge, with previous_attributes), and on update
// refund.updated and charge.refund.updated.
//
// pm_card_createDispute (and pm_card_createDisputeProductNotReceived)
// charges successfully, then a dispute (dp_…, reason fraudulent, status
// needs_response, is_charge_refundable false) is opened in the same request
// for the unrefunded amount, where Stripe does it moments later; its events
// have request.id null like Stripe's automatic ones. The funds are withdrawn
// at once: type=adjustment, reporting_category=dispute, amount -disputed,
// fee = dispute fee (fee_details stripe_fee "Dispute fee"), net = amount -
// fee; charge.disputed = true; events charge.dispute.created and
// charge.dispute.funds_withdrawn. Dispute fees by settlement currency: USD
// 15.00, EUR 20.00, GBP 20.00, JPY 1500, CAD 15.00, AUD 25.00, others USD
// 15.00 converted and rounded to a whole unit. Closing: lost (POST
// /v1/disputes/{id}/close, Stripe's "accept", or the admin endpoint) emits
// charge.dispute.closed only; won (admin only) adds a
// reporting_category=dispute_reversal adjustment of +amount with fee
// -dispute fee (the sandbox returns the fee on a win, as Stripe long did;
// Config.KeepDisputeFeeOnWin keeps it: fee 0) and emits
// charge.dispute.funds_reinstated then charge.dispute.closed. Also
// GET /v1/disputes[/{id}] (filters charge, payment_intent) and
// POST /v1/disputes/{id} (metadata; charge.dispute.updated).
//
// Payouts are automatic and run on demand (admin sweep, below): one payout
// per currency whose eligible balance transactions (not yet paid out,
// available_on passed or all_pending) sum above zero. The payout (po_…,
// automatic, method standard, type bank_account, destination ba_…) has its
// own type=payout row of -amount; every swept row and that row are linked to
// it, so GET /v1/balance_transactions?payout=po_… returns exactly them
// (summing to zero), newest first, with keyset pagination on an index. A
// paid payout emits payout.created, payout.paid and
// payout.reconciliation_completed (reconciliation_status completed); a
// failed one payout.created and payout.failed (failure_code, failure_message,
// reconciliation_status not_applicable) plus a type=payout_failure,
// reporting_category=payout_reversal row of +amount that is not linked to
// it, so the money is back in the balance for the next payout. Charge rows
// are pending for two days, refunds, dispute rows and payout rows are
// available at once; a pending row is shown available once available_on has
// passed or it was paid out. GET /v1/payouts[/{id}] (filters status,
// currency), GET /v1/balance (available and pending per currency).
//
// # Currencies and FX
//
// Charges in a settlement currency (Config.SettlementCurrencies, default
// usd, eur, jpy, gbp) settle in it. Any other currency settles in
// Config.SettlementCurrency (default usd): the balance transaction is in
// that currency with exchange_rate set, from a fixed table of USD values
// (EUR 1.08, GBP 1.27, JPY 0.0067, CHF 1.12, KWD 3.25, CAD 0.74, … see
// usdMicros; cross rates are ratios, exchange_rate rounded to 6 places), and
// the fee is computed on the converted amount. Conversion is integer math:
// amount × rate(from) × 10^exp(to) ÷ (rate(to) × 10^exp(from)), rounded half
// away from zero (to a multiple of 10 for three-decimal targets). Refunds
// and dispute withdrawals of a converted charge use the difference of
// cumulative conversions, so a charge refunded in parts settles back to
// exactly its settled amount. Currencies missing from the table are refused
// (400 currency_not_supported) unless they settle in themselves.
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
//	POST /_sandbox/delivery            {"duplicates":N,"reorder":bool,"paused":bool,"drop_pending":bool}
//	                                   (partial bodies change only named knobs)
//	    duplicates  queue every new event N extra times per endpoint (0-10)
//	    reorder     hold new deliveries ~300ms, then send each batch shuffled
//	    paused      keep queueing, send nothing until unpaused
//	    drop_pending give up every queued delivery now (as Stripe does after its retries)
//	GET  /_sandbox/deliveries?event=evt_…&endpoint=we_…&state=pending|succeeded|failed|canceled&limit=N
//	                                   deliveries, newest first, each with its
//	                                   attempt history (status codes, errors)
//	POST /_sandbox/events/{id}/redeliver[?endpoint=we_…]
//	                                   queue the event again (like "Resend")
//	GET  /_sandbox/faults              pending injected faults
//	POST /_sandbox/faults              {"rate_limit":N,"server_error":M}: the
//	                                   next N API requests get 429 rate_limit
//	                                   (Retry-After: 1), then M get 500
//	POST /_sandbox/payouts/sweep       {"currency":"usd","fail":false,"all_pending":true,
//	                                   "failure_code":"account_closed"}: the automatic
//	                                   payout run (all fields optional; no currency =
//	                                   every currency); answers {"data":[payouts]}
//	POST /_sandbox/payouts/bulk        {"currency":"usd","count":100000,"amount":1000}:
//	                                   one paid payout over count synthetic charge rows
//	                                   (no charge objects, no events but payout.paid),
//	                                   one SQL transaction (~3.5s for 100,000 rows)
//	POST /_sandbox/charges/bulk        {"currency":"usd","count":100000,"amount":1000}:
//	                                   count succeeded, captured charges created now
//	                                   (no customer, no balance transactions, no
//	                                   events: a history whose webhooks never came),
//	                                   one SQL transaction; answers {"count","first","last"}
//	POST /_sandbox/disputes/{id}/close {"outcome":"won"|"lost"}: the network's decision
//	GET  /healthz                      liveness, no auth
//
// Knobs and faults are kept in memory and reset on restart. Every API
// object (payments, refunds, disputes, payouts, balance transactions,
// catalog, invoices, subscriptions, test clocks, credit notes) is in SQLite
// and survives.
package stripesandbox
