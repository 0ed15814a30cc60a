package tests

import (
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/jonboulle/clockwork"

	"github.com/acad-lyon/helpdesk-bot/adapters/discord"
	"github.com/acad-lyon/helpdesk-bot/internal/chat"
	"github.com/acad-lyon/helpdesk-bot/internal/platformtest"
)

const helpdeskRole = "400000000000000004"

// discordBot is an adapter running against a fake Discord.
type discordBot struct {
	t    *testing.T
	fake *platformtest.Discord
	a    *discord.Adapter
	hd   *helpdesk
	rec  *recorder
	log  *syncBuffer
	conn *websocket.Conn
	stop func() error
}

func startDiscord(t *testing.T, configure ...func(*discord.Config, *discordBot)) *discordBot {
	t.Helper()
	// Each test has its own fake Discord and adapter: they run side by side
	// (closing a discordgo session takes a second of its own).
	t.Parallel()
	return startDiscordOn(t, platformtest.NewDiscord(t), configure...)
}

// startDiscordOn is startDiscord against a given fake Discord: two of them
// on one fake are two replicas of the bot on one token.
func startDiscordOn(t *testing.T, fake *platformtest.Discord, configure ...func(*discord.Config, *discordBot)) *discordBot {
	t.Helper()
	b := &discordBot{t: t, fake: fake, hd: &helpdesk{Core: shippedCore(t)}, rec: &recorder{}, log: &syncBuffer{}}
	cfg := discord.Config{
		Token: fake.Token, APIURL: fake.APIURL(), GuildID: platformtest.DiscordGuild, HelpdeskRole: helpdeskRole,
		Settings: chat.Settings{Channels: []string{"700"}, Recorder: b.rec,
			Logger: slog.New(slog.NewJSONHandler(b.log, &slog.HandlerOptions{Level: slog.LevelDebug}))},
	}
	for _, c := range configure {
		c(&cfg, b)
	}
	a, err := discord.New(cfg, b.hd)
	if err != nil {
		t.Fatal(err)
	}
	b.a = a
	b.stop = runAdapter(t, a.Run)
	t.Cleanup(func() {
		b.stop()
		b.checkHygiene()
	})
	select {
	case b.conn = <-fake.ConnC:
	case <-time.After(15 * time.Second):
		t.Fatalf("the adapter did not connect to the gateway within 15 s; its log:\n%s", b.log.String())
	}
	return b
}

// checkHygiene: every message the bot sent sets allowed_mentions so that
// nobody is pinged but the asker (replied_user) and, when asked for, the
// helpdesk role; no log line carries the token.
func (b *discordBot) checkHygiene() {
	b.fake.Mu.Lock()
	defer b.fake.Mu.Unlock()
	var bodies []map[string]any
	for _, c := range b.fake.Messages {
		bodies = append(bodies, c.Body)
	}
	for _, c := range b.fake.Edits {
		if c.Body["content"] != nil || c.Body["embeds"] != nil {
			bodies = append(bodies, c.Body)
		}
	}
	for _, c := range b.fake.Callbacks {
		if d, ok := c.Body["data"].(map[string]any); ok && (d["content"] != nil || d["embeds"] != nil) && c.Body["type"] != float64(8) {
			bodies = append(bodies, d)
		}
	}
	for _, body := range bodies {
		am, ok := body["allowed_mentions"].(map[string]any)
		if !ok {
			b.t.Errorf("a message without allowed_mentions: %v", body)
			continue
		}
		if parse, _ := am["parse"].([]any); am["parse"] == nil || len(parse) != 0 {
			b.t.Errorf("allowed_mentions.parse = %v; want []", am["parse"])
		}
		if roles, _ := am["roles"].([]any); len(roles) > 1 || (len(roles) == 1 && roles[0] != helpdeskRole) {
			b.t.Errorf("allowed roles %v; want at most the helpdesk role", roles)
		}
		checkDiscordLimits(b.t, body)
	}
	if strings.Contains(b.log.String(), b.fake.Token) {
		b.t.Error("a log line contains the token")
	}
}

