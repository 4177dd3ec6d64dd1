package webhooks

import (
	"sync"

	"github.com/gin-gonic/gin"
)

// inflight coalesces deliveries that would make the same Temporal call while that call is under
// way: the first one (the leader) calls Temporal, the others wait for its answer and give the
// same one, without a call of their own. Stripe delivers an event several times at once when it
// retries, and a charge's sibling events (charge.succeeded, payment_intent.succeeded) arrive
// together; each of those calls would only find the run the first one started. Like the
// recent-event cache, it saves work and never decides exactly-once (workflow IDs and ERP lookups
// do): a duplicate arriving after the leader answered goes through the cache or Temporal as
// before, and when the leader's call fails the waiting deliveries fail too, so the provider
// redelivers them.
type inflight struct {
	mu    sync.Mutex
	calls map[string]*flight
}

// flight is one Temporal call under way and, once done is closed, its answer.
type flight struct {
	done   chan struct{}
	status int
	body   gin.H
}

func newInflight() *inflight { return &inflight{calls: map[string]*flight{}} }

// join returns the call under way for key and false, or a new one and true: the caller leads it
// and must finish it.
func (f *inflight) join(key string) (*flight, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if fl, ok := f.calls[key]; ok {
		return fl, false
	}
	fl := &flight{done: make(chan struct{})}
	f.calls[key] = fl
	return fl, true
}

// finish records the leader's answer and releases the deliveries waiting for it.
func (f *inflight) finish(key string, fl *flight, status int, body gin.H) {
	f.mu.Lock()
	delete(f.calls, key)
	f.mu.Unlock()
	fl.status, fl.body = status, body
	close(fl.done)
}
