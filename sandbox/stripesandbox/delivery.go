package stripesandbox

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Delivery policy.
const (
	deliveryConcurrency = 4
	maxDeliveryAttempts = 12
	maxRetryDelay       = 60 * time.Second
	reorderHold         = 300 * time.Millisecond
	pollInterval        = 200 * time.Millisecond
	// UserAgent is what Stripe sends on webhook requests.
	UserAgent = "Stripe/1.0 (+https://stripe.com/docs/webhooks)"
)

// retryDelay is the backoff after the n-th failed attempt: 1s, 2s, 4s … 60s.
func retryDelay(n int) time.Duration {
	if n < 1 {
		n = 1
	}
	if n > 7 {
		return maxRetryDelay
	}
	return min(time.Second<<(n-1), maxRetryDelay)
}

// SignPayload returns the Stripe-Signature header value for body signed with
// secret at time t: "t=<unix>,v1=<hex hmac-sha256(secret, t.body)>".
func SignPayload(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts))
	mac.Write([]byte("."))
	mac.Write(body)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac.Sum(nil))
}

func nowMs() int64 { return time.Now().UnixMilli() }

// enqueue queues one delivery per endpoint, plus the configured number of
// duplicates, inside the caller's transaction.
func (s *Server) enqueue(ctx context.Context, q dbtx, eventID string, endpointIDs []string) error {
	copies := 1 + s.Knobs().Duplicates
	now := nowMs()
	for _, ep := range endpointIDs {
		for i := 0; i < copies; i++ {
			if _, err := q.ExecContext(ctx, `INSERT INTO deliveries (event_id, endpoint_id, state, next_attempt_ms, enqueued_ms) VALUES (?,?,'pending',?,?)`,
				eventID, ep, now, now); err != nil {
				return err
			}
		}
	}
	return nil
}

// kick wakes the delivery loop without blocking.
func (s *Server) kick() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Start launches the webhook delivery loop; it runs until ctx is done or
// Close is called. Deliveries left pending by a previous run resume.
func (s *Server) Start(ctx context.Context) {
	s.loopMu.Lock()
	defer s.loopMu.Unlock()
	if s.cancel != nil {
		return
	}
	ctx, cancel := context.WithCancel(ctx)
	s.cancel = cancel
	s.loopDone = make(chan struct{})
	go s.deliveryLoop(ctx, s.loopDone)
}

func (s *Server) deliveryLoop(ctx context.Context, done chan struct{}) {
	defer close(done)
	var wg sync.WaitGroup
	defer wg.Wait()
	sem := make(chan struct{}, deliveryConcurrency)
	ticker := time.NewTicker(pollInterval)
	defer ticker.Stop()
	for {
		s.dispatchDue(ctx, sem, &wg)
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
		case <-ticker.C:
		}
	}
}

// pendingDelivery is one queued (event, endpoint) send.
type pendingDelivery struct {
	ID         int64
	EventID    string
	EndpointID string
	Attempts   int
	EnqueuedMs int64
}

// dispatchDue starts sends for due deliveries, at most deliveryConcurrency at
// a time. With the reorder knob, fresh deliveries are held for reorderHold
// and each batch is shuffled.
func (s *Server) dispatchDue(ctx context.Context, sem chan struct{}, wg *sync.WaitGroup) {
	knobs := s.Knobs()
	if knobs.Paused {
		return
	}
	now := nowMs()
	rows, err := s.db.QueryContext(ctx, `SELECT id, event_id, endpoint_id, attempts, enqueued_ms FROM deliveries
		WHERE state = 'pending' AND next_attempt_ms <= ? ORDER BY next_attempt_ms, id LIMIT 200`, now)
	if err != nil {
		if ctx.Err() == nil {
			s.logf("stripe-sandbox: query deliveries: %v", err)
		}
		return
	}
	var batch []pendingDelivery
	for rows.Next() {
		var d pendingDelivery
		if err := rows.Scan(&d.ID, &d.EventID, &d.EndpointID, &d.Attempts, &d.EnqueuedMs); err != nil {
			s.logf("stripe-sandbox: scan delivery: %v", err)
			break
		}
		if knobs.Reorder && d.Attempts == 0 && now-d.EnqueuedMs < reorderHold.Milliseconds() {
			continue // still collecting this batch
		}
		batch = append(batch, d)
	}
	rows.Close()
	if knobs.Reorder {
		rand.Shuffle(len(batch), func(i, j int) { batch[i], batch[j] = batch[j], batch[i] })
	}
	for _, d := range batch {
		s.loopMu.Lock()
		busy := s.inflight[d.ID]
		if !busy {
			s.inflight[d.ID] = true
		}
		s.loopMu.Unlock()
		if busy {
			continue
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			s.release(d.ID)
			return
		}
		wg.Add(1)
		go func(d pendingDelivery) {
			defer wg.Done()
			defer func() { <-sem }()
			defer s.release(d.ID)
			s.deliver(ctx, d)
		}(d)
	}
}

