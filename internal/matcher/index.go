// Package matcher ranks the intents of a knowledge base for a question typed
// in a hurry, in French or English: text in, intent ids with scores out.
//
// A question goes through Unicode folding (case, accents, ligatures,
// apostrophes, French elisions), a spelling corrector built from the words the
// examples use, the synonym list (which maps "mdp", "mot de passe" and
// "password" to one concept, so French and English share evidence), Snowball
// stemming, and becomes a sparse vector of stemmed words, word pairs and
// character n-grams. A multinomial logistic regression trained on the example
// questions when the index is built scores every intent; its probability,
// calibrated so that the training examples fit their intent equally well
// whatever the size of the knowledge, and damped by how much of the question
// the knowledge has seen at all, is the confidence. A one-word question that
// several intents use is marked vague. The package knows nothing of YAML,
// Slack or Discord.
package matcher

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
)

// Example is one training question of an intent. Lang is French or English
// ("" means the index's default language).
type Example struct {
	Intent string
	Text   string
	Lang   string
}

// Config tunes an index. The zero value is usable; zero fields take the
// defaults documented on each.
type Config struct {
	// Synonyms are groups of words or phrases that mean the same; the first
	// of each group names the concept. Matching treats them as one word.
	Synonyms [][]string
	// DefaultLang is the language of an ambiguous question (default French).
	DefaultLang string
	// Epochs of training over the examples (default: 12, more for small
	// knowledge bases so that every intent sees enough updates).
	Epochs int
	// CoveragePower is how strongly unknown words lower the confidence
	// (default 1; 0 disables the damping).
	CoveragePower float64
	// Background intents frame a question rather than ask one (greetings,
	// thanks): a clause of a longer message that ranks one of them first
	// does not stand for the whole message (see Rank).
	Background []string
}

func (c Config) withDefaults() Config {
	if c.DefaultLang == "" {
		c.DefaultLang = French
	}
	if c.CoveragePower == 0 {
		c.CoveragePower = 1
	} else if c.CoveragePower < 0 {
		c.CoveragePower = 0
	}
	return c
}

// Match is one ranked intent; Score is a confidence in [0, 1].
type Match struct {
	Intent string
	Score  float64
}

// Result is the matcher's view of one question.
type Result struct {
	// Matches holds the best intents, best first.
	Matches []Match
	// Lang is the language detected for the question.
	Lang string
	// Coverage is the share of the question's meaningful words that the
	// knowledge knows (after spelling correction), in [0, 1].
	Coverage float64
	// Known is false when no word of the question means anything to the
	// knowledge: the question is certainly out of scope.
	Known bool
	// Words is how many words the question has (0: only emoji, punctuation
	// or blanks).
	Words int
	// Candidates are, for a vague question (see Vague), the intents whose
	// examples use its word (at most maxCandidates), best first.
	Candidates []Match
	// content is the number of meaningful words scored.
	content int
}

// Vague tells whether the question is a single word (or synonym phrase,
// like "mot de passe") that the examples of several intents use, and no
// example is just that question: "mail", "problème", "login". The ranking
// then reflects which intent uses the word most, not what the person wants;
// a helpdesk should ask rather than answer.
func (r Result) Vague() bool { return len(r.Candidates) > 0 }

// maxCandidates bounds Result.Candidates, maxWithin the phrases a vague
// word widens its candidates with.
const (
	maxCandidates = 8
	maxWithin     = 8
)

// Best returns the top match, or a zero Match when there is none.
func (r Result) Best() Match {
	if len(r.Matches) == 0 {
		return Match{}
	}
	return r.Matches[0]
}

type wordInfo struct {
	freq int
	lang uint8 // bit 0 French, bit 1 English: languages whose examples use it
}

const (
	langFR uint8 = 1 << iota
	langEN
)

func langBit(lang string) uint8 {
	if lang == English {
		return langEN
	}
	return langFR
}

type phrase struct {
	words   []string
	concept string
}

type posting struct {
	class int32
	w     float32
}

