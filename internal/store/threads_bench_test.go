package store

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/acad-lyon/helpdesk-bot/internal/chat"
	"github.com/acad-lyon/helpdesk-bot/internal/chat/chattest"
	"github.com/acad-lyon/helpdesk-bot/internal/store/storetest"
)

// BenchmarkConversationTurn measures what the memory of conversations costs
// a message: a three-turn conversation (a question, "j'ai vidé le cache,
// rien ne change", "toujours pas") answered by the conversation every
// platform shares, without memory, with the memory in the process, on
// SQLite and on PostgreSQL (TEST_DATABASE_URL). ns/op is per message.
//
//	go test ./internal/store -run '^$' -bench ConversationTurn -benchmem
func BenchmarkConversationTurn(b *testing.B) {
	core := chat.Fixed(chattest.Shipped(b))
	texts := []string{"la page de connexion du webmail tourne en boucle", "j'ai vidé le cache, rien ne change", "toujours pas"}
	run := func(b *testing.B, threads chat.Threads) {
		c := &chat.Conversation{Platform: "bench", Helpdesk: core, Threads: threads, Log: slog.New(slog.DiscardHandler)}
		ctx := context.Background()
		b.ResetTimer()
		for i := 0; b.Loop(); i++ {
			m := chat.Message{User: "u1", Channel: "c1", Thread: fmt.Sprintf("c1:%d", i/len(texts)), Text: texts[i%len(texts)], Addressed: true}
			if _, err := c.Respond(ctx, m); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("no-memory", func(b *testing.B) { run(b, nil) })
	b.Run("in-process", func(b *testing.B) { run(b, chat.NewLocalThreads(chat.LocalConversations)) })
	b.Run("sqlite", func(b *testing.B) {
		s, err := Open(context.Background(), filepath.Join(b.TempDir(), "helpdesk.db"), Options{})
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		run(b, s)
	})
	b.Run("postgres", func(b *testing.B) {
		s, err := Open(context.Background(), storetest.Postgres(b), Options{})
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		run(b, s)
	})
}
