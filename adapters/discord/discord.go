// Package discord connects the helpdesk to Discord with
// github.com/bwmarrin/discordgo: the gateway for messages and interactions,
// REST for replies. It answers mentions, direct messages and every message
// of the configured channels as a reply to the question, with embeds and
// buttons, never pinging anyone but the asker and, on request, the helpdesk
// role; agents get /faq with autocomplete.
//
// It knows nothing of matching: questions go to a Helpdesk, replies come
// back platform-neutral and are rendered here.
package discord

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/acad-lyon/helpdesk-bot/internal/chat"
)

// Platform names Discord in logs, votes and records.
const Platform = "discord"

// DefaultAPIURL is Discord's REST base (discordgo.EndpointAPI).
const DefaultAPIURL = "https://discord.com/api/v9/"

// Helpdesk is what the adapter asks of the answering core.
type Helpdesk = chat.Helpdesk

// Config configures the adapter. Token is required.
type Config struct {
	Token string // the bot token, without "Bot "
	// APIURL is the REST base URL (default DefaultAPIURL); the gateway URL
	// is read from its /gateway.
	APIURL string
	// Channels are the channel ids where every message is a question;
	// elsewhere the bot answers mentions and direct messages.
	Channels []string
	// GuildID registers /faq in one server (at once) instead of globally.
	GuildID string
	// HelpdeskRole is the id of the role "talk to a person" mentions; empty:
	// the button shows how to reach the helpdesk.
	HelpdeskRole string
	// HTTPClient makes the REST calls (default: 20 s timeout). Its
	// transport is wrapped to reach APIURL.
	HTTPClient *http.Client
	// Logger receives the adapter's logs (default slog.Default()).
	Logger *slog.Logger
	// Recorder keeps votes and unanswered questions (default: nothing kept).
	Recorder chat.Recorder
	// Grace is how long replies in flight may take to finish on shutdown
	// (default 10 s).
	Grace time.Duration
	// Defer is how long an interaction waits for its answer before Discord
	// is told it is coming (Discord allows 3 s; default 2 s).
	Defer time.Duration
	// Settle is how long the adapter waits after the last disconnection
	// before it reconnects, so that discordgo's goroutines of the old
	// connection are done (default 1.5 s).
	Settle time.Duration
	// OnRateLimit, when set, is told of each wait Discord asks for.
	OnRateLimit func(wait time.Duration)
	// OnConnect, when set, is told of each gateway (re)connection.
	OnConnect func(reconnect bool)
	// OnRefused, when set, is told of each event not taken (the reason:
	// "overloaded", "stopping").
	OnRefused func(reason string)
	// Flood limits the questions answered per person and per channel
	// (default chat.DefaultFloodLimits).
	Flood *chat.Flood
	// Workers bounds the replies being made at once (default 32).
	Workers int
	// MaxPending bounds the events being handled (default 1000): beyond,
	// new ones are dropped and logged rather than piling up.
	MaxPending int
}

var snowflake = regexp.MustCompile(`^\d{1,20}$`)

// Adapter is a running connection to Discord.
type Adapter struct {
	cfg      Config
	hd       Helpdesk
	s        *discordgo.Session
	log      *slog.Logger
	channels map[string]bool
	seen     *chat.Dedup

	disconnected chan struct{}
	conv         *chat.Conversation

	self      atomic.Pointer[string]
	appID     atomic.Pointer[string]
	register  sync.Once
	connected atomic.Int64
	ready     atomic.Bool
	// workers run the handlers; born in each Run, nil before.
	workers atomic.Pointer[chat.Workers]
}

