package paytracesandbox

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // the merchant time zone must load on hosts without zoneinfo
)

// Dev defaults (DESIGN.md).
const (
	DefaultUser         = "ledgerbridge"
	DefaultPassword     = "ledgerbridge-dev"
	DefaultIntegratorID = "ledgerbridge"
	DefaultTokenTTL     = 2 * time.Hour
	DefaultPricing      = "2.9%+0.30"
	DefaultNotifySecret = "ptwhsec_ledgerbridge_dev"
	DefaultExportLimit  = 1000
	DefaultTimeZone     = "America/Los_Angeles"
)

// Config configures a Server. Zero values get the defaults above.
type Config struct {
	// DBPath is the SQLite file holding all state; it survives restarts. Required.
	DBPath string
	// User and Password are the only credentials /oauth/token accepts (and admin Basic auth).
	User, Password string
	// IntegratorID is the integrator_id every /v1 body must carry.
	IntegratorID string
	// TokenTTL is the lifetime of access tokens (expires_in).
	TokenTTL time.Duration
	// Pricing is the processing fee per settled sale: "2.9%+0.30", "3%", "0.25" or "0".
	Pricing string
	// ExportLimit caps the records of one export response (transactions, customers).
	ExportLimit int
	// TimeZone is the merchant time zone of dates (IANA name).
	TimeZone string
	// NotifyURL receives signed notifications (a project extension); "" sends none.
	NotifyURL string
	// NotifySecret signs notifications.
	NotifySecret string
	// NotifyRetryBase is the first retry delay of a failed notification (doubling, capped
	// at 60 × base); default 1s.
	NotifyRetryBase time.Duration
	// HTTPClient sends notifications (default: 10s timeout).
	HTTPClient *http.Client
	// Now is the clock for transactions, tokens and settlement dates (default time.Now).
	// Notification scheduling always uses real time.
	Now func() time.Time
	// Logf receives one line per request and per notification attempt (optional).
	Logf func(format string, args ...any)
	// Seed seeds the random source of fault injection (default 1), so fault runs repeat.
	Seed uint64
}

// Server is the PayTrace sandbox.
type Server struct {
	cfg     Config
	st      *store
	loc     *time.Location
	pricing Pricing
	faults  *faultLayer
	handler http.Handler

	knobsMu sync.Mutex
	knobs   NotifyKnobs

	wake     chan struct{}
	loopMu   sync.Mutex
	cancel   context.CancelFunc
	loopDone chan struct{}
	inflight map[int64]bool // delivery seqs being sent, guarded by loopMu
}

// New opens (or creates) the database and builds the routes. Call Start to begin sending
// notifications and Close when done.
func New(cfg Config) (*Server, error) {
	if cfg.User == "" {
		cfg.User = DefaultUser
	}
	if cfg.Password == "" {
		cfg.Password = DefaultPassword
	}
	if cfg.IntegratorID == "" {
		cfg.IntegratorID = DefaultIntegratorID
	}
	if cfg.TokenTTL == 0 {
		cfg.TokenTTL = DefaultTokenTTL
	}
	if cfg.TokenTTL < time.Second {
		return nil, fmt.Errorf("paytracesandbox: TokenTTL %s is shorter than a second", cfg.TokenTTL)
	}
	if cfg.Pricing == "" {
		cfg.Pricing = DefaultPricing
	}
	if cfg.ExportLimit == 0 {
		cfg.ExportLimit = DefaultExportLimit
	}
	if cfg.ExportLimit < 1 {
		return nil, fmt.Errorf("paytracesandbox: ExportLimit %d must be positive", cfg.ExportLimit)
	}
	if cfg.TimeZone == "" {
		cfg.TimeZone = DefaultTimeZone
	}
	if cfg.NotifySecret == "" {
		cfg.NotifySecret = DefaultNotifySecret
	}
	if cfg.NotifyRetryBase <= 0 {
		cfg.NotifyRetryBase = time.Second
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Seed == 0 {
		cfg.Seed = 1
	}
	loc, err := time.LoadLocation(cfg.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("paytracesandbox: time zone %q: %w", cfg.TimeZone, err)
	}
	pricing, err := ParsePricing(cfg.Pricing)
	if err != nil {
		return nil, err
	}
	st, err := openStore(cfg.DBPath)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, st: st, loc: loc, pricing: pricing, wake: make(chan struct{}, 1), inflight: map[int64]bool{}}
	s.faults = newFaultLayer(cfg.Seed, s.now)
	s.handler = s.routes()
	return s, nil
}