// checkDiscordLimits: 2000 characters of content, 4096 a description,
// 6000 in all the embeds, 5 rows of 5 buttons.
func checkDiscordLimits(t *testing.T, body map[string]any) {
	t.Helper()
	units := func(s string) int {
		n := 0
		for _, r := range s {
			n++
			if r > 0xFFFF {
				n++
			}
		}
		return n
	}
	if c, _ := body["content"].(string); units(c) > 2000 {
		t.Errorf("content of %d characters", units(c))
	}
	embeds, _ := body["embeds"].([]any)
	total := 0
	for _, e := range embeds {
		m := e.(map[string]any)
		d, _ := m["description"].(string)
		title, _ := m["title"].(string)
		if units(d) > 4096 || units(title) > 256 {
			t.Errorf("embed description %d / title %d characters", units(d), units(title))
		}
		total += units(d) + units(title)
	}
	if total > 6000 || len(embeds) > 10 {
		t.Errorf("%d embeds of %d characters in all", len(embeds), total)
	}
	rows, _ := body["components"].([]any)
	if len(rows) > 5 {
		t.Errorf("%d rows of components", len(rows))
	}
	for _, r := range rows {
		if cs, _ := r.(map[string]any)["components"].([]any); len(cs) > 5 {
			t.Errorf("a row of %d buttons", len(cs))
		}
	}
}

// waitMessage waits for a message, showing the adapter's log on failure.
func (b *discordBot) waitMessage() platformtest.DiscordCall {
	b.t.Helper()
	select {
	case m := <-b.fake.MessageC:
		return m
	case <-time.After(10 * time.Second):
		b.t.Fatalf("no message within 10 s; the adapter's log:\n%s", b.log.String())
	}
	return platformtest.DiscordCall{}
}

func (b *discordBot) message(m map[string]any) { b.fake.Dispatch(b.conn, "MESSAGE_CREATE", m) }

// interaction sends an INTERACTION_CREATE.
func (b *discordBot) interaction(id string, typ int, data map[string]any, message map[string]any) {
	i := map[string]any{
		"id": id, "application_id": platformtest.DiscordAppID, "type": typ, "token": "token-" + id, "version": 1,
		"guild_id": platformtest.DiscordGuild, "channel_id": "700", "locale": "fr",
		"member": map[string]any{"user": map[string]any{"id": "800", "username": "agent-dsi"}, "roles": []any{}},
		"data":   data,
	}
	if message != nil {
		i["message"] = message
	}
	b.fake.Dispatch(b.conn, "INTERACTION_CREATE", i)
}

func faqData(options ...map[string]any) map[string]any {
	opts := []any{}
	for _, o := range options {
		opts = append(opts, o)
	}
	return map[string]any{"id": "900", "name": "faq", "type": 1, "options": opts}
}

func embedText(body map[string]any) string {
	raw, _ := json.Marshal(body["embeds"])
	var embeds []struct{ Title, Description string }
	json.Unmarshal(raw, &embeds)
	var s strings.Builder
	for _, e := range embeds {
		s.WriteString(e.Title + "\n" + e.Description + "\n")
	}
	return s.String()
}

// customIDs returns the buttons of a message: action -> custom_id.
func customIDs(body map[string]any) map[string]string {
	out := map[string]string{}
	rows, _ := body["components"].([]any)
	for _, r := range rows {
		cs, _ := r.(map[string]any)["components"].([]any)
		for _, c := range cs {
			id, _ := c.(map[string]any)["custom_id"].(string)
			action, _, _ := strings.Cut(id, ":")
			if _, dup := out[action]; !dup {
				out[action] = id
			}
		}
	}
	return out
}

