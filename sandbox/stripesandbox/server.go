package stripesandbox

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// APIVersion is the Stripe API version stamped on events. stripe-go v76's
// webhook.ConstructEvent rejects events carrying any other version.
const APIVersion = "2023-10-16"

// Config configures a Server. Zero values get the ledgerbridge dev defaults.
type Config struct {
	// APIKey is the secret key clients must send, as "Authorization: Bearer
	// <key>" or as the HTTP basic user name. Default "sk_test_ledgerbridge".
	APIKey string
	// WebhookURL is an endpoint (all events) registered at start if no
	// endpoint has this URL yet; "" registers none. The command defaults it
	// to DefaultWebhookURL, the gateway's address.
	WebhookURL string
	// WebhookSecret is the signing secret of the default endpoint. Default
	// "whsec_ledgerbridge_dev".
	WebhookSecret string
	// DBPath is the SQLite file holding all state; it survives restarts.
	DBPath string
	// Logf receives one line per request and per delivery attempt (optional).
	Logf func(format string, args ...any)
	// Now is the clock for "created" timestamps (optional, default time.Now);
	// tests use it to control time. Delivery scheduling always uses real time.
	Now func() time.Time
	// HTTPClient sends webhooks (optional; default has a 10s timeout).
	HTTPClient *http.Client
	// SettlementCurrency is the account's default settlement currency:
	// charges in currencies outside SettlementCurrencies settle in it, with
	// an exchange_rate from the sandbox's fixed FX table. Default "usd".
	SettlementCurrency string
	// SettlementCurrencies settle in their own currency (no FX). Default
	// usd, eur, jpy, gbp; SettlementCurrency is always included.
	SettlementCurrencies []string
	// KeepDisputeFeeOnWin makes a won dispute reinstate only the disputed
	// amount (fee 0 on the dispute_reversal row). Default false: the fee is
	// returned too (fee = -dispute fee on the reversal).
	KeepDisputeFeeOnWin bool
	// DisableRefundOnAuthRelease applies Stripe's 2025-03-31.basil rules to
	// authorisations (what the disable_refund_on_auth_release preview header
	// does): a partial capture writes one balance transaction for the
	// captured amount and no Refund, and cancelling an uncaptured payment
	// leaves the charge unrefunded. Default false: the 2023-10-16 rules, where
	// the released part is a Refund (see doc.go). Switching it on a database
	// holding partially captured charges is not supported.
	DisableRefundOnAuthRelease bool
}

// DefaultSettlementCurrencies settle in themselves unless configured.
var DefaultSettlementCurrencies = []string{"usd", "eur", "jpy", "gbp"}

// Dev defaults (DESIGN.md); DefaultWebhookURL is applied by the command.
const (
	DefaultAPIKey        = "sk_test_ledgerbridge"
	DefaultWebhookURL    = "http://127.0.0.1:8080/webhooks/stripe"
	DefaultWebhookSecret = "whsec_ledgerbridge_dev"
)

// Server is a stateful, persistent stand-in for the Stripe API in test mode.
type Server struct {
	cfg    Config
	db     *sql.DB
	now    func() time.Time
	logf   func(format string, args ...any)
	mux    *http.ServeMux
	client *http.Client

	// mu serializes every write request and the delivery loop's writes, so
	// SQLite never sees two writers and idempotency checks are race-free.
	mu  sync.Mutex
	seq int64 // last object seq, guarded by mu

	knobsMu sync.Mutex
	knobs   DeliveryKnobs
	faults  Faults

	wake     chan struct{}
	loopMu   sync.Mutex
	cancel   context.CancelFunc
	loopDone chan struct{}
	inflight map[int64]bool // delivery ids being sent, guarded by loopMu

	settle map[string]bool // currencies that settle in themselves
}

