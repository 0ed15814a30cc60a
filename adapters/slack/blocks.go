package slack

import (
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/acad-lyon/helpdesk-bot/intents"
	"github.com/acad-lyon/helpdesk-bot/internal/chat"
)

// Slack's limits (https://docs.slack.dev/reference/block-kit/blocks).
const (
	sectionLimit  = 3000 // characters of a section's text
	maxBlocks     = 50   // blocks in a message
	buttonLimit   = 75   // characters of a button's text
	fallbackLimit = 3000 // what we keep of the notification text
)

// Block and action ids: interactions are routed by them.
const (
	blockFeedbackAsk = "feedback-ask"
	blockFeedback    = "feedback"
	blockSuggest     = "suggest"
	blockFollowUp    = "follow-up"
	blockPreview     = "preview"
	blockOthers      = "others"

	actionPick    = "pick" // answer an entry (did you mean, see also)
	actionYes     = "vote-yes"
	actionNo      = "vote-no"
	actionHuman   = "human"   // talk to a person
	actionPost    = "post"    // post a previewed canned answer
	actionPreview = "preview" // preview another candidate
)

// message is what the adapter posts: Block Kit blocks and the plain text
// Slack shows in notifications and where blocks cannot be shown.
type message struct {
	Text   string
	Blocks []slack.Block
}

// mrkdwn is a Slack mrkdwn text object. Verbatim keeps Slack from turning
// words into links or mentions on its own: only the markup we write counts,
// and all of it comes from Render, which escapes &, < and >.
func mrkdwn(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, s, false, true)
}

func plain(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, truncate(s, buttonLimit), true, false)
}

func button(action string, n int, label string, ref chat.Ref) *slack.ButtonBlockElement {
	id := action
	if n >= 0 {
		id = fmt.Sprintf("%s:%d", action, n)
	}
	return slack.NewButtonBlockElement(id, ref.String(), plain(label))
}

// sections renders markdown as mrkdwn sections within Slack's limit.
func sections(md string) []slack.Block {
	var out []slack.Block
	for _, part := range chat.Split(Mrkdwn(md), sectionLimit) {
		out = append(out, slack.NewSectionBlock(mrkdwn(part), nil, nil))
	}
	return out
}

// feedback are the blocks under an answer: "was this helpful?" with 👍 / 👎,
// and "talk to a person". After a vote only the thanks remain with the
// person button; after the person was called, only the vote.
func feedback(ref chat.Ref, voted, called bool) []slack.Block {
	l := chat.LabelsIn(ref.Lang)
	ask := l.Helpful
	var buttons []slack.BlockElement
	if voted {
		ask = l.Thanks
	} else {
		buttons = append(buttons, button(actionYes, -1, l.Yes, ref), button(actionNo, -1, l.No, ref))
	}
	if !called {
		buttons = append(buttons, button(actionHuman, -1, l.Human, ref))
	}
	out := []slack.Block{slack.NewContextBlock(blockFeedbackAsk, mrkdwn(EscapeSlack(ask)))}
	if len(buttons) > 0 {
		out = append(out, slack.NewActionBlock(blockFeedback, buttons...))
	}
	return out
}

// humanRef is the button value of "talk to a person" under a reply that
// answered no entry.
func humanRef(lang string) chat.Ref { return chat.Ref{ID: "human", Lang: lang} }

// replyMessage renders a reply of the answering core. Answers carry their
// title, the "see also" entries as buttons, and the feedback buttons;
// suggestions are buttons that answer the chosen entry; the fallback offers
// a person.
func replyMessage(r intents.Reply) message {
	var blocks []slack.Block
	switch r.Outcome {
	case intents.Answered:
		ref := chat.Ref{ID: r.Entry.ID, Lang: r.Lang}
		blocks = answerBlocks(r)
		blocks = append(blocks, feedback(ref, false, false)...)
	case intents.Suggested:
		blocks = append(blocks, sections(r.Intro)...)
		var buttons []slack.BlockElement
		for i, a := range r.Alternatives {
			buttons = append(buttons, button(actionPick, i, a.Entry.Title.In(r.Lang), chat.Ref{ID: a.Entry.ID, Lang: r.Lang}))
		}
		buttons = append(buttons, button(actionHuman, -1, chat.LabelsIn(r.Lang).Human, humanRef(r.Lang)))
		blocks = append(blocks, slack.NewActionBlock(blockSuggest, buttons...))
	case intents.Fallback:
		blocks = append(blocks, sections(r.Text)...)
		blocks = append(blocks, slack.NewActionBlock(blockFeedback, button(actionHuman, -1, chat.LabelsIn(r.Lang).Human, humanRef(r.Lang))))
	default:
		blocks = sections(r.Text)
	}
	return message{Text: notification(r.Markdown()), Blocks: capBlocks(blocks)}
}

