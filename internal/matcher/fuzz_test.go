package matcher

import (
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

var fuzzSeeds = []string{
	"", "   ", "jai oublie mon mdp", "J'AI OUBLIÉ MON MOT DE PASSE !!!", "l'identifiant qu'il faut", "don't can't won't",
	"ﬁchier œuvre Æ ß", "😀😀", "\x00\xff\xfe", "Пароль 密码", "mot\u200bde\ufeffpasse", strings.Repeat("a", 300),
	"jarrive pas a me connecter", "10E0512345ABC", "<!channel> @everyone", "a'b'c'd''", "'", "''''",
}

// Folding and splitting any text: no panic, valid UTF-8 out, folding is
// idempotent, tokens have no spaces.
func FuzzFoldTokens(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		folded := Fold(s)
		if !utf8.ValidString(folded) {
			t.Fatalf("Fold(%q) = %q: invalid UTF-8", s, folded)
		}
		if again := Fold(folded); again != folded {
			t.Fatalf("Fold is not idempotent: Fold(%q) = %q, then %q", s, folded, again)
		}
		for _, tok := range Tokens(s) {
			if tok == "" || strings.ContainsAny(tok, " \t\n") || !utf8.ValidString(tok) {
				t.Fatalf("Tokens(%q) has a bad token %q", s, tok)
			}
		}
		ContentKey(s, "fr")
		ContentKey(s, "en")
	})
}

var (
	fuzzIndexOnce sync.Once
	fuzzIndex     *Index
)

// Ranking any text against a small index: no panic, scores in [0, 1],
// best first, a known language.
func FuzzRank(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s, "")
		f.Add(s, "en")
	}
	f.Add("téléphone", "")
	fuzzIndexOnce.Do(func() {
		var ex []Example
		for _, e := range []struct{ intent, text, lang string }{
			{"password", "j'ai oublié mon mot de passe", "fr"}, {"password", "mot de passe perdu", "fr"},
			{"password", "I forgot my password", "en"}, {"imap", "réglages imap du téléphone", "fr"},
			{"imap", "imap settings on my phone", "en"}, {"imap", "port du serveur mail", "fr"},
			{"login", "quel est mon identifiant", "fr"}, {"login", "what is my login", "en"},
			{"login", "identifiant du téléphone", "fr"}, // "téléphone" is vague
		} {
			ex = append(ex, Example{Intent: e.intent, Text: e.text, Lang: e.lang})
		}
		var err error
		if fuzzIndex, err = New(ex, Config{DefaultLang: "fr"}); err != nil {
			panic(err)
		}
	})
	f.Fuzz(func(t *testing.T, s, lang string) {
		r := fuzzIndex.Rank(s, lang, 3)
		if r.Lang != "fr" && r.Lang != "en" {
			t.Fatalf("Rank(%q).Lang = %q", s, r.Lang)
		}
		prev := 2.0
		for _, m := range r.Matches {
			if m.Score < 0 || m.Score > 1 || m.Score > prev {
				t.Fatalf("Rank(%q) scores %v: want in [0, 1], best first", s, r.Matches)
			}
			prev = m.Score
		}
		if len(r.Candidates) == 1 {
			t.Fatalf("Rank(%q): vague with one candidate %v", s, r.Candidates)
		}
		prev = 2.0
		for _, m := range r.Candidates {
			if m.Score < 0 || m.Score > 1 || m.Score > prev {
				t.Fatalf("Rank(%q) candidates %v: want in [0, 1], best first", s, r.Candidates)
			}
			prev = m.Score
		}
	})
}