// Index is a trained matcher. It is immutable once built and safe for
// concurrent use.
type Index struct {
	cfg      Config
	intents  []string
	features map[uint64]int32
	idf      []float32
	maxIDF   float32
	weights  [][]posting // while training; then postings[offsets[f]:offsets[f+1]]
	postings []posting
	offsets  []int32
	vocab    map[string]wordInfo
	speller  *speller
	phrases  map[string][]phrase
	stems    map[string][2]string // French and English stems of known words
	known    map[string]*wordData // what questions need of known words
	classID  map[string]int32
	users    map[int32][]int32 // word feature -> the intents whose examples use it
	verbatim map[uint64]int32  // hash of an example's folded words -> its intent
	// background marks the classes of Config.Background.
	background []bool
	// within lists the synonym phrases of two words or more that each word
	// is part of (at most maxWithin).
	within map[string][]phrase
	// sharpness multiplies every score before the softmax (see calibrate).
	sharpness float64
	scratch   sync.Pool
}

// ErrNoExamples is returned by New when there is nothing to learn from.
var ErrNoExamples = errors.New("matcher: no examples")

// New trains an index on examples. Training is deterministic: the same
// examples and configuration always give the same index.
func New(examples []Example, cfg Config) (*Index, error) {
	if len(examples) == 0 {
		return nil, ErrNoExamples
	}
	cfg = cfg.withDefaults()
	if cfg.Epochs == 0 {
		cfg.Epochs = min(maxEpochs, max(minEpochs, minUpdates/len(examples)))
	}
	ix := &Index{
		cfg:       cfg,
		sharpness: 1,
		features:  make(map[uint64]int32),
		vocab:     make(map[string]wordInfo),
		speller:   newSpeller(),
		phrases:   make(map[string][]phrase),
	}
	classOf := make(map[string]int32)
	ix.classID = classOf
	labels := make([]int32, len(examples))
	tokens := make([][]string, len(examples))
	for i, ex := range examples {
		if ex.Intent == "" {
			return nil, fmt.Errorf("matcher: example %d (%q) has no intent", i, ex.Text)
		}
		c, ok := classOf[ex.Intent]
		if !ok {
			c = int32(len(ix.intents))
			classOf[ex.Intent] = c
			ix.intents = append(ix.intents, ex.Intent)
		}
		labels[i] = c
		tokens[i] = maskNames(Tokens(ex.Text))
		bit := langBit(ix.lang(ex.Lang))
		for _, w := range tokens[i] {
			wi := ix.vocab[w]
			wi.freq++
			wi.lang |= bit
			ix.vocab[w] = wi
		}
	}
	ix.background = make([]bool, len(ix.intents))
	for _, b := range cfg.Background {
		if c, ok := classOf[b]; ok {
			ix.background[c] = true
		}
	}
	for _, group := range cfg.Synonyms {
		if len(group) == 0 {
			continue
		}
		concept := "=" + strings.Join(Tokens(group[0]), "_")
		for _, p := range group {
			words := Tokens(p)
			if len(words) == 0 {
				continue
			}
			for _, w := range words {
				wi := ix.vocab[w]
				wi.freq++
				ix.vocab[w] = wi
			}
			ix.phrases[words[0]] = append(ix.phrases[words[0]], phrase{words, concept})
		}
	}
	for _, list := range ix.phrases {
		slices.SortStableFunc(list, func(a, b phrase) int { return len(b.words) - len(a.words) })
	}
	// The phrases each word is part of, for vague questions (see widen).
	ix.within = make(map[string][]phrase)
	for _, group := range cfg.Synonyms {
		for _, p := range group {
			words := Tokens(p)
			if len(words) < 2 {
				continue
			}
			for _, w := range slices.Compact(slices.Sorted(slices.Values(words))) {
				if len(ix.within[w]) < maxWithin {
					ix.within[w] = append(ix.within[w], phrase{words, ""})
				}
			}
		}
	}
	words := make([]string, 0, len(ix.vocab))
	for w := range ix.vocab {
		words = append(words, w)
	}
	slices.Sort(words)
	for _, w := range words {
		ix.speller.add(w, ix.vocab[w].freq)
	}

	ix.stems = make(map[string][2]string, len(words))
	for _, w := range words {
		ix.stems[w] = [2]string{stem(w, French), stem(w, English)}
	}

	// Vectorise: features get ids as they appear, document frequencies give
	// the idf weights.
	assign := func(h uint64) int32 {
		id, ok := ix.features[h]
		if !ok {
			id = int32(len(ix.features))
			ix.features[h] = id
		}
		return id
	}
	feats := make([][]feature, len(examples))
	// Which intents use each meaningful word, and which intent each
	// example's exact wording belongs to: a one-word question is vague
	// when several intents use its word and no example is just that word.
	ix.users = make(map[int32][]int32)
	ix.verbatim = make(map[uint64]int32, len(examples))
	used := make(map[[2]int32]bool) // (word, intent) pairs seen
	for i, ex := range examples {
		var t terms
		ix.analyse(tokens[i], ix.lang(ex.Lang), false, assign, &t)
		feats[i] = t.feats
		for _, w := range t.words {
			if k := [2]int32{w.id, labels[i]}; !used[k] {
				used[k] = true
				ix.users[w.id] = append(ix.users[w.id], labels[i])
			}
		}
		key := tokensKey(t.toks)
		if c, ok := ix.verbatim[key]; ok && c != labels[i] {
			ix.verbatim[key] = -1 // the same words in two intents
		} else {
			ix.verbatim[key] = labels[i]
		}
	}
	df := make([]int32, len(ix.features))
	seen := make([]int32, len(ix.features))
	for i, fs := range feats {
		for _, f := range fs {
			if seen[f.id] != int32(i+1) {
				seen[f.id] = int32(i + 1)
				df[f.id]++
			}
		}
	}
	n := float64(len(examples))
	ix.idf = make([]float32, len(df))
	for id, d := range df {
		ix.idf[id] = float32(math.Log((n+1)/(float64(d)+1)) + 1)
	}
	ix.maxIDF = float32(math.Log(n+1) + 1)
	var acc accumulator
	vecs := make([]sparse, len(examples))
	for i, fs := range feats {
		v := acc.vector(fs, nil, ix.idf, ix.maxIDF)
		vecs[i] = sparse{ids: slices.Clone(v.ids), vals: slices.Clone(v.vals)}
	}
	ix.train(vecs, labels)
	ix.compact(pruneBelow)
	ix.calibrate(vecs, labels)

	// What questions need of every known word, computed once.
	ix.known = make(map[string]*wordData, len(words))
	var buf []feature
	s := ix.getScratch()
	defer ix.scratch.Put(s)
	for _, w := range words {
		d := &wordData{lang: ix.vocab[w].lang, stop: isStop(w), vote: int8(languageVote(w)), stems: ix.stems[w], phrases: ix.phrases[w]}
		for k, st := range d.stems {
			d.uid[k] = ix.lookup(hashString(hashByte(fnvOffset, 'u'), st))
			d.bhash[k] = hashString(hashByte(fnvOffset, 'b'), st)
		}
		buf = appendGrams(buf[:0], w, ix.lookup)
		d.grams = make([]int32, len(buf))
		for j, f := range buf {
			d.grams[j] = f.id
		}
		d.row = ix.mergeRows(d.grams, gramValue(w), s)
		ix.known[w] = d
	}
	ix.stems = nil // in known now; unknown words are stemmed when asked
	return ix, nil
}