// answerBlocks are the title, the answer and the "see also" buttons of an
// answered reply.
func answerBlocks(r intents.Reply) []slack.Block {
	blocks := sections("**" + r.Entry.Title.In(r.Lang) + "**\n" + r.Text)
	if len(r.FollowUps) > 0 {
		blocks = append(blocks, slack.NewContextBlock("", mrkdwn(EscapeSlack(r.SeeAlso))))
		var buttons []slack.BlockElement
		for i, f := range r.FollowUps {
			buttons = append(buttons, button(actionPick, i, f.Title.In(r.Lang), chat.Ref{ID: f.ID, Lang: r.Lang}))
		}
		blocks = append(blocks, slack.NewActionBlock(blockFollowUp, buttons...))
	}
	return blocks
}

// cannedMessage is an entry's answer posted by an agent with /faq.
func cannedMessage(r intents.Reply, agent string) message {
	ref := chat.Ref{ID: r.Entry.ID, Lang: r.Lang}
	blocks := answerBlocks(r)
	if agent != "" {
		blocks = append(blocks, slack.NewContextBlock("", mrkdwn(fmt.Sprintf(EscapeSlack(chat.LabelsIn(r.Lang).PostedBy), "<@"+agent+">"))))
	}
	blocks = append(blocks, feedback(ref, false, false)...)
	return message{Text: notification(r.Markdown()), Blocks: capBlocks(blocks)}
}

// previewMessage shows an agent, privately, the canned answer /faq found,
// with a button to post it and the other candidates.
func previewMessage(r intents.Reply, others []*intents.Entry) message {
	l := chat.LabelsIn(r.Lang)
	ref := chat.Ref{ID: r.Entry.ID, Lang: r.Lang}
	blocks := []slack.Block{slack.NewContextBlock("", mrkdwn(EscapeSlack(l.Preview)))}
	blocks = append(blocks, sections("**"+r.Entry.Title.In(r.Lang)+"**\n"+r.Text)...)
	blocks = append(blocks, slack.NewActionBlock(blockPreview, button(actionPost, -1, l.Post, ref).WithStyle(slack.StylePrimary)))
	if len(others) > 0 {
		blocks = append(blocks, slack.NewContextBlock("", mrkdwn(EscapeSlack(l.OtherCanned))))
		var buttons []slack.BlockElement
		for i, e := range others {
			buttons = append(buttons, button(actionPreview, i, e.Title.In(r.Lang), chat.Ref{ID: e.ID, Lang: r.Lang}))
		}
		blocks = append(blocks, slack.NewActionBlock(blockOthers, buttons...))
	}
	return message{Text: notification(l.Preview + "\n" + r.Text), Blocks: capBlocks(blocks)}
}

// textMessage is a message of markdown only.
func textMessage(md string) message {
	return message{Text: notification(md), Blocks: capBlocks(sections(md))}
}

// notification is the plain-text companion of the blocks.
func notification(md string) string {
	return truncate(Mrkdwn(md), fallbackLimit)
}

// capBlocks keeps a message within Slack's 50 blocks, keeping the last
// blocks (the buttons) and cutting text sections in the middle.
func capBlocks(blocks []slack.Block) []slack.Block {
	if len(blocks) <= maxBlocks {
		return blocks
	}
	tail := 0
	for tail < len(blocks) && blocks[len(blocks)-1-tail].BlockType() != slack.MBTSection {
		tail++
	}
	keep := maxBlocks - tail
	return append(blocks[:keep:keep], blocks[len(blocks)-tail:]...)
}

// replaceFeedback returns the blocks of a posted answer with its feedback
// blocks redrawn, after a vote or a call for a person.
func replaceFeedback(blocks []slack.Block, ref chat.Ref, voted, called bool) []slack.Block {
	out := make([]slack.Block, 0, len(blocks))
	for _, b := range blocks {
		if id := blockID(b); id == blockFeedbackAsk || id == blockFeedback {
			continue
		}
		out = append(out, b)
	}
	return append(out, feedback(ref, voted, called)...)
}

// state reads back, from a posted answer's feedback blocks, whether it was
// voted on and whether a person was called.
func state(blocks []slack.Block) (voted, called bool) {
	sawFeedback := false
	hasVote, hasHuman := false, false
	for _, b := range blocks {
		a, ok := b.(*slack.ActionBlock)
		if !ok || a.BlockID != blockFeedback || a.Elements == nil {
			continue
		}
		sawFeedback = true
		for _, e := range a.Elements.ElementSet {
			if btn, ok := e.(*slack.ButtonBlockElement); ok {
				switch btn.ActionID {
				case actionYes, actionNo:
					hasVote = true
				case actionHuman:
					hasHuman = true
				}
			}
		}
	}
	if !sawFeedback {
		return true, true
	}
	return !hasVote, !hasHuman
}

func blockID(b slack.Block) string {
	switch b := b.(type) {
	case *slack.ContextBlock:
		return b.BlockID
	case *slack.ActionBlock:
		return b.BlockID
	case *slack.SectionBlock:
		return b.BlockID
	}
	return ""
}

// actionName is the action of an action id, without the button's index.
func actionName(id string) string {
	name, _, _ := strings.Cut(id, ":")
	return name
}
