package paytracesandbox

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// badField is an admin validation error keyed by the field name.
func badField(field, format string, args ...any) *ptError { return fail(field, format, args...) }

// registerAdmin mounts the /_sandbox admin API. Every route needs HTTP Basic auth with the
// sandbox user and password, or a valid bearer token.
func (s *Server) registerAdmin(mux *http.ServeMux) {
	s.admin(mux, "GET /_sandbox/faults", func(*http.Request) (any, error) {
		f, _ := s.faults.snapshot()
		return f, nil
	})
	s.admin(mux, "PUT /_sandbox/faults", func(r *http.Request) (any, error) {
		var f Faults
		if err := decodeAdmin(r, &f, false); err != nil {
			return nil, err
		}
		if err := f.validate(); err != nil {
			return nil, err
		}
		if f.ExpireTokens {
			n, err := s.expireTokens(r.Context())
			if err != nil {
				return nil, err
			}
			s.logf("paytrace-sandbox: expired %d access tokens", n)
		}
		s.faults.set(f)
		got, _ := s.faults.snapshot()
		s.logf("paytrace-sandbox: faults set: %+v", got)
		return got, nil
	})
	s.admin(mux, "DELETE /_sandbox/faults", func(*http.Request) (any, error) {
		s.faults.set(Faults{})
		f, _ := s.faults.snapshot()
		return f, nil
	})
	s.admin(mux, "GET /_sandbox/stats", func(r *http.Request) (any, error) { return s.stats(r.Context()) })
	s.admin(mux, "POST /_sandbox/stats/reset", func(r *http.Request) (any, error) {
		s.faults.resetStats()
		return s.stats(r.Context())
	})
	s.admin(mux, "POST /_sandbox/settle", func(r *http.Request) (any, error) {
		var in struct {
			Date string `json:"date"`
		}
		if err := decodeAdmin(r, &in, true); err != nil {
			return nil, err
		}
		key := ""
		if in.Date != "" {
			k, ok := parseDate(in.Date)
			if !ok {
				return nil, badField("date", "date %q must be MM/DD/YYYY", in.Date)
			}
			key = k
		}
		return s.settle(r.Context(), key)
	})
	s.admin(mux, "GET /_sandbox/notifications", func(r *http.Request) (any, error) {
		q := r.URL.Query()
		limit := 100
		if v := q.Get("limit"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 1000 {
				return nil, badField("limit", "limit must be an integer between 1 and 1000")
			}
			limit = n
		}
		ds, err := s.deliveries(r.Context(), q.Get("state"), q.Get("notification_id"), limit)
		if err != nil {
			return nil, err
		}
		return map[string]any{"knobs": s.Knobs(), "notify_url": s.cfg.NotifyURL, "deliveries": ds}, nil
	})
	s.admin(mux, "POST /_sandbox/notifications", func(r *http.Request) (any, error) {
		// Pointers: a partial body changes only the knobs it names.
		var in struct {
			Paused     *bool `json:"paused"`
			Duplicates *int  `json:"duplicates"`
		}
		if err := decodeAdmin(r, &in, true); err != nil {
			return nil, err
		}
		k := s.Knobs()
		if in.Duplicates != nil {
			if *in.Duplicates < 0 || *in.Duplicates > maxDuplicates {
				return nil, badField("duplicates", "duplicates must be between 0 and %d", maxDuplicates)
			}
			k.Duplicates = *in.Duplicates
		}
		if in.Paused != nil {
			k.Paused = *in.Paused
		}
		s.SetKnobs(k)
		s.logf("paytrace-sandbox: notification knobs now %+v", k)
		return k, nil
	})
	s.admin(mux, "POST /_sandbox/notifications/{id}/redeliver", func(r *http.Request) (any, error) {
		id := r.PathValue("id")
		ok, err := s.redeliver(r.Context(), id)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, &ptError{HTTP: http.StatusNotFound, Code: codeError, Message: fmt.Sprintf("No notification %q.", id)}
		}
		return map[string]any{"redelivered": id}, nil
	})
	s.admin(mux, "/_sandbox/", func(r *http.Request) (any, error) {
		return nil, &ptError{HTTP: http.StatusNotFound, Code: codeError, Message: fmt.Sprintf("No admin route for %s %s.", r.Method, r.URL.Path)}
	})
}

// admin registers an authenticated JSON admin endpoint.
func (s *Server) admin(mux *http.ServeMux, pattern string, h func(r *http.Request) (any, error)) {
	mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		if !s.adminAuthorized(r) {
			w.Header().Set("WWW-Authenticate", `Basic realm="paytrace-sandbox admin"`)
			writeJSON(w, http.StatusUnauthorized, errorBody{ResponseCode: codeError,
				StatusMessage: "Admin endpoints need HTTP Basic auth with the sandbox user and password, or a valid bearer token."})
			return
		}
		v, err := h(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, v)
	})
}

func (s *Server) adminAuthorized(r *http.Request) bool {
	if user, pass, ok := r.BasicAuth(); ok {
		return subtle.ConstantTimeCompare([]byte(user), []byte(s.cfg.User)) == 1 &&
			subtle.ConstantTimeCompare([]byte(pass), []byte(s.cfg.Password)) == 1
	}
	_, oerr := s.authenticate(r)
	return oerr == nil
}

// decodeAdmin strictly decodes an admin JSON body; optional bodies may be empty.
func decodeAdmin(r *http.Request, dst any, optional bool) error {
	b, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBody))
	if err != nil {
		return badField("body", "the body could not be read: %v", err)
	}
	if len(bytes.TrimSpace(b)) == 0 {
		if optional {
			return nil
		}
		return badField("body", "a JSON object is required")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return badField("body", "%s", decodeMessage(err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return badField("body", "the body must contain a single JSON object")
	}
	return nil
}

// stats combines the fault layer's counters with counts of what is stored.
func (s *Server) stats(ctx context.Context) (Stats, error) {
	_, st := s.faults.snapshot()
	st.Stored = map[string]int{}
	queries := []struct{ prefix, q string }{
		{"transactions/", `SELECT type || '/' || status, count(*) FROM transactions GROUP BY 1`},
		{"", `SELECT 'customers', count(*) FROM customers`},
		{"", `SELECT 'batches', count(*) FROM batches`},
		{"", fmt.Sprintf(`SELECT 'tokens_live', count(*) FROM tokens WHERE expires_ns > %d`, s.now().UnixNano())},
		{"", `SELECT 'notifications', count(*) FROM notifications`},
		{"deliveries/", `SELECT state, count(*) FROM deliveries GROUP BY 1`},
	}
	for _, q := range queries {
		rows, err := s.st.db.QueryContext(ctx, q.q)
		if err != nil {
			return Stats{}, err
		}
		for rows.Next() {
			var k string
			var n int
			if err := rows.Scan(&k, &n); err != nil {
				rows.Close()
				return Stats{}, err
			}
			st.Stored[q.prefix+strings.TrimSpace(k)] = n
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return Stats{}, err
		}
	}
	return st, nil
}