// New opens the database, creates the default webhook endpoint if needed and
// returns a Server ready to serve. Call Start to begin webhook delivery.
func New(cfg Config) (*Server, error) {
	if cfg.APIKey == "" {
		cfg.APIKey = DefaultAPIKey
	}
	if cfg.WebhookSecret == "" {
		cfg.WebhookSecret = DefaultWebhookSecret
	}
	s := &Server{cfg: cfg, now: cfg.Now, logf: cfg.Logf, client: cfg.HTTPClient,
		wake: make(chan struct{}, 1), inflight: map[int64]bool{}}
	if s.now == nil {
		s.now = time.Now
	}
	if s.logf == nil {
		s.logf = func(string, ...any) {}
	}
	if s.client == nil {
		s.client = &http.Client{Timeout: 10 * time.Second}
	}
	s.cfg.SettlementCurrency = strings.ToLower(strings.TrimSpace(s.cfg.SettlementCurrency))
	if s.cfg.SettlementCurrency == "" {
		s.cfg.SettlementCurrency = "usd"
	}
	if s.cfg.SettlementCurrencies == nil {
		s.cfg.SettlementCurrencies = DefaultSettlementCurrencies
	}
	s.settle = map[string]bool{s.cfg.SettlementCurrency: true}
	for _, c := range s.cfg.SettlementCurrencies {
		if c = strings.ToLower(strings.TrimSpace(c)); c != "" {
			s.settle[c] = true
		}
	}
	db, err := openDB(cfg.DBPath)
	if err != nil {
		return nil, err
	}
	s.db = db
	if s.seq, err = maxSeq(context.Background(), db); err != nil {
		db.Close()
		return nil, fmt.Errorf("stripesandbox: read seq: %w", err)
	}
	if err := s.ensureDefaultEndpoint(context.Background()); err != nil {
		db.Close()
		return nil, err
	}
	s.routes()
	return s, nil
}

// Handler returns the HTTP handler serving the Stripe API subset and the
// /_sandbox/ admin endpoints.
func (s *Server) Handler() http.Handler { return s.mux }

// Close stops the delivery loop (waiting for in-flight sends) and closes the
// database. Undelivered events stay queued for the next start.
func (s *Server) Close() error {
	s.loopMu.Lock()
	cancel, done := s.cancel, s.loopDone
	s.loopMu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
	return s.db.Close()
}

// nextSeq returns a new monotonic ordering number; callers hold s.mu.
func (s *Server) nextSeq() int64 {
	s.seq++
	return s.seq
}

// call is the state of one API request.
type call struct {
	s       *Server
	ctx     context.Context
	r       *http.Request
	p       params
	reqID   string
	idemKey string
	q       dbtx // the request transaction for writes, the DB for reads
	expand  []string
	queued  bool // deliveries were enqueued; wake the loop after commit
	// frozen, when not 0, is the test clock time that stamps the objects
	// this call creates (see now).
	frozen int64
	// discard rolls a card error back like a validation error (a
	// subscription with payment_behavior=error_if_incomplete is not created).
	discard bool
	// renewing names subscriptions whose invoice payments the running flow
	// accounts for itself (afterInvoicePayment leaves them alone).
	renewing map[string]bool
}

// now is the "created" time of objects written by this call: the frozen
// time of the test clock the call acts under, or the server clock.
func (c *call) now() int64 {
	if c.frozen != 0 {
		return c.frozen
	}
	return c.s.now().Unix()
}

// handlerFunc implements one endpoint. It returns the response object
// (json.RawMessage or any JSON-marshalable value) or a Stripe error.
type handlerFunc func(c *call) (any, *apiError)

// route registers an API endpoint. Non-GET endpoints run inside one SQLite
// transaction under s.mu, with Idempotency-Key handling.
func (s *Server) route(pattern string, h handlerFunc) {
	write := !strings.HasPrefix(pattern, "GET ")
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		s.serveAPI(w, r, h, write)
	})
}

