package intents

import (
	"slices"
	"strconv"
	"strings"

	"github.com/acad-lyon/helpdesk-bot/internal/matcher"
)

// Context is what a conversation knows before a message: the memory of its
// thread (kept by internal/chat, shared by replicas), as data. The core
// stays one function of its input: the same question and context always
// get the same reply.
type Context struct {
	// Answered are the topics answered in the conversation, oldest first;
	// the last is what an elliptical follow-up ("et le port ?") is about.
	Answered []string
	// Offered are the entries the last reply offered to choose from, in
	// the order shown: its "did you mean" (Suggested), or the entries to
	// read next under an answer.
	Offered []string
	// Suggested: Offered is a "did you mean" ("oui" takes its first).
	Suggested bool
	// NotSolved counts the messages that said the answers did not solve
	// the problem since the conversation's last new topic.
	NotSolved int
	// Lang is the conversation's language so far ("" unknown).
	Lang string
	// Name is the person's display name as the platform shows it ("" when
	// unknown); it is never stored.
	Name string
	// HandedOff: the conversation was handed over to a person already (the
	// helpdesk is not called twice).
	HandedOff bool
}

// Last returns the topic the conversation is about (its last answer), or "".
func (c *Context) Last() string {
	if c == nil || len(c.Answered) == 0 {
		return ""
	}
	return c.Answered[len(c.Answered)-1]
}

// How the context was used, in Reply.Reading.
const (
	ReadAlone    = ""          // the message was read on its own
	ReadFollowUp = "follow-up" // an elliptical message read with the last topic
	ReadPick     = "pick"      // a choice among what was offered
	ReadNext     = "next-step" // the last answer did not help: the next step
	ReadHandoff  = "handoff"   // handed over to a person, with what was tried
	ReadWaiting  = "waiting"   // handed over already: the person is waiting for the helpdesk
)

// MaxAnswered bounds Context.Answered: a conversation's last topics.
const MaxAnswered = 8

// ordinals name a position in a list, as people answer a numbered choice.
var ordinals = map[string]int{
	"1": 1, "un": 1, "premier": 1, "premiere": 1, "1er": 1, "1ere": 1, "first": 1, "1st": 1, "one": 1,
	"2": 2, "deux": 2, "deuxieme": 2, "second": 2, "seconde": 2, "2e": 2, "2eme": 2, "2nd": 2, "two": 2,
	"3": 3, "trois": 3, "troisieme": 3, "3e": 3, "3eme": 3, "third": 3, "3rd": 3, "three": 3,
	"4": 4, "quatre": 4, "quatrieme": 4, "4e": 4, "4eme": 4, "fourth": 4, "4th": 4, "four": 4,
	"5": 5, "cinq": 5, "cinquieme": 5, "5e": 5, "5eme": 5, "fifth": 5, "5th": 5, "five": 5,
	"dernier": -1, "derniere": -1, "last": -1,
}

// choiceWords may surround an ordinal without changing the choice: "le
// deuxième", "the second one", "option 2", "n°2 stp".
var choiceWords = map[string]bool{
	"le": true, "la": true, "l": true, "the": true, "one": true, "choix": true, "option": true, "numero": true,
	"n": true, "no": true, "number": true, "stp": true, "svp": true, "please": true, "plz": true, "merci": true,
	"sujet": true, "topic": true, "c": true, "est": true, "ce": true, "it": true, "s": true, "is": true, "its": true,
	"oui": true, "yes": true, "plutot": true, "rather": true, "celui": true, "celle": true, "ci": true,
}

// yesWords accept a single "did you mean" ("oui", "yes", "c'est ça").
var yesWords = map[string]bool{
	"oui": true, "ouais": true, "ouai": true, "yes": true, "yep": true, "yeah": true, "yup": true, "ok": true,
	"exactement": true, "exactly": true, "voila": true, "absolument": true, "correct": true, "right": true,
	"c": true, "est": true, "ca": true, "that": true, "s": true, "it": true, "this": true, "one": true, "celui": true,
	"la": true, "merci": true, "stp": true, "svp": true, "please": true,
}

// maxPickWords bounds a reply to "did you mean" read as a choice: a longer
// message is a new question.
const maxPickWords = 9

