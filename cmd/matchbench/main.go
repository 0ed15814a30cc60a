// Command matchbench measures the intent matcher on public intent
// benchmarks (CLINC150, BANKING77, HWU64) and on the bot's own labelled
// questions, following ../shared/benchmarks/PROTOCOL.md, optionally side by
// side with the NLP.js peer.
//
//	go run ./cmd/matchbench [-quick] [-peers] [-data DIR] [SETTING...]
//	go run ./cmd/matchbench -scale [ENTRIES...]
//
// It prints one JSON line per setting on stdout and a table on stderr. Each
// setting runs in a fresh process (this program re-executed), with
// GOMAXPROCS=1, as the protocol asks.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/acad-lyon/helpdesk-bot/internal/matcher"
)

var allSettings = []string{"clinc150-full", "banking77-full", "banking77-10shot", "hwu64-kfold1", "helpdesk-own"}

// tuningSettings are not the protocol's: they serve to choose the matcher's
// hyper-parameters on validation queries only, and run only when named.
// clinc150-Nshot (N from 1 to 100) trains on the first N examples of each
// CLINC150 intent, a small knowledge base like ours, and chooses its cut-off
// on validation.
var tuningSettings = []string{"clinc150-Nshot"}

// clincShots returns N for a setting named clinc150-Nshot.
func clincShots(name string) (int, bool) {
	s, ok := strings.CutPrefix(name, "clinc150-")
	if !ok {
		return 0, false
	}
	s, ok = strings.CutSuffix(s, "shot")
	n, err := strconv.Atoi(s)
	return n, ok && err == nil && n >= 1 && n <= 100
}

// quickSettings finish in well under a minute together.
var quickSettings = []string{"banking77-10shot", "hwu64-kfold1", "helpdesk-own"}

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "matchbench:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("matchbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	quick := fs.Bool("quick", false, "run the fast settings only ("+strings.Join(quickSettings, ", ")+")")
	peers := fs.Bool("peers", false, "also run the NLP.js peer (needs Node.js and npm) and compare")
	data := fs.String("data", "", "benchmark folder (default ../shared/benchmarks next to the repository)")
	child := fs.Bool("child", false, "internal: run one setting in this process")
	cpuProfile := fs.String("cpuprofile", "", "with -child: write a CPU profile of the test queries to this file")
	trainProfile := fs.String("trainprofile", "", "with -child or -child-scale: write a CPU profile of the training to this file")
	scaleRun := fs.Bool("scale", false, "run the scale benchmark instead: synthetic knowledge of 100 to 10,000 entries x 10 examples (or the sizes given as arguments)")
	childScale := fs.Int("child-scale", 0, "internal: run one scale size in this process")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: matchbench [-quick] [-peers] [-data DIR] [SETTING...]\nsettings: %s (a bare dataset name selects all its settings)\n", strings.Join(allSettings, ", "))
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	dir := *data
	if dir == "" {
		dir = defaultDataDir()
	}
	if *childScale > 0 {
		runtime.GOMAXPROCS(1)
		res, err := runScale(*childScale, *trainProfile)
		if err != nil {
			return err
		}
		return json.NewEncoder(stdout).Encode(res)
	}
	if *scaleRun {
		sizes := scaleSizes
		if fs.NArg() > 0 {
			sizes = nil
			for _, a := range fs.Args() {
				n, err := strconv.Atoi(a)
				if err != nil || n < 10 {
					return fmt.Errorf("scale size %q: want a number of entries (at least 10)", a)
				}
				sizes = append(sizes, n)
			}
		}
		return scale(sizes, stdout, stderr)
	}
	if *child {
		if fs.NArg() != 1 {
			return errors.New("-child takes one setting")
		}
		runtime.GOMAXPROCS(1)
		res, err := runSetting(dir, fs.Arg(0), *cpuProfile, *trainProfile)
		if err != nil {
			return err
		}
		return json.NewEncoder(stdout).Encode(res)
	}
	settings, err := selectSettings(fs.Args(), *quick)
	if err != nil {
		return err
	}
	if _, err := os.Stat(dir); err != nil {
		return fmt.Errorf("benchmark data not found at %s (pass -data DIR; it is read from ../shared/benchmarks and never copied into the repository)", dir)
	}
	var ours []result
	for _, s := range settings {
		fmt.Fprintf(stderr, "running %s...\n", s)
		var r result
		out, err := runChild(stderr, &r, "-child", "-data", dir, s)
		if err != nil {
			return fmt.Errorf("setting %s: %w", s, err)
		}
		ours = append(ours, r)
		stdout.Write(out)
	}
	var theirs []result
	if *peers {
		theirs, err = runPeer(dir, settings, stdout, stderr)
		if err != nil {
			fmt.Fprintln(stderr, "peer:", err)
		}
	}
	printTable(stderr, ours, theirs)
	return nil
}

