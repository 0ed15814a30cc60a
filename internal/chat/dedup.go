package chat

import (
	"sync"
	"time"
)

// Dedup remembers keys for a while, so that an event delivered twice (a
// platform's retry, or one message arriving as two kinds of event) is
// handled once. It holds at most Max keys: the oldest go first, so memory
// stays bounded whatever the traffic.
type Dedup struct {
	TTL time.Duration
	Max int
	Now func() time.Time

	mu    sync.Mutex
	seen  map[string]time.Time
	order []string // keys in insertion order, a ring from head
	head  int
}

// NewDedup returns a Dedup keeping keys for ttl, at most max of them.
func NewDedup(ttl time.Duration, max int) *Dedup {
	return &Dedup{TTL: ttl, Max: max, Now: time.Now}
}

// First records key and reports whether it is new: true the first time,
// false when it was recorded less than TTL ago.
func (d *Dedup) First(key string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := d.Now()
	if d.seen == nil {
		d.seen = make(map[string]time.Time)
	}
	if at, ok := d.seen[key]; ok && now.Sub(at) < d.TTL {
		return false
	}
	// Forget what expired, and the oldest when full.
	for len(d.order)-d.head > 0 {
		k := d.order[d.head]
		if at, ok := d.seen[k]; ok && now.Sub(at) < d.TTL && len(d.seen) < d.Max {
			break
		}
		delete(d.seen, k)
		d.order[d.head] = ""
		d.head++
	}
	if d.head > len(d.order)/2 {
		d.order = append(d.order[:0], d.order[d.head:]...)
		d.head = 0
	}
	d.seen[key] = now
	d.order = append(d.order, key)
	return true
}

// Len returns how many keys are remembered.
func (d *Dedup) Len() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.seen)
}
