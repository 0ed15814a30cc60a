// Package slack connects the helpdesk to Slack with github.com/slack-go/slack:
// Socket Mode (no public URL: what a school behind a firewall uses) or HTTP
// Events with signed requests. It answers mentions, direct messages and
// every top-level message of the configured channels in the question's
// thread, offers "did you mean" and feedback buttons, and gives helpdesk
// agents the /faq command to paste canned answers.
//
// It knows nothing of matching: questions go to a Helpdesk, replies come
// back platform-neutral and are rendered here as Block Kit.
package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"sync/atomic"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
	"golang.org/x/time/rate"

	"github.com/acad-lyon/helpdesk-bot/internal/chat"
)

// Platform names Slack in logs, votes and records.
const Platform = "slack"

// Helpdesk is what the adapter asks of the answering core.
type Helpdesk = chat.Helpdesk

// Config configures the adapter. BotToken is required, with AppToken
// (Socket Mode) or SigningSecret (HTTP Events mode).
type Config struct {
	BotToken      string // xoxb-...
	AppToken      string // xapp-..., Socket Mode
	SigningSecret string // HTTP Events mode
	// APIURL is the Web API base URL (default https://slack.com/api/).
	APIURL string
	// Channels are the channel ids where every top-level message is a
	// question; elsewhere the bot answers mentions and direct messages.
	Channels []string
	// HelpdeskGroup is the id of the user group (S...) that "talk to a
	// person" mentions; empty: the button shows how to reach the helpdesk.
	HelpdeskGroup string
	// HTTPClient makes the Web API calls (default: 15 s timeout).
	HTTPClient *http.Client
	// Logger receives the adapter's logs (default slog.Default()).
	Logger *slog.Logger
	// Recorder keeps votes and unanswered questions (default: nothing kept).
	Recorder chat.Recorder
	// Workers bounds the replies being made at once (default 32).
	Workers int
	// Grace is how long replies in flight may take to finish on shutdown
	// (default 10 s).
	Grace time.Duration
	// MaxRetries bounds the retries of a call Slack rate-limits (default 5).
	MaxRetries int
	// OnRateLimit, when set, is told of each wait Slack asks for.
	OnRateLimit func(wait time.Duration)
	// OnConnect, when set, is told of each Socket Mode (re)connection.
	OnConnect func(reconnect bool)
	// OnRefused, when set, is told of each event not taken (the reason:
	// "overloaded", "stopping"); Slack delivers it again.
	OnRefused func(reason string)
	// OnRejected, when set, is told of each HTTP request rejected (the
	// reason: "unsigned", "bad signature", "busy"...).
	OnRejected func(reason string)
	// Flood limits the questions answered per person and per channel
	// (default chat.DefaultFloodLimits).
	Flood *chat.Flood
	// MaxPending bounds the events waiting for a worker (default 1000):
	// beyond, new ones are dropped and logged rather than piling up.
	MaxPending int
}

var groupID = regexp.MustCompile(`^S[A-Z0-9]{2,}$`)

// Adapter is a running connection to one Slack workspace.
type Adapter struct {
	cfg      Config
	hd       Helpdesk
	api      *slack.Client
	log      *slog.Logger
	channels map[string]bool
	seen     *chat.Dedup

	conv *chat.Conversation
	// workers run the replies; born in each Run, nil before.
	workers atomic.Pointer[chat.Workers]

	botUser atomic.Pointer[string]
	ready   atomic.Bool

	readers   chan struct{} // the HTTP bodies being read (maxReaders)
	rejectLog *rate.Limiter // log lines of rejected requests: 1 a second, bursts of 10
}

