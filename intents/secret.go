package intents

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/acad-lyon/helpdesk-bot/internal/matcher"
)

// Secret: the message carries something shaped like a NUMEN or a password
// given in clear. The reply is a warning to delete the message and change
// the password, meant to be shown privately; nothing of the message is
// kept, logged or echoed.
const Secret Outcome = "secret"

// The secret guard reads a message the way a person would, for what it
// claims rather than for a list of sentences:
//
//   - a NUMEN, however it is typed (spaces, dots, slashes, dashes, any case);
//   - a token that can only be a password: letters mixed with digits or
//     symbols the way passwords are made (Lavande2024, Tmp-8Hq2Lz,
//     Renard#Roux), or several words run together (EtoileFilante), that is
//     not an address, a code, a version or a product name;
//   - a claim that gives one: a password word followed by a value ("mdp
//     Tournesol", "my password is 8642", "mot de passe : X", "le mdp que j'ai
//     choisi = X") or preceded by one ("4471 is my password", "X c'est le
//     mdp"), a verb that sets, types or tries one ("changed it to X", "j'ai
//     mis X comme mdp").
//
// A value after a password word is anything but a word of a question
// ("bloqué", "case sensitive", "enregistré"), an everyday word or a word of
// the knowledge (the core's guard knows every word of its entries).
type guard struct {
	known map[string]bool // folded words that are words of questions, never passwords
}

// defaultGuard knows the built-in everyday words only: it flags at least
// what a core's guard flags, so that a pre-filter or a mask built on it errs
// on the side of caution.
var defaultGuard = newGuard(nil)

func newGuard(words []string) *guard {
	g := &guard{known: make(map[string]bool, len(everyday)+len(words))}
	for w := range everyday {
		g.known[w] = true
	}
	for _, w := range words {
		g.known[w] = true
	}
	return g
}

// vocabulary is every word of the knowledge (titles, questions, answers,
// names, synonyms), folded: the words of its questions are not passwords.
func vocabulary(kb *Knowledge) []string {
	var out []string
	add := func(texts ...string) {
		for _, t := range texts {
			folded := matcher.Fold(t)
			for _, w := range strings.FieldsFunc(folded, func(r rune) bool { return !unicode.IsLetter(r) }) {
				if len(w) >= 3 {
					out = append(out, w)
				}
			}
			// Whole names too ("m@gistere"), but none with a digit: an
			// example question may quote a password ("Lyon2024 c'est assez
			// solide ?"), which must stay one.
			for _, w := range strings.Fields(t) {
				if w = strings.TrimFunc(w, func(r rune) bool { return isWrapper(r) || isSentenceEnd(r) }); len(w) >= 3 && !strings.ContainsAny(w, "0123456789") {
					out = append(out, fold(w))
				}
			}
		}
	}
	for _, list := range [][]*Entry{kb.Entries, kb.Services} {
		for _, e := range list {
			add(e.Title.FR, e.Title.EN, e.Answer.FR, e.Answer.EN)
			add(e.Questions.FR...)
			add(e.Questions.EN...)
			add(e.Keywords...)
			add(e.Names...)
		}
	}
	add(kb.OutOfScope.FR...)
	add(kb.OutOfScope.EN...)
	add(kb.WebmailNames...)
	for _, g := range kb.Synonyms {
		add(g...)
	}
	return out
}

// ContainsSecret reports whether text carries something shaped like a NUMEN
// or a password given in clear, by the built-in words only (a core's guard,
// Core.ContainsSecret, also knows the knowledge's words).
func ContainsSecret(text string) bool { return defaultGuard.contains(cleanLines(text)) }

// ContainsSecret reports whether text carries a NUMEN or a password, by the
// guard that knows every word of this core's knowledge.
func (c *Core) ContainsSecret(text string) bool { return c.guard.contains(cleanLines(text)) }

// Held says what a message held that MaskSecrets hides. A question
// answered later from its masked text (kept a moment for another replica to
// answer) carries it, so that it still gets the warning the original got.
type Held struct {
	Numen    bool `json:"numen,omitempty"`
	Password bool `json:"password,omitempty"`
}

// Any reports whether the message held a secret.
func (h Held) Any() bool { return h.Numen || h.Password }

// Holds says what secrets text holds, by the guard that knows every word of
// this core's knowledge.
func (c *Core) Holds(text string) Held {
	numen, password := c.guard.find(cleanLines(text))
	return Held{Numen: numen, Password: password}
}

// cleanLines is Clean keeping the line breaks: a value on the line after
// its label ("mot de passe\ntournesol") is read as after a colon.
func cleanLines(text string) string {
	text = Cut(strings.ToValidUTF8(text, " "), MaxQuestion)
	return strings.Map(func(r rune) rune {
		if r != '\n' && unicode.IsControl(r) || r == '\u200b' || r == '\ufeff' {
			return ' '
		}
		return r
	}, text)
}

// tok is a token of a message: its bytes in the text, and the same without
// the quotes, brackets and sentence punctuation around it.
type tok struct {
	start, end int    // of raw in the text
	raw, core  string // as typed; without what surrounds it
	low        string // core folded (lower case, no accents)
	cue        int    // the password word ending here has that many tokens (cueAt)
	class      uint16 // the word's classes (classes)
	nl         bool   // a line break comes before it
	quote      bool   // on a line quoted with "> " (a message replied to)
	shape      bool   // it has a digit, a symbol or a capital inside: it may be shaped like a password
	digits     int    // how many digits it has
}

func tokens(text string) []tok { return appendTokens(nil, text) }

