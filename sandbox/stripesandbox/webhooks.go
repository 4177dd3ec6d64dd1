package stripesandbox

import (
	"context"
	"database/sql"
	"errors"
	"net/url"
	"regexp"
)

// maxWebhookEndpoints is Stripe's per-account limit.
const maxWebhookEndpoints = 16

// eventPattern accepts "*", exact event types and "charge.*"-style patterns.
var eventPattern = regexp.MustCompile(`^(\*|[a-z_]+(\.([a-z_]+|\*))+)$`)

func endpointRow(we *webhookEndpoint, secret string) row {
	return row{ID: we.ID, Type: "webhook_endpoint", Created: we.Created, URL: we.URL, Secret: secret, Kind: we.Status}
}

// applyEndpointParams validates url, enabled_events, description, metadata.
func applyEndpointParams(p params, we *webhookEndpoint, create bool) *apiError {
	if u, ok, aerr := p.str("url"); aerr != nil {
		return aerr
	} else if ok || create {
		if !ok || u == "" {
			return missingParam("url")
		}
		pu, err := url.Parse(u)
		if err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
			return invalidParamCode("url_invalid", "url", "Invalid URL: %s. URLs must begin with http:// or https:// and name a host.", u)
		}
		we.URL = u
	}
	if evs, ok, aerr := p.list("enabled_events"); aerr != nil {
		return aerr
	} else if ok || create {
		if len(evs) == 0 {
			return missingParam("enabled_events")
		}
		for _, e := range evs {
			if !eventPattern.MatchString(e) {
				return invalidParam("enabled_events", "Invalid enabled_events value: %q is not a valid event type.", e)
			}
		}
		we.EnabledEvents = evs
	}
	if v, ok, aerr := p.str("description"); aerr != nil {
		return aerr
	} else if ok {
		we.Description = optStr(v)
	}
	md, _, aerr := applyMetadata(p, we.Metadata)
	if aerr != nil {
		return aerr
	}
	we.Metadata = md
	return nil
}

func (s *Server) createWebhookEndpoint(c *call) (any, *apiError) {
	if aerr := c.p.allow("", "url", "enabled_events", "description", "metadata", "api_version", "connect", "expand"); aerr != nil {
		return nil, aerr
	}
	we := &webhookEndpoint{ID: newID("we"), Object: "webhook_endpoint", Created: s.now().Unix(),
		Metadata: map[string]string{}, Status: "enabled"}
	if aerr := applyEndpointParams(c.p, we, true); aerr != nil {
		return nil, aerr
	}
	if v, ok, aerr := c.p.str("api_version"); aerr != nil {
		return nil, aerr
	} else if ok {
		if v != APIVersion {
			return nil, invalidParam("api_version", "The sandbox renders events with API version %s only.", APIVersion)
		}
		we.APIVersion = &v
	}
	if connect, _, aerr := c.p.boolean("connect"); aerr != nil {
		return nil, aerr
	} else if connect {
		return nil, invalidParam("connect", "Connect endpoints are not supported by the sandbox.")
	}
	var n int
	if err := c.q.QueryRowContext(c.ctx, `SELECT COUNT(*) FROM objects WHERE type = 'webhook_endpoint'`).Scan(&n); err != nil {
		return nil, internalError(err)
	}
	if n >= maxWebhookEndpoints {
		return nil, invalidParam("url", "You have reached the maximum of %d test webhook endpoints.", maxWebhookEndpoints)
	}
	secret := "whsec_" + randomString(32)
	if aerr := c.save(endpointRow(we, secret), we); aerr != nil {
		return nil, aerr
	}
	out := *we
	out.Secret = secret // only the create response reveals the secret
	return c.renderValue(&out, "webhook_endpoint")
}

func (s *Server) updateWebhookEndpoint(c *call) (any, *apiError) {
	if aerr := c.p.allow("", "url", "enabled_events", "description", "metadata", "disabled", "expand"); aerr != nil {
		return nil, aerr
	}
	r, aerr := c.load("webhook_endpoint")
	if aerr != nil {
		return nil, aerr
	}
	var we webhookEndpoint
	if aerr := decodeRow(r, &we); aerr != nil {
		return nil, aerr
	}
	if aerr := applyEndpointParams(c.p, &we, false); aerr != nil {
		return nil, aerr
	}
	if disabled, ok, aerr := c.p.boolean("disabled"); aerr != nil {
		return nil, aerr
	} else if ok {
		we.Status = "enabled"
		if disabled {
			we.Status = "disabled"
		}
	}
	if aerr := c.save(endpointRow(&we, r.Secret), &we); aerr != nil {
		return nil, aerr
	}
	return c.renderValue(&we, "webhook_endpoint")
}

