package store

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/acad-lyon/helpdesk-bot/internal/chat"
)

func parcel(key string, at time.Time) chat.Parcel {
	return chat.Parcel{Key: key, Platform: "slack", At: at, Message: chat.Message{User: "U1", Channel: "C1", Text: "port imap ?", Addressed: true},
		Where: map[string]string{"channel": "C1", "ts": key}}
}

func keys(ps []chat.Parcel) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Key)
	}
	slices.Sort(out)
	return out
}

// A parcel is leased to the replica that received it while it renews its
// lease; once the lease expires another replica takes it over, once, if it
// is still fresh; older ones are dropped without a late answer.
func TestInboxLeasesAndOrphans(t *testing.T) {
	backends(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		now := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
		a, b := open(t, dsn, &now), open(t, dsn, &now)
		if dsn[0] == '/' { // one SQLite file: the same database, as after a restart
			b = a
		}
		lease, fresh := 10*time.Second, 5*time.Minute
		for _, k := range []string{"m1", "m2", "m3"} {
			if err := a.Keep(ctx, parcel(k, now), "A", lease); err != nil {
				t.Fatal(err)
			}
		}
		if err := a.Keep(ctx, parcel("m1", now), "A", lease); err != nil {
			t.Fatalf("keeping a parcel twice: %v", err)
		}
		if err := a.Done(ctx, "slack", "m2"); err != nil {
			t.Fatal(err)
		}
		if got, _, _ := b.Orphans(ctx, "slack", "B", lease, fresh, 100); len(got) != 0 {
			t.Fatalf("B took %v while A's lease runs", keys(got))
		}
		now = now.Add(8 * time.Second)
		if err := a.Renew(ctx, "A", lease); err != nil {
			t.Fatal(err)
		}
		now = now.Add(8 * time.Second) // 16 s after keeping, 8 s after renewing
		if got, _, _ := b.Orphans(ctx, "slack", "B", lease, fresh, 100); len(got) != 0 {
			t.Fatalf("B took %v while A renews its lease", keys(got))
		}
		now = now.Add(3 * time.Second) // A stopped renewing: its lease expired
		got, stale, err := b.Orphans(ctx, "slack", "B", lease, fresh, 100)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(keys(got), []string{"m1", "m3"}) || stale != 0 {
			t.Fatalf("B took %v (stale %d); want [m1 m3], none stale", keys(got), stale)
		}
		if got[0].Message.Text != "port imap ?" || got[0].Where["channel"] != "C1" || !got[0].At.Equal(now.Add(-19*time.Second)) {
			t.Errorf("parcel read back as %+v", got[0])
		}
		if again, _, _ := a.Orphans(ctx, "slack", "A2", lease, fresh, 100); len(again) != 0 {
			t.Errorf("a parcel taken over twice: %v", keys(again))
		}
		if other, _, _ := a.Orphans(ctx, "discord", "A2", 0, fresh, 100); len(other) != 0 {
			t.Errorf("another platform's replica took %v", keys(other))
		}
		// Too old for a late answer: dropped.
		if err := a.Keep(ctx, parcel("old", now.Add(-6*time.Minute)), "A", lease); err != nil {
			t.Fatal(err)
		}
		now = now.Add(11 * time.Second)
		got, stale, _ = b.Orphans(ctx, "slack", "C", lease, fresh, 1)
		if len(got) != 1 || stale != 1 {
			t.Errorf("took %v with max 1, %d stale; want one parcel (B's, expired) and the old one stale", keys(got), stale)
		}
	})
}

