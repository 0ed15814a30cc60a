package intents

import (
	"errors"
	"os"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// Questions are added to their entry and language, quoted, and nothing else
// of the file changes.
func TestAddQuestions(t *testing.T) {
	src, err := os.ReadFile("../knowledge/faq.yaml")
	if err != nil {
		t.Fatal(err)
	}
	out, ok, err := AddQuestions(src, "two-accounts", map[string][]string{French: {`mon "2e" compte: c'est \ possible ?`}, English: {"second account: how?"}})
	if err != nil || !ok {
		t.Fatalf("AddQuestions: %v %v", ok, err)
	}
	if d := len(strings.Split(string(out), "\n")) - len(strings.Split(string(src), "\n")); d != 2 {
		t.Errorf("%d lines added; want 2", d)
	}
	if !strings.Contains(string(out), "        - \"mon \\\"2e\\\" compte: c'est \\\\ possible ?\"\n") {
		t.Errorf("the French question is not quoted as YAML wants")
	}
	kb, err := Parse([]string{"faq.yaml"}, map[string][]byte{"faq.yaml": out})
	if err != nil {
		t.Fatalf("the file with the questions: %v", err)
	}
	e, _ := kb.Entry("two-accounts")
	if fr := e.Questions.FR; fr[len(fr)-1] != `mon "2e" compte: c'est \ possible ?` {
		t.Errorf("last French question %q", fr[len(fr)-1])
	}
	if en := e.Questions.EN; en[len(en)-1] != "second account: how?" {
		t.Errorf("last English question %q", en[len(en)-1])
	}
	if _, ok, _ := AddQuestions(src, "no-such-entry", map[string][]string{French: {"x"}}); ok {
		t.Error("an entry that does not exist was found")
	}
}

// A drafted entry lands after the last entry, and the knowledge with it is
// read back with it (the validator then says what it still lacks).
func TestAddEntry(t *testing.T) {
	src, err := os.ReadFile("../knowledge/faq.yaml")
	if err != nil {
		t.Fatal(err)
	}
	d := Draft{ID: "canteen-menu", Title: Text{FR: "Menu de la cantine", EN: "Canteen menu"}, Answer: Text{FR: "Ligne 1 : **gras**\n- une liste", EN: "Line 1: **bold**"},
		Questions: Texts{FR: []string{"c'est quoi le menu ?"}, EN: []string{"what's for lunch?"}}, Owner: "agent@ac-lyon.fr", Reviewed: "2026-12-01"}
	out, ok, err := AddEntry(src, d)
	if err != nil || !ok {
		t.Fatalf("AddEntry: %v %v", ok, err)
	}
	i, j := strings.Index(string(out), "  - id: canteen-menu\n"), strings.Index(string(out), "    reviewed: 2026-12-01\n")
	if i < 0 || j < i || string(out[:i])+string(out[j+len("    reviewed: 2026-12-01\n"):]) != string(src) {
		t.Error("the rest of the file changed")
	}
	if k := strings.Index(string(out), "\nservices:"); k < j {
		t.Error("the draft is not among the entries")
	}
	_, err = Parse([]string{"faq.yaml"}, map[string][]byte{"faq.yaml": out})
	var probs Problems
	if !errors.As(err, &probs) || !strings.Contains(probs.Error(), `entry "canteen-menu": 1 example question(s) in French`) {
		t.Fatalf("the draft with one question: %v; want the validator to ask for more", err)
	}
	var doc struct {
		Entries []*Entry `yaml:"entries"`
	}
	if err := yaml.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	last := doc.Entries[len(doc.Entries)-1]
	if last.ID != "canteen-menu" || last.Answer.FR != "Ligne 1 : **gras**\n- une liste\n" || last.Questions.EN[0] != "what's for lunch?" {
		t.Errorf("read back as %+v", last)
	}
}