// lookup is the resolver of questions: features the examples never had are
// unknown.
func (ix *Index) lookup(h uint64) int32 {
	if id, ok := ix.features[h]; ok {
		return id
	}
	return -1
}

func (ix *Index) lang(l string) string {
	if l == French || l == English {
		return l
	}
	return ix.cfg.DefaultLang
}

// Intents returns the intent ids the index knows, in the order first seen.
func (ix *Index) Intents() []string { return slices.Clone(ix.intents) }

// Len is how many intents the index ranks.
func (ix *Index) Len() int { return len(ix.intents) }

// Rank scores text against every intent and returns at most n matches (all
// with a positive score when n <= 0). lang forces the language of the
// question; "" detects it.
//
// A message of several clauses ("Bonjour, je suis prof de techno depuis
// septembre. C'est quoi mon identifiant ?") is also scored clause by clause,
// and by pairs of adjacent clauses: the greeting and the story around a
// question are no evidence against it, and the clause that asks, scored
// alone, is as confident as the question typed alone. The most confident
// reading wins, unless it is a background intent (Config.Background: a
// greeting inside a question) that the whole message does not already
// prefer.
func (ix *Index) Rank(text, lang string, n int) Result {
	s := ix.getScratch()
	defer ix.scratch.Put(s)
	s.words = maskNames(appendTokens(s.words[:0], Fold(text)))
	if lang != French && lang != English {
		lang = ix.detect(text, s.words)
	}
	res := ix.rank(s, s.words, true, lang, n)
	if len(s.words) < minClauseWords || !res.Known {
		return res
	}
	clauses := splitClauses(text, s.clauses[:0])
	s.clauses = clauses
	if len(clauses) < 2 {
		return res
	}
	whole, best := res.Best().Intent, res.Best()
	var chosen Result
	inWhole := func(intent string) bool {
		for _, m := range res.Matches[:min(len(res.Matches), clauseRivals)] {
			if m.Intent == intent {
				return true
			}
		}
		return false
	}
	// When a clause asks (a question mark ends it), the clauses that only
	// tell the story do not stand for the message.
	asking := make([]bool, len(clauses))
	anyAsks := false
	for i, c := range clauses {
		asking[i] = c[1] < len(text) && text[c[1]] == '?'
		anyAsks = anyAsks || asking[i]
	}
	var toks []string
	for i := range clauses {
		for j := i; j < len(clauses) && j < i+2; j++ {
			if i == 0 && j == len(clauses)-1 {
				continue // the whole message
			}
			if anyAsks && !asking[i] && !asking[j] {
				continue
			}
			toks = maskNames(appendTokens(toks[:0], Fold(text[clauses[i][0]:clauses[j][1]])))
			if len(toks) < minClauseSpan {
				continue // "Firefox, ..." says nothing alone
			}
			r := ix.rank(s, toks, false, lang, n)
			if r.content < minClauseContent {
				continue // "je suis sur Chrome" asks nothing
			}
			b := r.Best()
			if b.Score <= best.Score || !inWhole(b.Intent) || (ix.background[ix.classID[b.Intent]] && b.Intent != whole) {
				continue
			}
			r.Words = res.Words
			best, chosen = b, r
		}
	}
	if chosen.Matches != nil {
		return chosen
	}
	return res
}

