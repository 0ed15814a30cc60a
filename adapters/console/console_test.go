package console

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/mattn/go-runewidth"

	"github.com/acad-lyon/helpdesk-bot/intents"
	"github.com/acad-lyon/helpdesk-bot/internal/chat/chattest"
)

// echo answers every question with its text in bold, and nothing to blank
// lines.
type echo struct{}

func (echo) Answer(_ context.Context, q intents.Question) (intents.Reply, error) {
	if strings.TrimSpace(q.Text) == "" {
		return intents.Reply{Outcome: intents.Empty}, nil
	}
	return intents.Reply{Outcome: intents.Answered, Text: "**" + q.Text + "**"}, nil
}

func (echo) AnswerEntry(e *intents.Entry, lang string) intents.Reply {
	return intents.Reply{Outcome: intents.Answered, Entry: e, Text: e.ID}
}

func TestRunAnswersEachLineAsPlainText(t *testing.T) {
	var out bytes.Buffer
	a := &Adapter{In: strings.NewReader("un\n\ndeux\n"), Out: &out}
	if err := a.Run(context.Background(), echo{}); err != nil {
		t.Fatal(err)
	}
	if got, want := out.String(), "un\n\ndeux\n\n"; got != want {
		t.Errorf("output %q; want %q", got, want)
	}
}

// script is a terminal's lines, typed one after the other.
type script struct {
	lines   []string
	prompts int
	history []string
}

func (s *script) ReadLine(prompt string) (string, error) {
	s.prompts++
	if len(s.lines) == 0 {
		return "", io.EOF
	}
	l := s.lines[0]
	s.lines = s.lines[1:]
	if l == "^C" {
		return "", ErrAborted
	}
	return l, nil
}

func (s *script) AddHistory(l string) { s.history = append(s.history, l) }

func TestRunOnATerminal(t *testing.T) {
	var out bytes.Buffer
	lines := &script{lines: []string{"un", "^C", "deux", "au revoir", "jamais lu"}}
	a := &Adapter{Out: &out, Lines: lines, Welcome: "Bienvenue"}
	if err := a.Run(context.Background(), echo{}); err != nil {
		t.Fatal(err)
	}
	if got, want := out.String(), "Bienvenue\n\nun\n\ndeux\n\nAu revoir !\n"; got != want {
		t.Errorf("output %q; want %q", got, want)
	}
	if strings.Join(lines.history, "|") != "un|deux|au revoir" || len(lines.lines) != 1 {
		t.Errorf("history %q, %d lines left; want the questions kept, the chat over at the quit word", lines.history, len(lines.lines))
	}
}

func TestQuitWords(t *testing.T) {
	for _, w := range []string{"quit", "exit", "bye", "Au revoir", "quitter", "QUIT!", "fin"} {
		var out bytes.Buffer
		a := &Adapter{In: strings.NewReader(w + "\nnot reached\n"), Out: &out}
		a.Run(context.Background(), echo{})
		if strings.Contains(out.String(), "not reached") || !strings.Contains(out.String(), "!") {
			t.Errorf("%q: output %q; want a goodbye and the end", w, out.String())
		}
	}
}

// A "did you mean" is numbered; its number answers with that entry.
func TestNumberedSuggestions(t *testing.T) {
	core := chattest.Shipped(t)
	var out bytes.Buffer
	a := &Adapter{In: strings.NewReader("mail\n2\n"), Out: &out}
	if err := a.Run(context.Background(), core); err != nil {
		t.Fatal(err)
	}
	r, _ := core.Answer(context.Background(), intents.Question{Text: "mail"})
	if len(r.Alternatives) < 2 {
		t.Fatalf("mail gets %d suggestions", len(r.Alternatives))
	}
	second := r.Alternatives[1].Entry
	got := out.String()
	if !strings.Contains(got, "  1. "+r.Alternatives[0].Entry.Title.FR) || !strings.Contains(got, "Tapez un numéro") {
		t.Errorf("suggestions not numbered:\n%s", got)
	}
	if !strings.Contains(got, intents.RenderText(core.AnswerEntry(second, "fr").Text)[:40]) {
		t.Errorf("2 did not answer with %s:\n%s", second.ID, got)
	}
}

// A piped line of a megabyte is cut, not fatal; an emoji alone gets the
// hint.
func TestLongLinesAndEmoji(t *testing.T) {
	core := chattest.Shipped(t)
	var out bytes.Buffer
	in := strings.Repeat("quel port imap ", 70_000) + "\n😀\n"
	a := &Adapter{In: strings.NewReader(in), Out: &out}
	if err := a.Run(context.Background(), core); err != nil {
		t.Fatalf("a long line: %v", err)
	}
	empty, _ := core.Answer(context.Background(), intents.Question{Text: "😀"})
	if !strings.Contains(out.String(), "993") || !strings.Contains(out.String(), intents.RenderText(empty.Text)) {
		t.Errorf("output:\n%.500s", out.String())
	}
}

func TestWrap(t *testing.T) {
	text := "Dans l'application mail de votre téléphone, créez un compte IMAP avec ces réglages très précis :\n- Serveur entrant IMAP : mail.ac-lyon.fr, port 993, sécurité SSL/TLS activée sur tous les téléphones 📱"
	got := Wrap(text, 40)
	for _, l := range strings.Split(got, "\n") {
		if runewidth.StringWidth(l) > 40 {
			t.Errorf("line %q is %d columns wide", l, runewidth.StringWidth(l))
		}
	}
	if !strings.Contains(got, "\n  ") || strings.Join(strings.Fields(got), " ") != strings.Join(strings.Fields(text), " ") {
		t.Errorf("wrapped:\n%s", got)
	}
}

func TestRunStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r, w := io.Pipe()
	defer w.Close()
	a := &Adapter{In: r, Out: &bytes.Buffer{}}
	if err := a.Run(ctx, echo{}); err != nil {
		t.Errorf("Run after cancel = %v; want nil", err)
	}
}