// appendTokens appends the tokens of text to out (a buffer on the caller's
// stack, so that a message costs no allocation).
func appendTokens(out []tok, text string) []tok {
	nl, quote := true, false
	for i := 0; i < len(text); {
		if isSpaceAt(text, i) {
			nl = nl || text[i] == '\n'
			_, n := utf8.DecodeRuneInString(text[i:])
			i += n
			continue
		}
		j, plain, apostrophe, shape, digits := i, true, false, false, 0 // plain: only a-z, 0-9 and '
		for j < len(text) {
			c := text[j]
			k := byteKinds[c]
			if k&kindASCII == 0 {
				if isSpaceAt(text, j) {
					break
				}
				r, n := utf8.DecodeRuneInString(text[j:])
				apostrophe = apostrophe || r == '’'
				plain = false
				j += n
				continue
			}
			if k&kindSpace != 0 {
				break
			}
			if k&kindPlain == 0 {
				plain = false
				shape = shape || k&kindSymbol != 0 || k&kindLabel != 0 && j > i ||
					k&kindUpper != 0 && j > i && byteKinds[text[j-1]]&kindLower != 0
				// "passe,Quiche": a comma or a semicolon between letters ends
				// a token too.
				if k&kindComma != 0 && j > i && j+1 < len(text) && isLetterByte(text[j-1]) && isLetterByte(text[j+1]) {
					j++
					break
				}
			} else if k&kindDigit != 0 {
				digits++
				shape = true
			}
			apostrophe = apostrophe || c == '\''
			j++
		}
		raw, core := text[i:j], text[i:j]
		if !isAlnum(raw[0]) || !isAlnum(raw[len(raw)-1]) {
			core = strings.TrimFunc(strings.TrimRightFunc(strings.TrimFunc(raw, isWrapper), isSentenceEnd), isWrapper)
		}
		if apostrophe {
			core = unelided(core)
		}
		if nl {
			quote = strings.HasPrefix(raw, ">")
		}
		low := core
		if !plain || len(core) != len(raw) {
			low = fold(core)
		}
		out = append(out, tok{start: i, end: j, raw: raw, core: core, low: low, nl: nl && len(out) > 0, quote: quote, shape: shape, digits: digits})
		i, nl = j, false
	}
	return out
}

// byteKinds sorts the ASCII bytes for the tokenizer, one look-up a byte.
var byteKinds = func() (t [256]uint16) {
	for c := 0; c < utf8.RuneSelf; c++ {
		k := kindASCII
		switch {
		case c == ' ' || '\t' <= c && c <= '\r':
			k |= kindSpace
		case 'a' <= c && c <= 'z', c == '\'':
			k |= kindPlain | kindLower
		case '0' <= c && c <= '9':
			k |= kindPlain | kindDigit
		case 'A' <= c && c <= 'Z':
			k |= kindUpper
		}
		if symbols[c] {
			k |= kindSymbol
		}
		if c == ':' || c == '=' {
			k |= kindLabel
		}
		if c == ',' || c == ';' {
			k |= kindComma
		}
		t[c] = k
	}
	return t
}()

// The kinds of bytes.
const (
	kindASCII  uint16 = 1 << iota
	kindSpace         // a space, a tab, a line break
	kindPlain         // a-z, 0-9, ': a word fold leaves as it is
	kindLower         // a-z
	kindDigit         // 0-9
	kindUpper         // A-Z
	kindSymbol        // a symbol of those passwords have
	kindLabel         // : or =, a label's end inside a word (mdp:x)
	kindComma         // , or ;
)

// attached returns where ":" or "=" is in s, or -1.
func attached(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] == ':' || s[i] == '=' {
			return i
		}
	}
	return -1
}

// unelided drops a French elided article or pronoun ("l'ENT", "d'accès",
// "qu'il"): what follows is the word.
func unelided(s string) string {
	for _, ap := range []string{"'", "’"} {
		if k := strings.Index(s, ap); k > 0 && k <= 7 {
			switch strings.ToLower(s[:k]) {
			case "l", "d", "j", "qu", "n", "c", "s", "m", "t", "jusqu", "lorsqu", "puisqu":
				if rest := s[k+len(ap):]; rest != "" {
					return rest
				}
			}
		}
	}
	return s
}

func isLetterByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c >= utf8.RuneSelf
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

func isSpaceAt(s string, i int) bool {
	if c := s[i]; c < utf8.RuneSelf {
		return c == ' ' || '\t' <= c && c <= '\r'
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return unicode.IsSpace(r)
}

// fold is matcher.Fold, without its cost for a word it leaves as it is:
// small ASCII letters, digits and apostrophes (most words).
func fold(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '\'') {
			return matcher.Fold(s)
		}
	}
	return s
}

func isWrapper(r rune) bool {
	switch r {
	case '"', '\'', '«', '»', '“', '”', '‘', '’', '`', '(', ')', '[', ']', '{', '}', '<', '>', '*', '_', '~', '|':
		return true
	}
	return false
}

func isSentenceEnd(r rune) bool {
	switch r {
	case '.', ',', ';', ':', '!', '?', '…':
		return true
	}
	return false
}

// contains reports whether text carries a credential.
func (g *guard) contains(text string) bool {
	numen, password := g.find(text)
	return numen || password
}

// find reports whether text carries a NUMEN, and whether it carries a
// password.
func (g *guard) find(text string) (numen, password bool) {
	digits := g.scan(text, false, func(_ tok, isNumen bool) bool {
		if isNumen {
			numen = true
			return true // a password may follow
		}
		password = true
		return false
	})
	// A NUMEN has nine digits; most messages have fewer, and the regular
	// expression is not run on them.
	return numen || digits >= 9 && numenLoose.MatchString(text), password
}

