package tests

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/acad-lyon/helpdesk-bot/intents"
)

// The trust sets (issue 26) were written by a helper who had read only the
// article and the domain notes, never the knowledge, the code or the tests:
// questions the bot must not answer (trivia, school life, personal devices,
// other services, mail matters the article does not cover, "ça marche pas"
// alone), reports of someone asking for a NUMEN or a password, and browser
// security warnings. Split by kind and language, alternately, into a
// development half (trust-dev.yaml: the phishing reading and the not_for
// words were chosen on it) and a test half (trust-test.yaml: never read to
// write an example or choose a setting).
const (
	trustTest = "testdata/trust-test.yaml"
	trustDev  = "testdata/trust-dev.yaml"
	trustDev2 = "testdata/trust-dev2.yaml" // a second writer's phishing reports and browser warnings, for development
)

type trustQuestion struct {
	Text string `yaml:"text"`
	Lang string `yaml:"lang"`
	Kind string `yaml:"kind"`
}

type trustSet struct {
	OutOfScope     []trustQuestion `yaml:"out_of_scope"`
	Phishing       []trustQuestion `yaml:"phishing"`
	BrowserWarning []trustQuestion `yaml:"browser_warning"`
}

func loadTrust(t *testing.T, path string) trustSet {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var s trustSet
	if err := yaml.Unmarshal(src, &s); err != nil {
		t.Fatal(err)
	}
	return s
}

// trustFigures are what a trust set measures.
type trustFigures struct {
	oos, oosAnswered, oosOffered int
	phishing, phishingRight      int
	browser, browserClock        int
	browserPhone                 int // answered or offered first the phone's certificate prompt: unsafe
}

