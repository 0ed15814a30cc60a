package intents

import (
	"context"
	"fmt"

	"golang.org/x/sync/errgroup"

	"github.com/acad-lyon/helpdesk-bot/internal/matcher"
)

// The cross-check's folds, and what counts as answered confidently by
// another entry.
const (
	crossFolds      = 5
	misfiledScore   = 0.9
	overlapShare    = 0.4 // of an entry's examples answered by one other entry
	overlapMinCount = 3
)

// CrossCheck finds the example questions filed under the wrong entry, and
// the entries that overlap another, which the self-test cannot see: there,
// each example is in the matcher it tests, so it always finds its way back.
// Here the examples are split into five folds, and each is asked of a
// matcher trained on the four others: the knowledge without it. An example
// is misfiled when that matcher answers it with another entry confidently
// and it shares no distinctive word (one used by under a third of the
// entries) with the other examples of its own entry. An entry overlaps
// another when 40% of its examples (3 at least) go to that one. It costs
// five trainings: `bot validate` runs it, loading the knowledge does not.
func CrossCheck(kb *Knowledge) Problems {
	probs, _ := CrossCheckContext(context.Background(), kb, crossFolds)
	return probs
}

// CrossCheckContext is CrossCheck training at most workers folds at once
// (1 keeps it to one core, leaving the others to the chat), and giving up
// with ctx's error as soon as ctx is done (the agent who asked has left).
func CrossCheckContext(ctx context.Context, kb *Knowledge, workers int) (Problems, error) {
	type held struct {
		loc  located
		lang string
		i    int
		q    string
	}
	all := TrainingExamples(kb)
	folds := make([][]held, crossFolds)
	n := 0
	for _, l := range kb.locs {
		if l.entry == nil || l.entry.Kind == KindService {
			continue
		}
		for _, lang := range Languages {
			for i, q := range l.entry.Questions.In(lang) {
				folds[n%crossFolds] = append(folds[n%crossFolds], held{l, lang, i, q})
				n++
			}
		}
	}
	results := make([][]matcher.Match, crossFolds)
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(max(workers, 1))
	for f := range folds {
		g.Go(func() error {
			if err := ctx.Err(); err != nil {
				return err
			}
			skip := map[string]bool{}
			for _, h := range folds[f] {
				skip[h.loc.entry.ID+"\x00"+h.q] = true
			}
			var train []matcher.Example
			for _, e := range all {
				if !skip[e.Intent+"\x00"+e.Text] {
					train = append(train, e)
				}
			}
			ix, err := matcher.New(train, MatcherConfig(kb))
			if err != nil {
				return nil // the fold is skipped below
			}
			for k, h := range folds[f] {
				if k%64 == 0 && ctx.Err() != nil {
					return ctx.Err()
				}
				results[f] = append(results[f], ix.Rank(h.q, h.lang, 1).Best())
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	df := documentFrequencies(kb)
	var probs Problems
	went := map[string]map[string]int{} // entry -> the other entry its examples go to -> how many
	total := map[string]int{}
	for f, hs := range folds {
		if len(results[f]) != len(hs) {
			continue // the fold's matcher could not be trained
		}
		for k, h := range hs {
			e, best := h.loc.entry, results[f][k]
			total[e.ID]++
			if best.Intent == e.ID || kb.Service(best.Intent) != nil || best.Intent == OutOfScopeIntent {
				continue
			}
			if went[e.ID] == nil {
				went[e.ID] = map[string]int{}
			}
			went[e.ID][best.Intent]++
			if best.Score >= misfiledScore && !sharesWords(h.q, e, h.lang, df, len(kb.Entries)) {
				probs = append(probs, &Problem{File: h.loc.file, Line: h.loc.line("questions", h.lang, h.i), ID: e.ID,
					Msg: fmt.Sprintf("the example question %q is answered by %q at %.2f by the rest of the knowledge, and shares no distinctive word with the other questions of this entry: move it to %q, or reword it so that it asks about this entry", h.q, best.Intent, best.Score, best.Intent)})
			}
		}
	}
	for _, l := range kb.locs {
		if l.entry == nil {
			continue
		}
		for other, k := range went[l.entry.ID] {
			if k >= overlapMinCount && float64(k) >= overlapShare*float64(total[l.entry.ID]) {
				probs = append(probs, &Problem{File: l.file, Line: l.entry.Line, ID: l.entry.ID,
					Msg: fmt.Sprintf("%d of its %d example questions are answered by %q when asked without them: the two entries overlap; merge them, or give this one questions only it answers", k, total[l.entry.ID], other)})
			}
		}
	}
	sortProblems(probs)
	return probs, nil
}

// documentFrequencies counts, for each language and word, the entries whose
// example questions use it.
func documentFrequencies(kb *Knowledge) map[string]map[string]int {
	df := map[string]map[string]int{}
	for _, lang := range Languages {
		df[lang] = map[string]int{}
		for _, e := range kb.Entries {
			seen := map[string]bool{}
			for _, q := range e.Questions.In(lang) {
				for _, w := range matcher.Tokens(q) {
					if !seen[w] {
						seen[w] = true
						df[lang][w]++
					}
				}
			}
		}
	}
	return df
}

// sharesWords reports whether q uses a distinctive word (used by under a
// third of the entries) of the other example questions of e.
func sharesWords(q string, e *Entry, lang string, df map[string]map[string]int, entries int) bool {
	own := map[string]bool{}
	for _, o := range e.Questions.In(lang) {
		if o != q {
			for _, w := range matcher.Tokens(o) {
				own[w] = true
			}
		}
	}
	for _, w := range matcher.Tokens(q) {
		if own[w] && df[lang][w]*3 <= entries {
			return true
		}
	}
	return false
}
