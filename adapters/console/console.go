// Package console is the chat adapter for a terminal: one question per line
// on the input, the answer as plain text on the output, wrapped to the
// terminal's width. It is what `bot` runs when no chat platform is
// configured, so a newcomer sees the bot answer at once. On a terminal, the
// line is edited as in a shell (arrows, history, Ctrl-R), a "did you mean"
// is numbered and answered by its number, and the usual words quit.
package console

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/mattn/go-runewidth"
	"github.com/peterh/liner"

	"github.com/acad-lyon/helpdesk-bot/intents"
	"github.com/acad-lyon/helpdesk-bot/internal/chat"
)

// Helpdesk is what the console asks: the answer to a question in the
// context of the chat so far (a number or "le deuxième" chooses among what
// the last answer numbered). *intents.Core and live.Knowledge (which
// follows the knowledge's edits) implement it.
type Helpdesk interface {
	intents.Answerer
}

// Lines reads the person's lines on a terminal, with editing and history:
// ReadLine returns io.EOF at Ctrl-D, ErrAborted at Ctrl-C. *Editor (a
// peterh/liner line editor) implements it.
type Lines interface {
	ReadLine(prompt string) (string, error)
	AddHistory(line string)
}

// ErrAborted is what Lines returns when the person presses Ctrl-C.
var ErrAborted = errors.New("aborted")

// Adapter chats on a reader and a writer.
type Adapter struct {
	In  io.Reader
	Out io.Writer
	// Lines, when set, reads the lines instead of In: a terminal, with
	// editing and history; the welcome is printed, and a prompt.
	Lines Lines
	// Welcome is printed first on a terminal.
	Welcome string
	// Width is the width answers are wrapped to (0: not wrapped).
	Width int
}

// MaxLine is the longest question read; the rest of a longer line is read
// and dropped (matching only needs the start of a question).
const MaxLine = 64 * 1024

// quitWords end the chat, in both languages, as people type them.
var quitWords = map[string]string{
	"quit": intents.English, "exit": intents.English, "bye": intents.English, "goodbye": intents.English, "q": intents.English,
	"quitter": intents.French, "au revoir": intents.French, "fin": intents.French, "sortir": intents.French, "ciao": intents.French,
}

var goodbye = map[string]string{intents.French: "Au revoir !", intents.English: "Goodbye!"}

// Run answers every line until the input ends, a quit word, or ctx is
// cancelled.
func (a *Adapter) Run(ctx context.Context, hd Helpdesk) error {
	read := a.reader()
	if a.Lines != nil && a.Welcome != "" {
		a.print(a.Welcome)
		fmt.Fprintln(a.Out)
	}
	// The chat is one conversation, remembered as every platform's are
	// (chat.Memory): what the last reply numbered, the topics answered.
	var mem chat.Memory
	type result struct {
		line string
		err  error
	}
	next := make(chan result, 1)
	for {
		// One line at a time, read in the background so that a
		// cancellation ends the chat at once: a terminal read cannot be
		// interrupted, and the process is about to exit.
		go func() {
			line, err := read()
			next <- result{line, err}
		}()
		var line string
		var err error
		select {
		case <-ctx.Done():
			return nil
		case got := <-next:
			line, err = got.line, got.err
		}
		switch {
		case errors.Is(err, io.EOF):
			return nil
		case errors.Is(err, ErrAborted):
			mem.Offered = nil
			continue
		case err != nil:
			return fmt.Errorf("console: read: %w", err)
		}
		q := strings.TrimSpace(line)
		if q == "" {
			continue
		}
		if a.Lines != nil {
			a.Lines.AddHistory(q)
		}
		if lang, ok := quitWords[strings.ToLower(strings.Trim(q, " !.?"))]; ok {
			a.print(goodbye[lang])
			return nil
		}
		r, err := hd.Answer(ctx, intents.Question{Text: q, Direct: true, Context: mem.Context("")}) // a terminal is one person's
		if err != nil {
			return fmt.Errorf("console: answer: %w", err)
		}
		mem = mem.After(r)
		text, _ := numbered(r)
		a.print(text)
		fmt.Fprintln(a.Out)
	}
}

