// Package webhooks is the gateway's HTTP surface: it verifies provider webhooks, maps each event
// to the business object it concerns, starts (or finds) that object's workflow and acknowledges in
// milliseconds. It never waits for a workflow and never calls an ERP.
package webhooks

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/webhook"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.uber.org/zap"

	"github.com/ledgerbridge/ledgerbridge/workflows"
)

// Temporal is the part of the Temporal client the gateway uses.
type Temporal interface {
	ExecuteWorkflow(ctx context.Context, options client.StartWorkflowOptions, workflow interface{}, args ...interface{}) (client.WorkflowRun, error)
	SignalWithStartWorkflow(ctx context.Context, workflowID string, signalName string, signalArg interface{},
		options client.StartWorkflowOptions, workflow interface{}, workflowArgs ...interface{}) (client.WorkflowRun, error)
	CheckHealth(ctx context.Context, request *client.CheckHealthRequest) (*client.CheckHealthResponse, error)
}

// Config configures the gateway handlers.
type Config struct {
	// StripeWebhookSecrets are the endpoint signing secrets accepted at once (several while a
	// secret is rotated, or when one gateway serves several Stripe endpoints).
	StripeWebhookSecrets []string
	// PayTraceSecrets are the accepted secrets of the PayTrace notification extension; none
	// disables POST /webhooks/paytrace.
	PayTraceSecrets []string
	// MaxBodyBytes caps a webhook body; larger requests get 413.
	MaxBodyBytes int64
	TaskQueue    string
	// Tolerance bounds how far a signature timestamp may be from now, in either direction
	// (Stripe's default is 300 s).
	Tolerance time.Duration
	// AdminToken guards /admin/*; empty disables those endpoints.
	AdminToken string
	// Preview computes what a Stripe event or object (raw JSON) or ID would post, without posting.
	Preview func(ctx context.Context, raw []byte, id string) (any, error)
	// Reports, when set, serves the reconciliation reports under /admin/reports (admin token).
	Reports http.Handler
	// Codec, when set, is the Temporal codec server mounted at /codec/ on the internal listener
	// (Temporal Web UI decodes encrypted payloads through it).
	Codec http.Handler
	// TrustedProxies are the proxies (IPs or CIDRs) whose X-Forwarded-For is believed for the
	// access log's client address; none by default, so a client cannot spoof its address.
	TrustedProxies []string
	// RecentEvents is how many recently accepted event IDs are remembered to answer exact
	// redeliveries without Temporal (0 disables the cache).
	RecentEvents int
	// NoCoalescing makes every delivery call Temporal itself, even while a delivery of the same
	// event (or, for an object whose run absorbs events, of the same object) is already calling
	// it; by default such deliveries wait for that call and give its answer (inflight).
	NoCoalescing bool
	// Now is the clock for signature timestamps (tests); time.Now when nil.
	Now func() time.Time
	// Ready, when set, is asked by /readyz after Temporal answered: e.g. whether the namespace
	// has the search attributes workflows are started with.
	Ready func(ctx context.Context) error
}

// Gateway serves the webhook, health, metrics and admin endpoints.
type Gateway struct {
	cfg      Config
	temporal Temporal
	log      *zap.Logger
	registry *prometheus.Registry
	events   *prometheus.CounterVec
	ack      *prometheus.HistogramVec
	recent   *recentEvents
	flights  *inflight
}

// Webhook outcomes, the values of the outcome label of ledgerbridge_webhook_events_total.
const (
	OutcomeStarted   = "started"
	OutcomeDuplicate = "duplicate"
	OutcomeCached    = "duplicate_cached"
	// OutcomeCoalesced: answered with the answer of the same call another delivery was making.
	OutcomeCoalesced  = "duplicate_inflight"
	OutcomeIgnored    = "ignored"
	OutcomeRejected   = "rejected"
	OutcomeAPIVersion = "unsupported_api_version"
	OutcomeError      = "error"
)

// New builds a Gateway.
func New(cfg Config, tc Temporal, log *zap.Logger) *Gateway {
	if cfg.Tolerance == 0 {
		cfg.Tolerance = webhook.DefaultTolerance
	}
	if cfg.TaskQueue == "" {
		cfg.TaskQueue = workflows.TaskQueue
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	g := &Gateway{cfg: cfg, temporal: tc, log: log, registry: prometheus.NewRegistry(), recent: newRecentEvents(cfg.RecentEvents), flights: newInflight()}
	g.events = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "ledgerbridge_webhook_events_total",
		Help: "Webhook requests by provider, event type and outcome (started, duplicate, duplicate_cached, duplicate_inflight, ignored, rejected, unsupported_api_version, error).",
	}, []string{"provider", "type", "outcome"})
	g.ack = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "ledgerbridge_webhook_ack_seconds",
		Help:    "Time from receiving a webhook to answering it.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
	}, []string{"provider"})
	g.registry.MustRegister(g.events, g.ack, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return g
}

