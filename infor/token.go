package infor

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// TokenSource obtains, caches and renews ION API bearer tokens for one
// tenant. ION tokens last about two hours; asking for one per call would
// double the latency and load the provider, so the token is cached and
// replaced shortly before it expires. All methods are safe for concurrent
// use, and concurrent callers that need a new token share a single request.
type TokenSource struct {
	// cfgMu guards cfg, tokenURL and revokeURL: read-locked by the token
	// and revoke requests that use them, write-locked by SetConfig.
	cfgMu     sync.RWMutex
	cfg       IONAPI
	tokenURL  string
	revokeURL string
	http      *httpDoer
	margin    time.Duration
	now       func() time.Time
	log       *slog.Logger
	red       *redactor

	mu     sync.Mutex
	cur    *cachedToken // nil before the first grant and after Revoke
	flight *tokenFlight // the fetch in progress, if any
	// After the provider refused our keys, new grants are not attempted
	// until loginRetryAt: every command would otherwise send the wrong
	// password again, and identity providers lock accounts that do that.
	loginRetryAt time.Time
	loginFailErr error
	// gen counts SetConfig calls that changed the keys: a token fetched
	// with the keys of an older generation is handed to its waiters but
	// not cached.
	gen uint64
}

// LoginBackoff is how long a refused login (an *AuthError from the token
// endpoint) is remembered before the keys are tried again. New keys
// (SetConfig, WatchIONAPIFile) are tried at once.
const LoginBackoff = 30 * time.Second

type cachedToken struct {
	access   string
	refresh  string
	obtained time.Time
	expiry   time.Time // zero: the server gave no lifetime
	invalid  bool      // rejected by the gateway (see Invalidate)
}

// tokenFlight is one token fetch that every concurrent caller waits for.
type tokenFlight struct {
	gen     uint64 // ts.gen when the flight started
	done    chan struct{}
	access  string
	err     error
	waiters int // callers that joined; lets tests see that they all shared it
}

// NewTokenSource returns a TokenSource for cfg. WithHTTPClient, WithTimeout,
// WithUserAgent, WithLogger and WithRefreshMargin apply; WithTokenSource is
// meaningless here and ignored.
func NewTokenSource(cfg *IONAPI, opts ...Option) (*TokenSource, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("infor: ION API configuration: %w", err)
	}
	s := newSettings(opts)
	return newTokenSource(cfg, s), nil
}

func newTokenSource(cfg *IONAPI, s settings) *TokenSource {
	red := newRedactor(cfg.ClientSecret, cfg.ServiceAccountAccessKey, cfg.ServiceAccountSecretKey)
	return &TokenSource{
		cfg:       *cfg,
		tokenURL:  cfg.TokenURL(),
		revokeURL: cfg.RevokeURL(),
		http:      &httpDoer{hc: s.httpClient, timeout: s.timeout, userAgent: s.userAgent, now: s.now, red: red},
		margin:    s.refreshMargin,
		now:       s.now,
		log:       s.logger,
		red:       red,
	}
}

// Token returns a valid access token, fetching one if none is cached or the
// cached one is within the refresh margin of its expiry. If ctx ends while
// waiting, Token returns, but a fetch other callers share carries on.
func (ts *TokenSource) Token(ctx context.Context) (string, error) {
	tok, err := ts.token(ctx)
	if err != nil {
		return "", fmt.Errorf("infor: %w", err)
	}
	return tok, nil
}

// token is Token with errors left unprefixed, for the Client to wrap with
// the call they belong to.
func (ts *TokenSource) token(ctx context.Context) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("ION API token: %w", err)
	}
	ts.mu.Lock()
	if t := ts.cur; t != nil && ts.usable(t) {
		ts.mu.Unlock()
		return t.access, nil
	}
	f := ts.flight
	if f == nil && ts.now().Before(ts.loginRetryAt) {
		err := ts.loginFailErr
		ts.mu.Unlock()
		return "", fmt.Errorf("%w (login refused recently; not retried before %s)", err, ts.loginRetryAt.UTC().Format(time.RFC3339))
	}
	if f == nil {
		f = &tokenFlight{gen: ts.gen, done: make(chan struct{})}
		ts.flight = f
		refresh := ""
		if ts.cur != nil {
			refresh = ts.cur.refresh
		}
		// The fetch is shared, so it must not die with the first caller's
		// context; it keeps the context's values and has its own timeout.
		go ts.fetch(context.WithoutCancel(ctx), f, refresh)
	}
	f.waiters++
	ts.mu.Unlock()

	select {
	case <-f.done:
		if f.err != nil {
			return "", f.err
		}
		return f.access, nil
	case <-ctx.Done():
		return "", fmt.Errorf("waiting for ION API token: %w", ctx.Err())
	}
}

