package paytrace

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ledgerbridge/ledgerbridge/sandbox/paytracesandbox"
)

// clock is a settable clock shared by the sandbox and the client.
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

// merchantTZ is the sandbox's (and the client's) default merchant time zone.
func merchantTZ(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(DefaultTimeZone)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// env is the real sandbox in-process behind httptest, with a client and counters.
type env struct {
	t      *testing.T
	sb     *paytracesandbox.Server
	hs     *httptest.Server
	clock  *clock
	client *Client

	oauthCalls atomic.Int64 // POST /oauth/token requests seen
	v1Calls    atomic.Int64 // /v1 requests seen
	breakAuth  atomic.Bool  // replace every /v1 bearer token with garbage (a revoked user)
	breakNext  atomic.Int64 // replace the bearer token of this many next /v1 requests
}

// newEnv starts a sandbox on a fresh database at 10:00 on 03/10/2026 merchant time.
func newEnv(t *testing.T, opts ...func(*paytracesandbox.Config)) *env {
	t.Helper()
	e := &env{t: t, clock: &clock{t: time.Date(2026, 3, 10, 10, 0, 0, 0, merchantTZ(t))}}
	cfg := paytracesandbox.Config{DBPath: filepath.Join(t.TempDir(), "paytrace.db"), Now: e.clock.Now}
	for _, o := range opts {
		o(&cfg)
	}
	sb, err := paytracesandbox.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.sb = sb
	h := sb.Handler()
	e.hs = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/oauth/token":
			e.oauthCalls.Add(1)
		case strings.HasPrefix(r.URL.Path, "/v1/"):
			e.v1Calls.Add(1)
			if e.breakAuth.Load() || e.breakNext.Add(-1) >= 0 {
				r.Header.Set("Authorization", "Bearer revoked")
			}
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(func() {
		e.hs.Close()
		if err := sb.Close(); err != nil {
			t.Errorf("sandbox close: %v", err)
		}
	})
	e.client = e.newClient(paytracesandbox.DefaultPassword)
	return e
}

// newClient returns a client of the sandbox with password.
func (e *env) newClient(password string) *Client {
	return New(Config{BaseURL: e.hs.URL, Username: paytracesandbox.DefaultUser, Password: password,
		IntegratorID: paytracesandbox.DefaultIntegratorID, Now: e.clock.Now})
}

// admin calls a /_sandbox endpoint with Basic auth and decodes the answer into out.
func (e *env) admin(method, path string, body, out any) {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, e.hs.URL+"/_sandbox/"+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	req.SetBasicAuth(paytracesandbox.DefaultUser, paytracesandbox.DefaultPassword)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		e.t.Fatalf("%s /_sandbox/%s: %d %s", method, path, resp.StatusCode, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			e.t.Fatalf("%s /_sandbox/%s: %v: %s", method, path, err, data)
		}
	}
}

// faults sets the sandbox's fault injection.
func (e *env) faults(f paytracesandbox.Faults) {
	e.t.Helper()
	e.admin(http.MethodPut, "faults", f, nil)
}

// settle closes today's batch.
func (e *env) settle() {
	e.t.Helper()
	e.admin(http.MethodPost, "settle", nil, nil)
}

// dec parses a decimal literal.
func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// visa is an approving test card.
func visa() CreditCard {
	return CreditCard{Number: paytracesandbox.CardVisa, ExpirationMonth: 12, ExpirationYear: 2030}
}

// sale makes an approved keyed sale and returns its ID.
func (e *env) sale(amount, invoice string) int64 {
	e.t.Helper()
	res, err := e.client.SaleKeyed(e.t.Context(), KeyedSale{SaleDetails: SaleDetails{Amount: dec(amount), InvoiceNumber: invoice},
		CreditCard: visa()})
	if err != nil {
		e.t.Fatalf("sale %s: %v", amount, err)
	}
	if !res.Success || res.ResponseCode != CodeApproved || res.TransactionID == 0 {
		e.t.Fatalf("sale %s: %+v", amount, res)
	}
	return res.TransactionID
}

// wantDecimal asserts an exact amount.
func wantDecimal(t *testing.T, what string, got decimal.Decimal, want string) {
	t.Helper()
	if !got.Equal(dec(want)) {
		t.Errorf("%s = %s, want %s", what, got, want)
	}
}
