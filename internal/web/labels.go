package web

import "github.com/acad-lyon/helpdesk-bot/intents"

// labels are the words of the console, in each language.
type labels struct {
	Title, SignIn, SignOut, Token, TokenHelp, BadToken, Try, TryHelp, Ask, Entries, Filter, FilterHelp         string
	Outcome, Confidence, Language, Entry, Service, Alternatives, Answer, Copy, Copied, Questions, None         string
	Outcomes                                                                                                   map[intents.Outcome]string
	Other                                                                                                      string
	Unanswered, UnansweredHelp, Period, Days, Asked, Times, Closest, NoIdea, Offered, Votes, DownShare         string
	Chart, ChartSuggested, ChartFallback, NoStore, Purge, PurgeHelp, PurgeUser, Erased, BadUser, Nothing       string
	SSO, NoProvider, SignInAgain, NotAllowed                                                                   string
	PickSome, NoPatch, Prepare, PatchTitle, PatchHelp, VerdictOK, VerdictBad, Download, Before, After, Belongs string
	NewEntry, NewID, TitleFR, TitleEN, AnswerFR, AnswerEN                                                      string
	// The conversation of "try a question": how the message was read in
	// it, each reading's name, and the link that starts a new one.
	Reading, NewConversation string
	// TooManyTries: sign-in attempts refused for a while, with %d seconds.
	TooManyTries string
	// BadID: a new entry's id not written as an id; Busy: another patch
	// is being prepared.
	BadID, Busy string
	// Known: the problems the knowledge had before the change.
	Known    string
	Readings map[string]string
}

