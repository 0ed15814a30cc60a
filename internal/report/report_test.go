package report

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/acad-lyon/helpdesk-bot/intents"
	"github.com/acad-lyon/helpdesk-bot/internal/store"
)

func knowledge(t *testing.T) *intents.Knowledge {
	t.Helper()
	kb, err := intents.Load("../../knowledge/faq.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return kb
}

func q(text, closest string, outcome intents.Outcome) store.Question {
	return store.Question{Text: text, Lang: "fr", Closest: closest, Outcome: outcome}
}

func TestParaphrasesGroupedTogether(t *testing.T) {
	qs := []store.Question{
		q("comment imprimer un document ?", "", intents.Fallback),
		q("la cantine est fermée aujourd'hui ?", "", intents.Fallback),
		q("je n'arrive pas à imprimer mon document", "", intents.Fallback),
		q("imprimer un doc svp", "", intents.Fallback),
		q("Comment imprimer un document ?", "", intents.Fallback),
		q("mon agenda ne se synchronise pas sur le téléphone", "imap-settings", intents.Suggested),
		q("agenda pas synchronisé sur mon telephone", "imap-settings", intents.Suggested),
		q("synchroniser l'agenda sur téléphone", "imap-vs-pop", intents.Suggested),
	}
	r := Build(qs, nil, knowledge(t), time.Now())
	if len(r.Groups) != 3 {
		for _, g := range r.Groups {
			t.Logf("group ×%d: %q", g.Count, g.Questions)
		}
		t.Fatalf("%d groups; want 3 (printing, calendar, canteen)", len(r.Groups))
	}
	print, agenda := r.Groups[0], r.Groups[1]
	if print.Count != 4 || !strings.Contains(print.Questions[0], "imprimer") {
		t.Errorf("first group ×%d %q; want the 4 printing questions", print.Count, print.Questions)
	}
	if agenda.Count != 3 || agenda.Closest != "imap-settings" || agenda.Suggested != 3 || agenda.Title == "" {
		t.Errorf("calendar group %+v; want 3 questions closest to imap-settings", agenda)
	}
}

func TestEntriesByDownShare(t *testing.T) {
	tallies := []store.Tally{{Entry: "imap-settings", Up: 9, Down: 1}, {Entry: "password-reset", Up: 1, Down: 3}, {Entry: "two-accounts", Down: 1}}
	r := Build(nil, tallies, knowledge(t), time.Now())
	var got []string
	for _, v := range r.Entries {
		got = append(got, v.Entry)
	}
	if strings.Join(got, ",") != "two-accounts,password-reset,imap-settings" {
		t.Errorf("entries ranked %v; want by share of 👎", got)
	}
}

func TestWriteFormats(t *testing.T) {
	qs := []store.Question{
		q("mon agenda ne se synchronise pas", "imap-settings", intents.Suggested),
		q("agenda pas synchronisé", "imap-settings", intents.Suggested),
		q("la cantine | est fermée", "", intents.Fallback),
	}
	r := Build(qs, []store.Tally{{Entry: "imap-settings", Up: 1, Down: 1}}, knowledge(t), time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC))
	for _, f := range []Format{Text, Markdown, YAML} {
		var b bytes.Buffer
		if err := r.Write(&b, f, "knowledge/faq.yaml"); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		if !strings.Contains(out, "agenda") {
			t.Errorf("%s report does not show the questions:\n%s", f, out)
		}
		if f == YAML {
			var parsed []string
			if err := yaml.Unmarshal(b.Bytes(), &parsed); err != nil || len(parsed) != 2 {
				t.Errorf("the YAML snippet is not a list of the 2 questions (%v):\n%s", err, out)
			}
			if !strings.Contains(out, `entry "imap-settings"`) {
				t.Errorf("the YAML snippet does not say which entry to add to:\n%s", out)
			}
		}
		if f == Markdown && !strings.Contains(out, `la cantine \| est fermée`) {
			t.Errorf("a | in a question breaks the markdown table:\n%s", out)
		}
	}
}

// A question that held a masked credential is shown masked, and never
// proposed as an example for the public knowledge file.
func TestMaskedQuestionsNeverProposed(t *testing.T) {
	qs := []store.Question{
		q("mon agenda ne se synchronise pas", "imap-settings", intents.Suggested),
		q("mon agenda ne se synchronise pas "+intents.Masked, "imap-settings", intents.Suggested),
	}
	r := Build(qs, nil, knowledge(t), time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC))
	var b bytes.Buffer
	if err := r.Write(&b, YAML, "knowledge/faq.yaml"); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), intents.Masked) || !strings.Contains(b.String(), "agenda") {
		t.Errorf("the YAML proposes a masked question, or nothing:\n%s", b.String())
	}
}
