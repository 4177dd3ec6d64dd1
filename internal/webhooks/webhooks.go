// Package webhooks is the gateway's HTTP surface: it verifies provider webhooks, maps each event
// to the business object it concerns, starts (or finds) that object's workflow and acknowledges in
// milliseconds. It never waits for a workflow and never calls an ERP.
package webhooks

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
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

// Config configures the gateway handler.
type Config struct {
	StripeWebhookSecret string
	// MaxBodyBytes caps a webhook body; larger requests get 413.
	MaxBodyBytes int64
	TaskQueue    string
	// Tolerance is the oldest signature timestamp accepted (Stripe's default is 300 s).
	Tolerance time.Duration
	// AdminToken guards /admin/*; empty disables those endpoints.
	AdminToken string
	// Preview computes what a Stripe event or object (raw JSON) or ID would post, without posting.
	Preview func(ctx context.Context, raw []byte, id string) (any, error)
}

// Gateway serves the webhook, health and metrics endpoints.
type Gateway struct {
	cfg      Config
	temporal Temporal
	log      *zap.Logger
	registry *prometheus.Registry
	events   *prometheus.CounterVec
	ack      *prometheus.HistogramVec
}

// New builds a Gateway.
func New(cfg Config, tc Temporal, log *zap.Logger) *Gateway {
	if cfg.Tolerance == 0 {
		cfg.Tolerance = webhook.DefaultTolerance
	}
	if cfg.TaskQueue == "" {
		cfg.TaskQueue = workflows.TaskQueue
	}
	g := &Gateway{cfg: cfg, temporal: tc, log: log, registry: prometheus.NewRegistry()}
	g.events = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "ledgerbridge_webhook_events_total",
		Help: "Webhook requests by provider, event type and outcome (started, ignored, rejected, error).",
	}, []string{"provider", "type", "outcome"})
	g.ack = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "ledgerbridge_webhook_ack_seconds",
		Help:    "Time from receiving a webhook to answering it.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
	}, []string{"provider"})
	g.registry.MustRegister(g.events, g.ack, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return g
}

// Handler returns the gin engine with every route.
func (g *Gateway) Handler() http.Handler {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(gin.Recovery(), g.accessLog())
	r.POST("/webhooks/stripe", g.stripeWebhook)
	r.GET("/healthz", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	r.GET("/readyz", g.ready)
	r.GET("/metrics", gin.WrapH(promhttp.HandlerFor(g.registry, promhttp.HandlerOpts{})))
	if g.cfg.AdminToken != "" && g.cfg.Preview != nil {
		admin := r.Group("/admin", g.requireAdmin)
		admin.POST("/preview", g.preview)
		admin.GET("/preview", g.preview)
	}
	return r
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

func (g *Gateway) ready(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	if _, err := g.temporal.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "temporal unreachable", "error": err.Error()})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready"})
}

func (g *Gateway) reject(c *gin.Context, status int, eventType, msg string) {
	g.events.WithLabelValues("stripe", eventType, "rejected").Inc()
	c.JSON(status, gin.H{"error": msg})
}

