// Package slack connects the helpdesk to Slack with github.com/slack-go/slack:
// Socket Mode (no public URL: what a school behind a firewall uses) or HTTP
// Events with signed requests. It answers mentions, direct messages and
// every top-level message of the configured channels in the question's
// thread, offers "did you mean" and feedback buttons, and gives helpdesk
// agents the /faq command to paste canned answers.
//
// It knows nothing of matching: questions go to a chat.Helpdesk, replies come
// back platform-neutral and are rendered here as Block Kit.
package slack

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/acad-lyon/helpdesk-bot/intents"
	"github.com/acad-lyon/helpdesk-bot/internal/chat"
)

// Platform names Slack in logs, votes and records.
const Platform = "slack"

// Config configures the adapter. BotToken is required, with AppToken
// (Socket Mode) or SigningSecret (HTTP Events mode).
type Config struct {
	chat.Settings
	BotToken      string // xoxb-...
	AppToken      string // xapp-..., Socket Mode
	SigningSecret string // HTTP Events mode
	// APIURL is the Web API base URL (default https://slack.com/api/).
	APIURL string
	// HelpdeskGroup is the id of the user group (S...) that "talk to a
	// person" mentions; empty: the button shows how to reach the helpdesk.
	HelpdeskGroup string
	// HTTPClient makes the Web API calls (default: 15 s timeout).
	HTTPClient *http.Client
	// MaxRetries bounds the retries of a call Slack rate-limits (default 5).
	MaxRetries int
	// OnRejected, when set, is told of each HTTP request rejected (the
	// reason: "unsigned", "bad signature", "busy"...).
	OnRejected func(reason string)
}

var groupID = regexp.MustCompile(`^S[A-Z0-9]{2,}$`)

// Adapter is a running connection to one Slack workspace.
type Adapter struct {
	*chat.Host
	cfg Config
	api *slack.Client
}

// New checks the configuration and prepares the adapter; Run connects.
func New(cfg Config, hd chat.Helpdesk) (*Adapter, error) {
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
	cfg.HTTPClient = cmp.Or(cfg.HTTPClient, &http.Client{Timeout: 15 * time.Second})
	cfg.MaxRetries = cmp.Or(max(cfg.MaxRetries, 0), 5)
	opts := []slack.Option{slack.OptionHTTPClient(cfg.HTTPClient)}
	if cfg.APIURL != "" {
		opts = append(opts, slack.OptionAPIURL(strings.TrimSuffix(cfg.APIURL, "/")+"/"))
	}
	if cfg.AppToken != "" {
		opts = append(opts, slack.OptionAppLevelToken(cfg.AppToken))
	}
	a := &Adapter{
		Host: chat.NewHost(Platform, cfg.Settings, hd),
		cfg:  cfg,
		api:  slack.New(cfg.BotToken, opts...),
	}
	a.Replier, a.Redelivers = replier{a}, true
	a.Conv.NameOf = a.nameOf
	return a, nil
}

// SocketMode reports whether the adapter connects by Socket Mode (else it
// waits for HTTP requests on Handler).
func (a *Adapter) SocketMode() bool { return a.cfg.AppToken != "" }

// Run connects to Slack and answers until ctx is done, then lets the
// replies in flight finish (within the grace period) and returns nil. It
// returns an error when Slack refuses the tokens.
func (a *Adapter) Run(ctx context.Context) error {
	defer a.Start()()
	if ok, err := a.Identify(ctx, func() (string, error) {
		resp, err := a.api.AuthTestContext(ctx)
		if err != nil {
			return "", err
		}
		return resp.UserID, nil
	}, isAuthError); !ok {
		return err
	}
	a.SetReady(true)
	if !a.SocketMode() {
		a.Log.Info("slack: ready for HTTP events", "bot_user", a.Self())
		<-ctx.Done()
		return nil
	}
	return a.runSocketMode(ctx)
}

func isAuthError(err error) bool {
	e, ok := errors.AsType[slack.SlackErrorResponse](err)
	return ok && slices.Contains([]string{"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired"}, e.Err)
}