// scan calls found with each token that is a credential (numen: given as
// the NUMEN), until it returns false.
//
// wide scans for what to mask rather than what to warn about: a word that
// is not a word of a question after a password word takes the rest of its
// clause with it ("mot de passe trois petits chats blancs, ..."), and a
// capitalised unknown word after a verb that types or tries one is taken
// even in a message that does not speak of passwords.
//
// It returns the number of digits in text.
func (g *guard) scan(text string, wide bool, report func(t tok, numen bool) bool) (digits int) {
	found := func(t tok) bool { return report(t, false) }
	var buf [64]tok
	ts := appendTokens(buf[:0], text)
	// Whether the message speaks of passwords, or of logging in.
	password, context := false, false
	phrase := false // the message speaks of a passphrase, or of spaces in one
	shapes := false // some token may be shaped like a password
	for i := range ts {
		ts[i].class = classes[ts[i].low]
		ts[i].cue = cueAt(ts, i) // reads the classes of ts[i] and the words before it
		password = password || ts[i].cue > 0
		context = context || password || ts[i].class&isContext != 0
		phrase = phrase || ts[i].class&isPhrase != 0
		shapes = shapes || ts[i].shape
		digits += ts[i].digits
	}
	if !context && !phrase && !shapes && !wide {
		return // no word of passwords or logins, nothing shaped like one: most questions
	}
	if password {
		// "le mien c'est X", "mine is X": the password again.
		for i := range ts {
			if ts[i].class&isMine != 0 && ts[i].cue == 0 {
				ts[i].cue = 1
			}
		}
		// An answer to "c'est quoi ton mdp ?" quoted above it.
		if j := replyValue(ts); j >= 0 && (g.value(ts[j], true) || g.passwordShaped(ts[j]) || wide) {
			if !found(ts[j]) {
				return
			}
			for k := j + 1; wide && k < len(ts) && !endsClause(ts[k-1].raw) && !found(ts[k]); k++ {
			}
		}
		// What to mask: after the password word, a capitalised word, not
		// the first of its sentence, that the knowledge does not know (its
		// value said again: "Juste Soleil").
		for i, seen := 0, false; wide && i < len(ts); i++ {
			seen = seen || ts[i].cue > 0
			r, _ := utf8.DecodeRuneInString(ts[i].core)
			first := i == 0 || ts[i].nl || strings.ContainsAny(ts[i-1].raw[len(ts[i-1].raw)-1:], ".?!:")
			capital := unicode.IsUpper(r) && !first && len(ts[i].core) >= 4 && !g.known[ts[i].low]
			if seen && ts[i].cue == 0 && capital && !found(ts[i]) {
				return
			}
		}
	}
	for i := 0; i < len(ts); i++ {
		t := ts[i]
		if t.shape && g.passwordShaped(t) && !found(t) {
			return
		}
		// Attached to its password word: "mdp:Tournesol", "pwd=hunter".
		if k := attached(t.core); t.shape && k > 0 && cueWords[matcher.Fold(t.core[:k])] {
			v := tok{start: t.start, end: t.end, raw: t.raw, core: t.core[k+1:], low: matcher.Fold(t.core[k+1:])}
			if g.value(v, true) && !found(t) {
				return
			}
		}
		// "mon numen c'est 10E05123ABC": a value with digits after the word,
		// even when it is not the whole NUMEN.
		if t.low == "numen" {
			if j, _ := skipFillers(ts, i+1); j < len(ts) && numenish(ts[j].core) && !report(ts[j], true) {
				return
			}
		}
		if c := t.cue; c > 0 {
			// A value after the password word, past separators and
			// copulas: "mdp Tournesol", "my password is 8642".
			j, sep := skipFillers(ts, i+1)
			// "password: x", "mon mdp, x", "my pwd's x", "mdp 'x'".
			sep = sep || opensValue(t) || strings.HasSuffix(t.raw, ",") || strings.HasSuffix(t.low, "'s") || strings.HasSuffix(t.low, "’s")
			if j < len(ts) && (g.value(ts[j], sep || quoted(ts[j]) || wide) || quotedPhrase(ts, j) || phrase && sep && words(ts, j, 3)) && !found(ts[j]) {
				return
			}
			// "password is the name of my dog, Rantanplan".
			if k := namedAfter(ts, i+1); k >= 0 && g.typedValue(ts[k], true) && !found(ts[k]) {
				return
			}
			if wide && j < len(ts) && g.unknownWord(ts[j]) {
				for k := j; k < len(ts) && !found(ts[k]) && !endsClause(ts[k].raw); k++ {
				}
			}
			// Before it: "4471 is my password", "X c'est le mdp".
			if j := valueBefore(ts, i-c+1); j >= 0 && g.value(ts[j], true) && !found(ts[j]) {
				return
			}
		}
		// "mot de passe ... : X", "le mdp que j'ai choisi = X": after a
		// colon or an equals sign, shortly after a password word.
		if opensValue(t) && (cueWithin(ts, i, 6) || phrase && phraseWithin(ts, i, 6)) {
			if j, _ := skipFillers(ts, i+1); j < len(ts) && (g.value(ts[j], true) || phrase && words(ts, i+1, 3)) && !found(ts[j]) {
				return
			}
		}
		// "mes identifiants : cdurand, tournesol": a login, then the
		// password.
		if t.class&isPair != 0 {
			if j, _ := skipFillers(ts, i+1); j+1 < len(ts) {
				k := j + 1
				if last := ts[j].raw[len(ts[j].raw)-1]; last != ',' && last != '/' && k < len(ts) && pairSeparators[ts[k].low] {
					k++
				}
				if k < len(ts) && g.value(ts[k], true) && !found(ts[k]) {
					return
				}
			}
		}
		// What to mask: "jai tapé rosalie", "I entered 25061990", what a
		// verb of typing has as object is what was typed into the login
		// page. Not enough to warn about (it would take "j'ai tapé
		// sbernard", a login, for a password), enough to keep nothing of it.
		if wide && t.class&isTyping != 0 {
			j, _ := skipFillers(ts, i+1)
			for j < len(ts) && g.typed(ts[j]) {
				if !found(ts[j]) {
					return
				}
				// And what follows it in a list: "Thierry, puis thierry",
				// "jules / Jules", "12031985 puis 120385".
				k := j + 1
				for k < len(ts) && k < j+3 && ts[k].class&isAlternative != 0 {
					k++
				}
				if k == j+1 && !strings.HasSuffix(ts[j].raw, ",") {
					break
				}
				j = k
			}
		}
		// "changed it to X", "j'ai mis X comme mdp", "tried with X".
		if (context || wide) && t.class&isSetVerb != 0 {
			if j, _ := skipFillers(ts, i+1); j < len(ts) && g.typedValue(ts[j], password) && !found(ts[j]) {
				return
			}
		}
	}
	return digits
}