// reader returns the function that reads the next line: from Lines, or
// from In with long lines cut.
func (a *Adapter) reader() func() (string, error) {
	if a.Lines != nil {
		return func() (string, error) { return a.Lines.ReadLine("> ") }
	}
	in := bufio.NewReaderSize(a.In, 4096)
	return func() (string, error) {
		var b strings.Builder
		for {
			chunk, err := in.ReadSlice('\n')
			if b.Len() < MaxLine {
				b.Write(chunk[:min(len(chunk), MaxLine-b.Len())])
			}
			switch {
			case err == bufio.ErrBufferFull:
				continue // the rest of a long line
			case err == io.EOF && b.Len() > 0:
				return b.String(), nil
			case err != nil:
				return "", err
			}
			return strings.TrimRight(b.String(), "\r\n"), nil
		}
	}
}

// numbered is the reply as plain text, with the entries it offers (its
// "did you mean", or the entries to read next) numbered, to be chosen by
// number; it returns them in that order.
func numbered(r intents.Reply) (string, []*intents.Entry) {
	var offered []*intents.Entry
	intro := r.Text
	if len(r.Alternatives) > 0 && r.Entry == nil {
		intro, _, _ = strings.Cut(r.Text, "\n- ")
		for _, alt := range r.Alternatives {
			offered = append(offered, alt.Entry)
		}
	} else {
		offered = r.FollowUps
	}
	if len(offered) == 0 {
		return intents.RenderText(r.Markdown()), nil
	}
	var b strings.Builder
	b.WriteString(intents.RenderText(intro))
	if r.Entry != nil && r.SeeAlso != "" {
		b.WriteString("\n\n" + r.SeeAlso)
	}
	for i, e := range offered {
		fmt.Fprintf(&b, "\n  %d. %s", i+1, e.Title.In(r.Lang))
	}
	if r.Lang == intents.English {
		b.WriteString("\n(Type a number to read it.)")
	} else {
		b.WriteString("\n(Tapez un numéro pour le lire.)")
	}
	return b.String(), offered
}

// print writes text wrapped to the width.
func (a *Adapter) print(text string) {
	fmt.Fprintln(a.Out, Wrap(text, a.Width))
}

// listItem is the start of a line of a list ("- ", "  2. "): its wrapped
// lines are indented under its text.
var listItem = regexp.MustCompile(`^\s*(?:[-•*]|\d+[.)])\s+`)

// Wrap breaks the lines of text at spaces so that none is wider than width
// columns on a terminal (accents count one, emoji two), indenting the rest
// of a list item under its text. A word wider than the line stays whole.
// width 0 leaves text as it is.
func Wrap(text string, width int) string {
	if width <= 0 {
		return text
	}
	var out []string
	for _, line := range strings.Split(text, "\n") {
		indent := strings.Repeat(" ", runewidth.StringWidth(listItem.FindString(line)))
		cur := ""
		for _, w := range strings.Fields(line) {
			switch {
			case cur == "":
				cur = line[:len(line)-len(strings.TrimLeft(line, " "))] + w
			case runewidth.StringWidth(cur)+1+runewidth.StringWidth(w) > width:
				out = append(out, cur)
				cur = indent + w
			default:
				cur += " " + w
			}
		}
		out = append(out, cur)
	}
	return strings.Join(out, "\n")
}

// Editor reads lines on a terminal with editing and history: arrows,
// Home/End, Ctrl-R to search the history (github.com/peterh/liner).
type Editor struct{ l *liner.State }

// NewEditor takes the terminal; Close gives it back.
func NewEditor() *Editor {
	l := liner.NewLiner()
	l.SetCtrlCAborts(true)
	return &Editor{l}
}

// ReadLine implements Lines.
func (e *Editor) ReadLine(prompt string) (string, error) {
	s, err := e.l.Prompt(prompt)
	if errors.Is(err, liner.ErrPromptAborted) {
		return "", ErrAborted
	}
	return s, err
}

// AddHistory implements Lines.
func (e *Editor) AddHistory(line string) { e.l.AppendHistory(line) }

// Close gives the terminal back as it was.
func (e *Editor) Close() error { return e.l.Close() }
