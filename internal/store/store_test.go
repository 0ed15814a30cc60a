package store

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/acad-lyon/helpdesk-bot/intents"
	"github.com/acad-lyon/helpdesk-bot/internal/chat"
	"github.com/acad-lyon/helpdesk-bot/internal/store/storetest"
)

// backends runs f on SQLite, and on PostgreSQL when TEST_DATABASE_URL names
// a server (.ci/run starts one), each time on a new empty database.
func backends(t *testing.T, f func(t *testing.T, dsn string)) {
	t.Run("sqlite", func(t *testing.T) { f(t, filepath.Join(t.TempDir(), "helpdesk.db")) })
	t.Run("postgres", func(t *testing.T) { f(t, storetest.Postgres(t)) })
}

func open(t *testing.T, dsn string, now *time.Time) *Store {
	t.Helper()
	s, err := Open(context.Background(), dsn, Options{Now: func() time.Time { return *now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestRecordAndRead(t *testing.T) {
	backends(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		now := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
		s := open(t, dsn, &now)
		for i, v := range []chat.Vote{
			{Platform: "slack", Entry: "imap-settings", Lang: "fr", Helpful: true, User: "U1", At: now},
			{Platform: "slack", Entry: "imap-settings", Lang: "fr", Helpful: false, User: "U2", At: now},
			{Platform: "discord", Entry: "imap-settings", Lang: "en", Helpful: false, User: "123", At: now},
			{Platform: "slack", Entry: "password-reset", Lang: "fr", Helpful: true, User: "U1", At: now},
		} {
			if err := s.RecordVote(ctx, v); err != nil {
				t.Fatalf("vote %d: %v", i, err)
			}
		}
		q := chat.Unanswered{Platform: "slack", User: "U1", Question: "la cantine est fermée ?", Lang: "fr", Outcome: intents.Fallback, Confidence: 0.12, At: now}
		if err := s.RecordUnanswered(ctx, q); err != nil {
			t.Fatal(err)
		}
		long := q
		long.Question = strings.Repeat("é", 600) // 1200 bytes
		if err := s.RecordUnanswered(ctx, long); err != nil {
			t.Fatal(err)
		}
		tallies, err := s.Votes(ctx, now.Add(-time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		want := []Tally{{"imap-settings", 1, 2}, {"password-reset", 1, 0}}
		if fmt.Sprint(tallies) != fmt.Sprint(want) {
			t.Errorf("Votes = %v; want %v", tallies, want)
		}
		qs, err := s.Questions(ctx, now.Add(-time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if len(qs) != 2 || qs[0].Text != q.Question || qs[0].Outcome != intents.Fallback || !qs[0].At.Equal(now) {
			t.Errorf("Questions = %+v; want the question back", qs)
		}
		if len(qs[1].Text) > chat.MaxStoredQuestion || !strings.HasPrefix(qs[1].Text, "éé") {
			t.Errorf("a long question is stored as %d bytes; want at most %d, valid UTF-8", len(qs[1].Text), chat.MaxStoredQuestion)
		}
		// No user id in clear anywhere.
		var clear int
		if err := s.db.QueryRow(`SELECT COUNT(*) FROM votes WHERE user_hash IN ('U1', 'U2', '123')`).Scan(&clear); err != nil || clear != 0 {
			t.Errorf("%d votes store a user id in clear (%v)", clear, err)
		}
		if h := s.UserHash("slack", "U1"); h == s.UserHash("discord", "U1") || len(h) != 32 {
			t.Errorf("UserHash = %q; want 32 hex characters, different per platform", h)
		}
	})
}

func TestRetentionPurgesExactlyWhatIsOlder(t *testing.T) {
	backends(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		now := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
		s := open(t, dsn, &now)
		limit := now.Add(-90 * 24 * time.Hour)
		for _, at := range []time.Time{limit.Add(-24 * time.Hour), limit.Add(-time.Second), limit, limit.Add(time.Second), now} {
			s.RecordVote(ctx, chat.Vote{Platform: "slack", Entry: "imap-settings", Lang: "fr", Helpful: true, User: "U1", At: at})
			s.RecordUnanswered(ctx, chat.Unanswered{Platform: "slack", User: "U1", Question: "q", Lang: "fr", Outcome: intents.Fallback, At: at})
		}
		n, err := s.Purge(ctx, limit)
		if err != nil {
			t.Fatal(err)
		}
		if n != 4 {
			t.Errorf("Purge removed %d rows; want 4 (2 votes and 2 questions older than the limit)", n)
		}
		votes, questions, _ := s.Counts(ctx)
		if votes != 3 || questions != 3 {
			t.Errorf("after the purge %d votes and %d questions; want 3 and 3 (at the limit and after)", votes, questions)
		}
	})
}

func TestEraseUser(t *testing.T) {
	backends(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		now := time.Now()
		s := open(t, dsn, &now)
		for _, u := range []string{"U1", "U2", "U1"} {
			s.RecordVote(ctx, chat.Vote{Platform: "slack", Entry: "imap-settings", Lang: "fr", Helpful: true, User: u})
			s.RecordUnanswered(ctx, chat.Unanswered{Platform: "slack", User: u, Question: "q", Lang: "fr", Outcome: intents.Suggested})
		}
		s.RecordVote(ctx, chat.Vote{Platform: "discord", Entry: "imap-settings", Lang: "fr", Helpful: true, User: "U1"})
		n, err := s.EraseUser(ctx, "slack", "U1")
		if err != nil || n != 4 {
			t.Errorf("EraseUser(slack, U1) = %d, %v; want 4", n, err)
		}
		votes, questions, _ := s.Counts(ctx)
		if votes != 2 || questions != 1 {
			t.Errorf("left %d votes, %d questions; want 2 (U2, and U1 on Discord) and 1", votes, questions)
		}
	})
}

func TestMigrationsOnceAndKeyKept(t *testing.T) {
	backends(t, func(t *testing.T, dsn string) {
		now := time.Now()
		a := open(t, dsn, &now)
		b := open(t, dsn, &now) // a second replica, or a restart
		if a.UserHash("slack", "U1") != b.UserHash("slack", "U1") {
			t.Error("the hash key changed between two openings: erasure by user would miss rows")
		}
		var n int
		if err := b.db.QueryRow(`SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil || n != len(migrations) {
			t.Errorf("%d migrations recorded (%v); want %d", n, err, len(migrations))
		}
		b.db.Exec(`INSERT INTO schema_migrations (version, applied_at) VALUES (99, 0)`)
		if _, err := Open(context.Background(), dsn, Options{}); err == nil || !strings.Contains(err.Error(), "newer") {
			t.Errorf("Open on a newer schema = %v; want a clear refusal", err)
		}
	})
}

func TestIsPostgres(t *testing.T) {
	for dsn, want := range map[string]bool{"postgres://u@h/db": true, "postgresql://h/db": true, "data/helpdesk.db": false, "": false} {
		if got := IsPostgres(dsn); got != want {
			t.Errorf("IsPostgres(%q) = %v; want %v", dsn, got, want)
		}
	}
}

// Two processes on one database claim the same key: one wins, until the
// claim expires or is released; 40 racing claims of one key, one winner.
func TestClaimOnceAcrossReplicas(t *testing.T) {
	backends(t, func(t *testing.T, dsn string) {
		now := time.Now()
		a, b := open(t, dsn, &now), open(t, dsn, &now)
		ctx := context.Background()
		claim := func(s *Store, key string) bool {
			t.Helper()
			ok, err := s.Claim(ctx, key, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}
		if !claim(a, "slack:event:Ev1") || claim(b, "slack:event:Ev1") || claim(a, "slack:event:Ev1") {
			t.Error("a claim was won twice, or not at all")
		}
		if !claim(b, "slack:event:Ev2") {
			t.Error("another key could not be claimed")
		}
		now = now.Add(2 * time.Minute) // the claims expire
		if !claim(b, "slack:event:Ev1") {
			t.Error("an expired claim could not be taken over")
		}
		if err := b.Release(ctx, "slack:event:Ev1"); err != nil || !claim(a, "slack:event:Ev1") {
			t.Errorf("a released claim could not be claimed again (%v)", err)
		}
		var won atomic.Int32
		var wg sync.WaitGroup
		for i := range 40 {
			s := a
			if i%2 == 1 {
				s = b
			}
			wg.Go(func() {
				if ok, err := s.Claim(ctx, "discord:message:42", time.Minute); err == nil && ok {
					won.Add(1)
				}
			})
		}
		wg.Wait()
		if won.Load() != 1 {
			t.Errorf("%d of 40 racing claims won; want 1", won.Load())
		}
		var keys []string
		rows, _ := a.db.Query(`SELECT key FROM claims`)
		for rows.Next() {
			var k string
			rows.Scan(&k)
			keys = append(keys, k)
		}
		rows.Close()
		if strings.Contains(strings.Join(keys, " "), "slack") {
			t.Error("claims are kept in clear; want a keyed hash")
		}
	})
}