// cueAt reports whether a password word ends at ts[i], and how many tokens
// it has ("mdp" 1, "mot de passe" 3, "code d'accès" 2).
func cueAt(ts []tok, i int) int {
	w := ts[i].low
	switch {
	case ts[i].class&isCue != 0 || (strings.HasSuffix(w, "'s") || strings.HasSuffix(w, "’s")) && cueWords[w[:strings.LastIndexAny(w, "'’")]]:
		return 1
	case (w == "passe" || w == "pass") && i >= 2 && ts[i-1].low == "de" && (ts[i-2].low == "mot" || ts[i-2].low == "mots"):
		return 3
	case (w == "acces" || w == "d'acces") && i >= 1 && ts[i-1].low == "code":
		return 2
	case w == "acces" && i >= 2 && ts[i-1].low == "d" && ts[i-2].low == "code":
		return 3
	}
	return 0
}

// cueWithin reports whether a password word comes at most n tokens before
// ts[i], in the same clause.
func cueWithin(ts []tok, i, n int) bool {
	for j := i; j >= max(0, i-n); j-- {
		if ts[j].cue > 0 {
			return true
		}
		if j < i && endsClause(ts[j].raw) {
			return false
		}
	}
	return false
}

// phraseWithin is cueWithin for "phrase", "passphrase".
func phraseWithin(ts []tok, i, n int) bool {
	for j := i; j >= max(0, i-n); j-- {
		if ts[j].class&isPhrase != 0 {
			return true
		}
	}
	return false
}

// questionWithin reports whether the quoted line of ts[j] asks something:
// a question mark, or a word that asks.
func questionWithin(ts []tok, j int) bool {
	for k := j; k < len(ts) && ts[k].quote && (k == j || !ts[k].nl); k++ {
		if strings.HasSuffix(ts[k].raw, "?") || askWords[ts[k].low] {
			return true
		}
	}
	for k := j; k >= 0 && ts[k].quote; k-- {
		if askWords[ts[k].low] {
			return true
		}
		if ts[k].nl {
			break
		}
	}
	return false
}

var askWords = set(`quoi koi quel quelle what what's which whats c'est-quoi cest`)

// words reports whether n words of letters follow from ts[j]: a
// passphrase ("le chat dort sur le canapé").
func words(ts []tok, j, n int) bool {
	for k := j; k < j+n; k++ {
		if k >= len(ts) {
			return false
		}
		if letters, digits, _, _ := counts(ts[k].core); letters == 0 || digits > 0 && k > j {
			return false
		}
	}
	return true
}

// namedAfter finds, after a password word, the name it is said to be:
// "c'est le prénom de ma fille, Capucine", "the name of my dog,
// Rantanplan". It returns the index of the capitalised word that follows a
// word for a name within a few words, or -1.
func namedAfter(ts []tok, i int) int {
	for j := i; j < len(ts) && j < i+5; j++ {
		if ts[j].class&isName == 0 {
			continue
		}
		for k := j + 1; k < len(ts) && k < j+7; k++ {
			if r, _ := utf8.DecodeRuneInString(ts[k].core); unicode.IsUpper(r) && k > j+1 {
				return k
			}
		}
		return -1
	}
	return -1
}

// replyValue finds an answer to a question about a password quoted above
// it ("> c'est quoi ton mdp ?" then "bah marmotte"): the first word of the
// first line that is not quoted, past little words, or -1.
func replyValue(ts []tok) int {
	asked := false
	for j, t := range ts {
		if t.quote {
			// "> c'est quoi ton mdp ?", "> c koi ton mdp", "> what's your password"
			asked = asked || t.cue > 0 && questionWithin(ts, j)
			continue
		}
		if !asked {
			return -1
		}
		k, _ := skipFillers(ts, j)
		for k < len(ts) && ts[k].class&(isFiller|isSetVerb|isInterjection) != 0 {
			k++
		}
		if k < len(ts) && !ts[k].quote {
			return k
		}
		return -1
	}
	return -1
}

// opensValue: a colon, an equals sign or an arrow, alone or ending a word.
func opensValue(t tok) bool {
	switch t.raw {
	case ":", "=", "->", "→", "=>", "—", "-":
		return true
	}
	return strings.HasSuffix(t.raw, ":") || strings.HasSuffix(t.raw, "=")
}

// skipFillers returns the index of the first token from i that is not a
// separator, a copula or a little word between a password word and its
// value ("est", "c'est", "is", ":", "bien", "actuel"), and whether a
// separator or a copula was among them.
func skipFillers(ts []tok, i int) (j int, sep bool) {
	for n := 0; i < len(ts) && n < 4; i, n = i+1, n+1 {
		t := ts[i]
		layout := strings.Trim(t.raw, ":=-–—>→,.;`'\"«»()[]{}|/\\") == "" // a colon, a dash, a code fence...
		if t.class&isFiller == 0 && !layout || quoted(t) {
			return i, sep || t.nl
		}
		sep = sep || t.class&isCopula != 0 || layout || opensValue(t) || t.nl
	}
	return len(ts), sep
}

// valueBefore returns the index of the value in "VALUE is my password",
// "VALUE c'est le mdp", "VALUE comme mdp" whose password word starts at cue,
// or -1.
func valueBefore(ts []tok, cue int) int {
	j, copula := cue-1, false
	for n := 0; j >= 0 && n < 3; j, n = j-1, n+1 {
		switch {
		case ts[j].class&isCopula != 0:
			copula = true
			continue
		case ts[j].class&isDeterminer != 0:
			continue
		}
		break
	}
	if j < 0 {
		return -1
	}
	if !copula && (j == 0 || ts[j-1].class&isCopula == 0 && ts[j-1].low != "it's") {
		return -1 // "c'est X mon mdp" has its copula before the value
	}
	return j
}

