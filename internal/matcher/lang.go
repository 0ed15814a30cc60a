package matcher

import (
	"github.com/kljensen/snowball/english"
	"github.com/kljensen/snowball/french"
)

// Languages the matcher stems and detects.
const (
	French  = "fr"
	English = "en"
)

func stem(word, lang string) string {
	if lang == English {
		return english.Stem(word, true)
	}
	return french.Stem(word, true)
}

// Words the Snowball stop lists miss once accents are folded away, and chat
// fillers that say nothing about the topic.
var extraStop = map[string]bool{
	"ete": true, "etre": true, "etes": true, "etait": true, "meme": true, "deja": true,
	"svp": true, "stp": true, "please": true, "plz": true, "pls": true, "bonjour": false,
	"ca": true, "cela": true, "ceci": true, "voila": true, "alors": true, "donc": true, "aussi": true,
	"est": true, "sont": true, "ai": true, "as": true, "avez": true, "avons": true, "peux": true,
	"peut": true, "pouvez": true, "faire": true, "fait": true, "fais": true, "faut": true,
	"il": true, "y": true, "hi": false, "can": true, "could": true, "would": true, "get": true,
	"got": true, "do": true, "does": true, "did": true, "how": false, "im": true, "u": true,
}

// isStop reports whether a folded word carries no topic on its own.
func isStop(w string) bool {
	if v, ok := extraStop[w]; ok {
		return v
	}
	return french.IsStopWord(w) || english.IsStopWord(w)
}

// languageVote is +1 for a word only French uses, -1 for one only English
// uses, 0 otherwise.
func languageVote(w string) int {
	fr, en := french.IsStopWord(w), english.IsStopWord(w)
	switch {
	case fr && !en:
		return 1
	case en && !fr:
		return -1
	}
	return 0
}
