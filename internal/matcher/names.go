package matcher

// People give their name when they ask ("je m'appelle Jean-Pierre Martin,
// c'est quoi mon login ?", "for Marc Lefèvre, is it mlefevre?"). Names are
// words no example can know, so they would count against the question; and
// they do say something: the person is asking about an account. The matcher
// reads every person's name as one word, nameWord, which the examples that
// give a name teach like any other word.

// nameWord stands for each word of a person's name, and for a login built
// from it (first initial and last name, "jmartin").
const nameWord = "personname"

// firstNames are common first names of French and English speakers, folded,
// that are not also everyday words ("rose", "noel", "will", "mark" are left
// out). A first name, the words of the name that follow it, and a login made
// of its initial and the last name are read as nameWord.
var firstNames = map[string]bool{}

func init() {
	for _, n := range []string{
		// French
		"adele", "adrien", "agathe", "agnes", "alain", "albert", "alexandra", "alexandre", "alexis", "alice", "aline",
		"amandine", "amelie", "anais", "andre", "anne", "annick", "annie", "antoine", "arnaud", "aurelie", "aurelien",
		"bastien", "beatrice", "benedicte", "benjamin", "benoit", "bernard", "bertrand", "brigitte", "bruno",
		"camille", "caroline", "catherine", "cecile", "celine", "chantal", "charles", "charlotte", "chloe", "christelle",
		"christian", "christine", "christophe", "claire", "claude", "clement", "colette", "corinne", "cyril",
		"damien", "daniel", "danielle", "david", "delphine", "denis", "denise", "didier", "dominique", "edouard",
		"elisabeth", "elise", "elodie", "eloise", "emilie", "emma", "emmanuel", "emmanuelle", "eric", "estelle",
		"etienne", "fabien", "fabienne", "fabrice", "florence", "florian", "francine", "francis", "franck",
		"francois", "francoise", "frederic", "gabriel", "gaelle", "genevieve", "georges", "gerard", "gilles",
		"gisele", "guillaume", "helene", "henri", "herve", "hugo", "hugues", "ines", "irene", "isabelle",
		"jacqueline", "jacques", "jean", "jeanne", "jerome", "joel", "jonathan", "josiane", "julie", "julien",
		"juliette", "justine", "karine", "laetitia", "laure", "laurence", "laurent", "lea", "leon", "lise", "louis",
		"louise", "luc", "lucas", "lucie", "ludovic", "manon", "marc", "marcel", "marie", "marine", "marion",
		"martine", "mathieu", "mathilde", "matthieu", "maxime", "melanie", "michel", "michele", "mireille",
		"monique", "muriel", "nadia", "nadine", "nathalie", "nicolas", "nicole", "odile", "olivier", "pascal",
		"pascale", "patrice", "patricia", "patrick", "paul", "pauline", "philippe", "pierre", "quentin", "raphael",
		"regine", "remi", "renaud", "rene", "richard", "robert", "roger", "romain", "sabine", "sandrine",
		"sebastien", "serge", "severine", "simon", "simone", "solene", "sophie", "stephane", "stephanie", "suzanne",
		"sylvain", "sylvie", "theo", "thibault", "thierry", "thomas", "valerie", "vanessa", "veronique", "victor",
		"vincent", "virginie", "xavier", "yann", "yannick", "yves", "yvette", "yvonne", "zoe",
		"fatima", "karim", "mohamed", "mehdi", "nadir", "rachid", "samira", "sarah", "yasmine", "leila",
		// English
		"alan", "alison", "amanda", "amy", "andrew", "angela", "anna", "barbara", "brian", "carol", "chris",
		"christopher", "claire", "daniel", "david", "deborah", "donna", "edward", "elizabeth", "emily", "emma",
		"gary", "george", "hannah", "helen", "jack", "james", "jane", "janet", "jason", "jennifer", "jessica",
		"john", "jonathan", "joseph", "julia", "karen", "katherine", "kate", "kelly", "kevin", "laura", "linda",
		"lisa", "lucy", "margaret", "mary", "matthew", "michael", "michelle", "nancy", "oliver", "paula", "peter",
		"rachel", "rebecca", "robert", "ruth", "samuel", "sandra", "sharon", "stephen", "steven", "susan", "thomas",
		"timothy", "william",
	} {
		firstNames[n] = true
	}
}

// maskNames replaces, in folded words, the words of people's names with
// nameWord: a first name, the one or two name words that follow it (not
// function words), and later a login made of the initial and the last name.
func maskNames(words []string) []string {
	var logins []string
	for i := 0; i < len(words); i++ {
		if !firstNames[words[i]] {
			continue
		}
		initial := words[i][:1]
		words[i] = nameWord
		last := ""
		for j := i + 1; j < len(words) && j <= i+2; j++ {
			w := words[j]
			if firstNames[w] {
				words[j] = nameWord // Jean-Pierre, Anne-Laure
				i = j
				continue
			}
			if isStop(w) || len(w) < 2 || w == nameWord {
				break
			}
			last = w
			words[j] = nameWord
			i = j
			break
		}
		if last != "" {
			logins = append(logins, initial+last)
		}
	}
	if len(logins) == 0 {
		return words
	}
	for i, w := range words {
		for _, l := range logins {
			if w == l {
				words[i] = nameWord
			}
		}
	}
	return words
}

// IsFirstName reports whether a folded word is a common first name.
func IsFirstName(w string) bool { return firstNames[w] }

// IsStop reports whether a folded word is a function word ("de", "the").
func IsStop(w string) bool { return isStop(w) }
