package web

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/acad-lyon/helpdesk-bot/intents"
	"github.com/acad-lyon/helpdesk-bot/internal/chat"
	"github.com/acad-lyon/helpdesk-bot/internal/chat/chattest"
)

const token = "console-test-token-0123456789"

func server(t *testing.T) *httptest.Server {
	t.Helper()
	h := Handler(Config{Token: token, Helpdesk: chat.Fixed(chattest.Shipped(t)), Log: slog.New(slog.DiscardHandler),
		Formats: []Format{{"text", intents.RenderText}, {"markdown", func(md string) string { return md }}}})
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
	_, body, _ := get(t, c, srv.URL+"/console/signin")
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no form token on the sign-in page:\n%s", body)
	}
	code, _, h := post(t, c, srv.URL+"/console/signin", url.Values{"csrf": {m[1]}, "token": {token}})
	if code != http.StatusSeeOther || h.Get("Location") != "/console/" {
		t.Fatalf("sign-in: %d %s", code, h.Get("Location"))
	}
	_, body, _ = get(t, c, srv.URL+"/console/")
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
	_, body, _ := get(t, c, srv.URL+"/console/signin")
	csrf := csrfField.FindStringSubmatch(body)[1]
	if code, _, _ := post(t, c, srv.URL+"/console/signout", url.Values{"csrf": {csrf}}); code != http.StatusUnauthorized {
		t.Errorf("POST signout without a session: %d; want 401", code)
	}
	if code, body, _ := post(t, c, srv.URL+"/console/signin", url.Values{"csrf": {csrf}, "token": {"guess"}}); code != http.StatusUnauthorized || !strings.Contains(body, "pas le bon") {
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
	_, body, _ := get(t, c, srv.URL+"/console/signin")
	resp, err := c.PostForm(srv.URL+"/console/signin", url.Values{"csrf": {csrfField.FindStringSubmatch(body)[1]}, "token": {token}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	set := resp.Header.Get("Set-Cookie")
	for _, want := range []string{"helpdesk_console=", "HttpOnly", "SameSite=Strict", "Path=/console/"} {
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

// The entries, or those close to a filter, with their answers to copy.
func TestBrowseAndCopy(t *testing.T) {
	srv := server(t)
	c := browser(t)
	signIn(t, srv, c)
	_, body, _ := get(t, c, srv.URL+"/console/entries")
	if n := strings.Count(body, "<article id=\"entry-"); n != 13 {
		t.Errorf("%d entries listed; want the 13 topics", n)
	}
	_, body, _ = get(t, c, srv.URL+"/console/entries?filter=certificat")
	if !strings.Contains(body, `id="entry-certificate-warning"`) || !strings.Contains(body, `class="copy"`) || strings.Contains(body, `id="entry-two-accounts"`) {
		t.Errorf("filter certificat:\n%.2000s", body)
	}
	if _, body, _ = get(t, c, srv.URL+"/console/entries?filter=certificat&lang=en"); !strings.Contains(body, `<html lang="en">`) || !strings.Contains(body, "Copy") {
		t.Errorf("the console in English:\n%.500s", body)
	}
}
