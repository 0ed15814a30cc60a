package chat

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// FloodLimits are how many questions the bot answers, per minute, from one
// person and in one channel; beyond, it says so once and waits. Zero
// disables a limit.
type FloodLimits struct {
	UserPerMinute    int // default 10, in bursts of up to 5
	ChannelPerMinute int // default 60, in bursts of up to 30
}

// DefaultFloodLimits suit a school channel at 8 a.m.: a person asks a few
// questions in a row, a channel of a hundred people a question a second.
var DefaultFloodLimits = FloodLimits{UserPerMinute: 10, ChannelPerMinute: 60}

// Flood applies the limits. It is safe for concurrent use, and its memory
// stays bounded: idle limiters are forgotten.
type Flood struct {
	limits   FloodLimits
	now      func() time.Time
	mu       sync.Mutex
	users    map[string]*limiter
	channels map[string]*limiter
	calls    int
}

type limiter struct {
	*rate.Limiter
	last     time.Time
	notified time.Time // when the person or channel was last told
}

// NewFlood returns a Flood applying limits.
func NewFlood(limits FloodLimits) *Flood {
	return &Flood{limits: limits, now: time.Now, users: map[string]*limiter{}, channels: map[string]*limiter{}}
}

// Verdict is what to do with a question.
type Verdict int

// The verdicts of Flood.Check.
const (
	Answer        Verdict = iota // answer it
	NoticeUser                   // over the person's limit: tell them, once
	NoticeChannel                // over the channel's limit: say it, once
	Silence                      // over a limit, already told
)

// Check counts a question of user in channel and says what to do with it.
func (f *Flood) Check(user, channel string) Verdict {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.now()
	f.calls++
	if f.calls%1000 == 0 {
		f.forget(now)
	}
	if u := f.get(f.users, user, f.limits.UserPerMinute, 5, now); u != nil && !u.AllowN(now, 1) {
		return f.notice(u, now, NoticeUser)
	}
	if c := f.get(f.channels, channel, f.limits.ChannelPerMinute, 30, now); c != nil && !c.AllowN(now, 1) {
		return f.notice(c, now, NoticeChannel)
	}
	return Answer
}

// notice tells once a minute at most.
func (f *Flood) notice(l *limiter, now time.Time, v Verdict) Verdict {
	if now.Sub(l.notified) < time.Minute {
		return Silence
	}
	l.notified = now
	return v
}

func (f *Flood) get(m map[string]*limiter, key string, perMinute, burst int, now time.Time) *limiter {
	if perMinute <= 0 || key == "" {
		return nil
	}
	l, ok := m[key]
	if !ok {
		l = &limiter{Limiter: rate.NewLimiter(rate.Limit(float64(perMinute)/60), min(burst, perMinute))}
		m[key] = l
	}
	l.last = now
	return l
}

// forget drops the limiters idle for ten minutes: they are full again.
func (f *Flood) forget(now time.Time) {
	for _, m := range []map[string]*limiter{f.users, f.channels} {
		for k, l := range m {
			if now.Sub(l.last) > 10*time.Minute {
				delete(m, k)
			}
		}
	}
}
