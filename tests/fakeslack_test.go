package tests

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// fakeSlack is a local Slack for the tests: the Web API methods the bot
// calls, response_url endpoints, and the Socket Mode websocket, all on
// 127.0.0.1. It speaks the real wire formats (form-encoded Web API calls,
// JSON envelopes acknowledged by envelope_id) so the adapter runs unchanged.
type fakeSlack struct {
	localPeer
	t *testing.T

	botToken, appToken string

	posts       []slackPost
	ephemerals  []slackPost // chat.postEphemeral calls; User is who sees it
	responses   []slackResponse
	rateLimit   int // the next rateLimit postMessage calls get 429
	limited     int // how many 429s were sent
	opens       int // apps.connections.open calls
	connWrite   sync.Mutex
	envelope    int
	responseSeq int

	postc chan slackPost
	ephc  chan slackPost
	respc chan slackResponse
	ackc  chan string
	connc chan *websocket.Conn

	// sink, when set, receives every chat.postMessage instead of postc
	// (load tests).
	sink func(slackPost)
}

// slackPost is one chat.postMessage call.
type slackPost struct {
	Channel, Thread, Text, User string
	Blocks                      []map[string]any
	Raw                         url.Values
}

// slackResponse is one message sent to a response_url.
type slackResponse struct {
	Path string
	Body map[string]any
}

func newFakeSlack(t *testing.T) *fakeSlack {
	f := &fakeSlack{
		t: t, botToken: "xoxb-test-token", appToken: "xapp-test-token",
		postc: make(chan slackPost, 100), ephc: make(chan slackPost, 100), respc: make(chan slackResponse, 100),
		ackc: make(chan string, 100), connc: make(chan *websocket.Conn, 10),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/auth.test", f.authTest)
	mux.HandleFunc("POST /api/apps.connections.open", f.connectionsOpen)
	mux.HandleFunc("POST /api/chat.postMessage", f.postMessage)
	mux.HandleFunc("POST /api/chat.postEphemeral", f.postEphemeral)
	mux.HandleFunc("POST /response/{id}", f.response)
	mux.HandleFunc("GET /socket", f.socket)
	f.start(t, mux)
	return f
}

// APIURL is the SLACK_API_URL of the fake.
func (f *fakeSlack) APIURL() string { return f.srv.URL + "/api/" }

func (f *fakeSlack) writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

func (f *fakeSlack) authorized(r *http.Request, token string) bool {
	if r.Header.Get("Authorization") == "Bearer "+token {
		return true
	}
	r.ParseForm()
	return r.Form.Get("token") == token
}

func (f *fakeSlack) authTest(w http.ResponseWriter, r *http.Request) {
	if !f.authorized(r, f.botToken) {
		f.writeJSON(w, map[string]any{"ok": false, "error": "invalid_auth"})
		return
	}
	f.writeJSON(w, map[string]any{"ok": true, "url": "https://lycee.slack.com/", "team": "Lycée", "user": "helpdesk", "team_id": "T1", "user_id": "UBOT", "bot_id": "BBOT"})
}

func (f *fakeSlack) connectionsOpen(w http.ResponseWriter, r *http.Request) {
	if !f.authorized(r, f.appToken) {
		f.writeJSON(w, map[string]any{"ok": false, "error": "invalid_auth"})
		return
	}
	f.mu.Lock()
	f.opens++
	f.mu.Unlock()
	f.writeJSON(w, map[string]any{"ok": true, "url": "ws" + strings.TrimPrefix(f.srv.URL, "http") + "/socket"})
}

func (f *fakeSlack) postMessage(w http.ResponseWriter, r *http.Request) {
	if !f.authorized(r, f.botToken) {
		f.writeJSON(w, map[string]any{"ok": false, "error": "invalid_auth"})
		return
	}
	f.mu.Lock()
	if f.rateLimit > 0 {
		f.rateLimit--
		f.limited++
		f.mu.Unlock()
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusTooManyRequests)
		return
	}
	p := slackPost{Channel: r.Form.Get("channel"), Thread: r.Form.Get("thread_ts"), Text: r.Form.Get("text"), Raw: r.Form}
	if b := r.Form.Get("blocks"); b != "" {
		if err := json.Unmarshal([]byte(b), &p.Blocks); err != nil {
			f.t.Errorf("fake slack: chat.postMessage blocks are not JSON: %v", err)
		}
	}
	f.envelope++ // also numbers messages
	ts := fmt.Sprintf("1800000000.%06d", f.envelope)
	if f.sink == nil {
		f.posts = append(f.posts, p)
	}
	f.mu.Unlock()
	if f.sink != nil {
		f.sink(p)
	} else {
		f.postc <- p
	}
	f.writeJSON(w, map[string]any{"ok": true, "channel": p.Channel, "ts": ts})
}

