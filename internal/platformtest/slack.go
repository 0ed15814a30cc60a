package platformtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// Slack is a local Slack for the tests: the Web API methods the bot
// calls, response_url endpoints, and the Socket Mode websocket, all on
// 127.0.0.1. It speaks the real wire formats (form-encoded Web API calls,
// JSON envelopes acknowledged by envelope_id) so the adapter runs unchanged.
type Slack struct {
	peer
	t *testing.T

	BotToken, AppToken string

	Posts      []SlackPost
	Ephemerals []SlackPost // chat.postEphemeral calls; User is who sees it
	Responses  []SlackResponse
	Opens      int // apps.connections.open calls
	// Delay, when set, is how long chat.postMessage takes (a slow Slack).
	Delay       time.Duration
	connWrite   sync.Mutex
	envelope    int
	responseSeq int

	postc chan SlackPost
	ephc  chan SlackPost
	respc chan SlackResponse
	ackc  chan string
	ConnC chan *websocket.Conn

	// messages are the channels' messages the bot posted, which
	// conversations.replies and conversations.history read back.
	messages []slackMessage

	// Names are the people's full names users.info gives, by user id
	// (guarded by Mu); NameLookups counts its calls.
	Names       map[string]string
	NameLookups int

	// Sink, when set, receives every chat.postMessage and
	// chat.postEphemeral (User set) instead of postc and ephc (load tests,
	// corpus runs).
	Sink func(SlackPost)
}

// slackMessage is a message the bot posted, as the fake reads it back.
type slackMessage struct {
	ts, channel, thread string
	metadata            json.RawMessage
}

// SlackPost is one chat.postMessage call.
type SlackPost struct {
	Channel, Thread, Text, User string
	Blocks                      []map[string]any
	Raw                         url.Values
}

// SlackResponse is one message sent to a response_url.
type SlackResponse struct {
	Path string
	Body map[string]any
}

func NewSlack(t *testing.T) *Slack {
	f := &Slack{
		t: t, BotToken: "xoxb-test-token", AppToken: "xapp-test-token",
		postc: make(chan SlackPost, 100), ephc: make(chan SlackPost, 100), respc: make(chan SlackResponse, 100),
		ackc: make(chan string, 100), ConnC: make(chan *websocket.Conn, 10),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/auth.test", f.authTest)
	mux.HandleFunc("/api/users.info", f.usersInfo)
	mux.HandleFunc("POST /api/apps.connections.open", f.connectionsOpen)
	mux.HandleFunc("POST /api/chat.postMessage", f.postMessage)
	mux.HandleFunc("POST /api/chat.postEphemeral", f.postEphemeral)
	mux.HandleFunc("/api/conversations.replies", f.read)
	mux.HandleFunc("/api/conversations.history", f.read)
	mux.HandleFunc("POST /response/{id}", f.response)
	mux.HandleFunc("GET /socket", f.socket)
	f.start(t, mux)
	return f
}

// APIURL is the SLACK_API_URL of the fake.
func (f *Slack) APIURL() string { return f.Srv.URL + "/api/" }

func (f *Slack) writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

func (f *Slack) authorized(r *http.Request, token string) bool {
	if r.Header.Get("Authorization") == "Bearer "+token {
		return true
	}
	r.ParseForm()
	return r.Form.Get("token") == token
}

func (f *Slack) authTest(w http.ResponseWriter, r *http.Request) {
	if !f.authorized(r, f.BotToken) {
		f.writeJSON(w, map[string]any{"ok": false, "error": "invalid_auth"})
		return
	}
	f.writeJSON(w, map[string]any{"ok": true, "url": "https://lycee.slack.com/", "team": "Lycée", "user": "helpdesk", "team_id": "T1", "user_id": "UBOT", "bot_id": "BBOT"})
}

// usersInfo answers users.info as Slack does: the user's profile, with
// their full name.
func (f *Slack) usersInfo(w http.ResponseWriter, r *http.Request) {
	if !f.authorized(r, f.BotToken) {
		f.writeJSON(w, map[string]any{"ok": false, "error": "invalid_auth"})
		return
	}
	r.ParseForm()
	id := r.Form.Get("user")
	f.Mu.Lock()
	f.NameLookups++
	name, ok := f.Names[id]
	f.Mu.Unlock()
	if !ok {
		f.writeJSON(w, map[string]any{"ok": false, "error": "user_not_found"})
		return
	}
	f.writeJSON(w, map[string]any{"ok": true, "user": map[string]any{"id": id, "name": strings.ToLower(strings.ReplaceAll(name, " ", ".")), "real_name": name,
		"profile": map[string]any{"real_name": name, "display_name": strings.Fields(name)[0]}}})
}

func (f *Slack) connectionsOpen(w http.ResponseWriter, r *http.Request) {
	if !f.authorized(r, f.AppToken) {
		f.writeJSON(w, map[string]any{"ok": false, "error": "invalid_auth"})
		return
	}
	f.Mu.Lock()
	f.Opens++
	f.Mu.Unlock()
	f.writeJSON(w, map[string]any{"ok": true, "url": "ws" + strings.TrimPrefix(f.Srv.URL, "http") + "/socket"})
}

func (f *Slack) postMessage(w http.ResponseWriter, r *http.Request) {
	f.Mu.Lock()
	delay := f.Delay
	f.Mu.Unlock()
	time.Sleep(delay)
	if !f.authorized(r, f.BotToken) {
		f.writeJSON(w, map[string]any{"ok": false, "error": "invalid_auth"})
		return
	}
	f.Mu.Lock()
	if f.limited() {
		f.Mu.Unlock()
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusTooManyRequests)
		return
	}
	p := SlackPost{Channel: r.Form.Get("channel"), Thread: r.Form.Get("thread_ts"), Text: r.Form.Get("text"), Raw: r.Form}
	if b := r.Form.Get("blocks"); b != "" {
		if err := json.Unmarshal([]byte(b), &p.Blocks); err != nil {
			f.t.Errorf("fake slack: chat.postMessage blocks are not JSON: %v", err)
		}
	}
	f.envelope++ // also numbers messages
	ts := fmt.Sprintf("1800000000.%06d", f.envelope)
	// What is read back is kept small (no text): load tests post 10,000.
	msg := slackMessage{ts: ts, channel: strings.Clone(p.Channel), thread: strings.Clone(p.Thread)}
	if m := r.Form.Get("metadata"); m != "" {
		msg.metadata = json.RawMessage(m)
	}
	f.messages = append(f.messages, msg)
	deliver(&f.Mu, f.Sink, &f.Posts, f.postc, p)
	f.writeJSON(w, map[string]any{"ok": true, "channel": p.Channel, "ts": ts})
}

