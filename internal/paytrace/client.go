package paytrace

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // the merchant time zone must load on hosts without zoneinfo

	"github.com/shopspring/decimal"

	"github.com/ledgerbridge/ledgerbridge/internal/redact"
)

// Base URLs of PayTrace's v1 API.
const (
	// ProductionURL is PayTrace's live API.
	ProductionURL = "https://api.paytrace.com"
	// PayTraceSandboxURL is PayTrace's own sandbox.
	PayTraceSandboxURL = "https://api.sandbox.paytrace.com"
	// LocalSandboxURL is ledgerbridge's sandbox (sandbox/cmd/paytrace-sandbox).
	LocalSandboxURL = "http://127.0.0.1:8282"
)

// DefaultTimeZone is PayTrace's merchant time zone unless configured otherwise.
const DefaultTimeZone = "America/Los_Angeles"

// maxResponse bounds a response body (an export of 1000 transactions is a few MB).
const maxResponse = 64 << 20

// refreshTimeout bounds one token request, independent of the caller that started it.
const refreshTimeout = 30 * time.Second

// maxReauth is how many fresh tokens one call tries after invalid_token. A token can expire,
// be forced out or be rotated by another client between its grant and its first use; a
// fresh token refused this many times in a row is a credential problem, not a race.
const maxReauth = 3

// Config configures a Client.
type Config struct {
	// BaseURL is the API root (ProductionURL, PayTraceSandboxURL or LocalSandboxURL);
	// default ProductionURL.
	BaseURL string
	// Username and Password are the API user's credentials (OAuth password grant).
	Username, Password string
	// IntegratorID is sent as integrator_id in every /v1 body.
	IntegratorID string
	// HTTPClient sends requests; default a client with a 30 s timeout. The client never
	// retries on its own except after invalid_token (with a fresh token, at most
	// maxReauth times): Temporal owns retries.
	HTTPClient *http.Client
	// Now is the clock for token expiry and Retry-After dates; default time.Now.
	Now func() time.Time
	// Location is the merchant time zone: request dates are rendered in it and local
	// timestamps ("3/10/2026 10:00:00 AM") are read in it. Default America/Los_Angeles.
	Location *time.Location
}

// Client calls PayTrace's v1 JSON API. It is safe for concurrent use; all callers share one
// cached access token and at most one token request is in flight at a time.
type Client struct {
	base         string
	user, pass   string
	integratorID string
	hc           *http.Client
	now          func() time.Time
	loc          *time.Location

	mu       sync.Mutex
	token    string
	expires  time.Time // refresh at or after this instant (already less the safety margin)
	inflight *refresh
}

// API is the PayTrace surface ledgerbridge's activities use; *Client implements it, tests
// of activities may swap it.
type API interface {
	ExportTransaction(ctx context.Context, id int64) (*Transaction, error)
	ExportTransactions(ctx context.Context, q ExportQuery) (page []Transaction, more bool, err error)
	Batches(ctx context.Context, from, to time.Time) ([]Batch, error)
	Batch(ctx context.Context, number string) (*Batch, error)
	BatchTransactions(ctx context.Context, number string) ([]Transaction, error)
	ExportCustomers(ctx context.Context, q CustomerQuery) (page []Customer, more bool, err error)
	Customer(ctx context.Context, id string) (*Customer, error)
	CreateCustomer(ctx context.Context, n NewCustomer) (*CustomerResult, error)
	UpdateCustomer(ctx context.Context, u CustomerUpdate) (*CustomerResult, error)
	DeleteCustomer(ctx context.Context, id string) error
	SaleKeyed(ctx context.Context, s KeyedSale) (*TransactionResult, error)
	SaleByCustomer(ctx context.Context, s CustomerSale) (*TransactionResult, error)
	AuthorizeKeyed(ctx context.Context, s KeyedSale) (*TransactionResult, error)
	AuthorizeByCustomer(ctx context.Context, s CustomerSale) (*TransactionResult, error)
	Capture(ctx context.Context, id int64, amount decimal.Decimal) (*TransactionResult, error)
	RefundTransaction(ctx context.Context, id int64, amount decimal.Decimal) (*TransactionResult, error)
	Void(ctx context.Context, id int64) (*TransactionResult, error)
}

var _ API = (*Client)(nil)

// refresh is one token request that concurrent callers wait for.
type refresh struct {
	done  chan struct{}
	token string
	err   error
}