// usable reports whether t can still be sent. The margin is capped at half
// the token's lifetime so that a provider issuing short-lived tokens (shorter
// than twice the margin) does not cause a new grant on every call.
func (ts *TokenSource) usable(t *cachedToken) bool {
	if t.invalid {
		return false
	}
	if t.expiry.IsZero() {
		return true // no lifetime given: used until the gateway rejects it
	}
	margin := min(ts.margin, t.expiry.Sub(t.obtained)/2)
	return ts.now().Before(t.expiry.Add(-margin))
}

// fetch runs one flight: the refresh_token grant when a refresh token was
// issued, falling back to the password grant when the provider refuses the
// refresh token (400/401: expired, revoked, or refresh not allowed).
func (ts *TokenSource) fetch(ctx context.Context, f *tokenFlight, refresh string) {
	ts.cfgMu.RLock()
	tok, grant, dropRefresh, err := ts.obtain(ctx, refresh)
	ts.cfgMu.RUnlock()
	ts.mu.Lock()
	switch {
	case err == nil && f.gen != ts.gen:
		f.access = tok.access // keys changed meanwhile: not cached
	case err == nil:
		obtained := ts.now()
		ct := &cachedToken{access: tok.access, refresh: tok.refresh, obtained: obtained}
		if tok.lifetime > 0 {
			ct.expiry = obtained.Add(tok.lifetime)
		}
		ts.cur = ct
		f.access = tok.access
	case dropRefresh && ts.cur != nil && ts.cur.refresh == refresh:
		ts.cur.refresh = ""
	}
	var ae *AuthError
	if err != nil && grant == "password" && errors.As(err, &ae) && f.gen == ts.gen {
		ts.loginRetryAt, ts.loginFailErr = ts.now().Add(LoginBackoff), err
	}
	f.err = err
	ts.flight = nil
	ts.mu.Unlock()
	close(f.done)

	if err != nil {
		ts.log.LogAttrs(ctx, slog.LevelWarn, "infor: ION API token request failed",
			slog.String("grant", grant), slog.String("error", err.Error()))
		return
	}
	ts.log.LogAttrs(ctx, slog.LevelDebug, "infor: ION API token obtained",
		slog.String("grant", grant), slog.Duration("lifetime", tok.lifetime),
		slog.Bool("refreshable", tok.refresh != ""))
}

func (ts *TokenSource) obtain(ctx context.Context, refresh string) (tok *grantedToken, grant string, dropRefresh bool, err error) {
	if refresh != "" {
		tok, err = ts.refreshGrant(ctx, refresh)
		if err == nil {
			return tok, "refresh_token", false, nil
		}
		var ae *AuthError
		if !errors.As(err, &ae) || (ae.StatusCode != 400 && ae.StatusCode != 401) {
			return nil, "refresh_token", false, fmt.Errorf("ION API token: %w", err)
		}
		ts.log.LogAttrs(ctx, slog.LevelInfo, "infor: ION API refresh token refused; using the password grant",
			slog.String("oauth_error", ae.Code))
		dropRefresh = true
	}
	tok, err = ts.passwordGrant(ctx)
	if err != nil {
		return nil, "password", dropRefresh, fmt.Errorf("ION API token: %w", err)
	}
	return tok, "password", dropRefresh, nil
}

// Invalidate marks token as rejected, so the next Token call fetches a new
// one. It does nothing if token is no longer the cached one: a caller whose
// 401 arrives after another caller already renewed the token must not throw
// the new token away. The refresh token is kept for the renewal.
func (ts *TokenSource) Invalidate(token string) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.cur != nil && ts.cur.access == token {
		ts.cur.invalid = true
	}
}

// Revoke revokes the cached access and refresh tokens at pu+or and forgets
// them; call it at shutdown so tokens do not outlive the process. Without an
// "or" key in the .ionapi file it only forgets them.
func (ts *TokenSource) Revoke(ctx context.Context) error {
	ts.mu.Lock()
	cur := ts.cur
	ts.cur = nil
	ts.mu.Unlock()
	ts.cfgMu.RLock()
	defer ts.cfgMu.RUnlock()
	if cur == nil || ts.revokeURL == "" {
		return nil
	}
	var errs []error
	if cur.access != "" {
		if err := ts.revokeRequest(ctx, cur.access, "access_token"); err != nil {
			errs = append(errs, fmt.Errorf("infor: revoke ION API access token: %w", err))
		}
	}
	if cur.refresh != "" {
		if err := ts.revokeRequest(ctx, cur.refresh, "refresh_token"); err != nil {
			errs = append(errs, fmt.Errorf("infor: revoke ION API refresh token: %w", err))
		}
	}
	return errors.Join(errs...)
}
