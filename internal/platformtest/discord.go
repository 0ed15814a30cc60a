package platformtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/gorilla/websocket"
)

// Discord is a local Discord for the tests: the REST routes the bot
// calls under /api/v9/, and a gateway websocket that speaks the real
// protocol (Hello, Identify or Resume, Ready or Resumed, heartbeats and their
// acks, dispatches with sequence numbers, op 7 Reconnect), on 127.0.0.1.
type Discord struct {
	peer
	t     *testing.T
	Token string

	Messages   []DiscordCall // POST /channels/{id}/messages
	Callbacks  []DiscordCall // POST /interactions/{id}/{token}/callback
	Edits      []DiscordCall // PATCH of messages and interaction responses
	Commands   []DiscordCall // PUT application commands
	seq        int
	Identifies int
	Resumes    int
	msgID      int
	sent       []map[string]any // the messages created, as GET /channels/{id}/messages returns them

	MessageC  chan DiscordCall
	callbackc chan DiscordCall
	editc     chan DiscordCall
	commandc  chan DiscordCall
	ConnC     chan *websocket.Conn

	// Sink, when set, receives every message created instead of MessageC
	// (load tests).
	Sink    func(DiscordCall)
	writeMu sync.Mutex
}

// DiscordCall is one REST call the bot made.
type DiscordCall struct {
	Path string
	Body map[string]any
}

const (
	DiscordBotID = "100000000000000001"
	DiscordAppID = "200000000000000002"
	DiscordGuild = "300000000000000003"
)

func NewDiscord(t *testing.T) *Discord {
	f := &Discord{
		t: t, Token: "fake.discord.token",
		MessageC: make(chan DiscordCall, 100), callbackc: make(chan DiscordCall, 100), editc: make(chan DiscordCall, 100),
		commandc: make(chan DiscordCall, 10), ConnC: make(chan *websocket.Conn, 10),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v9/gateway", func(w http.ResponseWriter, r *http.Request) {
		f.json(w, 200, map[string]any{"url": "ws" + strings.TrimPrefix(f.Srv.URL, "http") + "/gateway"})
	})
	mux.HandleFunc("GET /api/v9/users/@me", func(w http.ResponseWriter, r *http.Request) {
		if !f.authorized(w, r) {
			return
		}
		f.json(w, 200, map[string]any{"id": DiscordBotID, "username": "assistant", "bot": true})
	})
	mux.HandleFunc("PUT /api/v9/applications/{app}/commands", f.record(&f.Commands, f.commandc, 200))
	mux.HandleFunc("PUT /api/v9/applications/{app}/guilds/{guild}/commands", f.record(&f.Commands, f.commandc, 200))
	mux.HandleFunc("POST /api/v9/channels/{channel}/messages", f.createMessage)
	mux.HandleFunc("GET /api/v9/channels/{channel}/messages", f.channelMessages)
	mux.HandleFunc("POST /api/v9/users/@me/channels", func(w http.ResponseWriter, r *http.Request) {
		if !f.authorized(w, r) {
			return
		}
		var body struct {
			Recipient string `json:"recipient_id"`
		}
		json.NewDecoder(r.Body).Decode(&body)
		f.json(w, 200, map[string]any{"id": "9" + body.Recipient, "type": 1, "recipients": []any{map[string]any{"id": body.Recipient}}})
	})
	mux.HandleFunc("PATCH /api/v9/channels/{channel}/messages/{id}", f.record(&f.Edits, f.editc, 200))
	mux.HandleFunc("POST /api/v9/interactions/{id}/{token}/callback", f.record(&f.Callbacks, f.callbackc, 204))
	mux.HandleFunc("PATCH /api/v9/webhooks/{app}/{token}/messages/@original", f.record(&f.Edits, f.editc, 200))
	mux.HandleFunc("GET /gateway/", f.gateway) // discordgo adds the slash
	f.start(t, mux)
	return f
}

// APIURL is the DISCORD_API_URL of the fake.
func (f *Discord) APIURL() string { return f.Srv.URL + "/api/v9/" }

