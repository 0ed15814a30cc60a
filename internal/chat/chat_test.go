package chat

import (
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/acad-lyon/helpdesk-bot/intents"
)

func TestSplit(t *testing.T) {
	para := strings.Repeat("mot ", 20) // 80 characters
	tests := []struct {
		name  string
		text  string
		limit int
		want  int // pieces
	}{
		{"short", "bonjour", 10, 1},
		{"empty", "", 10, 1},
		{"paragraphs", para + "\n\n" + para + "\n\n" + para, 170, 2},
		{"lines", strings.Repeat("ligne de texte\n", 30), 100, 5},
		{"one long word", strings.Repeat("x", 250), 100, 3},
		{"emoji count twice", strings.Repeat("👍", 60), 100, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Split(tt.text, tt.limit)
			if len(got) != tt.want {
				t.Errorf("Split into %d pieces; want %d: %q", len(got), tt.want, got)
			}
			for _, p := range got {
				if Len(p) > tt.limit {
					t.Errorf("piece of %d characters > limit %d", Len(p), tt.limit)
				}
				if !utf8.ValidString(p) {
					t.Errorf("piece is not valid UTF-8: %q", p)
				}
			}
			// Nothing but blanks at the cuts is lost.
			squash := func(s string) string { return strings.Join(strings.Fields(s), "") }
			if squash(strings.Join(got, "")) != squash(tt.text) {
				t.Errorf("Split lost text")
			}
		})
	}
}

func TestDedup(t *testing.T) {
	now := time.Unix(0, 0)
	d := NewDedup(time.Minute, 3)
	d.Now = func() time.Time { return now }
	if !d.First("a") || d.First("a") {
		t.Fatal("First(a) twice: want true then false")
	}
	now = now.Add(2 * time.Minute)
	if !d.First("a") {
		t.Error("First(a) after the TTL = false; want true")
	}
	for _, k := range []string{"b", "c", "d", "e"} {
		d.First(k)
	}
	if n := d.Len(); n > 3 {
		t.Errorf("Len() = %d; want at most Max = 3", n)
	}
	if d.First("e") {
		t.Error("First(e) just after recording it = true; want false")
	}
}

func TestParseRef(t *testing.T) {
	r := Ref{"imap-settings", "en"}
	if got, ok := ParseRef(r.String()); !ok || got != r {
		t.Errorf("ParseRef(%q) = %v, %v; want %v", r.String(), got, ok, r)
	}
	for _, bad := range []string{"", "imap", "imap|de", "|fr", strings.Repeat("x", 200) + "|fr"} {
		if _, ok := ParseRef(bad); ok {
			t.Errorf("ParseRef(%q) ok; want refused", bad)
		}
	}
}

// What reaches the maintainers never holds what might be a credential,
// whatever the secret guard decided.
func TestUnansweredIsMasked(t *testing.T) {
	u, ok := UnansweredOf("slack", "U1", "mdp Noisette2022 refusé", intents.Reply{Outcome: intents.Fallback, Lang: "fr"}, time.Now())
	if !ok || strings.Contains(u.Question, "Noisette2022") || !strings.Contains(u.Question, intents.Masked) {
		t.Errorf("recorded %q; want the token masked", u.Question)
	}
}

// A retry is recognised for the whole hour Slack may retry in, whatever the
// traffic an academy sends (100,000 events in 50 minutes here), and
// forgotten after it.
func TestDedupRemembersAnHourOfTraffic(t *testing.T) {
	d := NewDedup(EventTTL, EventKeys)
	now := time.Unix(1_800_000_000, 0)
	d.Now = func() time.Time { return now }
	d.First("event:first")
	for i := range 100_000 {
		now = now.Add(30 * time.Millisecond)
		d.First("event:" + strconv.Itoa(i))
	}
	if d.First("event:first") {
		t.Error("a delivery of 50 minutes ago was forgotten")
	}
	now = now.Add(time.Hour)
	if !d.First("event:first") {
		t.Error("a delivery of more than an hour ago is still remembered")
	}
	small := NewDedup(time.Hour, 1000)
	for i := range 5000 {
		small.First(strconv.Itoa(i))
	}
	if small.Len() > 1000 {
		t.Errorf("%d keys remembered; want at most 1000", small.Len())
	}
}
