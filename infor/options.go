package infor

import (
	"log/slog"
	"net/http"
	"time"
)

// Defaults chosen for a sink that calls Infor per command.
const (
	// DefaultTimeout bounds each HTTP exchange (one token request, one MI
	// call). The ION gateway itself gives up on slow backends after about a
	// minute; a sink with retries is better served by failing sooner.
	DefaultTimeout = 30 * time.Second
	// DefaultRefreshMargin is how long before its expiry a token is replaced,
	// so a request never leaves with a token that expires in flight.
	DefaultRefreshMargin = 60 * time.Second
	// DefaultUserAgent identifies the integration in ION API gateway logs.
	DefaultUserAgent = "stripe-infor"
)

// Option configures a Client or a TokenSource.
type Option func(*settings)

type settings struct {
	httpClient    *http.Client
	timeout       time.Duration
	userAgent     string
	logger        *slog.Logger
	refreshMargin time.Duration
	now           func() time.Time
	tokens        *TokenSource
}

func newSettings(opts []Option) settings {
	s := settings{
		timeout:       DefaultTimeout,
		userAgent:     DefaultUserAgent,
		refreshMargin: DefaultRefreshMargin,
		now:           time.Now,
	}
	for _, o := range opts {
		if o != nil {
			o(&s)
		}
	}
	if s.httpClient == nil {
		s.httpClient = &http.Client{}
	}
	if s.logger == nil {
		s.logger = slog.Default()
	}
	return s
}

// WithHTTPClient sets the HTTP client (proxies, TLS roots, transport
// tuning). Its own Timeout is left alone; WithTimeout bounds each call.
func WithHTTPClient(c *http.Client) Option {
	return func(s *settings) {
		if c != nil {
			s.httpClient = c
		}
	}
}

// WithTimeout bounds each HTTP exchange; zero or negative keeps the default.
func WithTimeout(d time.Duration) Option {
	return func(s *settings) {
		if d > 0 {
			s.timeout = d
		}
	}
}

// WithUserAgent sets the User-Agent header sent on every request.
func WithUserAgent(ua string) Option {
	return func(s *settings) {
		if ua != "" {
			s.userAgent = ua
		}
	}
}

// WithLogger sets the logger; by default slog.Default() is used. Nothing
// logged by this package contains a secret or a token.
func WithLogger(l *slog.Logger) Option {
	return func(s *settings) {
		if l != nil {
			s.logger = l
		}
	}
}

// WithRefreshMargin sets how long before expiry a cached token is replaced
// (default 60 s). A negative value is treated as zero.
func WithRefreshMargin(d time.Duration) Option {
	return func(s *settings) { s.refreshMargin = max(d, 0) }
}

// WithTokenSource makes a Client use an existing TokenSource, so several
// clients of one tenant share one token (and one refresh).
func WithTokenSource(ts *TokenSource) Option {
	return func(s *settings) { s.tokens = ts }
}

// withClock replaces time.Now, so tests can move token lifetimes forward
// without sleeping.
func withClock(now func() time.Time) Option {
	return func(s *settings) {
		if now != nil {
			s.now = now
		}
	}
}
