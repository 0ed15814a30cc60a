package tests

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/acad-lyon/helpdesk-bot/adapters/console"
	"github.com/acad-lyon/helpdesk-bot/adapters/discord"
	"github.com/acad-lyon/helpdesk-bot/adapters/slack"
	"github.com/acad-lyon/helpdesk-bot/internal/chat"
	"github.com/acad-lyon/helpdesk-bot/internal/platformtest"
	"github.com/acad-lyon/helpdesk-bot/internal/store"
)

// Every secret of the labelled corpus, both halves, goes through the Slack
// and Discord paths and the console, with a real SQLite store recording
// what the bot could not answer. What the guard catches gets the private
// warning and nothing is kept; what it misses is kept masked. No secret
// token of the tuning halves is then in the database file, in `bot report`
// (every format), in the console's output or in the logs; no held-out one
// is in the logs or the console, and at most 3% of the held-out secrets
// (what the guard may miss) in the store and the report.
func TestSecretsNeverKept(t *testing.T) {
	var cases []secretCase
	tuning := map[string]bool{} // the texts of the tuning halves, which may be shown
	for _, path := range []string{secretsTune, secretsTune2, secretsTune3, secretsHeldOut} {
		for _, c := range loadSecrets(t, path) {
			if c.Secret {
				cases = append(cases, c)
				tuning[c.Text] = path != secretsHeldOut
			}
		}
	}
	dir := t.TempDir()
	data := filepath.Join(dir, "helpdesk.db") // the file the bot keeps under DATA_PATH
	st, err := store.Open(context.Background(), data, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	noFlood := chat.NewFlood(chat.FloodLimits{})
	// replies counts what a fake was asked to say, until every message got
	// its reply (one or more).
	wait := func(what string, replies *atomic.Int32) {
		t.Helper()
		eventually(t, 60*time.Second, what, func() bool { return int(replies.Load()) >= len(cases) })
	}

	var discordReplies atomic.Int32
	// First: startDiscord lets the test run beside the others.
	db := startDiscord(t, func(c *discord.Config, _ *discordBot) { c.Recorder, c.Flood = st, noFlood })
	db.fake.Sink = func(platformtest.DiscordCall) { discordReplies.Add(1) }
	for i, c := range cases {
		db.message(platformtest.DiscordMessage(fmt.Sprintf("5%06d", i), "700", platformtest.DiscordGuild, "801", c.Text, false))
	}
	wait("a Discord reply to every message", &discordReplies)
	if err := db.stop(); err != nil {
		t.Fatal(err)
	}

	var slackReplies atomic.Int32
	sb := startSlack(t, true, func(c *slack.Config) { c.Recorder, c.Flood = st, noFlood })
	sb.fake.Sink = func(platformtest.SlackPost) { slackReplies.Add(1) }
	for i, c := range cases {
		sb.event(fmt.Sprintf("EvSecret%d", i), channelMessage("CHELP", "channel", fmt.Sprintf("50.%06d", i), c.Text))
	}
	wait("a Slack reply to every message", &slackReplies)
	if err := sb.stop(); err != nil {
		t.Fatal(err)
	}

	var in strings.Builder
	for _, c := range cases {
		in.WriteString(strings.ReplaceAll(c.Text, "\n", " ") + "\n")
	}
	var out bytes.Buffer
	if err := (&console.Adapter{In: strings.NewReader(in.String()), Out: &out}).Run(context.Background(), shippedCore(t)); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	// Where a secret could end up.
	places := map[string]string{"the Slack log": sb.log.String(), "the Discord log": db.log.String(), "the console": out.String()}
	for _, f := range []string{data, data + "-wal", data + "-shm"} {
		if b, err := os.ReadFile(f); err == nil {
			places[filepath.Base(f)] = string(b)
		}
	}
	for _, format := range []string{"text", "markdown", "yaml"} {
		report := exec.Command(botBinary(t), "report", "--since", "1d", "--format", format)
		report.Env = append(os.Environ(), "KNOWLEDGE_PATH=../knowledge/faq.yaml", "DATA_PATH="+dir)
		b, err := report.CombinedOutput()
		if err != nil {
			t.Fatalf("bot report --format %s: %v\n%s", format, err, b)
		}
		places["bot report --format "+format] = string(b)
	}
	if !strings.Contains(places["bot report --format text"], "Questions the bot could not answer") {
		t.Errorf("bot report read nothing:\n%s", places["bot report --format text"])
	}
	leaks, heldOut, stored := 0, 0, map[string]bool{} // stored: held-out messages kept
	for _, c := range cases {
		if !tuning[c.Text] {
			heldOut++
		}
		for _, tok := range c.Tokens {
			tok = strings.Join(strings.Fields(tok), " ")
			for where, text := range places {
				if containsWord(strings.Join(strings.Fields(text), " "), tok) {
					leaks++
					if !tuning[c.Text] && (where == "helpdesk.db" || strings.HasPrefix(where, "bot report")) {
						stored[c.Text] = true
						continue
					}
					t.Errorf("a secret token of the corpus is in %s", where) // never a held-out token
					if *secretMisses && tuning[c.Text] {
						for _, line := range strings.Split(text, "\n") {
							if strings.Contains(line, strings.Fields(tok)[0]) {
								t.Logf("tuning half, %q in %s: %.300s", tok, where, line)
							}
						}
					}
				}
			}
		}
	}
	t.Logf("%d secret messages through Slack, Discord and the console: %d tokens found where they must not be, from %d held-out messages kept", len(cases), leaks, len(stored))
	if 100*len(stored) > 3*heldOut {
		t.Errorf("%d of %d held-out secrets kept in the store; want at most 3%%", len(stored), heldOut)
	}
}

// containsWord reports whether tok is in text as a whole (not inside a
// longer run of letters and digits: "4719" is not in a timestamp
// "08.47197534").
func containsWord(text, tok string) bool {
	alnum := func(b byte) bool { return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' }
	for i := 0; ; {
		k := strings.Index(text[i:], tok)
		if k < 0 {
			return false
		}
		start, end := i+k, i+k+len(tok)
		if (start == 0 || !alnum(text[start-1]) || !alnum(tok[0])) && (end == len(text) || !alnum(text[end]) || !alnum(tok[len(tok)-1])) {
			return true
		}
		i = start + 1
	}
}
