package emulator

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestPasswordGrantAndMICall(t *testing.T) {
	te := newEnv(t, Config{})
	code, m := te.postForm("token.oauth2", te.passwordForm())
	if code != http.StatusOK {
		t.Fatalf("token: %d %v", code, m)
	}
	if m["token_type"] != "Bearer" || m["access_token"] == "" || m["refresh_token"] == "" {
		t.Fatalf("token answer %v", m)
	}
	if m["expires_in"] != float64(7200) {
		t.Fatalf("expires_in = %v, want 7200 (default TTL 2h)", m["expires_in"])
	}
	te.token = m["access_token"].(string)
	recs := te.ok("CRS055MI", "Get", map[string]string{"CUCD": "JPY"})
	if recs[0]["DCCD"] != "0" {
		t.Fatalf("JPY decimals %v", recs)
	}
}

func TestTokenBasicAuthClient(t *testing.T) {
	te := newEnv(t, quiet())
	form := url.Values{"grant_type": {"password"}, "username": {te.creds.ServiceAccountKey}, "password": {te.creds.ServiceAccountSecret}}
	req, _ := http.NewRequest(http.MethodPost, te.url("/DEV/as/token.oauth2"), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(te.creds.ClientID, te.creds.ClientSecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("Basic client auth: %d", resp.StatusCode)
	}
}

func TestTokenErrors(t *testing.T) {
	te := newEnv(t, quiet())
	cases := []struct {
		name   string
		change func(url.Values)
		status int
		error  string
	}{
		{"wrong client secret", func(f url.Values) { f.Set("client_secret", "nope") }, 401, "invalid_client"},
		{"wrong client id", func(f url.Values) { f.Set("client_id", "DEV~other") }, 401, "invalid_client"},
		{"wrong password", func(f url.Values) { f.Set("password", "nope") }, 400, "invalid_grant"},
		{"wrong username", func(f url.Values) { f.Set("username", "DEV#other") }, 400, "invalid_grant"},
		{"missing password", func(f url.Values) { f.Del("password") }, 400, "invalid_request"},
		{"bad refresh token", func(f url.Values) { f.Set("grant_type", "refresh_token"); f.Set("refresh_token", "forged") }, 400, "invalid_grant"},
		{"unsupported grant", func(f url.Values) { f.Set("grant_type", "client_credentials") }, 400, "unsupported_grant_type"},
		{"no grant type", func(f url.Values) { f.Del("grant_type") }, 400, "invalid_request"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := te.passwordForm()
			c.change(f)
			code, m := te.postForm("token.oauth2", f)
			if code != c.status || m["error"] != c.error || m["error_description"] == "" {
				t.Fatalf("got %d %v, want %d %s", code, m, c.status, c.error)
			}
			for _, secret := range []string{te.creds.ClientSecret, te.creds.ServiceAccountSecret} {
				if strings.Contains(m["error_description"].(string), secret) {
					t.Fatal("error description leaks a secret")
				}
			}
		})
	}
}

func TestRefreshAndRevoke(t *testing.T) {
	te := newEnv(t, quiet())
	_, m := te.postForm("token.oauth2", te.passwordForm())
	first, refresh := m["access_token"].(string), m["refresh_token"].(string)
	client := url.Values{"client_id": {te.creds.ClientID}, "client_secret": {te.creds.ClientSecret}}

	f := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}}
	for k, v := range client {
		f[k] = v
	}
	code, m := te.postForm("token.oauth2", f)
	if code != 200 || m["access_token"] == first || m["refresh_token"] != refresh {
		t.Fatalf("refresh: %d %v", code, m)
	}
	second := m["access_token"].(string)
	te.token = second
	te.ok("CRS055MI", "Lst", nil)

	// Revoking needs the client, too.
	if code, m := te.postForm("revoke_token.oauth2", url.Values{"token": {second}, "client_id": {te.creds.ClientID}, "client_secret": {"x"}}); code != 401 || m["error"] != "invalid_client" {
		t.Fatalf("revoke with a wrong client: %d %v", code, m)
	}
	// Revoking the refresh token revokes every access token of its grant.
	rv := url.Values{"token": {refresh}}
	for k, v := range client {
		rv[k] = v
	}
	if code, _ := te.postForm("revoke_token.oauth2", rv); code != 200 {
		t.Fatalf("revoke: %d", code)
	}
	for _, tok := range []string{first, second} {
		te.token = tok
		if code, _ := te.getMI("CRS055MI", "Lst", nil); code != http.StatusUnauthorized {
			t.Fatalf("revoked access token: %d, want 401", code)
		}
	}
	if code, m := te.postForm("token.oauth2", f); code != 400 || m["error"] != "invalid_grant" {
		t.Fatalf("revoked refresh token: %d %v", code, m)
	}
	// An unknown token is not an error (RFC 7009).
	rv.Set("token", "unknown")
	if code, _ := te.postForm("revoke_token.oauth2", rv); code != 200 {
		t.Fatalf("revoke unknown: %d", code)
	}
}

func TestBearerRequired(t *testing.T) {
	te := newEnv(t, Config{TokenTTL: time.Nanosecond})
	// Missing token.
	req, _ := http.NewRequest(http.MethodGet, te.url("/DEV/M3/m3api-rest/v2/execute/CRS055MI/Lst"), nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 || resp.Header.Get("Content-Type") != "application/json" || resp.Header.Get("WWW-Authenticate") == "" {
		t.Fatalf("no token: %d %v", resp.StatusCode, resp.Header)
	}
	// A token with a one-nanosecond lifetime has expired by the time it is used.
	te.login()
	if code, _ := te.getMI("CRS055MI", "Lst", nil); code != http.StatusUnauthorized {
		t.Fatalf("expired token: %d, want 401", code)
	}
	// Unknown token.
	te.token = "forged"
	if code, _ := te.getMI("CRS055MI", "Lst", nil); code != http.StatusUnauthorized {
		t.Fatalf("unknown token: %d, want 401", code)
	}
}

func TestExpiryFollowsTheClock(t *testing.T) {
	te := newEnv(t, Config{TokenTTL: time.Minute})
	clock := newFakeClock(te.e)
	te.login()
	te.ok("CRS055MI", "Lst", nil)
	clock.advance(59 * time.Second)
	te.ok("CRS055MI", "Lst", nil)
	clock.advance(time.Second)
	if code, _ := te.getMI("CRS055MI", "Lst", nil); code != http.StatusUnauthorized {
		t.Fatalf("token at its expiry: %d, want 401", code)
	}
}

func TestWrongTenantAndMethod(t *testing.T) {
	te := newEnv(t, quiet())
	resp, err := http.PostForm(te.url("/OTHER/as/token.oauth2"), te.passwordForm())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("other tenant: %d", resp.StatusCode)
	}
	resp, err = http.Get(te.url("/DEV/as/token.oauth2"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("GET token endpoint: %d", resp.StatusCode)
	}
}
