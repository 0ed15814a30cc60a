package matcher

import (
	"math"
	"slices"
)

// Relative weights of the three kinds of features before idf weighting and
// normalisation: whole (stemmed) words carry the most, word pairs add order,
// character n-grams add typo and inflection tolerance.
const (
	wordWeight   = 1.0
	pairWeight   = 0.6
	gramWeight   = 0.5
	gramMin      = 3
	gramMax      = 5
	correctedFit = 0.8 // how much a corrected word counts as known
	// unknownWeight scales the largest idf to weigh a word no example uses:
	// unseen words count like rare ones, not like the rarest.
	unknownWeight = 0.6
)

type hashedFeature struct {
	h uint64
	v float32
}

// contentWord is a meaningful word of a question, for coverage.
type contentWord struct {
	h     uint64  // its word feature
	known float32 // 1 known, 0 unknown, in between when corrected
}

type terms struct {
	ix    *Index
	feats []hashedFeature
	words []contentWord
	stops []contentWord // the function words, for questions made only of them
}

type token struct {
	word    string
	known   float32
	concept bool
}

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func hashString(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	return h
}

func hashByte(h uint64, b byte) uint64 {
	h ^= uint64(b)
	return h * fnvPrime
}

// analyse turns the folded words of a question into hashed features. With
// correct set (questions, not examples) unknown words are first mapped to the
// closest known word.
func (ix *Index) analyse(words []string, lang string, correct bool) terms {
	toks := make([]token, 0, len(words))
	for _, w := range words {
		t := token{word: w, known: 1}
		if _, ok := ix.vocab[w]; !ok && correct {
			t.known = 0
			if rest, ok := ix.unglue(w); ok {
				t.word, t.known = rest, 1
			} else if c, d, ok := ix.speller.correct(w); ok {
				t.word, t.known = c, float32(math.Pow(correctedFit, float64(d)))
			}
		}
		toks = append(toks, t)
	}
	toks = ix.applySynonyms(toks)

	out := terms{ix: ix, feats: make([]hashedFeature, 0, len(toks)*12)}
	prev := uint64(0)
	for _, t := range toks {
		st := t.word
		stop := false
		if !t.concept {
			stop = isStop(t.word)
			st = ix.stem(t.word, ix.tokenLang(t.word, lang))
		}
		uh := hashString(hashByte(fnvOffset, 'u'), st)
		out.feats = append(out.feats, hashedFeature{uh, wordWeight})
		if prev != 0 {
			out.feats = append(out.feats, hashedFeature{hashString(hashByte(prev, 0), st), pairWeight})
		}
		prev = hashString(hashByte(fnvOffset, 'b'), st)
		if stop {
			out.stops = append(out.stops, contentWord{uh, t.known})
		} else {
			out.words = append(out.words, contentWord{uh, t.known})
			if !t.concept && ix.cfg.CharGrams >= 0 {
				out.feats = appendGrams(out.feats, t.word)
			}
		}
	}
	return out
}

// unglue reads "jarrive" as "j'arrive" and "lidentifiant" as
// "l'identifiant": chat typing drops the apostrophe of French elisions.
func (ix *Index) unglue(w string) (string, bool) {
	for _, p := range [...]string{"qu", "l", "j", "d", "m", "n", "s", "t", "c"} {
		if len(w) > len(p)+2 && w[:len(p)] == p {
			if _, ok := ix.vocab[w[len(p):]]; ok {
				return w[len(p):], true
			}
		}
	}
	return "", false
}

func (ix *Index) applySynonyms(toks []token) []token {
	if len(ix.phrases) == 0 {
		return toks
	}
	out := toks[:0]
	for i := 0; i < len(toks); {
		matched := false
		for _, p := range ix.phrases[toks[i].word] {
			if i+len(p.words) > len(toks) {
				continue
			}
			known := float32(1)
			ok := true
			for j, w := range p.words {
				if toks[i+j].word != w {
					ok = false
					break
				}
				known = min(known, toks[i+j].known)
			}
			if ok {
				out = append(out, token{word: p.concept, known: known, concept: true})
				i += len(p.words)
				matched = true
				break
			}
		}
		if !matched {
			out = append(out, toks[i])
			i++
		}
	}
	return out
}

