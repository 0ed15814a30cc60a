package intents

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

// Loading any bytes as knowledge: no panic; either knowledge or problems,
// each naming the file and a line.
func FuzzParse(f *testing.F) {
	if b, err := os.ReadFile(shipped); err == nil {
		f.Add(b)
	}
	for _, s := range []string{
		"", "version: 1", "entries:\n  - id: x\n    titel: y\n", "entries: [", "\t\tbad: indent", "version: 2\nentries: []",
		"entries:\n  - id: a\n    follow_up: [a, b]\n", "messages:\n  fallback: {fr: x}\n", "synonyms: [[a, b], 3]",
		"entries:\n- &a {id: x}\n- *a\n", "? [a]\n: b\n", "\xff\xfe",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		kb, err := Parse([]string{"f.yaml"}, map[string][]byte{"f.yaml": src})
		if err == nil {
			if kb == nil {
				t.Fatal("Parse returned neither knowledge nor an error")
			}
			return
		}
		if probs, ok := err.(Problems); ok {
			for _, p := range probs {
				if p.File != "f.yaml" || p.Line < 0 || p.Msg == "" {
					t.Fatalf("problem without a place or a message: %+v", p)
				}
			}
		}
	})
}

var (
	fuzzCoreOnce sync.Once
	fuzzCore     *Core
)

// Answering any text: no panic, a reply with text, a known language, a
// confidence in [0, 1], and nothing of the question echoed back.
func FuzzAnswer(f *testing.F) {
	for _, s := range []string{
		"", " ", "jai oublie mon mdp", "mon mot de passe est Soleil2024!", "10E0512345ABC", "😀", "\xff",
		"<!channel>", "@everyone", "```x```", "[a](https://evil.example)", strings.Repeat("imap ", 400),
	} {
		f.Add(s, "")
	}
	fuzzCoreOnce.Do(func() {
		kb, err := Load(shipped)
		if err != nil {
			panic(err)
		}
		if fuzzCore, err = NewCore(kb); err != nil {
			panic(err)
		}
	})
	f.Fuzz(func(t *testing.T, q, lang string) {
		r, err := fuzzCore.Answer(context.Background(), Question{Text: q, Lang: lang})
		if err != nil {
			t.Fatal(err)
		}
		if r.Text == "" || (r.Lang != French && r.Lang != English) || r.Confidence < 0 || r.Confidence > 1 {
			t.Fatalf("Answer(%q) = %+v", q, r)
		}
		if len(q) >= 12 && strings.Contains(r.Markdown(), q) {
			t.Fatalf("Answer(%q) echoes the question", q)
		}
	})
}

// Rendering any markdown: valid UTF-8 out; in Slack mrkdwn, nothing that
// Slack would read as a mention or a link other than http(s) and mailto.
func FuzzRender(f *testing.F) {
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
		for _, format := range Formats {
			out := Render(md, format)
			if !utf8.ValidString(out) {
				t.Fatalf("Render(%q, %s) is not valid UTF-8", md, format)
			}
		}
		slack := Render(md, FormatSlack)
		for i := strings.IndexByte(slack, '<'); i >= 0; i = strings.IndexByte(slack, '<') {
			rest := slack[i+1:]
			if !strings.HasPrefix(rest, "http://") && !strings.HasPrefix(rest, "https://") && !strings.HasPrefix(rest, "mailto:") {
				t.Fatalf("Render(%q, slack) = %q: Slack markup other than a link", md, Render(md, FormatSlack))
			}
			end := strings.IndexByte(rest, '>')
			if end < 0 {
				t.Fatalf("Render(%q, slack) = %q: an unclosed link", md, Render(md, FormatSlack))
			}
			if strings.ContainsAny(rest[:end], "<") {
				t.Fatalf("Render(%q, slack) = %q: a link inside a link", md, Render(md, FormatSlack))
			}
			slack = rest[end+1:]
		}
	})
}