func (g *Gateway) engine() *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	// gin trusts every proxy by default, so any client could set X-Forwarded-For and spoof the
	// address in the access log. Only the configured proxies are believed.
	if err := r.SetTrustedProxies(g.cfg.TrustedProxies); err != nil {
		g.log.Warn("ignoring invalid trusted proxies", zap.Error(err))
		_ = r.SetTrustedProxies(nil)
	}
	r.Use(gin.CustomRecovery(g.recovered), g.accessLog())
	r.GET("/healthz", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	return r
}

// PublicHandler serves what providers reach: the webhooks and the health probes.
func (g *Gateway) PublicHandler() http.Handler {
	r := g.engine()
	r.POST("/webhooks/stripe", g.stripeWebhook)
	if len(g.cfg.PayTraceSecrets) > 0 {
		r.POST("/webhooks/paytrace", g.payTraceWebhook)
	}
	r.GET("/readyz", g.ready)
	return r
}

// InternalHandler serves what only operators and the cluster reach: metrics, the admin
// endpoints (when a token is set) and the codec server (when encryption is on).
func (g *Gateway) InternalHandler() http.Handler {
	r := g.engine()
	r.GET("/readyz", g.ready)
	r.GET("/metrics", gin.WrapH(promhttp.HandlerFor(g.registry, promhttp.HandlerOpts{})))
	if g.cfg.AdminToken != "" {
		admin := r.Group("/admin", g.requireAdmin)
		if g.cfg.Preview != nil {
			admin.POST("/preview", g.preview)
			admin.GET("/preview", g.preview)
		}
		if g.cfg.Reports != nil {
			admin.GET("/reports", gin.WrapH(g.cfg.Reports))
			admin.HEAD("/reports", gin.WrapH(g.cfg.Reports))
			admin.GET("/reports/*path", gin.WrapH(g.cfg.Reports))
			admin.HEAD("/reports/*path", gin.WrapH(g.cfg.Reports))
		}
	}
	if g.cfg.Codec != nil {
		r.Any("/codec/*path", gin.WrapH(http.StripPrefix("/codec", g.cfg.Codec)))
	}
	return r
}

// recovered answers a panic with a terse 500 and logs it without the request.
func (g *Gateway) recovered(c *gin.Context, err any) {
	g.log.Error("handler panic", zap.String("path", c.Request.URL.Path), zap.Any("panic", err))
	c.AbortWithStatusJSON(http.StatusInternalServerError, gin.H{"error": "internal error"})
}

// accessLog logs one line per request. It logs no headers and no bodies: signatures and payloads
// stay out of the logs.
func (g *Gateway) accessLog() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		fields := []zap.Field{zap.String("method", c.Request.Method), zap.String("path", c.Request.URL.Path),
			zap.Int("status", c.Writer.Status()), zap.Duration("latency", time.Since(start)), zap.String("remote", c.ClientIP())}
		if v, ok := c.Get("event"); ok {
			fields = append(fields, zap.String("event", v.(string)))
		}
		if v, ok := c.Get("workflow"); ok {
			fields = append(fields, zap.String("workflowId", v.(string)))
		}
		g.log.Info("http", fields...)
	}
}

func (g *Gateway) requireAdmin(c *gin.Context) {
	if subtle.ConstantTimeCompare([]byte(c.GetHeader("Authorization")), []byte("Bearer "+g.cfg.AdminToken)) != 1 {
		c.AbortWithStatusJSON(http.StatusUnauthorized, gin.H{"error": "admin endpoints need Authorization: Bearer <LEDGERBRIDGE_ADMIN_TOKEN>"})
	}
}

// preview answers POST /admin/preview (body: a Stripe event or object) or GET ?id=ch_…|po_… with
// the ERP documents it would become. Nothing is posted.
func (g *Gateway) preview(c *gin.Context) {
	var raw []byte
	id := c.Query("id")
	if id == "" {
		b, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, g.cfg.MaxBodyBytes))
		if err != nil || len(b) == 0 {
			c.JSON(http.StatusBadRequest, gin.H{"error": "POST a Stripe event or object as JSON, or GET with ?id=ch_…|po_…"})
			return
		}
		raw = b
	}
	out, err := g.cfg.Preview(c.Request.Context(), raw, id)
	if err != nil {
		c.JSON(http.StatusUnprocessableEntity, gin.H{"error": err.Error()})
		return
	}
	c.JSON(http.StatusOK, out)
}