func (f *Discord) json(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	if v != nil {
		json.NewEncoder(w).Encode(v)
	}
}

func (f *Discord) authorized(w http.ResponseWriter, r *http.Request) bool {
	if r.Header.Get("Authorization") != "Bot "+f.Token {
		f.json(w, 401, map[string]any{"message": "401: Unauthorized", "code": 0})
		return false
	}
	return true
}

func (f *Discord) body(r *http.Request) map[string]any {
	var body map[string]any
	b, _ := io.ReadAll(r.Body)
	if len(b) > 0 {
		if err := json.Unmarshal(b, &body); err != nil {
			// Commands are an array.
			var arr []any
			if json.Unmarshal(b, &arr) != nil {
				f.t.Errorf("fake discord: %s %s: body is not JSON: %s", r.Method, r.URL.Path, b)
			}
			body = map[string]any{"array": arr}
		}
	}
	return body
}

func (f *Discord) record(list *[]DiscordCall, c chan DiscordCall, code int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !f.authorized(w, r) && !strings.Contains(r.URL.Path, "/interactions/") && !strings.Contains(r.URL.Path, "/webhooks/") {
			return
		}
		call := DiscordCall{Path: r.URL.Path, Body: f.body(r)}
		f.Mu.Lock()
		*list = append(*list, call)
		f.Mu.Unlock()
		c <- call
		if code == 204 {
			w.WriteHeader(204)
			return
		}
		if arr, ok := call.Body["array"]; ok {
			f.json(w, code, arr)
			return
		}
		f.json(w, code, map[string]any{"id": "999", "channel_id": r.PathValue("channel"), "content": call.Body["content"]})
	}
}

func (f *Discord) createMessage(w http.ResponseWriter, r *http.Request) {
	if !f.authorized(w, r) {
		return
	}
	f.Mu.Lock()
	if f.limited() {
		f.Mu.Unlock()
		io.Copy(io.Discard, r.Body)
		f.json(w, 429, map[string]any{"message": "You are being rate limited.", "retry_after": 0.3, "global": false})
		return
	}
	f.msgID++
	id := fmt.Sprintf("5000000000000%05d", f.msgID)
	f.Mu.Unlock()
	call := DiscordCall{Path: r.URL.Path, Body: f.body(r)}
	call.Body["id"] = id
	call.Body["channel_id"] = r.PathValue("channel")
	f.Mu.Lock()
	sent := map[string]any{"id": id, "channel_id": call.Body["channel_id"], "content": call.Body["content"], "author": map[string]any{"id": DiscordBotID, "username": "assistant", "bot": true}}
	if ref, ok := call.Body["message_reference"]; ok {
		sent["message_reference"] = ref
	}
	f.sent = append(f.sent, sent)
	deliver(&f.Mu, f.Sink, &f.Messages, f.MessageC, call)
	f.json(w, 200, map[string]any{"id": id, "channel_id": r.PathValue("channel"), "content": call.Body["content"], "author": map[string]any{"id": DiscordBotID, "bot": true}})
}

// channelMessages lists the messages the bot created in a channel, newest
// first as Discord does (after= is ignored: every one the bot created is
// after the questions of a test).
func (f *Discord) channelMessages(w http.ResponseWriter, r *http.Request) {
	if !f.authorized(w, r) {
		return
	}
	f.Mu.Lock()
	out := []map[string]any{}
	for i := len(f.sent) - 1; i >= 0; i-- {
		if f.sent[i]["channel_id"] == r.PathValue("channel") {
			out = append(out, f.sent[i])
		}
	}
	f.Mu.Unlock()
	f.json(w, 200, out)
}

var discordUpgrader = websocket.Upgrader{}

