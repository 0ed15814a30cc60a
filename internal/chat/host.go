package chat

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jonboulle/clockwork"
)

// Settings are the part of an adapter's configuration every platform
// shares.
type Settings struct {
	// Channels are the channel ids where every message is a question;
	// elsewhere the bot answers mentions and direct messages.
	Channels []string
	// Logger receives the adapter's logs (default slog.Default()).
	Logger *slog.Logger
	// Recorder keeps votes and unanswered questions (default: nothing kept).
	Recorder Recorder
	// Flood limits the questions answered per person and per channel
	// (default DefaultFloodLimits).
	Flood *Flood
	// Workers bounds the replies being made at once (default 32), and
	// MaxPending the events accepted and not finished (default 1000):
	// beyond, an event is refused rather than piling up.
	Workers, MaxPending int
	// Grace is how long replies in flight may take to finish on shutdown
	// (default 10 s).
	Grace time.Duration
	// Clock tells the time and makes every wait (default the real clock):
	// tests pass a clockwork.FakeClock and never wait in real time.
	Clock clockwork.Clock
	// OnRateLimit, OnConnect and OnRefused, when set, are told of each wait
	// the platform asks for, of each (re)connection, and of each event not
	// taken (the reason: "overloaded", "stopping"; the platform delivers it
	// again where it can).
	OnRateLimit func(wait time.Duration)
	OnConnect   func(reconnect bool)
	OnRefused   func(reason string)
	// Claims, when set, are shared with the other replicas of the bot (the
	// store: SQLite for one process, PostgreSQL for several): an event, a
	// vote or a call for a person is handled by the first to claim it, the
	// others stay silent. OnClaim, when set, is told of each claim, won or
	// lost to another replica.
	Claims  Claims
	OnClaim func(won bool)
	// Inbox, when set, keeps each question from its acknowledgement to its
	// answer, shared with the other replicas (the store), so that a crash
	// or a kill loses none: another replica, or this process restarted,
	// answers what is left if it is younger than Fresh (default
	// DefaultFresh). OnLate, when set, is told of each such late answer
	// (LateAnswered, LateAlready, LateStale).
	Inbox  Inbox
	Fresh  time.Duration
	OnLate func(result string)
	// Locks, when set, let one replica alone hold a connection that must be
	// held once (the Discord gateway); OnTakeover is told each time this
	// replica takes it over from another.
	Locks      Locks
	OnTakeover func()
	// Threads remember each conversation, shared with the other replicas
	// (the store); default: in this process. Idle is how long a
	// conversation is remembered after its last message (default
	// DefaultIdle).
	Threads Threads
	Idle    time.Duration
	// OnRead, when set, is told of each reply said that used the
	// conversation: how (intents.ReadFollowUp, ReadPick, ReadNext,
	// ReadHandoff).
	OnRead func(reading string)
	// OnSaid, when set, is told of each response said to a message: the
	// reply's outcome (answered, suggested, redirected, fallback, empty,
	// secret), or SaidLimited for a question over a flood limit (its notice
	// or its silence). Nothing is told of a message not meant for the bot.
	OnSaid func(what string)
}

// Claims are what replicas share to do each piece of work once. A claim
// lasts ttl; Release gives it up (work that was not taken after all).
type Claims interface {
	Claim(ctx context.Context, key string, ttl time.Duration) (bool, error)
	Release(ctx context.Context, key string) error
}

// Host is what an adapter runs on, the same for every platform: its
// conversation, its workers, the memory of events already handled, and
// whether it is ready. An adapter makes one in New and starts its workers in
// each Run.
type Host struct {
	Settings
	Platform string
	Log      *slog.Logger  // with the platform's name
	Conv     *Conversation // what the bot says
	// Replier answers the questions kept in the Inbox; the adapter sets it
	// in New (without one, nothing is kept). Redelivers says that the
	// platform delivers again an event it was not told was received
	// (Slack); otherwise (Discord) an event the workers refuse waits in the
	// inbox for a replica with room.
	Replier    Replier
	Redelivers bool

	channels map[string]bool
	seen     *Dedup
	workers  atomic.Pointer[Workers] // born in each Run, nil before
	ready    atomic.Bool
	self     atomic.Pointer[string]
	connects atomic.Int64
	owner    string       // this host in the inbox
	role     atomic.Value // string: what Hold made of this replica
}

