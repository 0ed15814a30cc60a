package tests

import (
	"context"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
)

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

// advance moves a fake clock by d once the code under test waits on it:
// the test controls time instead of sleeping.
func advance(t *testing.T, clock *clockwork.FakeClock, d time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := clock.BlockUntilContext(ctx, 1); err != nil {
		t.Fatalf("nothing waited on the clock within 10 s")
	}
	clock.Advance(d)
}
