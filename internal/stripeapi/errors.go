package stripeapi

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/stripe-infor/stripe-infor/internal/retry"
)

// TypeConfiguration is the Type of an *Error raised before any call: no
// key for the object's mode. Not transient.
const TypeConfiguration = "configuration"

// Error is a failed Stripe API call: an error answer from Stripe (its
// status, type, code, message and request id), or a network error or
// timeout (StatusCode 0). It never contains an API key.
type Error struct {
	// StatusCode is the HTTP status; 0 when no answer came (connection
	// refused or reset, timeout, canceled context) or no call was made
	// (Type TypeConfiguration).
	StatusCode int
	// Type, Code and Message are Stripe's error object ("invalid_request_error",
	// "resource_missing", "No such payout: 'po_…'"); for StatusCode 0 Message
	// says what went wrong on the way.
	Type, Code, Message string
	// RequestID is Stripe's Request-Id, for Stripe support.
	RequestID string
	// RetryAfter is the answer's Retry-After (0 when there was none).
	RetryAfter time.Duration
	// Op is the call, e.g. "GET /v1/balance_transactions".
	Op string

	shouldRetry bool  // Stripe-Should-Retry: true
	err         error // the network error behind a StatusCode 0
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("stripe")
	if e.Op != "" {
		b.WriteString(": " + e.Op)
	}
	if e.StatusCode != 0 {
		fmt.Fprintf(&b, ": HTTP %d", e.StatusCode)
	}
	if e.Type != "" {
		b.WriteString(" " + e.Type)
	}
	if e.Code != "" {
		b.WriteString(" (" + e.Code + ")")
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.RequestID != "" {
		b.WriteString(" [request " + e.RequestID + "]")
	}
	return b.String()
}

// Unwrap returns the network error behind a StatusCode 0 (so
// errors.Is(err, context.DeadlineExceeded) works), nil otherwise.
func (e *Error) Unwrap() error { return e.err }

// Transient reports whether trying again later may succeed: no answer at
// all (network error, timeout), 429, any 5xx, 409 lock_timeout (another
// request held the object), or Stripe's own Stripe-Should-Retry: true.
func (e *Error) Transient() bool {
	switch {
	case e.StatusCode == 0:
		return e.Type != TypeConfiguration
	case e.StatusCode == http.StatusTooManyRequests, e.StatusCode >= 500, e.shouldRetry:
		return true
	case e.StatusCode == http.StatusConflict && e.Code == "lock_timeout":
		return true
	}
	return false
}

// RetryAfterHint returns the answer's Retry-After, if it had one.
func (e *Error) RetryAfterHint() (time.Duration, bool) {
	return e.RetryAfter, e.RetryAfter > 0
}

// parseRetryAfter is retry.ParseRetryAfter as a plain duration: 0 when
// the header gives no hint.
func parseRetryAfter(v string, now time.Time) time.Duration {
	d, _ := retry.ParseRetryAfter(v, now)
	return d
}

// keyLike matches Stripe API keys (secret, restricted, publishable) and
// bearer credentials, masked or not, wherever a message quotes one.
var keyLike = regexp.MustCompile("\\b(sk|rk|pk)_(live|test)_[0-9A-Za-z*_]+|(?i:bearer)\\s+[^\\s'\"`]+")

// scrub removes the configured keys and anything that looks like a key
// from s.
func scrub(s string, keys ...string) string {
	for _, k := range keys {
		if k != "" {
			s = strings.ReplaceAll(s, k, "[redacted]")
		}
	}
	return keyLike.ReplaceAllStringFunc(s, func(m string) string {
		if strings.HasPrefix(strings.ToLower(m), "bearer") {
			return "Bearer [redacted]"
		}
		parts := strings.SplitN(m, "_", 3)
		return parts[0] + "_" + parts[1] + "_[redacted]"
	})
}
