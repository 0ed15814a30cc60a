package matcher

import (
	"math"
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

// feature is a feature id (-1 when the index has never seen it) and its
// raw value before idf weighting. A feature whose weights a known word's
// merged row already carries (see wordData.row) counts only in the norm:
// its id is stored as mergedID(id).
type feature struct {
	id int32
	v  float32
}

// mergedID encodes (and decodes) the id of a feature that counts only in
// the norm.
func mergedID(id int32) int32 { return -2 - id }

// contentWord is a meaningful word of a question, for coverage.
type contentWord struct {
	id    int32   // its word feature, -1 if unseen
	known float32 // 1 known, 0 unknown, in between when corrected
}

// terms is a question (or example) analysed into features.
type terms struct {
	toks  []token // scratch
	feats []feature
	words []contentWord
	stops []contentWord // the function words, for questions made only of them
	rows  [][]posting   // merged n-gram rows of the known words
}

func (t *terms) reset() {
	t.feats, t.words, t.stops, t.rows = t.feats[:0], t.words[:0], t.stops[:0], t.rows[:0]
}

type token struct {
	word    string
	known   float32
	concept bool
	data    *wordData // what the index knows of word, for questions
}

// wordData is what a question needs of a word the examples use, computed
// once when the index is built: a known word then costs one map lookup
// instead of eight.
type wordData struct {
	lang    uint8     // languages whose examples use it (wordInfo.lang)
	stop    bool      // isStop
	vote    int8      // languageVote
	stems   [2]string // French and English stems
	uid     [2]int32  // word feature of each stem
	bhash   [2]uint64 // start of the word-pair hash of each stem
	grams   []int32   // its n-gram features
	phrases []phrase  // synonym phrases starting with it
	// row is the weights of all its n-grams added up, each times its value
	// and idf: a question's known word then adds one row of a few dozen
	// intents to the scores instead of a dozen rows (2,331 weights a
	// CLINC150 question become about 990). nil when that saves little.
	row []posting
}

// stemIndex picks the French (0) or English (1) stem for a question in
// lang (see stemLang).
func (d *wordData) stemIndex(lang string) int {
	if stemLang(d.lang, lang) == English {
		return 1
	}
	return 0
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

func hashBytes(h uint64, s []byte) uint64 {
	for _, c := range s {
		h ^= uint64(c)
		h *= fnvPrime
	}
	return h
}

func hashByte(h uint64, b byte) uint64 {
	h ^= uint64(b)
	return h * fnvPrime
}

// resolver maps a feature hash to its id: training assigns new ids, a
// question only looks them up (-1 for unseen).
type resolver func(h uint64) int32

// analyse turns the folded words of a question into features, appended to
// out. With correct set (questions, not examples) unknown words are first
// mapped to the closest known word.
func (ix *Index) analyse(words []string, lang string, correct bool, resolve resolver, out *terms) {
	toks := out.toks[:0]
	for _, w := range words {
		t := token{word: w, known: 1}
		if correct {
			t.data = ix.known[w]
			if t.data == nil {
				t.known = 0
				if rest, ok := ix.unglue(w); ok {
					t.word, t.known = rest, 1
				} else if c, d, ok := ix.speller.correct(w); ok {
					t.word, t.known = c, float32(math.Pow(correctedFit, float64(d)))
				}
				if t.known > 0 {
					t.data = ix.known[t.word]
				}
			}
		}
		toks = append(toks, t)
	}
	toks = ix.applySynonyms(toks)
	out.toks = toks

	prev := uint64(0)
	for _, t := range toks {
		var st string
		var uid int32
		var bh uint64
		stop := false
		if d := t.data; d != nil && !t.concept {
			k := d.stemIndex(lang)
			st, uid, bh, stop = d.stems[k], d.uid[k], d.bhash[k], d.stop
		} else {
			st = t.word
			if !t.concept {
				stop = isStop(t.word)
				st = ix.stem(t.word, ix.tokenLang(t.word, lang))
			}
			uid = resolve(hashString(hashByte(fnvOffset, 'u'), st))
			bh = hashString(hashByte(fnvOffset, 'b'), st)
		}
		out.feats = append(out.feats, feature{uid, wordWeight})
		if prev != 0 {
			out.feats = append(out.feats, feature{resolve(hashString(hashByte(prev, 0), st)), pairWeight})
		}
		prev = bh
		if stop {
			out.stops = append(out.stops, contentWord{uid, t.known})
			continue
		}
		out.words = append(out.words, contentWord{uid, t.known})
		if t.concept {
			continue
		}
		if t.data != nil {
			v := gramValue(t.word)
			merged := t.data.row != nil
			for _, id := range t.data.grams {
				if id >= 0 && merged {
					id = mergedID(id)
				}
				out.feats = append(out.feats, feature{id, v})
			}
			if merged {
				out.rows = append(out.rows, t.data.row)
			}
		} else {
			out.feats = appendGrams(out.feats, t.word, resolve)
		}
	}
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
		list := ix.phrases[toks[i].word] // while training
		if d := toks[i].data; d != nil {
			list = d.phrases
		}
		for _, p := range list {
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
func (ix *Index) tokenLang(w, lang string) string { return stemLang(ix.vocab[w].lang, lang) }

// stemLang is the language to stem a word in, for a question in lang: that
// of the examples using the word (bits) when only one language does, the
// question's otherwise.
func stemLang(bits uint8, lang string) string {
	switch bits {
	case langFR:
		return French
	case langEN:
		return English
	}
	return lang
}

func (ix *Index) stem(w, lang string) string {
	if st, ok := ix.stems[w]; ok {
		if lang == English {
			return st[1]
		}
		return st[0]
	}
	return stem(w, lang)
}

// gramCount is how many character n-grams a word of n bytes has.
func gramCount(n int) int {
	n = min(n, maxGramWord) + 2 // with the ^ and $ boundary marks
	c := 0
	for g := gramMin; g <= gramMax; g++ {
		c += max(0, n-g+1)
	}
	return c
}

// gramValue is the value of each n-gram of w: a word's n-grams together
// weigh as much as gramWeight, whatever its length.
func gramValue(w string) float32 {
	return float32(gramWeight / math.Sqrt(float64(max(1, gramCount(len(w))))))
}

const maxGramWord = 64

func appendGrams(dst []feature, w string, resolve resolver) []feature {
	if len(w) < 2 {
		return dst
	}
	var buf [maxGramWord + 2]byte
	if len(w) > maxGramWord {
		w = w[:maxGramWord]
	}
	b := append(append(append(buf[:0], '^'), w...), '$')
	v := gramValue(w)
	for n := gramMin; n <= gramMax; n++ {
		for i := 0; i+n <= len(b); i++ {
			dst = append(dst, feature{resolve(hashBytes(hashByte(fnvOffset, 'c'), b[i:i+n])), v})
		}
	}
	return dst
}

// coverage returns the idf-weighted share of the content words that the
// knowledge knows, and whether any is known at all.
func (ix *Index) coverage(t *terms) (float64, bool) {
	var known, total float64
	anyKnown := false
	words := t.words
	if len(words) == 0 {
		// "what can you do?": only function words, which then carry the
		// meaning.
		words = t.stops
	}
	for _, w := range words {
		idf := unknownWeight * float64(ix.maxIDF)
		k := float64(w.known)
		if w.id >= 0 {
			idf = float64(ix.idf[w.id])
		} else {
			k = 0 // a concept or word that no example uses
		}
		total += idf
		known += idf * k
		if k > 0 {
			anyKnown = true
		}
	}
	if total == 0 {
		return 0, false
	}
	return known / total, anyKnown
}

// sparse is a weighted, normalised feature vector. A question's vector
// also carries merged rows, to add up times scale (1 / the norm).
type sparse struct {
	ids   []int32
	vals  []float32
	rows  [][]posting
	scale float64
}

// accumulator adds up features into a dense array indexed by feature id, so
// that building a vector needs neither a map nor a sort.
type accumulator struct {
	acc   []float32 // every occurrence, for the norm
	dir   []float32 // occurrences not in a merged row
	mark  []uint32
	stamp uint32
	list  []int32
	vals  []float32
	ids   []int32
}

// vector sums feats (repeated features add up), applies idf (the largest
// one to unseen features, which count in the norm only) and normalises to
// unit length. Features marked merged count in the norm only: rows carries
// their weights. The result aliases the accumulator until its next use.
func (a *accumulator) vector(feats []feature, rows [][]posting, idf []float32, maxIDF float32) sparse {
	if len(a.acc) < len(idf) {
		a.acc = make([]float32, len(idf))
		a.dir = make([]float32, len(idf))
		a.mark = make([]uint32, len(idf))
		a.stamp = 0
	}
	a.stamp++
	if a.stamp == 0 {
		clear(a.mark)
		a.stamp = 1
	}
	a.list = a.list[:0]
	var norm float64
	for _, f := range feats {
		id, direct := f.id, true
		if id < -1 {
			id, direct = mergedID(id), false
		}
		if id < 0 {
			u := float64(f.v * maxIDF)
			norm += u * u
			continue
		}
		if a.mark[id] != a.stamp {
			a.mark[id] = a.stamp
			a.acc[id], a.dir[id] = 0, 0
			a.list = append(a.list, id)
		}
		a.acc[id] += f.v
		if direct {
			a.dir[id] += f.v
		}
	}
	ids, vals := a.ids[:0], a.vals[:0]
	for _, id := range a.list {
		v := a.acc[id] * idf[id]
		norm += float64(v) * float64(v)
		if a.dir[id] != 0 {
			ids = append(ids, id)
			vals = append(vals, a.dir[id]*idf[id])
		}
	}
	scale := 0.0
	if norm > 0 {
		scale = 1 / math.Sqrt(norm)
		inv := float32(scale)
		for i := range vals {
			vals[i] *= inv
		}
	}
	a.ids, a.vals = ids, vals
	return sparse{ids: ids, vals: vals, rows: rows, scale: scale}
}
