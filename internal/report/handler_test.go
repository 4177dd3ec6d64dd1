package report

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
)

// mountings are the ways the gateway may mount Handler; every route must work under each.
var mountings = []struct {
	name  string
	mount func(h http.Handler) http.Handler
}{
	{"net/http mux", func(h http.Handler) http.Handler {
		mux := http.NewServeMux()
		mux.Handle("/admin/reports", h)
		mux.Handle("/admin/reports/", h)
		return mux
	}},
	{"StripPrefix", func(h http.Handler) http.Handler {
		mux := http.NewServeMux()
		mux.Handle("/admin/reports", http.StripPrefix("/admin/reports", h))
		mux.Handle("/admin/reports/", http.StripPrefix("/admin/reports", h))
		return mux
	}},
	{"gin", func(h http.Handler) http.Handler {
		gin.SetMode(gin.TestMode)
		r := gin.New()
		r.GET("/admin/reports", gin.WrapH(h))
		r.Any("/admin/reports/*path", gin.WrapH(h))
		return r
	}},
}

func TestHandlerRoutes(t *testing.T) {
	s := newStore(t)
	r := realisticReport()
	save(t, s, r)
	save(t, s, smallReport("paytrace-old", "paytrace", r.GeneratedAt.Add(-72*time.Hour), 1))
	// A report whose page file is missing is rendered from its JSON.
	save(t, s, smallReport("no-page", "stripe", r.GeneratedAt.Add(-96*time.Hour), 0))
	if err := os.Remove(filepath.Join(s.Dir(), "no-page.html")); err != nil {
		t.Fatal(err)
	}

	const html, jsonCT, text = "text/html; charset=utf-8", "application/json; charset=utf-8", "text/plain; charset=utf-8"
	tests := []struct {
		name, method, path, accept string
		status                     int
		contentType                string
		body                       []string
	}{
		{"index", "GET", "/admin/reports", "", 200, html, []string{"<title>Reconciliation reports</title>", `href="/admin/reports/` + r.ID + `"`, `href="/admin/reports/paytrace-old"`}},
		{"index slash", "GET", "/admin/reports/", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", 200, html, []string{"3 reports, newest first"}},
		{"index json by query", "GET", "/admin/reports?format=json", "", 200, jsonCT, []string{`"id":"` + r.ID + `"`, `"discrepancies":12`}},
		{"index json by accept", "GET", "/admin/reports/", "application/json", 200, jsonCT, []string{`"id":"paytrace-old"`}},
		{"index html preferred", "GET", "/admin/reports", "text/html, application/json;q=0.5", 200, html, []string{"<table class=\"reports\">"}},
		{"report", "GET", "/admin/reports/" + r.ID, "", 200, html, []string{"12 discrepancies need attention", "ch_3QmissingA1"}},
		{"report html suffix", "GET", "/admin/reports/" + r.ID + ".html", "", 200, html, []string{"12 discrepancies need attention"}},
		{"report trailing slash", "GET", "/admin/reports/" + r.ID + "/", "", 200, html, []string{"12 discrepancies need attention"}},
		{"report json", "GET", "/admin/reports/" + r.ID + ".json", "", 200, jsonCT, []string{`"id":"` + r.ID + `"`, `"object":"ch_3QmissingA1"`}},
		{"report json by accept", "GET", "/admin/reports/" + r.ID, "application/json", 200, jsonCT, []string{`"webUi":"` + testWebUI + `"`}},
		{"report rendered from json", "GET", "/admin/reports/no-page", "", 200, html, []string{"Everything ties out"}},
		{"head", "HEAD", "/admin/reports/" + r.ID, "", 200, html, nil},
		{"unknown", "GET", "/admin/reports/nope", "", 404, text, []string{`no report "nope" (the list is at /admin/reports)`}},
		{"unknown json", "GET", "/admin/reports/nope.json", "", 404, jsonCT, []string{`{"error":"no report \"nope\" (the list is at /admin/reports)"}`}},
		{"invalid", "GET", "/admin/reports/a..b", "", 400, text, []string{`invalid report id "a..b"`}},
		{"nested", "GET", "/admin/reports/a/b", "", 400, text, []string{`invalid report id "a/b"`}},
		{"escaped slash", "GET", "/admin/reports/a%2Fb", "", 400, text, []string{"invalid report id"}},
		{"post", "POST", "/admin/reports/" + r.ID, "", 405, text, []string{"reports are read-only"}},
	}
	for _, m := range mountings {
		srv := httptest.NewServer(m.mount(Handler(s)))
		for _, tt := range tests {
			t.Run(m.name+"/"+tt.name, func(t *testing.T) {
				req, err := http.NewRequest(tt.method, srv.URL+tt.path, nil)
				if err != nil {
					t.Fatal(err)
				}
				if tt.accept != "" {
					req.Header.Set("Accept", tt.accept)
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				body, _ := io.ReadAll(resp.Body)
				if resp.StatusCode != tt.status {
					t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.status, body)
				}
				if ct := resp.Header.Get("Content-Type"); ct != tt.contentType {
					t.Errorf("Content-Type %q, want %q", ct, tt.contentType)
				}
				for _, want := range tt.body {
					if !strings.Contains(string(body), want) {
						t.Errorf("body lacks %s", want)
					}
				}
				if tt.method == "HEAD" && len(body) != 0 {
					t.Error("HEAD has a body")
				}
				if tt.status == 200 && !strings.Contains(resp.Header.Get("Content-Security-Policy"), "default-src 'none'") {
					t.Error("no Content-Security-Policy")
				}
			})
		}
		srv.Close()
	}
}

func TestHandlerJSONDecodes(t *testing.T) {
	s := newStore(t)
	r := realisticReport()
	save(t, s, r)
	srv := httptest.NewServer(Handler(s))
	defer srv.Close()

	resp, err := http.Get(srv.URL + "/admin/reports/" + r.ID + ".json")
	if err != nil {
		t.Fatal(err)
	}
	var got Report
	err = json.NewDecoder(resp.Body).Decode(&got)
	resp.Body.Close()
	if err != nil || canonical(t, &got) != canonical(t, r) {
		t.Errorf("the JSON route does not give the report back: %v", err)
	}

	resp, err = http.Get(srv.URL + "/admin/reports?format=json")
	if err != nil {
		t.Fatal(err)
	}
	var list []Summary
	err = json.NewDecoder(resp.Body).Decode(&list)
	resp.Body.Close()
	if err != nil || len(list) != 1 || list[0].ID != r.ID || list[0].Discrepancies != 12 {
		t.Errorf("list = %+v, %v", list, err)
	}

	// An empty store lists [] (not null).
	empty := httptest.NewServer(Handler(newStore(t)))
	defer empty.Close()
	resp, err = http.Get(empty.URL + "/admin/reports?format=json")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if strings.TrimSpace(string(b)) != "[]" {
		t.Errorf("empty list = %s", b)
	}
}
