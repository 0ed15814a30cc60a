package platformtest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"
)

// OIDC is a local OpenID Connect provider for the tests, on 127.0.0.1: the
// discovery document, its keys, an authorization endpoint that signs in
// whoever the test says (Email) at once, and a token endpoint that checks
// the code, the client and the PKCE verifier and returns an ID token signed
// RS256, as the academy's SSO or Slack's "Sign in with Slack" would.
type OIDC struct {
	Srv                    *httptest.Server
	ClientID, ClientSecret string
	// Email is who signs in next; Verified is whether the provider says
	// the address was verified (default true). Nonce, when set, replaces
	// the nonce of the next token (a replay).
	Email    string
	Verified *bool
	Nonce    string
	// NoVerified leaves email_verified out of the next tokens.
	NoVerified bool

	t     *testing.T
	key   *rsa.PrivateKey
	mu    sync.Mutex
	codes map[string]grant
}

type grant struct {
	nonce, challenge, redirect, email string
	verified                          bool
}

// NewOIDC starts the provider.
func NewOIDC(t *testing.T) *OIDC {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	o := &OIDC{t: t, key: key, ClientID: "helpdesk-console", ClientSecret: "oidc-test-secret", Email: "agent@ac-lyon.fr", codes: map[string]grant{}}
	mux := http.NewServeMux()
	asJSON := func(h http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			h(w, r)
		}
	}
	mux.HandleFunc("GET /.well-known/openid-configuration", asJSON(o.discovery))
	mux.HandleFunc("GET /jwks", asJSON(o.jwks))
	mux.HandleFunc("GET /authorize", o.authorize)
	mux.HandleFunc("POST /token", asJSON(o.token))
	o.Srv = httptest.NewServer(mux)
	t.Cleanup(o.Srv.Close)
	return o
}

// Issuer is the provider's issuer URL.
func (o *OIDC) Issuer() string { return o.Srv.URL }

func (o *OIDC) discovery(w http.ResponseWriter, r *http.Request) {
	json.NewEncoder(w).Encode(map[string]any{
		"issuer": o.Issuer(), "authorization_endpoint": o.Issuer() + "/authorize", "token_endpoint": o.Issuer() + "/token",
		"jwks_uri": o.Issuer() + "/jwks", "response_types_supported": []string{"code"}, "subject_types_supported": []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"}, "code_challenge_methods_supported": []string{"S256"},
	})
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func (o *OIDC) jwks(w http.ResponseWriter, r *http.Request) {
	json.NewEncoder(w).Encode(map[string]any{"keys": []any{map[string]string{
		"kty": "RSA", "kid": "k1", "use": "sig", "alg": "RS256",
		"n": b64(o.key.N.Bytes()), "e": b64(big.NewInt(int64(o.key.E)).Bytes()),
	}}})
}

// authorize signs Email in at once and sends the browser back with a code.
func (o *OIDC) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("client_id") != o.ClientID || q.Get("response_type") != "code" || q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" {
		http.Error(w, "bad authorization request", http.StatusBadRequest)
		return
	}
	code := fmt.Sprintf("code-%d", time.Now().UnixNano())
	o.mu.Lock()
	verified := o.Verified == nil || *o.Verified
	o.codes[code] = grant{q.Get("nonce"), q.Get("code_challenge"), q.Get("redirect_uri"), o.Email, verified}
	o.mu.Unlock()
	back, _ := url.Parse(q.Get("redirect_uri"))
	v := back.Query()
	v.Set("code", code)
	v.Set("state", q.Get("state"))
	back.RawQuery = v.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

// token exchanges a code, once, for an ID token.
func (o *OIDC) token(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	o.mu.Lock()
	g, known := o.codes[r.PostForm.Get("code")]
	delete(o.codes, r.PostForm.Get("code"))
	nonce := o.Nonce
	o.mu.Unlock()
	sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
	if !known || id != o.ClientID || secret != o.ClientSecret || b64(sum[:]) != g.challenge || r.PostForm.Get("redirect_uri") != g.redirect {
		w.WriteHeader(http.StatusBadRequest)
		json.NewEncoder(w).Encode(map[string]string{"error": "invalid_grant"})
		return
	}
	if nonce == "" {
		nonce = g.nonce
	}
	now := time.Now()
	claims := map[string]any{"iss": o.Issuer(), "aud": o.ClientID, "sub": "sub-" + g.email, "email": g.email, "email_verified": g.verified,
		"nonce": nonce, "iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix()}
	if o.NoVerified {
		delete(claims, "email_verified")
	}
	json.NewEncoder(w).Encode(map[string]any{"access_token": "at-" + g.email, "token_type": "Bearer", "expires_in": 300, "id_token": o.sign(claims)})
}

func (o *OIDC) sign(claims map[string]any) string {
	header, _ := json.Marshal(map[string]string{"alg": "RS256", "typ": "JWT", "kid": "k1"})
	payload, _ := json.Marshal(claims)
	signing := b64(header) + "." + b64(payload)
	sum := sha256.Sum256([]byte(signing))
	sig, err := rsa.SignPKCS1v15(rand.Reader, o.key, crypto.SHA256, sum[:])
	if err != nil {
		o.t.Fatal(err)
	}
	return signing + "." + b64(sig)
}
