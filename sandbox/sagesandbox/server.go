// Package sagesandbox is a local stand-in for the REST facades ledgerbridge uses to reach Sage
// ERPs. It behaves like a real ERP: strict validation with precise messages, persistence in a
// SQLite file, server-assigned document numbers and no deduplication: it stores every POST, even
// identical ones, because preventing duplicates is the integration's job.
//
// Dialects (Sage 500 under /Sage500API, Sage X3 under /api/v1, Sage Pro under /SageProAPI) sit on a shared store and a fault-injection layer
// administered under /_admin. Every route requires "Authorization: Bearer <APIKey>".
//
// Errors are JSON: {"error":{"code":"ValidationError|NotFound|Conflict|Unauthorized|ServerError|RateLimited",
// "message":"…","field":"…"}}. Collections are {"value":[…],"count":N}, oldest first.
package sagesandbox

import (
	"context"
	"crypto/subtle"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
)

// DefaultAPIKey is the development bearer token.
const DefaultAPIKey = "sage_ledgerbridge_dev"

// Config configures a Server.
type Config struct {
	// APIKey is the accepted bearer token (default DefaultAPIKey).
	APIKey string
	// DBPath is the SQLite file holding all data; it survives restarts.
	DBPath string
	// Logf receives one line per request and internal errors (default: discard).
	Logf func(string, ...any)
	// Seed seeds the random source of fault injection (default 1), so fault runs repeat.
	Seed uint64
}

// Server is the Sage sandbox HTTP server.
type Server struct {
	cfg     Config
	st      *store
	faults  *faultLayer
	handler http.Handler
	// revoked makes the ERP API (not /_admin) answer 401 as if the integration's key had been
	// revoked (PUT /_admin/credentials).
	revoked atomic.Bool
}

// New opens (or creates) the database, seeds master data and builds the routes.
func New(cfg Config) (*Server, error) {
	if cfg.APIKey == "" {
		cfg.APIKey = DefaultAPIKey
	}
	if cfg.Seed == 0 {
		cfg.Seed = 1
	}
	st, err := openStore(cfg.DBPath)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, st: st, faults: newFaultLayer(cfg.Seed, func() time.Time { return time.Now().UTC() })}
	if err := firstErr(seedSage500(context.Background(), st), seedSageX3(context.Background(), st),
		seedSagePro(context.Background(), st)); err != nil {
		_ = st.close()
		return nil, err
	}

	erpMux := http.NewServeMux()
	s.registerSage500(erpMux)
	s.registerSageX3(erpMux)
	s.registerSagePro(erpMux)
	erpMux.HandleFunc("/", s.serve(func(r *http.Request) (int, any, error) {
		return 0, nil, notFound("no route for %s %s", r.Method, r.URL.Path)
	}))
	adminMux := http.NewServeMux()
	s.registerAdmin(adminMux)
	adminMux.HandleFunc("/_admin/", s.serve(func(r *http.Request) (int, any, error) {
		return 0, nil, notFound("no admin route for %s %s", r.Method, r.URL.Path)
	}))

	erp := s.faults.wrap(erpMux)
	s.handler = s.logRequests(s.auth(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/_admin/") {
			adminMux.ServeHTTP(w, r)
			return
		}
		erp.ServeHTTP(w, r)
	})))
	return s, nil
}

// Handler returns the HTTP handler serving all dialects and the admin API.
func (s *Server) Handler() http.Handler { return s.handler }

// Close closes the database.
func (s *Server) Close() error { return s.st.close() }

func (s *Server) logf(format string, args ...any) {
	if s.cfg.Logf != nil {
		s.cfg.Logf(format, args...)
	}
}

// auth rejects requests without the configured bearer token.
func (s *Server) auth(next http.Handler) http.Handler {
	want := []byte("Bearer " + s.cfg.APIKey)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := []byte(r.Header.Get("Authorization"))
		if subtle.ConstantTimeCompare(got, want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="sage-sandbox"`)
			msg := "missing or invalid bearer token in Authorization header"
			if len(got) == 0 {
				msg = "Authorization header is required (Bearer <api key>)"
			}
			writeAPIError(w, &apiError{Status: http.StatusUnauthorized, Code: codeUnauthorized, Message: msg})
			return
		}
		if s.revoked.Load() && !strings.HasPrefix(r.URL.Path, "/_admin/") {
			w.Header().Set("WWW-Authenticate", `Bearer realm="sage-sandbox", error="invalid_token"`)
			writeAPIError(w, &apiError{Status: http.StatusUnauthorized, Code: codeUnauthorized,
				Message: "the API key has been revoked; ask the Sage administrator for a new one"})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// statusWriter captures the status for the request log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(s int) {
	if w.status == 0 {
		w.status = s
	}
	w.ResponseWriter.WriteHeader(s)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (s *Server) logRequests(next http.Handler) http.Handler {
	if s.cfg.Logf == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		s.logf("sage sandbox: %s %s -> %d (%s)", r.Method, r.URL.RequestURI(), sw.status, time.Since(start).Round(time.Millisecond))
	})
}
