package metrics

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/acad-lyon/helpdesk-bot/intents"
	"github.com/acad-lyon/helpdesk-bot/internal/chat"
	"github.com/acad-lyon/helpdesk-bot/internal/chat/chattest"
)

func TestCountsQuestionsVotesAndWaits(t *testing.T) {
	m := New()
	hd := m.Helpdesk(chat.Fixed(chattest.Shipped(t)), "slack").Current()
	said := m.Said("slack")
	for _, q := range []string{"jai oublie mon mdp", "quel port imap", "la cantine est fermée ?"} {
		r, err := hd.Answer(context.Background(), intents.Question{Text: q})
		if err != nil {
			t.Fatal(err)
		}
		said(string(r.Outcome))
	}
	said(chat.SaidLimited)
	rec := m.Recorder(chat.Discard{})
	rec.RecordVote(context.Background(), chat.Vote{Platform: "slack", Entry: "imap-settings", Helpful: false})
	m.RateLimited("discord")(1500 * time.Millisecond)
	m.Connected("discord")(true)
	m.Loaded(false, 17)

	for _, c := range []struct {
		got  float64
		want float64
		what string
	}{
		{testutil.ToFloat64(m.questions.WithLabelValues("slack", "answered")), 2, "answered"},
		{testutil.ToFloat64(m.questions.WithLabelValues("slack", "fallback")), 1, "fallback"},
		{testutil.ToFloat64(m.questions.WithLabelValues("slack", "limited")), 1, "limited"},
		{testutil.ToFloat64(m.votes.WithLabelValues("slack", "imap-settings", "down")), 1, "votes down"},
		{testutil.ToFloat64(m.limitWait.WithLabelValues("discord")), 1.5, "rate-limit seconds"},
		{testutil.ToFloat64(m.reconnects.WithLabelValues("discord")), 1, "reconnects"},
		{testutil.ToFloat64(m.valid), 0, "knowledge valid"},
	} {
		if c.got != c.want {
			t.Errorf("%s = %v; want %v", c.what, c.got, c.want)
		}
	}
	rr := httptest.NewRecorder()
	m.Handler().ServeHTTP(rr, httptest.NewRequest("GET", "/metrics", nil))
	body := rr.Body.String()
	for _, want := range []string{"helpdesk_matching_seconds_bucket", "go_goroutines", `helpdesk_questions_total{outcome="empty",platform="slack"} 0`} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

// Every metric of the bot says what it counts and what each of its labels
// means: an operator reads /metrics without the source.
func TestHelpTextsComplete(t *testing.T) {
	m := New()
	m.Said("slack")(chat.SaidLimited)
	m.Late("slack")(chat.LateAnswered)
	m.Takeover("discord")()
	m.Claimed("slack")(true)
	m.Refused("slack")("overloaded")
	m.Rejected("slack")("busy")
	m.StoreDropped("full")
	m.RateLimited("slack")(time.Second)
	m.Connected("slack")(true)
	m.Helpdesk(chat.Fixed(chattest.Shipped(t)), "slack").Current().Answer(context.Background(), intents.Question{Text: "port imap"})
	m.Recorder(chat.Discard{}).RecordVote(context.Background(), chat.Vote{Platform: "slack", Entry: "imap-settings"})
	families, err := m.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range families {
		if !strings.HasPrefix(f.GetName(), "helpdesk_") {
			continue
		}
		n++
		help := f.GetHelp()
		if len(help) < 30 || !strings.HasSuffix(help, ".") {
			t.Errorf("%s: HELP %q says too little", f.GetName(), help)
		}
		for _, metric := range f.GetMetric() {
			for _, l := range metric.GetLabel() {
				if name := l.GetName(); !strings.Contains(help, name) && !strings.Contains(help, l.GetValue()) {
					t.Errorf("%s: HELP %q does not say what its label %q is", f.GetName(), help, name)
				}
			}
		}
	}
	if n < 15 {
		t.Errorf("%d helpdesk_ metrics gathered; want every one", n)
	}
}
