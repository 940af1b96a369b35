package emulator

import (
	"crypto/subtle"
	"math"
	"net/http"
	"strings"
	"sync"
	"time"
)

// This file is the ION API gateway's authorization server (Infor's
// "…/{tenant}/as/" endpoints, PingFederate underneath) and the bearer check
// in front of M3. It follows RFC 6749 (token), RFC 6750 (bearer) and RFC
// 7009 (revocation) closely enough that a client written against it behaves
// against Infor's.
//
// Tokens live in memory only: after a restart every token is unknown, which
// a well-behaved client survives (401 → new grant). Refresh tokens do not
// rotate and live until revoked, so a refresh never locks a client out.

// authServer issues and checks tokens. It has its own lock: token checks on
// every MI call must not queue behind a slow state write.
type authServer struct {
	creds credentials
	ttl   time.Duration
	now   func() time.Time

	mu      sync.Mutex
	access  map[string]*accessToken
	refresh map[string]*grant
}

// grant is one successful password grant; its refresh token and every
// access token issued from it belong to it, so revoking the refresh token
// revokes them all (RFC 7009 §2.1).
type grant struct{ refreshToken string }

type accessToken struct {
	expires time.Time
	grant   *grant
}

func newAuthServer(c credentials, ttl time.Duration, now func() time.Time) *authServer {
	return &authServer{creds: c, ttl: ttl, now: now, access: map[string]*accessToken{}, refresh: map[string]*grant{}}
}

type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	RefreshToken string `json:"refresh_token"`
}

// handleToken serves POST /{tenant}/as/token.oauth2. The client is checked
// first (401 invalid_client), then the grant (400 invalid_grant), as an
// authorization server must.
func (a *authServer) handleToken(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	if err := r.ParseForm(); err != nil {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "the body must be application/x-www-form-urlencoded")
		return
	}
	if !a.clientOK(w, r) {
		return
	}
	var g *grant
	switch gt := r.PostForm.Get("grant_type"); gt {
	case "password":
		user, pass := r.PostForm.Get("username"), r.PostForm.Get("password")
		if user == "" || pass == "" {
			writeOAuthError(w, http.StatusBadRequest, "invalid_request", "username and password are required for grant_type=password (the service account keys saak and sask)")
			return
		}
		if !equal(user, a.creds.ServiceAccountKey) || !equal(pass, a.creds.ServiceAccountSecret) {
			writeOAuthError(w, http.StatusBadRequest, "invalid_grant", "the service account key or secret is wrong (username=saak, password=sask from the .ionapi file)")
			return
		}
		g = &grant{refreshToken: randomToken(32)}
		a.mu.Lock()
		a.refresh[g.refreshToken] = g
		a.mu.Unlock()
	case "refresh_token":
		rt := r.PostForm.Get("refresh_token")
		a.mu.Lock()
		g = a.refresh[rt]
		a.mu.Unlock()
		if rt == "" || g == nil {
			writeOAuthError(w, http.StatusBadRequest, "invalid_grant", "the refresh token is unknown or revoked; use grant_type=password")
			return
		}
	case "":
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "grant_type is required")
		return
	default:
		writeOAuthError(w, http.StatusBadRequest, "unsupported_grant_type", "grant_type "+gt+" is not supported; use password or refresh_token")
		return
	}
	tok := randomToken(32)
	a.mu.Lock()
	a.sweepLocked()
	a.access[tok] = &accessToken{expires: a.now().Add(a.ttl), grant: g}
	a.mu.Unlock()
	writeJSON(w, http.StatusOK, tokenResponse{
		AccessToken:  tok,
		TokenType:    "Bearer",
		ExpiresIn:    int64(math.Ceil(a.ttl.Seconds())),
		RefreshToken: g.refreshToken,
	})
}

// handleRevoke serves POST /{tenant}/as/revoke_token.oauth2. Per RFC 7009
// an unknown token is not an error: the answer is 200 either way, so a
// client cannot probe which tokens exist.
func (a *authServer) handleRevoke(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "the body must be application/x-www-form-urlencoded")
		return
	}
	if !a.clientOK(w, r) {
		return
	}
	tok := r.PostForm.Get("token")
	if tok == "" {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "token is required")
		return
	}
	a.mu.Lock()
	if g := a.refresh[tok]; g != nil {
		delete(a.refresh, tok)
		for k, at := range a.access {
			if at.grant == g {
				delete(a.access, k)
			}
		}
	}
	delete(a.access, tok)
	a.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

// clientOK authenticates the OAuth client by HTTP Basic or by
// client_id/client_secret in the form (RFC 6749 §2.3.1 allows both; Infor's
// samples use the form).
func (a *authServer) clientOK(w http.ResponseWriter, r *http.Request) bool {
	id, secret, basic := r.BasicAuth()
	if !basic {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if equal(id, a.creds.ClientID) && equal(secret, a.creds.ClientSecret) {
		return true
	}
	if basic {
		w.Header().Set("WWW-Authenticate", `Basic realm="ION API"`)
	}
	writeOAuthError(w, http.StatusUnauthorized, "invalid_client", "client authentication failed: check ci and cs from the .ionapi file")
	return false
}

// requireBearer wraps the MI endpoints: a missing, unknown, revoked or
// expired token is 401 with a JSON body and a WWW-Authenticate header, as
// the gateway answers; the client then gets a new token and retries.
func (a *authServer) requireBearer(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		scheme, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		if !strings.EqualFold(scheme, "Bearer") || tok == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="ION API"`)
			writeOAuthError(w, http.StatusUnauthorized, "invalid_token", "no bearer token: send Authorization: Bearer <access_token>")
			return
		}
		a.mu.Lock()
		at := a.access[tok]
		expired := at != nil && !a.now().Before(at.expires)
		if expired {
			delete(a.access, tok)
		}
		a.mu.Unlock()
		switch {
		case at == nil:
			w.Header().Set("WWW-Authenticate", `Bearer realm="ION API", error="invalid_token"`)
			writeOAuthError(w, http.StatusUnauthorized, "invalid_token", "the access token is unknown or revoked")
			return
		case expired:
			w.Header().Set("WWW-Authenticate", `Bearer realm="ION API", error="invalid_token", error_description="The access token expired"`)
			writeOAuthError(w, http.StatusUnauthorized, "invalid_token", "the access token expired")
			return
		}
		next(w, r)
	}
}

// sweepLocked drops expired access tokens once the table grows, so a
// long-running dev emulator does not keep every token it ever issued.
func (a *authServer) sweepLocked() {
	if len(a.access) < 1024 {
		return
	}
	now := a.now()
	for k, at := range a.access {
		if !now.Before(at.expires) {
			delete(a.access, k)
		}
	}
}

// equal compares secrets in constant time.
func equal(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

func writeOAuthError(w http.ResponseWriter, status int, code, desc string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
}