// ready says whether webhooks can be accepted. It is terse on purpose (the public listener serves
// it); the reason goes to the log.
func (g *Gateway) ready(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	if _, err := g.temporal.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		g.log.Warn("not ready: Temporal unreachable", zap.Error(err))
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable"})
		return
	}
	if g.cfg.Ready != nil {
		if err := g.cfg.Ready(ctx); err != nil {
			g.log.Warn("not ready", zap.Error(err))
			c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable"})
			return
		}
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready"})
}

// reject answers a Stripe webhook the gateway will not act on, counts it and logs why at warn.
func (g *Gateway) reject(c *gin.Context, status int, outcome, eventType, msg string) {
	g.rejectFor(c, "stripe", status, outcome, eventType, msg)
}

// rejectFor is reject for any provider.
func (g *Gateway) rejectFor(c *gin.Context, provider string, status int, outcome, eventType, msg string) {
	g.events.WithLabelValues(provider, eventType, outcome).Inc()
	g.log.Warn("webhook rejected", zap.String("provider", provider), zap.String("outcome", outcome),
		zap.Int("status", status), zap.String("type", eventType), zap.String("reason", msg), zap.String("remote", c.ClientIP()))
	c.JSON(status, gin.H{"error": msg})
}

// stripeWebhook verifies a Stripe event and starts the workflow of the object it concerns.
func (g *Gateway) stripeWebhook(c *gin.Context) {
	start := time.Now()
	defer func() { g.ack.WithLabelValues("stripe").Observe(time.Since(start).Seconds()) }()

	// The header is checked before the body is read: an unsigned or stale request costs nothing.
	sh, err := parseSignedHeader(c.GetHeader("Stripe-Signature"), g.cfg.Tolerance, g.cfg.Now())
	if err != nil {
		g.reject(c, http.StatusBadRequest, OutcomeRejected, "", "Stripe-Signature: "+err.Error())
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, g.cfg.MaxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			g.reject(c, http.StatusRequestEntityTooLarge, OutcomeRejected, "", fmt.Sprintf("webhook body exceeds %d bytes", g.cfg.MaxBodyBytes))
			return
		}
		g.reject(c, http.StatusBadRequest, OutcomeRejected, "", "could not read body")
		return
	}
	if err := sh.verify(body, g.cfg.StripeWebhookSecrets); err != nil {
		g.reject(c, http.StatusBadRequest, OutcomeRejected, "", "signature verification failed: "+err.Error())
		return
	}
	event, err := decodeEvent(body)
	if err != nil {
		outcome := OutcomeRejected
		var av apiVersionError
		if errors.As(err, &av) {
			outcome = OutcomeAPIVersion
		}
		g.reject(c, http.StatusBadRequest, outcome, string(event.Type), err.Error())
		return
	}
	c.Set("event", event.ID+" "+string(event.Type))
	if wf, ok := g.recent.lookup(event.ID); ok {
		c.Set("workflow", wf)
		g.events.WithLabelValues("stripe", string(event.Type), OutcomeCached).Inc()
		c.JSON(http.StatusOK, gin.H{"received": true, "workflowId": wf, "duplicate": true})
		return
	}

	rt, handled, reason := routeEvent(event)
	if !handled {
		g.events.WithLabelValues("stripe", string(event.Type), OutcomeIgnored).Inc()
		c.JSON(http.StatusOK, gin.H{"ignored": string(event.Type), "reason": reason})
		return
	}
	g.dispatch(c, "stripe", event.ID, string(event.Type), event.Created, rt)
}

// dispatch starts (or signals) the workflow of the object an accepted event concerns and
// answers the provider: 2xx once Temporal has the event, 503 (the provider redelivers) if not.
func (g *Gateway) dispatch(c *gin.Context, provider, eventID, eventType string, created int64, rt route) {
	c.Set("workflow", rt.workflowID)
	if g.cfg.NoCoalescing {
		status, body := g.start(c, provider, eventID, eventType, created, rt)
		c.JSON(status, body)
		return
	}
	// A run that absorbs events (use-existing) gets the same call from every event of its
	// object; an object signalled per event gets the same call only from the same event.
	key := "event " + provider + " " + eventID
	if !rt.refresh {
		key = "workflow " + rt.workflowID
	}
	fl, leader := g.flights.join(key)
	if leader {
		// Deferred: the waiting deliveries are released (with a 503) even if start panics.
		status, body := http.StatusServiceUnavailable, gin.H{"error": "could not start workflow; retry later"}
		defer func() { g.flights.finish(key, fl, status, body) }()
		status, body = g.start(c, provider, eventID, eventType, created, rt)
		c.JSON(status, body)
		return
	}
	select {
	case <-fl.done:
	case <-c.Request.Context().Done():
		g.events.WithLabelValues(provider, eventType, OutcomeError).Inc()
		c.JSON(http.StatusServiceUnavailable, gin.H{"error": "could not start workflow; retry later"})
		return
	}
	if fl.status != http.StatusOK {
		g.events.WithLabelValues(provider, eventType, OutcomeError).Inc()
		c.JSON(fl.status, fl.body)
		return
	}
	g.recent.remember(eventID, rt.workflowID)
	g.events.WithLabelValues(provider, eventType, OutcomeCoalesced).Inc()
	c.JSON(http.StatusOK, gin.H{"received": true, "workflowId": rt.workflowID, "duplicate": true})
}