// minClauseWords is the number of words from which a message is also scored
// clause by clause, minClauseSpan the fewest words a clause scored alone has.
const (
	minClauseWords = 6
	minClauseSpan  = 2
	// minClauseContent is the fewest meaningful words of a clause scored
	// alone.
	minClauseContent = 2
	// clauseRivals is how many of the whole message's best intents a clause
	// may pick from.
	clauseRivals = 3
)

// splitClauses appends to dst the byte ranges of the clauses of text: the
// pieces between sentence punctuation (. ! ? ; : and new lines, followed by a
// space or the end, so "mail.ac-lyon.fr" stays whole) and between commas.
func splitClauses(text string, dst [][2]int) [][2]int {
	start := 0
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '.', '!', '?', ';', ':', ',', '\n':
			if i+1 < len(text) && text[i+1] != ' ' && text[i+1] != '\n' && text[i] != '\n' {
				continue
			}
			if i > start {
				dst = append(dst, [2]int{start, i})
			}
			start = i + 1
		}
		if len(dst) == maxClauses {
			break
		}
	}
	if start < len(text) && len(dst) < maxClauses {
		dst = append(dst, [2]int{start, len(text)})
	}
	// Drop clauses with no word in them ("?!", "...").
	out := dst[:0]
	for _, c := range dst {
		for _, r := range text[c[0]:c[1]] {
			if r != ' ' && r != '.' && r != '!' && r != '?' && r != '-' && r != '"' && r != ')' && r != '(' {
				out = append(out, c)
				break
			}
		}
	}
	return out
}

// maxClauses bounds the clauses a message is scored by.
const maxClauses = 12

