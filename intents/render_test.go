package intents

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func TestRenderInline(t *testing.T) {
	tests := []struct {
		in   string
		f    Format
		want string
	}{
		{"**gras** et `code`", FormatText, "gras et code"},
		{"**gras** et `code`", FormatSlack, "*gras* et `code`"},
		{"[guide](https://example.org/a)", FormatSlack, "<https://example.org/a|guide>"},
		{"[guide](https://example.org/a)", FormatText, "guide (https://example.org/a)"},
		{"- un\n- deux", FormatSlack, "• un\n• deux"},
		{"1. un", FormatText, "1. un"},
		{"a < b & c > d <!channel>", FormatSlack, "a &lt; b &amp; c &gt; d &lt;!channel&gt;"},
		{"`<!here>`", FormatSlack, "`&lt;!here&gt;`"},
		{"5 * 3 [not a link]", FormatSlack, "5 * 3 [not a link]"},
		{"**x**", FormatDiscord, "**x**"},
	}
	for _, tt := range tests {
		if got := Render(tt.in, tt.f); got != tt.want {
			t.Errorf("Render(%q, %s) = %q; want %q", tt.in, tt.f, got, tt.want)
		}
	}
}

// Golden files hold the canned answers as agents paste them, per format.
func TestRenderGolden(t *testing.T) {
	core, err := NewCore(loadShipped(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"imap-settings", "login-identifier", "certificate-warning"} {
		e, _ := core.Knowledge().Entry(id)
		for _, lang := range Languages {
			for _, f := range Formats {
				name := filepath.Join("testdata", id+"."+lang+"."+string(f)+".golden")
				got := Render(core.AnswerEntry(e, lang).Markdown(), f) + "\n"
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
