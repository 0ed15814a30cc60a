package slack

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/acad-lyon/helpdesk-bot/intents"
	"github.com/acad-lyon/helpdesk-bot/internal/chat"
)

// maxQuery bounds what /faq matches: an agent's query is a few words.
const maxQuery = 500

// onCommand handles /faq: alone, the topics (privately); with an exact id,
// the canned answer posted at once; with words, a private preview of the
// best entry with a button to post it.
func (a *Adapter) onCommand(ctx context.Context, cmd slack.SlashCommand) error {
	query, lang := commandQuery(cmd.Text)
	kb := a.hd.Knowledge()
	switch {
	case query == "" || query == "help" || query == "aide":
		if lang == "" {
			lang = kb.Settings.DefaultLanguage
		}
		md := chat.LabelsIn(lang).Topics + "\n" + kb.TopicList(lang)
		return a.respondMessage(ctx, cmd.ResponseURL, slack.ResponseTypeEphemeral, textMessage(md))
	}
	if e, ok := kb.Entry(strings.ToLower(query)); ok {
		if lang == "" {
			lang = kb.Settings.DefaultLanguage
		}
		return a.respondMessage(ctx, cmd.ResponseURL, slack.ResponseTypeInChannel, cannedMessage(a.hd.AnswerEntry(e, lang), cmd.UserID))
	}
	r, err := a.hd.Answer(ctx, intents.Question{Text: query, Lang: lang})
	if err != nil {
		return fmt.Errorf("answer: %w", err)
	}
	if r.Outcome == intents.Secret {
		return a.respondMessage(ctx, cmd.ResponseURL, slack.ResponseTypeEphemeral, textMessage(r.Text))
	}
	lang = r.Lang
	candidates := a.hd.Suggest(query, 4)
	if r.Entry != nil && !r.Entry.Conversational() {
		candidates = append([]*intents.Entry{r.Entry}, candidates...)
	} else if r.Outcome == intents.Suggested {
		for i := len(r.Alternatives) - 1; i >= 0; i-- {
			candidates = append([]*intents.Entry{r.Alternatives[i].Entry}, candidates...)
		}
	}
	candidates = unique(candidates, 4)
	if len(candidates) == 0 {
		md := fmt.Sprintf(chat.LabelsIn(lang).NoEntry, quoteless.Replace(query)) + "\n\n" + chat.LabelsIn(lang).Topics + "\n" + kb.TopicList(lang)
		return a.respondMessage(ctx, cmd.ResponseURL, slack.ResponseTypeEphemeral, textMessage(md))
	}
	return a.respondMessage(ctx, cmd.ResponseURL, slack.ResponseTypeEphemeral, previewMessage(a.hd.AnswerEntry(candidates[0], lang), candidates[1:]))
}

// commandQuery splits the text of /faq into the query and a language asked
// for with a trailing "en" or "fr" (or "--en", "--fr").
func commandQuery(text string) (query, lang string) {
	text = plainText(text)
	if len(text) > maxQuery {
		text = truncate(text, maxQuery)
	}
	words := strings.Fields(text)
	if n := len(words); n > 0 {
		switch strings.TrimPrefix(strings.ToLower(words[n-1]), "--") {
		case intents.French:
			lang, words = intents.French, words[:n-1]
		case intents.English:
			lang, words = intents.English, words[:n-1]
		}
	}
	return strings.Join(words, " "), lang
}

// quoteless keeps an echoed query from opening markup in the reply.
var quoteless = strings.NewReplacer("`", "'", "*", "", "[", "(", "]", ")", "_", " ", "~", "")

func unique(es []*intents.Entry, n int) []*intents.Entry {
	var out []*intents.Entry
	seen := map[string]bool{}
	for _, e := range es {
		if !seen[e.ID] && !e.Conversational() && len(out) < n {
			seen[e.ID] = true
			out = append(out, e)
		}
	}
	return out
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
	kb := a.hd.Knowledge()
	e, known := kb.Entry(ref.ID)
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
		r := a.hd.AnswerEntry(e, ref.Lang)
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
		if !a.seen.First("vote:" + channel + ":" + msgTS + ":" + cb.User.ID) {
			return a.respondMessage(ctx, cb.ResponseURL, slack.ResponseTypeEphemeral, textMessage(chat.LabelsIn(ref.Lang).AlreadyVoted))
		}
		if err := a.rec.RecordVote(ctx, chat.Vote{Platform: Platform, Entry: e.ID, Lang: ref.Lang, Helpful: helpful, User: cb.User.ID, At: time.Now()}); err != nil {
			a.log.Warn("slack: cannot record a vote", "err", err)
		}
		a.log.Info("slack: feedback", "entry", e.ID, "helpful", helpful)
		_, called := state(cb.Message.Blocks.BlockSet)
		return a.redraw(ctx, cb, ref, true, called)
	case actionHuman:
		if !a.seen.First("human:" + channel + ":" + msgTS) {
			return a.respondMessage(ctx, cb.ResponseURL, slack.ResponseTypeEphemeral, textMessage(chat.LabelsIn(ref.Lang).AlreadyCalled))
		}
		if err := a.post(ctx, channel, a.threadOf(cb), a.humanMessage(ref.Lang, cb.User.ID)); err != nil {
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
		return a.respondPreview(ctx, cb, e, ref.Lang)
	case actionPost:
		if !known {
			return nil
		}
		msg := cannedMessage(a.hd.AnswerEntry(e, ref.Lang), cb.User.ID)
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
func (a *Adapter) respondPreview(ctx context.Context, cb slack.InteractionCallback, e *intents.Entry, lang string) error {
	var others []*intents.Entry
	for _, b := range cb.Message.Blocks.BlockSet {
		if ab, ok := b.(*slack.ActionBlock); ok && ab.BlockID == blockOthers && ab.Elements != nil {
			for _, el := range ab.Elements.ElementSet {
				if btn, ok := el.(*slack.ButtonBlockElement); ok {
					if r, ok := chat.ParseRef(btn.Value); ok && r.ID != e.ID {
						if o, ok := a.hd.Knowledge().Entry(r.ID); ok {
							others = append(others, o)
						}
					}
				}
			}
		}
	}
	msg := previewMessage(a.hd.AnswerEntry(e, lang), others)
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
func (a *Adapter) humanMessage(lang, user string) message {
	l := chat.LabelsIn(lang)
	if a.cfg.HelpdeskGroup != "" {
		text := "<@" + user + "> " + fmt.Sprintf(intents.EscapeSlack(l.HumanCalled), "<!subteam^"+a.cfg.HelpdeskGroup+">")
		return message{Text: text, Blocks: []slack.Block{slack.NewSectionBlock(mrkdwn(text), nil, nil)}}
	}
	md := l.HumanNoGroup
	if e, ok := a.hd.Knowledge().Entry("human"); ok {
		md += "\n\n" + a.hd.AnswerEntry(e, lang).Text
	}
	return textMessage(md)
}
