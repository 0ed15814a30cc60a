package tests

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/acad-lyon/helpdesk-bot/adapters/discord"
	"github.com/acad-lyon/helpdesk-bot/adapters/slack"
	"github.com/acad-lyon/helpdesk-bot/internal/chat"
	"github.com/acad-lyon/helpdesk-bot/internal/platformtest"
	"github.com/acad-lyon/helpdesk-bot/internal/store"
	"github.com/acad-lyon/helpdesk-bot/internal/store/storetest"
)

// replicaStores opens n stores on one new PostgreSQL database: n replicas
// of the bot sharing it.
func replicaStores(t *testing.T, n int) []*store.Store {
	t.Helper()
	dsn := storetest.Postgres(t)
	var out []*store.Store
	for range n {
		st, err := store.Open(context.Background(), dsn, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		out = append(out, st)
	}
	return out
}

// slackReplicas starts a replica of the bot per store on one fake Slack,
// and counts what they post.
func slackReplicas(t *testing.T, socket bool, stores []*store.Store) ([]*slackBot, *atomic.Int32) {
	t.Helper()
	fake := platformtest.NewSlack(t)
	posts := &atomic.Int32{}
	fake.Sink = func(platformtest.SlackPost) { posts.Add(1) }
	var replicas []*slackBot
	for _, st := range stores {
		replicas = append(replicas, startSlackOn(t, fake, socket, func(c *slack.Config) {
			c.Claims, c.Recorder, c.Flood = st, st, chat.NewFlood(chat.FloodLimits{})
		}))
	}
	return replicas, posts
}

// answeredOnce waits for an answer to each of n questions, stops the
// replicas (their drains finish what they took) and checks none answered
// twice.
func answeredOnce(t *testing.T, what string, n int, answers *atomic.Int32, stops ...func() error) {
	t.Helper()
	eventually(t, 20*time.Second, "an answer to each of "+what, func() bool { return int(answers.Load()) >= n })
	for _, stop := range stops {
		if err := stop(); err != nil {
			t.Fatal(err)
		}
	}
	if got := int(answers.Load()); got != n {
		t.Errorf("%d answers to %d %s; want %d", got, n, what, n)
	}
}

// Two replicas behind a load balancer receive the same 50 Slack HTTP events,
// each delivered to one and retried on the other (Slack's X-Slack-Retry-Num):
// every one is answered exactly once.
func TestReplicasSlackHTTPAnswerOnce(t *testing.T) {
	replicas, posts := slackReplicas(t, false, replicaStores(t, 2))
	const n = 50
	for i := range n {
		ev, _ := json.Marshal(platformtest.MessageEvent(fmt.Sprintf("EvRep%d", i), mention("CGENERAL", fmt.Sprintf("60.%06d", i), "quel est le port imap ?")))
		first, second := replicas[i%2], replicas[(i+1)%2]
		if code, _ := first.signedPost("/slack/events", "application/json", ev, time.Now()); code != http.StatusOK {
			t.Fatalf("event %d: %d", i, code)
		}
		// The retry, on the other replica.
		if code, _ := second.retriedPost(ev); code != http.StatusOK {
			t.Fatalf("retry %d: %d", i, code)
		}
	}
	answeredOnce(t, "events delivered twice to two replicas", n, posts, replicas[0].stop, replicas[1].stop)
}

// retriedPost posts an event as Slack retries it.
func (b *slackBot) retriedPost(body []byte) (int, string) {
	b.t.Helper()
	return b.signedPostWith("/slack/events", "application/json", body, time.Now(), map[string]string{"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})
}

// Two replicas in Socket Mode: 20 events delivered on one's connection and
// retried on the other's are answered once.
func TestReplicasSlackSocketModeAnswerOnce(t *testing.T) {
	replicas, posts := slackReplicas(t, true, replicaStores(t, 2))
	const n = 20
	for i := range n {
		ev := mention("CGENERAL", fmt.Sprintf("61.%06d", i), "mon téléphone dit certificat invalide")
		replicas[i%2].event(fmt.Sprintf("EvSock%d", i), ev)
		replicas[(i+1)%2].event(fmt.Sprintf("EvSock%d", i), ev)
	}
	answeredOnce(t, "Socket Mode events retried on the other replica", n, posts, replicas[0].stop, replicas[1].stop)
}

// Two replicas connected with one Discord token both receive every message:
// 20 messages are answered exactly once.
func TestReplicasDiscordAnswerOnce(t *testing.T) {
	t.Parallel()
	stores := replicaStores(t, 2)
	fake := platformtest.NewDiscord(t)
	var replies atomic.Int32
	fake.Sink = func(platformtest.DiscordCall) { replies.Add(1) }
	var replicas []*discordBot
	for _, st := range stores {
		replicas = append(replicas, startDiscordOn(t, fake, func(c *discord.Config, _ *discordBot) {
			c.Claims, c.Flood = st, chat.NewFlood(chat.FloodLimits{})
		}))
	}
	const n = 20
	for i := range n {
		m := platformtest.DiscordMessage(fmt.Sprintf("62%04d", i), "700", platformtest.DiscordGuild, "801", "quel est le port imap ?", false)
		for _, r := range replicas {
			r.message(m) // the gateway sends it to both sessions
		}
	}
	answeredOnce(t, "messages both replicas received", n, &replies, replicas[0].stop, replicas[1].stop)
}
