package paytracesandbox

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// receiver is an httptest notification endpoint that verifies signatures.
type receiver struct {
	*httptest.Server
	mu        sync.Mutex
	failFirst int // answer the first N requests 500
	requests  int
	got       []Notification
	raw       []string
	problems  []string
}

func newReceiver(t *testing.T, failFirst int) *receiver {
	rc := &receiver{failFirst: failFirst}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		defer rc.mu.Unlock()
		rc.requests++
		if err := Verify(r.Header.Get(SignatureHeader), body, DefaultNotifySecret, 5*time.Minute, time.Now()); err != nil {
			rc.problems = append(rc.problems, err.Error())
		}
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			rc.problems = append(rc.problems, "content type "+ct)
		}
		if rc.requests <= rc.failFirst {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		var n Notification
		if err := json.Unmarshal(body, &n); err != nil {
			rc.problems = append(rc.problems, err.Error())
		}
		rc.got = append(rc.got, n)
		rc.raw = append(rc.raw, string(body))
	}))
	t.Cleanup(rc.Close)
	return rc
}

// count returns how many accepted notifications match.
func (rc *receiver) count(match func(Notification) bool) int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	n := 0
	for _, x := range rc.got {
		if match(x) {
			n++
		}
	}
	return n
}

func (rc *receiver) check(t *testing.T) {
	t.Helper()
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if len(rc.problems) > 0 {
		t.Fatalf("receiver problems: %v", rc.problems)
	}
}

func notifyEnv(t *testing.T, rc *receiver) *tenv {
	return newEnv(t, func(c *Config) { c.NotifyURL = rc.URL; c.NotifyRetryBase = 30 * time.Millisecond })
}

func is(event string, id int64) func(Notification) bool {
	return func(n Notification) bool { return n.Event == event && n.TransactionID == id }
}

func TestNotificationSignedAndRetried(t *testing.T) {
	rc := newReceiver(t, 2)
	e := notifyEnv(t, rc)
	id := e.sale("15.00")
	eventually(t, 5*time.Second, "transaction.success", func() bool { return rc.count(is(eventSuccess, id)) == 1 })
	rc.check(t)
	rc.mu.Lock()
	requests, raw, got := rc.requests, rc.raw[0], rc.got[0]
	rc.mu.Unlock()
	if requests != 3 {
		t.Errorf("receiver saw %d requests, want 2 failures and 1 success", requests)
	}
	var fields map[string]any
	_ = json.Unmarshal([]byte(raw), &fields)
	if len(fields) != 4 || !strings.HasPrefix(got.ID, "ntf_") || got.Created != testStart(t).Unix() {
		t.Errorf("notification body %s", raw)
	}
	if strings.Contains(raw, "xxxx") || strings.Contains(raw, "1111") {
		t.Errorf("notification carries card data: %s", raw)
	}
	var r resp
	eventually(t, 5*time.Second, "delivery recorded as succeeded", func() bool {
		r = e.admin("GET", "notifications?state=succeeded", nil)
		return len(r.body["deliveries"].([]any)) == 1
	})
	if d := r.body["deliveries"].([]any)[0].(map[string]any); d["attempts"] != 3.0 || d["last_status"] != 200.0 {
		t.Fatalf("deliveries %s", r.raw)
	}
	// A declined sale sends nothing.
	want(t, e.api("transactions/sale/keyed", obj{"amount": "1.12", "credit_card": card(CardVisa)}), 400, codeDeclined)
	time.Sleep(300 * time.Millisecond)
	if n := rc.count(func(Notification) bool { return true }); n != 1 {
		t.Errorf("%d notifications after a decline", n)
	}
}

func TestNotificationEvents(t *testing.T) {
	rc := newReceiver(t, 0)
	e := notifyEnv(t, rc)
	sale := e.sale("10.00")
	auth := e.authorize("5.00")
	want(t, e.api("transactions/authorization/capture", obj{"transaction_id": auth}), 200, codeCaptured)
	voided := e.sale("3.00")
	want(t, e.api("transactions/void", obj{"transaction_id": voided}), 200, codeVoided)
	e.settle()
	refund := want(t, e.api("transactions/refund/for_transaction", obj{"transaction_id": sale, "amount": "1.00"}), 200, codeRefunded).id()
	wants := []struct {
		event string
		id    int64
		n     int
	}{
		{eventSuccess, sale, 1}, {eventSuccess, auth, 1}, {eventSuccess, voided, 1}, {eventSuccess, refund, 1},
		{eventUpdated, auth, 2},   // captured, settled
		{eventUpdated, voided, 1}, // voided
		{eventUpdated, sale, 2},   // settled, refunded
	}
	for _, w := range wants {
		eventually(t, 5*time.Second, fmt.Sprintf("%s %d ×%d", w.event, w.id, w.n), func() bool { return rc.count(is(w.event, w.id)) == w.n })
	}
	eventually(t, 5*time.Second, "batch.settled", func() bool {
		return rc.count(func(n Notification) bool { return n.Event == eventBatchSettled && n.BatchNumber == 1 }) == 1
	})
	rc.check(t)
}