// New checks the configuration and prepares the adapter; Run connects.
func New(cfg Config, hd Helpdesk) (*Adapter, error) {
	switch {
	case cfg.BotToken == "":
		return nil, errors.New("slack: SLACK_BOT_TOKEN is required")
	case cfg.AppToken == "" && cfg.SigningSecret == "":
		return nil, errors.New("slack: set SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP Events mode)")
	case cfg.AppToken != "" && !strings.HasPrefix(cfg.AppToken, "xapp-"):
		return nil, errors.New("slack: SLACK_APP_TOKEN must be an app-level token (xapp-...)")
	case cfg.HelpdeskGroup != "" && !groupID.MatchString(cfg.HelpdeskGroup):
		return nil, fmt.Errorf("slack: SLACK_HELPDESK_GROUP must be a user group id such as S0123ABCD, not %q", cfg.HelpdeskGroup)
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 15 * time.Second}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Recorder == nil {
		cfg.Recorder = chat.Discard{}
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 32
	}
	if cfg.Grace <= 0 {
		cfg.Grace = 10 * time.Second
	}
	if cfg.MaxRetries <= 0 {
		cfg.MaxRetries = 5
	}
	if cfg.Flood == nil {
		cfg.Flood = chat.NewFlood(chat.DefaultFloodLimits)
	}
	if cfg.MaxPending <= 0 {
		cfg.MaxPending = 1000
	}
	opts := []slack.Option{slack.OptionHTTPClient(cfg.HTTPClient)}
	if cfg.APIURL != "" {
		u := cfg.APIURL
		if !strings.HasSuffix(u, "/") {
			u += "/"
		}
		opts = append(opts, slack.OptionAPIURL(u))
	}
	if cfg.AppToken != "" {
		opts = append(opts, slack.OptionAppLevelToken(cfg.AppToken))
	}
	a := &Adapter{
		cfg:       cfg,
		hd:        hd,
		api:       slack.New(cfg.BotToken, opts...),
		log:       cfg.Logger.With("platform", Platform),
		channels:  map[string]bool{},
		seen:      chat.NewDedup(chat.EventTTL, chat.EventKeys),
		readers:   make(chan struct{}, maxReaders),
		rejectLog: rate.NewLimiter(1, 10),
	}
	a.conv = &chat.Conversation{Platform: Platform, Helpdesk: hd, Flood: cfg.Flood, Recorder: cfg.Recorder, Log: a.log}
	for _, c := range cfg.Channels {
		if c = strings.TrimSpace(c); c != "" {
			a.channels[c] = true
		}
	}
	return a, nil
}

// SocketMode reports whether the adapter connects by Socket Mode (else it
// waits for HTTP requests on Handler).
func (a *Adapter) SocketMode() bool { return a.cfg.AppToken != "" }

// Ready reports whether the adapter knows who it is and takes events.
func (a *Adapter) Ready() bool { return a.ready.Load() }

// Run connects to Slack and answers until ctx is done, then lets the
// replies in flight finish (within the grace period) and returns nil. It
// returns an error when Slack refuses the tokens.
func (a *Adapter) Run(ctx context.Context) error {
	w := chat.NewWorkers(Platform, a.log, a.cfg.Workers, a.cfg.MaxPending)
	w.OnRefused = a.cfg.OnRefused
	a.workers.Store(w)
	defer w.Drain(a.cfg.Grace)
	if err := a.identify(ctx); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	a.ready.Store(true)
	defer a.ready.Store(false)
	if !a.SocketMode() {
		a.log.Info("slack: ready for HTTP events", "bot_user", a.self())
		<-ctx.Done()
		return nil
	}
	return a.runSocketMode(ctx)
}

// identify asks Slack who the bot is, retrying while Slack is unreachable.
func (a *Adapter) identify(ctx context.Context) error {
	wait := time.Second
	for {
		resp, err := a.api.AuthTestContext(ctx)
		if err == nil {
			user := resp.UserID
			a.botUser.Store(&user)
			return nil
		}
		if isAuthError(err) {
			return fmt.Errorf("slack: the bot token was refused: %w", err)
		}
		a.log.Warn("slack: cannot reach Slack, retrying", "err", err, "in", wait)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, 30*time.Second)
	}
}

func isAuthError(err error) bool {
	switch err.Error() {
	case "invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired":
		return true
	}
	return false
}

func (a *Adapter) self() string {
	if p := a.botUser.Load(); p != nil {
		return *p
	}
	return ""
}

// spawn makes a reply in the background (see chat.Workers).
// Before Run, or once it returned, work is refused.
func (a *Adapter) spawn(what string, f func(ctx context.Context) error) bool {
	if w := a.workers.Load(); w != nil {
		return w.Go(what, f)
	}
	a.log.Warn("slack: not running, event dropped", "what", what)
	return false
}

