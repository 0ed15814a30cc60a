package chat

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
)

// slowStore is a store that blocks (a locked table) or fails on demand.
type slowStore struct {
	block   chan struct{} // while open, every write waits
	failing atomic.Int32  // the next writes that fail
	mu      sync.Mutex
	got     []string
}

func (s *slowStore) RecordVote(ctx context.Context, v Vote) error {
	return s.record(ctx, "vote:"+v.Entry)
}

func (s *slowStore) RecordUnanswered(ctx context.Context, u Unanswered) error {
	return s.record(ctx, u.Question)
}

func (s *slowStore) record(ctx context.Context, what string) error {
	if s.block != nil {
		select {
		case <-s.block:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if s.failing.Add(-1) >= 0 {
		return errors.New("connection refused")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.got = append(s.got, what)
	return nil
}

func (s *slowStore) written() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.got...)
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// A locked store never holds a reply: recording returns at once, and the
// writes land, in order, once the lock goes.
func TestQueuedNeverWaitsForTheStore(t *testing.T) {
	s := &slowStore{block: make(chan struct{})}
	q := NewQueued(s, quiet, 100)
	start := time.Now()
	for _, w := range []string{"a", "b", "c"} {
		q.RecordUnanswered(context.Background(), Unanswered{Question: w})
	}
	if d := time.Since(start); d > 100*time.Millisecond {
		t.Errorf("recording took %v with the store locked; want at once", d)
	}
	close(s.block)
	if !q.Close(5 * time.Second) {
		t.Fatal("the queue did not drain")
	}
	if got := s.written(); len(got) != 3 || got[0] != "a" || got[2] != "c" {
		t.Errorf("written %v; want a, b, c", got)
	}
}

// A failing store is retried, and reported unhealthy meanwhile; a store
// opened late gets what waited.
func TestQueuedRetriesAndWaitsForTheStore(t *testing.T) {
	s := &slowStore{}
	s.failing.Store(2)
	clock := clockwork.NewFakeClock()
	q := NewQueued(nil, quiet, 100)
	q.Clock = clock
	if q.Healthy() {
		t.Error("healthy without a store")
	}
	q.RecordVote(context.Background(), Vote{Entry: "imap-settings"})
	q.Set(s)
	// Two failures: the writer waits 1 s, then 2 s, on the clock.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, d := range []time.Duration{time.Second, 2 * time.Second} {
		if err := clock.BlockUntilContext(ctx, 1); err != nil {
			t.Fatal("the writer did not wait to retry")
		}
		clock.Advance(d)
	}
	for len(s.written()) == 0 && ctx.Err() == nil {
		time.Sleep(time.Millisecond)
	}
	if got := s.written(); len(got) != 1 || !q.Healthy() {
		t.Errorf("written %v, healthy %v; want the vote written after two failures", got, q.Healthy())
	}
	q.Close(time.Second)
}

// countDropped counts the writes q drops for reason.
func countDropped(q *Queued, reason string) *atomic.Int32 {
	var n atomic.Int32
	q.OnDropped = func(r string) {
		if r == reason {
			n.Add(1)
		}
	}
	return &n
}

// A full queue drops, counted; nothing blocks.
func TestQueuedDropsWhenFull(t *testing.T) {
	s := &slowStore{block: make(chan struct{})}
	q := NewQueued(s, quiet, 2)
	dropped := countDropped(q, "full")
	for range 10 {
		q.RecordUnanswered(context.Background(), Unanswered{Question: "x"})
	}
	if n := dropped.Load(); n < 7 {
		t.Errorf("%d writes dropped of 10 into a queue of 2 behind a locked store; want 7 or 8", n)
	}
	close(s.block)
	q.Close(5 * time.Second)
}

// A process that must stop while the store still does not answer loses what
// is queued: it is counted and logged, never silently gone.
func TestQueuedCountsWhatShutdownLoses(t *testing.T) {
	s := &slowStore{block: make(chan struct{})}
	defer close(s.block)
	q := NewQueued(s, quiet, 100)
	lost := countDropped(q, "shutdown")
	for range 5 {
		q.RecordUnanswered(context.Background(), Unanswered{Question: "x"})
	}
	time.Sleep(50 * time.Millisecond) // the first is under way, four wait
	if q.Close(100 * time.Millisecond) {
		t.Fatal("the queue drained behind a locked store")
	}
	if n := lost.Load(); n != 5 {
		t.Errorf("%d writes counted lost; want 5: the one under way and the 4 still queued", n)
	}
}