// tokenLang picks the stemmer for a word: the language of the examples that
// use it when only one does, the question's otherwise.
func (ix *Index) tokenLang(w, lang string) string {
	switch ix.vocab[w].lang {
	case langFR:
		return French
	case langEN:
		return English
	}
	return lang
}

func (ix *Index) stem(w, lang string) string {
	key := lang + "\x00" + w
	if s, ok := ix.stems.Load(key); ok {
		return s.(string)
	}
	s := stem(w, lang)
	if _, known := ix.vocab[w]; known {
		// Only the knowledge's own words are cached, so hostile input cannot
		// grow the cache without bound.
		ix.stems.Store(key, s)
	}
	return s
}

func appendGrams(dst []hashedFeature, w string) []hashedFeature {
	if len(w) < 2 {
		return dst
	}
	var buf [66]byte
	if len(w) > 64 {
		w = w[:64]
	}
	b := append(append(append(buf[:0], '^'), w...), '$')
	count := 0
	for n := gramMin; n <= gramMax; n++ {
		count += max(0, len(b)-n+1)
	}
	if count == 0 {
		return dst
	}
	v := float32(gramWeight / math.Sqrt(float64(count)))
	for n := gramMin; n <= gramMax; n++ {
		for i := 0; i+n <= len(b); i++ {
			h := hashString(hashByte(fnvOffset, 'c'), string(b[i:i+n]))
			dst = append(dst, hashedFeature{h, v})
		}
	}
	return dst
}

// coverage returns the idf-weighted share of the content words that the
// knowledge knows, and whether any is known at all.
func (t terms) coverage() (float64, bool) {
	var known, total float64
	anyKnown := false
	words := t.words
	if len(words) == 0 {
		// "what can you do?": only function words, which then carry the
		// meaning.
		words = t.stops
	}
	for _, w := range words {
		idf := unknownWeight * float64(t.ix.maxIDF)
		if id, ok := t.ix.features[w.h]; ok {
			idf = float64(t.ix.idf[id])
		} else if w.known > 0 {
			w.known = 0 // a concept or word that no example uses
		}
		total += idf
		known += idf * float64(w.known)
		if w.known > 0 {
			anyKnown = true
		}
	}
	if total == 0 {
		return 0, false
	}
	return known / total, anyKnown
}

// sparse is a feature vector: ids sorted and unique, values aligned. An id of
// -1 stands for features the index has never seen (kept for the norm).
type sparse struct {
	ids  []int32
	vals []float32
}

func (ix *Index) vectorise(feats []hashedFeature, id func(uint64) int32) sparse {
	type iv struct {
		id int32
		v  float32
		h  uint64
	}
	tmp := make([]iv, 0, len(feats))
	for _, f := range feats {
		tmp = append(tmp, iv{id(f.h), f.v, f.h})
	}
	slices.SortFunc(tmp, func(a, b iv) int {
		if a.id != b.id {
			return int(a.id - b.id)
		}
		switch {
		case a.h < b.h:
			return -1
		case a.h > b.h:
			return 1
		}
		return 0
	})
	var s sparse
	for i := 0; i < len(tmp); i++ {
		if i > 0 && tmp[i].h == tmp[i-1].h {
			s.vals[len(s.vals)-1] += tmp[i].v
			continue
		}
		s.ids = append(s.ids, tmp[i].id)
		s.vals = append(s.vals, tmp[i].v)
	}
	return s
}

// weigh applies idf (the largest one to unseen features), keeps the unseen
// features in the norm only, and normalises to unit length.
func (s *sparse) weigh(idf []float32, maxIDF float32) {
	var norm float64
	for i, id := range s.ids {
		w := maxIDF
		if id >= 0 {
			w = idf[id]
		}
		s.vals[i] *= w
		norm += float64(s.vals[i]) * float64(s.vals[i])
	}
	if norm == 0 {
		return
	}
	inv := float32(1 / math.Sqrt(norm))
	j := 0
	for i, id := range s.ids {
		if id < 0 {
			continue
		}
		s.ids[j], s.vals[j] = id, s.vals[i]*inv
		j++
	}
	s.ids, s.vals = s.ids[:j], s.vals[:j]
}
