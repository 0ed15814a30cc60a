package tests

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/acad-lyon/helpdesk-bot/internal/platformtest"
	"github.com/acad-lyon/helpdesk-bot/internal/store/storetest"
)

// answerCount counts the bot's answers on a fake Slack, by the question
// they answer (the thread they are posted in).
type answerCount struct {
	mu sync.Mutex
	n  map[string]int
}

func countAnswers(fake *platformtest.Slack) *answerCount {
	c := &answerCount{n: map[string]int{}}
	fake.Sink = func(p platformtest.SlackPost) {
		if p.User == "" {
			c.mu.Lock()
			c.n[p.Thread]++
			c.mu.Unlock()
		}
	}
	return c
}

func (c *answerCount) of(ts string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[ts]
}

// flow asks questions at a steady rate on the replica that at(i) names,
// one new message each (ts), and returns what each delivery got back:
// 200 is Slack told the question was received.
type flow struct {
	mu    sync.Mutex
	acked map[string]bool
	ts    []string
}

func (f *flow) ask(b *slackBot, i int, retry bool) bool {
	ts := fmt.Sprintf("%d.%06d", 1700000000+i, i)
	ev := platformtest.MessageEvent(fmt.Sprintf("EvF%d", i), channelMessage("CHELP", "channel", ts, loadQuestions[i%len(loadQuestions)]))
	body, _ := json.Marshal(ev)
	var more map[string]string
	if retry {
		more = map[string]string{"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_error"}
	}
	code, _ := b.signedPostWith("/slack/events", "application/json", body, time.Now(), more)
	f.mu.Lock()
	defer f.mu.Unlock()
	if i >= len(f.ts) {
		f.ts = append(f.ts, ts)
	}
	if code == http.StatusOK {
		f.acked[ts] = true
	}
	return code == http.StatusOK
}

// failoverEnv is the environment of a replica answering Slack HTTP events
// on the fake, without flood limits (the flow is one person's).
func failoverEnv(fake *platformtest.Slack, addr string, more ...string) []string {
	return append([]string{"SLACK_BOT_TOKEN=" + fake.BotToken, "SLACK_SIGNING_SECRET=" + signingSecret, "SLACK_API_URL=" + fake.APIURL(),
		"SLACK_CHANNELS=CHELP", "FLOOD_USER_PER_MINUTE=0", "FLOOD_CHANNEL_PER_MINUTE=0", "HTTP_ADDR=" + addr}, more...)
}

func waitReady(t *testing.T, addr string) {
	t.Helper()
	eventually(t, 20*time.Second, addr+"/readyz 200", func() bool { code, _ := get(t, "http://"+addr+"/readyz"); return code == 200 })
}

var lateAnswered = regexp.MustCompile(`helpdesk_late_answers_total\{platform="slack",result="(\w+)"\} (\d+)`)

// lateAnswers reads a replica's count of late answers, by result.
func lateAnswers(t *testing.T, addr string) map[string]int {
	_, body := get(t, "http://"+addr+"/metrics")
	out := map[string]int{}
	for _, m := range lateAnswered.FindAllStringSubmatch(body, -1) {
		out[m[1]], _ = strconv.Atoi(m[2])
	}
	return out
}

// killUnderFlow sends n questions to first, kills it (SIGKILL) halfway,
// and delivers what it did not acknowledge again to then() (the other
// replica, or the same one restarted), as Slack retries; then every
// question must get exactly one answer.
func killUnderFlow(t *testing.T, fake *platformtest.Slack, answers *answerCount, first *runningBot, firstAddr string, then func() (*slackBot, string)) {
	t.Helper()
	const n = 160
	a := &slackBot{t: t, fake: fake, base: "http://" + firstAddr}
	f := &flow{acked: map[string]bool{}}
	tick := time.NewTicker(10 * time.Millisecond) // 100 questions a second
	defer tick.Stop()
	var unacked []int
	killedAt := -1
	for i := range n {
		<-tick.C
		if i == n/2 {
			first.cmd.Process.Kill() // kill -9: no drain, no goodbye
			<-first.done
			killedAt = i
		}
		if !f.ask(a, i, false) {
			unacked = append(unacked, i)
		}
	}
	ackedBeforeKill := len(f.acked)
	answeredAtKill := 0
	for _, ts := range f.ts[:killedAt] {
		if answers.of(ts) > 0 {
			answeredAtKill++
		}
	}
	b, bAddr := then()
	for _, i := range unacked { // Slack's retries of what was not acknowledged
		if !f.ask(b, i, true) {
			t.Fatalf("question %d refused by the surviving replica", i)
		}
	}
	start := time.Now()
	eventually(t, 60*time.Second, "an answer to every acknowledged question", func() bool {
		for ts := range f.acked {
			if answers.of(ts) == 0 {
				return false
			}
		}
		return true
	})
	took := time.Since(start)
	time.Sleep(3 * time.Second) // time for a duplicate to show
	dups := 0
	for _, ts := range f.ts {
		if k := answers.of(ts); k != 1 {
			dups++
			t.Errorf("question %s answered %d times; want once", ts, k)
		}
	}
	late := lateAnswers(t, bAddr)
	t.Logf("%d questions, %d acknowledged by the killed replica, %d of them answered by the end of the flow (in flight at the kill: the Web API posted them all the same); after the takeover, %d late answers and %d found answered already; every acknowledged question answered within %v; %d answered other than once",
		n, ackedBeforeKill, answeredAtKill, late["answered"], late["already"], took.Round(100*time.Millisecond), dups)
	if late["answered"] == 0 {
		t.Error("no late answer: the kill left nothing to take over, the test proves nothing")
	}
}

