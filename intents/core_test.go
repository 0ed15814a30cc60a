package intents

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
)

// newShippedCore is the core of the shipped knowledge, trained once for the
// whole test binary: a core is read-only, and the tests only read it.
func newShippedCore(t testing.TB) *Core {
	t.Helper()
	shippedOnce.Do(func() {
		kb, err := Load(shipped)
		if err == nil {
			shippedCore, err = NewCore(kb)
		}
		shippedErr = err
	})
	if shippedErr != nil {
		t.Fatal(shippedErr)
	}
	return shippedCore
}

var (
	shippedOnce sync.Once
	shippedCore *Core
	shippedErr  error
)

func TestAnswerOutcomes(t *testing.T) {
	core := newShippedCore(t)
	tests := []struct {
		q       string
		outcome Outcome
		id      string
		lang    string
	}{
		{"quel est mon identifiant convergence", Answered, "login-identifier", French},
		{"what port for the imap server", Answered, "imap-settings", English},
		{"bonjour", Answered, "greeting", French},
		{"Bonjour, j'ai oublié mon mot de passe", Answered, "password-reset", French},
		{"merci !", Answered, "thanks", French},
		{"le menu de la cantine", Fallback, "", French},
		{"the heating is broken in my classroom", Fallback, "", English},
		{"   ", Empty, "", French},
		{"🙂🙂", Empty, "", French},
	}
	for _, tt := range tests {
		r, err := core.Answer(context.Background(), Question{Text: tt.q})
		if err != nil {
			t.Fatal(err)
		}
		id := ""
		if r.Entry != nil {
			id = r.Entry.ID
		}
		if r.Outcome != tt.outcome || id != tt.id || r.Lang != tt.lang {
			t.Errorf("Answer(%q) = %s %q %s (%.2f); want %s %q %s", tt.q, r.Outcome, id, r.Lang, r.Confidence, tt.outcome, tt.id, tt.lang)
		}
		if r.Text == "" {
			t.Errorf("Answer(%q) has no text", tt.q)
		}
	}
}

func TestSuggestionsOfferTitles(t *testing.T) {
	core := newShippedCore(t)
	r, _ := core.Answer(context.Background(), Question{Text: "problème avec convergence"})
	if r.Outcome != Suggested {
		t.Fatalf("Answer(problème avec convergence) = %s (%.2f); want suggested", r.Outcome, r.Confidence)
	}
	if len(r.Alternatives) == 0 || len(r.Alternatives) > 3 {
		t.Fatalf("alternatives = %d; want 1 to 3", len(r.Alternatives))
	}
	if want := core.Knowledge().Messages.DidYouMean.FR; r.Intro != want {
		t.Errorf("suggestions introduced by %q; want %q", r.Intro, want)
	}
	for _, a := range r.Alternatives {
		if a.Entry.Conversational() {
			t.Errorf("suggested conversational entry %q", a.Entry.ID)
		}
		if !strings.Contains(r.Text, a.Entry.Title.FR) {
			t.Errorf("suggestion text lacks the title %q:\n%s", a.Entry.Title.FR, r.Text)
		}
	}
}

