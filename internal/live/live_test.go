package live

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/acad-lyon/helpdesk-bot/intents"
)

// setup copies the shipped knowledge into a temporary folder and serves it,
// watching the file.
func setup(t *testing.T) (k *Knowledge, path string, loads chan bool, logs *bytes.Buffer) {
	t.Helper()
	src, err := os.ReadFile("../../knowledge/faq.yaml")
	if err != nil {
		t.Fatal(err)
	}
	path = filepath.Join(t.TempDir(), "faq.yaml")
	if err := os.WriteFile(path, src, 0o644); err != nil {
		t.Fatal(err)
	}
	logs = &bytes.Buffer{}
	var mu sync.Mutex
	log := slog.New(slog.NewJSONHandler(&lockedWriter{w: logs, mu: &mu}, nil))
	k, err = Load(path, log, intents.Required{"greeting", "thanks", "help", "human"})
	if err != nil {
		t.Fatal(err)
	}
	loads = make(chan bool, 10)
	k.OnLoad = func(ok bool, _ int) { loads <- ok }
	ctx, cancel := context.WithCancel(context.Background())
	done, err := k.Watch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); <-done })
	return k, path, loads, logs
}

type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func waitLoad(t *testing.T, loads chan bool) bool {
	t.Helper()
	select {
	case ok := <-loads:
		return ok
	case <-time.After(3 * time.Minute): // training is slow under -race
		t.Fatal("no reload within 3 minutes of the edit")
	}
	return false
}

const newExample = "mon zorglub refuse de relever le courrier"

func ask(t *testing.T, k *Knowledge, q string) intents.Reply {
	t.Helper()
	r, err := k.Answer(context.Background(), intents.Question{Text: q})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// edit rewrites the knowledge file, replacing old with new.
func edit(t *testing.T, path, old, new string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(old)) {
		t.Fatalf("%q not in the knowledge", old)
	}
	// Write a new file and rename it over the old one, as editors and git do.
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, bytes.Replace(b, []byte(old), []byte(new), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

func TestGoodEditPickedUpWithoutRestart(t *testing.T) {
	k, path, loads, _ := setup(t)
	if r := ask(t, k, newExample); r.Entry != nil && r.Entry.ID == "imap-settings" {
		t.Fatalf("%q already answers imap-settings before the edit", newExample)
	}
	edit(t, path, "        - comment configurer ma messagerie académique sur mon téléphone\n",
		"        - comment configurer ma messagerie académique sur mon téléphone\n        - "+newExample+"\n")
	if !waitLoad(t, loads) {
		t.Fatalf("the reload failed: %v", k.Status().Problems)
	}
	if r := ask(t, k, newExample); r.Entry == nil || r.Entry.ID != "imap-settings" {
		t.Errorf("after the edit %q answers %v; want imap-settings", newExample, r.Entry)
	}
	if st := k.Status(); !st.OK || st.Entries != 18 {
		t.Errorf("Status = %+v; want OK with 18 entries", st)
	}
}

func TestBadEditKeepsTheOldKnowledge(t *testing.T) {
	k, path, loads, logs := setup(t)
	servedAt := k.Status().At
	before := ask(t, k, "quel port pour imap sur mon téléphone").Entry
	b, _ := os.ReadFile(path)
	line := 1 + bytes.Count(b[:bytes.Index(b, []byte("  - id: imap-settings\n    title:"))], []byte("\n")) + 1
	edit(t, path, "  - id: imap-settings\n    title:", "  - id: imap-settings\n    titel:")
	if waitLoad(t, loads) {
		t.Fatal("a misspelt key was accepted")
	}
	st := k.Status()
	want := fmt.Sprintf("%s:%d:", filepath.Base(path), line)
	if st.OK || len(st.Problems) == 0 || !strings.Contains(strings.Join(st.Problems, "\n"), want) || !strings.Contains(strings.Join(st.Problems, "\n"), "titel") {
		t.Errorf("Status = %+v; want the problem at %s about titel", st, want)
	}
	if !st.At.Equal(servedAt) || !st.FailedAt.After(servedAt) {
		t.Errorf("Status says loaded at %v, failed at %v; want the served knowledge's time (%v), and the failed attempt's apart", st.At, st.FailedAt, servedAt)
	}
	if !strings.Contains(logs.String(), "titel") {
		t.Errorf("the problem is not logged:\n%s", logs)
	}
	if after := ask(t, k, "quel port pour imap sur mon téléphone").Entry; after != before || after == nil {
		t.Errorf("after a bad edit the bot answers %v; want %v, from the old knowledge", after, before)
	}
	// Fixing the file brings the status back.
	edit(t, path, "    titel:", "    title:")
	if !waitLoad(t, loads) || !k.Status().OK || !k.Status().FailedAt.IsZero() || !k.Status().At.After(servedAt) {
		t.Errorf("the fixed file was not loaded: %+v", k.Status())
	}
}

// Questions asked while the knowledge reloads are answered, each from one
// consistent knowledge (run with -race).
func TestConcurrentQuestionsDuringReloads(t *testing.T) {
	k, _, loads, _ := setup(t)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for ctx.Err() == nil {
				r := ask(t, k, "jai oublie mon mdp")
				if r.Entry == nil || r.Entry.ID != "password-reset" {
					t.Errorf("during a reload the answer was %v", r.Entry)
					return
				}
				k.Current().Suggest("imap", 3)
				k.Current().AnswerEntry(r.Entry, "en")
			}
		})
	}
	for range 2 {
		if err := k.Reload(); err != nil {
			t.Error(err)
		}
		<-loads
	}
	cancel()
	wg.Wait()
}

// A file written in two halves, with a pause longer than the debounce, is
// never served half: the first half lacks the last entries, so it is
// refused (or waited for), and the whole file is served at the end.
func TestHalfWrittenFileNeverServed(t *testing.T) {
	k, path, loads, _ := setup(t)
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	src = bytes.Replace(src, []byte("Avec plaisir !"), []byte("Avec grand plaisir !"), 1)
	half := len(src) / 2
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	f.Write(src[:half])
	f.Sync()
	time.Sleep(700 * time.Millisecond) // more than twice the debounce
	if _, ok := k.Core().Knowledge().Entry("human"); !ok {
		t.Fatal("the half-written file is served")
	}
	f.Write(src[half:])
	f.Close()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case ok := <-loads:
			if ok {
				if e, _ := k.Core().Knowledge().Entry("thanks"); !strings.Contains(e.Answer.FR, "grand plaisir") {
					t.Errorf("the final knowledge is not the whole new file")
				}
				return
			}
		case <-deadline:
			t.Fatal("the whole file was not loaded within 10 s")
		}
	}
}
