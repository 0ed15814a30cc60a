package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/alexedwards/scs/v2/memstore"
	"golang.org/x/net/netutil"
	"golang.org/x/term"

	"github.com/acad-lyon/helpdesk-bot/adapters/console"
	"github.com/acad-lyon/helpdesk-bot/adapters/discord"
	"github.com/acad-lyon/helpdesk-bot/adapters/slack"
	"github.com/acad-lyon/helpdesk-bot/intents"
	"github.com/acad-lyon/helpdesk-bot/internal/chat"
	"github.com/acad-lyon/helpdesk-bot/internal/live"
	"github.com/acad-lyon/helpdesk-bot/internal/metrics"
	"github.com/acad-lyon/helpdesk-bot/internal/store"
	"github.com/acad-lyon/helpdesk-bot/internal/web"
)

// secret reads a secret from the environment, or from the file named by
// NAME_FILE (Docker and systemd credentials). Secrets are never printed.
func secret(getenv env, name string) (string, error) {
	if v := getenv(name); v != "" {
		return strings.TrimSpace(v), nil
	}
	if f := getenv(name + "_FILE"); f != "" {
		b, err := os.ReadFile(f)
		if err != nil {
			return "", fmt.Errorf("read %s_FILE: %w", name, err)
		}
		return strings.TrimSpace(string(b)), nil
	}
	return "", nil
}

