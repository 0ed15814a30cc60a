package chat_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/acad-lyon/helpdesk-bot/intents"
	"github.com/acad-lyon/helpdesk-bot/internal/chat"
	"github.com/acad-lyon/helpdesk-bot/internal/chat/chattest"
	"github.com/acad-lyon/helpdesk-bot/internal/store"
)

// said records what an outbox says, by the message it answers.
type said struct {
	mu       sync.Mutex
	replies  map[string]int
	private  map[string]string
	answered map[string]bool // what Answered reports
	gate     chan struct{}   // when set, a reply waits for it
	c        chan string
}

func newSaid() *said {
	return &said{replies: map[string]int{}, private: map[string]string{}, answered: map[string]bool{}, c: make(chan string, 100)}
}

func (s *said) Outbox(w map[string]string) chat.Outbox { return saidBox{s, w["id"]} }

func (s *said) Answered(_ context.Context, p chat.Parcel) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.answered[p.Where["id"]], nil
}

type saidBox struct {
	s  *said
	id string
}

func (b saidBox) Private(_ context.Context, md string) error {
	b.s.mu.Lock()
	b.s.private[b.id] = md
	b.s.mu.Unlock()
	b.s.c <- b.id
	return nil
}

func (b saidBox) Public(context.Context, string) error { return nil }

func (b saidBox) Reply(context.Context, intents.Reply) error {
	if b.s.gate != nil {
		<-b.s.gate
	}
	b.s.mu.Lock()
	b.s.replies[b.id]++
	b.s.mu.Unlock()
	b.s.c <- b.id
	return nil
}

func (s *said) wait(t *testing.T, clock *clockwork.FakeClock) string {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case id := <-s.c:
			return id
		case <-deadline:
			t.Fatal("nothing said")
		case <-time.After(5 * time.Millisecond):
			clock.Advance(500 * time.Millisecond) // the sweeps' ticker
		}
	}
}

// keeping wraps the store's inbox and records what it keeps.
type keeping struct {
	*store.Store
	mu    sync.Mutex
	kept  []chat.Parcel
	dones int
}

func (k *keeping) Done(ctx context.Context, platform, key string) error {
	err := k.Store.Done(ctx, platform, key)
	k.mu.Lock()
	k.dones++ // once done: the test reads the store next
	k.mu.Unlock()
	return err
}

func (k *keeping) done() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.dones
}

func (k *keeping) Keep(ctx context.Context, p chat.Parcel, owner string, lease time.Duration) error {
	k.mu.Lock()
	k.kept = append(k.kept, p)
	k.mu.Unlock()
	return k.Store.Keep(ctx, p, owner, lease)
}

func inboxHost(t *testing.T, st chat.Inbox, clock *clockwork.FakeClock, replier chat.Replier, late func(string)) *chat.Host {
	t.Helper()
	s := chat.Settings{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Clock: clock, Inbox: st, OnLate: late, Flood: chat.NewFlood(chat.FloodLimits{})}
	h := chat.NewHost("test", s, chat.Fixed(chattest.Shipped(t)))
	h.Replier = replier
	stop := h.Start()
	t.Cleanup(stop)
	return h
}

func openStore(t *testing.T, clock clockwork.Clock) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "helpdesk.db"), store.Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// A question is kept in the inbox before Ask returns (before the platform
// is told it arrived), its secrets masked, and is gone once answered.
func TestAskKeepsUntilAnswered(t *testing.T) {
	clock := clockwork.NewFakeClock()
	st := &keeping{Store: openStore(t, clock)}
	out := newSaid()
	out.gate = make(chan struct{})
	h := inboxHost(t, st, clock, out, nil)
	m := chat.Message{User: "U1", Channel: "C1", Text: "quel port imap pour mon téléphone", Addressed: true}
	if !h.Ask(m, "message:1", map[string]string{"id": "1"}) {
		t.Fatal("Ask refused a question")
	}
	secret := chat.Message{User: "U1", Channel: "C1", Text: "mon mot de passe est Tournesol42 et il ne marche pas", Addressed: true}
	h.Ask(secret, "message:2", map[string]string{"id": "2"})
	st.mu.Lock()
	if len(st.kept) != 2 {
		t.Fatalf("%d parcels kept before Ask returned; want 2", len(st.kept))
	}
	st.mu.Unlock()
	ctx0 := context.Background()
	clock.Advance(chat.InboxLease + time.Second) // the sweeps renew the leases meanwhile
	time.Sleep(200 * time.Millisecond)           // what a sweep takes on a busy machine, under the race detector
	if left, _, _ := st.Orphans(ctx0, "test", "other", chat.InboxLease, time.Hour, 10); len(left) != 0 {
		t.Errorf("another replica took %d questions this one is answering", len(left))
	}
	ctx := context.Background()
	var kept *chat.Parcel
	for i, p := range st.kept {
		if p.Key == "message:2" {
			kept = &st.kept[i]
		}
	}
	if kept == nil || strings.Contains(kept.Message.Text, "Tournesol42") || !kept.Message.Held.Password {
		t.Fatalf("the secret question kept as %+v; want it masked, Held.Password set", kept)
	}
	// Answered from its masked text, it still gets the secret warning.
	r, err := chattest.Shipped(t).Answer(ctx, intents.Question{Text: kept.Message.Text, Held: kept.Message.Held})
	if err != nil || r.Outcome != intents.Secret {
		t.Errorf("the kept secret question answered %q; want the secret warning", r.Outcome)
	}
	eventually(t, func() bool { return st.done() == 1 }) // the secret one: warned at once, in private
	time.Sleep(20 * time.Millisecond)
	if st.done() != 1 {
		t.Fatal("a parcel was marked done before its answer")
	}
	close(out.gate)
	id := out.wait(t, clock)
	if id2 := out.wait(t, clock); id+id2 != "12" && id+id2 != "21" {
		t.Errorf("said to %s and %s; want both questions", id, id2)
	}
	eventually(t, func() bool { return st.done() == 2 })
	// Answered: nothing is left for another replica.
	clock.Advance(time.Minute)
	if left, _, _ := st.Orphans(ctx, "test", "other", chat.InboxLease, time.Hour, 10); len(left) != 0 {
		t.Errorf("%d parcels left after the answers; want none: %+v (dones %d)", len(left), left, st.done())
	}
}

