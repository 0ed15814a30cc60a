package tests

import (
	"strings"
	"testing"
	"time"

	"github.com/acad-lyon/helpdesk-bot/adapters/discord"
	"github.com/acad-lyon/helpdesk-bot/adapters/slack"
	"github.com/acad-lyon/helpdesk-bot/internal/chat"
	"github.com/acad-lyon/helpdesk-bot/internal/platformtest"
)

// threadReply is a message in a Slack thread, without a mention.
func threadReply(user, channel, thread, ts, text string) map[string]any {
	return map[string]any{"type": "message", "user": user, "text": text, "ts": ts, "thread_ts": thread, "channel": channel, "channel_type": "channel", "event_ts": ts}
}

// wantPost waits for the bot's next message and checks where it is and what
// it says.
func wantPost(t *testing.T, fake *platformtest.Slack, channel, thread string, says ...string) platformtest.SlackPost {
	t.Helper()
	p := fake.WaitPost()
	if p.Channel != channel || p.Thread != thread {
		t.Errorf("posted in %s thread %q; want %s thread %q", p.Channel, p.Thread, channel, thread)
	}
	all := p.Text + "\n" + platformtest.BlocksText(p.Blocks)
	for _, s := range says {
		if !strings.Contains(all, s) {
			t.Errorf("the message does not say %q:\n%s", s, all)
		}
	}
	return p
}

// A conversation in a Slack thread, end to end: a follow-up read with the
// thread's topic, "still not working" takes the next step, replies in the
// thread need no mention from the person who started it (and another
// person's are left to people), a "did you mean" answered in words, the
// person's identifier from their Slack profile, and a hand-off whose call
// for the helpdesk carries what was tried.
func TestSlackConversationInAThread(t *testing.T) {
	b := startSlack(t, true, func(c *slack.Config) { c.Flood = chat.NewFlood(chat.FloodLimits{}) })
	b.fake.Mu.Lock()
	b.fake.Names = map[string]string{"UTEACHER": "Hélène Roux"}
	b.fake.Mu.Unlock()

	// A follow-up: "et le port ?" is about the phone's settings.
	b.event("EvA1", mention("CGENERAL", "10.000100", "je veux mes mails sur mon samsung"))
	wantPost(t, b.fake, "CGENERAL", "10.000100", "mail.ac-lyon.fr")
	b.event("EvA2", threadReply("UTEACHER", "CGENERAL", "10.000100", "10.000200", "et le port ?"))
	wantPost(t, b.fake, "CGENERAL", "10.000100", "993")

	// Still not working: the next step, then a person.
	b.event("EvB1", mention("CGENERAL", "20.000100", "la page de connexion du webmail tourne en boucle"))
	wantPost(t, b.fake, "CGENERAL", "20.000100", "cache")
	b.event("EvB2", threadReply("UOTHER", "CGENERAL", "20.000100", "20.000150", "moi aussi j'ai vidé le cache, rien ne change"))
	b.event("EvB3", threadReply("UTEACHER", "CGENERAL", "20.000100", "20.000200", "j'ai vidé le cache, rien ne change"))
	wantPost(t, b.fake, "CGENERAL", "20.000100", "extensions")
	b.event("EvB4", threadReply("UTEACHER", "CGENERAL", "20.000100", "20.000300", "toujours pas"))
	wantPost(t, b.fake, "CGENERAL", "20.000100", "DSI")
	call := wantPost(t, b.fake, "CGENERAL", "20.000100", "<!subteam^S0HELP>", "<@UTEACHER>", "Déjà essayé", "boucle", "xtensions", "français")
	if strings.Contains(call.Text, "rien ne change") {
		t.Errorf("the call for the helpdesk repeats the person's words: %q", call.Text)
	}

	// A did-you-mean answered in words, in a direct message.
	b.event("EvC1", channelMessage("DTEACHER", "im", "30.000100", "mdp"))
	p := wantPost(t, b.fake, "DTEACHER", "")
	if _, ok := platformtest.Buttons(p.Blocks)["pick"]; !ok && !strings.Contains(platformtest.BlocksText(p.Blocks), "?") {
		t.Errorf("\"mdp\" got no did-you-mean: %s", platformtest.BlocksText(p.Blocks))
	}
	b.event("EvC2", channelMessage("DTEACHER", "im", "30.000200", "non je l'ai oublié"))
	wantPost(t, b.fake, "DTEACHER", "", "DSI", "NUMEN")

	// "c'est quoi mon identifiant ?": the name Slack shows, said as such.
	b.event("EvD1", mention("CGENERAL", "40.000100", "c'est quoi mon identifiant convergence ?"))
	wantPost(t, b.fake, "CGENERAL", "40.000100", "hroux", "Hélène Roux")

	if err := b.stop(); err != nil {
		t.Fatal(err)
	}
	if posts, _ := b.fake.Counts(); posts != 9 {
		t.Errorf("%d messages; want 9 (UOTHER's reply in the thread is left to people)", posts)
	}
}

