// Package chattest holds the helpers the adapters' tests share: the shipped
// knowledge's answering core and golden files.
package chattest

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/acad-lyon/helpdesk-bot/intents"
)

// Shipped returns the answering core of the repository's knowledge (found
// from the test's folder up, next to go.mod), loaded once per test binary:
// a core is read-only, and training it again for each test only costs time.
func Shipped(t testing.TB) *intents.Core {
	t.Helper()
	shippedOnce.Do(func() { shipped, shippedErr = intents.LoadCore(KnowledgePath()) })
	if shippedErr != nil {
		t.Fatal(shippedErr)
	}
	return shipped
}

var (
	shippedOnce sync.Once
	shipped     *intents.Core
	shippedErr  error
)

// Fresh loads the shipped knowledge again: another version of it, for a
// test that needs two.
func Fresh(t testing.TB) *intents.Core {
	t.Helper()
	c, err := intents.LoadCore(KnowledgePath())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// KnowledgePath is knowledge/faq.yaml at the root of the module, from
// wherever the test runs.
func KnowledgePath() string {
	dir, _ := os.Getwd()
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return filepath.Join(d, "knowledge", "faq.yaml")
		}
		if filepath.Dir(d) == d {
			return filepath.Join(dir, "knowledge", "faq.yaml")
		}
	}
}

// Golden compares got with testdata/NAME.golden, rewriting the file first
// when update is set (the packages' -update flag).
func Golden(t *testing.T, name string, got []byte, update bool) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test with -update)", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s changed; if intended, run go test with -update\ngot:\n%s", path, got)
	}
}