func defaultDataDir() string {
	for _, d := range []string{"../shared/benchmarks", "../../shared/benchmarks", "../../../shared/benchmarks"} {
		if _, err := os.Stat(d); err == nil {
			abs, _ := filepath.Abs(d)
			return abs
		}
	}
	return "../shared/benchmarks"
}

func selectSettings(args []string, quick bool) ([]string, error) {
	if len(args) == 0 {
		if quick {
			return quickSettings, nil
		}
		return allSettings, nil
	}
	var out []string
	for _, a := range args {
		found := false
		for _, s := range allSettings {
			if s == a || strings.HasPrefix(s, a+"-") {
				out = append(out, s)
				found = true
			}
		}
		if _, ok := clincShots(a); ok {
			out, found = append(out, a), true
		}
		if !found {
			return nil, fmt.Errorf("unknown setting %q (known: %s; for tuning: %s)", a, strings.Join(allSettings, ", "), strings.Join(tuningSettings, ", "))
		}
	}
	return out, nil
}

// result is one protocol line; the field order is the protocol's.
type result struct {
	System        string   `json:"system"`
	Dataset       string   `json:"dataset"`
	Setting       string   `json:"setting"`
	TrainExamples int      `json:"train_examples"`
	Intents       int      `json:"intents"`
	InScopeAcc    float64  `json:"in_scope_acc"`
	OOSRecall     *float64 `json:"oos_recall"`
	Cutoff        *float64 `json:"cutoff"`
	AccNoCutoff   float64  `json:"acc_no_cutoff"`
	QueryP50      float64  `json:"query_ms_p50"`
	QueryP99      float64  `json:"query_ms_p99"`
	TrainS        float64  `json:"train_s"`
	PeakRSSMB     float64  `json:"peak_rss_mb"`
}

type answer struct {
	intent string
	score  float64
	ok     bool // false: no answer
}

func classify(ix *matcher.Index, text string) answer {
	r := ix.Rank(text, "", 1)
	if len(r.Matches) == 0 {
		return answer{}
	}
	return answer{r.Matches[0].Intent, r.Matches[0].Score, true}
}

