package paytracesandbox

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Notification events (a project extension: the real PayTrace sends none).
const (
	eventSuccess      = "transaction.success" // a sale, authorization or refund was approved
	eventUpdated      = "transaction.updated" // captured, voided, refunded (the original) or settled
	eventBatchSettled = "batch.settled"       // a batch closed
)

// SignatureHeader carries the notification signature.
const SignatureHeader = "X-PayTrace-Signature"

// Delivery policy.
const (
	maxDeliveryAttempts = 12
	maxRetryFactor      = 60 // the retry delay is capped at 60 × NotifyRetryBase
	notifyConcurrency   = 4
	notifyPoll          = 200 * time.Millisecond
	maxDuplicates       = 10
	notifyUserAgent     = "PayTrace-Sandbox-Notifier/1.0 (ledgerbridge project extension)"
)

// Notification is the JSON body POSTed to the notify URL. It carries IDs only, never card
// data: receivers fetch the transaction with export/by_id.
type Notification struct {
	Event         string `json:"event"`
	ID            string `json:"id"`
	TransactionID int64  `json:"transaction_id,omitempty"`
	BatchNumber   int64  `json:"batch_number,omitempty"`
	Created       int64  `json:"created"`
}

// NotifyKnobs change delivery (POST /_sandbox/notifications). They live in memory.
type NotifyKnobs struct {
	// Paused keeps queueing notifications but sends nothing until unpaused.
	Paused bool `json:"paused"`
	// Duplicates queues every new notification this many extra times (same id).
	Duplicates int `json:"duplicates"`
}

// Sign returns the X-PayTrace-Signature value for body signed with secret at t:
// "t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>".
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac.Sum(nil))
}

// Verify checks an X-PayTrace-Signature header against body: one v1 value must match and
// t must be within tolerance of now.
func Verify(header string, body []byte, secret string, tolerance time.Duration, now time.Time) error {
	var ts int64
	var sigs []string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return fmt.Errorf("signature: bad timestamp %q", v)
			}
			ts = n
		case "v1":
			sigs = append(sigs, v)
		}
	}
	if ts == 0 || len(sigs) == 0 {
		return errors.New("signature: header must carry t= and v1=")
	}
	if d := now.Sub(time.Unix(ts, 0)); d > tolerance || d < -tolerance {
		return fmt.Errorf("signature: timestamp %d outside the %s tolerance", ts, tolerance)
	}
	want := Sign(secret, time.Unix(ts, 0), body)
	_, wantSig, _ := strings.Cut(want, ",v1=")
	for _, s := range sigs {
		if hmac.Equal([]byte(s), []byte(wantSig)) {
			return nil
		}
	}
	return errors.New("signature: no v1 signature matches")
}

// Knobs returns the current notification knobs.
func (s *Server) Knobs() NotifyKnobs {
	s.knobsMu.Lock()
	defer s.knobsMu.Unlock()
	return s.knobs
}

// SetKnobs replaces the notification knobs.
func (s *Server) SetKnobs(k NotifyKnobs) {
	s.knobsMu.Lock()
	s.knobs = k
	s.knobsMu.Unlock()
	s.kick()
}

func newNotificationID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return "ntf_" + hex.EncodeToString(b)
}

// queueNotification records a notification and its deliveries in the write transaction
// (nothing when no notify URL is configured).
func (s *Server) queueNotification(w *wtx, event string, txnID, batchNumber int64) error {
	if s.cfg.NotifyURL == "" {
		return nil
	}
	n := Notification{Event: event, ID: newNotificationID(), TransactionID: txnID, BatchNumber: batchNumber, Created: w.now.Unix()}
	body, err := json.Marshal(n)
	if err != nil {
		return err
	}
	if _, err := w.tx.ExecContext(w.ctx, `INSERT INTO notifications (id, event, transaction_id, batch_number, created_ns, body) VALUES (?, ?, ?, ?, ?, ?)`,
		n.ID, n.Event, txnID, batchNumber, w.now.UnixNano(), string(body)); err != nil {
		return err
	}
	w.queued = true
	return enqueueDeliveries(w.ctx, w.tx, n.ID, 1+s.Knobs().Duplicates)
}

