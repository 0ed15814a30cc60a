package web

import (
	"net"
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Sign-in attempts: a client may try signinBurst times at once, then once
// every signinEvery; a success forgets its failures.
const (
	signinEvery = 10 * time.Second
	signinBurst = 5
	// throttleClients bounds the clients remembered; beyond, the oldest go.
	throttleClients = 10_000
)

// throttle limits attempts per client (golang.org/x/time/rate), and the
// log lines they cause: one a minute per client.
type throttle struct {
	every time.Duration
	burst int

	mu      sync.Mutex
	clients map[string]*client
	order   []string
}

type client struct {
	lim    *rate.Limiter
	logged time.Time
}

func newThrottle(every time.Duration, burst int) *throttle {
	return &throttle{every: every, burst: burst, clients: map[string]*client{}}
}

func (t *throttle) get(key string) *client {
	c := t.clients[key]
	if c == nil {
		if len(t.order) >= throttleClients {
			delete(t.clients, t.order[0])
			t.order = t.order[1:]
		}
		c = &client{lim: rate.NewLimiter(rate.Every(t.every), t.burst)}
		t.clients[key] = c
		t.order = append(t.order, key)
	}
	return c
}

// allow counts an attempt of key and reports whether it may be made, or
// how long to wait.
func (t *throttle) allow(key string) (time.Duration, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := time.Now()
	r := t.get(key).lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return d, false
	}
	return 0, true
}

// forget clears key's attempts (it signed in).
func (t *throttle) forget(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if c := t.clients[key]; c != nil {
		c.lim = rate.NewLimiter(rate.Every(t.every), t.burst)
	}
}

// shouldLog reports whether a refusal of key may be logged: once a minute.
func (t *throttle) shouldLog(key string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	c := t.get(key)
	if now := time.Now(); now.Sub(c.logged) >= time.Minute {
		c.logged = now
		return true
	}
	return false
}

// clientOf is who makes a request: its address without the port.
func clientOf(r *http.Request) string {
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}
