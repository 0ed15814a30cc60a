// Package intents holds the knowledge model of the helpdesk bot: the entries
// of knowledge/*.yaml, their loading and validation, and the answering core
// that turns a question into a platform-neutral Reply.
package intents

import (
	"slices"
	"strings"
)

// SchemaVersion is the version of the knowledge file format this code reads.
const SchemaVersion = 1

// Languages the knowledge is written in; French comes first.
const (
	French  = "fr"
	English = "en"
)

// Languages lists the languages every entry must be written in.
var Languages = []string{French, English}

// Text is a string in each language of the knowledge.
type Text struct {
	FR string `yaml:"fr"`
	EN string `yaml:"en"`
}

// In returns the text in lang, falling back to French.
func (t Text) In(lang string) string {
	if lang == English && t.EN != "" {
		return t.EN
	}
	return t.FR
}

func (t Text) exact(lang string) string {
	if lang == English {
		return t.EN
	}
	return t.FR
}

// Texts is a list of strings in each language.
type Texts struct {
	FR []string `yaml:"fr"`
	EN []string `yaml:"en"`
}

// In returns the list in lang.
func (t Texts) In(lang string) []string {
	if lang == English {
		return t.EN
	}
	return t.FR
}

// Kinds of entries.
const (
	// KindTopic answers a support question (the default).
	KindTopic = "topic"
	// KindConversational is small talk (greeting, thanks, help, human): never
	// offered as "did you mean", and a topic always wins over it.
	KindConversational = "conversational"
	// KindService is another service that staff confuse with the webmail
	// (Pronote, the ENT, the Wi-Fi...), listed under "services:": the bot
	// does not answer its questions with a webmail entry, it says where they
	// belong (Outcome Redirected). A question names a service when it
	// contains one of its names; the matcher also learns its example
	// questions, so that its vocabulary draws questions away from the
	// webmail entries.
	KindService = "service"
)

// Entry is one question the bot can answer.
type Entry struct {
	ID        string   `yaml:"id"`
	Kind      string   `yaml:"kind"`
	Title     Text     `yaml:"title"`
	Questions Texts    `yaml:"questions"`
	Answer    Text     `yaml:"answer"`
	Keywords  []string `yaml:"keywords"`
	// Names are, for a service, the words that name it ("pronote").
	Names    []string `yaml:"names"`
	FollowUp []string `yaml:"follow_up"`
	// Next is the entry to try when this one's answer did not solve the
	// problem ("toujours pas", a 👎): the next step of the article's
	// checklist, ending with "human", a person.
	Next string `yaml:"next"`
	// NotFor are words that rule the entry out: a message that holds one
	// is never answered with it, nor offered it (the phone's certificate
	// prompt is not a browser's security warning, whose answer says never
	// to click through).
	NotFor   []string `yaml:"not_for"`
	Owner    string   `yaml:"owner"`
	Reviewed string   `yaml:"reviewed"`

	// File and Line locate the entry for error messages.
	File string `yaml:"-"`
	Line int    `yaml:"-"`
}

// Conversational reports whether the entry is small talk.
func (e *Entry) Conversational() bool { return e.Kind == KindConversational }

// IsService reports whether the entry is another service (see KindService).
func (e *Entry) IsService() bool { return e.Kind == KindService }

// Settings tune the answering core.
type Settings struct {
	// AnswerThreshold is the confidence from which the bot answers directly.
	AnswerThreshold float64 `yaml:"answer_threshold"`
	// SuggestThreshold is the confidence from which it offers "did you mean".
	SuggestThreshold float64 `yaml:"suggest_threshold"`
	// MinQuestions is the number of example questions each entry needs in
	// each language.
	MinQuestions int `yaml:"min_questions"`
	// DefaultLanguage answers questions whose language is unclear.
	DefaultLanguage string `yaml:"default_language"`
}

