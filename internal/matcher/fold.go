package matcher

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// foldTable maps the runes below 0x250 (Latin-1 and Latin Extended-A/B, where
// nearly all French text lives) to their folded form, computed once with NFKD so
// that the hot path is a table look-up rather than a normalisation call.
var foldTable [0x250]string

func init() {
	for r := rune(0); r < rune(len(foldTable)); r++ {
		foldTable[r] = foldSlow(r)
	}
}

// ligatures that NFKD keeps as one letter but French spells as two.
var ligatures = map[rune]string{'œ': "oe", 'Œ': "oe", 'æ': "ae", 'Æ': "ae", 'ß': "ss", 'ø': "o", 'Ø': "o", 'ł': "l", 'Ł': "l", 'đ': "d", 'Đ': "d"}

// foldSlow lower-cases r, decomposes it (NFKD: accents, ligatures such as ﬁ,
// full-width forms) and keeps only letters and digits.
func foldSlow(r rune) string {
	if l, ok := ligatures[r]; ok {
		return l
	}
	if isApostrophe(r) {
		return "'"
	}
	var b strings.Builder
	for _, d := range norm.NFKD.String(string(unicode.ToLower(r))) {
		if unicode.Is(unicode.Mn, d) {
			continue
		}
		d = unicode.ToLower(d)
		if l, ok := ligatures[d]; ok { // Ǿ decomposes to Ø and an accent
			b.WriteString(l)
		} else if isApostrophe(d) { // ŉ decomposes to ʼn
			b.WriteByte('\'')
		} else if unicode.IsLetter(d) || unicode.IsDigit(d) {
			b.WriteRune(d)
		}
	}
	return b.String()
}

func isApostrophe(r rune) bool {
	switch r {
	case '\'', '’', '‘', '`', '´', 'ʼ', '′':
		return true
	}
	return false
}

// foldRune returns the folded form of r: lower case, no accents, ligatures
// spelled out; "" for anything that is not part of a word, "'" for apostrophes.
func foldRune(r rune) string {
	if r < rune(len(foldTable)) {
		return foldTable[r]
	}
	return foldSlow(r)
}

// Fold returns s lower-cased, without accents, with ligatures spelled out and
// every run of non-word characters replaced by one space. Apostrophes are kept
// as ASCII "'" so that callers can still see elisions.
func Fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := true
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
				b.WriteByte(c)
				space = false
			case 'A' <= c && c <= 'Z':
				b.WriteByte(c + 'a' - 'A')
				space = false
			case c == '\'' || c == '`':
				b.WriteByte('\'')
				space = false
			default:
				if !space {
					b.WriteByte(' ')
					space = true
				}
			}
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		if f := foldRune(r); f != "" {
			b.WriteString(f)
			space = false
		} else if !space {
			b.WriteByte(' ')
			space = true
		}
	}
	return strings.TrimRight(b.String(), " ")
}

// French elided articles and pronouns: "l'identifiant" is "identifiant".
var elisions = map[string]bool{
	"l": true, "d": true, "j": true, "m": true, "n": true, "s": true, "t": true, "c": true,
	"qu": true, "jusqu": true, "lorsqu": true, "puisqu": true, "presqu": true, "quoiqu": true,
}

// English contractions whose second half carries no meaning for matching.
var contractionTails = map[string]bool{"s": true, "re": true, "ve": true, "ll": true, "d": true, "m": true}

// Tokens folds s and splits it into words, removing French elisions (l', d',
// j', qu'...) and English contractions ('s, 're; n't becomes "not").
func Tokens(s string) []string {
	return appendTokens(nil, Fold(s))
}

// appendTokens splits already folded text.
func appendTokens(dst []string, folded string) []string {
	for len(folded) > 0 {
		sp := strings.IndexByte(folded, ' ')
		var w string
		if sp < 0 {
			w, folded = folded, ""
		} else {
			w, folded = folded[:sp], folded[sp+1:]
		}
		dst = appendWord(dst, w)
	}
	return dst
}

func appendWord(dst []string, w string) []string {
	for {
		ap := strings.IndexByte(w, '\'')
		if ap < 0 {
			if w != "" {
				dst = append(dst, w)
			}
			return dst
		}
		head, tail := w[:ap], w[ap+1:]
		switch {
		case head == "":
		case tail == "t" && strings.HasSuffix(head, "n") && len(head) > 1:
			// don't, can't, won't
			switch head {
			case "can":
				dst = append(dst, "can")
			case "won":
				dst = append(dst, "will")
			default:
				dst = append(dst, head[:len(head)-1])
			}
			dst = append(dst, "not")
			tail = ""
		case elisions[head]:
		case contractionTails[firstWord(tail)]:
			dst = append(dst, head)
			tail = tail[len(firstWord(tail)):]
		default:
			dst = append(dst, head)
		}
		w = tail
	}
}

func firstWord(s string) string {
	if i := strings.IndexByte(s, '\''); i >= 0 {
		return s[:i]
	}
	return s
}

// ContentKey returns what a question says once spelling variants are set
// aside: its meaningful words, stemmed, sorted and de-duplicated. Two
// questions with the same key ask the same thing ("comment changer mon mot
// de passe svp" and "changer mot de passe ?").
func ContentKey(text, lang string) string {
	var words []string
	for _, w := range Tokens(text) {
		if !isStop(w) {
			words = append(words, stem(w, lang))
		}
	}
	slices.Sort(words)
	return strings.Join(slices.Compact(words), " ")
}

// ContentKeys computes ContentKey for many texts, stemming each distinct
// word once: a report over thousands of questions reuses a small
// vocabulary. The zero value is ready; it is not safe for concurrent use.
type ContentKeys struct {
	stems map[[2]string]string // word, language -> stem ("" for a stop word)
}

// Key is ContentKey(text, lang).
func (k *ContentKeys) Key(text, lang string) string {
	if k.stems == nil {
		k.stems = map[[2]string]string{}
	}
	var words []string
	for _, w := range Tokens(text) {
		s, ok := k.stems[[2]string{w, lang}]
		if !ok {
			if !isStop(w) {
				s = stem(w, lang)
			}
			k.stems[[2]string{w, lang}] = s
		}
		if s != "" {
			words = append(words, s)
		}
	}
	slices.Sort(words)
	return strings.Join(slices.Compact(words), " ")
}
