package tests

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	buildOnce sync.Once
	botPath   string
	buildErr  error
	buildDir  string
)

// botBinary builds ./cmd/bot once for the tests that run the real binary.
func botBinary(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not found")
	}
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "helpdesk-bot-test")
		if buildErr != nil {
			return
		}
		botPath = filepath.Join(buildDir, "bot")
		out, err := exec.Command("go", "build", "-o", botPath, "../cmd/bot").CombinedOutput()
		if err != nil {
			buildErr = err
			botPath = string(out)
		}
	})
	if buildErr != nil {
		t.Fatalf("go build ./cmd/bot: %v\n%s", buildErr, botPath)
	}
	return botPath
}

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// The binary, configured only by the environment of CONTRACT.md, answers in
// Socket Mode and exits 0 on SIGTERM after finishing the reply in flight.
func TestSlackBinarySocketModeSIGTERM(t *testing.T) {
	bot := botBinary(t)
	fake := newFakeSlack(t)
	cmd := exec.Command(bot)
	cmd.Env = append(os.Environ(),
		"KNOWLEDGE_PATH=../knowledge/faq.yaml",
		"HTTP_ADDR=127.0.0.1:0",
		"SLACK_BOT_TOKEN="+fake.botToken,
		"SLACK_APP_TOKEN="+fake.appToken,
		"SLACK_API_URL="+fake.APIURL(),
		"SLACK_CHANNELS=CHELP",
		"LOG_LEVEL=debug",
	)
	var stdout, stderr syncBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() { cmd.Process.Kill() })
	conn := fake.waitConn()
	fake.waitAck(fake.send(conn, "events_api", messageEvent("Ev1", channelMessage("CHELP", "channel", "11.000001", "j'ai oublié mon mot de passe"))))
	cmd.Process.Signal(syscall.SIGTERM)
	p := fake.waitPost()
	if p.Thread != "11.000001" {
		t.Errorf("reply in thread %q; want 11.000001", p.Thread)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("bot exited with %v on SIGTERM; want exit 0\n%s", err, stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("bot did not exit within 20 s of SIGTERM")
	}
	logs := stderr.String()
	if strings.Contains(logs, fake.botToken) || strings.Contains(logs, fake.appToken) {
		t.Error("the logs contain a token")
	}
	if strings.Contains(logs, "mot de passe") {
		t.Error("the logs contain the question")
	}
	if !bytes.Contains([]byte(logs), []byte(`"msg":"slack: connected by Socket Mode"`)) {
		t.Errorf("no JSON log line of the connection:\n%s", logs)
	}
}
