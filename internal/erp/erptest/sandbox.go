package erptest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/ledgerbridge/ledgerbridge/sandbox/sagesandbox"
)

// SandboxAPIKey is the key connector tests use against their Sage sandbox.
const SandboxAPIKey = "test-key"

// Sandbox is a Sage sandbox served over real HTTP for a connector's tests: it starts the server
// and implements the fault-injection part of the optional erptest abilities. Connector tests
// embed it next to their client and add Restart, WithBadCredentials and Fixtures.
type Sandbox struct {
	URL    string
	DBPath string
	// HTTP is the HTTP client of the test server.
	HTTP *http.Client
	// PathPrefix limits injected faults to one dialect ("" = every route).
	PathPrefix string
}

// StartSandbox serves a Sage sandbox on dbPath until the test ends.
func StartSandbox(t *testing.T, dbPath, pathPrefix string) *Sandbox {
	t.Helper()
	srv, err := sagesandbox.New(sagesandbox.Config{APIKey: SandboxAPIKey, DBPath: dbPath})
	if err != nil {
		t.Fatalf("start sandbox: %v", err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		hs.Close()
		_ = srv.Close()
	})
	return &Sandbox{URL: hs.URL, DBPath: dbPath, HTTP: hs.Client(), PathPrefix: pathPrefix}
}

// InjectFault makes the sandbox answer every request of its dialect with the fault.
func (s *Sandbox) InjectFault(t *testing.T, f Fault) {
	secs := int(f.RetryAfter.Seconds())
	body := sagesandbox.Faults{PathPrefix: s.PathPrefix}
	switch {
	case f.Status == http.StatusTooManyRequests:
		body.RateLimitRate, body.RetryAfterS = 1, secs
	case secs > 0:
		body.OutageSeconds = secs // outages answer 503 with the remaining time as Retry-After
	default:
		body.ErrorRate, body.ErrorStatus = 1, f.Status
	}
	s.Admin(t, "PUT", "/_admin/faults", body, nil)
}

// ClearFaults removes injected faults.
func (s *Sandbox) ClearFaults(t *testing.T) { s.Admin(t, "DELETE", "/_admin/faults", nil, nil) }

// Stats returns the sandbox's response and fault counters.
func (s *Sandbox) Stats(t *testing.T) sagesandbox.Stats {
	var st sagesandbox.Stats
	s.Admin(t, "GET", "/_admin/stats", nil, &st)
	return st
}

// Admin calls the sandbox directly (admin API, or raw resources the port does not expose).
func (s *Sandbox) Admin(t *testing.T, method, path string, in, out any) {
	t.Helper()
	var body bytes.Buffer
	if in != nil {
		if err := json.NewEncoder(&body).Encode(in); err != nil {
			t.Fatal(err)
		}
	}
	req, err := http.NewRequest(method, s.URL+path, &body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+SandboxAPIKey)
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
