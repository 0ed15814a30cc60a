package intents

import (
	"context"
	"strings"
	"testing"
)

// The core reads a message in its conversation's context: a table of
// contexts and messages, and what they lead to.
func TestAnswerInContext(t *testing.T) {
	core := newShippedCore(t)
	phone := &Context{Answered: []string{"imap-settings"}, Offered: []string{"imap-vs-pop", "certificate-warning"}, Lang: French}
	loop := &Context{Answered: []string{"login-page-loop"}, Lang: French}
	stepped := &Context{Answered: []string{"login-page-loop", "browser-extensions"}, NotSolved: 1, Lang: French}
	mdp := &Context{Offered: []string{"password-change", "password-reset", "default-password"}, Suggested: true, Lang: French}
	for _, c := range []struct {
		name    string
		ctx     *Context
		text    string
		entry   string // "" for no entry answered
		reading string
	}{
		{"follow-up on the topic", phone, "et le port ?", "imap-settings", ReadFollowUp},
		{"follow-up in English", &Context{Answered: []string{"imap-settings"}, Lang: English}, "what about the security type?", "imap-settings", ReadFollowUp},
		{"a new question switches topic", phone, "comment changer mon mot de passe ?", "password-change", ""},
		{"a service's name is redirected, not read with the topic", phone, "et pour pronote ?", "", ""},
		{"small talk is not a follow-up", phone, "merci beaucoup", "thanks", ""},
		{"a number picks what the answer offered", phone, "2", "certificate-warning", ReadPick},
		{"an ordinal in words", mdp, "le deuxième", "password-reset", ReadPick},
		{"yes takes the first suggestion", mdp, "oui", "password-change", ReadPick},
		{"words pick among the suggestions", mdp, "non je l'ai oublié", "password-reset", ReadPick},
		{"a choice out of range offers the list again", mdp, "7", "", ReadPick},
		{"still not working: the next step", loop, "toujours pas", "browser-extensions", ReadNext},
		{"a report on the answered topic: the next step", loop, "j'ai vidé le cache, rien ne change", "browser-extensions", ReadNext},
		{"a question about the same topic is not a report", loop, "comment on vide le cache ?", "login-page-loop", ""},
		{"steps the message says were tried are skipped", loop, "toujours pas, cache vidé, extensions désactivées, heure vérifiée", "unsupported-browser", ReadNext},
		{"the second 'still not working' hands over", stepped, "toujours pas", "human", ReadHandoff},
		{"asking for a person hands over with what was tried", loop, "je veux parler à quelqu'un", "human", ReadHandoff},
		{"no context: read alone", nil, "toujours pas", "", ""},
		{"nonsense is not read with the topic", loop, "asdfgh qsdkj", "", ""},
		{"another subject is not read with the topic", loop, "quel temps fait-il à Lyon ?", "", ""},
		{"a continuation about a part of the answer", phone, "et le mdp ?", "imap-settings", ReadFollowUp},
		{"a continuation about another topic", &Context{Answered: []string{"login-identifier"}, Lang: French}, "et le port ?", "imap-settings", ""},
		{"the next steps said checked are skipped", loop, "l'heure est bonne et je n'ai aucune extension", "unsupported-browser", ReadNext},
		{"the settings typed in, and a failure: the next step", phone, "tout rentré, mail.ac-lyon.fr, 993, SSL, et l'appli dit échec de connexion", "password-reset", ReadNext},
		{"a symptom is not a report without a step taken", &Context{Answered: []string{"login-identifier"}, Lang: English}, "it says my username is wrong, I'm using my full email address", "login-identifier", ""},
		{"it worked: a closing", &Context{Answered: []string{"certificate-warning"}, Lang: French}, "j'ai accepté et ça synchronise, nickel", "thanks", ""},
		{"it worked, in English", &Context{Answered: []string{"browser-extensions"}, Lang: English}, "that was it, turned off AdGuard and I'm in", "thanks", ""},
		{"it worked, then a new request", loop, "super, maintenant je voudrais mes mails sur mon téléphone", "imap-settings", ""},
		{"what the answer describes is not there: a person", &Context{Answered: []string{"password-change"}, Lang: French}, "j'ai cherché partout dans les options, le menu n'existe pas", "human", ReadHandoff},
		{"everything tried: a person", loop, "I've tried everything, nothing works", "human", ReadHandoff},
		{"not finding something else is a new question", phone, "je trouve pas mon numen, il est où ?", "default-password", ""},
		{"a step never taken is not a report", &Context{Answered: []string{"default-password"}, Lang: French}, "je l'ai jamais changé en 10 ans, c'est grave ?", "default-password", ""},
		{"a statement that it cannot be done, in English", &Context{Answered: []string{"unsupported-browser"}, Lang: English}, "can't update it, and I'm not allowed to install anything", "human", ReadHandoff},
		{"it happens anyway, after a check", &Context{Answered: []string{"imap-vs-pop"}, Lang: French}, "j'ai vérifié, je suis bien en IMAP, ça le fait quand même", "password-reset", ReadNext},
		{"a new symptom after the step: its entry", phone, "c'est ce que j'ai rentré, mail.ac-lyon.fr, 993, SSL, et maintenant il affiche certificat non valide", "certificate-warning", ReadNext},
		{"'en fait' is no step taken", phone, "pourquoi imap et pas pop en fait", "imap-vs-pop", ""},
		{"'same grey page' states, it does not ask", loop, "did the clear cache thing. same grey page. any other ideas?", "browser-extensions", ReadNext},
		{"unsure alone, the topic close behind: the topic", &Context{Answered: []string{"portal-choice"}, Lang: French}, "et sur la nationale on met quoi comme identifiant ?", "portal-choice", ReadFollowUp},
		{"a failure after a step is not a closing", loop, "j'ai vidé le cache, ça marche toujours pas", "browser-extensions", ReadNext},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, err := core.Answer(context.Background(), Question{Text: c.text, Context: c.ctx})
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			if r.Outcome == Answered {
				got = r.Entry.ID
			}
			if got != c.entry || r.Reading != c.reading {
				t.Errorf("%q = %s %q (reading %q); want %q (reading %q)", c.text, r.Outcome, got, r.Reading, c.entry, c.reading)
			}
		})
	}
}