var uiLabels = map[string]labels{
	intents.French: {
		Title: "Console de l'assistance", SignIn: "Se connecter", SignOut: "Se déconnecter",
		Token: "Jeton d'administration", TokenHelp: "Le jeton que l'exploitant du bot vous a remis (CONSOLE_TOKEN).",
		BadToken: "Ce jeton n'est pas le bon.",
		Reading:  "Lu dans la conversation", NewConversation: "Nouvelle conversation",
		TooManyTries: "Trop d'essais : réessayez dans %d secondes.",
		Busy:         "Un autre correctif est en préparation : réessayez dans quelques secondes.",
		Known:        "Déjà signalé dans la base avant ce changement (il n'en est pas la cause) :",
		BadID:        "L'identifiant d'une fiche s'écrit en mots de lettres minuscules et de chiffres reliés par des tirets (64 caractères au plus), par exemple imprimante-salle-info.",
		Readings: map[string]string{intents.ReadFollowUp: "suite du sujet précédent", intents.ReadPick: "choix parmi les fiches proposées",
			intents.ReadNext: "étape suivante (la réponse n'a pas suffi)", intents.ReadHandoff: "passage de relais à une personne"},
		Try: "Essayer une question", TryHelp: "Tapez une question comme un personnel la taperait : vous verrez ce que le bot répondrait.",
		Ask: "Essayer", Entries: "Fiches", Filter: "Filtrer", FilterHelp: "Un identifiant, un titre ou des mots, comme avec /faq",
		Outcome: "Réponse", Confidence: "Confiance", Language: "Langue", Entry: "Fiche", Service: "Service",
		Alternatives: "Fiches proposées", Answer: "Réponse", Copy: "Copier", Copied: "Copié", Questions: "Exemples de questions",
		None: "Aucune fiche ne correspond.", Other: "English",
		Unanswered: "Questions restées sans réponse", UnansweredHelp: "Ce que le personnel a demandé sans obtenir de réponse directe, regroupé comme le fait « bot report ». Chaque consultation est inscrite au journal d'audit.",
		Period: "Période", Days: "jours", Asked: "questions", Times: "fois", Closest: "Fiche la plus proche", NoIdea: "aucune idée", Offered: "proposée",
		Votes: "Fiches par part de 👎", DownShare: "part de 👎", Chart: "Questions sans réponse par jour", ChartSuggested: "fiches proposées", ChartFallback: "sans réponse",
		NoStore: "La base de données n'est pas disponible pour le moment.", Purge: "Effacer les données d'une personne", PurgeHelp: "Son identifiant sur la plateforme, par exemple slack:U0123ABCD ou discord:123456789 (une demande d'effacement).",
		SSO: "Se connecter avec son compte académique", NoProvider: "Le service de connexion ne répond pas : réessayez dans un instant.",
		SignInAgain: "La connexion n'a pas abouti : recommencez.", NotAllowed: "Ce compte n'a pas accès à la console : demandez à l'exploitant du bot de l'ajouter.",
		PickSome: "Cochez des questions et choisissez la fiche à laquelle elles appartiennent.", NoPatch: "Le correctif n'a pas pu être préparé.",
		Prepare: "Préparer le correctif", PatchTitle: "Correctif de la base de connaissances", PatchHelp: "Rien n'est modifié ici : téléchargez le correctif, appliquez-le avec git apply et proposez-le en pull request.",
		VerdictOK: "Le validateur accepte la base ainsi modifiée.", VerdictBad: "Le validateur refuse la base ainsi modifiée :", Download: "Télécharger le correctif",
		Before: "avant", After: "après", Belongs: "Fiche à laquelle elles appartiennent",
		NewEntry: "…ou une nouvelle fiche (l'identifiant rempli l'emporte sur la liste)", NewID: "Identifiant (mots en minuscules reliés par des tirets)",
		TitleFR: "Titre en français", TitleEN: "Titre en anglais", AnswerFR: "Réponse en français", AnswerEN: "Réponse en anglais",
		PurgeUser: "Personne", Erased: "ligne(s) effacée(s)", BadUser: "Indiquez slack:ID ou discord:ID.", Nothing: "Aucune question sans réponse sur cette période.",
		Outcomes: map[intents.Outcome]string{intents.Answered: "répond avec une fiche", intents.Suggested: "propose des fiches", intents.Redirected: "redirige vers un autre service", intents.Fallback: "ne sait pas (message de repli)", intents.Empty: "question vide", intents.Secret: "avertissement : mot de passe ou NUMEN"},
	},
	intents.English: {
		Title: "Helpdesk console", SignIn: "Sign in", SignOut: "Sign out",
		Token: "Administrator token", TokenHelp: "The token the bot's operator gave you (CONSOLE_TOKEN).",
		BadToken: "That token is not the right one.",
		Reading:  "Read in the conversation", NewConversation: "New conversation",
		TooManyTries: "Too many attempts: try again in %d seconds.",
		Busy:         "Another patch is being prepared: try again in a few seconds.",
		Known:        "Already reported in the knowledge before this change (not caused by it):",
		BadID:        "An entry's id is lower-case words of letters and digits joined by dashes (64 characters at most), for example printer-computer-room.",
		Readings: map[string]string{intents.ReadFollowUp: "a follow-up of the last topic", intents.ReadPick: "a choice among the entries offered",
			intents.ReadNext: "the next step (the answer was not enough)", intents.ReadHandoff: "a hand-off to a person"},
		Try: "Try a question", TryHelp: "Type a question as staff would: you see what the bot would answer.",
		Ask: "Try", Entries: "Entries", Filter: "Filter", FilterHelp: "An id, a title or words, as with /faq",
		Outcome: "Reply", Confidence: "Confidence", Language: "Language", Entry: "Entry", Service: "Service",
		Alternatives: "Entries offered", Answer: "Answer", Copy: "Copy", Copied: "Copied", Questions: "Example questions",
		None: "No entry matches.", Other: "Français",
		Unanswered: "Questions left unanswered", UnansweredHelp: "What staff asked without getting a direct answer, grouped as \"bot report\" groups it. Every view is written to the audit log.",
		Period: "Period", Days: "days", Asked: "questions", Times: "times", Closest: "Closest entry", NoIdea: "no idea", Offered: "offered",
		Votes: "Entries by share of 👎", DownShare: "share of 👎", Chart: "Unanswered questions per day", ChartSuggested: "entries offered", ChartFallback: "no answer",
		NoStore: "The database is not available at the moment.", Purge: "Erase a person's data", PurgeHelp: "Their id on the platform, e.g. slack:U0123ABCD or discord:123456789 (a request to be forgotten).",
		SSO: "Sign in with your academy account", NoProvider: "The sign-in service does not answer: try again in a moment.",
		SignInAgain: "Signing in did not work: start again.", NotAllowed: "This account has no access to the console: ask the bot's operator to add it.",
		PickSome: "Tick some questions and choose the entry they belong to.", NoPatch: "The patch could not be prepared.",
		Prepare: "Prepare the patch", PatchTitle: "Patch of the knowledge", PatchHelp: "Nothing is changed here: download the patch, apply it with git apply and propose it as a pull request.",
		VerdictOK: "The validator accepts the knowledge with this change.", VerdictBad: "The validator refuses the knowledge with this change:", Download: "Download the patch",
		Before: "before", After: "after", Belongs: "Entry they belong to",
		NewEntry: "…or a new entry (a filled-in id wins over the list)", NewID: "Id (lower-case words joined by dashes)",
		TitleFR: "Title in French", TitleEN: "Title in English", AnswerFR: "Answer in French", AnswerEN: "Answer in English",
		PurgeUser: "Person", Erased: "row(s) erased", BadUser: "Give slack:ID or discord:ID.", Nothing: "No unanswered question in this period.",
		Outcomes: map[intents.Outcome]string{intents.Answered: "answers with an entry", intents.Suggested: "offers entries", intents.Redirected: "redirects to another service", intents.Fallback: "does not know (fallback)", intents.Empty: "empty question", intents.Secret: "warning: a password or a NUMEN"},
	},
}
