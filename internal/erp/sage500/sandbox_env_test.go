package sage500_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/ledgerbridge/ledgerbridge/internal/erp"
	"github.com/ledgerbridge/ledgerbridge/internal/erp/erptest"
	"github.com/ledgerbridge/ledgerbridge/internal/erp/sage500"
	"github.com/ledgerbridge/ledgerbridge/sandbox/sagesandbox"
)

const apiKey = "test-key"

// sandboxEnv is a Sage sandbox served over real HTTP plus a connector to it. It implements
// the optional erptest abilities (faults, restart, bad credentials).
type sandboxEnv struct {
	*sage500.Client
	dbPath string
	url    string
}

func startSandbox(t *testing.T, dbPath string) *sandboxEnv {
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
	return &sandboxEnv{Client: sage500.New(hs.URL, apiKey, hs.Client()), dbPath: dbPath, url: hs.URL}
}

func newSandboxEnv(t *testing.T) *sandboxEnv {
	return startSandbox(t, filepath.Join(t.TempDir(), "sage.db"))
}

// Restart starts a second sandbox process-equivalent on the same database file. The first
// instance is closed by its cleanup; SQLite WAL lets both coexist meanwhile, like a
// rolling restart.
func (e *sandboxEnv) Restart(t *testing.T) erp.Connector { return startSandbox(t, e.dbPath) }

func (e *sandboxEnv) WithBadCredentials(*testing.T) erp.Connector {
	return sage500.New(e.url, "wrong-key", nil)
}

func (e *sandboxEnv) InjectFault(t *testing.T, f erptest.Fault) {
	secs := int(f.RetryAfter.Seconds())
	body := sagesandbox.Faults{}
	switch {
	case f.Status == http.StatusTooManyRequests:
		body.RateLimitRate, body.RetryAfterS = 1, secs
	case secs > 0:
		body.OutageSeconds = secs // outages answer 503 with the remaining time as Retry-After
	default:
		body.ErrorRate, body.ErrorStatus = 1, f.Status
	}
	e.admin(t, "PUT", "/_admin/faults", body, nil)
}

func (e *sandboxEnv) ClearFaults(t *testing.T) { e.admin(t, "DELETE", "/_admin/faults", nil, nil) }

func (e *sandboxEnv) stats(t *testing.T) sagesandbox.Stats {
	var st sagesandbox.Stats
	e.admin(t, "GET", "/_admin/stats", nil, &st)
	return st
}

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
		t.Fatalf("admin %s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("admin %s %s: HTTP %d", method, path, resp.StatusCode)
	}
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatal(err)
		}
	}
}
