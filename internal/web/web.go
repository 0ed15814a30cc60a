// Package web is the helpdesk's own page, served by the bot under
// /console/: agents try a question and see what the bot would say on each
// platform, browse the entries and copy an answer in the format they need.
// Server-rendered HTML (html/template, which escapes everything staff
// typed), a few lines of JavaScript to copy, everything embedded in the
// binary; nothing is fetched from the internet.
//
// No page is served without sign-in: with the academy's single sign-on
// (OpenID Connect, see OIDC) or, in a small deployment, the administrator
// token (CONSOLE_TOKEN or CONSOLE_TOKEN_FILE). Sessions are kept by
// alexedwards/scs in HTTP-only, SameSite=Lax cookies (Strict would drop
// the session when the provider, another site, sends the browser back);
// every form carries a token bound to the session, and net/http's
// CrossOriginProtection refuses cross-origin posts.
package web

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/alexedwards/scs/v2"

	"github.com/acad-lyon/helpdesk-bot/intents"
	"github.com/acad-lyon/helpdesk-bot/internal/chat"
)

//go:embed templates/*.html static/*
var files embed.FS

var pages = template.Must(template.New("").Funcs(template.FuncMap{
	"pct":     func(f float64) string { return fmt.Sprintf("%.0f\u00a0%%", f*100) },
	"visible": visible,
}).ParseFS(files, "templates/*.html"))

// visible shows what staff typed as it is, without obeying it: the
// characters that reorder text (right-to-left overrides) or hide in it
// (zero-width) are written out as [U+202E] instead, so that a stored
// question cannot disguise itself on the page.
func visible(s string) string {
	if !strings.ContainsFunc(s, hidden) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if hidden(r) {
			fmt.Fprintf(&b, "[U+%04X]", r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// hidden reports whether r reorders or hides text: the bidirectional
// controls and the zero-width characters.
func hidden(r rune) bool {
	switch {
	case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069, r == 0x200E, r == 0x200F, r == 0x061C:
		return true
	case r >= 0x200B && r <= 0x200D, r == 0x2060, r == 0xFEFF, r == 0x00AD:
		return true
	}
	return false
}

// Format renders the knowledge's markdown for one output: "text", "slack",
// "discord" (the adapters' renderers, which main passes in).
type Format struct {
	Name   string
	Render func(md string) string
}

// Config is what the console needs.
type Config struct {
	// Token is the administrator token that signs in (small deployments),
	// OIDC the single sign-on; with neither, no page is served.
	Token string
	OIDC  *OIDC
	// Helpdesk is the knowledge serving now.
	Helpdesk chat.Helpdesk
	// Formats are the outputs an answer is shown and copied in, in order.
	Formats []Format
	// Records, when it returns one, is the store (nil while it is not
	// open: the pages that need it say so).
	Records func() Records
	// Knowledge is the knowledge serving now, for the report's titles.
	Knowledge func() *intents.Knowledge
	// KnowledgePath is the knowledge file or folder (KNOWLEDGE_PATH), which
	// the patches change; Rules are the validator's rules for them.
	KnowledgePath string
	Rules         []intents.Rule
	// Sessions, when set, keeps the sessions (the store, shared by the
	// replicas); by default each process keeps its own, in memory.
	Sessions scs.Store
	// Secure marks the cookies Secure: set it behind HTTPS (always, in a
	// deployment); tests on http://127.0.0.1 leave it off.
	Secure bool
	Log    *slog.Logger
}

// Handler serves the console under /console/.
func Handler(cfg Config) http.Handler {
	h, _ := newConsole(cfg)
	return h
}

// newConsole is Handler, with the console it serves (for tests).
func newConsole(cfg Config) (http.Handler, *console) {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	sm := scs.New()
	sm.Lifetime = 12 * time.Hour
	sm.IdleTimeout = 2 * time.Hour
	sm.Cookie.Name = "helpdesk_console"
	sm.Cookie.Path = "/console/"
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = cfg.Secure
	if cfg.Sessions != nil {
		sm.Store = cfg.Sessions
	}
	c := &console{cfg: cfg, sm: sm}
	mux := http.NewServeMux()
	for _, name := range staticFiles {
		mux.HandleFunc("GET /console/static/"+name, func(w http.ResponseWriter, r *http.Request) {
			http.ServeFileFS(w, r, files, "static/"+name)
		})
	}
	mux.HandleFunc("GET /console/signin", c.signinPage)
	mux.HandleFunc("POST /console/signin", c.signin)
	mux.HandleFunc("GET /console/oidc", c.oidcStart)
	mux.HandleFunc("GET /console/callback", c.oidcCallback)
	mux.Handle("POST /console/signout", c.member(c.signout))
	mux.Handle("GET /console/{$}", c.member(c.try))
	mux.Handle("GET /console/entries", c.member(c.entries))
	mux.Handle("GET /console/unanswered", c.member(c.unanswered))
	mux.Handle("POST /console/purge", c.member(c.purge))
	mux.Handle("POST /console/patch", c.member(c.patch))
	cop := http.NewCrossOriginProtection()
	c.tries = newThrottle(signinEvery, signinBurst)
	c.heavy = make(chan struct{}, 1)
	return headers(bounded(cop.Handler(sm.LoadAndSave(c.checkForm(mux))))), c
}

// staticFiles are the files under /console/static/, and nothing else: no
// listing, no template's source.
var staticFiles = []string{"console.css", "console.js"}

// maxForm bounds what a form may post: the patch form with its 50
// questions and a new entry's texts fits many times over.
const maxForm = 256 << 10

// bounded refuses, before any session or form is read, a body that is not
// one of the page's forms (application/x-www-form-urlencoded) or that is
// larger than maxForm: no upload is parsed, kept in memory or written to a
// temporary file.
func bounded(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/x-www-form-urlencoded" {
				http.Error(w, "only the page's forms are accepted", http.StatusUnsupportedMediaType)
				return
			}
			if r.ContentLength > maxForm {
				http.Error(w, "this form is too large", http.StatusRequestEntityTooLarge)
				return
			}
			r.Body = http.MaxBytesReader(w, r.Body, maxForm)
		}
		next.ServeHTTP(w, r)
	})
}

