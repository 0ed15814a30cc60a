package intents

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/sahilm/fuzzy"

	"github.com/acad-lyon/helpdesk-bot/internal/matcher"
)

// Question is one message to answer.
type Question struct {
	// Text is what the person typed.
	Text string
	// Lang forces the reply language (French or English); "" detects it.
	Lang string
	// Direct: asked in a direct message with the bot, which nobody else
	// reads; the secret warning then speaks of no other participants.
	Direct bool
	// Held: the text was masked (MaskSecrets) and held these secrets; the
	// reply is the secret warning all the same.
	Held Held
	// Context is what the conversation knows before this message (nil: a
	// message on its own).
	Context *Context
}

// Outcome says how the bot replies.
type Outcome string

// The outcomes of a question.
const (
	// Answered: the bot is confident and answers with Reply.Entry.
	Answered Outcome = "answered"
	// Suggested: the bot is unsure and offers Reply.Alternatives.
	Suggested Outcome = "suggested"
	// Fallback: the bot does not know, and says how to reach a human.
	Fallback Outcome = "fallback"
	// Empty: the message had no words to answer; adapters may stay silent.
	Empty Outcome = "empty"
	// Redirected: the question is about another service (Reply.Service),
	// which the bot does not cover; Reply.Text says where it belongs.
	Redirected Outcome = "redirected"
	// Secret (secret.go): the message carries a password or a NUMEN;
	// adapters show the reply privately and keep nothing of the message.
)

// Alternative is an entry offered as "did you mean", or a runner-up.
type Alternative struct {
	Entry      *Entry
	Confidence float64
}

// Reply is the platform-neutral answer to a question. Text is in the
// knowledge's markdown subset; adapters render it with Render.
type Reply struct {
	Outcome    Outcome
	Lang       string
	Confidence float64
	// Entry is the entry answered with (Outcome Answered).
	Entry *Entry
	// Service is the other service a question is about (Outcome
	// Redirected).
	Service *Entry
	// Alternatives are the suggestions (Suggested) or the runners-up
	// (Answered), best first.
	Alternatives []Alternative
	// FollowUps are the entries the answer points to.
	FollowUps []*Entry
	// Text is the reply without its follow-ups: the answer, the suggestions
	// or the fallback.
	Text string
	// SeeAlso introduces the follow-ups, in the reply's language.
	SeeAlso string
	// Intro introduces the suggestions (Suggested), in the reply's
	// language: the knowledge's did_you_mean, or its which_one for a
	// one-word question that several entries use.
	Intro string
	// Reading says how the conversation was used (ReadAlone, ReadFollowUp,
	// ReadPick, ReadNext, ReadHandoff).
	Reading string
	// Tried are, in a hand-off to a person, the entries the conversation
	// already gave, oldest first: the summary the helpdesk reads.
	Tried []*Entry
	// Login is the identifier a personal answer names ("" for none);
	// LoginUnsure says the article's rule does not settle it.
	Login       string
	LoginUnsure bool
	// Tries counts, after this reply, the messages of the conversation
	// that said its answers did not help, since its last new topic: the
	// conversation's memory keeps it (Context.NotSolved).
	Tries int
}

// Markdown returns the whole reply with its "see also" line, for outputs
// without buttons (console, ask, canned answers).
func (r Reply) Markdown() string { return r.Text + r.next() }

// Canned is an entry's answer as a helpdesk agent pastes it: its title, its
// text and, when seeAlso, the titles of the entries to read next (without
// their ids, which mean nothing to the person reading).
func (r Reply) Canned(seeAlso bool) string {
	var b strings.Builder
	if r.Entry != nil {
		b.WriteString("**" + r.Entry.Title.In(r.Lang) + "**\n\n")
	}
	b.WriteString(r.Text)
	if seeAlso {
		b.WriteString(r.next())
	}
	return b.String()
}

// next renders what to read next, by title: "See also: a, b" after an
// answer, or the list of topics that an answer introduces (SeeAlso "").
func (r Reply) next() string {
	if len(r.FollowUps) == 0 {
		return ""
	}
	titles := make([]string, len(r.FollowUps))
	for i, f := range r.FollowUps {
		titles[i] = f.Title.In(r.Lang) // titles only: ids mean nothing to staff
	}
	if r.SeeAlso == "" {
		return "\n- " + strings.Join(titles, "\n- ")
	}
	return "\n\n" + r.SeeAlso + " " + strings.Join(titles, ", ")
}