// pick reads a message as a choice among what the last reply offered.
func (c *Core) pick(text, lang string, ctx *Context) (*Entry, bool) {
	if ctx == nil || len(ctx.Offered) == 0 {
		return nil, false
	}
	words := matcher.Tokens(text)
	if len(words) == 0 || len(words) > maxPickWords {
		return nil, false
	}
	offered := c.entries(ctx.Offered)
	if len(offered) == 0 {
		return nil, false
	}
	// A position: "2", "le deuxième", "the last one".
	if n, ok := position(words); ok {
		if n == -1 {
			n = len(offered)
		}
		if n >= 1 && n <= len(offered) {
			return offered[n-1], true
		}
		return nil, false
	}
	if !ctx.Suggested {
		return nil, false // words under an answer are a new message
	}
	// "oui", "yes, that one": the first suggestion.
	if all(words, yesWords) {
		return offered[0], true
	}
	// Words that say which: "non je l'ai oublié", "the one about the
	// phone". The suggestion they fit best, when they fit one clearly; a
	// message that confidently asks something else is a new question.
	res := c.ix.Rank(text, lang, c.ix.Len())
	var best, second float64
	var chosen *Entry
	for _, m := range res.Matches {
		for _, e := range offered {
			if e.ID != m.Intent {
				continue
			}
			switch {
			case chosen == nil:
				chosen, best = e, m.Score
			case m.Score > second:
				second = m.Score
			}
		}
	}
	top := res.Best()
	if chosen == nil || best < pickMin {
		return nil, false
	}
	if top.Intent != chosen.ID && top.Score >= c.kb.Settings.AnswerThreshold && !choosing(words) {
		return nil, false // "non, en fait je voulais changer de navigateur"
	}
	if second > 0 && best < pickMargin*second {
		return nil, false
	}
	return chosen, true
}

// choosers open a choice among suggestions: "celui pour le navigateur",
// "c'est pour le téléphone", "the one about the phone".
var choosers = [][]string{
	{"celui"}, {"celle"}, {"est", "pour"}, {"pour"}, {"the", "one"}, {"for"}, {"it", "for"}, {"its", "for"},
	{"non", "est"}, {"non", "pour"}, {"no", "the"}, {"oui", "le"}, {"oui", "la"}, {"yes", "the"}, {"le", "truc"},
}

func choosing(words []string) bool {
	for _, c := range choosers {
		if len(words) > len(c) && slices.Equal(words[:len(c)], c) {
			return true
		}
	}
	return false
}

// A choice in words picks a suggestion whose confidence is at least pickMin
// and pickMargin times the next suggestion's.
const (
	pickMin    = 0.02
	pickMargin = 1.5
)

// offerAgain answers a choice by position that the last list does not have
// ("le 4" when three were offered) with that list again.
func (c *Core) offerAgain(text, lang string, ctx *Context) (Reply, bool) {
	if ctx == nil || len(ctx.Offered) == 0 {
		return Reply{}, false
	}
	if _, ok := position(matcher.Tokens(text)); !ok {
		return Reply{}, false
	}
	r := Reply{Outcome: Suggested, Lang: c.langOf(text, lang), Reading: ReadPick}
	for _, e := range c.entries(ctx.Offered) {
		r.Alternatives = append(r.Alternatives, Alternative{Entry: e, Confidence: 1})
	}
	if len(r.Alternatives) == 0 {
		return Reply{}, false
	}
	r.Intro = c.kb.Messages.DidYouMean.In(r.Lang)
	r.Text = c.suggestionText(r.Intro, r.Alternatives, r.Lang)
	return r, true
}

// position reads words as a position in a list, and reports whether they
// are one: an ordinal alone or with choice words around it.
func position(words []string) (int, bool) {
	n, found := 0, false
	for _, w := range words {
		if k, ok := ordinals[w]; ok && !found {
			n, found = k, true
			continue
		}
		if k, err := strconv.Atoi(strings.TrimPrefix(w, "n")); err == nil && !found && k > 0 && k < 100 {
			n, found = k, true
			continue
		}
		if !choiceWords[w] {
			return 0, false
		}
	}
	// "one" alone is an ordinal; with another ordinal it is "the second one".
	return n, found
}

func all(words []string, set map[string]bool) bool {
	for _, w := range words {
		if !set[w] {
			return false
		}
	}
	return true
}

// notSolved reports whether a message says that the last answers did not
// solve the problem: it reads so to the not_solved index (the knowledge's
// not_solved examples against the entries' questions), or, not asking
// anything, it describes again a topic the conversation already answered
// ("cache vidé", "l'heure est bonne, j'ai vérifié"). alone is the message's
// own reply.
func (c *Core) notSolved(text, lang string, alone Reply, ctx *Context) bool {
	if alone.Outcome == Answered && alone.Entry.Conversational() {
		return false // "merci, ça a marché"
	}
	ns, other := 0.0, 0.0
	if c.ns != nil {
		for _, m := range c.ns.Rank(text, lang, 2).Matches {
			if m.Intent == notSolvedIntent {
				ns = m.Score
			} else {
				other = m.Score
			}
		}
	}
	if ns >= notSolvedSure {
		return true // "ça marche toujours pas ?"
	}
	words := matcher.Tokens(text)
	// "tout rentré : 993, SSL, identifiant court, et échec de connexion": a
	// step taken, in the last answer's words, and a failure.
	last, ok := c.kb.Entry(ctx.Last())
	ladder := c.Ladder(ctx.Last())
	elsewhere := c.elsewhere(alone, ladder, ctx)
	if said := statements(text); ok && reportsDone(said) && reportsFailure(said) {
		// Restated, the last answer's words outweigh another topic's: a
		// few of them when the message alone reads as that topic.
		if n := c.mentionCount(last, said); n >= 1 && !elsewhere || n >= restated {
			return true
		}
	}
	if elsewhere {
		return false // "je trouve pas mon NUMEN" after the phone settings: a new question
	}
	top := ""
	switch {
	case alone.Outcome == Answered:
		top = alone.Entry.ID
	case alone.Outcome == Suggested && len(alone.Alternatives) > 0:
		top = alone.Alternatives[0].Entry.ID
	}
	if stuck(words) {
		return true // "j'ai cherché partout, pas d'option, je fais comment ?"
	}
	if asks(words, text) {
		// "et le port ?", "comment vider le cache ?", "ssl ou pas ?" ask
		// about the topic; "personne ne répond, je fais comment ?" says it
		// failed, then asks what now, in words that name no topic.
		return (failing(words, true) || reportsFailure(statements(text))) && c.asksWhatNow(text, lang)
	}
	if ns >= notSolvedThreshold {
		return true
	}
	if top != "" && slices.Contains(ladder[min(1, len(ladder)):], top) &&
		(reportsFailure(words) || reportsDone(words) || anyOf(words, fineWords) || anyOf(words, negations)) {
		return true // "l'heure est bonne et chrome est à jour", "I don't have any extensions": the next steps, checked
	}
	// Some sign of a report ("l'heure est bonne, j'ai vérifié", "le mot de
	// passe provisoire est refusé lui aussi"), on a topic already answered.
	if top == "" || !slices.Contains(ctx.Answered, top) {
		return false
	}
	if ns > 0 && ns/(ns+other) >= notSolvedShare {
		return true
	}
	// Describing the answered problem again is no report by itself ("what I
	// read on my phone still shows as unread" is what the answer is
	// about); a step taken, a thing checked, or the problem said to persist
	// is.
	return persists(words) || reportsDone(words) || anyOf(words, fineWords)
}

