package tests

import (
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/acad-lyon/helpdesk-bot/intents"
	"github.com/acad-lyon/helpdesk-bot/internal/chat"
)

// The secret guard's labelled corpus: chat messages with a password or a
// NUMEN and innocent look-alikes, written by two helper sessions briefed
// with the article and the domain notes alone (testdata/secrets-brief.md,
// word for word), never shown the detector. secrets-tune.yaml, by one
// writer, is the half the detector was tuned on, with secrets-tune2.yaml, by
// a third writer, and secrets-tune3.yaml, by a fourth, asked after the
// held-out half had been scored (the figures only, never its messages);
// secrets-heldout.yaml, by the second writer, judges it and is never read to
// change the detector: its misses are never printed.
const (
	secretsTune  = "testdata/secrets-tune.yaml"
	secretsTune2 = "testdata/secrets-tune2.yaml"
	secretsTune3 = "testdata/secrets-tune3.yaml"
	// secretsTune4 is the hardest cases only (207 secrets, no look-alike):
	// passwords typed with no word of passwords around them ("I entered
	// gribouille"), in lists, as first names or dates. Written last, by a
	// fifth writer, it shows where the guard stops; its figures are
	// printed (TestSecretCorpusTune), not held to the bars.
	secretsTune4   = "testdata/secrets-tune4.yaml"
	secretsHeldOut = "testdata/secrets-heldout.yaml"
)

var secretMisses = flag.Bool("secret-misses", false, "list the tuning half's misses and false alarms: go test ./tests -run SecretCorpus -v -secret-misses")

type secretCase struct {
	Text   string   `yaml:"text"`
	Secret bool     `yaml:"secret"`
	Tokens []string `yaml:"tokens"`
	Kind   string   `yaml:"kind"`
	Lang   string   `yaml:"lang"`
}

func loadSecrets(t testing.TB, path string) []secretCase {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var cases []secretCase
	if err := yaml.Unmarshal(raw, &cases); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	for _, c := range cases {
		for _, tok := range c.Tokens {
			if !strings.Contains(c.Text, tok) {
				t.Fatalf("%s: token %q is not in %q", path, tok, c.Text)
			}
		}
		if c.Secret != (len(c.Tokens) > 0) {
			t.Fatalf("%s: %q is labelled secret=%v with %d tokens", path, c.Text, c.Secret, len(c.Tokens))
		}
	}
	return cases
}

type secretScore struct {
	secrets, caught, innocent, alarms int
	byKind                            map[string][2]int // caught, total
}

// scoreSecrets scores the guard of the bot's core, as it judges a message.
func scoreSecrets(core *intents.Core, cases []secretCase, miss func(secretCase, bool)) secretScore {
	s := secretScore{byKind: map[string][2]int{}}
	for _, c := range cases {
		got := core.ContainsSecret(c.Text)
		k := s.byKind[c.Kind]
		k[1]++
		if c.Secret {
			s.secrets++
			if got {
				s.caught++
				k[0]++
			}
		} else {
			s.innocent++
			if got {
				s.alarms++
			} else {
				k[0]++
			}
		}
		s.byKind[c.Kind] = k
		if got != c.Secret && miss != nil {
			miss(c, got)
		}
	}
	return s
}

func (s secretScore) String() string {
	var kinds []string
	for k, v := range s.byKind {
		kinds = append(kinds, fmt.Sprintf("%s %d/%d", k, v[0], v[1]))
	}
	slices.Sort(kinds)
	return fmt.Sprintf("caught %d/%d (%.1f%%), false alarms %d/%d (%.1f%%); right by kind: %s",
		s.caught, s.secrets, 100*float64(s.caught)/float64(s.secrets), s.alarms, s.innocent, 100*float64(s.alarms)/float64(s.innocent), strings.Join(kinds, ", "))
}