// value reports whether t, right after a password word, is a value rather
// than a word of the question: not an everyday or known word, not a
// description ("enregistré"), at least 4 characters, or shaped like a
// password or a code. A word in small letters is a value only after a
// separator or a copula ("mon mdp c'est chouquette", "password:
// correcthorse"), or when no word is that long (15 letters and more):
// "le mot de passe provisoire arriverait" goes on with the sentence.
func (g *guard) value(t tok, sep bool) bool {
	c := t.core
	if c == "" || strings.Trim(c, "*•.-_x?") == "" || isAddress(c) {
		return false
	}
	letters, digits, upper, other := counts(c)
	switch {
	case letters > 0 && digits > 0:
		return letters+digits >= 4 && !isTime(strings.ToLower(c)) && !isOrdinal(strings.ToLower(c))
	case digits > 0:
		return digits >= 4 && other == 0
	case letters >= 4 && other <= 1:
		if upper == 0 && letters <= 8 && strings.HasSuffix(strings.TrimSpace(t.raw), "?") {
			return false // "my password, legit?", "mon mdp, normal ?": a question tag
		}
		return !g.known[t.low] && !descriptive(c) && (upper > 0 || sep || letters >= 15 || letters >= 5 && !grammatical(t.low))
	case letters == 0 && digits == 0:
		return symbolsOnly(c) // "@@##!!??", not "********" or "???"
	}
	return letters >= 3 && other > 1 // symbols and letters: "Renard#Roux!"
}

// unknownWord: a word of four letters or more that is not a word of the
// knowledge or of everyday speech, nor a form of one (a participle, an
// adverb, a conjugated verb).
func (g *guard) unknownWord(t tok) bool {
	letters, digits, _, _ := counts(t.core)
	return letters >= 4 && digits == 0 && !g.known[t.low] && !descriptive(t.core) && !grammatical(t.low)
}

// typed reports whether t, the object of a verb of typing, is what was
// typed: a word that is not a word of the knowledge or of everyday speech
// (nor a form of one), digits that are not a year, or a password's shape.
func (g *guard) typed(t tok) bool {
	letters, digits, _, other := counts(t.core)
	switch {
	case letters == 0 && other <= 2:
		return 4 <= digits && digits <= 10 && !isYear(t.core) // 8642, 25061990, 03/11/1979
	case digits == 0 && other <= 1:
		return letters >= 4 && !g.known[t.low] && !descriptive(t.core) && !grammatical(t.low)
	}
	return g.passwordShaped(t) || mixesLettersAndDigits(t.core) && !isAddress(t.core) && !isProduct(strings.ToLower(t.core))
}

// typedValue reports whether t, after a verb that sets or types something in
// a message about passwords, is the password: shaped like one, or a
// capitalised word the knowledge does not know ("j'ai mis Framboise").
func (g *guard) typedValue(t tok, password bool) bool {
	if g.passwordShaped(t) {
		return true
	}
	if lc := strings.ToLower(t.core); password && mixesLettersAndDigits(t.core) && !isAddress(t.core) && !isProduct(lc) && !isTime(lc) {
		return true // "j'ai essayé azerty1 comme mdp"
	}
	letters, digits, upper, other := counts(t.core)
	if password && letters == 0 && other == 0 && 4 <= digits && digits <= 8 && !isYear(t.core) {
		return true // "c'est 4719 lol", not "en 2025"
	}
	if letters >= 13 && letters == len(t.core) && !g.known[t.low] && !descriptive(t.core) {
		return true // words run together in small letters: "quietriverbend"
	}
	if letters >= 4 && digits == 0 && other == 0 && upper > 0 && !g.known[t.low] && !descriptive(t.core) {
		r, _ := utf8.DecodeRuneInString(t.core)
		return unicode.IsUpper(r)
	}
	return false
}

// passwordShaped reports whether t can only be a password: six characters
// or more, letters mixed with digits (with a capital, two digits or a
// symbol, so that an identifier like mdupont2 is not one) or with symbols
// other than those of names and addresses, or words run together with
// capitals inside; and not an address, a code in capitals, a version, a
// time or a product name.
func (g *guard) passwordShaped(t tok) bool {
	c := t.core
	if len(c) < 6 {
		return false
	}
	letters, digits, upper, other := counts(c)
	if letters == 0 || letters < 3 && (upper == 0 || upper == letters) || letters == len(c) && upper == 0 || g.known[t.low] || isShortcut(strings.ToLower(c)) {
		return false // few letters in one case ("ce.069"), a word in small letters, a word of the knowledge, Ctrl+F5
	}
	if letters-upper == 0 && !hasAny(c, &strongSymbols) {
		return false // a code in capitals: INC0012345, 0691234A, 0X800CCC0E
	}
	switch {
	case digits > 0:
		if lc := strings.ToLower(c); isAddress(c) || isProduct(lc) || isTime(lc) || hexCode.MatchString(c) {
			return false
		}
		return upper > 0 || digits >= 2 || hasAny(c, &symbols)
	case hasAny(c[1:], &symbols) || strings.IndexByte(c, '=') > 0:
		// Letters and symbols inside the word ("Renard#Roux"), not a
		// mention or a channel ("!here", "@marie", "&lt;!channel&gt;").
		mention := hasAny(c[:1], &leading) && !hasAny(c[1:], &symbols)
		return letters >= 4 && !isAddress(c) && !mention && !strings.Contains(c, "&lt;") && !strings.Contains(c, "&gt;")
	}
	// Words run together: a capital after a small letter, twice, in a word
	// the knowledge does not know (EtoileFilante, MonChatSappelleFelix).
	humps := 0
	prev := rune(0)
	for _, r := range c {
		if unicode.IsUpper(r) && unicode.IsLower(prev) {
			humps++
		}
		prev = r
	}
	return other == 0 && humps >= 1 && letters >= 10 && !g.known[t.low] || humps >= 2 && !g.known[t.low]
}