func eventually(t *testing.T, ok func() bool) {
	t.Helper()
	for range 1000 {
		if ok() {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("timed out")
}

// A replica answers what another left, once, unless it had been answered
// or is too old.
func TestSweepAnswersWhatOthersLeft(t *testing.T) {
	clock := clockwork.NewFakeClock()
	st := openStore(t, clock)
	ctx := context.Background()
	now := clock.Now()
	left := func(id string, at time.Time) {
		p := chat.Parcel{Key: "message:" + id, Platform: "test", At: at, Where: map[string]string{"id": id},
			Message: chat.Message{User: "U1", Channel: "C" + id, Text: "certificat invalide sur mon téléphone", Addressed: true}}
		if err := st.Keep(ctx, p, "dead", chat.InboxLease); err != nil {
			t.Fatal(err)
		}
	}
	left("fresh", now)
	left("done-before", now)
	left("old", now.Add(-chat.DefaultFresh-time.Minute))
	out := newSaid()
	out.answered["done-before"] = true
	var mu sync.Mutex
	late := map[string]int{}
	inboxHost(t, st, clock, out, func(r string) { mu.Lock(); late[r]++; mu.Unlock() })
	if id := out.wait(t, clock); id != "fresh" {
		t.Fatalf("answered %q; want the fresh question", id)
	}
	for range 20 { // more sweeps: nothing more is said
		clock.Advance(time.Second)
		time.Sleep(2 * time.Millisecond)
	}
	select {
	case id := <-out.c:
		t.Errorf("also said something to %q", id)
	default:
	}
	mu.Lock()
	defer mu.Unlock()
	if late[chat.LateAnswered] != 1 || late[chat.LateAlready] != 1 || late[chat.LateStale] != 1 {
		t.Errorf("late answers %v; want one answered, one already answered, one stale", late)
	}
	out.mu.Lock()
	defer out.mu.Unlock()
	if out.replies["fresh"] != 1 {
		t.Errorf("the fresh question answered %d times; want once", out.replies["fresh"])
	}
}

// Replicas sharing the flood limits limit a person once, not once each.
func TestFloodSharedAcrossReplicas(t *testing.T) {
	clock := clockwork.NewFakeClock()
	st := openStore(t, clock)
	a, b := chat.NewFlood(chat.DefaultFloodLimits), chat.NewFlood(chat.DefaultFloodLimits)
	a.Shared, b.Shared = st, st
	var got []chat.Verdict
	for i := range 8 {
		f := a
		if i%2 == 1 {
			f = b
		}
		got = append(got, f.Check("U1", "C1"))
	}
	want := []chat.Verdict{chat.Answer, chat.Answer, chat.Answer, chat.Answer, chat.Answer, chat.NoticeUser, chat.Silence, chat.Silence}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("verdicts across two replicas %v; want %v (a burst of 5, one notice, then silence)", got, want)
		}
	}
}

// On a platform that does not deliver again (Discord), a question the
// workers refuse waits in the inbox and is answered once there is room.
func TestRefusedWaitsInTheInbox(t *testing.T) {
	clock := clockwork.NewFakeClock()
	st := openStore(t, clock)
	out := newSaid()
	out.gate = make(chan struct{})
	s := chat.Settings{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Clock: clock, Inbox: st, Flood: chat.NewFlood(chat.FloodLimits{}), Workers: 1, MaxPending: 1}
	h := chat.NewHost("test", s, chat.Fixed(chattest.Shipped(t)))
	h.Replier = out
	stop := h.Start()
	defer stop()
	for _, id := range []string{"1", "2"} {
		m := chat.Message{User: "U1", Channel: "C1", Text: "quel port imap pour mon téléphone", Addressed: true}
		if !h.Ask(m, "message:"+id, map[string]string{"id": id}) {
			t.Fatalf("question %s refused and not kept", id)
		}
	}
	close(out.gate)
	got := map[string]bool{out.wait(t, clock): true, out.wait(t, clock): true}
	if !got["1"] || !got["2"] {
		t.Errorf("answered %v; want both questions", got)
	}
}