// Target names what the reply points to, for logs and tests: the entry
// answered, the service redirected to, or the suggested entries' ids in
// brackets.
func (r Reply) Target() string {
	switch {
	case r.Entry != nil:
		return r.Entry.ID
	case r.Service != nil:
		return r.Service.ID
	}
	ids := make([]string, len(r.Alternatives))
	for i, a := range r.Alternatives {
		ids[i] = a.Entry.ID
	}
	return "[" + strings.Join(ids, " ") + "]"
}

// Answerer answers questions. It is the seam between adapters and the
// answering core. Implementations are safe for concurrent use; "no match" is
// a Reply, not an error.
type Answerer interface {
	Answer(ctx context.Context, q Question) (Reply, error)
}

// AnswererFunc adapts a function to Answerer.
type AnswererFunc func(context.Context, Question) (Reply, error)

// Answer calls f.
func (f AnswererFunc) Answer(ctx context.Context, q Question) (Reply, error) { return f(ctx, q) }

// Core answers questions from one knowledge base. It is immutable and safe
// for concurrent use; a reload builds a new Core.
type Core struct {
	kb *Knowledge
	ix *matcher.Index
	// ns tells "it did not help" from a question (nil: the knowledge has
	// no not_solved examples).
	ns *matcher.Index
	// webmail and services find the names of the webmail and of the other
	// services in a question.
	webmail  names
	services names
	// guard finds passwords and NUMENs, knowing the knowledge's words.
	guard *guard
	// topicWords are, per entry, the words its title and answer speak of
	// (Core.mentions), gathered once.
	topicOnce  sync.Once
	topicWords map[string]map[string]bool
	// notFor finds, per entry, the words of its not_for:.
	notFor map[string]*names
}

// NewCore trains the matcher on the knowledge's example questions, once,
// and, for knowledge read from files, self-tests it: every example question
// must lead back to its own entry, or the problems come back with their
// lines (Problems) and no core.
func NewCore(kb *Knowledge) (*Core, error) {
	ix, err := matcher.New(TrainingExamples(kb), MatcherConfig(kb))
	if err != nil {
		return nil, fmt.Errorf("build matcher: %w", err)
	}
	ns, err := notSolvedIndex(kb)
	if err != nil {
		return nil, fmt.Errorf("build the not_solved matcher: %w", err)
	}
	c := &Core{kb: kb, ix: ix, ns: ns, guard: newGuard(vocabulary(kb))}
	c.webmail.add("", kb.WebmailNames)
	for _, s := range kb.Services {
		c.services.add(s.ID, s.Names)
	}
	c.notFor = map[string]*names{}
	for _, e := range kb.Entries {
		if len(e.NotFor) > 0 {
			c.notFor[e.ID] = phrases(e.NotFor...)
		}
	}
	if probs := c.selfTest(kb.locs); len(probs) > 0 {
		sortProblems(probs)
		return nil, probs
	}
	return c, nil
}

// names finds phrases (a service's names) in the folded words of a
// question.
type names struct {
	byFirst map[string][]namePhrase
}

type namePhrase struct {
	id    string
	words []string
}

func (n *names) add(id string, phrases []string) {
	if n.byFirst == nil {
		n.byFirst = map[string][]namePhrase{}
	}
	for _, p := range phrases {
		if w := matcher.Tokens(p); len(w) > 0 {
			n.byFirst[w[0]] = append(n.byFirst[w[0]], namePhrase{id, w})
		}
	}
}

// phrases is a names of phrases with no id: "toujours pas", "c'est bon".
func phrases(ps ...string) *names {
	n := &names{}
	n.add("", ps)
	return n
}

// has reports whether words contain one of the phrases.
func (n *names) has(words []string) bool {
	_, ok := n.find(words)
	return ok
}

// find returns the id of the first phrase that words contain, and whether
// one does.
func (n *names) find(words []string) (string, bool) {
	for i, w := range words {
		for _, p := range n.byFirst[w] {
			if len(p.words) <= len(words)-i && slices.Equal(p.words, words[i:i+len(p.words)]) {
				return p.id, true
			}
		}
	}
	return "", false
}

// Knowledge returns the knowledge the core answers from.
func (c *Core) Knowledge() *Knowledge { return c.kb }

// The catalog of the knowledge the core serves, asked of the core so that an
// event sees one version of it.

// Entry returns the entry with the given id.
func (c *Core) Entry(id string) (*Entry, bool) { return c.kb.Entry(id) }

