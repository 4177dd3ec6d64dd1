// Package sage500 implements erp.Connector for Sage 500 through its REST facade
// (/Sage500API: PascalCase JSON, amounts as exact JSON numbers, bearer-token auth).
//
// Errors are classified for Temporal retry policies: network failures, timeouts, 5xx and 429
// become *erp.TransientError (with Retry-After), 401/403 *erp.AuthError, and other 4xx
// *erp.ValidationError carrying the server's message.
package sage500

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ledgerbridge/ledgerbridge/internal/erp"
)

// Name is the connector name.
const Name = "sage500"

// Client talks to one Sage 500 REST facade. It is safe for concurrent use.
type Client struct {
	base   string
	apiKey string
	hc     *http.Client
}

var _ erp.Connector = (*Client)(nil)

// New returns a client for baseURL (e.g. http://127.0.0.1:8383; "/Sage500API" is appended unless
// already present). A nil httpClient gets a default one with a 30 s timeout.
func New(baseURL, apiKey string, httpClient *http.Client) *Client {
	if httpClient == nil {
		httpClient = &http.Client{Timeout: 30 * time.Second}
	}
	base := strings.TrimRight(baseURL, "/")
	if !strings.HasSuffix(base, "/Sage500API") {
		base += "/Sage500API"
	}
	return &Client{base: base, apiKey: apiKey, hc: httpClient}
}

// Name identifies the connector.
func (c *Client) Name() string { return Name }

// errorBody is the facade's error envelope.
type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field"`
	} `json:"error"`
}

// do sends one request and decodes a 2xx JSON response into out (if non-nil).
func (c *Client) do(ctx context.Context, method, path string, query url.Values, in, out any) error {
	u := c.base + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("sage500: encode %s %s: %w", method, path, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return fmt.Errorf("sage500: build request: %w", err)
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
			return fmt.Errorf("sage500: %s %s: %w", method, path, ctx.Err())
		}
		return &erp.TransientError{Message: fmt.Sprintf("%s %s: %v", method, path, err)}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("sage500: %s %s: %w", method, path, ctx.Err())
		}
		return &erp.TransientError{Status: resp.StatusCode, Message: fmt.Sprintf("%s %s: reading response: %v", method, path, err)}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return classify(resp, data, method, path)
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

// classify maps a non-2xx response to the erp error types.
func classify(resp *http.Response, data []byte, method, path string) error {
	msg := serverMessage(data)
	full := fmt.Sprintf("%s %s: %s", method, path, msg)
	switch s := resp.StatusCode; {
	case s == http.StatusTooManyRequests || s >= 500:
		return &erp.TransientError{Status: s, RetryAfter: retryAfter(resp.Header.Get("Retry-After"), time.Now()), Message: full}
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

// serverMessage extracts the facade's error message (with its field) or a body excerpt.
func serverMessage(data []byte) string {
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

// retryAfter parses Retry-After as delay-seconds or an HTTP date; zero when absent or invalid.
func retryAfter(v string, now time.Time) time.Duration {
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

// isStatus reports whether err is a ValidationError with the given HTTP status.
func isStatus(err error, status int) bool {
	var v *erp.ValidationError
	return errors.As(err, &v) && v.Status == status
}

// localInvalid is a validation error raised before any request is sent.
func localInvalid(format string, args ...any) error {
	return &erp.ValidationError{Message: fmt.Sprintf(format, args...)}
}

// pathEscape escapes a key for use as one path segment.
func pathEscape(s string) string { return url.PathEscape(s) }
