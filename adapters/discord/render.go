package discord

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/acad-lyon/helpdesk-bot/intents"
	"github.com/acad-lyon/helpdesk-bot/internal/chat"
)

// Discord's limits (https://discord.com/developers/docs/resources/message).
const (
	contentLimit     = 2000 // characters of a message's content
	titleLimit       = 256  // characters of an embed title
	descriptionLimit = 4096 // characters of an embed description
	embedsTotal      = 6000 // characters of all the embeds of a message
	maxEmbeds        = 10   // embeds in a message
	buttonLimit      = 80   // characters of a button label
	rowButtons       = 5    // buttons in an action row
	maxRows          = 5    // action rows in a message
	customIDLimit    = 100  // characters of a button's custom_id
	choiceLimit      = 100  // characters of an autocomplete choice name
	maxChoices       = 25   // autocomplete choices
)

// AnswerLimit is Discord's bound on an answer, for the validator: Discord
// shows the knowledge's markdown as it is, in an embed's description.
var AnswerLimit = intents.Limit{Platform: "Discord", Render: func(md string) string { return md }, Max: descriptionLimit}

// colour is the embeds' side bar: the academy's blue.
const colour = 0x1d3557

// post is one Discord message of a reply.
type post struct {
	Content    string
	Embeds     []*discordgo.MessageEmbed
	Components []discordgo.MessageComponent
}

// parseCustomID splits a button's custom_id, "action:id|lang" (see button);
// the value comes back from Discord, so it is checked.
func parseCustomID(id string) (string, chat.Ref, bool) {
	action, value, ok := strings.Cut(id, ":")
	if !ok {
		return "", chat.Ref{}, false
	}
	ref, ok := chat.ParseRef(value)
	return action, ref, ok
}

func button(label string, style discordgo.ButtonStyle, action string, ref chat.Ref) discordgo.Button {
	return discordgo.Button{Label: chat.Truncate(label, buttonLimit), Style: style, CustomID: chat.Truncate(action+":"+ref.String(), customIDLimit)}
}

// rows lays buttons out in action rows of five, within Discord's five rows.
func rows(buttons []discordgo.Button) []discordgo.MessageComponent {
	var out []discordgo.MessageComponent
	for len(buttons) > 0 && len(out) < maxRows {
		n := min(len(buttons), rowButtons)
		row := &discordgo.ActionsRow{}
		for _, b := range buttons[:n] {
			row.Components = append(row.Components, &b)
		}
		out = append(out, row)
		buttons = buttons[n:]
	}
	return out
}

// draw lays a view out as one or more messages (an answer longer than
// Discord takes in one is split at clean places): the note as content, the
// title and body in embeds, and on the last one the agent who posted it and
// the rows of buttons.
func draw(v chat.View) []post {
	posts := embedPosts(v.Title, v.Body)
	posts[0].Content = v.Note
	last := &posts[len(posts)-1]
	for _, row := range v.Rows {
		last.Components = append(last.Components, rows(drawRow(row))...)
	}
	if v.Agent != "" {
		e := last.Embeds[len(last.Embeds)-1]
		e.Footer = &discordgo.MessageEmbedFooter{Text: chat.Truncate(fmt.Sprintf(chat.LabelsIn(v.Lang).PostedBy, v.Agent), 2048)}
	}
	return posts
}

// drawRow is a row's buttons. Discord shows no heading above a row: an icon
// says what a see-also or a preview button does, and colours what a vote
// says.
func drawRow(row chat.Row) []discordgo.Button {
	var out []discordgo.Button
	for _, b := range row.Buttons {
		style := discordgo.SecondaryButton
		switch b.Action {
		case chat.ActionSee:
			b.Label, style = "📖 "+b.Label, discordgo.PrimaryButton
		case chat.ActionPreview:
			b.Label = "👁 " + b.Label
		case chat.ActionPick, chat.ActionPost:
			style = discordgo.PrimaryButton
		case chat.ActionYes:
			style = discordgo.SuccessButton
		case chat.ActionNo:
			style = discordgo.DangerButton
		}
		btn := button(b.Label, style, b.Action, b.Ref)
		btn.Disabled = b.Disabled
		out = append(out, btn)
	}
	return out
}

// replyPosts renders a reply of the answering core (chat.ReplyView).
func replyPosts(r intents.Reply) []post { return draw(chat.ReplyView(r)) }

// embedPosts puts markdown in embeds within Discord's limits: 4096
// characters a description, 6000 and 10 embeds a message.
func embedPosts(title, md string) []post {
	title = chat.Truncate(title, titleLimit)
	var posts []post
	cur, size := post{}, 0
	for i, piece := range chat.Split(Markdown(md), descriptionLimit) {
		e := &discordgo.MessageEmbed{Description: piece, Color: colour}
		if i == 0 && title != "" {
			e.Title = title
		}
		n := chat.Len(e.Title) + chat.Len(piece)
		if len(cur.Embeds) > 0 && (size+n > embedsTotal || len(cur.Embeds) == maxEmbeds) {
			posts = append(posts, cur)
			cur, size = post{}, 0
		}
		cur.Embeds = append(cur.Embeds, e)
		size += n
	}
	return append(posts, cur)
}

// textPosts is markdown as plain content, split within 2000 characters.
func textPosts(md string) []post {
	var out []post
	for _, piece := range chat.Split(Markdown(md), contentLimit) {
		out = append(out, post{Content: piece})
	}
	return out
}

// noMentions lets a message ping nobody: not @everyone, not a role, not a
// user quoted in a question.
// Markdown is the knowledge's markdown as Discord reads it: Discord takes a
// plain line right after a list item for the rest of that item, so a blank
// line is put between them.
func Markdown(md string) string {
	lines := strings.Split(md, "\n")
	out := make([]string, 0, len(lines))
	for i, l := range lines {
		if i > 0 && isItem(lines[i-1]) && strings.TrimSpace(l) != "" && !isItem(l) {
			out = append(out, "")
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

func isItem(line string) bool { return strings.HasPrefix(strings.TrimLeft(line, " "), "- ") }

func noMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}

// discordMarkup matches what Discord turns into mentions, channels, emoji
// and timestamps in message content.
var (
	discordMarkup = regexp.MustCompile(`<(?:@[!&]?\d+|#\d+|a?:\w+:\d+|t:-?\d+(?::\w)?|/[\w -]+:\d+)>`)
	broadcast     = regexp.MustCompile(`(^|[^\w.@])@(?:everyone|here)\b`)
)

// plainText turns a Discord message into what the person typed, for
// matching: mentions, channel links, custom emoji and timestamps dropped.
func plainText(s string) string {
	s = broadcast.ReplaceAllString(discordMarkup.ReplaceAllString(s, " "), "$1 ")
	return chat.Tidy(s)
}