// gateway speaks the gateway protocol with one client.
func (f *Discord) gateway(w http.ResponseWriter, r *http.Request) {
	conn, err := discordUpgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	defer conn.Close()
	f.Send(conn, map[string]any{"op": 10, "d": map[string]any{"heartbeat_interval": 41250}})
	var hello struct {
		Op int `json:"op"`
		D  struct {
			Token   string `json:"token"`
			Intents int    `json:"intents"`
			Session string `json:"session_id"`
		} `json:"d"`
	}
	if err := conn.ReadJSON(&hello); err != nil {
		return
	}
	if hello.D.Token != "Bot "+f.Token {
		conn.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(4004, "Authentication failed."))
		return
	}
	switch hello.Op {
	case 2:
		const want = 1<<9 | 1<<12 | 1<<15 // guild messages, direct messages, message content
		if hello.D.Intents&want != want {
			f.t.Errorf("identify with intents %b; want at least %b", hello.D.Intents, want)
		}
		f.Mu.Lock()
		f.Identifies++
		f.Mu.Unlock()
		f.Dispatch(conn, "READY", map[string]any{
			"v": 9, "session_id": "session-1", "resume_gateway_url": "ws" + strings.TrimPrefix(f.Srv.URL, "http") + "/gateway",
			"user":        map[string]any{"id": DiscordBotID, "username": "assistant", "discriminator": "0", "bot": true},
			"guilds":      []any{map[string]any{"id": DiscordGuild, "unavailable": true}},
			"application": map[string]any{"id": DiscordAppID, "flags": 0},
		})
	case 6:
		if hello.D.Session != "session-1" {
			f.t.Errorf("resume of session %q; want session-1", hello.D.Session)
		}
		f.Mu.Lock()
		f.Resumes++
		f.Mu.Unlock()
		f.Dispatch(conn, "RESUMED", map[string]any{})
	default:
		f.t.Errorf("first gateway message op %d; want 2 (identify) or 6 (resume)", hello.Op)
		return
	}
	f.Mu.Lock()
	f.conn = conn
	f.Mu.Unlock()
	f.ConnC <- conn
	for {
		var msg struct {
			Op int `json:"op"`
		}
		if err := conn.ReadJSON(&msg); err != nil {
			return
		}
		if msg.Op == 1 { // heartbeat
			f.Send(conn, map[string]any{"op": 11})
		}
	}
}

func (f *Discord) Send(conn *websocket.Conn, v any) {
	f.writeMu.Lock()
	defer f.writeMu.Unlock()
	conn.WriteJSON(v)
}

// dispatch sends a gateway event (op 0) with the next sequence number.
func (f *Discord) Dispatch(conn *websocket.Conn, event string, data any) {
	f.Mu.Lock()
	f.seq++
	s := f.seq
	f.Mu.Unlock()
	f.Send(conn, map[string]any{"op": 0, "s": s, "t": event, "d": data})
}

func (f *Discord) WaitConn() *websocket.Conn {
	f.t.Helper()
	return Wait(f.t, f.ConnC, "gateway connection")
}

func (f *Discord) wait(c chan DiscordCall, what string) DiscordCall {
	f.t.Helper()
	return Wait(f.t, c, what)
}

func (f *Discord) WaitMessage() DiscordCall  { return f.wait(f.MessageC, "message") }
func (f *Discord) WaitCallback() DiscordCall { return f.wait(f.callbackc, "interaction response") }
func (f *Discord) WaitEdit() DiscordCall     { return f.wait(f.editc, "edit") }
func (f *Discord) WaitCommand() DiscordCall  { return f.wait(f.commandc, "command registration") }

// discordMessage is a MESSAGE_CREATE payload.
func DiscordMessage(id, channel, guild, author, content string, mentionsBot bool) map[string]any {
	m := map[string]any{
		"id": id, "channel_id": channel, "content": content, "type": 0, "timestamp": "2026-11-27T08:00:00.000000+00:00",
		"author":   map[string]any{"id": author, "username": "enseignant", "discriminator": "0"},
		"mentions": []any{},
	}
	if guild != "" {
		m["guild_id"] = guild
	}
	if mentionsBot {
		m["mentions"] = []any{map[string]any{"id": DiscordBotID, "username": "assistant", "bot": true}}
	}
	return m
}