// rank scores folded words. whole is true for the whole message (a one-word
// question may be vague; a clause never is).
func (ix *Index) rank(s *scratch, toks []string, whole bool, lang string, n int) Result {
	res := Result{Lang: lang, Words: len(toks)}
	s.terms.reset()
	ix.analyse(toks, lang, true, ix.lookup, &s.terms)
	res.Coverage, res.Known = ix.coverage(&s.terms)
	res.content = len(s.terms.words)
	if !res.Known {
		return res
	}
	vec := s.acc.vector(s.terms.feats, s.terms.rows, ix.idf, ix.maxIDF)
	probs := ix.predict(vec, s)
	damp := math.Pow(res.Coverage, ix.cfg.CoveragePower)
	vague := false
	if ws := s.terms.words; whole && len(s.terms.toks) == 1 && len(ws) == 1 && ws[0].id >= 0 && len(ix.users[ws[0].id]) > 1 {
		if c, ok := ix.verbatim[tokensKey(s.terms.toks)]; !ok || c < 0 {
			res.Candidates = ix.candidates(ix.users[ws[0].id], probs, damp, s)
			vague = true
		}
	}
	if n <= 0 || n > len(s.touched) {
		n = len(s.touched)
	}
	// Keep the n best, best first, by insertion: n is small.
	best := make([]Match, 0, n)
	for _, c := range s.touched {
		p := probs[c] * damp
		if p <= 0 || (len(best) == n && !better(p, c, best[n-1], ix)) {
			continue
		}
		m := Match{ix.intents[c], p}
		if len(best) < n {
			best = append(best, m)
		} else {
			best[n-1] = m
		}
		for j := len(best) - 1; j > 0 && better(best[j].Score, ix.classOf(best[j]), best[j-1], ix); j-- {
			best[j], best[j-1] = best[j-1], best[j]
		}
	}
	res.Matches = best
	if vague {
		res.Candidates = ix.widen(res.Candidates, s.terms.toks[0].word, lang, s)
	}
	return res
}

// widen adds to the candidates of a vague word those of the synonym phrases
// that contain it: "mail" is also "adresse mail" (the login entries) and
// "boite mail", not only the phone's "appli mail". An intent keeps its best
// score.
func (ix *Index) widen(cands []Match, word, lang string, s *scratch) []Match {
	for _, p := range ix.within[word] {
		r := ix.rank(s, p.words, false, lang, maxCandidates)
		for _, m := range r.Matches {
			i := slices.IndexFunc(cands, func(c Match) bool { return c.Intent == m.Intent })
			switch {
			case i < 0:
				cands = append(cands, m)
			case m.Score > cands[i].Score:
				cands[i].Score = m.Score
			}
		}
	}
	return sortMatches(cands)[:min(len(cands), maxCandidates)]
}

// tokensKey hashes the words of an analysed question, synonyms read as
// their concept: "bjr" is the example "bonjour".
func tokensKey(toks []token) uint64 {
	h := uint64(fnvOffset)
	for _, t := range toks {
		h = hashByte(hashString(h, t.word), ' ')
	}
	return h
}

// candidates returns the given intents with their scores, best first, at
// most maxCandidates. An intent that no feature of the question touched
// scores 0.
func (ix *Index) candidates(classes []int32, probs []float64, damp float64, s *scratch) []Match {
	touched := make(map[int32]bool, len(s.touched))
	for _, c := range s.touched {
		touched[c] = true
	}
	out := make([]Match, 0, len(classes))
	for _, c := range classes {
		m := Match{Intent: ix.intents[c]}
		if touched[c] {
			m.Score = probs[c] * damp
		}
		out = append(out, m)
	}
	return sortMatches(out)[:min(len(out), maxCandidates)]
}

// sortMatches sorts matches best first, ties by intent id, and returns them.
func sortMatches(ms []Match) []Match {
	slices.SortFunc(ms, func(a, b Match) int {
		if a.Score != b.Score {
			if a.Score > b.Score {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Intent, b.Intent)
	})
	return ms
}

// better orders matches by score, then intent id, so that ties rank the
// same way every time.
func better(p float64, c int32, m Match, ix *Index) bool {
	if p != m.Score {
		return p > m.Score
	}
	return ix.intents[c] < m.Intent
}

func (ix *Index) classOf(m Match) int32 { return ix.classID[m.Intent] }

// Language returns the language of text: English when its function words or
// vocabulary say so, French when they say so or nothing tells.
func (ix *Index) Language(text string) string { return ix.detect(text, Tokens(text)) }

func (ix *Index) detect(raw string, toks []string) string {
	vote := 0
	for _, r := range raw {
		if r >= 0xC0 && r < 0x180 && r != 0xD7 && r != 0xF7 {
			vote += 2 // accented Latin letters: English questions hardly have any
		}
	}
	for _, w := range toks {
		d, ok := ix.known[w]
		if !ok {
			vote += 2 * languageVote(w)
			continue
		}
		vote += 2 * int(d.vote)
		switch d.lang {
		case langFR:
			vote++
		case langEN:
			vote--
		}
	}
	switch {
	case vote > 0:
		return French
	case vote < 0:
		return English
	}
	return ix.cfg.DefaultLang
}
