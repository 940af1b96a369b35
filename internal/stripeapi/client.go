package stripeapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Defaults of Config.
const (
	DefaultBase          = "https://api.stripe.com"
	DefaultVersion       = "2023-10-16"
	DefaultRatePerSecond = 25
	DefaultTimeout       = 30 * time.Second
)

// maxBody bounds what is read of one answer: a page of 100 balance
// transactions is about 100 KB.
const maxBody = 8 << 20

// Config configures a Client.
type Config struct {
	// Base is the API's base URL (STRIPE_API_BASE); default DefaultBase.
	Base string
	// LiveKey (STRIPE_API_KEY, sk_live_… or rk_live_…) reads live-mode
	// objects. A secret.
	LiveKey string
	// TestKey (STRIPE_TEST_API_KEY) reads test-mode objects; when empty and
	// LiveKey is a test key (sk_test_…, rk_test_…), LiveKey is used. A
	// secret.
	TestKey string
	// HTTPClient makes the calls; default a client with DefaultTimeout.
	HTTPClient *http.Client
	// RatePerSecond limits the requests this client makes; default
	// DefaultRatePerSecond (Stripe's read limit is 100/s live, 25/s test).
	RatePerSecond float64
	// Version is the Stripe-Version header; default DefaultVersion, the API
	// version the pipeline's readers are written for.
	Version string
	// LiveKeyFunc and TestKeyFunc, when set, replace LiveKey and TestKey:
	// they are called for every request, so a key rotated in its file
	// (STRIPE_API_KEY_FILE read through config.Watched.Get) is used from the
	// next request on, without a restart. New checks the values they return
	// at that moment as it checks LiveKey and TestKey.
	LiveKeyFunc, TestKeyFunc func() string
}

// String shows the configuration without its keys.
func (c Config) String() string {
	return fmt.Sprintf("stripeapi.Config{Base:%q LiveKey:%s TestKey:%s RatePerSecond:%g Version:%q}",
		c.Base, maskKey(c.LiveKey), maskKey(c.TestKey), c.RatePerSecond, c.Version)
}

// GoString is String, so %#v does not print the keys either.
func (c Config) GoString() string { return c.String() }

// LogValue keeps the keys out of slog output.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(slog.String("base", c.Base), slog.String("live_key", maskKey(c.LiveKey)),
		slog.String("test_key", maskKey(c.TestKey)), slog.Float64("rate_per_second", c.RatePerSecond), slog.String("version", c.Version))
}

// maskKey names a key's kind without its secret part.
func maskKey(k string) string {
	if k == "" {
		return "(none)"
	}
	for _, p := range []string{"sk_live_", "rk_live_", "sk_test_", "rk_test_"} {
		if strings.HasPrefix(k, p) {
			return p + "[redacted]"
		}
	}
	return "[redacted]"
}

func isTestKey(k string) bool {
	return strings.HasPrefix(k, "sk_test_") || strings.HasPrefix(k, "rk_test_")
}

// Client calls the Stripe API. It is safe for concurrent use.
type Client struct {
	base    *url.URL
	liveFn  func() string
	testFn  func() string
	version string
	hc      *http.Client
	lim     *limiter
	now     func() time.Time
}

// New checks cfg and returns a Client. At least one key is required.
func New(cfg Config) (*Client, error) {
	if cfg.Base == "" {
		cfg.Base = DefaultBase
	}
	base, err := url.Parse(strings.TrimRight(cfg.Base, "/"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("stripeapi: STRIPE_API_BASE %q is not an http(s) URL", cfg.Base)
	}
	liveFn, testFn := cfg.LiveKeyFunc, cfg.TestKeyFunc
	if liveFn == nil {
		live := cfg.LiveKey
		liveFn = func() string { return live }
	}
	if testFn == nil {
		test := cfg.TestKey
		testFn = func() string { return test }
	}
	liveKey, testKey := liveFn(), testFn()
	if liveKey == "" && testKey == "" {
		return nil, errors.New("stripeapi: no API key: set STRIPE_API_KEY (or STRIPE_TEST_API_KEY for test mode)")
	}
	if testKey != "" && !isTestKey(testKey) {
		return nil, fmt.Errorf("stripeapi: STRIPE_TEST_API_KEY is not a test-mode key (%s)", maskKey(testKey))
	}
	if cfg.RatePerSecond < 0 {
		return nil, fmt.Errorf("stripeapi: RatePerSecond %g must not be negative", cfg.RatePerSecond)
	}
	if cfg.RatePerSecond == 0 {
		cfg.RatePerSecond = DefaultRatePerSecond
	}
	if cfg.Version == "" {
		cfg.Version = DefaultVersion
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: DefaultTimeout}
	}
	return &Client{base: base, liveFn: liveFn, testFn: testFn, version: cfg.Version, hc: hc,
		lim: newLimiter(cfg.RatePerSecond), now: time.Now}, nil
}

