// Package discord connects the helpdesk to Discord with
// github.com/bwmarrin/discordgo: the gateway for messages and interactions,
// REST for replies. It answers mentions, direct messages and every message
// of the configured channels as a reply to the question, with embeds and
// buttons, never pinging anyone but the asker and, on request, the helpdesk
// role; agents get /faq with autocomplete.
//
// It knows nothing of matching: questions go to a chat.Helpdesk, replies come
// back platform-neutral and are rendered here.
package discord

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/acad-lyon/helpdesk-bot/intents"
	"github.com/acad-lyon/helpdesk-bot/internal/chat"
)

// Platform names Discord in logs, votes and records.
const Platform = "discord"

// DefaultAPIURL is Discord's REST base (discordgo.EndpointAPI).
const DefaultAPIURL = "https://discord.com/api/v9/"

// Config configures the adapter. Token is required.
type Config struct {
	chat.Settings
	Token string // the bot token, without "Bot "
	// APIURL is the REST base URL (default DefaultAPIURL); the gateway URL
	// is read from its /gateway.
	APIURL string
	// GuildID registers /faq in one server (at once) instead of globally.
	GuildID string
	// HelpdeskRole is the id of the role "talk to a person" mentions; empty:
	// the button shows how to reach the helpdesk.
	HelpdeskRole string
	// HTTPClient makes the REST calls (default: 20 s timeout). Its
	// transport is wrapped to reach APIURL.
	HTTPClient *http.Client
	// Defer is how long an interaction waits for its answer before Discord
	// is told it is coming (Discord allows 3 s; default 2 s).
	Defer time.Duration
	// Settle is how long the adapter waits after the last disconnection
	// before it reconnects, so that discordgo's goroutines of the old
	// connection are done (default 1.5 s).
	Settle time.Duration
}

var snowflake = regexp.MustCompile(`^\d{1,20}$`)

// Adapter is a running connection to Discord.
type Adapter struct {
	*chat.Host
	cfg          Config
	s            *discordgo.Session
	disconnected chan struct{}
	register     sync.Once
}

