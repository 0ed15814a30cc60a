package tests

import (
	"database/sql"
	"io"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/acad-lyon/helpdesk-bot/internal/platformtest"
	"github.com/acad-lyon/helpdesk-bot/internal/store/storetest"
)

// tcpProxy forwards connections from a loopback address to target, until
// closed: PostgreSQL "coming up" or "going away" under the bot.
type tcpProxy struct {
	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
}

func startProxy(t *testing.T, addr, target string) *tcpProxy {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	p := &tcpProxy{ln: ln}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, up)
			p.mu.Unlock()
			go func() { io.Copy(up, c); up.Close() }()
			go func() { io.Copy(c, up); c.Close() }()
		}
	}()
	t.Cleanup(p.close)
	return p
}

// close stops accepting and cuts every connection.
func (p *tcpProxy) close() {
	p.ln.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// PostgreSQL down when the bot starts: the bot answers all the same and
// /readyz says the store is down; what it records waits; once PostgreSQL is
// reachable the store opens and the waiting question is written. Then
// PostgreSQL goes away and comes back under the running bot: a question
// asked meanwhile is written once it is back.
func TestPostgresDownAtStartThenUp(t *testing.T) {
	dsn := storetest.Postgres(t)
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	target := u.Host
	proxyAddr := freeAddr(t) // nothing listens there yet: PostgreSQL is "down"
	u.Host = proxyAddr
	fake := platformtest.NewSlack(t)
	addr := freeAddr(t)
	base := "http://" + addr
	bot := startBot(t, "SLACK_BOT_TOKEN="+fake.BotToken, "SLACK_SIGNING_SECRET="+signingSecret, "SLACK_API_URL="+fake.APIURL(),
		"HTTP_ADDR="+addr, "DATABASE_URL="+u.String())
	eventually(t, 30*time.Second, "/readyz 200 with the store down", func() bool {
		code, body := get(t, base+"/readyz")
		return code == 200 && strings.Contains(body, `"store": false`)
	})
	sb := &slackBot{t: t, fake: fake, base: base}
	sb.event("EvPg1", mention("CGENERAL", "3.000001", "ça marche pas"))
	fake.WaitPost() // answered while the store is down

	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	unanswered := func() int {
		var n int
		if err := db.QueryRow("SELECT count(*) FROM unanswered").Scan(&n); err != nil {
			return -1 // not migrated yet
		}
		return n
	}
	proxy := startProxy(t, proxyAddr, target) // PostgreSQL comes up
	eventually(t, 30*time.Second, "the waiting question written", func() bool { return unanswered() == 1 })
	eventually(t, 10*time.Second, "/readyz showing the store up", func() bool {
		_, body := get(t, base+"/readyz")
		return strings.Contains(body, `"store": true`)
	})

	proxy.close() // PostgreSQL goes away under the bot
	sb.event("EvPg2", mention("CGENERAL", "3.000002", "problème avec convergence"))
	fake.WaitPost()
	time.Sleep(500 * time.Millisecond)
	startProxy(t, proxyAddr, target) // and comes back
	eventually(t, 30*time.Second, "the question asked during the outage written", func() bool { return unanswered() == 2 })
	bot.terminate(t)
}
