package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"mime"
	"net/http"
	"os"
	"strconv"
	"strings"
)

// Handler serves the store's reports for people and machines. It does no authentication: the
// gateway mounts it behind its admin token. Routes (GET and HEAD):
//
//	/admin/reports              the list page, newest first (JSON []Summary with
//	                            Accept: application/json or ?format=json)
//	/admin/reports/<id>         the report's page (its JSON with ?format=json or an Accept
//	                            that prefers application/json)
//	/admin/reports/<id>.html    the report's page
//	/admin/reports/<id>.json    the report's JSON
//
// Unknown IDs are 404, malformed ones 400, each with a one-line message. The handler finds its
// routes under Prefix when the request path starts with it, and otherwise takes the path as
// already stripped, so each of these mountings works:
//
//	mux.Handle("/admin/reports", h); mux.Handle("/admin/reports/", h)   // net/http
//	mux.Handle("/admin/reports/", http.StripPrefix("/admin/reports", h))
//	r.GET("/admin/reports", gin.WrapH(h)); r.Any("/admin/reports/*path", gin.WrapH(h)) // gin
//
// The list page links to Prefix/<id> whatever the mounting.
func Handler(s *Store) http.Handler { return &handler{store: s} }

// handler is Handler's implementation.
type handler struct {
	store *Store
}

// ServeHTTP routes one request.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		httpError(w, http.StatusMethodNotAllowed, "method "+r.Method+" not allowed: reports are read-only (GET)", false)
		return
	}
	rest := r.URL.Path
	if p, ok := strings.CutPrefix(rest, Prefix); ok && (p == "" || p[0] == '/') {
		rest = p
	}
	rest = strings.Trim(rest, "/")
	secure(w)
	if rest == "" {
		h.index(w, r)
		return
	}
	id, format := rest, ""
	if base, ok := strings.CutSuffix(rest, ".json"); ok {
		id, format = base, "json"
	} else if base, ok := strings.CutSuffix(rest, ".html"); ok {
		id, format = base, "html"
	} else if wantsJSON(r) {
		format = "json"
	}
	if !ValidID(id) {
		httpError(w, http.StatusBadRequest, "invalid report id "+strconv.Quote(id)+": report ids are 1-200 of A-Z a-z 0-9 . _ -", format == "json")
		return
	}
	if format == "json" {
		h.serveFile(w, r, id, ".json", "application/json; charset=utf-8")
		return
	}
	h.page(w, r, id)
}

// index serves the list of reports.
func (h *handler) index(w http.ResponseWriter, r *http.Request) {
	list, err := h.store.List()
	asJSON := wantsJSON(r)
	if err != nil {
		httpError(w, http.StatusInternalServerError, "listing reports: "+err.Error(), asJSON)
		return
	}
	if asJSON {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		if list == nil {
			list = []Summary{}
		}
		_ = json.NewEncoder(w).Encode(list)
		return
	}
	var buf bytes.Buffer
	if err := RenderIndex(&buf, list); err != nil {
		httpError(w, http.StatusInternalServerError, "rendering the report list: "+err.Error(), false)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = buf.WriteTo(w)
}

// page serves a report's saved page, or renders it from its JSON when the page file is missing
// (a report copied in by hand, or a store written by an older version).
func (h *handler) page(w http.ResponseWriter, r *http.Request, id string) {
	f, err := h.store.open(id, ".html")
	if err == nil {
		h.serveOpen(w, r, f, "text/html; charset=utf-8")
		return
	}
	if !errors.Is(err, ErrNotFound) {
		httpError(w, http.StatusInternalServerError, "reading report "+id+": "+err.Error(), false)
		return
	}
	rep, err := h.store.Get(id)
	if err != nil {
		h.notFoundOr500(w, id, err, false)
		return
	}
	var buf bytes.Buffer
	if err := Render(&buf, rep); err != nil {
		httpError(w, http.StatusInternalServerError, "rendering report "+id+": "+err.Error(), false)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = buf.WriteTo(w)
}

// serveFile serves the store's <id><ext> as is.
func (h *handler) serveFile(w http.ResponseWriter, r *http.Request, id, ext, contentType string) {
	f, err := h.store.open(id, ext)
	if err != nil {
		h.notFoundOr500(w, id, err, ext == ".json")
		return
	}
	h.serveOpen(w, r, f, contentType)
}

// serveOpen serves an open file (conditional requests and ranges included) and closes it.
func (h *handler) serveOpen(w http.ResponseWriter, r *http.Request, f *os.File, contentType string) {
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		httpError(w, http.StatusInternalServerError, "reading report: "+err.Error(), false)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Cache-Control", "no-cache")
	http.ServeContent(w, r, "", fi.ModTime(), f)
}

// notFoundOr500 answers a failed read: 404 for an unknown report, 500 otherwise.
func (h *handler) notFoundOr500(w http.ResponseWriter, id string, err error, asJSON bool) {
	if errors.Is(err, ErrNotFound) || errors.Is(err, fs.ErrNotExist) {
		httpError(w, http.StatusNotFound, "no report "+strconv.Quote(id)+" (the list is at "+Prefix+")", asJSON)
		return
	}
	httpError(w, http.StatusInternalServerError, "reading report "+id+": "+err.Error(), asJSON)
}

// secure sets the headers of every answer: the pages need nothing but their inline style.
func secure(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
}

// httpError answers status with a one-line message, as JSON {"error": …} when asJSON.
func httpError(w http.ResponseWriter, status int, msg string, asJSON bool) {
	w.Header().Del("Content-Length")
	w.Header().Set("Cache-Control", "no-store")
	if asJSON {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(msg + "\n"))
}

// wantsJSON says whether the request asks for JSON: ?format=json, or an Accept header that
// ranks application/json above text/html (a browser's Accept ranks HTML first).
func wantsJSON(r *http.Request) bool {
	switch r.URL.Query().Get("format") {
	case "json":
		return true
	case "html":
		return false
	}
	var qJSON, qHTML float64
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if s, ok := params["q"]; ok {
			if v, err := strconv.ParseFloat(s, 64); err == nil {
				q = v
			}
		}
		switch mt {
		case "application/json":
			qJSON = max(qJSON, q)
		case "text/html", "application/xhtml+xml":
			qHTML = max(qHTML, q)
		}
	}
	return qJSON > qHTML
}
