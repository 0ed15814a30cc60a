package main

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/acad-lyon/helpdesk-bot/internal/matcher"
)

func TestPercentileNearestRank(t *testing.T) {
	v := []float64{1, 2, 3, 4}
	if got := percentile(v, 50); got != 2 {
		t.Errorf("p50 of 4 values = %v; want the lower middle 2", got)
	}
	if got := percentile(v, 99); got != 4 {
		t.Errorf("p99 = %v; want 4", got)
	}
}

func TestSelectSettings(t *testing.T) {
	got, err := selectSettings([]string{"banking77"}, false)
	if err != nil || !slices.Equal(got, []string{"banking77-full", "banking77-10shot"}) {
		t.Errorf("selectSettings(banking77) = %v, %v", got, err)
	}
	if _, err := selectSettings([]string{"mnist"}, false); err == nil {
		t.Error("selectSettings(mnist) accepted an unknown setting")
	}
}

func TestMissingDataSaysSo(t *testing.T) {
	var out, errb bytes.Buffer
	err := run([]string{"-data", t.TempDir() + "/none", "clinc150"}, &out, &errb)
	if err == nil || !strings.Contains(err.Error(), "benchmark data not found") {
		t.Errorf("run without data = %v; want a clear message", err)
	}
}

// The cut-off maximises (in-scope accuracy + OOS recall) / 2 and is the
// lowest on ties.
func TestChooseCutoff(t *testing.T) {
	ix, err := matcher.New([]matcher.Example{
		{Intent: "a", Text: "reset my password please"}, {Intent: "a", Text: "forgot password"},
		{Intent: "b", Text: "invalid certificate on phone"}, {Intent: "b", Text: "certificate error"},
	}, matcher.Config{DefaultLang: matcher.English})
	if err != nil {
		t.Fatal(err)
	}
	val := []labelled{{text: "password forgot", intent: "a"}, {text: "certificate invalid", intent: "b"}}
	oos := []labelled{{text: "password of the canteen wifi"}}
	c, _ := chooseCutoff(ix, val, oos)
	for _, q := range val {
		if a := classify(ix, q.text); a.score < c {
			t.Errorf("cut-off %v rejects the in-scope %q (%v)", c, q.text, a.score)
		}
	}
	if a := classify(ix, oos[0].text); a.ok && a.score >= c {
		t.Errorf("cut-off %v accepts the out-of-scope query (%v)", c, a.score)
	}
}

// The synthetic knowledge of the scale benchmark is valid knowledge, and a
// small run measures something.
func TestScaleSmall(t *testing.T) {
	res, err := runScale(60, "")
	if err != nil {
		t.Fatal(err)
	}
	if res.Entries != 60 || res.Examples != 600 || res.Queries != 60 || res.LoadS <= 0 || res.P50 <= 0 {
		t.Errorf("runScale(60) = %+v", res)
	}
	if res.OwnWord < 90 {
		t.Errorf("paraphrases with the entry's own word: %.1f%% right; want at least 90%%", res.OwnWord)
	}
}

// With 300 entries the core still answers, or offers first, the right entry
// for most paraphrases: the calibrated confidence does not sink as the
// knowledge grows (76.7% before calibration, 88.3% with it).
func TestScaleCoreKeepsAnswering(t *testing.T) {
	if testing.Short() {
		t.Skip("trains 300 synthetic entries")
	}
	res, err := runScale(300, "")
	if err != nil {
		t.Fatal(err)
	}
	if res.Served < 85 || res.Accuracy < 99 {
		t.Errorf("300 entries: core answers or offers the right entry for %.1f%%, matcher top-1 %.1f%%; want at least 85%% and 99%%", res.Served, res.Accuracy)
	}
}

// The public benchmarks' accuracy bars (issue 3), on the data in
// ../shared/benchmarks; skipped when it is absent. Times are measured by
// go run ./cmd/matchbench, not here.
func TestPublicBenchmarkBars(t *testing.T) {
	if testing.Short() {
		t.Skip("trains four benchmark settings")
	}
	if _, err := loadSetting(defaultDataDir(), "banking77-10shot"); err != nil {
		t.Skipf("benchmark data absent, bars not checked: %v", err)
	}
	bars := map[string]float64{"clinc150-full": 91.7, "banking77-full": 86, "banking77-10shot": 72, "hwu64-kfold1": 86}
	for _, name := range []string{"clinc150-full", "banking77-full", "banking77-10shot", "hwu64-kfold1"} {
		r, err := runSetting(defaultDataDir(), name, "", "")
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %.2f%% without cut-off", name, r.AccNoCutoff)
		if r.AccNoCutoff < bars[name] {
			t.Errorf("%s: %.2f%% without cut-off; want at least %.1f%%", name, r.AccNoCutoff, bars[name])
		}
		if r.OOSRecall != nil {
			if balanced := (r.InScopeAcc + *r.OOSRecall) / 2; balanced < 70 {
				t.Errorf("%s: balanced score at the cut-off %.2f; want at least 70", name, balanced)
			}
		}
	}
}

// BenchmarkCLINCQuery is one CLINC150 test query (in-scope and
// out-of-scope in turn) against the index trained on the full setting, for
// profiling the query path: go test ./cmd/matchbench -bench CLINC
// -cpuprofile cpu.out. It is skipped without ../shared/benchmarks.
func BenchmarkCLINCQuery(b *testing.B) {
	d, err := loadSetting(defaultDataDir(), "clinc150-full")
	if err != nil {
		b.Skipf("no CLINC150 data: %v", err)
	}
	ix, err := matcher.New(d.train, matcher.Config{DefaultLang: matcher.English})
	if err != nil {
		b.Fatal(err)
	}
	qs := append(slices.Clone(d.test), d.oosTest...)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		classify(ix, qs[i%len(qs)].text)
	}
}
