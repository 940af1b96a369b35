package infor

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

func (g *gateway) newTokenSource(t *testing.T, cfg *IONAPI, opts ...Option) *TokenSource {
	t.Helper()
	c := g.newClient(t, cfg, opts...)
	return c.TokenSource()
}

func TestTokenPasswordGrantIsFetchedOnceAndReused(t *testing.T) {
	g := newGateway(t)
	ts := g.newTokenSource(t, g.config())
	ctx := context.Background()
	first, err := ts.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		g.clock.Advance(10 * time.Minute)
		tok, err := ts.Token(ctx)
		if err != nil || tok != first {
			t.Fatalf("Token = %q, %v; want the cached %q", tok, err, first)
		}
	}
	reqs, pw, rf, _ := g.counts()
	if reqs != 1 || pw != 1 || rf != 0 {
		t.Fatalf("token requests %d (password %d, refresh %d), want exactly one password grant", reqs, pw, rf)
	}
	g.mu.Lock()
	form, basic := g.lastForm, g.lastBasic
	g.mu.Unlock()
	for k, want := range map[string]string{
		"grant_type": "password", "username": testSAAK, "password": testSASK,
		"client_id": testCI, "client_secret": testCS,
	} {
		if got := form.Get(k); got != want {
			t.Errorf("form %s = %q, want %q", k, got, want)
		}
	}
	if basic {
		t.Error("client credentials were also sent as HTTP Basic")
	}
}

func TestTokenIsRefreshedBeforeExpiryWithTheRefreshToken(t *testing.T) {
	g := newGateway(t)
	g.set(func(g *gateway) { g.expiresIn = 2 })
	ts := g.newTokenSource(t, g.config(), WithRefreshMargin(time.Second))
	ctx := context.Background()
	first, err := ts.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	g.clock.Advance(500 * time.Millisecond) // 1.5 s left: more than the margin
	if tok, _ := ts.Token(ctx); tok != first {
		t.Fatal("token replaced while more than the margin remained")
	}
	g.clock.Advance(700 * time.Millisecond) // 0.8 s left: inside the margin, not expired
	second, err := ts.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if second == first {
		t.Fatal("token not replaced inside the refresh margin")
	}
	_, pw, rf, _ := g.counts()
	if pw != 1 || rf != 1 {
		t.Fatalf("password grants %d, refresh grants %d; want 1 and 1", pw, rf)
	}
	g.mu.Lock()
	form := g.lastForm
	g.mu.Unlock()
	if form.Get("grant_type") != "refresh_token" || form.Get("client_id") != testCI ||
		form.Get("client_secret") != testCS || !strings.HasPrefix(form.Get("refresh_token"), "rt-") {
		t.Errorf("refresh form: grant_type=%q client_id=%q, refresh token sent: %v",
			form.Get("grant_type"), form.Get("client_id"), form.Has("refresh_token"))
	}
	if form.Has("password") || form.Has("username") {
		t.Error("refresh grant carried the service-account keys")
	}
}

func TestTokenMarginIsCappedForShortLivedTokens(t *testing.T) {
	g := newGateway(t)
	g.set(func(g *gateway) { g.expiresIn = 2 })
	ts := g.newTokenSource(t, g.config()) // default 60 s margin > 2 s lifetime
	first, _ := ts.Token(context.Background())
	if tok, _ := ts.Token(context.Background()); tok != first {
		t.Fatal("a token shorter-lived than the margin is fetched on every call")
	}
	g.clock.Advance(1500 * time.Millisecond)
	if tok, _ := ts.Token(context.Background()); tok == first {
		t.Fatal("token not renewed in the second half of its life")
	}
}

func TestTokenPasswordGrantWhenNoRefreshTokenWasIssued(t *testing.T) {
	g := newGateway(t)
	g.set(func(g *gateway) { g.expiresIn = 2; g.issueRefresh = false })
	ts := g.newTokenSource(t, g.config(), WithRefreshMargin(time.Second))
	first, _ := ts.Token(context.Background())
	g.clock.Advance(1500 * time.Millisecond)
	second, err := ts.Token(context.Background())
	if err != nil || second == first {
		t.Fatalf("Token = %v; want a new token", err)
	}
	if _, pw, rf, _ := g.counts(); pw != 2 || rf != 0 {
		t.Fatalf("password grants %d, refresh grants %d; want 2 and 0", pw, rf)
	}
}

func TestTokenFallsBackToPasswordGrantWhenRefreshIsRefused(t *testing.T) {
	g := newGateway(t)
	g.set(func(g *gateway) { g.expiresIn = 2 })
	ts := g.newTokenSource(t, g.config(), WithRefreshMargin(time.Second))
	first, _ := ts.Token(context.Background())
	g.set(func(g *gateway) { g.refreshFails = true })
	g.clock.Advance(1500 * time.Millisecond)
	second, err := ts.Token(context.Background())
	if err != nil {
		t.Fatalf("Token after refused refresh: %v", err)
	}
	if second == first {
		t.Fatal("old token returned")
	}
	reqs, pw, rf, _ := g.counts()
	if reqs != 3 || pw != 2 || rf != 0 {
		t.Fatalf("requests %d, password %d, refresh %d; want 3 (password, refused refresh, password)", reqs, pw, rf)
	}
}

