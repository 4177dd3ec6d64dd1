// Package sage500 implements erp.Connector for Sage 500 through its REST facade
// (/Sage500API: PascalCase JSON, amounts as exact JSON numbers, bearer-token auth).
//
// Errors are classified for Temporal retry policies (shared with the other Sage connectors in
// package httpx): network failures, timeouts, 5xx and 429 become *erp.TransientError (with
// Retry-After), 401/403 *erp.AuthError, and other 4xx *erp.ValidationError carrying the
// server's message.
package sage500

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ledgerbridge/ledgerbridge/internal/erp"
	"github.com/ledgerbridge/ledgerbridge/internal/erp/httpx"
)

// Name is the connector name.
const Name = "sage500"

// Client talks to one Sage 500 REST facade. It is safe for concurrent use.
type Client struct {
	h *httpx.Client
}

var _ erp.Connector = (*Client)(nil)

// New returns a client for baseURL (e.g. http://127.0.0.1:8383; "/Sage500API" is appended unless
// already present). A nil httpClient gets a default one with a 30 s timeout.
func New(baseURL, apiKey string, httpClient *http.Client) *Client {
	base := strings.TrimRight(baseURL, "/")
	if !strings.HasSuffix(base, "/Sage500API") {
		base += "/Sage500API"
	}
	return &Client{h: httpx.New(Name, base, apiKey, httpClient)}
}

// Name identifies the connector.
func (c *Client) Name() string { return Name }

// ValidCustomerID checks the key syntax (Sage 500 CustID: up to 12 characters of letters, digits, '.', '_', '-').
func (c *Client) ValidCustomerID(id string) bool { return erp.KeySyntax(id, 12, false) }

// do sends one request and decodes a 2xx JSON response into out (if non-nil).
func (c *Client) do(ctx context.Context, method, path string, query url.Values, in, out any) error {
	return c.h.Do(ctx, method, path, query, in, out)
}

// classify maps a non-2xx response to the erp error types.
func classify(resp *http.Response, data []byte, method, path string) error {
	return httpx.Classify(resp, data, method, path)
}

// serverMessage extracts the facade's error message (with its field) or a body excerpt.
func serverMessage(data []byte) string { return httpx.ServerMessage(data) }

// retryAfter parses Retry-After as delay-seconds or an HTTP date; zero when absent or invalid.
func retryAfter(v string, now time.Time) time.Duration { return httpx.RetryAfter(v, now) }

// isStatus reports whether err is a ValidationError with the given HTTP status.
func isStatus(err error, status int) bool { return httpx.IsStatus(err, status) }

// localInvalid is a validation error raised before any request is sent.
func localInvalid(format string, args ...any) error { return httpx.Invalid(format, args...) }

// pathEscape escapes a key for use as one path segment.
func pathEscape(s string) string { return url.PathEscape(s) }

var _ erp.WireRenderer = (*Client)(nil)

var (
	_ erp.DocumentLister = (*Client)(nil)
	_ erp.LiveCounter    = (*Client)(nil)
)
