package intents

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
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
	// Indented more, the item is valid YAML, but not what the line shows:
	// the end of the question above.
	{name: "indent-deeper", at: "        - utiliser deux adresses académiques en parallèle",
		edit: func(l string) string { return "  " + l }},
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

// An example question filed under the wrong entry passes the self-test (it
// is in the matcher it tests) and would make the bot answer it with that
// entry: the cross-check reports it, with the entry it belongs to.
func TestMisfiledExampleCaught(t *testing.T) {
	src, err := os.ReadFile("../knowledge/faq.yaml")
	if err != nil {
		t.Fatal(err)
	}
	const at = "        - utiliser deux adresses académiques en parallèle\n"
	i := strings.Index(string(src), at)
	if i < 0 {
		t.Fatalf("no line %q", at)
	}
	mutated := string(src[:i]) + at + "        - quels parametres imap pour mon telephone\n" + string(src[i+len(at):])
	changed := strings.Count(mutated[:i], "\n") + 2
	core, err := ParseCore([]string{"faq.yaml"}, map[string][]byte{"faq.yaml": []byte(mutated)})
	if err != nil {
		t.Fatalf("the self-test already refuses it: %v", err)
	}
	probs := CrossCheck(core.Knowledge())
	got := lineNumber.ReplaceAllStringFunc(probs.Error()+"\n", func(s string) string {
		if n, _ := strconv.Atoi(lineNumber.FindStringSubmatch(s)[1]); n == changed {
			return "faq.yaml:LINE:"
		}
		return s
	})
	golden(t, filepath.Join("syntax", "misfiled-example"), got)
	// The shipped knowledge has none.
	shipped, err := ParseCore([]string{"faq.yaml"}, map[string][]byte{"faq.yaml": src})
	if err != nil {
		t.Fatal(err)
	}
	if probs := CrossCheck(shipped.Knowledge()); len(probs) > 0 {
		t.Errorf("the shipped knowledge has %d cross-check problems:\n%v", len(probs), probs)
	}
}

// A backup copy left in the knowledge folder is one problem that says what
// it is, not one duplicate id per entry.
func TestBackupCopyReportedAsSuch(t *testing.T) {
	src, err := os.ReadFile("../knowledge/faq.yaml")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Parse([]string{"knowledge/faq.bak.yaml", "knowledge/faq.yaml"}, map[string][]byte{"knowledge/faq.bak.yaml": src, "knowledge/faq.yaml": src})
	var probs Problems
	if !errors.As(err, &probs) || len(probs) != 1 || probs[0].File != "knowledge/faq.bak.yaml" || !strings.Contains(probs[0].Msg, "backup copy") {
		t.Errorf("a backup copy in the folder gives %v; want one problem naming it a backup copy", err)
	}
}

// The page's cross-check: on one core it finds what the parallel one finds,
// and it stops at once when the agent who asked has left.
func TestCrossCheckContext(t *testing.T) {
	src, err := os.ReadFile("../knowledge/faq.yaml")
	if err != nil {
		t.Fatal(err)
	}
	const at = "        - utiliser deux adresses académiques en parallèle\n" // the misfiled example of TestMisfiledExampleCaught
	mutated := strings.Replace(string(src), at, at+"        - quels parametres imap pour mon telephone\n", 1)
	core, err := ParseCore([]string{"faq.yaml"}, map[string][]byte{"faq.yaml": []byte(mutated)})
	if err != nil {
		t.Fatal(err)
	}
	one, err := CrossCheckContext(context.Background(), core.Knowledge(), 1)
	if err != nil || len(one) == 0 || one.Error() != CrossCheck(core.Knowledge()).Error() {
		t.Errorf("on one core: %v, %v; want what CrossCheck finds:\n%v", one, err, CrossCheck(core.Knowledge()))
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if probs, err := CrossCheckContext(ctx, core.Knowledge(), 1); !errors.Is(err, context.Canceled) || probs != nil {
		t.Errorf("cancelled: %v, %v; want context.Canceled and nothing", probs, err)
	}
}

// The validator judges the data, not the style: the shipped knowledge
// saved again by a standard YAML library (PyYAML: zero-indented lists,
// nested "- -" lists, ” escapes, long lines folded; or its flow style),
// and saved again in other valid styles from the file of the day (flow
// lists, texts single- or double-quoted, answers folded), validates with no
// problem, and means what the hand-written file means.
func TestValidYAMLInAnyStyle(t *testing.T) {
	for _, f := range []string{"pyyaml-block.yaml", "pyyaml-flow.yaml"} {
		t.Run(f, func(t *testing.T) {
			path := filepath.Join("testdata", "resaved", f)
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := Parse([]string{path}, map[string][]byte{path: src}); err != nil {
				t.Errorf("valid YAML refused:\n%v", err)
			}
		})
	}
	src, err := os.ReadFile("../knowledge/faq.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want, err := Parse([]string{"faq.yaml"}, map[string][]byte{"faq.yaml": src})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []struct {
		name  string
		style func(n *yaml.Node)
	}{
		{"flow lists", func(n *yaml.Node) {
			if n.Kind == yaml.SequenceNode {
				n.Style = yaml.FlowStyle
			}
		}},
		{"single-quoted texts", func(n *yaml.Node) {
			if n.Kind == yaml.ScalarNode && n.Tag == "!!str" {
				n.Style = yaml.SingleQuotedStyle
			}
		}},
		{"double-quoted texts", func(n *yaml.Node) {
			if n.Kind == yaml.ScalarNode && n.Tag == "!!str" {
				n.Style = yaml.DoubleQuotedStyle
			}
		}},
		{"folded answers", func(n *yaml.Node) {
			if n.Kind == yaml.ScalarNode && n.Style == yaml.LiteralStyle {
				n.Style = yaml.FoldedStyle
			}
		}},
	} {
		t.Run(v.name, func(t *testing.T) {
			var doc yaml.Node
			if err := yaml.Unmarshal(src, &doc); err != nil {
				t.Fatal(err)
			}
			var restyle func(n *yaml.Node)
			restyle = func(n *yaml.Node) {
				n.HeadComment, n.LineComment, n.FootComment = "", "", ""
				v.style(n)
				for _, c := range n.Content {
					restyle(c)
				}
			}
			restyle(&doc)
			out, err := yaml.Marshal(&doc)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Parse([]string{"faq.yaml"}, map[string][]byte{"faq.yaml": out})
			if err != nil {
				t.Fatalf("valid YAML refused:\n%v\n%.2000s", err, out)
			}
			if !reflect.DeepEqual(TrainingExamples(got), TrainingExamples(want)) || !sameAnswers(got, want) {
				t.Error("the file saved again does not mean what the hand-written one means")
			}
		})
	}
}

// sameAnswers reports whether two knowledges answer alike: every entry's
// answer in both languages.
func sameAnswers(a, b *Knowledge) bool {
	if len(a.Entries) != len(b.Entries) {
		return false
	}
	for i := range a.Entries {
		if a.Entries[i].Answer != b.Entries[i].Answer || a.Entries[i].Next != b.Entries[i].Next {
			return false
		}
	}
	return a.Messages == b.Messages
}
