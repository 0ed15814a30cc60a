package web

import (
	"context"
	"crypto/sha256"
	"errors"
	"sync"

	"github.com/acad-lyon/helpdesk-bot/intents"
)

// A verdict is what the validator and the matcher say of the knowledge with
// a change: its problems, and the entry each picked question then reaches.
// Preparing one trains six matchers (the knowledge, then the cross-check's
// five folds) on one core; the same change asked again (shown, then
// downloaded; a second agent on the same questions) is not prepared twice,
// and the unchanged knowledge's own problems are worked out once per
// loaded knowledge, so that a patch is judged by what it adds.
type verdict struct {
	problems []*intents.Problem
	reaches  map[string]string // question -> target
}

// verdicts keeps the last verdicts, and the unchanged knowledge's.
type verdicts struct {
	mu     sync.Mutex
	recent map[[32]byte]*verdict
	order  [][32]byte // oldest first

	base      *intents.Knowledge // the knowledge the baseline is of
	baseProbs map[string]bool    // its problems (problemKey)

	prepared int // verdicts prepared rather than taken from the cache, baselines included
}

// keptVerdicts bounds the cache: a verdict is a few kilobytes.
const keptVerdicts = 16

// verdictKey names a change: the knowledge's files as they would be, and
// the questions whose target is asked.
func verdictKey(files []string, srcs map[string][]byte, questions []string) [32]byte {
	h := sha256.New()
	for _, f := range files {
		h.Write([]byte(f))
		h.Write([]byte{0})
		h.Write(srcs[f])
		h.Write([]byte{0})
	}
	for _, q := range questions {
		h.Write([]byte(q))
		h.Write([]byte{0})
	}
	return [32]byte(h.Sum(nil))
}

func (v *verdicts) get(k [32]byte) *verdict {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.recent[k]
}

func (v *verdicts) put(k [32]byte, vd *verdict) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.recent == nil {
		v.recent = map[[32]byte]*verdict{}
	}
	if _, ok := v.recent[k]; ok {
		return
	}
	if len(v.order) == keptVerdicts {
		delete(v.recent, v.order[0])
		v.order = v.order[1:]
	}
	v.recent[k] = vd
	v.order = append(v.order, k)
	v.prepared++
}

// judge is the verdict on the knowledge as files would be with srcs, for
// the questions: from the cache, or prepared (and cancelled with ctx).
func (v *verdicts) judge(ctx context.Context, files []string, srcs map[string][]byte, questions []string, rules []intents.Rule) (*verdict, error) {
	k := verdictKey(files, srcs, questions)
	if vd := v.get(k); vd != nil {
		return vd, nil
	}
	vd := &verdict{reaches: map[string]string{}}
	core, err := intents.ParseCore(files, srcs, rules...)
	var probs intents.Problems
	switch {
	case errors.As(err, &probs):
		vd.problems = probs
	case err != nil:
		return nil, err
	default:
		if vd.problems, err = intents.CrossCheckContext(ctx, core.Knowledge(), 1); err != nil {
			return nil, err
		}
		for _, q := range questions {
			rep, err := core.Answer(ctx, intents.Question{Text: q})
			if err != nil {
				return nil, err
			}
			vd.reaches[q] = target(rep)
		}
	}
	v.put(k, vd)
	return vd, nil
}

// known reports which problems the unchanged knowledge (kb) already has:
// worked out once per loaded knowledge.
func (v *verdicts) known(ctx context.Context, kb *intents.Knowledge) (map[string]bool, error) {
	v.mu.Lock()
	if v.base == kb {
		defer v.mu.Unlock()
		return v.baseProbs, nil
	}
	v.mu.Unlock()
	probs, err := intents.CrossCheckContext(ctx, kb, 1)
	if err != nil {
		return nil, err
	}
	known := map[string]bool{}
	for _, p := range probs {
		known[problemKey(p)] = true
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	v.base, v.baseProbs = kb, known
	v.prepared++
	return known, nil
}

// problemKey names a problem regardless of its line, which a change moves.
func problemKey(p *intents.Problem) string { return p.File + "\x00" + p.ID + "\x00" + p.Msg }

// split separates the problems a change brings from those the knowledge
// already had.
func split(probs []*intents.Problem, known map[string]bool) (added, before []string) {
	for _, p := range probs {
		if known[problemKey(p)] {
			before = append(before, p.Error())
		} else {
			added = append(added, p.Error())
		}
	}
	return added, before
}
