// Package chat holds what the platform adapters share and that is not about
// any one platform: the words of the bot's buttons, at-most-once delivery of
// platform events, cutting long answers at clean places, the encoding of
// button values, and the hook through which votes and unanswered questions
// reach the maintainers.
package chat

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/acad-lyon/helpdesk-bot/intents"
)

// Core is one version of the answering core: what an event needs of it.
// *intents.Core implements it.
type Core interface {
	Answer(ctx context.Context, q intents.Question) (intents.Reply, error)
	AnswerEntry(e *intents.Entry, lang string) intents.Reply
	// NextStep is what to try when e's answer did not help (a 👎).
	NextStep(e *intents.Entry, lang string) (intents.Reply, bool)
	Suggest(query string, n int) []*intents.Entry
	// Holds says what secrets a text holds (a question kept masked for a
	// later answer carries it).
	Holds(text string) intents.Held
	// The catalog: entries by id, the topics, the default language.
	Entry(id string) (*intents.Entry, bool)
	Topics() []*intents.Entry
	TopicList(lang string) string
	DefaultLanguage() string
}

// Helpdesk is the seam between the adapters and the answering core: Current
// returns the core serving now. The conversation and the adapters read it
// once per event and use that one version for everything the event needs,
// so that a reload in the middle of a /faq never mixes two versions of the
// knowledge. live.Knowledge implements it; Fixed serves one core.
type Helpdesk interface {
	Current() Core
}

// Fixed is a Helpdesk that always serves the same core.
func Fixed(c Core) Helpdesk { return fixed{c} }

type fixed struct{ c Core }

func (f fixed) Current() Core { return f.c }

// Labels are the words of the bot's own interface (buttons, notices), as
// opposed to the knowledge's answers. They exist in both languages.
type Labels struct {
	Helpful       string // asks whether the answer helped
	Yes, No       string // the feedback buttons
	Human         string // the "talk to a human" button
	Thanks        string // after a vote
	HumanCalled   string // after "talk to a human", with %s for who is called
	Handoff       string // a hand-off in words, with %s for who is called, then what was tried
	LangName      string // the language's name, for the helpdesk
	HumanNoGroup  string // the same when no helpdesk group is configured
	Post          string // posts a previewed canned answer in the conversation
	Preview       string // heads a private preview
	NoEntry       string // nothing matches an agent's query, with %s for it
	Topics        string // heads the list of topics
	PostedBy      string // notes who posted a canned answer, with %s for them
	OtherCanned   string // introduces other candidates of a preview
	AlreadyVoted  string // a second vote on the same answer
	AlreadyCalled string // a second "talk to a human" on the same answer
	FloodUser     string // one person asks too much at once
	FloodChannel  string // a channel asks too much at once
}

var labels = map[string]Labels{
	intents.French: {
		Helpful:       "Cette réponse vous a-t-elle aidé ?",
		Yes:           "👍 Oui",
		No:            "👎 Non",
		Human:         "🙋 Parler à une personne",
		Thanks:        "Merci pour votre retour !",
		HumanCalled:   "J'ai prévenu l'assistance (%s) : quelqu'un va vous répondre ici.",
		Handoff:       "J'ai prévenu l'assistance (%s) : quelqu'un va vous répondre ici. Déjà essayé dans cette conversation : %s. Langue : %s.",
		LangName:      "français",
		HumanNoGroup:  "Je ne peux prévenir personne depuis cette conversation : aucune équipe d'assistance n'y est reliée.",
		Post:          "Publier dans la conversation",
		Preview:       "Aperçu (visible par vous seul) :",
		NoEntry:       "Aucune fiche ne correspond à « %s ».",
		Topics:        "Fiches disponibles (`/faq ID` pour en publier une) :",
		PostedBy:      "Réponse publiée par %s",
		OtherCanned:   "Autres fiches proches :",
		AlreadyVoted:  "Votre avis sur cette réponse est déjà noté, merci.",
		AlreadyCalled: "L'assistance a déjà été prévenue pour cette question.",
		FloodUser:     "Vous m'avez posé beaucoup de questions d'un coup : je réponds de nouveau dans une minute. Si c'est urgent, contactez l'assistance de la DSI.",
		FloodChannel:  "Beaucoup de questions en même temps ici : je réponds de nouveau dans un instant.",
	},
	intents.English: {
		Helpful:       "Did this answer help you?",
		Yes:           "👍 Yes",
		No:            "👎 No",
		Human:         "🙋 Talk to a person",
		Thanks:        "Thank you for your feedback!",
		HumanCalled:   "I have told the helpdesk (%s): someone will answer you here.",
		Handoff:       "I have told the helpdesk (%s): someone will answer you here. Already tried in this conversation: %s. Language: %s.",
		LangName:      "English",
		HumanNoGroup:  "I cannot alert anyone from this conversation: no helpdesk team is linked to it.",
		Post:          "Post in the conversation",
		Preview:       "Preview (only you can see it):",
		NoEntry:       "No entry matches “%s”.",
		Topics:        "Available entries (`/faq ID` posts one):",
		PostedBy:      "Answer posted by %s",
		OtherCanned:   "Other close entries:",
		AlreadyVoted:  "Your opinion of this answer is already recorded, thank you.",
		AlreadyCalled: "The helpdesk has already been told about this question.",
		FloodUser:     "You asked me many questions at once: I will answer again in a minute. If it is urgent, contact the DSI helpdesk.",
		FloodChannel:  "Many questions at once here: I will answer again in a moment.",
	},
}

