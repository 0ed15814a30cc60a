package tests

import (
	"context"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/acad-lyon/helpdesk-bot/intents"
	"github.com/acad-lyon/helpdesk-bot/internal/matcher"
)

// The held-out sets (issue 12) were written by helpers who had read only the
// article and the domain notes, never the knowledge file, the code or the
// tests. heldout-test.yaml judges the bot and is never read to write examples
// or to choose a setting; heldout-dev.yaml, by two other writers, is the
// development set on which thresholds and matcher changes were chosen.
const (
	heldOutTest = "testdata/heldout-test.yaml"
	heldOutDev  = "testdata/heldout-dev.yaml"
)

// heldOut is one question of a held-out set.
type heldOut struct {
	Q    string `yaml:"q"`
	Lang string `yaml:"lang"`
	Want string `yaml:"want"` // an entry id, or "none" out of scope
	// Service names the other service an out-of-scope question is about
	// (pronote, ent, wifi, school-computer, printer, iprof, other-service).
	Service string   `yaml:"service"`
	Tags    []string `yaml:"tags"`
}

func loadHeldOut(t testing.TB, path string) []heldOut {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Questions []heldOut `yaml:"questions"`
	}
	dec := yaml.NewDecoder(bytesReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return doc.Questions
}

var heldOutMisses = flag.Bool("heldout-misses", false, "list every miss of the held-out sets: go test ./tests -run HeldOutDev -v -heldout-misses")

// tally counts the outcomes of a class of questions.
type tally struct {
	in, direct, first, wrong      int // in scope: right answer, right or offered first, wrong entry answered
	oos, answered, redirected     int // out of scope: answered with an entry, redirected
	redirectWanted, redirectRight int // out of scope about a service the knowledge names
}

func (t *tally) add(o tally) {
	t.in += o.in
	t.direct += o.direct
	t.first += o.first
	t.wrong += o.wrong
	t.oos += o.oos
	t.answered += o.answered
	t.redirected += o.redirected
	t.redirectWanted += o.redirectWanted
	t.redirectRight += o.redirectRight
}

func pct(n, d int) string {
	if d == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(n)/float64(d))
}

// heldOutFigures are the figures of one held-out set.
type heldOutFigures struct {
	all     tally
	byClass map[string]*tally
	misses  []string
}

func (f heldOutFigures) direct() float64 { return ratio(f.all.direct, f.all.in) }
func (f heldOutFigures) first() float64  { return ratio(f.all.first, f.all.in) }
func (f heldOutFigures) wrong() float64  { return ratio(f.all.wrong, f.all.in) }
func (f heldOutFigures) oosAnswered() float64 {
	return ratio(f.all.answered, f.all.oos)
}

func ratio(n, d int) float64 {
	if d == 0 {
		return 0
	}
	return float64(n) / float64(d)
}

// evaluateHeldOut asks the core every question of a set and counts, per
// class (tag, language, wanted entry, service), what the bot did.
func evaluateHeldOut(t testing.TB, core *intents.Core, qs []heldOut) heldOutFigures {
	t.Helper()
	kb := core.Knowledge()
	f := heldOutFigures{byClass: map[string]*tally{}}
	for _, q := range qs {
		if q.Want != "none" {
			if _, ok := kb.Entry(q.Want); !ok {
				t.Errorf("held-out question %q wants %q, which is not an entry", q.Q, q.Want)
				continue
			}
		}
		r, err := core.Answer(context.Background(), intents.Question{Text: q.Q})
		if err != nil {
			t.Fatal(err)
		}
		var o tally
		got := ""
		if r.Outcome == intents.Answered {
			got = r.Entry.ID
		}
		firstAlt := ""
		if r.Outcome == intents.Suggested && len(r.Alternatives) > 0 {
			firstAlt = r.Alternatives[0].Entry.ID
		}
		if q.Want == "none" {
			o.oos = 1
			if got != "" {
				o.answered = 1
				f.misses = append(f.misses, fmt.Sprintf("out of scope answered: %q -> %s (%.2f) [%s]", q.Q, got, r.Confidence, strings.Join(q.Tags, ",")))
			}
			if r.Outcome == intents.Redirected {
				o.redirected = 1
			}
			if q.Service != "" && kb.Service(q.Service) != nil {
				o.redirectWanted = 1
				if r.Outcome == intents.Redirected && r.Service.ID == q.Service {
					o.redirectRight = 1
				} else {
					f.misses = append(f.misses, fmt.Sprintf("not redirected to %s: %q -> %s %s", q.Service, q.Q, r.Outcome, r.Target()))
				}
			}
		} else {
			o.in = 1
			switch {
			case got == q.Want:
				o.direct, o.first = 1, 1
			case firstAlt == q.Want:
				o.first = 1
			}
			if got != "" && got != q.Want {
				o.wrong = 1
			}
			if o.direct == 0 {
				f.misses = append(f.misses, fmt.Sprintf("miss: %q -> %s %s (%.2f); want %s [%s]", q.Q, r.Outcome, r.Target(), r.Confidence, q.Want, strings.Join(q.Tags, ",")))
			}
		}
		f.all.add(o)
		classes := append([]string{"lang:" + q.Lang}, q.Tags...)
		if q.Want != "none" {
			classes = append(classes, "entry:"+q.Want)
		}
		if q.Service != "" {
			classes = append(classes, "service:"+q.Service)
		}
		for _, c := range classes {
			if f.byClass[c] == nil {
				f.byClass[c] = &tally{}
			}
			f.byClass[c].add(o)
		}
	}
	return f
}

