package intents

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Problem is one thing wrong in a knowledge file, with where it is and how
// to fix it. Its Error reads FILE:LINE: entry "id": message.
type Problem struct {
	File string
	Line int
	ID   string // entry id, "" for a problem outside an entry
	Msg  string

	meant   string // an unknown key: the key it probably misspells
	missing string // a missing value: the key that should give it
}

func (p *Problem) Error() string {
	loc := p.File
	if p.Line > 0 {
		loc += ":" + strconv.Itoa(p.Line)
	}
	if p.ID != "" {
		return fmt.Sprintf("%s: entry %q: %s", loc, p.ID, p.Msg)
	}
	return fmt.Sprintf("%s: %s", loc, p.Msg)
}

// Problems is the list of everything wrong with a knowledge base, in file
// and line order.
type Problems []*Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.Error()
	}
	return strings.Join(lines, "\n")
}

// ErrUnreadable wraps failures to read a knowledge file or folder at all (as
// opposed to problems in its content).
var ErrUnreadable = errors.New("knowledge unreadable")

// Files returns the knowledge files at path: the file itself, or the *.yaml
// and *.yml files of a folder, sorted.
func Files(path string) ([]string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnreadable, err)
	}
	if !st.IsDir() {
		return []string{path}, nil
	}
	var files []string
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && (strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")) {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnreadable, err)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%w: no .yaml file in %s", ErrUnreadable, path)
	}
	slices.Sort(files)
	return files, nil
}

// Load reads, checks and indexes the knowledge at path (a file or a folder
// of *.yaml). When anything is wrong it returns every problem at once as
// Problems, or an error wrapping ErrUnreadable when a file cannot be read.
// It does not train the matcher: NewCore (or LoadCore) does, and runs the
// self-test that every example leads back to its own entry.
func Load(path string, rules ...Rule) (*Knowledge, error) {
	files, err := Files(path)
	if err != nil {
		return nil, err
	}
	srcs := make(map[string][]byte, len(files))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrUnreadable, err)
		}
		srcs[f] = b
	}
	return Parse(files, srcs, rules...)
}

// Parse is Load on files already read: srcs maps each name of files to its
// content.
func Parse(files []string, srcs map[string][]byte, rules ...Rule) (*Knowledge, error) {
	var probs Problems
	syntaxErrors := false
	kb := &Knowledge{}
	var locs []located
	setOnce := map[string]string{} // top-level section -> file that set it
	for _, name := range files {
		if len(files) > 1 && backupNames.MatchString(filepath.Base(name)) {
			// Read with the others, a copy repeats every entry of its
			// original: one problem says what it is, instead of one per id.
			probs = append(probs, &Problem{File: name, Line: 1, Msg: "this file is named like a backup copy, and every .yaml file of the knowledge folder is read: move it out of the folder (or rename it, if it is new knowledge)"})
			syntaxErrors = true
			continue
		}
		// The YAML library decides what the file says. Only when it refuses
		// the file, or reads a line otherwise than it shows, are the lines
		// read one by one for the mistake a contributor made by hand, to
		// say it on its line, in plain words, with the fix: a file another
		// editor or library wrote in another valid style means the same
		// data, and validates the same.
		doc, p := parseFile(name, srcs[name])
		var part Knowledge
		var decodeErr error
		if doc != nil {
			decodeErr = doc.Decode(&part)
		}
		if doc == nil || decodeErr != nil {
			syntaxErrors = true
			if lp := syntaxProblems(name, srcs[name]); len(lp) > 0 {
				probs = append(probs, lp...) // the cause, instead of where the library gave up
				continue
			}
			probs = append(probs, p...)
			if decodeErr != nil {
				// A value of the wrong kind: the file's content is not
				// known, so checking the whole would report only
				// consequences.
				probs = append(probs, decodeProblems(name, decodeErr)...)
			}
			continue
		}
		if sp := swallowed(name, srcs[name], doc); len(sp) > 0 {
			probs = append(probs, sp...)
			syntaxErrors = true
			continue
		}
		probs = append(probs, p...)
		root := doc.Content[0]
		for _, key := range []string{"version", "settings", "messages", "contact"} {
			if n := child(root, key); n != nil {
				if prev, ok := setOnce[key]; ok && key != "version" {
					probs = append(probs, &Problem{File: name, Line: n.Line, Msg: fmt.Sprintf("%q is already set in %s; keep it in one file only", key, prev)})
				}
				setOnce[key] = name
			}
		}
		if part.Version != SchemaVersion {
			line := 1
			if n := child(root, "version"); n != nil {
				line = n.Line
			}
			probs = append(probs, &Problem{File: name, Line: line, Msg: fmt.Sprintf("version must be %d (add \"version: %d\" at the top of the file)", SchemaVersion, SchemaVersion)})
		}
		if child(root, "settings") != nil {
			kb.Settings = part.Settings
		}
		if child(root, "messages") != nil {
			kb.Messages = part.Messages
		}
		if n := child(root, "contact"); n != nil {
			kb.Contact, kb.contactAt = part.Contact, Problem{File: name, Line: n.Line}
		}
		kb.Version = SchemaVersion
		kb.Synonyms = append(kb.Synonyms, part.Synonyms...)
		for _, l := range locateEntries(name, child(root, "entries"), part.Entries) {
			kb.Entries = append(kb.Entries, l.entry)
			locs = append(locs, l)
		}
		for _, l := range locateEntries(name, child(root, "services"), part.Services) {
			e := l.entry
			l.wrongKind = e.Kind != "" && e.Kind != KindService
			e.Kind = KindService
			kb.Services = append(kb.Services, e)
			locs = append(locs, l)
		}
		kb.WebmailNames = append(kb.WebmailNames, part.WebmailNames...)
		kb.OutOfScope.FR = append(kb.OutOfScope.FR, part.OutOfScope.FR...)
		kb.OutOfScope.EN = append(kb.OutOfScope.EN, part.OutOfScope.EN...)
		kb.NotSolved.FR = append(kb.NotSolved.FR, part.NotSolved.FR...)
		kb.NotSolved.EN = append(kb.NotSolved.EN, part.NotSolved.EN...)
		if n := child(root, "out_of_scope"); n != nil {
			locs = append(locs, located{file: name, outOfScope: n, oos: part.OutOfScope})
		}
		if len(part.Synonyms) > 0 {
			locs = append(locs, locatedSynonyms(name, child(root, "synonyms")))
		}
	}
	kb.Settings.defaults()
	typesetFrench(kb)
	kb.index()
	if syntaxErrors {
		// What follows a syntax error is unknown: checking the rest would
		// only report its consequences.
		sortProblems(probs)
		return nil, probs
	}
	probs = withoutConsequences(append(probs, validate(kb, locs, rules)...))
	if len(probs) > 0 {
		for _, p := range probs {
			if p.File == "" && len(files) > 0 {
				p.File = files[0] // a problem of the whole knowledge
			}
		}
		sortProblems(probs)
		return nil, probs
	}
	kb.locs = locs
	return kb, nil
}

