package tests

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/acad-lyon/helpdesk-bot/adapters/discord"
	"github.com/acad-lyon/helpdesk-bot/adapters/slack"
	"github.com/acad-lyon/helpdesk-bot/internal/chat"
	"github.com/acad-lyon/helpdesk-bot/internal/platformtest"
)

var (
	loadTest        = flag.Bool("load", false, "run the load tests (loopback only, bounded): go test ./tests -run Load -load -v")
	loadUsers       = flag.Int("load-users", 200, "simulated users of the load tests")
	loadEach        = flag.Int("load-questions", 50, "questions per simulated user")
	loadHeapProfile = flag.String("load-heapprofile", "", "write the heap profile after each load run to this file")
)

// loadQuestions are what the simulated staff ask, in turn.
var loadQuestions = []string{
	"j'ai oublié mon mot de passe", "quel est le port imap pour mon téléphone", "mon téléphone dit certificat invalide",
	"quel identifiant pour convergence", "je tourne en boucle sur la page de connexion", "how do I set up my mail on my phone",
	"ça marche pas", "la cantine est fermée ?", "comment changer mon mot de passe", "deux comptes en même temps",
}

// loadResult is what a load run measured.
type loadResult struct {
	questions, answered, duplicates   int
	elapsed                           time.Duration
	p50, p99, max                     time.Duration
	heapBefore, heapAfter             uint64
	goroutinesBefore, goroutinesAfter int
}

func (r loadResult) report(t *testing.T, what string) {
	t.Helper()
	t.Logf("%s: %d questions from %d users, %d answered, %d duplicates, in %v: %.0f questions/s; added latency p50 %v, p99 %v, max %v; heap %.1f MB before, %.1f MB after (after GC); goroutines %d before, %d after",
		what, r.questions, *loadUsers, r.answered, r.duplicates, r.elapsed.Round(time.Millisecond), float64(r.answered)/r.elapsed.Seconds(),
		r.p50.Round(10*time.Microsecond), r.p99.Round(10*time.Microsecond), r.max.Round(10*time.Microsecond),
		float64(r.heapBefore)/1e6, float64(r.heapAfter)/1e6, r.goroutinesBefore, r.goroutinesAfter)
	if r.answered != r.questions || r.duplicates != 0 {
		t.Errorf("%s: %d of %d questions answered, %d duplicates; want every question answered exactly once", what, r.answered, r.questions, r.duplicates)
	}
	// Flat memory: what stays is the bounded de-duplication memory (two
	// short keys per question for ten minutes), not the traffic.
	if grown := int64(r.heapAfter) - int64(r.heapBefore); grown > 40<<20 {
		t.Errorf("%s: the heap grew by %d MB over the run; want it flat", what, grown>>20)
	}
	if r.goroutinesAfter > r.goroutinesBefore+20 {
		t.Errorf("%s: %d goroutines after the run, %d before: some are left behind", what, r.goroutinesAfter, r.goroutinesBefore)
	}
}

func heap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// latencies turns the send and answer times into percentiles.
type latencies struct {
	mu       sync.Mutex
	waiting  map[string]chan struct{}
	sent     map[string]time.Time
	answered map[string]bool
	took     []time.Duration
	dups     int
	done     chan struct{}
	want     int
}

func newLatencies(want int) *latencies {
	return &latencies{sent: make(map[string]time.Time, want), answered: make(map[string]bool, want), waiting: map[string]chan struct{}{}, done: make(chan struct{}), want: want}
}

// send notes that the question key is asked and returns a channel closed
// when it is answered: a simulated user waits for the answer before asking
// the next question, as people do.
func (l *latencies) send(key string) <-chan struct{} {
	c := make(chan struct{})
	l.mu.Lock()
	l.sent[key] = time.Now()
	l.waiting[key] = c
	l.mu.Unlock()
	return c
}

// wait waits for an answer, at most 30 s.
func wait(c <-chan struct{}) {
	select {
	case <-c:
	case <-time.After(30 * time.Second):
	}
}

func (l *latencies) answer(key string) {
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.answered[key] {
		l.dups++
		return
	}
	key = strings.Clone(key) // not the whole request body it was cut from
	if at, ok := l.sent[key]; ok {
		l.took = append(l.took, now.Sub(at))
	}
	if c, ok := l.waiting[key]; ok {
		close(c)
		delete(l.waiting, key)
	}
	l.answered[key] = true
	if len(l.answered) == l.want {
		close(l.done)
	}
}