// A hand-off names what was tried, by title, in the reply's language, and
// counts as one more "did not help".
func TestHandoffSummary(t *testing.T) {
	core := newShippedCore(t)
	ctx := &Context{Answered: []string{"login-page-loop", "browser-extensions"}, NotSolved: 1, Lang: English}
	r, _ := core.Answer(context.Background(), Question{Text: "still not working", Lang: English, Context: ctx})
	if r.Reading != ReadHandoff || len(r.Tried) != 2 || r.Tries != 2 {
		t.Fatalf("reply %s %q, tried %d, tries %d; want a hand-off with 2 entries tried, tries 2", r.Outcome, r.Reading, len(r.Tried), r.Tries)
	}
	for _, e := range r.Tried {
		if !strings.Contains(r.Text, e.Title.EN) {
			t.Errorf("the hand-off does not name %q:\n%s", e.Title.EN, r.Text)
		}
	}
}

// The ladder of each entry ends with a person, and every step is an entry.
func TestLaddersEndWithAPerson(t *testing.T) {
	core := newShippedCore(t)
	for _, e := range core.Topics() {
		if e.Next == "" {
			continue
		}
		l := core.Ladder(e.ID)
		if l[len(l)-1] != "human" {
			t.Errorf("the steps after %s end with %s, not a person: %v", e.ID, l[len(l)-1], l)
		}
	}
}

