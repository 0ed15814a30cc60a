package chat

import (
	"container/list"
	"context"
	"slices"
	"sync"
	"time"

	"github.com/acad-lyon/helpdesk-bot/intents"
)

// Memory is what the bot remembers of a conversation between two of its
// messages, and no more: the entries it answered and offered (ids), the
// language, how many times the person said it did not help. Never the text,
// never a name.
type Memory struct {
	Answered  []string `json:"answered,omitempty"`
	Offered   []string `json:"offered,omitempty"`
	Suggested bool     `json:"suggested,omitempty"`
	NotSolved int      `json:"not_solved,omitempty"`
	HandedOff bool     `json:"handed_off,omitempty"`
	Lang      string   `json:"lang,omitempty"`
	// Starter: Recall was asked by the person who started the
	// conversation (whose follow-ups need no mention). Not kept as such:
	// the store keeps a keyed hash of who started it.
	Starter bool `json:"-"`
}

// Context is the memory as the answering core reads it.
func (m Memory) Context(name string) *intents.Context {
	return &intents.Context{Answered: m.Answered, Offered: m.Offered, Suggested: m.Suggested, NotSolved: m.NotSolved, HandedOff: m.HandedOff, Lang: m.Lang, Name: name}
}

// After returns the memory once r was said.
func (m Memory) After(r intents.Reply) Memory {
	next := Memory{Answered: slices.Clone(m.Answered), NotSolved: r.Tries, Lang: m.Lang}
	// Handed over stays handed over until a new topic (the count of "did
	// not help" starts again).
	next.HandedOff = r.Reading == intents.ReadHandoff || r.Reading == intents.ReadWaiting || m.HandedOff && r.Tries > 0
	switch r.Outcome {
	case intents.Answered:
		e := r.Entry
		if e != nil && !e.Conversational() {
			next.Answered = append(slices.DeleteFunc(next.Answered, func(id string) bool { return id == e.ID }), e.ID)
			if len(next.Answered) > intents.MaxAnswered {
				next.Answered = next.Answered[len(next.Answered)-intents.MaxAnswered:]
			}
		}
		for _, f := range r.FollowUps {
			next.Offered = append(next.Offered, f.ID)
		}
	case intents.Suggested:
		for _, a := range r.Alternatives {
			next.Offered = append(next.Offered, a.Entry.ID)
		}
		next.Suggested = true
	case intents.Secret, intents.Empty:
		return m // nothing said about the conversation's topic
	}
	if r.Lang != "" {
		next.Lang = r.Lang
	}
	return next
}

// Threads keep the memory of conversations, shared by the replicas (the
// store), keyed by the platform's ids of the conversation: the store keeps
// a keyed hash of them, and of who started it (for `bot purge --user`).
type Threads interface {
	// Recall returns the memory of a conversation younger than its idle
	// time, and whether there is one; Starter says whether user started it.
	Recall(ctx context.Context, key, user string) (Memory, bool, error)
	// Remember keeps m as the memory of a conversation for idle from now;
	// user started it when it is new.
	Remember(ctx context.Context, key, user string, m Memory, idle time.Duration) error
}

// DefaultIdle is how long a conversation is remembered after its last
// message.
const DefaultIdle = 30 * time.Minute

// LocalConversations bounds the conversations a process remembers without
// a store (about 200 bytes each).
const LocalConversations = 100_000

// LocalThreads keep the memory of conversations in this process: the
// terminal chat, `bot ask --threads`, a bot without a store. At most Max
// conversations are kept (0: no bound); beyond, the least recently used
// goes first, in constant time (container/list).
type LocalThreads struct {
	Now func() time.Time
	Max int

	mu   sync.Mutex
	mems map[string]*list.Element // of *localMemory
	lru  *list.List               // most recently used first
}

type localMemory struct {
	key     string
	m       Memory
	user    string
	expires time.Time
}

// NewLocalThreads returns an empty LocalThreads of at most max conversations.
func NewLocalThreads(max int) *LocalThreads {
	return &LocalThreads{Now: time.Now, Max: max, mems: map[string]*list.Element{}, lru: list.New()}
}

// Recall implements Threads.
func (t *LocalThreads) Recall(_ context.Context, key, user string) (Memory, bool, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	el, ok := t.mems[key]
	if !ok {
		return Memory{}, false, nil
	}
	lm := el.Value.(*localMemory)
	if !t.Now().Before(lm.expires) {
		t.lru.Remove(el)
		delete(t.mems, key)
		return Memory{}, false, nil
	}
	t.lru.MoveToFront(el)
	m := lm.m
	m.Starter = lm.user == user
	return m, true, nil
}

// Remember implements Threads.
func (t *LocalThreads) Remember(_ context.Context, key, user string, m Memory, idle time.Duration) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if el, ok := t.mems[key]; ok {
		lm := el.Value.(*localMemory)
		lm.m, lm.expires = m, t.Now().Add(idle)
		t.lru.MoveToFront(el)
		return nil
	}
	for t.Max > 0 && t.lru.Len() >= t.Max {
		oldest := t.lru.Back()
		t.lru.Remove(oldest)
		delete(t.mems, oldest.Value.(*localMemory).key)
	}
	t.mems[key] = t.lru.PushFront(&localMemory{key: key, m: m, user: user, expires: t.Now().Add(idle)})
	return nil
}

// Len is how many conversations are remembered.
func (t *LocalThreads) Len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.lru.Len()
}

// Erase forgets the conversations user started.
func (t *LocalThreads) Erase(user string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for k, el := range t.mems {
		if el.Value.(*localMemory).user == user {
			t.lru.Remove(el)
			delete(t.mems, k)
		}
	}
}

// turns serialises the messages of each conversation in this process, in
// the order they arrive, so that each reads the memory the one before left.
type turns struct {
	mu     sync.Mutex
	queues map[string][]chan struct{} // per conversation: the one answering, then those waiting
}

// lock waits for the conversation key's turn; the returned func passes it
// on to the next message, first come first served.
func (t *turns) lock(key string) func() {
	t.mu.Lock()
	if t.queues == nil {
		t.queues = map[string][]chan struct{}{}
	}
	q := t.queues[key]
	turn := make(chan struct{})
	t.queues[key] = append(q, turn)
	t.mu.Unlock()
	if len(q) > 0 {
		<-turn
	}
	return func() {
		t.mu.Lock()
		defer t.mu.Unlock()
		if q := t.queues[key][1:]; len(q) > 0 {
			t.queues[key] = q
			close(q[0])
		} else {
			delete(t.queues, key)
		}
	}
}
