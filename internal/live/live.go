// Package live serves the knowledge and reloads it while the bot runs: when
// the knowledge files change (watched with github.com/fsnotify/fsnotify) or
// on request (SIGHUP), it loads and validates them, then swaps the answering
// core atomically. Replies in flight finish on the core they started with.
// Knowledge that fails validation never replaces the good one: every
// problem is logged with its file and line, and Status tells /readyz.
package live

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/acad-lyon/helpdesk-bot/intents"
	"github.com/acad-lyon/helpdesk-bot/internal/chat"
)

// Status is the outcome of the last load.
type Status struct {
	At       time.Time // when the knowledge being served was loaded
	OK       bool      // the last attempt succeeded
	FailedAt time.Time // when the last attempt failed (zero when OK)
	Problems []string  // FILE:LINE: ... lines of the last failed load
	Entries  int       // entries served
}

// Knowledge is the knowledge being served. It implements chat.Helpdesk, so
// adapters answer from whatever is current, one version per event.
type Knowledge struct {
	path  string
	log   *slog.Logger
	rules []intents.Rule // checked at every reload
	// OnLoad, when set, is told of each reload and its outcome.
	OnLoad func(ok bool, entries int)

	core   atomic.Pointer[intents.Core]
	status atomic.Pointer[Status]
	mu     sync.Mutex // one reload at a time
}

// Load loads the knowledge at path (a file or a folder of *.yaml) for the
// first time; it must be valid.
func Load(path string, log *slog.Logger, rules ...intents.Rule) (*Knowledge, error) {
	k := &Knowledge{path: path, log: log, rules: rules}
	c, err := intents.LoadCore(path, rules...)
	if err != nil {
		return nil, err
	}
	k.core.Store(c)
	k.status.Store(&Status{At: time.Now(), OK: true, Entries: len(c.Knowledge().Entries)})
	return k, nil
}

// Core returns the answering core being served.
func (k *Knowledge) Core() *intents.Core { return k.core.Load() }

// Status returns the outcome of the last load.
func (k *Knowledge) Status() Status { return *k.status.Load() }

// Current implements chat.Helpdesk: the core serving now, which an event
// keeps for all it does.
func (k *Knowledge) Current() chat.Core { return k.Core() }

// Answer answers from the core serving now (an intents.Answerer, for the
// console).
func (k *Knowledge) Answer(ctx context.Context, q intents.Question) (intents.Reply, error) {
	return k.Core().Answer(ctx, q)
}

// AnswerEntry is an entry's answer from the core serving now (the
// console's "did you mean" chosen by number).
func (k *Knowledge) AnswerEntry(e *intents.Entry, lang string) intents.Reply {
	return k.Core().AnswerEntry(e, lang)
}

// Reload loads the knowledge again and, when it is valid, serves it. When it
// is not, the current knowledge stays and the error lists every problem.
func (k *Knowledge) Reload() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	start := time.Now()
	c, err := intents.LoadCore(k.path, k.rules...)
	if err != nil {
		st := &Status{At: k.Status().At, FailedAt: time.Now(), Entries: len(k.Core().Knowledge().Entries)}
		var probs intents.Problems
		if errors.As(err, &probs) {
			for _, p := range probs {
				st.Problems = append(st.Problems, p.Error())
				k.log.Error("knowledge: problem, the previous knowledge stays in service", "problem", p.Error())
			}
		} else {
			st.Problems = []string{err.Error()}
			k.log.Error("knowledge: cannot reload, the previous knowledge stays in service", "err", err)
		}
		k.status.Store(st)
		if k.OnLoad != nil {
			k.OnLoad(false, st.Entries)
		}
		return err
	}
	k.core.Store(c)
	n := len(c.Knowledge().Entries)
	k.status.Store(&Status{At: time.Now(), OK: true, Entries: n})
	k.log.Info("knowledge: reloaded", "entries", n, "took", time.Since(start).Round(time.Millisecond))
	if k.OnLoad != nil {
		k.OnLoad(true, n)
	}
	return nil
}

// debounce is how long the files must stay still before a reload: editors
// and git write a file in several steps.
const debounce = 300 * time.Millisecond

// Watch starts reloading the knowledge whenever its files change, until
// ctx is done; the returned channel is closed when it has stopped. The
// watch is in place when Watch returns. It watches the folders (editors
// replace files by renaming) and keeps only events on the knowledge files.
func (k *Knowledge) Watch(ctx context.Context) (<-chan struct{}, error) {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("knowledge: watch: %w", err)
	}
	dir, single := k.path, ""
	if st, err := os.Stat(k.path); err == nil && !st.IsDir() {
		dir, single = filepath.Dir(k.path), filepath.Clean(k.path)
	}
	if err := w.Add(dir); err != nil {
		w.Close()
		return nil, fmt.Errorf("knowledge: watch %s: %w", dir, err)
	}
	relevant := func(name string) bool {
		name = filepath.Clean(name)
		if single != "" {
			return name == single
		}
		return strings.HasSuffix(name, ".yaml") && !strings.HasPrefix(filepath.Base(name), ".")
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer w.Close()
		k.watch(ctx, w, relevant)
	}()
	return done, nil
}

func (k *Knowledge) watch(ctx context.Context, w *fsnotify.Watcher, relevant func(string) bool) {
	var timer *time.Timer
	fire := make(chan struct{}, 1)
	for {
		select {
		case <-ctx.Done():
			if timer != nil {
				timer.Stop()
			}
			return
		case ev, ok := <-w.Events:
			if !ok {
				return
			}
			if !relevant(ev.Name) || ev.Op == fsnotify.Chmod {
				continue
			}
			if timer == nil {
				timer = time.AfterFunc(debounce, func() {
					select {
					case fire <- struct{}{}:
					default:
					}
				})
			} else {
				timer.Reset(debounce)
			}
		case err, ok := <-w.Errors:
			if !ok {
				return
			}
			k.log.Warn("knowledge: watch error", "err", err)
		case <-fire:
			// A file still being written (an editor or a copy pausing longer
			// than the debounce) is loaded once it stops changing.
			if before := k.snapshot(); !sleepCtx(ctx, debounce) || before != k.snapshot() {
				timer.Reset(debounce)
				continue
			}
			k.Reload() // logs its own outcome
		}
	}
}

// snapshot is the names, sizes and modification times of the knowledge
// files, to tell whether they are still changing.
func (k *Knowledge) snapshot() string {
	files, err := intents.Files(k.path)
	if err != nil {
		return err.Error()
	}
	var b strings.Builder
	for _, f := range files {
		if st, err := os.Stat(f); err == nil {
			fmt.Fprintf(&b, "%s %d %d\n", f, st.Size(), st.ModTime().UnixNano())
		}
	}
	return b.String()
}

// sleepCtx waits for d, or less when ctx is done first (false then).
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