// stripeWebhook verifies a Stripe event and starts the workflow of the object it concerns.
func (g *Gateway) stripeWebhook(c *gin.Context) {
	start := time.Now()
	defer func() { g.ack.WithLabelValues("stripe").Observe(time.Since(start).Seconds()) }()

	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, g.cfg.MaxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			g.reject(c, http.StatusRequestEntityTooLarge, "", "webhook body exceeds the limit")
			return
		}
		g.reject(c, http.StatusBadRequest, "", "could not read body: "+err.Error())
		return
	}
	sig := c.GetHeader("Stripe-Signature")
	if sig == "" {
		g.reject(c, http.StatusBadRequest, "", "missing Stripe-Signature header")
		return
	}
	if !json.Valid(body) {
		g.reject(c, http.StatusBadRequest, "", "body is not valid JSON")
		return
	}
	event, err := webhook.ConstructEventWithOptions(body, sig, g.cfg.StripeWebhookSecret,
		webhook.ConstructEventOptions{Tolerance: g.cfg.Tolerance})
	if err != nil {
		g.reject(c, http.StatusBadRequest, "", "signature verification failed: "+err.Error())
		return
	}
	c.Set("event", event.ID+" "+string(event.Type))

	rt, handled, reason := routeEvent(event)
	if !handled {
		g.events.WithLabelValues("stripe", string(event.Type), "ignored").Inc()
		c.JSON(http.StatusOK, gin.H{"ignored": string(event.Type), "reason": reason})
		return
	}
	c.Set("workflow", rt.workflowID)
	opts := client.StartWorkflowOptions{
		ID:        rt.workflowID,
		TaskQueue: g.cfg.TaskQueue,
		// A running workflow for this object absorbs the event; a completed one stays completed;
		// a failed or terminated one may be started again (the ERP lookups prevent duplicates).
		WorkflowIDConflictPolicy:                 enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:                    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY,
		WorkflowExecutionErrorWhenAlreadyStarted: false,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			workflows.SAProvider.ValueSet("stripe"), workflows.SAProviderObject.ValueSet(rt.objectID),
			workflows.SALedgerStatus.ValueSet(workflows.StatusReceived), workflows.SANeedsAttention.ValueSet(false)),
	}
	var run client.WorkflowRun
	if rt.refresh {
		// Objects whose state keeps changing (disputes, payouts): one run at a time per object, so
		// two events never post concurrently; an event for a finished run starts a new pass,
		// which finds what was posted in the ERP and posts only what is new.
		opts.WorkflowIDConflictPolicy = enumspb.WORKFLOW_ID_CONFLICT_POLICY_UNSPECIFIED
		opts.WorkflowIDReusePolicy = enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE
		run, err = g.temporal.SignalWithStartWorkflow(c.Request.Context(), rt.workflowID, workflows.SignalRefresh,
			workflows.RefreshSignal{EventType: string(event.Type), Created: event.Created}, opts, rt.workflowName, rt.input)
	} else {
		run, err = g.temporal.ExecuteWorkflow(c.Request.Context(), opts, rt.workflowName, rt.input)
	}
	wfID := rt.workflowID
	var already *serviceerror.WorkflowExecutionAlreadyStarted
	switch {
	case errors.As(err, &already):
		g.events.WithLabelValues("stripe", string(event.Type), "duplicate").Inc()
		c.JSON(http.StatusOK, gin.H{"received": true, "workflowId": wfID, "duplicate": true})
	case err != nil:
		// Stripe retries non-2xx deliveries, so an unreachable Temporal loses nothing.
		g.events.WithLabelValues("stripe", string(event.Type), "error").Inc()
		g.log.Error("start workflow", zap.String("workflowId", wfID), zap.Error(err))
		c.JSON(http.StatusServiceUnavailable, gin.H{"error": "could not start workflow; retry later"})
	default:
		g.events.WithLabelValues("stripe", string(event.Type), "started").Inc()
		c.JSON(http.StatusOK, gin.H{"received": true, "workflowId": wfID, "runId": run.GetRunID()})
	}
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
	case typ == "refund.created" || typ == "refund.updated" || typ == "refund.failed" || typ == "charge.refund.updated":
		// A refund changes state (pending → succeeded, or → failed): one run at a time, and a
		// later event starts a new pass that re-fetches it (and undoes a failed one).
		return route{workflows.RefundID(obj.ID), workflows.RefundWorkflowName, obj.ID,
			&workflows.RefundInput{RefundID: obj.ID, EventID: e.ID, EventType: typ}, true}, true, ""
	case typ == "charge.refunded":
		return route{workflows.ChargeRefundsID(obj.ID, obj.AmountRefunded), workflows.ChargeRefundsWorkflowName, obj.ID,
			&workflows.ChargeRefundsInput{ChargeID: obj.ID}, false}, true, ""
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