// numenish: what follows "numen" when it is given, whole or not: digits and
// letters, at least four digits.
func numenish(s string) bool {
	letters, digits, _, _ := counts(s)
	return digits >= 4 && letters >= 1
}

// The symbols that make a token a password ("Renard#Roux", "Hunter22!"),
// unlike those of names and addresses (- ' . /).
var (
	strongSymbols = byteSet("!#$%&*?@^~")
	symbols       = byteSet("!#$%&*?@^~_")
	leading       = byteSet("!#$%&*?@^~_=<>")
)

func byteSet(chars string) (set [256]bool) {
	for i := 0; i < len(chars); i++ {
		set[chars[i]] = true
	}
	return set
}

func hasAny(s string, set *[256]bool) bool {
	for i := 0; i < len(s); i++ {
		if set[s[i]] {
			return true
		}
	}
	return false
}

// grammatical: a word in small letters that ends like a verb, an adjective
// or an adverb of a sentence ("arriverait", "habituel", "working",
// "expired"), which goes on after "mot de passe" rather than gives one.
func grammatical(low string) bool {
	for _, end := range grammaticalEndings {
		if strings.HasSuffix(low, end) {
			return true
		}
	}
	return false
}

var grammaticalEndings = strings.Fields(`ait aient rait erait ira era er ir re ez ons ent ant ent el elle eux euse ique
	able ible if ive al ale aux tion sion ment eur euse ed ing ly ful less ous ive ise ize ish`)

// symbolsOnly: a value made only of symbols, of two kinds at least, not
// the stars or dots a screen shows for a hidden password.
func symbolsOnly(c string) bool {
	kinds := map[rune]bool{}
	for _, r := range c {
		if !strings.ContainsRune("*•.·?", r) {
			kinds[r] = true
		}
	}
	return len(c) >= 4 && len(kinds) >= 2
}

func counts(s string) (letters, digits, upper, other int) {
	for _, r := range s {
		switch {
		case unicode.IsLetter(r):
			letters++
			if unicode.IsUpper(r) {
				upper++
			}
		case unicode.IsDigit(r):
			digits++
		default:
			other++
		}
	}
	return
}

var (
	// A NUMEN however it is typed (numenPattern), any case.
	numenLoose = regexp.MustCompile(numenPattern())
	hexCode    = regexp.MustCompile(`^(?i)0x[0-9a-f]+$`)
	// An e-mail address, a web address or a host name.
	address = regexp.MustCompile(`^(?i)(?:[\w.+-]+@[\w-]+(?:\.[\w-]+)+|(?:https?://|www\.)\S+|[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,6}(?:/\S*)?)$`)
	clock   = regexp.MustCompile(`^\d{1,2}[h:]\d{0,2}(?:am|pm)?$|^\d+(?:min|mn|ms|s|h|j|go|mo|ko|gb|mb|kb|px|e|er|eme|ème|nd|rd|th|st|am|pm)$`)
)

// hasNumen: a NUMEN has nine digits; most messages have fewer, and the
// regular expression is not run on them.
func hasNumen(text string) bool {
	digits := 0
	for i := 0; i < len(text) && digits < 9; i++ {
		if '0' <= text[i] && text[i] <= '9' {
			digits++
		}
	}
	return digits >= 9 && numenLoose.MatchString(text)
}

// numenPattern matches the 13 characters of a NUMEN, a 2-digit academy code,
// a letter, a 2-digit year, 5 digits and 3 letters (10E0512345ABC), with
// anything people put between them: spaces, dots, slashes, dashes, pipes,
// blocks of four like a card number ("10G0 3714 52KL D").
func numenPattern() string {
	const sep = `[\s./_,|:·—–-]*`
	var b strings.Builder
	b.WriteString(`(?i)(?:^|[^\p{L}\p{N}])(`)
	for i, c := range "DDLDDDDDDDLLL" {
		if i > 0 {
			b.WriteString(sep)
		}
		if c == 'D' {
			b.WriteString(`\d`)
		} else {
			b.WriteString(`\p{L}`)
		}
	}
	b.WriteString(`)(?:$|[^\p{L}\p{N}])`)
	return b.String()
}

func isAddress(s string) bool { return strings.ContainsAny(s, ".@/:") && address.MatchString(s) }

// isShortcut: a keyboard shortcut ("ctrl+f5", "cmd+shift+r").
func isShortcut(low string) bool {
	if !strings.Contains(low, "+") {
		return false
	}
	for _, k := range strings.Split(low, "+") {
		if k == "" { // "+x", "ctrl++"
			return false
		}
		if !keys[k] && len(k) != 1 && !(len(k) <= 3 && k[0] == 'f' && strings.Trim(k[1:], "0123456789") == "") {
			return false
		}
	}
	return true
}

var keys = set(`ctrl control alt altgr shift maj cmd command option opt fn win windows suppr del delete entree enter tab esc
	espace space echap`)

func isYear(s string) bool { return len(s) == 4 && (s[:2] == "19" || s[:2] == "20") }

// quoted: a token typed between quotes, as a value is ("mdp 'hérisson'").
func quoted(t tok) bool {
	r, _ := utf8.DecodeRuneInString(t.raw)
	return len(t.core) < len(t.raw) && strings.ContainsRune("\"'«“‘`", r)
}

