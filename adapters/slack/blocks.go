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

// blockFeedbackAsk is the block of "was this helpful?" (chat.FeedbackRow's
// heading): blocks are named by their chat.Row, buttons by their action.
const blockFeedbackAsk = chat.RowFeedback + "-ask"

// message is what the adapter posts: Block Kit blocks and the plain text
// Slack shows in notifications and where blocks cannot be shown.
type message struct {
	Text     string
	Blocks   []slack.Block
	Question string // the ts of the question it answers, in its metadata
}

// mrkdwn is a Slack mrkdwn text object. Verbatim keeps Slack from turning
// words into links or mentions on its own: only the markup we write counts,
// and all of it comes from Render, which escapes &, < and >.
func mrkdwn(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, s, false, true)
}

func plain(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, chat.Truncate(s, buttonLimit), true, false)
}

// sections renders markdown as mrkdwn sections within Slack's limit.
func sections(md string) []slack.Block {
	var out []slack.Block
	for _, part := range chat.Split(Mrkdwn(md), sectionLimit) {
		out = append(out, slack.NewSectionBlock(mrkdwn(part), nil, nil))
	}
	return out
}

// draw lays a view out in Block Kit: the note as context, the title and
// body as sections, the agent who posted it, and each row of buttons as an
// action block under its heading.
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
	if v.Agent != "" {
		blocks = append(blocks, slack.NewContextBlock("", mrkdwn(fmt.Sprintf(EscapeSlack(chat.LabelsIn(v.Lang).PostedBy), "<@"+v.Agent+">"))))
	}
	for _, row := range v.Rows {
		blocks = append(blocks, drawRow(row)...)
	}
	// The text is the plain companion of the blocks, for notifications.
	return message{Text: chat.Truncate(Mrkdwn(v.Notify), fallbackLimit), Blocks: capBlocks(blocks)}
}

// drawRow is a row's heading as context and its buttons as an action block
// (Block Kit has no disabled button: the heading says what it would).
// Buttons of one action are numbered ("pick:0"): action ids are unique in
// a block.
func drawRow(row chat.Row) []slack.Block {
	var out []slack.Block
	if row.Heading != "" {
		out = append(out, slack.NewContextBlock(row.ID+"-ask", mrkdwn(EscapeSlack(row.Heading))))
	}
	var buttons []slack.BlockElement
	for i, b := range row.Buttons {
		id := fmt.Sprintf("%s:%d", b.Action, i)
		switch {
		case b.Disabled:
			continue
		case chat.IsFeedback(b.Action) || b.Action == chat.ActionPost:
			id = b.Action
		}
		btn := slack.NewButtonBlockElement(id, b.Ref.String(), plain(b.Label))
		if b.Primary {
			btn = btn.WithStyle(slack.StylePrimary)
		}
		buttons = append(buttons, btn)
	}
	if len(buttons) > 0 {
		out = append(out, slack.NewActionBlock(row.ID, buttons...))
	}
	return out
}

// replyMessage renders a reply of the answering core (chat.ReplyView).
func replyMessage(r intents.Reply) message { return draw(chat.ReplyView(r)) }

// textMessage is a message of markdown only.
func textMessage(md string) message { return draw(chat.TextView(md)) }

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
func replaceFeedback(blocks []slack.Block, feedback chat.Row) []slack.Block {
	out := make([]slack.Block, 0, len(blocks))
	for _, b := range blocks {
		if id := blockID(b); id != blockFeedbackAsk && id != chat.RowFeedback {
			out = append(out, b)
		}
	}
	return append(out, drawRow(feedback)...)
}

// buttons are the action blocks' buttons of a posted message.
func buttons(blocks []slack.Block) []*slack.ButtonBlockElement {
	var out []*slack.ButtonBlockElement
	for _, b := range blocks {
		if ab, ok := b.(*slack.ActionBlock); ok && ab.Elements != nil {
			for _, el := range ab.Elements.ElementSet {
				if btn, ok := el.(*slack.ButtonBlockElement); ok {
					out = append(out, btn)
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
	}
	return ""
}

// actionName is the action of an action id, without the button's index.
func actionName(id string) string {
	name, _, _ := strings.Cut(id, ":")
	return name
}
