package chat_test

import (
	"context"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/acad-lyon/helpdesk-bot/intents"
	"github.com/acad-lyon/helpdesk-bot/internal/chat"
	"github.com/acad-lyon/helpdesk-bot/internal/chat/chattest"
)

// What a click leads to is decided once, for every platform, from the
// click and the buttons of the clicked message.
func TestConversationClick(t *testing.T) {
	core := chat.Fixed(chattest.Shipped(t))
	ref := func(id string) chat.Ref { return chat.Ref{ID: id, Lang: intents.French} }
	answer := chat.ReplyView(core.Current().AnswerEntry(mustEntry(t, core, "imap-settings"), intents.French))
	var onAnswer []chat.Button
	for _, r := range answer.Rows {
		onAnswer = append(onAnswer, r.Buttons...)
	}
	preview := []chat.Button{{Action: chat.ActionPost, Ref: ref("default-password")}, {Action: chat.ActionPreview, Ref: ref("password-reset")}, {Action: chat.ActionPreview, Ref: ref("gone-entry")}}
	tests := []struct {
		name    string
		k       chat.Click
		kind    chat.ClickKind
		reply   string   // the entry of Clicked.Reply
		others  []string // Clicked.Others
		buttons []string // the actions of Clicked.Feedback
	}{
		{"did you mean", chat.Click{Action: chat.ActionPick, Ref: ref("login-identifier"), Answer: "m1"}, chat.ClickReplace, "login-identifier", nil, nil},
		{"see also", chat.Click{Action: chat.ActionSee, Ref: ref("imap-vs-pop"), Answer: "m1"}, chat.ClickAnswer, "imap-vs-pop", nil, nil},
		{"an entry the knowledge lost", chat.Click{Action: chat.ActionSee, Ref: ref("gone-entry"), Answer: "m1"}, chat.ClickIgnore, "", nil, nil},
		{"a 👎: the next step", chat.Click{Action: chat.ActionNo, Ref: ref("imap-settings"), Answer: "m2", User: "u1", Buttons: onAnswer}, chat.ClickVoted, "password-reset", nil, []string{chat.ActionVoted, chat.ActionHuman}},
		{"a second vote", chat.Click{Action: chat.ActionYes, Ref: ref("imap-settings"), Answer: "m2", User: "u1", Buttons: onAnswer}, chat.ClickNotice, "", nil, nil},
		{"another person's vote", chat.Click{Action: chat.ActionYes, Ref: ref("imap-settings"), Answer: "m2", User: "u2", Buttons: onAnswer}, chat.ClickVoted, "", nil, []string{chat.ActionVoted, chat.ActionHuman}},
		{"a person", chat.Click{Action: chat.ActionHuman, Ref: ref("imap-settings"), Answer: "m2", User: "u1", Buttons: onAnswer}, chat.ClickCall, "", nil, []string{chat.ActionYes, chat.ActionNo}},
		{"a person again", chat.Click{Action: chat.ActionHuman, Ref: ref("imap-settings"), Answer: "m2", User: "u2"}, chat.ClickNotice, "", nil, nil},
		{"a person under a fallback", chat.Click{Action: chat.ActionHuman, Ref: chat.HumanRef(intents.English), Answer: "m3", User: "u1"}, chat.ClickCall, "", nil, []string{chat.ActionVoted}},
		{"preview another", chat.Click{Action: chat.ActionPreview, Ref: ref("password-reset"), Answer: "m4", Buttons: preview}, chat.ClickPreview, "password-reset", []string{"default-password"}, nil},
		{"post a preview", chat.Click{Action: chat.ActionPost, Ref: ref("default-password"), Answer: "m4", Buttons: preview}, chat.ClickPost, "default-password", nil, nil},
		{"not our action", chat.Click{Action: "delete", Ref: ref("imap-settings"), Answer: "m5"}, chat.ClickIgnore, "", nil, nil},
	}
	c := &chat.Conversation{Platform: "test", Helpdesk: core}
	for _, tt := range tests {
		got := c.Click(context.Background(), tt.k)
		if got.Kind != tt.kind {
			t.Errorf("%s: kind %d; want %d", tt.name, got.Kind, tt.kind)
			continue
		}
		if id := ""; got.Reply.Entry != nil && got.Reply.Entry.ID != tt.reply || got.Reply.Entry == nil && tt.reply != id {
			t.Errorf("%s: reply %s; want %s", tt.name, got.Reply.Target(), tt.reply)
		}
		var others, buttons []string
		for _, e := range got.Others {
			others = append(others, e.ID)
		}
		for _, b := range got.Feedback.Buttons {
			buttons = append(buttons, b.Action)
		}
		if !slices.Equal(others, tt.others) || !slices.Equal(buttons, tt.buttons) {
			t.Errorf("%s: others %v, feedback %v; want %v, %v", tt.name, others, buttons, tt.others, tt.buttons)
		}
		if got.Kind == chat.ClickNotice && got.Text == "" || got.Kind == chat.ClickCall && got.Text == "" {
			t.Errorf("%s: no text to say", tt.name)
		}
	}
}

