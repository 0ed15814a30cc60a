package tests

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const module = "github.com/acad-lyon/helpdesk-bot"

// The picture of ../shared/STYLE.md stays true: the matcher knows nothing of
// YAML or platforms, adapters never import each other or the matcher, the
// conversation (internal/chat) and the webhook guard know no platform, and
// only main reads the environment.
func TestImportRules(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not found")
	}
	rules := []struct {
		pkg       string
		direct    bool // only direct imports count
		forbidden []string
	}{
		{module + "/internal/matcher", false, []string{"gopkg.in/yaml.v3", "github.com/slack-go/slack", "github.com/bwmarrin/discordgo", module + "/intents", module + "/adapters/"}},
		{module + "/intents", false, []string{"github.com/slack-go/slack", "github.com/bwmarrin/discordgo", module + "/adapters/"}},
		{module + "/adapters/...", true, []string{module + "/internal/matcher", module + "/adapters/"}},
		// The conversation is the same for every platform: it knows none.
		{module + "/internal/chat", false, []string{"github.com/slack-go/slack", "github.com/bwmarrin/discordgo", module + "/adapters/"}},
		// The webhook guard knows HTTP, not what a platform or the bot says.
		{module + "/internal/webhook", false, []string{"github.com/slack-go/slack", "github.com/bwmarrin/discordgo", module + "/adapters/", module + "/intents", module + "/internal/chat"}},
		// The console shows what the platforms show through the renderers it
		// is given: it knows no platform.
		{module + "/internal/web", false, []string{"github.com/slack-go/slack", "github.com/bwmarrin/discordgo", module + "/adapters/"}},
	}
	for _, r := range rules {
		args := []string{"list", "-deps", r.pkg}
		if r.direct {
			args = []string{"list", "-f", "{{join .Imports \"\\n\"}}", r.pkg}
		}
		out, err := exec.Command("go", args...).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", r.pkg, err)
		}
		for _, dep := range strings.Fields(string(out)) {
			for _, f := range r.forbidden {
				if dep == f || (strings.HasSuffix(f, "/") && strings.HasPrefix(dep, f)) {
					t.Errorf("%s imports %s", r.pkg, dep)
				}
			}
		}
	}
	// Only cmd/bot reads the environment (and the helpers of tests, the
	// packages named ...test, which find the servers .ci/run starts).
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{.Dir}} {{join .GoFiles \" \"}}", module+"/...").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if strings.HasPrefix(f[0], module+"/cmd/") || strings.HasSuffix(f[0], "test") || len(f) < 3 {
			continue
		}
		args := []string{"-l", "os.Getenv\\|os.LookupEnv\\|os.Environ"}
		for _, file := range f[2:] {
			args = append(args, filepath.Join(f[1], file))
		}
		if files, _ := exec.Command("grep", args...).Output(); len(files) > 0 {
			t.Errorf("%s reads the environment (%s); only main may", f[0], strings.TrimSpace(string(files)))
		}
	}
}
