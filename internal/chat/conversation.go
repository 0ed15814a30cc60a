package chat

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/acad-lyon/helpdesk-bot/intents"
)

// Message is an incoming message, read once by an adapter from its
// platform's event: who wrote it, where, and whether it was meant for the
// bot. The adapter has already dropped what no platform answers (its own
// messages, other bots', edits, joins, repeats).
type Message struct {
	User    string // the author's id on the platform
	Channel string // where it was written
	Text    string // without the platform's markup
	// Addressed: a mention, a direct message, or a message in a channel
	// configured so that every message is a question.
	Addressed bool
	// Called: the bot was named, by a mention or in a direct message; an
	// empty message then gets a hint instead of silence.
	Called bool
	// Direct: a direct message with the bot, which nobody else reads.
	Direct bool
	// Held: Text was masked before it was kept for a later answer, and held
	// these secrets (it still gets the secret warning).
	Held intents.Held `json:",omitzero"`
	// Thread names the conversation the message belongs to on its
	// platform (a Slack thread, a Discord reply chain or channel and
	// person, a direct message); "" for a message on its own. The flow
	// remembers each conversation (Conversation.Threads).
	Thread string `json:",omitempty"`
	// InThread: a reply inside a conversation the bot may be part of (a
	// Slack thread reply). If the bot answered there and the author started
	// it, the message is addressed to the bot without a mention.
	InThread bool `json:",omitempty"`
	// Idle, when set, is how long the conversation is remembered after
	// this message, instead of the conversation's default (a person in a
	// Discord channel: a few minutes).
	Idle time.Duration `json:",omitempty"`
	// Lang forces the reply's language ("" detects it).
	Lang string `json:",omitempty"`
	// Name is the author's display name when the platform's event gives it
	// (Discord); never kept.
	Name string `json:"-"`
}

// Wants reports whether a message needs any work: an addressed one, or one
// anywhere the bot can read that carries a password or a NUMEN (it gets the
// private warning). It is cheap, for adapters to call before queueing work.
func Wants(m Message) bool {
	return m.Addressed || m.Held.Any() || intents.ContainsSecret(m.Text)
}

// Say is how a response is said.
type Say int

// The ways of saying a response.
const (
	// Silent: nothing is said.
	Silent Say = iota
	// Privately: only the author sees Response.Text (the secret warning, a
	// flood notice): an ephemeral message, a direct message.
	Privately
	// InChannel: Response.Text is said in the channel, to nobody in
	// particular (the channel's flood notice).
	InChannel
	// AsReply: Response.Reply answers the message, in its thread or as a
	// reply to it; the adapter renders it and then calls Replied.
	AsReply
)

// Response is what the bot says to a message.
type Response struct {
	Say   Say
	Reply intents.Reply // the answering core's reply (AsReply, and Privately for a secret)
	Text  string        // in the knowledge's markdown subset (Privately, InChannel)
	// Limited: the question was over a flood limit (a notice, or silence).
	Limited bool
}

// SaidLimited is what Settings.OnSaid is told of a question over a flood
// limit; the other responses are told by the reply's outcome.
const SaidLimited = "limited"

// Conversation decides, for every platform alike, what the bot says to a
// message: the private warning for a secret, silence for what is not meant
// for it, the flood notices, a hint for an empty message, the answer. It is
// safe for concurrent use.
type Conversation struct {
	Platform string // "slack", "discord": in logs and records
	Helpdesk Helpdesk
	Flood    *Flood   // nil: no limits
	Recorder Recorder // nil: nothing kept
	Log      *slog.Logger
	Now      func() time.Time // nil: time.Now
	// Claims, when set, make votes and calls for a person once across
	// replicas (see Settings.Claims).
	Claims  Claims
	OnClaim func(won bool)
	// OnSaid, when set, is told of each response said (see Settings.OnSaid).
	OnSaid func(what string)
	// Threads remember each conversation (nil: every message is read on
	// its own); Idle is how long after its last message (default
	// DefaultIdle).
	Threads Threads
	Idle    time.Duration
	// OnRead, when set, is told of each reply said that used the
	// conversation (see Settings.OnRead).
	OnRead func(reading string)
	// NameOf, when set, asks the platform for a person's display name: only
	// when an answer about their own identifier needs it.
	NameOf func(ctx context.Context, user string) string

	seenOnce sync.Once
	turns    turns
	seen     *Dedup // votes and calls for a person, once each
}