// list splits a comma-separated variable.
func list(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// newLogger logs JSON when stderr is not a terminal (a service's journal
// or a container), text for a person at a terminal. LOG_LEVEL=debug shows
// each reply's outcome; questions are never logged at info level.
func newLogger(level slog.Level, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level}
	if isTerminal(w) {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	// In JSON, a duration is a number of seconds, not of nanoseconds.
	opts.ReplaceAttr = func(_ []string, a slog.Attr) slog.Attr {
		if a.Value.Kind() == slog.KindDuration {
			a.Value = slog.Float64Value(a.Value.Duration().Seconds())
		}
		return a
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// adapter is a platform connection: Run answers until its context ends,
// then lets the replies in flight finish. An adapter may also tell whether
// it is connected (readier), which /readyz asks at run time, as net/http
// asks a ResponseWriter whether it is a Flusher.
type adapter interface {
	Run(ctx context.Context) error
}

type readier interface{ Ready() bool }

// holder is an adapter holding a connection only one replica holds.
type holder interface{ Role() string }

// serviceConfig is what the service reads from the environment, read and
// checked in one place (readServiceConfig) so that every bad variable is
// reported at once.
type serviceConfig struct {
	slack      slack.Config // BotToken "": no Slack
	discord    discord.Config
	keep       time.Duration
	flood      chat.FloodLimits
	idle       time.Duration // CONVERSATION_IDLE_MINUTES
	logLevel   slog.Level
	addr       string
	healthAddr string // HEALTH_ADDR: the probes on a listener of their own ("": on addr)
	// consoleToken and consoleOIDC sign in to the helpdesk's page (neither:
	// no page).
	consoleToken string
	consoleOIDC  *web.OIDC
	// metricsToken, when set, is the bearer token /metrics asks for.
	metricsToken string
}

// readServiceConfig reads the service's environment (secrets also from
// NAME_FILE). Every problem is in the one error, a line each.
func readServiceConfig(getenv env) (serviceConfig, error) {
	var problems []string
	check := func(err error) {
		var ex exitError
		switch {
		case errors.As(err, &ex):
			problems = append(problems, ex.msg)
		case err != nil:
			problems = append(problems, err.Error())
		}
	}
	secretOf := func(name string) string {
		v, err := secret(getenv, name)
		check(err)
		return v
	}
	c := serviceConfig{addr: getenv("HTTP_ADDR"), healthAddr: getenv("HEALTH_ADDR")}
	if c.addr == "" {
		c.addr = "127.0.0.1:8080"
	}
	c.slack = slack.Config{
		BotToken: secretOf("SLACK_BOT_TOKEN"), AppToken: secretOf("SLACK_APP_TOKEN"), SigningSecret: secretOf("SLACK_SIGNING_SECRET"),
		APIURL: getenv("SLACK_API_URL"), HelpdeskGroup: getenv("SLACK_HELPDESK_GROUP"), Settings: chat.Settings{Channels: list(getenv("SLACK_CHANNELS"))},
	}
	c.discord = discord.Config{
		Token: secretOf("DISCORD_BOT_TOKEN"), APIURL: getenv("DISCORD_API_URL"), Settings: chat.Settings{Channels: list(getenv("DISCORD_CHANNELS"))},
		GuildID: getenv("DISCORD_GUILD_ID"), HelpdeskRole: getenv("DISCORD_HELPDESK_ROLE"),
	}
	if c.consoleToken = secretOf("CONSOLE_TOKEN"); c.consoleToken != "" && len(c.consoleToken) < 20 {
		problems = append(problems, "CONSOLE_TOKEN must be at least 20 characters: it is all that protects the helpdesk's page")
	}
	if c.metricsToken = secretOf("METRICS_TOKEN"); c.metricsToken != "" && len(c.metricsToken) < 20 {
		problems = append(problems, "METRICS_TOKEN must be at least 20 characters: it is all that keeps the metrics from the public address")
	}
	if issuer := getenv("CONSOLE_OIDC_ISSUER"); issuer != "" {
		o := &web.OIDC{Issuer: issuer, ClientID: getenv("CONSOLE_OIDC_CLIENT_ID"), ClientSecret: secretOf("CONSOLE_OIDC_CLIENT_SECRET"), Allowed: list(getenv("CONSOLE_ALLOWED"))}
		base := strings.TrimSuffix(getenv("CONSOLE_URL"), "/")
		o.RedirectURL = base + "/console/callback"
		switch {
		case o.ClientID == "" || o.ClientSecret == "":
			problems = append(problems, "CONSOLE_OIDC_ISSUER needs CONSOLE_OIDC_CLIENT_ID and CONSOLE_OIDC_CLIENT_SECRET (the console's client at the provider)")
		case !strings.HasPrefix(base, "https://") && !strings.HasPrefix(base, "http://127.0.0.1") && !strings.HasPrefix(base, "http://localhost"):
			problems = append(problems, fmt.Sprintf("CONSOLE_URL must be the console's public https:// address (the provider calls it back), not %q", base))
		case len(o.Allowed) == 0:
			problems = append(problems, "CONSOLE_ALLOWED must list who may sign in: addresses (agent@ac-lyon.fr) or domains (@ac-lyon.fr), comma-separated")
		}
		c.consoleOIDC = o
	}
	var err error
	c.keep, err = retention(getenv)
	check(err)
	c.flood, err = floodLimits(getenv)
	check(err)
	c.idle, err = conversationIdle(getenv)
	check(err)
	if v := getenv("LOG_LEVEL"); v != "" {
		if err := c.logLevel.UnmarshalText([]byte(v)); err != nil {
			problems = append(problems, fmt.Sprintf("LOG_LEVEL must be debug, info, warn or error, not %q", v))
		}
	}
	if len(problems) > 0 {
		return c, exitError{2, strings.Join(problems, "\n")}
	}
	return c, nil
}

// storeQueue is how many votes and questions may wait for the store, and
// storeRetry how often a store that could not be opened is tried again.
const (
	storeQueue = 10_000
	storeRetry = 10 * time.Second
)

// maxConns bounds the connections HTTP_ADDR serves at once.
const maxConns = 512

// storeDSN is DATABASE_URL, or the SQLite file under DATA_PATH.
func storeDSN(getenv env) string {
	if u := getenv("DATABASE_URL"); u != "" {
		return u
	}
	dir := getenv("DATA_PATH")
	if dir == "" {
		dir = "data"
	}
	return filepath.Join(dir, "helpdesk.db")
}

// openStore opens the store the environment names.
func openStore(ctx context.Context, getenv env) (*store.Store, error) {
	key, err := secret(getenv, "USER_HASH_KEY")
	if err != nil {
		return nil, err
	}
	return store.Open(ctx, storeDSN(getenv), store.Options{HashKey: []byte(key)})
}

// retention is RETENTION_DAYS (default 90).
func retention(getenv env) (time.Duration, error) {
	v := getenv("RETENTION_DAYS")
	if v == "" {
		return 90 * 24 * time.Hour, nil
	}
	days, err := strconv.Atoi(v)
	if err != nil || days < 1 {
		return 0, exitError{2, fmt.Sprintf("RETENTION_DAYS must be a number of days (at least 1), not %q", v)}
	}
	return time.Duration(days) * 24 * time.Hour, nil
}

// conversationIdle is CONVERSATION_IDLE_MINUTES (default 30): how long a
// conversation is remembered after its last message.
func conversationIdle(getenv env) (time.Duration, error) {
	v := getenv("CONVERSATION_IDLE_MINUTES")
	if v == "" {
		return chat.DefaultIdle, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 7*24*60 {
		return 0, exitError{2, fmt.Sprintf("CONVERSATION_IDLE_MINUTES must be a number of minutes from 1 to 10080 (a week), not %q", v)}
	}
	return time.Duration(n) * time.Minute, nil
}

// floodLimits reads FLOOD_USER_PER_MINUTE and FLOOD_CHANNEL_PER_MINUTE
// (0 disables a limit).
func floodLimits(getenv env) (chat.FloodLimits, error) {
	l := chat.DefaultFloodLimits
	for name, dst := range map[string]*int{"FLOOD_USER_PER_MINUTE": &l.UserPerMinute, "FLOOD_CHANNEL_PER_MINUTE": &l.ChannelPerMinute} {
		if v := getenv(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return l, exitError{2, fmt.Sprintf("%s must be a number of questions per minute (0: no limit), not %q", name, v)}
			}
			*dst = n
		}
	}
	return l, nil
}

// serve runs every adapter whose credentials are set; with none, the console.
func serve(ctx context.Context, getenv env, stdin io.Reader, stdout, stderr io.Writer) error {
	cfg, err := readServiceConfig(getenv)
	if err != nil {
		return err
	}
	if cfg.slack.BotToken == "" && cfg.discord.Token == "" {
		return serveConsole(ctx, getenv, stdin, stdout, stderr)
	}
	log := newLogger(cfg.logLevel, stderr)
	path := knowledgePath(getenv)
	kn, err := live.Load(path, log, rules...)
	if err != nil {
		return knowledgeError(getenv, path, err, stderr)
	}
	m := metrics.New()
	m.Loaded(true, len(kn.Core().Knowledge().Entries))
	kn.OnLoad = m.Loaded

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	// The store is off the reply path: votes and questions go through a
	// queue; a store that cannot be opened yet is retried, and meanwhile
	// what is recorded waits in the queue.
	queued := chat.NewQueued(nil, log, storeQueue)
	queued.OnDropped = m.StoreDropped
	var opened atomic.Pointer[store.Store]
	defer func() {
		if st := opened.Load(); st != nil {
			st.Close()
		}
	}()
	backend := "sqlite"
	if store.IsPostgres(storeDSN(getenv)) {
		backend = "postgres"
	}
	useStore := func(st *store.Store) {
		opened.Store(st)
		queued.Set(m.Recorder(st))
		log.Info("store open", "backend", backend)
		wg.Go(func() { enforceRetention(ctx, st, cfg.keep, log) })
	}
	if st, err := openStore(ctx, getenv); err == nil {
		useStore(st)
	} else {
		// Answering matters more than recording: run, but say it loudly.
		log.Error("store unavailable, retrying every 10 s: votes and unanswered questions wait in a queue", "err", chat.Redacted(err))
		wg.Go(func() {
			for {
				select {
				case <-ctx.Done():
					return
				case <-time.After(storeRetry):
				}
				if st, err := openStore(ctx, getenv); err == nil {
					useStore(st)
					return
				}
			}
		})
	}
	var rec chat.Recorder = queued
	breaker := &storeHealth{log: log, degraded: m.StoreDegraded}
	sh := shared{st: &opened, local: chat.NewLocalThreads(chat.LocalConversations), health: breaker}
	// Flood limits are shared when replicas are (PostgreSQL); one process
	// on SQLite keeps them in memory.
	newFlood := func() *chat.Flood {
		f := chat.NewFlood(cfg.flood)
		if backend == "postgres" {
			f.Shared = sh
		}
		return f
	}
	// What every adapter shares with the other replicas, and its metrics.
	replicated := func(s *chat.Settings, platform string) {
		s.Logger, s.Recorder, s.Flood = log, rec, newFlood()
		s.OnRateLimit, s.OnConnect, s.OnRefused = m.RateLimited(platform), m.Connected(platform), m.Refused(platform)
		s.Claims, s.OnClaim = sh, m.Claimed(platform)
		s.Inbox, s.OnLate = sh, m.Late(platform)
		s.Locks, s.OnTakeover = sh, m.Takeover(platform)
		s.OnSaid = m.Said(platform)
		s.Threads, s.Idle, s.OnRead = sh, cfg.idle, m.Read(platform)
	}

	mux := http.NewServeMux()
	adapters := map[string]adapter{}
	var problems []string
	if cfg.slack.BotToken != "" {
		sc := cfg.slack
		replicated(&sc.Settings, slack.Platform)
		sc.OnRejected = m.Rejected(slack.Platform)
		if sa, err := slack.New(sc, m.Helpdesk(kn, slack.Platform)); err != nil {
			problems = append(problems, err.Error())
		} else {
			if sc.SigningSecret != "" {
				mux.Handle("/slack/", sa.Handler())
			}
			adapters[slack.Platform] = sa
		}
	}
	if cfg.discord.Token != "" {
		dc := cfg.discord
		replicated(&dc.Settings, discord.Platform)
		if da, err := discord.New(dc, m.Helpdesk(kn, discord.Platform)); err != nil {
			problems = append(problems, err.Error())
		} else {
			adapters[discord.Platform] = da
		}
	}
	if len(problems) > 0 {
		return exitError{2, strings.Join(problems, "\n")}
	}

	if token := cfg.consoleToken; token != "" || cfg.consoleOIDC != nil {
		// The helpdesk's page, for agents; never served without sign-in.
		var outs []web.Format
		for _, f := range []struct{ name, format string }{{"Texte / text (terminal, e-mail)", "text"}, {"Slack", "slack"}, {"Discord", "discord"}} {
			outs = append(outs, web.Format{Name: f.name, Render: formats[f.format]})
		}
		records := func() web.Records {
			if st := opened.Load(); st != nil {
				return st
			}
			return nil // not open yet: the pages that need it say so
		}
		mux.Handle("/console/", web.Handler(web.Config{Token: token, OIDC: cfg.consoleOIDC, Helpdesk: kn, Formats: outs, Secure: true, Log: log,
			Sessions: consoleSessions{st: &opened, mem: memstore.New()},
			Records:  records, Knowledge: func() *intents.Knowledge { return kn.Core().Knowledge() }, KnowledgePath: path, Rules: rules}))
		log.Info("console served", "path", "/console/")
	}
	health := http.NewServeMux()
	health.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok\n") })
	health.HandleFunc("GET /readyz", readyz(kn, adapters, queued.Healthy, sh.health.Degraded))
	health.Handle("GET /metrics", bearer(cfg.metricsToken, m.Handler()))
	// With a listener of their own, /readyz and /metrics are only there:
	// what the bot tells operators is not for the public address.
	public := []string{"GET /healthz", "GET /readyz", "GET /metrics"}
	if cfg.healthAddr != "" {
		public = public[:1]
	}
	for _, p := range public {
		mux.Handle(p, health)
	}

	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return fmt.Errorf("listen on HTTP_ADDR %s: %w", cfg.addr, err)
	}
	// At most maxConns connections at once: a flood of slow clients waits in
	// the kernel's backlog instead of holding the process; HEALTH_ADDR, when
	// set, serves the probes on a listener of their own that no flood fills.
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, MaxHeaderBytes: 64 << 10}
	servers := []*http.Server{srv}
	listeners := []net.Listener{netutil.LimitListener(ln, maxConns)}
	if cfg.healthAddr != "" {
		hln, err := net.Listen("tcp", cfg.healthAddr)
		if err != nil {
			ln.Close()
			return fmt.Errorf("listen on HEALTH_ADDR %s: %w", cfg.healthAddr, err)
		}
		servers = append(servers, &http.Server{Handler: health, ReadHeaderTimeout: 5 * time.Second})
		listeners = append(listeners, hln)
		log.Info("health endpoints listening", "addr", hln.Addr().String())
	}
	log.Info("listening", "addr", ln.Addr().String(), "knowledge", path, "entries", len(kn.Core().Knowledge().Entries))

	// The adapters stop when told, after the listener: on SIGTERM no Slack
	// event is acknowledged that they would no longer answer.
	adaptersCtx, stopAdapters := context.WithCancel(context.WithoutCancel(ctx))
	defer stopAdapters()
	errc := make(chan error, len(adapters)+2)
	var running sync.WaitGroup
	for i, s := range servers {
		wg.Go(func() {
			if err := s.Serve(listeners[i]); err != nil && !errors.Is(err, http.ErrServerClosed) {
				errc <- fmt.Errorf("http: %w", err)
			}
		})
	}
	for _, a := range adapters {
		running.Go(func() {
			if err := a.Run(adaptersCtx); err != nil {
				errc <- err
			}
		})
	}
	if watching, err := kn.Watch(ctx); err != nil {
		log.Warn("knowledge files are not watched: reload with SIGHUP", "err", err)
	} else {
		wg.Go(func() { <-watching })
	}
	wg.Go(func() { reloadOnHangup(ctx, kn) })

	var runErr error
	select {
	case <-ctx.Done():
		log.Info("shutting down: finishing the replies in flight")
	case runErr = <-errc:
		log.Error("stopping", "err", runErr)
	}
	cancel()
	// Stop taking requests first, letting those being served finish; then
	// the adapters drain the replies they accepted.
	shutCtx, stop := context.WithTimeout(context.Background(), 15*time.Second)
	defer stop()
	for _, s := range servers {
		s.Shutdown(shutCtx)
	}
	stopAdapters()
	running.Wait()
	queued.Close(10 * time.Second) // what the replies recorded
	wg.Wait()
	return runErr
}

// serveConsole is the chat in a terminal: no tokens, no store, no
// listener. The knowledge's edits are picked up as in service mode.
func serveConsole(ctx context.Context, getenv env, stdin io.Reader, stdout, stderr io.Writer) error {
	interactive := isTerminal(stdin)
	if !interactive {
		// Lines piped in are a chat; nothing at all (a service manager's
		// /dev/null, a container without -i) means the service was meant,
		// with no platform to serve: fail, so that the manager says so.
		in := bufio.NewReader(stdin)
		if _, err := in.Peek(1); err == io.EOF {
			return exitError{2, "no chat platform configured (set SLACK_BOT_TOKEN or DISCORD_BOT_TOKEN) and no terminal for the console chat: nothing to run"}
		}
		stdin = in
	}
	path := knowledgePath(getenv)
	// Reloads are logged as warnings only: the chat is the terminal's.
	kn, err := live.Load(path, slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})), rules...)
	if err != nil {
		return knowledgeError(getenv, path, err, stderr)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if watching, err := kn.Watch(ctx); err == nil {
		defer func() { cancel(); <-watching }()
	}
	c := &console.Adapter{In: stdin, Out: stdout}
	if interactive {
		ed := console.NewEditor()
		defer ed.Close()
		c.Lines, c.Welcome = ed, welcome(kn.Core())
		if f, ok := stdout.(*os.File); ok {
			if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 20 {
				c.Width = w - 1
			}
		}
	}
	return c.Run(ctx, kn)
}

