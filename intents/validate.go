package intents

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/acad-lyon/helpdesk-bot/internal/matcher"
)

// Rule is a check that the knowledge's users add to the validator: a
// platform's Limit, the Required entries of a deployment. main passes them
// to every load.
type Rule interface{ rule() }

// Required names entries the knowledge must have: the contract's ids, so
// that a file cut short (saved half-way, a bad merge), which loses its last
// entries first, is refused and the last good knowledge keeps serving.
type Required []string

func (Required) rule() {}

// Limit is a platform's bound on an answer once rendered for it (Slack's
// section block, Discord's embed): the platform adapters define theirs, and
// main passes them to Load, so that an answer too long for one is reported
// on its line.
type Limit struct {
	Platform string                 // "Slack", in the message
	Render   func(md string) string // the answer as the platform shows it
	Max      int                    // characters
}

func (Limit) rule() {}

// located is an entry (or the synonym list) with its YAML node, for line
// numbers.
type located struct {
	entry    *Entry
	node     *yaml.Node
	file     string
	synonyms *yaml.Node
	// wrongKind: a service that sets a kind other than "service".
	wrongKind bool
	// outOfScope is a file's out_of_scope section, oos its questions.
	outOfScope *yaml.Node
	oos        Texts
}

func locatedEntry(e *Entry, n *yaml.Node) located { return located{entry: e, node: n, file: e.File} }

func locatedSynonyms(file string, n *yaml.Node) located {
	return located{file: file, synonyms: n}
}

// line returns the line of the value at path (keys and list indexes) under
// the entry, or the closest line found on the way.
func (l located) line(path ...any) int {
	n := l.node
	if n == nil {
		return l.entry.Line
	}
	line := n.Line
	for _, p := range path {
		switch k := p.(type) {
		case string:
			line = keyLine(n, k, line)
			n = child(n, k)
		case int:
			if n == nil || n.Kind != yaml.SequenceNode || k >= len(n.Content) {
				return line
			}
			n = n.Content[k]
		}
		if n == nil {
			return line
		}
		line = n.Line
	}
	return line
}