// Topics returns the entries that answer support questions.
func (c *Core) Topics() []*Entry { return c.kb.Topics() }

// TopicList renders the titles of the topics as a markdown list.
func (c *Core) TopicList(lang string) string { return c.kb.TopicList(lang) }

// DefaultLanguage is the language of a reply when nothing says which.
func (c *Core) DefaultLanguage() string { return c.kb.Settings.DefaultLanguage }

// MatcherConfig is the matcher configuration the knowledge asks for.
func MatcherConfig(kb *Knowledge) matcher.Config {
	cfg := matcher.Config{Synonyms: kb.Synonyms, DefaultLang: kb.Settings.DefaultLanguage}
	for _, e := range kb.Entries {
		if e.Conversational() {
			cfg.Background = append(cfg.Background, e.ID)
		}
	}
	return cfg
}

// TrainingExamples are the entries' example questions and keywords, plus, for
// each topic, a few of its questions opened with a greeting: people say hello
// before asking, and the topic must win over the greeting then.
func TrainingExamples(kb *Knowledge) []matcher.Example {
	var out []matcher.Example
	greetings := map[string][]string{}
	if g, ok := kb.Entry("greeting"); ok {
		for _, lang := range Languages {
			greetings[lang] = g.Questions.In(lang)
		}
	}
	n := 0
	for _, e := range kb.Entries {
		for _, lang := range Languages {
			qs := e.Questions.In(lang)
			for _, q := range qs {
				out = append(out, matcher.Example{Intent: e.ID, Text: q, Lang: lang})
			}
			if g := greetings[lang]; len(g) > 0 && !e.Conversational() {
				for i := 0; i < 2 && i < len(qs); i++ {
					out = append(out, matcher.Example{Intent: e.ID, Text: g[n%len(g)] + " " + qs[i], Lang: lang})
					n++
				}
			}
		}
		for _, k := range e.Keywords {
			out = append(out, matcher.Example{Intent: e.ID, Text: k})
		}
		// The title names the topic as the knowledge writes it: one more
		// example, worded unlike the others.
		if !e.Conversational() {
			for _, lang := range Languages {
				out = append(out, matcher.Example{Intent: e.ID, Text: e.Title.In(lang), Lang: lang})
			}
		}
	}
	for _, s := range kb.Services {
		for _, lang := range Languages {
			for _, q := range s.Questions.In(lang) {
				out = append(out, matcher.Example{Intent: s.ID, Text: q, Lang: lang})
			}
		}
		for _, n := range s.Names {
			out = append(out, matcher.Example{Intent: s.ID, Text: n})
		}
	}
	for _, lang := range Languages {
		for _, q := range kb.OutOfScope.In(lang) {
			out = append(out, matcher.Example{Intent: OutOfScopeIntent, Text: q, Lang: lang})
		}
	}
	return out
}

// Answer implements Answerer.
func (c *Core) Answer(ctx context.Context, q Question) (Reply, error) {
	if err := ctx.Err(); err != nil {
		return Reply{}, err
	}
	return c.answer(q), nil
}

// maxSuggestions is how many entries "did you mean" offers.
const maxSuggestions = 3

// MaxQuestion is how much of a message is matched, in bytes: a question
// is a few sentences; a pasted 20,000-character log is matched on its start.
const MaxQuestion = 1000

// Clean makes any text safe to match: valid UTF-8, no control characters,
// at most MaxQuestion bytes (cut at a rune boundary).
func Clean(text string) string { return strings.ReplaceAll(cleanLines(text), "\n", " ") }