// quotedPhrase: a passphrase between quotes, three words or more ("mon
// mot de passe est « le chat dort »").
func quotedPhrase(ts []tok, j int) bool {
	if !quoted(ts[j]) {
		return false
	}
	open, _ := utf8.DecodeRuneInString(ts[j].raw)
	if last, _ := utf8.DecodeLastRuneInString(strings.TrimRight(ts[j].raw, ".,;:!?")); closes(open, last) && len(ts[j].raw) > 1 {
		return false // one quoted word: value says
	}
	for k := j + 1; k < len(ts) && k < j+12; k++ {
		if r, _ := utf8.DecodeLastRuneInString(strings.TrimRight(ts[k].raw, ".,;:!?")); closes(open, r) {
			return k-j >= 2
		}
	}
	return false
}

func closes(open, r rune) bool {
	switch open {
	case '«':
		return r == '»'
	case '“':
		return r == '”'
	case '‘':
		return r == '’'
	}
	return r == open
}

func endsClause(raw string) bool { return strings.ContainsAny(raw[len(raw)-1:], ",.;?!") }

func isTime(low string) bool {
	if low == "" || low[0] < '0' || low[0] > '9' {
		return false
	}
	return clock.MatchString(low)
}

// isOrdinal: a number written as a rank ("1ere", "2ème", "3rd", "10th"):
// "le mot de passe la 1ere fois" asks about the first time.
func isOrdinal(low string) bool { return ordinal.MatchString(low) }

var ordinal = regexp.MustCompile(`^[0-9]{1,3}(er|ere|ère|re|e|eme|ème|nd|nde|st|rd|th)$`)

// isProduct: a product, system or protocol name with its version
// (iPhone15, Windows11, Office365, TLS1.2, IMAP4).
func isProduct(low string) bool {
	name := strings.TrimRightFunc(low, func(r rune) bool { return unicode.IsDigit(r) || r == '.' || r == '-' })
	return products[name]
}

// descriptive: a word that describes a password rather than gives one: in
// lower case, a participle ("enregistré", "resté"), an adverb ("vraiment",
// "really"), a contraction ("that's", "qu'il") or a compound
// ("peut-être").
func descriptive(s string) bool {
	if s != strings.ToLower(s) {
		return false
	}
	for _, end := range []string{"é", "ée", "és", "ées", "ment", "ly"} {
		if strings.HasSuffix(s, end) {
			return true
		}
	}
	return strings.ContainsAny(s, "'’-")
}

// The classes of a word.
const (
	isCue uint16 = 1 << iota
	isContext
	isSetVerb
	isFiller
	isCopula
	isDeterminer
	isPhrase
	isName
	isMine
	isInterjection
	isPair
	isTyping
	isAlternative
)

func set(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		if f := matcher.Fold(w); f != "" { // punctuation is read by skipFillers
			m[f] = true
		}
	}
	return m
}

var (
	// cueWords name a password in one word ("mot de passe" and "code
	// d'accès" are read by cueAt). "code" alone is not one: a school's code,
	// an SMS code, an error code; a code shaped like a password is one
	// anyway.
	cueWords = set(`mdp mdps password passwords passwd pwd pw pswd psw passw pword pass passcode passphrase mot-de-passe mots-de-passe motdepasse mot2passe`)
	// contextWords make a message one about passwords or logging in, for
	// the verbs that set or type one.
	contextWords = set(`mot passe identifiants identifiant login logins log connexion connecte connecter connect
		logging signin sign credentials reset réinitialisé réinitialisation`)
	// setVerbs set, type or try a password.
	setVerbs = set(`tape tapé tapee tapée tapes tapé tapais typed type typing tried try trying essayé essaye essayer
		essai mis mets met changé change changed changer set reset choisi chose picked went utilise utilisé used using
		nouveau nouvelle new ancien old c'était c'etait était etait was avec with to en comme as puis then
		c'est cest is est`)
	// fillers stand between a password word and its value.
	fillers = set(`: = -> → => — - , est c'est cest c s'est is was 's are be était etait c'était vaut actuel actuelle
		provisoire temporaire current new nouveau nouvelle ancien old suivant suivante suivants following bien
		really still toujours encore which qui that de du mon ma mes my the le la l' un une a it's its i'm donc so
		alors just juste simply only seulement here voici voilà voila ici word to genre like kinda basically tout simplement`)
	// pairCues name a login and its password together.
	pairCues       = set(`identifiants credentials logins creds`)
	pairSeparators = set(`/ , et and + & -`)
	copulas        = set(`est c'est cest c is was 's comme as était etait c'était serait reste devient`)
	determiners    = set(`mon ma mes le la l' les un une my the a your votre ton ta notre our`)
	// classes are the word classes above, for one look-up a token.
	classes = func() map[string]uint16 {
		m := map[string]uint16{}
		for bit, words := range map[uint16]map[string]bool{isCue: cueWords, isContext: contextWords, isSetVerb: setVerbs, isFiller: fillers, isCopula: copulas, isDeterminer: determiners,
			isPhrase: set(`phrase passphrase espaces espace spaces space`), isName: set(`prénom prenom nom name surnom nickname`),
			isMine: set(`mine mien mienne sien sienne`), isInterjection: set(`bah ben euh bon ok okay sure oui yes well oh ah hmm bof heu hey hi i je moi perso me`), isPair: pairCues,
			isAlternative: set(`puis then ou or et and / - — au cas où ensuite after`),
			isTyping:      set(`tapé tape tapee tapée retapé retape tapais typed retyped entered enter essayé essaye réessayé reessaye tried retried rentré rentre saisi resaisi mis mi remis mets retenté tenté choisi chose picked put`)} {
			for w := range words {
				m[w] |= bit
			}
		}
		return m
	}()
	products = set(`iphone ipad ipados ios android windows win office macos osx galaxy pixel redmi xiaomi huawei
		samsung firefox chrome edge safari opera outlook thunderbird imap pop pop3 smtp tls ssl http https html utf
		sha mp pdf usb wifi wi-fi 4g 5g covid version v build note note- s a m j`)
)

