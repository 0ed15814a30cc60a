package matcher

import (
	"math"
	"slices"
)

// Training hyper-parameters, fixed in advance and the same for every
// knowledge base (they were chosen on the CLINC150 validation split).
const (
	// learningRate is the step at the start of training. On the CLINC150
	// validation split 0.8, 1, 1.2 and 1.6 give 91.60, 91.63, 91.67 and
	// 91.67%.
	learningRate = 1.2
	// hotProbability is the probability above which a wrong intent gets its
	// own (negative) weight for the features of the example it was confused
	// with. Weights exist only where they matter: the model stays sparse
	// enough for 10,000 intents while still learning from confusions.
	hotProbability = 0.02
	// pruneBelow is the smallest weight kept between passes and after
	// training. On the CLINC150 validation split 0.05, 0.1, 0.15 and 0.2 give
	// 91.53, 91.63, 91.60 and 91.50%, and on clinc150-10shot's 73.67, 73.57,
	// 73.50 and 73.53%: differences of a few questions, and 0.05 is kept.
	pruneBelow = 0.05
	// An index trains for at least minEpochs passes and at least minUpdates
	// example updates, within maxEpochs.
	minEpochs = 12
	maxEpochs = 300
	// Since calibrate sets the confidence scale, more updates buy no
	// accuracy on small knowledge bases: on the validation split of CLINC150
	// with 2 examples an intent (300), 12 passes, 5,000 and 20,000 updates
	// give 49.40, 49.43 and 49.30%; with 5 (750), 61.23, 61.23 and 61.10%.
	// 5,000 is kept for knowledge bases of a few dozen examples.
	minUpdates = 5000
	// decayUpdates is the least number of updates over which the learning
	// rate halves, so that small knowledge bases are not starved.
	decayUpdates = 20000
	// initWeight starts each feature's weight for the intents whose examples
	// have it at initWeight·ln(C/k)/ln(C+1), for a feature seen in k of C
	// intents: words of one intent start strong, words of every intent at
	// zero. Training then starts near a nearest-centroid classifier instead
	// of from nothing, which matters most when there are many intents and few
	// passes. Chosen on the CLINC150 validation split (0 to 1.5 by 0.25:
	// 90.67% without it, 91.60% at 0.75 and 1, the lower kept).
	initWeight = 0.75
	// maxSupportIntents is the number of intents above which a feature's
	// examples give it no starting weight: a character n-gram or an everyday
	// word of hundreds of intents tells little, and every update would pay
	// for each of its weights. It gets weights only where it is confused
	// (hotProbability). Knowledge bases under 128 entries are untouched; on
	// the CLINC150 validation split (150 intents) 91.63% becomes 91.53%, and
	// training 10,000 synthetic entries takes 23 s instead of 354 s.
	maxSupportIntents = 128
	// targetFit is the mean probability that calibrate gives the training
	// examples of their own intent. It keeps the confidence on the scale the
	// shipped answer thresholds (0.4 and 0.2) were set on: the shipped
	// knowledge fitted 0.9885 with the training they were set with (60,000
	// updates at learning rate 0.8), 0.9845 with 20,000 at 1.2.
	targetFit = 0.985
	// calibrationSample is how many training examples, spread over the set,
	// calibrate looks at; minSharpness and maxSharpness bound its factor.
	calibrationSample = 512
	minSharpness      = 0.2
	maxSharpness      = 10
)

type scratch struct {
	words   []string
	clauses [][2]int
	terms   terms
	acc     accumulator
	scores  []float64
	mark    []uint32
	stamp   uint32
	touched []int32
	probs   []float64
}

func (ix *Index) getScratch() *scratch {
	if s, ok := ix.scratch.Get().(*scratch); ok {
		return s
	}
	n := len(ix.intents)
	return &scratch{scores: make([]float64, n), mark: make([]uint32, n), probs: make([]float64, n)}
}

