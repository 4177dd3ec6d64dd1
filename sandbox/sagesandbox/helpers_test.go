package sagesandbox

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
)

const testKey = "k"

type tenv struct {
	t      *testing.T
	srv    *Server
	hs     *httptest.Server
	dbPath string
}

func newEnv(t *testing.T) *tenv {
	return openEnv(t, filepath.Join(t.TempDir(), "sage.db"))
}

func openEnv(t *testing.T, dbPath string) *tenv {
	t.Helper()
	srv, err := New(Config{APIKey: testKey, DBPath: dbPath, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	e := &tenv{t: t, srv: srv, hs: hs, dbPath: dbPath}
	t.Cleanup(e.close)
	return e
}

func (e *tenv) close() {
	if e.hs != nil {
		e.hs.Close()
		_ = e.srv.Close()
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

func (r resp) errField(name string) string {
	e, _ := r.body["error"].(map[string]any)
	s, _ := e[name].(string)
	return s
}

func (e *tenv) do(method, path string, body any) resp {
	return e.doKey(method, path, body, testKey)
}

func (e *tenv) doKey(method, path string, body any, key string) resp {
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
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	r := resp{status: res.StatusCode, header: res.Header, raw: string(raw)}
	_ = json.Unmarshal(raw, &r.body)
	return r
}

// want asserts the status and returns the response.
func (e *tenv) want(status int, method, path string, body any) resp {
	e.t.Helper()
	r := e.do(method, path, body)
	if r.status != status {
		e.t.Fatalf("%s %s: status %d, want %d; body %s", method, path, r.status, status, r.raw)
	}
	return r
}

// wantErr asserts an error status whose message contains every snippet.
func (e *tenv) wantErr(status int, method, path string, body any, snippets ...string) resp {
	e.t.Helper()
	r := e.want(status, method, path, body)
	msg := r.errField("message")
	for _, s := range snippets {
		if !strings.Contains(msg, s) {
			e.t.Errorf("%s %s: message %q does not contain %q", method, path, msg, s)
		}
	}
	return r
}

func (e *tenv) customer(name string) string {
	e.t.Helper()
	r := e.want(201, "POST", "/Sage500API/Customers", map[string]any{"CustomerName": name, "EmailAddress": "a@b.co"})
	return r.body["CustomerID"].(string)
}

// invoice posts a one-line invoice and returns its number.
func (e *tenv) invoice(cust, price string) string {
	e.t.Helper()
	body := `{"CustomerID":"` + cust + `","InvoiceDate":"2026-01-15","ExternalRef":"ch_1","Lines":[{"ItemID":"WIDGET","Qty":1,"UnitPrice":` + price + `}]}`
	r := e.want(201, "POST", "/Sage500API/Invoices", body)
	return r.body["InvoiceNo"].(string)
}
