package tests

import (
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/mattn/go-runewidth"
)

// ansi matches the terminal's control sequences (the line editor's).
var ansi = regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Za-z0-9]|\r`)

// The console as a person at a terminal meets it, under a pseudo-terminal
// of 80 columns: the welcome says how to ask and how to quit, the Up arrow
// brings the last question back, a "did you mean" is chosen by its number,
// nothing is wider than the terminal, a quit word ends the chat.
func TestConsoleOnATerminal(t *testing.T) {
	cmd := exec.Command(botBinary(t))
	cmd.Dir = ".."
	cmd.Env = []string{"TERM=xterm", "HOME=" + t.TempDir(), "KNOWLEDGE_PATH=knowledge/faq.yaml"}
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: 80, Rows: 40})
	if err != nil {
		t.Fatal(err)
	}
	defer tty.Close()
	out := &syncBuffer{}
	go func() {
		b := make([]byte, 4096)
		for {
			n, err := tty.Read(b)
			out.Write(b[:n])
			if err != nil {
				return
			}
		}
	}()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	defer cmd.Process.Kill()
	waitFor := func(what string, n int) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for strings.Count(ansi.ReplaceAllString(out.String(), ""), what) < n {
			if time.Now().After(deadline) {
				t.Fatalf("no %q (%d times) on the terminal:\n%s", what, n, ansi.ReplaceAllString(out.String(), ""))
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitFor("« quitter »", 1)
	waitFor("« aide »", 1)
	tty.WriteString("quel port imap sur mon téléphone\r")
	waitFor("port 993", 1)
	tty.WriteString("\x1b[A\r") // Up, Enter: the same question again
	waitFor("port 993", 2)
	tty.WriteString("mail\r")
	waitFor("Tapez un numéro", 1)
	tty.WriteString("1\r")
	waitFor("mdupont", 3) // the short identifier's answer (the IMAP answer names it twice)
	tty.WriteString("quitter\r")
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("the console exited with %v after quitter; want 0", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("quitter did not end the console")
	}
	screen := ansi.ReplaceAllString(out.String(), "")
	if !strings.Contains(screen, "Au revoir") {
		t.Errorf("no goodbye:\n%s", screen)
	}
	for _, line := range strings.Split(screen, "\n") {
		if w := runewidth.StringWidth(line); w > 80 {
			t.Errorf("a line of %d columns on an 80-column terminal: %q", w, line)
		}
	}
}
