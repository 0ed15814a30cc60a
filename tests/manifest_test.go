package tests

import (
	"os"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// The Slack app manifests a workspace admin pastes ask for what the adapter
// needs: the events it answers, the scopes to read and reply, /faq, buttons,
// and, in HTTP mode, the adapter's endpoints.
func TestSlackManifests(t *testing.T) {
	type manifest struct {
		Features struct {
			SlashCommands []struct {
				Command string `yaml:"command"`
				URL     string `yaml:"url"`
			} `yaml:"slash_commands"`
		} `yaml:"features"`
		OAuth struct {
			Scopes struct {
				Bot []string `yaml:"bot"`
			} `yaml:"scopes"`
		} `yaml:"oauth_config"`
		Settings struct {
			Events struct {
				RequestURL string   `yaml:"request_url"`
				BotEvents  []string `yaml:"bot_events"`
			} `yaml:"event_subscriptions"`
			Interactivity struct {
				Enabled    bool   `yaml:"is_enabled"`
				RequestURL string `yaml:"request_url"`
			} `yaml:"interactivity"`
			SocketMode bool `yaml:"socket_mode_enabled"`
		} `yaml:"settings"`
	}
	for _, tc := range []struct {
		file   string
		socket bool
	}{{"../deploy/slack/manifest.yaml", true}, {"../deploy/slack/manifest-http.yaml", false}} {
		t.Run(tc.file, func(t *testing.T) {
			b, err := os.ReadFile(tc.file)
			if err != nil {
				t.Fatal(err)
			}
			var m manifest
			if err := yaml.Unmarshal(b, &m); err != nil {
				t.Fatal(err)
			}
			for _, ev := range []string{"app_mention", "message.channels", "message.groups", "message.im"} {
				if !slices.Contains(m.Settings.Events.BotEvents, ev) {
					t.Errorf("event %s not subscribed", ev)
				}
			}
			for _, s := range []string{"app_mentions:read", "channels:history", "groups:history", "im:history", "chat:write", "commands", "users:read"} {
				if !slices.Contains(m.OAuth.Scopes.Bot, s) {
					t.Errorf("scope %s missing", s)
				}
			}
			if len(m.Features.SlashCommands) != 1 || m.Features.SlashCommands[0].Command != "/faq" {
				t.Errorf("slash commands %+v; want /faq", m.Features.SlashCommands)
			}
			if !m.Settings.Interactivity.Enabled || m.Settings.SocketMode != tc.socket {
				t.Errorf("interactivity %v, socket mode %v; want true, %v", m.Settings.Interactivity.Enabled, m.Settings.SocketMode, tc.socket)
			}
			if !tc.socket {
				for url, path := range map[string]string{
					m.Settings.Events.RequestURL:        "/slack/events",
					m.Settings.Interactivity.RequestURL: "/slack/interactions",
					m.Features.SlashCommands[0].URL:     "/slack/commands",
				} {
					if !strings.HasPrefix(url, "https://") || !strings.HasSuffix(url, path) {
						t.Errorf("request URL %q; want https://.../%s", url, path)
					}
				}
			}
		})
	}
}
