package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"net/mail"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// OIDC signs people in with the academy's single sign-on, or any OpenID
// Connect provider ("Sign in with Slack" is one): the authorization code
// flow with PKCE, a state and a nonce bound to the session, the ID token
// verified by github.com/coreos/go-oidc. Only the people Allowed get in.
type OIDC struct {
	Issuer, ClientID, ClientSecret string
	// RedirectURL is the console's callback as the provider calls it back:
	// the public address of the bot + /console/callback.
	RedirectURL string
	// Allowed are the addresses let in: "agent@ac-lyon.fr", or a domain as
	// "@ac-lyon.fr". Empty: nobody (a console open to every account of a
	// provider is not a choice to make by omission).
	Allowed []string

	mu       sync.Mutex // guards provider
	provider *oidc.Provider
}

// allows reports whether a verified e-mail address may sign in.
func (o *OIDC) allows(email string) bool {
	// An address, parsed as one: "x@evil.example@ac-lyon.fr" is not.
	a, err := mail.ParseAddress(email)
	if err != nil || a.Name != "" || a.Address != strings.TrimSpace(email) || strings.Count(a.Address, "@") != 1 {
		return false
	}
	email = strings.ToLower(a.Address)
	at := strings.IndexByte(email, '@')
	if at <= 0 || at == len(email)-1 {
		return false
	}
	for _, a := range o.Allowed {
		a = strings.ToLower(strings.TrimSpace(a))
		if a == email || strings.HasPrefix(a, "@") && a == email[at:] {
			return true
		}
	}
	return false
}

// setup discovers the provider, once it answers: a provider down at start
// does not stop the bot, and the next sign-in tries again.
func (o *OIDC) setup(ctx context.Context) (*oidc.Provider, *oauth2.Config, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.provider == nil {
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		p, err := oidc.NewProvider(ctx, o.Issuer)
		if err != nil {
			return nil, nil, err
		}
		o.provider = p
	}
	return o.provider, &oauth2.Config{ClientID: o.ClientID, ClientSecret: o.ClientSecret, RedirectURL: o.RedirectURL,
		Endpoint: o.provider.Endpoint(), Scopes: []string{oidc.ScopeOpenID, "email"}}, nil
}

// random is an unguessable token (state, nonce, form token).
func random() string {
	b := make([]byte, 32)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// oidcStart sends the browser to the provider.
func (c *console) oidcStart(w http.ResponseWriter, r *http.Request) {
	o := c.cfg.OIDC
	if o == nil {
		http.NotFound(w, r)
		return
	}
	_, conf, err := o.setup(r.Context())
	if err != nil {
		c.cfg.Log.Error("console: the sign-in provider cannot be reached", "err", err)
		c.render(w, r, "signin.html", http.StatusBadGateway, c.signinOptions(), uiLabels[pageLang(r)].NoProvider)
		return
	}
	state, nonce, verifier := random(), random(), oauth2.GenerateVerifier()
	c.sm.Put(r.Context(), "oidc_state", state)
	c.sm.Put(r.Context(), "oidc_nonce", nonce)
	c.sm.Put(r.Context(), "oidc_verifier", verifier)
	http.Redirect(w, r, conf.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)), http.StatusFound)
}

var errRefused = errors.New("refused")

// oidcCallback checks what the provider sent back and signs the person in
// if they are allowed.
func (c *console) oidcCallback(w http.ResponseWriter, r *http.Request) {
	o, l := c.cfg.OIDC, uiLabels[pageLang(r)]
	if o == nil {
		http.NotFound(w, r)
		return
	}
	ctx := r.Context()
	state, nonce, verifier := c.sm.PopString(ctx, "oidc_state"), c.sm.PopString(ctx, "oidc_nonce"), c.sm.PopString(ctx, "oidc_verifier")
	if state == "" || r.URL.Query().Get("state") != state {
		c.render(w, r, "signin.html", http.StatusBadRequest, c.signinOptions(), l.SignInAgain)
		return
	}
	email, err := c.verify(ctx, o, r.URL.Query().Get("code"), nonce, verifier)
	switch {
	case err != nil:
		c.cfg.Log.Warn("console: a sign-in was refused", "err", err)
		c.render(w, r, "signin.html", http.StatusUnauthorized, c.signinOptions(), l.SignInAgain)
		return
	case !o.allows(email):
		c.cfg.Log.Warn("console: an account not allowed tried to sign in")
		c.render(w, r, "signin.html", http.StatusForbidden, c.signinOptions(), l.NotAllowed)
		return
	}
	c.startSession(w, r, email, "oidc:"+o.Issuer)
}

// verify exchanges the code and checks the ID token: signature, issuer,
// audience, expiry (go-oidc), the nonce of this session, a verified address.
func (c *console) verify(ctx context.Context, o *OIDC, code, nonce, verifier string) (string, error) {
	p, conf, err := o.setup(ctx)
	if err != nil {
		return "", err
	}
	tok, err := conf.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		return "", err
	}
	raw, _ := tok.Extra("id_token").(string)
	id, err := p.Verifier(&oidc.Config{ClientID: o.ClientID}).Verify(ctx, raw)
	if err != nil {
		return "", err
	}
	if nonce == "" || id.Nonce != nonce {
		return "", errRefused
	}
	var claims struct {
		Email    string `json:"email"`
		Verified *bool  `json:"email_verified"`
	}
	if err := id.Claims(&claims); err != nil {
		return "", err
	}
	if claims.Verified == nil || !*claims.Verified {
		return "", errRefused // the provider must say it checked the address
	}
	return claims.Email, nil
}
