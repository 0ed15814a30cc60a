package chat

import (
	"hash/maphash"
	"sync"
	"time"
)

// Dedup remembers keys for a while, so that an event delivered twice (a
// platform's retry, or one message arriving as two kinds of event) is
// handled once. It keeps a 64-bit hash of each key, not the key (about 32
// bytes a key: a million in 32 MB), and at most Max of them: under that, a
// key is remembered for the whole TTL whatever the traffic; beyond, the
// oldest go first, so memory stays bounded.
type Dedup struct {
	TTL time.Duration
	Max int
	Now func() time.Time

	mu    sync.Mutex
	seed  maphash.Seed
	seen  map[uint64]int64 // hash -> when, in Unix nanoseconds
	order []uint64         // hashes in insertion order, a ring from head
	head  int
}

// NewDedup returns a Dedup keeping keys for ttl, at most max of them.
func NewDedup(ttl time.Duration, max int) *Dedup {
	return &Dedup{TTL: ttl, Max: max, Now: time.Now, seed: maphash.MakeSeed()}
}

// Event-delivery memories: Slack retries a delivery within about an hour,
// and a million keys bound the memory (32 MB) far above an academy's
// traffic (an event a second is 3,600 an hour).
const (
	EventTTL  = time.Hour
	EventKeys = 1_000_000
)

// First records key and reports whether it is new: true the first time,
// false when it was recorded less than TTL ago.
func (d *Dedup) First(key string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := d.Now().UnixNano()
	ttl := d.TTL.Nanoseconds()
	if d.seen == nil {
		d.seen = make(map[uint64]int64)
		if d.seed == (maphash.Seed{}) {
			d.seed = maphash.MakeSeed()
		}
	}
	h := maphash.String(d.seed, key)
	if at, ok := d.seen[h]; ok && now-at < ttl {
		return false
	}
	// Forget what expired, and the oldest when full.
	for len(d.order)-d.head > 0 {
		k := d.order[d.head]
		if at, ok := d.seen[k]; ok && now-at < ttl && len(d.seen) < d.Max {
			break
		}
		delete(d.seen, k)
		d.head++
	}
	if d.head > len(d.order)/2 {
		d.order = append(d.order[:0], d.order[d.head:]...)
		d.head = 0
	}
	d.seen[h] = now
	d.order = append(d.order, h)
	return true
}

// Forget drops key, so that its next delivery is handled: for an event
// that was refused after First saw it.
func (d *Dedup) Forget(key string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.seen != nil {
		delete(d.seen, maphash.String(d.seed, key))
	}
}

// Len returns how many keys are remembered.
func (d *Dedup) Len() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.seen)
}