func (s *Server) routes() {
	s.mux = http.NewServeMux()
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"ok"}`))
	})
	s.route("POST /v1/customers", s.createCustomer)
	s.route("GET /v1/customers", s.listCustomers)
	s.route("GET /v1/customers/{id}", s.getCustomer)
	s.route("POST /v1/customers/{id}", s.updateCustomer)

	s.route("POST /v1/payment_intents", s.createPaymentIntent)
	s.route("GET /v1/payment_intents", s.listPaymentIntents)
	s.route("GET /v1/payment_intents/{id}", s.getPaymentIntent)
	s.route("POST /v1/payment_intents/{id}/confirm", s.confirmPaymentIntent)
	s.route("POST /v1/payment_intents/{id}/capture", s.capturePaymentIntent)
	s.route("POST /v1/payment_intents/{id}/cancel", s.cancelPaymentIntent)

	s.route("GET /v1/payment_methods", s.listPaymentMethods)
	s.route("GET /v1/payment_methods/{id}", s.getPaymentMethod)
	s.route("POST /v1/payment_methods/{id}/attach", s.attachPaymentMethodAPI)
	s.route("POST /v1/payment_methods/{id}/detach", s.detachPaymentMethod)

	s.route("GET /v1/charges", s.listCharges)
	s.route("GET /v1/charges/{id}", s.getCharge)
	s.route("POST /v1/charges/{id}", s.updateCharge)
	s.route("POST /v1/charges/{id}/capture", s.captureCharge)

	s.route("GET /v1/balance_transactions", s.listBalanceTransactions)
	s.route("GET /v1/balance_transactions/{id}", s.getBalanceTransaction)

	s.route("POST /v1/refunds", s.createRefund)
	s.route("GET /v1/refunds", s.listRefunds)
	s.route("GET /v1/refunds/{id}", s.getRefund)
	s.route("POST /v1/refunds/{id}", s.updateRefund)

	s.route("GET /v1/disputes", s.listDisputes)
	s.route("GET /v1/disputes/{id}", s.getDispute)
	s.route("POST /v1/disputes/{id}", s.updateDispute)
	s.route("POST /v1/disputes/{id}/close", s.closeDisputeAPI)

	s.route("GET /v1/payouts", s.listPayouts)
	s.route("GET /v1/payouts/{id}", s.getPayout)
	s.route("GET /v1/balance", s.getBalance)

	s.route("POST /v1/products", s.createProduct)
	s.route("GET /v1/products", s.listProducts)
	s.route("GET /v1/products/{id}", s.getProduct)
	s.route("POST /v1/products/{id}", s.updateProduct)
	s.route("DELETE /v1/products/{id}", s.deleteProduct)
	s.route("POST /v1/prices", s.createPrice)
	s.route("GET /v1/prices", s.listPrices)
	s.route("GET /v1/prices/{id}", s.getPrice)
	s.route("POST /v1/prices/{id}", s.updatePrice)
	s.route("POST /v1/tax_rates", s.createTaxRate)
	s.route("GET /v1/tax_rates", s.listTaxRates)
	s.route("GET /v1/tax_rates/{id}", s.getTaxRate)
	s.route("POST /v1/tax_rates/{id}", s.updateTaxRate)
	s.route("POST /v1/coupons", s.createCoupon)
	s.route("GET /v1/coupons", s.listCoupons)
	s.route("GET /v1/coupons/{id}", s.getCoupon)
	s.route("POST /v1/coupons/{id}", s.updateCoupon)
	s.route("DELETE /v1/coupons/{id}", s.deleteCoupon)

	s.route("POST /v1/invoiceitems", s.createInvoiceItem)
	s.route("GET /v1/invoiceitems", s.listInvoiceItems)
	s.route("GET /v1/invoiceitems/{id}", s.getInvoiceItem)
	s.route("POST /v1/invoiceitems/{id}", s.updateInvoiceItem)
	s.route("DELETE /v1/invoiceitems/{id}", s.deleteInvoiceItem)
	s.route("POST /v1/invoices", s.createInvoice)
	s.route("GET /v1/invoices", s.listInvoices)
	s.route("GET /v1/invoices/{id}", s.getInvoice)
	s.route("POST /v1/invoices/{id}", s.updateInvoice)
	s.route("DELETE /v1/invoices/{id}", s.deleteInvoice)
	s.route("POST /v1/invoices/{id}/finalize", s.finalizeInvoice)
	s.route("POST /v1/invoices/{id}/pay", s.payInvoice)
	s.route("POST /v1/invoices/{id}/void", s.voidInvoice)
	s.route("POST /v1/invoices/{id}/mark_uncollectible", s.markInvoiceUncollectible)
	s.route("GET /v1/invoices/{id}/lines", s.listInvoiceLines)

	s.route("POST /v1/subscriptions", s.createSubscription)
	s.route("GET /v1/subscriptions", s.listSubscriptions)
	s.route("GET /v1/subscriptions/{id}", s.getSubscription)
	s.route("POST /v1/subscriptions/{id}", s.updateSubscription)
	s.route("DELETE /v1/subscriptions/{id}", s.cancelSubscription)
	s.route("POST /v1/test_helpers/test_clocks", s.createTestClock)
	s.route("GET /v1/test_helpers/test_clocks", s.listTestClocks)
	s.route("GET /v1/test_helpers/test_clocks/{id}", s.getTestClock)
	s.route("DELETE /v1/test_helpers/test_clocks/{id}", s.deleteTestClock)
	s.route("POST /v1/test_helpers/test_clocks/{id}/advance", s.advanceTestClock)

	s.route("POST /v1/credit_notes", s.createCreditNote)
	s.route("GET /v1/credit_notes", s.listCreditNotes)
	s.route("GET /v1/credit_notes/{id}", s.getCreditNote)
	s.route("POST /v1/credit_notes/{id}", s.updateCreditNote)
	s.route("POST /v1/credit_notes/{id}/void", s.voidCreditNote)
	s.route("GET /v1/credit_notes/{id}/lines", s.listCreditNoteLines)

	s.route("GET /v1/events", s.listEvents)
	s.route("GET /v1/events/{id}", s.getEvent)

	s.route("POST /v1/webhook_endpoints", s.createWebhookEndpoint)
	s.route("GET /v1/webhook_endpoints", s.listWebhookEndpoints)
	s.route("GET /v1/webhook_endpoints/{id}", s.getWebhookEndpoint)
	s.route("POST /v1/webhook_endpoints/{id}", s.updateWebhookEndpoint)
	s.route("DELETE /v1/webhook_endpoints/{id}", s.deleteWebhookEndpoint)

	s.adminRoutes()

	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		reqID := newID("req")
		if !s.authorized(w, r, reqID) {
			return
		}
		s.writeError(w, reqID, &apiError{Status: http.StatusNotFound, Type: "invalid_request_error",
			Message: fmt.Sprintf("Unrecognized request URL (%s: %s). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.", r.Method, r.URL.Path)})
	})
}

// authorized checks the API key like Stripe (401 with a Stripe error).
func (s *Server) authorized(w http.ResponseWriter, r *http.Request, reqID string) bool {
	key := ""
	auth := r.Header.Get("Authorization")
	switch {
	case strings.HasPrefix(auth, "Bearer "):
		key = strings.TrimSpace(strings.TrimPrefix(auth, "Bearer "))
	case strings.HasPrefix(auth, "Basic "):
		if raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(auth, "Basic ")); err == nil {
			key, _, _ = strings.Cut(string(raw), ":")
		}
	}
	if key == "" {
		s.writeError(w, reqID, &apiError{Status: http.StatusUnauthorized, Type: "invalid_request_error",
			Message: "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/."})
		return false
	}
	if subtle.ConstantTimeCompare([]byte(key), []byte(s.cfg.APIKey)) != 1 {
		s.writeError(w, reqID, &apiError{Status: http.StatusUnauthorized, Type: "invalid_request_error",
			Code: "api_key_invalid", Message: "Invalid API Key provided: " + maskKey(key)})
		return false
	}
	return true
}

// maskKey shows only the prefix and last four characters, like Stripe.
func maskKey(k string) string {
	if len(k) <= 12 {
		return strings.Repeat("*", len(k))
	}
	return k[:8] + strings.Repeat("*", len(k)-12) + k[len(k)-4:]
}

// maxBodyBytes bounds request bodies; Stripe requests are small.
const maxBodyBytes = 1 << 20

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request, h handlerFunc, write bool) {
	start := time.Now()
	reqID := newID("req")
	status := http.StatusOK
	defer func() {
		s.logf("stripe-sandbox: %s %s -> %d (%s) %s", r.Method, r.URL.Path, status, time.Since(start).Round(time.Millisecond), reqID)
	}()
	if !s.authorized(w, r, reqID) {
		status = http.StatusUnauthorized
		return
	}
	if aerr := s.injectedFault(); aerr != nil {
		status = aerr.Status
		if aerr.Status == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "1")
		}
		s.writeError(w, reqID, aerr)
		return
	}
	c := &call{s: s, ctx: r.Context(), r: r, reqID: reqID}
	values, aerr := readValues(r, write)
	if aerr == nil {
		c.p, aerr = parseForm(values)
	}
	if aerr == nil {
		c.expand, _, aerr = c.p.list("expand")
	}
	if aerr != nil {
		status = aerr.Status
		s.writeError(w, reqID, aerr)
		return
	}
	if !write {
		c.q = s.db
		body, aerr := s.invoke(c, h)
		if aerr != nil {
			status = aerr.Status
			s.writeError(w, reqID, aerr)
			return
		}
		s.writeBody(w, reqID, http.StatusOK, body)
		return
	}
	c.idemKey = strings.TrimSpace(r.Header.Get("Idempotency-Key"))
	if len(c.idemKey) > 255 {
		status = http.StatusBadRequest
		s.writeError(w, reqID, invalidParam("Idempotency-Key", "Idempotency-Key must be at most 255 characters long."))
		return
	}
	fingerprint := r.Method + " " + r.URL.Path + "?" + values.Encode()
	var body []byte
	status, body = s.executeWrite(c, h, fingerprint, w)
	if body != nil {
		s.writeBody(w, reqID, status, body)
	}
}

// readValues reads the form body (writes) or query string (reads).
func readValues(r *http.Request, write bool) (url.Values, *apiError) {
	if !write {
		return r.URL.Query(), nil
	}
	if r.URL.RawQuery != "" && r.ContentLength <= 0 {
		// stripe-go always uses the body; accept query params for curl users.
		return r.URL.Query(), nil
	}
	ct := r.Header.Get("Content-Type")
	if r.ContentLength != 0 && ct != "" && !strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		return nil, invalidParam("", "Invalid request: unsupported Content-Type %s. If error persists and you need assistance, please contact support@stripe.com.", ct)
	}
	// Read the body ourselves: net/http's ParseForm ignores DELETE bodies,
	// where stripe-go sends DELETE parameters (invoice_now, prorate…).
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBodyBytes))
	if err != nil {
		return nil, invalidParam("", "Invalid request body: %s", err.Error())
	}
	values, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, invalidParam("", "Invalid request body: %s", err.Error())
	}
	return values, nil
}

// invoke runs a handler, converting panics into api_error responses so bad
// input can never crash the server.
func (s *Server) invoke(c *call, h handlerFunc) (body []byte, aerr *apiError) {
	defer func() {
		if p := recover(); p != nil {
			s.logf("stripe-sandbox: panic in %s %s: %v", c.r.Method, c.r.URL.Path, p)
			body, aerr = nil, internalError(fmt.Errorf("%v", p))
		}
	}()
	res, aerr := h(c)
	if aerr != nil {
		return nil, aerr
	}
	if raw, ok := res.(json.RawMessage); ok {
		return raw, nil
	}
	b, err := json.Marshal(res)
	if err != nil {
		return nil, internalError(err)
	}
	return b, nil
}

// executeWrite runs a mutating handler in a transaction and applies Stripe's
// idempotency rules: a result is saved once the endpoint executes (success,
// card errors and 5xx), never for validation failures.
func (s *Server) executeWrite(c *call, h handlerFunc, fingerprint string, w http.ResponseWriter) (int, []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	// A client hanging up must not abort a write halfway: finish it so the
	// idempotent replay matches what happened.
	ctx := context.WithoutCancel(c.ctx)
	c.ctx = ctx
	if c.idemKey != "" {
		var fp, origReq string
		var st int
		var body []byte
		err := s.db.QueryRowContext(ctx, `SELECT fingerprint, request_id, status, body FROM idempotency WHERE key = ?`, c.idemKey).
			Scan(&fp, &origReq, &st, &body)
		switch {
		case err == nil && fp != fingerprint:
			return s.errorBody(c.reqID, &apiError{Status: http.StatusBadRequest, Type: "idempotency_error",
				Message: fmt.Sprintf("Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '%s' if you meant to execute a different request.", c.idemKey)})
		case err == nil:
			w.Header().Set("Idempotent-Replayed", "true")
			w.Header().Set("Original-Request", origReq)
			return st, body
		case !errors.Is(err, sql.ErrNoRows):
			return s.errorBody(c.reqID, internalError(err))
		}
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.errorBody(c.reqID, internalError(err))
	}
	c.q = tx
	body, aerr := s.invoke(c, h)
	status := http.StatusOK
	if aerr != nil {
		status, body = s.errorBody(c.reqID, aerr)
	}
	saveIdem := func(q dbtx) error {
		if c.idemKey == "" {
			return nil
		}
		_, err := q.ExecContext(ctx, `INSERT INTO idempotency (key, fingerprint, request_id, status, body, created) VALUES (?,?,?,?,?,?)`,
			c.idemKey, fingerprint, c.reqID, status, body, s.now().Unix())
		return err
	}
	if aerr == nil || (aerr.Type == "card_error" && !c.discard) {
		if err := saveIdem(tx); err != nil {
			_ = tx.Rollback()
			return s.errorBody(c.reqID, internalError(err))
		}
		if err := tx.Commit(); err != nil {
			return s.errorBody(c.reqID, internalError(err))
		}
		if c.queued {
			s.kick()
		}
		return status, body
	}
	_ = tx.Rollback()
	if status >= 500 {
		if err := saveIdem(s.db); err != nil {
			s.logf("stripe-sandbox: save idempotent 5xx: %v", err)
		}
	}
	return status, body
}

func (s *Server) errorBody(reqID string, e *apiError) (int, []byte) {
	b, err := json.Marshal(map[string]any{"error": e})
	if err != nil {
		b = []byte(`{"error":{"type":"api_error","message":"could not encode error"}}`)
	}
	return e.Status, b
}

func (s *Server) writeError(w http.ResponseWriter, reqID string, e *apiError) {
	st, b := s.errorBody(reqID, e)
	s.writeBody(w, reqID, st, b)
}

func (s *Server) writeBody(w http.ResponseWriter, reqID string, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Request-Id", reqID)
	h.Set("Stripe-Version", APIVersion)
	h.Set("Cache-Control", "no-cache, no-store")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
