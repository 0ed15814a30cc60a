// Package metrics exposes how the bot answers in the Prometheus format, with
// github.com/prometheus/client_golang: questions by platform and outcome,
// matching latency, feedback votes, knowledge reloads, adapter reconnections
// and rate-limit waits. No label ever carries a question or a user.
package metrics

import (
	"context"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/acad-lyon/helpdesk-bot/intents"
	"github.com/acad-lyon/helpdesk-bot/internal/chat"
)

// Metrics is the bot's registry of metrics.
type Metrics struct {
	reg        *prometheus.Registry
	questions  *prometheus.CounterVec
	latency    *prometheus.HistogramVec
	votes      *prometheus.CounterVec
	recorded   *prometheus.CounterVec
	reloads    *prometheus.CounterVec
	valid      prometheus.Gauge
	entries    prometheus.Gauge
	reconnects *prometheus.CounterVec
	limits     *prometheus.CounterVec
	limitWait  *prometheus.CounterVec
	refused    *prometheus.CounterVec
	claims     *prometheus.CounterVec
	dropped    *prometheus.CounterVec
	rejected   *prometheus.CounterVec
	late       *prometheus.CounterVec
	takeovers  *prometheus.CounterVec
	readings   *prometheus.CounterVec
	degraded   prometheus.Gauge
}

// New creates the metrics, with the Go runtime's and the process's.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		questions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "helpdesk_questions_total", Help: "Questions the bot responded to, by platform and by what it said: answered, suggested (did you mean), redirected (another service), fallback, empty (a hint), secret (the private warning), limited (over a flood limit: one notice, then silence). Counted once said.",
		}, []string{"platform", "outcome"}),
		degraded: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "helpdesk_store_degraded", Help: "1 while the store, which did not answer in time, is let alone for a few seconds and questions are answered without it (no inbox, no shared memory of conversations), 0 otherwise.",
		}),
		readings: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "helpdesk_conversation_readings_total", Help: "Replies that used the conversation before the message, by platform and reading: follow-up (read with the conversation's topic), pick (a choice among what was offered), next-step (the last answer did not help), handoff (handed over to a person, with what was tried). Counted once said.",
		}, []string{"platform", "reading"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "helpdesk_matching_seconds", Help: "Seconds to match a question and build the reply, by platform.",
			Buckets: []float64{0.00001, 0.00003, 0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1},
		}, []string{"platform"}),
		votes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "helpdesk_feedback_votes_total", Help: "Was-this-helpful votes, by platform, entry and vote (up, down).",
		}, []string{"platform", "entry", "vote"}),
		recorded: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "helpdesk_store_writes_total", Help: "Votes and unanswered questions written to the store, by kind (vote, question) and result (ok, failed).",
		}, []string{"kind", "result"}),
		reloads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "helpdesk_knowledge_reloads_total", Help: "Knowledge reloads, by result (ok; failed: the files have problems and the previous knowledge stays in service).",
		}, []string{"result"}),
		valid: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "helpdesk_knowledge_valid", Help: "1 when the last knowledge load succeeded, 0 when the bot serves older knowledge because the files have problems.",
		}),
		entries: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "helpdesk_knowledge_entries", Help: "Entries in the knowledge being served (services apart).",
		}),
		reconnects: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "helpdesk_adapter_reconnects_total", Help: "Reconnections of a platform connection (Socket Mode, the Discord gateway), by platform.",
		}, []string{"platform"}),
		limits: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "helpdesk_rate_limit_waits_total", Help: "Times a platform asked the bot to wait (HTTP 429), by platform.",
		}, []string{"platform"}),
		limitWait: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "helpdesk_rate_limit_wait_seconds_total", Help: "Seconds spent waiting out the rate limits a platform asked for, by platform.",
		}, []string{"platform"}),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "helpdesk_events_refused_total", Help: "Events not taken, by platform and reason (overloaded: the queue was full; stopping: the adapter was draining); Slack delivers a refused event again.",
		}, []string{"platform", "reason"}),
		claims: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "helpdesk_claims_total", Help: "Work claimed across replicas (events, votes, calls for a person), by platform and result (won: this replica did it; lost: another one had claimed it).",
		}, []string{"platform", "result"}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "helpdesk_http_rejected_total", Help: "HTTP requests rejected before any work, by platform and reason (unsigned, stale timestamp, bad signature, busy, body unreadable...).",
		}, []string{"platform", "reason"}),
		dropped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "helpdesk_store_writes_dropped_total", Help: "Votes and unanswered questions not written, by reason (full: the queue was full; failed: every retry failed; shutdown: still queued at the end).",
		}, []string{"reason"}),
		late: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "helpdesk_late_answers_total", Help: "Questions a replica left unanswered (it died or was killed) and another replica, or this process restarted, took over, by platform and result (answered: late; already: it had been answered before the replica died; stale: too old, dropped without an answer).",
		}, []string{"platform", "result"}),
		takeovers: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "helpdesk_takeovers_total", Help: "Times this replica took over a connection that only one replica holds (the Discord gateway) after another one held it, by platform.",
		}, []string{"platform"}),
	}
	m.reg.MustRegister(m.degraded, m.readings, m.late, m.takeovers, m.questions, m.latency, m.votes, m.recorded, m.reloads, m.valid, m.entries, m.reconnects, m.limits, m.limitWait, m.refused, m.claims, m.dropped, m.rejected,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.valid.Set(1)
	return m
}

// Handler serves /metrics.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Helpdesk times the questions a platform asks h: a middleware on the
// seam, as an http.Handler wraps another.
func (m *Metrics) Helpdesk(h chat.Helpdesk, platform string) chat.Helpdesk {
	return &observed{h: h, m: m, platform: platform, latency: m.latency.WithLabelValues(platform)}
}

