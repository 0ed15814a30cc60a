package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

// maxBody bounds a request from Slack; real ones are a few kilobytes. At
// most maxReaders are read at once, each within bodyTimeout.
const (
	maxBody     = 1 << 20
	maxReaders  = 32
	bodyTimeout = 10 * time.Second
)

// Handler serves Slack's HTTP requests in HTTP Events mode:
// POST /slack/events (Events API), /slack/commands (slash commands) and
// /slack/interactions (buttons). Every request's signature and timestamp
// are checked before anything is parsed; Slack gets its acknowledgement at
// once and the reply follows through the Web API.
func (a *Adapter) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /slack/events", a.serveEvents)
	mux.HandleFunc("POST /slack/commands", a.serveCommand)
	mux.HandleFunc("POST /slack/interactions", a.serveInteraction)
	return a.verified(mux)
}

// verified rejects, with 401, any request whose X-Slack-Signature does not
// match its body under the signing secret or whose timestamp is more than
// five minutes off, and answers a replayed slash command or click (the same
// signature again) with a bare 200: Slack never sends one twice. Unsigned and stale requests are refused before
// their body is read. The log line names the path and the reason, never
// the body.
func (a *Adapter) verified(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a.cfg.SigningSecret == "" {
			http.Error(w, "HTTP events are not enabled (no signing secret)", http.StatusNotFound)
			return
		}
		refuse := func(code int, reason string) {
			if a.cfg.OnRejected != nil {
				a.cfg.OnRejected(reason)
			}
			if a.rejectLog.Allow() { // a flood of bad requests is not a flood of log lines
				a.log.Warn("slack: request rejected", "path", r.URL.Path, "remote", r.RemoteAddr, "reason", reason)
			}
			http.Error(w, http.StatusText(code), code)
		}
		reject := func(reason string) { refuse(http.StatusUnauthorized, reason) }
		sig, stamp := r.Header.Get("X-Slack-Signature"), r.Header.Get("X-Slack-Request-Timestamp")
		if sig == "" || stamp == "" {
			reject("unsigned")
			return
		}
		if at, err := strconv.ParseInt(stamp, 10, 64); err != nil || time.Since(time.Unix(at, 0)).Abs() > 5*time.Minute {
			reject("stale timestamp")
			return
		}
		// At most maxReaders bodies are read at once, each within
		// bodyTimeout: slow clients cannot hold more than maxReaders MiB.
		select {
		case a.readers <- struct{}{}:
			defer func() { <-a.readers }()
		default:
			w.Header().Set("Retry-After", "1")
			refuse(http.StatusServiceUnavailable, "busy")
			return
		}
		http.NewResponseController(w).SetReadDeadline(time.Now().Add(bodyTimeout))
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
		if err != nil {
			refuse(http.StatusRequestEntityTooLarge, "body unreadable, too slow or too large")
			return
		}
		sv, err := slack.NewSecretsVerifier(r.Header, a.cfg.SigningSecret)
		if err == nil {
			sv.Write(body)
			err = sv.Ensure()
		}
		if err != nil {
			reason := "bad signature"
			if errors.Is(err, slack.ErrExpiredTimestamp) {
				reason = "stale timestamp"
			}
			reject(reason)
			return
		}
		// Events carry their event_id, de-duplicated with the retries; a
		// command or a click carries nothing else to tell a replay by.
		if r.URL.Path != "/slack/events" && !a.seen.First("signature:"+sig) {
			a.log.Warn("slack: replayed request ignored", "path", r.URL.Path, "remote", r.RemoteAddr)
			w.WriteHeader(http.StatusOK)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(w, r)
	})
}

func (a *Adapter) serveEvents(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	e, err := slackevents.ParseEvent(json.RawMessage(body), slackevents.OptionNoVerifyToken())
	if err != nil {
		http.Error(w, "unreadable event", http.StatusBadRequest)
		return
	}
	switch e.Type {
	case slackevents.URLVerification:
		var ch struct {
			Challenge string `json:"challenge"`
		}
		json.Unmarshal(body, &ch)
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, ch.Challenge)
		return
	case slackevents.CallbackEvent:
		if !a.Ready() {
			// Not yet connected: Slack will deliver it again.
			w.Header().Set("Retry-After", "1")
			http.Error(w, "starting", http.StatusServiceUnavailable)
			return
		}
		if !a.dispatchEvent(e) {
			// Not taken: Slack will deliver it again.
			w.Header().Set("Retry-After", "1")
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
	}
	w.WriteHeader(http.StatusOK)
}

func (a *Adapter) serveCommand(w http.ResponseWriter, r *http.Request) {
	cmd, err := slack.SlashCommandParse(r)
	if err != nil {
		http.Error(w, "unreadable command", http.StatusBadRequest)
		return
	}
	if !a.spawn("slash command", func(ctx context.Context) error { return a.onCommand(ctx, cmd) }) {
		http.Error(w, "not running", http.StatusServiceUnavailable) // not acknowledged: Slack tells the agent
		return
	}
	w.WriteHeader(http.StatusOK)
}

func (a *Adapter) serveInteraction(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "unreadable interaction", http.StatusBadRequest)
		return
	}
	var cb slack.InteractionCallback
	if err := json.Unmarshal([]byte(r.PostForm.Get("payload")), &cb); err != nil {
		http.Error(w, "unreadable interaction", http.StatusBadRequest)
		return
	}
	if !a.spawn("interaction", func(ctx context.Context) error { return a.onInteraction(ctx, cb) }) {
		http.Error(w, "not running", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusOK)
}
