package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/acad-lyon/helpdesk-bot/intents"
)

var repoRoot, _ = filepath.Abs("../..")

// runBot runs the program as `bot args...` from the repository root.
func runBot(t *testing.T, stdin string, env map[string]string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	t.Chdir(repoRoot)
	var out, errb bytes.Buffer
	getenv := func(k string) string { return env[k] }
	err = run(context.Background(), args, getenv, strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), err
}

func exitCode(err error) int {
	var ex exitError
	if errors.As(err, &ex) {
		return ex.code
	}
	if err != nil {
		return 1
	}
	return 0
}

func TestAskJSON(t *testing.T) {
	out, _, err := runBot(t, "", nil, "ask", "--json", "j'ai", "oublié", "mon", "mdp")
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("ask --json printed %q: %v", out, err)
	}
	for _, k := range []string{"question", "intent", "confidence", "language", "alternatives", "answer", "outcome", "service"} {
		if _, ok := got[k]; !ok {
			t.Errorf("ask --json lacks %q: %s", k, out)
		}
	}
	if got["intent"] != "password-reset" || got["language"] != "fr" || got["question"] != "j'ai oublié mon mdp" || got["outcome"] != "answered" {
		t.Errorf("ask --json = %s", out)
	}
	if c := got["confidence"].(float64); c < 0 || c > 1 {
		t.Errorf("confidence %v out of [0, 1]", c)
	}
}

func TestAskStdinOneLinePerQuestion(t *testing.T) {
	out, _, err := runBot(t, "bonjour\nwhat port for imap\nla cantine\nmot de passe pronote oublié\n", nil, "ask", "--json")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	want := []string{"greeting", "imap-settings", "", ""}
	outcomes := []intents.Outcome{intents.Answered, intents.Answered, intents.Fallback, intents.Redirected}
	if len(lines) != len(want) {
		t.Fatalf("ask printed %d lines; want %d:\n%s", len(lines), len(want), out)
	}
	for i, l := range lines {
		var r askResult
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatal(err)
		}
		if r.Intent != want[i] || r.Outcome != outcomes[i] {
			t.Errorf("line %d: intent %q, outcome %q; want %q, %q", i+1, r.Intent, r.Outcome, want[i], outcomes[i])
		}
		if r.Outcome == intents.Redirected && r.Service != "pronote" {
			t.Errorf("line %d: service %q; want pronote", i+1, r.Service)
		}
		if r.Alternatives == nil {
			t.Errorf("line %d: alternatives is null; want a list", i+1)
		}
	}
}

func TestAskLang(t *testing.T) {
	out, _, err := runBot(t, "", nil, "ask", "--lang", "en", "--json", "mot de passe oublié")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, `"language":"en"`) {
		t.Errorf("ask --lang en = %s", out)
	}
	if _, _, err := runBot(t, "", nil, "ask", "--lang", "de", "x"); exitCode(err) != 2 {
		t.Errorf("ask --lang de: exit %d; want 2", exitCode(err))
	}
}

func TestAnswerFormats(t *testing.T) {
	out, _, err := runBot(t, "", nil, "answer", "imap-settings", "--format", "slack")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "*Serveur entrant IMAP*") || !strings.Contains(out, "mail.ac-lyon.fr") {
		t.Errorf("answer --format slack:\n%s", out)
	}
	out, _, _ = runBot(t, "", nil, "answer", "--lang", "en", "imap-settings")
	if !strings.Contains(out, "Incoming IMAP server") || strings.Contains(out, "**") {
		t.Errorf("answer --lang en (text):\n%s", out)
	}
}

