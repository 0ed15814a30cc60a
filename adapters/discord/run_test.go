package discord

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/acad-lyon/helpdesk-bot/internal/chat"
	"github.com/acad-lyon/helpdesk-bot/internal/chat/chattest"
	"github.com/acad-lyon/helpdesk-bot/internal/platformtest"
)

// An adapter can run again after it stopped: its workers are born in each
// Run (against the local fake Discord the end-to-end tests use too).
func TestRunTwice(t *testing.T) {
	fake := platformtest.NewDiscord(t)
	a, err := New(Config{Token: fake.Token, APIURL: fake.APIURL(), Settle: 50 * time.Millisecond,
		Settings: chat.Settings{Channels: []string{"700"}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}}, chat.Fixed(chattest.Shipped(t)))
	if err != nil {
		t.Fatal(err)
	}
	run := func() (stop func()) {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- a.Run(ctx) }()
		return func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Run = %v", err)
			}
		}
	}
	stop := run()
	fake.WaitConn()
	stop()
	stop = run()
	defer stop()
	conn := fake.WaitConn()
	fake.Dispatch(conn, "MESSAGE_CREATE", platformtest.DiscordMessage("601", "700", platformtest.DiscordGuild, "801", "quel port imap pour mon téléphone", false))
	if m := fake.WaitMessage(); !strings.Contains(strings.ToLower(m.Path+" "+toJSON(m.Body)), "993") {
		t.Errorf("the second Run answered %v; want the IMAP settings", m.Body)
	}
}

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// A refused token stops Run at once with an error that says so.
func TestRunTokenRefused(t *testing.T) {
	fake := platformtest.NewDiscord(t)
	a, err := New(Config{Token: "wrong", APIURL: fake.APIURL(), Settings: chat.Settings{Logger: slog.New(slog.DiscardHandler)}}, chat.Fixed(chattest.Shipped(t)))
	if err != nil {
		t.Fatal(err)
	}
	platformtest.WantRefused(t, a.Run)
}