// Two replicas on one PostgreSQL, the Web API answering in 1 s: one is
// killed (SIGKILL) under a flow of questions. Every question it
// acknowledged is answered exactly once, by the other.
func TestFailoverKill9PostgresReplica(t *testing.T) {
	dsn := storetest.Postgres(t)
	fake := platformtest.NewSlack(t)
	fake.Delay = time.Second
	answers := countAnswers(fake)
	addrA, addrB := freeAddr(t), freeAddr(t)
	a := startBot(t, failoverEnv(fake, addrA, "DATABASE_URL="+dsn)...)
	b := startBot(t, failoverEnv(fake, addrB, "DATABASE_URL="+dsn)...)
	waitReady(t, addrA)
	waitReady(t, addrB)
	killUnderFlow(t, fake, answers, a, addrA, func() (*slackBot, string) {
		return &slackBot{t: t, fake: fake, base: "http://" + addrB}, addrB
	})
	b.terminate(t)
}

// One process on SQLite, the Web API answering in 1 s, killed (SIGKILL)
// under a flow of questions and restarted: every question it acknowledged
// is answered exactly once after the restart.
func TestFailoverKill9SQLiteRestart(t *testing.T) {
	fake := platformtest.NewSlack(t)
	fake.Delay = time.Second
	answers := countAnswers(fake)
	data, addr := t.TempDir(), freeAddr(t)
	a := startBot(t, failoverEnv(fake, addr, "DATA_PATH="+data)...)
	waitReady(t, addr)
	var again *runningBot
	killUnderFlow(t, fake, answers, a, addr, func() (*slackBot, string) {
		again = startBot(t, failoverEnv(fake, addr, "DATA_PATH="+data)...)
		waitReady(t, addr)
		return &slackBot{t: t, fake: fake, base: "http://" + addr}, addr
	})
	again.terminate(t)
}

// Two replicas on one Discord token and one PostgreSQL: one holds the
// gateway, the other stands by (both ready); the holder killed (SIGKILL),
// the other takes over and answers within 10 s.
func TestFailoverDiscordGatewayTakeover(t *testing.T) {
	dsn := storetest.Postgres(t)
	fake := platformtest.NewDiscord(t)
	env := func(addr string) []string {
		return []string{"DISCORD_BOT_TOKEN=" + fake.Token, "DISCORD_API_URL=" + fake.APIURL(), "DISCORD_CHANNELS=700", "DATABASE_URL=" + dsn,
			"FLOOD_USER_PER_MINUTE=0", "FLOOD_CHANNEL_PER_MINUTE=0", "HTTP_ADDR=" + addr}
	}
	addrs := []string{freeAddr(t), freeAddr(t)}
	bots := []*runningBot{startBot(t, env(addrs[0])...), startBot(t, env(addrs[1])...)}
	conn := fake.WaitConn()
	role := func(addr string) string {
		_, body := get(t, "http://"+addr+"/readyz")
		var r struct {
			Ready       bool              `json:"ready"`
			Connections map[string]string `json:"connections"`
		}
		json.Unmarshal([]byte(body), &r)
		if !r.Ready {
			return "not ready"
		}
		return r.Connections["discord"]
	}
	holder := -1
	eventually(t, 20*time.Second, "one replica holding the gateway, the other waiting", func() bool {
		r0, r1 := role(addrs[0]), role(addrs[1])
		switch {
		case r0 == "holding" && r1 == "waiting":
			holder = 0
		case r1 == "holding" && r0 == "waiting":
			holder = 1
		}
		return holder >= 0
	})
	for i := range 20 {
		fake.Dispatch(conn, "MESSAGE_CREATE", platformtest.DiscordMessage(strconv.Itoa(2000+i), "700", platformtest.DiscordGuild, "801", loadQuestions[i%len(loadQuestions)], false))
	}
	for range 20 {
		fake.WaitMessage()
	}
	bots[holder].cmd.Process.Kill()
	<-bots[holder].done
	killed := time.Now()
	conn = fake.WaitConn()
	fake.Dispatch(conn, "MESSAGE_CREATE", platformtest.DiscordMessage("3000", "700", platformtest.DiscordGuild, "801", "quel port imap pour mon téléphone", false))
	if ref, _ := fake.WaitMessage().Body["message_reference"].(map[string]any); ref["message_id"] != "3000" {
		t.Errorf("reply to %v; want 3000", ref)
	}
	took := time.Since(killed)
	t.Logf("the standby took over the gateway and answered %v after the holder was killed", took.Round(10*time.Millisecond))
	if took > 10*time.Second {
		t.Errorf("answered %v after the kill; want within 10 s", took)
	}
	other := addrs[1-holder]
	if r := role(other); r != "holding" {
		t.Errorf("the survivor's /readyz says %q; want holding", r)
	}
	if _, body := get(t, "http://"+other+"/metrics"); !regexp.MustCompile(`helpdesk_takeovers_total\{platform="discord"\} 1`).MatchString(body) {
		t.Error("no takeover counted in the survivor's metrics")
	}
	time.Sleep(time.Second)
	fake.Mu.Lock()
	n := len(fake.Messages)
	fake.Mu.Unlock()
	if n != 21 {
		t.Errorf("%d messages sent for 21 questions; want one each", n)
	}
	bots[1-holder].terminate(t)
}