func TestDiscordMentionAnsweredAsReply(t *testing.T) {
	b := startDiscord(t)
	b.message(platformtest.DiscordMessage("601", "650", platformtest.DiscordGuild, "801", "<@"+platformtest.DiscordBotID+"> comment configurer ma messagerie sur mon téléphone ?", true))
	m := b.fake.WaitMessage()
	ref, _ := m.Body["message_reference"].(map[string]any)
	if ref["message_id"] != "601" || m.Body["channel_id"] != "650" {
		t.Errorf("reply reference %v in channel %v; want a reply to 601 in 650", ref, m.Body["channel_id"])
	}
	if am := m.Body["allowed_mentions"].(map[string]any); am["replied_user"] != true {
		t.Errorf("allowed_mentions %v; want the asker notified (replied_user)", am)
	}
	text := embedText(m.Body)
	for _, want := range []string{"IMAP", "mail.ac-lyon.fr", "993"} {
		if !strings.Contains(text, want) {
			t.Errorf("the answer does not say %q:\n%s", want, text)
		}
	}
	ids := customIDs(m.Body)
	for _, want := range []string{"vote-yes", "vote-no", "human"} {
		if ids[want] == "" {
			t.Errorf("no %s button: %v", want, ids)
		}
	}
}

func TestDiscordWhenItSpeaks(t *testing.T) {
	b := startDiscord(t)
	q := "je ne connais pas mon identifiant convergence"
	botAuthor := platformtest.DiscordMessage("611", "700", platformtest.DiscordGuild, "555", q, false)
	botAuthor["author"].(map[string]any)["bot"] = true
	self := platformtest.DiscordMessage("612", "700", platformtest.DiscordGuild, platformtest.DiscordBotID, q, false)
	join := platformtest.DiscordMessage("613", "700", platformtest.DiscordGuild, "801", "", false)
	join["type"] = 7 // a member joined
	pinned := platformtest.DiscordMessage("614", "700", platformtest.DiscordGuild, "801", q, false)
	pinned["type"] = 6
	webhook := platformtest.DiscordMessage("615", "700", platformtest.DiscordGuild, "801", q, false)
	webhook["webhook_id"] = "777"
	reply := platformtest.DiscordMessage("616", "700", platformtest.DiscordGuild, "801", q, false)
	reply["type"] = 19 // a reply to someone, in the configured channel
	for _, m := range []map[string]any{
		platformtest.DiscordMessage("610", "650", platformtest.DiscordGuild, "801", q, false), // not configured, no mention
		botAuthor, self, join, pinned, webhook, reply,
	} {
		b.message(m)
	}
	b.message(platformtest.DiscordMessage("620", "660", "", "801", "mot de passe oublié", false))                                           // a DM
	b.message(platformtest.DiscordMessage("621", "700", platformtest.DiscordGuild, "801", "quel est mon identifiant convergence ?", false)) // configured
	b.message(platformtest.DiscordMessage("621", "700", platformtest.DiscordGuild, "801", "quel est mon identifiant convergence ?", false)) // delivered twice
	got := map[string]bool{}
	for range 2 {
		m := b.fake.WaitMessage()
		got[m.Body["message_reference"].(map[string]any)["message_id"].(string)] = true
	}
	if !got["620"] || !got["621"] {
		t.Errorf("answered %v; want the DM (620) and the configured channel (621)", got)
	}
	if err := b.stop(); err != nil {
		t.Fatal(err)
	}
	b.fake.Mu.Lock()
	n := len(b.fake.Messages)
	b.fake.Mu.Unlock()
	if n != 2 {
		t.Errorf("%d messages; want 2, silence for bots, system messages, webhooks, replies and other channels", n)
	}
	if asked := b.hd.questions(); len(asked) != 2 {
		t.Errorf("the core was asked %q; want only the two questions", asked)
	}
}

func TestDiscordNeverPings(t *testing.T) {
	b := startDiscord(t)
	b.message(platformtest.DiscordMessage("630", "700", platformtest.DiscordGuild, "801", "@everyone @here <@&555> <@777> mon mot de passe ne marche plus", false))
	m := b.fake.WaitMessage()
	am := m.Body["allowed_mentions"].(map[string]any)
	if parse := am["parse"].([]any); len(parse) != 0 || am["roles"] != nil || am["users"] != nil {
		t.Errorf("allowed_mentions %v; want nothing parsed, no role, no user", am)
	}
	if q := b.hd.questions(); len(q) != 1 || strings.Contains(q[0], "@") || strings.Contains(q[0], "<") {
		t.Errorf("the core was asked %q; want the question without mentions", q)
	}
}

