package discord

import (
	"context"
	"encoding/json"
	"flag"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/acad-lyon/helpdesk-bot/intents"
	"github.com/acad-lyon/helpdesk-bot/internal/chat"
	"github.com/acad-lyon/helpdesk-bot/internal/chat/chattest"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// The messages of a few replies, as Discord receives them.
func TestMessagesGolden(t *testing.T) {
	c := chattest.Shipped(t)
	kb := c.Knowledge()
	ask := func(q string) intents.Reply {
		r, err := c.Answer(context.Background(), intents.Question{Text: q})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	e, _ := kb.Entry("login-identifier")
	cases := []struct {
		name  string
		posts []post
	}{
		{"answer-imap-fr", replyPosts(ask("comment configurer ma messagerie sur mon téléphone en imap ?"))},
		{"answer-two-accounts-en", replyPosts(ask("how can I use my two mailboxes at the same time"))},
		{"did-you-mean-fr", replyPosts(ask("ça marche pas"))},
		{"which-one-fr", replyPosts(ask("mail"))},
		{"fallback-en", replyPosts(ask("who won the football world cup in 1998"))},
		{"redirect-wifi-en", replyPosts(ask("eduroam keeps asking for my password"))},
		{"faq-posted-fr", draw(chat.CannedView(c.AnswerEntry(e, "fr"), "agent-dsi"))},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var msgs []*discordgo.MessageSend
			for _, p := range tc.posts {
				msgs = append(msgs, &discordgo.MessageSend{Content: p.Content, Embeds: p.Embeds, Components: p.Components, AllowedMentions: noMentions()})
				checkLimits(t, p)
			}
			got, err := json.MarshalIndent(msgs, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			chattest.Golden(t, tc.name, got, *update)
		})
	}
}

func checkLimits(t *testing.T, p post) {
	t.Helper()
	if chat.Len(p.Content) > contentLimit {
		t.Errorf("content of %d characters", chat.Len(p.Content))
	}
	total := 0
	for _, e := range p.Embeds {
		if chat.Len(e.Description) > descriptionLimit || chat.Len(e.Title) > titleLimit {
			t.Errorf("embed of %d / %d characters", chat.Len(e.Title), chat.Len(e.Description))
		}
		total += chat.Len(e.Title) + chat.Len(e.Description)
	}
	if total > embedsTotal || len(p.Embeds) > maxEmbeds {
		t.Errorf("%d embeds, %d characters", len(p.Embeds), total)
	}
	if len(p.Components) > maxRows {
		t.Errorf("%d rows", len(p.Components))
	}
	for _, c := range p.Components {
		row := c.(*discordgo.ActionsRow)
		if len(row.Components) > rowButtons {
			t.Errorf("a row of %d buttons", len(row.Components))
		}
		for _, b := range row.Components {
			btn := b.(*discordgo.Button)
			if chat.Len(btn.Label) > buttonLimit || len(btn.CustomID) > customIDLimit {
				t.Errorf("button %q / %q over the limits", btn.Label, btn.CustomID)
			}
		}
	}
}

func TestSplitLongAnswer(t *testing.T) {
	c := chattest.Shipped(t)
	e, _ := c.Knowledge().Entry("imap-settings")
	r := c.AnswerEntry(e, "fr")
	r.Text = strings.Repeat("Une ligne assez longue pour remplir plusieurs messages Discord, avec un émoji 👍.\n", 400)
	posts := replyPosts(r)
	if len(posts) < 5 {
		t.Errorf("%d messages for %d characters", len(posts), chat.Len(r.Text))
	}
	for i, p := range posts {
		checkLimits(t, p)
		if (i < len(posts)-1) == (len(p.Components) > 0) {
			t.Errorf("message %d of %d: %d rows of buttons; want buttons on the last only", i+1, len(posts), len(p.Components))
		}
	}
	if posts[0].Embeds[0].Title == "" || posts[1].Embeds[0].Title != "" {
		t.Error("the title belongs to the first embed only")
	}
}

func TestPlainText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"<@100> mot de passe oublié", "mot de passe oublié"},
		{"<@!100> @everyone @here <@&5> <#7> aide", "aide"},
		{"imap <:pepe:123456> <a:dance:42> <t:1700000000:R>", "imap"},
		{"email@here.fr", "email@here.fr"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := plainText(tt.in); got != tt.want {
			t.Errorf("plainText(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestCustomIDRoundTrip(t *testing.T) {
	ref := chat.Ref{ID: "imap-settings", Lang: "en"}
	action, got, ok := parseCustomID(button("x", discordgo.SuccessButton, chat.ActionYes, ref).CustomID)
	if !ok || action != chat.ActionYes || got != ref {
		t.Errorf("parseCustomID = %q, %v, %v; want %q, %v", action, got, ok, chat.ActionYes, ref)
	}
	for _, bad := range []string{"", "vote-yes", "vote-yes:imap", "x:imap|de"} {
		if _, _, ok := parseCustomID(bad); ok {
			t.Errorf("parseCustomID(%q) ok; want refused", bad)
		}
	}
}

func TestRedraw(t *testing.T) {
	ref := chat.Ref{ID: "imap-settings", Lang: "fr"}
	buttonState := func(comps []discordgo.MessageComponent) (bool, bool) {
		var actions []string
		eachButton(comps, func(b *discordgo.Button) {
			a, _, _ := parseCustomID(b.CustomID)
			actions = append(actions, a)
		})
		return chat.FeedbackState(actions)
	}
	comps := append(rows([]discordgo.Button{button("IMAP ou POP ?", discordgo.PrimaryButton, chat.ActionSee, chat.Ref{ID: "imap-vs-pop", Lang: "fr"})}), rows(drawRow(chat.FeedbackRow(ref, false, false)))...)
	if v, c := buttonState(comps); v || c {
		t.Errorf("fresh: voted %v, called %v", v, c)
	}
	voted := redraw(comps, chat.FeedbackRow(ref, true, false))
	if v, c := buttonState(voted); !v || c {
		t.Errorf("after a vote: voted %v, called %v", v, c)
	}
	var see int
	eachButton(voted, func(b *discordgo.Button) {
		if strings.HasPrefix(b.CustomID, chat.ActionSee+":") {
			see++
		}
	})
	if see != 1 {
		t.Errorf("the see-also button was lost in the redraw")
	}
}