func (f *fakeSlack) postEphemeral(w http.ResponseWriter, r *http.Request) {
	if !f.authorized(r, f.botToken) {
		f.writeJSON(w, map[string]any{"ok": false, "error": "invalid_auth"})
		return
	}
	p := slackPost{Channel: r.Form.Get("channel"), User: r.Form.Get("user"), Thread: r.Form.Get("thread_ts"), Text: r.Form.Get("text"), Raw: r.Form}
	json.Unmarshal([]byte(r.Form.Get("blocks")), &p.Blocks)
	f.mu.Lock()
	f.ephemerals = append(f.ephemerals, p)
	f.mu.Unlock()
	f.ephc <- p
	f.writeJSON(w, map[string]any{"ok": true, "message_ts": "1800000000.999999"})
}

// waitEphemeral waits for the next chat.postEphemeral.
func (f *fakeSlack) waitEphemeral() slackPost {
	f.t.Helper()
	return waitOn(f.t, f.ephc, "chat.postEphemeral")
}

func (f *fakeSlack) response(w http.ResponseWriter, r *http.Request) {
	var body map[string]any
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		f.t.Errorf("fake slack: response_url body is not JSON: %v", err)
	}
	resp := slackResponse{Path: r.URL.Path, Body: body}
	f.mu.Lock()
	f.responses = append(f.responses, resp)
	f.mu.Unlock()
	f.respc <- resp
	w.Write([]byte("ok"))
}

// responseURL returns a new response_url on the fake.
func (f *fakeSlack) responseURL() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.responseSeq++
	return fmt.Sprintf("%s/response/%d", f.srv.URL, f.responseSeq)
}

// upgrader accepts what Slack accepts: the SDK dials with the Origin of
// api.slack.com.
var upgrader = websocket.Upgrader{CheckOrigin: func(r *http.Request) bool { return r.Header.Get("Origin") == "https://api.slack.com" }}

// socket is the Socket Mode websocket: hello first, then pings (the client
// drops a connection that Slack stops pinging), acks read back.
func (f *fakeSlack) socket(w http.ResponseWriter, r *http.Request) {
	conn, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	f.mu.Lock()
	f.conn = conn
	f.mu.Unlock()
	f.write(conn, map[string]any{"type": "hello", "num_connections": 1, "connection_info": map[string]any{"app_id": "A1"}, "debug_info": map[string]any{"host": "fake"}})
	f.connc <- conn
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

func (f *fakeSlack) write(conn *websocket.Conn, v any) {
	f.connWrite.Lock()
	defer f.connWrite.Unlock()
	if err := conn.WriteJSON(v); err != nil {
		f.t.Errorf("fake slack: write to socket: %v", err)
	}
}

// waitConn waits for the adapter to (re)connect by Socket Mode.
func (f *fakeSlack) waitConn() *websocket.Conn {
	f.t.Helper()
	return waitOn(f.t, f.connc, "Socket Mode connection")
}

// send delivers a Socket Mode envelope and returns its id.
func (f *fakeSlack) send(conn *websocket.Conn, typ string, payload any) string {
	f.mu.Lock()
	f.envelope++
	id := fmt.Sprintf("env-%d", f.envelope)
	f.mu.Unlock()
	f.write(conn, map[string]any{"envelope_id": id, "type": typ, "payload": payload, "accepts_response_payload": typ != "events_api", "retry_attempt": 0})
	return id
}

// waitPost waits for the next chat.postMessage.
func (f *fakeSlack) waitPost() slackPost {
	f.t.Helper()
	return waitOn(f.t, f.postc, "chat.postMessage")
}

// waitResponse waits for the next message sent to a response_url.
func (f *fakeSlack) waitResponse() slackResponse {
	f.t.Helper()
	return waitOn(f.t, f.respc, "response_url message")
}

// waitAck waits for the acknowledgement of an envelope.
func (f *fakeSlack) waitAck(id string) {
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
func (f *fakeSlack) counts() (posts, responses int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.posts), len(f.responses)
}

// messageEvent is an Events API callback carrying a message-like event.
func messageEvent(eventID string, event map[string]any) map[string]any {
	return map[string]any{"token": "verification", "team_id": "T1", "api_app_id": "A1", "type": "event_callback", "event_id": eventID, "event_time": time.Now().Unix(), "event": event}
}

// blocksText joins the texts of a message's blocks, buttons included.
func blocksText(blocks []map[string]any) string {
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
func buttons(blocks []map[string]any) map[string]string {
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