// persistPhrases say the problem is still there after the answer.
var persistPhrases = phrases(
	"toujours pas", "toujours pareil", "toujours le meme", "toujours la meme", "toujours rien",
	"still the same", "still not", "still nothing", "same thing", "same error", "same problem", "same issue",
	"meme probleme", "meme chose", "meme erreur", "rien ne change", "change rien", "nothing changed",
	"no change", "no luck", "did not help", "pas aide", "encore pareil", "pareil", "same",
)

// persists reports whether words say the problem is still there: a
// persisting phrase, a work word negated, a failure that does not also
// describe ("refusé", "erreur", "bloqué"), or a symptom after a step.
func persists(words []string) bool {
	if persistPhrases.has(words) || persistence.has(words) {
		return true
	}
	for i, w := range words {
		if failures[w] && !weakFailures[w] || workWords[w] && negated(words, i, false) {
			return true
		}
	}
	return reportsDone(words) && anyOf(words, symptoms)
}

// stuckPhrases say that the answers cannot be followed further alone: what
// they describe is not there ("je trouve pas le menu", "no option for it
// anywhere"), everything was tried, or nobody around can help: a person
// is the next step, whatever the ladder says.
var stuckPhrases = phrases(
	"trouve pas", "trouve rien", "cherche partout", "pas d option", "aucune option", "n existe pas", "not see",
	"not find", "anywhere", "nowhere", "no option", "tout essaye", "tout fait", "rien n y fait",
	"tried everything", "done everything", "personne a qui", "savent pas", "sait pas non plus", "know either",
	"not allowed", "pas le droit", "pas les droits", "no rights",
)

// elsewhere reports whether a message's own reply is confidently another
// topic than the conversation's ("je trouve pas mon NUMEN" after the phone
// settings): neither answered yet nor one of the last topic's steps.
func (c *Core) elsewhere(alone Reply, ladder []string, ctx *Context) bool {
	return alone.Outcome == Answered && !alone.Entry.Conversational() && alone.Confidence >= c.kb.Settings.AnswerThreshold &&
		!slices.Contains(ctx.Answered, alone.Entry.ID) && !slices.Contains(ladder, alone.Entry.ID)
}

// stuck reports whether words say one of stuckPhrases.
func stuck(words []string) bool { return stuckPhrases.has(words) }

// worked reports whether a message, after an answer, says that it worked
// ("j'ai accepté et ça synchronise, nickel", "turned off AdGuard and it
// works"): a closing, unless it asks for something new ("super,
// maintenant je voudrais l'avoir sur mon téléphone").
func worked(text string) bool {
	words := matcher.Tokens(text)
	return succeeded(words, text) && !anyOf(words, requestWords)
}

// requestWords ask for something without a question mark.
var requestWords = map[string]bool{
	"voudrais": true, "veux": true, "aimerais": true, "souhaite": true, "besoin": true, "faudrait": true,
	"want": true, "would": true, "need": true, "like": true,
}

// statements are the words of the clauses of text that do not ask: "ils
// savent pas non plus" in "ils savent pas non plus. on fait comment ?".
func statements(text string) []string {
	var out []string
	for _, clause := range clauses(text) {
		if words := matcher.Tokens(clause); !asks(words, clause) {
			out = append(out, words...)
		}
	}
	return out
}

