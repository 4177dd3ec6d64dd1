package sagesandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Error codes of the JSON error body.
const (
	codeValidation   = "ValidationError"
	codeNotFound     = "NotFound"
	codeConflict     = "Conflict"
	codeUnauthorized = "Unauthorized"
	codeServer       = "ServerError"
	codeRateLimited  = "RateLimited"
)

// apiError is a client-facing failure; handlers return it and writeError renders it.
type apiError struct {
	Status  int    `json:"-"`
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

func (e *apiError) Error() string { return e.Message }

func badField(field, format string, args ...any) *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: codeValidation, Message: fmt.Sprintf(format, args...), Field: field}
}

func notFound(format string, args ...any) *apiError {
	return &apiError{Status: http.StatusNotFound, Code: codeNotFound, Message: fmt.Sprintf(format, args...)}
}

func conflict(field, format string, args ...any) *apiError {
	return &apiError{Status: http.StatusConflict, Code: codeConflict, Message: fmt.Sprintf(format, args...), Field: field}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false) // messages quote values like <api key>; keep them readable
	_ = enc.Encode(v)
}

func writeAPIError(w http.ResponseWriter, e *apiError) {
	writeJSON(w, e.Status, map[string]*apiError{"error": e})
}

// handlerFunc is a JSON handler: it returns the status and body, or an error.
type handlerFunc func(r *http.Request) (int, any, error)

// serve adapts a handlerFunc, turning unexpected errors into an opaque 500.
func (s *Server) serve(fn handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		status, body, err := fn(r)
		if err != nil {
			var ae *apiError
			if !errors.As(err, &ae) {
				s.logf("sage sandbox: %s %s: internal error: %v", r.Method, r.URL.Path, err)
				ae = &apiError{Status: http.StatusInternalServerError, Code: codeServer, Message: "internal error"}
			}
			writeAPIError(w, ae)
			return
		}
		writeJSON(w, status, body)
	}
}

// listBody is the shape of every GET collection response.
type listBody[T any] struct {
	Value []T `json:"value"`
	Count int `json:"count"`
}

func listOf[T any](v []T) listBody[T] { return listBody[T]{Value: v, Count: len(v)} }

// decodeBody strictly decodes one JSON object: unknown fields, trailing data and wrong types
// are validation errors naming the field.
func decodeBody(r *http.Request, dst any) error { return decode(r, dst, false) }

// decodeOptionalBody is decodeBody for endpoints whose body may be empty.
func decodeOptionalBody(r *http.Request, dst any) error { return decode(r, dst, true) }

func decode(r *http.Request, dst any, optional bool) error {
	// A nil ResponseWriter is allowed: MaxBytesReader only uses it to close the connection.
	b, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, 1<<20))
	if err != nil {
		return decodeError(err)
	}
	if len(bytes.TrimSpace(b)) == 0 {
		if optional {
			return nil
		}
		return badField("", "request body is empty; a JSON object is required")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return badField("", "request body must contain a single JSON object")
	}
	return nil
}

func decodeError(err error) error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	var maxErr *http.MaxBytesError
	switch {
	case errors.As(err, &typeErr):
		want := typeErr.Type.String()
		if strings.HasSuffix(want, ".num") {
			want = "a JSON number"
		}
		return badField(typeErr.Field, "field %q: got %s, want %s", typeErr.Field, typeErr.Value, want)
	case errors.As(err, &syntaxErr):
		return badField("", "malformed JSON at byte %d: %v", syntaxErr.Offset, err)
	case errors.As(err, &maxErr):
		return badField("", "request body larger than %d bytes", maxErr.Limit)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return badField("", "request body is truncated JSON")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return badField(field, "unknown field %q", field)
	default:
		return badField("", "invalid JSON body: %v", err)
	}
}

// queryParams validates the query string against the allowed parameter names, rejecting
// unknown or empty ones so a typo never silently widens a lookup.
func queryParams(r *http.Request, allowed ...string) (url.Values, error) {
	q := r.URL.Query()
	for name, vals := range q {
		ok := false
		for _, a := range allowed {
			if name == a {
				ok = true
				break
			}
		}
		if !ok {
			return nil, badField(name, "unknown query parameter %q (allowed: %s)", name, strings.Join(allowed, ", "))
		}
		if len(vals) != 1 || vals[0] == "" {
			return nil, badField(name, "query parameter %q must have exactly one non-empty value", name)
		}
	}
	return q, nil
}

// sinceParam parses an RFC 3339 modifiedSince value.
func sinceParam(q url.Values) (time.Time, error) {
	v := q.Get("modifiedSince")
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, badField("modifiedSince", "modifiedSince %q is not an RFC 3339 timestamp", v)
	}
	return t, nil
}
