package intents

import (
	"bytes"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// syntaxProblems finds, line by line, the YAML mistakes contributors make
// by hand, in a file the YAML library refused (or read into values of the
// wrong kind: a question holding ": " becomes a mapping): the library
// reports most of them where it gives up, often lines away from the cause,
// in words that mean nothing to a teacher. Each is reported once, on its
// own line, in plain words with the fix; when there is one, the library's
// report and the checks that follow are left out, since they would only
// describe its consequences. It is never run on a file the library reads
// as it shows: valid YAML in any style is not a mistake.
func syntaxProblems(name string, src []byte) Problems {
	if !utf8.Valid(src) {
		line := 1 + bytes.Count(src[:invalidUTF8(src)], []byte("\n"))
		return Problems{{File: name, Line: line, Msg: "this file is not UTF-8 (it was probably saved as Latin-1 or Windows-1252, and its accents are not readable): save it as UTF-8, which every editor offers"}}
	}
	var probs Problems
	lines := strings.Split(string(src), "\n")
	block := -1 // the indentation of the key of the block text (|, >) being read
	for i, raw := range lines {
		n := i + 1
		line := strings.TrimRight(raw, "\r")
		indent := line[:len(line)-len(strings.TrimLeft(line, " \t"))]
		if block >= 0 {
			if strings.TrimSpace(line) == "" || len(indent) > block {
				continue // the text of an answer: markdown, not YAML
			}
			block = -1
		}
		if blockStart.MatchString(line) {
			block = len(indent)
		}
		if strings.Contains(indent, "\t") {
			probs = append(probs, &Problem{File: name, Line: n, Msg: "a tab in the indentation: indent with spaces only (two per level), as the lines around it"})
			continue
		}
		text, ok := strings.CutPrefix(strings.TrimLeft(line, " "), "- ")
		if !ok {
			continue
		}
		if msg := itemProblem(strings.TrimSpace(text)); msg != "" {
			probs = append(probs, &Problem{File: name, Line: n, Msg: msg})
			continue
		}
		if msg := misaligned(lines, i); msg != "" {
			probs = append(probs, &Problem{File: name, Line: n, Msg: msg})
		}
	}
	return probs
}

// swallowed finds, in a file the YAML library reads, the list items it
// reads otherwise than they show: a "- question" indented differently from
// the items around it is the end of the plain text above it, not an item
// ("- a" then "   - b" is the one question "a - b").
func swallowed(name string, src []byte, doc *yaml.Node) Problems {
	lines := strings.Split(string(src), "\n")
	var probs Problems
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.SequenceNode {
			for k := 0; k+1 < len(n.Content); k++ {
				a, b := n.Content[k], n.Content[k+1]
				if a.Kind != yaml.ScalarNode || b.Kind != yaml.ScalarNode || a.Style != 0 {
					continue // only a plain text goes on to the next lines
				}
				for i := a.Line; i < b.Line-1 && i < len(lines); i++ { // lines a.Line+1 .. b.Line-1, 0-based i
					line := strings.TrimRight(lines[i], "\r")
					t := strings.TrimLeft(line, " ")
					if strings.HasPrefix(t, "- ") {
						probs = append(probs, &Problem{File: name, Line: i + 1, Msg: fmt.Sprintf("this line is indented %d spaces, the items around it %d: YAML reads it as the end of the text above, not as an item; align its \"-\" with theirs", len(line)-len(t), b.Column-3)})
					}
				}
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(doc)
	return probs
}

// blockStart is a line whose value is a block text: "fr: |", "- >-".
var blockStart = regexp.MustCompile(`(?:^|:|-)\s+[|>][-+0-9]*\s*(?:#.*)?$`)

// invalidUTF8 is the offset of the first byte that is not UTF-8.
func invalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return len(b)
}

// listKeys are the keys that may start an item of a list of mappings (an
// entry, a service): "- id: imap-settings". Any other "- word: ..." is a
// text that holds ": ".
var listKeys = func() map[string]bool {
	m := map[string]bool{}
	for k := range yamlFields(reflect.TypeFor[Entry]()) {
		m[k] = true
	}
	return m
}()

// itemProblem checks the text of one list item ("- ..."), for the mistakes
// of quoting.
func itemProblem(text string) string {
	switch {
	case text == "":
		return ""
	case text[0] == '"':
		if end := closingDouble(text); end < 0 {
			return `the " that opens this text is never closed: add " at the end of the line`
		} else if rest := strings.TrimSpace(text[end+1:]); rest != "" && rest[0] != '#' {
			return `a " inside the text ends it too early: write \" for a quotation mark inside, or use « »`
		}
	case text[0] == '\'':
		if end := closingSingle(text); end < 0 {
			return "the ' that opens this text is never closed: put the whole text between double quotes instead (\"l'identifiant\")"
		} else if rest := strings.TrimSpace(text[end+1:]); rest != "" && rest[0] != '#' {
			return "an apostrophe inside '...' ends the text: put the whole text between double quotes instead (\"l'identifiant\")"
		}
	case text[0] == '[' || text[0] == '{' || text[0] == '|' || text[0] == '>':
		// a list of synonyms, a mapping or a block: the library checks it
	default:
		if key, _, ok := strings.Cut(text, ": "); ok && !listKeys[key] && !strings.ContainsAny(key, `"'#`) {
			return `the text contains ": ", which YAML reads as "key: value": put the whole text between double quotes`
		}
		if strings.HasSuffix(text, ":") && !strings.Contains(text, " ") && !listKeys[strings.TrimSuffix(text, ":")] {
			return `the text ends with ":", which YAML reads as a key: put the whole text between double quotes`
		}
		if strings.ContainsAny(text[:1], "*&!%@`") {
			return fmt.Sprintf("a text cannot start with %q in YAML: put the whole text between double quotes", text[:1])
		}
	}
	return ""
}

// closingDouble is the index of the quote that closes a double-quoted text
// (\" escapes one), or -1.
func closingDouble(s string) int {
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return i
		}
	}
	return -1
}

// closingSingle is the index of the quote that closes a single-quoted text
// (” stands for one quote), or -1.
func closingSingle(s string) int {
	for i := 1; i < len(s); i++ {
		if s[i] == '\'' {
			if i+1 < len(s) && s[i+1] == '\'' {
				i++
				continue
			}
			return i
		}
	}
	return -1
}

// misaligned reports a list item indented differently from the items around
// it, in the same list: the item before it and the one after it agree.
func misaligned(lines []string, i int) string {
	col := func(j int) (int, bool) {
		if j < 0 || j >= len(lines) {
			return 0, false
		}
		l := strings.TrimRight(lines[j], "\r")
		t := strings.TrimLeft(l, " ")
		return len(l) - len(t), strings.HasPrefix(t, "- ")
	}
	here, _ := col(i)
	before, itemBefore := col(i - 1)
	after, itemAfter := col(i + 1)
	if itemBefore && itemAfter && before == after && here != before {
		return fmt.Sprintf("this line is indented %d spaces, the lines around it %d: align its \"-\" with theirs", here, before)
	}
	return ""
}
