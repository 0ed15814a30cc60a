package store

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/acad-lyon/helpdesk-bot/internal/chat"
)

func countThreads(t *testing.T, s *Store) int {
	t.Helper()
	var n int
	if err := s.db.QueryRow(`SELECT COUNT(*) FROM threads`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A conversation's memory is kept by a keyed hash of its ids, read back by
// any replica, tells who started it, and is gone after its idle time, on
// `bot purge --user` and at the retention limit.
func TestThreadsMemory(t *testing.T) {
	backends(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		now := time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)
		s := open(t, dsn, &now)
		other := open(t, dsn, &now) // a second replica on the same database
		mem := chat.Memory{Answered: []string{"login-page-loop"}, Offered: []string{"browser-extensions"}, NotSolved: 1, Lang: "fr"}
		if err := s.Remember(ctx, "slack:C1:1700000000.000100", "U1", mem, 30*time.Minute); err != nil {
			t.Fatal(err)
		}
		got, ok, err := other.Recall(ctx, "slack:C1:1700000000.000100", "U1")
		if err != nil || !ok {
			t.Fatalf("Recall on the other replica = %v, %v", ok, err)
		}
		if !got.Starter || got.NotSolved != 1 || got.Lang != "fr" || got.Answered[0] != "login-page-loop" || got.Offered[0] != "browser-extensions" {
			t.Errorf("Recall = %+v", got)
		}
		if got, _, _ := other.Recall(ctx, "slack:C1:1700000000.000100", "U2"); got.Starter {
			t.Error("U2 is taken for the person who started the conversation")
		}
		// A follow-up by someone else keeps who started it.
		if err := other.Remember(ctx, "slack:C1:1700000000.000100", "U2", mem, 30*time.Minute); err != nil {
			t.Fatal(err)
		}
		if got, _, _ := s.Recall(ctx, "slack:C1:1700000000.000100", "U1"); !got.Starter {
			t.Error("a reply by U2 made U2 the starter")
		}
		var key, memory string
		if err := s.db.QueryRow(`SELECT key, memory FROM threads`).Scan(&key, &memory); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(key, "C1") || strings.Contains(key, "1700000000") || strings.Contains(memory, "U1") {
			t.Errorf("the platform's ids are stored in clear: key %q, memory %q", key, memory)
		}

		// Idle time: not recalled after it, and deleted by the next write.
		now = now.Add(31 * time.Minute)
		if _, ok, _ := s.Recall(ctx, "slack:C1:1700000000.000100", "U1"); ok {
			t.Error("a conversation idle for 31 minutes is still recalled")
		}
		if err := s.Remember(ctx, "slack:C2:1", "U3", mem, 30*time.Minute); err != nil {
			t.Fatal(err)
		}
		if n := countThreads(t, s); n != 1 {
			t.Errorf("%d conversations kept after the idle time, want 1 (the new one)", n)
		}
		// A conversation past its idle time is a new one: its ids again,
		// by someone else, make them its starter.
		now = now.Add(31 * time.Minute)
		if err := s.Remember(ctx, "slack:C2:1", "U4", mem, 30*time.Minute); err != nil {
			t.Fatal(err)
		}
		if got, _, _ := s.Recall(ctx, "slack:C2:1", "U4"); !got.Starter {
			t.Error("after the idle time, the conversation's old starter is kept")
		}
		now = now.Add(31 * time.Minute) // and U3 starts it again
		if err := s.Remember(ctx, "slack:C2:1", "U3", mem, 30*time.Minute); err != nil {
			t.Fatal(err)
		}

		// purge --user erases the conversations a person started.
		if err := s.Remember(ctx, "discord:42", "777", mem, 30*time.Minute); err != nil {
			t.Fatal(err)
		}
		if _, err := s.EraseUser(ctx, "slack", "U3"); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := s.Recall(ctx, "slack:C2:1", "U3"); ok {
			t.Error("purge --user slack:U3 left their conversation")
		}
		if _, ok, _ := s.Recall(ctx, "discord:42", "777"); !ok {
			t.Error("purge --user slack:U3 erased someone else's conversation")
		}

		// The retention limit: the daily purge erases older rows, and
		// expired ones whatever their age.
		if err := s.Remember(ctx, "discord:43", "778", mem, 365*24*time.Hour); err != nil {
			t.Fatal(err)
		}
		now = now.Add(24 * time.Hour)
		if _, err := s.Purge(ctx, now.Add(-time.Hour)); err != nil {
			t.Fatal(err)
		}
		if n := countThreads(t, s); n != 0 {
			t.Errorf("%d conversations left by the purge, want 0", n)
		}
	})
}
