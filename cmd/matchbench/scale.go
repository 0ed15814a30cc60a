package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/acad-lyon/helpdesk-bot/intents"
	"github.com/acad-lyon/helpdesk-bot/internal/matcher"
)

// scaleSizes are the knowledge sizes of the scale benchmark, in entries of
// 10 example questions each.
var scaleSizes = []int{100, 300, 1000, 3000, 10000}

// scaleResult is one line of the scale benchmark.
type scaleResult struct {
	Entries  int `json:"entries"`
	Examples int `json:"examples"`
	// LoadS is what a (re)load costs the bot: parse the YAML, validate it,
	// train the matcher, and check that every example answers its entry.
	LoadS float64 `json:"load_s"`
	// TrainS is the training alone, measured again after the load.
	TrainS float64 `json:"train_s"`
	P50    float64 `json:"query_ms_p50"`
	P99    float64 `json:"query_ms_p99"`
	// HeapMB is the live heap once loaded (knowledge and index), after a
	// collection.
	HeapMB   float64 `json:"heap_mb"`
	PeakMB   float64 `json:"peak_rss_mb"`
	Accuracy float64 `json:"paraphrase_acc"`
	// Accuracy is the matcher's top-1 on the paraphrases, whatever its
	// confidence; OwnWord and SharedOnly split it: paraphrases with the
	// entry's own word, and with shared words only.
	OwnWord    float64 `json:"acc_own_word"`
	SharedOnly float64 `json:"acc_shared_only"`
	Queries    int     `json:"queries"`
	// Served is how often the answering core answers, or offers first, the
	// right entry (below its thresholds it says it does not know).
	Served float64 `json:"core_answers_or_offers_right"`
	// Rejected counts the example questions the self-test found leading to
	// another entry: the bot refuses such knowledge, so they are dropped
	// (as a contributor would reword them) and the rest is measured.
	Rejected int `json:"self_test_rejections"`
}

