package chat

import (
	"context"
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

// The bursts of the limits: a person's few questions in a row, a busy
// channel's half minute.
const (
	userBurst    = 5
	channelBurst = 30
)

// DefaultFloodLimits suit a school channel at 8 a.m.: a person asks a few
// questions in a row, a channel of a hundred people a question a second.
var DefaultFloodLimits = FloodLimits{UserPerMinute: 10, ChannelPerMinute: 60}

// Rates are flood limits shared by the replicas of the bot (the store, on
// PostgreSQL): Allow counts one event of key against a rate of one every
// interval, in bursts of up to burst, and reports whether it is within.
type Rates interface {
	Allow(ctx context.Context, key string, every time.Duration, burst int) (bool, error)
}

// Flood applies the limits. It is safe for concurrent use, and its memory
// stays bounded: idle limiters are forgotten.
type Flood struct {
	// Shared, when set, holds the limits for every replica: one person
	// asking two replicas gets the limit once, not twice. When it fails,
	// this process's own limits apply.
	Shared Rates

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
	if f.Shared != nil {
		if v, err := f.checkShared(user, channel); err == nil {
			return v
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.now()
	f.calls++
	if f.calls%1000 == 0 {
		f.forget(now)
	}
	if u := f.get(f.users, user, f.limits.UserPerMinute, userBurst, now); u != nil && !u.AllowN(now, 1) {
		return f.notice(u, now, NoticeUser)
	}
	if c := f.get(f.channels, channel, f.limits.ChannelPerMinute, channelBurst, now); c != nil && !c.AllowN(now, 1) {
		return f.notice(c, now, NoticeChannel)
	}
	return Answer
}

// checkShared is Check on the shared limits: the same rates and bursts, and
// the notice once a minute at most across replicas.
func (f *Flood) checkShared(user, channel string) (Verdict, error) {
	ctx, cancel := context.WithTimeout(context.Background(), claimTimeout)
	defer cancel()
	for _, l := range []struct {
		key       string
		perMinute int
		burst     int
		notice    Verdict
	}{
		{"user:" + user, f.limits.UserPerMinute, userBurst, NoticeUser},
		{"channel:" + channel, f.limits.ChannelPerMinute, channelBurst, NoticeChannel},
	} {
		if l.perMinute <= 0 || l.key == "user:" || l.key == "channel:" {
			continue
		}
		ok, err := f.Shared.Allow(ctx, "flood:"+l.key, time.Minute/time.Duration(l.perMinute), min(l.burst, l.perMinute))
		if err != nil {
			return Answer, err
		}
		if ok {
			continue
		}
		if told, err := f.Shared.Allow(ctx, "flood-notice:"+l.key, time.Minute, 1); err != nil || !told {
			return Silence, nil
		}
		return l.notice, nil
	}
	return Answer, nil
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