func TestAnswerSuggestsIDs(t *testing.T) {
	for _, id := range []string{"imap", "pasword-reset", "certificat"} {
		_, stderr, err := runBot(t, "", nil, "answer", id)
		if exitCode(err) != 1 {
			t.Errorf("answer %s: exit %d; want 1", id, exitCode(err))
		}
		if !strings.Contains(err.Error(), "did you mean") {
			t.Errorf("answer %s: %v %s; want suggestions", id, err, stderr)
		}
	}
	_, _, err := runBot(t, "", nil, "answer", "pasword-reset")
	if !strings.Contains(err.Error(), "password-reset") {
		t.Errorf("answer pasword-reset suggests %v; want password-reset", err)
	}
}

func TestValidate(t *testing.T) {
	out, _, err := runBot(t, "", nil, "validate")
	if err != nil || !strings.HasPrefix(out, "ok:") {
		t.Errorf("validate = %v %q", err, out)
	}
	_, _, err = runBot(t, "", nil, "validate", "no/such/file.yaml")
	if exitCode(err) != 2 {
		t.Errorf("validate missing file: exit %d; want 2", exitCode(err))
	}
}

// The example: a misspelt key, a duplicate id and a dangling
// follow-up are all printed with their lines, and the exit code is 1.
func TestValidateBrokenCopy(t *testing.T) {
	src, err := os.ReadFile(filepath.Join(repoRoot, "knowledge/faq.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(string(src), "  - id: portal-choice\n    title:", "  - id: portal-choice\n    titel:", 1)
	s = strings.Replace(s, "  - id: imap-vs-pop\n", "  - id: imap-settings\n", 1)
	s = strings.Replace(s, "follow_up: [login-page-loop]", "follow_up: [login-page-lop]", 1)
	path := filepath.Join(t.TempDir(), "faq.yaml")
	os.WriteFile(path, []byte(s), 0o644)
	out, _, err := runBot(t, "", nil, "validate", path)
	if exitCode(err) != 1 {
		t.Errorf("validate broken: exit %d; want 1", exitCode(err))
	}
	for _, want := range []string{`unknown key "titel" (did you mean "title"?)`, `entry "imap-settings": duplicate id`, `follow_up "login-page-lop" is not the id of any entry`} {
		found := false
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, path+":") && strings.Contains(l, want) {
				found = true
			}
		}
		if !found {
			t.Errorf("validate output lacks a FILE:LINE line with %q:\n%s", want, out)
		}
	}
}

func TestList(t *testing.T) {
	out, _, err := runBot(t, "", nil, "list", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var list []listEntry
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatal(err)
	}
	if len(list) < 17 || list[0].ID != "login-identifier" || list[0].Questions["fr"] < 8 {
		t.Errorf("list --json = %+v", list[:1])
	}
	out, _, _ = runBot(t, "", nil, "list")
	if !strings.Contains(out, "imap-settings") {
		t.Errorf("list:\n%s", out)
	}
}

func TestConsoleChat(t *testing.T) {
	out, _, err := runBot(t, "bonjour\n\nmon identifiant convergence ?\n", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, intents.Typeset("Bonjour !")) || !strings.Contains(out, "mdupont") {
		t.Errorf("console chat:\n%s", out)
	}
}

func TestUnknownCommandAndBadKnowledgePath(t *testing.T) {
	if _, _, err := runBot(t, "", nil, "frobnicate"); exitCode(err) != 2 {
		t.Errorf("unknown command: exit %d; want 2", exitCode(err))
	}
	_, _, err := runBot(t, "", map[string]string{"KNOWLEDGE_PATH": "nowhere.yaml"}, "ask", "x")
	if err == nil || !strings.Contains(err.Error(), "nowhere.yaml") {
		t.Errorf("bad KNOWLEDGE_PATH: %v", err)
	}
}

