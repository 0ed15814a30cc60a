package discord

import (
	"cmp"
	"context"
	"fmt"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/acad-lyon/helpdesk-bot/intents"
	"github.com/acad-lyon/helpdesk-bot/internal/chat"
)

// The /faq command and its options.
const (
	commandName   = "faq"
	optionEntry   = "entry"
	optionPrivate = "private"
	optionLang    = "lang"
)

// faqCommand declares /faq, in English with French names and descriptions
// for French clients.
func faqCommand() *discordgo.ApplicationCommand {
	fr := func(s string) *map[discordgo.Locale]string { return &map[discordgo.Locale]string{discordgo.French: s} }
	dm := true
	return &discordgo.ApplicationCommand{
		Name:                     commandName,
		Description:              "Post a canned answer of the webmail FAQ",
		DescriptionLocalizations: fr("Publier une réponse type de la FAQ messagerie"),
		DMPermission:             &dm,
		Options: []*discordgo.ApplicationCommandOption{
			{
				Type: discordgo.ApplicationCommandOptionString, Name: optionEntry, NameLocalizations: *fr("fiche"),
				Description: "Entry id, title or keywords (suggestions as you type)", DescriptionLocalizations: *fr("Identifiant, titre ou mots-clés de la fiche (suggestions pendant la saisie)"),
				Autocomplete: true, MaxLength: chat.MaxQuery,
			},
			{
				Type: discordgo.ApplicationCommandOptionBoolean, Name: optionPrivate, NameLocalizations: *fr("privé"),
				Description: "Only you see the answer", DescriptionLocalizations: *fr("Vous seul voyez la réponse"),
			},
			{
				Type: discordgo.ApplicationCommandOptionString, Name: optionLang, NameLocalizations: *fr("langue"),
				Description: "Language of the answer", DescriptionLocalizations: *fr("Langue de la réponse"),
				Choices: []*discordgo.ApplicationCommandOptionChoice{{Name: "Français", Value: intents.French}, {Name: "English", Value: intents.English}},
			},
		},
	}
}

// registerCommands declares /faq, in the configured server or globally.
func (a *Adapter) registerCommands(ctx context.Context, appID string) error {
	_, err := a.s.ApplicationCommandBulkOverwrite(appID, a.cfg.GuildID, []*discordgo.ApplicationCommand{faqCommand()}, discordgo.WithContext(ctx))
	if err == nil {
		a.Log.Info("discord: /faq registered", "guild", a.cfg.GuildID)
	}
	return err
}

func (a *Adapter) onInteraction(ctx context.Context, i *discordgo.InteractionCreate) error {
	switch i.Type {
	case discordgo.InteractionApplicationCommandAutocomplete:
		return a.autocomplete(ctx, i)
	case discordgo.InteractionApplicationCommand:
		if i.ApplicationCommandData().Name == commandName {
			return a.onCommand(ctx, i)
		}
	case discordgo.InteractionMessageComponent:
		return a.onButton(ctx, i)
	}
	return nil
}

// locale is the language of an interaction's client, when it is one the
// knowledge is written in ("" otherwise).
func (a *Adapter) locale(i *discordgo.InteractionCreate) string {
	switch {
	case strings.HasPrefix(string(i.Locale), "en"):
		return intents.English
	case i.Locale == discordgo.French:
		return intents.French
	}
	return ""
}

func userOf(i *discordgo.InteractionCreate) *discordgo.User {
	u := i.User // in a direct message; in a server, the member's
	if i.Member != nil && i.Member.User != nil {
		u = i.Member.User
	}
	return cmp.Or(u, &discordgo.User{})
}

type options struct {
	entry, lang string
	private     bool
}

func commandOptions(i *discordgo.InteractionCreate) (o options) {
	d := i.ApplicationCommandData()
	value := func(name string) any {
		if opt := d.GetOption(name); opt != nil {
			return opt.Value
		}
		return nil
	}
	entry, _ := value(optionEntry).(string)
	o.entry = plainText(intents.Cut(entry, chat.MaxQuery))
	o.lang, _ = value(optionLang).(string)
	o.private, _ = value(optionPrivate).(bool)
	return o
}

