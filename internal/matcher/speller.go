package matcher

// speller finds, for a misspelt word, the closest word of a known vocabulary.
// It indexes every word and each of its one-letter deletions (the SymSpell
// idea), so that a look-up costs a handful of map probes instead of an edit
// distance against every word; candidates are then checked with the true
// Damerau-Levenshtein distance.
type speller struct {
	words   []string
	freq    []int
	byShape map[string][]int32
}

func newSpeller() *speller { return &speller{byShape: make(map[string][]int32)} }

func (s *speller) add(w string, freq int) {
	id := int32(len(s.words))
	s.words = append(s.words, w)
	s.freq = append(s.freq, freq)
	s.byShape[w] = append(s.byShape[w], id)
	for i := 0; i < len(w); i++ {
		d := w[:i] + w[i+1:]
		if l := s.byShape[d]; len(l) == 0 || l[len(l)-1] != id {
			s.byShape[d] = append(l, id)
		}
	}
}

// maxTypos is how many edits a word of n bytes may carry and still be
// recognised: none for short words (too many false friends), one from four
// letters, two from eight.
func maxTypos(n int) int {
	switch {
	case n < 4:
		return 0
	case n < 8:
		return 1
	default:
		return 2
	}
}

// correct returns the known word closest to w, and its distance; ok is false
// when none is close enough.
func (s *speller) correct(w string) (best string, dist int, ok bool) {
	limit := maxTypos(len(w))
	if limit == 0 {
		return "", 0, false
	}
	bestID, bestDist := int32(-1), limit+1
	consider := func(ids []int32) {
		for _, id := range ids {
			c := s.words[id]
			if maxTypos(len(c)) == 0 {
				continue
			}
			d := damerau(w, c, bestDist)
			if d < bestDist || (d == bestDist && bestID >= 0 && s.better(id, bestID)) {
				bestID, bestDist = id, d
			}
		}
	}
	consider(s.byShape[w])
	var buf [64]byte
	for i := 0; i < len(w) && len(w) <= len(buf); i++ {
		d := append(append(buf[:0], w[:i]...), w[i+1:]...)
		consider(s.byShape[string(d)])
	}
	if bestID < 0 || bestDist > limit {
		return "", 0, false
	}
	return s.words[bestID], bestDist, true
}

func (s *speller) better(a, b int32) bool {
	if s.freq[a] != s.freq[b] {
		return s.freq[a] > s.freq[b]
	}
	return s.words[a] < s.words[b]
}

// damerau returns the optimal string alignment distance between a and b
// (insertions, deletions, substitutions and transpositions of adjacent
// bytes), or any value >= limit once it is known to be at least limit.
func damerau(a, b string, limit int) int {
	if d := len(a) - len(b); d >= limit || -d >= limit {
		return limit
	}
	if len(b) > 62 || len(a) > 62 {
		return limit
	}
	var rows [3][64]int
	prev2, prev, cur := &rows[0], &rows[1], &rows[2]
	for j := 0; j <= len(b); j++ {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if rowMin >= limit {
			return limit
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
