// Package report turns what the store kept into what FAQ maintainers act on:
// the questions the bot could not answer, grouped by similarity with their
// counts and the entry each group came closest to, the entries people
// found unhelpful, and ready-to-paste YAML of example questions to add.
package report

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/acad-lyon/helpdesk-bot/intents"
	"github.com/acad-lyon/helpdesk-bot/internal/matcher"
	"github.com/acad-lyon/helpdesk-bot/internal/store"
)

// Report is what maintainers read.
type Report struct {
	Since     time.Time
	Questions int // unanswered questions in the period
	Groups    []Group
	Entries   []Votes
}

// Group is one unanswered question and its paraphrases.
type Group struct {
	// Questions are the distinct phrasings, most frequent first.
	Questions []string
	Count     int
	Lang      string
	// Closest is the entry the group came closest to most often ("" when
	// the bot had no idea), with its title.
	Closest, Title string
	Suggested      int // times the bot offered "did you mean"
}

// Votes are the votes on one entry.
type Votes struct {
	Entry, Title string
	Up, Down     int
}

// DownShare is the share of 👎 among the votes.
func (v Votes) DownShare() float64 {
	if v.Up+v.Down == 0 {
		return 0
	}
	return float64(v.Down) / float64(v.Up+v.Down)
}

// similar is the Dice similarity of two questions' stemmed content words,
// compared by character trigrams, from which they are one question asked
// two ways ("imprimer un document" / "imprimer un doc svp").
const similar = 0.5

// Build groups the questions and ranks the entries.
func Build(qs []store.Question, tallies []store.Tally, kb *intents.Knowledge, since time.Time) Report {
	r := Report{Since: since, Questions: len(qs)}
	// Rows kept before the store masked them are masked on the way out.
	masked := map[string]string{}
	for i := range qs {
		m, ok := masked[qs[i].Text]
		if !ok {
			m = intents.MaskSecrets(qs[i].Text)
			masked[qs[i].Text] = m
		}
		qs[i].Text = m
	}
	var reps []map[string]bool   // each group's first phrasing, by trigram
	byGram := map[string][]int{} // trigram -> the groups whose first phrasing has it, in order
	seen := map[[2]string]int{}  // a phrasing already grouped -> its group: staff ask alike
	shared := map[int]int{}      // group -> trigrams shared with the question being grouped
	var keys matcher.ContentKeys // each word stemmed once
	phrasings := []map[string]int{}
	closest := []map[string]int{}
	for _, q := range qs {
		text := strings.Join(strings.Fields(q.Text), " ")
		if text == "" {
			continue
		}
		best, known := seen[[2]string{q.Lang, text}]
		if !known {
			g := trigrams(keys.Key(text, q.Lang))
			if len(g) == 0 {
				g = trigrams(matcher.Fold(text))
			}
			// Only the groups that share a trigram can be similar: the
			// others are not compared (grouping stays near-linear).
			// The Dice similarity with every group at once, from the trigrams
			// they share (counted through the index): only the groups that
			// share one are touched.
			best = -1
			bestSim := 0.0
			clear(shared)
			for gram := range g {
				for _, grp := range byGram[gram] {
					shared[grp]++
				}
			}
			for grp, n := range shared {
				s := 2 * float64(n) / float64(len(g)+len(reps[grp]))
				if s >= similar && (s > bestSim || s == bestSim && grp < best) {
					best, bestSim = grp, s
				}
			}
			if best < 0 {
				best = len(r.Groups)
				reps = append(reps, g)
				for gram := range g {
					byGram[gram] = append(byGram[gram], best)
				}
				r.Groups = append(r.Groups, Group{Lang: q.Lang})
				phrasings = append(phrasings, map[string]int{})
				closest = append(closest, map[string]int{})
			}
			seen[[2]string{q.Lang, text}] = best
		}
		grp := &r.Groups[best]
		grp.Count++
		if q.Outcome == intents.Suggested {
			grp.Suggested++
		}
		phrasings[best][text]++
		if q.Closest != "" {
			closest[best][q.Closest]++
		}
	}
	for i := range r.Groups {
		grp := &r.Groups[i]
		grp.Questions = byCount(phrasings[i])
		if c := byCount(closest[i]); len(c) > 0 {
			grp.Closest = c[0]
			if e, ok := kb.Entry(grp.Closest); ok {
				grp.Title = e.Title.In(grp.Lang)
			}
		}
	}
	slices.SortStableFunc(r.Groups, func(a, b Group) int { return cmp.Compare(b.Count, a.Count) })
	for _, t := range tallies {
		v := Votes{Entry: t.Entry, Up: t.Up, Down: t.Down}
		if e, ok := kb.Entry(t.Entry); ok {
			v.Title = e.Title.FR
		}
		r.Entries = append(r.Entries, v)
	}
	slices.SortStableFunc(r.Entries, func(a, b Votes) int {
		if c := cmp.Compare(b.DownShare(), a.DownShare()); c != 0 {
			return c
		}
		return cmp.Compare(b.Down, a.Down)
	})
	return r
}

// byCount returns the keys of m, most frequent first, ties in order.
func byCount(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		if c := cmp.Compare(m[b], m[a]); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	return keys
}