func (a *Adapter) runSocketMode(ctx context.Context) error {
	client := socketmode.New(a.api)
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- client.RunContext(runCtx) }()
	connections := 0
	for {
		select {
		case <-ctx.Done():
			cancel()
			<-errc
			return nil
		case err := <-errc:
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("slack: socket mode: %w", err)
		case ev := <-client.Events:
			switch ev.Type {
			case socketmode.EventTypeConnected:
				a.log.Info("slack: connected by Socket Mode", "bot_user", a.self(), "reconnect", connections > 0)
				if a.cfg.OnConnect != nil {
					a.cfg.OnConnect(connections > 0)
				}
				connections++
			case socketmode.EventTypeDisconnect:
				a.log.Info("slack: Slack asked to reconnect")
			case socketmode.EventTypeConnectionError:
				a.log.Warn("slack: socket mode connection failed, retrying")
			case socketmode.EventTypeInvalidAuth:
				return errors.New("slack: the app-level token was refused")
			case socketmode.EventTypeEventsAPI:
				// Acknowledged only when taken: Slack delivers again what is
				// not acknowledged.
				if e, ok := ev.Data.(slackevents.EventsAPIEvent); !ok || a.dispatchEvent(e) {
					client.Ack(*ev.Request)
				}
			case socketmode.EventTypeSlashCommand:
				client.Ack(*ev.Request)
				if cmd, ok := ev.Data.(slack.SlashCommand); ok {
					a.spawn("slash command", func(ctx context.Context) error { return a.onCommand(ctx, cmd) })
				}
			case socketmode.EventTypeInteractive:
				client.Ack(*ev.Request)
				if cb, ok := ev.Data.(slack.InteractionCallback); ok {
					a.spawn("interaction", func(ctx context.Context) error { return a.onInteraction(ctx, cb) })
				}
			}
		}
	}
}

// incoming is a message event, from app_mention or message.
type incoming struct {
	channel, channelType, user, botID, subtype string
	text, ts, threadTS                         string
	mention                                    bool // an app_mention event

	// Set by shouldAnswer.
	msg chat.Message
}

// dispatchEvent routes an Events API event; it never blocks on Slack. It
// reports false when the event was refused (the workers are full or
// draining): it is then forgotten, so that Slack's next delivery of it is
// handled, and must not be acknowledged.
func (a *Adapter) dispatchEvent(e slackevents.EventsAPIEvent) bool {
	eventKey := ""
	if cb, ok := e.Data.(*slackevents.EventsAPICallbackEvent); ok && cb.EventID != "" {
		eventKey = "event:" + cb.EventID
		if !a.seen.First(eventKey) {
			return true // a retry of an event already handled
		}
	}
	var m incoming
	switch ev := e.InnerEvent.Data.(type) {
	case *slackevents.AppMentionEvent:
		m = incoming{channel: ev.Channel, user: ev.User, botID: ev.BotID, text: ev.Text, ts: ev.TimeStamp, threadTS: ev.ThreadTimeStamp, mention: true}
	case *slackevents.MessageEvent:
		m = incoming{channel: ev.Channel, channelType: ev.ChannelType, user: ev.User, botID: ev.BotID, subtype: ev.SubType, text: ev.Text, ts: ev.TimeStamp, threadTS: ev.ThreadTimeStamp}
	default:
		return true
	}
	if !a.shouldAnswer(&m) {
		return true
	}
	if a.spawn("reply", func(ctx context.Context) error { return a.onMessage(ctx, m) }) {
		return true
	}
	a.seen.Forget(eventKey)
	a.seen.Forget(messageKey(m))
	return false
}

// messageKey names a message once, whichever event carried it (an
// @-mention arrives as app_mention and as message).
func messageKey(m incoming) string { return "message:" + m.channel + ":" + m.ts }

// shouldAnswer decides whether a message is a question for the bot: never
// its own or another bot's, never edits, joins or other subtypes, never the
// same message twice; mentions and direct messages always; in the
// configured channels, every top-level message. A message anywhere the bot
// can read that carries a password or a NUMEN gets the private warning.
func (a *Adapter) shouldAnswer(m *incoming) bool {
	self := a.self()
	if m.botID != "" || m.user == "" || m.user == self || m.channel == "" || m.ts == "" {
		return false
	}
	switch m.subtype {
	case "", "file_share", "thread_broadcast":
	default:
		return false
	}
	plain := plainText(m.text)
	called := isDM(*m) || m.mention || mentions(m.text, self)
	configured := a.channels[m.channel] && m.threadTS == "" && plain != ""
	m.msg = chat.Message{User: m.user, Channel: m.channel, Text: plain, Addressed: called || configured, Called: called}
	if !chat.Wants(m.msg) {
		return false
	}
	// An @-mention arrives both as app_mention and as message.
	return a.seen.First(messageKey(*m))
}