// Handler returns the HTTP handler serving the API and the /_sandbox admin endpoints.
func (s *Server) Handler() http.Handler { return s.handler }

// Close stops the notifier (waiting for sends in flight) and closes the database.
// Undelivered notifications stay queued for the next start.
func (s *Server) Close() error {
	s.loopMu.Lock()
	cancel, done := s.cancel, s.loopDone
	s.cancel = nil
	s.loopMu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
	return s.st.close()
}

func (s *Server) now() time.Time { return s.cfg.Now().UTC() }

func (s *Server) logf(format string, args ...any) {
	if s.cfg.Logf != nil {
		s.cfg.Logf(format, args...)
	}
}

// call is one authenticated /v1 request.
type call struct {
	r    *http.Request
	ctx  context.Context
	user string
}

// decode strictly decodes the body into dst and checks integrator_id.
func (s *Server) decode(c *call, dst withCommon) (problems, error) {
	return decodeStrict(c.r, dst, s.cfg.IntegratorID)
}

func (s *Server) routes() http.Handler {
	api := http.NewServeMux()
	api.HandleFunc("POST /oauth/token", s.token)
	v1 := map[string]handlerFunc{
		"transactions/sale/keyed":                s.saleKeyed(typeSale),
		"transactions/sale/by_customer":          s.saleByCustomer(typeSale),
		"transactions/authorization/keyed":       s.saleKeyed(typeAuth),
		"transactions/authorization/by_customer": s.saleByCustomer(typeAuth),
		"transactions/authorization/capture":     s.capture,
		"transactions/refund/for_transaction":    s.refundForTransaction,
		"transactions/refund/keyed":              s.refundKeyed,
		"transactions/void":                      s.void,
		"transactions/export/by_id":              s.exportByID,
		"transactions/export/by_date_range":      s.exportByDateRange,
		"level_three/visa":                       s.levelThree(brandVisa),
		"level_three/mastercard":                 s.levelThree(brandMastercard),
		"batches/export":                         s.batchesExport,
		"batches/export_one":                     s.batchesExportOne,
		"batches/transaction_list":               s.batchesTransactionList,
		"customer/create":                        s.customerCreate,
		"customer/update":                        s.customerUpdate,
		"customer/delete":                        s.customerDelete,
		"customer/export":                        s.customerExport,
	}
	for path, h := range v1 {
		api.HandleFunc("POST /v1/"+path, s.v1(h))
	}
	api.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, errorBody{ResponseCode: codeError,
			StatusMessage: fmt.Sprintf("No route for %s %s: every PayTrace endpoint is a POST under /v1/ or /oauth/token.", r.Method, r.URL.Path)})
	})

	admin := http.NewServeMux()
	s.registerAdmin(admin)

	faulted := s.faults.wrap(api)
	return s.logRequests(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/healthz":
			writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
		case strings.HasPrefix(r.URL.Path, "/_sandbox/"):
			admin.ServeHTTP(w, r)
		default:
			faulted.ServeHTTP(w, r)
		}
	}))
}

// v1 authenticates a /v1 request by its bearer token and runs h, converting panics into
// a 500 so bad input can never crash the sandbox.
func (s *Server) v1(h handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		user, oerr := s.authenticate(r)
		if oerr != nil {
			writeOAuthError(w, oerr)
			return
		}
		c := &call{r: r, ctx: r.Context(), user: user}
		status, body, err := func() (status int, body any, err error) {
			defer func() {
				if p := recover(); p != nil {
					err = fmt.Errorf("panic: %v", p)
				}
			}()
			return h(c)
		}()
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, status, body)
	}
}

// statusWriter captures the status for the request log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(st int) {
	if w.status == 0 {
		w.status = st
	}
	w.ResponseWriter.WriteHeader(st)
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
		s.logf("paytrace-sandbox: %s %s -> %d (%s)", r.Method, r.URL.RequestURI(), sw.status, time.Since(start).Round(time.Millisecond))
	})
}
