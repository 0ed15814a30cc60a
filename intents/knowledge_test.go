package intents

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const shipped = "../knowledge/faq.yaml"

// contractIDs are the entries every deployment ships (../shared/CONTRACT.md).
var contractIDs = []string{
	"login-identifier", "portal-choice", "imap-settings", "imap-vs-pop", "certificate-warning",
	"default-password", "password-reset", "password-change", "two-accounts", "login-page-loop",
	"browser-extensions", "clock-certificate", "unsupported-browser",
	"greeting", "thanks", "help", "human",
}

func loadShipped(t testing.TB) *Knowledge {
	t.Helper()
	kb, err := Load(shipped)
	if err != nil {
		t.Fatalf("Load(%s): %v", shipped, err)
	}
	return kb
}

func TestShippedKnowledgeHasContractEntries(t *testing.T) {
	kb := loadShipped(t)
	for _, id := range contractIDs {
		e, ok := kb.Entry(id)
		if !ok {
			t.Errorf("entry %q is missing", id)
			continue
		}
		for _, lang := range Languages {
			if n := len(e.Questions.In(lang)); n < 8 {
				t.Errorf("entry %q has %d %s example questions; want at least 8", id, n, lang)
			}
		}
	}
}

// The seed's facts must be in the answers that concern them, in both
// languages.
func TestAnswersCarryTheSeedFacts(t *testing.T) {
	kb := loadShipped(t)
	facts := map[string][]string{
		"login-identifier":    {"mdupont", "Convergence"},
		"portal-choice":       {"messagerie.education.gouv.fr", "convergence", "mdupont", "prenom.nom@ac-lyon.fr"},
		"imap-settings":       {"mail.ac-lyon.fr", "993", "SSL/TLS", "IMAP", "NUMEN", "Plain", "mdupont"},
		"imap-vs-pop":         {"IMAP", "POP"},
		"certificate-warning": {"mail.ac-lyon.fr", "Android"},
		"default-password":    {"NUMEN"},
		"password-reset":      {"DSI", "NUMEN", "Convergence"},
		"password-change":     {"Convergence"},
		"unsupported-browser": {"Internet Explorer"},
	}
	for id, want := range facts {
		e, _ := kb.Entry(id)
		for _, lang := range Languages {
			for _, f := range want {
				if !strings.Contains(e.Answer.In(lang), f) {
					t.Errorf("answer %s/%s lacks %q", id, lang, f)
				}
			}
		}
	}
	// The risky advice comes after what to check.
	for _, lang := range Languages {
		a := mustEntry(t, kb, "certificate-warning").Answer.In(lang)
		check, accept := strings.Index(a, "mail.ac-lyon.fr"), strings.Index(a, map[string]string{French: "accepter tous", English: "accept all"}[lang])
		if check < 0 || accept < 0 || check > accept {
			t.Errorf("certificate-warning/%s: the server check must come before accepting the certificate", lang)
		}
	}
}

func mustEntry(t *testing.T, kb *Knowledge, id string) *Entry {
	t.Helper()
	e, ok := kb.Entry(id)
	if !ok {
		t.Fatalf("no entry %q", id)
	}
	return e
}