func (a *Adapter) runSocketMode(ctx context.Context) error {
	client := socketmode.New(a.api)
	errc := make(chan error, 1)
	go func() { errc <- client.RunContext(ctx) }()
	for {
		select {
		case err := <-errc: // at the latest when ctx is done
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("slack: socket mode: %w", err)
		case ev := <-client.Events:
			switch ev.Type {
			case socketmode.EventTypeConnected:
				a.Connected("by Socket Mode")
			case socketmode.EventTypeDisconnect:
				a.Log.Info("slack: Slack asked to reconnect")
			case socketmode.EventTypeConnectionError:
				a.Log.Warn("slack: socket mode connection failed, retrying")
			case socketmode.EventTypeInvalidAuth:
				return errors.New("slack: the app-level token was refused")
			case socketmode.EventTypeEventsAPI:
				// Acknowledged only when taken: Slack delivers again what is
				// not acknowledged.
				if e, ok := ev.Data.(slackevents.EventsAPIEvent); !ok || a.dispatchEvent(e) {
					client.Ack(*ev.Request)
				}
			case socketmode.EventTypeSlashCommand, socketmode.EventTypeInteractive:
				client.Ack(*ev.Request)
				a.take(ev.Data)
			}
		}
	}
}

// incoming is a message event, from app_mention or message.
type incoming struct {
	channel, channelType, user, botID, subtype string
	text, ts, threadTS                         string
	mention                                    bool // an app_mention event
}

// dispatchEvent routes an Events API event; it never blocks on Slack. It
// reports false when the event was refused (the workers are full or
// draining): it is then forgotten, so that Slack's next delivery of it is
// handled, and must not be acknowledged.
func (a *Adapter) dispatchEvent(e slackevents.EventsAPIEvent) bool {
	eventKey := ""
	if cb, ok := e.Data.(*slackevents.EventsAPICallbackEvent); ok && cb.EventID != "" {
		eventKey = "event:" + cb.EventID
		if !a.First(eventKey) {
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
	q, ok := a.message(m)
	// An @-mention arrives both as app_mention and as message: one key.
	if !ok || a.Ask(q, "message:"+m.channel+":"+m.ts, m.where()) {
		return true
	}
	a.Forget(eventKey)
	return false
}

// message reads a Slack message as the conversation sees it, and reports
// false for what is never a question: the bot's own messages and other
// bots', edits, joins and other subtypes. Mentions and direct messages are
// addressed to the bot, and so is, in the configured channels, every
// top-level message.
func (a *Adapter) message(m incoming) (chat.Message, bool) {
	self := a.Self()
	if m.botID != "" || m.user == "" || m.user == self || m.channel == "" || m.ts == "" {
		return chat.Message{}, false
	}
	switch m.subtype {
	case "", "file_share", "thread_broadcast":
	default:
		return chat.Message{}, false
	}
	plain := plainText(m.text)
	called := m.isDM() || m.mention || self != "" && (strings.Contains(m.text, "<@"+self+">") || strings.Contains(m.text, "<@"+self+"|"))
	configured := a.Listens(m.channel) && m.threadTS == "" && plain != ""
	return chat.Message{User: m.user, Channel: m.channel, Text: plain, Addressed: called || configured, Called: called, Direct: m.isDM(),
		Thread: m.channel + ":" + m.replyThread(), InThread: m.threadTS != "" && m.threadTS != m.ts}, true
}

// nameOf asks Slack for a person's name (their profile's full name, else
// their display name), for an answer about their own identifier; "" when
// Slack does not say.
func (a *Adapter) nameOf(ctx context.Context, user string) string {
	u, err := a.api.GetUserInfoContext(ctx, user)
	if err != nil {
		a.Log.Warn("slack: cannot read a person's name", "err", chat.Redacted(err))
		return ""
	}
	return cmp.Or(u.Profile.RealName, u.RealName, u.Profile.DisplayName)
}

// where is what the inbox keeps of m to answer it (chat.Parcel.Where).
func (m incoming) where() map[string]string {
	return map[string]string{"channel": m.channel, "channel_type": m.channelType, "user": m.user, "ts": m.ts, "thread_ts": m.threadTS}
}

// replier answers the questions of the inbox (chat.Replier).
type replier struct{ a *Adapter }

func (r replier) Outbox(w map[string]string) chat.Outbox {
	return outbox{r.a, incoming{channel: w["channel"], channelType: w["channel_type"], user: w["user"], ts: w["ts"], threadTS: w["thread_ts"]}}
}

// Answered looks, where the answer to the question would be (its thread,
// or after it in a direct message), for a message of the bot whose metadata
// names the question: every answer carries it.
func (r replier) Answered(ctx context.Context, p chat.Parcel) (bool, error) {
	m := r.Outbox(p.Where).(outbox).m
	var msgs []slack.Message
	var err error
	if thread := m.replyThread(); thread != "" {
		msgs, _, _, err = r.a.api.GetConversationRepliesContext(ctx, &slack.GetConversationRepliesParameters{ChannelID: m.channel, Timestamp: thread, Limit: 200, IncludeAllMetadata: true})
	} else {
		var h *slack.GetConversationHistoryResponse
		h, err = r.a.api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: m.channel, Oldest: m.ts, Limit: 200, IncludeAllMetadata: true})
		if h != nil {
			msgs = h.Messages
		}
	}
	if err != nil {
		return false, fmt.Errorf("slack: look for an answer: %w", err)
	}
	for _, msg := range msgs {
		if msg.Metadata.EventType == answerEvent && msg.Metadata.EventPayload["question"] == m.ts {
			return true, nil
		}
	}
	return false, nil
}