// Respond decides what to say to m, in the context of its conversation,
// and remembers what was said. An error is the core's; nothing has been said
// then.
func (c *Conversation) Respond(ctx context.Context, m Message) (Response, error) {
	core := c.Helpdesk.Current()
	mem, known := c.recall(ctx, m)
	q := intents.Question{Text: m.Text, Lang: m.Lang, Direct: m.Direct, Held: m.Held}
	if known || m.Thread != "" {
		q.Context = mem.Context(m.Name) // a new conversation's is empty
	}
	r, err := core.Answer(ctx, q)
	if err != nil {
		return Response{}, fmt.Errorf("answer: %w", err)
	}
	if r.Outcome == intents.Secret {
		// Privately, and nothing of the message kept or logged.
		c.log().Info(c.Platform+": secret warning sent", "channel", m.Channel)
		return Response{Say: Privately, Reply: r, Text: r.Text}, nil
	}
	if !m.Addressed {
		return Response{}, nil
	}
	if c.Flood != nil {
		switch c.Flood.Check(m.User, m.Channel) {
		case Silence:
			return Response{Limited: true}, nil
		case NoticeUser:
			c.log().Info(c.Platform+": flood limit for a person", "channel", m.Channel)
			return Response{Say: Privately, Text: LabelsIn(r.Lang).FloodUser, Limited: true}, nil
		case NoticeChannel:
			c.log().Info(c.Platform+": flood limit for a channel", "channel", m.Channel)
			return Response{Say: InChannel, Text: LabelsIn(r.Lang).FloodChannel, Limited: true}, nil
		}
	}
	if r.Outcome == intents.Empty && !m.Called {
		return Response{}, nil
	}
	if r.Outcome == intents.Answered && r.Entry.ID == intents.LoginEntry && r.Login == "" && m.Name == "" && c.NameOf != nil && q.Context != nil {
		// "c'est quoi mon identifiant ?": the name the platform shows.
		if name := c.NameOf(ctx, m.User); name != "" {
			q.Context.Name = name
			if again, err := core.Answer(ctx, q); err == nil && again.Login != "" {
				r = again
			}
		}
	}
	c.remember(ctx, m, mem.After(r))
	return Response{Say: AsReply, Reply: r}, nil
}

// threadKey is the key of m's conversation in Threads ("" for none).
func (c *Conversation) threadKey(m Message) string {
	if m.Thread == "" || c.Threads == nil {
		return ""
	}
	return c.Platform + ":" + m.Thread
}

// recall returns the memory of m's conversation, and whether there is one.
// A store that fails is logged: the message is then read on its own.
func (c *Conversation) recall(ctx context.Context, m Message) (Memory, bool) {
	key := c.threadKey(m)
	if key == "" {
		return Memory{}, false
	}
	ctx, cancel := context.WithTimeout(ctx, claimTimeout) // a stalled store must not hold the answer
	defer cancel()
	mem, ok, err := c.Threads.Recall(ctx, key, m.User)
	if err != nil {
		c.log().Warn(c.Platform+": cannot recall a conversation: reading the message on its own", "err", Redacted(err))
		return Memory{}, false
	}
	return mem, ok
}

// remember keeps the memory of m's conversation after its reply.
func (c *Conversation) remember(ctx context.Context, m Message, mem Memory) {
	key := c.threadKey(m)
	if key == "" {
		return
	}
	idle := cmp.Or(m.Idle, c.Idle, DefaultIdle)
	ctx, cancel := context.WithTimeout(ctx, claimTimeout)
	defer cancel()
	if err := c.Threads.Remember(ctx, key, m.User, mem, idle); err != nil {
		c.log().Warn(c.Platform+": cannot remember a conversation", "err", Redacted(err))
	}
}

// Continues reports whether m, a reply inside a conversation (InThread),
// carries on a conversation the bot answered in, started by m's author: it
// is then addressed to the bot without a mention.
func (c *Conversation) Continues(ctx context.Context, m Message) bool {
	if !m.InThread {
		return false
	}
	mem, ok := c.recall(ctx, m)
	return ok && mem.Starter
}

// Outbox is how an adapter says a response on its platform, for one
// incoming message.
type Outbox interface {
	// Private tells the author alone (an ephemeral or direct message).
	Private(ctx context.Context, md string) error
	// Public says md in the message's channel, to nobody in particular.
	Public(ctx context.Context, md string) error
	// Reply answers the message, in its thread or as a reply to it.
	Reply(ctx context.Context, r intents.Reply) error
}

