package intents

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func TestRenderText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"**gras** et `code`", "gras et code"},
		{"[guide](https://example.org/a)", "guide (https://example.org/a)"},
		{"[https://example.org](https://example.org)", "https://example.org"},
		{"[x](!channel)", "x (!channel)"},
		{"- un\n- deux", "- un\n- deux"},
		{"1. un", "1. un"},
		{"5 * 3 [not a link]", "5 * 3 [not a link]"},
	}
	for _, tt := range tests {
		if got := RenderText(tt.in); got != tt.want {
			t.Errorf("RenderText(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

// A style's hooks write what a platform needs; links only for web and mail
// addresses, everything else escaped.
func TestRenderStyle(t *testing.T) {
	st := Style{Bullet: "•", BoldMark: "*", Escape: func(s string) string { return "{" + s + "}" },
		Code: func(c string) string { return "`" + c + "`" }, Link: func(text, url string) string { return "<" + url + "|" + text + ">" }}
	tests := []struct{ in, want string }{
		{"**gras** `x`", "*{gras}*{ }`{x}`"},
		{"[guide](https://example.org/a)", "<{https://example.org/a}|{guide}>"},
		{"[x](javascript:alert)", "{x (javascript:alert)}"},
		{"- un", "• {un}"},
	}
	for _, tt := range tests {
		if got := Render(tt.in, st); got != tt.want {
			t.Errorf("Render(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

// Golden files hold the canned answers as agents paste them from a
// terminal, as text and as the knowledge's markdown (which Discord shows as
// it is); Slack's mrkdwn has its own in adapters/slack.
func TestRenderGolden(t *testing.T) {
	core, err := NewCore(loadShipped(t))
	if err != nil {
		t.Fatal(err)
	}
	formats := map[string]func(string) string{"text": RenderText, "markdown": func(md string) string { return md }}
	for _, id := range []string{"imap-settings", "login-identifier", "certificate-warning"} {
		e, _ := core.Knowledge().Entry(id)
		for _, lang := range Languages {
			for f, render := range formats {
				name := filepath.Join("testdata", id+"."+lang+"."+f+".golden")
				got := render(core.AnswerEntry(e, lang).Markdown()) + "\n"
				if *update {
					os.MkdirAll("testdata", 0o755)
					if err := os.WriteFile(name, []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
					continue
				}
				want, err := os.ReadFile(name)
				if err != nil {
					t.Fatalf("%v (run go test ./intents -update)", err)
				}
				if got != string(want) {
					t.Errorf("%s differs:\n%s\nwant:\n%s", name, got, want)
				}
			}
		}
	}
}