func runSetting(dir, name, cpuProfile, trainProfile string) (*result, error) {
	var d *dataset
	var err error
	var cfg matcher.Config
	if name == "helpdesk-own" {
		d, cfg, err = loadOwn()
	} else {
		d, err = loadSetting(dir, name)
		cfg = matcher.Config{DefaultLang: matcher.English}
	}
	if err != nil {
		return nil, err
	}
	stopTrainProfile, err := startProfile(trainProfile)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	ix, err := matcher.New(d.train, cfg)
	if err != nil {
		return nil, err
	}
	trainS := time.Since(start).Seconds()
	stopTrainProfile()

	res := &result{System: systemName(), Dataset: d.dataset, Setting: d.setting, TrainExamples: len(d.train), Intents: len(ix.Intents())}
	cutoff := math.Inf(-1)
	hasOOS := len(d.oosTest) > 0
	if len(d.oosVal) > 0 {
		var valAcc float64
		cutoff, valAcc = chooseCutoff(ix, d.val, d.oosVal)
		// Printed for choosing hyper-parameters on validation only.
		fmt.Fprintf(os.Stderr, "%s: validation accuracy without cut-off %.2f%%\n", name, valAcc)
	} else if d.fixedCutoff > 0 {
		cutoff = d.fixedCutoff
	}
	stopProfile, err := startProfile(cpuProfile)
	if err != nil {
		return nil, err
	}
	defer stopProfile()
	var times []float64
	timed := func(q labelled) answer {
		t := time.Now()
		a := classify(ix, q.text)
		times = append(times, float64(time.Since(t).Nanoseconds())/1e6)
		return a
	}
	right, rightAt := 0, 0
	for _, q := range d.test {
		a := timed(q)
		if a.ok && q.right(a.intent) {
			right++
			if a.score >= cutoff {
				rightAt++
			}
		}
	}
	oosRight := 0
	for _, q := range d.oosTest {
		if a := timed(q); !a.ok || a.score < cutoff || d.elsewhere[a.intent] {
			oosRight++
		}
	}
	res.AccNoCutoff = pct(right, len(d.test))
	res.InScopeAcc = res.AccNoCutoff
	if hasOOS {
		res.InScopeAcc = pct(rightAt, len(d.test))
		rec := pct(oosRight, len(d.oosTest))
		res.OOSRecall = &rec
		if !math.IsInf(cutoff, -1) {
			res.Cutoff = &cutoff
		}
	}
	slices.Sort(times)
	res.QueryP50 = round(percentile(times, 50), 4)
	res.QueryP99 = round(percentile(times, 99), 4)
	res.TrainS = round(trainS, 2)
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err == nil {
		res.PeakRSSMB = round(float64(ru.Maxrss)/1024, 1)
	}
	return res, nil
}

// chooseCutoff picks the score that maximises (in-scope accuracy + OOS
// recall) / 2 on the validation queries, compared exactly as a·M + b·N, the
// lowest on ties (PROTOCOL.md §3). It also returns the accuracy without
// cut-off on the in-scope validation queries.
func chooseCutoff(ix *matcher.Index, val, oos []labelled) (cutoff, valAcc float64) {
	type scored struct {
		score    float64
		inScope  bool
		right    bool // in scope: right intent
		answered bool
	}
	var all []scored
	for _, q := range val {
		a := classify(ix, q.text)
		all = append(all, scored{a.score, true, a.ok && a.intent == q.intent, a.ok})
	}
	for _, q := range oos {
		a := classify(ix, q.text)
		all = append(all, scored{a.score, false, false, a.ok})
	}
	var cands []float64
	for _, s := range all {
		if s.answered {
			cands = append(cands, s.score)
		}
	}
	slices.Sort(cands)
	cands = slices.Compact(cands)
	n, m := int64(len(val)), int64(len(oos))
	best, bestObj := math.Inf(-1), int64(-1)
	for _, c := range cands {
		var a, b int64
		for _, s := range all {
			switch {
			case s.inScope && s.right && s.score >= c:
				a++
			case !s.inScope && (!s.answered || s.score < c):
				b++
			}
		}
		if obj := a*m + b*n; obj > bestObj {
			best, bestObj = c, obj
		}
	}
	right := 0
	for _, s := range all[:len(val)] {
		if s.right {
			right++
		}
	}
	fmt.Fprintf(os.Stderr, "validation balanced score at the cut-off %.2f\n", 50*float64(bestObj)/float64(max(1, n*m)))
	return best, 100 * float64(right) / float64(max(1, len(val)))
}

func pct(a, n int) float64 {
	if n == 0 {
		return 0
	}
	return round(100*float64(a)/float64(n), 2)
}

func round(x float64, d int) float64 {
	p := math.Pow(10, float64(d))
	return math.Round(x*p) / p
}

// percentile is the nearest-rank percentile of sorted values.
func percentile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	k := int(math.Ceil(p / 100 * float64(len(sorted))))
	return sorted[max(k, 1)-1]
}

