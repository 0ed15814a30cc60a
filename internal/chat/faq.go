package chat

import (
	"context"
	"fmt"
	"strings"

	"github.com/acad-lyon/helpdesk-bot/intents"
)

// MaxQuery bounds what /faq matches: an agent's query is a few words.
const MaxQuery = 500

// FAQQuery splits what an agent typed after /faq (already without platform
// markup) into the query and a language asked for with a trailing "en" or
// "fr" (or "--en", "--fr").
func FAQQuery(text string) (query, lang string) {
	text = intents.Cut(text, MaxQuery)
	words := strings.Fields(text)
	if n := len(words); n > 0 {
		switch strings.TrimPrefix(strings.ToLower(words[n-1]), "--") {
		case intents.French:
			lang, words = intents.French, words[:n-1]
		case intents.English:
			lang, words = intents.English, words[:n-1]
		}
	}
	return strings.Join(words, " "), lang
}

// FAQKind is what /faq shows.
type FAQKind int

// The kinds of /faq answers.
const (
	// FAQText: FAQ.Text, to the agent only (the topics, nothing found, a
	// secret warning).
	FAQText FAQKind = iota
	// FAQPost: FAQ.Canned, posted in the conversation at once (an exact id).
	FAQPost
	// FAQPreview: FAQ.Canned, to the agent only, with a button to post it
	// and FAQ.Others to preview instead (words).
	FAQPreview
)

// FAQ is the answer to an agent's /faq.
type FAQ struct {
	Kind   FAQKind
	Text   string           // FAQText, in the knowledge's markdown subset
	Canned intents.Reply    // FAQPost, FAQPreview
	Others []*intents.Entry // FAQPreview: other close entries
}

// maxPreviewed is how many entries a /faq preview offers, itself included.
const maxPreviewed = 4

// FAQ decides, for every platform alike, what /faq shows an agent: alone or
// with help/aide, the topics; with an exact id (in any case), that entry's
// canned answer, posted; with words, a private preview of the closest entry
// and the other close ones; nothing close, the topics again. lang is the
// language asked for ("" for none), fallback the one to use then before the
// question's own (a client's locale; "" for none).
func (c *Conversation) FAQ(ctx context.Context, query, lang, fallback string) (FAQ, error) {
	core := c.Helpdesk.Current() // one version of the knowledge for the whole answer
	chosen := func(detected string) string { return language(core, lang, fallback, detected) }
	topics := func(l string) string { return LabelsIn(l).Topics + "\n" + core.TopicList(l) }
	switch strings.ToLower(query) {
	case "", "help", "aide":
		return FAQ{Kind: FAQText, Text: topics(chosen(""))}, nil
	}
	if e, ok := core.Entry(strings.ToLower(query)); ok {
		return FAQ{Kind: FAQPost, Canned: core.AnswerEntry(e, chosen(""))}, nil
	}
	r, err := core.Answer(ctx, intents.Question{Text: query, Lang: lang})
	if err != nil {
		return FAQ{}, fmt.Errorf("answer: %w", err)
	}
	if r.Outcome == intents.Secret {
		return FAQ{Kind: FAQText, Text: r.Text}, nil
	}
	l := r.Lang
	if lang != "" {
		l = lang
	}
	var candidates []*intents.Entry
	switch {
	case r.Entry != nil:
		candidates = append(candidates, r.Entry)
	case r.Outcome == intents.Suggested:
		for _, a := range r.Alternatives {
			candidates = append(candidates, a.Entry)
		}
	}
	candidates = topicsOnly(append(candidates, core.Suggest(query, maxPreviewed)...), maxPreviewed)
	if len(candidates) == 0 {
		return FAQ{Kind: FAQText, Text: fmt.Sprintf(LabelsIn(l).NoEntry, QuoteQuery(query)) + "\n\n" + topics(l)}, nil
	}
	return FAQ{Kind: FAQPreview, Canned: core.AnswerEntry(candidates[0], l), Others: candidates[1:]}, nil
}

// language is the first of langs the knowledge is written in, else the
// knowledge's default.
func language(core Core, langs ...string) string {
	for _, l := range append(langs, core.DefaultLanguage()) {
		if l == intents.French || l == intents.English {
			return l
		}
	}
	return intents.French
}

// Choice is an entry offered while an agent types a /faq query.
type Choice struct{ ID, Title string }

// Complete offers, for every platform alike, at most n entries an agent may
// mean while typing a /faq query: the topics while nothing is typed, else
// the closest by id, title and meaning; titled in lang, else fallback (a
// client's locale), else the knowledge's default language.
func (c *Conversation) Complete(query, lang, fallback string, n int) []Choice {
	core := c.Helpdesk.Current()
	entries := core.Topics()
	if query = strings.TrimSpace(query); query != "" {
		entries = core.Suggest(intents.Cut(query, MaxQuery), n)
	}
	l := language(core, lang, fallback)
	var out []Choice
	for _, e := range entries[:min(n, len(entries))] {
		out = append(out, Choice{ID: e.ID, Title: e.Title.In(l)})
	}
	return out
}

// topicsOnly keeps the first n distinct topics of es.
func topicsOnly(es []*intents.Entry, n int) []*intents.Entry {
	var out []*intents.Entry
	seen := map[string]bool{}
	for _, e := range es {
		if !seen[e.ID] && !e.Conversational() && len(out) < n {
			seen[e.ID] = true
			out = append(out, e)
		}
	}
	return out
}

// quoteless keeps an echoed query from opening markup in the reply, on any
// platform: code, bold, links, italics, strike-through, spoilers.
var quoteless = strings.NewReplacer("`", "'", "*", "", "[", "(", "]", ")", "_", " ", "~", "", "|", "")

// QuoteQuery returns an agent's query made safe to echo in a reply: the only
// text of a message the bot ever repeats.
func QuoteQuery(q string) string { return quoteless.Replace(q) }
