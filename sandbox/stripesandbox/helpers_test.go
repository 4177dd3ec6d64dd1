package stripesandbox

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/client"
	"github.com/stripe/stripe-go/v76/webhook"
)

const testKey = "sk_test_ledgerbridge"

// newClient returns a real stripe-go client pointed at baseURL.
func newClient(baseURL, key string) *client.API {
	cfg := &stripe.BackendConfig{URL: stripe.String(baseURL),
		MaxNetworkRetries: stripe.Int64(0),
		LeveledLogger:     &stripe.LeveledLogger{Level: stripe.LevelNull}}
	sc := &client.API{}
	sc.Init(key, &stripe.Backends{
		API:     stripe.GetBackendWithConfig(stripe.APIBackend, cfg),
		Uploads: stripe.GetBackendWithConfig(stripe.UploadsBackend, cfg)})
	return sc
}

// sandbox is a running Server behind httptest with a stripe-go client.
type sandbox struct {
	*Server
	HTTP   *httptest.Server
	Client *client.API
	DBPath string
}

// startSandbox starts a sandbox on dbPath ("" = fresh temp file) with the
// delivery loop running; cfg tweaks the Config.
func startSandbox(t *testing.T, dbPath string, cfg func(*Config)) *sandbox {
	t.Helper()
	if dbPath == "" {
		dbPath = filepath.Join(t.TempDir(), "stripe.db")
	}
	c := Config{DBPath: dbPath, Logf: t.Logf}
	if cfg != nil {
		cfg(&c)
	}
	s, err := New(c)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	s.Start(t.Context())
	hs := httptest.NewServer(s.Handler())
	sb := &sandbox{Server: s, HTTP: hs, Client: newClient(hs.URL, testKey), DBPath: dbPath}
	t.Cleanup(func() { sb.stop() })
	return sb
}

var stopOnce sync.Map

func (sb *sandbox) stop() {
	if _, done := stopOnce.LoadOrStore(sb, true); done {
		return
	}
	sb.HTTP.Close()
	_ = sb.Server.Close()
}

// admin calls a /_sandbox endpoint and decodes the JSON answer into out.
func (sb *sandbox) admin(t *testing.T, method, path string, body any, out any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, sb.HTTP.URL+path, rd)
	req.Header.Set("Authorization", "Bearer "+testKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("decode %s: %v", b, err)
		}
	}
}

// receiver is a webhook endpoint that verifies signatures with stripe-go.
type receiver struct {
	*httptest.Server
	mu       sync.Mutex
	secret   string
	events   []stripe.Event
	requests int
	failures []string
	// status decides the answer for the n-th request (1-based); nil = 200.
	status func(n int) int
}

func newReceiver(t *testing.T, secret string) *receiver {
	rc := &receiver{secret: secret}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		defer rc.mu.Unlock()
		rc.requests++
		if got := r.Header.Get("User-Agent"); got != UserAgent {
			rc.failures = append(rc.failures, "user agent "+got)
		}
		ev, err := webhook.ConstructEvent(body, r.Header.Get("Stripe-Signature"), rc.secret)
		if err != nil {
			rc.failures = append(rc.failures, err.Error())
			w.WriteHeader(400)
			return
		}
		code := 200
		if rc.status != nil {
			code = rc.status(rc.requests)
		}
		if code < 300 {
			rc.events = append(rc.events, ev)
		}
		w.WriteHeader(code)
	}))
	t.Cleanup(rc.Close)
	return rc
}

// setSecret changes the secret used to verify (endpoints created via the
// API get theirs in the create response).
func (rc *receiver) setSecret(s string) { rc.mu.Lock(); rc.secret = s; rc.mu.Unlock() }

// count returns how many accepted deliveries matched f.
func (rc *receiver) count(f func(stripe.Event) bool) int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	n := 0
	for _, e := range rc.events {
		if f(e) {
			n++
		}
	}
	return n
}

func (rc *receiver) failureList() []string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]string(nil), rc.failures...)
}

// eventually polls cond until it holds or the timeout passes.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

// stripeErr asserts err is a *stripe.Error and returns it.
func stripeErr(t *testing.T, err error) *stripe.Error {
	t.Helper()
	se, ok := err.(*stripe.Error)
	if !ok {
		t.Fatalf("want *stripe.Error, got %T %v", err, err)
	}
	return se
}
