package sagex3_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/ledgerbridge/ledgerbridge/internal/erp"
	"github.com/ledgerbridge/ledgerbridge/internal/erp/erptest"
	"github.com/ledgerbridge/ledgerbridge/internal/erp/sagex3"
	"github.com/ledgerbridge/ledgerbridge/sandbox/sagesandbox"
)

const apiKey = "test-key"

// sandboxEnv is a Sage sandbox served over real HTTP plus an X3 connector to it, with the
// optional erptest abilities (faults, restart, bad credentials, fixtures).
type sandboxEnv struct {
	*sagex3.Client
	dbPath string
	url    string
	opts   sagex3.Options
}

func startSandbox(t *testing.T, dbPath string, opts sagex3.Options) *sandboxEnv {
	t.Helper()
	srv, err := sagesandbox.New(sagesandbox.Config{APIKey: apiKey, DBPath: dbPath})
	if err != nil {
		t.Fatalf("start sandbox: %v", err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		hs.Close()
		_ = srv.Close()
	})
	return &sandboxEnv{Client: sagex3.New(hs.URL, apiKey, hs.Client(), opts), dbPath: dbPath, url: hs.URL, opts: opts}
}

func newSandboxEnv(t *testing.T) *sandboxEnv {
	return startSandbox(t, filepath.Join(t.TempDir(), "sage.db"), sagex3.Options{})
}

// Fixtures are the sandbox's X3 master data and message vocabulary.
func (e *sandboxEnv) Fixtures() erptest.Fixtures {
	f := erptest.Sage500Fixtures
	f.Terms = erptest.Terms{CustomerName: "BPCNAM", Quantity: "QTY", PaymentAmount: "AMTCUR"}
	f.UniqueCustomers = true
	return f
}

// Restart opens a second sandbox on the same database file, like a rolling restart.
func (e *sandboxEnv) Restart(t *testing.T) erp.Connector { return startSandbox(t, e.dbPath, e.opts) }

func (e *sandboxEnv) WithBadCredentials(*testing.T) erp.Connector {
	return sagex3.New(e.url, "wrong-key", nil, e.opts)
}

func (e *sandboxEnv) InjectFault(t *testing.T, f erptest.Fault) {
	secs := int(f.RetryAfter.Seconds())
	body := sagesandbox.Faults{PathPrefix: "/api/v1/"}
	switch {
	case f.Status == http.StatusTooManyRequests:
		body.RateLimitRate, body.RetryAfterS = 1, secs
	case secs > 0:
		body.OutageSeconds = secs
	default:
		body.ErrorRate, body.ErrorStatus = 1, f.Status
	}
	e.admin(t, "PUT", "/_admin/faults", body, nil)
}

func (e *sandboxEnv) ClearFaults(t *testing.T) { e.admin(t, "DELETE", "/_admin/faults", nil, nil) }

// get fetches a raw sandbox resource (for state the port does not expose, such as stock).
func (e *sandboxEnv) get(t *testing.T, path string, out any) { e.admin(t, "GET", path, nil, out) }

func (e *sandboxEnv) admin(t *testing.T, method, path string, in, out any) {
	t.Helper()
	var body bytes.Buffer
	if in != nil {
		if err := json.NewEncoder(&body).Encode(in); err != nil {
			t.Fatal(err)
		}
	}
	req, err := http.NewRequest(method, e.url+path, &body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+apiKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s %s: HTTP %d", method, path, resp.StatusCode)
	}
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatal(err)
		}
	}
}
