package intents

import (
	"context"
	"os"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

func TestContainsSecret(t *testing.T) {
	secrets := []string{
		// NUMEN shapes
		"mon numen c'est 10E0512345ABC je crois",
		"10e0512345abc",
		"voici mon numen : 10 E 05 12345 ABC",
		"NUMEN=69P9912345XYZ, ça marche pas",
		// passwords in clear, French
		"mon mot de passe est Soleil2024! et il ne marche pas",
		"mdp : azerty123",
		"mon mdp c'est chouquette",
		"mot de passe = Lyon#69",
		"mon mot de passe actuel est « Printemps-24 »",
		"le code c'est 4589Ab",
		// English
		"my password is Hunter2!",
		"password: correcthorsebattery",
		"pwd=S3cret",
		"My new password is sunflower",
		// a passphrase between quotes, a short word after a separator
		"mon mot de passe est « le chat dort sur le canapé »",
		"mdp : chat",
		"mdp:Tournesol",
		"pwd=hunter",
		"my pwd's hummingbird btw",
		"c'est Fourviere#12 mon mdp",
		"NUMEN 10|E|96|42017|NCU",
		"mon numen par blocs : 10G0 3714 52KL D",
	}
	for _, s := range secrets {
		if !ContainsSecret(s) {
			t.Errorf("ContainsSecret(%q) = false; want true", s)
		}
	}
	questions := []string{
		"mon mot de passe est bloqué",
		"mon mot de passe est incorrect depuis ce matin",
		"mon mot de passe est le NUMEN ?",
		"mot de passe : comment le changer ?",
		"mot de passe oublié",
		"mdp oublié, que faire",
		"my password is wrong",
		"my password is not working",
		"I have no idea what my webmail password is anymore",
		"je ne sais plus ce que mon mot de passe est maintenant",
		"password: how do I reset it?",
		"quel est le port imap 993 pour mail.ac-lyon.fr",
		"mon identifiant est mdupont",
		"le mot de passe la 1ère fois, je tape lequel ?",
		"mot de passe 2eme connexion refusé",
		"j'ai reçu un code à 6 chiffres",
		"ticket 2024-12345 toujours pas traité",
		"mon numéro de téléphone 06 12 34 56 78",
		"mon mdp est peut-être mal enregistré",
		"password is incorrect - that's all it says",
		"rendez-vous le 03/14 à 2:30pm, salle C12",
		"identifiant : prénom.nom ou initiale+nom ?",
		"le mot de passe provisoire arrivera par courrier",
		"",
	}
	for _, q := range questions {
		if ContainsSecret(q) {
			t.Errorf("ContainsSecret(%q) = true; want false (a question, not a secret)", q)
		}
	}
}

func TestSecretGetsThePrivateWarningOnly(t *testing.T) {
	c := newShippedCore(t)
	for _, tc := range []struct{ q, lang string }{
		{"bonjour, mon mot de passe est Soleil2024! et ça ne marche pas", French},
		{"hello my password is Hunter2! and it fails", English},
		{"mon numen 10E0512345ABC ne fonctionne pas", French},
	} {
		r, err := c.Answer(context.Background(), Question{Text: tc.q})
		if err != nil {
			t.Fatal(err)
		}
		if r.Outcome != Secret || r.Lang != tc.lang || r.Entry != nil || len(r.Alternatives) != 0 {
			t.Errorf("Answer(%q) = %s in %s; want the secret warning in %s", tc.q, r.Outcome, r.Lang, tc.lang)
		}
		for _, leak := range []string{"Soleil2024", "Hunter2", "10E0512345ABC"} {
			if strings.Contains(r.Text, leak) || strings.Contains(r.Markdown(), leak) {
				t.Errorf("the warning echoes the secret %q", leak)
			}
		}
		pc, _ := c.Knowledge().Entry("password-change")
		if !strings.Contains(r.Text, pc.Title.In(tc.lang)) {
			t.Errorf("the warning does not say how to change the password:\n%s", r.Text)
		}
	}
}

func TestHostileInput(t *testing.T) {
	c := newShippedCore(t)
	for _, q := range []string{
		"", "   \t\n ", "😀😀😀", "👍", "\x00\x01\x02", "\xff\xfe\xfd", "mot\x00de\x07passe oublié",
		"<!channel> @everyone @here", "```\nrm -rf /\n```", "[clic](https://evil.example)", "<script>alert(1)</script>",
		"Пароль забыл 密码 كلمة السر", strings.Repeat("log line 42 ERROR connection refused\n", 600),
		strings.Repeat("é", 5000), "\u202eevil\u202c", "\u200b\ufeff",
	} {
		r, err := c.Answer(context.Background(), Question{Text: q})
		if err != nil {
			t.Fatalf("Answer(%.40q): %v", q, err)
		}
		if r.Text == "" {
			t.Errorf("Answer(%.40q): empty reply text", q)
		}
		if strings.Contains(r.Text, "evil.example") || strings.Contains(r.Text, "<script") || strings.Contains(r.Text, "rm -rf") {
			t.Errorf("Answer(%.40q) echoes the message: %q", q, r.Text)
		}
	}
	if got := Clean(strings.Repeat("é", 5000)); len(got) > MaxQuestion {
		t.Errorf("Clean kept %d bytes; want at most %d", len(got), MaxQuestion)
	}
}

// What is kept of a question never holds something that might be a
// credential, whatever the guard decided.
func TestMaskSecrets(t *testing.T) {
	for in, want := range map[string]string{
		"le mot de passe de ma messagerie est Lavande2024": "le mot de passe de ma messagerie est " + Masked,
		"mdp Noisette2022 refusé":                          "mdp " + Masked + " refusé",
		"mon mot de passe, c'est Azerty":                   "mon mot de passe, c'est " + Masked,
		"password Hunter22! doesn't work":                  "password " + Masked + " doesn't work",
		"changed my password to Sunflower":                 "changed my password to " + Masked,
		"mon numen 10/E/05/12345/ABC marche pas":           "mon numen " + Masked + " marche pas",
		"mot de passe oublié":                              "mot de passe oublié",
		"mon mot de passe est bloqué depuis ce matin":      "mon mot de passe est bloqué depuis ce matin",
		"quel port imap 993 pour mail.ac-lyon.fr":          "quel port imap 993 pour mail.ac-lyon.fr",
		"réinitialiser le mot de passe convergence svp":    "réinitialiser le mot de passe convergence svp",
		"my password is not working since the 2024 update": "my password is not working since the 2024 update",
	} {
		if got := MaskSecrets(in); got != want {
			t.Errorf("MaskSecrets(%q) = %q; want %q", in, got, want)
		}
	}
}

// The warning fits where it is said: in a direct message it speaks of no
// other participants; after a NUMEN it says that a NUMEN cannot be changed
// and to tell the DSI.
func TestSecretWarningFitsWhereItIsSaid(t *testing.T) {
	c := newShippedCore(t)
	for _, tc := range []struct {
		q              string
		direct         bool
		others, unlike bool // speaks of other participants; says a NUMEN cannot be changed
	}{
		{"mon mot de passe est Lavande2024 et ça ne marche pas", false, true, false},
		{"mon mot de passe est Lavande2024 et ça ne marche pas", true, false, false},
		{"mon numen c'est 10E0512345ABC, c'est bien mon identifiant ?", false, true, true},
		{"my NUMEN is 10 E 05 12345 ABC, is that my login?", true, false, true},
	} {
		r, err := c.Answer(context.Background(), Question{Text: tc.q, Direct: tc.direct})
		if err != nil {
			t.Fatal(err)
		}
		text := strings.ToLower(r.Text)
		others := strings.Contains(text, "participants") || strings.Contains(text, "other people")
		unlike := strings.Contains(text, "ne peut pas être changé") || strings.Contains(text, "cannot be changed")
		dsi := strings.Contains(text, "dsi")
		if r.Outcome != Secret || others != tc.others || unlike != tc.unlike || tc.unlike && !dsi {
			t.Errorf("Answer(%q, direct %v): others %v, NUMEN cannot be changed %v, DSI %v; want %v, %v\n%s", tc.q, tc.direct, others, unlike, dsi, tc.others, tc.unlike, r.Text)
		}
	}
}

// BenchmarkSecretGuard: what the guard costs a message, over the example
// questions of the knowledge (what staff type: 45 bytes on average) and
// over the tuning half of the labelled corpus (passwords, NUMENs and
// look-alikes, often long stories: 110 bytes on average).
func BenchmarkSecretGuard(b *testing.B) {
	c := newShippedCore(b)
	var questions []string
	for _, e := range c.kb.Entries {
		questions = append(questions, e.Questions.FR...)
		questions = append(questions, e.Questions.EN...)
	}
	raw, err := os.ReadFile("../tests/testdata/secrets-tune.yaml")
	if err != nil {
		b.Fatal(err)
	}
	var labelled []struct {
		Text string `yaml:"text"`
	}
	if err := yaml.Unmarshal(raw, &labelled); err != nil {
		b.Fatal(err)
	}
	var corpus []string
	for _, m := range labelled {
		corpus = append(corpus, m.Text)
	}
	for name, msgs := range map[string][]string{"questions": questions, "corpus": corpus} {
		b.Run(name, func(b *testing.B) {
			size := 0
			for i := range msgs {
				msgs[i] = cleanLines(msgs[i])
				size += len(msgs[i])
			}
			b.ReportAllocs()
			b.SetBytes(int64(size / len(msgs)))
			for i := 0; b.Loop(); i++ {
				c.guard.contains(msgs[i%len(msgs)])
			}
		})
	}
}

// A "+" at either end of a word is no keyboard shortcut, and no reason to
// fail (found by FuzzAnswer).
func TestGuardShortcutEdges(t *testing.T) {
	for _, q := range []string{"ctrl++ ne marche pas", "mot de passe +Ab12cd9", "mdp: Tournesol42+", "+"} {
		ContainsSecret(q)
		MaskSecrets(q)
	}
}
