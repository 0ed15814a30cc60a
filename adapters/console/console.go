// Package console is the chat adapter for a terminal: one question per line
// on the input, the answer as plain text on the output. It is what `bot`
// runs when no chat platform is configured, so a newcomer sees the bot
// answer at once.
package console

import (
	"bufio"
	"context"
	"fmt"
	"io"

	"github.com/acad-lyon/helpdesk-bot/intents"
)

// Adapter chats on a reader and a writer.
type Adapter struct {
	In  io.Reader
	Out io.Writer
	// Interactive prints a welcome line and a prompt (set it for terminals).
	Interactive bool
	// Welcome is printed first when Interactive.
	Welcome string
}

// maxLine is the longest line read; longer input is cut (matching only
// needs the start of a question).
const maxLine = 64 * 1024

// Run answers every line of In until it ends or ctx is cancelled. The
// goroutine reading In is left blocked on it after a cancellation: a
// terminal read cannot be interrupted, and the process is about to exit.
func (a *Adapter) Run(ctx context.Context, ans intents.Answerer) error {
	lines := make(chan string)
	errc := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(a.In)
		sc.Buffer(make([]byte, 4096), maxLine)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
		errc <- sc.Err()
	}()
	if a.Interactive {
		if a.Welcome != "" {
			fmt.Fprintln(a.Out, a.Welcome)
		}
		fmt.Fprint(a.Out, "> ")
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-errc:
			if a.Interactive {
				fmt.Fprintln(a.Out)
			}
			if err != nil {
				return fmt.Errorf("console: read: %w", err)
			}
			return nil
		case line := <-lines:
			r, err := ans.Answer(ctx, intents.Question{Text: line, Direct: true}) // a terminal is one person's
			if err != nil {
				return fmt.Errorf("console: answer: %w", err)
			}
			if r.Outcome != intents.Empty {
				fmt.Fprintln(a.Out, intents.RenderText(r.Markdown()))
			}
			if a.Interactive {
				fmt.Fprint(a.Out, "\n> ")
			} else if r.Outcome != intents.Empty {
				fmt.Fprintln(a.Out) // a blank line between answers
			}
		}
	}
}