// asksWhatNow reports whether a message holds a question that names no
// topic and carries nothing on: "je fais comment ?", "what now?", "any
// other ideas?".
func (c *Core) asksWhatNow(text, lang string) bool {
	for _, clause := range clauses(text) {
		words := matcher.Tokens(clause)
		if len(words) == 0 || !asks(words, clause) {
			continue
		}
		if _, continued := elliptical(words); continued {
			continue // "et je le trouve où ?"
		}
		named := false
		for _, m := range c.ix.Rank(clause, lang, 3).Matches {
			if _, ok := c.kb.Entry(m.Intent); ok && m.Score >= c.kb.Settings.SuggestThreshold {
				named = true
			}
		}
		if !named {
			return true
		}
	}
	return false
}

// parts cuts text into its clauses, and each clause at "et", "and", "+":
// "l'heure est bonne et chrome est à jour" names two steps.
func parts(text string) []string {
	var out []string
	for _, clause := range clauses(text) {
		var part []string
		for _, w := range strings.Fields(clause) {
			if f := matcher.Fold(w); f == "et" || f == "and" || w == "+" || w == "&" {
				out, part = appendPart(out, part), nil
				continue
			}
			part = append(part, w)
		}
		out = appendPart(out, part)
	}
	return out
}

func appendPart(out, words []string) []string {
	if len(words) == 0 {
		return out
	}
	return append(out, strings.Join(words, " "))
}

// clauses cuts text after each mark that ends a clause (, ; . ! ? and a new
// line), the mark kept: a clause that asks keeps its question mark.
func clauses(text string) []string {
	var out []string
	for len(text) > 0 {
		i := strings.IndexAny(text, ",;.!?\n")
		if i < 0 {
			return append(out, text)
		}
		out = append(out, text[:i+1])
		text = text[i+1:]
	}
	return out
}

// failures are the words of a report that something does not work.
var failures = map[string]bool{
	"pas": true, "rien": true, "personne": true, "jamais": true, "aucun": true, "aucune": true, "refuse": true,
	"refusee": true, "erreur": true, "echec": true, "toujours": true, "encore": true, "bloque": true, "bloquee": true,
	"not": true, "no": true, "nothing": true, "never": true, "nobody": true,
	"none": true, "still": true, "error": true, "fail": true, "fails": true, "failed": true, "refused": true,
	"rejected": true, "stuck": true, "same": true, "pareil": true, "craque": true, "marre": true,
}

// symptoms describe what goes wrong: in a first question as much as in a
// report, so they say "it did not help" only after a step taken ("tapé
// mon NUMEN, mot de passe incorrect").
var symptoms = map[string]bool{
	"incorrect": true, "incorrecte": true, "invalide": true, "invalid": true, "wrong": true, "impossible": true,
	"mouline": true, "plante": true, "deconne": true, "spins": true, "spinning": true, "crashes": true,
	"hangs": true, "couldn": true, "echoue": true,
}

// weakFailures say it only with the rest of a report: "c'est sûr ? pas de
// risque ?" asks.
// "does that still work?", "is it the same on the other one?" ask too.
var weakFailures = map[string]bool{"pas": true, "no": true, "not": true, "encore": true, "still": true, "toujours": true, "same": true, "pareil": true}

// workWords say that something works; with a negation near them ("ne
// marche pas", "not working", "marche plus"), that it does not.
var workWords = map[string]bool{
	"marche": true, "fonctionne": true, "work": true, "works": true, "working": true, "worked": true,
	"synchronise": true, "synchro": true, "connecte": true,
}

// negations turn a work word into a failure.
var negations = map[string]bool{"pas": true, "plus": true, "not": true, "no": true, "jamais": true, "never": true, "rien": true}

// persistence says it happens anyway: "ça fait quand même ça".
var persistence = phrases(
	"quand meme", "all the same", "anyway",
)

// failing reports whether words say that something does not work; strong
// leaves out the words that also ask ("pas", "not", "still") unless they
// negate a work word.
func failing(words []string, strong bool) bool {
	if persistence.has(words) {
		return true
	}
	for i, w := range words {
		if failures[w] && !(strong && weakFailures[w]) {
			return true
		}
		if workWords[w] && negated(words, i, strong) {
			return true
		}
	}
	return false
}

// negated reports whether a negation stands within two words of words[i]
// (strong: a negation that does not also ask, "pas" and "not" left out).
func negated(words []string, i int, strong bool) bool {
	for j := max(0, i-2); j <= min(len(words)-1, i+2); j++ {
		if j != i && negations[words[j]] && !(strong && weakFailures[words[j]]) {
			return true
		}
	}
	return false
}

// fineWords say that a thing checked is as it should be: "l'heure est
// bonne", "chrome est à jour", "the clock is correct".
var fineWords = map[string]bool{
	"bonne": true, "bon": true, "correct": true, "correcte": true, "juste": true, "exacte": true, "jour": true,
	"right": true, "fine": true, "latest": true, "derniere": true, "recent": true, "recente": true,
}