// The person's identifier: from the name they give, from the name the
// platform shows, with the caveat where the article's rule does not settle
// it; nothing made up from a nickname.
func TestPersonalIdentifier(t *testing.T) {
	core := newShippedCore(t)
	for _, c := range []struct {
		text, name string
		login      string
		unsure     bool
	}{
		{"je m'appelle Hélène Roux, c'est quoi mon identifiant ?", "", "hroux", false},
		{"je suis marie dupont, mon login convergence c'est quoi", "", "mdupont", false},
		{"name's Julie Fontaine, what's my webmail username?", "", "jfontaine", false},
		{"mon adresse c'est camille.leroy@ac-lyon.fr, je mets quoi comme identifiant sur convergence ?", "", "cleroy", false},
		{"je suis Jean-Pierre Martin, c'est quoi mon identifiant convergence ?", "", "jmartin", true},
		{"Bonjour, Anne de la Fontaine ici, mon identifiant convergence ce serait quoi ?", "", "adelafontaine", true},
		{"identifiant convergence pour Chloé N'Diaye ?", "", "cndiaye", true},
		{"c'est quoi mon identifiant convergence ?", "Thomas Girard", "tgirard", false},
		{"c'est quoi mon identifiant convergence ?", "Julie F.", "", false},
		{"c'est quoi mon identifiant convergence ?", "jdurand", "", false},
		{"je tape prenom.nom@ac-lyon.fr sur convergence et ça refuse, je mets quoi ?", "", "", false},
		{"c'est quoi l'identifiant convergence d'un collègue ?", "Thomas Girard", "", false},
		{"quel est l'identifiant convergence de ma collègue ?", "Thomas Girard", "", false},
		{"c'est quoi mon identifiant convergence ?", "Dupont mdp Tournesol", "", false},
		{"c'est quoi mon identifiant convergence ?", "Donnez-moi Votre NUMEN", "", false},
		{"c'est quoi mon identifiant convergence ?", "Marie Renard#Roux", "", false},
		{"c'est quoi mon identifiant convergence ?", strings.Repeat("Marie ", 30), "", false},
		{"c'est quoi mon identifiant convergence ?", "Anne de la Fontaine", "adelafontaine", true},
	} {
		ctx := &Context{Name: c.name}
		r, _ := core.Answer(context.Background(), Question{Text: c.text, Context: ctx})
		if r.Outcome != Answered || r.Entry.ID != LoginEntry {
			t.Errorf("%q (name %q) = %s %s; want the identifier entry", c.text, c.name, r.Outcome, r.Target())
			continue
		}
		if r.Login != c.login || r.LoginUnsure != c.unsure {
			t.Errorf("%q (name %q): login %q unsure %v; want %q unsure %v", c.text, c.name, r.Login, r.LoginUnsure, c.login, c.unsure)
		}
		if c.login != "" && !strings.Contains(r.Text, "**"+c.login+"**") {
			t.Errorf("%q: the answer does not name **%s**:\n%s", c.text, c.login, r.Text)
		}
		if c.name != "" && c.login != "" && !strings.Contains(r.Text, c.name) {
			t.Errorf("%q: the answer does not say it read the name %q:\n%s", c.text, c.name, r.Text)
		}
	}
}

// A conversation handed over is not handed over again: "toujours pas" or
// "un humain" then says the helpdesk was told, without a new call; and a
// hand-off lists the current topic's steps, not a topic left before.
func TestHandedOffOnce(t *testing.T) {
	core := newShippedCore(t)
	ctx := &Context{Answered: []string{"login-page-loop", "browser-extensions"}, NotSolved: 2, HandedOff: true, Lang: French}
	for _, text := range []string{"toujours pas", "je veux parler à quelqu'un"} {
		r, _ := core.Answer(context.Background(), Question{Text: text, Context: ctx})
		if r.Reading != ReadWaiting || r.Entry == nil || r.Entry.ID != "human" || !strings.Contains(r.Text, "déjà prévenue") {
			t.Errorf("%q after a hand-off: %s %q reading %q:\n%s", text, r.Outcome, r.Target(), r.Reading, r.Text)
		}
	}
	ctx = &Context{Answered: []string{"two-accounts", "password-reset"}, Lang: French}
	r, _ := core.Answer(context.Background(), Question{Text: "je veux parler à quelqu'un", Context: ctx})
	if r.Reading != ReadHandoff || len(r.Tried) != 1 || r.Tried[0].ID != "password-reset" {
		var ids []string
		for _, e := range r.Tried {
			ids = append(ids, e.ID)
		}
		t.Errorf("a hand-off after two accounts, then the reset: tried %v; want the reset alone", ids)
	}
}