// finish waits for the last answers (2 minutes at most), stops the
// adapter, closes what the run opened and measures what stays.
func (l *latencies) finish(t *testing.T, start time.Time, stop func() error, closeAll func()) loadResult {
	t.Helper()
	select {
	case <-l.done:
	case <-time.After(2 * time.Minute):
	}
	elapsed := time.Since(start)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	closeAll()
	r := l.result(elapsed)
	r.heapAfter = heap()
	if p := *loadHeapProfile; p != "" {
		f, _ := os.Create(p)
		pprof.WriteHeapProfile(f)
		f.Close()
	}
	r.goroutinesAfter = runtime.NumGoroutine()
	return r
}

func (l *latencies) result(elapsed time.Duration) loadResult {
	l.mu.Lock()
	defer l.mu.Unlock()
	slices.Sort(l.took)
	r := loadResult{questions: l.want, answered: len(l.answered), duplicates: l.dups, elapsed: elapsed}
	if n := len(l.took); n > 0 {
		r.p50, r.p99, r.max = l.took[n/2], l.took[n*99/100], l.took[n-1]
	}
	return r
}

// loadEvent is the signed Events API request of user u's question q to the
// bot at base (a retry, as Slack sends it, when retry is set), and the ts
// its answer's thread will have.
func loadEvent(base string, u, q int, retry bool) (string, *http.Request) {
	ts := fmt.Sprintf("%d.%06d", 1700000000+u, q)
	ev := platformtest.MessageEvent(fmt.Sprintf("Ev%d-%d", u, q), map[string]any{
		"type": "app_mention", "user": fmt.Sprintf("U%05d", u), "text": "<@UBOT> " + loadQuestions[(u+q)%len(loadQuestions)],
		"ts": ts, "channel": fmt.Sprintf("C%03d", u%20), "event_ts": ts,
	})
	body, _ := json.Marshal(ev)
	stamp := strconv.FormatInt(time.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte(signingSecret))
	fmt.Fprintf(mac, "v0:%s:%s", stamp, body)
	req, _ := http.NewRequest(http.MethodPost, base+"/slack/events", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Slack-Request-Timestamp", stamp)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	if retry {
		req.Header.Set("X-Slack-Retry-Num", "1")
		req.Header.Set("X-Slack-Retry-Reason", "http_timeout")
	}
	return ts, req
}

// At least 200 users asking 50 questions each through the Slack HTTP Events
// endpoint, every request signed, each user waiting for an answer before the
// next question: every question answered exactly once. The latency is from
// the signed request sent to the reply received by the fake Slack.
func TestLoadSlackHTTPEvents(t *testing.T) {
	if !*loadTest {
		t.Skip("load test: go test ./tests -run Load -load -v")
	}
	fake := platformtest.NewSlack(t)
	total := *loadUsers * *loadEach
	lat := newLatencies(total)
	fake.Sink = func(p platformtest.SlackPost) { lat.answer(p.Thread) }
	goroutines := runtime.NumGoroutine()
	a, err := slack.New(slack.Config{
		BotToken: fake.BotToken, SigningSecret: signingSecret, APIURL: fake.APIURL(),
		Settings: chat.Settings{Logger: slog.New(slog.DiscardHandler), Flood: chat.NewFlood(chat.FloodLimits{}), MaxPending: 2 * total},
	}, chat.Fixed(shippedCore(t)))
	if err != nil {
		t.Fatal(err)
	}
	stop := runAdapter(t, a.Run)
	srv := httptest.NewServer(a.Handler())
	defer srv.Close()
	for !a.Ready() {
		time.Sleep(5 * time.Millisecond)
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *loadUsers, MaxConnsPerHost: *loadUsers}, Timeout: 30 * time.Second}
	before := heap()
	var failed atomic.Int64
	start := time.Now()
	var wg sync.WaitGroup
	for u := range *loadUsers {
		wg.Go(func() {
			for q := range *loadEach {
				ts, req := loadEvent(srv.URL, u, q, false)
				answered := lat.send(ts)
				resp, err := client.Do(req)
				if err != nil || resp.StatusCode != http.StatusOK {
					failed.Add(1)
					if resp != nil {
						resp.Body.Close()
					}
					continue
				}
				resp.Body.Close()
				wait(answered)
			}
		})
	}
	wg.Wait()
	r := lat.finish(t, start, stop, func() { srv.Close(); client.CloseIdleConnections() })
	r.heapBefore, r.goroutinesBefore = before, goroutines
	if n := failed.Load(); n > 0 {
		t.Errorf("%d requests failed or were refused", n)
	}
	r.report(t, "Slack HTTP Events")
}

