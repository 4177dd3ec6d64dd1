package paytracesandbox

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// testIntegrator is the integrator_id the test helpers add to every body.
const testIntegrator = DefaultIntegratorID

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// testStart is 10:00 on Tuesday 03/10/2026 in the default merchant time zone.
func testStart(t *testing.T) time.Time {
	loc, err := time.LoadLocation(DefaultTimeZone)
	if err != nil {
		t.Fatal(err)
	}
	return time.Date(2026, 3, 10, 10, 0, 0, 0, loc)
}

// tenv is a running sandbox behind httptest with a token.
type tenv struct {
	t      *testing.T
	srv    *Server
	hs     *httptest.Server
	dbPath string
	cfg    Config
	clock  *clock
	token  string
}

// newEnv starts a sandbox on a fresh database with a test clock; opts tweak the Config.
func newEnv(t *testing.T, opts ...func(*Config)) *tenv {
	t.Helper()
	c := &clock{t: testStart(t)}
	cfg := Config{DBPath: filepath.Join(t.TempDir(), "paytrace.db"), Logf: t.Logf, Now: c.Now}
	for _, o := range opts {
		o(&cfg)
	}
	return openEnv(t, cfg, c)
}

// openEnv starts a sandbox with cfg (reopening cfg.DBPath when it exists).
func openEnv(t *testing.T, cfg Config, c *clock) *tenv {
	t.Helper()
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv.Start(t.Context())
	e := &tenv{t: t, srv: srv, hs: httptest.NewServer(srv.Handler()), dbPath: cfg.DBPath, cfg: cfg, clock: c}
	t.Cleanup(e.close)
	e.token = e.newToken()
	return e
}

// advance moves the test clock and takes a fresh token (the old one may have expired).
func (e *tenv) advance(d time.Duration) {
	e.t.Helper()
	e.clock.advance(d)
	e.token = e.newToken()
}

// reopen closes the sandbox and starts a new one on the same file, keeping the token.
func (e *tenv) reopen() *tenv {
	e.t.Helper()
	e.close()
	tok := e.token
	n := openEnv(e.t, e.cfg, e.clock)
	n.token = tok
	return n
}

func (e *tenv) close() {
	if e.hs != nil {
		e.hs.Close()
		if err := e.srv.Close(); err != nil {
			e.t.Errorf("close: %v", err)
		}
		e.hs = nil
	}
}

// resp is a decoded response.
type resp struct {
	status int
	header http.Header
	raw    string
	body   map[string]any
}

func (r resp) code() int {
	n, _ := r.body["response_code"].(float64)
	return int(n)
}

func (r resp) id() int64 {
	n, _ := r.body["transaction_id"].(float64)
	return int64(n)
}

// errKeys lists the keys of errors{}, sorted.
func (r resp) errKeys() string {
	errs, _ := r.body["errors"].(map[string]any)
	var keys []string
	for k := range errs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return strings.Join(keys, ",")
}

// txns returns the transactions[] of an export.
func (r resp) txns() []map[string]any {
	list, _ := r.body["transactions"].([]any)
	out := make([]map[string]any, 0, len(list))
	for _, v := range list {
		out = append(out, v.(map[string]any))
	}
	return out
}

func (e *tenv) newToken() string {
	e.t.Helper()
	r := e.form("/oauth/token", url.Values{"grant_type": {"password"}, "username": {DefaultUser}, "password": {DefaultPassword}})
	if r.status != 200 {
		e.t.Fatalf("token: %d %s", r.status, r.raw)
	}
	return r.body["access_token"].(string)
}

// form posts a form-encoded body without auth.
func (e *tenv) form(path string, v url.Values) resp {
	e.t.Helper()
	req, err := http.NewRequest("POST", e.hs.URL+path, strings.NewReader(v.Encode()))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return e.send(req)
}

// do sends method path with body (string or JSON-marshalled value) and the given
// Authorization header value ("" = none).
func (e *tenv) do(method, path string, body any, authz string) resp {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, e.hs.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if authz != "" {
		req.Header.Set("Authorization", authz)
	}
	return e.send(req)
}

func (e *tenv) send(req *http.Request) resp {
	e.t.Helper()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	r := resp{status: res.StatusCode, header: res.Header, raw: string(raw)}
	_ = json.Unmarshal(raw, &r.body)
	return r
}

// obj is a JSON object literal.
type obj = map[string]any

// api posts a /v1 call with the token, adding integrator_id unless body sets it.
func (e *tenv) api(path string, body obj) resp {
	e.t.Helper()
	if _, ok := body["integrator_id"]; !ok {
		body["integrator_id"] = testIntegrator
	}
	return e.do("POST", "/v1/"+path, body, "Bearer "+e.token)
}

// admin calls a /_sandbox endpoint with Basic auth.
func (e *tenv) admin(method, path string, body any) resp {
	e.t.Helper()
	return e.do(method, "/_sandbox/"+path, body, basic(DefaultUser, DefaultPassword))
}

func basic(user, pass string) string {
	req, _ := http.NewRequest("GET", "/", nil)
	req.SetBasicAuth(user, pass)
	return req.Header.Get("Authorization")
}

// want asserts an HTTP status and a response code.
func want(t *testing.T, r resp, status, code int) resp {
	t.Helper()
	if r.status != status || r.code() != code {
		t.Fatalf("got HTTP %d response_code %d, want %d/%d: %s", r.status, r.code(), status, code, r.raw)
	}
	return r
}

// wantErr asserts a failure with exactly the given error keys.
func wantErr(t *testing.T, r resp, code int, keys string) resp {
	t.Helper()
	want(t, r, http.StatusBadRequest, code)
	if r.body["success"] != false || r.errKeys() != keys {
		t.Fatalf("got error keys %q, want %q: %s", r.errKeys(), keys, r.raw)
	}
	return r
}

// card is a credit_card object expiring 12/2030.
func card(number string) obj {
	return obj{"number": number, "expiration_month": 12, "expiration_year": 2030}
}

// sale makes an approved keyed sale of amount and returns its transaction ID.
func (e *tenv) sale(amount string) int64 {
	e.t.Helper()
	r := want(e.t, e.api("transactions/sale/keyed", obj{"amount": amount, "credit_card": card(CardVisa)}), 200, codeApproved)
	return r.id()
}

// authorize makes an approved keyed authorization and returns its ID.
func (e *tenv) authorize(amount string) int64 {
	e.t.Helper()
	r := want(e.t, e.api("transactions/authorization/keyed", obj{"amount": amount, "credit_card": card(CardMastercard)}), 200, codeApproved)
	return r.id()
}

// export returns one transaction's export.
func (e *tenv) export(id int64) map[string]any {
	e.t.Helper()
	r := want(e.t, e.api("transactions/export/by_id", obj{"transaction_id": id}), 200, codeCompleted)
	list := r.txns()
	if len(list) != 1 {
		e.t.Fatalf("export by_id %d: %s", id, r.raw)
	}
	return list[0]
}

// settle closes today's batch and returns the admin answer.
func (e *tenv) settle() resp {
	e.t.Helper()
	r := e.admin("POST", "settle", nil)
	if r.status != 200 {
		e.t.Fatalf("settle: %d %s", r.status, r.raw)
	}
	return r
}

// eventually polls cond until it holds or d passes.
func eventually(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
