package intents

import (
	"regexp"
	"strings"
)

var (
	linkPattern = regexp.MustCompile(`\[([^\]\n]+)\]\(([^)\s]+)\)`)
	listPattern = regexp.MustCompile(`^(\s*)(?:[-*]|(\d+)\.)\s+`)
)

// Style is how an output writes the pieces of the knowledge's markdown
// subset. Each platform adapter has its own (Slack's mrkdwn lives in
// adapters/slack); PlainText is the console's and the terminal's.
type Style struct {
	Bullet   string // starts a list item ("- 1." lists keep their number)
	BoldMark string // replaces each ** ("" drops them)
	// Code writes `code` (its text escaped); nil keeps the text alone.
	Code func(code string) string
	// Link writes a link whose address is Linkable (text and address
	// escaped); nil, or for other addresses, "text (address)".
	Link func(text, url string) string
	// Escape escapes plain text; nil keeps it.
	Escape func(s string) string
}

// PlainText is the style of plain text: the console, `bot ask`, logs.
var PlainText = Style{Bullet: "-"}

// RenderText renders markdown as plain text.
func RenderText(md string) string { return Render(md, PlainText) }

// Render converts text in the knowledge's markdown subset (**bold**, `code`,
// [text](url) links, "- " and "1. " lists) to style st.
func Render(md string, st Style) string {
	lines := strings.Split(md, "\n")
	for i, line := range lines {
		prefix := ""
		if m := listPattern.FindStringSubmatch(line); m != nil {
			bullet := st.Bullet
			if m[2] != "" {
				bullet = m[2] + "."
			}
			prefix = m[1] + bullet + " "
			line = line[len(m[0]):]
		}
		lines[i] = prefix + renderInline(line, st)
	}
	return strings.Join(lines, "\n")
}

func renderInline(s string, st Style) string {
	var b strings.Builder
	esc := func(t string) string {
		if st.Escape != nil {
			return st.Escape(t)
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
			code := esc(s[1 : 1+end])
			if st.Code != nil {
				code = st.Code(code)
			}
			b.WriteString(code)
			s = s[end+2:]
		case strings.HasPrefix(s, "**"):
			b.WriteString(st.BoldMark)
			s = s[2:]
		case s[0] == '[':
			if loc := linkPattern.FindStringSubmatchIndex(s); loc != nil && loc[0] == 0 {
				text, url := s[loc[2]:loc[3]], s[loc[4]:loc[5]]
				switch {
				case st.Link != nil && Linkable(url):
					b.WriteString(st.Link(esc(text), esc(url)))
				case text == url || "https://"+text == url || "https://"+text+"/" == url:
					b.WriteString(esc(text)) // the address is its own text
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

// Linkable reports whether url may become a link: web and mail addresses
// only, so that no markup can turn into a mention (<!channel>) or a
// surprise scheme.
func Linkable(url string) bool {
	return strings.HasPrefix(url, "https://") || strings.HasPrefix(url, "http://") || strings.HasPrefix(url, "mailto:")
}