// autocomplete offers up to 25 entries as the agent types
// (chat.Conversation.Complete).
func (a *Adapter) autocomplete(ctx context.Context, i *discordgo.InteractionCreate) error {
	o := commandOptions(i)
	choices := []*discordgo.ApplicationCommandOptionChoice{}
	for _, c := range a.Conv.Complete(o.entry, o.lang, a.locale(i), maxChoices) {
		choices = append(choices, &discordgo.ApplicationCommandOptionChoice{Name: chat.Truncate(c.Title+" — "+c.ID, choiceLimit), Value: c.ID})
	}
	return a.s.InteractionRespond(i.Interaction, &discordgo.InteractionResponse{
		Type: discordgo.InteractionApplicationCommandAutocompleteResult,
		Data: &discordgo.InteractionResponseData{Choices: choices},
	}, discordgo.WithContext(ctx))
}

// onCommand answers /faq as the conversation decides (chat.Conversation.FAQ):
// the topics privately, a canned answer posted (what autocomplete fills
// in), or a private preview with a button to post it. `private` shows a
// canned answer to the agent only.
func (a *Adapter) onCommand(ctx context.Context, i *discordgo.InteractionCreate) error {
	o := commandOptions(i)
	return a.respondSoon(ctx, i, o.private, func() (*discordgo.InteractionResponseData, error) {
		f, err := a.Conv.FAQ(ctx, o.entry, o.lang, a.locale(i))
		if err != nil {
			return nil, err
		}
		switch f.Kind {
		case chat.FAQPost:
			data := postData(draw(chat.CannedView(f.Canned, userOf(i).Username))[0])
			if o.private {
				data.Flags = discordgo.MessageFlagsEphemeral
			}
			return data, nil
		case chat.FAQPreview:
			data := postData(draw(chat.PreviewView(f.Canned, f.Others))[0])
			data.Flags = discordgo.MessageFlagsEphemeral
			return data, nil
		}
		return privateText(f.Text), nil
	})
}

func postData(p post) *discordgo.InteractionResponseData {
	return &discordgo.InteractionResponseData{Content: p.Content, Embeds: p.Embeds, Components: p.Components, AllowedMentions: noMentions()}
}

func privateText(md string) *discordgo.InteractionResponseData {
	return &discordgo.InteractionResponseData{Content: chat.Truncate(md, contentLimit), Flags: discordgo.MessageFlagsEphemeral, AllowedMentions: noMentions()}
}

// respondSoon answers an interaction within Discord's 3 seconds whatever
// building the answer takes: if it is not ready after cfg.Defer, Discord is
// told the answer is coming (a deferred response) and the answer replaces
// that notice when ready.
func (a *Adapter) respondSoon(ctx context.Context, i *discordgo.InteractionCreate, private bool, build func() (*discordgo.InteractionResponseData, error)) error {
	type result struct {
		data *discordgo.InteractionResponseData
		err  error
	}
	done := make(chan result, 1)
	go func() {
		d, err := build()
		done <- result{d, err}
	}()
	timer := a.Clock.NewTimer(a.cfg.Defer)
	defer timer.Stop()
	select {
	case res := <-done:
		if res.err != nil {
			return res.err
		}
		return a.s.InteractionRespond(i.Interaction, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseChannelMessageWithSource, Data: res.data}, discordgo.WithContext(ctx))
	case <-timer.Chan():
	}
	deferred := &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource, Data: &discordgo.InteractionResponseData{AllowedMentions: noMentions()}}
	if private {
		deferred.Data.Flags = discordgo.MessageFlagsEphemeral
	}
	if err := a.s.InteractionRespond(i.Interaction, deferred, discordgo.WithContext(ctx)); err != nil {
		return err
	}
	res := <-done
	if res.err != nil {
		return res.err
	}
	edit := &discordgo.WebhookEdit{Content: &res.data.Content, Embeds: &res.data.Embeds, Components: &res.data.Components, AllowedMentions: res.data.AllowedMentions}
	_, err := a.s.InteractionResponseEdit(i.Interaction, edit, discordgo.WithContext(ctx))
	return err
}

