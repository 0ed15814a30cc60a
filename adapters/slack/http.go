package slack

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/acad-lyon/helpdesk-bot/internal/webhook"
)

// Handler serves Slack's HTTP requests in HTTP Events mode:
// POST /slack/events (Events API), /slack/commands (slash commands) and
// /slack/interactions (buttons). Every request's signature and timestamp
// are checked before anything is parsed (webhook.Guard); Slack gets its
// acknowledgement at once and the reply follows through the Web API.
func (a *Adapter) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /slack/events", a.serveEvents)
	mux.Handle("POST /slack/commands", a.once(a.serveCommand))
	mux.Handle("POST /slack/interactions", a.once(a.serveInteraction))
	guarded := webhook.Guard{Check: a.signed, Verify: a.verify, OnRejected: a.cfg.OnRejected, Log: a.Log}.Wrap(mux)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a.cfg.SigningSecret == "" {
			http.Error(w, "HTTP events are not enabled (no signing secret)", http.StatusNotFound)
			return
		}
		guarded.ServeHTTP(w, r)
	})
}

// signed refuses, before its body is read, a request with no signature or
// whose timestamp is more than five minutes off.
func (a *Adapter) signed(r *http.Request) string {
	sig, stamp := r.Header.Get("X-Slack-Signature"), r.Header.Get("X-Slack-Request-Timestamp")
	if sig == "" || stamp == "" {
		return "unsigned"
	}
	if at, err := strconv.ParseInt(stamp, 10, 64); err != nil || a.Clock.Since(time.Unix(at, 0)).Abs() > 5*time.Minute {
		return "stale timestamp"
	}
	return ""
}

// verify checks X-Slack-Signature against the body under the signing
// secret.
func (a *Adapter) verify(h http.Header, body []byte) string {
	sv, err := slack.NewSecretsVerifier(h, a.cfg.SigningSecret)
	if err == nil {
		sv.Write(body)
		err = sv.Ensure()
	}
	switch {
	case errors.Is(err, slack.ErrExpiredTimestamp):
		return "stale timestamp"
	case err != nil:
		return "bad signature"
	}
	return ""
}

// once answers a replayed slash command or click (the same signature
// again) with a bare 200: Slack never sends one twice. Events carry their
// event_id, de-duplicated with the retries; a command or a click carries
// nothing else to tell a replay by.
func (a *Adapter) once(next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !a.Once("signature:" + r.Header.Get("X-Slack-Signature")) {
			a.Log.Warn("slack: replayed request ignored", "path", r.URL.Path, "remote", r.RemoteAddr)
			w.WriteHeader(http.StatusOK)
			return
		}
		next(w, r)
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
		if ch, ok := e.Data.(*slackevents.EventsAPIURLVerificationEvent); ok {
			w.Header().Set("Content-Type", "text/plain")
			io.WriteString(w, ch.Challenge)
		}
		return
	case slackevents.CallbackEvent:
		if !a.Ready() || !a.dispatchEvent(e) {
			// Not yet connected, or not taken: Slack will deliver it again.
			w.Header().Set("Retry-After", "1")
			http.Error(w, "not taken, try again", http.StatusServiceUnavailable)
			return
		}
	}
	w.WriteHeader(http.StatusOK)
}

// take queues a slash command or a click, and reports false when it was
// not taken (the adapter is not running).
func (a *Adapter) take(data any) bool {
	switch d := data.(type) {
	case slack.SlashCommand:
		return a.Go("slash command", func(ctx context.Context) error { return a.onCommand(ctx, d) })
	case slack.InteractionCallback:
		return a.Go("interaction", func(ctx context.Context) error { return a.onInteraction(ctx, d) })
	}
	return true
}

func (a *Adapter) serveCommand(w http.ResponseWriter, r *http.Request) {
	cmd, err := slack.SlashCommandParse(r)
	a.serveTaken(w, cmd, err)
}

func (a *Adapter) serveInteraction(w http.ResponseWriter, r *http.Request) {
	var cb slack.InteractionCallback
	err := r.ParseForm()
	if err == nil {
		err = json.Unmarshal([]byte(r.PostForm.Get("payload")), &cb)
	}
	a.serveTaken(w, cb, err)
}

// serveTaken acknowledges a command or a click once taken; one not taken
// is not acknowledged, and Slack tells the person it failed.
func (a *Adapter) serveTaken(w http.ResponseWriter, data any, err error) {
	switch {
	case err != nil:
		http.Error(w, "unreadable request", http.StatusBadRequest)
	case !a.take(data):
		http.Error(w, "not running", http.StatusServiceUnavailable)
	default:
		w.WriteHeader(http.StatusOK)
	}
}
