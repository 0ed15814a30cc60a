package chat

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"time"

	"github.com/acad-lyon/helpdesk-bot/intents"
)

// Parcel is a question acknowledged to its platform and not answered yet, as
// the inbox keeps it: enough to answer it from any replica, and nothing of a
// secret (its text is masked, Message.Held says what it held). No capability
// URL is ever kept: commands and clicks, which answer through one, are not
// parcels.
type Parcel struct {
	Key      string            `json:"key"`      // the platform's key of the event
	Platform string            `json:"platform"` // "slack", "discord"
	At       time.Time         `json:"at"`       // when it was received
	Message  Message           `json:"message"`
	Where    map[string]string `json:"where"` // the adapter's: where and how to answer
}

// Inbox keeps the questions acknowledged and not answered yet, shared by the
// replicas (the store), so that a replica's crash loses none of them: each
// parcel is leased to the replica answering it, which renews the lease while
// it lives; a parcel whose lease expired is taken over by another replica,
// or by the same process after a restart.
type Inbox interface {
	// Keep writes p, leased to owner, before the platform is told it was
	// received.
	Keep(ctx context.Context, p Parcel, owner string, lease time.Duration) error
	// Done deletes an answered parcel.
	Done(ctx context.Context, platform, key string) error
	// Renew extends the lease of every parcel owner holds.
	Renew(ctx context.Context, owner string, lease time.Duration) error
	// Orphans leases to owner at most max parcels of platform whose lease
	// expired, held by another owner (a host never takes over its own:
	// it is still answering them), received in the last fresh, oldest first, and
	// deletes the older ones (stale: how many): they get no late answer.
	Orphans(ctx context.Context, platform, owner string, lease, fresh time.Duration, max int) (taken []Parcel, stale int, err error)
}

// Replier is how an adapter answers a parcel: the Outbox of the message it
// names, and whether it was answered already (a replica that died between
// its answer and marking the parcel done).
type Replier interface {
	Outbox(where map[string]string) Outbox
	Answered(ctx context.Context, p Parcel) (bool, error)
}

// The inbox's timing: a lease lasts InboxLease and is renewed every
// inboxSweep, when the parcels of replicas that stopped renewing are looked
// for; DefaultFresh is how old a question may be and still get a late
// answer.
const (
	InboxLease   = 10 * time.Second
	inboxSweep   = 2 * time.Second
	DefaultFresh = 5 * time.Minute
)

// The results of a late answer, for Settings.OnLate.
const (
	LateAnswered = "answered" // answered by a replica other than the one that received it
	LateAlready  = "already"  // it had been answered before its replica died
	LateStale    = "stale"    // too old: dropped without an answer
)

// ErrStoreDegraded is what an Inbox says while its store is let alone for
// not answering in time: the question is answered without being kept.
var ErrStoreDegraded = errors.New("the store is not answering: answering without it")

// newOwner names this host in the inbox.
func newOwner() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// Ask answers a message the adapter read, the same way on every platform:
// if the conversation wants it and no replica has claimed it (Accept), it is
// kept in the inbox, then its answer is queued on the workers. where is what
// the adapter's Replier needs to answer it. Ask returns before the answer,
// and reports false only when the work was refused (overloaded, stopping):
// the event is then forgotten, here and in the inbox, and must not be
// acknowledged, so that the platform delivers it again.
func (h *Host) Ask(m Message, key string, where map[string]string) bool {
	if !m.Addressed && m.InThread && !Wants(m) {
		// A reply in a thread: for the bot if it answered there and the
		// author started it.
		if !h.Conv.Continues(context.Background(), m) {
			return true
		}
		m.Addressed = true
	}
	if !h.Accept(m, key) {
		return true
	}
	p := Parcel{Key: key, Platform: h.Platform, At: h.Clock.Now(), Message: m, Where: where}
	kept := h.keep(p, h.owner)
	if h.Go("reply", func(ctx context.Context) error { return h.answer(ctx, p, m, kept) }) {
		return true
	}
	if kept {
		h.done(p)
	}
	if !h.Redelivers && h.keep(p, "") {
		// Nothing will deliver it again: it waits in the inbox, leased to
		// nobody, for the first replica with room (this one included: it
		// forgets it has seen it; the claim across replicas stays).
		h.seen.Forget(key)
		return true
	}
	h.Forget(key)
	return false
}