// A one-word question that several entries use gets "did you mean" with
// the entries people most likely mean, even when the matcher is confident: a
// helpdesk asks rather than guesses. "mail" offers the login entries too
// (through "adresse mail"), not only the phone's. A word one entry is about,
// or that an example is made of, is answered.
func TestVagueQuestionsGetChoices(t *testing.T) {
	core := newShippedCore(t)
	tests := []struct {
		q    string
		want []string // offered, in any order
	}{
		{"mail", []string{"login-identifier", "imap-settings"}},
		{"problème", nil},
		{"téléphone", []string{"imap-settings", "imap-vs-pop"}},
		{"mot de passe", []string{"password-reset", "password-change"}},
		{"certificat", []string{"certificate-warning", "clock-certificate"}},
		{"password", []string{"password-reset", "password-change"}},
	}
	for _, tt := range tests {
		r, _ := core.Answer(context.Background(), Question{Text: tt.q})
		if r.Outcome != Suggested || len(r.Alternatives) < 2 {
			t.Errorf("Answer(%q) = %s with %d alternatives; want suggested with 2 or 3", tt.q, r.Outcome, len(r.Alternatives))
			continue
		}
		var ids []string
		for _, a := range r.Alternatives {
			ids = append(ids, a.Entry.ID)
		}
		for _, w := range tt.want {
			if !slices.Contains(ids, w) {
				t.Errorf("Answer(%q) offers %v; want %s among them", tt.q, ids, w)
			}
		}
		if want := core.Knowledge().Messages.WhichOne.In(r.Lang); r.Intro != want || !strings.HasPrefix(r.Text, want) {
			t.Errorf("Answer(%q) introduced by %q; want %q", tt.q, r.Intro, want)
		}
	}
	for q, want := range map[string]string{"bonjour": "greeting", "numen": "default-password", "merci": "thanks", "aide": "help", "what's a NUMEN": "default-password"} {
		r, _ := core.Answer(context.Background(), Question{Text: q})
		if r.Outcome != Answered || r.Entry.ID != want {
			t.Errorf("Answer(%q) = %s (%.2f); want %s answered", q, r.Outcome, r.Confidence, want)
		}
	}
}

func TestFallbackSaysHowToReachAHuman(t *testing.T) {
	core := newShippedCore(t)
	for _, q := range []string{"le chauffage est en panne dans ma salle", "the heating is broken in my classroom"} {
		r, _ := core.Answer(context.Background(), Question{Text: q})
		if r.Outcome != Fallback || !strings.Contains(r.Text, "DSI") {
			t.Errorf("Answer(%q) = %s %q; want a fallback naming the DSI", q, r.Outcome, r.Text)
		}
	}
}

func TestHelpListsTopics(t *testing.T) {
	core := newShippedCore(t)
	for _, lang := range Languages {
		// The topics are what to read next: buttons on the platforms,
		// numbers in the console, a list in the text outputs.
		r := core.AnswerEntry(mustEntry(t, core.Knowledge(), "help"), lang)
		if len(r.FollowUps) != len(core.Knowledge().Topics()) || r.SeeAlso != "" {
			t.Errorf("help (%s) offers %d topics to read next; want all %d", lang, len(r.FollowUps), len(core.Knowledge().Topics()))
		}
		for _, e := range core.Knowledge().Topics() {
			if !strings.Contains(r.Markdown(), "\n- "+e.Title.In(lang)) {
				t.Errorf("help (%s) does not list %q", lang, e.Title.In(lang))
			}
		}
		if strings.Contains(r.Text, "{topics}") {
			t.Errorf("help (%s) kept its placeholder", lang)
		}
	}
}

func TestForcedLanguage(t *testing.T) {
	core := newShippedCore(t)
	r, _ := core.Answer(context.Background(), Question{Text: "mot de passe oublié", Lang: English})
	if r.Lang != English || !strings.Contains(r.Text, "reset") {
		t.Errorf("Answer(lang=en) = %s %q; want the English answer", r.Lang, r.Text)
	}
}

func TestCancelledContext(t *testing.T) {
	core := newShippedCore(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := core.Answer(ctx, Question{Text: "imap"}); err == nil {
		t.Error("Answer on a cancelled context returned no error")
	}
}

func BenchmarkAnswerShipped(b *testing.B) {
	core := newShippedCore(b)
	qs := []string{"j'ai oublié mon mot de passe", "what port for imap on my phone", "certifcat invalide android", "le menu de la cantine"}
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		core.Answer(ctx, Question{Text: qs[i%len(qs)]})
	}
}

// A long message is scored whole, then clause by clause: the cost a
// question pays for that.
func BenchmarkAnswerLongMessage(b *testing.B) {
	core := newShippedCore(b)
	q := Question{Text: "Bonjour à tous, je suis professeure de SVT, arrivée à la rentrée dans un collège de Villeurbanne. " +
		"Depuis ce matin je n'arrive plus à me connecter à Convergence avec mon adresse complète. Que faut-il taper comme identifiant ? Merci d'avance"}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		core.Answer(ctx, q)
	}
}