func TestDiscordLongAnswerSplit(t *testing.T) {
	long := strings.Repeat("Une ligne de réponse assez longue pour tester le découpage des messages 👍.\n", 200) // ~15,000 characters
	b := startDiscord(t, func(c *discord.Config, b *discordBot) {
		b.hd.long = long
	})
	b.message(platformtest.DiscordMessage("640", "700", platformtest.DiscordGuild, "801", "comment configurer imap sur mon téléphone", false))
	first := b.fake.WaitMessage()
	var all []platformtest.DiscordCall
	all = append(all, first)
	for len(customIDs(all[len(all)-1].Body)) == 0 {
		all = append(all, b.fake.WaitMessage())
	}
	if len(all) < 3 {
		t.Errorf("%d messages for a 15,000-character answer; want at least 3 (6000 characters each)", len(all))
	}
	if _, ok := first.Body["message_reference"]; !ok {
		t.Error("the first part is not a reply to the question")
	}
	var text strings.Builder
	for i, m := range all {
		checkDiscordLimits(t, m.Body)
		if i < len(all)-1 && len(customIDs(m.Body)) > 0 {
			t.Errorf("buttons on part %d of %d; want them on the last only", i+1, len(all))
		}
		text.WriteString(embedText(m.Body))
	}
	if got, want := strings.Count(text.String(), "👍"), 200; got != want {
		t.Errorf("the parts carry %d of the %d lines", got, want)
	}
}

func TestDiscordFaqCommand(t *testing.T) {
	b := startDiscord(t)
	reg := b.fake.WaitCommand()
	if !strings.Contains(reg.Path, "/guilds/"+platformtest.DiscordGuild+"/commands") {
		t.Errorf("/faq registered at %s; want the configured server", reg.Path)
	}
	raw, _ := json.Marshal(reg.Body)
	if !strings.Contains(string(raw), `"autocomplete":true`) || !strings.Contains(string(raw), `"name":"faq"`) {
		t.Errorf("registered %s; want /faq with an autocompleted option", raw)
	}

	// Autocomplete as the agent types.
	b.interaction("901", 4, faqData(map[string]any{"name": "entry", "type": 3, "value": "imap", "focused": true}), nil)
	cb := b.fake.WaitCallback()
	data := cb.Body["data"].(map[string]any)
	choices, _ := data["choices"].([]any)
	if cb.Body["type"] != float64(8) || len(choices) == 0 || len(choices) > 25 {
		t.Fatalf("autocomplete response %v; want type 8 with 1 to 25 choices", cb.Body)
	}
	if first := choices[0].(map[string]any); !strings.HasPrefix(first["value"].(string), "imap-") {
		t.Errorf("first choice for \"imap\" is %v; want an imap entry", first)
	}
	b.interaction("902", 4, faqData(map[string]any{"name": "entry", "type": 3, "value": "", "focused": true}), nil)
	if choices := b.fake.WaitCallback().Body["data"].(map[string]any)["choices"].([]any); len(choices) < 10 || len(choices) > 25 {
		t.Errorf("autocomplete of nothing: %d choices; want the topics (at most 25)", len(choices))
	}

	// The chosen entry posted, signed by the agent.
	b.interaction("903", 2, faqData(map[string]any{"name": "entry", "type": 3, "value": "certificate-warning"}), nil)
	cb = b.fake.WaitCallback()
	data = cb.Body["data"].(map[string]any)
	if cb.Body["type"] != float64(4) || data["flags"] != nil || !strings.Contains(embedText(data), "mail.ac-lyon.fr") {
		t.Errorf("/faq certificate-warning = %v; want the answer, public", cb.Body)
	}
	if raw, _ := json.Marshal(data); !strings.Contains(string(raw), "agent-dsi") {
		t.Errorf("the posted answer does not name the agent")
	}
	// Private, from words.
	b.interaction("904", 2, faqData(map[string]any{"name": "entry", "type": 3, "value": "mdp oublié"}, map[string]any{"name": "private", "type": 5, "value": true}), nil)
	cb = b.fake.WaitCallback()
	data = cb.Body["data"].(map[string]any)
	if data["flags"] != float64(64) || !strings.Contains(embedText(data), "mot de passe") {
		t.Errorf("/faq mdp oublié private = %v; want an ephemeral answer about the password", cb.Body)
	}
	// Words: a private preview (as on Slack), with a button that posts it,
	// signed by the agent, in public.
	b.interaction("906", 2, faqData(map[string]any{"name": "entry", "type": 3, "value": "certificat invalide android"}), nil)
	cb = b.fake.WaitCallback()
	data = cb.Body["data"].(map[string]any)
	post := customIDs(data)["post"]
	if data["flags"] != float64(64) || post == "" || !strings.Contains(embedText(data), "mail.ac-lyon.fr") {
		t.Fatalf("/faq certificat invalide android = %v; want a private preview with a post button", cb.Body)
	}
	message := map[string]any{"id": "960", "channel_id": "700", "flags": 64, "components": data["components"], "embeds": data["embeds"]}
	b.interaction("907", 3, map[string]any{"custom_id": post, "component_type": 2}, message)
	cb = b.fake.WaitCallback()
	data = cb.Body["data"].(map[string]any)
	if raw, _ := json.Marshal(data); cb.Body["type"] != float64(4) || data["flags"] != nil || !strings.Contains(string(raw), "agent-dsi") {
		t.Errorf("post click = %v; want the answer posted in public, signed", cb.Body)
	}
}