// read answers conversations.replies (the messages of the thread ts) and
// conversations.history (the channel's top-level messages after oldest),
// with their metadata when include_all_metadata is set.
func (f *Slack) read(w http.ResponseWriter, r *http.Request) {
	if !f.authorized(r, f.BotToken) {
		f.writeJSON(w, map[string]any{"ok": false, "error": "invalid_auth"})
		return
	}
	channel, thread, oldest := r.Form.Get("channel"), r.Form.Get("ts"), r.Form.Get("oldest")
	replies := strings.HasSuffix(r.URL.Path, "replies")
	f.Mu.Lock()
	out := []map[string]any{}
	for _, m := range f.messages {
		if m.channel != channel || (replies && m.thread != thread) || (!replies && (m.thread != "" || tsNumber(m.ts) <= tsNumber(oldest))) {
			continue
		}
		c := map[string]any{"type": "message", "user": "UBOT", "bot_id": "BBOT", "ts": m.ts, "thread_ts": m.thread}
		if m.metadata != nil && (r.Form.Get("include_all_metadata") == "true" || r.Form.Get("include_all_metadata") == "1") {
			c["metadata"] = m.metadata
		}
		out = append(out, c)
	}
	f.Mu.Unlock()
	f.writeJSON(w, map[string]any{"ok": true, "messages": out, "has_more": false})
}

func tsNumber(ts string) float64 {
	n, _ := strconv.ParseFloat(ts, 64)
	return n
}

func (f *Slack) postEphemeral(w http.ResponseWriter, r *http.Request) {
	if !f.authorized(r, f.BotToken) {
		f.writeJSON(w, map[string]any{"ok": false, "error": "invalid_auth"})
		return
	}
	p := SlackPost{Channel: r.Form.Get("channel"), User: r.Form.Get("user"), Thread: r.Form.Get("thread_ts"), Text: r.Form.Get("text"), Raw: r.Form}
	json.Unmarshal([]byte(r.Form.Get("blocks")), &p.Blocks)
	f.Mu.Lock()
	deliver(&f.Mu, f.Sink, &f.Ephemerals, f.ephc, p)
	f.writeJSON(w, map[string]any{"ok": true, "message_ts": "1800000000.999999"})
}

// waitEphemeral waits for the next chat.postEphemeral.
func (f *Slack) WaitEphemeral() SlackPost {
	f.t.Helper()
	return Wait(f.t, f.ephc, "chat.postEphemeral")
}