// String names the client without its keys.
func (c *Client) String() string {
	live, test := c.keys()
	return fmt.Sprintf("stripeapi.Client{base:%s live:%s test:%s}", c.base, maskKey(live), maskKey(test))
}

// keys returns the current keys; a test-mode STRIPE_API_KEY also serves
// test-mode objects when there is no STRIPE_TEST_API_KEY.
func (c *Client) keys() (live, test string) {
	live, test = c.liveFn(), c.testFn()
	if test == "" && isTestKey(live) {
		test = live
	}
	return live, test
}

// key picks the key for an object of the given mode. A rotated
// STRIPE_TEST_API_KEY that is not a test key is refused here as New
// refuses it, rather than sent.
func (c *Client) key(op string, livemode bool) (string, error) {
	live, test := c.keys()
	if livemode {
		if live == "" || isTestKey(live) {
			return "", &Error{Op: op, Type: TypeConfiguration, Message: "a live-mode object needs a live-mode key (STRIPE_API_KEY)"}
		}
		return live, nil
	}
	if test == "" || !isTestKey(test) {
		return "", &Error{Op: op, Type: TypeConfiguration, Message: "a test-mode object needs a test-mode key (STRIPE_TEST_API_KEY, or a test STRIPE_API_KEY)"}
	}
	return test, nil
}

// get calls GET path?query and decodes a 2xx answer into out.
func (c *Client) get(ctx context.Context, path string, query url.Values, account string, livemode bool, out any) error {
	op := "GET " + path
	key, err := c.key(op, livemode)
	if err != nil {
		return err
	}
	if err := c.lim.wait(ctx); err != nil {
		return &Error{Op: op, Message: "waiting for the rate limit: " + err.Error(), err: err}
	}
	u := *c.base
	u.Path = strings.TrimRight(u.Path, "/") + path
	u.RawQuery = query.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return fmt.Errorf("stripeapi: %s: %w", op, err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Stripe-Version", c.version)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "stripe-infor")
	if account != "" {
		req.Header.Set("Stripe-Account", account)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return &Error{Op: op, Message: scrub(err.Error(), key), err: err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return &Error{Op: op, Message: "reading the answer: " + scrub(err.Error(), key), err: err}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return c.apiError(op, resp, body, key)
	}
	if len(body) > maxBody {
		return fmt.Errorf("stripeapi: %s: answer larger than %d bytes", op, maxBody)
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("stripeapi: %s: decode answer (request %s): %w", op, resp.Header.Get("Request-Id"), err)
	}
	return nil
}

// apiError turns a non-2xx answer into an *Error with Stripe's error
// object, scrubbed of keys.
func (c *Client) apiError(op string, resp *http.Response, body []byte, sent string) *Error {
	e := &Error{Op: op, StatusCode: resp.StatusCode, RequestID: resp.Header.Get("Request-Id"),
		RetryAfter:  parseRetryAfter(resp.Header.Get("Retry-After"), c.now()),
		shouldRetry: resp.Header.Get("Stripe-Should-Retry") == "true"}
	var env struct {
		Error struct {
			Type    string `json:"type"`
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &env) == nil && (env.Error.Message != "" || env.Error.Type != "") {
		e.Type, e.Code, e.Message = env.Error.Type, env.Error.Code, env.Error.Message
	} else {
		e.Message = strings.TrimSpace(string(body))
		if len(e.Message) > 200 {
			e.Message = e.Message[:200] + "…"
		}
		if e.Message == "" {
			e.Message = http.StatusText(resp.StatusCode)
		}
	}
	// The key sent, and the current ones: a key rotated meanwhile is still
	// one to hide.
	live, test := c.keys()
	e.Type, e.Code, e.Message = scrub(e.Type, sent, live, test), scrub(e.Code, sent, live, test), scrub(e.Message, sent, live, test)
	return e
}
