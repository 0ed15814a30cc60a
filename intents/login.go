package intents

import (
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/acad-lyon/helpdesk-bot/internal/matcher"
)

// LoginEntry is the entry that explains the Convergence identifier; its
// answer names the person's own identifier when their name is known.
const LoginEntry = "login-identifier"

// personName is a person's name as written: the words of the first name(s)
// and of the last name, particles included ("de", "Le", "d'").
type personName struct {
	first, last []string
}

// login applies the article's rule (first letter of the first name, then
// the last name: no dot, no at sign) and reports whether the rule settles
// it: not for compound or hyphenated names, particles or apostrophes, where
// the academy may have chosen otherwise.
func (n personName) login() (string, bool) {
	first := letters(strings.Join(n.first, ""))
	last := letters(strings.Join(n.last, ""))
	if first == "" || last == "" {
		return "", false
	}
	sure := len(n.first) == 1 && len(n.last) == 1 && !strings.ContainsAny(n.first[0]+n.last[0], "-'’")
	return first[:1] + last, sure
}

// letters folds s (lower case, no accents) and keeps its letters only.
func letters(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' {
			return r
		}
		return -1
	}, matcher.Fold(s))
}

// String is the name as a person reads it.
func (n personName) String() string {
	return strings.Join(append(append([]string{}, n.first...), n.last...), " ")
}

// nameWords splits raw text into words (names keep their hyphens and
// apostrophes) and punctuation.
var nameWords = regexp.MustCompile(`[\p{L}][\p{L}'’\-]*|[0-9]+|[,.;:!?()@]`)

// nameAddress finds an address made of a first and a last name:
// camille.leroy@ac-lyon.fr, jean-pierre.martin@...
var nameAddress = regexp.MustCompile(`(?i)\b([\p{L}][\p{L}\-]*)\.([\p{L}][\p{L}\-.]*)@[a-z0-9.\-]+`)

// nameIntros introduce a name, folded: "je suis", "je m'appelle", "my name
// is", "name's", "I'm", "pour", "for".
var nameIntros = [][]string{
	{"je", "suis"}, {"je", "m'appelle"}, {"m'appelle"}, {"moi", "c'est"}, {"my", "name", "is"}, {"name's"},
	{"names"}, {"name", "is"}, {"i'm"}, {"im"}, {"i", "am"}, {"this", "is"}, {"called"},
}

// weakIntros may introduce a name, or anything else: what follows must
// start with a known first name ("pour Anne-Laure Moreau", not "pour
// Convergence").
var weakIntros = [][]string{{"c'est"}, {"ici"}, {"pour"}, {"for"}, {"de"}, {"nom"}, {"name"}, {"it's"}, {"moi"}}

// particles join the words of a last name ("Marie de la Tour").
var particles = map[string]bool{
	"de": true, "du": true, "des": true, "la": true, "le": true, "d'": true, "van": true, "von": true, "da": true,
	"di": true, "del": true, "della": true, "ben": true, "el": true, "al": true, "dos": true, "der": true, "den": true,
}

// notNames are words that follow "je suis" or "I'm" without being a name.
var notNames = map[string]bool{
	"prof": true, "professeur": true, "professeure": true, "enseignant": true, "enseignante": true, "nouveau": true,
	"nouvelle": true, "teacher": true, "new": true, "the": true, "a": true, "an": true, "en": true, "au": true,
	"sur": true, "dans": true, "bloque": true, "bloquee": true, "perdu": true, "perdue": true, "stuck": true,
	"locked": true, "trying": true, "not": true, "still": true, "on": true, "in": true, "at": true, "using": true,
	"madame": true, "monsieur": true, "mme": true, "m": true, "mr": true, "mrs": true, "ms": true, "dr": true,
}

