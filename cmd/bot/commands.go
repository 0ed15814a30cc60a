package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/acad-lyon/helpdesk-bot/adapters/discord"
	"github.com/acad-lyon/helpdesk-bot/adapters/slack"
	"github.com/acad-lyon/helpdesk-bot/intents"
	"github.com/acad-lyon/helpdesk-bot/internal/chat"
)

// rules are checked whenever the knowledge is loaded: the platforms' bounds
// on an answer, and the entries every deployment has (../shared/CONTRACT.md),
// so that a file cut short is refused.
var rules = []intents.Rule{slack.AnswerLimit, discord.AnswerLimit, intents.Required{
	"login-identifier", "portal-choice", "imap-settings", "imap-vs-pop", "certificate-warning", "default-password",
	"password-reset", "password-change", "two-accounts", "login-page-loop", "browser-extensions", "clock-certificate",
	"unsupported-browser", "greeting", "thanks", "help", "human"}}

// formats are the outputs of `bot answer`, each rendered by its own side:
// the platforms' by their adapters.
var formats = map[string]func(md string) string{
	"text":     intents.RenderText,
	"markdown": func(md string) string { return md },
	"slack":    slack.Mrkdwn,
	"discord":  discord.Markdown,
}

// knowledgePath is KNOWLEDGE_PATH, or knowledge/faq.yaml, or the knowledge/
// folder when it holds several files.
func knowledgePath(getenv env) string {
	if p := getenv("KNOWLEDGE_PATH"); p != "" {
		return p
	}
	if m, _ := filepath.Glob("knowledge/*.yaml"); len(m) > 1 {
		return "knowledge"
	}
	return "knowledge/faq.yaml"
}

// loadCore loads the knowledge and trains the matcher. Problems in the
// knowledge are printed one per line before the error.
func loadCore(getenv env, stderr io.Writer) (*intents.Core, error) {
	path := knowledgePath(getenv)
	core, err := intents.LoadCore(path, rules...)
	if err != nil {
		return nil, knowledgeError(getenv, path, err, stderr)
	}
	return core, nil
}

// parseArgs parses flags wherever they are among the arguments, so that
// `bot answer ID --format slack` works as well as `bot answer --format slack ID`.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, exitError{2, ""}
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func checkLang(lang string) error {
	if lang != "" && lang != intents.French && lang != intents.English {
		return exitError{2, fmt.Sprintf("--lang must be fr or en, not %q", lang)}
	}
	return nil
}

// askResult is one line of `bot ask --json` (../shared/CONTRACT.md).
type askResult struct {
	Question     string           `json:"question"`
	Intent       string           `json:"intent"`
	Confidence   float64          `json:"confidence"`
	Language     string           `json:"language"`
	Alternatives []askAlternative `json:"alternatives"`
	Answer       string           `json:"answer"`
	// Outcome says how the bot replies: answered, suggested, redirected,
	// fallback, empty or secret.
	Outcome intents.Outcome `json:"outcome"`
	// Service is the other service a redirected question is about ("" for
	// the other outcomes).
	Service string `json:"service"`
	// Reading says how the conversation was used (--threads only):
	// follow-up, pick, next-step, handoff, or "" for the message alone.
	Reading string `json:"reading,omitempty"`
	// Thread is the conversation the question belongs to (--threads only).
	Thread *string `json:"thread,omitempty"`
	// Error says why a line of --threads could not be read.
	Error string `json:"error,omitempty"`
}

// threadLine is one line of `bot ask --json --threads`.
type threadLine struct {
	Thread string `json:"thread"`
	Text   string `json:"text"`
	Name   string `json:"name"`
}

type askAlternative struct {
	Intent     string  `json:"intent"`
	Confidence float64 `json:"confidence"`
}

// redacted stands for a question that carried a secret.
const redacted = "[redacted: the question contained a password or a NUMEN]"

func round2(x float64) float64 { return float64(int(x*100+0.5)) / 100 }

