package chat_test

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/acad-lyon/helpdesk-bot/intents"
	"github.com/acad-lyon/helpdesk-bot/internal/chat"
	"github.com/acad-lyon/helpdesk-bot/internal/chat/chattest"
)

// recorded keeps what a Conversation records.
type recorded struct {
	mu         sync.Mutex
	unanswered []chat.Unanswered
}

func (r *recorded) RecordVote(context.Context, chat.Vote) error { return nil }

func (r *recorded) RecordUnanswered(_ context.Context, u chat.Unanswered) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.unanswered = append(r.unanswered, u)
	return nil
}

// What the bot says to a message is decided once, for every platform.
func TestConversationResponds(t *testing.T) {
	core := chat.Fixed(chattest.Shipped(t))
	tests := []struct {
		name    string
		m       chat.Message
		say     chat.Say
		outcome intents.Outcome // of Response.Reply, when AsReply
		text    string          // part of Response.Text, when said privately or in the channel
	}{
		{"a question in a DM", chat.Message{User: "u1", Channel: "d1", Text: "jai oublie mon mdp", Addressed: true, Called: true}, chat.AsReply, intents.Answered, ""},
		{"a question in a configured channel", chat.Message{User: "u1", Channel: "c1", Text: "quel port imap", Addressed: true}, chat.AsReply, intents.Answered, ""},
		{"not addressed", chat.Message{User: "u1", Channel: "c2", Text: "quel port imap"}, chat.Silent, "", ""},
		{"a secret anywhere", chat.Message{User: "u1", Channel: "c2", Text: "mon mot de passe est Soleil2024!"}, chat.Privately, "", "supprimez-le tout de suite** : les autres participants"},
		{"a secret addressed", chat.Message{User: "u1", Channel: "c1", Text: "my password is Hunter2! help", Addressed: true, Called: true}, chat.Privately, "", "delete it now**: the other people"},
		{"a secret in a direct message", chat.Message{User: "u1", Channel: "d1", Text: "mon mdp c'est Tournesol", Addressed: true, Called: true, Direct: true}, chat.Privately, "", "même dans un message privé : **supprimez ce message**"},
		{"empty in a configured channel", chat.Message{User: "u1", Channel: "c1", Text: "🙂", Addressed: true}, chat.Silent, "", ""},
		{"empty to the bot", chat.Message{User: "u1", Channel: "c1", Text: "🙂", Addressed: true, Called: true}, chat.AsReply, intents.Empty, ""},
		{"another service", chat.Message{User: "u1", Channel: "c1", Text: "mot de passe pronote oublié", Addressed: true, Called: true}, chat.AsReply, intents.Redirected, ""},
		{"out of scope", chat.Message{User: "u1", Channel: "c1", Text: "le menu de la cantine", Addressed: true, Called: true}, chat.AsReply, intents.Fallback, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &chat.Conversation{Platform: "test", Helpdesk: core}
			if want := tt.m.Addressed || tt.say == chat.Privately; chat.Wants(tt.m) != want {
				t.Errorf("Wants = %v; want %v", !want, want)
			}
			resp, err := c.Respond(context.Background(), tt.m)
			if err != nil {
				t.Fatal(err)
			}
			if resp.Say != tt.say {
				t.Fatalf("Say = %v; want %v", resp.Say, tt.say)
			}
			if tt.say == chat.AsReply && resp.Reply.Outcome != tt.outcome {
				t.Errorf("outcome = %s; want %s", resp.Reply.Outcome, tt.outcome)
			}
			if tt.text != "" && !strings.Contains(strings.ToLower(resp.Text), intents.Typeset(tt.text)) { // the French typography of the knowledge
				t.Errorf("text = %q; want it to contain %q", resp.Text, tt.text)
			}
		})
	}
}