// brokenCopy writes the shipped knowledge with the given edits applied and
// returns its path; each edit must apply once.
func brokenCopy(t *testing.T, edits ...[2]string) string {
	t.Helper()
	b, err := os.ReadFile(shipped)
	if err != nil {
		t.Fatal(err)
	}
	src := string(b)
	for _, e := range edits {
		if !strings.Contains(src, e[0]) {
			t.Fatalf("edit %q does not apply", e[0])
		}
		src = strings.Replace(src, e[0], e[1], 1)
	}
	path := filepath.Join(t.TempDir(), "faq.yaml")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func lineOf(t *testing.T, path, text string) int {
	t.Helper()
	b, _ := os.ReadFile(path)
	last := 0
	for i, l := range strings.Split(string(b), "\n") {
		if strings.Contains(l, text) {
			last = i + 1
		}
	}
	if last == 0 {
		t.Fatalf("%q not in %s", text, path)
	}
	return last
}

func TestValidateReportsEveryProblemWithItsLine(t *testing.T) {
	path := brokenCopy(t,
		[2]string{"  - id: portal-choice\n    title:", "  - id: portal-choice\n    titel:"},
		[2]string{"  - id: imap-vs-pop\n", "  - id: imap-settings\n"},
		[2]string{"follow_up: [login-page-loop]\n    next: clock-certificate\n    owner: helpdesk-dsi\n    reviewed: 2026-11-27\n\n  - id: clock-certificate", "follow_up: [login-page-lop]\n    next: clock-certificate\n    owner: helpdesk-dsi\n    reviewed: 2026-11-27\n\n  - id: clock-certificate"},
	)
	_, err := Load(path)
	var probs Problems
	if !errors.As(err, &probs) {
		t.Fatalf("Load(broken) = %v; want Problems", err)
	}
	dupLine := 0
	{
		b, _ := os.ReadFile(path)
		n := 0
		for i, l := range strings.Split(string(b), "\n") {
			if l == "  - id: imap-settings" {
				if n++; n == 2 {
					dupLine = i + 1
				}
			}
		}
	}
	want := []string{
		path + ":" + strconv.Itoa(lineOf(t, path, "titel:")) + `: entry "portal-choice": unknown key "titel" (did you mean "title"?)`,
		path + ":" + strconv.Itoa(dupLine) + `: entry "imap-settings": duplicate id`,
		path + ":" + strconv.Itoa(lineOf(t, path, "login-page-lop]")) + `: entry "browser-extensions": follow_up "login-page-lop" is not the id of any entry (did you mean "login-page-loop"?)`,
	}
	got := probs.Error()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("problems lack %q; got:\n%s", w, got)
		}
	}
}

func TestValidateRules(t *testing.T) {
	long := strings.Repeat("Une phrase de réponse beaucoup trop longue. ", 80)
	tests := []struct {
		name string
		edit [2]string
		want string // part of the problem message
		at   string // text of the line it must point at
	}{
		{"missing English title", [2]string{"      en: Setting up academic mail on a phone (IMAP)\n", ""}, `entry "imap-settings": the title in English is missing`, "Configurer la messagerie sur un téléphone"},
		{"too few questions", [2]string{"        - hi there\n        - hey bot\n", ""}, `entry "greeting": 6 example question(s) in English, at least 8 are needed`, "        - good morning"},
		{"same question twice", [2]string{"        - why choose IMAP over POP\n", "        - what is the NUMEN?\n"}, `entry "default-password": the example question "what is the NUMEN?" says the same as an example of "imap-vs-pop"`, "- what is the NUMEN?"},
		{"answer too long for Slack", [2]string{"        **Disable them temporarily**", "        " + long}, `over its 3000 limit`, "Une phrase de réponse"},
		{"bad date", [2]string{"    owner: helpdesk-dsi\n    reviewed: 2026-11-27\n\n  - id: thanks", "    owner: helpdesk-dsi\n    reviewed: 27/11/2026\n\n  - id: thanks"}, `reviewed must be a date written YYYY-MM-DD`, "27/11/2026"},
		{"unclosed bold", [2]string{"**Disable them temporarily**", "**Disable them temporarily"}, `a ** is not closed`, "Some **browser extensions**"},
		{"bad id", [2]string{"  - id: two-accounts\n", "  - id: Two_Accounts\n"}, `the id must be lower case words`, "id: Two_Accounts"},
		{"yaml syntax", [2]string{"    title:\n      fr: Deux comptes", "    title:\n     fr: Deux comptes"}, ``, "fr: Deux comptes"},
		{"service without names", [2]string{"    names: [iprof, i prof]\n", ""}, `entry "iprof": a service needs names`, "  - id: iprof"},
		{"names on a topic", [2]string{"    keywords: [vpn, adblock, bloqueur, extension]\n", "    names: [vpn]\n"}, `names are for services`, "    names: [vpn]"},
		{"out of scope but an example", [2]string{"out_of_scope:\n  fr:\n", "out_of_scope:\n  fr:\n    - comment configurer ma messagerie académique sur mon téléphone svp\n"}, `cannot also be out of scope`, "comment configurer ma messagerie académique sur mon téléphone svp"},
		{"near duplicate in another entry", [2]string{"        - menu\n", "        - comment changer mon mot de passe de messagerie svp\n"}, `says the same as an example of "password-change"`, "comment changer mon mot de passe de messagerie svp"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := brokenCopy(t, tt.edit)
			_, err := Load(path, Limit{Platform: "Slack", Render: RenderText, Max: 3000}) // the platforms pass theirs
			var probs Problems
			if !errors.As(err, &probs) {
				t.Fatalf("Load = %v; want Problems", err)
			}
			line := lineOf(t, path, tt.at)
			for _, p := range probs {
				// A block answer is reported at its "en: |" line, just above.
				if strings.Contains(p.Error(), tt.want) && p.File == path && line-3 <= p.Line && p.Line <= line+1 {
					return
				}
			}
			t.Errorf("no problem %q at line %d; got:\n%s", tt.want, line, probs.Error())
		})
	}
}