// Contact is how staff reach the people of the helpdesk (the DSI's
// assistance), as a deployment fills it in. Every field is optional: a
// wrong number is worse than none.
type Contact struct {
	URL   string `yaml:"url"`   // the assistance portal, https://
	Email string `yaml:"email"` // the assistance's address
	Phone string `yaml:"phone"`
	Hours Text   `yaml:"hours"` // when someone answers, in each language
}

// Empty reports whether no way to reach the helpdesk is given.
func (c Contact) Empty() bool { return c.URL == "" && c.Email == "" && c.Phone == "" }

// Markdown is the contact as a list, in lang; with nothing given, what to
// do instead (ask the school), so that no text sends people round in
// circles.
func (c Contact) Markdown(lang string) string {
	en := lang == English
	if c.Empty() {
		if en {
			return "The helpdesk's contact details are not given here yet: ask your school's office or your digital referent how to reach the DSI's assistance."
		}
		return Typeset("Les coordonnées de l'assistance ne sont pas encore indiquées ici : demandez au secrétariat de votre établissement, ou à votre référent numérique, comment joindre l'assistance de la DSI.")
	}
	var lines []string
	add := func(fr, en2, value string) {
		if value == "" {
			return
		}
		label := fr
		if en {
			label = en2
		}
		lines = append(lines, "- "+label+" : "+value)
	}
	if c.URL != "" {
		add("portail d'assistance", "assistance portal", "["+strings.TrimPrefix(strings.TrimSuffix(c.URL, "/"), "https://")+"]("+c.URL+")")
	}
	add("courriel", "e-mail", c.Email)
	phone := c.Phone
	if h := strings.TrimSpace(c.Hours.In(lang)); phone != "" && h != "" {
		phone += " (" + h + ")"
	}
	add("téléphone", "phone", phone)
	if en {
		for i, l := range lines {
			lines[i] = strings.Replace(l, " : ", ": ", 1)
		}
	}
	if !en {
		return Typeset(strings.Join(lines, "\n"))
	}
	return strings.Join(lines, "\n")
}

// Messages are the bot's own sentences, in each language.
type Messages struct {
	// Fallback is said when the bot does not know; it says how to reach a human.
	Fallback Text `yaml:"fallback"`
	// DidYouMean introduces the list of suggestions.
	DidYouMean Text `yaml:"did_you_mean"`
	// WhichOne introduces the entries offered for a one-word question that
	// several of them use ("mail"). Optional: DidYouMean serves without it.
	WhichOne Text `yaml:"which_one"`
	// SeeAlso introduces the follow-up entries of an answer.
	SeeAlso Text `yaml:"see_also"`
	// Empty answers a message with no words in it.
	Empty Text `yaml:"empty"`
	// Secret warns, privately, someone who wrote a password or a NUMEN in
	// a conversation others read: delete it, change the password (the
	// password-change entry follows). SecretDirect says the same of a
	// direct message with the bot, without the other participants.
	Secret       Text `yaml:"secret"`
	SecretDirect Text `yaml:"secret_direct"`
	// SecretNumen follows either when the message held a NUMEN: unlike a
	// password it cannot be changed; tell the DSI.
	SecretNumen Text `yaml:"secret_numen"`
	// NextStep introduces the next step when an answer did not help.
	NextStep Text `yaml:"next_step"`
	// Handoff opens the hand-off to a person; {tried} lists what the
	// conversation already tried.
	Handoff Text `yaml:"handoff"`
	// HandedOff answers a conversation already handed over to a person
	// ({contact} placeholder).
	HandedOff Text `yaml:"handed_off"`
	// YourLogin names the identifier of a person who gave their name
	// ({login}); YourLoginDisplay the same from the name the platform shows
	// ({name}, {login}); YourLoginUnsure follows either when the article's
	// rule does not settle it (compound names, particles).
	YourLogin        Text `yaml:"your_login"`
	YourLoginDisplay Text `yaml:"your_login_display"`
	YourLoginUnsure  Text `yaml:"your_login_unsure"`
}