func enqueueDeliveries(ctx context.Context, q dbtx, id string, copies int) error {
	now := time.Now().UnixMilli()
	for range copies {
		if _, err := q.ExecContext(ctx, `INSERT INTO deliveries (notification_id, state, next_attempt_ms, enqueued_ms) VALUES (?, 'pending', ?, ?)`,
			id, now, now); err != nil {
			return err
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

// Start launches the notification delivery loop; it runs until ctx is done or Close is
// called. Deliveries left pending by a previous run resume.
func (s *Server) Start(ctx context.Context) {
	s.loopMu.Lock()
	defer s.loopMu.Unlock()
	if s.cancel != nil {
		return
	}
	ctx, cancel := context.WithCancel(ctx)
	s.cancel, s.loopDone = cancel, make(chan struct{})
	go s.deliveryLoop(ctx, s.loopDone)
}

func (s *Server) deliveryLoop(ctx context.Context, done chan struct{}) {
	defer close(done)
	var wg sync.WaitGroup
	defer wg.Wait()
	sem := make(chan struct{}, notifyConcurrency)
	ticker := time.NewTicker(notifyPoll)
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

// pendingDelivery is one queued send of a notification.
type pendingDelivery struct {
	Seq      int64
	ID       string
	Attempts int
	Body     string
}

// dispatchDue starts sends of due deliveries, at most notifyConcurrency at a time.
func (s *Server) dispatchDue(ctx context.Context, sem chan struct{}, wg *sync.WaitGroup) {
	if s.Knobs().Paused || s.cfg.NotifyURL == "" {
		return
	}
	rows, err := s.st.db.QueryContext(ctx, `SELECT d.seq, d.notification_id, d.attempts, n.body FROM deliveries d
		JOIN notifications n ON n.id = d.notification_id
		WHERE d.state = 'pending' AND d.next_attempt_ms <= ? ORDER BY d.next_attempt_ms, d.seq LIMIT 100`, time.Now().UnixMilli())
	if err != nil {
		if ctx.Err() == nil {
			s.logf("paytrace-sandbox: query deliveries: %v", err)
		}
		return
	}
	var batch []pendingDelivery
	for rows.Next() {
		var d pendingDelivery
		if err := rows.Scan(&d.Seq, &d.ID, &d.Attempts, &d.Body); err != nil {
			s.logf("paytrace-sandbox: scan delivery: %v", err)
			break
		}
		batch = append(batch, d)
	}
	rows.Close()
	for _, d := range batch {
		s.loopMu.Lock()
		busy := s.inflight[d.Seq]
		s.inflight[d.Seq] = true
		s.loopMu.Unlock()
		if busy || !s.claim(ctx, d) {
			if !busy {
				s.release(d.Seq)
			}
			continue
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			s.release(d.Seq)
			return
		}
		wg.Add(1)
		go func(d pendingDelivery) {
			defer wg.Done()
			defer func() { <-sem }()
			defer s.release(d.Seq)
			s.deliver(ctx, d)
		}(d)
	}
}

// claim leases a due delivery for one send: the row read as pending may have been sent and
// released meanwhile (the query is a snapshot), so only a row still pending with the same attempt
// count is taken. The lease (a later next attempt) also covers a crash mid-send: the delivery is
// retried when it runs out, as at-least-once delivery wants.
func (s *Server) claim(ctx context.Context, d pendingDelivery) bool {
	claimed := false
	err := s.st.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE deliveries SET next_attempt_ms = ? WHERE seq = ? AND state = 'pending' AND attempts = ? AND next_attempt_ms <= ?`,
			time.Now().Add(notifyLease).UnixMilli(), d.Seq, d.Attempts, time.Now().UnixMilli())
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		claimed = n == 1
		return err
	})
	if err != nil && ctx.Err() == nil {
		s.logf("paytrace-sandbox: claim delivery: %v", err)
	}
	return err == nil && claimed
}

// notifyLease is how long a claimed delivery waits before it is sent again if its send never
// recorded an outcome (the sandbox was killed mid-send).
const notifyLease = time.Minute

func (s *Server) release(seq int64) {
	s.loopMu.Lock()
	delete(s.inflight, seq)
	s.loopMu.Unlock()
}

// retryDelay is the wait after the n-th failed attempt: base, 2×base, 4×base … 60×base.
func (s *Server) retryDelay(n int) time.Duration {
	base := s.cfg.NotifyRetryBase
	if n < 1 {
		n = 1
	}
	if n > 7 {
		return base * maxRetryFactor
	}
	return min(base<<(n-1), base*maxRetryFactor)
}

// deliver makes one attempt and records its outcome.
func (s *Server) deliver(ctx context.Context, d pendingDelivery) {
	body := []byte(d.Body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.cfg.NotifyURL, bytes.NewReader(body))
	if err != nil {
		s.finish(ctx, d, 0, "bad notify URL: "+err.Error(), "failed")
		return
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", notifyUserAgent)
	req.Header.Set(SignatureHeader, Sign(s.cfg.NotifySecret, time.Now(), body))
	resp, err := s.cfg.HTTPClient.Do(req)
	status, errText := 0, ""
	if err != nil {
		if ctx.Err() != nil {
			return // shutting down: stays pending for the next start
		}
		errText = err.Error()
	} else {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		status = resp.StatusCode
		if status < 200 || status > 299 {
			errText = fmt.Sprintf("receiver answered HTTP %d", status)
		}
	}
	state := "succeeded"
	if errText != "" {
		state = "pending"
		if d.Attempts+1 >= maxDeliveryAttempts {
			state = "failed"
		}
	}
	s.logf("paytrace-sandbox: notification %s -> %s: status %d %s [attempt %d, %s]", d.ID, s.cfg.NotifyURL, status, errText, d.Attempts+1, state)
	s.finish(ctx, d, status, errText, state)
}

// finish records an attempt and schedules the next one.
func (s *Server) finish(ctx context.Context, d pendingDelivery, status int, errText, state string) {
	// A fresh context: the outcome of a completed send must be recorded even during
	// shutdown, or the notification would be sent again.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	attempts := d.Attempts + 1
	next := time.Now().UnixMilli()
	if state == "pending" {
		next += s.retryDelay(attempts).Milliseconds()
	}
	err := s.st.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE deliveries SET state = ?, attempts = ?, next_attempt_ms = ?, last_status = ?, last_error = ? WHERE seq = ?`,
			state, attempts, next, status, errText, d.Seq)
		return err
	})
	if err != nil {
		s.logf("paytrace-sandbox: update delivery: %v", err)
	}
}

// deliveryInfo is one delivery in GET /_sandbox/notifications.
type deliveryInfo struct {
	Seq            int64  `json:"seq"`
	NotificationID string `json:"notification_id"`
	Event          string `json:"event"`
	TransactionID  int64  `json:"transaction_id,omitempty"`
	BatchNumber    int64  `json:"batch_number,omitempty"`
	State          string `json:"state"` // pending, succeeded, failed
	Attempts       int    `json:"attempts"`
	NextAttemptMs  int64  `json:"next_attempt_ms"`
	LastStatus     int    `json:"last_status"`
	LastError      string `json:"last_error,omitempty"`
}

// deliveries lists deliveries newest first; empty filters match all.
func (s *Server) deliveries(ctx context.Context, state, notificationID string, limit int) ([]deliveryInfo, error) {
	q := `SELECT d.seq, d.notification_id, n.event, n.transaction_id, n.batch_number, d.state, d.attempts, d.next_attempt_ms, d.last_status, d.last_error
		FROM deliveries d JOIN notifications n ON n.id = d.notification_id WHERE 1`
	var args []any
	if state != "" {
		q += ` AND d.state = ?`
		args = append(args, state)
	}
	if notificationID != "" {
		q += ` AND d.notification_id = ?`
		args = append(args, notificationID)
	}
	q += ` ORDER BY d.seq DESC LIMIT ?`
	args = append(args, limit)
	rows, err := s.st.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []deliveryInfo{}
	for rows.Next() {
		var d deliveryInfo
		if err := rows.Scan(&d.Seq, &d.NotificationID, &d.Event, &d.TransactionID, &d.BatchNumber, &d.State, &d.Attempts,
			&d.NextAttemptMs, &d.LastStatus, &d.LastError); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// redeliver queues a notification again (same id), like a "resend" button.
func (s *Server) redeliver(ctx context.Context, id string) (bool, error) {
	found := false
	err := s.st.write(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM notifications WHERE id = ?`, id).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		found = true
		return enqueueDeliveries(ctx, tx, id, 1)
	})
	if err == nil && found {
		s.kick()
	}
	return found, err
}
