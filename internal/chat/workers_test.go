package chat

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestWorkersBoundDrainAndRecover(t *testing.T) {
	w := NewWorkers("test", slog.New(slog.NewTextHandler(io.Discard, nil)), 2, 3)
	release := make(chan struct{})
	var ran atomic.Int32
	block := func(ctx context.Context) error {
		<-release
		ran.Add(1)
		return nil
	}
	for i := range 3 {
		if !w.Go("block", block) {
			t.Fatalf("work %d refused; want 3 accepted", i+1)
		}
	}
	if w.Go("one too many", block) {
		t.Error("a fourth pending event was accepted; want it dropped")
	}
	close(release)
	if !w.Go("panics", func(context.Context) error { panic("boom") }) {
		// The three may not have finished yet: the panic only needs a slot.
		time.Sleep(50 * time.Millisecond)
		w.Go("panics", func(context.Context) error { panic("boom") })
	}
	if !w.Drain(5 * time.Second) {
		t.Fatal("Drain did not finish within its grace")
	}
	if ran.Load() != 3 {
		t.Errorf("%d works ran; want 3", ran.Load())
	}
	if w.Go("after drain", block) {
		t.Error("work accepted after Drain")
	}
	if w.Context().Err() == nil {
		t.Error("the work context is not cancelled after Drain")
	}
}

// Work still running at the end of the grace period is cancelled.
func TestWorkersDrainCancelsLateWork(t *testing.T) {
	w := NewWorkers("test", slog.New(slog.NewTextHandler(io.Discard, nil)), 1, 10)
	cancelled := make(chan struct{})
	w.Go("slow", func(ctx context.Context) error {
		<-ctx.Done()
		close(cancelled)
		return ctx.Err()
	})
	if w.Drain(20 * time.Millisecond) {
		t.Error("Drain reported the slow work finished")
	}
	select {
	case <-cancelled:
	case <-time.After(2 * time.Second):
		t.Fatal("the slow work was not cancelled")
	}
}

// A failed call never logs the capability URL it was made to.
func TestWorkersLogNoCapabilityURL(t *testing.T) {
	var logs strings.Builder
	w := NewWorkers("test", slog.New(slog.NewTextHandler(&logs, nil)), 1, 1)
	w.Go("response", func(context.Context) error {
		return &url.Error{Op: "Post", URL: "https://hooks.slack.com/actions/T1/123/SECRETTOKEN", Err: errors.New("connection refused")}
	})
	w.Drain(time.Second)
	if strings.Contains(logs.String(), "SECRETTOKEN") || !strings.Contains(logs.String(), "connection refused") {
		t.Errorf("log: %s", logs.String())
	}
	if got := Redacted(errors.New(`Post "https://discord.com/api/v9/interactions/1/tok-en/callback": EOF`)); strings.Contains(got, "tok-en") {
		t.Errorf("Redacted = %q", got)
	}
}