// Cut returns s cut to at most n bytes, at a rune boundary.
func Cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// answer reads a question in small steps, each of which may settle it: the
// secret guard; an empty message; the conversation (a choice among what was
// offered, "it did not help"); the message alone (decide); an elliptical
// message read with the conversation's topic; and, once an entry is chosen,
// the personal touch (the person's identifier, what a hand-off tried).
func (c *Core) answer(q Question) Reply {
	lang := q.Lang
	if lang != French && lang != English {
		lang = ""
	}
	lines := cleanLines(q.Text) // the guard reads the lines; matching, the words
	text := strings.ReplaceAll(lines, "\n", " ")
	if numen, password := c.guard.find(lines); numen || password || q.Held.Any() {
		numen = numen || q.Held.Numen
		if lang == "" {
			lang = c.ix.Language(text)
		}
		return c.secretReply(lang, numen, q.Direct)
	}
	if lang == "" && q.Context != nil && q.Context.Lang != "" && len(matcher.Tokens(text)) <= 1 {
		lang = q.Context.Lang // "ok", "2", "iPhone": one word says no language; the conversation's
	}
	ctx := q.Context
	if e, ok := c.pick(text, lang, ctx); ok {
		return c.personal(c.entryReply(Reply{Outcome: Answered, Lang: c.langOf(text, lang), Confidence: 1, Reading: ReadPick}, e), text, ctx)
	}
	if r, ok := c.offerAgain(text, lang, ctx); ok {
		return r // "le 4" when three were offered: the list again
	}
	r, res := c.decide(text, lang)
	switch {
	case r.Outcome == Answered && r.Entry.ID == "human":
		return c.handoff(r.Lang, ctx) // "je veux parler à quelqu'un", with what was tried
	case ctx.Last() == "":
	case worked(text):
		if thanks, ok := c.kb.Entry("thanks"); ok {
			return c.entryReply(Reply{Outcome: Answered, Lang: r.Lang, Confidence: 1}, thanks) // "j'ai accepté et ça synchronise, nickel"
		}
	case c.notSolved(text, lang, r, ctx):
		return c.nextStep(text, r.Lang, ctx)
	default:
		if f, ok := c.followUp(text, lang, r, res, ctx); ok {
			r = f
		}
	}
	r.Tries = c.tries(r, ctx)
	return c.personal(r, text, ctx)
}

// ruledOut reports whether words hold one of the entry's not_for words.
func (c *Core) ruledOut(e *Entry, words []string) bool {
	n := c.notFor[e.ID]
	return n != nil && n.has(words)
}

// langOf is the language of a reply to text: lang when it is forced.
func (c *Core) langOf(text, lang string) string {
	if lang != "" {
		return lang
	}
	return c.ix.Language(text)
}

// decide answers a message on its own: another service's name, then the
// matcher's ranking, which it returns too.
func (c *Core) decide(text, lang string) (Reply, matcher.Result) {
	res := c.ix.Rank(text, lang, 8)
	return c.decideRanked(text, res), res
}