// The same load through the Discord adapter and a local gateway.
func TestLoadDiscordGateway(t *testing.T) {
	if !*loadTest {
		t.Skip("load test: go test ./tests -run Load -load -v")
	}
	fake := platformtest.NewDiscord(t)
	total := *loadUsers * *loadEach
	lat := newLatencies(total)
	fake.Sink = func(c platformtest.DiscordCall) {
		if ref, ok := c.Body["message_reference"].(map[string]any); ok {
			lat.answer(ref["message_id"].(string))
		}
	}
	goroutines := runtime.NumGoroutine()
	a, err := discord.New(discord.Config{
		Token: fake.Token, APIURL: fake.APIURL(),
		Settings: chat.Settings{Channels: []string{"700"}, Logger: slog.New(slog.DiscardHandler), Flood: chat.NewFlood(chat.FloodLimits{}), MaxPending: 2 * total},
	}, chat.Fixed(shippedCore(t)))
	if err != nil {
		t.Fatal(err)
	}
	stop := runAdapter(t, a.Run)
	conn := fake.WaitConn()
	before := heap()
	start := time.Now()
	var wg sync.WaitGroup
	for u := range *loadUsers {
		wg.Go(func() {
			for q := range *loadEach {
				id := fmt.Sprintf("%d%05d", 100+u, q)
				answered := lat.send(id)
				fake.Dispatch(conn, "MESSAGE_CREATE", platformtest.DiscordMessage(id, "700", platformtest.DiscordGuild, fmt.Sprintf("%d", 5000+u), loadQuestions[(u+q)%len(loadQuestions)], false))
				wait(answered)
			}
		})
	}
	wg.Wait()
	r := lat.finish(t, start, stop, func() {})
	r.heapBefore, r.goroutinesBefore = before, goroutines
	r.report(t, "Discord gateway")
}

// The same load across two replicas sharing one PostgreSQL, as behind a
// load balancer: each question goes to one replica, and one in ten is
// also delivered to the other as Slack's retry. Every question is answered
// exactly once; the log gives each replica's throughput.
func TestLoadSlackHTTPTwoReplicas(t *testing.T) {
	if !*loadTest {
		t.Skip("load test: go test ./tests -run Load -load -v")
	}
	stores := replicaStores(t, 2)
	total := *loadUsers * *loadEach
	lat := newLatencies(total)
	goroutines := runtime.NumGoroutine()
	var servers []*httptest.Server
	var stops []func() error
	var answered [2]atomic.Int64
	for i, st := range stores {
		fake := platformtest.NewSlack(t)
		fake.Sink = func(p platformtest.SlackPost) { answered[i].Add(1); lat.answer(p.Thread) }
		a, err := slack.New(slack.Config{
			BotToken: fake.BotToken, SigningSecret: signingSecret, APIURL: fake.APIURL(),
			Settings: chat.Settings{Logger: slog.New(slog.DiscardHandler), Flood: chat.NewFlood(chat.FloodLimits{}), MaxPending: 2 * total,
				Claims: st, Inbox: st, Recorder: st},
		}, chat.Fixed(shippedCore(t)))
		if err != nil {
			t.Fatal(err)
		}
		stops = append(stops, runAdapter(t, a.Run))
		servers = append(servers, httptest.NewServer(a.Handler()))
		for !a.Ready() {
			time.Sleep(5 * time.Millisecond)
		}
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *loadUsers, MaxConnsPerHost: *loadUsers}, Timeout: 30 * time.Second}
	before := heap()
	var failed atomic.Int64
	do := func(req *http.Request) {
		resp, err := client.Do(req)
		if err != nil || resp.StatusCode != http.StatusOK {
			if failed.Add(1) <= 3 {
				if err == nil {
					b, _ := io.ReadAll(resp.Body)
					err = fmt.Errorf("%s: %s", resp.Status, b)
				}
				t.Logf("request failed: %v", err)
			}
		}
		if resp != nil {
			resp.Body.Close()
		}
	}
	start := time.Now()
	var wg sync.WaitGroup
	for u := range *loadUsers {
		wg.Go(func() {
			for q := range *loadEach {
				to := (u + q) % 2
				ts, req := loadEvent(servers[to].URL, u, q, false)
				answered := lat.send(ts)
				do(req)
				if q%10 == 0 {
					_, retry := loadEvent(servers[1-to].URL, u, q, true)
					do(retry)
				}
				wait(answered)
			}
		})
	}
	wg.Wait()
	r := lat.finish(t, start, func() error {
		for _, stop := range stops {
			if err := stop(); err != nil {
				return err
			}
		}
		return nil
	}, func() {
		for _, srv := range servers {
			srv.Close()
		}
		client.CloseIdleConnections()
	})
	r.heapBefore, r.goroutinesBefore = before, goroutines
	if n := failed.Load(); n > 0 {
		t.Errorf("%d requests failed or were refused", n)
	}
	for i := range answered {
		t.Logf("replica %d: %d answers, %.0f answers/s", i+1, answered[i].Load(), float64(answered[i].Load())/r.elapsed.Seconds())
	}
	r.report(t, "Slack HTTP Events, two replicas on PostgreSQL")
}
