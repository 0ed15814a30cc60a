package chat

import (
	"strings"
	"unicode/utf8"
)

// Split cuts text into pieces of at most limit characters, counted as
// Slack and Discord count them (UTF-16 code units, so an emoji is two), at the cleanest place
// available: between paragraphs, then between lines, then between words, and
// only as a last resort inside a word (never inside a rune). Pieces are
// trimmed of the blank lines at the cut; nothing else is lost or changed.
func Split(text string, limit int) []string {
	if limit <= 0 {
		return []string{text}
	}
	var out []string
	for Len(text) > limit {
		cut := cutPoint(text, limit)
		head := strings.TrimRight(text[:cut], " \n")
		if head == "" { // only blanks before the cut: skip them
			text = strings.TrimLeft(text[cut:], " \n")
			continue
		}
		out = append(out, head)
		text = strings.TrimLeft(text[cut:], " \n")
	}
	if text != "" || len(out) == 0 {
		out = append(out, text)
	}
	return out
}

// Len returns the length of s as the platforms count it: UTF-16 code units.
func Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16Len(r)
	}
	return n
}

func utf16Len(r rune) int {
	if r > 0xFFFF {
		return 2
	}
	return 1
}

// cutPoint returns the byte offset to cut text at so that the head holds at
// most limit characters.
func cutPoint(text string, limit int) int {
	max, units := 0, 0 // byte offset and length of the longest head that fits
	for max < len(text) {
		r, n := utf8.DecodeRuneInString(text[max:])
		if units+utf16Len(r) > limit {
			break
		}
		units += utf16Len(r)
		max += n
	}
	window := text[:max]
	for _, sep := range []string{"\n\n", "\n", " "} {
		// Cut late enough that pieces are not needlessly small.
		if i := strings.LastIndex(window, sep); i > max/3 {
			return i + len(sep)
		}
	}
	return max
}

// Truncate cuts s to at most n characters as the platforms count them
// (UTF-16 units, see Len), the last one an ellipsis.
func Truncate(s string, n int) string {
	if Len(s) <= n {
		return s
	}
	size := 0
	for i, r := range s {
		if size+utf16Len(r) > n-1 {
			return s[:i] + "…"
		}
		size += utf16Len(r)
	}
	return s
}

// Tidy is what a person typed, as the conversation reads it: the spaces of
// each line collapsed, blank lines dropped, the line breaks kept (the
// secret guard reads "mot de passe" on one line and its value on the next
// as a label and its value).
func Tidy(s string) string {
	var b strings.Builder
	for line := range strings.Lines(s) {
		if f := strings.Fields(line); len(f) > 0 {
			if b.Len() > 0 {
				b.WriteByte('\n')
			}
			b.WriteString(strings.Join(f, " "))
		}
	}
	return b.String()
}
