package intents

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// AddQuestions adds example questions to the entry id of a knowledge file,
// by language, after the entry's last example question of that language,
// indented as it is and each between double quotes, leaving every other
// byte of the file as it was (comments included): the console's patches.
// It reports false when src does not hold the entry.
func AddQuestions(src []byte, id string, byLang map[string][]string) ([]byte, bool, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil || len(doc.Content) == 0 {
		return nil, false, err
	}
	entries := child(doc.Content[0], "entries")
	if entries == nil {
		return nil, false, nil
	}
	var entry *yaml.Node
	for _, e := range entries.Content {
		if v := child(e, "id"); v != nil && v.Value == id {
			entry = e
		}
	}
	if entry == nil {
		return nil, false, nil
	}
	lines := strings.SplitAfter(string(src), "\n")
	type insertion struct {
		after int // a line index: the new lines go after it
		text  []string
	}
	var ins []insertion
	for lang, qs := range byLang {
		list := child(child(entry, "questions"), lang)
		if list == nil || list.Kind != yaml.SequenceNode || len(list.Content) == 0 {
			return nil, false, fmt.Errorf("the entry %q has no example questions in %s to add to", id, lang)
		}
		last := list.Content[len(list.Content)-1].Line - 1
		indent := lines[last][:len(lines[last])-len(strings.TrimLeft(lines[last], " "))]
		var text []string
		for _, q := range qs {
			text = append(text, indent+"- "+quote(q)+"\n")
		}
		ins = append(ins, insertion{last, text})
	}
	slices.SortFunc(ins, func(a, b insertion) int { return b.after - a.after }) // from the end: earlier indexes stay true
	for _, in := range ins {
		lines = slices.Insert(lines, in.after+1, in.text...)
	}
	var b bytes.Buffer
	for _, l := range lines {
		b.WriteString(l)
	}
	return b.Bytes(), true, nil
}

// quote is a YAML double-quoted text.
func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", " ", "\t", " ").Replace(s) + `"`
}

// Draft is a new entry as the console drafts it from questions asked in
// vain: the questions become its first example questions.
type Draft struct {
	ID              string
	Title, Answer   Text
	Questions       Texts
	Owner, Reviewed string
}

// AddEntry appends the draft at the end of the entries of a knowledge file,
// after the last entry (before the comments that open the next section),
// leaving every other byte as it was. It reports false when src has no
// entries.
func AddEntry(src []byte, d Draft) ([]byte, bool, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil || len(doc.Content) == 0 {
		return nil, false, err
	}
	root := doc.Content[0]
	if child(root, "entries") == nil {
		return nil, false, nil
	}
	lines := strings.SplitAfter(string(src), "\n")
	end := len(lines) // the line index the entry goes before
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "entries" && i+2 < len(root.Content) {
			end = root.Content[i+2].Line - 1
		}
	}
	for end > 0 && (strings.TrimSpace(lines[end-1]) == "" || strings.HasPrefix(strings.TrimSpace(lines[end-1]), "#")) {
		end--
	}
	var b strings.Builder
	b.WriteString("  - id: " + d.ID + "\n    title:\n")
	for _, lang := range Languages {
		b.WriteString("      " + lang + ": " + quote(d.Title.In(lang)) + "\n")
	}
	b.WriteString("    questions:\n")
	for _, lang := range Languages {
		b.WriteString("      " + lang + ":\n")
		for _, q := range d.Questions.In(lang) {
			b.WriteString("        - " + quote(q) + "\n")
		}
	}
	b.WriteString("    answer:\n")
	for _, lang := range Languages {
		b.WriteString("      " + lang + ": |\n")
		for _, l := range strings.Split(strings.TrimSpace(strings.ReplaceAll(d.Answer.In(lang), "\r\n", "\n")), "\n") {
			b.WriteString("        " + strings.TrimRight(l, " \t") + "\n")
		}
	}
	b.WriteString("    owner: " + quote(d.Owner) + "\n    reviewed: " + d.Reviewed + "\n")
	if end > 0 && !strings.HasSuffix(lines[end-1], "\n") {
		lines[end-1] += "\n"
	}
	lines = slices.Insert(lines, end, b.String())
	return []byte(strings.Join(lines, "")), true, nil
}