// Knowledge is a loaded, validated knowledge base. It is read-only once
// loaded.
type Knowledge struct {
	Version  int        `yaml:"version"`
	Settings Settings   `yaml:"settings"`
	Messages Messages   `yaml:"messages"`
	Synonyms [][]string `yaml:"synonyms"`
	Entries  []*Entry   `yaml:"entries"`
	// WebmailNames are the words that name the webmail itself
	// (convergence, webmail...): a question that names another service and
	// one of these is about the webmail.
	WebmailNames []string `yaml:"webmail_names"`
	// Services are the other services the bot redirects to (KindService).
	Services []*Entry `yaml:"services"`
	// OutOfScope are example questions the bot must not answer with an
	// entry (mail features the guide does not cover, school life...): the
	// matcher learns them as one more intent, OutOfScopeIntent, which leads
	// to the fallback.
	OutOfScope Texts `yaml:"out_of_scope"`
	// NotSolved are examples of what people say when an answer did not
	// solve their problem ("toujours pas", "still the same"): after an
	// answer, such a message takes the entry's next step instead of the
	// same answer again.
	NotSolved Texts `yaml:"not_solved"`
	// Contact is how staff reach the helpdesk's people: the {contact}
	// placeholder of the answers and messages shows it.
	Contact Contact `yaml:"contact"`

	byID      map[string]*Entry
	serviceID map[string]*Entry
	// locs are where each entry was read, for the self-test's lines (nil
	// for knowledge built in code); contactAt is where contact: was.
	locs      []located
	contactAt Problem
}

// Entry returns the entry with the given id.
func (k *Knowledge) Entry(id string) (*Entry, bool) {
	e, ok := k.byID[id]
	return e, ok
}

// Service returns the service with the given id, or nil.
func (k *Knowledge) Service(id string) *Entry { return k.serviceID[id] }

// OutOfScopeIntent is the matcher intent of the knowledge's out_of_scope
// questions; it cannot be an entry id.
const OutOfScopeIntent = "(out of scope)"

// Topics returns the entries that answer support questions.
func (k *Knowledge) Topics() []*Entry {
	var out []*Entry
	for _, e := range k.Entries {
		if !e.Conversational() {
			out = append(out, e)
		}
	}
	return out
}

// IDs returns every entry id, sorted.
func (k *Knowledge) IDs() []string {
	ids := make([]string, 0, len(k.Entries))
	for _, e := range k.Entries {
		ids = append(ids, e.ID)
	}
	slices.Sort(ids)
	return ids
}

func (k *Knowledge) index() {
	k.byID = make(map[string]*Entry, len(k.Entries))
	for _, e := range k.Entries {
		if _, dup := k.byID[e.ID]; !dup {
			k.byID[e.ID] = e
		}
	}
	k.serviceID = make(map[string]*Entry, len(k.Services))
	for _, s := range k.Services {
		if _, dup := k.serviceID[s.ID]; !dup {
			k.serviceID[s.ID] = s
		}
	}
}

func (s *Settings) defaults() {
	if s.AnswerThreshold == 0 {
		s.AnswerThreshold = 0.5
	}
	if s.SuggestThreshold == 0 {
		s.SuggestThreshold = 0.2
	}
	if s.MinQuestions == 0 {
		s.MinQuestions = 8
	}
	if s.DefaultLanguage == "" {
		s.DefaultLanguage = French
	}
}

// TopicList renders the titles of the topics as a markdown list, for the
// help entry's {topics} placeholder.
// TopicTitles renders the titles of the topics as a markdown list, without
// their ids: what staff read (the help entry's {topics}).
func (k *Knowledge) TopicTitles(lang string) string {
	var b strings.Builder
	for _, e := range k.Topics() {
		b.WriteString("- " + e.Title.In(lang) + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// TopicList renders the titles of the topics and their ids as a markdown
// list: what agents read, to post one by its id.
func (k *Knowledge) TopicList(lang string) string {
	var b strings.Builder
	for _, e := range k.Topics() {
		b.WriteString("- ")
		b.WriteString(e.Title.In(lang))
		b.WriteString(" (`")
		b.WriteString(e.ID)
		b.WriteString("`)\n")
	}
	return strings.TrimRight(b.String(), "\n")
}
