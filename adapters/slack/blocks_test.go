package slack

import (
	"context"
	"encoding/json"
	"flag"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/acad-lyon/helpdesk-bot/intents"
	"github.com/acad-lyon/helpdesk-bot/internal/chat"
	"github.com/acad-lyon/helpdesk-bot/internal/chat/chattest"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func TestMrkdwn(t *testing.T) {
	tests := []struct{ in, want string }{
		{"**gras** et `code`", "*gras* et `code`"},
		{"[guide](https://example.org/a)", "<https://example.org/a|guide>"},
		{"[x](!channel)", "x (!channel)"},
		{"- un\n- deux", "• un\n• deux"},
		{"a < b & c > d <!channel>", "a &lt; b &amp; c &gt; d &lt;!channel&gt;"},
		{"`<!here>`", "`&lt;!here&gt;`"},
		{"5 * 3 [not a link]", "5 * 3 [not a link]"},
	}
	for _, tt := range tests {
		if got := Mrkdwn(tt.in); got != tt.want {
			t.Errorf("Mrkdwn(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

// Canned answers as agents paste them into Slack (`bot answer --format
// slack`).
func TestMrkdwnGolden(t *testing.T) {
	c := chattest.Shipped(t)
	for _, id := range []string{"imap-settings", "login-identifier", "certificate-warning"} {
		e, _ := c.Knowledge().Entry(id)
		for _, lang := range intents.Languages {
			chattest.Golden(t, "canned-"+id+"."+lang, []byte(Mrkdwn(c.AnswerEntry(e, lang).Markdown())+"\n"), *update)
		}
	}
}

// The Block Kit of a few replies, as Slack receives it.
func TestBlockKitGolden(t *testing.T) {
	c := chattest.Shipped(t)
	kb := c.Knowledge()
	ask := func(q, lang string) intents.Reply {
		r, err := c.Answer(context.Background(), intents.Question{Text: q, Lang: lang})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	entry := func(id string) *intents.Entry {
		e, ok := kb.Entry(id)
		if !ok {
			t.Fatalf("no entry %s", id)
		}
		return e
	}
	cases := []struct {
		name string
		msg  message
		want intents.Outcome
	}{
		{"answer-imap-fr", replyMessage(ask("comment configurer ma messagerie sur mon téléphone en imap ?", "")), intents.Answered},
		{"answer-certificate-en", replyMessage(ask("my phone says the certificate is invalid", "")), intents.Answered},
		{"did-you-mean-fr", replyMessage(ask("ça marche pas", "")), intents.Suggested},
		{"which-one-fr", replyMessage(ask("mail", "")), intents.Suggested},
		{"fallback-en", replyMessage(ask("who won the football world cup in 1998", "")), intents.Fallback},
		{"redirect-pronote-fr", replyMessage(ask("j'ai perdu mon mot de passe pronote", "")), intents.Redirected},
		{"faq-preview-fr", draw(chat.PreviewView(c.AnswerEntry(entry("default-password"), "fr"), []*intents.Entry{entry("password-reset")})), ""},
		{"faq-posted-fr", draw(chat.CannedView(c.AnswerEntry(entry("login-identifier"), "fr"), "UAGENT")), ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := json.MarshalIndent(map[string]any{"text": tc.msg.Text, "blocks": tc.msg.Blocks}, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			chattest.Golden(t, tc.name, got, *update)
			checkLimits(t, tc.msg)
		})
	}
}

// checkLimits asserts Slack's limits: 50 blocks, 3000 characters a section.
func checkLimits(t *testing.T, m message) {
	t.Helper()
	if len(m.Blocks) > maxBlocks {
		t.Errorf("%d blocks; Slack takes %d", len(m.Blocks), maxBlocks)
	}
	for _, b := range m.Blocks {
		if s, ok := b.(*slack.SectionBlock); ok && chat.Len(s.Text.Text) > sectionLimit {
			t.Errorf("a section of %d characters; Slack takes %d", chat.Len(s.Text.Text), sectionLimit)
		}
	}
}

func TestLongAnswerWithinLimits(t *testing.T) {
	c := chattest.Shipped(t)
	e, _ := c.Knowledge().Entry("imap-settings")
	r := c.AnswerEntry(e, "fr")
	r.Text = strings.Repeat("Une ligne de réponse assez longue pour remplir les blocs <&>.\n", 3000)
	m := replyMessage(r)
	checkLimits(t, m)
	last := m.Blocks[len(m.Blocks)-1]
	if a, ok := last.(*slack.ActionBlock); !ok || a.BlockID != chat.RowFeedback {
		t.Errorf("the feedback buttons were cut from a long answer")
	}
	if chat.Len(m.Text) > fallbackLimit {
		t.Errorf("notification text of %d characters", chat.Len(m.Text))
	}
}

func TestPlainText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"<@UBOT> mot de passe oublié", "mot de passe oublié"},
		{"<!channel> aide &lt;svp&gt; &amp; merci", "aide <svp> & merci"},
		{"voir <#C123|aide-info> et <https://mail.ac-lyon.fr|mail.ac-lyon.fr>", "voir aide-info et mail.ac-lyon.fr"},
		{"écrire à <mailto:dsi@ac-lyon.fr>", "écrire à dsi@ac-lyon.fr"},
		{"<@U1|marie> <!subteam^S1|@dsi> imap", "imap"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := plainText(tt.in); got != tt.want {
			t.Errorf("plainText(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestFeedbackState(t *testing.T) {
	ref := chat.Ref{ID: "imap-settings", Lang: "fr"}
	state := func(blocks []slack.Block) (bool, bool) {
		var actions []string
		for _, b := range buttons(blocks) {
			actions = append(actions, actionName(b.ActionID))
		}
		return chat.FeedbackState(actions)
	}
	fresh := drawRow(chat.FeedbackRow(ref, false, false))
	if v, c := state(fresh); v || c {
		t.Errorf("state(fresh) = %v, %v; want false, false", v, c)
	}
	voted := replaceFeedback(fresh, chat.FeedbackRow(ref, true, false))
	if v, c := state(voted); !v || c {
		t.Errorf("state(voted) = %v, %v; want true, false", v, c)
	}
	both := replaceFeedback(voted, chat.FeedbackRow(ref, true, true))
	if len(both) != 1 {
		t.Errorf("voted and called: %d blocks; want the thanks only", len(both))
	}
}