type console struct {
	cfg      Config
	sm       *scs.SessionManager
	tries    *throttle     // sign-in attempts, per client
	heavy    chan struct{} // the turn to prepare a patch: one at a time
	verdicts               // the patches' verdicts, prepared once
}

func (c *console) records() Records {
	if c.cfg.Records == nil {
		return nil
	}
	return c.cfg.Records()
}

// headers are the security headers of every page: no framing, no script
// but the console's own, no referrer, nothing cached.
func headers(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

// member lets a signed-in person through; anyone else is sent to the
// sign-in page (a page) or refused (a form).
func (c *console) member(next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c.sm.GetString(r.Context(), "user") != "" && !c.stillAllowed(r) {
			// The right that let this session in has ended: the token was
			// rotated, the person left CONSOLE_ALLOWED, a sign-in way was
			// turned off.
			c.cfg.Log.Info("console: a session whose right has ended was closed")
			c.sm.Destroy(r.Context())
		}
		if c.sm.GetString(r.Context(), "user") == "" {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/console/signin", http.StatusSeeOther)
				return
			}
			http.Error(w, "sign in first", http.StatusUnauthorized)
			return
		}
		next(w, r)
	})
}

// checkForm refuses every form posted without the token of its session.
func (c *console) checkForm(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The sign-in form has no session to hold a token (no session is
		// made for a visitor who has not signed in): cross-site posts to it
		// are refused by the cross-origin protection.
		if r.Method == http.MethodPost && r.URL.Path != "/console/signin" {
			want := c.sm.GetString(r.Context(), "csrf")
			got := r.PostFormValue("csrf")
			if want == "" || subtle.ConstantTimeCompare([]byte(want), []byte(got)) != 1 {
				c.cfg.Log.Warn("console: a form without its token was refused", "path", r.URL.Path)
				http.Error(w, "this form has expired: reload the page", http.StatusForbidden)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// csrf is the session's form token, made on first use.
func (c *console) csrf(r *http.Request) string {
	t := c.sm.GetString(r.Context(), "csrf")
	if t == "" && c.sm.GetString(r.Context(), "user") != "" { // a visitor gets no session
		t = random()
		c.sm.Put(r.Context(), "csrf", t)
	}
	return t
}

// page is what every template receives.
type page struct {
	L     labels
	Lang  string
	CSRF  string
	User  string
	Error string
	Data  any
}

func (c *console) render(w http.ResponseWriter, r *http.Request, name string, status int, data any, errMsg string) {
	lang := pageLang(r)
	p := page{L: uiLabels[lang], Lang: lang, CSRF: c.csrf(r), User: c.sm.GetString(r.Context(), "user"), Error: errMsg, Data: data}
	var b bytes.Buffer
	if err := pages.ExecuteTemplate(&b, name, p); err != nil {
		c.cfg.Log.Error("console: rendering failed", "page", name, "err", err)
		http.Error(w, "the page could not be rendered", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	b.WriteTo(w)
}

var langNames = map[string]string{intents.French: "Français", intents.English: "English"}

// pageLang is the console's language: ?lang=en, else French.
func pageLang(r *http.Request) string {
	if r.URL.Query().Get("lang") == intents.English {
		return intents.English
	}
	return intents.French
}

func (c *console) signinPage(w http.ResponseWriter, r *http.Request) {
	c.render(w, r, "signin.html", http.StatusOK, c.signinOptions(), "")
}

func (c *console) signin(w http.ResponseWriter, r *http.Request) {
	client := clientOf(r)
	if wait, ok := c.tries.allow(client); !ok {
		if c.tries.shouldLog(client) {
			c.cfg.Log.Warn("console: too many sign-in attempts: refused for a while", "remote", client)
		}
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
		c.render(w, r, "signin.html", http.StatusTooManyRequests, c.signinOptions(), fmt.Sprintf(uiLabels[pageLang(r)].TooManyTries, int(wait.Seconds())+1))
		return
	}
	token := r.PostFormValue("token")
	if c.cfg.Token == "" || subtle.ConstantTimeCompare([]byte(token), []byte(c.cfg.Token)) != 1 {
		if c.tries.shouldLog(client) {
			c.cfg.Log.Warn("console: sign-in refused", "remote", client)
		}
		c.render(w, r, "signin.html", http.StatusUnauthorized, c.signinOptions(), uiLabels[pageLang(r)].BadToken)
		return
	}
	c.tries.forget(client)
	c.startSession(w, r, "admin", tokenCred(c.cfg.Token))
}

// tokenCred is what a session signed in with the administrator token keeps
// of it: a hash, so that a rotated token ends the session.
func tokenCred(token string) string {
	sum := sha256.Sum256([]byte("console-token\x00" + token))
	return "token:" + hex.EncodeToString(sum[:])
}

// stillAllowed reports whether what let a session in still lets it in:
// the same administrator token, or, for single sign-on, the same provider
// and an address CONSOLE_ALLOWED still lists.
func (c *console) stillAllowed(r *http.Request) bool {
	cred := c.sm.GetString(r.Context(), "cred")
	switch {
	case strings.HasPrefix(cred, "token:"):
		return c.cfg.Token != "" && subtle.ConstantTimeCompare([]byte(cred), []byte(tokenCred(c.cfg.Token))) == 1
	case strings.HasPrefix(cred, "oidc:"):
		o := c.cfg.OIDC
		return o != nil && cred == "oidc:"+o.Issuer && o.allows(c.sm.GetString(r.Context(), "user"))
	}
	return false // a session from before sessions were bound to their right
}

// startSession signs who in: a new session id (a session fixed before
// cannot be used) and a new form token.
func (c *console) startSession(w http.ResponseWriter, r *http.Request, who, cred string) {
	if err := c.sm.RenewToken(r.Context()); err != nil {
		http.Error(w, "cannot start a session", http.StatusInternalServerError)
		return
	}
	c.sm.Put(r.Context(), "user", who)
	c.sm.Put(r.Context(), "cred", cred)
	c.sm.Remove(r.Context(), "csrf")
	c.cfg.Log.Info("console: signed in")
	http.Redirect(w, r, "/console/", http.StatusSeeOther)
}

// signinOptions are the ways to sign in the page offers.
func (c *console) signinOptions() map[string]bool {
	return map[string]bool{"token": c.cfg.Token != "", "oidc": c.cfg.OIDC != nil}
}

func (c *console) signout(w http.ResponseWriter, r *http.Request) {
	c.sm.Destroy(r.Context())
	http.Redirect(w, r, "/console/signin", http.StatusSeeOther)
}

// shown is a reply as each output shows it.
type shown struct {
	Format string
	Text   string
}

func (c *console) shownIn(md string) []shown {
	var out []shown
	for _, f := range c.cfg.Formats {
		out = append(out, shown{f.Name, f.Render(md)})
	}
	return out
}

// tried is the result of "try a question".
type tried struct {
	Question     string
	Outcome      intents.Outcome
	Confidence   float64
	Language     string
	Entry        string
	Service      string
	Alternatives []intents.Alternative
	Shown        []shown
	// Reading says how the conversation so far was used ("" alone).
	Reading string
}

// tryMemory is the session key of the conversation of "try a question".
const tryMemory = "try_memory"

// try answers a question as the bot would, and shows the reply in every
// output. A question that holds a secret is not shown back.
func (c *console) try(w http.ResponseWriter, r *http.Request) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	// The questions tried make a conversation, as staff's do, kept in the
	// agent's session (entry ids only) until "new conversation".
	var mem chat.Memory
	if r.URL.Query().Has("new") {
		c.sm.Remove(r.Context(), tryMemory)
	} else if b := c.sm.GetBytes(r.Context(), tryMemory); len(b) > 0 {
		json.Unmarshal(b, &mem) // a memory that does not read is a new conversation
	}
	var t *tried
	if q != "" {
		q = intents.Cut(q, 4096)
		rep, err := c.cfg.Helpdesk.Current().Answer(r.Context(), intents.Question{Text: q, Context: mem.Context("")})
		if err != nil {
			http.Error(w, "the question could not be answered", http.StatusInternalServerError)
			return
		}
		if b, err := json.Marshal(mem.After(rep)); err == nil {
			c.sm.Put(r.Context(), tryMemory, b)
		}
		t = &tried{Question: q, Outcome: rep.Outcome, Confidence: rep.Confidence, Language: rep.Lang, Alternatives: rep.Alternatives, Shown: c.shownIn(rep.Markdown()), Reading: rep.Reading}
		if rep.Entry != nil {
			t.Entry = rep.Entry.ID
		}
		if rep.Service != nil {
			t.Service = rep.Service.ID
		}
		if rep.Outcome == intents.Secret {
			t.Question = "" // never shown back, nor kept in the field
		}
	}
	c.render(w, r, "try.html", http.StatusOK, t, "")
}

// listed is an entry as the browse page shows it.
type listed struct {
	ID        string
	Title     map[string]string
	Questions map[string][]string
	Answers   []answerIn // French first, then English
}

// answerIn is an entry's answer in one language, in every output.
type answerIn struct {
	Lang, Name string
	Shown      []shown
}

// entries lists the entries, or those close to a filter as /faq finds
// them, with their answers ready to copy.
func (c *console) entries(w http.ResponseWriter, r *http.Request) {
	core := c.cfg.Helpdesk.Current()
	filter := strings.TrimSpace(r.URL.Query().Get("filter"))
	var list []*intents.Entry
	if filter != "" {
		list = core.Suggest(filter, 5)
	} else {
		list = core.Topics()
	}
	var out []listed
	for _, e := range list {
		l := listed{ID: e.ID, Title: map[string]string{}, Questions: map[string][]string{}}
		for _, lang := range intents.Languages {
			l.Title[lang] = e.Title.In(lang)
			l.Questions[lang] = e.Questions.In(lang)
			l.Answers = append(l.Answers, answerIn{lang, langNames[lang], c.shownIn(core.AnswerEntry(e, lang).Canned(true))})
		}
		out = append(out, l)
	}
	c.render(w, r, "entries.html", http.StatusOK, struct {
		Filter  string
		Entries []listed
	}{filter, out}, "")
}