// logits adds up the weights of vec's features into s.scores for the intents
// they touch, listed in s.touched.
func (ix *Index) logits(vec sparse, s *scratch) {
	if ix.dense() {
		ix.denseLogits(vec, s)
		return
	}
	s.stamp++
	if s.stamp == 0 {
		clear(s.mark)
		s.stamp = 1
	}
	s.touched = s.touched[:0]
	add := func(row []posting, x float64) {
		for _, p := range row {
			if s.mark[p.class] != s.stamp {
				s.mark[p.class] = s.stamp
				s.scores[p.class] = 0
				s.touched = append(s.touched, p.class)
			}
			s.scores[p.class] += x * float64(p.w)
		}
	}
	for i, id := range vec.ids {
		add(ix.row(id), float64(vec.vals[i]))
	}
	for _, row := range vec.rows {
		add(row, vec.scale)
	}
}

// row returns the weights of feature id.
func (ix *Index) row(id int32) []posting {
	if ix.offsets != nil {
		return ix.postings[ix.offsets[id]:ix.offsets[id+1]]
	}
	return ix.weights[id] // still training
}

// denseIntents is the number of intents up to which logits adds into a
// dense array, without the per-weight bookkeeping of which intents were
// touched: clearing a few hundred scores costs less than that bookkeeping.
// While training, every intent of a dense array also gets its probability
// computed and its weights updated, so the bound is lower: at 1,000
// synthetic entries training takes 2.5 s sparse against 3.1 s dense.
const (
	denseIntents         = 1024
	denseTrainingIntents = 256
)

// dense tells whether logits adds into a dense array.
func (ix *Index) dense() bool {
	if ix.offsets == nil {
		return len(ix.intents) <= denseTrainingIntents
	}
	return len(ix.intents) <= denseIntents
}

// denseLogits is logits for an index of few intents. An intent is touched
// when its score is not zero, as when it gets a weight.
func (ix *Index) denseLogits(vec sparse, s *scratch) {
	scores := s.scores[:len(ix.intents)]
	clear(scores)
	for i, id := range vec.ids {
		x := float64(vec.vals[i])
		for _, p := range ix.row(id) {
			scores[p.class] += x * float64(p.w)
		}
	}
	for _, row := range vec.rows {
		for _, p := range row {
			scores[p.class] += vec.scale * float64(p.w)
		}
	}
	s.touched = s.touched[:0]
	for c, v := range scores {
		if v != 0 {
			s.touched = append(s.touched, int32(c))
		}
	}
}

// predict returns the softmax probabilities of the touched intents; every
// untouched intent has logit 0. While training, every intent gets its
// probability.
func (ix *Index) predict(vec sparse, s *scratch) []float64 {
	ix.logits(vec, s)
	a := ix.sharpness
	untouched := len(ix.intents) - len(s.touched)
	m := math.Inf(-1)
	if untouched > 0 {
		m = 0
	}
	for _, c := range s.touched {
		m = max(m, a*s.scores[c])
	}
	z := float64(untouched) * math.Exp(-m)
	for _, c := range s.touched {
		e := math.Exp(a*s.scores[c] - m)
		s.probs[c] = e
		z += e
	}
	for _, c := range s.touched {
		s.probs[c] /= z
	}
	if ix.offsets == nil && ix.dense() && untouched > 0 {
		// Training with dense scores: an intent whose weights add up to
		// exactly zero still has weights to update, with its probability.
		p := math.Exp(-m) / z
		for c, v := range s.scores[:len(ix.intents)] {
			if v == 0 {
				s.probs[c] = p
			}
		}
	}
	return s.probs
}