// New checks the configuration and prepares the session; Run connects.
func New(cfg Config, hd Helpdesk) (*Adapter, error) {
	if cfg.Token == "" {
		return nil, errors.New("discord: DISCORD_BOT_TOKEN is required")
	}
	if cfg.HelpdeskRole != "" && !snowflake.MatchString(cfg.HelpdeskRole) {
		return nil, fmt.Errorf("discord: DISCORD_HELPDESK_ROLE must be a role id (digits), not %q", cfg.HelpdeskRole)
	}
	if cfg.GuildID != "" && !snowflake.MatchString(cfg.GuildID) {
		return nil, fmt.Errorf("discord: DISCORD_GUILD_ID must be a server id (digits), not %q", cfg.GuildID)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Recorder == nil {
		cfg.Recorder = chat.Discard{}
	}
	if cfg.Grace <= 0 {
		cfg.Grace = 10 * time.Second
	}
	if cfg.Defer <= 0 {
		cfg.Defer = 2 * time.Second
	}
	if cfg.Settle <= 0 {
		cfg.Settle = 1500 * time.Millisecond
	}
	if cfg.Flood == nil {
		cfg.Flood = chat.NewFlood(chat.DefaultFloodLimits)
	}
	if cfg.MaxPending <= 0 {
		cfg.MaxPending = 1000
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 32
	}
	client := http.Client{Timeout: 20 * time.Second}
	if cfg.HTTPClient != nil {
		client = *cfg.HTTPClient
	}
	if cfg.APIURL != "" && cfg.APIURL != DefaultAPIURL {
		to, err := url.Parse(strings.TrimSuffix(cfg.APIURL, "/") + "/")
		if err != nil || (to.Scheme != "http" && to.Scheme != "https") || to.Host == "" {
			return nil, fmt.Errorf("discord: DISCORD_API_URL %q is not an http(s) URL", cfg.APIURL)
		}
		next := client.Transport
		if next == nil {
			next = http.DefaultTransport
		}
		client.Transport = rebase{from: discordgo.EndpointAPI, to: to, next: next}
	}
	s, err := discordgo.New("Bot " + cfg.Token)
	if err != nil {
		return nil, fmt.Errorf("discord: %w", err)
	}
	routeLibraryLogs(cfg.Logger)
	s.Client = &client
	s.Identify.Intents = discordgo.IntentsGuildMessages | discordgo.IntentsDirectMessages | discordgo.IntentMessageContent
	// The adapter reconnects by itself (see Run): discordgo's own reconnection
	// can loop, a stale heartbeat goroutine closing each new connection.
	s.ShouldReconnectOnError = false
	s.ShouldRetryOnRateLimit = true
	s.StateEnabled = false
	a := &Adapter{
		cfg: cfg, hd: hd, s: s, log: cfg.Logger.With("platform", Platform),
		channels: map[string]bool{}, seen: chat.NewDedup(chat.EventTTL, chat.EventKeys),
		disconnected: make(chan struct{}, 1),
	}
	a.conv = &chat.Conversation{Platform: Platform, Helpdesk: hd, Flood: cfg.Flood, Recorder: cfg.Recorder, Log: a.log}
	for _, c := range cfg.Channels {
		if c = strings.TrimSpace(c); c != "" {
			a.channels[c] = true
		}
	}
	s.AddHandler(a.onReady)
	s.AddHandler(a.onConnect)
	s.AddHandler(a.onRateLimit)
	s.AddHandler(func(_ *discordgo.Session, _ *discordgo.Disconnect) {
		a.ready.Store(false)
		select {
		case a.disconnected <- struct{}{}:
		default:
		}
	})
	s.AddHandler(func(_ *discordgo.Session, m *discordgo.MessageCreate) {
		a.spawn("reply", func(ctx context.Context) error { return a.onMessage(ctx, m) })
	})
	s.AddHandler(func(_ *discordgo.Session, i *discordgo.InteractionCreate) {
		a.spawn("interaction", func(ctx context.Context) error { return a.onInteraction(ctx, i) })
	})
	return a, nil
}

// send posts messages in a channel, the first as a reply to ref when set
// (which notifies the author of the message replied to, and nobody else).
func (a *Adapter) send(ctx context.Context, channel string, ref *discordgo.MessageReference, posts []post) error {
	for i, p := range posts {
		msg := &discordgo.MessageSend{Content: p.Content, Embeds: p.Embeds, Components: p.Components, AllowedMentions: noMentions()}
		if i == 0 && ref != nil {
			msg.Reference = ref
			msg.AllowedMentions.RepliedUser = true
		}
		if _, err := a.s.ChannelMessageSendComplex(channel, msg, discordgo.WithContext(ctx)); err != nil {
			return fmt.Errorf("discord: send in %s: %w", channel, err)
		}
	}
	return nil
}

// private tells the author of m something only they see: in a direct
// message, or, when Discord refuses one (the person blocks DMs from server
// members), as a reply that quotes nothing of their message.
func (a *Adapter) private(ctx context.Context, m *discordgo.MessageCreate, posts []post) error {
	if m.GuildID == "" {
		return a.send(ctx, m.ChannelID, nil, posts)
	}
	dm, err := a.s.UserChannelCreate(m.Author.ID, discordgo.WithContext(ctx))
	if err == nil {
		if err = a.send(ctx, dm.ID, nil, posts); err == nil {
			return nil
		}
	}
	a.log.Warn("discord: no direct message possible, replying in the channel", "err", chat.Redacted(err))
	return a.send(ctx, m.ChannelID, m.SoftReference(), posts)
}

// rebase sends the requests discordgo makes to Discord's REST base to
// another base (a local server in tests): discordgo builds its endpoints
// once, from package variables, so the transport is the one place to
// redirect them without touching global state.
type rebase struct {
	from string
	to   *url.URL
	next http.RoundTripper
}

func (r rebase) RoundTrip(req *http.Request) (*http.Response, error) {
	u := req.URL.String()
	if !strings.HasPrefix(u, r.from) {
		return r.next.RoundTrip(req)
	}
	target, err := url.Parse(r.to.String() + strings.TrimPrefix(u, r.from))
	if err != nil {
		return nil, err
	}
	out := req.Clone(req.Context())
	out.URL = target
	out.Host = target.Host
	return r.next.RoundTrip(out)
}

var libraryLogs sync.Once

// routeLibraryLogs sends discordgo's own warnings and errors (gateway
// failures, reconnections) to the structured log instead of the standard
// logger. discordgo has one logger for the process: the first adapter's wins.
func routeLibraryLogs(log *slog.Logger) {
	libraryLogs.Do(func() {
		discordgo.Logger = func(level, caller int, format string, args ...any) {
			if level > discordgo.LogWarning {
				return
			}
			lvl := slog.LevelWarn
			if level == discordgo.LogError {
				lvl = slog.LevelError
			}
			log.Log(context.Background(), lvl, "discordgo: "+fmt.Sprintf(format, args...), "platform", Platform)
		}
	})
}

// Ready reports whether the gateway session is established.
func (a *Adapter) Ready() bool { return a.ready.Load() }

// Run connects to the gateway and answers until ctx is done, then closes
// the gateway, lets the replies in flight finish (within the grace period)
// and returns nil. It returns an error when Discord refuses the token.
func (a *Adapter) Run(ctx context.Context) error {
	w := chat.NewWorkers(Platform, a.log, a.cfg.Workers, a.cfg.MaxPending)
	w.OnRefused = a.cfg.OnRefused
	a.workers.Store(w)
	defer w.Drain(a.cfg.Grace)
	// Know who the bot is before any event arrives (discordgo runs the Ready
	// handler concurrently with the first messages).
	if u, err := a.s.User("@me", discordgo.WithContext(ctx)); err == nil {
		id := u.ID
		a.self.Store(&id)
	} else {
		if ctx.Err() != nil {
			return nil
		}
		if re, ok := errors.AsType[*discordgo.RESTError](err); ok && re.Response != nil && re.Response.StatusCode == http.StatusUnauthorized {
			return errors.New("discord: the bot token was refused")
		}
		a.log.Warn("discord: cannot reach Discord yet", "err", err)
	}
	if !a.open(ctx) {
		return nil
	}
	for {
		select {
		case <-ctx.Done():
			a.ready.Store(false)
			if err := a.s.Close(); err != nil {
				a.log.Warn("discord: closing the gateway", "err", err)
			}
			return nil // the deferred Drain lets the replies in flight finish
		case <-a.disconnected:
			// The gateway asked to reconnect (op 7), the connection dropped
			// or heartbeats went unanswered. Let discordgo's goroutines of the
			// old connection finish first (its Close holds the session for a
			// second), then open again: discordgo resumes the session, so the
			// events missed meanwhile are replayed.
			if !a.settle(ctx) || !a.open(ctx) {
				continue
			}
		}
	}
}

// settle waits until no disconnection was reported for cfg.Settle.
func (a *Adapter) settle(ctx context.Context) bool {
	t := time.NewTimer(a.cfg.Settle)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return false
		case <-a.disconnected:
			t.Reset(a.cfg.Settle)
		case <-t.C:
			return true
		}
	}
}

