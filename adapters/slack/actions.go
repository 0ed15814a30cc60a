package slack

import (
	"context"
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/acad-lyon/helpdesk-bot/intents"
	"github.com/acad-lyon/helpdesk-bot/internal/chat"
)

// onCommand handles /faq as the conversation decides (chat.Conversation.FAQ):
// the topics privately, a canned answer posted, or a private preview with a
// button to post it.
func (a *Adapter) onCommand(ctx context.Context, cmd slack.SlashCommand) error {
	query, lang := chat.FAQQuery(plainText(cmd.Text))
	f, err := a.conv.FAQ(ctx, query, lang, "")
	if err != nil {
		return err
	}
	switch f.Kind {
	case chat.FAQPost:
		return a.respondMessage(ctx, cmd.ResponseURL, slack.ResponseTypeInChannel, cannedMessage(f.Canned, cmd.UserID))
	case chat.FAQPreview:
		return a.respondMessage(ctx, cmd.ResponseURL, slack.ResponseTypeEphemeral, previewMessage(f.Canned, f.Others))
	}
	return a.respondMessage(ctx, cmd.ResponseURL, slack.ResponseTypeEphemeral, textMessage(f.Text))
}

func (a *Adapter) respondMessage(ctx context.Context, url, responseType string, msg message) error {
	blocks := slack.Blocks{BlockSet: msg.Blocks}
	return a.respond(ctx, url, &slack.WebhookMessage{ResponseType: responseType, Text: msg.Text, Blocks: &blocks, UnfurlLinks: new(false), UnfurlMedia: new(false)})
}

// onInteraction handles the buttons of the bot's messages.
func (a *Adapter) onInteraction(ctx context.Context, cb slack.InteractionCallback) error {
	if cb.Type != slack.InteractionTypeBlockActions || len(cb.ActionCallback.BlockActions) == 0 {
		return nil
	}
	act := cb.ActionCallback.BlockActions[0]
	ref, ok := chat.ParseRef(act.Value)
	if !ok {
		return nil // not one of our buttons, or tampered with
	}
	core := a.hd.Current() // one version of the knowledge for the whole click
	e, known := core.Entry(ref.ID)
	channel := cb.Channel.ID
	if channel == "" {
		channel = cb.Container.ChannelID
	}
	msgTS := cb.Container.MessageTs
	if msgTS == "" {
		msgTS = cb.Message.Timestamp
	}
	switch actionName(act.ActionID) {
	case actionPick:
		if !known {
			return nil
		}
		r := core.AnswerEntry(e, ref.Lang)
		msg := replyMessage(r)
		if act.BlockID == blockSuggest {
			// The suggestion becomes the chosen answer.
			blocks := slack.Blocks{BlockSet: msg.Blocks}
			return a.respond(ctx, cb.ResponseURL, &slack.WebhookMessage{ReplaceOriginal: true, Text: msg.Text, Blocks: &blocks})
		}
		return a.post(ctx, channel, a.threadOf(cb), msg)
	case actionYes, actionNo:
		if !known {
			return nil
		}
		helpful := actionName(act.ActionID) == actionYes
		if !a.conv.Vote(ctx, channel+":"+msgTS, cb.User.ID, e, ref.Lang, helpful) {
			return a.respondMessage(ctx, cb.ResponseURL, slack.ResponseTypeEphemeral, textMessage(chat.LabelsIn(ref.Lang).AlreadyVoted))
		}
		_, called := state(cb.Message.Blocks.BlockSet)
		return a.redraw(ctx, cb, ref, true, called)
	case actionHuman:
		if !a.conv.CallHuman(channel + ":" + msgTS) {
			return a.respondMessage(ctx, cb.ResponseURL, slack.ResponseTypeEphemeral, textMessage(chat.LabelsIn(ref.Lang).AlreadyCalled))
		}
		if err := a.post(ctx, channel, a.threadOf(cb), a.humanMessage(core, ref.Lang, cb.User.ID)); err != nil {
			return err
		}
		if cb.Message.Blocks.BlockSet == nil {
			return nil
		}
		voted, _ := state(cb.Message.Blocks.BlockSet)
		return a.redraw(ctx, cb, ref, voted, true)
	case actionPreview:
		if !known {
			return nil
		}
		return a.respondPreview(ctx, cb, core, e, ref.Lang)
	case actionPost:
		if !known {
			return nil
		}
		msg := cannedMessage(core.AnswerEntry(e, ref.Lang), cb.User.ID)
		blocks := slack.Blocks{BlockSet: msg.Blocks}
		post := &slack.WebhookMessage{ResponseType: slack.ResponseTypeInChannel, Text: msg.Text, Blocks: &blocks, ThreadTimestamp: cb.Container.ThreadTs, UnfurlLinks: new(false), UnfurlMedia: new(false)}
		if err := a.respond(ctx, cb.ResponseURL, post); err != nil {
			return err
		}
		return a.respond(ctx, cb.ResponseURL, &slack.WebhookMessage{DeleteOriginal: true})
	}
	return nil
}

// respondPreview replaces a /faq preview with the preview of another entry.
func (a *Adapter) respondPreview(ctx context.Context, cb slack.InteractionCallback, core chat.Core, e *intents.Entry, lang string) error {
	var others []*intents.Entry
	for _, b := range cb.Message.Blocks.BlockSet {
		if ab, ok := b.(*slack.ActionBlock); ok && ab.BlockID == blockOthers && ab.Elements != nil {
			for _, el := range ab.Elements.ElementSet {
				if btn, ok := el.(*slack.ButtonBlockElement); ok {
					if r, ok := chat.ParseRef(btn.Value); ok && r.ID != e.ID {
						if o, ok := core.Entry(r.ID); ok {
							others = append(others, o)
						}
					}
				}
			}
		}
	}
	msg := previewMessage(core.AnswerEntry(e, lang), others)
	blocks := slack.Blocks{BlockSet: msg.Blocks}
	return a.respond(ctx, cb.ResponseURL, &slack.WebhookMessage{ReplaceOriginal: true, ResponseType: slack.ResponseTypeEphemeral, Text: msg.Text, Blocks: &blocks})
}

// redraw replaces the feedback blocks of the answer a button was clicked on.
func (a *Adapter) redraw(ctx context.Context, cb slack.InteractionCallback, ref chat.Ref, voted, called bool) error {
	msg := replaceFeedback(cb.Message.Blocks.BlockSet, ref, voted, called)
	blocks := slack.Blocks{BlockSet: msg}
	return a.respond(ctx, cb.ResponseURL, &slack.WebhookMessage{ReplaceOriginal: true, Text: cb.Message.Text, Blocks: &blocks})
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
// no group configured, says how to reach the helpdesk.
func (a *Adapter) humanMessage(core chat.Core, lang, user string) message {
	l := chat.LabelsIn(lang)
	if a.cfg.HelpdeskGroup != "" {
		text := "<@" + user + "> " + fmt.Sprintf(EscapeSlack(l.HumanCalled), "<!subteam^"+a.cfg.HelpdeskGroup+">")
		return message{Text: text, Blocks: []slack.Block{slack.NewSectionBlock(mrkdwn(text), nil, nil)}}
	}
	return textMessage(a.conv.NoTeamText(core, lang))
}
