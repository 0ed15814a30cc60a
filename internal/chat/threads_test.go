package chat_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/acad-lyon/helpdesk-bot/intents"
	"github.com/acad-lyon/helpdesk-bot/internal/chat"
	"github.com/acad-lyon/helpdesk-bot/internal/chat/chattest"
)

// saidLog keeps, in the order they were said, the replies of slowOutbox.
type saidLog struct {
	mu   sync.Mutex
	said []string
}

// slowOutbox takes its time to say a reply.
type slowOutbox struct {
	log     *saidLog
	message string
}

func (o slowOutbox) Private(context.Context, string) error { return nil }
func (o slowOutbox) Public(context.Context, string) error  { return nil }
func (o slowOutbox) Reply(_ context.Context, r intents.Reply) error {
	time.Sleep(20 * time.Millisecond)
	o.log.mu.Lock()
	defer o.log.mu.Unlock()
	o.log.said = append(o.log.said, o.message+"→"+r.Target())
	return nil
}

// The messages of one conversation are answered in order, each reading the
// memory the one before left, even when they arrive together on several
// workers.
func TestConversationAnswersInOrder(t *testing.T) {
	c := &chat.Conversation{Platform: "test", Helpdesk: chat.Fixed(chattest.Shipped(t)), Threads: chat.NewLocalThreads(0)}
	log := &saidLog{}
	var wg sync.WaitGroup
	texts := []string{"la page de connexion du webmail tourne en boucle", "j'ai vidé le cache, rien ne change", "toujours pas"}
	for i, text := range texts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m := chat.Message{User: "u1", Channel: "c1", Thread: "c1:1", Text: text, Addressed: true}
			if err := c.Handle(context.Background(), m, slowOutbox{log, fmt.Sprint(i)}); err != nil {
				t.Error(err)
			}
		}()
		time.Sleep(2 * time.Millisecond) // delivered in order, answered concurrently
	}
	wg.Wait()
	want := []string{"0→login-page-loop", "1→browser-extensions", "2→human"}
	if fmt.Sprint(log.said) != fmt.Sprint(want) {
		t.Errorf("said %v; want %v", log.said, want)
	}
}

// The memory kept in a process forgets a conversation after its idle time,
// keeps at most its bound (the least recently used goes first), and erases
// a person's conversations.
func TestLocalThreads(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)
	lt := chat.NewLocalThreads(2)
	lt.Now = func() time.Time { return now }
	mem := chat.Memory{Answered: []string{"imap-settings"}}
	lt.Remember(ctx, "a", "u1", mem, time.Minute)
	lt.Remember(ctx, "b", "u2", mem, time.Minute)
	if _, ok, _ := lt.Recall(ctx, "a", "u1"); !ok { // a is now the most recently used
		t.Fatal("a is forgotten")
	}
	lt.Remember(ctx, "c", "u3", mem, time.Minute)
	if _, ok, _ := lt.Recall(ctx, "b", "u2"); ok || lt.Len() != 2 {
		t.Errorf("b, the least recently used, is kept beyond the bound of 2 (%d kept)", lt.Len())
	}
	if m, ok, _ := lt.Recall(ctx, "a", "u9"); !ok || m.Starter {
		t.Errorf("a recalled by another person: %v starter %v; want recalled, not its starter", ok, m.Starter)
	}
	lt.Erase("u3")
	if _, ok, _ := lt.Recall(ctx, "c", "u3"); ok {
		t.Error("u3's conversation survives Erase")
	}
	now = now.Add(2 * time.Minute)
	if _, ok, _ := lt.Recall(ctx, "a", "u1"); ok {
		t.Error("a conversation idle for 2 minutes is recalled after a 1-minute idle time")
	}
}

// What the memory keeps of a reply: the topics answered (the last one
// last, at most intents.MaxAnswered), what it offered, the language; a
// secret warning changes nothing.
func TestMemoryAfter(t *testing.T) {
	core := chattest.Shipped(t)
	e := func(id string) *intents.Entry { x, _ := core.Entry(id); return x }
	var m chat.Memory
	m = m.After(core.AnswerEntry(e("login-page-loop"), intents.French))
	m = m.After(intents.Reply{Outcome: intents.Suggested, Lang: intents.English, Alternatives: []intents.Alternative{{Entry: e("imap-settings")}, {Entry: e("imap-vs-pop")}}})
	if !m.Suggested || len(m.Offered) != 2 || m.Offered[1] != "imap-vs-pop" || m.Lang != intents.English || m.Answered[0] != "login-page-loop" {
		t.Errorf("after a suggestion: %+v", m)
	}
	before := m
	m = m.After(intents.Reply{Outcome: intents.Secret, Lang: intents.French})
	if fmt.Sprint(m) != fmt.Sprint(before) {
		t.Errorf("a secret warning changed the memory: %+v", m)
	}
	for _, id := range []string{"imap-settings", "imap-vs-pop", "certificate-warning", "default-password", "password-reset", "password-change", "two-accounts", "browser-extensions", "clock-certificate", "imap-settings"} {
		m = m.After(core.AnswerEntry(e(id), intents.French))
	}
	if len(m.Answered) != intents.MaxAnswered || m.Answered[len(m.Answered)-1] != "imap-settings" {
		t.Errorf("answered %v; want at most %d, imap-settings last", m.Answered, intents.MaxAnswered)
	}
}

// BenchmarkLocalThreadsFull measures a new conversation when the memory in
// the process is full (the least recently used one goes):
//
//	go test ./internal/chat -run '^$' -bench LocalThreadsFull -benchmem
func BenchmarkLocalThreadsFull(b *testing.B) {
	ctx := context.Background()
	lt := chat.NewLocalThreads(chat.LocalConversations)
	mem := chat.Memory{Answered: []string{"imap-settings"}, Lang: intents.French}
	for i := range chat.LocalConversations {
		lt.Remember(ctx, fmt.Sprint("old-", i), "u", mem, time.Hour)
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		lt.Remember(ctx, fmt.Sprint("new-", i), "u", mem, time.Hour)
	}
}