// answerEvent is the metadata type of the bot's answers; their payload names
// the question ({"question": its ts}).
const answerEvent = "helpdesk_answer"

// replyThread is the thread an answer to m goes to: its own thread, or m
// itself in a channel; none inline in a direct message.
func (m incoming) replyThread() string {
	if m.threadTS == "" && !m.isDM() {
		return m.ts
	}
	return m.threadTS
}

func (m incoming) isDM() bool {
	return m.channelType == "im" || (m.channelType == "" && strings.HasPrefix(m.channel, "D"))
}

// outbox says the conversation's responses to one message: privately as an
// ephemeral message, answers in the question's thread (in a direct
// message, inline).
type outbox struct {
	a *Adapter
	m incoming
}

func (o outbox) Private(ctx context.Context, md string) error {
	return o.a.post(ctx, o.m.channel, o.m.user, o.m.threadTS, textMessage(md))
}

func (o outbox) Public(ctx context.Context, md string) error {
	return o.a.post(ctx, o.m.channel, "", "", textMessage(md))
}

func (o outbox) Reply(ctx context.Context, r intents.Reply) error {
	msg := replyMessage(r)
	msg.Question = o.m.ts
	return o.a.post(ctx, o.m.channel, "", o.m.replyThread(), msg)
}

// Call implements chat.Caller: the helpdesk group, mentioned in the thread.
func (o outbox) Call(ctx context.Context, call string) error {
	if o.a.cfg.HelpdeskGroup == "" {
		return nil
	}
	return o.a.post(ctx, o.m.channel, "", o.m.replyThread(), o.a.callMessage(call, o.m.user))
}

// post sends a message to a channel, in a thread when thread is set; to
// one person only (an ephemeral message) when user is set.
func (a *Adapter) post(ctx context.Context, channel, user, thread string, msg message) error {
	opts := []slack.MsgOption{slack.MsgOptionText(msg.Text, false), slack.MsgOptionBlocks(msg.Blocks...)}
	if msg.Question != "" {
		opts = append(opts, slack.MsgOptionMetadata(slack.SlackMetadata{EventType: answerEvent, EventPayload: map[string]any{"question": msg.Question}}))
	}
	if thread != "" {
		opts = append(opts, slack.MsgOptionTS(thread))
	}
	if user != "" {
		return a.retry(ctx, "chat.postEphemeral", func() error {
			_, err := a.api.PostEphemeralContext(ctx, channel, user, opts...)
			return err
		})
	}
	opts = append(opts, slack.MsgOptionDisableLinkUnfurl(), slack.MsgOptionDisableMediaUnfurl())
	return a.retry(ctx, "chat.postMessage", func() error {
		_, _, err := a.api.PostMessageContext(ctx, channel, opts...)
		return err
	})
}

// respond sends msg through a command's or click's response_url, as how
// says (in the channel, privately, in place of the clicked message...).
func (a *Adapter) respond(ctx context.Context, url string, msg message, how slack.WebhookMessage) error {
	if url == "" {
		return errors.New("no response_url")
	}
	if msg.Blocks != nil {
		how.Text, how.Blocks, how.UnfurlLinks, how.UnfurlMedia = msg.Text, &slack.Blocks{BlockSet: msg.Blocks}, new(false), new(false)
	}
	return a.retry(ctx, "response_url", func() error {
		return slack.PostWebhookCustomHTTPContext(ctx, url, a.cfg.HTTPClient, &how)
	})
}

// retry calls f again when Slack rate-limits it, after the wait Slack asks
// for, so that no reply is lost to a 429.
func (a *Adapter) retry(ctx context.Context, call string, f func() error) error {
	err := a.Retry(ctx, f, func(attempt int, err error) (time.Duration, bool) {
		wait, limited := rateLimited(err)
		if limited && attempt < a.cfg.MaxRetries {
			a.RateLimited(call, wait)
		}
		return wait, limited && attempt < a.cfg.MaxRetries
	})
	if err != nil {
		return fmt.Errorf("%s: %w", call, err)
	}
	return nil
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