func cmdAsk(ctx context.Context, fs *flag.FlagSet, args []string, getenv env, stdin io.Reader, stdout, stderr io.Writer) error {
	asJSON := fs.Bool("json", false, "print one JSON object per question")
	threads := fs.Bool("threads", false, `read one JSON object a line, {"thread": "ID", "text": "...", "name": "..."}, and answer each in the context of the earlier lines of its thread (implies --json)`)
	lang := fs.String("lang", "", "reply language: fr or en (default: the question's)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := checkLang(*lang); err != nil {
		return err
	}
	core, err := loadCore(getenv, stderr)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(stdout)
	if *threads {
		if len(pos) > 0 {
			return exitError{2, "with --threads, the questions come from stdin, one JSON object a line"}
		}
		idle, err := conversationIdle(getenv)
		if err != nil {
			return err
		}
		return askThreads(ctx, core, *lang, idle, stdin, w)
	}
	ask := func(q string) error {
		r, err := core.Answer(ctx, intents.Question{Text: q, Lang: *lang})
		if err != nil {
			return err
		}
		if *asJSON {
			b, err := json.Marshal(resultOf(q, r))
			if err != nil {
				return err
			}
			w.Write(b)
			w.WriteByte('\n')
		} else {
			fmt.Fprintln(w, intents.RenderText(r.Markdown()))
		}
		return w.Flush()
	}
	if len(pos) > 0 {
		return ask(strings.Join(pos, " "))
	}
	sc := bufio.NewScanner(stdin)
	sc.Buffer(make([]byte, 4096), 1<<20)
	first := true
	for sc.Scan() {
		if !*asJSON && !first {
			fmt.Fprintln(w)
		}
		first = false
		if err := ask(sc.Text()); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read questions: %w", err)
	}
	return nil
}

// resultOf is the JSON line of a reply.
func resultOf(q string, r intents.Reply) askResult {
	res := askResult{Question: q, Language: r.Lang, Confidence: round2(r.Confidence), Alternatives: []askAlternative{}, Answer: r.Markdown(), Outcome: r.Outcome}
	if r.Service != nil {
		res.Service = r.Service.ID
	}
	if r.Outcome == intents.Secret {
		res.Question = redacted // never echo a password or a NUMEN
	}
	if r.Entry != nil {
		res.Intent = r.Entry.ID
	}
	for _, a := range r.Alternatives {
		res.Alternatives = append(res.Alternatives, askAlternative{a.Entry.ID, round2(a.Confidence)})
	}
	return res
}

// askThreads answers `bot ask --json --threads`: each line in the context
// of the earlier lines of its thread, through the conversation every
// platform shares, one JSON answer a line, in order. A line that is not one
// such object gets an answer that says why, and the next lines are read.
func askThreads(ctx context.Context, core *intents.Core, lang string, idle time.Duration, stdin io.Reader, w *bufio.Writer) error {
	conv := &chat.Conversation{Platform: "ask", Helpdesk: chat.Fixed(core), Threads: chat.NewLocalThreads(chat.LocalConversations), Idle: idle, Log: slog.New(slog.DiscardHandler)}
	in := bufio.NewReaderSize(stdin, 64<<10)
	for n := 1; ; n++ {
		line, long, err := readLine(in, maxThreadLine)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read questions: %w", err)
		}
		if n == 1 {
			line = strings.TrimPrefix(line, "\ufeff") // a byte-order mark
		}
		if strings.TrimSpace(line) == "" {
			continue // nothing was asked
		}
		var res askResult
		t, problem := parseThreadLine(line, long)
		if problem != "" {
			res = askResult{Alternatives: []askAlternative{}, Error: fmt.Sprintf("line %d: %s", n, problem)}
		} else {
			m := chat.Message{User: "ask", Thread: t.Thread, Text: t.Text, Name: t.Name, Addressed: true, Called: true, Direct: true, Lang: lang}
			resp, err := conv.Respond(ctx, m)
			if err != nil {
				return err
			}
			res = resultOf(t.Text, resp.Reply)
			res.Reading = resp.Reply.Reading
		}
		res.Thread = &t.Thread
		b, err := json.Marshal(res)
		if err != nil {
			return err
		}
		w.Write(b)
		w.WriteByte('\n')
		if err := w.Flush(); err != nil {
			return err
		}
	}
}