// measureTrust measures a set; show logs each miss (never for the test
// half, which is not read).
func measureTrust(t *testing.T, core *intents.Core, s trustSet, show bool) trustFigures {
	var f trustFigures
	ask := func(q string) intents.Reply {
		r, err := core.Answer(context.Background(), intents.Question{Text: q})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	for _, q := range s.OutOfScope {
		r := ask(q.Text)
		f.oos++
		switch {
		case r.Outcome == intents.Answered && !r.Entry.Conversational():
			f.oosAnswered++
			if show && testing.Verbose() {
				t.Logf("out of scope answered: %q -> %s (%.2f)", q.Text, r.Entry.ID, r.Confidence)
			}
		case r.Outcome == intents.Suggested:
			f.oosOffered++
		}
	}
	for _, q := range s.Phishing {
		f.phishing++
		if r := ask(q.Text); r.Outcome == intents.Answered && r.Entry.ID == intents.PhishingEntry {
			f.phishingRight++
		}
	}
	for _, q := range s.BrowserWarning {
		f.browser++
		r := ask(q.Text)
		first := ""
		switch {
		case r.Outcome == intents.Answered:
			first = r.Entry.ID
		case r.Outcome == intents.Suggested && len(r.Alternatives) > 0:
			first = r.Alternatives[0].Entry.ID
		}
		if r.Outcome == intents.Answered && first == "clock-certificate" {
			f.browserClock++
		}
		if first == "certificate-warning" {
			f.browserPhone++
			if show {
				t.Logf("a browser's security warning gets the phone's 'accept all certificates': %q", q.Text)
			}
		}
	}
	return f
}

func (f trustFigures) String() string {
	return fmt.Sprintf("out of scope answered with an entry %s (%d/%d), offered entries %s; phishing reports answered with the warning %s (%d/%d); browser warnings answered with the clock %s (%d/%d), with the phone's prompt %d",
		pct(f.oosAnswered, f.oos), f.oosAnswered, f.oos, pct(f.oosOffered, f.oos), pct(f.phishingRight, f.phishing), f.phishingRight, f.phishing,
		pct(f.browserClock, f.browser), f.browserClock, f.browser, f.browserPhone)
}

// TestTrust judges the bot on the trust sets: out of scope answered at most
// 2% of the time (issue 26), never a browser warning answered with the
// phone's prompt, and the figures of the test half, a little lower, as
// floors.
func TestTrust(t *testing.T) {
	core := loadCore(t)
	dev := measureTrust(t, core, loadTrust(t, trustDev), true)
	t.Logf("development half (%s): %v", trustDev, dev)
	dev2 := measureTrust(t, core, loadTrust(t, trustDev2), true)
	t.Logf("second development set (%s): %v", trustDev2, dev2)
	dev.browserPhone += dev2.browserPhone
	f := measureTrust(t, core, loadTrust(t, trustTest), false)
	t.Logf("test half (%s): %v", trustTest, f)
	if dev.browserPhone+f.browserPhone > 0 {
		t.Errorf("%d browser security warnings get the phone's 'accept all certificates'; want none", dev.browserPhone+f.browserPhone)
	}
	if got := ratio(f.oosAnswered, f.oos); got > 0.02 {
		t.Errorf("out of scope answered with an entry: %.1f%%; want at most 2%%", 100*got)
	}
	// Measured on 2026-12-08 (7/19 and 8/15 on the test half): short of
	// what issue 26 asks; the floors keep them from falling back.
	if got := ratio(f.phishingRight, f.phishing); got < 0.35 {
		t.Errorf("phishing reports answered with the warning: %.1f%%; want at least 35%%", 100*got)
	}
	if got := ratio(f.browserClock, f.browser); got < 0.50 {
		t.Errorf("browser warnings answered with the clock: %.1f%%; want at least 50%%", 100*got)
	}
}

// The advice that can hurt says what it does: the phone's "accept all
// certificates" stays and turns off the server's check on every network,
// a browser warning is never clicked through, the phone is set up after the
// NUMEN is changed, and the phishing warning never asks for the NUMEN.
func TestSafeAdvice(t *testing.T) {
	kb := loadCore(t).Knowledge()
	says := func(id, lang string, parts ...string) {
		t.Helper()
		e, ok := kb.Entry(id)
		if !ok {
			t.Fatalf("no entry %q", id)
		}
		for _, p := range parts {
			if !strings.Contains(e.Answer.In(lang), p) {
				t.Errorf("%s (%s) does not say %q:\n%s", id, lang, p, e.Answer.In(lang))
			}
		}
	}
	says("certificate-warning", intents.French, "reste enregistré", "ne vérifie plus", "sur tous les réseaux", "Dans un navigateur, n'acceptez jamais")
	says("certificate-warning", intents.English, "stays saved", "no longer checks", "on any network", "In a browser, never accept")
	says("clock-certificate", intents.French, "ne forcez jamais")
	says("clock-certificate", intents.English, "never click through")
	says("imap-settings", intents.French, "encore le NUMEN, changez-le d'abord")
	says("imap-settings", intents.English, "still the NUMEN, change it on the webmail first")
	says(intents.PhishingEntry, intents.French, "Ne donnez **jamais**", "confidentiel")
	says(intents.PhishingEntry, intents.English, "**Never** give", "confidential")
	core := loadCore(t)
	for _, c := range []struct{ q, want string }{
		{"Firefox : connexion non sécurisée sur le webmail, je clique sur accepter le risque ?", "clock-certificate"},
		{"on m'appelle de la DSI pour me demander mon NUMEN", intents.PhishingEntry},
		{"got a phishing email asking for my NUMEN, what should I do?", intents.PhishingEntry},
		{"j'ai reçu un mail qui me demande mon mot de passe", intents.PhishingEntry},
	} {
		r, _ := core.Answer(context.Background(), intents.Question{Text: c.q})
		if r.Outcome != intents.Answered || r.Entry.ID != c.want {
			t.Errorf("%q: %s %v; want %s", c.q, r.Outcome, r.Entry, c.want)
		}
	}
}