var (
	idPattern    = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	placeholders = regexp.MustCompile(`\{[a-z_]+\}`)
	htmlTag      = regexp.MustCompile(`<[a-zA-Z/!]`)
	emailPattern = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[a-z]{2,}$`)
	phonePattern = regexp.MustCompile(`^\+?[0-9][0-9 .()-]{5,}$`)
)

// knownPlaceholders may appear in answers; the core fills them in.
var knownPlaceholders = map[string]bool{"{topics}": true, "{contact}": true}

func validate(kb *Knowledge, locs []located, rules []Rule) Problems {
	var limits []Limit
	var required []string
	for _, r := range rules {
		switch r := r.(type) {
		case Limit:
			limits = append(limits, r)
		case Required:
			required = append(required, r...)
		}
	}
	var probs Problems
	add := func(file string, line int, id, format string, args ...any) {
		probs = append(probs, &Problem{File: file, Line: line, ID: id, Msg: fmt.Sprintf(format, args...)})
	}
	// missing is add for a value that is missing: what a misspelt key
	// causes (see withoutConsequences).
	missing := func(key, file string, line int, id, format string, args ...any) {
		add(file, line, id, format, args...)
		probs[len(probs)-1].missing = key
	}
	s := kb.Settings
	if s.DefaultLanguage != French && s.DefaultLanguage != English {
		add("", 0, "", "settings.default_language must be fr or en, not %q", s.DefaultLanguage)
	}
	if !(0 < s.SuggestThreshold && s.SuggestThreshold < s.AnswerThreshold && s.AnswerThreshold <= 1) {
		add("", 0, "", "settings: thresholds must satisfy 0 < suggest_threshold (%g) < answer_threshold (%g) <= 1", s.SuggestThreshold, s.AnswerThreshold)
	}
	if c := kb.Contact; !c.Empty() || c.Hours.FR != "" || c.Hours.EN != "" {
		at := kb.contactAt
		switch {
		case c.URL != "" && (!strings.HasPrefix(c.URL, "https://") || !Linkable(c.URL)):
			add(at.File, at.Line, "", "contact.url must be the assistance portal's address, starting with https://, not %q", c.URL)
		case c.Email != "" && !emailPattern.MatchString(c.Email):
			add(at.File, at.Line, "", "contact.email %q is not an e-mail address (assistance@ac-lyon.fr)", c.Email)
		case c.Phone != "" && !phonePattern.MatchString(c.Phone):
			add(at.File, at.Line, "", "contact.phone %q: write the number with digits and spaces (04 72 00 00 00)", c.Phone)
		case (c.Hours.FR == "") != (c.Hours.EN == ""):
			add(at.File, at.Line, "", "contact.hours: give them in French (fr:) and in English (en:)")
		case c.Phone == "" && c.Hours.FR != "":
			add(at.File, at.Line, "", "contact.hours are when the phone answers: add contact.phone, or remove them")
		}
	}
	for name, t := range map[string]Text{"fallback": kb.Messages.Fallback, "did_you_mean": kb.Messages.DidYouMean, "see_also": kb.Messages.SeeAlso, "empty": kb.Messages.Empty, "secret": kb.Messages.Secret, "secret_direct": kb.Messages.SecretDirect, "secret_numen": kb.Messages.SecretNumen} {
		for _, lang := range Languages {
			if strings.TrimSpace(t.exact(lang)) == "" {
				add(firstFile(locs), 0, "", "messages.%s.%s is missing: the bot needs this sentence in every language", name, lang)
			}
		}
	}
	if w := kb.Messages.WhichOne; strings.TrimSpace(w.exact(French)) != "" || strings.TrimSpace(w.exact(English)) != "" {
		for _, lang := range Languages {
			if strings.TrimSpace(w.exact(lang)) == "" {
				add(firstFile(locs), 0, "", "messages.which_one.%s is missing: give this sentence in every language, or leave it out (did_you_mean is used then)", lang)
			}
		}
	}
	if len(kb.Entries) == 0 {
		add(firstFile(locs), 0, "", "there are no entries: add a list under \"entries:\"")
	}
	for i, n := range kb.WebmailNames {
		if len(matcher.Tokens(n)) == 0 {
			add(firstFile(locs), 0, "", "webmail_names: name %d has no letter or digit: remove it", i+1)
		}
	}

	firstID := map[string]located{}
	type seenQuestion struct{ id, where string }
	firstQuestion := map[string]seenQuestion{} // content key -> first entry saying it
	var topicSeen bool
	for _, l := range locs {
		if l.synonyms != nil {
			probs = append(probs, checkSynonyms(l)...)
			continue
		}
		if l.outOfScope != nil {
			for _, lang := range Languages {
				for i, q := range l.oos.In(lang) {
					line := l.oosLine(lang, i)
					key := matcher.ContentKey(q, lang)
					if key == "" {
						add(l.file, line, "", "out_of_scope question %d in %s has no meaningful word: remove it", i+1, langName(lang))
						continue
					}
					if prev, dup := firstQuestion[key]; dup && prev.id != OutOfScopeIntent {
						add(l.file, line, "", "the out_of_scope question %q says the same as an example of %s: a question the bot must answer cannot also be out of scope; remove one of them", q, prev.where)
					} else if !dup {
						firstQuestion[key] = seenQuestion{OutOfScopeIntent, fmt.Sprintf("out_of_scope (%s:%d)", l.file, line)}
					}
				}
			}
			continue
		}
		e := l.entry
		id := e.ID
		if id == "" {
			add(l.file, e.Line, "", "an entry has no id: add \"id: some-topic\" (lower case words joined by dashes)")
		} else if !idPattern.MatchString(id) {
			add(l.file, l.line("id"), id, "the id must be lower case words and digits joined by dashes, e.g. \"imap-settings\"")
		}
		if prev, dup := firstID[id]; dup && id != "" {
			add(l.file, l.line("id"), id, "duplicate id: %s:%d already uses it; give this entry another id or merge the two", prev.file, prev.line("id"))
		} else {
			firstID[id] = l
		}
		switch e.Kind {
		case "", KindTopic:
			topicSeen = true
		case KindConversational:
		case KindService:
			if l.wrongKind {
				add(l.file, l.line("kind"), id, "a service listed under services: needs no kind; remove the kind line")
			}
			if len(e.Names) == 0 {
				add(l.file, e.Line, id, "a service needs names: the words that name it in a question, e.g. \"names: [pronote]\"")
			}
			if len(e.Keywords) > 0 {
				add(l.file, l.line("keywords"), id, "a service has names, not keywords: move these words under names")
			}
			if len(e.FollowUp) > 0 {
				add(l.file, l.line("follow_up"), id, "a service has no follow_up: its answer says where to go instead")
			}
		default:
			add(l.file, l.line("kind"), id, "kind must be %q or %q, not %q", KindTopic, KindConversational, e.Kind)
		}
		if len(e.Names) > 0 && !e.IsService() {
			add(l.file, l.line("names"), id, "names are for services (under services:); an entry lists its words under keywords")
		}
		for i, n := range e.Names {
			if len(matcher.Tokens(n)) == 0 {
				add(l.file, l.line("names", i), id, "name %d has no letter or digit: remove it", i+1)
			}
		}
		for _, lang := range Languages {
			if strings.TrimSpace(e.Title.exact(lang)) == "" {
				missing("title", l.file, l.line("title"), id, "the title in %s is missing: add \"%s: ...\" under title", langName(lang), lang)
			}
			answer := e.Answer.exact(lang)
			if strings.TrimSpace(answer) == "" {
				missing("answer", l.file, l.line("answer"), id, "the answer in %s is missing: add \"%s: |\" under answer, followed by the text", langName(lang), lang)
			} else {
				for _, m := range markupProblems(answer) {
					line := l.line("answer", lang)
					if strings.Contains(strings.TrimSuffix(answer, "\n"), "\n") {
						line += 1 + m.line // a block text: it starts under its key
					}
					add(l.file, line, id, "answer (%s): %s", lang, m.msg)
				}
				for _, lim := range limits {
					if n := len([]rune(lim.Render(answer))); n > lim.Max {
						add(l.file, l.line("answer", lang), id, "the %s answer is %d characters once formatted for %s, over its %d limit: shorten it or split it into two entries linked by follow_up", langName(lang), n, lim.Platform, lim.Max)
						break
					}
				}
				for _, ph := range placeholders.FindAllString(answer, -1) {
					if !knownPlaceholders[ph] {
						add(l.file, l.line("answer", lang), id, "unknown placeholder %s in the %s answer (known: {topics})", ph, langName(lang))
					}
				}
			}
			qs := e.Questions.In(lang)
			if len(qs) < kb.Settings.MinQuestions && !e.IsService() {
				missing("questions", l.file, l.line("questions", lang), id, "%d example question(s) in %s, at least %d are needed: add ways staff really ask it (typos and no accents welcome)", len(qs), langName(lang), kb.Settings.MinQuestions)
			}
			for i, q := range qs {
				key := matcher.ContentKey(q, lang)
				if key == "" {
					key = matcher.Fold(q) // "what can you do?": only function words
				}
				line := l.line("questions", lang, i)
				if key == "" {
					add(l.file, line, id, "example question %d in %s is empty", i+1, langName(lang))
					continue
				}
				// Within one entry a near-repeat is only redundant; across
				// entries it makes one of them unreachable.
				if prev, dup := firstQuestion[key]; dup && prev.id != id {
					add(l.file, line, id, "the example question %q says the same as an example of %s; one question can only lead to one entry: remove or reword one of them", q, prev.where)
					continue
				} else if !dup {
					firstQuestion[key] = seenQuestion{id, fmt.Sprintf("%q (%s:%d)", id, l.file, line)}
				}
			}
		}
		for i, f := range e.FollowUp {
			if f == id {
				add(l.file, l.line("follow_up", i), id, "follow_up lists the entry itself; remove %q", f)
			} else if _, ok := kb.Entry(f); !ok {
				msg := fmt.Sprintf("follow_up %q is not the id of any entry", f)
				if s := closest(f, kb.IDs()); s != "" {
					msg += fmt.Sprintf(" (did you mean %q?)", s)
				}
				add(l.file, l.line("follow_up", i), id, "%s", msg)
			}
		}
		if e.Next != "" {
			checkNext(kb, l, add)
		}
		if strings.TrimSpace(e.Owner) == "" {
			missing("owner", l.file, e.Line, id, "owner is missing: add \"owner: ...\" with the team or person who keeps this answer true")
		}
		if e.Reviewed == "" {
			missing("reviewed", l.file, e.Line, id, "reviewed is missing: add \"reviewed: YYYY-MM-DD\", the day the answer was last checked")
		} else if _, err := time.Parse(time.DateOnly, e.Reviewed); err != nil {
			add(l.file, l.line("reviewed"), id, "reviewed must be a date written YYYY-MM-DD, not %q", e.Reviewed)
		}
	}
	probs = append(probs, nextLoops(kb, locs)...)
	for _, lang := range Languages {
		for i, q := range kb.NotSolved.In(lang) {
			if len(matcher.Tokens(q)) == 0 {
				add(firstFile(locs), 0, "", "not_solved example %d in %s has no word: remove it", i+1, langName(lang))
			}
		}
	}
	if len(kb.Entries) > 0 && !topicSeen {
		add(firstFile(locs), 0, "", "every entry is conversational: add at least one topic")
	}
	for _, id := range required {
		if _, ok := kb.Entry(id); !ok && len(kb.Entries) > 0 {
			add(firstFile(locs), 0, "", "the entry %q is missing: every deployment has it (if you did not remove it, the file may be cut short: check its end)", id)
		}
	}
	return probs
}

// oosLine returns the line of out_of_scope question i in lang.
func (l located) oosLine(lang string, i int) int {
	n := child(l.outOfScope, lang)
	if n == nil || n.Kind != yaml.SequenceNode || i >= len(n.Content) {
		return l.outOfScope.Line
	}
	return n.Content[i].Line
}

func firstFile(locs []located) string {
	if len(locs) > 0 {
		return locs[0].file
	}
	return ""
}

func langName(lang string) string {
	if lang == English {
		return "English"
	}
	return "French"
}

func checkSynonyms(l located) Problems {
	var probs Problems
	seen := map[string]int{}
	for i, g := range l.synonyms.Content {
		if g.Kind != yaml.SequenceNode || len(g.Content) < 2 {
			probs = append(probs, &Problem{File: l.file, Line: g.Line, Msg: "a synonym group needs at least two words or phrases, e.g. [mot de passe, mdp, password]"})
			continue
		}
		for _, w := range g.Content {
			key := matcher.Fold(w.Value)
			if prev, dup := seen[key]; dup && prev != i {
				probs = append(probs, &Problem{File: l.file, Line: w.Line, Msg: fmt.Sprintf("%q is in two synonym groups; keep it in one", w.Value)})
			}
			seen[key] = i
		}
	}
	return probs
}

// The markup that renders on some platforms only.
var (
	codeSpan         = regexp.MustCompile("`[^`\n]*`")
	italicStar       = regexp.MustCompile(`(?:^|[\s(])\*[^*\s][^*\n]*\*`)
	italicUnderscore = regexp.MustCompile(`(?:^|[\s(])_[^_\s][^_\n]*_(?:$|[\s).,;:!?])`)
	numbered         = regexp.MustCompile(`^\d{1,2}[.)]\s`)
)

// markup is a markup problem, on a line of the text (from 0).
type markup struct {
	line int
	msg  string
}

// markupProblems checks, line by line, that an answer keeps to the markdown
// subset every platform renders: **bold**, `code`, [text](https://...)
// links and "- " lists. Each problem says on which line of md it is.
func markupProblems(md string) []markup {
	var out []markup
	for i, line := range strings.Split(md, "\n") {
		add := func(format string, args ...any) { out = append(out, markup{i, fmt.Sprintf(format, args...)}) }
		t := strings.TrimSpace(line)
		if strings.Count(line, "**")%2 != 0 {
			add("a ** is not closed on this line: bold text is written **like this**")
		}
		if strings.Count(strings.ReplaceAll(line, "```", ""), "`")%2 != 0 {
			add("a ` is not closed on this line: code is written `like this`")
		}
		plain := codeSpan.ReplaceAllString(line, "``") // what is in `code` is shown as typed
		if italicStar.MatchString(strings.ReplaceAll(plain, "**", "")) {
			add("*text* between single stars does not render everywhere (Slack shows it in bold, Discord in italics): use **bold**")
		}
		if italicUnderscore.MatchString(plain) {
			add("_text_ between underscores does not render everywhere: use **bold**")
		}
		if numbered.MatchString(t) {
			add("numbered lists (%q) do not render everywhere: start each line with \"- \"", strings.Fields(t)[0])
		}
		if strings.HasPrefix(t, "* ") || strings.HasPrefix(t, "+ ") {
			add("lists start with \"- \" (%q does not render everywhere)", t[:1])
		}
		if strings.HasPrefix(t, "#") {
			add("headings (#) do not render in Slack: use **bold** instead")
		}
		if strings.HasPrefix(t, "|") {
			add("tables do not render in Slack or Discord: use a list instead")
		}
		if htmlTag.MatchString(line) {
			add("HTML tags and <...> are not allowed: use **bold**, `code` and [text](https://link)")
		}
		for _, m := range linkPattern.FindAllStringSubmatch(line, -1) {
			if !Linkable(m[2]) {
				add("the link %q must start with https://", m[2])
			}
		}
	}
	return out
}

// checkNext checks an entry's next step: an entry of the knowledge, not the
// entry itself, not a service, and no small talk but "human" (the hand-off
// to a person).
func checkNext(kb *Knowledge, l located, add func(file string, line int, id, format string, args ...any)) {
	e := l.entry
	line := l.line("next")
	switch {
	case e.IsService():
		add(l.file, line, e.ID, "a service has no next step: its answer says where to go instead; remove next")
	case e.Next == e.ID:
		add(l.file, line, e.ID, "next names the entry itself: name the entry to try when this answer did not help, or \"human\"")
	case kb.Service(e.Next) != nil:
		add(l.file, line, e.ID, "next %q is another service, which the bot does not answer: name an entry of the webmail, or \"human\" to hand over to a person", e.Next)
	default:
		next, ok := kb.Entry(e.Next)
		switch {
		case !ok:
			msg := fmt.Sprintf("next %q is not the id of any entry", e.Next)
			if s := closest(e.Next, kb.IDs()); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			}
			add(l.file, line, e.ID, "%s", msg)
		case next.Conversational() && next.ID != "human":
			add(l.file, line, e.ID, "next %q is small talk: name the entry to try when this answer did not help, or \"human\" to hand over to a person", e.Next)
		}
	}
}

// nextLoops finds the steps (next:) that come back to an entry already on
// the way: the person would be sent round in circles. Each loop is
// reported once, on the line of its first entry in the file.
func nextLoops(kb *Knowledge, locs []located) Problems {
	var probs Problems
	reported := map[string]bool{}
	for _, l := range locs {
		if l.entry == nil || l.entry.Next == "" || reported[l.entry.ID] {
			continue
		}
		path := []string{l.entry.ID}
		for e, ok := kb.Entry(l.entry.Next); ok; e, ok = kb.Entry(e.Next) {
			if i := slices.Index(path, e.ID); i >= 0 {
				if i == 0 {
					for _, id := range path {
						reported[id] = true
					}
					probs = append(probs, &Problem{File: l.file, Line: l.line("next"), ID: l.entry.ID,
						Msg: fmt.Sprintf("the next steps make a loop (%s → %s): end them with \"human\", a person", strings.Join(path, " → "), e.ID)})
				}
				break
			}
			path = append(path, e.ID)
		}
	}
	return probs
}

// ValidID reports whether id is written as an entry's id must be: lower-case
// words of letters and digits joined by dashes, at most 64 characters.
func ValidID(id string) bool { return len(id) <= 64 && idPattern.MatchString(id) }
