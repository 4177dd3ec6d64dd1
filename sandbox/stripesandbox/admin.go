package stripesandbox

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
)

// DeliveryKnobs change how webhooks are delivered (POST /_sandbox/delivery).
// They live in memory and reset when the process restarts.
type DeliveryKnobs struct {
	// Duplicates delivers every newly queued event this many extra times.
	Duplicates int `json:"duplicates"`
	// Reorder holds fresh deliveries for 300ms and sends each batch shuffled.
	Reorder bool `json:"reorder"`
	// Paused queues deliveries without sending them.
	Paused bool `json:"paused"`
}

// Faults make the next API requests fail before they execute
// (POST /_sandbox/faults). Nothing is stored for idempotency in that case,
// like a request that never reached Stripe.
type Faults struct {
	// RateLimit answers the next N API requests with 429 rate_limit.
	RateLimit int `json:"rate_limit"`
	// ServerError answers the next N API requests with 500 api_error.
	ServerError int `json:"server_error"`
}

// maxDuplicates bounds the duplicates knob to keep the queue sane.
const maxDuplicates = 10

// Knobs returns the current delivery knobs.
func (s *Server) Knobs() DeliveryKnobs {
	s.knobsMu.Lock()
	defer s.knobsMu.Unlock()
	return s.knobs
}

// SetKnobs replaces the delivery knobs (the admin endpoint calls this).
func (s *Server) SetKnobs(k DeliveryKnobs) {
	s.knobsMu.Lock()
	s.knobs = k
	s.knobsMu.Unlock()
	s.kick()
}

// injectedFault consumes one queued fault, if any.
func (s *Server) injectedFault() *apiError {
	s.knobsMu.Lock()
	defer s.knobsMu.Unlock()
	switch {
	case s.faults.RateLimit > 0:
		s.faults.RateLimit--
		return &apiError{Status: http.StatusTooManyRequests, Type: "invalid_request_error", Code: "rate_limit",
			DocURL:  docURL("rate_limit"),
			Message: "Too many requests hit the API too quickly. We recommend an exponential backoff of your requests."}
	case s.faults.ServerError > 0:
		s.faults.ServerError--
		return &apiError{Status: http.StatusInternalServerError, Type: "api_error",
			Message: "An unknown error occurred (sandbox fault injection)."}
	}
	return nil
}

func (s *Server) adminRoutes() {
	s.admin("GET /_sandbox/delivery", func(r *http.Request) (any, *apiError) { return s.Knobs(), nil })
	s.admin("POST /_sandbox/delivery", s.postKnobs)
	s.admin("GET /_sandbox/faults", func(r *http.Request) (any, *apiError) {
		s.knobsMu.Lock()
		defer s.knobsMu.Unlock()
		return s.faults, nil
	})
	s.admin("POST /_sandbox/faults", s.postFaults)
	s.admin("GET /_sandbox/deliveries", s.listDeliveries)
	s.admin("POST /_sandbox/events/{id}/redeliver", s.redeliver)
	s.adminWrite("POST /_sandbox/payouts/sweep", s.sweepPayouts)
	s.adminWrite("POST /_sandbox/payouts/bulk", s.bulkPayout)
	s.adminWrite("POST /_sandbox/charges/bulk", s.bulkCharges)
	s.adminWrite("POST /_sandbox/disputes/{id}/close", s.closeDisputeAdmin)
}

// admin registers a JSON admin endpoint behind the API key.
func (s *Server) admin(pattern string, h func(r *http.Request) (any, *apiError)) {
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		reqID := newID("req")
		if !s.authorized(w, r, reqID) {
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
		v, aerr := h(r)
		if aerr != nil {
			s.writeError(w, reqID, aerr)
			return
		}
		b, err := json.Marshal(v)
		if err != nil {
			s.writeError(w, reqID, internalError(err))
			return
		}
		s.writeBody(w, reqID, http.StatusOK, b)
	})
}

// decodeJSON reads an optional JSON body; an empty body is no change.
func decodeJSON(r *http.Request, v any) *apiError {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil && err.Error() != "EOF" {
		return invalidParam("", "Invalid JSON body: %s", err.Error())
	}
	return nil
}

func (s *Server) postKnobs(r *http.Request) (any, *apiError) {
	// Pointers so a partial body changes only the fields it names.
	var in struct {
		Duplicates *int  `json:"duplicates"`
		Reorder    *bool `json:"reorder"`
		Paused     *bool `json:"paused"`
		// DropPending gives up every queued delivery, as Stripe does after its retries: those
		// events are never delivered (reconciliation must find what they carried).
		DropPending bool `json:"drop_pending"`
	}
	if aerr := decodeJSON(r, &in); aerr != nil {
		return nil, aerr
	}
	if in.DropPending {
		s.mu.Lock()
		res, err := s.db.ExecContext(r.Context(), `UPDATE deliveries SET state = 'failed', last_error = 'dropped by /_sandbox/delivery drop_pending' WHERE state = 'pending'`)
		s.mu.Unlock()
		if err != nil {
			return nil, internalError(err)
		}
		n, _ := res.RowsAffected()
		s.logf("stripe-sandbox: dropped %d pending deliveries", n)
	}
	k := s.Knobs()
	if in.Duplicates != nil {
		if *in.Duplicates < 0 || *in.Duplicates > maxDuplicates {
			return nil, invalidParam("duplicates", "duplicates must be between 0 and %d", maxDuplicates)
		}
		k.Duplicates = *in.Duplicates
	}
	if in.Reorder != nil {
		k.Reorder = *in.Reorder
	}
	if in.Paused != nil {
		k.Paused = *in.Paused
	}
	s.SetKnobs(k)
	s.logf("stripe-sandbox: delivery knobs now %+v", k)
	return k, nil
}