// Beyond a person's limit the bot says so once, privately, then keeps
// quiet; beyond a channel's, once in the channel.
func TestConversationFloodNotices(t *testing.T) {
	core := chat.Fixed(chattest.Shipped(t))
	c := &chat.Conversation{Platform: "test", Helpdesk: core, Flood: chat.NewFlood(chat.FloodLimits{UserPerMinute: 5, ChannelPerMinute: 60})}
	m := chat.Message{User: "u1", Channel: "c1", Text: "quel port imap", Addressed: true}
	var says []chat.Say
	for range 7 {
		resp, err := c.Respond(context.Background(), m)
		if err != nil {
			t.Fatal(err)
		}
		says = append(says, resp.Say)
	}
	// A burst of up to 5 is answered, then one notice, then silence.
	want := []chat.Say{chat.AsReply, chat.AsReply, chat.AsReply, chat.AsReply, chat.AsReply, chat.Privately, chat.Silent}
	for i := range want {
		if says[i] != want[i] {
			t.Fatalf("says = %v; want %v", says, want)
		}
	}
	c = &chat.Conversation{Platform: "test", Helpdesk: core, Flood: chat.NewFlood(chat.FloodLimits{UserPerMinute: 0, ChannelPerMinute: 1})}
	saidInChannel := 0
	for i := range 40 {
		resp, _ := c.Respond(context.Background(), chat.Message{User: string(rune('a' + i%26)), Channel: "c1", Text: "quel port imap", Addressed: true})
		if resp.Say == chat.InChannel {
			saidInChannel++
		}
	}
	if saidInChannel != 1 {
		t.Errorf("the channel was told %d times; want once", saidInChannel)
	}
}

// Only what the bot could not answer directly is recorded, after the reply.
func TestConversationRecordsUnanswered(t *testing.T) {
	core := chat.Fixed(chattest.Shipped(t))
	rec := &recorded{}
	c := &chat.Conversation{Platform: "test", Helpdesk: core, Recorder: rec}
	for _, q := range []string{"quel port imap", "ça marche pas", "le menu de la cantine", "mot de passe pronote oublié"} {
		m := chat.Message{User: "u1", Channel: "c1", Text: q, Addressed: true, Called: true}
		resp, err := c.Respond(context.Background(), m)
		if err != nil {
			t.Fatal(err)
		}
		c.Replied(context.Background(), m, resp.Reply, 0)
	}
	var got []string
	for _, u := range rec.unanswered {
		got = append(got, u.Question+"|"+string(u.Outcome))
	}
	want := []string{"ça marche pas|suggested", "le menu de la cantine|fallback"}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("recorded %q; want %q", got, want)
	}
}

func TestFAQQuery(t *testing.T) {
	tests := []struct{ in, query, lang string }{
		{"imap-settings", "imap-settings", ""},
		{"imap-settings en", "imap-settings", "en"},
		{"certificat invalide --fr", "certificat invalide", "fr"},
		{"IMAP-SETTINGS EN", "IMAP-SETTINGS", "en"},
		{"  ", "", ""},
	}
	for _, tt := range tests {
		if q, l := chat.FAQQuery(tt.in); q != tt.query || l != tt.lang {
			t.Errorf("FAQQuery(%q) = %q, %q; want %q, %q", tt.in, q, l, tt.query, tt.lang)
		}
	}
}

// /faq decides the same on every platform.
func TestConversationFAQ(t *testing.T) {
	c := &chat.Conversation{Platform: "test", Helpdesk: chat.Fixed(chattest.Shipped(t))}
	tests := []struct {
		query, lang, fallback string
		kind                  chat.FAQKind
		entry, replyLang      string // of Canned
		text                  string // part of Text
	}{
		{"", "", "", chat.FAQText, "", "", "imap-settings"},
		{"aide", "en", "", chat.FAQText, "", "", "available entries"},
		{"imap-settings", "", "", chat.FAQPost, "imap-settings", "fr", ""},
		{"IMAP-SETTINGS", "en", "", chat.FAQPost, "imap-settings", "en", ""},
		{"imap-settings", "", "en", chat.FAQPost, "imap-settings", "en", ""},
		{"certificat invalide android", "", "en", chat.FAQPreview, "certificate-warning", "fr", ""},
		{"zzqx wplk", "", "", chat.FAQText, "", "", "zzqx wplk"},
		{"mon mot de passe est Soleil2024!", "", "", chat.FAQText, "", "", "supprimez"},
	}
	for _, tt := range tests {
		f, err := c.FAQ(context.Background(), tt.query, tt.lang, tt.fallback)
		if err != nil {
			t.Fatal(err)
		}
		if f.Kind != tt.kind {
			t.Errorf("FAQ(%q) kind %v; want %v", tt.query, f.Kind, tt.kind)
			continue
		}
		if tt.entry != "" && (f.Canned.Entry == nil || f.Canned.Entry.ID != tt.entry || f.Canned.Lang != tt.replyLang) {
			t.Errorf("FAQ(%q) canned %s in %s; want %s in %s", tt.query, f.Canned.Target(), f.Canned.Lang, tt.entry, tt.replyLang)
		}
		if tt.text != "" && !strings.Contains(strings.ToLower(f.Text), tt.text) {
			t.Errorf("FAQ(%q) text %q; want it to contain %q", tt.query, f.Text, tt.text)
		}
		if len(f.Others) > 3 {
			t.Errorf("FAQ(%q) offers %d other entries; want 3 at most", tt.query, len(f.Others))
		}
	}
	if got := chat.QuoteQuery("`a` *b* [c](d) _e_ ~f~ ||g||"); strings.ContainsAny(got, "`*[]_~|") {
		t.Errorf("QuoteQuery left markup: %q", got)
	}
}

