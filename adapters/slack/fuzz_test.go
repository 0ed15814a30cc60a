package slack

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/acad-lyon/helpdesk-bot/intents"
	"github.com/acad-lyon/helpdesk-bot/internal/chat"
)

// Any answer text and title rendered as Block Kit: within Slack's limits,
// valid UTF-8, valid JSON, and no markup that pings or links elsewhere
// than http(s) and mailto.
func FuzzReplyMessage(f *testing.F) {
	for _, s := range []string{
		"**Titre** `code` [lien](https://x.fr)", "<!channel>", "a & b", strings.Repeat("ligne\n", 1000),
		strings.Repeat("👍", 4000), "[x](!here)", "```\ncode\n```", "- a\n- b",
	} {
		f.Add("Titre", s)
	}
	f.Fuzz(func(t *testing.T, title, text string) {
		if !utf8.ValidString(title) || !utf8.ValidString(text) {
			return // the loader only passes UTF-8
		}
		e := &intents.Entry{ID: "entry", Title: intents.Text{FR: title, EN: title}}
		r := intents.Reply{Outcome: intents.Answered, Lang: "fr", Entry: e, Text: text, FollowUps: []*intents.Entry{e}, SeeAlso: "Voir aussi :"}
		for _, m := range []message{replyMessage(r), draw(chat.CannedView(r, "U1")), draw(chat.PreviewView(r, []*intents.Entry{e}))} {
			if len(m.Blocks) > maxBlocks {
				t.Fatalf("%d blocks", len(m.Blocks))
			}
			for _, b := range m.Blocks {
				if s, ok := b.(*slack.SectionBlock); ok {
					if chat.Len(s.Text.Text) > sectionLimit || !utf8.ValidString(s.Text.Text) {
						t.Fatalf("a section of %d characters, or invalid UTF-8", chat.Len(s.Text.Text))
					}
					if strings.Contains(s.Text.Text, "<!") {
						t.Fatalf("a section with a broadcast mention: %q", s.Text.Text)
					}
				}
			}
			if _, err := json.Marshal(m.Blocks); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// Any message text made plain for matching: no panic, valid UTF-8 out when
// valid in, no Slack markup left.
func FuzzPlainText(f *testing.F) {
	for _, s := range []string{"<@U1> aide", "<!channel>", "<https://x|y>", "&lt;&amp;&gt;", "<<@U1>>", "<#C1|général>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := plainText(s)
		if utf8.ValidString(s) && !utf8.ValidString(out) {
			t.Fatalf("plainText(%q) = %q: invalid UTF-8", s, out)
		}
	})
}

// Rendering any markdown as mrkdwn: valid UTF-8 out, and nothing that Slack
// would read as a mention or a link other than http(s) and mailto.
func FuzzMrkdwn(f *testing.F) {
	for _, s := range []string{
		"**gras** `code` [lien](https://mail.ac-lyon.fr)", "- a\n- b\n1. c", "[x](!channel)", "<!here>", "a & b < c > d",
		"**", "`", "[", "[a](b", "[a]()", "***x***", "[<@U1>](https://x)", "[a](mailto:dsi@ac-lyon.fr)",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, md string) {
		if !utf8.ValidString(md) {
			return // knowledge files are UTF-8 (the loader checks)
		}
		out := Mrkdwn(md)
		if !utf8.ValidString(out) {
			t.Fatalf("Mrkdwn(%q) is not valid UTF-8", md)
		}
		for rest := out; strings.IndexByte(rest, '<') >= 0; {
			rest = rest[strings.IndexByte(rest, '<')+1:]
			if !strings.HasPrefix(rest, "http://") && !strings.HasPrefix(rest, "https://") && !strings.HasPrefix(rest, "mailto:") {
				t.Fatalf("Mrkdwn(%q) = %q: Slack markup other than a link", md, out)
			}
			end := strings.IndexByte(rest, '>')
			if end < 0 {
				t.Fatalf("Mrkdwn(%q) = %q: an unclosed link", md, out)
			}
			if strings.ContainsAny(rest[:end], "<") {
				t.Fatalf("Mrkdwn(%q) = %q: a link inside a link", md, out)
			}
			rest = rest[end+1:]
		}
	})
}