// NewHost fills in the defaults of s and returns the host of platform.
func NewHost(platform string, s Settings, hd Helpdesk) *Host {
	if s.Logger == nil {
		s.Logger = slog.Default()
	}
	if s.Recorder == nil {
		s.Recorder = Discard{}
	}
	if s.Flood == nil {
		s.Flood = NewFlood(DefaultFloodLimits)
	}
	if s.Workers <= 0 {
		s.Workers = 32
	}
	if s.MaxPending <= 0 {
		s.MaxPending = 1000
	}
	if s.Grace <= 0 {
		s.Grace = 10 * time.Second
	}
	if s.Clock == nil {
		s.Clock = clockwork.NewRealClock()
	}
	if s.Fresh <= 0 {
		s.Fresh = DefaultFresh
	}
	if s.Threads == nil {
		local := NewLocalThreads(LocalConversations)
		local.Now = s.Clock.Now
		s.Threads = local
	}
	h := &Host{Settings: s, Platform: platform, Log: s.Logger.With("platform", platform), channels: map[string]bool{}, seen: NewDedup(EventTTL, EventKeys), owner: newOwner()}
	h.seen.Now = s.Clock.Now
	h.Conv = &Conversation{Platform: platform, Helpdesk: hd, Flood: s.Flood, Recorder: s.Recorder, Log: h.Log, Now: s.Clock.Now, Claims: s.Claims, OnClaim: s.OnClaim, OnSaid: s.OnSaid, Threads: s.Threads, Idle: s.Idle, OnRead: s.OnRead}
	for _, c := range s.Channels {
		if c = strings.TrimSpace(c); c != "" {
			h.channels[c] = true
		}
	}
	return h
}

// Start gives a Run its workers, and answers the questions other replicas
// left in the Inbox; the returned stop refuses new work and lets the work
// in flight finish within Grace.
func (h *Host) Start() (stop func()) {
	w := NewWorkers(h.Platform, h.Log, h.Workers, h.MaxPending)
	w.OnRefused = h.OnRefused
	h.workers.Store(w)
	stopSweep := make(chan struct{})
	swept := make(chan struct{})
	go func() { defer close(swept); h.sweep(w, stopSweep) }()
	return func() {
		h.ready.Store(false)
		close(stopSweep)
		<-swept
		w.Drain(h.Grace)
	}
}

// Go runs f on the workers of the current Run and reports whether it was
// taken; before Run, or once it returned, nothing is.
func (h *Host) Go(what string, f func(ctx context.Context) error) bool {
	if w := h.workers.Load(); w != nil {
		return w.Go(what, f)
	}
	h.Log.Warn(h.Platform+": not running, event dropped", "what", what)
	return false
}

// Ready reports whether the adapter is connected and takes events, or
// stands by while another replica holds the connection (Role).
func (h *Host) Ready() bool { return h.ready.Load() || h.Role() == RoleWaiting }

// SetReady records whether the adapter is connected.
func (h *Host) SetReady(ok bool) { h.ready.Store(ok) }

// Self is the bot's own user id on the platform ("" until known).
func (h *Host) Self() string {
	if p := h.self.Load(); p != nil {
		return *p
	}
	return ""
}

// SetSelf records the bot's own user id.
func (h *Host) SetSelf(id string) { h.self.Store(&id) }

// Identify asks the platform who the bot is (who returns its user id),
// again while the platform cannot be reached, waiting on the clock. It
// reports false when ctx is done first (err nil: the adapter was stopped) or
// when the platform refuses the token (refused: err says so).
func (h *Host) Identify(ctx context.Context, who func() (string, error), refused func(error) bool) (ok bool, err error) {
	err = h.Retry(ctx, func() error {
		id, err := who()
		if err == nil {
			h.SetSelf(id)
		}
		return err
	}, h.Backoff("reach the platform", 30*time.Second, refused))
	switch {
	case ctx.Err() != nil:
		return false, nil
	case err != nil:
		return false, fmt.Errorf("%s: the bot token was refused: %w", h.Platform, err)
	}
	return true, nil
}

