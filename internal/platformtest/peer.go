// Package platformtest holds local fakes of Slack (Web API, response_url
// endpoints, Socket Mode websocket) and Discord (REST, gateway websocket)
// that speak the real wire formats on 127.0.0.1, for the adapters' tests and
// the end-to-end tests alike. Nothing here reaches the network.
package platformtest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// peer is what the fake platforms share: an HTTP server on 127.0.0.1
// and the websocket of the bot's current connection, both closed at the end
// of the test.
type peer struct {
	Srv    *httptest.Server
	Mu     sync.Mutex // guards the fakes' records (hold it to read them) and conn
	conn   *websocket.Conn
	closed chan struct{}

	RateLimit int // the next RateLimit posts get 429
	Limited   int // how many 429s were sent
}

// limited reports, with Mu held, whether this post gets a 429 (and counts
// it).
func (p *peer) limited() bool {
	if p.RateLimit <= 0 {
		return false
	}
	p.RateLimit--
	p.Limited++
	return true
}

func (p *peer) start(t *testing.T, h http.Handler) {
	p.closed = make(chan struct{})
	p.Srv = httptest.NewUnstartedServer(h)
	p.Srv.Start()
	t.Cleanup(func() {
		close(p.closed)
		p.Mu.Lock()
		if p.conn != nil {
			p.conn.Close()
		}
		p.Mu.Unlock()
		p.Srv.Close()
	})
}

// deliver hands a call the bot made to the test, with mu held (it releases
// it): to sink when set (load tests, which read nothing back), else kept in
// list and sent on c.
func deliver[T any](mu *sync.Mutex, sink func(T), list *[]T, c chan T, v T) {
	if sink != nil {
		mu.Unlock()
		sink(v)
		return
	}
	*list = append(*list, v)
	mu.Unlock()
	c <- v
}

// Wait returns the next value of ch, failing the test after 10 s.
func Wait[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("no %s within 10 s", what)
	}
	var zero T
	return zero
}

// WantRefused runs an adapter configured with a wrong token against a fake
// and fails the test unless Run returns, within 10 s, an error saying the
// token was refused.
func WantRefused(t *testing.T, run func(ctx context.Context) error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := run(ctx); err == nil || !strings.Contains(err.Error(), "refused") {
		t.Errorf("Run with a wrong token = %v; want the token refused", err)
	}
}