// Two replicas answering alternate turns of one thread read the same
// memory, kept in the store they share.
func TestSlackConversationAcrossReplicas(t *testing.T) {
	stores := replicaStores(t, 2)
	fake := platformtest.NewSlack(t)
	var bots []*slackBot
	for _, st := range stores {
		bots = append(bots, startSlackOn(t, fake, true, func(c *slack.Config) {
			c.Claims, c.Recorder, c.Threads, c.Flood = st, st, st, chat.NewFlood(chat.FloodLimits{})
		}))
	}
	turns := []struct{ text, says string }{
		{"la page de connexion du webmail tourne en boucle", "cache"},
		{"j'ai vidé le cache, rien ne change", "extensions"},
		{"toujours pas", "DSI"},
	}
	for i, turn := range turns {
		b := bots[i%2]
		if i == 0 {
			b.event("EvR0", mention("CGENERAL", "50.000100", turn.text))
		} else {
			b.event("EvR"+string(rune('0'+i)), threadReply("UTEACHER", "CGENERAL", "50.000100", "50.00"+string(rune('0'+i))+"000", turn.text))
		}
		wantPost(t, fake, "CGENERAL", "50.000100", turn.says)
		if i == 2 {
			wantPost(t, fake, "CGENERAL", "50.000100", "<!subteam^S0HELP>", "Déjà essayé")
		}
	}
	eventually(t, 5*time.Second, "the bots to stop", func() bool {
		for _, b := range bots {
			if err := b.stop(); err != nil {
				t.Fatal(err)
			}
		}
		return true
	})
}

// A conversation on Discord, end to end: a reply to the bot's answer is
// addressed to it without a mention and read with its topic; "still not
// working" takes the next step, then hands over, calling the helpdesk role
// with what was tried; the global name gives the person's identifier.
func TestDiscordConversation(t *testing.T) {
	b := startDiscord(t, func(c *discord.Config, _ *discordBot) { c.Flood = chat.NewFlood(chat.FloodLimits{}) })
	bot := platformtest.DiscordBotID
	ask := func(id, content string, mentions bool, replyTo string) {
		m := platformtest.DiscordMessage(id, "650", platformtest.DiscordGuild, "801", content, mentions)
		m["author"].(map[string]any)["global_name"] = "Hélène Roux"
		if replyTo != "" {
			m["type"] = 19
			m["message_reference"] = map[string]any{"message_id": replyTo, "channel_id": "650", "guild_id": platformtest.DiscordGuild}
			m["referenced_message"] = map[string]any{"id": replyTo, "channel_id": "650", "content": "", "type": 19,
				"author": map[string]any{"id": bot, "username": "assistant", "bot": true}, "timestamp": "2026-11-27T08:00:00.000000+00:00"}
		}
		b.message(m)
	}
	says := func(m platformtest.DiscordCall, want ...string) {
		t.Helper()
		text, _ := m.Body["content"].(string)
		text += "\n" + embedText(m.Body)
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("the message does not say %q:\n%s", w, text)
			}
		}
	}
	ask("611", "<@"+bot+"> la page de connexion du webmail tourne en boucle", true, "")
	says(b.waitMessage(), "cache")
	ask("612", "j'ai vidé le cache, rien ne change", false, "9001") // a reply to the bot's answer
	says(b.waitMessage(), "xtensions")
	ask("613", "toujours pas", false, "9002")
	says(b.waitMessage(), "DSI")
	call := b.waitMessage()
	says(call, "<@&"+helpdeskRole+">", "<@801>", "Déjà essayé", "boucle", "français")
	if am, _ := call.Body["allowed_mentions"].(map[string]any); am == nil || len(am["roles"].([]any)) != 1 {
		t.Errorf("the call's allowed_mentions %v; want the helpdesk role alone", call.Body["allowed_mentions"])
	}
	ask("614", "<@"+bot+"> c'est quoi mon identifiant convergence ?", true, "")
	says(b.waitMessage(), "hroux", "Hélène Roux")
	// A follow-up in the same channel, without a mention, is not for the
	// bot: only replies to it and mentions are.
	ask("615", "et le port ?", false, "")
	select {
	case m := <-b.fake.MessageC:
		t.Errorf("the bot answered a message not meant for it: %v", m.Body)
	case <-time.After(300 * time.Millisecond):
	}
}