// nameIn finds a name a message gives: after an introduction ("je suis
// Marie Dupont", "name's Julie Fontaine"), as an address of the form
// first.last@, or as a known first name followed by a capitalised word.
func nameIn(text string) (personName, bool) {
	if m := nameAddress.FindStringSubmatch(text); m != nil {
		first, last := m[1], strings.Split(strings.Trim(m[2], "."), ".")
		switch matcher.Fold(first) {
		case "prenom", "firstname", "first", "name", "nom", "p", "x":
		default:
			if f := matcher.Fold(last[len(last)-1]); f != "nom" && f != "name" && f != "lastname" {
				return personName{first: strings.Split(first, "-"), last: last}, true
			}
		}
	}
	words := nameWords.FindAllString(text, -1)
	folded := make([]string, len(words))
	for i, w := range words {
		folded[i] = strings.ReplaceAll(matcher.Fold(w), " ", "-") // Jean-Pierre: jean-pierre
	}
	for i := range words {
		for _, intros := range [][][]string{nameIntros, weakIntros} {
			for _, intro := range intros {
				if i+len(intro) <= len(words) && slices.Equal(folded[i:i+len(intro)], intro) {
					if n, ok := nameAt(words, folded, i+len(intro), len(intros) == len(nameIntros)); ok {
						return n, true
					}
				}
			}
		}
	}
	// "Mark Thompson here", "Hélène Roux ici": two capitalised words, then
	// here.
	for i := 0; i+2 < len(words); i++ {
		if (folded[i+2] == "here" || folded[i+2] == "ici") && isCapital(words[i]) && isCapital(words[i+1]) && !notNames[folded[i]] && !isLogin(folded[i+1]) {
			return personName{first: []string{words[i]}, last: []string{words[i+1]}}, true
		}
	}
	for i := range words {
		if isCapital(words[i]) && matcher.IsFirstName(firstPart(folded[i])) {
			if n, ok := nameAt(words, folded, i, false); ok {
				return n, true
			}
		}
	}
	return personName{}, false
}

// nameAt reads a name starting at words[i]: a first name (capitalised, or
// a known first name), then the words of the last name. strong: after "je
// m'appelle", "my name is", a capitalised word is a first name even when it
// is not a common one; elsewhere the first name must be a known one.
func nameAt(words, folded []string, i int, strong bool) (personName, bool) {
	if i >= len(words) || notNames[folded[i]] {
		return personName{}, false
	}
	if !matcher.IsFirstName(firstPart(folded[i])) && !(strong && isCapital(words[i])) {
		return personName{}, false
	}
	n := personName{first: []string{words[i]}}
	j := i + 1
	// A second first name: "Anne Laure Moreau".
	if j+1 < len(words) && matcher.IsFirstName(folded[j]) && lastNameWord(words[j+1], folded[j+1], isCapital(words[i])) {
		n.first = append(n.first, words[j])
		j++
	}
	for ; j < len(words); j++ {
		w, f := words[j], folded[j]
		switch {
		case particles[f] || strings.HasPrefix(f, "d'") && len(f) > 2:
			if strings.HasPrefix(f, "d'") && len(f) > 2 {
				n.last = append(n.last, w)
				continue
			}
			if j+1 < len(words) && (lastNameWord(words[j+1], folded[j+1], true) || particles[folded[j+1]]) {
				n.last = append(n.last, w)
				continue
			}
		case lastNameWord(w, f, isCapital(words[i])) && len(n.last) < 3:
			n.last = append(n.last, w)
			continue
		}
		break
	}
	if len(n.last) == 0 || particles[matcher.Fold(n.last[len(n.last)-1])] {
		return personName{}, false
	}
	return n, true
}

// lastNameWord reports whether a word may be part of a last name: capitalised
// where the name's first word was (people who type "marie dupont" type the
// whole name so), a letter word that is not a function word otherwise.
func lastNameWord(w, f string, capitals bool) bool {
	if capitals {
		return isCapital(w) && !notNames[f] && len([]rune(w)) >= 2 && !isLogin(f)
	}
	return len(f) >= 2 && unicode.IsLetter([]rune(w)[0]) && !matcher.IsStop(f) && !notNames[f] && !isLogin(f) && !commonWords[f]
}

// commonWords follow a lower-case name without being part of it.
var commonWords = map[string]bool{
	"prof": true, "et": true, "and": true, "c'est": true, "quoi": true, "mon": true, "my": true, "what": true,
	"identifiant": true, "login": true, "username": true, "ici": true, "here": true, "svp": true, "stp": true,
	"please": true, "bonjour": true, "hello": true, "merci": true, "thanks": true, "je": true, "what's": true,
	"whats": true, "quel": true, "quelle": true, "cest": true, "ckoi": true, "koi": true, "c": true,
}

// isLogin tells words that are about the login, not a name.
func isLogin(f string) bool {
	switch f {
	case "convergence", "webmail", "identifiant", "login", "username", "nom", "prenom", "mail", "email":
		return true
	}
	return false
}

