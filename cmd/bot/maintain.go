package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/acad-lyon/helpdesk-bot/internal/report"
)

// parseSince reads --since: a number of days, weeks or hours (7d, 2w, 12h)
// or a date (2026-11-01).
func parseSince(s string, now time.Time) (time.Time, error) {
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
	return time.Time{}, exitError{2, fmt.Sprintf("--since %q: use a number of days, weeks or hours (7d, 2w, 12h) or a date (2026-11-01)", s)}
}

func cmdReport(ctx context.Context, fs *flag.FlagSet, args []string, getenv env, stdin io.Reader, stdout, stderr io.Writer) error {
	since := fs.String("since", "7d", "period: 7d, 2w, 12h or a date (2026-11-01)")
	format := fs.String("format", "text", "text, markdown or yaml")
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	from, err := parseSince(*since, time.Now())
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
	st, err := openStore(ctx, getenv)
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
	all := fs.Bool("all", false, "erase every vote and question")
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	st, err := openStore(ctx, getenv)
	if err != nil {
		return err
	}
	defer st.Close()
	var n int64
	switch {
	case *all:
		n, err = st.EraseAll(ctx)
	case *user != "":
		platform, id, ok := strings.Cut(*user, ":")
		if !ok || id == "" || (platform != "slack" && platform != "discord") {
			return exitError{2, "--user must be slack:ID or discord:ID"}
		}
		n, err = st.EraseUser(ctx, platform, id)
	default:
		before := time.Time{}
		if *older != "" {
			before, err = parseSince(*older, time.Now())
		} else {
			var keep time.Duration
			keep, err = retention(getenv)
			before = time.Now().Add(-keep)
		}
		if err != nil {
			return err
		}
		n, err = st.Purge(ctx, before)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "erased %d row(s)\n", n)
	return nil
}
