package chat

import "context"

// Locks let one replica alone hold what must be held once: the Discord
// gateway, whose every event each connection would otherwise receive.
type Locks interface {
	// Lock waits until this process holds name, or ctx is done (the error
	// is then ctx's), calling waiting once if another holds it first. lost
	// is closed if the hold is lost (the database connection broke);
	// release gives it up.
	Lock(ctx context.Context, name string, waiting func()) (lost <-chan struct{}, release func(), err error)
}

// The roles of a replica for what it holds (Host.Role).
const (
	RoleHolding = "holding" // it holds the connection
	RoleWaiting = "waiting" // another replica holds it; this one takes over when it dies
)

// Hold waits until this replica holds name (Locks), the others waiting,
// and reports false when ctx is done first. Without Locks, it holds at once.
// While it waits the host is ready (standing by is its job) and Role says
// so; a hold won after waiting is a takeover (OnTakeover).
func (h *Host) Hold(ctx context.Context, name string) (lost <-chan struct{}, release func(), ok bool) {
	if h.Locks == nil {
		h.role.Store(RoleHolding)
		return nil, func() {}, true
	}
	waited := false
	lost, release, err := h.Locks.Lock(ctx, name, func() {
		waited = true
		h.role.Store(RoleWaiting)
		h.Log.Info(h.Platform + ": another replica holds the connection: standing by to take over")
	})
	if err != nil {
		h.role.Store("")
		return nil, nil, false
	}
	h.role.Store(RoleHolding)
	if waited {
		h.Log.Info(h.Platform + ": took over the connection from another replica")
		if h.OnTakeover != nil {
			h.OnTakeover()
		}
	}
	return lost, release, true
}

// Role is RoleHolding or RoleWaiting once the adapter called Hold, "" before
// (and on platforms that hold nothing).
func (h *Host) Role() string {
	r, _ := h.role.Load().(string)
	return r
}