func systemName() string {
	rev := "devel"
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				rev = s.Value[:12]
			}
		}
	}
	if rev == "devel" {
		if out, err := exec.Command("git", "rev-parse", "--short=12", "HEAD").Output(); err == nil {
			rev = strings.TrimSpace(string(out))
		}
	}
	return "helpdesk-matcher@" + rev
}

// runPeer runs ../shared/peers/nlpjs/run.sh on the public settings.
func runPeer(dir string, settings []string, stdout, stderr io.Writer) ([]result, error) {
	if _, err := exec.LookPath("node"); err != nil {
		return nil, errors.New("node not found: skipping the NLP.js peer")
	}
	script := filepath.Join(dir, "..", "peers", "nlpjs", "run.sh")
	if _, err := os.Stat(script); err != nil {
		return nil, fmt.Errorf("peer runner not found at %s", script)
	}
	var public []string
	for _, s := range settings {
		if s != "helpdesk-own" {
			public = append(public, s)
		}
	}
	if len(public) == 0 {
		return nil, nil
	}
	fmt.Fprintf(stderr, "running the NLP.js peer on %s...\n", strings.Join(public, ", "))
	cmd := exec.Command("bash", append([]string{script, dir}, public...)...)
	cmd.Stderr = stderr
	out, err := cmd.Output()
	var res []result
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		var r result
		if json.Unmarshal(sc.Bytes(), &r) == nil && r.System != "" {
			res = append(res, r)
			fmt.Fprintln(stdout, sc.Text())
		}
	}
	return res, err
}

func printTable(w io.Writer, ours, theirs []result) {
	fmt.Fprintf(w, "\n%-28s %-18s %8s %8s %8s %9s %9s %8s %8s\n", "system", "setting", "in-scope", "oos-rec", "no-cut", "p50 ms", "p99 ms", "train s", "rss MB")
	row := func(r result) {
		oos := "-"
		if r.OOSRecall != nil {
			oos = fmt.Sprintf("%.2f", *r.OOSRecall)
		}
		fmt.Fprintf(w, "%-28s %-18s %8.2f %8s %8.2f %9.4f %9.4f %8.2f %8.1f\n", r.System, r.Dataset+"-"+r.Setting, r.InScopeAcc, oos, r.AccNoCutoff, r.QueryP50, r.QueryP99, r.TrainS, r.PeakRSSMB)
	}
	for _, r := range ours {
		row(r)
	}
	for _, r := range theirs {
		row(r)
	}
	if len(theirs) == 0 {
		return
	}
	fmt.Fprintf(w, "\n%-18s %10s %10s %10s %14s %14s\n", "ours - peer", "in-scope", "oos-rec", "no-cut", "p50 peer/ours", "train peer/ours")
	for _, o := range ours {
		for _, t := range theirs {
			if o.Dataset != t.Dataset || o.Setting != t.Setting {
				continue
			}
			oos := "-"
			if o.OOSRecall != nil && t.OOSRecall != nil {
				oos = fmt.Sprintf("%+.2f", *o.OOSRecall-*t.OOSRecall)
			}
			fmt.Fprintf(w, "%-18s %+10.2f %10s %+10.2f %13.1fx %13.1fx\n", o.Dataset+"-"+o.Setting, o.InScopeAcc-t.InScopeAcc, oos, o.AccNoCutoff-t.AccNoCutoff, ratio(t.QueryP50, o.QueryP50), ratio(t.TrainS, o.TrainS))
		}
	}
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return math.Inf(1)
	}
	return a / b
}

// startProfile writes a CPU profile to path until the returned function is
// called; with no path it does nothing.
func startProfile(path string) (func(), error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// runChild runs this program again with args, alone on one core
// (GOMAXPROCS=1) in a fresh process as the protocol asks, and decodes the
// JSON it prints into v. It returns that JSON.
func runChild(stderr io.Writer, v any, args ...string) ([]byte, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, args...)
	cmd.Env = append(os.Environ(), "GOMAXPROCS=1")
	cmd.Stderr = stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(out, v); err != nil {
		return nil, fmt.Errorf("bad output %q: %w", out, err)
	}
	return out, nil
}
