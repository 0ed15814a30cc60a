package tests

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
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

// outage is a run of questions during a store outage: replicas of the bot
// (their HTTP addresses) on one fake Slack, 20 questions a second for 15 s
// delivered to them in turn while lock holds the store, then what was
// answered, when, and how often.
type outage struct {
	fake  *platformtest.Slack
	mu    sync.Mutex
	sent  map[string]time.Time // question ts: when it was sent
	first map[string]time.Time // question ts: when its first answer came
	posts int
}

func newOutage(t *testing.T) *outage {
	o := &outage{fake: platformtest.NewSlack(t), sent: map[string]time.Time{}, first: map[string]time.Time{}}
	o.fake.Sink = func(p platformtest.SlackPost) {
		o.mu.Lock()
		defer o.mu.Unlock()
		o.posts++
		if _, ok := o.first[p.Thread]; !ok {
			o.first[p.Thread] = time.Now()
		}
	}
	return o
}

// startReplica starts a replica of the bot on the outage's fake Slack, and
// waits until its store is open.
func (o *outage) startReplica(t *testing.T, env ...string) (*runningBot, string) {
	addr := freeAddr(t)
	base := "http://" + addr
	bot := startBot(t, append([]string{"SLACK_BOT_TOKEN=" + o.fake.BotToken, "SLACK_SIGNING_SECRET=" + signingSecret, "SLACK_API_URL=" + o.fake.APIURL(),
		"HTTP_ADDR=" + addr, "FLOOD_USER_PER_MINUTE=0", "FLOOD_CHANNEL_PER_MINUTE=0"}, env...)...)
	eventually(t, 20*time.Second, "/readyz 200 with the store open", func() bool {
		code, body := get(t, base+"/readyz")
		return code == 200 && strings.Contains(body, `"store": true`)
	})
	return bot, base
}

// Outages last outageFor, with outageRate questions a second.
const (
	outageRate = 20
	outageFor  = 15 * time.Second
)

// run sends the questions to bases in turn while the store is locked (unlock
// ends it), then checks that each was answered once, within 3 s, and
// reports whether /readyz said the store was degraded meanwhile, and how
// many of the questions were ones the bot keeps for maintainers (a question
// it could not answer directly): those must reach the store once it is back.
func (o *outage) run(t *testing.T, what string, bases []string, unlock func()) (sawDegraded bool, kept int) {
	var wg sync.WaitGroup
	start := time.Now()
	tick := time.NewTicker(time.Second / outageRate)
	for i := 0; time.Since(start) < outageFor; i++ {
		<-tick.C
		ts := fmt.Sprintf("70.%06d", i)
		o.mu.Lock()
		o.sent[ts] = time.Now()
		o.mu.Unlock()
		base := bases[i%len(bases)]
		sb := &slackBot{t: t, fake: o.fake, base: base}
		q := "quel port pour imap ?"
		if i%4 == 3 {
			q, kept = "problème avec convergence", kept+1 // offered a choice: kept as unanswered
		}
		ev, _ := json.Marshal(platformtest.MessageEvent(fmt.Sprintf("EvOutage%d", i), mention("CGENERAL", ts, q)))
		wg.Go(func() { sb.signedPost("/slack/events", "application/json", ev, time.Now()) })
		if i%40 == 20 {
			if _, body := get(t, base+"/readyz"); strings.Contains(body, `"store_degraded": true`) {
				sawDegraded = true
			}
		}
	}
	tick.Stop()
	unlock()
	wg.Wait()
	eventually(t, 10*time.Second, "an answer to every question", func() bool {
		o.mu.Lock()
		defer o.mu.Unlock()
		return len(o.first) >= len(o.sent)
	})
	time.Sleep(2 * time.Second) // room for a second answer, were one to come
	o.mu.Lock()
	defer o.mu.Unlock()
	var worst time.Duration
	late := 0
	for ts, at := range o.sent {
		d := o.first[ts].Sub(at)
		worst = max(worst, d)
		if d > 3*time.Second {
			late++
		}
	}
	t.Logf("%d questions at %d a second %s for %v: worst answer after %v, %d after 3 s", len(o.sent), outageRate, what, outageFor, worst.Round(time.Millisecond), late)
	if late > 0 {
		t.Errorf("%d of %d questions answered after 3 s (worst %v)", late, len(o.sent), worst)
	}
	if o.posts != len(o.sent) {
		t.Errorf("%d answers to %d questions; want each answered once", o.posts, len(o.sent))
	}
	return sawDegraded, kept
}

// allKept waits until the store holds the kept questions asked during the
// outage: none lost once the store is back.
func allKept(t *testing.T, db *sql.DB, kept int) {
	t.Helper()
	stored := -1
	eventually(t, 60*time.Second, fmt.Sprintf("the %d questions kept during the outage in the store", kept), func() bool {
		if err := db.QueryRow("SELECT count(*) FROM unanswered").Scan(&stored); err != nil {
			return false
		}
		return stored >= kept
	})
	if stored != kept {
		t.Errorf("%d questions in the store; want the %d kept during the outage, once each", stored, kept)
	}
	t.Logf("the %d questions kept during the outage are in the store", kept)
}

// storeAnswersAgain waits until /readyz says the store is asked again.
func storeAnswersAgain(t *testing.T, base string) {
	eventually(t, 15*time.Second, "/readyz: the store answers again", func() bool {
		_, body := get(t, base+"/readyz")
		return strings.Contains(body, `"store_degraded": false`)
	})
}

// With the SQLite file locked for 15 s by another process (a backup, a
// report on a busy file), 20 questions a second are all answered within 3 s,
// none twice: the store that does not answer is let alone for a while, and
// /readyz says so; once the lock is gone, it is asked again.
func TestStoreLockedAnswersOnTime(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: a 15 s outage")
	}
	o := newOutage(t)
	data := t.TempDir()
	bot, base := o.startReplica(t, "DATA_PATH="+data)
	db, err := sql.Open("sqlite", "file:"+data+"/helpdesk.db?_pragma=busy_timeout(1000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(context.Background(), "BEGIN EXCLUSIVE"); err != nil {
		t.Fatal(err)
	}
	degraded, kept := o.run(t, "with the SQLite file locked", []string{base}, func() {
		if _, err := conn.ExecContext(context.Background(), "COMMIT"); err != nil {
			t.Fatal(err)
		}
		conn.Close()
	})
	if !degraded {
		t.Error("/readyz never said the store was degraded while it was locked")
	}
	storeAnswersAgain(t, base)
	allKept(t, db, kept)
	bot.terminate(t)
}

// Two replicas on a PostgreSQL whose tables are locked for 15 s (another
// session holding an exclusive lock): 20 questions a second, delivered
// alternately to each, are all answered within 3 s and once, each replica
// answering what it received; once the lock is gone, the store is asked
// again.
func TestStoreStalledTwoReplicas(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: a 15 s outage")
	}
	dsn := storetest.Postgres(t)
	o := newOutage(t)
	var bots []*runningBot
	var bases []string
	for range 2 {
		bot, base := o.startReplica(t, "DATABASE_URL="+dsn)
		bots, bases = append(bots, bot), append(bases, base)
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec("LOCK TABLE claims, inbox, threads, rates, unanswered IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	_, kept := o.run(t, "to two replicas with PostgreSQL's tables locked", bases, func() {
		if err := tx.Rollback(); err != nil {
			t.Fatal(err)
		}
	})
	for _, base := range bases {
		storeAnswersAgain(t, base)
	}
	allKept(t, db, kept)
	for _, bot := range bots {
		bot.terminate(t)
	}
}
