package chat

import (
	"github.com/acad-lyon/helpdesk-bot/intents"
)

// View is one of the bot's messages laid out for every platform alike: what
// it says and which buttons it carries. Which buttons an answer, a
// suggestion or a /faq preview has is decided here, once; adapters draw a
// View (Block Kit sections and action blocks, embeds and action rows).
type View struct {
	Lang  string
	Note  string // a line above the message, to its reader (a preview's "only you see it")
	Title string
	Body  string // in the knowledge's markdown subset
	Rows  []Row  // rows of buttons, in order
	// Agent is who posted a canned answer (the platform's id or name), for
	// LabelsIn(Lang).PostedBy; "" for none.
	Agent string
	// Notify is the message as a notification shows it, in markdown.
	Notify string
}

// Row is a row of buttons: ID names it (interactions are routed by the
// buttons' actions, not by it), Heading is a line above it ("" for none).
type Row struct {
	ID      string
	Heading string
	Buttons []Button
}

// Button is one of the bot's buttons: an action on an entry in a language.
type Button struct {
	Action  string
	Label   string
	Ref     Ref
	Primary bool // the action the message is for (post a preview)
	// Disabled: shown, not clickable (the thanks after a vote), where the
	// platform has such buttons; elsewhere the row's heading says it.
	Disabled bool
}

// The rows of a view.
const (
	RowSuggest  = "suggest"   // did you mean: the entries, and a person
	RowFollowUp = "follow-up" // see also
	RowFeedback = "feedback"  // was this helpful? and a person; a person alone under a reply that answered nothing
	RowPreview  = "preview"   // post the previewed answer
	RowOthers   = "others"    // preview another close entry
)

// HumanRef is the button value of "talk to a person" under a reply that
// answered no entry.
func HumanRef(lang string) Ref { return Ref{ID: "human", Lang: lang} }

// ReplyView lays out a reply of the answering core. An answer carries its
// title, the "see also" entries and the feedback row; a suggestion, the
// entries it offers and a person; the fallback, a person; anything else
// (a redirection, which names its service, a greeting), its text.
func ReplyView(r intents.Reply) View {
	v := View{Lang: r.Lang, Body: r.Text, Notify: r.Markdown()}
	human := Button{Action: ActionHuman, Label: LabelsIn(r.Lang).Human, Ref: HumanRef(r.Lang)}
	switch r.Outcome {
	case intents.Answered:
		v.Title = r.Entry.Title.In(r.Lang)
		if len(r.FollowUps) > 0 {
			row := Row{ID: RowFollowUp, Heading: r.SeeAlso} // no heading for the topics the help introduces
			for _, f := range r.FollowUps {
				row.Buttons = append(row.Buttons, Button{Action: ActionSee, Label: f.Title.In(r.Lang), Ref: Ref{ID: f.ID, Lang: r.Lang}})
			}
			v.Rows = append(v.Rows, row)
		}
		// Was this helpful? under a topic's answer only: not under "merci",
		// "aide" or the way to reach a person.
		if !r.Entry.Conversational() {
			v.Rows = append(v.Rows, FeedbackRow(Ref{ID: r.Entry.ID, Lang: r.Lang}, false, false))
		}
	case intents.Suggested:
		v.Body = r.Intro
		row := Row{ID: RowSuggest}
		for _, a := range r.Alternatives {
			row.Buttons = append(row.Buttons, Button{Action: ActionPick, Label: a.Entry.Title.In(r.Lang), Ref: Ref{ID: a.Entry.ID, Lang: r.Lang}})
		}
		row.Buttons = append(row.Buttons, human)
		v.Rows = append(v.Rows, row)
	case intents.Fallback:
		v.Rows = append(v.Rows, Row{ID: RowFeedback, Buttons: []Button{human}})
	}
	return v
}

// CannedView is an entry's answer posted by an agent with /faq: the
// answer, signed by the agent.
func CannedView(r intents.Reply, agent string) View {
	v := ReplyView(r)
	v.Agent = agent
	return v
}

// PreviewView shows an agent, privately, the canned answer /faq found, with
// a button to post it and the other close entries to preview instead.
func PreviewView(r intents.Reply, others []*intents.Entry) View {
	l := LabelsIn(r.Lang)
	v := View{Lang: r.Lang, Note: l.Preview, Title: r.Entry.Title.In(r.Lang), Body: r.Text, Notify: l.Preview + "\n" + r.Text}
	v.Rows = append(v.Rows, Row{ID: RowPreview, Buttons: []Button{{Action: ActionPost, Label: l.Post, Ref: Ref{ID: r.Entry.ID, Lang: r.Lang}, Primary: true}}})
	if len(others) > 0 {
		row := Row{ID: RowOthers, Heading: l.OtherCanned}
		for _, e := range others {
			row.Buttons = append(row.Buttons, Button{Action: ActionPreview, Label: e.Title.In(r.Lang), Ref: Ref{ID: e.ID, Lang: r.Lang}})
		}
		v.Rows = append(v.Rows, row)
	}
	return v
}

// TextView is a message of markdown only (notices, the topics).
func TextView(md string) View { return View{Body: md, Notify: md} }

// ActionVoted is the thanks that takes the place of 👍 / 👎 after a vote.
const ActionVoted = "voted"

// FeedbackRow is the row under an answer: "was this helpful?" with 👍 / 👎,
// and "talk to a person". After a vote the thanks take the vote's place;
// after a call, the person button goes.
func FeedbackRow(ref Ref, voted, called bool) Row {
	l := LabelsIn(ref.Lang)
	row := Row{ID: RowFeedback, Heading: l.Helpful}
	if voted {
		row.Heading = l.Thanks
		row.Buttons = append(row.Buttons, Button{Action: ActionVoted, Label: l.Thanks, Ref: ref, Disabled: true})
	} else {
		row.Buttons = append(row.Buttons, Button{Action: ActionYes, Label: l.Yes, Ref: ref}, Button{Action: ActionNo, Label: l.No, Ref: ref})
	}
	if !called {
		row.Buttons = append(row.Buttons, Button{Action: ActionHuman, Label: l.Human, Ref: ref})
	}
	return row
}

// FeedbackState reads back, from the actions of the buttons a posted
// message carries, whether it was voted on (no 👍 / 👎 left) and whether a
// person was called (no person button left).
func FeedbackState(actions []string) (voted, called bool) {
	voted, called = true, true
	for _, a := range actions {
		switch a {
		case ActionYes, ActionNo:
			voted = false
		case ActionHuman:
			called = false
		}
	}
	return voted, called
}

// IsFeedback reports whether a button's action belongs to the feedback row.
func IsFeedback(action string) bool {
	switch action {
	case ActionYes, ActionNo, ActionVoted, ActionHuman:
		return true
	}
	return false
}