// welcome says what the console knows, how to ask, how to get the list of
// topics and how to quit, in both languages.
func welcome(core *intents.Core) string {
	var fr, en []string
	for _, e := range core.Topics() {
		if !e.Conversational() && e.Kind != intents.KindService && len(fr) < 4 {
			fr, en = append(fr, e.Title.FR), append(en, e.Title.EN)
		}
	}
	return "Assistant de la messagerie académique. Je réponds par exemple sur : " + strings.Join(fr, " · ") + "…\n" +
		"Posez votre question comme elle vient, en français ou en anglais ; « aide » donne la liste des sujets ; « quitter » ou Ctrl-D pour sortir.\n\n" +
		"Academy webmail assistant. I answer for instance about: " + strings.Join(en, " · ") + "…\n" +
		"Ask your question as it comes, in French or English; \"help\" lists the topics; \"quit\" or Ctrl-D to leave."
}

// isTerminal reports whether f is a terminal (not merely a character
// device: /dev/null is one too).
func isTerminal(f any) bool {
	file, ok := f.(*os.File)
	return ok && term.IsTerminal(int(file.Fd()))
}

// reloadOnHangup reloads the knowledge on SIGHUP.
func reloadOnHangup(ctx context.Context, kn *live.Knowledge) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			kn.Reload() // logs its own outcome
		}
	}
}

