package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/acad-lyon/helpdesk-bot/internal/chat"
	"github.com/acad-lyon/helpdesk-bot/internal/chat/chattest"
	"github.com/acad-lyon/helpdesk-bot/internal/platformtest"
	"github.com/acad-lyon/helpdesk-bot/internal/store"
)

// An upload to any path of the page, signed in or not, is refused before
// anything reads it: no temporary file is left, nothing large is kept in
// memory; a form larger than the page's forms is refused too.
func TestUploadsRefusedBeforeAnything(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	srv := server(t)
	c := browser(t)
	csrf := signIn(t, srv, c)
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf", csrf)
	f, _ := mw.CreateFormFile("file", "big.bin")
	f.Write(bytes.Repeat([]byte("x"), 40<<20)) // 40 MB: over the 32 MB net/http keeps in memory
	mw.Close()
	for _, path := range []string{"/console/patch", "/console/signin", "/console/purge", "/console/nowhere"} {
		for _, who := range []*http.Client{c, browser(t)} {
			resp, err := who.Post(srv.URL+path, mw.FormDataContentType(), bytes.NewReader(body.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnsupportedMediaType {
				t.Errorf("a multipart upload to %s: %d; want 415", path, resp.StatusCode)
			}
		}
	}
	form := url.Values{"csrf": {csrf}, "q": {strings.Repeat("a", maxForm)}}.Encode()
	resp, err := c.Post(srv.URL+"/console/patch", "application/x-www-form-urlencoded", strings.NewReader(form))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("a form of %d bytes: %d; want 413", len(form), resp.StatusCode)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("%d temporary file(s) left behind", len(left))
	}
}

// Guessing the token is throttled per client: after 5 tries, one every 10
// seconds, the right token included; the page says how long to wait.
func TestSignInThrottled(t *testing.T) {
	srv := server(t)
	c := browser(t)
	for i := range signinBurst {
		if code, _, _ := post(t, c, srv.URL+"/console/signin", url.Values{"token": {fmt.Sprint("guess", i)}}); code != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d; want 401", i, code)
		}
	}
	resp, err := c.PostForm(srv.URL+"/console/signin", url.Values{"token": {token}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Errorf("the 6th try at once: %d (Retry-After %q); want 429 and when to try again", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
}

// A visitor who has not signed in gets no session: nothing is stored for
// the views of the sign-in page.
func TestNoSessionForVisitors(t *testing.T) {
	srv := server(t)
	for range 20 {
		_, _, h := get(t, browser(t), srv.URL+"/console/signin")
		if h.Get("Set-Cookie") != "" {
			t.Fatalf("the sign-in page set a cookie for a visitor: %s", h.Get("Set-Cookie"))
		}
	}
}

// A session ends when the right that let it in ends: after the
// administrator token is rotated, the old session is sent to sign in.
func TestSessionEndsWithItsToken(t *testing.T) {
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "helpdesk.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	core := chattest.Shipped(t)
	start := func(tok string) *httptest.Server {
		srv := httptest.NewServer(Handler(Config{Token: tok, Helpdesk: chat.Fixed(core), Knowledge: core.Knowledge, Sessions: st.Sessions(),
			Records: func() Records { return st }, Log: slog.New(slog.DiscardHandler)}))
		t.Cleanup(srv.Close)
		return srv
	}
	before := start(token)
	c := browser(t)
	signIn(t, before, c)
	after := start("a-new-console-token-9876543210")
	u, _ := url.Parse(after.URL)
	bu, _ := url.Parse(before.URL)
	c.Jar.SetCookies(u, c.Jar.Cookies(bu)) // the same browser, after the restart
	for _, p := range []string{"/console/", "/console/unanswered"} {
		if code, _, h := get(t, c, after.URL+p); code != http.StatusSeeOther || h.Get("Location") != "/console/signin" {
			t.Errorf("GET %s with a session of the old token: %d %s; want sent to sign in", p, code, h.Get("Location"))
		}
	}
}

// Single sign-on: the provider must say it verified the address, and an
// address is parsed as one.
func TestSignInNeedsAVerifiedAddress(t *testing.T) {
	op := platformtest.NewOIDC(t)
	srv := oidcServer(t, op, "@ac-lyon.fr")
	op.Email, op.NoVerified = "agent@ac-lyon.fr", true
	if code, _, _ := get(t, follow(t), srv.URL+"/console/oidc"); code != http.StatusUnauthorized {
		t.Errorf("a token without email_verified: %d; want refused", code)
	}
	o := &OIDC{Allowed: []string{"@staff.ac-lyon.fr", "chef@example.fr"}}
	for email, want := range map[string]bool{
		"agent@staff.ac-lyon.fr":             true,
		"Chef@Example.fr":                    true,
		"x@evil.example@staff.ac-lyon.fr":    false,
		"Agent <agent@staff.ac-lyon.fr>":     false,
		"agent@staff.ac-lyon.fr.evil.com":    false,
		"\"x@evil\"@staff.ac-lyon.fr":        false,
		"agent@staff.ac-lyon.fr, x@evil.com": false,
		"@staff.ac-lyon.fr":                  false,
	} {
		if got := o.allows(email); got != want {
			t.Errorf("allows(%q) = %v; want %v", email, got, want)
		}
	}
}

// Only the page's own static files are served: no listing, no template.
func TestStaticFilesListed(t *testing.T) {
	srv := server(t)
	for p, want := range map[string]int{
		"/console/static/console.css":                   http.StatusOK,
		"/console/static/console.js":                    http.StatusOK,
		"/console/static/":                              http.StatusNotFound,
		"/console/static/%2e%2e/templates/try.html":     http.StatusNotFound,
		"/console/static/../templates/layout.html":      http.StatusNotFound,
		"/console/static/console.css/../../templates/x": http.StatusNotFound,
	} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+p, nil)
		resp, err := http.DefaultTransport.RoundTrip(req) // as sent, not cleaned by a client
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want && !(want == http.StatusNotFound && resp.StatusCode >= 300 && resp.StatusCode < 500) {
			t.Errorf("GET %s: %d; want %d", p, resp.StatusCode, want)
		}
	}
}

// Patches are prepared one at a time: while one is, another waits a few
// seconds, then the page says the console is busy (503, Retry-After), so
// that agents cannot crowd out the chat's answers.
func TestPatchesOneAtATime(t *testing.T) {
	srv, con := patchServer(t)
	c := browser(t)
	csrf := signIn(t, srv, c)
	con.heavy <- struct{}{} // a patch in preparation
	form := url.Values{"csrf": {csrf}, "entry": {"imap-settings"}, "q": {"quel serveur pour mon samsung"}}
	resp, err := c.PostForm(srv.URL+"/console/patch", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Errorf("a patch while another is prepared: %d; want 503 with Retry-After", resp.StatusCode)
	}
	<-con.heavy
	if code, body, _ := post(t, c, srv.URL+"/console/patch", form); code != http.StatusOK || !strings.Contains(body, "quel serveur pour mon samsung") {
		t.Errorf("a patch once the console is free: %d", code)
	}
}

// A stored question that reorders or hides its text (a right-to-left
// override, zero-width characters) is shown as typed, not obeyed.
func TestHiddenCharactersShown(t *testing.T) {
	spoof := "la cantine \u202eesuomed\u202c fermée\u200b ?"
	st := storeOf(t, 3, func(int, []string) string { return spoof })
	srv := serverWith(t, st)
	c := browser(t)
	signIn(t, srv, c)
	_, body, _ := get(t, c, srv.URL+"/console/unanswered?since=7d")
	shown := body[strings.Index(body, "<article"):]
	shown = shown[:strings.Index(shown, "</article>")]
	shown = regexp.MustCompile(`value="[^"]*"`).ReplaceAllString(shown, "") // what is posted back stays as typed
	if strings.ContainsAny(shown, "\u202e\u202c\u200b") || !strings.Contains(shown, "[U&#43;202E]esuomed[U&#43;202C]") || !strings.Contains(shown, "[U&#43;200B]") {
		t.Errorf("the hidden characters are not written out:\n%.1500s", body[strings.Index(body, "<article"):])
	}
}

// Another site cannot make a signed-in agent's browser view the questions
// staff asked (and write an audit row) by sending it to the page: the page
// then only offers its own link.
func TestUnansweredViewNotByNavigationFromElsewhere(t *testing.T) {
	st := storeWith(t, 5)
	srv := serverWith(t, st)
	c := browser(t)
	signIn(t, srv, c)
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/console/unanswered?since=30d", nil)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if strings.Contains(string(b), "cantine") || !strings.Contains(string(b), `href="/console/unanswered?since=30d&amp;lang=fr"`) {
		t.Errorf("a view led by another site: %s", b)
	}
	if log, _ := st.AuditLog(context.Background(), time.Now().Add(-time.Hour)); len(log) != 0 {
		t.Errorf("a view led by another site wrote the audit log: %+v", log)
	}
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if resp, err := c.Do(req); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("the page's own link: %v", err)
	}
	if log, _ := st.AuditLog(context.Background(), time.Now().Add(-time.Hour)); len(log) != 1 {
		t.Errorf("the page's own view: audit log %+v; want one row", log)
	}
}