func (c *Core) decideRanked(text string, res matcher.Result) Reply {
	s := c.kb.Settings
	r := Reply{Lang: res.Lang}
	if res.Words == 0 {
		r.Outcome, r.Text = Empty, strings.TrimSpace(c.kb.Messages.Empty.In(r.Lang))
		return r
	}
	// Another service's question is redirected, never answered with a
	// webmail entry, unless it names the webmail too ("the same password
	// for Pronote and the webmail").
	words := matcher.Tokens(text)
	if e, ok := c.kb.Entry(PhishingEntry); ok && phishing(words) {
		return c.entryReply(Reply{Outcome: Answered, Lang: r.Lang, Confidence: 1}, e) // before a service's name: "on me demande mon mdp sur Teams"
	}
	_, webmail := c.webmail.find(words)
	if id, ok := c.services.find(words); ok && !webmail {
		return c.redirect(r, c.kb.Service(id), 1)
	}
	// ranked are the entries, best first; other is the best reading that
	// is not an entry (another service, out_of_scope) when it ranks above
	// every entry.
	var ranked []Alternative
	var other matcher.Match
	mass := 0.0     // the confidence the entries share
	services := 0.0 // the confidence of the services set aside
	for _, m := range res.Matches {
		if e, ok := c.kb.Entry(m.Intent); ok {
			if c.ruledOut(e, words) {
				continue // "Firefox: connexion non sécurisée" is not the phone's prompt
			}
			ranked = append(ranked, Alternative{e, m.Score})
			mass += m.Score
			continue
		}
		if sv := c.kb.Service(m.Intent); sv != nil && webmail {
			services += m.Score // "the same password for Pronote and the webmail"
			continue
		}
		if len(ranked) == 0 && other.Intent == "" {
			other = m
		}
	}
	// The likeliest reading is not a webmail entry. Confidently: another
	// service's redirect, or for the rest ("le menu de la cantine") the
	// fallback, with no webmail entry offered. Without confidence: no
	// direct answer, and the entries are offered as "did you mean" by their
	// share of what the entries get ("je n'arrive pas à me connecter"
	// shares its words with the other services' examples).
	if other.Score >= s.AnswerThreshold {
		if sv := c.kb.Service(other.Intent); sv != nil {
			return c.redirect(r, sv, other.Score)
		}
		r.Confidence = other.Score
		return c.fallback(r)
	}
	elsewhere := other.Score >= s.SuggestThreshold
	switch {
	case elsewhere && mass > 0:
		for i := range ranked {
			ranked[i].Confidence /= mass
		}
	case services > 0 && services < 1:
		// The question names the webmail: the confidence the services got
		// belongs to the entries.
		for i := range ranked {
			ranked[i].Confidence = min(1, ranked[i].Confidence/(1-services))
		}
	}
	if len(ranked) > 0 {
		r.Confidence = ranked[0].Confidence
	}
	// One word that several entries use ("mail", "problème"): offer them
	// rather than guess, whatever the confidence.
	var vague []Alternative
	// ...unless the likeliest is a conversational entry: "humain", "aide"
	// are what the help tells people to type, not a topic to choose.
	if first, ok := c.kb.Entry(res.Best().Intent); res.Vague() && !(ok && first.Conversational()) {
		for _, m := range res.Candidates {
			if e, ok := c.kb.Entry(m.Intent); ok && !e.Conversational() && len(vague) < maxSuggestions {
				vague = append(vague, Alternative{e, m.Score})
			}
		}
	}
	switch {
	case len(vague) > 1 && len(ranked) > 0 && ranked[0].Confidence >= s.SuggestThreshold:
		r.Outcome, r.Alternatives = Suggested, vague
		r.Intro = c.kb.Messages.WhichOne.In(r.Lang)
		if r.Intro == "" {
			r.Intro = c.kb.Messages.DidYouMean.In(r.Lang)
		}
		r.Text = c.suggestionText(r.Intro, r.Alternatives, r.Lang)
	case len(ranked) > 0 && ranked[0].Confidence >= s.AnswerThreshold && !elsewhere:
		r.Outcome, r.Entry = Answered, ranked[0].Entry
		for _, a := range ranked[1:] {
			if a.Confidence >= s.SuggestThreshold/2 && !a.Entry.Conversational() && len(r.Alternatives) < maxSuggestions-1 {
				r.Alternatives = append(r.Alternatives, a)
			}
		}
		r = c.entryReply(r, r.Entry)
	case len(ranked) > 0 && ranked[0].Confidence >= s.SuggestThreshold:
		for _, a := range ranked {
			if a.Confidence >= s.SuggestThreshold/2 && !a.Entry.Conversational() && len(r.Alternatives) < maxSuggestions {
				r.Alternatives = append(r.Alternatives, a)
			}
		}
		if len(r.Alternatives) == 0 {
			return c.fallback(r)
		}
		r.Outcome, r.Intro = Suggested, c.kb.Messages.DidYouMean.In(r.Lang)
		r.Text = c.suggestionText(r.Intro, r.Alternatives, r.Lang)
	default:
		return c.fallback(r)
	}
	return r
}

// fallback is the reply that says the bot does not know, and how to reach
// a person.
func (c *Core) fallback(r Reply) Reply {
	r.Outcome, r.Text = Fallback, c.fill(strings.TrimSpace(c.kb.Messages.Fallback.In(r.Lang)), r.Lang)
	return r
}

// redirect is the reply to a question about another service.
func (c *Core) redirect(r Reply, sv *Entry, confidence float64) Reply {
	r.Outcome, r.Service, r.Confidence = Redirected, sv, confidence
	r.Text = c.EntryText(sv, r.Lang)
	return r
}

// EntryText returns the answer of e in lang, placeholders filled in.
func (c *Core) EntryText(e *Entry, lang string) string {
	return c.fill(strings.TrimSpace(e.Answer.In(lang)), lang)
}

// fill replaces the placeholders of a text: {topics}, the list of topics;
// {contact}, how to reach the helpdesk.
func (c *Core) fill(text, lang string) string {
	if strings.Contains(text, "{topics}") {
		text = strings.ReplaceAll(text, "{topics}", c.kb.TopicTitles(lang))
	}
	if strings.Contains(text, "{contact}") {
		text = strings.ReplaceAll(text, "{contact}", c.kb.Contact.Markdown(lang))
	}
	return text
}

// followUps returns the entries e points to.
func (c *Core) followUps(e *Entry) []*Entry { return c.entries(e.FollowUp) }

// entries returns the entries of ids that the knowledge has, in order.
func (c *Core) entries(ids []string) []*Entry {
	var out []*Entry
	for _, id := range ids {
		if e, ok := c.kb.Entry(id); ok {
			out = append(out, e)
		}
	}
	return out
}