// doneWords report a step taken: "cache vidé", "tout rentré", "I tried",
// "checked the clock".
var doneWords = map[string]bool{
	"fait": true, "essaye": true, "essaie": true, "tente": true, "mis": true, "rentre": true, "tape": true,
	"saisi": true, "corrige": true, "verifie": true, "accepte": true, "installe": true, "desactive": true,
	"vide": true, "redemarre": true, "suivi": true, "change": true, "modifie": true, "appele": true,
	"tried": true, "done": true, "did": true, "put": true, "entered": true, "typed": true, "checked": true,
	"accepted": true, "installed": true, "disabled": true, "cleared": true, "turned": true, "restarted": true,
	"updated": true, "followed": true, "changed": true, "called": true, "rang": true,
}

// reportsDone reports whether words say a step was taken: a done word
// not negated ("je l'ai jamais changé" says the opposite).
func reportsDone(words []string) bool {
	for i, w := range words {
		// "pas vidé", "jamais changé", "have not tried"; "did not".
		before := words[max(0, i-2):i]
		if w == "fait" && i > 0 && (words[i-1] == "en" || words[i-1] == "au" || words[i-1] == "a") {
			continue // "en fait", "au fait", "tout à fait" say nothing was done
		}
		if doneWords[w] && !anyOf(before, negations) && !(i+1 < len(words) && words[i+1] == "not") {
			return true
		}
	}
	return false
}

// anyOf reports whether one of words is in set.
func anyOf(words []string, set map[string]bool) bool {
	for _, w := range words {
		if set[w] {
			return true
		}
	}
	return false
}

// reportsFailure reports whether words say that it still does not work,
// or that a step taken failed.
func reportsFailure(words []string) bool {
	return failing(words, false) || reportsDone(words) && anyOf(words, symptoms)
}

// successWords close a conversation that worked: "nickel", "c'est réglé",
// "all sorted".
var successWords = map[string]bool{
	"nickel": true, "parfait": true, "impeccable": true, "super": true, "top": true, "genial": true, "resolu": true,
	"regle": true, "fixed": true, "sorted": true, "perfect": true, "great": true, "brilliant": true, "awesome": true,
}

// succeeded reports whether a message that does not ask says it worked:
// a success word, or a work word without negation ("ça synchronise"),
// and no failure.
func succeeded(words []string, text string) bool {
	if asks(words, text) || reportsFailure(words) || anyOf(words, symptoms) {
		return false
	}
	for _, w := range words {
		if successWords[w] || workWords[w] {
			return true
		}
	}
	return successPhrases.has(words)
}

// successPhrases say it worked in several words: "that was it", "I'm in",
// "c'était ça", "c'est bon".
var successPhrases = phrases(
	"that was it", "i in", "c etait ca", "c est bon", "ca va mieux",
)

// interrogatives open a question.
var interrogatives = map[string]bool{
	"comment": true, "quel": true, "quelle": true, "quels": true, "quelles": true, "quoi": true, "ou": true,
	"pourquoi": true, "combien": true, "qui": true, "lequel": true, "laquelle": true, "est-ce": true, "faut": true,
	"dois": true, "peut": true, "peux": true, "how": true, "what": true, "what's": true, "whats": true, "which": true,
	"where": true, "why": true, "who": true, "when": true, "is": true, "are": true, "do": true, "does": true,
	"can": true, "could": true, "should": true, "koi": true, "kel": true, "ckoi": true,
}

// asks reports whether a message asks something: a question mark, or an
// interrogative word or a continuation ("et le port") at its start.
func asks(words []string, text string) bool {
	if strings.Contains(text, "?") {
		return true
	}
	if len(words) == 0 {
		return false
	}
	if _, continued := elliptical(words); continued && words[0] != "same" && words[0] != "pareil" {
		return true // "et le port", but not "same grey page", "pareil, rien"
	}
	if len(words) > 1 && words[1] == "not" {
		return false // "can't update it", "doesn't load": a statement
	}
	if interrogatives[words[0]] || len(words) > 1 && words[0] == "est" && words[1] == "quoi" {
		return true
	}
	for _, w := range words[1:] {
		if askingWords[w] {
			return true // "je mets quoi", "I tried what you said"
		}
	}
	return false
}

// askingWords ask a question wherever they are: "je mets quoi".
var askingWords = map[string]bool{
	"quoi": true, "koi": true, "comment": true, "combien": true, "pourquoi": true, "lequel": true, "laquelle": true,
	"what": true, "how": true, "which": true, "where": true, "why": true, "savoir": true, "wonder": true,
}

// tries is Reply.Tries: the conversation's count of "it did not help",
// kept while its answers stay on the last topic's ladder and reset by a new
// topic.
func (c *Core) tries(r Reply, ctx *Context) int {
	if ctx == nil {
		return 0
	}
	switch {
	case r.Reading == ReadNext || r.Reading == ReadHandoff || r.Reading == ReadWaiting:
		return ctx.NotSolved + 1
	case r.Outcome != Answered || r.Entry.Conversational():
		return ctx.NotSolved
	case slices.Contains(c.Ladder(ctx.Last()), r.Entry.ID):
		return ctx.NotSolved
	}
	return 0
}

