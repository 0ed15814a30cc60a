package slack

import (
	"strings"

	"github.com/acad-lyon/helpdesk-bot/intents"
)

// mrkdwnStyle writes the knowledge's markdown as Slack mrkdwn: *bold*,
// `code`, <https://x|links>, • lists, and every &, < and > escaped, so
// that no text can become a mention such as <!channel>.
var mrkdwnStyle = intents.Style{
	Bullet:   "•",
	BoldMark: "*",
	Code:     func(code string) string { return "`" + code + "`" },
	Link:     func(text, url string) string { return "<" + url + "|" + text + ">" },
	Escape:   EscapeSlack,
}

// Mrkdwn renders the knowledge's markdown as Slack mrkdwn.
func Mrkdwn(md string) string { return intents.Render(md, mrkdwnStyle) }

// AnswerLimit is Slack's bound on an answer, for the validator: it must fit
// in one section block once formatted.
var AnswerLimit = intents.Limit{Platform: "Slack", Render: Mrkdwn, Max: sectionLimit}

// EscapeSlack escapes the three characters Slack's mrkdwn gives meaning to,
// so that text can never become a link or a mention such as <!channel>.
func EscapeSlack(s string) string { return slackEscaper.Replace(s) }

var slackEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
