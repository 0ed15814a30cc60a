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