// The tuning half's figures (-v), and its misses (-secret-misses): what
// the detector is tuned on.
func TestSecretCorpusTune(t *testing.T) {
	for _, path := range []string{secretsTune, secretsTune2, secretsTune3, secretsTune4} {
		tune := scoreSecrets(shippedCore(t), loadSecrets(t, path), func(c secretCase, got bool) {
			if *secretMisses {
				what := "missed"
				if got {
					what = "false alarm"
				}
				t.Logf("%s: %q", what, c.Text)
			}
		})
		t.Logf("tuning half (%s): %v", path, tune)
	}
}

// The guard catches at least 97% of the held-out secrets and raises at most
// 3% false alarms on its innocent look-alikes (issue 15's bars).
func TestSecretCorpus(t *testing.T) {
	core := shippedCore(t)
	tune := scoreSecrets(core, slices.Concat(loadSecrets(t, secretsTune), loadSecrets(t, secretsTune2), loadSecrets(t, secretsTune3)), nil)
	held := scoreSecrets(core, loadSecrets(t, secretsHeldOut), nil)
	t.Logf("held-out half (%s): %v", secretsHeldOut, held)
	if held.secrets+held.innocent+tune.secrets+tune.innocent < 300 || held.secrets < 100 || held.innocent < 100 {
		t.Errorf("the corpus is too small: %d + %d messages", held.secrets+held.innocent, tune.secrets+tune.innocent)
	}
	if 100*held.caught < 97*held.secrets {
		t.Errorf("held-out: %d of %d secrets caught; want at least 97%%", held.caught, held.secrets)
	}
	if 100*held.alarms > 3*held.innocent {
		t.Errorf("held-out: %d false alarms in %d innocent messages; want at most 3%%", held.alarms, held.innocent)
	}
}

// Whatever the guard decides, what is kept of a message never holds a
// secret token of the tuning halves: intents.MaskSecrets masks every one
// (a miss of the guard costs a masked row, not a leaked password). On the
// held-out half, at most 3% of the secrets survive it, as many as the
// guard may miss.
func TestSecretCorpusMasked(t *testing.T) {
	for _, path := range []string{secretsTune, secretsTune2, secretsTune3, secretsTune4, secretsHeldOut} {
		leaks, secrets := 0, 0
		for _, c := range loadSecrets(t, path) {
			if !c.Secret {
				continue
			}
			secrets++
			kept := intents.MaskSecrets(chat.Tidy(c.Text)) // as an adapter hands it on
			for _, tok := range c.Tokens {
				if containsWord(strings.Join(strings.Fields(kept), " "), strings.Join(strings.Fields(tok), " ")) {
					leaks++
					if path != secretsHeldOut && *secretMisses {
						t.Logf("%s keeps %q: %q", path, tok, kept)
					}
				}
			}
		}
		t.Logf("%s: %d secret tokens of %d messages survive MaskSecrets", path, leaks, secrets)
		if path == secretsTune4 {
			continue // the hardest cases: measured, not held to the bar
		}
		if path != secretsHeldOut && leaks > 0 || 100*leaks > 3*secrets {
			t.Errorf("%s: %d secret tokens survive MaskSecrets", path, leaks)
		}
	}
}

// The guard raises at most 1% of false alarms on the held-out question
// sets: 1,114 questions staff would ask, written from the article alone,
// none giving a password (a question quoting a password it considers,
// "is 'Lyon2024' strong enough?", rightly gets the warning).
func TestSecretGuardQuietOnQuestions(t *testing.T) {
	core := shippedCore(t)
	for _, path := range []string{heldOutDev, heldOutTest} {
		qs := loadHeldOut(t, path)
		alarms := 0
		for _, q := range qs {
			if core.ContainsSecret(q.Q) {
				alarms++
			}
		}
		t.Logf("%s: %d false alarms in %d questions", path, alarms, len(qs))
		if 100*alarms > len(qs) {
			t.Errorf("%s: %d false alarms in %d questions; want at most 1%%", path, alarms, len(qs))
		}
	}
}
