package chat

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"sync"
	"sync/atomic"
	"time"
)

// Workers run an adapter's event handlers in the background: at most Max at
// once, at most MaxPending accepted and not finished (beyond, an event is
// dropped and logged rather than piling up), a panic logged rather than
// fatal. On shutdown, Drain refuses new work, lets the work in flight finish
// within a grace period, then cancels what is left. Every platform adapter
// uses one, so that these rules are written once.
type Workers struct {
	platform   string
	log        *slog.Logger
	slots      chan struct{}
	maxPending int64
	pending    atomic.Int64
	stopping   atomic.Bool
	inFlight   sync.WaitGroup
	ctx        context.Context
	cancel     context.CancelFunc
	// OnRefused, when set, is told of each work not taken ("overloaded",
	// "stopping").
	OnRefused func(reason string)
}

// NewWorkers returns workers for platform ("slack", in the logs).
func NewWorkers(platform string, log *slog.Logger, max, maxPending int) *Workers {
	w := &Workers{platform: platform, log: log, slots: make(chan struct{}, max), maxPending: int64(maxPending)}
	w.ctx, w.cancel = context.WithCancel(context.Background())
	return w
}

// Context is the context work runs in: it outlives the adapter's Run
// context by the grace period, so that replies in flight at shutdown finish.
func (w *Workers) Context() context.Context { return w.ctx }

// Go runs f in the background and reports whether it was accepted: it is
// not when the workers are draining or MaxPending events are already
// waiting. what names the work in logs.
func (w *Workers) Go(what string, f func(ctx context.Context) error) bool {
	if w.stopping.Load() {
		w.refused("stopping")
		return false
	}
	if w.pending.Add(1) > w.maxPending {
		w.pending.Add(-1)
		w.log.Error(w.platform+": overloaded, event refused", "what", what, "pending", w.maxPending)
		w.refused("overloaded")
		return false
	}
	w.inFlight.Add(1)
	go func() {
		defer w.inFlight.Done()
		defer w.pending.Add(-1)
		select {
		case w.slots <- struct{}{}:
		case <-w.ctx.Done():
			return
		}
		defer func() { <-w.slots }()
		defer func() {
			if p := recover(); p != nil {
				w.log.Error(w.platform+": panic while handling an event", "what", what, "panic", fmt.Sprint(p))
			}
		}()
		if err := f(w.ctx); err != nil {
			w.log.Error(w.platform+": "+what+" failed", "err", Redacted(err))
		}
	}()
	return true
}

// Room is how many more events Go would accept now.
func (w *Workers) Room() int {
	if w.stopping.Load() {
		return 0
	}
	return int(w.maxPending - w.pending.Load())
}

func (w *Workers) refused(reason string) {
	if w.OnRefused != nil {
		w.OnRefused(reason)
	}
}

// Drain refuses new work, waits for the work in flight until grace has
// passed, then cancels what is left. It reports whether everything finished.
func (w *Workers) Drain(grace time.Duration) bool {
	w.stopping.Store(true)
	done := Wait(&w.inFlight, grace)
	if !done {
		w.log.Warn(w.platform+": replies still in flight at the end of the grace period", "grace", grace)
	}
	w.cancel()
	return done
}

// urlPath matches the path and query of a URL in an error message.
var urlPath = regexp.MustCompile(`(https?://[^/\s"']+)[^\s"']*`)

// Redacted is err's message without the paths of the URLs it names: a
// failed call to a Slack response_url or a Discord interaction names a URL
// that lets anyone post as the bot for a while, and logs must never hold one.
func Redacted(err error) string {
	if err == nil {
		return ""
	}
	return urlPath.ReplaceAllString(err.Error(), "$1/…")
}
