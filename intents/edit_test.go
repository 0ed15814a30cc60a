package intents

import (
	"os"
	"strings"
	"testing"
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
