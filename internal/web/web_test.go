package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/acad-lyon/helpdesk-bot/intents"
	"github.com/acad-lyon/helpdesk-bot/internal/chat"
	"github.com/acad-lyon/helpdesk-bot/internal/chat/chattest"
	"github.com/acad-lyon/helpdesk-bot/internal/platformtest"
	"github.com/acad-lyon/helpdesk-bot/internal/store"
)

const token = "console-test-token-0123456789"

func server(t *testing.T) *httptest.Server {
	t.Helper()
	return serverWith(t, nil)
}

func serverWith(t *testing.T, st *store.Store) *httptest.Server {
	t.Helper()
	core := chattest.Shipped(t)
	cfg := Config{Token: token, Helpdesk: chat.Fixed(core), Log: slog.New(slog.DiscardHandler),
		Formats:   []Format{{"text", intents.RenderText}, {"markdown", func(md string) string { return md }}},
		Knowledge: core.Knowledge}
	if st != nil {
		cfg.Records = func() Records { return st }
	}
	h := Handler(cfg)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// browser is a client with cookies that does not follow redirects.
func browser(t *testing.T) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func get(t *testing.T, c *http.Client, u string) (int, string, http.Header) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func post(t *testing.T, c *http.Client, u string, form url.Values) (int, string, http.Header) {
	t.Helper()
	resp, err := c.PostForm(u, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

var csrfField = regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`)

// signIn signs c in and returns the form token of its session.
func signIn(t *testing.T, srv *httptest.Server, c *http.Client) string {
	t.Helper()
	get(t, c, srv.URL+"/console/signin")
	code, _, h := post(t, c, srv.URL+"/console/signin", url.Values{"token": {token}})
	if code != http.StatusSeeOther || h.Get("Location") != "/console/" {
		t.Fatalf("sign-in: %d %s", code, h.Get("Location"))
	}
	_, body, _ := get(t, c, srv.URL+"/console/")
	return csrfField.FindStringSubmatch(body)[1]
}

// No page without sign-in: pages send to the sign-in page, forms are
// refused; a wrong token does not sign in.
func TestNothingWithoutSignIn(t *testing.T) {
	srv := server(t)
	c := browser(t)
	for _, p := range []string{"/console/", "/console/?q=port+imap", "/console/entries", "/console/entries?filter=imap"} {
		code, body, h := get(t, c, srv.URL+p)
		if code != http.StatusSeeOther || h.Get("Location") != "/console/signin" || strings.Contains(body, "993") {
			t.Errorf("GET %s without a session: %d to %q; want 303 to the sign-in page", p, code, h.Get("Location"))
		}
	}
	if code, _, _ := post(t, c, srv.URL+"/console/signout", url.Values{"csrf": {strings.Repeat("0", 64)}}); code != http.StatusForbidden && code != http.StatusUnauthorized {
		t.Errorf("POST signout without a session: %d; want refused", code)
	}
	if code, body, _ := post(t, c, srv.URL+"/console/signin", url.Values{"token": {"guess"}}); code != http.StatusUnauthorized || !strings.Contains(body, "pas le bon") {
		t.Errorf("a wrong token: %d; want 401 and the page saying so", code)
	}
	if code, _, _ := get(t, c, srv.URL+"/console/"); code != http.StatusSeeOther {
		t.Errorf("after a wrong token, the console answers %d; want the sign-in page", code)
	}
}

// Every form needs the token of its session; a cross-origin post is
// refused before it.
func TestFormsNeedTheirToken(t *testing.T) {
	srv := server(t)
	c := browser(t)
	csrf := signIn(t, srv, c)
	if code, _, _ := post(t, c, srv.URL+"/console/signout", url.Values{}); code != http.StatusForbidden {
		t.Errorf("signout without its token: %d; want 403", code)
	}
	if code, _, _ := post(t, c, srv.URL+"/console/signout", url.Values{"csrf": {strings.Repeat("0", 64)}}); code != http.StatusForbidden {
		t.Errorf("signout with another token: %d; want 403", code)
	}
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/console/signout", strings.NewReader(url.Values{"csrf": {csrf}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if resp, err := c.Do(req); err != nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("a cross-site post: %v %v; want 403", err, resp.StatusCode)
	}
	if code, _, _ := post(t, c, srv.URL+"/console/signout", url.Values{"csrf": {csrf}}); code != http.StatusSeeOther {
		t.Errorf("signout with its token: %d; want 303", code)
	}
	if code, _, _ := get(t, c, srv.URL+"/console/"); code != http.StatusSeeOther {
		t.Errorf("after sign-out the console answers %d; want the sign-in page", code)
	}
}

func TestSessionCookie(t *testing.T) {
	srv := server(t)
	c := browser(t)
	resp, err := c.PostForm(srv.URL+"/console/signin", url.Values{"token": {token}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	set := resp.Header.Get("Set-Cookie")
	for _, want := range []string{"helpdesk_console=", "HttpOnly", "SameSite=Lax", "Path=/console/"} {
		if !strings.Contains(set, want) {
			t.Errorf("session cookie %q lacks %s", set, want)
		}
	}
	if h := resp.Header.Get("Content-Security-Policy"); !strings.Contains(h, "script-src 'self'") || !strings.Contains(h, "frame-ancestors 'none'") {
		t.Errorf("Content-Security-Policy %q", h)
	}
}

// Trying a question shows what the bot would answer, on each output; what
// staff typed is shown as text, never as markup; a secret is not shown back.
func TestTryAQuestion(t *testing.T) {
	srv := server(t)
	c := browser(t)
	signIn(t, srv, c)
	_, body, _ := get(t, c, srv.URL+"/console/?q="+url.QueryEscape("quel port imap sur mon téléphone"))
	for _, want := range []string{`data-outcome="answered"`, "<code>imap-settings</code>", "993", "<figcaption>text</figcaption>", "<figcaption>markdown</figcaption>"} {
		if !strings.Contains(body, want) {
			t.Errorf("try: no %q", want)
		}
	}
	hostile := `<script>alert(1)</script><img src=x onerror=alert(2)> port imap`
	_, body, _ = get(t, c, srv.URL+"/console/?q="+url.QueryEscape(hostile))
	if strings.Contains(body, "<script>alert") || strings.Contains(body, "<img src=x") || !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Errorf("a hostile question is not shown as text:\n%s", body)
	}
	_, body, _ = get(t, c, srv.URL+"/console/?q="+url.QueryEscape("mon mot de passe est Tournesol42 et il ne marche pas"))
	if !strings.Contains(body, `data-outcome="secret"`) || strings.Contains(body, "Tournesol42") {
		t.Errorf("a secret question: shown back, or no warning")
	}
}

// The questions tried make a conversation, as staff's do: a follow-up is
// read with the topic, "toujours pas" takes the next step, and "new
// conversation" starts afresh.
func TestTryAConversation(t *testing.T) {
	srv := server(t)
	c := browser(t)
	signIn(t, srv, c)
	try := func(q string) string {
		_, body, _ := get(t, c, srv.URL+"/console/?q="+url.QueryEscape(q))
		return body
	}
	try("la page de connexion du webmail tourne en boucle")
	if body := try("toujours pas"); !strings.Contains(body, "<code>browser-extensions</code>") || !strings.Contains(body, `data-reading="next-step"`) {
		t.Errorf("\"toujours pas\" after the login loop: not the next step")
	}
	get(t, c, srv.URL+"/console/?new=1")
	if body := try("toujours pas"); strings.Contains(body, "data-reading") || strings.Contains(body, "<code>browser-extensions</code>") {
		t.Errorf("after \"new conversation\", \"toujours pas\" is still read with the old topic")
	}
}

// The entries, or those close to a filter, with their answers to copy.
func TestBrowseAndCopy(t *testing.T) {
	srv := server(t)
	c := browser(t)
	signIn(t, srv, c)
	_, body, _ := get(t, c, srv.URL+"/console/entries")
	if n := strings.Count(body, "<article id=\"entry-"); n != 14 {
		t.Errorf("%d entries listed; want the 14 topics", n)
	}
	_, body, _ = get(t, c, srv.URL+"/console/entries?filter=certificat")
	if !strings.Contains(body, `id="entry-certificate-warning"`) || !strings.Contains(body, `class="copy"`) || strings.Contains(body, `id="entry-two-accounts"`) {
		t.Errorf("filter certificat:\n%.2000s", body)
	}
	if _, body, _ = get(t, c, srv.URL+"/console/entries?filter=certificat&lang=en"); !strings.Contains(body, `<html lang="en">`) || !strings.Contains(body, "Copy") {
		t.Errorf("the console in English:\n%.500s", body)
	}
}

func storeWith(t testing.TB, n int) *store.Store {
	return storeOf(t, n, func(i int, qs []string) string { return qs[i%len(qs)] })
}

// storeOf stores n unanswered questions, the i-th worded by text.
func storeOf(t testing.TB, n int, text func(i int, qs []string) string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "helpdesk.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	qs := []string{"la cantine est fermée demain ?", "la cantine est fermée demain", "comment imprimer en couleur", "<i>le wifi</i> ne marche pas", "problème avec mon truc"}
	now := time.Now()
	for i := range n {
		outcome := intents.Fallback
		if i%3 == 0 {
			outcome = intents.Suggested
		}
		u := chat.Unanswered{Platform: "slack", User: fmt.Sprintf("U%d", i%50), Question: text(i, qs), Lang: "fr", Outcome: outcome, Closest: "imap-settings", Confidence: 0.2, At: now.Add(-time.Duration(i%(6*24)) * time.Hour)}
		if err := st.RecordUnanswered(context.Background(), u); err != nil {
			t.Fatal(err)
		}
	}
	st.RecordVote(context.Background(), chat.Vote{Platform: "slack", Entry: "imap-settings", Lang: "fr", Helpful: false, User: "U1"})
	return st
}

// What staff asked in vain: grouped, counted, with a chart; every view is
// in the audit log; what staff typed is text; a person's data can be erased.
func TestUnansweredQuestions(t *testing.T) {
	st := storeWith(t, 30)
	srv := serverWith(t, st)
	c := browser(t)
	csrf := signIn(t, srv, c)
	code, body, _ := get(t, c, srv.URL+"/console/unanswered?since=7d")
	if code != http.StatusOK {
		t.Fatalf("unanswered: %d\n%s", code, body)
	}
	for _, want := range []string{"30 questions", "×12 ", "la cantine est fermée demain", "<svg class=\"chart\"", "<rect", "imap-settings", "&lt;i&gt;le wifi&lt;/i&gt;"} {
		if !strings.Contains(body, want) {
			t.Errorf("unanswered page: no %q", want)
		}
	}
	if strings.Contains(body, "<i>le wifi") {
		t.Error("a question's markup is in the page")
	}
	log, _ := st.AuditLog(context.Background(), time.Now().Add(-time.Hour))
	if len(log) != 1 || log[0].Who != "admin" || !strings.Contains(log[0].What, "viewed the unanswered questions") {
		t.Errorf("audit log %+v; want the view", log)
	}
	code, body, _ = post(t, c, srv.URL+"/console/purge", url.Values{"csrf": {csrf}, "user": {"slack:U1"}})
	if code != http.StatusOK || !strings.Contains(body, `<p id="erased">2 `) {
		t.Errorf("purge slack:U1: %d\n%s", code, body)
	}
	if code, _, _ := post(t, c, srv.URL+"/console/purge", url.Values{"csrf": {csrf}, "user": {"U1"}}); code != http.StatusBadRequest {
		t.Errorf("purge without a platform: %d; want 400", code)
	}
	if log, _ = st.AuditLog(context.Background(), time.Now().Add(-time.Hour)); len(log) != 2 || !strings.Contains(log[1].What, "erased") {
		t.Errorf("audit log %+v; want the erasure too", log)
	}
	if code, _, _ := get(t, browser(t), srv.URL+"/console/unanswered"); code != http.StatusSeeOther {
		t.Errorf("unanswered without a session: %d", code)
	}
	if code, _, _ := get(t, c, server(t).URL+"/console/unanswered"); code != http.StatusSeeOther {
		t.Errorf("another server's session was accepted: %d", code)
	}
}

// The unanswered page with 10,000 stored questions, from the request to the
// last byte: go test ./internal/web -bench Unanswered -run '^$' (figures in
// the README). "varied": 2,500 phrasings of five questions, as staff ask
// alike; "distinct": 10,000 questions no two alike, the worst case.
func BenchmarkUnanswered10k(b *testing.B) {
	words := strings.Fields("cantine imprimante couleur wifi salle projecteur tableau badge parking clé photocopieuse agenda réunion conseil classe bulletin absence cahier texte emploi temps")
	for _, bc := range []struct {
		name string
		text func(i int, qs []string) string
	}{
		{"varied", func(i int, qs []string) string { return fmt.Sprintf("%s, salle %d", qs[i%len(qs)], i%500) }},
		{"distinct", func(i int, qs []string) string {
			return fmt.Sprintf("%s %s %s %s numéro %d", words[i%len(words)], words[(i/7)%len(words)], words[(i/49)%len(words)], words[(i/343)%len(words)], i)
		}},
	} {
		b.Run(bc.name, func(b *testing.B) { benchUnanswered(b, storeOf(b, 10_000, bc.text)) })
	}
}

func benchUnanswered(b *testing.B, st *store.Store) {
	core := chattest.Shipped(b)
	h := Handler(Config{Token: token, Helpdesk: chat.Fixed(core), Log: slog.New(slog.DiscardHandler), Knowledge: core.Knowledge,
		Records: func() Records { return st }})
	srv := httptest.NewServer(h)
	defer srv.Close()
	c := &http.Client{}
	jar, _ := cookiejar.New(nil)
	c.Jar = jar
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, _ := c.Get(srv.URL + "/console/signin")
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp, _ = c.PostForm(srv.URL+"/console/signin", url.Values{"csrf": {csrfField.FindStringSubmatch(string(page))[1]}, "token": {token}})
	resp.Body.Close()
	b.ResetTimer()
	for b.Loop() {
		resp, err := c.Get(srv.URL + "/console/unanswered?since=7d")
		if err != nil || resp.StatusCode != http.StatusOK {
			b.Fatal(err, resp.StatusCode)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}

// oidcServer is a console signing in with the local provider.
func oidcServer(t *testing.T, op *platformtest.OIDC, allowed ...string) *httptest.Server {
	t.Helper()
	o := &OIDC{Issuer: op.Issuer(), ClientID: op.ClientID, ClientSecret: op.ClientSecret, Allowed: allowed}
	core := chattest.Shipped(t)
	srv := httptest.NewServer(Handler(Config{OIDC: o, Helpdesk: chat.Fixed(core), Knowledge: core.Knowledge, Log: slog.New(slog.DiscardHandler)}))
	t.Cleanup(srv.Close)
	o.RedirectURL = srv.URL + "/console/callback"
	return srv
}

// follow is a browser that follows redirects, across the provider and the
// console, and keeps their cookies.
func follow(t *testing.T) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar}
}

// Signing in with the academy's SSO: the authorization code flow with PKCE,
// state and nonce; only the allowed accounts get in.
func TestSignInWithOIDC(t *testing.T) {
	op := platformtest.NewOIDC(t)
	srv := oidcServer(t, op, "@ac-lyon.fr", "chef@example.fr")
	c := follow(t)
	if _, body, _ := get(t, c, srv.URL+"/console/signin"); !strings.Contains(body, `id="sso"`) || strings.Contains(body, `id="token"`) {
		t.Errorf("the sign-in page offers the wrong ways:\n%s", body)
	}
	code, body, _ := get(t, c, srv.URL+"/console/oidc")
	if code != http.StatusOK || !strings.Contains(body, `id="q"`) {
		t.Fatalf("an allowed account: %d\n%.500s", code, body)
	}

	for _, who := range []string{"someone@gmail.com", "chef@example.fr.evil.com", "@ac-lyon.fr"} {
		op.Email = who
		c := follow(t)
		code, _, _ := get(t, c, srv.URL+"/console/oidc")
		if code != http.StatusForbidden && code != http.StatusUnauthorized {
			t.Errorf("%s signs in: %d; want refused", who, code)
		}
		if code, _, _ := get(t, browser(t), srv.URL+"/console/"); code != http.StatusSeeOther {
			t.Errorf("after %s was refused the console answers %d", who, code)
		}
	}
	op.Email = "chef@example.fr"
	if code, _, _ := get(t, follow(t), srv.URL+"/console/oidc"); code != http.StatusOK {
		t.Errorf("an address of the list: %d; want in", code)
	}
	op.Email, op.Verified = "agent@ac-lyon.fr", new(false)
	if code, _, _ := get(t, follow(t), srv.URL+"/console/oidc"); code != http.StatusUnauthorized {
		t.Errorf("an unverified address: %d; want refused", code)
	}
	op.Verified, op.Nonce = nil, "another-nonce"
	if code, _, _ := get(t, follow(t), srv.URL+"/console/oidc"); code != http.StatusUnauthorized {
		t.Errorf("a token with another session's nonce: %d; want refused", code)
	}
	op.Nonce = ""
	// A callback that no sign-in of this session started.
	if code, _, _ := get(t, follow(t), srv.URL+"/console/callback?code=x&state=forged"); code != http.StatusBadRequest {
		t.Errorf("a forged callback: %d; want 400", code)
	}
	if (&OIDC{}).allows("agent@ac-lyon.fr") {
		t.Error("an empty list lets people in")
	}
}

// From questions asked in vain to a pull request: two questions attached
// to an entry, the validator's verdict, the patch; git apply takes it, and
// the knowledge with it validates and answers both with that entry.
func TestPatchFromQuestions(t *testing.T) {
	git, err := exec.LookPath("git")
	if err != nil {
		t.Skip("git not found")
	}
	dir := t.TempDir()
	src, err := os.ReadFile(chattest.KnowledgePath())
	if err != nil {
		t.Fatal(err)
	}
	core := chattest.Shipped(t)
	t.Chdir(dir) // the repository's root, as the bot runs
	kpath := filepath.Join("knowledge", "faq.yaml")
	os.MkdirAll(filepath.Dir(kpath), 0o755)
	os.WriteFile(kpath, src, 0o644)
	st := storeWith(t, 3)
	srv := httptest.NewServer(Handler(Config{Token: token, Helpdesk: chat.Fixed(core), Knowledge: core.Knowledge, Log: slog.New(slog.DiscardHandler),
		Records: func() Records { return st }, KnowledgePath: kpath}))
	defer srv.Close()
	c := browser(t)
	csrf := signIn(t, srv, c)
	picked := []string{"le truc des mails sur le portable marche plus depuis la mise à jour", "my phone mail app stopped syncing the school mailbox"}
	form := url.Values{"csrf": {csrf}, "entry": {"imap-settings"}, "q": picked}
	code, body, _ := post(t, c, srv.URL+"/console/patch", form)
	if code != http.StatusOK || !strings.Contains(body, `data-ok="true"`) {
		t.Fatalf("patch: %d\n%s", code, body)
	}
	for _, q := range picked {
		if !strings.Contains(body, "- &#34;"+strings.ReplaceAll(q, "'", "&#39;")+"&#34;") {
			t.Errorf("the diff does not add %q:\n%s", q, body[strings.Index(body, `<pre id="diff">`):])
		}
	}
	form.Set("download", "1")
	resp, err := c.PostForm(srv.URL+"/console/patch", form)
	if err != nil {
		t.Fatal(err)
	}
	patch, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("download: %d %s", resp.StatusCode, resp.Header)
	}
	os.WriteFile(filepath.Join(dir, "change.patch"), patch, 0o644)
	apply := exec.Command(git, "apply", "change.patch")
	apply.Dir = dir
	if out, err := apply.CombinedOutput(); err != nil {
		t.Fatalf("git apply: %v\n%s\n%s", err, out, patch)
	}
	changed, err := intents.LoadCore(kpath)
	if err != nil {
		t.Fatalf("the knowledge with the patch: %v", err)
	}
	for _, q := range picked {
		if r, _ := changed.Answer(context.Background(), intents.Question{Text: q}); r.Entry == nil || r.Entry.ID != "imap-settings" {
			t.Errorf("%q now gets %s %v; want imap-settings", q, r.Outcome, r.Entry)
		}
	}
	if log, _ := st.AuditLog(context.Background(), time.Now().Add(-time.Hour)); len(log) != 1 || !strings.Contains(log[0].What, "downloaded a patch") {
		t.Errorf("audit log %+v; want the download", log)
	}
	// A question that says the same as an example: the verdict says so.
	form = url.Values{"csrf": {csrf}, "entry": {"two-accounts"}, "q": {core.Knowledge().Entries[2].Questions.FR[0]}}
	if _, body, _ := post(t, c, srv.URL+"/console/patch", form); !strings.Contains(body, `data-ok="false"`) {
		t.Errorf("a duplicate example passed the verdict:\n%.1500s", body)
	}
}

// patchServer is a console whose patches change a copy of the shipped
// knowledge, in a folder of the test's own (the working directory).
func patchServer(t *testing.T) (*httptest.Server, *console) {
	t.Helper()
	src, err := os.ReadFile(chattest.KnowledgePath())
	if err != nil {
		t.Fatal(err)
	}
	return patchServerOf(t, src)
}

// patchServerOf is patchServer on the knowledge src (one file, faq.yaml).
func patchServerOf(t *testing.T, src []byte) (*httptest.Server, *console) {
	t.Helper()
	core, err := intents.ParseCore([]string{"faq.yaml"}, map[string][]byte{"faq.yaml": src})
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir())
	os.WriteFile("faq.yaml", src, 0o644)
	h, con := newConsole(Config{Token: token, Helpdesk: chat.Fixed(core), Knowledge: core.Knowledge, Log: slog.New(slog.DiscardHandler), KnowledgePath: "faq.yaml"})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv, con
}

// A new entry drafted from questions: the patch adds it, and the verdict
// says what it still needs (eight example questions per language).
func TestPatchDraftsANewEntry(t *testing.T) {
	srv, _ := patchServer(t)
	c := browser(t)
	csrf := signIn(t, srv, c)
	form := url.Values{"csrf": {csrf}, "entry": {"imap-settings"}, "q": {"où trouver le menu de la cantine", "where is the canteen menu"},
		"new_id": {"canteen-menu"}, "new_title_fr": {"Menu de la cantine"}, "new_title_en": {"Canteen menu"},
		"new_answer_fr": {"Le menu est affiché à l'entrée du self."}, "new_answer_en": {"The menu is posted at the canteen's door."}}
	code, body, _ := post(t, c, srv.URL+"/console/patch", form)
	if code != http.StatusOK || !strings.Contains(body, "&#43;  - id: canteen-menu") || !strings.Contains(body, `data-ok="false"`) || !strings.Contains(body, "1 example question(s) in French, at least 8") {
		t.Errorf("a drafted entry: %d\n%s", code, body[strings.Index(body, "<main>"):])
	}
	// An id is an id: a newline would add a key or an entry to the YAML, a
	// quote a second file name to the download.
	for _, id := range []string{"canteen\n  - id: evil", `canteen"; filename="x.sh`, "Canteen Menu", strings.Repeat("a", 65)} {
		form.Set("new_id", id)
		if code, body, _ := post(t, c, srv.URL+"/console/patch", form); code != http.StatusBadRequest || strings.Contains(body, "id: evil") {
			t.Errorf("a draft with the id %q: %d; want refused", id, code)
		}
	}
}

// Two replicas behind a load balancer share the sessions through the
// store: signed in on one, a person is signed in on the other.
func TestSessionsAcrossReplicas(t *testing.T) {
	st := storeWith(t, 1)
	core := chattest.Shipped(t)
	replica := func() *httptest.Server {
		srv := httptest.NewServer(Handler(Config{Token: token, Helpdesk: chat.Fixed(core), Knowledge: core.Knowledge, Log: slog.New(slog.DiscardHandler), Sessions: st.Sessions()}))
		t.Cleanup(srv.Close)
		return srv
	}
	a, b := replica(), replica()
	c := browser(t)
	signIn(t, a, c)
	u, _ := url.Parse(a.URL)
	cookies := c.Jar.Cookies(u)
	req, _ := http.NewRequest(http.MethodGet, b.URL+"/console/", nil)
	for _, k := range cookies {
		req.AddCookie(k)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("the other replica answers %d with the session; want 200", resp.StatusCode)
	}
}
