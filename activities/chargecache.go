package activities

import (
	"sync"
	"time"
)

// chargeCache keeps the charge snapshots this worker fetched recently. Order-to-cash's ERP steps
// receive only the charge ID (so the snapshot, with its personal data, is not stored in the
// history at every step) and take the snapshot from here, fetching it again from Stripe on a
// miss (another worker, a restart, an expired entry): the provider stays the source of truth.
type chargeCache struct {
	mu      sync.Mutex
	ttl     time.Duration
	max     int
	entries map[string]cachedCharge
	now     func() time.Time
}

type cachedCharge struct {
	snap *ChargeSnapshot
	at   time.Time
}

func newChargeCache(max int, ttl time.Duration) *chargeCache {
	return &chargeCache{ttl: ttl, max: max, entries: map[string]cachedCharge{}, now: time.Now}
}

func (c *chargeCache) get(id string) *ChargeSnapshot {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[id]
	if !ok || c.now().Sub(e.at) > c.ttl {
		delete(c.entries, id)
		return nil
	}
	return e.snap
}

func (c *chargeCache) put(s *ChargeSnapshot) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= c.max {
		// Full: drop expired entries, then (rarely) the oldest one.
		oldestID, oldest := "", c.now()
		for id, e := range c.entries {
			if c.now().Sub(e.at) > c.ttl {
				delete(c.entries, id)
			} else if e.at.Before(oldest) {
				oldestID, oldest = id, e.at
			}
		}
		if len(c.entries) >= c.max {
			delete(c.entries, oldestID)
		}
	}
	c.entries[s.ID] = cachedCharge{snap: s, at: c.now()}
}
