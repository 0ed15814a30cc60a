package discord

import (
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

// Button actions, the first part of a custom_id ("action:id|lang").
const (
	actionPick    = "pick"     // a did-you-mean choice: replaces the suggestion
	actionSee     = "see"      // a see-also entry: answered in a new message
	actionYes     = "vote-yes" // 👍
	actionNo      = "vote-no"  // 👎
	actionHuman   = "human"    // talk to a person
	actionDone    = "voted"    // the disabled thanks after a vote
	actionPost    = "post"     // posts a /faq preview in the conversation
	actionPreview = "preview"  // previews another close entry instead
)

// post is one Discord message of a reply.
type post struct {
	Content    string
	Embeds     []*discordgo.MessageEmbed
	Components []discordgo.MessageComponent
}

func customID(action string, ref chat.Ref) string {
	return truncate(action+":"+ref.String(), customIDLimit)
}

// parseCustomID splits a custom_id made by customID; the value comes back
// from Discord, so it is checked.
func parseCustomID(id string) (string, chat.Ref, bool) {
	action, value, ok := strings.Cut(id, ":")
	if !ok {
		return "", chat.Ref{}, false
	}
	ref, ok := chat.ParseRef(value)
	return action, ref, ok
}

func button(label string, style discordgo.ButtonStyle, action string, ref chat.Ref) discordgo.Button {
	return discordgo.Button{Label: truncate(label, buttonLimit), Style: style, CustomID: customID(action, ref)}
}

// rows lays buttons out in action rows of five, within Discord's five rows.
func rows(buttons []discordgo.Button) []discordgo.MessageComponent {
	var out []discordgo.MessageComponent
	for len(buttons) > 0 && len(out) < maxRows {
		n := min(len(buttons), rowButtons)
		row := discordgo.ActionsRow{}
		for _, b := range buttons[:n] {
			row.Components = append(row.Components, b)
		}
		out = append(out, row)
		buttons = buttons[n:]
	}
	return out
}

// feedbackButtons are 👍 / 👎 and "talk to a person" under an answer; after
// a vote, a disabled thanks in their place.
func feedbackButtons(ref chat.Ref, voted, called bool) []discordgo.Button {
	l := chat.LabelsIn(ref.Lang)
	var out []discordgo.Button
	if voted {
		b := button(l.Thanks, discordgo.SecondaryButton, actionDone, ref)
		b.Disabled = true
		out = append(out, b)
	} else {
		out = append(out, button(l.Yes, discordgo.SuccessButton, actionYes, ref), button(l.No, discordgo.DangerButton, actionNo, ref))
	}
	if !called {
		out = append(out, button(l.Human, discordgo.SecondaryButton, actionHuman, ref))
	}
	return out
}

// replyPosts renders a reply of the answering core as one or more messages
// (an answer longer than Discord takes in one is split at clean places):
// embeds with the entry's title and answer, see-also and feedback buttons
// on the last one; suggestions as buttons; the fallback with a person.
func replyPosts(r intents.Reply) []post {
	ref := chat.Ref{ID: "human", Lang: r.Lang}
	switch r.Outcome {
	case intents.Answered:
		ref = chat.Ref{ID: r.Entry.ID, Lang: r.Lang}
		var see []discordgo.Button
		for _, f := range r.FollowUps {
			see = append(see, button("📖 "+f.Title.In(r.Lang), discordgo.PrimaryButton, actionSee, chat.Ref{ID: f.ID, Lang: r.Lang}))
		}
		posts := embedPosts(r.Entry.Title.In(r.Lang), r.Text)
		last := &posts[len(posts)-1]
		last.Components = append(rows(see), rows(feedbackButtons(ref, false, false))...)
		return posts
	case intents.Suggested:
		var picks []discordgo.Button
		for _, a := range r.Alternatives {
			picks = append(picks, button(a.Entry.Title.In(r.Lang), discordgo.PrimaryButton, actionPick, chat.Ref{ID: a.Entry.ID, Lang: r.Lang}))
		}
		picks = append(picks, button(chat.LabelsIn(r.Lang).Human, discordgo.SecondaryButton, actionHuman, ref))
		posts := embedPosts("", r.Intro)
		posts[len(posts)-1].Components = rows(picks)
		return posts
	case intents.Redirected:
		return embedPosts(r.Service.Title.In(r.Lang), r.Text)
	case intents.Fallback:
		posts := embedPosts("", r.Text)
		posts[len(posts)-1].Components = rows([]discordgo.Button{button(chat.LabelsIn(r.Lang).Human, discordgo.SecondaryButton, actionHuman, ref)})
		return posts
	}
	return embedPosts("", r.Text)
}

// embedPosts puts markdown in embeds within Discord's limits: 4096
// characters a description, 6000 and 10 embeds a message.
func embedPosts(title, md string) []post {
	title = truncate(title, titleLimit)
	var posts []post
	cur, size := post{}, 0
	for i, piece := range chat.Split(md, descriptionLimit) {
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

// cannedPosts is an entry's answer published with /faq, signed by the agent.
func cannedPosts(r intents.Reply, agent string) []post {
	posts := replyPosts(r)
	if agent != "" {
		last := posts[len(posts)-1].Embeds
		last[len(last)-1].Footer = &discordgo.MessageEmbedFooter{Text: truncate(strings.ReplaceAll(chat.LabelsIn(r.Lang).PostedBy, "%s", agent), 2048)}
	}
	return posts
}

// previewPost is the private preview of a canned answer /faq shows an
// agent: the answer, a button to post it, and the other close entries to
// preview instead.
func previewPost(r intents.Reply, others []*intents.Entry) post {
	l := chat.LabelsIn(r.Lang)
	ref := chat.Ref{ID: r.Entry.ID, Lang: r.Lang}
	p := embedPosts(r.Entry.Title.In(r.Lang), r.Text)[0]
	p.Content = l.Preview
	buttons := []discordgo.Button{button(l.Post, discordgo.PrimaryButton, actionPost, ref)}
	for _, e := range others {
		buttons = append(buttons, button("👁 "+e.Title.In(r.Lang), discordgo.SecondaryButton, actionPreview, chat.Ref{ID: e.ID, Lang: r.Lang}))
	}
	p.Components = rows(buttons)
	return p
}

// textPosts is markdown as plain content, split within 2000 characters.
func textPosts(md string) []post {
	var out []post
	for _, piece := range chat.Split(md, contentLimit) {
		out = append(out, post{Content: piece})
	}
	return out
}

// noMentions lets a message ping nobody: not @everyone, not a role, not a
// user quoted in a question.
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
	return strings.Join(strings.Fields(s), " ")
}

// truncate cuts s to at most n characters (UTF-16 units), with an ellipsis.
func truncate(s string, n int) string {
	if chat.Len(s) <= n {
		return s
	}
	out, size := []rune{}, 0
	for _, r := range s {
		w := 1
		if r > 0xFFFF {
			w = 2
		}
		if size+w > n-1 {
			break
		}
		out = append(out, r)
		size += w
	}
	return string(out) + "…"
}
