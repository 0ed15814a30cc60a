package discord

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/acad-lyon/helpdesk-bot/intents"
	"github.com/acad-lyon/helpdesk-bot/internal/chat"
)

// Any answer rendered as Discord messages: every message within Discord's
// limits (content, embeds, buttons), valid UTF-8 and JSON, nothing lost.
func FuzzReplyPosts(f *testing.F) {
	for _, s := range []string{
		"**Titre** `code` [lien](https://x.fr)", "@everyone", strings.Repeat("ligne\n", 3000), strings.Repeat("👍", 9000),
		"```\ncode\n```", strings.Repeat("x", 20000),
	} {
		f.Add("Titre", s)
	}
	f.Fuzz(func(t *testing.T, title, text string) {
		if !utf8.ValidString(title) || !utf8.ValidString(text) {
			return
		}
		e := &intents.Entry{ID: "entry", Title: intents.Text{FR: title, EN: title}}
		r := intents.Reply{Outcome: intents.Answered, Lang: "fr", Entry: e, Text: text, FollowUps: []*intents.Entry{e}}
		posts := replyPosts(r)
		total := 0
		for i, p := range posts {
			checkLimits(t, p)
			if (i == len(posts)-1) != (len(p.Components) > 0) {
				t.Fatalf("buttons on message %d of %d", i+1, len(posts))
			}
			for _, e := range p.Embeds {
				total += len(strings.Fields(e.Description))
			}
			if _, err := json.Marshal(p.Embeds); err != nil {
				t.Fatal(err)
			}
		}
		if want := len(strings.Fields(text)); total < want-len(posts)*2 {
			t.Fatalf("the messages carry %d words of %d", total, want)
		}
		for _, p := range textPosts(text) {
			if chat.Len(p.Content) > contentLimit {
				t.Fatalf("content of %d characters", chat.Len(p.Content))
			}
		}
	})
}

// Any message made plain for matching: no panic, no @everyone or @here
// left standing alone.
func FuzzPlainText(f *testing.F) {
	for _, s := range []string{"<@1> aide", "@everyone", "a@here.fr", "<@&1><#2><:e:3>", "@@everyone"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := plainText(s)
		for _, w := range strings.Fields(out) {
			if w == "@everyone" || w == "@here" {
				t.Fatalf("plainText(%q) = %q keeps a broadcast mention", s, out)
			}
		}
	})
}
