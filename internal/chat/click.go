package chat

import (
	"context"

	"github.com/acad-lyon/helpdesk-bot/intents"
)

// The actions of the bot's buttons, the same on every platform.
const (
	ActionPick    = "pick"     // a did-you-mean choice: its answer replaces the suggestion
	ActionSee     = "see"      // a see-also entry: answered in a new message
	ActionYes     = "vote-yes" // 👍
	ActionNo      = "vote-no"  // 👎
	ActionHuman   = "human"    // talk to a person
	ActionPost    = "post"     // posts a /faq preview in the conversation
	ActionPreview = "preview"  // previews another close entry instead
)

// Click is a click on one of the bot's buttons, read by an adapter from its
// platform's interaction.
type Click struct {
	Action string
	Ref    Ref
	// Answer names the clicked message on the platform: votes are once per
	// person and answer, calls for a person once per answer.
	Answer string
	User   string
	// Buttons are the buttons the clicked message carries (their action and
	// value), read back from it: the message is the memory of what it
	// offers and of its feedback.
	Buttons []Button
}

// ClickKind is what a click leads to.
type ClickKind int

// What clicks lead to.
const (
	// ClickIgnore: nothing (not one of ours, or an entry the knowledge no
	// longer has).
	ClickIgnore ClickKind = iota
	// ClickNotice: Clicked.Text to the person who clicked, alone.
	ClickNotice
	// ClickAnswer: Clicked.Reply in a new message (a see-also entry).
	ClickAnswer
	// ClickReplace: Clicked.Reply in place of the clicked suggestion.
	ClickReplace
	// ClickVoted: the clicked answer's feedback redrawn, voted; after a 👎,
	// Clicked.Reply (when it has an entry) is the next step to try, in a new
	// message.
	ClickVoted
	// ClickCall: the helpdesk called for the person who clicked (where no
	// team is configured, Clicked.Text says how to reach one), then the
	// answer's feedback redrawn, called.
	ClickCall
	// ClickPreview: the clicked preview replaced by the preview of
	// Clicked.Reply, with Clicked.Others.
	ClickPreview
	// ClickPost: Clicked.Reply posted as a canned answer, signed by the
	// person who clicked.
	ClickPost
)

// Clicked is what a click leads to.
type Clicked struct {
	Kind   ClickKind
	Reply  intents.Reply
	Others []*intents.Entry
	Text   string
	// Feedback is the clicked answer's feedback row, redrawn (ClickVoted,
	// ClickCall).
	Feedback Row
}

// Click decides, for every platform alike, what a click on one of the bot's
// buttons leads to, on one version of the knowledge.
func (c *Conversation) Click(ctx context.Context, k Click) Clicked {
	core := c.Helpdesk.Current()
	l := LabelsIn(k.Ref.Lang)
	var actions []string
	for _, b := range k.Buttons {
		actions = append(actions, b.Action)
	}
	voted, called := FeedbackState(actions)
	if k.Action == ActionHuman {
		if !c.CallHuman(k.Answer) {
			return Clicked{Kind: ClickNotice, Text: l.AlreadyCalled}
		}
		return Clicked{Kind: ClickCall, Text: c.NoTeamText(core, k.Ref.Lang), Feedback: FeedbackRow(k.Ref, voted, true)}
	}
	e, known := core.Entry(k.Ref.ID)
	if !known {
		return Clicked{}
	}
	answer := func() intents.Reply { return core.AnswerEntry(e, k.Ref.Lang) }
	switch k.Action {
	case ActionPick:
		return Clicked{Kind: ClickReplace, Reply: answer()}
	case ActionSee:
		return Clicked{Kind: ClickAnswer, Reply: answer()}
	case ActionYes, ActionNo:
		if !c.Vote(ctx, k.Answer, k.User, e, k.Ref.Lang, k.Action == ActionYes) {
			return Clicked{Kind: ClickNotice, Text: l.AlreadyVoted}
		}
		voted := Clicked{Kind: ClickVoted, Feedback: FeedbackRow(k.Ref, true, called)}
		if k.Action == ActionNo {
			// It did not help: what to try next, in a new message.
			voted.Reply, _ = core.NextStep(e, k.Ref.Lang)
		}
		return voted
	case ActionPost:
		return Clicked{Kind: ClickPost, Reply: answer()}
	case ActionPreview:
		// The preview's other candidates stay offered, the one it showed
		// (its post button) among them.
		var others []*intents.Entry
		for _, b := range k.Buttons {
			if o, ok := core.Entry(b.Ref.ID); ok && o.ID != e.ID && (b.Action == ActionPreview || b.Action == ActionPost) {
				others = append(others, o)
			}
		}
		return Clicked{Kind: ClickPreview, Reply: answer(), Others: others}
	}
	return Clicked{}
}
