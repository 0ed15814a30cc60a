package tests

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// localPeer is what the fake platforms share: an HTTP server on 127.0.0.1
// and the websocket of the bot's current connection, both closed at the end
// of the test.
type localPeer struct {
	srv    *httptest.Server
	mu     sync.Mutex // guards conn and the fakes' records
	conn   *websocket.Conn
	closed chan struct{}
}

func (p *localPeer) start(t *testing.T, h http.Handler) {
	p.closed = make(chan struct{})
	p.srv = httptest.NewUnstartedServer(h)
	p.srv.Start()
	t.Cleanup(func() {
		close(p.closed)
		p.mu.Lock()
		if p.conn != nil {
			p.conn.Close()
		}
		p.mu.Unlock()
		p.srv.Close()
	})
}

// waitOn returns the next value of ch, failing the test after 10 s.
func waitOn[T any](t *testing.T, ch <-chan T, what string) T {
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

// runAdapter runs an adapter until the returned stop is called (or the
// test ends) and returns what Run returned.
func runAdapter(t *testing.T, run func(ctx context.Context) error) (stop func() error) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx) }()
	stopped := false
	var err error
	stop = func() error {
		if stopped {
			return err
		}
		stopped = true
		cancel()
		select {
		case err = <-done:
		case <-time.After(20 * time.Second):
			t.Fatal("the adapter did not stop within 20 s")
		}
		return err
	}
	return stop
}

// runningBot is the bot binary running with an environment.
type runningBot struct {
	cmd    *exec.Cmd
	stderr *syncBuffer
	done   chan error
}

// startBot runs the bot binary with the knowledge of the repository, an
// HTTP listener on a free port, a store in a temporary folder, and env.
func startBot(t *testing.T, env ...string) *runningBot {
	t.Helper()
	cmd := exec.Command(botBinary(t))
	cmd.Env = append(append(os.Environ(), "KNOWLEDGE_PATH=../knowledge/faq.yaml", "HTTP_ADDR=127.0.0.1:0", "DATA_PATH="+t.TempDir()), env...)
	b := &runningBot{cmd: cmd, stderr: &syncBuffer{}, done: make(chan error, 1)}
	cmd.Stderr = b.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { b.done <- cmd.Wait() }()
	t.Cleanup(func() { cmd.Process.Kill() })
	return b
}

// terminate sends SIGTERM and checks that the bot exits 0 in time.
func (b *runningBot) terminate(t *testing.T) {
	t.Helper()
	b.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-b.done:
		if err != nil {
			t.Errorf("bot exited with %v on SIGTERM; want exit 0\n%s", err, b.stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("bot did not exit within 20 s of SIGTERM")
	}
}
