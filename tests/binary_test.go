package tests

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/acad-lyon/helpdesk-bot/internal/platformtest"
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
	fake := platformtest.NewSlack(t)
	bot := startBot(t, "SLACK_BOT_TOKEN="+fake.BotToken, "SLACK_APP_TOKEN="+fake.AppToken,
		"SLACK_API_URL="+fake.APIURL(), "SLACK_CHANNELS=CHELP", "LOG_LEVEL=debug")
	conn := fake.WaitConn()
	fake.WaitAck(fake.Send(conn, "events_api", platformtest.MessageEvent("Ev1", channelMessage("CHELP", "channel", "11.000001", "j'ai oublié mon mot de passe"))))
	bot.terminate(t) // the reply in flight still goes out
	if p := fake.WaitPost(); p.Thread != "11.000001" {
		t.Errorf("reply in thread %q; want 11.000001", p.Thread)
	}
	logs := bot.stderr.String()
	if strings.Contains(logs, fake.BotToken) || strings.Contains(logs, fake.AppToken) {
		t.Error("the logs contain a token")
	}
	if strings.Contains(logs, "mot de passe") {
		t.Error("the logs contain the question")
	}
	if !strings.Contains(logs, `"msg":"slack: connected by Socket Mode"`) {
		t.Errorf("no JSON log line of the connection:\n%s", logs)
	}
}

// The binary answers on Discord, configured only by the environment, and
// exits 0 on SIGTERM.
func TestDiscordBinarySIGTERM(t *testing.T) {
	fake := platformtest.NewDiscord(t)
	bot := startBot(t, "DISCORD_BOT_TOKEN="+fake.Token, "DISCORD_API_URL="+fake.APIURL(), "DISCORD_CHANNELS=700")
	conn := fake.WaitConn()
	fake.Dispatch(conn, "MESSAGE_CREATE", platformtest.DiscordMessage("1001", "700", platformtest.DiscordGuild, "801", "j'ai oublié mon mot de passe", false))
	if ref, _ := fake.WaitMessage().Body["message_reference"].(map[string]any); ref["message_id"] != "1001" {
		t.Errorf("reply to %v; want 1001", ref)
	}
	bot.terminate(t)
	if strings.Contains(bot.stderr.String(), fake.Token) {
		t.Error("the logs contain the token")
	}
}