// maxThreadLine bounds a line of --threads: a question is matched on its
// first kilobyte; a longer line is answered with an error.
const maxThreadLine = 1 << 20

// readLine reads a line without its end, at most max bytes of it; long
// says the rest was read and dropped.
func readLine(r *bufio.Reader, max int) (line string, long bool, err error) {
	var b strings.Builder
	for {
		chunk, err := r.ReadSlice('\n')
		if b.Len()+len(chunk) <= max {
			b.Write(chunk)
		} else {
			long = true
		}
		switch {
		case err == bufio.ErrBufferFull:
			continue
		case err == io.EOF && b.Len() > 0:
			return strings.TrimRight(b.String(), "\r\n"), long, nil
		case err != nil:
			return "", long, err
		}
		return strings.TrimRight(b.String(), "\r\n"), long, nil
	}
}

// parseThreadLine reads one line of --threads, or says in plain words what
// is wrong with it.
func parseThreadLine(line string, long bool) (threadLine, string) {
	const want = `expected one JSON object a line, such as {"thread": "ID", "text": "..."}`
	var t threadLine
	switch {
	case long:
		return t, fmt.Sprintf("the line is longer than %d bytes: %s", maxThreadLine, want)
	case !strings.HasPrefix(strings.TrimSpace(line), "{"):
		if json.Valid([]byte(line)) {
			return t, want // null, a number, a list
		}
		return t, "not JSON: " + want
	}
	dec := json.NewDecoder(strings.NewReader(line))
	dec.DisallowUnknownFields()
	var field *json.UnmarshalTypeError
	switch err := dec.Decode(&t); {
	case errors.As(err, &field):
		return threadLine{}, fmt.Sprintf("%q must be a string: %s", field.Field, want)
	case err != nil && strings.HasPrefix(err.Error(), "json: unknown field"):
		return threadLine{}, fmt.Sprintf("%s (the fields are thread, text and name): %s", strings.TrimPrefix(err.Error(), "json: "), want)
	case err != nil:
		return threadLine{}, "not JSON: " + want
	case dec.More():
		return threadLine{}, "more than one JSON value on the line: " + want
	}
	return t, ""
}

func cmdAnswer(ctx context.Context, fs *flag.FlagSet, args []string, getenv env, stdin io.Reader, stdout, stderr io.Writer) error {
	format := fs.String("format", "text", "text, markdown, slack or discord")
	lang := fs.String("lang", intents.French, "fr or en")
	noSeeAlso := fs.Bool("no-see-also", false, "leave out the entries to read next")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fs.Usage()
		return exitError{2, "answer takes exactly one entry id (see `bot list`)"}
	}
	render, ok := formats[*format]
	if !ok {
		return exitError{2, fmt.Sprintf("unknown format %q (use text, markdown, slack or discord)", *format)}
	}
	if err := checkLang(*lang); err != nil {
		return err
	}
	core, err := loadCore(getenv, stderr)
	if err != nil {
		return err
	}
	kb := core.Knowledge()
	e, ok := kb.Entry(strings.ToLower(strings.TrimSpace(pos[0]))) // ids are lower case; IMAP-SETTINGS is meant the same
	if !ok {
		var sugg []string
		for _, e := range core.Suggest(pos[0], 3) {
			sugg = append(sugg, e.ID)
		}
		msg := fmt.Sprintf("no entry with id %q", pos[0])
		if len(sugg) > 0 {
			msg += "; did you mean: " + strings.Join(sugg, ", ") + "?"
		} else {
			msg += "; see `bot list` for the ids"
		}
		return exitError{1, msg}
	}
	fmt.Fprintln(stdout, render(core.AnswerEntry(e, *lang).Canned(!*noSeeAlso)))
	return nil
}

