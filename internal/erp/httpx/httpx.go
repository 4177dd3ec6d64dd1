// Package httpx is the HTTP plumbing the Sage connectors share: one JSON request with bearer
// auth, and the classification of failures for Temporal retry policies: network failures,
// timeouts, 5xx and 429 become *erp.TransientError (with Retry-After), 401/403 *erp.AuthError,
// other 4xx *erp.ValidationError carrying the server's message. A caller's own cancellation or
// deadline is returned wrapped, not as an ERP fault.
package httpx

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ledgerbridge/ledgerbridge/internal/erp"
)

// Client sends JSON requests to one ERP facade. It is safe for concurrent use.
type Client struct {
	name   string
	base   string
	apiKey string
	hc     *http.Client
}

// New returns a client for base (already including the dialect's path prefix). name prefixes
// local error messages ("sagex3"). A nil hc gets a default client with a 30 s timeout.
func New(name, base, apiKey string, hc *http.Client) *Client {
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	return &Client{name: name, base: strings.TrimRight(base, "/"), apiKey: apiKey, hc: hc}
}

// Base returns the base URL requests are sent under.
func (c *Client) Base() string { return c.base }

// Do sends one request (in, if non-nil, as the JSON body) and decodes a 2xx JSON response into
// out (if non-nil).
func (c *Client) Do(ctx context.Context, method, path string, query url.Values, in, out any) error {
	u := c.base + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("%s: encode %s %s: %w", c.name, method, path, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return fmt.Errorf("%s: build request: %w", c.name, err)
	}
	req.Header.Set("Authorization", "Bearer "+c.apiKey)
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			// The caller gave up (activity cancelled or timed out); report that, not an ERP fault.
			return fmt.Errorf("%s: %s %s: %w", c.name, method, path, ctx.Err())
		}
		return &erp.TransientError{Message: fmt.Sprintf("%s %s: %v", method, path, err)}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("%s: %s %s: %w", c.name, method, path, ctx.Err())
		}
		return &erp.TransientError{Status: resp.StatusCode, Message: fmt.Sprintf("%s %s: reading response: %v", method, path, err)}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return Classify(resp, data, method, path)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		// A garbled success may still have committed; the caller's find-before-create covers it.
		return &erp.TransientError{Status: resp.StatusCode, Message: fmt.Sprintf("%s %s: undecodable response: %v", method, path, err)}
	}
	return nil
}

// Classify maps a non-2xx response to the erp error types.
func Classify(resp *http.Response, data []byte, method, path string) error {
	msg := ServerMessage(data)
	full := fmt.Sprintf("%s %s: %s", method, path, msg)
	switch s := resp.StatusCode; {
	case s == http.StatusTooManyRequests || s >= 500:
		return &erp.TransientError{Status: s, RetryAfter: RetryAfter(resp.Header.Get("Retry-After"), time.Now()), Message: full}
	case s == http.StatusUnauthorized || s == http.StatusForbidden:
		return &erp.AuthError{Message: full}
	case s == http.StatusRequestTimeout:
		return &erp.TransientError{Status: s, Message: full}
	case s >= 400:
		return &erp.ValidationError{Status: s, Message: msg}
	default:
		return &erp.TransientError{Status: s, Message: "unexpected status: " + full}
	}
}

// errorBody is the facades' error envelope.
type errorBody struct {
	Error struct {
		Message string `json:"message"`
		Field   string `json:"field"`
	} `json:"error"`
}

// ServerMessage extracts the facade's error message (with its field) or a body excerpt.
func ServerMessage(data []byte) string {
	var eb errorBody
	if json.Unmarshal(data, &eb) == nil && eb.Error.Message != "" {
		if eb.Error.Field != "" && !strings.Contains(eb.Error.Message, eb.Error.Field) {
			return eb.Error.Field + ": " + eb.Error.Message
		}
		return eb.Error.Message
	}
	s := strings.TrimSpace(string(data))
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	if s == "" {
		s = "(empty body)"
	}
	return s
}

// RetryAfter parses Retry-After as delay-seconds or an HTTP date; zero when absent or invalid.
func RetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.Atoi(v); err == nil {
		if secs < 0 {
			return 0
		}
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// IsStatus reports whether err is a ValidationError with the given HTTP status.
func IsStatus(err error, status int) bool {
	var v *erp.ValidationError
	return errors.As(err, &v) && v.Status == status
}

// IsNotFound reports whether err is the facade's 404.
func IsNotFound(err error) bool { return IsStatus(err, http.StatusNotFound) }

// Invalid is a validation error raised before any request is sent.
func Invalid(format string, args ...any) error {
	return &erp.ValidationError{Message: fmt.Sprintf(format, args...)}
}

// Seg escapes a key for use as one path segment.
func Seg(s string) string { return "/" + url.PathEscape(s) }

// List is the facades' collection envelope.
type List[T any] struct {
	Value []T `json:"value"`
	Count int `json:"count"`
}

// First GETs path with query and returns the first (oldest) element, or nil when none match.
func First[T any](ctx context.Context, c *Client, path string, query url.Values) (*T, error) {
	var l List[T]
	if err := c.Do(ctx, http.MethodGet, path, query, nil, &l); err != nil {
		return nil, err
	}
	if len(l.Value) == 0 {
		return nil, nil
	}
	return &l.Value[0], nil
}

// All GETs path with query and returns every element.
func All[T any](ctx context.Context, c *Client, path string, query url.Values) ([]T, error) {
	var l List[T]
	if err := c.Do(ctx, http.MethodGet, path, query, nil, &l); err != nil {
		return nil, err
	}
	return l.Value, nil
}

// GetOrNil GETs path into a W. The facade's 404 is (nil, nil): the port's "does not exist".
func GetOrNil[W any](ctx context.Context, c *Client, path string) (*W, error) {
	var w W
	if err := c.Do(ctx, http.MethodGet, path, nil, nil, &w); err != nil {
		if IsNotFound(err) {
			return nil, nil
		}
		return nil, err
	}
	return &w, nil
}

// FirstBy returns the oldest element of path whose query param equals v, or nil. An empty v is
// refused: it would match everything.
func FirstBy[W any](ctx context.Context, c *Client, path, param, v string) (*W, error) {
	if v == "" {
		return nil, Invalid("lookup by %s needs a non-empty value", param)
	}
	return First[W](ctx, c, path, url.Values{param: {v}})
}

// ModifiedSince lists the elements of path changed at or after since (the facades'
// modifiedSince filter), converted with conv and sorted oldest change first.
func ModifiedSince[W any](ctx context.Context, c *Client, path string, since time.Time, conv func(W) *erp.Customer) ([]erp.Customer, error) {
	ws, err := All[W](ctx, c, path, url.Values{"modifiedSince": {since.UTC().Format(time.RFC3339Nano)}})
	if err != nil {
		return nil, err
	}
	out := make([]erp.Customer, 0, len(ws))
	for _, w := range ws {
		out = append(out, *conv(w))
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].UpdatedAt.Before(out[j].UpdatedAt) })
	return out, nil
}
