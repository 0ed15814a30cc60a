package intents

import (
	"regexp"
	"strings"
	"unicode"
)

// Secret: the message carries something shaped like a NUMEN or a password
// given in clear. The reply is a warning to delete the message and change
// the password, meant to be shown privately; nothing of the message is
// kept, logged or echoed.
const Secret Outcome = "secret"

var (
	// A NUMEN is 13 characters: a 2-digit academy code, a letter, a 2-digit
	// year, 5 digits and 3 letters (10E0512345ABC), often typed with spaces
	// or in lower case.
	numenShape = regexp.MustCompile(`(?i)(^|[^\p{L}\p{N}])\d{2}[ .-]?\p{L}[ .-]?\d{2}[ .-]?\d{5}[ .-]?\p{L}{3}($|[^\p{L}\p{N}])`)
	// "mon mot de passe est X", "mdp : X", "password: X", "my password is X".
	passwordGiven = regexp.MustCompile(`(?i)\b(?:mot\s+de\s+passe|mdp|mot-de-passe|password|passwd|pwd|pass|code)\s*(?:(?:actuel|provisoire|temporaire|current|new|nouveau)\s*)?(:|=|est\s*:?|c'est|is\s*:?|vaut)\s*["'«“]?\s*([^\s"'»”]+)`)
)

// notAPassword are the words that follow "mon mot de passe est" when people
// describe their password rather than give it.
var notAPassword = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`
		bloque bloquee bloqué bloquée incorrect incorrecte faux fausse expire expiré expirée errone erroné
		refuse refusé invalide oublie oublié perdu perdue pas plus toujours encore trop tres très bien bon
		mauvais le la les l un une mon ma mes celui celle mis change changé modifié modifie correct correcte
		juste different différent identique vide nul nulle rejete rejeté verrouille verrouillé désactivé
		desactive demandé demande requis obligatoire ancien nouveau inconnu valide perime périmé
		the a an my not no wrong invalid incorrect expired locked blocked correct right fine ok same
		different empty rejected forgotten lost changed required asked still too very being
		anymore now currently actually definitely supposed probably always never maybe really also
		accepted refused working maintenant
		mon-numen numen le-numen mon-ancien`) {
		notAPassword[w] = true
	}
}

// ContainsSecret reports whether text carries something shaped like a NUMEN
// or a password given in clear.
func ContainsSecret(text string) bool {
	// Cheap checks first: the regular expressions cost microseconds, more
	// than matching the question, and nearly every message has neither nine
	// digits nor a word for password.
	digits := 0
	for i := 0; i < len(text); i++ {
		if '0' <= text[i] && text[i] <= '9' {
			digits++
		}
	}
	if digits >= 9 && numenShape.MatchString(text) {
		return true
	}
	lower := strings.ToLower(text)
	if !strings.Contains(lower, "pass") && !strings.Contains(lower, "mdp") && !strings.Contains(lower, "pwd") && !strings.Contains(lower, "code") {
		return false
	}
	for _, m := range passwordGiven.FindAllStringSubmatch(text, -1) {
		sep, token := strings.ToLower(m[1]), strings.TrimRight(m[2], ".,;!?)")
		word := strings.ToLower(token)
		if notAPassword[word] || strings.HasSuffix(word, "?") {
			continue
		}
		if sep == ":" || sep == "=" {
			// "mot de passe : comment le changer ?" is a question, not a
			// password; "password: Azerty123" is one.
			if looksLikePassword(token) || len([]rune(token)) >= 6 && !isQuestionWord(word) {
				return true
			}
			continue
		}
		if len([]rune(token)) >= 4 && !isQuestionWord(word) {
			return true
		}
	}
	return false
}

// looksLikePassword: letters mixed with digits or symbols, no spaces.
func looksLikePassword(s string) bool {
	var letter, other bool
	for _, r := range s {
		switch {
		case unicode.IsLetter(r):
			letter = true
		case unicode.IsDigit(r), unicode.IsPunct(r), unicode.IsSymbol(r):
			other = true
		}
	}
	return letter && other && len(s) >= 4
}

func isQuestionWord(w string) bool {
	switch w {
	case "comment", "quoi", "pourquoi", "quel", "quelle", "ou", "où", "how", "what", "why", "where", "which",
		"oublie", "oublié", "forgotten", "forgot", "reset", "reinitialiser", "réinitialiser", "changer", "change":
		return true
	}
	return false
}

// secretReply is the private warning for a message that carries a secret:
// delete the message, change the password (the password-change entry).
func (c *Core) secretReply(lang string) Reply {
	text := strings.TrimSpace(c.kb.Messages.Secret.In(lang))
	r := Reply{Outcome: Secret, Lang: lang, Confidence: 1, Text: text}
	if e, ok := c.kb.Entry("password-change"); ok {
		r.Text += "\n\n**" + e.Title.In(lang) + "**\n" + c.EntryText(e, lang)
	}
	return r
}

// Masked replaces, in what MaskSecrets keeps, each token that might be a
// credential.
const Masked = "[•••]"

var (
	// A NUMEN however it is typed: spaces, dots, dashes or slashes between
	// its parts, any case.
	numenLoose = regexp.MustCompile(`(?i)\b\d{2}[ ./-]?\p{L}[ ./-]?\d{2}[ ./-]?\d{5}[ ./-]?\p{L}{3}\b`)
	// The word after a password cue ("mdp Noisette", "password: x").
	afterCue = regexp.MustCompile(`(?i)\b(mot\s+de\s+passe|mdp|password|passwd|pwd|numen)([\s,]*(?:est|is|was|c['’]est|=|:|to|à|a)?\s*[:=]?\s*)(\S+)`)
)

// MaskSecrets returns text with every token that might be a password or a
// NUMEN replaced by Masked, for what is kept of a question (the store, the
// maintainers' report): a NUMEN shape, the token right after a password word
// unless it is an everyday word of a question ("mdp oublié"), and any token
// of six characters or more that mixes letters with digits ("Lavande2024",
// "Hunter22!"). It errs on the side of masking: what the guard misses then
// costs a masked word, not a leaked password.
func MaskSecrets(text string) string {
	text = numenLoose.ReplaceAllString(text, Masked)
	text = afterCue.ReplaceAllStringFunc(text, func(m string) string {
		sub := afterCue.FindStringSubmatch(m)
		word := strings.ToLower(strings.TrimRight(sub[3], ".,;!?)"))
		if notAPassword[word] || isQuestionWord(word) || len([]rune(word)) < 4 || isCommonWord(word) {
			return m
		}
		return sub[1] + sub[2] + Masked
	})
	fields := strings.Fields(text)
	changed := false
	for i, f := range fields {
		if f != Masked && mixesLettersAndDigits(f) {
			fields[i], changed = Masked, true
		}
	}
	if !changed {
		return text
	}
	return strings.Join(fields, " ")
}

func mixesLettersAndDigits(s string) bool {
	var letter, digit bool
	n := 0
	for _, r := range s {
		n++
		switch {
		case unicode.IsLetter(r):
			letter = true
		case unicode.IsDigit(r):
			digit = true
		}
	}
	return letter && digit && n >= 6
}

// isCommonWord: words that follow "mot de passe" in a question, beyond
// notAPassword's.
func isCommonWord(w string) bool {
	switch w {
	case "de", "du", "des", "sur", "pour", "dans", "avec", "qui", "que", "for", "on", "of", "and", "et", "ne", "n'est",
		"academique", "académique", "convergence", "webmail", "messagerie", "mail", "email", "provisoire", "temporaire":
		return true
	}
	return false
}
