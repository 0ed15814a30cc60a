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

// Block ids: interactions are routed by them and chat.Action* ids.
const (
	blockFeedbackAsk = "feedback-ask"
	blockFeedback    = "feedback"

	// Buttons' action ids are chat's actions, with an index ("pick:0").
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
		buttons = append(buttons, button(chat.ActionYes, -1, l.Yes, ref), button(chat.ActionNo, -1, l.No, ref))
	}
	if !called {
		buttons = append(buttons, button(chat.ActionHuman, -1, l.Human, ref))
	}
	out := []slack.Block{slack.NewContextBlock(blockFeedbackAsk, mrkdwn(EscapeSlack(ask)))}
	if len(buttons) > 0 {
		out = append(out, slack.NewActionBlock(blockFeedback, buttons...))
	}
	return out
}

// draw lays a view out in Block Kit: the note as context, the title and
// body as sections, each row of buttons as an action block under its
// heading, the agent who posted it, and the feedback blocks.
func draw(v chat.View) message {
	var blocks []slack.Block
	if v.Note != "" {
		blocks = append(blocks, slack.NewContextBlock("", mrkdwn(EscapeSlack(v.Note))))
	}
	md := v.Body
	if v.Title != "" {
		md = "**" + v.Title + "**\n" + md
	}
	blocks = append(blocks, sections(md)...)
	for _, row := range v.Rows {
		if row.Heading != "" {
			blocks = append(blocks, slack.NewContextBlock("", mrkdwn(EscapeSlack(row.Heading))))
		}
		var buttons []slack.BlockElement
		for i, b := range row.Buttons {
			n := i
			if b.Action == chat.ActionHuman || b.Action == chat.ActionPost {
				n = -1
			}
			btn := button(b.Action, n, b.Label, b.Ref)
			if b.Primary {
				btn = btn.WithStyle(slack.StylePrimary)
			}
			buttons = append(buttons, btn)
		}
		blocks = append(blocks, slack.NewActionBlock(row.ID, buttons...))
	}
	if v.Agent != "" {
		blocks = append(blocks, slack.NewContextBlock("", mrkdwn(fmt.Sprintf(EscapeSlack(chat.LabelsIn(v.Lang).PostedBy), "<@"+v.Agent+">"))))
	}
	if v.Feedback != nil {
		blocks = append(blocks, feedback(*v.Feedback, false, false)...)
	}
	return message{Text: notification(v.Notify), Blocks: capBlocks(blocks)}
}

// replyMessage renders a reply of the answering core (chat.ReplyView).
func replyMessage(r intents.Reply) message { return draw(chat.ReplyView(r)) }

// textMessage is a message of markdown only.
func textMessage(md string) message { return draw(chat.TextView(md)) }

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
				case chat.ActionYes, chat.ActionNo:
					hasVote = true
				case chat.ActionHuman:
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

// buttonValues are the values of the buttons of the action block blockID.
func buttonValues(blocks []slack.Block, blockID string) []string {
	var out []string
	for _, b := range blocks {
		if ab, ok := b.(*slack.ActionBlock); ok && ab.BlockID == blockID && ab.Elements != nil {
			for _, el := range ab.Elements.ElementSet {
				if btn, ok := el.(*slack.ButtonBlockElement); ok {
					out = append(out, btn.Value)
				}
			}
		}
	}
	return out
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
