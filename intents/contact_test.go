package intents

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
)

// withContact is the shipped knowledge with a contact block filled in.
func withContact(t *testing.T, block string) (*Core, error) {
	t.Helper()
	src, err := os.ReadFile("../knowledge/faq.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(string(src), "\ncontact:\n", "\ncontact:\n"+block, 1)
	return ParseCore([]string{"faq.yaml"}, map[string][]byte{"faq.yaml": []byte(s)})
}

// With a contact configured, the human entry and the fallback show it, in
// both languages; without one, they say what to do instead, and never send
// people back to themselves.
func TestContactShownWhereverAPersonIsMeant(t *testing.T) {
	core, err := withContact(t, "  url: https://assistance.example.fr\n  email: assistance@example.fr\n  phone: \"04 00 00 00 00\"\n  hours: {fr: \"du lundi au vendredi, de 8 h à 17 h\", en: \"Monday to Friday, 8 am to 5 pm\"}\n")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, q := range []Question{{Text: "humain"}, {Text: "je veux parler à quelqu'un"}, {Text: "la cantine est fermée demain ?"}, {Text: "human", Lang: English}, {Text: "what time does the school library close?", Lang: English}} {
		r, _ := core.Answer(ctx, q)
		md := r.Markdown()
		for _, want := range []string{"04 00 00 00 00", "assistance@example.fr", "[assistance.example.fr](https://assistance.example.fr)"} {
			if !strings.Contains(md, want) {
				t.Errorf("%q (%s): no %q in\n%s", q.Text, r.Outcome, want, md)
			}
		}
	}
	shipped, err := withContact(t, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []Question{{Text: "humain"}, {Text: "la cantine est fermée demain ?"}, {Text: "human", Lang: English}} {
		r, _ := shipped.Answer(ctx, q)
		md := r.Markdown()
		if !strings.Contains(md, "secrétariat") && !strings.Contains(md, "school's office") {
			t.Errorf("%q without a contact: %s\nwant what to do instead", q.Text, md)
		}
		if strings.Contains(md, "« humain »") || strings.Contains(md, `"human"`) {
			t.Errorf("%q sends people back to the bot: %s", q.Text, md)
		}
	}
}

func TestContactValidated(t *testing.T) {
	for block, want := range map[string]string{
		"  url: http://assistance.example.fr\n":                           "contact.url",
		"  email: assistance.example.fr\n":                                "contact.email",
		"  phone: appelez-nous\n":                                         "contact.phone",
		"  phone: \"04 00 00 00 00\"\n  hours: {fr: \"de 8 h à 17 h\"}\n": "contact.hours",
		"  emial: assistance@example.fr\n":                                `unknown key "emial"`,
	} {
		_, err := withContact(t, block)
		var probs Problems
		if !errors.As(err, &probs) || !strings.Contains(probs.Error(), want) {
			t.Errorf("contact %q: %v; want a problem about %s", block, err, want)
		}
	}
}
