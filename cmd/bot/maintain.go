package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/acad-lyon/helpdesk-bot/internal/report"
	"github.com/acad-lyon/helpdesk-bot/internal/store"
)

// parseSince reads a period option (the option's name, for its message): a
// number of days, weeks or hours (7d, 2w, 12h) or a date (2026-11-01).
func parseSince(option, s string, now time.Time) (time.Time, error) {
	if t, err := time.ParseInLocation("2006-01-02", s, time.Local); err == nil {
		return t, nil
	}
	if len(s) >= 2 {
		n, err := strconv.Atoi(s[:len(s)-1])
		if err == nil && n >= 0 {
			switch s[len(s)-1] {
			case 'd':
				return now.AddDate(0, 0, -n), nil
			case 'w':
				return now.AddDate(0, 0, -7*n), nil
			case 'h':
				return now.Add(-time.Duration(n) * time.Hour), nil
			}
		}
	}
	return time.Time{}, exitError{2, fmt.Sprintf("%s %q: use a number of days, weeks or hours (7d, 2w, 12h) or a date (2026-11-01)", option, s)}
}

func cmdReport(ctx context.Context, fs *flag.FlagSet, args []string, getenv env, stdin io.Reader, stdout, stderr io.Writer) error {
	since := fs.String("since", "7d", "period: 7d, 2w, 12h or a date (2026-11-01)")
	format := fs.String("format", "text", "text, markdown or yaml")
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	from, err := parseSince("--since", *since, time.Now())
	if err != nil {
		return err
	}
	f := report.Format(*format)
	if f != report.Text && f != report.Markdown && f != report.YAML {
		return exitError{2, fmt.Sprintf("--format must be text, markdown or yaml, not %q", *format)}
	}
	core, err := loadCore(getenv, stderr)
	if err != nil {
		return err
	}
	st, err := openExisting(ctx, getenv, stderr)
	if err != nil {
		return err
	}
	defer st.Close()
	qs, err := st.Questions(ctx, from)
	if err != nil {
		return err
	}
	votes, err := st.Votes(ctx, from)
	if err != nil {
		return err
	}
	return report.Build(qs, votes, core.Knowledge(), from).Write(stdout, f, knowledgePath(getenv))
}

func cmdPurge(ctx context.Context, fs *flag.FlagSet, args []string, getenv env, stdin io.Reader, stdout, stderr io.Writer) error {
	user := fs.String("user", "", "erase one person's votes and questions: PLATFORM:ID (slack:U0123ABCD, discord:123456789)")
	older := fs.String("older-than", "", "erase what is older than this (30d, 2w); default: RETENTION_DAYS")
	all := fs.Bool("all", false, "erase every vote and question (asks first on a terminal; --yes elsewhere)")
	yes := fs.Bool("yes", false, "with --all: erase without asking")
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	chosen := 0
	for _, set := range []bool{*user != "", *older != "", *all} {
		if set {
			chosen++
		}
	}
	if chosen > 1 {
		return exitError{2, "choose one of --user, --older-than and --all: nothing was erased"}
	}
	var platform, id string
	if *user != "" {
		var ok bool
		platform, id, ok = strings.Cut(*user, ":")
		if !ok || id == "" || (platform != "slack" && platform != "discord") {
			return exitError{2, "--user must be slack:ID or discord:ID"}
		}
	}
	before := time.Time{}
	if !*all && *user == "" {
		var err error
		if *older != "" {
			before, err = parseSince("--older-than", *older, time.Now())
		} else {
			var keep time.Duration
			keep, err = retention(getenv)
			before = time.Now().Add(-keep)
		}
		if err != nil {
			return err
		}
	}
	st, err := openExisting(ctx, getenv, stderr)
	if err != nil {
		return err
	}
	defer st.Close()
	if *all && !*yes {
		if !isTerminal(stdin) {
			return exitError{2, "--all erases every vote and question: add --yes to confirm (nothing was erased)"}
		}
		fmt.Fprintf(stdout, "Erase every vote and question in %s? Type yes to confirm: ", storeName(storeDSN(getenv)))
		answer, _ := bufio.NewReader(stdin).ReadString('\n')
		if strings.TrimSpace(strings.ToLower(answer)) != "yes" {
			return exitError{1, "nothing was erased"}
		}
	}
	var n int64
	switch {
	case *all:
		n, err = st.EraseAll(ctx)
	case *user != "":
		n, err = st.EraseUser(ctx, platform, id)
	default:
		n, err = st.Purge(ctx, before)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "erased %d row(s)\n", n)
	return nil
}

// openExisting opens the store of a maintenance command, saying on stderr
// which one: a SQLite file that does not exist is an error (a wrong
// DATA_PATH must not report an empty store it just created).
func openExisting(ctx context.Context, getenv env, stderr io.Writer) (*store.Store, error) {
	dsn := storeDSN(getenv)
	if !store.IsPostgres(dsn) {
		if _, err := os.Stat(dsn); errors.Is(err, fs.ErrNotExist) {
			return nil, exitError{1, fmt.Sprintf("no store at %s: set DATA_PATH (the folder of helpdesk.db) or DATABASE_URL to the bot's", dsn)}
		}
	}
	fmt.Fprintf(stderr, "store: %s\n", storeName(dsn))
	return openStore(ctx, getenv)
}

// storeName names a store for people, without its password.
func storeName(dsn string) string {
	if !store.IsPostgres(dsn) {
		return dsn + " (SQLite)"
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "PostgreSQL"
	}
	name := u.Host + u.Path
	if u.User != nil {
		name = u.User.Username() + "@" + name
	}
	return name + " (PostgreSQL)"
}
