package slack

import (
	"cmp"
	"context"
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/acad-lyon/helpdesk-bot/internal/chat"
)

// onCommand handles /faq as the conversation decides (chat.Conversation.FAQ):
// the topics privately, a canned answer posted, or a private preview with a
// button to post it.
func (a *Adapter) onCommand(ctx context.Context, cmd slack.SlashCommand) error {
	query, lang := chat.FAQQuery(plainText(cmd.Text))
	f, err := a.Conv.FAQ(ctx, query, lang, "")
	if err != nil {
		return err
	}
	switch f.Kind {
	case chat.FAQPost:
		return a.respond(ctx, cmd.ResponseURL, draw(chat.CannedView(f.Canned, cmd.UserID)), slack.WebhookMessage{ResponseType: slack.ResponseTypeInChannel})
	case chat.FAQPreview:
		return a.respond(ctx, cmd.ResponseURL, draw(chat.PreviewView(f.Canned, f.Others)), privately)
	}
	return a.respond(ctx, cmd.ResponseURL, textMessage(f.Text), privately)
}

var (
	privately = slack.WebhookMessage{ResponseType: slack.ResponseTypeEphemeral}
	inPlace   = slack.WebhookMessage{ReplaceOriginal: true}
)

// onInteraction does what the conversation decides of a click on one of
// the bot's buttons (chat.Conversation.Click).
func (a *Adapter) onInteraction(ctx context.Context, cb slack.InteractionCallback) error {
	if cb.Type != slack.InteractionTypeBlockActions || len(cb.ActionCallback.BlockActions) == 0 {
		return nil
	}
	act := cb.ActionCallback.BlockActions[0]
	ref, ok := chat.ParseRef(act.Value)
	if !ok {
		return nil // not one of our buttons, or tampered with
	}
	channel := cmp.Or(cb.Channel.ID, cb.Container.ChannelID)
	k := chat.Click{Action: actionName(act.ActionID), Ref: ref, Answer: channel + ":" + cmp.Or(cb.Container.MessageTs, cb.Message.Timestamp), User: cb.User.ID}
	if k.Action == chat.ActionPick && act.BlockID != chat.RowSuggest {
		k.Action = chat.ActionSee // a see-also button
	}
	blocks := cb.Message.Blocks.BlockSet
	for _, b := range buttons(blocks) {
		r, _ := chat.ParseRef(b.Value)
		k.Buttons = append(k.Buttons, chat.Button{Action: actionName(b.ActionID), Ref: r})
	}
	switch c := a.Conv.Click(ctx, k); c.Kind {
	case chat.ClickNotice:
		return a.respond(ctx, cb.ResponseURL, textMessage(c.Text), privately)
	case chat.ClickReplace:
		return a.respond(ctx, cb.ResponseURL, replyMessage(c.Reply), inPlace)
	case chat.ClickAnswer:
		return a.post(ctx, channel, "", a.threadOf(cb), replyMessage(c.Reply))
	case chat.ClickVoted, chat.ClickCall:
		if c.Kind == chat.ClickCall {
			if err := a.post(ctx, channel, "", a.threadOf(cb), a.humanMessage(c.Text, ref.Lang, cb.User.ID)); err != nil || blocks == nil {
				return err
			}
		}
		if err := a.respond(ctx, cb.ResponseURL, message{Text: cb.Message.Text, Blocks: replaceFeedback(blocks, c.Feedback)}, inPlace); err != nil || c.Reply.Entry == nil {
			return err
		}
		return a.post(ctx, channel, "", a.threadOf(cb), replyMessage(c.Reply)) // after a 👎, the next step
	case chat.ClickPreview:
		return a.respond(ctx, cb.ResponseURL, draw(chat.PreviewView(c.Reply, c.Others)), slack.WebhookMessage{ReplaceOriginal: true, ResponseType: slack.ResponseTypeEphemeral})
	case chat.ClickPost:
		post := slack.WebhookMessage{ResponseType: slack.ResponseTypeInChannel, ThreadTimestamp: cb.Container.ThreadTs}
		if err := a.respond(ctx, cb.ResponseURL, draw(chat.CannedView(c.Reply, cb.User.ID)), post); err != nil {
			return err
		}
		return a.respond(ctx, cb.ResponseURL, message{}, slack.WebhookMessage{DeleteOriginal: true})
	}
	return nil
}

// threadOf is where a reply to a clicked message goes: its thread, or the
// thread it starts; inline in a direct message that has no thread.
func (a *Adapter) threadOf(cb slack.InteractionCallback) string {
	if t := cb.Message.ThreadTimestamp; t != "" {
		return t
	}
	if t := cb.Container.ThreadTs; t != "" {
		return t
	}
	if strings.HasPrefix(cb.Channel.ID, "D") {
		return ""
	}
	return cb.Message.Timestamp
}

// humanMessage calls the helpdesk group for the person who asked, or, with
// no group configured, says how to reach the helpdesk (noTeam).
func (a *Adapter) humanMessage(noTeam, lang, user string) message {
	if a.cfg.HelpdeskGroup == "" {
		return textMessage(noTeam)
	}
	return a.callMessage(chat.LabelsIn(lang).HumanCalled, user)
}

// callMessage calls the helpdesk group for user: call is a label with %s
// for the group (chat.Labels.HumanCalled, or chat.HandoffCall's summary).
func (a *Adapter) callMessage(call, user string) message {
	text := "<@" + user + "> " + fmt.Sprintf(EscapeSlack(call), "<!subteam^"+a.cfg.HelpdeskGroup+">")
	return message{Text: text, Blocks: []slack.Block{slack.NewSectionBlock(mrkdwn(text), nil, nil)}}
}
