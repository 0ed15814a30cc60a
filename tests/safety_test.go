package tests

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/acad-lyon/helpdesk-bot/adapters/discord"
	"github.com/acad-lyon/helpdesk-bot/adapters/slack"
	"github.com/acad-lyon/helpdesk-bot/internal/chat"
	"github.com/acad-lyon/helpdesk-bot/internal/platformtest"
)

// secretMessages carry each shape of secret, in both languages; secret is
// the part that must never come out again.
var secretMessages = []struct{ text, secret string }{
	{"bonjour mon numen c'est 10E0512345ABC et ça marche pas", "10E0512345ABC"},
	{"mon numen : 69 p 99 12345 xyz", "12345 xyz"},
	{"mon mot de passe est Soleil2024! pourquoi ça ne marche pas", "Soleil2024"},
	{"mdp : chouquette75", "chouquette75"},
	{"hi, my password is Hunter2! and I cannot log in", "Hunter2"},
	{"password: correct-horse-battery", "correct-horse-battery"},
}

// leaks reports whether a secret appears in any of the texts.
func leaks(secret string, texts ...string) bool {
	for _, t := range texts {
		if strings.Contains(t, secret) || strings.Contains(strings.ToLower(t), strings.ToLower(secret)) {
			return true
		}
	}
	return false
}

func TestSlackSecretGuard(t *testing.T) {
	b := startSlack(t, true)
	for i, m := range secretMessages {
		// In a channel where the bot is not even addressed, in a DM, in a mention.
		ev := []map[string]any{
			channelMessage("CRANDOM", "channel", fmt.Sprintf("20.%06d", i), m.text),
			channelMessage("DTEACHER", "im", fmt.Sprintf("21.%06d", i), m.text),
			mention("CGENERAL", fmt.Sprintf("22.%06d", i), m.text),
		}
		for j, e := range ev {
			b.event(fmt.Sprintf("EvSecret%d-%d", i, j), e)
			p := b.fake.WaitEphemeral()
			if p.User != "UTEACHER" || p.Channel != e["channel"] {
				t.Errorf("%q: warning shown to %q in %q; want privately to UTEACHER in %v", m.text, p.User, p.Channel, e["channel"])
			}
			text := p.Text + platformtest.BlocksText(p.Blocks)
			if !strings.Contains(strings.ToLower(text), "supprimez") && !strings.Contains(strings.ToLower(text), "delete") {
				t.Errorf("%q: the warning does not say to delete the message: %q", m.text, text)
			}
			if leaks(m.secret, text) {
				t.Errorf("%q: the warning echoes the secret", m.text)
			}
		}
	}
	// /faq with a password, by mistake.
	b.command("mon mot de passe est Soleil2024!")
	if r := b.fake.WaitResponse(); r.Body["response_type"] != "ephemeral" {
		t.Errorf("/faq with a password = %v; want a private warning", r.Body)
	}
	if err := b.stop(); err != nil {
		t.Fatal(err)
	}
	if posts, _ := b.fake.Counts(); posts != 0 {
		t.Errorf("%d public messages; want none for messages carrying a secret", posts)
	}
	b.rec.mu.Lock()
	defer b.rec.mu.Unlock()
	if len(b.rec.unanswered) != 0 {
		t.Errorf("stored %d questions carrying a secret; want none", len(b.rec.unanswered))
	}
	for _, m := range secretMessages {
		if leaks(m.secret, b.log.String()) {
			t.Errorf("the log contains the secret of %q", m.text)
		}
	}
}

func TestDiscordSecretGuard(t *testing.T) {
	b := startDiscord(t)
	for i, m := range secretMessages {
		b.message(platformtest.DiscordMessage(fmt.Sprintf("70%d", i), "650", platformtest.DiscordGuild, "801", m.text, false)) // not addressed
		p := b.waitMessage()
		if p.Body["channel_id"] != "9801" {
			t.Errorf("%q: warning sent in %v; want a direct message to the author (9801)", m.text, p.Body["channel_id"])
		}
		raw, _ := json.Marshal(p.Body)
		if leaks(m.secret, string(raw)) {
			t.Errorf("%q: the warning echoes the secret", m.text)
		}
	}
	if err := b.stop(); err != nil {
		t.Fatal(err)
	}
	b.fake.Mu.Lock()
	for _, c := range b.fake.Messages {
		if c.Body["channel_id"] != "9801" {
			t.Errorf("a message in %v; want only direct messages to the author", c.Body["channel_id"])
		}
	}
	b.fake.Mu.Unlock()
	if b.rec.allVotes() != nil || len(b.rec.unanswered) != 0 {
		t.Error("something of a message carrying a secret was stored")
	}
	for _, m := range secretMessages {
		if leaks(m.secret, b.log.String()) {
			t.Errorf("the log contains the secret of %q", m.text)
		}
	}
}

