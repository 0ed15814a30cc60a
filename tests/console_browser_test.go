package tests

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/acad-lyon/helpdesk-bot/internal/platformtest"
)

// chromium returns Debian's Chromium (.ci/run installs it); without it the
// browser tests are skipped, saying so, except under CI, where they fail.
func chromium(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("Chromium not found under CI: .ci/run installs Debian's chromium")
	}
	t.Skip("Chromium not found: browser tests skipped (apt-get install chromium, or run .ci/run)")
	return ""
}

// artifacts is where the browser tests keep their screenshots
// (tests/artifacts, not in git).
func artifacts(t *testing.T) string {
	dir := filepath.Join("artifacts")
	os.MkdirAll(dir, 0o755)
	return dir
}

// The helpdesk's page in a real browser: sign in through a local OpenID
// Connect provider, try a
// question and read the outcome, copy an answer, and a hostile question is
// shown as text (no script of it runs).
func TestConsoleInChromium(t *testing.T) {
	exe := chromium(t)
	fake := platformtest.NewSlack(t)
	op := platformtest.NewOIDC(t) // the academy's single sign-on, on loopback
	addr := freeAddr(t)
	kpath := knowledgeCopy(t) // which the patch will change
	repo := filepath.Dir(kpath)
	bot := startBot(t, "SLACK_BOT_TOKEN="+fake.BotToken, "SLACK_SIGNING_SECRET="+signingSecret, "SLACK_API_URL="+fake.APIURL(),
		"KNOWLEDGE_PATH="+kpath, "HTTP_ADDR="+addr, "CONSOLE_OIDC_ISSUER="+op.Issuer(), "CONSOLE_OIDC_CLIENT_ID="+op.ClientID, "CONSOLE_OIDC_CLIENT_SECRET="+op.ClientSecret,
		"CONSOLE_URL=http://"+addr, "CONSOLE_ALLOWED=@ac-lyon.fr")
	waitReady(t, addr)
	base := "http://" + addr

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()), chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("no-first-run", true), chromedp.WindowSize(1000, 1200))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	bctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	// The browser starts with the first action, on a context without a
	// deadline (a deadline would stop the browser); the steps after it are
	// bounded.
	if err := chromedp.Do(bctx, chromedp.Navigate(base+"/console/")); err != nil {
		t.Fatalf("chromium: %v", err)
	}
	ctx, cancelTime := context.WithTimeout(bctx, 60*time.Second)
	defer cancelTime()
	// The clipboard, as a person allows it to the page.
	for _, name := range []string{"clipboard-read", "clipboard-write"} {
		if _, err := chromedp.CallBrowser(ctx, browser.SetPermission, browser.SetPermissionParams{
			Permission: &browser.PermissionDescriptor{Name: name, AllowWithoutSanitization: true}, Setting: browser.PermissionSettingGranted, Origin: base}); err != nil {
			t.Fatalf("chromium: grant %s: %v", name, err)
		}
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("chromium: %v\n%s", err, bot.stderr.String())
		}
	}
	shot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		must(err)
		must(os.WriteFile(filepath.Join(artifacts(t), name+".png"), png, 0o644))
	}
	text := func(sel string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		must(err)
		return v
	}

	must(chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS("#sso"))))
	location, err := chromedp.Run(ctx, chromedp.Location())
	must(err)
	if !strings.HasSuffix(location, "/console/signin") {
		t.Errorf("without a session the console went to %s; want the sign-in page", location)
	}
	shot("console-signin")
	// Signing in goes through the provider and back.
	must(chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#sso"), chromedp.NodeVisible),
		chromedp.WaitVisible(chromedp.CSS("#q")),
		chromedp.SendKeys(chromedp.CSS("#q"), "quel port imap sur mon téléphone"), chromedp.Submit(chromedp.CSS("#q")),
		chromedp.WaitVisible(chromedp.CSS("#outcome"))))
	outcome, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS("#outcome"), "data-outcome"))
	must(err)
	if entry := text("#entry"); outcome.Value != "answered" || entry != "imap-settings" {
		t.Errorf("try: outcome %q, entry %q; want answered with imap-settings", outcome.Value, entry)
	}
	shot("console-try")

	// Copy an answer: the clipboard (or, where the browser gives none, the
	// selection it falls back to) holds the text shown next to the button.
	must(chromedp.Do(ctx, chromedp.Navigate(base+"/console/entries?filter=certificat"),
		chromedp.WaitVisible(chromedp.CSS("#entry-certificate-warning button.copy")),
		chromedp.Click(chromedp.CSS("#entry-certificate-warning button.copy"), chromedp.NodeVisible),
		chromedp.Sleep(300*time.Millisecond)))
	copied, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(navigator.clipboard ? navigator.clipboard.readText().catch(() => "") : Promise.resolve("")).then(c => c || getSelection().toString())`, chromedp.EvalAwaitPromise))
	must(err)
	shown, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#entry-certificate-warning pre.copyable").textContent`))
	must(err)
	if label := text("#entry-certificate-warning button.copy"); copied == "" || strings.TrimSpace(copied) != strings.TrimSpace(shown) || !strings.Contains(copied, "mail.ac-lyon.fr") || label != "Copié" {
		t.Errorf("copy: copied %.80q, shown %.80q, button %q; want the answer copied and the button saying so", copied, shown, label)
	}
	shot("console-entries")

	// A hostile question is text: none of its markup runs. Every page is
	// watched: alert, which the markup calls, marks the page.
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: `window.alert = () => { window.pwned = true }`}); err != nil {
		t.Fatalf("chromium: %v", err)
	}
	hostile := `<script>alert(1)</script><img src=x onerror=alert(2)> port imap`
	must(chromedp.Do(ctx, chromedp.Navigate(base+"/console/"), chromedp.WaitVisible(chromedp.CSS("#q")),
		chromedp.SendKeys(chromedp.CSS("#q"), hostile), chromedp.Submit(chromedp.CSS("#q")),
		chromedp.WaitVisible(chromedp.CSS("#outcome")), chromedp.Sleep(300*time.Millisecond)))
	pwned, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.pwned === true`))
	must(err)
	echoed, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("#q")))
	must(err)
	if pwned || echoed != hostile {
		t.Errorf("a hostile question ran (%v), or was not shown as typed (%q)", pwned, echoed)
	}
	// The watch works: a page of the test's own that calls alert is marked.
	must(chromedp.Do(ctx, chromedp.Navigate(base+"/console/static/console.css")))
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](`alert(3)`)); err != nil {
		t.Fatalf("chromium: %v", err)
	}
	if marked, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.pwned === true`)); !marked {
		t.Error("the watch on alert does not work: the test above proves nothing")
	}
	// Questions asked in vain through Slack, a hostile one among them, reach
	// the unanswered page as text; two are attached to an entry, and the
	// patch the page gives goes through git apply and bot validate, after
	// which bot ask answers them with that entry.
	sb := &slackBot{t: t, fake: fake, base: base}
	picked := []string{"le truc des mails sur le portable marche plus depuis la mise à jour", "le truc des mails sur le portable marche plus depuis hier"}
	sb.event("EvC1", mention("CGENERAL", "7.000001", picked[0]))
	sb.event("EvC2", mention("CGENERAL", "7.000002", picked[1]))
	// Slack sends what people type with < > & as entities.
	sb.event("EvC3", mention("CGENERAL", "7.000003", `&lt;img src=x onerror=alert(4)&gt; la cantine est fermée ?`))
	eventually(t, 20*time.Second, "the unanswered questions in the store", func() bool {
		_, m := get(t, base+"/metrics")
		return strings.Contains(m, `helpdesk_store_writes_total{kind="question",result="ok"} 3`)
	})
	must(chromedp.Do(ctx, chromedp.Navigate(base+"/console/unanswered"), chromedp.WaitVisible(chromedp.CSS("#patch"))))
	page, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
	must(err)
	for _, q := range picked {
		if !strings.Contains(page, q) {
			t.Errorf("the unanswered page does not show %q:\n%s", q, page)
		}
	}
	if pwned, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.pwned === true`)); pwned || !strings.Contains(page, "<img src=x") {
		t.Errorf("the hostile question ran (%v), or is not shown as text", pwned)
	}
	shot("console-unanswered")
	for _, q := range picked {
		must(chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`input[name=q][value="`+q+`"]`), chromedp.NodeVisible)))
	}
	must(chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS("#entry"), "imap-settings"), chromedp.Submit(chromedp.CSS("#entry")),
		chromedp.WaitVisible(chromedp.CSS("#verdict"))))
	ok, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS("#verdict"), "data-ok"))
	must(err)
	if ok.Value != "true" {
		t.Fatalf("the validator's verdict: %q; want the change accepted\n%s", ok.Value, text("main"))
	}
	shot("console-patch")
	// What the download button sends, fetched by the page itself.
	patch, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch(document.querySelector("#download").form.action, {method: "POST", body: new URLSearchParams(new FormData(document.querySelector("#download").form))}).then(r => r.text())`, chromedp.EvalAwaitPromise))
	must(err)
	os.WriteFile(filepath.Join(repo, "change.patch"), []byte(patch), 0o644)
	apply := exec.Command("git", "apply", "change.patch")
	apply.Dir = repo
	if out, err := apply.CombinedOutput(); err != nil {
		t.Fatalf("git apply: %v\n%s\n%s", err, out, patch)
	}
	if out, err := exec.Command(botBinary(t), "validate", kpath).CombinedOutput(); err != nil {
		t.Fatalf("bot validate after the patch: %v\n%s", err, out)
	}
	for _, q := range picked {
		cmd := exec.Command(botBinary(t), "ask", "--json", q)
		cmd.Env = append(os.Environ(), "KNOWLEDGE_PATH="+kpath)
		out, err := cmd.Output()
		if err != nil || !strings.Contains(string(out), `"intent":"imap-settings"`) {
			t.Errorf("bot ask %q after the patch: %v %s; want imap-settings", q, err, out)
		}
	}
	bot.terminate(t)
}
