package main

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.temporal.io/sdk/client"
	"go.uber.org/zap"

	"github.com/ledgerbridge/ledgerbridge/internal/tsetup"
	"github.com/ledgerbridge/ledgerbridge/internal/webhooks"
)

// health serves the worker's probes: /healthz (the process is up), /readyz (Temporal reachable,
// the namespace and search attributes in place, the worker polling) and /metrics.
type health struct {
	tc       client.Client
	want     tsetup.Want
	polling  atomic.Bool
	registry *prometheus.Registry
	log      *zap.Logger
}

func newHealth(log *zap.Logger, want tsetup.Want) *health {
	h := &health{want: want, registry: prometheus.NewRegistry(), log: log}
	h.registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return h
}

func (h *health) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, 200, map[string]any{"status": "ok"}) })
	mux.HandleFunc("GET /readyz", h.ready)
	mux.Handle("GET /metrics", promhttp.HandlerFor(h.registry, promhttp.HandlerOpts{}))
	return mux
}

// ready is terse about the reason for anyone but the log… except what is missing from the
// namespace, which an operator needs to see to fix it.
func (h *health) ready(w http.ResponseWriter, r *http.Request) {
	if h.tc == nil || !h.polling.Load() {
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "starting"})
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	missing, err := tsetup.Missing(ctx, h.tc, h.want)
	if err != nil {
		h.log.Warn("not ready: Temporal unreachable", zap.Error(err))
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "unavailable"})
		return
	}
	if len(missing) > 0 {
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "not set up", "missing": strings.Join(missing, ", ")})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "ready"})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// serveHealth starts the health listener; it stops with ctx.
func serveHealth(ctx context.Context, addr string, h *health) (*webhooks.Server, error) {
	srv, err := webhooks.Listen("worker health", addr, h.handler(), webhooks.DefaultLimits)
	if err != nil {
		return nil, err
	}
	go func() {
		if err := srv.Serve(); err != nil {
			h.log.Error("health listener", zap.Error(err))
		}
	}()
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	return srv, nil
}
