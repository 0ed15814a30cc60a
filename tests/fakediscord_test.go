package tests

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

// fakeDiscord is a local Discord for the tests: the REST routes the bot
// calls under /api/v9/, and a gateway websocket that speaks the real
// protocol (Hello, Identify or Resume, Ready or Resumed, heartbeats and their
// acks, dispatches with sequence numbers, op 7 Reconnect), on 127.0.0.1.
type fakeDiscord struct {
	localPeer
	t     *testing.T
	token string

	messages   []discordCall // POST /channels/{id}/messages
	callbacks  []discordCall // POST /interactions/{id}/{token}/callback
	edits      []discordCall // PATCH of messages and interaction responses
	commands   []discordCall // PUT application commands
	rateLimit  int
	limited    int
	seq        int
	identifies int
	resumes    int
	msgID      int

	messagec  chan discordCall
	callbackc chan discordCall
	editc     chan discordCall
	commandc  chan discordCall
	connc     chan *websocket.Conn

	// sink, when set, receives every message created instead of messagec
	// (load tests).
	sink    func(discordCall)
	writeMu sync.Mutex
}

// discordCall is one REST call the bot made.
type discordCall struct {
	Path string
	Body map[string]any
}

const (
	discordBotID = "100000000000000001"
	discordAppID = "200000000000000002"
	discordGuild = "300000000000000003"
)

func newFakeDiscord(t *testing.T) *fakeDiscord {
	f := &fakeDiscord{
		t: t, token: "fake.discord.token",
		messagec: make(chan discordCall, 100), callbackc: make(chan discordCall, 100), editc: make(chan discordCall, 100),
		commandc: make(chan discordCall, 10), connc: make(chan *websocket.Conn, 10),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v9/gateway", func(w http.ResponseWriter, r *http.Request) {
		f.json(w, 200, map[string]any{"url": "ws" + strings.TrimPrefix(f.srv.URL, "http") + "/gateway"})
	})
	mux.HandleFunc("GET /api/v9/users/@me", func(w http.ResponseWriter, r *http.Request) {
		if !f.authorized(w, r) {
			return
		}
		f.json(w, 200, map[string]any{"id": discordBotID, "username": "assistant", "bot": true})
	})
	mux.HandleFunc("PUT /api/v9/applications/{app}/commands", f.record(&f.commands, f.commandc, 200))
	mux.HandleFunc("PUT /api/v9/applications/{app}/guilds/{guild}/commands", f.record(&f.commands, f.commandc, 200))
	mux.HandleFunc("POST /api/v9/channels/{channel}/messages", f.createMessage)
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
	mux.HandleFunc("PATCH /api/v9/channels/{channel}/messages/{id}", f.record(&f.edits, f.editc, 200))
	mux.HandleFunc("POST /api/v9/interactions/{id}/{token}/callback", f.record(&f.callbacks, f.callbackc, 204))
	mux.HandleFunc("PATCH /api/v9/webhooks/{app}/{token}/messages/@original", f.record(&f.edits, f.editc, 200))
	mux.HandleFunc("GET /gateway/", f.gateway) // discordgo adds the slash
	f.start(t, mux)
	return f
}

// APIURL is the DISCORD_API_URL of the fake.
func (f *fakeDiscord) APIURL() string { return f.srv.URL + "/api/v9/" }

func (f *fakeDiscord) json(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	if v != nil {
		json.NewEncoder(w).Encode(v)
	}
}

func (f *fakeDiscord) authorized(w http.ResponseWriter, r *http.Request) bool {
	if r.Header.Get("Authorization") != "Bot "+f.token {
		f.json(w, 401, map[string]any{"message": "401: Unauthorized", "code": 0})
		return false
	}
	return true
}

