package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/acad-lyon/helpdesk-bot/intents"
	"github.com/acad-lyon/helpdesk-bot/internal/chat"
	"github.com/acad-lyon/helpdesk-bot/internal/store"
)

// A service manager starts `bot` with no platform configured and nothing
// on stdin (/dev/null): it must fail with one line, so that the unit shows
// as failed, instead of printing the console's welcome and exiting 0.
func TestServiceWithNothingToRun(t *testing.T) {
	_, stderr, err := runBot(t, "", map[string]string{})
	if exitCode(err) != 2 {
		t.Fatalf("bot with no token and an empty stdin: %v; want exit 2", err)
	}
	var ex exitError
	errors.As(err, &ex)
	if !strings.Contains(ex.msg, "no chat platform configured") || strings.Contains(ex.msg, "\n") || stderr != "" {
		t.Errorf("bot said %q (stderr %q); want one line naming the missing tokens", err, stderr)
	}
	// Questions piped in are still a chat (CONTRACT.md).
	out, _, err := runBot(t, "port imap\n", map[string]string{})
	if err != nil || !strings.Contains(out, "993") {
		t.Errorf("piped question: %v, %q", err, out)
	}
}

// storeWithRows makes a SQLite store under a new DATA_PATH with one vote
// and one question.
func storeWithRows(t *testing.T) map[string]string {
	t.Helper()
	dir := t.TempDir()
	st, err := store.Open(context.Background(), filepath.Join(dir, "helpdesk.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	st.RecordVote(context.Background(), chat.Vote{Platform: "slack", Entry: "imap-settings", Lang: "fr", Helpful: true, User: "U1"})
	st.RecordUnanswered(context.Background(), chat.Unanswered{Platform: "slack", User: "U2", Question: "la cantine ?", Lang: "fr", Outcome: intents.Fallback})
	return map[string]string{"DATA_PATH": dir}
}

func rows(t *testing.T, env map[string]string) int64 {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(env["DATA_PATH"], "helpdesk.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	v, q, _ := st.Counts(context.Background())
	return v + q
}

func TestPurgeIsSafe(t *testing.T) {
	env := storeWithRows(t)
	for _, args := range [][]string{
		{"purge", "--user", "slack:U1", "--all"},
		{"purge", "--older-than", "1d", "--user", "slack:U1"},
		{"purge", "--all", "--older-than", "30d"},
	} {
		_, _, err := runBot(t, "", env, args...)
		if exitCode(err) != 2 || !strings.Contains(err.Error(), "choose one of") {
			t.Errorf("bot %v: %v; want exit 2, choose one option", args, err)
		}
	}
	if _, _, err := runBot(t, "yes\n", env, "purge", "--all"); exitCode(err) != 2 || !strings.Contains(err.Error(), "--yes") {
		t.Errorf("purge --all without a terminal nor --yes: %v; want exit 2 asking for --yes", err)
	}
	if _, _, err := runBot(t, "", env, "purge", "--older-than", "1m"); exitCode(err) != 2 || !strings.Contains(err.Error(), `--older-than "1m"`) {
		t.Errorf("purge --older-than 1m: %v; want the message to name --older-than", err)
	}
	if n := rows(t, env); n != 2 {
		t.Fatalf("%d rows left after refused purges; want 2 (nothing erased)", n)
	}
	out, stderr, err := runBot(t, "", env, "purge", "--all", "--yes")
	if err != nil || !strings.Contains(out, "erased 2 row(s)") || !strings.Contains(stderr, "store: "+filepath.Join(env["DATA_PATH"], "helpdesk.db")+" (SQLite)") {
		t.Errorf("purge --all --yes: %v, %q, %q; want 2 rows erased and the store named", err, out, stderr)
	}
}

// A maintenance command with a wrong DATA_PATH says so, and creates nothing.
func TestMaintenanceNamesTheStore(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "typo")
	for _, cmd := range []string{"report", "purge"} {
		_, _, err := runBot(t, "", map[string]string{"DATA_PATH": dir}, cmd)
		if exitCode(err) != 1 || !strings.Contains(err.Error(), "no store at "+filepath.Join(dir, "helpdesk.db")) {
			t.Errorf("bot %s with a wrong DATA_PATH: %v; want exit 1 naming the missing store", cmd, err)
		}
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("the wrong DATA_PATH was created")
	}
	_, stderr, err := runBot(t, "", storeWithRows(t), "report")
	if err != nil || !strings.Contains(stderr, "store: ") {
		t.Errorf("report: %v; stderr %q; want the store named", err, stderr)
	}
	if got := storeName("postgres://helpdesk:s3cret@db.example.org:5432/helpdesk?sslmode=require"); got != "helpdesk@db.example.org:5432/helpdesk (PostgreSQL)" {
		t.Errorf("storeName = %q; want no password, no options", got)
	}
}

// In JSON logs, durations are seconds.
func TestLogDurationsInSeconds(t *testing.T) {
	var b bytes.Buffer
	newLogger(slog.LevelInfo, &b).Info("retrying", "in", 2500*time.Millisecond)
	if !strings.Contains(b.String(), `"in":2.5`) {
		t.Errorf("log line %s; want the duration as 2.5 seconds", b.String())
	}
}

// What an agent pastes names its subject, and reads as a person's answer.
func TestAnswerForAgents(t *testing.T) {
	out, _, err := runBot(t, "", nil, "answer", "CERTIFICATE-WARNING")
	if err != nil {
		t.Fatalf("answer CERTIFICATE-WARNING: %v; ids in any case are the same id", err)
	}
	first, _, _ := strings.Cut(out, "\n")
	if !strings.Contains(first, "certificat") || strings.Contains(out, "(`") {
		t.Errorf("answer starts with %q and ends:\n%s\nwant the title first, the see-also without ids", first, out)
	}
	if !strings.Contains(out, "Voir aussi") {
		t.Errorf("answer without the entries to read next:\n%s", out)
	}
	out, _, _ = runBot(t, "", nil, "answer", "certificate-warning", "--no-see-also", "--format", "slack")
	if strings.Contains(out, "Voir aussi") || !strings.HasPrefix(out, "*") {
		t.Errorf("answer --no-see-also --format slack:\n%s", out)
	}
}

func TestListLangAndExamples(t *testing.T) {
	out, _, err := runBot(t, "", nil, "list", "--json", "--lang", "en")
	if err != nil {
		t.Fatal(err)
	}
	var list []listEntry
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatal(err)
	}
	e := list[0]
	if _, fr := e.Title["fr"]; fr || e.Title["en"] == "" || len(e.Examples["en"]) != e.Questions["en"] || e.Questions["en"] < 8 {
		t.Errorf("list --json --lang en: %+v; want English titles and example questions only", e)
	}
	if _, _, err := runBot(t, "", nil, "list", "--lang", "de"); exitCode(err) != 2 {
		t.Errorf("list --lang de: %v; want exit 2", err)
	}
}

var updateAnswers = flag.Bool("update", false, "rewrite the golden files of every answer")

// Every answer, in every format and both languages, as staff read it: the
// golden files (testdata/answers) are reviewed in the diff of any change.
// None shows an entry id, and French keeps its typography: no plain space
// before ? ! : ; or inside « ».
func TestEveryAnswerGolden(t *testing.T) {
	t.Chdir(repoRoot)
	core, err := intents.LoadCore("knowledge/faq.yaml", rules...)
	if err != nil {
		t.Fatal(err)
	}
	kb := core.Knowledge()
	var ids []string
	for _, e := range append(append([]*intents.Entry{}, kb.Entries...), kb.Services...) {
		ids = append(ids, e.ID)
	}
	plainSpace := regexp.MustCompile(` [?!:;»]|« `)
	dir := filepath.Join(repoRoot, "cmd", "bot", "testdata", "answers")
	for _, e := range append(append([]*intents.Entry{}, kb.Entries...), kb.Services...) {
		for _, lang := range intents.Languages {
			for _, format := range []string{"text", "markdown", "slack", "discord"} {
				got := formats[format](core.AnswerEntry(e, lang).Canned(true)) + "\n"
				path := filepath.Join(dir, e.ID+"."+lang+"."+format+".golden")
				if *updateAnswers {
					os.MkdirAll(dir, 0o755)
					os.WriteFile(path, []byte(got), 0o644)
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run go test ./cmd/bot -run TestEveryAnswerGolden -update)", err)
				}
				if got != string(want) {
					t.Errorf("%s changed; if intended, run go test ./cmd/bot -run TestEveryAnswerGolden -update\ngot:\n%s", path, got)
				}
				for _, id := range ids {
					// "Type `help`" names a word to type, not an id.
					if strings.Contains(got, "(`"+id+"`)") || strings.Contains(got, "("+id+")") || (strings.Contains(id, "-") && strings.Contains(got, id)) {
						t.Errorf("%s shows the entry id %q", path, id)
					}
				}
				if lang == intents.French {
					if m := plainSpace.FindString(stripCode(got)); m != "" {
						t.Errorf("%s: a plain space in %q; French typography wants a no-break space", path, m)
					}
				}
			}
		}
	}
}