// train fits the multinomial logistic regression by stochastic gradient
// descent, visiting the examples in a fixed interleaved order.
func (ix *Index) train(vecs []sparse, labels []int32) {
	ix.weights = make([][]posting, len(ix.idf))
	// Support: every feature of an example gets a weight for its intent.
	byClass := make([]int, len(vecs))
	for i := range byClass {
		byClass[i] = i
	}
	slices.SortStableFunc(byClass, func(a, b int) int { return int(labels[a] - labels[b]) })
	last := make([]int32, len(ix.idf))
	for i := range last {
		last[i] = -1
	}
	for _, i := range byClass {
		c := labels[i]
		for _, id := range vecs[i].ids {
			if last[id] != c {
				last[id] = c
				ix.weights[id] = append(ix.weights[id], posting{class: c})
			}
		}
	}

	nc := float64(len(ix.intents))
	for id, ps := range ix.weights {
		if len(ps) > maxSupportIntents {
			ix.weights[id] = nil
		}
	}
	for _, ps := range ix.weights {
		w0 := float32(initWeight * math.Log(nc/float64(len(ps))) / math.Log(nc+1))
		for q := range ps {
			ps[q].w = w0
		}
	}
	n := len(vecs)
	stride := interleave(n)
	s := ix.getScratch()
	defer ix.scratch.Put(s)
	has := make([]uint32, len(ix.intents))
	hasStamp := uint32(0)
	var hot []int32
	step := 0
	for epoch := 0; epoch < ix.cfg.Epochs; epoch++ {
		for k := 0; k < n; k++ {
			i := (k * stride) % n
			vec, y := vecs[i], labels[i]
			probs := ix.predict(vec, s)
			lr := learningRate / (1 + float64(step)/float64(max(n, decayUpdates)))
			step++
			hot = hot[:0]
			for _, c := range s.touched {
				if c != y && probs[c] > hotProbability {
					hot = append(hot, c)
				}
			}
			for j, id := range vec.ids {
				x := float64(vec.vals[j])
				ps := ix.weights[id]
				if len(hot) == 0 {
					for q := range ps {
						g := probs[ps[q].class]
						if ps[q].class == y {
							g--
						}
						ps[q].w -= float32(lr * g * x)
					}
					continue
				}
				hasStamp++
				for q := range ps {
					c := ps[q].class
					g := probs[c]
					if c == y {
						g--
					}
					ps[q].w -= float32(lr * g * x)
					has[c] = hasStamp
				}
				for _, c := range hot {
					if has[c] != hasStamp {
						ps = append(ps, posting{class: c, w: float32(-lr * probs[c] * x)})
					}
				}
				ix.weights[id] = ps
			}
		}
		if epoch > 0 {
			ix.prune(pruneBelow)
		}
	}
}

// prune drops, between two passes of training, the weights too small to
// change a ranking, as compact does at the end: the next passes no longer
// pay for them. A weight that matters again comes back when its intent is
// confused with the example's (hotProbability).
func (ix *Index) prune(below float32) {
	for id, ps := range ix.weights {
		kept := ps[:0]
		for _, p := range ps {
			if p.w >= below || p.w <= -below {
				kept = append(kept, p)
			}
		}
		ix.weights[id] = kept
	}
}

// mergeRows adds up the rows of features, each times v and its idf, into
// one row in intent order. It returns nil when the merged row would not
// have at most half as many weights as the rows: with thousands of intents
// a word's n-grams share few of them, and the row would only cost memory.
func (ix *Index) mergeRows(features []int32, v float32, s *scratch) []posting {
	var row []posting
	total := 0
	scores := s.scores[:len(ix.intents)]
	clear(scores)
	for _, id := range features {
		if id < 0 {
			continue
		}
		x := float64(v * ix.idf[id])
		total += len(ix.row(id))
		for _, p := range ix.row(id) {
			if scores[p.class] == 0 {
				row = append(row, posting{class: p.class})
			}
			scores[p.class] += x * float64(p.w)
		}
	}
	slices.SortFunc(row, func(a, b posting) int { return int(a.class - b.class) })
	out := row[:0]
	for _, p := range row {
		if w := float32(scores[p.class]); w != 0 {
			out = append(out, posting{p.class, w})
		}
		scores[p.class] = 0
	}
	if len(out) == 0 || 2*len(out) > total {
		return nil
	}
	return slices.Clip(out)
}