// Two replicas sweeping at the same moment never take the same parcel.
func TestInboxOrphansTakenOnce(t *testing.T) {
	backends(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		now := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
		keeper := open(t, dsn, &now)
		for i := range 200 {
			if err := keeper.Keep(ctx, parcel(string(rune('a'+i%26))+time.Duration(i).String(), now), "dead", time.Second); err != nil {
				t.Fatal(err)
			}
		}
		later := now.Add(2 * time.Second)
		var mu sync.Mutex
		seen := map[string]int{}
		var wg sync.WaitGroup
		for r := range 4 {
			st := open(t, dsn, &later)
			wg.Go(func() {
				for range 10 {
					got, _, err := st.Orphans(ctx, "slack", string(rune('A'+r)), time.Minute, time.Hour, 30)
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					for _, p := range got {
						seen[p.Key]++
					}
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if len(seen) != 200 {
			t.Errorf("%d parcels taken over; want 200", len(seen))
		}
		for k, n := range seen {
			if n != 1 {
				t.Errorf("parcel %s taken over %d times", k, n)
			}
		}
	})
}

// The shared flood limits count like x/time/rate's token bucket: a burst,
// then one per interval; two replicas share them.
func TestAllowSharedRates(t *testing.T) {
	backends(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		now := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
		a, b := open(t, dsn, &now), open(t, dsn, &now)
		every := 6 * time.Second // 10 a minute
		var got []bool
		for i := range 7 {
			st := a
			if i%2 == 1 {
				st = b
			}
			ok, err := st.Allow(ctx, "user:U1", every, 5)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, ok)
		}
		if want := []bool{true, true, true, true, true, false, false}; !slices.Equal(got, want) {
			t.Errorf("a burst across two replicas: %v; want %v", got, want)
		}
		if ok, _ := a.Allow(ctx, "user:U2", every, 5); !ok {
			t.Error("another person is limited too")
		}
		now = now.Add(every)
		if ok, _ := b.Allow(ctx, "user:U1", every, 5); !ok {
			t.Error("one interval later, the next question is refused")
		}
		if ok, _ := a.Allow(ctx, "user:U1", every, 5); ok {
			t.Error("two questions allowed in one interval after the burst")
		}
	})
}

// One replica at a time holds a lock; when it releases it, or dies (its
// connection closes), a waiting one gets it.
func TestLockOneHolder(t *testing.T) {
	backends(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		now := time.Now()
		a := open(t, dsn, &now)
		b := a
		if dsn[0] != '/' {
			b = open(t, dsn, &now)
		}
		_, release, err := a.Lock(ctx, "discord:gateway", func() { t.Error("the first to ask waited") })
		if err != nil {
			t.Fatal(err)
		}
		waited := make(chan struct{})
		held := make(chan func(), 1)
		go func() {
			_, r, err := b.Lock(ctx, "discord:gateway", func() { close(waited) })
			if err == nil {
				held <- r
			}
		}()
		select {
		case <-waited:
		case <-time.After(10 * time.Second):
			t.Fatal("the second replica did not wait")
		}
		if _, r, err := b.Lock(ctx, "another", func() { t.Error("waited for another lock") }); err != nil {
			t.Fatal(err)
		} else {
			r()
		}
		release()
		select {
		case r := <-held:
			r()
		case <-time.After(10 * time.Second):
			t.Fatal("the lock was not handed over after its release")
		}
		if dsn[0] == '/' {
			return
		}
		// The holder's session ends (the server restarted, the network
		// failed) while it lives: it takes the lock again, unless the
		// waiting replica took it first, and then it is told it lost it.
		// Never both. (A holder that dies, by kill -9, is
		// TestFailoverDiscordGatewayTakeover's.)
		c := open(t, dsn, &now)
		lost, _, err := c.Lock(ctx, "discord:gateway", func() {})
		if err != nil {
			t.Fatal(err)
		}
		bctx, stopB := context.WithCancel(ctx)
		defer stopB()
		go func() {
			_, r, err := b.Lock(bctx, "discord:gateway", func() {})
			if err == nil {
				held <- r
			}
		}()
		time.Sleep(100 * time.Millisecond)
		if _, err := a.db.ExecContext(ctx, `SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted`); err != nil {
			t.Fatal(err)
		}
		time.Sleep(3 * lockCheck)
		granted := func() (n int) {
			a.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND granted`).Scan(&n)
			return n
		}
		select {
		case r := <-held:
			select {
			case <-lost:
			default:
				t.Error("the waiting replica took the lock and the former holder was not told it lost it")
			}
			r()
		default:
			select {
			case <-lost:
				t.Error("the holder was told it lost the lock, and nobody else holds it")
			default:
			}
			if n := granted(); n != 1 {
				t.Errorf("%d sessions hold the lock after the holder's session ended; want 1 (the holder, again)", n)
			}
		}
	})
}

// The console's sessions are in the store, found by every replica until
// they expire; their tokens are not stored.
func TestSessionsShared(t *testing.T) {
	backends(t, func(t *testing.T, dsn string) {
		now := time.Now()
		a, b := open(t, dsn, &now), open(t, dsn, &now)
		if err := a.Sessions().Commit("tok-1", []byte("who=agent"), now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if got, ok, err := b.Sessions().Find("tok-1"); err != nil || !ok || string(got) != "who=agent" {
			t.Errorf("another replica finds %q %v %v", got, ok, err)
		}
		var n int
		a.db.QueryRow(`SELECT COUNT(*) FROM sessions WHERE token = 'tok-1'`).Scan(&n)
		if n != 0 {
			t.Error("a session's token is stored as it is")
		}
		a.Sessions().Commit("tok-1", []byte("who=other"), now.Add(time.Hour))
		if got, _, _ := b.Sessions().Find("tok-1"); string(got) != "who=other" {
			t.Errorf("after a second commit: %q", got)
		}
		now = now.Add(2 * time.Hour)
		if _, ok, _ := b.Sessions().Find("tok-1"); ok {
			t.Error("an expired session is found")
		}
		a.Sessions().Commit("tok-2", []byte("x"), now.Add(time.Hour))
		b.Sessions().Delete("tok-2")
		if _, ok, _ := a.Sessions().Find("tok-2"); ok {
			t.Error("a deleted session is found")
		}
	})
}