// A patch's verdict is prepared once: shown again (a reload, a second agent
// on the same questions, the download), the knowledge is not trained again; and the problems the knowledge already had are
// shown apart, not laid at the patch's door.
func TestPatchVerdictPreparedOnce(t *testing.T) {
	src, err := os.ReadFile(chattest.KnowledgePath())
	if err != nil {
		t.Fatal(err)
	}
	// A misfiled example already in the knowledge (the cross-check reports it).
	const at = "        - utiliser deux adresses académiques en parallèle\n"
	srv, con := patchServerOf(t, []byte(strings.Replace(string(src), at, at+"        - quels parametres imap pour mon telephone\n", 1)))
	c := browser(t)
	csrf := signIn(t, srv, c)
	form := url.Values{"csrf": {csrf}, "entry": {"imap-settings"}, "q": {"quel serveur entrant pour mon samsung"}}
	code, body, _ := post(t, c, srv.URL+"/console/patch", form)
	if code != http.StatusOK || !strings.Contains(body, `data-ok="true"`) || !strings.Contains(body, `id="known"`) || !strings.Contains(body, "quels parametres imap pour mon telephone") {
		t.Errorf("a patch on a knowledge with a problem of its own: %d; want the verdict OK and the old problem apart\n%s", code, body[strings.Index(body, "<main>"):])
	}
	if again, _, _ := post(t, c, srv.URL+"/console/patch", form); again != http.StatusOK {
		t.Errorf("the same patch again: %d", again)
	}
	con.verdicts.mu.Lock()
	defer con.verdicts.mu.Unlock()
	if con.verdicts.prepared != 2 {
		t.Errorf("%d verdicts prepared; want 2: the knowledge as it is, and with the change, each once", con.verdicts.prepared)
	}
}

// An agent who leaves stops the preparation: nothing more is computed, and
// nothing half-made is kept.
func TestPatchCancelledWhenAgentLeaves(t *testing.T) {
	_, con := patchServer(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := con.propose(ctx, "imap-settings", []string{"quel serveur entrant pour mon samsung"}, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("propose after the agent left: %v; want context.Canceled", err)
	}
	if con.verdicts.prepared != 0 || len(con.verdicts.recent) != 0 {
		t.Errorf("%d verdicts prepared, %d kept; want none", con.verdicts.prepared, len(con.verdicts.recent))
	}
}