func cmdValidate(ctx context.Context, fs *flag.FlagSet, args []string, getenv env, stdin io.Reader, stdout, stderr io.Writer) error {
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		pos = []string{knowledgePath(getenv)}
	}
	var files []string
	for _, p := range pos {
		f, err := intents.Files(p)
		if err != nil {
			return exitError{2, err.Error()}
		}
		files = append(files, f...)
	}
	srcs := map[string][]byte{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return exitError{2, fmt.Sprintf("%v: %v", intents.ErrUnreadable, err)}
		}
		srcs[f] = b
	}
	core, err := intents.ParseCore(files, srcs, rules...) // the self-test too
	var probs intents.Problems
	if errors.As(err, &probs) {
		for _, p := range probs {
			fmt.Fprintln(stdout, p.Error())
		}
		return exitError{1, fmt.Sprintf("%d problem(s) found in %s", len(probs), strings.Join(files, ", "))}
	}
	if err != nil {
		return exitError{2, err.Error()}
	}
	kb := core.Knowledge()
	// What the self-test cannot see: a question filed under the wrong
	// entry, entries that overlap.
	if probs := intents.CrossCheck(kb); len(probs) > 0 {
		for _, p := range probs {
			fmt.Fprintln(stdout, p.Error())
		}
		return exitError{1, fmt.Sprintf("%d problem(s) found in %s", len(probs), strings.Join(files, ", "))}
	}
	n := 0
	for _, e := range kb.Entries {
		n += len(e.Questions.FR) + len(e.Questions.EN)
	}
	fmt.Fprintf(stdout, "ok: %d entries, %d example questions, every example answers its own entry, and the rest of the knowledge agrees (%s)\n", len(kb.Entries), n, strings.Join(files, ", "))
	return nil
}

// listEntry is one line of `bot list --json`: Questions counts the example
// questions per language (CONTRACT.md), Examples lists them.
type listEntry struct {
	ID        string              `json:"id"`
	Kind      string              `json:"kind"`
	Title     map[string]string   `json:"title"`
	Questions map[string]int      `json:"questions"`
	Examples  map[string][]string `json:"examples"`
}

func cmdList(ctx context.Context, fs *flag.FlagSet, args []string, getenv env, stdin io.Reader, stdout, stderr io.Writer) error {
	asJSON := fs.Bool("json", false, "print a JSON array, with the example questions")
	lang := fs.String("lang", "", "fr or en: the titles (and with --json, the questions) in this language only")
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	if err := checkLang(*lang); err != nil {
		return err
	}
	kb, err := intents.Load(knowledgePath(getenv), rules...)
	if err != nil {
		return fmt.Errorf("%w (run `bot validate`)", err)
	}
	langs := intents.Languages
	if *lang != "" {
		langs = []string{*lang}
	}
	var list []listEntry
	for _, e := range kb.Entries {
		kind := e.Kind
		if kind == "" {
			kind = intents.KindTopic
		}
		l := listEntry{ID: e.ID, Kind: kind, Title: map[string]string{}, Questions: map[string]int{}, Examples: map[string][]string{}}
		for _, lg := range langs {
			l.Title[lg], l.Questions[lg], l.Examples[lg] = e.Title.In(lg), len(e.Questions.In(lg)), e.Questions.In(lg)
		}
		list = append(list, l)
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(list)
	}
	w := bufio.NewWriter(stdout)
	title := intents.French
	if *lang != "" {
		title = *lang
	}
	fmt.Fprintf(w, "%-22s", "ID")
	for _, lg := range langs {
		fmt.Fprintf(w, " %4s", strings.ToUpper(lg))
	}
	fmt.Fprintln(w, "  TITLE")
	for _, e := range list {
		fmt.Fprintf(w, "%-22s", e.ID)
		for _, lg := range langs {
			fmt.Fprintf(w, " %4d", e.Questions[lg])
		}
		fmt.Fprintf(w, "  %s\n", e.Title[title])
	}
	return w.Flush()
}