// retentionClaim is how long the replica that purges keeps the others from
// purging too: one purge a day across replicas, whichever starts first.
const retentionClaim = 20 * time.Hour

// enforceRetention deletes what is older than keep, at start and daily,
// one replica at a time: the first to claim the day's purge does it.
func enforceRetention(ctx context.Context, st *store.Store, keep time.Duration, log *slog.Logger) {
	t := time.NewTicker(24 * time.Hour)
	defer t.Stop()
	for {
		purgeOnce(ctx, st, keep, log)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// purgeOnce is the day's purge, unless another replica did it: it reports
// whether this one did.
func purgeOnce(ctx context.Context, st *store.Store, keep time.Duration, log *slog.Logger) bool {
	if won, err := st.Claim(ctx, "retention", retentionClaim); err == nil && !won {
		log.Info("retention: another replica purged in the last 20 hours")
		return false
	}
	n, err := st.Purge(ctx, time.Now().Add(-keep))
	if err != nil {
		log.Error("retention: purge failed", "err", err)
	} else {
		log.Info("retention: purged", "rows", n, "days", int(keep.Hours()/24))
	}
	return true
}

// readiness is the body of /readyz.
type readiness struct {
	Ready     bool            `json:"ready"`
	Knowledge knowledgeStatus `json:"knowledge"`
	Adapters  map[string]bool `json:"adapters"`
	// Connections says, of the connections only one replica holds (the
	// Discord gateway), whether this replica is "holding" it or "waiting"
	// to take over (it is ready then: standing by is its job).
	Connections map[string]string `json:"connections,omitempty"`
	Store       bool              `json:"store"`
	// StoreDegraded: the store did not answer in time, and is let alone
	// for a few seconds (questions are answered without it).
	StoreDegraded bool `json:"store_degraded"`
}

type knowledgeStatus struct {
	// OK is false when the files have problems and older knowledge is
	// served: the bot still answers, so it stays ready.
	OK      bool `json:"ok"`
	Entries int  `json:"entries"`
	// LoadedAt is when the knowledge being served was loaded; FailedAt,
	// when the last attempt to load an edit failed (its problems).
	LoadedAt time.Time  `json:"loaded_at"`
	FailedAt *time.Time `json:"failed_at,omitempty"`
	Problems []string   `json:"problems,omitempty"`
}

// readyz answers 200 when every adapter is connected, 503 otherwise, with
// the state of the knowledge (and its problems), adapters and store.
func readyz(kn *live.Knowledge, adapters map[string]adapter, storeOK, degraded func() bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s := kn.Status()
		body := readiness{Ready: true, Adapters: map[string]bool{}, Store: storeOK(), StoreDegraded: degraded(),
			Knowledge: knowledgeStatus{OK: s.OK, Entries: s.Entries, LoadedAt: s.At, Problems: s.Problems}}
		if !s.FailedAt.IsZero() {
			body.Knowledge.FailedAt = &s.FailedAt
		}
		for name, a := range adapters {
			ok := true
			if r, can := a.(readier); can {
				ok = r.Ready()
			}
			body.Adapters[name] = ok
			body.Ready = body.Ready && ok
			if h, can := a.(holder); can && h.Role() != "" {
				if body.Connections == nil {
					body.Connections = map[string]string{}
				}
				body.Connections[name] = h.Role()
			}
		}
		w.Header().Set("Content-Type", "application/json")
		if !body.Ready {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.Encode(body)
	}
}

// knowledgeError explains why the knowledge could not be loaded.
func knowledgeError(getenv env, path string, err error, stderr io.Writer) error {
	var probs intents.Problems
	if errors.As(err, &probs) {
		fmt.Fprintln(stderr, probs.Error())
		return fmt.Errorf("the knowledge at %s has %d problem(s); run `bot validate %s`", path, len(probs), path)
	}
	if errors.Is(err, intents.ErrUnreadable) && getenv("KNOWLEDGE_PATH") == "" {
		return fmt.Errorf("%w (run the bot from the repository root, or set KNOWLEDGE_PATH)", err)
	}
	return err
}

// consoleSessions keeps the console's sessions in the store, shared by the
// replicas, once it is open; before, in this process's memory.
type consoleSessions struct {
	st  *atomic.Pointer[store.Store]
	mem *memstore.MemStore
}

func (c consoleSessions) Find(token string) ([]byte, bool, error) {
	if st := c.st.Load(); st != nil {
		if b, ok, err := st.Sessions().Find(token); ok || err != nil {
			return b, ok, err
		}
	}
	return c.mem.Find(token)
}

func (c consoleSessions) Commit(token string, b []byte, expiry time.Time) error {
	if st := c.st.Load(); st != nil {
		return st.Sessions().Commit(token, b, expiry)
	}
	return c.mem.Commit(token, b, expiry)
}

func (c consoleSessions) Delete(token string) error {
	if st := c.st.Load(); st != nil {
		if err := st.Sessions().Delete(token); err != nil {
			return err
		}
	}
	return c.mem.Delete(token)
}

// shared is what replicas share through the store once it is open: claims
// (chat.Claims), the inbox (chat.Inbox), flood limits (chat.Rates) and
// locks (chat.Locks). Before it opens, this process works alone: it claims
// everything, keeps nothing against a crash, applies its own flood limits
// and holds what it asks for (answering matters more than a duplicate).
type shared struct {
	st *atomic.Pointer[store.Store]
	// local remembers conversations (chat.Threads) while the store is not
	// open or not answering.
	local *chat.LocalThreads
	// health stops asking a store that does not answer, for a while.
	health *storeHealth
}

var errNoStore = errors.New("the store is not open yet")

// bearer serves next only to requests that carry the token
// (Authorization: Bearer TOKEN, as Prometheus's authorization setting
// sends it); with no token, to everyone.
func bearer(token string, next http.Handler) http.Handler {
	if token == "" {
		return next
	}
	want := sha256.Sum256([]byte("Bearer " + token))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := sha256.Sum256([]byte(r.Header.Get("Authorization")))
		if subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			http.Error(w, "the metrics ask for METRICS_TOKEN as a bearer token", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// live is the store to ask now: nil before it opens, and for a few seconds
// after it failed to answer in time (a locked SQLite file, a stalled
// PostgreSQL), so that the questions meanwhile are answered at once, each
// replica answering what it received, rather than each waiting for the
// store in turn.
func (c shared) live() *store.Store {
	if !c.health.ok() {
		return nil
	}
	return c.st.Load()
}

// note records a store's failure: the store is let alone for a while.
func (c shared) note(err error) error {
	if err != nil && !errors.Is(err, context.Canceled) {
		c.health.fail(err)
	}
	return err
}

// storeHealth is a breaker on the store: after a failure, the store is not
// asked for degradedFor, then asked again.
type storeHealth struct {
	until    atomic.Int64 // Unix nanoseconds: degraded until then
	log      *slog.Logger
	degraded func(bool) // told when the store becomes degraded or answers again
}

// degradedFor is how long a store that failed is let alone.
const degradedFor = 5 * time.Second

func (h *storeHealth) ok() bool {
	until := h.until.Load()
	if until == 0 {
		return true
	}
	if time.Now().UnixNano() < until {
		return false
	}
	if h.until.CompareAndSwap(until, 0) {
		h.log.Info("store: asking it again")
		if h.degraded != nil {
			h.degraded(false)
		}
	}
	return true
}

func (h *storeHealth) fail(err error) {
	if h.until.Swap(time.Now().Add(degradedFor).UnixNano()) == 0 {
		h.log.Warn("store: not answering: questions are answered without it (no inbox, no shared memory of conversations) for a while", "err", chat.Redacted(err), "for", degradedFor)
		if h.degraded != nil {
			h.degraded(true)
		}
	}
}

// Degraded reports whether the store is let alone now.
func (h *storeHealth) Degraded() bool { return h.until.Load() != 0 && !h.ok() }

func (c shared) Claim(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	if st := c.live(); st != nil {
		won, err := st.Claim(ctx, key, ttl)
		return won, c.note(err)
	}
	return true, nil
}

func (c shared) Release(ctx context.Context, key string) error {
	if st := c.live(); st != nil {
		return c.note(st.Release(ctx, key))
	}
	return nil
}

func (c shared) Keep(ctx context.Context, p chat.Parcel, owner string, lease time.Duration) error {
	if st := c.live(); st != nil {
		return c.note(st.Keep(ctx, p, owner, lease))
	}
	if c.st.Load() != nil {
		return chat.ErrStoreDegraded
	}
	return errNoStore
}

func (c shared) Done(ctx context.Context, platform, key string) error {
	if st := c.live(); st != nil {
		return c.note(st.Done(ctx, platform, key))
	}
	return nil
}

func (c shared) Renew(ctx context.Context, owner string, lease time.Duration) error {
	if st := c.live(); st != nil {
		return c.note(st.Renew(ctx, owner, lease))
	}
	return nil
}

func (c shared) Orphans(ctx context.Context, platform, owner string, lease, fresh time.Duration, max int) ([]chat.Parcel, int, error) {
	if st := c.live(); st != nil {
		taken, stale, err := st.Orphans(ctx, platform, owner, lease, fresh, max)
		return taken, stale, c.note(err)
	}
	return nil, 0, nil
}

func (c shared) Allow(ctx context.Context, key string, every time.Duration, burst int) (bool, error) {
	if st := c.live(); st != nil {
		ok, err := st.Allow(ctx, key, every, burst)
		return ok, c.note(err)
	}
	return false, errNoStore
}

func (c shared) Lock(ctx context.Context, name string, waiting func()) (<-chan struct{}, func(), error) {
	if st := c.st.Load(); st != nil {
		return st.Lock(ctx, name, waiting)
	}
	return nil, func() {}, nil
}

func (c shared) Recall(ctx context.Context, key, user string) (chat.Memory, bool, error) {
	if st := c.live(); st != nil {
		m, ok, err := st.Recall(ctx, key, user)
		if err == nil || c.note(err) == nil {
			return m, ok, nil
		}
	}
	return c.local.Recall(ctx, key, user)
}

func (c shared) Remember(ctx context.Context, key, user string, m chat.Memory, idle time.Duration) error {
	// In the process too: what a conversation said while the store does
	// not answer is still there for its next message.
	c.local.Remember(ctx, key, user, m, idle)
	if st := c.live(); st != nil {
		return c.note(st.Remember(ctx, key, user, m, idle))
	}
	return nil
}