// keep writes p in the inbox, its text masked, leased to owner ("": to
// nobody, for any replica to take), and reports whether it did. An inbox
// that fails is logged: the question is still answered, only not kept
// against a crash.
func (h *Host) keep(p Parcel, owner string) bool {
	if h.Inbox == nil || h.Replier == nil {
		return false
	}
	if p.Message.Held = h.Conv.Helpdesk.Current().Holds(p.Message.Text); p.Message.Held.Any() {
		p.Message.Text = intents.MaskSecrets(p.Message.Text)
	}
	ctx, cancel := context.WithTimeout(context.Background(), claimTimeout)
	defer cancel()
	lease := InboxLease
	if owner == "" {
		lease = 0
	}
	if err := h.Inbox.Keep(ctx, p, owner, lease); err != nil {
		if !errors.Is(err, ErrStoreDegraded) { // said once, when the store became so
			h.Log.Warn(h.Platform+": cannot keep a question in the inbox: answering it all the same", "err", Redacted(err))
		}
		return false
	}
	return true
}

// answer says the conversation's response to m and marks its parcel done,
// unless the work was cut short by a shutdown: another replica, or this one
// restarted, answers it then.
func (h *Host) answer(ctx context.Context, p Parcel, m Message, kept bool) error {
	err := h.Conv.Handle(ctx, m, h.Replier.Outbox(p.Where))
	if kept && ctx.Err() == nil {
		h.done(p)
	}
	return err
}

func (h *Host) done(p Parcel) {
	ctx, cancel := context.WithTimeout(context.Background(), claimTimeout)
	defer cancel()
	if err := h.Inbox.Done(ctx, p.Platform, p.Key); err != nil {
		h.Log.Warn(h.Platform+": cannot mark a question answered in the inbox", "err", Redacted(err))
	}
}

// sweep renews this host's leases and answers the parcels other replicas
// left, every inboxSweep until stop is closed.
func (h *Host) sweep(w *Workers, stop <-chan struct{}) {
	if h.Inbox == nil || h.Replier == nil {
		return
	}
	t := h.Clock.NewTicker(inboxSweep)
	defer t.Stop()
	for {
		h.sweepOnce(w)
		select {
		case <-stop:
			return
		case <-t.Chan():
		}
	}
}

// sweepOnce takes over no more orphans than the workers can accept, so
// that none it leased is refused (and left leased to it).
func (h *Host) sweepOnce(w *Workers) {
	ctx, cancel := context.WithTimeout(context.Background(), claimTimeout)
	defer cancel()
	if err := h.Inbox.Renew(ctx, h.owner, InboxLease); err != nil {
		h.Log.Warn(h.Platform+": cannot renew the inbox's leases", "err", Redacted(err))
		return
	}
	room := w.Room()
	if room <= 0 {
		return
	}
	taken, stale, err := h.Inbox.Orphans(ctx, h.Platform, h.owner, InboxLease, h.Fresh, room)
	if err != nil {
		h.Log.Warn(h.Platform+": cannot read the inbox", "err", Redacted(err))
		return
	}
	if stale > 0 {
		h.Log.Warn(h.Platform+": questions left unanswered by a replica were too old for a late answer", "count", stale, "fresh", h.Fresh)
		for range stale {
			h.late(LateStale)
		}
	}
	for _, p := range taken {
		h.Log.Info(h.Platform+": answering a question another replica left", "received", p.At)
		w.Go("late reply", func(ctx context.Context) error { return h.resume(ctx, p) })
	}
}

// resume answers a parcel taken over, unless it was answered already.
func (h *Host) resume(ctx context.Context, p Parcel) error {
	answered, err := h.Replier.Answered(ctx, p)
	if err != nil {
		h.Log.Warn(h.Platform+": cannot tell whether a question left by a replica was answered: answering it", "err", Redacted(err))
	}
	if answered {
		h.late(LateAlready)
		h.done(p)
		return nil
	}
	if !h.seen.First(p.Key) {
		return nil // this process has it in hand already
	}
	err = h.answer(ctx, p, p.Message, true)
	h.late(LateAnswered)
	return err
}

func (h *Host) late(result string) {
	if h.OnLate != nil {
		h.OnLate(result)
	}
}