// everyday are the words people use around "password" in a question, in
// French and English: they are never taken for a password.
var everyday = set(`
	bloque bloquee bloqué bloquée bloqués incorrect incorrecte faux fausse expire expiré expirée errone erroné
	refuse refusé refusée invalide invalid oublie oublié oubliée perdu perdue pas plus toujours encore trop tres
	très bien bon bonne mauvais mauvaise le la les l un une mon ma mes celui celle mis change changé modifié modifie
	correct correcte juste different différent identique vide nul nulle rejete rejeté verrouille verrouillé
	désactivé desactive demandé demande requis obligatoire ancien nouveau inconnu valide perime périmé enregistre
	enregistré sauvegardé memorise mémorisé resté reste devenu commun commune sensible casse majuscule majuscules
	minuscule minuscules chiffres caracteres caractères lettres long longue court courte simple compliqué
	complique securise sécurisé fort faible accepte accepté reconnu affiché affiche masqué cache caché etoiles
	étoiles points quoi comment pourquoi quel quelle quels quelles ou où qui que qu quand combien lequel laquelle
	dois doit faut peux peut puis suis est sont etait était sera serait avoir avez ai as a ont fait faire marche
	marchait fonctionne fonctionnait passe passait proposé propose envoye envoyé recu reçu sms mail email courriel
	numen identifiant identifiants convergence messagerie webmail academique académique provisoire temporaire
	defaut défaut initial initiale premier première actuel actuelle meme même pareil aussi seulement uniquement
	partout ailleurs dessus dedans ici la-bas plusieurs aucun aucune rien tout tous toute toutes chaque autre
	autres votre vos notre nos son sa ses leur leurs ce cet cette ces de du des en dans sur sous pour par avec sans
	chez vers et ou mais donc car ni si ne n pas point oui non merci svp stp bonjour bonsoir salut coucou hello
	please thanks thank help aide urgent vraiment normal normale bizarre etrange étrange grave possible impossible
	the a an my not no wrong incorrect expired locked blocked correct right fine ok okay same different empty
	rejected forgotten forgot lost changed required asked still too very being anymore now currently actually
	definitely supposed probably always never maybe really also accepted refused working works worked work
	saved stored remembered shown hidden masked case sensitive insensitive strong weak long short simple secure
	safe unsafe valid invalid reset resets expiring expires changing change incorrectly correctly what which who
	whom whose when where why how is are was were be been will would should could can cannot can't doesn't
	don't didn't isn't wasn't won't it its it's this that these those there here for from with without into onto
	on in at of to and or but so if then than also just only even same other another any some all every each
	none nothing something anything everything your our their his her default initial temporary temp first
	last current previous old new numen login username identifier account mailbox webmail email mail the
	accepted rejected set asked requested needed mandatory optional required case-sensitive uppercase lowercase
	capital capitals letters digits numbers characters symbols special
	maintenant mon-numen le-numen mon-ancien`)

// secretReply is the private warning for a message that carries a secret,
// worded for where it was said (in a direct message, no other participant
// read it): delete the message; a NUMEN cannot be changed, so tell the DSI;
// change the password (the password-change entry).
func (c *Core) secretReply(lang string, numen, direct bool) Reply {
	m := c.kb.Messages
	text := strings.TrimSpace(m.Secret.In(lang))
	if direct {
		text = strings.TrimSpace(m.SecretDirect.In(lang))
	}
	if numen {
		text += "\n\n" + strings.TrimSpace(m.SecretNumen.In(lang))
	}
	r := Reply{Outcome: Secret, Lang: lang, Confidence: 1, Text: text}
	if e, ok := c.kb.Entry("password-change"); ok {
		r.Text += "\n\n**" + e.Title.In(lang) + "**\n" + c.EntryText(e, lang)
	}
	return r
}

// Masked replaces, in what MaskSecrets keeps, each token that might be a
// credential.
const Masked = "[•••]"

// MaskSecrets returns text with every token that might be a password or a
// NUMEN replaced by Masked, for what is kept of a question (the store, the
// maintainers' report): what the guard finds, and beyond it any token of
// six characters or more that mixes letters with digits ("Hunter22"). It
// errs on the side of masking: what the guard misses then costs a masked
// word, not a leaked password.
func MaskSecrets(text string) string { return defaultGuard.mask(text) }

func (g *guard) mask(text string) string {
	if hasNumen(text) {
		text = numenLoose.ReplaceAllStringFunc(text, func(m string) string {
			sub := numenLoose.FindStringSubmatchIndex(m)
			return m[:sub[2]] + Masked + m[sub[3]:]
		})
	}
	masked := map[int]bool{} // the tokens to mask, by where they start
	values := map[string]bool{}
	g.scan(text, true, func(t tok, _ bool) bool {
		masked[t.start] = true
		if len(t.low) >= 4 {
			values[t.low] = true
		}
		return true
	})
	var b strings.Builder
	last := 0
	for _, t := range tokens(text) {
		// A value found once is masked wherever it is said again; so is
		// anything mixing letters and digits.
		if !masked[t.start] && (t.raw == Masked || !mixesLettersAndDigits(t.core) && !values[t.low]) || t.start < last {
			continue
		}
		// Keep the quotes and the sentence's punctuation around the value;
		// "!" and "?" may be the password's own.
		kept := strings.TrimFunc(strings.TrimRight(strings.TrimFunc(t.raw, isWrapper), ".,;:…"), isWrapper)
		lead := strings.Index(t.raw, kept)
		if kept == "" || lead < 0 {
			kept, lead = t.raw, 0
		}
		b.WriteString(text[last : t.start+lead])
		b.WriteString(Masked)
		last = t.start + lead + len(kept)
	}
	if last == 0 {
		return text
	}
	b.WriteString(text[last:])
	return b.String()
}

func mixesLettersAndDigits(s string) bool {
	letters, digits, _, _ := counts(s)
	return letters > 0 && digits > 0 && letters+digits >= 6
}