// start makes the Temporal call for an accepted event and returns the answer for the provider.
func (g *Gateway) start(c *gin.Context, provider, eventID, eventType string, created int64, rt route) (int, gin.H) {
	opts := client.StartWorkflowOptions{
		ID:        rt.workflowID,
		TaskQueue: g.cfg.TaskQueue,
		// A running workflow for this object absorbs the event; a completed one stays completed;
		// a failed or terminated one may be started again (the ERP lookups prevent duplicates).
		WorkflowIDConflictPolicy:                 enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:                    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY,
		WorkflowExecutionErrorWhenAlreadyStarted: false,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			workflows.SAProvider.ValueSet(provider), workflows.SAProviderObject.ValueSet(rt.objectID),
			workflows.SALedgerStatus.ValueSet(workflows.StatusReceived), workflows.SANeedsAttention.ValueSet(false)),
	}
	var (
		run client.WorkflowRun
		err error
	)
	if rt.refresh {
		// Objects whose state keeps changing (disputes, payouts): one run at a time per object, so
		// two events never post concurrently; an event for a finished run starts a new pass,
		// which finds what was posted in the ERP and posts only what is new.
		opts.WorkflowIDConflictPolicy = enumspb.WORKFLOW_ID_CONFLICT_POLICY_UNSPECIFIED
		opts.WorkflowIDReusePolicy = enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE
		run, err = g.temporal.SignalWithStartWorkflow(c.Request.Context(), rt.workflowID, workflows.SignalRefresh,
			workflows.RefreshSignal{EventType: eventType, Created: created}, opts, rt.workflowName, rt.input)
	} else {
		run, err = g.temporal.ExecuteWorkflow(c.Request.Context(), opts, rt.workflowName, rt.input)
	}
	wfID := rt.workflowID
	var already *serviceerror.WorkflowExecutionAlreadyStarted
	switch {
	case errors.As(err, &already):
		g.recent.remember(eventID, wfID)
		g.events.WithLabelValues(provider, eventType, OutcomeDuplicate).Inc()
		return http.StatusOK, gin.H{"received": true, "workflowId": wfID, "duplicate": true}
	case err != nil:
		// Providers retry non-2xx deliveries, so an unreachable Temporal loses nothing.
		g.events.WithLabelValues(provider, eventType, OutcomeError).Inc()
		g.log.Error("start workflow", zap.String("workflowId", wfID), zap.Error(err))
		return http.StatusServiceUnavailable, gin.H{"error": "could not start workflow; retry later"}
	default:
		g.recent.remember(eventID, wfID)
		g.events.WithLabelValues(provider, eventType, OutcomeStarted).Inc()
		return http.StatusOK, gin.H{"received": true, "workflowId": wfID, "runId": run.GetRunID()}
	}
}

// apiVersionError is an event rendered for an API version this build cannot decode reliably.
type apiVersionError struct{ got string }

func (e apiVersionError) Error() string {
	return fmt.Sprintf("event API version %q is not %q, the version this gateway decodes; set the webhook endpoint's API version to %s",
		e.got, stripe.APIVersion, stripe.APIVersion)
}

// decodeEvent parses a verified body into an event with an object, checking its API version.
// The returned event carries what could be read (its type) even on error, for the metrics.
func decodeEvent(body []byte) (stripe.Event, error) {
	var e stripe.Event
	if err := json.Unmarshal(body, &e); err != nil {
		return stripe.Event{}, errors.New("body is not a JSON Stripe event")
	}
	if e.ID == "" || e.Type == "" {
		return e, errors.New("event has no id or type")
	}
	if e.APIVersion != stripe.APIVersion {
		return e, apiVersionError{got: e.APIVersion}
	}
	if e.Data == nil || len(e.Data.Raw) == 0 || string(e.Data.Raw) == "null" {
		return e, errors.New("event has no data.object")
	}
	return e, nil
}