// logHeldOut prints the figures of a set, overall and per class.
func logHeldOut(t testing.TB, name string, f heldOutFigures, misses bool) {
	t.Helper()
	a := f.all
	t.Logf("%s: %d questions, %d in scope, %d out of scope", name, a.in+a.oos, a.in, a.oos)
	t.Logf("  in scope: right entry answered %s (%d/%d), answered or offered first %s (%d), wrong entry answered %s (%d)",
		pct(a.direct, a.in), a.direct, a.in, pct(a.first, a.in), a.first, pct(a.wrong, a.in), a.wrong)
	t.Logf("  out of scope: answered with an entry %s (%d/%d), redirected %s (%d); named services redirected to the right one %s (%d/%d)",
		pct(a.answered, a.oos), a.answered, a.oos, pct(a.redirected, a.oos), a.redirected, pct(a.redirectRight, a.redirectWanted), a.redirectRight, a.redirectWanted)
	var classes []string
	for c := range f.byClass {
		classes = append(classes, c)
	}
	slices.Sort(classes)
	t.Logf("  %-26s %6s %9s %9s %9s | %6s %9s %10s", "class", "in", "direct", "first", "wrong", "oos", "answered", "redirected")
	for _, c := range classes {
		k := f.byClass[c]
		t.Logf("  %-26s %6d %9s %9s %9s | %6d %9s %10s", c, k.in, pct(k.direct, k.in), pct(k.first, k.in), pct(k.wrong, k.in),
			k.oos, pct(k.answered, k.oos), pct(k.redirected, k.oos))
	}
	if misses {
		for _, m := range f.misses {
			t.Log("  " + m)
		}
	}
}

// The bars of issue 12, on questions written by people who never saw the
// knowledge.
const (
	heldOutMinDirect      = 0.90
	heldOutMinFirst       = 0.96
	heldOutMaxWrong       = 0.02
	heldOutMaxOOSAnswered = 0.03
)

func checkHeldOutBars(t *testing.T, name string, f heldOutFigures) {
	t.Helper()
	if f.all.in < 100 || f.all.oos < 60 {
		t.Errorf("%s has %d in-scope and %d out-of-scope questions; want at least 100 and 60", name, f.all.in, f.all.oos)
	}
	if v := f.direct(); v < heldOutMinDirect {
		t.Errorf("%s: right entry answered for %.1f%% of in-scope questions; want at least %.0f%%", name, 100*v, 100*heldOutMinDirect)
	}
	if v := f.first(); v < heldOutMinFirst {
		t.Errorf("%s: right entry answered or offered first for %.1f%%; want at least %.0f%%", name, 100*v, 100*heldOutMinFirst)
	}
	if v := f.wrong(); v > heldOutMaxWrong {
		t.Errorf("%s: wrong entry answered for %.1f%% of in-scope questions; want at most %.0f%%", name, 100*v, 100*heldOutMaxWrong)
	}
	if v := f.oosAnswered(); v > heldOutMaxOOSAnswered {
		t.Errorf("%s: %.1f%% of out-of-scope questions answered with an entry; want at most %.0f%%", name, 100*v, 100*heldOutMaxOOSAnswered)
	}
}

// TestHeldOutQuestions judges the bot on the held-out test set. Run it with
// -v for every figure per class; -heldout-misses lists every miss.
func TestHeldOutQuestions(t *testing.T) {
	core := loadCore(t)
	qs := loadHeldOut(t, heldOutTest)
	if len(qs) < 400 {
		t.Errorf("%s has %d questions; want at least 400", heldOutTest, len(qs))
	}
	f := evaluateHeldOut(t, core, qs)
	logHeldOut(t, heldOutTest, f, *heldOutMisses)
	checkHeldOutBars(t, heldOutTest, f)
}

// TestHeldOutDevQuestions prints the development set's figures, on which
// settings are chosen; it holds the same bars.
func TestHeldOutDevQuestions(t *testing.T) {
	core := loadCore(t)
	f := evaluateHeldOut(t, core, loadHeldOut(t, heldOutDev))
	logHeldOut(t, heldOutDev, f, *heldOutMisses)
	checkHeldOutBars(t, heldOutDev, f)
}

// heldOutCoincidences are the held-out questions that were example questions
// before the sets were written (knowledge/faq.yaml at commit 9a100a0): the
// writers, who never saw the knowledge, typed the same few words ("bonjour",
// "c'est quoi le NUMEN ?"). They stay in the sets, as people type them.
var heldOutCoincidences = map[string]bool{}

func init() {
	for _, q := range []string{"aide", "bonjour", "bonjour a tous", "c'est quoi le numen", "cheers", "good morning", "hello", "help",
		"hi there", "how do i change my webmail password", "imap ou pop pour la messagerie academique", "je veux parler a un humain",
		"merci", "merci beaucoup", "mrc", "salut", "thanks", "tu sais faire quoi", "what can you do", "what can you help me with"} {
		heldOutCoincidences[matcher.Fold(q)] = true
	}
}

// No held-out question may become an example of the knowledge: a
// contributor who copies one makes its set flatter the bot.
func TestHeldOutQuestionsAreNotExamples(t *testing.T) {
	kb := loadCore(t).Knowledge()
	examples := map[string]string{}
	for _, ex := range intents.TrainingExamples(kb) {
		examples[matcher.Fold(ex.Text)] = ex.Intent
	}
	for _, path := range []string{heldOutTest, heldOutDev} {
		for _, q := range loadHeldOut(t, path) {
			if id, ok := examples[matcher.Fold(q.Q)]; ok && !heldOutCoincidences[matcher.Fold(q.Q)] {
				t.Errorf("%s: %q is an example question of %q: held-out questions never become examples", path, q.Q, id)
			}
		}
	}
}