// which_one is optional, but when given it is given in both languages.
func TestValidateWhichOneInBothLanguages(t *testing.T) {
	path := brokenCopy(t, [2]string{"    en: \"Several topics cover that. Which one do you mean?\"\n", ""})
	_, err := Load(path)
	if err == nil || !strings.Contains(err.Error(), "messages.which_one.en is missing") {
		t.Errorf("Load(which_one without English) = %v; want the missing English named", err)
	}
	path = brokenCopy(t, [2]string{"  which_one:\n    fr: \"Plusieurs sujets parlent de cela. Lequel vous concerne ?\"\n    en: \"Several topics cover that. Which one do you mean?\"\n", ""})
	if _, err := Load(path); err != nil {
		t.Errorf("Load(without which_one) = %v; want it optional", err)
	}
}

func TestLoadUnreadable(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "missing.yaml"))
	if !errors.Is(err, ErrUnreadable) {
		t.Errorf("Load(missing) = %v; want ErrUnreadable", err)
	}
}

// A folder of several files is one knowledge base.
func TestLoadFolder(t *testing.T) {
	b, err := os.ReadFile(shipped)
	if err != nil {
		t.Fatal(err)
	}
	src := string(b)
	cut := strings.Index(src, "  - id: two-accounts")
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.yaml"), []byte(src[:cut]), 0o644)
	os.WriteFile(filepath.Join(dir, "b.yaml"), []byte("version: 1\nentries:\n"+src[cut:]), 0o644)
	kb, err := Load(dir)
	if err != nil {
		t.Fatalf("Load(folder) = %v", err)
	}
	if e, ok := kb.Entry("two-accounts"); !ok || e.File != filepath.Join(dir, "b.yaml") {
		t.Errorf("two-accounts not loaded from b.yaml: %+v", e)
	}
	if len(kb.Entries) != len(loadShipped(t).Entries) {
		t.Errorf("folder has %d entries; want %d", len(kb.Entries), len(loadShipped(t).Entries))
	}
}

// The next steps (next:) are checked with their lines: an unknown id, a
// service, small talk, the entry itself, and a loop.
func TestValidateNextSteps(t *testing.T) {
	path := brokenCopy(t,
		[2]string{"    next: browser-extensions\n", "    next: browser-extension\n"},
		[2]string{"    next: unsupported-browser\n", "    next: pronote\n"},
		[2]string{"    next: human\n", "    next: login-identifier\n"},    // password-reset: a loop
		[2]string{"    next: human\n", "    next: thanks\n"},              // two-accounts
		[2]string{"    next: human\n", "    next: unsupported-browser\n"}, // unsupported-browser: itself
	)
	_, err := Load(path)
	var probs Problems
	if !errors.As(err, &probs) {
		t.Fatalf("Load(broken) = %v; want Problems", err)
	}
	line := func(text string) string { return path + ":" + strconv.Itoa(lineOf(t, path, text)) }
	want := []string{
		line("next: browser-extension\n"[:len("next: browser-extension")]) + `: entry "login-page-loop": next "browser-extension" is not the id of any entry (did you mean "browser-extensions"?)`,
		line("next: pronote") + `: entry "clock-certificate": next "pronote" is another service`,
		line("next: thanks") + `: entry "two-accounts": next "thanks" is small talk`,
		line("next: unsupported-browser") + `: entry "unsupported-browser": next names the entry itself`,
		`the next steps make a loop (login-identifier → portal-choice → password-reset → login-identifier)`,
	}
	got := probs.Error()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("problems lack %q; got:\n%s", w, got)
		}
	}
}