// Caller is an Outbox that can call the helpdesk's people into the
// conversation (a Slack user group, a Discord role), for a hand-off.
type Caller interface {
	// Call says call (a HandoffCall, with %s for who is called) in the
	// conversation, mentioning who is called; without a team configured
	// to be called, it says nothing (the reply gave the contact).
	Call(ctx context.Context, call string) error
}

// Handle says through out what Respond decides for m, then records what
// maintainers need of an answer.
func (c *Conversation) Handle(ctx context.Context, m Message, out Outbox) error {
	if key := c.threadKey(m); key != "" {
		// The messages of a conversation are answered in order, each
		// reading what the one before left.
		defer c.turns.lock(key)()
	}
	start := c.now()
	resp, err := c.Respond(ctx, m)
	if err != nil {
		return err
	}
	switch resp.Say {
	case Privately:
		err = out.Private(ctx, resp.Text)
	case InChannel:
		err = out.Public(ctx, resp.Text)
	case AsReply:
		if err = out.Reply(ctx, resp.Reply); err == nil {
			c.Replied(ctx, m, resp.Reply, c.now().Sub(start))
			if call, ok := HandoffCall(resp.Reply); ok {
				if caller, ok := out.(Caller); ok {
					err = caller.Call(ctx, call)
				}
			}
		}
	}
	if err == nil && c.OnSaid != nil {
		switch {
		case resp.Limited:
			c.OnSaid(SaidLimited)
		case resp.Say != Silent:
			c.OnSaid(string(resp.Reply.Outcome))
		}
	}
	if err == nil && c.OnRead != nil && resp.Say == AsReply && resp.Reply.Reading != "" {
		c.OnRead(resp.Reply.Reading)
	}
	return err
}

// Replied records, once the reply to m was sent, what maintainers need of
// it: the question, when the bot could not answer it directly. A failure to
// record is logged, never passed on: the person got their reply.
func (c *Conversation) Replied(ctx context.Context, m Message, r intents.Reply, took time.Duration) {
	if u, ok := UnansweredOf(c.Platform, m.User, m.Text, r, c.now()); ok && c.Recorder != nil {
		if err := c.Recorder.RecordUnanswered(ctx, u); err != nil {
			c.log().Warn(c.Platform+": cannot record an unanswered question", "err", err)
		}
	}
	c.log().Debug(c.Platform+": replied", "channel", m.Channel, "outcome", r.Outcome, "target", r.Target(), "confidence", r.Confidence, "took", took)
}

// Vote records a "was this helpful?" click on an answer (its message key),
// once per person: it reports false for a second vote, which the adapter
// acknowledges with LabelsIn(lang).AlreadyVoted.
func (c *Conversation) Vote(ctx context.Context, answer, user string, e *intents.Entry, lang string, helpful bool) bool {
	if !c.once("vote:" + answer + ":" + user) {
		return false
	}
	if c.Recorder != nil {
		v := Vote{Platform: c.Platform, Entry: e.ID, Lang: lang, Helpful: helpful, User: user, At: c.now()}
		if err := c.Recorder.RecordVote(ctx, v); err != nil {
			c.log().Warn(c.Platform+": cannot record a vote", "err", err)
		}
	}
	c.log().Info(c.Platform+": feedback", "entry", e.ID, "helpful", helpful)
	return true
}

// CallHuman reports whether "talk to a person" under an answer (its message
// key) calls someone: once per answer; a second click gets
// LabelsIn(lang).AlreadyCalled.
func (c *Conversation) CallHuman(answer string) bool { return c.once("human:" + answer) }

// NoTeamText is what "talk to a person" says where no helpdesk team is
// configured to be called: how to reach one (the human entry).
func (c *Conversation) NoTeamText(core Core, lang string) string {
	md := LabelsIn(lang).HumanNoGroup
	if e, ok := core.Entry("human"); ok {
		md += "\n\n" + core.AnswerEntry(e, lang).Text
	}
	return md
}

func (c *Conversation) once(key string) bool {
	c.seenOnce.Do(func() { c.seen = NewDedup(24*time.Hour, 50_000) })
	return c.seen.First(key) && claim(c.Claims, c.OnClaim, c.log(), c.Platform+":"+key, 24*time.Hour)
}

func (c *Conversation) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *Conversation) log() *slog.Logger {
	if c.Log != nil {
		return c.Log
	}
	return slog.Default()
}