// Said returns the hook an adapter calls for each response said
// (chat.Settings.OnSaid): what is counted is what people were told.
func (m *Metrics) Said(platform string) func(what string) {
	for _, o := range []string{string(intents.Answered), string(intents.Suggested), string(intents.Redirected), string(intents.Fallback), string(intents.Empty), string(intents.Secret), chat.SaidLimited} {
		m.questions.WithLabelValues(platform, o) // export zeros
	}
	return func(what string) { m.questions.WithLabelValues(platform, what).Inc() }
}

// Read returns the hook an adapter calls for each reply said that used the
// conversation (chat.Settings.OnRead).
func (m *Metrics) Read(platform string) func(reading string) {
	for _, r := range []string{intents.ReadFollowUp, intents.ReadPick, intents.ReadNext, intents.ReadHandoff} {
		m.readings.WithLabelValues(platform, r) // export zeros
	}
	return func(reading string) { m.readings.WithLabelValues(platform, reading).Inc() }
}

type observed struct {
	h        chat.Helpdesk
	m        *Metrics
	platform string
	latency  prometheus.Observer
}

func (o *observed) Current() chat.Core { return observedCore{o.h.Current(), o} }

type observedCore struct {
	chat.Core
	o *observed
}

func (c observedCore) Answer(ctx context.Context, q intents.Question) (intents.Reply, error) {
	start := time.Now()
	r, err := c.Core.Answer(ctx, q)
	if err == nil {
		c.o.latency.Observe(time.Since(start).Seconds())
	}
	return r, err
}

// Recorder counts the votes and the writes passing to r.
func (m *Metrics) Recorder(r chat.Recorder) chat.Recorder { return &counted{r: r, m: m} }

type counted struct {
	r chat.Recorder
	m *Metrics
}

func (c *counted) RecordVote(ctx context.Context, v chat.Vote) error {
	vote := "down"
	if v.Helpful {
		vote = "up"
	}
	c.m.votes.WithLabelValues(v.Platform, v.Entry, vote).Inc()
	err := c.r.RecordVote(ctx, v)
	c.m.recorded.WithLabelValues("vote", result(err)).Inc()
	return err
}

func (c *counted) RecordUnanswered(ctx context.Context, u chat.Unanswered) error {
	err := c.r.RecordUnanswered(ctx, u)
	c.m.recorded.WithLabelValues("question", result(err)).Inc()
	return err
}

func result(err error) string {
	if err != nil {
		return "failed"
	}
	return "ok"
}

// Loaded records a knowledge (re)load.
func (m *Metrics) Loaded(ok bool, entries int) {
	res, valid := "ok", 1.0
	if !ok {
		res, valid = "failed", 0
	}
	m.reloads.WithLabelValues(res).Inc()
	m.valid.Set(valid)
	m.entries.Set(float64(entries))
}

// Connected returns the hook an adapter calls on each (re)connection.
func (m *Metrics) Connected(platform string) func(reconnect bool) {
	c := m.reconnects.WithLabelValues(platform)
	return func(reconnect bool) {
		if reconnect {
			c.Inc()
		}
	}
}

// Rejected returns the hook an adapter calls for each HTTP request it
// rejects.
func (m *Metrics) Rejected(platform string) func(reason string) {
	return func(reason string) { m.rejected.WithLabelValues(platform, reason).Inc() }
}

// Claimed returns the hook an adapter calls for each claim across replicas.
func (m *Metrics) Claimed(platform string) func(won bool) {
	won, lost := m.claims.WithLabelValues(platform, "won"), m.claims.WithLabelValues(platform, "lost")
	return func(w bool) {
		if w {
			won.Inc()
		} else {
			lost.Inc()
		}
	}
}

// Late returns the hook an adapter calls for each question taken over
// from another replica (chat.Settings.OnLate).
func (m *Metrics) Late(platform string) func(result string) {
	for _, r := range []string{chat.LateAnswered, chat.LateAlready, chat.LateStale} {
		m.late.WithLabelValues(platform, r) // export zeros
	}
	return func(result string) { m.late.WithLabelValues(platform, result).Inc() }
}

// Takeover returns the hook an adapter calls each time it takes over a
// connection from another replica (chat.Settings.OnTakeover).
func (m *Metrics) Takeover(platform string) func() {
	c := m.takeovers.WithLabelValues(platform)
	return c.Inc
}

// StoreDegraded records whether the store is let alone for not answering.
func (m *Metrics) StoreDegraded(on bool) {
	if on {
		m.degraded.Set(1)
	} else {
		m.degraded.Set(0)
	}
}

// StoreDropped counts a vote or question not written (chat.Queued.OnDropped).
func (m *Metrics) StoreDropped(reason string) { m.dropped.WithLabelValues(reason).Inc() }

// Refused returns the hook an adapter calls for each event it does not take.
func (m *Metrics) Refused(platform string) func(reason string) {
	for _, r := range []string{"overloaded", "stopping"} {
		m.refused.WithLabelValues(platform, r) // export zeros
	}
	return func(reason string) { m.refused.WithLabelValues(platform, reason).Inc() }
}

// RateLimited returns the hook an adapter calls on each rate-limit wait.
func (m *Metrics) RateLimited(platform string) func(wait time.Duration) {
	n, s := m.limits.WithLabelValues(platform), m.limitWait.WithLabelValues(platform)
	return func(wait time.Duration) {
		n.Inc()
		s.Add(wait.Seconds())
	}
}
