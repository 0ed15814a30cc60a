package tests

import (
	"context"
	"os"
	"slices"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/acad-lyon/helpdesk-bot/intents"
	"github.com/acad-lyon/helpdesk-bot/internal/matcher"
)

// labelled is one question of testdata/questions.yaml.
type labelled struct {
	Q      string   `yaml:"q"`
	Intent string   `yaml:"intent"`
	Also   []string `yaml:"also"`
}

func loadLabelled(t testing.TB) []labelled {
	t.Helper()
	b, err := os.ReadFile("testdata/questions.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var qs []labelled
	dec := yaml.NewDecoder(bytesReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&qs); err != nil {
		t.Fatalf("testdata/questions.yaml: %v", err)
	}
	return qs
}

func loadCore(t testing.TB) *intents.Core {
	t.Helper()
	core, err := intents.LoadCore("../knowledge/faq.yaml")
	if err != nil {
		t.Fatalf("load knowledge: %v", err)
	}
	return core
}

// Accuracy bars of the labelled set (issue 2): staff get the right answer
// directly, and the bot keeps quiet on what it does not cover.
const (
	minInScopeAccuracy = 0.95
	minOOSAbstention   = 0.90
)

func TestLabelledQuestions(t *testing.T) {
	core := loadCore(t)
	qs := loadLabelled(t)
	kb := core.Knowledge()

	var inScope, right, oos, abstained, inLang [2]int
	for _, q := range qs {
		if q.Intent != "" {
			if _, ok := kb.Entry(q.Intent); !ok {
				t.Errorf("testdata: %q is labelled %q, which is not an entry", q.Q, q.Intent)
			}
		}
		r, err := core.Answer(context.Background(), intents.Question{Text: q.Q})
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		if r.Outcome == intents.Answered {
			got = r.Entry.ID
		}
		l := 0
		if r.Lang == intents.English {
			l = 1
		}
		inLang[l]++
		if q.Intent == "" {
			oos[l]++
			if got == "" {
				abstained[l]++
			} else {
				t.Logf("out of scope answered: Answer(%q) = %q (%.2f); want no direct answer", q.Q, got, r.Confidence)
			}
			continue
		}
		inScope[l]++
		if got == q.Intent || slices.Contains(q.Also, got) {
			right[l]++
		} else {
			t.Logf("miss: Answer(%q) = %q (%s, %.2f); want %q", q.Q, got, r.Outcome, r.Confidence, q.Intent)
		}
	}
	acc := float64(right[0]+right[1]) / float64(inScope[0]+inScope[1])
	abst := float64(abstained[0]+abstained[1]) / float64(oos[0]+oos[1])
	t.Logf("labelled set: %d questions (%d detected French, %d English)", len(qs), inLang[0], inLang[1])
	t.Logf("in-scope top-1 accuracy (answered directly, right entry): %.1f%% (%d/%d; French %d/%d, English %d/%d)",
		100*acc, right[0]+right[1], inScope[0]+inScope[1], right[0], inScope[0], right[1], inScope[1])
	t.Logf("out-of-scope abstention: %.1f%% (%d/%d)", 100*abst, abstained[0]+abstained[1], oos[0]+oos[1])
	if len(qs) < 150 || oos[0]+oos[1] < 30 {
		t.Errorf("the labelled set has %d questions, %d out of scope; want at least 150 and 30", len(qs), oos[0]+oos[1])
	}
	if acc < minInScopeAccuracy {
		t.Errorf("in-scope accuracy %.1f%%; want at least %.0f%%", 100*acc, 100*minInScopeAccuracy)
	}
	if abst < minOOSAbstention {
		t.Errorf("out-of-scope abstention %.1f%%; want at least %.0f%%", 100*abst, 100*minOOSAbstention)
	}
}

// The labelled set measures generalisation only if none of its questions is
// a training example.
func TestLabelledQuestionsAreNotExamples(t *testing.T) {
	kb := loadCore(t).Knowledge()
	examples := map[string]string{}
	for _, e := range kb.Entries {
		for _, lang := range intents.Languages {
			for _, q := range e.Questions.In(lang) {
				examples[matcher.Fold(q)] = e.ID
			}
		}
	}
	for _, q := range loadLabelled(t) {
		if id, ok := examples[matcher.Fold(q.Q)]; ok {
			t.Errorf("testdata question %q is an example question of %q: reword one of them", q.Q, id)
		}
	}
}
