package main

import (
	"fmt"
	"os"

	"gopkg.in/yaml.v3"

	"github.com/acad-lyon/helpdesk-bot/intents"
	"github.com/acad-lyon/helpdesk-bot/internal/matcher"
)

// Paths of the bot's own setting, relative to the repository root.
const (
	ownKnowledge = "knowledge/faq.yaml"
	ownQuestions = "tests/testdata/questions.yaml"
)

// loadOwn is the helpdesk-own setting: trained on the shipped knowledge as
// the bot is, tested on the labelled questions. With no validation split,
// the cut-off is the knowledge's own answer_threshold (see ownCutoff).
func loadOwn() (*dataset, matcher.Config, error) {
	kb, err := intents.Load(ownKnowledge)
	if err != nil {
		return nil, matcher.Config{}, fmt.Errorf("helpdesk-own (run from the repository root): %w", err)
	}
	b, err := os.ReadFile(ownQuestions)
	if err != nil {
		return nil, matcher.Config{}, fmt.Errorf("helpdesk-own (run from the repository root): %w", err)
	}
	var qs []struct {
		Q      string   `yaml:"q"`
		Intent string   `yaml:"intent"`
		Also   []string `yaml:"also"`
	}
	if err := yaml.Unmarshal(b, &qs); err != nil {
		return nil, matcher.Config{}, fmt.Errorf("%s: %w", ownQuestions, err)
	}
	d := &dataset{dataset: "helpdesk", setting: "own", train: intents.TrainingExamples(kb), fixedCutoff: kb.Settings.AnswerThreshold,
		elsewhere: map[string]bool{intents.OutOfScopeIntent: true}}
	for _, sv := range kb.Services {
		d.elsewhere[sv.ID] = true
	}
	for _, q := range qs {
		if q.Intent == "" {
			d.oosTest = append(d.oosTest, labelled{text: q.Q})
		} else {
			d.test = append(d.test, labelled{text: q.Q, intent: q.Intent, also: q.Also})
		}
	}
	return d, intents.MatcherConfig(kb), nil
}
