package chat

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jonboulle/clockwork"
)

// Queued keeps the store off the reply path: a Recorder whose writes go,
// in the order they come, through a bounded queue to one writer, each with a
// timeout and a few retries, so that a reply never waits for the database.
// When the queue is full a write is dropped and counted (OnDropped); while
// the store is unreachable (or not yet opened: Set), writes wait in the
// queue. Close drains what is queued within a grace period.
type Queued struct {
	log   *slog.Logger
	queue chan func(context.Context, Recorder) error

	mu  sync.Mutex
	rec Recorder // nil until Set
	set chan struct{}

	healthy   atomic.Bool
	writing   atomic.Bool // a write is under way
	closing   chan struct{}
	done      chan struct{}
	closeOnce sync.Once

	// Clock spaces the retries (default the real clock; tests move a fake
	// one). Set it before the first write.
	Clock clockwork.Clock

	// OnDropped, when set, is told of each write dropped ("full": the queue
	// was full; "failed": every retry failed; "shutdown": still queued at
	// the end of the grace period).
	OnDropped func(reason string)
}

// Queue settings: a write gets writeTimeout, and writeRetries more tries
// spaced by retryWait doubling up to maxRetryWait (about two minutes in
// all: a database restart), before it is dropped; the writes behind it wait.
const (
	writeTimeout = 5 * time.Second
	writeRetries = 8
	retryWait    = time.Second
	maxRetryWait = 30 * time.Second
)

// NewQueued starts the writer of a queue of capacity writes. rec may be nil:
// writes then wait until Set gives the store.
func NewQueued(rec Recorder, log *slog.Logger, capacity int) *Queued {
	q := &Queued{log: log, queue: make(chan func(context.Context, Recorder) error, capacity),
		set: make(chan struct{}), closing: make(chan struct{}), done: make(chan struct{})}
	q.healthy.Store(rec != nil)
	if rec != nil {
		q.Set(rec)
	}
	go q.write()
	return q
}

func (q *Queued) clock() clockwork.Clock {
	if q.Clock == nil {
		return realClock
	}
	return q.Clock
}

var realClock = clockwork.NewRealClock()

// Set gives the queue its store (once the database could be opened).
func (q *Queued) Set(rec Recorder) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.rec == nil {
		q.rec = rec
		q.healthy.Store(true)
		close(q.set)
	}
}

// Healthy reports whether the store is set and its last write succeeded:
// /readyz shows the store degraded otherwise (the bot answers all the same).
func (q *Queued) Healthy() bool { return q.healthy.Load() }

// RecordVote implements Recorder: the vote is queued.
func (q *Queued) RecordVote(_ context.Context, v Vote) error {
	q.enqueue(func(ctx context.Context, r Recorder) error { return r.RecordVote(ctx, v) })
	return nil
}

// RecordUnanswered implements Recorder: the question is queued.
func (q *Queued) RecordUnanswered(_ context.Context, u Unanswered) error {
	q.enqueue(func(ctx context.Context, r Recorder) error { return r.RecordUnanswered(ctx, u) })
	return nil
}

func (q *Queued) enqueue(w func(context.Context, Recorder) error) {
	select {
	case <-q.closing:
		q.dropped("shutdown")
		return
	default:
	}
	select {
	case q.queue <- w:
	default:
		q.dropped("full")
	}
}

func (q *Queued) dropped(reason string) {
	q.log.Warn("store: write dropped", "reason", reason)
	if q.OnDropped != nil {
		q.OnDropped(reason)
	}
}

// write runs the queued writes, one at a time, until Close.
func (q *Queued) write() {
	defer close(q.done)
	select {
	case <-q.set:
	case <-q.closing:
		select {
		case <-q.set: // closing, with a store: drain below
		default:
			q.drop() // no store ever came
			return
		}
	}
	for {
		select {
		case w := <-q.queue:
			q.try(w)
		case <-q.closing:
			for {
				select {
				case w := <-q.queue:
					q.try(w)
				default:
					return
				}
			}
		}
	}
}

// try makes one write, retrying a failed one.
func (q *Queued) try(w func(context.Context, Recorder) error) {
	q.writing.Store(true)
	defer q.writing.Store(false)
	for attempt := 0; ; attempt++ {
		ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
		err := w(ctx, q.rec)
		cancel()
		if err == nil {
			q.healthy.Store(true)
			return
		}
		q.healthy.Store(false)
		if attempt == writeRetries {
			q.log.Error("store: write failed", "err", Redacted(err), "tries", attempt+1)
			if q.OnDropped != nil {
				q.OnDropped("failed")
			}
			return
		}
		wait := q.clock().NewTimer(min(retryWait<<attempt, maxRetryWait))
		select {
		case <-wait.Chan():
		case <-q.closing:
			wait.Stop()
			if attempt > 0 { // on shutdown, one more try at most
				q.dropped("shutdown")
				return
			}
		}
	}
}

// drop empties the queue, counting what it held.
func (q *Queued) drop() {
	for {
		select {
		case <-q.queue:
			q.dropped("shutdown")
		default:
			return
		}
	}
}

// Close stops taking writes, lets the queued ones finish within grace, and
// reports whether they did.
func (q *Queued) Close(grace time.Duration) bool {
	q.closeOnce.Do(func() { close(q.closing) })
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-q.done:
		return true
	case <-t.C:
		// The process ends: what is still queued is lost, and said so.
		lost := len(q.queue)
		if q.writing.Load() {
			lost++
		}
		q.log.Error("store: writes lost, still queued at the end of the grace period", "lost", lost, "grace", grace)
		if q.OnDropped != nil {
			for range lost {
				q.OnDropped("shutdown")
			}
		}
		return false
	}
}
