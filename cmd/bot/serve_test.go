package main

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/acad-lyon/helpdesk-bot/internal/store"
)

// Replicas sharing a database purge it one at a time: the first to claim
// the day's purge does it, the others leave it.
func TestRetentionOneReplicaADay(t *testing.T) {
	dsn := filepath.Join(t.TempDir(), "helpdesk.db")
	var replicas []*store.Store
	for range 2 {
		st, err := store.Open(context.Background(), dsn, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		replicas = append(replicas, st)
	}
	log := slog.New(slog.DiscardHandler)
	if !purgeOnce(context.Background(), replicas[0], 90*24*time.Hour, log) {
		t.Error("the first replica did not purge")
	}
	if purgeOnce(context.Background(), replicas[1], 90*24*time.Hour, log) {
		t.Error("the second replica purged too, the same day")
	}
}