// open connects to the gateway, retrying with backoff until it works or ctx
// is done.
func (a *Adapter) open(ctx context.Context) bool {
	wait := time.Second
	for {
		err := a.s.Open()
		if err == nil || errors.Is(err, discordgo.ErrWSAlreadyOpen) {
			return true
		}
		a.log.Warn("discord: cannot open the gateway, retrying", "err", err, "in", wait)
		select {
		case <-ctx.Done():
			return false
		case <-time.After(wait):
		}
		wait = min(2*wait, time.Minute)
	}
}

// spawn runs a handler in the workers of the current Run; before Run, or
// once it returned, work is refused.
func (a *Adapter) spawn(what string, f func(ctx context.Context) error) {
	if w := a.workers.Load(); w != nil {
		w.Go(what, f)
	}
}

func (a *Adapter) onReady(_ *discordgo.Session, r *discordgo.Ready) {
	if r.User == nil {
		return
	}
	id := r.User.ID
	a.self.Store(&id)
	app := id
	if r.Application != nil && r.Application.ID != "" {
		app = r.Application.ID
	}
	a.appID.Store(&app)
	a.ready.Store(true)
	a.log.Info("discord: ready", "bot_user", id, "guilds", len(r.Guilds))
	a.register.Do(func() {
		a.spawn("registering /faq", func(ctx context.Context) error { return a.registerCommands(ctx, app) })
	})
}