func (f *Slack) response(w http.ResponseWriter, r *http.Request) {
	var body map[string]any
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		f.t.Errorf("fake slack: response_url body is not JSON: %v", err)
	}
	resp := SlackResponse{Path: r.URL.Path, Body: body}
	f.Mu.Lock()
	f.Responses = append(f.Responses, resp)
	f.Mu.Unlock()
	f.respc <- resp
	w.Write([]byte("ok"))
}

// responseURL returns a new response_url on the fake.
func (f *Slack) ResponseURL() string {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	f.responseSeq++
	return fmt.Sprintf("%s/response/%d", f.Srv.URL, f.responseSeq)
}

// upgrader accepts what Slack accepts: the SDK dials with the Origin of
// api.slack.com.
var upgrader = websocket.Upgrader{CheckOrigin: func(r *http.Request) bool { return r.Header.Get("Origin") == "https://api.slack.com" }}

// socket is the Socket Mode websocket: hello first, then pings (the client
// drops a connection that Slack stops pinging), acks read back.
func (f *Slack) socket(w http.ResponseWriter, r *http.Request) {
	conn, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	f.Mu.Lock()
	f.conn = conn
	f.Mu.Unlock()
	f.Write(conn, map[string]any{"type": "hello", "num_connections": 1, "connection_info": map[string]any{"app_id": "A1"}, "debug_info": map[string]any{"host": "fake"}})
	f.ConnC <- conn
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(500 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-f.closed:
				return
			case <-t.C:
				f.connWrite.Lock()
				conn.WriteControl(websocket.PingMessage, []byte("p"), time.Now().Add(time.Second))
				f.connWrite.Unlock()
			}
		}
	}()
	defer close(done)
	for {
		var ack struct {
			EnvelopeID string `json:"envelope_id"`
		}
		if err := conn.ReadJSON(&ack); err != nil {
			return
		}
		f.ackc <- ack.EnvelopeID
	}
}

func (f *Slack) Write(conn *websocket.Conn, v any) {
	f.connWrite.Lock()
	defer f.connWrite.Unlock()
	if err := conn.WriteJSON(v); err != nil {
		f.t.Errorf("fake slack: write to socket: %v", err)
	}
}

// waitConn waits for the adapter to (re)connect by Socket Mode.
func (f *Slack) WaitConn() *websocket.Conn {
	f.t.Helper()
	return Wait(f.t, f.ConnC, "Socket Mode connection")
}

// send delivers a Socket Mode envelope and returns its id.
func (f *Slack) Send(conn *websocket.Conn, typ string, payload any) string {
	f.Mu.Lock()
	f.envelope++
	id := fmt.Sprintf("env-%d", f.envelope)
	f.Mu.Unlock()
	f.Write(conn, map[string]any{"envelope_id": id, "type": typ, "payload": payload, "accepts_response_payload": typ != "events_api", "retry_attempt": 0})
	return id
}

// waitPost waits for the next chat.postMessage.
func (f *Slack) WaitPost() SlackPost {
	f.t.Helper()
	return Wait(f.t, f.postc, "chat.postMessage")
}

// waitResponse waits for the next message sent to a response_url.
func (f *Slack) WaitResponse() SlackResponse {
	f.t.Helper()
	return Wait(f.t, f.respc, "response_url message")
}

// waitAck waits for the acknowledgement of an envelope.
func (f *Slack) WaitAck(id string) {
	f.t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case got := <-f.ackc:
			if got == id {
				return
			}
		case <-deadline:
			f.t.Fatalf("envelope %s not acknowledged within 10 s", id)
		}
	}
}

// counts returns how many messages were posted and sent to response_urls.
func (f *Slack) Counts() (posts, responses int) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	return len(f.Posts), len(f.Responses)
}

// messageEvent is an Events API callback carrying a message-like event.
func MessageEvent(eventID string, event map[string]any) map[string]any {
	return map[string]any{"token": "verification", "team_id": "T1", "api_app_id": "A1", "type": "event_callback", "event_id": eventID, "event_time": time.Now().Unix(), "event": event}
}

// blocksText joins the texts of a message's blocks, buttons included.
func BlocksText(blocks []map[string]any) string {
	b, _ := json.Marshal(blocks)
	var sb strings.Builder
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if s, ok := v["text"].(string); ok {
				sb.WriteString(s + "\n")
			}
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	var generic any
	json.Unmarshal(b, &generic)
	walk(generic)
	return sb.String()
}

// buttons returns the buttons of a message: action_id -> value.
func Buttons(blocks []map[string]any) map[string]string {
	out := map[string]string{}
	for _, b := range blocks {
		els, _ := b["elements"].([]any)
		for _, e := range els {
			m, _ := e.(map[string]any)
			if m["type"] == "button" {
				out[m["action_id"].(string)], _ = m["value"].(string)
			}
		}
	}
	return out
}