// syntheticKnowledge builds n topic entries of made-up but word-rich
// questions, to measure how answering scales.
func syntheticKnowledge(n int) *Knowledge {
	words := strings.Fields("alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa quebec romeo sierra tango uniform victor whiskey xray yankee zulu")
	kb := &Knowledge{Version: 1}
	kb.Settings.defaults()
	for i := 0; i < n; i++ {
		e := &Entry{ID: fmt.Sprintf("topic-%d", i), Title: Text{FR: fmt.Sprintf("Sujet %d", i), EN: fmt.Sprintf("Topic %d", i)}}
		for j := 0; j < 10; j++ {
			w1, w2, w3 := words[(i+j)%len(words)], words[(i*7+j)%len(words)], words[(i*13)%len(words)]
			q := fmt.Sprintf("%s %s %s code%d question%d", w1, w2, w3, i, j)
			if j%2 == 0 {
				e.Questions.FR = append(e.Questions.FR, q)
			} else {
				e.Questions.EN = append(e.Questions.EN, q)
			}
		}
		e.Answer = Text{FR: "Réponse " + e.ID, EN: "Answer " + e.ID}
		kb.Entries = append(kb.Entries, e)
	}
	kb.index()
	return kb
}

func BenchmarkAnswerSynthetic1000(b *testing.B) {
	core, err := NewCore(syntheticKnowledge(1000))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		core.Answer(ctx, Question{Text: fmt.Sprintf("bravo delta code%d question", i%1000)})
	}
}

// Another service's question is redirected to it, never answered with a
// webmail entry, unless it names the webmail too.
func TestOtherServicesAreRedirected(t *testing.T) {
	core := newShippedCore(t)
	tests := []struct {
		q, service string
	}{
		{"mot de passe pronote oublié", "pronote"},
		{"PRONOTE ME DECONNECTE", "pronote"},
		{"how do I reset a pupil's ENT password", "ent"},
		{"eduroam me demande d'accepter un certificat", "wifi"},
		{"i-prof refuse mon mot de passe", "iprof"},
		{"la photocopieuse est en panne", "printer"},
	}
	for _, tt := range tests {
		r, _ := core.Answer(context.Background(), Question{Text: tt.q})
		if r.Outcome != Redirected || r.Service == nil || r.Service.ID != tt.service || r.Entry != nil || len(r.Alternatives) > 0 {
			t.Errorf("Answer(%q) = %s %s; want redirected to %s, with no webmail entry", tt.q, r.Outcome, r.Target(), tt.service)
			continue
		}
		if want := strings.TrimSpace(r.Service.Answer.In(r.Lang)); r.Text != want {
			t.Errorf("Answer(%q) text = %q; want the service's answer", tt.q, r.Text)
		}
	}
	for q, want := range map[string]string{
		"I use the same password for Pronote and the webmail, how do I change the webmail one?": "password-change",
		"j'ai oublié mon mot de passe Convergence, pas celui de Pronote":                        "password-reset",
	} {
		r, _ := core.Answer(context.Background(), Question{Text: q})
		if r.Outcome != Answered || r.Entry.ID != want {
			t.Errorf("Answer(%q) = %s %s; want %s answered: it names the webmail", q, r.Outcome, r.Target(), want)
		}
	}
}

// A long message is answered like the question it carries, and a person's
// name does not count against the login entry.
func TestLongMessagesAndNames(t *testing.T) {
	core := newShippedCore(t)
	for q, want := range map[string]string{
		"Bonjour à tous, je suis professeure de SVT, arrivée à la rentrée dans un collège de Villeurbanne après dix ans à Grenoble. Je n'arrive pas à me connecter à Convergence avec mon adresse complète, que faut-il taper comme identifiant ?": "login-identifier",
		"je m'appelle Bernadette Lefort, c'est quoi mon login convergence ?":                                                          "login-identifier",
		"Hello, quick question before my first lesson: my phone says the certificate of mail.ac-lyon.fr is invalid, can I accept it?": "certificate-warning",
	} {
		r, _ := core.Answer(context.Background(), Question{Text: q})
		if r.Outcome != Answered || r.Entry.ID != want {
			t.Errorf("Answer(%q) = %s %s (%.2f); want %s", q, r.Outcome, r.Target(), r.Confidence, want)
		}
	}
}