func isCapital(w string) bool {
	r := []rune(w)
	return len(r) > 0 && unicode.IsUpper(r[0])
}

// firstPart is the first word of a hyphenated first name ("jean" of
// "jean-pierre").
func firstPart(f string) string {
	p, _, _ := strings.Cut(f, "-")
	return p
}

// plainName is what a display name that is a person's name is made of:
// letters, spaces, hyphens, apostrophes and dots.
var plainName = regexp.MustCompile(`^[\p{L}][\p{L} '’.\-]*$`)

// nameCues are words no name has: those of passwords and accounts.
var nameCues = map[string]bool{
	"numen": true, "mdp": true, "password": true, "passe": true, "pass": true, "identifiant": true, "login": true,
	"username": true, "motdepasse": true, "pwd": true, "code": true, "admin": true, "votre": true, "your": true,
}

// displayName reads the name a platform shows (a Slack profile, a Discord
// global name) as a person's name, when it is one: at least a first and a
// last name, not a nickname or "Julie F.".
func displayName(s string) (personName, bool) {
	s = strings.TrimSpace(s)
	if len(s) > 64 || !plainName.MatchString(s) {
		return personName{}, false // "Marie Renard#Roux", a 900 KB name
	}
	words := nameWords.FindAllString(s, -1)
	if len(words) < 2 || len(words) > 4 {
		return personName{}, false
	}
	upper := 0
	for _, w := range words {
		f := matcher.Fold(w)
		if nameCues[f] {
			return personName{}, false // "Donnez-moi Votre NUMEN", "Dupont mdp Tournesol"
		}
		if isCapital(w) {
			upper++
		} else if !particles[f] {
			upper -= 100 // "Dupont mdp Tournesol": a lower-case word amid capitals
		}
	}
	if upper < 0 && upper != -100*len(words) {
		return personName{}, false
	}
	for _, w := range words {
		if !unicode.IsLetter([]rune(w)[0]) || len([]rune(w)) < 2 {
			return personName{}, false // "Julie F.", "Marc (CPE)"
		}
	}
	n := personName{first: []string{words[0]}, last: words[1:]}
	if len(words) == 3 && matcher.IsFirstName(matcher.Fold(words[1])) {
		n = personName{first: words[:2], last: words[2:]}
	}
	if matcher.IsStop(matcher.Fold(words[0])) {
		return personName{}, false
	}
	return n, true
}

// mine reports whether a question is about the person's own identifier
// ("c'est quoi mon identifiant ?", "what's my username?"), not someone
// else's ("l'identifiant de ma collègue").
func mine(words []string) bool {
	own := false
	for _, w := range words {
		switch w {
		case "mon", "ma", "mes", "my", "je", "j", "i", "me", "moi", "suis", "m":
			own = true
		case "collegue", "collegues", "colleague", "colleagues", "coworker", "someone", "quelqu'un", "quelqu",
			"sa", "son", "ses", "his", "her", "their", "him", "lui", "eleve", "student", "stagiaire", "remplacant":
			return false
		}
	}
	return own
}

// personal adds to an answer about the identifier the person's own
// identifier: from the name the message gives, or else, for a question
// about their own identifier, from the name the platform shows. When the
// article's rule does not settle it, the answer says so and who confirms.
func (c *Core) personal(r Reply, text string, ctx *Context) Reply {
	if r.Outcome != Answered || r.Entry == nil || r.Entry.ID != LoginEntry {
		return r
	}
	msgs := c.kb.Messages
	n, ok := nameIn(text)
	intro := msgs.YourLogin.In(r.Lang)
	if !ok && ctx != nil && ctx.Name != "" && mine(matcher.Tokens(text)) {
		n, ok = displayName(ctx.Name)
		intro = msgs.YourLoginDisplay.In(r.Lang)
	}
	if !ok || strings.TrimSpace(intro) == "" {
		return r
	}
	login, sure := n.login()
	if login == "" {
		return r
	}
	r.Login, r.LoginUnsure = login, !sure
	line := strings.NewReplacer("{login}", login, "{name}", n.String()).Replace(strings.TrimSpace(intro))
	if !sure {
		if unsure := strings.TrimSpace(msgs.YourLoginUnsure.In(r.Lang)); unsure != "" {
			line += " " + strings.ReplaceAll(unsure, "{login}", login)
		}
	}
	r.Text = line + "\n\n" + r.Text
	return r
}