func TestNotificationKnobs(t *testing.T) {
	rc := newReceiver(t, 0)
	e := notifyEnv(t, rc)
	if r := e.admin("POST", "notifications", obj{"paused": true}); r.status != 200 || r.body["paused"] != true {
		t.Fatalf("pause %s", r.raw)
	}
	first := e.sale("1.00")
	time.Sleep(300 * time.Millisecond)
	if n := rc.count(func(Notification) bool { return true }); n != 0 {
		t.Fatalf("%d notifications while paused", n)
	}
	e.admin("POST", "notifications", obj{"duplicates": 2})
	second := e.sale("2.00")
	if r := e.admin("POST", "notifications", obj{"paused": false}); r.body["duplicates"] != 2.0 {
		t.Fatalf("partial knob update lost duplicates: %s", r.raw)
	}
	eventually(t, 5*time.Second, "paused and duplicated notifications", func() bool {
		return rc.count(is(eventSuccess, first)) == 1 && rc.count(is(eventSuccess, second)) == 3
	})
	ids := map[string]bool{}
	rc.mu.Lock()
	for _, n := range rc.got {
		if n.TransactionID == second {
			ids[n.ID] = true
		}
	}
	var firstID string
	for _, n := range rc.got {
		if n.TransactionID == first {
			firstID = n.ID
		}
	}
	rc.mu.Unlock()
	if len(ids) != 1 {
		t.Fatalf("duplicates carry %d ids, want the same one", len(ids))
	}
	if r := e.admin("POST", "notifications/"+firstID+"/redeliver", nil); r.status != 200 {
		t.Fatalf("redeliver %d %s", r.status, r.raw)
	}
	eventually(t, 5*time.Second, "redelivery", func() bool { return rc.count(is(eventSuccess, first)) == 2 })
	if r := e.admin("POST", "notifications/ntf_nope/redeliver", nil); r.status != 404 {
		t.Errorf("redeliver unknown: %d", r.status)
	}
	if r := e.admin("POST", "notifications", obj{"duplicates": 11}); r.status != 400 {
		t.Errorf("duplicates 11: %d", r.status)
	}
	rc.check(t)
}

func TestNotificationsSurviveRestart(t *testing.T) {
	rc := newReceiver(t, 0)
	e := notifyEnv(t, rc)
	e.admin("POST", "notifications", obj{"paused": true})
	id := e.sale("4.00")
	e = e.reopen() // knobs reset: the queued notification goes out
	eventually(t, 5*time.Second, "notification after restart", func() bool { return rc.count(is(eventSuccess, id)) == 1 })
	rc.check(t)
	eventually(t, 5*time.Second, "delivery recorded as succeeded", func() bool {
		r := e.admin("GET", "notifications?state=succeeded", nil)
		return len(r.body["deliveries"].([]any)) == 1
	})
}

func TestSignVerify(t *testing.T) {
	body := []byte(`{"event":"transaction.success","id":"ntf_1","transaction_id":5,"created":1}`)
	now := time.Unix(1_800_000_000, 0)
	good := Sign("s3cret", now, body)
	if !strings.HasPrefix(good, "t=1800000000,v1=") || len(good) != len("t=1800000000,v1=")+64 {
		t.Fatalf("Sign = %q", good)
	}
	tests := []struct {
		name   string
		header string
		body   []byte
		secret string
		now    time.Time
		ok     bool
	}{
		{"good", good, body, "s3cret", now, true},
		{"two signatures, one good", "t=1800000000,v1=00," + good[len("t=1800000000,"):], body, "s3cret", now, true},
		{"tampered body", good, []byte(`{"event":"x"}`), "s3cret", now, false},
		{"wrong secret", good, body, "other", now, false},
		{"too old", good, body, "s3cret", now.Add(10 * time.Minute), false},
		{"no v1", "t=1800000000", body, "s3cret", now, false},
		{"garbage", "nonsense", body, "s3cret", now, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Verify(tc.header, tc.body, tc.secret, 5*time.Minute, tc.now)
			if (err == nil) != tc.ok {
				t.Fatalf("Verify = %v, want ok=%v", err, tc.ok)
			}
		})
	}
}
