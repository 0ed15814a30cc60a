package tests

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/acad-lyon/helpdesk-bot/internal/platformtest"
)

// freeAddr returns a loopback address with a free port.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// eventually polls check until it holds, for at most d.
func eventually(t *testing.T, d time.Duration, what string, check func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !check() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, d)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// The service as operators run it: Slack in HTTP mode, /healthz, /readyz,
// /metrics, the SQLite store, live reload of a good and a bad edit, then
// `bot report` and `bot purge` on what it recorded.
func TestServiceMetricsReloadAndStore(t *testing.T) {
	kpath := knowledgeCopy(t)
	data := filepath.Join(filepath.Dir(kpath), "data")
	fake := platformtest.NewSlack(t)
	addr := freeAddr(t)
	base := "http://" + addr
	bot := startBot(t, "SLACK_BOT_TOKEN="+fake.BotToken, "SLACK_SIGNING_SECRET="+signingSecret, "SLACK_API_URL="+fake.APIURL(),
		"HTTP_ADDR="+addr, "KNOWLEDGE_PATH="+kpath, "DATA_PATH="+data)
	eventually(t, 20*time.Second, "/readyz 200", func() bool { code, _ := get(t, base+"/readyz"); return code == 200 })
	if code, body := get(t, base+"/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("/healthz = %d %q", code, body)
	}
	sb := &slackBot{t: t, fake: fake, base: base}
	sb.event("Ev1", mention("CGENERAL", "1.000001", "quel port pour imap sur mon téléphone ?"))
	sb.event("Ev2", mention("CGENERAL", "1.000002", "j'ai oublié mon mot de passe"))
	sb.event("Ev3", channelMessage("DTEACHER", "im", "1.000003", "ça marche pas"))
	var answer platformtest.SlackPost
	for range 3 {
		if p := fake.WaitPost(); p.Thread == "1.000001" {
			answer = p
		}
	}
	sb.click("UTEACHER", "CGENERAL", map[string]any{"ts": "1800000000.000001", "thread_ts": "1.000001", "text": answer.Text}, answer.Blocks, "vote-no")
	fake.WaitResponse()
	if next := fake.WaitPost(); next.Thread != "1.000001" || !strings.Contains(next.Text, "DSI") {
		t.Errorf("after a 👎 on the phone settings the bot posted %q in thread %q; want the next step (the reset by the DSI) in 1.000001", next.Text, next.Thread)
	}

	// The store writes are queued off the reply path: they land soon after.
	eventually(t, 10*time.Second, "the vote written", func() bool {
		_, m := get(t, base+"/metrics")
		return strings.Contains(m, `helpdesk_store_writes_total{kind="vote",result="ok"} 1`)
	})
	_, metrics := get(t, base+"/metrics")
	for _, want := range []string{
		`helpdesk_questions_total{outcome="answered",platform="slack"} 2`,
		`helpdesk_questions_total{outcome="suggested",platform="slack"} 1`,
		`helpdesk_feedback_votes_total{entry="imap-settings",platform="slack",vote="down"} 1`,
		`helpdesk_store_writes_total{kind="question",result="ok"} 1`,
		`helpdesk_store_writes_total{kind="vote",result="ok"} 1`,
		`helpdesk_knowledge_valid 1`,
		`helpdesk_matching_seconds_count{platform="slack"} 3`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if strings.Contains(metrics, "mot de passe") || strings.Contains(metrics, "UTEACHER") {
		t.Error("/metrics carries a question or a user")
	}

	// A bad edit: the bot keeps answering, /readyz and /metrics say why.
	b, _ := os.ReadFile(kpath)
	line := 1 + strings.Count(string(b[:strings.Index(string(b), "  - id: imap-settings\n")]), "\n") + 1
	os.WriteFile(kpath, []byte(strings.Replace(string(b), "  - id: imap-settings\n    title:", "  - id: imap-settings\n    titel:", 1)), 0o644)
	var ready struct {
		Ready     bool `json:"ready"`
		Knowledge struct {
			OK       bool     `json:"ok"`
			Problems []string `json:"problems"`
		} `json:"knowledge"`
	}
	eventually(t, 20*time.Second, "/readyz showing the bad edit", func() bool {
		_, body := get(t, base+"/readyz")
		json.Unmarshal([]byte(body), &ready)
		return !ready.Knowledge.OK
	})
	if want := fmt.Sprintf("faq.yaml:%d:", line); !ready.Ready || !strings.Contains(strings.Join(ready.Knowledge.Problems, "\n"), want) {
		t.Errorf("/readyz = %+v; want still ready, with the problem at %s", ready, want)
	}
	if _, m := get(t, base+"/metrics"); !strings.Contains(m, "helpdesk_knowledge_valid 0") || !strings.Contains(m, `helpdesk_knowledge_reloads_total{result="failed"} 1`) {
		t.Error("/metrics does not show the failed reload")
	}
	sb.event("Ev4", mention("CGENERAL", "1.000004", "quel port pour imap sur mon téléphone ?"))
	if p := fake.WaitPost(); !strings.Contains(platformtest.BlocksText(p.Blocks), "993") {
		t.Errorf("after a bad edit the bot answered %q; want the old knowledge's answer", p.Text)
	}
	// The fix is picked up.
	os.WriteFile(kpath, b, 0o644)
	eventually(t, 20*time.Second, "/readyz after the fix", func() bool {
		_, body := get(t, base+"/readyz")
		json.Unmarshal([]byte(body), &ready)
		return ready.Knowledge.OK
	})
	bot.terminate(t)

	// What maintainers get from what was recorded.
	report := exec.Command(botBinary(t), "report", "--since", "1d", "--format", "yaml")
	report.Env = append(os.Environ(), "KNOWLEDGE_PATH="+kpath, "DATA_PATH="+data)
	out, err := report.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "ça marche pas") {
		t.Errorf("bot report = %v:\n%s", err, out)
	}
	purge := exec.Command(botBinary(t), "purge", "--user", "slack:UTEACHER")
	purge.Env = append(os.Environ(), "DATA_PATH="+data)
	if out, err := purge.CombinedOutput(); err != nil || !strings.Contains(string(out), "erased 2 row(s)") {
		t.Errorf("bot purge --user = %v: %s; want the vote and the question erased", err, out)
	}
}