func (c *Core) suggestionText(intro string, alts []Alternative, lang string) string {
	var b strings.Builder
	b.WriteString(intro)
	for _, a := range alts {
		b.WriteString("\n- ")
		b.WriteString(a.Entry.Title.In(lang)) // titles only: ids mean nothing to staff
	}
	return b.String()
}

// AnswerEntry returns the canned reply of an entry, as if the question had
// matched it exactly (slash commands, `bot answer`).
func (c *Core) AnswerEntry(e *Entry, lang string) Reply {
	if lang != English {
		lang = French
	}
	return c.entryReply(Reply{Outcome: Answered, Lang: lang, Confidence: 1}, e)
}

// entryReply fills r with entry e's answer: its text, and what to read
// next. An answer that introduces the topics ({topics}, the help) offers
// them as what to read next, each a button or a number, instead of a list
// in its text.
func (c *Core) entryReply(r Reply, e *Entry) Reply {
	r.Entry = e
	if answer := strings.TrimSpace(e.Answer.In(r.Lang)); strings.Contains(answer, "{topics}") {
		r.Text = strings.TrimSpace(c.fill(strings.ReplaceAll(answer, "{topics}", ""), r.Lang))
		r.FollowUps, r.SeeAlso = c.kb.Topics(), ""
		return r
	}
	r.Text = c.EntryText(e, r.Lang)
	r.FollowUps, r.SeeAlso = c.followUps(e), c.kb.Messages.SeeAlso.In(r.Lang)
	return r
}

// selfTest checks that every example question leads back to its own entry,
// so that a contributor learns at once when two entries overlap.
func (core *Core) selfTest(locs []located) Problems {
	kb := core.kb
	var probs Problems
	// where names what an example leads to, for a contributor.
	where := func(intent string) string {
		switch {
		case intent == OutOfScopeIntent:
			return "out_of_scope"
		case kb.Service(intent) != nil:
			return fmt.Sprintf("the service %q", intent)
		}
		return fmt.Sprintf("entry %q", intent)
	}
	for _, l := range locs {
		if l.outOfScope != nil {
			for _, lang := range Languages {
				for i, q := range l.oos.In(lang) {
					if best := core.ix.Rank(q, lang, 1).Best(); best.Intent != OutOfScopeIntent {
						probs = append(probs, &Problem{File: l.file, Line: l.oosLine(lang, i),
							Msg: fmt.Sprintf("the out_of_scope question %q leads to %s: reword it, or remove it if the bot should answer it", q, where(best.Intent))})
					}
				}
			}
			continue
		}
		if l.entry == nil {
			continue
		}
		e := l.entry
		for _, lang := range Languages {
			for i, q := range e.Questions.In(lang) {
				best := core.ix.Rank(q, lang, 1).Best()
				if best.Intent == e.ID {
					continue
				}
				probs = append(probs, &Problem{File: l.file, Line: l.line("questions", lang, i), ID: e.ID,
					Msg: fmt.Sprintf("the example question %q leads to %s instead of this one: reword it, or add more distinctive examples to this entry", q, where(best.Intent))})
			}
		}
	}
	return probs
}

// Suggest returns up to n entries for a partial or misspelt id or title, as
// an agent types it: fuzzy subsequence ranking over ids and titles in both
// languages first (what agents type is usually a prefix or an abbreviation),
// then the matcher for free text. Each entry appears once.
func (c *Core) Suggest(query string, n int) []*Entry {
	var out []*Entry
	seen := map[string]bool{}
	add := func(e *Entry) {
		if !seen[e.ID] && len(out) < n {
			seen[e.ID] = true
			out = append(out, e)
		}
	}
	for _, m := range fuzzy.FindFrom(query, entryKeys(c.kb.Entries)) {
		add(c.kb.Entries[m.Index/3])
	}
	if len(out) >= n {
		return out
	}
	r := c.answer(Question{Text: strings.ReplaceAll(query, "-", " ")})
	if r.Entry != nil {
		add(r.Entry)
	}
	for _, a := range r.Alternatives {
		add(a.Entry)
	}
	return out
}

// entryKeys lists, for fuzzy.FindFrom, the id and both titles of each entry:
// key i belongs to entry i/3.
type entryKeys []*Entry

func (k entryKeys) Len() int { return 3 * len(k) }

func (k entryKeys) String(i int) string {
	e := k[i/3]
	switch i % 3 {
	case 0:
		return e.ID
	case 1:
		return e.Title.FR
	}
	return e.Title.EN
}