// Which buttons a message carries is decided once, for every platform.
func TestViews(t *testing.T) {
	core := chattest.Shipped(t)
	ask := func(q string) intents.Reply {
		r, err := core.Answer(context.Background(), intents.Question{Text: q})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	e := mustEntry(t, chat.Fixed(core), "default-password")
	tests := []struct {
		name  string
		v     chat.View
		title bool
		rows  string // each row: its id and its buttons' actions
	}{
		{"an answer", chat.ReplyView(ask("quel port imap pour mon téléphone")), true, "follow-up:see,see feedback:vote-yes,vote-no,human"},
		{"did you mean", chat.ReplyView(ask("ça marche pas")), false, "suggest:pick,pick,pick,human"},
		{"the fallback", chat.ReplyView(ask("who won the football world cup in 1998")), false, "feedback:human"},
		{"another service", chat.ReplyView(ask("mot de passe pronote oublié")), false, ""},
		{"a canned answer", chat.CannedView(core.AnswerEntry(e, "fr"), "agent"), true, "follow-up:see,see feedback:vote-yes,vote-no,human"},
		{"a preview", chat.PreviewView(core.AnswerEntry(e, "fr"), []*intents.Entry{mustEntry(t, chat.Fixed(core), "password-reset")}), true, "preview:post others:preview"},
		{"a notice", chat.TextView("Aucune fiche."), false, ""},
	}
	for _, tt := range tests {
		var rows []string
		for _, r := range tt.v.Rows {
			var actions []string
			for _, b := range r.Buttons {
				actions = append(actions, b.Action)
			}
			rows = append(rows, r.ID+":"+strings.Join(actions, ","))
		}
		if got := strings.Join(rows, " "); got != tt.rows || (tt.v.Title != "") != tt.title || tt.v.Body == "" || tt.v.Notify == "" {
			t.Errorf("%s: rows %q, title %q; want %q, a title %v, a body and a notification", tt.name, got, tt.v.Title, tt.rows, tt.title)
		}
	}
}

func mustEntry(t *testing.T, hd chat.Helpdesk, id string) *intents.Entry {
	t.Helper()
	e, ok := hd.Current().Entry(id)
	if !ok {
		t.Fatalf("no entry %s", id)
	}
	return e
}

// memClaims are claims shared in memory, as replicas share the store's.
type memClaims struct {
	mu   sync.Mutex
	keys map[string]bool
}

func (m *memClaims) Claim(_ context.Context, key string, _ time.Duration) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.keys[key] {
		return false, nil
	}
	m.keys[key] = true
	return true, nil
}

func (m *memClaims) Release(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.keys, key)
	return nil
}

// Votes (one per person and answer) and calls for a person (one per
// answer) hold across replicas that share claims.
func TestClicksOnceAcrossReplicas(t *testing.T) {
	core := chat.Fixed(chattest.Shipped(t))
	claims := &memClaims{keys: map[string]bool{}}
	a := &chat.Conversation{Platform: "slack", Helpdesk: core, Claims: claims}
	b := &chat.Conversation{Platform: "slack", Helpdesk: core, Claims: claims}
	ref := chat.Ref{ID: "imap-settings", Lang: intents.French}
	vote := chat.Click{Action: chat.ActionYes, Ref: ref, Answer: "C1:1.0", User: "U1"}
	if a.Click(context.Background(), vote).Kind != chat.ClickVoted || b.Click(context.Background(), vote).Kind != chat.ClickNotice {
		t.Error("one person's vote on one answer was counted on both replicas")
	}
	call := chat.Click{Action: chat.ActionHuman, Ref: ref, Answer: "C1:1.0", User: "U2"}
	if b.Click(context.Background(), call).Kind != chat.ClickCall || a.Click(context.Background(), call).Kind != chat.ClickNotice {
		t.Error("the helpdesk was called twice for one answer across replicas")
	}
}

// "Talk to a person" where no helpdesk team is configured shows how to
// reach one: the contact, when the knowledge gives it; otherwise what to do
// instead, never a sentence that sends people back to the bot.
func TestTalkToAPersonShowsTheContact(t *testing.T) {
	src, err := os.ReadFile(chattest.KnowledgePath())
	if err != nil {
		t.Fatal(err)
	}
	withContact := strings.Replace(string(src), "\ncontact:\n", "\ncontact:\n  phone: \"04 00 00 00 00\"\n  email: assistance@example.fr\n", 1)
	core, err := intents.ParseCore([]string{"faq.yaml"}, map[string][]byte{"faq.yaml": []byte(withContact)})
	if err != nil {
		t.Fatal(err)
	}
	conv := &chat.Conversation{Platform: "test", Helpdesk: chat.Fixed(core)}
	for _, lang := range intents.Languages {
		k := conv.Click(context.Background(), chat.Click{Action: chat.ActionHuman, Ref: chat.HumanRef(lang), Answer: "m-" + lang, User: "u1"})
		if !strings.Contains(k.Text, "04 00 00 00 00") || !strings.Contains(k.Text, "assistance@example.fr") {
			t.Errorf("talk to a person (%s) without a team: %q; want the contact", lang, k.Text)
		}
	}
	shipped := &chat.Conversation{Platform: "test", Helpdesk: chat.Fixed(chattest.Shipped(t))}
	k := shipped.Click(context.Background(), chat.Click{Action: chat.ActionHuman, Ref: chat.HumanRef(intents.French), Answer: "m", User: "u1"})
	if !strings.Contains(k.Text, "secrétariat") || strings.Contains(k.Text, "« humain »") {
		t.Errorf("talk to a person without a team nor a contact: %q", k.Text)
	}
}