// A flood of idle connections on HTTP_ADDR (more than the bot serves at
// once) does not silence the probes on HEALTH_ADDR; once it ends, Slack's
// requests are served again.
func TestServiceHealthUnderConnectionFlood(t *testing.T) {
	fake := platformtest.NewSlack(t)
	addr, healthAddr := freeAddr(t), freeAddr(t)
	bot := startBot(t, "SLACK_BOT_TOKEN="+fake.BotToken, "SLACK_SIGNING_SECRET="+signingSecret, "SLACK_API_URL="+fake.APIURL(),
		"HTTP_ADDR="+addr, "HEALTH_ADDR="+healthAddr)
	eventually(t, 20*time.Second, "/readyz 200", func() bool { code, _ := get(t, "http://"+healthAddr+"/readyz"); return code == 200 })
	var conns []net.Conn
	for range 600 {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			break // the backlog is full: enough
		}
		conns = append(conns, c)
	}
	start := time.Now()
	if code, _ := get(t, "http://"+healthAddr+"/healthz"); code != 200 {
		t.Errorf("/healthz on HEALTH_ADDR under %d idle connections: %d", len(conns), code)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("/healthz took %v under the flood; want under 1 s", d)
	}
	for _, c := range conns {
		c.Close()
	}
	sb := &slackBot{t: t, fake: fake, base: "http://" + addr}
	sb.event("EvFlood", mention("CGENERAL", "6.000001", "quel port imap"))
	fake.WaitPost()
	// With HEALTH_ADDR, what the bot tells operators is only there.
	for _, p := range []string{"/readyz", "/metrics"} {
		if code, _ := get(t, "http://"+addr+p); code != http.StatusNotFound {
			t.Errorf("%s on HTTP_ADDR with HEALTH_ADDR set: %d; want 404", p, code)
		}
		if code, _ := get(t, "http://"+healthAddr+p); code != http.StatusOK {
			t.Errorf("%s on HEALTH_ADDR: %d; want 200", p, code)
		}
	}
	bot.terminate(t)
}