// syntheticVocabulary is n pseudo-words built from syllables, the same on
// every run.
func syntheticVocabulary(n int, r *rand.Rand) []string {
	syl := strings.Fields("ba be bi bo bu ca ce ci co cu da de di do du fa fe fi fo fu ga ge gi go gu la le li lo lu ma me mi mo mu na ne ni no nu pa pe pi po pu ra re ri ro ru sa se si so su ta te ti to tu va ve vi vo vu za ze zi zo zu")
	seen := map[string]bool{}
	var out []string
	for len(out) < n {
		w := ""
		for k := 2 + r.IntN(3); k > 0; k-- {
			w += syl[r.IntN(len(syl))]
		}
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

// fillers are the everyday words every question shares.
var fillers = strings.Fields("comment je ne pas mon ma le la les un une est sur pour avec dans quand pourquoi faire marche plus problème svp aide")

// syntheticKnowledge writes a valid knowledge file of n entries with 5 French
// and 5 English example questions each, and held-out paraphrases to ask.
// Each entry has a word of its own and five words it shares with about four
// other entries; each example is its own word with one or two shared words
// and everyday words. Half the paraphrases are its own word with three shared
// words; the other half have only the three shared words, a combination no
// example used: the matcher must recognise the entry from shared words.
func syntheticKnowledge(n int) (yaml []byte, queries []string, want []string) {
	r := rand.New(rand.NewPCG(uint64(n), 42))
	vocab := syntheticVocabulary(n+max(n, 400), r)
	unique, shared := vocab[:n], vocab[n:]
	var b strings.Builder
	// Each entry has 5 examples a language; 4 are required, so that an
	// example the self-test refuses can be dropped.
	b.WriteString("version: 1\nsettings:\n  min_questions: 4\nmessages:\n")
	for _, m := range []string{"fallback", "did_you_mean", "see_also", "empty", "secret", "secret_direct", "secret_numen"} {
		fmt.Fprintf(&b, "  %s: {fr: \"Message %s.\", en: \"Message %s.\"}\n", m, m, m)
	}
	b.WriteString("entries:\n")
	sentence := func(words []string) string {
		words = slices.Clone(words)
		for k := r.IntN(3); k > 0; k-- {
			words = append(words, fillers[r.IntN(len(fillers))])
		}
		r.Shuffle(len(words), func(i, j int) { words[i], words[j] = words[j], words[i] })
		return strings.Join(words, " ")
	}
	// The 15 subsets of one or two of five shared words.
	var subsets [][]int
	for i := range 5 {
		subsets = append(subsets, []int{i})
		for j := i + 1; j < 5; j++ {
			subsets = append(subsets, []int{i, j})
		}
	}
	for i := range n {
		var own []string
		for _, k := range r.Perm(len(shared))[:5] {
			own = append(own, shared[k])
		}
		id := fmt.Sprintf("topic-%d", i)
		fmt.Fprintf(&b, "  - id: %s\n    title: {fr: \"Sujet %d\", en: \"Topic %d\"}\n    answer: {fr: \"Réponse %d.\", en: \"Answer %d.\"}\n    owner: bench\n    reviewed: 2026-11-27\n    questions:\n", id, i, i, i, i)
		picks := r.Perm(len(subsets))[:10]
		for l, lang := range []string{"fr", "en"} {
			fmt.Fprintf(&b, "      %s:\n", lang)
			for _, p := range picks[5*l : 5*l+5] {
				words := []string{unique[i]}
				for _, k := range subsets[p] {
					words = append(words, own[k])
				}
				fmt.Fprintf(&b, "        - %q\n", sentence(words))
			}
		}
		if i < 2000 { // held-out paraphrases of the first 2,000 entries
			three := r.Perm(5)[:3]
			words := []string{own[three[0]], own[three[1]], own[three[2]]}
			if i%2 == 0 {
				words = append(words, unique[i])
			}
			queries, want = append(queries, sentence(words)), append(want, id)
		}
	}
	return []byte(b.String()), queries, want
}

// runScale measures one size, in this process.
func runScale(n int, trainProfile string) (*scaleResult, error) {
	src, queries, want := syntheticKnowledge(n)
	runtime.GC()
	start := time.Now()
	core, err := intents.ParseCore([]string{"synthetic.yaml"}, map[string][]byte{"synthetic.yaml": src})
	load := time.Since(start)
	rejected := 0
	if probs, ok := err.(intents.Problems); ok {
		// The validator rejects knowledge whose examples do not all lead to
		// their own entry. Count them, drop them as a contributor would
		// reword them, and measure the knowledge that then loads.
		drop := map[int]bool{}
		for _, p := range probs {
			if !strings.Contains(p.Msg, "leads to entry") {
				return nil, fmt.Errorf("synthetic knowledge of %d entries: %w", n, p)
			}
			fmt.Fprintf(os.Stderr, "scale %d: rejected: %v\n", n, p)
			drop[p.Line] = true
		}
		rejected = len(probs)
		lines := strings.SplitAfter(string(src), "\n")
		var kept strings.Builder
		for i, l := range lines {
			if !drop[i+1] {
				kept.WriteString(l)
			}
		}
		src = []byte(kept.String())
		runtime.GC()
		start = time.Now()
		core, err = intents.ParseCore([]string{"synthetic.yaml"}, map[string][]byte{"synthetic.yaml": src})
		load = time.Since(start)
	}
	if err != nil {
		return nil, fmt.Errorf("synthetic knowledge of %d entries: %w", n, err)
	}
	kb := core.Knowledge()
	// The matcher alone, trained on the same examples: training time, and
	// top-1 accuracy whatever the confidence.
	// What the bot holds once loaded: the knowledge and its index.
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	stopProfile, err := startProfile(trainProfile)
	if err != nil {
		return nil, err
	}
	t := time.Now()
	ix, err := matcher.New(intents.TrainingExamples(kb), intents.MatcherConfig(kb))
	stopProfile()
	if err != nil {
		return nil, err
	}
	train := time.Since(t)
	res := &scaleResult{Entries: n, Examples: 10*n - rejected, LoadS: round(load.Seconds(), 3), TrainS: round(train.Seconds(), 3), HeapMB: round(float64(ms.HeapAlloc)/1e6, 1), Queries: len(queries), Rejected: rejected}
	right, rightOwn, own := 0, 0, 0
	for i, q := range queries {
		if i%2 == 0 {
			own++
		}
		if ix.Rank(q, "", 1).Best().Intent == want[i] {
			right++
			if i%2 == 0 {
				rightOwn++
			}
		}
	}
	res.Accuracy = pct(right, len(queries))
	res.OwnWord, res.SharedOnly = pct(rightOwn, own), pct(right-rightOwn, len(queries)-own)
	// The bot's answering core (valid knowledge only): time a question, and
	// how often it answers, or offers first, the right entry.
	var times []float64
	ctx := context.Background()
	served := 0
	for i, q := range queries {
		t := time.Now()
		r, _ := core.Answer(ctx, intents.Question{Text: q})
		times = append(times, float64(time.Since(t).Nanoseconds())/1e6)
		if (r.Entry != nil && r.Entry.ID == want[i]) || (r.Entry == nil && len(r.Alternatives) > 0 && r.Alternatives[0].Entry.ID == want[i]) {
			served++
		}
	}
	res.Served = pct(served, len(queries))
	slices.Sort(times)
	res.P50, res.P99 = round(percentile(times, 50), 4), round(percentile(times, 99), 4)
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err == nil {
		res.PeakMB = round(float64(ru.Maxrss)/1024, 1)
	}
	return res, nil
}

// scale runs every size in a fresh process and prints the table.
func scale(sizes []int, stdout, stderr io.Writer) error {
	var rows []scaleResult
	for _, n := range sizes {
		fmt.Fprintf(stderr, "scale: %d entries...\n", n)
		var r scaleResult
		out, err := runChild(stderr, &r, "-child-scale", strconv.Itoa(n))
		if err != nil {
			return fmt.Errorf("scale %d: %w", n, err)
		}
		rows = append(rows, r)
		stdout.Write(out)
	}
	fmt.Fprintf(stderr, "\n%8s %9s %9s %9s %10s %10s %9s %9s %9s %9s %9s %9s\n", "entries", "examples", "load s", "train s", "p50 ms", "p99 ms", "heap MB", "peak MB", "top1 own", "top1 shrd", "core ok", "rejected")
	for _, r := range rows {
		fmt.Fprintf(stderr, "%8d %9d %9.3f %9.3f %10.4f %10.4f %9.1f %9.1f %8.1f%% %8.1f%% %8.1f%% %9d\n", r.Entries, r.Examples, r.LoadS, r.TrainS, r.P50, r.P99, r.HeapMB, r.PeakMB, r.OwnWord, r.SharedOnly, r.Served, r.Rejected)
	}
	return nil
}