// backupNames are what people call a copy they keep of a file.
var backupNames = regexp.MustCompile(`(?i)(\.bak|\.old|\.orig|\.save|backup|copie|copy|~)`)

// withoutConsequences leaves out what follows from a misspelt key (the
// value it was meant to give is missing): the teacher who reads "the
// answer is missing" first adds a second answer. The misspelt key, with
// its correction, says it all.
func withoutConsequences(probs Problems) Problems {
	meant := map[[2]string]bool{} // entry id, the key it misspelt
	for _, p := range probs {
		if p.meant != "" {
			meant[[2]string{p.ID, p.meant}] = true
		}
	}
	if len(meant) == 0 {
		return probs
	}
	return slices.DeleteFunc(probs, func(p *Problem) bool { return p.missing != "" && meant[[2]string{p.ID, p.missing}] })
}

// LoadCore reads, checks, trains and self-tests the knowledge at path in one
// step, and returns the answering core: what the bot serves. Every problem,
// the self-test's included, comes back at once as Problems.
func LoadCore(path string, rules ...Rule) (*Core, error) {
	kb, err := Load(path, rules...)
	if err != nil {
		return nil, err
	}
	return NewCore(kb)
}

// ParseCore is LoadCore on files already read (see Parse).
func ParseCore(files []string, srcs map[string][]byte, rules ...Rule) (*Core, error) {
	kb, err := Parse(files, srcs, rules...)
	if err != nil {
		return nil, err
	}
	return NewCore(kb)
}

// locateEntries gives the entries of a list (entries: or services:) their
// file and line, skipping empty items.
func locateEntries(name string, list *yaml.Node, entries []*Entry) []located {
	var out []located
	for i, e := range entries {
		if e == nil {
			continue
		}
		e.File = name
		var n *yaml.Node
		if list != nil && i < len(list.Content) {
			n = list.Content[i]
			e.Line = n.Line
		}
		out = append(out, locatedEntry(e, n))
	}
	return out
}

func sortProblems(ps Problems) {
	slices.SortStableFunc(ps, func(a, b *Problem) int {
		if c := strings.Compare(a.File, b.File); c != 0 {
			return c
		}
		return a.Line - b.Line
	})
}

