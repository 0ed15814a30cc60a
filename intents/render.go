package intents

import (
	"fmt"
	"regexp"
	"strings"
)

// Format is an output format of answers.
type Format string

// The formats answers can be rendered in.
const (
	FormatText     Format = "text"     // plain text, for the console and logs
	FormatMarkdown Format = "markdown" // the knowledge's own markdown subset
	FormatSlack    Format = "slack"    // Slack mrkdwn
	FormatDiscord  Format = "discord"  // Discord markdown
)

// Formats lists every format, for help texts and flag checks.
var Formats = []Format{FormatText, FormatMarkdown, FormatSlack, FormatDiscord}

// ParseFormat checks a format name.
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats {
		if string(f) == s {
			return f, nil
		}
	}
	return "", fmt.Errorf("unknown format %q (use text, markdown, slack or discord)", s)
}

var (
	linkPattern = regexp.MustCompile(`\[([^\]\n]+)\]\(([^)\s]+)\)`)
	listPattern = regexp.MustCompile(`^(\s*)(?:[-*]|(\d+)\.)\s+`)
)

// Render converts text in the knowledge's markdown subset (**bold**, `code`,
// [text](url) links, "- " and "1. " lists) to format f.
func Render(md string, f Format) string {
	if f == FormatMarkdown || f == FormatDiscord {
		return md
	}
	lines := strings.Split(md, "\n")
	for i, line := range lines {
		prefix := ""
		if m := listPattern.FindStringSubmatch(line); m != nil {
			bullet := "•"
			if f == FormatText {
				bullet = "-"
			}
			if m[2] != "" {
				bullet = m[2] + "."
			}
			prefix = m[1] + bullet + " "
			line = line[len(m[0]):]
		}
		lines[i] = prefix + renderInline(line, f)
	}
	return strings.Join(lines, "\n")
}

func renderInline(s string, f Format) string {
	var b strings.Builder
	esc := func(t string) string {
		if f == FormatSlack {
			return EscapeSlack(t)
		}
		return t
	}
	for len(s) > 0 {
		switch {
		case s[0] == '`':
			end := strings.IndexByte(s[1:], '`')
			if end < 0 {
				b.WriteString(esc(s))
				return b.String()
			}
			code := s[1 : 1+end]
			if f == FormatSlack {
				b.WriteString("`" + esc(code) + "`")
			} else {
				b.WriteString(code)
			}
			s = s[end+2:]
		case strings.HasPrefix(s, "**"):
			if f == FormatSlack {
				b.WriteByte('*')
			}
			s = s[2:]
		case s[0] == '[':
			if loc := linkPattern.FindStringSubmatchIndex(s); loc != nil && loc[0] == 0 {
				text, url := s[loc[2]:loc[3]], s[loc[4]:loc[5]]
				switch {
				case f == FormatSlack && linkable(url):
					b.WriteString("<" + esc(url) + "|" + esc(text) + ">")
				case text == url:
					b.WriteString(esc(url))
				default:
					b.WriteString(esc(text + " (" + url + ")"))
				}
				s = s[loc[1]:]
				continue
			}
			b.WriteString(esc("["))
			s = s[1:]
		default:
			n := strings.IndexAny(s, "`*[")
			if n == 0 { // a lone *
				n = 1
			} else if n < 0 {
				n = len(s)
			}
			b.WriteString(esc(s[:n]))
			s = s[n:]
		}
	}
	return b.String()
}

// linkable reports whether url may become a link: web and mail addresses
// only, so that no markup can turn into a mention (<!channel>) or a
// surprise scheme.
func linkable(url string) bool {
	return strings.HasPrefix(url, "https://") || strings.HasPrefix(url, "http://") || strings.HasPrefix(url, "mailto:")
}

// EscapeSlack escapes the three characters Slack's mrkdwn gives meaning to,
// so that text can never become a link or a mention such as <!channel>.
func EscapeSlack(s string) string {
	return slackEscaper.Replace(s)
}

var slackEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
