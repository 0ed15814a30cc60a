package console

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/acad-lyon/helpdesk-bot/intents"
)

// echo answers every question with its text in bold, and nothing to blank
// lines.
var echo = intents.AnswererFunc(func(_ context.Context, q intents.Question) (intents.Reply, error) {
	if strings.TrimSpace(q.Text) == "" {
		return intents.Reply{Outcome: intents.Empty}, nil
	}
	return intents.Reply{Outcome: intents.Answered, Text: "**" + q.Text + "**"}, nil
})

func TestRunAnswersEachLineAsPlainText(t *testing.T) {
	var out bytes.Buffer
	a := &Adapter{In: strings.NewReader("un\n\ndeux\n"), Out: &out}
	if err := a.Run(context.Background(), echo); err != nil {
		t.Fatal(err)
	}
	if got, want := out.String(), "un\n\ndeux\n\n"; got != want {
		t.Errorf("output %q; want %q", got, want)
	}
}

func TestRunInteractivePrompts(t *testing.T) {
	var out bytes.Buffer
	a := &Adapter{In: strings.NewReader("un\n"), Out: &out, Interactive: true, Welcome: "Bienvenue"}
	if err := a.Run(context.Background(), echo); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); !strings.HasPrefix(got, "Bienvenue\n> un\n") || !strings.HasSuffix(got, "> \n") {
		t.Errorf("interactive output %q", got)
	}
}

func TestRunStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r, w := io.Pipe()
	defer w.Close()
	a := &Adapter{In: r, Out: &bytes.Buffer{}}
	if err := a.Run(ctx, echo); err != nil {
		t.Errorf("Run after cancel = %v; want nil", err)
	}
}