func (s *Server) postFaults(r *http.Request) (any, *apiError) {
	var in Faults
	if aerr := decodeJSON(r, &in); aerr != nil {
		return nil, aerr
	}
	if in.RateLimit < 0 || in.ServerError < 0 {
		return nil, invalidParam("", "fault counts must not be negative")
	}
	s.knobsMu.Lock()
	s.faults = in
	s.knobsMu.Unlock()
	return in, nil
}

// deliveryAttempt is one recorded HTTP attempt.
type deliveryAttempt struct {
	AtMs       int64  `json:"at_ms"`
	StatusCode int    `json:"status_code"`
	Error      string `json:"error,omitempty"`
	DurationMs int64  `json:"duration_ms"`
}

// deliveryInfo is one queued (event, endpoint) delivery with its attempts.
type deliveryInfo struct {
	ID            int64             `json:"id"`
	Event         string            `json:"event"`
	EventType     string            `json:"event_type"`
	Endpoint      string            `json:"endpoint"`
	State         string            `json:"state"` // pending, succeeded, failed, canceled
	Attempts      int               `json:"attempts"`
	NextAttemptMs int64             `json:"next_attempt_ms"`
	LastStatus    int               `json:"last_status"`
	LastError     string            `json:"last_error,omitempty"`
	History       []deliveryAttempt `json:"history"`
}

func (s *Server) listDeliveries(r *http.Request) (any, *apiError) {
	q := r.URL.Query()
	limit := 100
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return nil, invalidParam("limit", "limit must be an integer between 1 and 1000")
		}
		limit = n
	}
	ds, err := s.deliveries(r.Context(), q.Get("event"), q.Get("endpoint"), q.Get("state"), limit)
	if err != nil {
		return nil, internalError(err)
	}
	return map[string]any{"object": "list", "data": ds, "has_more": len(ds) == limit, "url": "/_sandbox/deliveries"}, nil
}

// deliveries lists deliveries (newest first) with their attempts; empty
// filters match everything.
func (s *Server) deliveries(ctx context.Context, eventID, endpointID, state string, limit int) ([]deliveryInfo, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT d.id, d.event_id, COALESCE(o.kind, ''), d.endpoint_id, d.state, d.attempts,
		d.next_attempt_ms, d.last_status, d.last_error FROM deliveries d LEFT JOIN objects o ON o.id = d.event_id
		WHERE (? = '' OR d.event_id = ?) AND (? = '' OR d.endpoint_id = ?) AND (? = '' OR d.state = ?)
		ORDER BY d.id DESC LIMIT ?`, eventID, eventID, endpointID, endpointID, state, state, limit)
	if err != nil {
		return nil, err
	}
	out := []deliveryInfo{}
	for rows.Next() {
		var d deliveryInfo
		if err := rows.Scan(&d.ID, &d.Event, &d.EventType, &d.Endpoint, &d.State, &d.Attempts, &d.NextAttemptMs, &d.LastStatus, &d.LastError); err != nil {
			rows.Close()
			return nil, err
		}
		d.History = []deliveryAttempt{}
		out = append(out, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		ar, err := s.db.QueryContext(ctx, `SELECT at_ms, status_code, error, duration_ms FROM delivery_attempts WHERE delivery_id = ? ORDER BY id`, out[i].ID)
		if err != nil {
			return nil, err
		}
		for ar.Next() {
			var a deliveryAttempt
			if err := ar.Scan(&a.AtMs, &a.StatusCode, &a.Error, &a.DurationMs); err != nil {
				ar.Close()
				return nil, err
			}
			out[i].History = append(out[i].History, a)
		}
		ar.Close()
	}
	return out, nil
}

// redeliver queues an event again to every enabled endpoint subscribed to it
// (or only ?endpoint=we_…), like "Resend" in the Stripe dashboard.
func (s *Server) redeliver(r *http.Request) (any, *apiError) {
	ctx := r.Context()
	id := r.PathValue("id")
	ev, err := getRow(ctx, s.db, id, "event")
	if errors.Is(err, errNotFound) {
		return nil, noSuchObject(http.StatusNotFound, "id", "event", id)
	}
	if err != nil {
		return nil, internalError(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	targets, aerr := s.matchingEndpoints(ctx, s.db, ev.Kind)
	if aerr != nil {
		return nil, aerr
	}
	if only := r.URL.Query().Get("endpoint"); only != "" {
		var kept []string
		for _, t := range targets {
			if t == only {
				kept = append(kept, t)
			}
		}
		if len(kept) == 0 {
			return nil, invalidParam("endpoint", "No enabled endpoint %s subscribed to %s", only, ev.Kind)
		}
		targets = kept
	}
	if err := s.enqueue(ctx, s.db, id, targets); err != nil {
		return nil, internalError(err)
	}
	s.kick()
	return map[string]any{"event": id, "endpoints": targets, "queued": len(targets) * (1 + s.Knobs().Duplicates)}, nil
}