func (s *Server) deleteWebhookEndpoint(c *call) (any, *apiError) {
	if aerr := c.p.allow(""); aerr != nil {
		return nil, aerr
	}
	r, aerr := c.load("webhook_endpoint")
	if aerr != nil {
		return nil, aerr
	}
	if _, err := c.q.ExecContext(c.ctx, `DELETE FROM objects WHERE id = ?`, r.ID); err != nil {
		return nil, internalError(err)
	}
	// Like Stripe, deleting an endpoint stops its pending retries.
	if _, err := c.q.ExecContext(c.ctx, `UPDATE deliveries SET state = 'canceled' WHERE endpoint_id = ? AND state = 'pending'`, r.ID); err != nil {
		return nil, internalError(err)
	}
	return map[string]any{"id": r.ID, "object": "webhook_endpoint", "deleted": true}, nil
}

func (s *Server) getWebhookEndpoint(c *call) (any, *apiError) {
	return c.getAndRender("webhook_endpoint")
}

func (s *Server) listWebhookEndpoints(c *call) (any, *apiError) {
	return c.list("webhook_endpoint", "/v1/webhook_endpoints", nil)
}

// endpointTarget is what the delivery loop needs to know about an endpoint.
type endpointTarget struct {
	ID, URL, Secret string
	Enabled         bool
	Events          []string
}

// endpoints loads all webhook endpoints.
func (s *Server) endpoints(ctx context.Context, q dbtx) ([]endpointTarget, error) {
	rows, err := listRows(ctx, q, listQuery{Type: "webhook_endpoint", Eq: map[string]string{}, Limit: maxWebhookEndpoints * 4})
	if err != nil {
		return nil, err
	}
	out := make([]endpointTarget, 0, len(rows))
	for _, r := range rows {
		var we webhookEndpoint
		if aerr := decodeRow(r, &we); aerr != nil {
			return nil, aerr
		}
		out = append(out, endpointTarget{ID: r.ID, URL: r.URL, Secret: r.Secret, Enabled: we.Status == "enabled", Events: we.EnabledEvents})
	}
	return out, nil
}

// matchingEndpoints returns the IDs of enabled endpoints subscribed to typ.
func (s *Server) matchingEndpoints(ctx context.Context, q dbtx, typ string) ([]string, *apiError) {
	eps, err := s.endpoints(ctx, q)
	if err != nil {
		return nil, internalError(err)
	}
	var ids []string
	for i := len(eps) - 1; i >= 0; i-- { // oldest endpoint first
		if eps[i].Enabled && eventTypeMatches(eps[i].Events, typ) {
			ids = append(ids, eps[i].ID)
		}
	}
	return ids, nil
}

// ensureDefaultEndpoint registers Config.WebhookURL (all events) unless an
// endpoint with that URL exists; an existing one gets Config.WebhookSecret so
// the gateway's configured secret always verifies.
func (s *Server) ensureDefaultEndpoint(ctx context.Context) error {
	if s.cfg.WebhookURL == "" {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var id string
	err := s.db.QueryRowContext(ctx, `SELECT id FROM objects WHERE type = 'webhook_endpoint' AND url = ? ORDER BY seq LIMIT 1`, s.cfg.WebhookURL).Scan(&id)
	if err == nil {
		_, err = s.db.ExecContext(ctx, `UPDATE objects SET secret = ? WHERE id = ?`, s.cfg.WebhookSecret, id)
		return err
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	we := &webhookEndpoint{ID: newID("we"), Object: "webhook_endpoint", Created: s.now().Unix(),
		Description: strPtr("default endpoint (stripe-sandbox Config.WebhookURL)"), EnabledEvents: []string{"*"},
		Metadata: map[string]string{}, Status: "enabled", URL: s.cfg.WebhookURL}
	c := &call{s: s, ctx: ctx, q: s.db}
	if aerr := c.save(endpointRow(we, s.cfg.WebhookSecret), we); aerr != nil {
		return aerr
	}
	s.logf("stripe-sandbox: registered default webhook endpoint %s -> %s", we.ID, we.URL)
	return nil
}