// flipping serves a new version of the knowledge at every Current, as if it
// were reloaded between any two reads.
type flipping struct {
	versions [2]chat.Core
	calls    atomic.Int32
}

func (f *flipping) Current() chat.Core { return f.versions[(f.calls.Add(1)-1)%2] }

// A reload in the middle of a /faq never mixes two versions of the
// knowledge: the whole answer comes from the version read first.
func TestFAQReadsOneVersion(t *testing.T) {
	first, second := chattest.Fresh(t), chattest.Fresh(t) // two loads: two versions
	hd := &flipping{versions: [2]chat.Core{first, second}}
	c := &chat.Conversation{Platform: "test", Helpdesk: hd}
	fromFirst := func(e *intents.Entry) bool {
		got, ok := first.Knowledge().Entry(e.ID)
		return ok && got == e
	}
	for _, q := range []string{"certificat invalide android", "imap-settings", "mot de passe"} {
		hd.calls.Store(0)
		f, err := c.FAQ(context.Background(), q, "", "")
		if err != nil {
			t.Fatal(err)
		}
		if n := hd.calls.Load(); n != 1 {
			t.Errorf("FAQ(%q) read the knowledge %d times; want once", q, n)
		}
		if f.Canned.Entry != nil && !fromFirst(f.Canned.Entry) {
			t.Errorf("FAQ(%q) answered with an entry of another version", q)
		}
		for _, o := range f.Others {
			if !fromFirst(o) {
				t.Errorf("FAQ(%q) offers %s from another version", q, o.ID)
			}
		}
	}
}

// The same for a click: one version of the knowledge for all it does.
func TestClickReadsOneVersion(t *testing.T) {
	first, second := chattest.Fresh(t), chattest.Fresh(t)
	hd := &flipping{versions: [2]chat.Core{first, second}}
	c := &chat.Conversation{Platform: "test", Helpdesk: hd}
	fr := func(id string) chat.Ref { return chat.Ref{ID: id, Lang: intents.French} }
	preview := []chat.Button{{Action: chat.ActionPost, Ref: fr("default-password")}, {Action: chat.ActionPreview, Ref: fr("password-reset")}}
	for _, k := range []chat.Click{
		{Action: chat.ActionPreview, Ref: fr("password-reset"), Answer: "m1", Buttons: preview},
		{Action: chat.ActionSee, Ref: fr("imap-vs-pop"), Answer: "m2"},
		{Action: chat.ActionHuman, Ref: fr("imap-settings"), Answer: "m3"},
	} {
		hd.calls.Store(0)
		got := c.Click(context.Background(), k)
		if n := hd.calls.Load(); n != 1 {
			t.Errorf("Click(%s) read the knowledge %d times; want once", k.Action, n)
		}
		for _, e := range append(got.Others, got.Reply.Entry) {
			if e == nil {
				continue
			}
			if f, ok := first.Knowledge().Entry(e.ID); !ok || f != e {
				t.Errorf("Click(%s) used %s of another version", k.Action, e.ID)
			}
		}
	}
}