// parseFile parses one file and checks every key against the schema, so that
// a misspelt key is reported with its line instead of being ignored.
func parseFile(name string, src []byte) (*yaml.Node, Problems) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, decodeProblems(name, err)
	}
	if len(doc.Content) == 0 {
		return nil, Problems{{File: name, Line: 1, Msg: "the file is empty; it needs at least \"version: 1\" and \"entries:\""}}
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, Problems{{File: name, Line: root.Line, Msg: "the file must be a mapping with keys such as version, messages, synonyms and entries"}}
	}
	var probs Problems
	checkKeys(name, root, reflect.TypeFor[Knowledge](), "", &probs)
	// Keep going after unknown keys: the decoder skips them, and the rest of
	// the file can still be checked in the same pass.
	return &doc, probs
}

var yamlLine = regexp.MustCompile(`line (\d+): (.*)`)

// decodeProblems turns a yaml.v3 error into located problems.
func decodeProblems(name string, err error) Problems {
	var msgs []string
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs = te.Errors
	} else {
		msgs = []string{strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	var probs Problems
	for _, m := range msgs {
		p := &Problem{File: name, Msg: m}
		if sub := yamlLine.FindStringSubmatch(m); sub != nil {
			p.Line, _ = strconv.Atoi(sub[1])
			p.Msg = plainYAML(sub[2])
		}
		probs = append(probs, p)
	}
	return probs
}

// plainYAML rewords the YAML library's messages for people who do not know
// Go types.
func plainYAML(m string) string {
	r := strings.NewReplacer("!!seq", "a list", "!!map", "a mapping (key: value)", "!!str", "a text", "!!int", "a number", "!!float", "a number", "!!bool", "true/false",
		"into int", "into a whole number", "into float64", "into a number", "into string", "into a text", "into []string", "into a list of texts",
		"into intents.Text", "into fr/en texts", "into intents.Texts", "into fr/en lists", "into []*intents.Entry", "into a list of entries",
		"into [][]string", "into a list of lists", "into intents.Knowledge", "into the knowledge file", "into intents.Entry", "into an entry")
	m = r.Replace(m)
	if strings.HasPrefix(m, "cannot unmarshal") {
		m = "wrong kind of value: " + strings.TrimPrefix(m, "cannot unmarshal ")
	}
	if strings.Contains(m, "found character that cannot start any token") || strings.Contains(m, "mapping values are not allowed") {
		m += " (check the indentation, and put texts containing \": \" or starting with a special character between quotes)"
	}
	return m
}

// checkKeys reports every mapping key that the Go type t does not declare,
// suggesting the closest declared key.
func checkKeys(file string, n *yaml.Node, t reflect.Type, id string, probs *Problems) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			return // the decoder reports the wrong kind of value
		}
		fields := yamlFields(t)
		names := make([]string, 0, len(fields))
		for k := range fields {
			names = append(names, k)
		}
		slices.Sort(names)
		if t == reflect.TypeFor[Entry]() {
			if v := child(n, "id"); v != nil {
				id = v.Value
			}
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			ft, ok := fields[k.Value]
			if !ok {
				msg := fmt.Sprintf("unknown key %q", k.Value)
				s := closest(k.Value, names)
				if s != "" {
					msg += fmt.Sprintf(" (did you mean %q?)", s)
				}
				msg += "; the keys allowed here are: " + strings.Join(names, ", ")
				*probs = append(*probs, &Problem{File: file, Line: k.Line, ID: id, Msg: msg, meant: s})
				continue
			}
			checkKeys(file, v, ft, id, probs)
		}
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			return
		}
		for _, item := range n.Content {
			checkKeys(file, item, t.Elem(), id, probs)
		}
	}
}

func yamlFields(t reflect.Type) map[string]reflect.Type {
	out := make(map[string]reflect.Type)
	for f := range t.Fields() {
		tag := strings.Split(f.Tag.Get("yaml"), ",")[0]
		if tag == "-" || !f.IsExported() {
			continue
		}
		if tag == "" {
			tag = strings.ToLower(f.Name)
		}
		out[tag] = f.Type
	}
	return out
}

// child returns the value of key in mapping n.
func child(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// keyLine returns the line of key in mapping n, or fallback.
func keyLine(n *yaml.Node, key string, fallback int) int {
	if n == nil || n.Kind != yaml.MappingNode {
		return fallback
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i].Line
		}
	}
	return fallback
}

// closest returns the candidate nearest to s by edit distance, if it is near
// enough to be a typo.
func closest(s string, candidates []string) string {
	best, bestD := "", 3
	for _, c := range candidates {
		if d := editDistance(strings.ToLower(s), c); d < bestD {
			best, bestD = c, d
		}
	}
	if limit := 1 + len(s)/4; bestD > limit {
		return ""
	}
	return best
}

func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