// Every bad variable of the service is reported at once, before anything
// starts.
func TestServiceEnvironmentCheckedAtOnce(t *testing.T) {
	_, _, err := runBot(t, "", map[string]string{
		"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "s", "RETENTION_DAYS": "ninety",
		"FLOOD_USER_PER_MINUTE": "-1", "LOG_LEVEL": "loud", "DISCORD_BOT_TOKEN_FILE": "/nonexistent/discord-token",
	})
	var ex exitError
	if !errors.As(err, &ex) || ex.code != 2 {
		t.Fatalf("bot with a bad environment: %v; want exit 2", err)
	}
	for _, want := range []string{"RETENTION_DAYS", "FLOOD_USER_PER_MINUTE", "LOG_LEVEL", "DISCORD_BOT_TOKEN_FILE"} {
		if !strings.Contains(ex.msg, want) {
			t.Errorf("the error does not name %s:\n%s", want, ex.msg)
		}
	}
}

// A knowledge file cut short (saved half-way) is refused: it lacks the
// entries every deployment has, the last ones first.
func TestValidateTruncatedFile(t *testing.T) {
	src, err := os.ReadFile(filepath.Join(repoRoot, "knowledge/faq.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(src)
	cut := s[:strings.Index(s, "  - id: human\n")]
	path := filepath.Join(t.TempDir(), "faq.yaml")
	os.WriteFile(path, []byte(cut), 0o644)
	out, _, err := runBot(t, "", nil, "validate", path)
	if exitCode(err) != 1 || !strings.Contains(out, `the entry "human" is missing`) {
		t.Errorf("validate of a file cut before its last entry: exit %d\n%s", exitCode(err), out)
	}
}

// bot ask --threads answers each line in its thread's context, one JSON
// answer a line; a line that is not one object gets an answer that says
// why, and the lines after it are answered.
func TestAskThreads(t *testing.T) {
	in := "\ufeff" + `{"thread":"t1","text":"la page de connexion du webmail tourne en boucle"}` + "\n" +
		`{"thread":"t2","text":"c'est quoi mon identifiant convergence ?","name":"Hélène Roux"}` + "\n" +
		`{"thread":"t1","text":"j'ai vidé le cache, rien ne change"}{"thread":"t3","text":"x"}` + "\n" +
		"not json\n" +
		`{"thread":"t1","text":"toujours pas"}` + "\n" +
		`{"thread":"t1","text":"toujours pas","extra":1}` + "\n" +
		`{"thread":"t1","text":"j'ai vidé le cache, rien ne change"}` + "\n"
	out, _, err := runBot(t, in, nil, "ask", "--threads")
	if err != nil {
		t.Fatal(err)
	}
	var got []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("not a JSON line: %q", l)
		}
		got = append(got, m)
	}
	want := []struct{ thread, intent, reading, err string }{
		{"t1", "login-page-loop", "", ""},
		{"t2", "login-identifier", "", ""},
		{"", "", "", "line 3: more than one JSON value"},
		{"", "", "", "line 4: not JSON"},
		{"t1", "browser-extensions", "next-step", ""}, // the cache line was refused: this is the first "did not help"
		{"", "", "", `line 6: unknown field "extra"`},
		{"t1", "human", "handoff", ""}, // the second
	}
	if len(got) != len(want) {
		t.Fatalf("%d answers to %d lines:\n%s", len(got), len(want), out)
	}
	for i, w := range want {
		g := got[i]
		reading, _ := g["reading"].(string)
		errText, _ := g["error"].(string)
		if g["thread"] != w.thread || g["intent"] != w.intent || reading != w.reading || !strings.HasPrefix(errText, w.err) || (w.err == "") != (errText == "") {
			t.Errorf("line %d: %v; want thread %q intent %q reading %q error %q", i+1, g, w.thread, w.intent, w.reading, w.err)
		}
	}
	if a, _ := got[1]["answer"].(string); !strings.Contains(a, "**hroux**") {
		t.Errorf("the identifier from the name given: %q", a)
	}
	if _, _, err := runBot(t, "", map[string]string{"CONVERSATION_IDLE_MINUTES": "abc"}, "ask", "--threads"); err == nil {
		t.Error("CONVERSATION_IDLE_MINUTES=abc accepted")
	}
}
