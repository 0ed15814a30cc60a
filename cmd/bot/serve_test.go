package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/acad-lyon/helpdesk-bot/internal/store"
)

// Replicas sharing a database purge it one at a time: the first to claim
// the day's purge does it, the others leave it.
func TestRetentionOneReplicaADay(t *testing.T) {
	dsn := filepath.Join(t.TempDir(), "helpdesk.db")
	var replicas []*store.Store
	for range 2 {
		st, err := store.Open(context.Background(), dsn, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		replicas = append(replicas, st)
	}
	log := slog.New(slog.DiscardHandler)
	if !purgeOnce(context.Background(), replicas[0], 90*24*time.Hour, log) {
		t.Error("the first replica did not purge")
	}
	if purgeOnce(context.Background(), replicas[1], 90*24*time.Hour, log) {
		t.Error("the second replica purged too, the same day")
	}
}

// With METRICS_TOKEN set, /metrics answers only the bearer of the token;
// a short token is refused at start.
func TestMetricsBehindBearerToken(t *testing.T) {
	const token = "a-metrics-token-of-twenty-characters"
	h := bearer(token, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "helpdesk_up 1\n") }))
	for _, c := range []struct {
		auth string
		want int
	}{{"", 401}, {"Bearer wrong", 401}, {token, 401}, {"Basic " + token, 401}, {"Bearer " + token, 200}} {
		r := httptest.NewRequest("GET", "/metrics", nil)
		if c.auth != "" {
			r.Header.Set("Authorization", c.auth)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != c.want || (c.want == 401 && (w.Header().Get("WWW-Authenticate") == "" || strings.Contains(w.Body.String(), "helpdesk_up"))) {
			t.Errorf("Authorization %q: %d %q; want %d", c.auth, w.Code, w.Body.String(), c.want)
		}
	}
	env := func(vars map[string]string) env { return func(k string) string { return vars[k] } }
	if _, err := readServiceConfig(env(map[string]string{"METRICS_TOKEN": "short"})); err == nil || !strings.Contains(err.Error(), "METRICS_TOKEN must be at least 20") {
		t.Errorf("a short METRICS_TOKEN: %v", err)
	}
	if c, err := readServiceConfig(env(map[string]string{"METRICS_TOKEN": token})); err != nil || c.metricsToken != token {
		t.Errorf("METRICS_TOKEN: %v, %q", err, c.metricsToken)
	}
}
