package web

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/acad-lyon/helpdesk-bot/intents"
	"github.com/acad-lyon/helpdesk-bot/internal/report"
	"github.com/acad-lyon/helpdesk-bot/internal/store"
)

// Records are what the console reads of the store, and writes to it: the
// questions and votes, the audit log, a person's erasure.
type Records interface {
	Questions(ctx context.Context, since time.Time) ([]store.Question, error)
	Votes(ctx context.Context, since time.Time) ([]store.Tally, error)
	Audit(ctx context.Context, who, what string) error
	EraseUser(ctx context.Context, platform, user string) (int64, error)
}

// period is one of the periods the unanswered page offers.
type period struct {
	Key  string
	Days int
}

var periods = []period{{"1d", 1}, {"7d", 7}, {"30d", 30}, {"90d", 90}}

// day is one day of the chart: the unanswered questions by outcome.
type day struct {
	Date                string
	Suggested, Fallback int
}

// bar is a day of the chart as drawn (SVG coordinates).
type bar struct {
	X, YSuggested, HSuggested, YFallback, HFallback int
	Label, Title                                    string
}

// unanswered is what staff asked in vain, grouped as bot report groups it,
// the entries by share of 👎 and a chart of the days. Every view is in the
// audit log: the questions are staff's personal data.
func (c *console) unanswered(w http.ResponseWriter, r *http.Request) {
	recs := c.records()
	if recs == nil {
		c.render(w, r, "unanswered.html", http.StatusServiceUnavailable, nil, uiLabels[pageLang(r)].NoStore)
		return
	}
	key := r.URL.Query().Get("since")
	days := 7
	for _, p := range periods {
		if p.Key == key {
			days = p.Days
		}
	}
	if site := r.Header.Get("Sec-Fetch-Site"); site == "cross-site" || site == "same-site" {
		// Another site led here: the view (and its audit row) is for the
		// agent to ask for, by following the page's own link.
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		l := uiLabels[pageLang(r)]
		fmt.Fprintf(w, "<!doctype html><meta charset=utf-8><title>%s</title><p><a id=\"open\" href=\"/console/unanswered?since=%dd&amp;lang=%s\">%s</a></p>",
			template.HTMLEscapeString(l.Unanswered), days, pageLang(r), template.HTMLEscapeString(l.Unanswered))
		return
	}
	since := time.Now().AddDate(0, 0, -days)
	who := c.sm.GetString(r.Context(), "user")
	if err := recs.Audit(r.Context(), who, fmt.Sprintf("viewed the unanswered questions of the last %d days", days)); err != nil {
		// No view without its trace.
		c.cfg.Log.Error("console: cannot write the audit log", "err", err)
		http.Error(w, "the audit log cannot be written: the questions are not shown", http.StatusServiceUnavailable)
		return
	}
	qs, err := recs.Questions(r.Context(), since)
	if err != nil {
		http.Error(w, "the store cannot be read", http.StatusServiceUnavailable)
		return
	}
	votes, err := recs.Votes(r.Context(), since)
	if err != nil {
		http.Error(w, "the store cannot be read", http.StatusServiceUnavailable)
		return
	}
	kb := c.cfg.Knowledge()
	rep := report.Build(qs, votes, kb, since)
	c.render(w, r, "unanswered.html", http.StatusOK, struct {
		Days          int
		Periods       []period
		Report        report.Report
		Bars          []bar
		Width, Height int
		Topics        []topic
	}{days, periods, rep, chart(qs, since, days), (days + 1) * (barWidth + 4), chartHeight, topics(kb, pageLang(r))}, "")
}

// topic is an entry offered for a patch.
type topic struct{ ID, Title string }

func topics(kb *intents.Knowledge, lang string) []topic {
	var out []topic
	for _, e := range kb.Entries {
		out = append(out, topic{e.ID, e.Title.In(lang)})
	}
	return out
}

const (
	chartHeight = 160
	barWidth    = 18
)

// chart draws the unanswered questions of each day, by outcome.
func chart(qs []store.Question, since time.Time, days int) []bar {
	byDay := make([]day, days+1)
	start := since.Truncate(24 * time.Hour)
	for i := range byDay {
		byDay[i].Date = start.AddDate(0, 0, i).Format("02/01")
	}
	for _, q := range qs {
		i := int(q.At.Sub(start).Hours() / 24)
		if i < 0 || i >= len(byDay) {
			continue
		}
		if q.Outcome == intents.Suggested {
			byDay[i].Suggested++
		} else {
			byDay[i].Fallback++
		}
	}
	most := 1
	for _, d := range byDay {
		most = max(most, d.Suggested+d.Fallback)
	}
	scale := func(n int) int { return n * (chartHeight - 20) / most }
	var bars []bar
	for i, d := range byDay {
		hs, hf := scale(d.Suggested), scale(d.Fallback)
		base := chartHeight - 16
		bars = append(bars, bar{X: i * (barWidth + 4), YSuggested: base - hs, HSuggested: hs, YFallback: base - hs - hf, HFallback: hf,
			Label: d.Date, Title: fmt.Sprintf("%s : %d proposées, %d sans réponse", d.Date, d.Suggested, d.Fallback)})
	}
	return bars
}

// purge erases one person's votes and questions, as `bot purge --user`.
func (c *console) purge(w http.ResponseWriter, r *http.Request) {
	recs := c.records()
	l := uiLabels[pageLang(r)]
	if recs == nil {
		c.render(w, r, "unanswered.html", http.StatusServiceUnavailable, nil, l.NoStore)
		return
	}
	platform, id, ok := strings.Cut(strings.TrimSpace(r.PostFormValue("user")), ":")
	if !ok || id == "" || !slices.Contains([]string{"slack", "discord"}, platform) {
		c.render(w, r, "purged.html", http.StatusBadRequest, nil, l.BadUser)
		return
	}
	who := c.sm.GetString(r.Context(), "user")
	if err := recs.Audit(r.Context(), who, "erased the data of a person ("+platform+")"); err != nil {
		http.Error(w, "the audit log cannot be written: nothing was erased", http.StatusServiceUnavailable)
		return
	}
	n, err := recs.EraseUser(r.Context(), platform, id)
	if err != nil {
		http.Error(w, "the store cannot be written", http.StatusServiceUnavailable)
		return
	}
	c.render(w, r, "purged.html", http.StatusOK, n, "")
}