// Ladder returns an entry and the steps after it (next:), in order, each
// once: what to try when its answer did not help.
func (c *Core) Ladder(id string) []string {
	var out []string
	for e, ok := c.kb.Entry(id); ok && !slices.Contains(out, e.ID); e, ok = c.kb.Entry(e.Next) {
		out = append(out, e.ID)
	}
	return out
}

// The not_solved index's intents, and the confidence from which a message
// reads as "it did not help".
const (
	notSolvedIntent    = "not-solved"
	otherIntent        = "other"
	notSolvedThreshold = 0.5
	notSolvedSure      = 0.8
	// notSolvedShare is the share of the not_solved index's confidence
	// from which a message that describes an answered topic again reads as
	// a report on it (chosen on the development half of the thread set).
	notSolvedShare = 0.2
)

// notSolvedOthers is how many questions of each entry, per language, stand
// for the questions in the not_solved index.
const notSolvedOthers = 4

// notSolvedIndex trains the index that tells "it did not help" from a
// question: the knowledge's not_solved examples against every example
// question of the entries and services. Nil when the knowledge has none.
func notSolvedIndex(kb *Knowledge) (*matcher.Index, error) {
	if len(kb.NotSolved.FR)+len(kb.NotSolved.EN) == 0 {
		return nil, nil
	}
	var ex []matcher.Example
	for _, lang := range Languages {
		for _, q := range kb.NotSolved.In(lang) {
			ex = append(ex, matcher.Example{Intent: notSolvedIntent, Text: q, Lang: lang})
		}
		// A few questions of each entry and service, so that neither side
		// outweighs the other by its number of examples alone.
		for _, e := range append(slices.Clone(kb.Entries), kb.Services...) {
			qs := e.Questions.In(lang)
			for _, q := range qs[:min(len(qs), notSolvedOthers)] {
				ex = append(ex, matcher.Example{Intent: otherIntent, Text: q, Lang: lang})
			}
		}
	}
	return matcher.New(ex, matcher.Config{Synonyms: kb.Synonyms, DefaultLang: kb.Settings.DefaultLanguage})
}

// nextStep is the reply to "it did not help": the next step of the last
// topic's ladder (its next:, skipping the steps already given and those the
// message says were tried), or, at the second such message or at the end
// of the ladder, the hand-off to a person.
func (c *Core) nextStep(text, lang string, ctx *Context) Reply {
	if ctx.NotSolved >= 1 || stuck(matcher.Tokens(text)) {
		return c.handoff(lang, ctx)
	}
	// What the message says was tried: "cache vidé, extensions
	// désactivées, heure vérifiée" names three steps.
	var tried []string
	for _, part := range parts(text) {
		for _, m := range c.ix.Rank(part, lang, 2).Matches {
			if m.Score >= triedMin {
				tried = append(tried, m.Intent)
			}
		}
	}
	// A new symptom after the step ("et maintenant il me sort certificat
	// non valide"): the entry that answers it, when the message names one
	// with confidence that the conversation has not answered yet.
	if e, ok := c.newSymptom(text, lang, ctx); ok {
		r := c.entryReply(Reply{Outcome: Answered, Lang: lang, Confidence: 1, Reading: ReadNext, Tries: ctx.NotSolved + 1}, e)
		return r
	}
	ladder := c.Ladder(ctx.Last()) // empty when the knowledge lost that entry
	for i := 1; i < len(ladder); i++ {
		id := ladder[i]
		if id == "human" {
			break
		}
		if !slices.Contains(ctx.Answered, id) && !slices.Contains(tried, id) {
			e, _ := c.kb.Entry(ladder[i-1]) // the step before: its next is id
			r, _ := c.NextStep(e, lang)
			r.Tries = ctx.NotSolved + 1
			return r
		}
	}
	return c.handoff(lang, ctx)
}

// nowWords open what happens since the last step: "maintenant", "now".
var nowWords = map[string]bool{"maintenant": true, "desormais": true, "now": true}

// newSymptom finds, in the parts of a report that say what happens now
// (not what was done), an entry named with confidence that the
// conversation has not answered.
func (c *Core) newSymptom(text, lang string, ctx *Context) (*Entry, bool) {
	for _, part := range parts(text) {
		words := matcher.Tokens(part)
		if !anyOf(words, nowWords) || reportsDone(words) {
			continue
		}
		best := c.ix.Rank(part, lang, 1).Best()
		e, ok := c.kb.Entry(best.Intent)
		if ok && !e.Conversational() && best.Score >= c.kb.Settings.AnswerThreshold && !slices.Contains(ctx.Answered, e.ID) {
			return e, true
		}
	}
	return nil, false
}

// triedMin is the confidence from which a step named in a part of "it did
// not help" ("cache vidé, extensions désactivées") counts as tried.
const triedMin = 0.3

