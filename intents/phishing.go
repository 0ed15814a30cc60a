package intents

// PhishingEntry is the entry that answers a request for a NUMEN or a
// password made by someone else (a mail, a call, a link, a colleague).
const PhishingEntry = "phishing-request"

// A message reports phishing when it names a credential, someone or
// something asking for it, and the way it came: "on m'appelle de la DSI
// pour me demander mon NUMEN", "got an email asking me to confirm my
// password", "un collègue veut mon mdp". The matcher alone cannot tell it
// from the NUMEN or password entries, whose words it shares; the answer it
// needs is the opposite of theirs (never give it), so it is read first.
var (
	credentialWords = set(`numen mdp password passwords pwd identifiants credentials login`)
	credentialPairs = phrases("mot de passe", "mots de passe")
	possessives     = set(`mon ma mes ton ta tes son sa ses votre vos notre nos leur leurs my your his her their our everyone`)
	askForWords     = set(`demande demandent demander demandait reclame reclament veut veulent voulait exige
		donner donne donnez envoyer envoie envoyez communiquer transmettre confirmer confirme confirmez verifier
		verifiez fournir redonner remplir tape tapé saisi entre rentre demandant repondant repondu noter
		fill filled typed entered replied answered needs need tell asks asked asking ask wants wanted give giving send sending confirm confirming verify provide share`)
	clickWords = set(`clique cliquez cliquer cliqué click clicking clicked`)
	checkWords = set(`verifier verifiez confirmer confirmez reactiver reactivez valider validez conserver garder
		verify confirm reactivate validate keep`)
	accountWords = set(`compte comptes account accounts boite mailbox`)
	lureWords    = set(`lien link faux fausse fake ressemblait imitait looked`)
	channelWords = set(`mail mails email emails e-mail courriel sms texto appel appelle appele appelant call called calling
		voicemail lien link formulaire form faux fausse fake teams whatsapp collegue collegues colleague stagiaire
		technicien informaticien support quelqu someone somebody inconnu numero parent parents eleve pupil
		secretaire secretary remplacant remplacante tchap qr`)
)

// phishing reports whether words report a request for one's credential:
// a verb of asking or giving shortly before "my NUMEN", "mon mot de
// passe", and a mail, a call, a link, a colleague somewhere. A device that
// asks for the password ("l'imprimante me demande un mot de passe", "my
// iPhone keeps asking for my password") is no such request.
func phishing(words []string) bool {
	if !anyOf(words, channelWords) {
		return false
	}
	for i := 0; i+1 < len(words); i++ {
		if !possessives[words[i]] {
			continue
		}
		// "mon NUMEN", "votre identifiant et numen", "my password".
		next := words[i+1 : min(len(words), i+5)]
		if !anyOf(next, credentialWords) && !credentialPairs.has(next) {
			continue
		}
		if anyOf(words[max(0, i-5):i], askForWords) {
			return true
		}
	}
	// "votre mot de passe expire, cliquez pour le conserver"; "a link to
	// verify your account".
	credential := anyOf(words, credentialWords) || credentialPairs.has(words)
	return credential && anyOf(words, clickWords) || anyOf(words, checkWords) && anyOf(words, accountWords) && anyOf(words, lureWords)
}