func init() {
	// French typography for the French labels, as for the knowledge.
	fr := labels[intents.French]
	v := reflect.ValueOf(&fr).Elem()
	for i := range v.NumField() {
		v.Field(i).SetString(intents.Typeset(v.Field(i).String()))
	}
	labels[intents.French] = fr
}

// LabelsIn returns the labels in lang (French when lang is neither).
func LabelsIn(lang string) Labels {
	if l, ok := labels[lang]; ok {
		return l
	}
	return labels[intents.French]
}

// Ref names an entry in a language: the value carried by a button.
type Ref struct {
	ID   string
	Lang string
}

// String encodes the reference for a button value: "id|lang".
func (r Ref) String() string { return r.ID + "|" + r.Lang }

// ParseRef decodes a button value made by Ref.String. Values come back from
// the platform, so they are checked, not trusted.
func ParseRef(s string) (Ref, bool) {
	id, lang, ok := strings.Cut(s, "|")
	if !ok || id == "" || len(id) > 100 || (lang != intents.French && lang != intents.English) {
		return Ref{}, false
	}
	return Ref{ID: id, Lang: lang}, true
}

// Vote is a "was this helpful?" click.
type Vote struct {
	Platform string
	Entry    string
	Lang     string
	Helpful  bool
	// User identifies the voter on the platform; recorders must not store
	// it in clear.
	User string
	At   time.Time
}

// Unanswered is a question the bot could not answer directly (suggestion or
// fallback), for the maintainers' report.
type Unanswered struct {
	Platform   string
	Question   string
	Lang       string
	Outcome    intents.Outcome
	Closest    string // the entry it came closest to, if any
	Confidence float64
	// User identifies who asked, so that their questions can be erased on
	// request; recorders must not store it in clear.
	User string
	At   time.Time
}

// Recorder receives what maintainers learn from. Implementations are safe
// for concurrent use and must not block for long: adapters call them on the
// path of a reply.
type Recorder interface {
	RecordVote(ctx context.Context, v Vote) error
	RecordUnanswered(ctx context.Context, u Unanswered) error
}

// Discard is a Recorder that keeps nothing.
type Discard struct{}

// RecordVote implements Recorder.
func (Discard) RecordVote(context.Context, Vote) error { return nil }

// RecordUnanswered implements Recorder.
func (Discard) RecordUnanswered(context.Context, Unanswered) error { return nil }

// MaxStoredQuestion bounds what recorders keep of a question, in bytes:
// enough for a maintainer to see what was asked.
const MaxStoredQuestion = 500

// UnansweredOf returns what to record of a reply, and false when the reply
// answered (or the message was empty): only what maintainers need is kept.
func UnansweredOf(platform, user, question string, r intents.Reply, at time.Time) (Unanswered, bool) {
	if r.Outcome != intents.Suggested && r.Outcome != intents.Fallback {
		return Unanswered{}, false
	}
	// Whatever the secret guard said, nothing that might be a credential is
	// kept (intents.MaskSecrets).
	u := Unanswered{Platform: platform, User: user, Question: intents.MaskSecrets(question), Lang: r.Lang, Outcome: r.Outcome, Confidence: r.Confidence, At: at}
	if len(r.Alternatives) > 0 {
		u.Closest = r.Alternatives[0].Entry.ID
	}
	return u, true
}

// HandoffCall is, for a reply that hands the conversation over to a person
// (the human entry, asked for or reached down the steps), the call for the
// helpdesk with %s for who is called: what the conversation already tried
// (by title, never the person's words) and its language. It reports false
// for any other reply.
func HandoffCall(r intents.Reply) (string, bool) {
	if r.Outcome != intents.Answered || r.Entry == nil || r.Entry.ID != "human" || r.Reading != intents.ReadHandoff {
		return "", false // a conversation already handed over is not called twice
	}
	l := LabelsIn(r.Lang)
	if len(r.Tried) == 0 {
		return l.HumanCalled, true
	}
	// Who is called stays %s; the titles' own % are escaped for it.
	tried := strings.ReplaceAll(r.TriedList(), "%", "%%")
	return fmt.Sprintf(strings.Replace(l.Handoff, "%s", "%%s", 1), tried, l.LangName), true
}