// handoff is the reply that hands the conversation over to a person: the
// human entry's answer, opened with what was already tried.
func (c *Core) handoff(lang string, ctx *Context) Reply {
	r := Reply{Outcome: Answered, Lang: lang, Confidence: 1, Reading: ReadHandoff, Tries: c.tries(Reply{Reading: ReadHandoff}, ctx)}
	h, ok := c.kb.Entry("human")
	if !ok {
		return c.fallback(r)
	}
	r = c.entryReply(r, h)
	if ctx != nil && ctx.HandedOff {
		// Already handed over: the helpdesk is not called again, the
		// person is told it was and how to reach it meanwhile.
		r.Reading = ReadWaiting
		if waiting := strings.TrimSpace(c.kb.Messages.HandedOff.In(lang)); waiting != "" {
			r.Text = c.fill(waiting, lang)
			r.FollowUps = nil
		}
		return r
	}
	r.Tried = c.tried(ctx)
	if intro := strings.TrimSpace(c.kb.Messages.Handoff.In(lang)); intro != "" && len(r.Tried) > 0 {
		r.Text = strings.ReplaceAll(intro, "{tried}", r.TriedList()) + "\n\n" + r.Text
	}
	return r
}

// tried are the entries of the conversation's current topic, oldest
// first: its last answers, back to the start of the steps that led to the
// last one (a topic the person left before is not what the helpdesk needs
// to read).
func (c *Core) tried(ctx *Context) []*Entry {
	if ctx == nil || len(ctx.Answered) == 0 {
		return nil
	}
	from := len(ctx.Answered) - 1
	for from > 0 && slices.Contains(c.Ladder(ctx.Answered[from-1]), ctx.Answered[from]) {
		from--
	}
	return slices.DeleteFunc(c.entries(ctx.Answered[from:]), (*Entry).Conversational)
}

// TriedList names, by title, the entries a hand-off says were tried.
func (r Reply) TriedList() string {
	titles := make([]string, len(r.Tried))
	for i, e := range r.Tried {
		titles[i] = "« " + e.Title.In(r.Lang) + " »"
		if r.Lang == English {
			titles[i] = "“" + e.Title.In(r.Lang) + "”"
		}
	}
	return strings.Join(titles, ", ")
}

// continuations open a message that carries on the conversation rather
// than start a new one: "et le port ?", "and on iPhone?", "what about...".
var continuations = [][]string{
	{"et"}, {"and"}, {"what", "about"}, {"how", "about"}, {"aussi"}, {"also"}, {"du", "coup"}, {"mais"}, {"but"},
	{"ok", "et"}, {"ok", "and"}, {"d", "accord", "et"}, {"so"}, {"alors"}, {"pareil"}, {"same"},
}

// maxElliptical is how many words an elliptical follow-up has at most.
const maxElliptical = 8

// elliptical reports whether a message may only make sense with the
// conversation's topic: short, or opened as a continuation.
func elliptical(words []string) (short, continued bool) {
	for _, c := range continuations {
		if len(words) > len(c) && slices.Equal(words[:len(c)], c) {
			continued = true
		}
	}
	return len(words) <= maxElliptical, continued
}

// followUp reads an elliptical message with the conversation's topic: the
// message is ranked again after the topic's title, and that reading is
// kept when it answers and the message alone did not answer confidently
// another way. alone is the message's own reply.
func (c *Core) followUp(text, lang string, alone Reply, res matcher.Result, ctx *Context) (Reply, bool) {
	last, ok := c.kb.Entry(ctx.Last())
	if !ok {
		return Reply{}, false
	}
	if alone.Outcome == Redirected || alone.Outcome == Secret || alone.Outcome == Empty {
		return Reply{}, false // "et pour Pronote ?" names its service
	}
	if alone.Outcome == Fallback && alone.Confidence >= c.kb.Settings.AnswerThreshold {
		return Reply{}, false // confidently out of scope: "et la cantine ?"
	}
	if lang == "" {
		lang = alone.Lang
	}
	words := matcher.Tokens(text)
	if _, ok := position(words); ok {
		return Reply{}, false // "3" when two entries were offered: not a question
	}
	best := res.Best()
	bestEntry, isEntry := c.kb.Entry(best.Intent)
	if isEntry && bestEntry.Conversational() {
		return Reply{}, false // "ok top", "bonjour": small talk, not a question about the topic
	}
	if !res.Known {
		return Reply{}, false // "asdfgh": nothing to read with the topic
	}
	// Unsure between topics, one of which the conversation is about: that
	// one ("who do I call exactly?" after the reset).
	if alone.Outcome == Suggested {
		for _, a := range alone.Alternatives {
			if a.Entry.ID == last.ID {
				return c.entryReply(Reply{Outcome: Answered, Lang: alone.Lang, Confidence: a.Confidence, Reading: ReadFollowUp}, last), true
			}
		}
	}
	// Answered with little confidence, while the conversation's topic
	// ranks close behind: that topic ("et sur la nationale je mets quoi
	// comme identifiant ?" after the portals).
	if alone.Outcome == Answered && alone.Confidence < contextBeats && alone.Entry.ID != last.ID && asks(words, text) {
		for _, m := range res.Matches[:min(3, len(res.Matches))] {
			if m.Intent == last.ID && m.Score >= contextShare*best.Score {
				return c.entryReply(Reply{Outcome: Answered, Lang: alone.Lang, Confidence: m.Score, Reading: ReadFollowUp}, last), true
			}
		}
	}
	if !isEntry && best.Score >= followUpElsewhere {
		return Reply{}, false // "quel temps fait-il ?", "how do I bake bread": about something else
	}
	// ...or one the last answer pointed to.
	if alone.Outcome == Suggested {
		for _, a := range alone.Alternatives {
			if slices.Contains(ctx.Offered, a.Entry.ID) {
				return c.entryReply(Reply{Outcome: Answered, Lang: alone.Lang, Confidence: a.Confidence, Reading: ReadFollowUp}, a.Entry), true
			}
		}
	}
	short, continued := elliptical(words)
	if !short {
		return Reply{}, false
	}
	if alone.Outcome == Answered && (alone.Entry.Conversational() || (!continued && alone.Confidence >= c.kb.Settings.AnswerThreshold)) {
		return Reply{}, false // "merci", or a short but whole question
	}
	mentioned := c.mentions(last, words)
	if continued && mentioned && contentWords(words) <= 2 {
		// "et le mdp ?" after the phone settings: a part of that answer.
		return c.entryReply(Reply{Outcome: Answered, Lang: lang, Confidence: alone.Confidence, Reading: ReadFollowUp}, last), true
	}
	if alone.Outcome == Answered && alone.Entry.ID != last.ID && alone.Confidence >= c.kb.Settings.AnswerThreshold && !mentioned {
		return Reply{}, false // "et le port ?" after the identifier: the port is the phone's
	}
	r, _ := c.decide(last.Title.In(lang)+" : "+text, lang)
	if r.Outcome != Answered || r.Entry.Conversational() {
		return Reply{}, false
	}
	r.Reading = ReadFollowUp
	return r, true
}

