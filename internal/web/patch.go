package web

import (
	"context"
	"fmt"
	"maps"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/pmezard/go-difflib/difflib"

	"github.com/acad-lyon/helpdesk-bot/intents"
)

// A patch turns questions staff asked in vain into example questions of the
// entry they belong to. The page never writes the knowledge: it shows what
// the validator would say of the knowledge with the change, which entry
// each question would then reach, and offers the change as a unified diff,
// ready for `git apply` and a pull request.

// reached is a picked question and the entry it leads to, before and after.
type reached struct {
	Question, Lang, Before, After string
}

// proposal is what the patch page shows.
type proposal struct {
	Entry    string
	Draft    *intents.Draft // a new entry, or nil
	Picked   []string
	Problems []string // what the change brings
	Known    []string // what the knowledge had before it
	Reached  []reached
	Diff     string
	File     string
}

// patch builds the change, checks it, and shows it (or, with download,
// sends it as a file). Every download is in the audit log.
func (c *console) patch(w http.ResponseWriter, r *http.Request) {
	l := uiLabels[pageLang(r)]
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	entry := r.PostForm.Get("entry")
	var draft *intents.Draft
	if id := strings.TrimSpace(r.PostForm.Get("new_id")); id != "" {
		if !intents.ValidID(id) {
			// An id is an id: nothing else reaches the YAML or a file name.
			c.render(w, r, "patch.html", http.StatusBadRequest, nil, l.BadID)
			return
		}
		// A new entry: its id, titles and answers from the form; the
		// questions become its first examples.
		draft = &intents.Draft{ID: id, Title: intents.Text{FR: r.PostForm.Get("new_title_fr"), EN: r.PostForm.Get("new_title_en")},
			Answer: intents.Text{FR: r.PostForm.Get("new_answer_fr"), EN: r.PostForm.Get("new_answer_en")},
			Owner:  c.sm.GetString(r.Context(), "user"), Reviewed: time.Now().Format("2006-01-02")}
		entry = id
	}
	var picked []string
	for _, q := range r.PostForm["q"] {
		if q = strings.TrimSpace(q); q != "" && !slices.Contains(picked, q) && len(picked) < 50 {
			picked = append(picked, intents.Cut(q, 500))
		}
	}
	core := c.cfg.Helpdesk.Current()
	if _, ok := core.Entry(entry); (!ok && draft == nil) || len(picked) == 0 {
		c.render(w, r, "patch.html", http.StatusBadRequest, nil, l.PickSome)
		return
	}
	// One patch at a time: the validator, the self-test and the cross-check
	// take a core for a second or two, and the chat needs the other one.
	release, ok := c.heavyTurn(r.Context())
	if !ok {
		w.Header().Set("Retry-After", "5")
		c.render(w, r, "patch.html", http.StatusServiceUnavailable, nil, l.Busy)
		return
	}
	p, err := c.propose(r.Context(), entry, picked, draft)
	release()
	if r.Context().Err() != nil {
		return // the agent left: nobody to show it to
	}
	if err != nil {
		c.cfg.Log.Error("console: cannot prepare a patch", "err", err)
		c.render(w, r, "patch.html", http.StatusInternalServerError, nil, l.NoPatch)
		return
	}
	if r.PostForm.Get("download") != "" {
		recs := c.records()
		if recs == nil {
			http.Error(w, "the audit log cannot be written: nothing is downloaded", http.StatusServiceUnavailable)
			return
		}
		if err := recs.Audit(r.Context(), c.sm.GetString(r.Context(), "user"), fmt.Sprintf("downloaded a patch adding %d question(s) to %s", len(picked), entry)); err != nil {
			http.Error(w, "the audit log cannot be written: nothing is downloaded", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "text/x-diff; charset=utf-8")
		w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": "knowledge-" + entry + ".patch"}))
		w.Write([]byte(p.Diff))
		return
	}
	c.render(w, r, "patch.html", http.StatusOK, p, "")
}

// heavyWait is how long a patch waits for its turn before the page says
// the console is busy.
const heavyWait = 3 * time.Second

// heavyTurn waits for the turn to prepare a patch (one at a time), for at
// most heavyWait, or until the agent leaves; release gives it back.
func (c *console) heavyTurn(ctx context.Context) (release func(), ok bool) {
	t := time.NewTimer(heavyWait)
	defer t.Stop()
	select {
	case c.heavy <- struct{}{}:
		if ctx.Err() != nil {
			<-c.heavy
			return nil, false
		}
		return func() { <-c.heavy }, true
	case <-t.C:
	case <-ctx.Done():
	}
	return nil, false
}

// propose adds the picked questions to the entry, in the file that holds
// it, after the entry's last example question of each question's language.
func (c *console) propose(ctx context.Context, entry string, picked []string, draft *intents.Draft) (*proposal, error) {
	files, err := intents.Files(c.cfg.KnowledgePath)
	if err != nil {
		return nil, err
	}
	srcs := map[string][]byte{}
	for _, f := range files {
		if srcs[f], err = os.ReadFile(f); err != nil {
			return nil, err
		}
	}
	before := c.cfg.Helpdesk.Current()
	p := &proposal{Entry: entry, Picked: picked, Draft: draft}
	byLang := map[string][]string{}
	for _, q := range picked {
		rep, err := before.Answer(ctx, intents.Question{Text: q})
		if err != nil {
			return nil, err
		}
		p.Reached = append(p.Reached, reached{Question: q, Lang: rep.Lang, Before: target(rep)})
		byLang[rep.Lang] = append(byLang[rep.Lang], q)
	}
	var file string
	var changed []byte
	for _, f := range files {
		var out []byte
		var ok bool
		var err error
		if draft != nil {
			draft.Questions = intents.Texts{FR: byLang[intents.French], EN: byLang[intents.English]}
			out, ok, err = intents.AddEntry(srcs[f], *draft)
		} else {
			out, ok, err = intents.AddQuestions(srcs[f], entry, byLang)
		}
		if err != nil {
			return nil, err
		} else if ok {
			file, changed = f, out
			break
		}
	}
	if file == "" {
		return nil, fmt.Errorf("no knowledge file holds the entry %q", entry)
	}
	after := maps.Clone(srcs)
	after[file] = changed
	p.File = filepath.ToSlash(repoPath(file))
	known := map[string]bool{}
	if c.cfg.Knowledge != nil {
		if known, err = c.verdicts.known(ctx, c.cfg.Knowledge()); err != nil {
			return nil, err
		}
	}
	vd, err := c.verdicts.judge(ctx, files, after, picked, c.cfg.Rules)
	if err != nil {
		return nil, err
	}
	p.Problems, p.Known = split(vd.problems, known)
	for i := range p.Reached {
		p.Reached[i].After = vd.reaches[p.Reached[i].Question]
	}
	p.Diff, err = difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
		A: difflib.SplitLines(string(srcs[file])), B: difflib.SplitLines(string(changed)),
		FromFile: "a/" + p.File, ToFile: "b/" + p.File, Context: 3,
	})
	return p, err
}

// repoPath is file as the repository names it: relative to the working
// directory (the repository's root, where the bot runs).
func repoPath(file string) string {
	if !filepath.IsAbs(file) {
		return filepath.Clean(file)
	}
	if wd, err := os.Getwd(); err == nil {
		if rel, err := filepath.Rel(wd, file); err == nil && !strings.HasPrefix(rel, "..") {
			return rel
		}
	}
	return filepath.Base(file)
}

// target names what a reply leads to.
func target(r intents.Reply) string {
	switch {
	case r.Entry != nil:
		return r.Entry.ID
	case r.Service != nil:
		return "→ " + r.Service.ID
	}
	return "(" + string(r.Outcome) + ")"
}