// route says which workflow an event concerns.
type route struct {
	workflowID, workflowName, objectID string
	input                              interface{}
	// refresh: signal-with-start (the object changes state over time).
	refresh bool
}

// routeEvent maps an event to the workflow of the business object it concerns. Workflow IDs
// come from the object, never the event, so duplicates and siblings reach the same run.
func routeEvent(e stripe.Event) (route, bool, string) {
	var obj struct {
		ID             string `json:"id"`
		AmountRefunded int64  `json:"amount_refunded"`
	}
	if e.Data == nil {
		return route{}, false, "event has no data.object"
	}
	if err := json.Unmarshal(e.Data.Raw, &obj); err != nil || obj.ID == "" {
		return route{}, false, "event data has no object id"
	}
	typ := string(e.Type)
	switch {
	case typ == "charge.succeeded":
		return route{workflows.OrderToCashID(obj.ID), workflows.OrderToCashWorkflowName, obj.ID,
			&workflows.OrderToCashInput{ChargeID: obj.ID, EventID: e.ID, EventType: typ}, false}, true, ""
	case typ == "payment_intent.succeeded":
		var pi stripe.PaymentIntent
		if err := json.Unmarshal(e.Data.Raw, &pi); err != nil || pi.LatestCharge == nil || pi.LatestCharge.ID == "" {
			return route{}, false, "payment intent has no charge"
		}
		ch := pi.LatestCharge.ID
		return route{workflows.OrderToCashID(ch), workflows.OrderToCashWorkflowName, ch,
			&workflows.OrderToCashInput{ChargeID: ch, EventID: e.ID, EventType: typ}, false}, true, ""
	case typ == "invoice.paid" || typ == "invoice.payment_succeeded":
		// A paid Stripe invoice is posted by its charge's order-to-cash, whichever of invoice.paid
		// and charge.succeeded arrives first: one workflow ID, so one ERP invoice.
		var inv struct {
			Charge *stripe.Charge `json:"charge"`
		}
		if err := json.Unmarshal(e.Data.Raw, &inv); err != nil || inv.Charge == nil || inv.Charge.ID == "" {
			return route{}, false, "invoice paid without a charge (credit balance, out of band or zero total): nothing to post"
		}
		ch := inv.Charge.ID
		return route{workflows.OrderToCashID(ch), workflows.OrderToCashWorkflowName, ch,
			&workflows.OrderToCashInput{ChargeID: ch, EventID: e.ID, EventType: typ}, false}, true, ""
	case typ == "refund.created" || typ == "refund.updated" || typ == "refund.failed" || typ == "charge.refund.updated":
		// A refund changes state (pending → succeeded, or → failed): one run at a time, and a
		// later event starts a new pass that re-fetches it (and undoes a failed one).
		return route{workflows.RefundID(obj.ID), workflows.RefundWorkflowName, obj.ID,
			&workflows.RefundInput{RefundID: obj.ID, EventID: e.ID, EventType: typ}, true}, true, ""
	case typ == "charge.refunded":
		return route{workflows.ChargeRefundsID(obj.ID, obj.AmountRefunded), workflows.ChargeRefundsWorkflowName, obj.ID,
			&workflows.ChargeRefundsInput{ChargeID: obj.ID}, false}, true, ""
	case typ == "credit_note.created" || typ == "credit_note.updated" || typ == "credit_note.voided":
		return route{workflows.CreditNoteID(obj.ID), workflows.CreditNoteWorkflowName, obj.ID,
			&workflows.CreditNoteInput{CreditNoteID: obj.ID, EventType: typ}, true}, true, ""
	case strings.HasPrefix(typ, "charge.dispute."):
		return route{workflows.DisputeID(obj.ID), workflows.DisputeWorkflowName, obj.ID,
			&workflows.DisputeInput{DisputeID: obj.ID, EventType: typ}, true}, true, ""
	case typ == "customer.created" || typ == "customer.updated":
		return route{workflows.CustomerID(obj.ID), workflows.CustomerWorkflowName, obj.ID,
			&workflows.CustomerInput{CustomerID: obj.ID, EventType: typ, EventTime: e.Created}, true}, true, ""
	case typ == "payout.paid" || typ == "payout.failed" || typ == "payout.canceled":
		return route{workflows.PayoutID(obj.ID), workflows.PayoutWorkflowName, obj.ID,
			&workflows.PayoutInput{PayoutID: obj.ID, EventType: typ}, true}, true, ""
	}
	return route{}, false, "no workflow handles this event type"
}