func TestTokenRefreshOutageIsNotMistakenForBadKeys(t *testing.T) {
	g := newGateway(t)
	g.set(func(g *gateway) { g.expiresIn = 2 })
	ts := g.newTokenSource(t, g.config(), WithRefreshMargin(time.Second))
	_, _ = ts.Token(context.Background())
	g.set(func(g *gateway) { g.tokenStatus = 503 })
	g.clock.Advance(1500 * time.Millisecond)
	_, err := ts.Token(context.Background())
	g.checkErr(t, err, ClassTransient)
	if d, ok := RetryAfter(err); !ok || d != 5*time.Second {
		t.Errorf("RetryAfter = %v, %v; want 5s", d, ok)
	}
	if reqs, pw, _, _ := g.counts(); reqs != 2 || pw != 1 {
		t.Fatalf("requests %d, password grants %d: a 503 on refresh must not trigger a password grant", reqs, pw)
	}
	// The provider is back: the refresh token is still used.
	g.set(func(g *gateway) { g.tokenStatus = 0 })
	if _, err := ts.Token(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, pw, rf, _ := g.counts(); pw != 1 || rf != 1 {
		t.Fatalf("password %d, refresh %d after recovery; want 1 and 1", pw, rf)
	}
}

func TestTokenConcurrentCallersShareOneFetch(t *testing.T) {
	g := newGateway(t)
	release := g.holdTokens(t)
	ts := g.newTokenSource(t, g.config())

	const callers = 50
	var wg sync.WaitGroup
	tokens := make([]string, callers)
	errs := make([]error, callers)
	for i := range callers {
		wg.Go(func() { tokens[i], errs[i] = ts.Token(context.Background()) })
	}
	// Hold the one request until every caller is waiting on it.
	waitFor(t, "50 callers to join the token fetch", func() bool {
		ts.mu.Lock()
		defer ts.mu.Unlock()
		return ts.flight != nil && ts.flight.waiters == callers
	})
	release()
	wg.Wait()
	for i := range callers {
		if errs[i] != nil || tokens[i] == "" || tokens[i] != tokens[0] {
			t.Fatalf("caller %d: %q, %v", i, tokens[i], errs[i])
		}
	}
	if reqs, _, _, _ := g.counts(); reqs != 1 {
		t.Fatalf("%d token requests for %d concurrent callers, want 1", reqs, callers)
	}
}

func TestTokenWaiterCanGiveUpWithoutSpoilingTheSharedFetch(t *testing.T) {
	g := newGateway(t)
	release := g.holdTokens(t)
	ts := g.newTokenSource(t, g.config())

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, err := ts.Token(ctx); done <- err }()
	waitFor(t, "the first caller to start the fetch", func() bool {
		reqs, _, _, _ := g.counts()
		return reqs == 1
	})
	cancel()
	err := <-done
	g.checkErr(t, err, ClassCanceled)

	second := make(chan string, 1)
	go func() { tok, _ := ts.Token(context.Background()); second <- tok }()
	release()
	if tok := <-second; tok == "" {
		t.Fatal("the fetch the canceled caller started did not complete for the others")
	}
	if reqs, _, _, _ := g.counts(); reqs != 1 {
		t.Fatalf("%d token requests, want 1", reqs)
	}
}

func TestInvalidateOnlyDropsTheCurrentToken(t *testing.T) {
	g := newGateway(t)
	ts := g.newTokenSource(t, g.config())
	first, _ := ts.Token(context.Background())
	ts.Invalidate(first)
	second, err := ts.Token(context.Background())
	if err != nil || second == first {
		t.Fatalf("after Invalidate: %q, %v", second, err)
	}
	if _, _, rf, _ := g.counts(); rf != 1 {
		t.Errorf("renewal after Invalidate used %d refresh grants, want 1", rf)
	}
	ts.Invalidate(first) // a late 401 for the old token
	if tok, _ := ts.Token(context.Background()); tok != second {
		t.Fatal("a stale Invalidate threw away the new token")
	}
	if reqs, _, _, _ := g.counts(); reqs != 2 {
		t.Fatalf("%d token requests, want 2", reqs)
	}
}