// stripCode removes code spans, which are shown as typed.
func stripCode(s string) string { return regexp.MustCompile("`[^`]*`").ReplaceAllString(s, "") }

// The address the article gives is a link people can tap, on both
// platforms.
func TestAddressesAreLinks(t *testing.T) {
	for _, id := range []string{"login-identifier", "portal-choice"} {
		for format, want := range map[string]string{"slack": "<https://messagerie.education.gouv.fr|", "discord": "](https://messagerie.education.gouv.fr)"} {
			out, _, err := runBot(t, "", nil, "answer", id, "--format", format)
			if err != nil || !strings.Contains(out, want) {
				t.Errorf("answer %s --format %s: no link %q in\n%s", id, format, want, out)
			}
		}
	}
}

func TestConsoleTokenChecked(t *testing.T) {
	_, err := readServiceConfig(func(k string) string {
		return map[string]string{"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1", "CONSOLE_TOKEN": "short"}[k]
	})
	if exitCode(err) != 2 || !strings.Contains(err.Error(), "CONSOLE_TOKEN must be at least 20 characters") {
		t.Errorf("a short console token: %v; want exit 2 saying why", err)
	}
}

func TestConsoleOIDCChecked(t *testing.T) {
	_, err := readServiceConfig(func(k string) string {
		return map[string]string{"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1", "CONSOLE_OIDC_ISSUER": "https://sso.example.fr",
			"CONSOLE_OIDC_CLIENT_ID": "c", "CONSOLE_OIDC_CLIENT_SECRET": "s", "CONSOLE_URL": "https://bot.example.fr"}[k]
	})
	if exitCode(err) != 2 || !strings.Contains(err.Error(), "CONSOLE_ALLOWED") {
		t.Errorf("OIDC without CONSOLE_ALLOWED: %v; want exit 2 saying who may sign in must be listed", err)
	}
}