func trigrams(s string) map[string]bool {
	out := map[string]bool{}
	for _, w := range strings.Fields(s) {
		w = " " + w + " "
		for i := 0; i+3 <= len(w); i++ {
			out[w[i:i+3]] = true
		}
	}
	return out
}

// Format is how the report is written.
type Format string

// The formats of the report.
const (
	Text     Format = "text"
	Markdown Format = "markdown"
	YAML     Format = "yaml"
)

// maxShown bounds the phrasings shown per group.
const maxShown = 5

// Write writes the report in format f.
func (r Report) Write(w io.Writer, f Format, knowledgePath string) error {
	switch f {
	case Markdown:
		return r.markdown(w)
	case YAML:
		return r.yaml(w, knowledgePath)
	}
	return r.text(w, knowledgePath)
}

func (r Report) text(w io.Writer, path string) error {
	fmt.Fprintf(w, "Questions the bot could not answer directly since %s: %d, in %d groups\n\n", r.Since.Format("2006-01-02"), r.Questions, len(r.Groups))
	for i, g := range r.Groups {
		fmt.Fprintf(w, "%3d. ×%d  %s\n", i+1, g.Count, g.Questions[0])
		for _, q := range g.Questions[1:min(len(g.Questions), maxShown)] {
			fmt.Fprintf(w, "          also: %s\n", q)
		}
		if g.Closest != "" {
			fmt.Fprintf(w, "          closest entry: %s (%s); did-you-mean offered %d time(s)\n", g.Closest, g.Title, g.Suggested)
		} else {
			fmt.Fprintf(w, "          no close entry: a new entry may be needed\n")
		}
	}
	if len(r.Groups) == 0 {
		fmt.Fprintln(w, "  (none)")
	}
	fmt.Fprintf(w, "\nEntries by share of 👎 since %s\n\n", r.Since.Format("2006-01-02"))
	for _, v := range r.Entries {
		fmt.Fprintf(w, "  %3.0f%% 👎  (%d 👎 / %d 👍)  %s  %s\n", 100*v.DownShare(), v.Down, v.Up, v.Entry, v.Title)
	}
	if len(r.Entries) == 0 {
		fmt.Fprintln(w, "  (no votes)")
	}
	fmt.Fprintln(w, "\nExample questions to add (bot report --format yaml):")
	return r.yaml(w, path)
}

func (r Report) markdown(w io.Writer) error {
	fmt.Fprintf(w, "## Unanswered questions since %s\n\n%d questions in %d groups.\n\n", r.Since.Format("2006-01-02"), r.Questions, len(r.Groups))
	if len(r.Groups) > 0 {
		fmt.Fprintln(w, "| # | count | question (and paraphrases) | closest entry |\n|---|---|---|---|")
		for i, g := range r.Groups {
			qs := g.Questions[:min(len(g.Questions), maxShown)]
			closest := "—"
			if g.Closest != "" {
				closest = "`" + g.Closest + "` " + g.Title
			}
			fmt.Fprintf(w, "| %d | %d | %s | %s |\n", i+1, g.Count, mdCell(strings.Join(qs, " / ")), mdCell(closest))
		}
	}
	fmt.Fprintf(w, "\n## Entries by share of 👎\n\n")
	if len(r.Entries) > 0 {
		fmt.Fprintln(w, "| entry | 👎 share | 👎 | 👍 |\n|---|---|---|---|")
		for _, v := range r.Entries {
			fmt.Fprintf(w, "| `%s` %s | %.0f%% | %d | %d |\n", v.Entry, mdCell(v.Title), 100*v.DownShare(), v.Down, v.Up)
		}
	} else {
		fmt.Fprintln(w, "No votes.")
	}
	return nil
}

func mdCell(s string) string { return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s) }

// yaml writes, per entry, the example questions to paste into its
// questions: block, as YAML a contributor can check with `bot validate`.
func (r Report) yaml(w io.Writer, path string) error {
	type snippet struct {
		entry, lang string
		qs          []string
	}
	var out []snippet
	at := map[string]int{}
	var orphans []string
	for _, g := range r.Groups {
		var qs []string
		for _, q := range g.Questions[:min(len(g.Questions), maxShown)] {
			if !strings.Contains(q, intents.Masked) { // never propose a masked question as an example
				qs = append(qs, q)
			}
		}
		if len(qs) == 0 {
			continue
		}
		if g.Closest == "" {
			orphans = append(orphans, qs[0])
			continue
		}
		k := g.Closest + "/" + g.Lang
		if i, ok := at[k]; ok {
			out[i].qs = append(out[i].qs, qs...)
			continue
		}
		at[k] = len(out)
		out = append(out, snippet{g.Closest, g.Lang, qs})
	}
	if len(out) == 0 && len(orphans) == 0 {
		_, err := fmt.Fprintln(w, "# nothing to add")
		return err
	}
	for _, s := range out {
		fmt.Fprintf(w, "# %s, entry %q, under questions: > %s: (keep only the ones this entry should answer)\n", path, s.entry, s.lang)
		b, err := yaml.Marshal(s.qs)
		if err != nil {
			return err
		}
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	if len(orphans) > 0 {
		fmt.Fprintln(w, "# close to no entry: candidates for new entries")
		b, err := yaml.Marshal(orphans)
		if err != nil {
			return err
		}
		for _, line := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
			fmt.Fprintln(w, "# "+line)
		}
	}
	return nil
}
