package slack

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/acad-lyon/helpdesk-bot/internal/chat"
	"github.com/acad-lyon/helpdesk-bot/internal/chat/chattest"
	"github.com/acad-lyon/helpdesk-bot/internal/platformtest"
)

func quiet() chat.Settings {
	return chat.Settings{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

// A refused bot token stops Run at once with an error that says so, not a
// retry loop an operator would never see.
func TestRunTokenRefused(t *testing.T) {
	fake := platformtest.NewSlack(t)
	a, err := New(Config{BotToken: "xoxb-wrong", SigningSecret: "s", APIURL: fake.APIURL(), Settings: quiet()}, chat.Fixed(chattest.Shipped(t)))
	if err != nil {
		t.Fatal(err)
	}
	platformtest.WantRefused(t, a.Run)
}

// While Slack is unreachable the adapter asks again, waiting 1 s, then 2 s,
// on its clock: the test moves the clock, nothing waits in real time.
func TestRunRetriesOnItsClock(t *testing.T) {
	fake := platformtest.NewSlack(t)
	target, _ := url.Parse(fake.Srv.URL)
	var calls atomic.Int32
	proxy := httputil.NewSingleHostReverseProxy(target)
	flaky := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) <= 2 {
			http.Error(w, "down", http.StatusBadGateway)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	defer flaky.Close()
	clock := clockwork.NewFakeClockAt(time.Now())
	s := quiet()
	s.Clock = clock
	a, err := New(Config{BotToken: fake.BotToken, SigningSecret: "s", APIURL: flaky.URL + "/api/", Settings: s}, chat.Fixed(chattest.Shipped(t)))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	wait, werr := context.WithTimeout(context.Background(), 10*time.Second)
	defer werr()
	for _, d := range []time.Duration{time.Second, 2 * time.Second} {
		if err := clock.BlockUntilContext(wait, 1); err != nil {
			t.Fatalf("no retry waited on the clock after %d calls", calls.Load())
		}
		clock.Advance(d)
	}
	for !a.Ready() && wait.Err() == nil {
		time.Sleep(time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil || calls.Load() != 3 || a.Self() != "UBOT" {
		t.Errorf("Run = %v after %d calls, bot %q; want ready on the third call as UBOT", err, calls.Load(), a.Self())
	}
}