// contentWords counts the words that are not function words.
func contentWords(words []string) int {
	n := 0
	for _, w := range words {
		if content(w) {
			n++
		}
	}
	return n
}

// content reports whether a folded word says something: not a function
// word, nor a letter alone.
func content(w string) bool { return len(w) > 1 && !matcher.IsStop(w) }

// A question answered alone with less than contextBeats, whose ranking
// puts the conversation's topic at contextShare of the best score or more,
// is read as about that topic (chosen on the development sets).
const (
	contextBeats = 0.7
	contextShare = 0.5
)

// followUpElsewhere is the confidence from which a message that ranks
// another service or the out-of-scope questions first is not read with the
// conversation's topic.
const followUpElsewhere = 0.2

// mentions reports whether words name something the entry's title or
// answer speaks of, in either language, synonyms included: "mdp" is in the
// phone settings ("mot de passe"), "port" is not in the identifier's.
func (c *Core) mentions(e *Entry, words []string) bool { return c.mentionCount(e, words) > 0 }

// mentionCount counts the distinct words of words that the entry's title
// or answer speaks of (see mentions).
func (c *Core) mentionCount(e *Entry, words []string) int {
	c.topicOnce.Do(c.indexTopicWords)
	vocab := c.topicWords[e.ID]
	seen := map[string]bool{}
	for _, w := range words {
		if content(w) && vocab[w] {
			seen[w] = true
		}
	}
	return len(seen)
}

// restated is how many of the last answer's words a report of a step
// taken repeats to be read as about it when, alone, it reads as another
// topic ("tout rentré : mail.ac-lyon.fr, 993, SSL, identifiant court, et
// échec de connexion" repeats five).
const restated = 3

// indexTopicWords gathers, for each entry, the words of its title and
// answer in both languages, and every word of the synonym groups its texts
// use.
func (c *Core) indexTopicWords() {
	c.topicWords = map[string]map[string]bool{}
	for _, e := range c.kb.Entries {
		vocab := map[string]bool{}
		folded := " "
		for _, lang := range Languages {
			for _, t := range []string{e.Title.In(lang), e.Answer.In(lang)} {
				ws := matcher.Tokens(t)
				for _, w := range ws {
					vocab[w] = true
				}
				folded += strings.Join(ws, " ") + " "
			}
		}
		for _, group := range c.kb.Synonyms {
			used := false
			for _, p := range group {
				if ws := matcher.Tokens(p); len(ws) > 0 && strings.Contains(folded, " "+strings.Join(ws, " ")+" ") {
					used = true
				}
			}
			if used {
				for _, p := range group {
					for _, w := range matcher.Tokens(p) {
						vocab[w] = true
					}
				}
			}
		}
		c.topicWords[e.ID] = vocab
	}
}

// NextStep is what to try when the answer of e did not help (a 👎): the
// first step after it, introduced as such, or false when its steps end
// with a person (the 👎's "talk to a person" is there for that).
func (c *Core) NextStep(e *Entry, lang string) (Reply, bool) {
	if lang != English {
		lang = French
	}
	next, ok := c.kb.Entry(e.Next)
	if !ok || next.Conversational() {
		return Reply{}, false
	}
	r := c.entryReply(Reply{Outcome: Answered, Lang: lang, Confidence: 1, Reading: ReadNext, Tries: 1}, next)
	if intro := strings.TrimSpace(c.kb.Messages.NextStep.In(lang)); intro != "" {
		r.Text = intro + "\n\n" + r.Text
	}
	return r, true
}