// Connected records a connection to the platform (how: "by Socket Mode",
// "to the gateway"): the adapter is ready, the log and OnConnect say
// whether it was a reconnection.
func (h *Host) Connected(how string) {
	again := h.connects.Add(1) > 1
	h.SetReady(true)
	h.Log.Info(h.Platform+": connected "+how, "bot_user", h.Self(), "reconnect", again)
	if h.OnConnect != nil {
		h.OnConnect(again)
	}
}

// RateLimited records a wait the platform asked for before a call.
func (h *Host) RateLimited(call string, wait time.Duration) {
	h.Log.Warn(h.Platform+": rate limited, waiting", "call", call, "retry_after", wait)
	if h.OnRateLimit != nil {
		h.OnRateLimit(wait)
	}
}

// Listens reports whether every message of channel is a question.
func (h *Host) Listens(channel string) bool { return h.channels[channel] }

// First reports whether an event (a platform's key for it) is seen for the
// first time by this process: platforms deliver some twice. It costs no
// round trip; Once also asks the other replicas.
func (h *Host) First(key string) bool { return h.seen.First(key) }

// Once reports whether work (a platform's key for it) is new to this
// process and to the other replicas (Claims): the first to claim it does
// it. Only work that will be done is claimed, once.
func (h *Host) Once(key string) bool {
	return h.First(key) && claim(h.Claims, h.OnClaim, h.Log, h.Platform+":"+key, EventTTL)
}

// Forget forgets an event that was not taken, here and for the other
// replicas, so that its next delivery is handled.
func (h *Host) Forget(key string) {
	h.seen.Forget(key)
	if h.Claims != nil && key != "" {
		ctx, cancel := context.WithTimeout(context.Background(), claimTimeout)
		defer cancel()
		if err := h.Claims.Release(ctx, h.Platform+":"+key); err != nil {
			h.Log.Warn(h.Platform+": cannot release a claim", "err", Redacted(err))
		}
	}
}

// claimTimeout bounds a claim: past it, the replica answers rather than
// lose the question (a duplicate is better than silence).
const claimTimeout = 2 * time.Second

// claim reports whether this replica may do the work named key: it won the
// shared claim, or there are no claims to share, or the store did not
// answer in time (answering matters more).
func claim(c Claims, onClaim func(bool), log *slog.Logger, key string, ttl time.Duration) bool {
	if c == nil {
		return true
	}
	ctx, cancel := context.WithTimeout(context.Background(), claimTimeout)
	defer cancel()
	won, err := c.Claim(ctx, key, ttl)
	if err != nil {
		log.Warn("cannot claim work across replicas: doing it", "err", Redacted(err))
		return true
	}
	if onClaim != nil {
		onClaim(won)
	}
	return won
}

// Accept reports whether m, an event with the given key, needs any work
// (Wants) and is new here and to the other replicas (Once).
func (h *Host) Accept(m Message, key string) bool { return Wants(m) && h.Once(key) }

// Sleep waits d on the clock, or until ctx is done (false).
func (h *Host) Sleep(ctx context.Context, d time.Duration) bool {
	t := h.Clock.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.Chan():
	}
	return true
}

// Retry calls try until it succeeds, next says to stop, or ctx is done,
// waiting between tries what next says (attempt counts from 0).
func (h *Host) Retry(ctx context.Context, try func() error, next func(attempt int, err error) (time.Duration, bool)) error {
	for attempt := 0; ; attempt++ {
		err := try()
		if err == nil {
			return nil
		}
		wait, again := next(attempt, err)
		if !again {
			return err
		}
		if !h.Sleep(ctx, wait) {
			return ctx.Err()
		}
	}
}

// Backoff is a next for Retry: it waits a second, doubled each time up to
// max, and stops at an error that is final (giveUp).
func (h *Host) Backoff(what string, max time.Duration, giveUp func(error) bool) func(int, error) (time.Duration, bool) {
	return func(attempt int, err error) (time.Duration, bool) {
		if giveUp(err) {
			return 0, false
		}
		wait := min(time.Second<<min(attempt, 16), max)
		h.Log.Warn(h.Platform+": cannot "+what+", retrying", "err", Redacted(err), "in", wait)
		return wait, true
	}
}