func isDM(m incoming) bool {
	return m.channelType == "im" || (m.channelType == "" && strings.HasPrefix(m.channel, "D"))
}

// onMessage says what the conversation decides, in the question's thread
// (in a direct message, inline).
func (a *Adapter) onMessage(ctx context.Context, m incoming) error {
	start := time.Now()
	resp, err := a.conv.Respond(ctx, m.msg)
	if err != nil {
		return err
	}
	switch resp.Say {
	case chat.Privately:
		return a.ephemeral(ctx, m.channel, m.user, m.threadTS, textMessage(resp.Text))
	case chat.InChannel:
		return a.post(ctx, m.channel, "", textMessage(resp.Text))
	case chat.AsReply:
		thread := m.threadTS
		if thread == "" && !isDM(m) {
			thread = m.ts
		}
		if err := a.post(ctx, m.channel, thread, replyMessage(resp.Reply)); err != nil {
			return err
		}
		a.conv.Replied(ctx, m.msg, resp.Reply, time.Since(start))
	}
	return nil
}

// post sends a message to a channel, in a thread when thread is set.
func (a *Adapter) post(ctx context.Context, channel, thread string, msg message) error {
	opts := []slack.MsgOption{
		slack.MsgOptionText(msg.Text, false),
		slack.MsgOptionBlocks(msg.Blocks...),
		slack.MsgOptionDisableLinkUnfurl(),
		slack.MsgOptionDisableMediaUnfurl(),
	}
	if thread != "" {
		opts = append(opts, slack.MsgOptionTS(thread))
	}
	return a.retry(ctx, "chat.postMessage", func() error {
		_, _, err := a.api.PostMessageContext(ctx, channel, opts...)
		return err
	})
}

// ephemeral shows a message to one person only, in a thread when thread is
// set.
func (a *Adapter) ephemeral(ctx context.Context, channel, user, thread string, msg message) error {
	opts := []slack.MsgOption{slack.MsgOptionText(msg.Text, false), slack.MsgOptionBlocks(msg.Blocks...)}
	if thread != "" {
		opts = append(opts, slack.MsgOptionTS(thread))
	}
	return a.retry(ctx, "chat.postEphemeral", func() error {
		_, err := a.api.PostEphemeralContext(ctx, channel, user, opts...)
		return err
	})
}

// respond sends a message through an interaction's or command's
// response_url.
func (a *Adapter) respond(ctx context.Context, url string, msg *slack.WebhookMessage) error {
	if url == "" {
		return errors.New("no response_url")
	}
	return a.retry(ctx, "response_url", func() error {
		return slack.PostWebhookCustomHTTPContext(ctx, url, a.cfg.HTTPClient, msg)
	})
}

// retry calls f again when Slack rate-limits it, after the wait Slack asks
// for, so that no reply is lost to a 429.
func (a *Adapter) retry(ctx context.Context, call string, f func() error) error {
	for attempt := 0; ; attempt++ {
		err := f()
		if err == nil {
			return nil
		}
		wait, limited := rateLimited(err)
		if !limited || attempt >= a.cfg.MaxRetries {
			return fmt.Errorf("%s: %w", call, err)
		}
		a.log.Warn("slack: rate limited, waiting", "call", call, "retry_after", wait)
		if a.cfg.OnRateLimit != nil {
			a.cfg.OnRateLimit(wait)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%s: %w", call, ctx.Err())
		case <-t.C:
		}
	}
}

func rateLimited(err error) (time.Duration, bool) {
	if rl, ok := errors.AsType[*slack.RateLimitedError](err); ok {
		return max(rl.RetryAfter, 100*time.Millisecond), true
	}
	if sc, ok := errors.AsType[slack.StatusCodeError](err); ok && sc.Code == http.StatusTooManyRequests {
		return time.Second, true
	}
	return 0, false
}