func (a *Adapter) onConnect(_ *discordgo.Session, _ *discordgo.Connect) {
	n := a.connected.Add(1)
	a.ready.Store(true)
	if n > 1 {
		a.log.Info("discord: reconnected to the gateway")
	}
	if a.cfg.OnConnect != nil {
		a.cfg.OnConnect(n > 1)
	}
}

func (a *Adapter) onRateLimit(_ *discordgo.Session, r *discordgo.RateLimit) {
	wait := time.Duration(0)
	if r.TooManyRequests != nil {
		wait = r.TooManyRequests.RetryAfter
	}
	a.log.Warn("discord: rate limited, waiting", "retry_after", wait)
	if a.cfg.OnRateLimit != nil {
		a.cfg.OnRateLimit(wait)
	}
}

func (a *Adapter) me() string {
	if p := a.self.Load(); p != nil {
		return *p
	}
	return ""
}

// shouldAnswer decides whether a message is a question for the bot: never
// a bot's (itself included), a webhook's or a system message; mentions and
// direct messages always; in the configured channels, every message that is
// not a reply to someone else. A message anywhere the bot can read that
// carries a password or a NUMEN gets the private warning.
func (a *Adapter) shouldAnswer(m *discordgo.MessageCreate) (chat.Message, bool) {
	if m.Author == nil || m.Author.Bot || m.Author.System || m.Author.ID == a.me() || m.WebhookID != "" {
		return chat.Message{}, false
	}
	if m.Type != discordgo.MessageTypeDefault && m.Type != discordgo.MessageTypeReply {
		return chat.Message{}, false
	}
	q := chat.Message{User: m.Author.ID, Channel: m.ChannelID, Text: plainText(m.Content), Called: m.GuildID == ""}
	for _, u := range m.Mentions {
		if u != nil && u.ID == a.me() {
			q.Called = true
		}
	}
	configured := a.channels[m.ChannelID] && m.Type == discordgo.MessageTypeDefault && q.Text != ""
	q.Addressed = q.Called || configured
	if !chat.Wants(q) {
		return chat.Message{}, false
	}
	return q, a.seen.First("message:" + m.ID)
}

// onMessage says what the conversation decides, as a reply to the message.
func (a *Adapter) onMessage(ctx context.Context, m *discordgo.MessageCreate) error {
	q, ok := a.shouldAnswer(m)
	if !ok {
		return nil
	}
	start := time.Now()
	resp, err := a.conv.Respond(ctx, q)
	if err != nil {
		return err
	}
	switch resp.Say {
	case chat.Privately:
		return a.private(ctx, m, textPosts(resp.Text))
	case chat.InChannel:
		return a.send(ctx, m.ChannelID, nil, textPosts(resp.Text))
	case chat.AsReply:
		// A reply, so the asker is told of the answer.
		if err := a.send(ctx, m.ChannelID, m.SoftReference(), replyPosts(resp.Reply)); err != nil {
			return err
		}
		a.conv.Replied(ctx, q, resp.Reply, time.Since(start))
	}
	return nil
}
