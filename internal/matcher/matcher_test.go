package matcher

import (
	"fmt"
	"slices"
	"testing"
)

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Réinitialiser", "reinitialiser"},
		{"ŒUVRE cœur", "oeuvre coeur"},
		{"l’identifiant", "l'identifiant"},
		{"ﬁchier", "fichier"},
		{"ＭＤＰ", "mdp"},
		{"mail.ac-lyon.fr:993", "mail ac lyon fr 993"},
		{"  ça   va ?! ", "ca va"},
		{"\x00\x1b[31mrouge", "31mrouge"},
		{"Straße", "strasse"},
	}
	for _, tt := range tests {
		if got := Fold(tt.in); got != tt.want {
			t.Errorf("Fold(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestTokens(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"J'ai oublié l'identifiant", []string{"ai", "oublie", "identifiant"}},
		{"qu'est-ce que c'est", []string{"est", "ce", "que", "est"}},
		{"jusqu’à demain", []string{"a", "demain"}},
		{"I can't log in, it's broken", []string{"i", "can", "not", "log", "in", "it", "broken"}},
		{"don't", []string{"do", "not"}},
		{"", nil},
	}
	for _, tt := range tests {
		if got := Tokens(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("Tokens(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestDamerau(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"identifinat", "identifiant", 1},
		{"certifcat", "certificat", 1},
		{"pase", "passe", 1},
		{"chat", "chien", 3},
		{"", "abc", 3},
	}
	for _, tt := range tests {
		if got := damerau(tt.a, tt.b, 10); got != tt.want {
			t.Errorf("damerau(%q, %q) = %d; want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func testIndex(t testing.TB) *Index {
	t.Helper()
	ex := []Example{
		{"login", "quel est mon identifiant convergence", French},
		{"login", "identifiant refusé sur le webmail", French},
		{"login", "what is my convergence username", English},
		{"login", "my username is rejected", English},
		{"reset", "j'ai oublié mon mot de passe", French},
		{"reset", "mot de passe perdu, comment le réinitialiser", French},
		{"reset", "I forgot my password", English},
		{"reset", "how do I reset my password", English},
		{"cert", "certificat invalide sur mon téléphone", French},
		{"cert", "le téléphone refuse le certificat", French},
		{"cert", "invalid certificate on my phone", English},
		{"cert", "the phone rejects the certificate", English},
	}
	ix, err := New(ex, Config{Synonyms: [][]string{{"mot de passe", "mdp", "password"}, {"telephone", "portable", "phone"}}})
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

func TestRankToleratesTyposAndShorthand(t *testing.T) {
	ix := testIndex(t)
	tests := []struct{ q, want string }{
		{"identifinat convergence", "login"},
		{"certifcat invalide", "cert"},
		{"mot de pase oublie", "reset"},
		{"MDP OUBLIÉ", "reset"},
		{"jai oublie mon mdp", "reset"},
		{"certificat pas valide sur mon portable", "cert"},
		{"forgot password", "reset"},
		{"lidentifiant est refusé", "login"},
	}
	for _, tt := range tests {
		if got := ix.Rank(tt.q, "", 3).Best(); got.Intent != tt.want {
			t.Errorf("Rank(%q).Best() = %q (%.2f); want %q", tt.q, got.Intent, got.Score, tt.want)
		}
	}
}

func TestRankOutOfScope(t *testing.T) {
	ix := testIndex(t)
	for _, q := range []string{"la cantine est fermée", "the printer is jammed", "😀", ""} {
		r := ix.Rank(q, "", 3)
		if b := r.Best(); b.Score > 0.3 {
			t.Errorf("Rank(%q).Best() = %q (%.2f); want no confident match", q, b.Intent, b.Score)
		}
	}
}

func TestScoresAreProbabilities(t *testing.T) {
	ix := testIndex(t)
	r := ix.Rank("mot de passe", "", 0)
	sum := 0.0
	for i, m := range r.Matches {
		if m.Score < 0 || m.Score > 1 {
			t.Errorf("score %v out of [0, 1]", m.Score)
		}
		if i > 0 && m.Score > r.Matches[i-1].Score {
			t.Errorf("matches not sorted: %v", r.Matches)
		}
		sum += m.Score
	}
	if sum > 1+1e-9 {
		t.Errorf("scores sum to %v > 1", sum)
	}
}

func TestLanguage(t *testing.T) {
	ix := testIndex(t)
	tests := []struct{ q, want string }{
		{"j'ai oublié mon mot de passe", French},
		{"I forgot my password", English},
		{"mdp", French},
		{"imap", French},
		{"what is my username", English},
		{"réinitialiser", French},
	}
	for _, tt := range tests {
		if got := ix.Language(tt.q); got != tt.want {
			t.Errorf("Language(%q) = %q; want %q", tt.q, got, tt.want)
		}
	}
}

func TestDeterministic(t *testing.T) {
	a, b := testIndex(t), testIndex(t)
	for _, q := range []string{"mot de passe", "phone certificate", "username"} {
		ra, rb := a.Rank(q, "", 0), b.Rank(q, "", 0)
		if fmt.Sprint(ra) != fmt.Sprint(rb) {
			t.Errorf("Rank(%q) differs between two trainings: %v / %v", q, ra, rb)
		}
	}
}

func TestContentKey(t *testing.T) {
	if a, b := ContentKey("Changer mon mot de passe, svp !", French), ContentKey("changer mot de passe", French); a != b {
		t.Errorf("ContentKey: %q != %q", a, b)
	}
}

func TestNewRejectsNothing(t *testing.T) {
	if _, err := New(nil, Config{}); err != ErrNoExamples {
		t.Errorf("New(nil) = %v; want ErrNoExamples", err)
	}
}

func BenchmarkRank(b *testing.B) {
	ix := testIndex(b)
	b.ReportAllocs()
	for b.Loop() {
		ix.Rank("j'ai oublié mon mot de passe convergence", "", 3)
	}
}

// syntheticExamples builds n intents whose examples each have a word of
// their own, and share filler words with every other intent.
func syntheticExamples(n int) []Example {
	fillers := []string{"comment", "faire", "pour", "mon", "compte", "marche", "pas"}
	var out []Example
	for i := range n {
		own := fmt.Sprintf("mot%dx%d", i, i*7%13)
		for k := range 6 {
			text := own + " " + fillers[(i+k)%len(fillers)] + " " + fillers[(i+2*k+1)%len(fillers)]
			out = append(out, Example{Intent: fmt.Sprintf("intent-%d", i), Text: text})
		}
	}
	return out
}

// Calibration brings the training examples to their target fit, whatever
// the number of intents, so the same answer thresholds serve a knowledge of
// 20 entries and one of 2,000. It never changes a ranking.
func TestCalibration(t *testing.T) {
	for _, n := range []int{20, 2000} {
		examples := syntheticExamples(n)
		ix, err := New(examples, Config{})
		if err != nil {
			t.Fatal(err)
		}
		if ix.sharpness < minSharpness || ix.sharpness > maxSharpness {
			t.Fatalf("%d intents: sharpness %v out of bounds", n, ix.sharpness)
		}
		var sum float64
		for _, ex := range examples {
			r := ix.Rank(ex.Text, "", 1)
			if r.Best().Intent != ex.Intent {
				t.Fatalf("%d intents: %q ranks %q first", n, ex.Text, r.Best().Intent)
			}
			sum += r.Best().Score
		}
		fit := sum / float64(len(examples))
		if fit < targetFit-0.01 || fit > targetFit+0.01 {
			t.Errorf("%d intents: mean confidence on the examples %.4f, want %.3f ± 0.01", n, fit, targetFit)
		}
		// A new question with an intent's own word is answered with
		// confidence at any size.
		if r := ix.Rank("mot3x8 marche comment", "", 1); r.Best().Intent != "intent-3" || r.Best().Score < 0.5 {
			t.Errorf("%d intents: own word ranks %+v", n, r.Best())
		}

		for _, q := range []string{"compte pas", "mot5x9 compte", "faire marche pour"} {
			a := ix.Rank(q, "", 5)
			sharpness := ix.sharpness
			ix.sharpness = 1
			b := ix.Rank(q, "", 5)
			ix.sharpness = sharpness
			for i := range a.Matches {
				if a.Matches[i].Intent != b.Matches[i].Intent {
					t.Errorf("%d intents: calibration changed the ranking of %q", n, q)
				}
			}
		}
	}
}

// A single word (or synonym phrase) that several intents use is vague,
// unless an example is just that word; a question of more words is not.
func TestVague(t *testing.T) {
	ix := testIndex(t)
	tests := []struct {
		q     string
		cands []string // the intents offered, sorted; nil: not vague
	}{
		{"téléphone", nil},    // one intent uses it
		{"mot de passe", nil}, // one intent uses the phrase
		{"convergence", nil},
		{"refuse", []string{"cert", "login"}},
		{"refusé ?", []string{"cert", "login"}},
		{"le certificat est refusé", nil},
	}
	for _, tt := range tests {
		r := ix.Rank(tt.q, "", 3)
		var cands []string
		for _, c := range r.Candidates {
			cands = append(cands, c.Intent)
		}
		slices.Sort(cands)
		if r.Vague() != (tt.cands != nil) || !slices.Equal(cands, tt.cands) {
			t.Errorf("Rank(%q): vague %v, candidates %v; want %v", tt.q, r.Vague(), cands, tt.cands)
		}
	}
	withWord, err := New([]Example{
		{"cert", "refusé", French}, {"login", "identifiant refusé", French}, {"cert", "certificat refusé", French},
	}, Config{})
	if err != nil {
		t.Fatal(err)
	}
	if r := withWord.Rank("refusé", "", 3); r.Vague() {
		t.Errorf("an example made of the question's word: vague %v", r.Vague())
	}
}

// A question inside a long message (greeting, story, question) scores as
// the question alone, not lower: the story is no evidence against it.
func TestLongMessageScoresLikeItsQuestion(t *testing.T) {
	ix := testIndex(t)
	alone := ix.Rank("quel est mon identifiant convergence", "", 3).Best()
	long := ix.Rank("Bonjour, je suis arrivée en septembre au collège après une mutation et une longue route. Quel est mon identifiant convergence ?", "", 3).Best()
	if long.Intent != "login" || long.Score < alone.Score-0.05 {
		t.Errorf("long message: %s %.2f; want login near %.2f (the question alone)", long.Intent, long.Score, alone.Score)
	}
	// A clause that only names a thing ("sur Firefox") or a greeting does not
	// stand for the message.
	if r := ix.Rank("Bonjour, mot de passe perdu, comment le réinitialiser", "", 3).Best(); r.Intent != "reset" {
		t.Errorf("greeting first: %s; want reset", r.Intent)
	}
}

func TestSplitClauses(t *testing.T) {
	text := "Bonjour, mail.ac-lyon.fr ne marche pas. Pourquoi ?\nMerci"
	var got []string
	for _, c := range splitClauses(text, nil) {
		got = append(got, text[c[0]:c[1]])
	}
	want := []string{"Bonjour", " mail.ac-lyon.fr ne marche pas", " Pourquoi ", "Merci"}
	if !slices.Equal(got, want) {
		t.Errorf("splitClauses = %q; want %q", got, want)
	}
}

// A person's name is one word for the matcher, and so is a login made of its
// initial and last name: "Hélène Roux ... hroux" is not three unknown words.
func TestNamesAreOneWord(t *testing.T) {
	got := maskNames(Tokens("pour Hélène Roux l'identifiant c'est hroux ou helene.roux ?"))
	want := []string{"pour", nameWord, nameWord, "identifiant", "est", nameWord, "ou", nameWord, nameWord}
	if !slices.Equal(got, want) {
		t.Errorf("maskNames = %q; want %q", got, want)
	}
	if got := maskNames(Tokens("Pierre et moi avons oublié")); got[1] != "et" {
		t.Errorf("a function word after a first name is kept: %q", got)
	}
	ix := testIndex(t)
	plain := ix.Rank("quel est mon identifiant convergence", "", 1).Best()
	named := ix.Rank("je m'appelle Jean-Pierre Martin, quel est mon identifiant convergence", "", 1).Best()
	if named.Intent != "login" || named.Score < plain.Score-0.1 {
		t.Errorf("with a name: %s %.2f; want login near %.2f", named.Intent, named.Score, plain.Score)
	}
}

// A vague word is also read through the synonym phrases that contain it:
// "mail" offers what "adresse mail" is about.
func TestVagueWidensThroughPhrases(t *testing.T) {
	ex := []Example{
		{"login", "mon adresse mail est refusée", French},
		{"login", "identifiant ou adresse mail", French},
		{"phone", "mail sur le téléphone", French},
		{"phone", "appli mail du téléphone", French},
		{"sync", "mail lu sur le téléphone", French},
		{"sync", "mail supprimé pas synchronisé", French},
	}
	ix, err := New(ex, Config{Synonyms: [][]string{{"adresse mail", "email address"}}})
	if err != nil {
		t.Fatal(err)
	}
	r := ix.Rank("mail", "", 3)
	if !r.Vague() || !slices.ContainsFunc(r.Candidates, func(m Match) bool { return m.Intent == "login" }) {
		t.Errorf("Rank(mail) candidates = %v; want login among them", r.Candidates)
	}
}

// ContentKeys gives the keys ContentKey gives, stemming each word once.
func TestContentKeysAsContentKey(t *testing.T) {
	var k ContentKeys
	for _, q := range []string{"J'ai oublié mon mot de passe", "les mots de passe oubliés", "mon téléphone refuse le certificat", "", "the certificates of my phones"} {
		for _, lang := range []string{"fr", "en"} {
			if got, want := k.Key(q, lang), ContentKey(q, lang); got != want {
				t.Errorf("Key(%q, %s) = %q; ContentKey gives %q", q, lang, got, want)
			}
		}
	}
}
