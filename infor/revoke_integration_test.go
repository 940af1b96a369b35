package infor_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stripe-infor/stripe-infor/infor"
)

// revoke revokes token at the emulator's revoke endpoint (pu+or), as an
// administrator or the tenant's token lifecycle would, authenticating with
// the .ionapi file's client credentials.
func revoke(t *testing.T, cfg *infor.IONAPI, token string) {
	t.Helper()
	if cfg.RevokeURL() == "" {
		t.Fatal("the emulator's .ionapi file has no revoke path (or)")
	}
	resp, err := http.PostForm(cfg.RevokeURL(), url.Values{
		"token": {token}, "client_id": {cfg.ClientID}, "client_secret": {cfg.ClientSecret},
	})
	if err != nil {
		t.Fatalf("revoke: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("revoke: HTTP %d %s", resp.StatusCode, b)
	}
}

// miStatus calls CRS055MI Lst with token directly, bypassing the client.
func miStatus(t *testing.T, cfg *infor.IONAPI, token string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, cfg.M3BaseURL()+"/execute/CRS055MI/Lst", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("MI call: %v", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

// A token revoked behind the client's back (it is still cached and far from
// expiry) is answered 401; the client invalidates it, gets a new one and
// retries the call once, so the caller sees a success.
func TestClientRecoversFromRevokedAccessToken(t *testing.T) {
	_, cl, cfg := startEmulatorCfg(t, time.Hour)
	ctx := context.Background()

	if _, err := cl.Execute(ctx, "CRS055MI", "Lst", nil); err != nil {
		t.Fatalf("first call: %v", err)
	}
	old, err := cl.TokenSource().Token(ctx)
	if err != nil || old == "" {
		t.Fatalf("current token: %q %v", old, err)
	}
	if code := miStatus(t, cfg, old); code != http.StatusOK {
		t.Fatalf("the current token is refused before revocation: HTTP %d", code)
	}

	revoke(t, cfg, old)
	if code := miStatus(t, cfg, old); code != http.StatusUnauthorized {
		t.Fatalf("the revoked token still works: HTTP %d", code)
	}
	if cur, _ := cl.TokenSource().Token(ctx); cur != old {
		t.Fatal("the client dropped the token before any 401; the test proves nothing")
	}

	res, err := cl.Execute(ctx, "CRS055MI", "Lst", nil)
	if err != nil {
		t.Fatalf("call after revocation: %v (class %v)", err, infor.Classify(err))
	}
	if len(res.Records) == 0 {
		t.Fatal("call after revocation: no records")
	}
	renewed, err := cl.TokenSource().Token(ctx)
	if err != nil || renewed == "" || renewed == old {
		t.Fatalf("token after recovery: %q (old %q) %v", renewed, old, err)
	}
	if code := miStatus(t, cfg, renewed); code != http.StatusOK {
		t.Fatalf("the renewed token is refused: HTTP %d", code)
	}
	// And the client keeps working on the new token.
	if _, err := cl.Execute(ctx, "CRS055MI", "Lst", nil); err != nil {
		t.Fatalf("call after recovery: %v", err)
	}
}

// Revoking with wrong client credentials is refused, so the recovery above
// is not an artefact of an endpoint that accepts anything.
func TestRevokeNeedsClientCredentials(t *testing.T) {
	_, cl, cfg := startEmulatorCfg(t, time.Hour)
	ctx := context.Background()
	tok, err := cl.TokenSource().Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.PostForm(cfg.RevokeURL(), url.Values{
		"token": {tok}, "client_id": {cfg.ClientID}, "client_secret": {"wrong"},
	})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(string(b), "invalid_client") {
		t.Fatalf("revoke with a wrong secret: HTTP %d %s", resp.StatusCode, b)
	}
	if code := miStatus(t, cfg, tok); code != http.StatusOK {
		t.Fatalf("a refused revocation revoked the token: HTTP %d", code)
	}
}