// New checks the configuration and prepares the session; Run connects.
func New(cfg Config, hd chat.Helpdesk) (*Adapter, error) {
	if cfg.Token == "" {
		return nil, errors.New("discord: DISCORD_BOT_TOKEN is required")
	}
	if cfg.HelpdeskRole != "" && !snowflake.MatchString(cfg.HelpdeskRole) {
		return nil, fmt.Errorf("discord: DISCORD_HELPDESK_ROLE must be a role id (digits), not %q", cfg.HelpdeskRole)
	}
	if cfg.GuildID != "" && !snowflake.MatchString(cfg.GuildID) {
		return nil, fmt.Errorf("discord: DISCORD_GUILD_ID must be a server id (digits), not %q", cfg.GuildID)
	}
	cfg.Defer = cmp.Or(cfg.Defer, 2*time.Second)
	cfg.Settle = cmp.Or(cfg.Settle, 1500*time.Millisecond)
	client := http.Client{Timeout: 20 * time.Second}
	if cfg.HTTPClient != nil {
		client = *cfg.HTTPClient
	}
	if cfg.APIURL != "" && cfg.APIURL != DefaultAPIURL {
		to, err := url.Parse(strings.TrimSuffix(cfg.APIURL, "/") + "/")
		if err != nil || (to.Scheme != "http" && to.Scheme != "https") || to.Host == "" {
			return nil, fmt.Errorf("discord: DISCORD_API_URL %q is not an http(s) URL", cfg.APIURL)
		}
		client.Transport = rebase{from: discordgo.EndpointAPI, to: to, next: cmp.Or[http.RoundTripper](client.Transport, http.DefaultTransport)}
	}
	s, err := discordgo.New("Bot " + cfg.Token)
	if err != nil {
		return nil, fmt.Errorf("discord: %w", err)
	}
	a := &Adapter{Host: chat.NewHost(Platform, cfg.Settings, hd), cfg: cfg, s: s, disconnected: make(chan struct{}, 1)}
	a.Replier = replier{a}
	routeLibraryLogs(a.Logger)
	s.Client = &client
	s.Identify.Intents = discordgo.IntentsGuildMessages | discordgo.IntentsDirectMessages | discordgo.IntentMessageContent
	// The adapter reconnects by itself (see Run): discordgo's own reconnection
	// can loop, a stale heartbeat goroutine closing each new connection.
	s.ShouldReconnectOnError = false
	s.ShouldRetryOnRateLimit = true
	s.StateEnabled = false
	s.AddHandler(a.onReady)
	s.AddHandler(a.onConnect)
	s.AddHandler(a.onRateLimit)
	s.AddHandler(func(_ *discordgo.Session, _ *discordgo.Disconnect) {
		a.SetReady(false)
		select {
		case a.disconnected <- struct{}{}:
		default:
		}
	})
	s.AddHandler(a.onMessage)
	s.AddHandler(func(_ *discordgo.Session, i *discordgo.InteractionCreate) {
		a.Go("interaction", func(ctx context.Context) error { return a.onInteraction(ctx, i) })
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
	a.Log.Warn("discord: no direct message possible, replying in the channel", "err", chat.Redacted(err))
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

// Run connects to the gateway and answers until ctx is done, then closes
// the gateway, lets the replies in flight finish (within the grace period)
// and returns nil. It returns an error when Discord refuses the token.
func (a *Adapter) Run(ctx context.Context) error {
	defer a.Start()()
	// Know who the bot is before any event arrives (discordgo runs the Ready
	// handler concurrently with the first messages).
	if ok, err := a.Identify(ctx, func() (string, error) {
		u, err := a.s.User("@me", discordgo.WithContext(ctx))
		if err != nil {
			return "", err
		}
		return u.ID, nil
	}, func(err error) bool {
		re, ok := errors.AsType[*discordgo.RESTError](err)
		return ok && re.Response != nil && re.Response.StatusCode == http.StatusUnauthorized
	}); !ok {
		return err
	}
	// One replica holds the gateway (chat.Host.Hold): two connections of
	// one token would each receive, and answer, every message.
	for {
		lost, release, ok := a.Hold(ctx, "discord:gateway:"+a.Self()+":shard0")
		if !ok {
			return nil
		}
		again := a.serve(ctx, lost)
		release()
		if !again {
			return nil // the deferred Drain lets the replies in flight finish
		}
	}
}

// serve holds the gateway until ctx is done (false) or the hold is lost
// (true: the adapter waits to hold it again), reconnecting when it drops.
func (a *Adapter) serve(ctx context.Context, lost <-chan struct{}) bool {
	if !a.open(ctx) {
		return false
	}
	closeGateway := func() {
		a.SetReady(false)
		if err := a.s.Close(); err != nil {
			a.Log.Warn("discord: closing the gateway", "err", err)
		}
	}
	for {
		select {
		case <-ctx.Done():
			closeGateway()
			return false
		case <-lost:
			a.Log.Warn("discord: lost the hold on the gateway (the database connection broke): closing it")
			closeGateway()
			return true
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

// settle waits until no disconnection was reported for cfg.Settle. It
// waits in real time, not on the clock: what it waits for is discordgo's
// goroutines, which run in real time.
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
	return a.Retry(ctx, func() error {
		if err := a.s.Open(); !errors.Is(err, discordgo.ErrWSAlreadyOpen) {
			return err
		}
		return nil
	}, a.Backoff("open the gateway", time.Minute, func(error) bool { return false })) == nil
}

func (a *Adapter) onReady(_ *discordgo.Session, r *discordgo.Ready) {
	if r.User == nil {
		return
	}
	a.SetSelf(r.User.ID)
	app := r.User.ID
	if r.Application != nil && r.Application.ID != "" {
		app = r.Application.ID
	}
	a.SetReady(true)
	a.Log.Info("discord: ready", "bot_user", r.User.ID, "guilds", len(r.Guilds))
	a.register.Do(func() {
		a.Go("registering /faq", func(ctx context.Context) error { return a.registerCommands(ctx, app) })
	})
}

func (a *Adapter) onConnect(_ *discordgo.Session, _ *discordgo.Connect) {
	a.Connected("to the gateway")
}

func (a *Adapter) onRateLimit(_ *discordgo.Session, r *discordgo.RateLimit) {
	wait := time.Duration(0)
	if r.TooManyRequests != nil {
		wait = r.TooManyRequests.RetryAfter
	}
	a.RateLimited(r.URL, wait)
}

// onMessage queues the answer to a message the conversation wants
// (chat.Host.Accept): never a bot's (itself included), a webhook's or a
// system message. Mentions and direct messages are addressed to the bot,
// and so is, in the configured channels, every message that is not a reply
// to someone else.
func (a *Adapter) onMessage(_ *discordgo.Session, m *discordgo.MessageCreate) {
	if m.Author == nil || m.Author.Bot || m.Author.System || m.Author.ID == a.Self() || m.WebhookID != "" {
		return
	}
	if m.Type != discordgo.MessageTypeDefault && m.Type != discordgo.MessageTypeReply {
		return
	}
	q := chat.Message{User: m.Author.ID, Channel: m.ChannelID, Text: plainText(m.Content), Called: m.GuildID == "", Direct: m.GuildID == "", Name: m.Author.GlobalName}
	for _, u := range m.Mentions {
		q.Called = q.Called || (u != nil && u.ID == a.Self())
	}
	// A reply to one of the bot's messages is addressed to it.
	if r := m.ReferencedMessage; r != nil && r.Author != nil && r.Author.ID == a.Self() && a.Self() != "" {
		q.Called = true
	}
	// A conversation is a direct message, or one person in a channel
	// within a few minutes.
	if q.Direct {
		q.Thread = m.ChannelID
	} else {
		q.Thread, q.Idle = m.ChannelID+":"+m.Author.ID, channelIdle
	}
	q.Addressed = q.Called || (a.Listens(m.ChannelID) && m.Type == discordgo.MessageTypeDefault && q.Text != "")
	a.Ask(q, "message:"+m.ID, map[string]string{"id": m.ID, "channel": m.ChannelID, "guild": m.GuildID, "author": m.Author.ID})
}

// replier answers the questions of the inbox (chat.Replier).
type replier struct{ a *Adapter }

func (r replier) Outbox(w map[string]string) chat.Outbox {
	return outbox{r.a, &discordgo.MessageCreate{Message: &discordgo.Message{ID: w["id"], ChannelID: w["channel"], GuildID: w["guild"], Author: &discordgo.User{ID: w["author"]}}}}
}

// Answered looks, among the messages after the question, for the bot's
// reply to it.
func (r replier) Answered(ctx context.Context, p chat.Parcel) (bool, error) {
	msgs, err := r.a.s.ChannelMessages(p.Where["channel"], 100, "", p.Where["id"], "", discordgo.WithContext(ctx))
	if err != nil {
		return false, fmt.Errorf("discord: look for an answer: %w", err)
	}
	for _, m := range msgs {
		if m.Author != nil && m.Author.ID == r.a.Self() && m.MessageReference != nil && m.MessageReference.MessageID == p.Where["id"] {
			return true, nil
		}
	}
	return false, nil
}

// outbox says the conversation's responses to one message: answers as a
// reply, so that the asker is told of them.
type outbox struct {
	a *Adapter
	m *discordgo.MessageCreate
}

func (o outbox) Private(ctx context.Context, md string) error {
	return o.a.private(ctx, o.m, textPosts(md))
}

func (o outbox) Public(ctx context.Context, md string) error {
	return o.a.send(ctx, o.m.ChannelID, nil, textPosts(md))
}

func (o outbox) Reply(ctx context.Context, r intents.Reply) error {
	return o.a.send(ctx, o.m.ChannelID, o.m.SoftReference(), replyPosts(r))
}

// Call implements chat.Caller: the helpdesk role, mentioned in the channel.
func (o outbox) Call(ctx context.Context, call string) error {
	if o.a.cfg.HelpdeskRole == "" {
		return nil
	}
	msg := o.a.callMessage(call, o.m.Author.ID)
	if _, err := o.a.s.ChannelMessageSendComplex(o.m.ChannelID, &discordgo.MessageSend{Content: msg.Content, AllowedMentions: msg.AllowedMentions}, discordgo.WithContext(ctx)); err != nil {
		return fmt.Errorf("discord: call the helpdesk in %s: %w", o.m.ChannelID, err)
	}
	return nil
}

// channelIdle is how long a person's messages in a server's channel are
// one conversation: a few minutes (a direct message keeps the default).
const channelIdle = 10 * time.Minute
