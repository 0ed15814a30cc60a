package intents

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// A mistake made by hand in the shipped knowledge file: the line it
// changes, and how.
type mistake struct {
	name   string
	at     string // the line changed (its exact text), in the entry two-accounts
	offset int    // the line changed is this many lines after at (an answer's line)
	edit   func(line string) string
	insert bool // the edit's line is inserted after the line instead
}

var mistakes = []mistake{
	{name: "colon", at: "        - utiliser deux adresses académiques en parallèle",
		edit: func(string) string { return "        - attention: mon second compte me déconnecte du premier" }},
	{name: "apostrophe", at: "        - utiliser deux adresses académiques en parallèle",
		edit: func(string) string { return "        - 'l'identifiant du second compte ne passe pas'" }},
	{name: "unclosed-quote", at: "        - utiliser deux adresses académiques en parallèle",
		edit: func(string) string { return `        - "deux adresses académiques en parallèle` }},
	{name: "tab", at: "        - utiliser deux adresses académiques en parallèle",
		edit: func(l string) string { return "\t" + strings.TrimLeft(l, " ") }},
	{name: "indent", at: "        - utiliser deux adresses académiques en parallèle",
		edit: func(l string) string { return l[2:] }},
	{name: "latin1", at: "        - utiliser deux adresses académiques en parallèle",
		edit: func(l string) string { return strings.ReplaceAll(l, "é", "\xe9") }},
	{name: "misspelt-key", at: "    answer:", edit: func(l string) string { return strings.Replace(l, "answer:", "anwser:", 1) }},
	{name: "italic-star", at: "    answer:", offset: 2, edit: func(l string) string { return l + " C'est *important*." }},
	{name: "italic-underscore", at: "    answer:", offset: 2, edit: func(l string) string { return l + " C'est _important_." }},
	{name: "numbered-list", at: "    answer:", offset: 2, insert: true, edit: func(l string) string { return "        1. Ouvrez un premier navigateur" }},
	{name: "star-list", at: "    answer:", offset: 2, insert: true, edit: func(l string) string { return "        * Ouvrez un premier navigateur" }},
}

var lineNumber = regexp.MustCompile(`faq\.yaml:(\d+):`)

// Each mistake a contributor makes by hand is reported once, on the line
// where it is, in plain words with its fix (the golden files are what a
// teacher reads; LINE stands for the line changed).
func TestSyntaxMistakesReportedOnTheirLine(t *testing.T) {
	src, err := os.ReadFile("../knowledge/faq.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range mistakes {
		t.Run(m.name, func(t *testing.T) {
			lines := strings.Split(string(src), "\n")
			entry := -1
			for i, l := range lines {
				if l == "  - id: two-accounts" {
					entry = i
				}
			}
			at := -1
			for i := entry; entry >= 0 && i < len(lines); i++ {
				if lines[i] == m.at {
					at = i + m.offset
					break
				}
			}
			if at < 0 {
				t.Fatalf("no line %q in the entry two-accounts", m.at)
			}
			changed := at
			if m.insert {
				changed = at + 1
				lines = append(lines[:changed], append([]string{m.edit(lines[at])}, lines[changed:]...)...)
			} else {
				lines[at] = m.edit(lines[at])
			}
			_, err := Parse([]string{"faq.yaml"}, map[string][]byte{"faq.yaml": []byte(strings.Join(lines, "\n"))})
			var probs Problems
			if !errors.As(err, &probs) {
				t.Fatalf("the mistake passed: %v", err)
			}
			got := lineNumber.ReplaceAllStringFunc(probs.Error()+"\n", func(s string) string {
				if n, _ := strconv.Atoi(lineNumber.FindStringSubmatch(s)[1]); n == changed+1 {
					return "faq.yaml:LINE:"
				}
				return s
			})
			golden(t, filepath.Join("syntax", m.name), got)
		})
	}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		os.MkdirAll(filepath.Dir(path), 0o755)
		os.WriteFile(path, []byte(got), 0o644)
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test with -update)", err)
	}
	if got != string(want) {
		t.Errorf("%s changed; if intended, run go test -update\ngot:\n%s", path, got)
	}
}