// compact moves the trained weights into one flat array (no pointers for
// the garbage collector to scan, rows next to each other in memory),
// dropping those too small to change a ranking: most of a frequent
// n-gram's weights are near zero, and every question pays for each weight of
// its features.
func (ix *Index) compact(below float32) {
	ix.prune(below)
	n := 0
	for _, ps := range ix.weights {
		n += len(ps)
	}
	ix.postings = make([]posting, 0, n)
	ix.offsets = make([]int32, len(ix.weights)+1)
	for id, ps := range ix.weights {
		ix.postings = append(ix.postings, ps...)
		ix.offsets[id+1] = int32(len(ix.postings))
	}
	ix.weights = nil
}

// interleave returns a stride coprime with n, close to n times the golden
// ratio, so that visiting (k*stride) mod n mixes the intents without a
// random generator.
func interleave(n int) int {
	if n < 3 {
		return 1
	}
	s := int(float64(n)*0.6180339887) | 1
	for gcd(s, n) != 1 {
		s += 2
	}
	return s
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// calibrate sets the sharpness of the trained index: the factor on every
// score before the softmax that makes the training examples fit their intent
// with mean probability targetFit. Without it, the confidence would depend on
// how long the model trained and on how many intents share the probability
// (a knowledge base of 3,000 entries gives its right answers a fraction of
// the confidence one of 17 entries gives), and the same answer thresholds
// could not serve both. Rankings do not change: all scores are multiplied by
// the same positive factor.
func (ix *Index) calibrate(vecs []sparse, labels []int32) {
	ix.sharpness = 1
	if len(ix.intents) < 2 {
		return
	}
	type sample struct {
		y      float64 // score of the right intent (0 when untouched)
		scores []float64
		zeros  float64 // intents without a score
	}
	s := ix.getScratch()
	defer ix.scratch.Put(s)
	step := max(1, len(vecs)/calibrationSample)
	var all []sample
	for i := 0; i < len(vecs); i += step {
		ix.logits(vecs[i], s)
		sm := sample{zeros: float64(len(ix.intents) - len(s.touched))}
		for _, c := range s.touched {
			if c == labels[i] {
				sm.y = s.scores[c]
			}
			sm.scores = append(sm.scores, s.scores[c])
		}
		all = append(all, sm)
	}
	// miss is the fit at sharpness exp(t), less targetFit: it grows with t
	// as long as most examples rank their own intent first.
	miss := func(t float64) float64 {
		a := math.Exp(t)
		var sum float64
		for _, sm := range all {
			m := 0.0
			for _, v := range sm.scores {
				m = max(m, a*v)
			}
			z := sm.zeros * math.Exp(-m)
			for _, v := range sm.scores {
				z += math.Exp(a*v - m)
			}
			sum += math.Exp(a*sm.y-m) / z
		}
		return sum/float64(len(all)) - targetFit
	}
	// The Illinois variant of regula falsi: a handful of evaluations.
	lo, hi := math.Log(minSharpness), math.Log(maxSharpness)
	flo, fhi := miss(lo), miss(hi)
	switch {
	case fhi <= 0:
		ix.sharpness = maxSharpness
		return
	case flo >= 0:
		ix.sharpness = minSharpness
		return
	}
	side := 0
	t := lo
	for range 30 {
		t = (lo*fhi - hi*flo) / (fhi - flo)
		ft := miss(t)
		if math.Abs(ft) < 1e-5 {
			break
		}
		if ft < 0 {
			lo, flo = t, ft
			if side == -1 {
				fhi /= 2
			}
			side = -1
		} else {
			hi, fhi = t, ft
			if side == 1 {
				flo /= 2
			}
			side = 1
		}
	}
	ix.sharpness = math.Exp(t)
}
