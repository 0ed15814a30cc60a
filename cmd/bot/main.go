// Command bot is the academy helpdesk bot: it answers staff questions about
// the academic webmail in Slack, Discord or a terminal, and offers the
// commands that helpdesk agents and knowledge contributors use.
//
//	bot                          run the service (console chat when no platform is configured)
//	bot ask [--json] [--lang fr|en] [QUESTION...]
//	bot answer ID [--format text|markdown|slack|discord] [--lang fr|en]
//	bot validate [PATH...]
//	bot list [--json]
//	bot report [--since 7d] [--format text|markdown|yaml]
//	bot purge [--user PLATFORM:ID | --older-than 30d | --all [--yes]]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		var ex exitError
		if errors.As(err, &ex) {
			if ex.msg != "" {
				fmt.Fprintln(os.Stderr, "bot:", ex.msg)
			}
			os.Exit(ex.code)
		}
		fmt.Fprintln(os.Stderr, "bot:", err)
		os.Exit(1)
	}
}

// exitError ends the program with a given code (and an optional message).
type exitError struct {
	code int
	msg  string
}

func (e exitError) Error() string { return fmt.Sprintf("exit %d: %s", e.code, e.msg) }

// env is the program's view of its environment: main passes os.Getenv, tests
// a map.
type env func(string) string

func run(ctx context.Context, args []string, getenv env, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return serve(ctx, getenv, stdin, stdout, stderr)
	}
	cmd, rest := args[0], args[1:]
	for _, c := range commands {
		if c.name == cmd {
			fs := flag.NewFlagSet("bot "+c.name, flag.ContinueOnError)
			fs.SetOutput(stderr)
			fs.Usage = func() { fmt.Fprintf(stderr, "usage: bot %s %s\n", c.name, c.args); fs.PrintDefaults() }
			return c.run(ctx, fs, rest, getenv, stdin, stdout, stderr)
		}
	}
	switch cmd {
	case "help", "-h", "--help", "-help":
		usage(stdout)
		return nil
	}
	usage(stderr)
	return exitError{2, fmt.Sprintf("unknown command %q", cmd)}
}

type command struct {
	name, args, help string
	run              func(ctx context.Context, fs *flag.FlagSet, args []string, getenv env, stdin io.Reader, stdout, stderr io.Writer) error
}

// commands are declared once: the dispatcher and the usage text both read
// this list.
var commands = []command{
	{"ask", "[--json] [--lang fr|en] [QUESTION...]", "answer one question, or every line of stdin", cmdAsk},
	{"answer", "ID [--format text|markdown|slack|discord] [--lang fr|en]", "print the canned answer of an entry, ready to paste", cmdAnswer},
	{"validate", "[PATH...]", "check knowledge files; every problem as FILE:LINE: ...", cmdValidate},
	{"list", "[--json]", "list the entries with their number of example questions", cmdList},
	{"report", "[--since 7d] [--format text|markdown|yaml]", "unanswered questions grouped, entries by share of 👎, example questions to add", cmdReport},
	{"purge", "[--user PLATFORM:ID | --older-than 30d | --all [--yes]]", "erase stored votes and questions (default: older than RETENTION_DAYS)", cmdPurge},
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage:")
	fmt.Fprintln(w, "  bot                run the helpdesk bot (a console chat when no Slack or Discord token is set)")
	for _, c := range commands {
		fmt.Fprintf(w, "  bot %s %s\n      %s\n", c.name, c.args, c.help)
	}
	fmt.Fprintln(w, "environment: KNOWLEDGE_PATH (default knowledge/faq.yaml), DATA_PATH or DATABASE_URL; see README.md for the rest")
}
