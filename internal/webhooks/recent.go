package webhooks

import "sync"

// recentEvents remembers the workflow each recently accepted event ID reached, so an exact
// redelivery (Stripe retries, duplicates) is answered without a Temporal round trip. It is a
// bounded FIFO: exactly-once never depends on it (workflow IDs and ERP lookups do that), it only
// saves work. A zero-size cache remembers nothing.
type recentEvents struct {
	mu   sync.Mutex
	size int
	ring []string
	next int
	byID map[string]string
}

func newRecentEvents(size int) *recentEvents {
	if size <= 0 {
		return &recentEvents{}
	}
	return &recentEvents{size: size, ring: make([]string, size), byID: make(map[string]string, size)}
}

// lookup returns the workflow ID recorded for an event ID.
func (r *recentEvents) lookup(eventID string) (string, bool) {
	if r.size == 0 || eventID == "" {
		return "", false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	wf, ok := r.byID[eventID]
	return wf, ok
}

// remember records that eventID reached workflowID, evicting the oldest entry when full.
func (r *recentEvents) remember(eventID, workflowID string) {
	if r.size == 0 || eventID == "" {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.byID[eventID]; ok {
		return
	}
	if old := r.ring[r.next]; old != "" {
		delete(r.byID, old)
	}
	r.ring[r.next] = eventID
	r.byID[eventID] = workflowID
	r.next = (r.next + 1) % r.size
}