func TestDiscordFaqDeferredWhenSlow(t *testing.T) {
	clock := clockwork.NewFakeClockAt(time.Now())
	b := startDiscord(t, func(c *discord.Config, b *discordBot) { c.Clock = clock })
	b.hd.gate = make(chan struct{})
	b.interaction("905", 2, faqData(map[string]any{"name": "entry", "type": 3, "value": "problème de certificat"}), nil)
	advance(t, clock, 2*time.Second) // the default Defer, on the adapter's clock
	cb := b.fake.WaitCallback()
	if cb.Body["type"] != float64(5) {
		t.Fatalf("first response %v; want 5 (deferred) while the answer is held", cb.Body)
	}
	close(b.hd.gate)
	edit := b.fake.WaitEdit()
	if !strings.HasSuffix(edit.Path, "/messages/@original") || !strings.Contains(embedText(edit.Body), "certificat") {
		t.Errorf("the deferred answer came as %s %v", edit.Path, edit.Body)
	}
}

func TestDiscordButtons(t *testing.T) {
	b := startDiscord(t)
	// Did you mean: the choice replaces the suggestion.
	b.message(platformtest.DiscordMessage("670", "700", platformtest.DiscordGuild, "801", "ça marche pas", false))
	m := b.fake.WaitMessage()
	pick := customIDs(m.Body)["pick"]
	if pick == "" {
		t.Fatalf("no did-you-mean buttons: %v", m.Body)
	}
	b.interaction("910", 3, map[string]any{"custom_id": pick, "component_type": 2}, m.Body)
	cb := b.fake.WaitCallback()
	if cb.Body["type"] != float64(7) || embedText(cb.Body["data"].(map[string]any)) == "" {
		t.Errorf("did-you-mean click = %v; want an update with the answer", cb.Body)
	}

	// Feedback: one vote, thanked; a second one refused privately.
	b.message(platformtest.DiscordMessage("671", "700", platformtest.DiscordGuild, "801", "je tourne en boucle sur la page de connexion", false))
	m = b.fake.WaitMessage()
	ids := customIDs(m.Body)
	b.interaction("911", 3, map[string]any{"custom_id": ids["vote-no"], "component_type": 2}, m.Body)
	cb = b.fake.WaitCallback()
	after := cb.Body["data"].(map[string]any)
	if got := customIDs(after); cb.Body["type"] != float64(7) || got["vote-no"] != "" || got["voted"] == "" || got["human"] == "" {
		t.Errorf("after a vote the buttons are %v; want the thanks and the person", got)
	}
	b.interaction("912", 3, map[string]any{"custom_id": ids["vote-yes"], "component_type": 2}, m.Body)
	if cb := b.fake.WaitCallback(); cb.Body["data"].(map[string]any)["flags"] != float64(64) {
		t.Errorf("a second vote = %v; want a private notice", cb.Body)
	}
	if v := b.rec.allVotes(); len(v) != 1 || v[0].Helpful {
		t.Errorf("votes %+v; want one 👎", v)
	}
	// The 👎 brings what to try next, in a message of its own.
	if next := b.waitMessage(); !strings.Contains(embedText(next.Body), "xtensions") {
		t.Errorf("after a 👎 on the login loop the bot sent %q; want the next step (extensions)", embedText(next.Body))
	}

	// Talk to a person: the helpdesk role, and only it, is pinged.
	b.interaction("913", 3, map[string]any{"custom_id": ids["human"], "component_type": 2}, m.Body)
	cb = b.fake.WaitCallback()
	data := cb.Body["data"].(map[string]any)
	am := data["allowed_mentions"].(map[string]any)
	if !strings.Contains(data["content"].(string), "<@&"+helpdeskRole+">") || len(am["roles"].([]any)) != 1 {
		t.Errorf("talk to a person = %v; want the helpdesk role called", data)
	}
	b.fake.WaitEdit() // the answer redrawn without the person button
	b.interaction("914", 3, map[string]any{"custom_id": ids["human"], "component_type": 2}, m.Body)
	if cb := b.fake.WaitCallback(); cb.Body["data"].(map[string]any)["flags"] != float64(64) {
		t.Errorf("a second call = %v; want a private notice", cb.Body)
	}
}