// New returns a client for cfg, filling in the defaults.
func New(cfg Config) *Client {
	c := &Client{base: strings.TrimRight(cfg.BaseURL, "/"), user: cfg.Username, pass: cfg.Password,
		integratorID: cfg.IntegratorID, hc: cfg.HTTPClient, now: cfg.Now, loc: cfg.Location}
	if c.base == "" {
		c.base = ProductionURL
	}
	if c.hc == nil {
		c.hc = &http.Client{Timeout: 30 * time.Second}
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.loc == nil {
		loc, err := time.LoadLocation(DefaultTimeZone)
		if err != nil {
			loc = time.UTC // unreachable: time/tzdata is embedded
		}
		c.loc = loc
	}
	return c
}

// Location returns the merchant time zone the client renders and reads dates in.
func (c *Client) Location() *time.Location { return c.loc }

// tokenResponse is the answer of /oauth/token.
type tokenResponse struct {
	AccessToken string  `json:"access_token"`
	TokenType   string  `json:"token_type"`
	ExpiresIn   flexInt `json:"expires_in"`
}

// accessToken returns a valid cached token, or waits for a fresh one. stale is a token the
// server just refused: it is never returned again, and if it is still the cached one a
// refresh starts (or is joined).
func (c *Client) accessToken(ctx context.Context, stale string) (string, error) {
	c.mu.Lock()
	if c.token != "" && c.token != stale && c.now().Before(c.expires) {
		tok := c.token
		c.mu.Unlock()
		return tok, nil
	}
	if stale != "" && c.token == stale {
		c.token = "" // known bad: nobody else sends it while the refresh runs
	}
	r := c.inflight
	if r == nil {
		r = &refresh{done: make(chan struct{})}
		c.inflight = r
		// The token request runs detached from this caller: if it gives up, the callers
		// waiting for the same refresh still get their token.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), refreshTimeout)
		go func() {
			defer cancel()
			tok, exp, err := c.fetchToken(rctx)
			c.mu.Lock()
			if err == nil {
				c.token, c.expires = tok, exp
			}
			c.inflight = nil
			r.token, r.err = tok, err
			c.mu.Unlock()
			close(r.done)
		}()
	}
	c.mu.Unlock()
	select {
	case <-r.done:
		return r.token, r.err
	case <-ctx.Done():
		return "", fmt.Errorf("paytrace: waiting for an access token: %w", ctx.Err())
	}
}

// fetchToken asks /oauth/token for a token with the password grant and returns it with the
// instant to refresh it: a tenth of its lifetime (at most a minute) before it expires.
func (c *Client) fetchToken(ctx context.Context) (string, time.Time, error) {
	const endpoint = "/oauth/token"
	form := url.Values{"grant_type": {"password"}, "username": {c.user}, "password": {c.pass}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return "", time.Time{}, fmt.Errorf("paytrace: build token request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	sent := c.now()
	status, header, body, err := c.send(ctx, req, endpoint)
	if err != nil {
		return "", time.Time{}, err
	}
	if terr := transientStatus(endpoint, status, header, body, c.now()); terr != nil {
		return "", time.Time{}, terr
	}
	if status != http.StatusOK {
		var env envelope
		_ = json.Unmarshal(body, &env)
		return "", time.Time{}, &AuthError{Endpoint: endpoint, Status: status, Code: env.OAuthError,
			Message: firstNonEmpty(env.OAuthDescription, env.StatusMessage, excerpt(body))}
	}
	var tr tokenResponse
	if err := json.Unmarshal(body, &tr); err != nil || tr.AccessToken == "" {
		return "", time.Time{}, &TransientError{Endpoint: endpoint, Status: status, Message: "undecodable token response"}
	}
	ttl := time.Duration(tr.ExpiresIn) * time.Second
	if ttl <= 0 {
		ttl = 2 * time.Hour // PayTrace's usual lifetime; a refusal re-authenticates anyway
	}
	margin := min(ttl/10, time.Minute)
	return tr.AccessToken, sent.Add(ttl - margin), nil
}

// send performs req and reads the body. Network failures are TransientErrors; the
// caller's own cancellation is returned wrapped instead.
func (c *Client) send(ctx context.Context, req *http.Request, endpoint string) (int, http.Header, []byte, error) {
	resp, err := c.hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return 0, nil, nil, fmt.Errorf("paytrace: %s: %w", endpoint, ctx.Err())
		}
		return 0, nil, nil, &TransientError{Endpoint: endpoint, Message: "request failed", Err: scrubURLError(err)}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse+1))
	if err != nil {
		if ctx.Err() != nil {
			return 0, nil, nil, fmt.Errorf("paytrace: %s: %w", endpoint, ctx.Err())
		}
		return 0, nil, nil, &TransientError{Endpoint: endpoint, Status: resp.StatusCode, Message: "reading the response failed", Err: err}
	}
	if len(body) > maxResponse {
		return 0, nil, nil, &TransientError{Endpoint: endpoint, Status: resp.StatusCode, Message: "response larger than 64 MiB"}
	}
	return resp.StatusCode, resp.Header, body, nil
}

