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
		// In a conversation: after an answer and a did-you-mean, two "did
		// not help", and with a display name.
		for _, ctx := range []*Context{
			{Answered: []string{"login-page-loop", "gone-entry"}, Offered: []string{"browser-extensions", "gone"}, Lang: English, Name: "Hélène Roux"},
			{Offered: []string{"password-change", "password-reset"}, Suggested: true, NotSolved: 2, Name: q},
		} {
			r, err := fuzzCore.Answer(context.Background(), Question{Text: q, Lang: lang, Context: ctx})
			if err != nil {
				t.Fatal(err)
			}
			if r.Text == "" || (r.Lang != French && r.Lang != English) || r.Confidence < 0 || r.Confidence > 1 {
				t.Fatalf("Answer(%q) in context = %+v", q, r)
			}
		}
	})
}

// Rendering any markdown as plain text: valid UTF-8 out, and a style's hooks
// only ever see escaped text. (Slack's mrkdwn has its own target,
// adapters/slack's FuzzMrkdwn.)
func FuzzRender(f *testing.F) {
	for _, s := range []string{
		"**gras** `code` [lien](https://mail.ac-lyon.fr)", "- a\n- b\n1. c", "[x](!channel)", "<!here>", "a & b < c > d",
		"**", "`", "[", "[a](b", "[a]()", "***x***", "[<@U1>](https://x)", "[a](mailto:dsi@ac-lyon.fr)",
	} {
		f.Add(s)
	}
	angle := strings.NewReplacer("<", "‹", ">", "›")
	st := Style{Bullet: "*", BoldMark: "!", Escape: angle.Replace,
		Code: func(c string) string { return "<code>" + c + "</code>" }, Link: func(t, u string) string { return "<" + u + "|" + t + ">" }}
	f.Fuzz(func(t *testing.T, md string) {
		if !utf8.ValidString(md) {
			return // knowledge files are UTF-8 (the loader checks)
		}
		if out := RenderText(md); !utf8.ValidString(out) {
			t.Fatalf("RenderText(%q) is not valid UTF-8", md)
		}
		out := Render(md, st)
		for _, piece := range strings.FieldsFunc(out, func(r rune) bool { return r == '<' || r == '>' }) {
			if strings.ContainsAny(piece, "<>") {
				t.Fatalf("Render(%q) = %q: unescaped text", md, out)
			}
		}
		if strings.Count(out, "<") != strings.Count(out, ">") {
			t.Fatalf("Render(%q) = %q: only the hooks may write < and >", md, out)
		}
	})
}