// onButton does what the conversation decides of a click on one of the
// bot's buttons (chat.Conversation.Click).
func (a *Adapter) onButton(ctx context.Context, i *discordgo.InteractionCreate) error {
	action, ref, ok := parseCustomID(i.MessageComponentData().CustomID)
	if !ok || i.Message == nil {
		return nil // not one of our buttons, or tampered with
	}
	user := userOf(i)
	k := chat.Click{Action: action, Ref: ref, Answer: i.Message.ID, User: user.ID}
	eachButton(i.Message.Components, func(b *discordgo.Button) {
		act, r, _ := parseCustomID(b.CustomID)
		k.Buttons = append(k.Buttons, chat.Button{Action: act, Ref: r})
	})
	respond := func(typ discordgo.InteractionResponseType, data *discordgo.InteractionResponseData) error {
		return a.s.InteractionRespond(i.Interaction, &discordgo.InteractionResponse{Type: typ, Data: data}, discordgo.WithContext(ctx))
	}
	const (
		inPlace = discordgo.InteractionResponseUpdateMessage
		below   = discordgo.InteractionResponseChannelMessageWithSource
	)
	switch c := a.Conv.Click(ctx, k); c.Kind {
	case chat.ClickNotice:
		return respond(below, privateText(c.Text))
	case chat.ClickReplace:
		return respond(inPlace, postData(replyPosts(c.Reply)[0]))
	case chat.ClickAnswer:
		return respond(below, postData(replyPosts(c.Reply)[0]))
	case chat.ClickVoted:
		if err := respond(inPlace, &discordgo.InteractionResponseData{
			Content: i.Message.Content, Embeds: i.Message.Embeds, AllowedMentions: noMentions(),
			Components: redraw(i.Message.Components, c.Feedback),
		}); err != nil || c.Reply.Entry == nil {
			return err
		}
		return a.send(ctx, i.ChannelID, nil, replyPosts(c.Reply)) // after a 👎, the next step
	case chat.ClickPost:
		return respond(below, postData(draw(chat.CannedView(c.Reply, user.Username))[0]))
	case chat.ClickPreview:
		return respond(inPlace, postData(draw(chat.PreviewView(c.Reply, c.Others))[0]))
	case chat.ClickCall:
		if err := respond(below, a.humanMessage(c.Text, ref.Lang, user.ID)); err != nil {
			return err
		}
		// Redraw the answer without the button (best effort: the call is made).
		comps := redraw(i.Message.Components, c.Feedback)
		if _, err := a.s.ChannelMessageEditComplex(&discordgo.MessageEdit{ID: i.Message.ID, Channel: i.ChannelID, Components: &comps, AllowedMentions: noMentions()}, discordgo.WithContext(ctx)); err != nil {
			a.Log.Warn("discord: cannot redraw an answer", "err", chat.Redacted(err))
		}
	}
	return nil
}

// humanMessage calls the helpdesk role for the person who asked (the only
// mentions allowed: that role and that person), or, with no role
// configured, says how to reach the helpdesk (noTeam).
func (a *Adapter) humanMessage(noTeam, lang, user string) *discordgo.InteractionResponseData {
	if a.cfg.HelpdeskRole == "" {
		return &discordgo.InteractionResponseData{Content: chat.Truncate(noTeam, contentLimit), AllowedMentions: noMentions()}
	}
	return a.callMessage(chat.LabelsIn(lang).HumanCalled, user)
}

// callMessage calls the helpdesk role for user: call is a label with %s for
// the role (chat.Labels.HumanCalled, or chat.HandoffCall's summary).
func (a *Adapter) callMessage(call, user string) *discordgo.InteractionResponseData {
	return &discordgo.InteractionResponseData{
		Content:         chat.Truncate("<@"+user+"> "+fmt.Sprintf(call, "<@&"+a.cfg.HelpdeskRole+">"), contentLimit),
		AllowedMentions: &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}, Roles: []string{a.cfg.HelpdeskRole}, Users: []string{user}},
	}
}

// eachButton calls f with each button of a message's action rows (as
// rows draws them, or as discordgo reads them from Discord).
func eachButton(comps []discordgo.MessageComponent, f func(*discordgo.Button)) {
	for _, c := range comps {
		if row, ok := c.(*discordgo.ActionsRow); ok {
			for _, el := range row.Components {
				if b, ok := el.(*discordgo.Button); ok {
					f(b)
				}
			}
		}
	}
}

// redraw returns an answer's components with the feedback buttons redrawn
// and the other buttons (see also) kept.
func redraw(comps []discordgo.MessageComponent, feedback chat.Row) []discordgo.MessageComponent {
	var keep []discordgo.Button
	eachButton(comps, func(b *discordgo.Button) {
		if action, _, _ := parseCustomID(b.CustomID); !chat.IsFeedback(action) {
			keep = append(keep, *b)
		}
	})
	return append(rows(keep), rows(drawRow(feedback))...)
}