// scrubURLError keeps a *url.Error's cause but drops its URL query (none is ever sent; this
// is belt and braces so an error never carries more than the endpoint).
func scrubURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		if u, perr := url.Parse(ue.URL); perr == nil {
			u.RawQuery, u.User = "", nil
			return &url.Error{Op: ue.Op, URL: u.String(), Err: ue.Err}
		}
	}
	return err
}

// transientStatus classifies the statuses worth retrying: 429, 408 and 5xx.
func transientStatus(endpoint string, status int, header http.Header, body []byte, now time.Time) error {
	if status != http.StatusTooManyRequests && status != http.StatusRequestTimeout && status < 500 {
		return nil
	}
	var env envelope
	_ = json.Unmarshal(body, &env)
	return &TransientError{Endpoint: endpoint, Status: status, RetryAfter: retryAfter(header.Get("Retry-After"), now),
		Message: firstNonEmpty(env.StatusMessage, env.OAuthDescription, excerpt(body))}
}

// call posts body (plus integrator_id) to /v1/path with the bearer token and decodes the
// answer into out (if non-nil) whatever the HTTP status. It returns the decoded envelope for the caller
// to judge success; only transport, auth and 429/5xx outcomes are errors here. On
// invalid_token it re-authenticates and repeats the request (at most maxReauth times).
func (c *Client) call(ctx context.Context, path string, body map[string]any, out any) (*envelope, int, error) {
	endpoint := "/v1/" + path
	body["integrator_id"] = c.integratorID
	data, err := json.Marshal(body)
	if err != nil {
		return nil, 0, fmt.Errorf("paytrace: %s: encode request: %w", endpoint, err) // json errors never quote values
	}
	stale := ""
	for attempt := 0; ; attempt++ {
		tok, err := c.accessToken(ctx, stale)
		if err != nil {
			return nil, 0, err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+endpoint, bytes.NewReader(data))
		if err != nil {
			return nil, 0, fmt.Errorf("paytrace: %s: build request: %w", endpoint, err)
		}
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json")
		status, header, resp, err := c.send(ctx, req, endpoint)
		if err != nil {
			return nil, 0, err
		}
		if terr := transientStatus(endpoint, status, header, resp, c.now()); terr != nil {
			return nil, status, terr
		}
		var env envelope
		jerr := json.Unmarshal(resp, &env)
		if status == http.StatusUnauthorized || status == http.StatusForbidden {
			if env.OAuthError == "invalid_token" && attempt < maxReauth {
				stale = tok // expired, revoked or forced out: a fresh token, one more try
				continue
			}
			return nil, status, &AuthError{Endpoint: endpoint, Status: status, Code: env.OAuthError,
				Message: firstNonEmpty(env.OAuthDescription, env.StatusMessage, excerpt(resp))}
		}
		if jerr != nil {
			if status >= 200 && status < 300 {
				// A garbled success may have been processed: retry after looking it up.
				return nil, status, &TransientError{Endpoint: endpoint, Status: status, Message: "undecodable response: " + jerr.Error()}
			}
			return nil, status, &APIError{Endpoint: endpoint, Status: status, StatusMessage: excerpt(resp)}
		}
		if out != nil {
			if err := json.Unmarshal(resp, out); err != nil && env.Success {
				return nil, status, &TransientError{Endpoint: endpoint, Status: status, Message: "undecodable response: " + err.Error()}
			}
			// A failure body is decoded best effort: a decline has the shape of an approval.
		}
		return &env, status, nil
	}
}

// do is call for endpoints whose every failure is an error: success false becomes an
// *AuthError (key 981) or an *APIError.
func (c *Client) do(ctx context.Context, path string, body map[string]any, out any) error {
	env, status, err := c.call(ctx, path, body, out)
	if err != nil {
		return err
	}
	if env.Success {
		return nil
	}
	return failure("/v1/"+path, status, env)
}

// failure converts an unsuccessful envelope into its error.
func failure(endpoint string, status int, env *envelope) error {
	ae := newAPIError(endpoint, status, env)
	if ae.HasKey(KeyInsufficientPermissions) {
		return &AuthError{Endpoint: endpoint, Status: status, Keys: ae.Keys, Message: strings.Join(ae.Messages, " ")}
	}
	return ae
}

// firstNonEmpty returns the first non-blank server text, card numbers masked.
func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if strings.TrimSpace(v) != "" {
			return redact.Text(strings.TrimSpace(v))
		}
	}
	return ""
}

// excerpt is a short, card-safe excerpt of a body that is not PayTrace JSON.
func excerpt(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	if s == "" {
		return "(empty body)"
	}
	return redact.Text(s)
}