func TestTokenOAuthErrorsAreAuthErrorsWithoutSecrets(t *testing.T) {
	g := newGateway(t)

	cfg := g.config()
	cfg.ServiceAccountSecretKey = "sask-WRONG-SECRET-zz9"
	_, err := g.newTokenSource(t, cfg).Token(context.Background())
	g.checkErr(t, err, ClassAuth)
	if strings.Contains(err.Error(), cfg.ServiceAccountSecretKey) {
		t.Errorf("error leaks the wrong sask: %v", err)
	}
	var ae *AuthError
	if !errors.As(err, &ae) || ae.StatusCode != 400 || ae.Code != "invalid_grant" ||
		!strings.HasPrefix(ae.Description, "Invalid service account credentials") {
		t.Fatalf("got %#v", ae)
	}

	cfg = g.config()
	cfg.ClientSecret = "cs-WRONG-SECRET-aa1"
	_, err = g.newTokenSource(t, cfg).Token(context.Background())
	g.checkErr(t, err, ClassAuth)
	if !errors.As(err, &ae) || ae.StatusCode != 401 || ae.Code != "invalid_client" {
		t.Fatalf("got %#v", ae)
	}
	if strings.Contains(err.Error(), cfg.ClientSecret) {
		t.Errorf("error leaks the wrong cs: %v", err)
	}
}

func TestTokenEndpointRateLimitAndOutage(t *testing.T) {
	g := newGateway(t)
	ts := g.newTokenSource(t, g.config())
	g.set(func(g *gateway) { g.tokenStatus = 429 })
	_, err := ts.Token(context.Background())
	g.checkErr(t, err, ClassRateLimited)
	if d, ok := RetryAfter(err); !ok || d != 5*time.Second {
		t.Errorf("RetryAfter = %v, %v", d, ok)
	}
	g.set(func(g *gateway) { g.tokenStatus = 500 })
	_, err = ts.Token(context.Background())
	g.checkErr(t, err, ClassTransient)
}

func TestRevokeSendsTheTokensAndForgetsThem(t *testing.T) {
	g := newGateway(t)
	c := g.newClient(t, g.config())
	access, _ := c.TokenSource().Token(context.Background())
	c.TokenSource().mu.Lock()
	refresh := c.TokenSource().cur.refresh
	c.TokenSource().mu.Unlock()

	if err := c.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	g.mu.Lock()
	revoked, form := append([]string(nil), g.revoked...), g.lastForm
	g.mu.Unlock()
	want := []string{"access_token:" + access, "refresh_token:" + refresh}
	if strings.Join(revoked, ",") != strings.Join(want, ",") {
		t.Fatalf("revoked %q, want %q", revoked, want)
	}
	if form.Get("client_id") != testCI || form.Get("client_secret") != testCS {
		t.Errorf("revocation without client credentials")
	}
	if tok, _ := c.TokenSource().Token(context.Background()); tok == access {
		t.Fatal("revoked token still cached")
	}
	if _, pw, _, _ := g.counts(); pw != 2 {
		t.Errorf("password grants %d after revoke, want 2", pw)
	}
}

func TestRevokeWithoutOrKeyOnlyForgets(t *testing.T) {
	g := newGateway(t)
	cfg := g.config()
	cfg.RevokePath = ""
	ts := g.newTokenSource(t, cfg)
	_, _ = ts.Token(context.Background())
	if err := ts.Revoke(context.Background()); err != nil {
		t.Fatal(err)
	}
	g.mu.Lock()
	n := len(g.revoked)
	g.mu.Unlock()
	if n != 0 {
		t.Fatalf("revoked %d tokens without an or key", n)
	}
	if err := ts.Revoke(context.Background()); err != nil {
		t.Fatalf("second Revoke: %v", err)
	}
}

func TestRevokeFailureIsAnAuthErrorWithoutTheToken(t *testing.T) {
	g := newGateway(t)
	cfg := g.config()
	ts := g.newTokenSource(t, cfg)
	_, _ = ts.Token(context.Background())
	ts.cfg.ClientSecret = "cs-ROTATED-SECRET" // the provider no longer knows it
	err := ts.Revoke(context.Background())
	g.checkErr(t, err, ClassAuth)
}

func TestNewTokenSourceValidatesTheConfiguration(t *testing.T) {
	if _, err := NewTokenSource(&IONAPI{TenantID: "T"}); err == nil || !strings.Contains(err.Error(), `"sask"`) {
		t.Fatalf("got %v", err)
	}
	if _, err := NewTokenSource(nil); err == nil {
		t.Fatal("nil config accepted")
	}
}

func TestRefusedLoginIsNotRetriedOnEveryCall(t *testing.T) {
	g := newGateway(t)
	bad := g.config()
	bad.ServiceAccountSecretKey = "wrong-" + bad.ServiceAccountSecretKey
	c := g.newClient(t, bad)
	ctx := context.Background()
	for range 10 {
		_, err := c.Execute(ctx, "CRS610MI", "LstByNumber", nil)
		g.checkErr(t, err, ClassAuth)
	}
	if reqs, _, _, _ := g.counts(); reqs != 1 {
		t.Fatalf("%d token requests for 10 calls with refused keys; want 1 within the back-off", reqs)
	}
	g.clock.Advance(LoginBackoff + time.Second)
	_, err := c.Execute(ctx, "CRS610MI", "LstByNumber", nil)
	g.checkErr(t, err, ClassAuth)
	if reqs, _, _, _ := g.counts(); reqs != 2 {
		t.Fatalf("after the back-off the keys were not tried again: %d token requests", reqs)
	}
}