func TestSlackFloodControl(t *testing.T) {
	b := startSlack(t, true, func(c *slack.Config) {
		c.Flood = chat.NewFlood(chat.FloodLimits{UserPerMinute: 10, ChannelPerMinute: 60})
	})
	// One person asks 8 questions at once: 5 answers (the burst), one
	// private notice, then silence.
	for i := range 8 {
		b.event(fmt.Sprintf("EvF%d", i), mention("CGENERAL", fmt.Sprintf("30.%06d", i), "quel est le port imap ?"))
	}
	notice := b.fake.WaitEphemeral()
	if notice.User != "UTEACHER" || !strings.Contains(notice.Text, "minute") {
		t.Errorf("flood notice %+v; want a private notice to UTEACHER", notice)
	}
	if err := b.stop(); err != nil {
		t.Fatal(err)
	}
	posts, _ := b.fake.Counts()
	b.fake.Mu.Lock()
	eph := len(b.fake.Ephemerals)
	b.fake.Mu.Unlock()
	if posts != 5 || eph != 1 {
		t.Errorf("%d answers and %d notices to 8 questions at once; want 5 and 1", posts, eph)
	}
}

func TestDiscordFloodControlPerChannel(t *testing.T) {
	b := startDiscord(t, func(c *discord.Config, _ *discordBot) {
		c.Flood = chat.NewFlood(chat.FloodLimits{UserPerMinute: 10, ChannelPerMinute: 3})
	})
	// Six people at once in a channel limited to bursts of 3.
	for i := range 6 {
		b.message(platformtest.DiscordMessage(fmt.Sprintf("80%d", i), "700", platformtest.DiscordGuild, fmt.Sprintf("90%d", i), "quel est le port imap ?", false))
	}
	for range 4 {
		b.waitMessage()
	}
	if err := b.stop(); err != nil {
		t.Fatal(err)
	}
	b.fake.Mu.Lock()
	defer b.fake.Mu.Unlock()
	notices := 0
	for _, c := range b.fake.Messages {
		if c.Body["content"] == chat.LabelsIn("fr").FloodChannel {
			notices++
		}
	}
	if len(b.fake.Messages) != 4 || notices != 1 {
		t.Errorf("%d messages with %d channel notices; want 3 answers and 1 notice", len(b.fake.Messages), notices)
	}
}

// hostile are messages people paste under stress, or to break things.
var hostile = []string{
	"", "   ", "😀😀😀", "\u0000\u0007 mot de passe oublié", "\xff\xfe", "<!channel> aide", "<!here|here> @everyone",
	"```\nERROR 42\n```", "[cliquez ici](https://evil.example) <https://evil.example|mail>", "<script>alert(1)</script>",
	"Пароль 密码 كلمة mot de passe", strings.Repeat("ERROR connection refused ", 1000), "*_~`>", "&lt;!channel&gt;",
}

func TestSlackHostileInput(t *testing.T) {
	b := startSlack(t, true)
	for i, h := range hostile {
		m := mention("CGENERAL", fmt.Sprintf("40.%06d", i), h)
		m["user"] = fmt.Sprintf("UH%d", i) // many people: no flood limit
		b.event(fmt.Sprintf("EvH%d", i), m)
	}
	for range hostile {
		p := b.fake.WaitPost()
		if p.Text == "" || len(p.Blocks) == 0 {
			t.Errorf("an empty reply: %+v", p)
		}
		if strings.Contains(p.Text+platformtest.BlocksText(p.Blocks), "evil.example") {
			t.Errorf("a reply echoes a link from the message")
		}
	}
	// checkHygiene at cleanup: no broadcast mention in any message.
}

func TestDiscordHostileInput(t *testing.T) {
	b := startDiscord(t)
	for i, h := range hostile {
		b.message(platformtest.DiscordMessage(fmt.Sprintf("50%d", i), "650", platformtest.DiscordGuild, fmt.Sprintf("60%d", i), "<@"+platformtest.DiscordBotID+"> "+h, true))
	}
	for range hostile {
		m := b.waitMessage()
		raw, _ := json.Marshal(m.Body)
		if strings.Contains(string(raw), "evil.example") {
			t.Errorf("a reply echoes a link from the message")
		}
	}
	// checkHygiene at cleanup: allowed_mentions everywhere, limits kept.
}