func TestDiscordRateLimitedThenOneReply(t *testing.T) {
	var mu sync.Mutex
	var waits []time.Duration
	b := startDiscord(t, func(c *discord.Config, _ *discordBot) {
		c.OnRateLimit = func(d time.Duration) { mu.Lock(); waits = append(waits, d); mu.Unlock() }
	})
	b.fake.Mu.Lock()
	b.fake.RateLimit = 1
	b.fake.Mu.Unlock()
	b.message(platformtest.DiscordMessage("680", "700", platformtest.DiscordGuild, "801", "comment changer mon mot de passe ?", false))
	b.fake.WaitMessage()
	if err := b.stop(); err != nil {
		t.Fatal(err)
	}
	b.fake.Mu.Lock()
	defer b.fake.Mu.Unlock()
	if len(b.fake.Messages) != 1 || b.fake.Limited != 1 {
		t.Errorf("%d messages after %d 429s; want exactly 1 after 1", len(b.fake.Messages), b.fake.Limited)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(waits) != 1 || waits[0] != 300*time.Millisecond {
		t.Errorf("rate-limit waits %v; want [300ms] (retry_after 0.3)", waits)
	}
}

func TestDiscordReconnectsOnOp7(t *testing.T) {
	b := startDiscord(t, func(c *discord.Config, _ *discordBot) { c.Settle = 100 * time.Millisecond })
	b.fake.Send(b.conn, map[string]any{"op": 7, "d": nil})
	b.conn = b.fake.WaitConn()
	b.fake.Mu.Lock()
	if b.fake.Resumes != 1 || b.fake.Identifies != 1 {
		t.Errorf("%d identifies, %d resumes; want the session resumed after op 7", b.fake.Identifies, b.fake.Resumes)
	}
	b.fake.Mu.Unlock()
	b.message(platformtest.DiscordMessage("690", "700", platformtest.DiscordGuild, "801", "mon téléphone dit certificat invalide", false))
	if m := b.waitMessage(); !strings.Contains(embedText(m.Body), "mail.ac-lyon.fr") {
		t.Errorf("after reconnecting the answer is %v", m.Body)
	}
	// The connection drops: the adapter comes back again.
	b.conn.Close()
	b.conn = b.fake.WaitConn()
	b.message(platformtest.DiscordMessage("691", "700", platformtest.DiscordGuild, "801", "quel est mon identifiant ?", false))
	b.waitMessage()
}