func (f *fakeDiscord) body(r *http.Request) map[string]any {
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

func (f *fakeDiscord) record(list *[]discordCall, c chan discordCall, code int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !f.authorized(w, r) && !strings.Contains(r.URL.Path, "/interactions/") && !strings.Contains(r.URL.Path, "/webhooks/") {
			return
		}
		call := discordCall{Path: r.URL.Path, Body: f.body(r)}
		f.mu.Lock()
		*list = append(*list, call)
		f.mu.Unlock()
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

func (f *fakeDiscord) createMessage(w http.ResponseWriter, r *http.Request) {
	if !f.authorized(w, r) {
		return
	}
	f.mu.Lock()
	if f.rateLimit > 0 {
		f.rateLimit--
		f.limited++
		f.mu.Unlock()
		io.Copy(io.Discard, r.Body)
		f.json(w, 429, map[string]any{"message": "You are being rate limited.", "retry_after": 0.3, "global": false})
		return
	}
	f.msgID++
	id := fmt.Sprintf("5000000000000%05d", f.msgID)
	f.mu.Unlock()
	call := discordCall{Path: r.URL.Path, Body: f.body(r)}
	call.Body["id"] = id
	call.Body["channel_id"] = r.PathValue("channel")
	f.mu.Lock()
	if f.sink == nil {
		f.messages = append(f.messages, call)
	}
	f.mu.Unlock()
	if f.sink != nil {
		f.sink(call)
	} else {
		f.messagec <- call
	}
	f.json(w, 200, map[string]any{"id": id, "channel_id": r.PathValue("channel"), "content": call.Body["content"], "author": map[string]any{"id": discordBotID, "bot": true}})
}

var discordUpgrader = websocket.Upgrader{}

// gateway speaks the gateway protocol with one client.
func (f *fakeDiscord) gateway(w http.ResponseWriter, r *http.Request) {
	conn, err := discordUpgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	defer conn.Close()
	f.send(conn, map[string]any{"op": 10, "d": map[string]any{"heartbeat_interval": 41250}})
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
	if hello.D.Token != "Bot "+f.token {
		conn.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(4004, "Authentication failed."))
		return
	}
	switch hello.Op {
	case 2:
		const want = 1<<9 | 1<<12 | 1<<15 // guild messages, direct messages, message content
		if hello.D.Intents&want != want {
			f.t.Errorf("identify with intents %b; want at least %b", hello.D.Intents, want)
		}
		f.mu.Lock()
		f.identifies++
		f.mu.Unlock()
		f.dispatch(conn, "READY", map[string]any{
			"v": 9, "session_id": "session-1", "resume_gateway_url": "ws" + strings.TrimPrefix(f.srv.URL, "http") + "/gateway",
			"user":        map[string]any{"id": discordBotID, "username": "assistant", "discriminator": "0", "bot": true},
			"guilds":      []any{map[string]any{"id": discordGuild, "unavailable": true}},
			"application": map[string]any{"id": discordAppID, "flags": 0},
		})
	case 6:
		if hello.D.Session != "session-1" {
			f.t.Errorf("resume of session %q; want session-1", hello.D.Session)
		}
		f.mu.Lock()
		f.resumes++
		f.mu.Unlock()
		f.dispatch(conn, "RESUMED", map[string]any{})
	default:
		f.t.Errorf("first gateway message op %d; want 2 (identify) or 6 (resume)", hello.Op)
		return
	}
	f.mu.Lock()
	f.conn = conn
	f.mu.Unlock()
	f.connc <- conn
	for {
		var msg struct {
			Op int `json:"op"`
		}
		if err := conn.ReadJSON(&msg); err != nil {
			return
		}
		if msg.Op == 1 { // heartbeat
			f.send(conn, map[string]any{"op": 11})
		}
	}
}

func (f *fakeDiscord) send(conn *websocket.Conn, v any) {
	f.writeMu.Lock()
	defer f.writeMu.Unlock()
	conn.WriteJSON(v)
}

// dispatch sends a gateway event (op 0) with the next sequence number.
func (f *fakeDiscord) dispatch(conn *websocket.Conn, event string, data any) {
	f.mu.Lock()
	f.seq++
	s := f.seq
	f.mu.Unlock()
	f.send(conn, map[string]any{"op": 0, "s": s, "t": event, "d": data})
}

func (f *fakeDiscord) waitConn() *websocket.Conn {
	f.t.Helper()
	return waitOn(f.t, f.connc, "gateway connection")
}

func (f *fakeDiscord) wait(c chan discordCall, what string) discordCall {
	f.t.Helper()
	return waitOn(f.t, c, what)
}

func (f *fakeDiscord) waitMessage() discordCall  { return f.wait(f.messagec, "message") }
func (f *fakeDiscord) waitCallback() discordCall { return f.wait(f.callbackc, "interaction response") }
func (f *fakeDiscord) waitEdit() discordCall     { return f.wait(f.editc, "edit") }
func (f *fakeDiscord) waitCommand() discordCall  { return f.wait(f.commandc, "command registration") }

// discordMessage is a MESSAGE_CREATE payload.
func discordMessage(id, channel, guild, author, content string, mentionsBot bool) map[string]any {
	m := map[string]any{
		"id": id, "channel_id": channel, "content": content, "type": 0, "timestamp": "2026-11-27T08:00:00.000000+00:00",
		"author":   map[string]any{"id": author, "username": "enseignant", "discriminator": "0"},
		"mentions": []any{},
	}
	if guild != "" {
		m["guild_id"] = guild
	}
	if mentionsBot {
		m["mentions"] = []any{map[string]any{"id": discordBotID, "username": "assistant", "bot": true}}
	}
	return m
}
