package slack

import (
	"regexp"
	"strings"

	"github.com/acad-lyon/helpdesk-bot/internal/chat"
)

// slackMarkup matches Slack's angle-bracket markup in message text: user and
// channel mentions (<@U123>, <#C123|name>), special mentions (<!here>) and
// links (<https://x|label>).
var slackMarkup = regexp.MustCompile(`<([^<>|\n]*)(?:\|([^<>\n]*))?>`)

var slackUnescaper = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")

// plainText turns the text of a Slack message into what the person typed,
// for matching: mentions dropped (the bot's and anybody's), channel names
// and link labels kept, entities unescaped.
func plainText(s string) string {
	s = slackMarkup.ReplaceAllStringFunc(s, func(m string) string {
		sub := slackMarkup.FindStringSubmatch(m)
		target, label := sub[1], sub[2]
		switch {
		case strings.HasPrefix(target, "@"), strings.HasPrefix(target, "!"):
			return " "
		case strings.HasPrefix(target, "#"):
			return " " + label + " "
		case label != "":
			return " " + label + " "
		default:
			return " " + strings.TrimPrefix(strings.TrimPrefix(target, "mailto:"), "tel:") + " "
		}
	})
	return chat.Tidy(slackUnescaper.Replace(s))
}