func (s *Server) release(id int64) {
	s.loopMu.Lock()
	delete(s.inflight, id)
	s.loopMu.Unlock()
}

// deliver makes one attempt and records its outcome.
func (s *Server) deliver(ctx context.Context, d pendingDelivery) {
	ev, err := getRow(ctx, s.db, d.EventID, "event")
	if err != nil {
		s.finish(ctx, d, 0, "event not found: "+err.Error(), 0, "failed")
		return
	}
	ep, err := getRow(ctx, s.db, d.EndpointID, "webhook_endpoint")
	if errors.Is(err, errNotFound) || (err == nil && ep.Kind != "enabled") {
		s.finish(ctx, d, 0, "endpoint deleted or disabled", 0, "canceled")
		return
	}
	if err != nil {
		return // transient DB trouble: stays pending, retried next tick
	}
	start := time.Now()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep.URL, bytes.NewReader(ev.JSON))
	if err != nil {
		s.finish(ctx, d, 0, "bad endpoint URL: "+err.Error(), 0, "failed")
		return
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", UserAgent)
	req.Header.Set("Stripe-Signature", SignPayload(ep.Secret, time.Now(), ev.JSON))
	resp, err := s.client.Do(req)
	status, errText := 0, ""
	if err != nil {
		if ctx.Err() != nil {
			return // shutting down: leave it pending for the next start
		}
		errText = err.Error()
	} else {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		status = resp.StatusCode
		if status < 200 || status > 299 {
			errText = fmt.Sprintf("endpoint answered HTTP %d", status)
		}
	}
	state := "succeeded"
	if errText != "" {
		state = "pending"
		if d.Attempts+1 >= maxDeliveryAttempts {
			state = "failed"
		}
	}
	s.logf("stripe-sandbox: webhook %s (%s) -> %s: status %d %s [attempt %d, %s]",
		d.EventID, d.EndpointID, ep.URL, status, errText, d.Attempts+1, state)
	s.finish(ctx, d, status, errText, time.Since(start), state)
}

// finish records an attempt and moves the delivery to its next state.
func (s *Server) finish(ctx context.Context, d pendingDelivery, status int, errText string, took time.Duration, state string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	// A fresh context: the outcome of a completed HTTP call must be recorded
	// even if shutdown began meanwhile, or the event would be sent again.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	attempted := state != "canceled"
	attempts := d.Attempts
	if attempted {
		attempts++
		if _, err := s.db.ExecContext(ctx, `INSERT INTO delivery_attempts (delivery_id, event_id, endpoint_id, at_ms, status_code, error, duration_ms) VALUES (?,?,?,?,?,?,?)`,
			d.ID, d.EventID, d.EndpointID, nowMs(), status, errText, took.Milliseconds()); err != nil {
			s.logf("stripe-sandbox: record attempt: %v", err)
		}
	}
	next := nowMs()
	if state == "pending" {
		next += retryDelay(attempts).Milliseconds()
	}
	if _, err := s.db.ExecContext(ctx, `UPDATE deliveries SET state = ?, attempts = ?, next_attempt_ms = ?, last_status = ?, last_error = ? WHERE id = ?`,
		state, attempts, next, status, errText, d.ID); err != nil {
		s.logf("stripe-sandbox: update delivery: %v", err)
	}
}
