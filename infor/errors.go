package infor

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"
)

// NOKError is a business failure reported by M3: HTTP 200 with
// nrOfFailedTransactions > 0. The fields are M3's errorMessage, errorCode,
// errorField and errorType, trimmed; Message is what M3 said, so the DLQ can
// carry the exact upstream text.
type NOKError struct {
	Program     string
	Transaction string
	Message     string // errorMessage
	Code        string // errorCode
	Field       string // errorField
	Type        string // errorType, e.g. ServerReturnedNOK
}

func (e *NOKError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "infor: M3 %s/%s NOK", e.Program, e.Transaction)
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	} else {
		b.WriteString(" (no message)")
	}
	var details []string
	for _, kv := range [][2]string{{"code", e.Code}, {"field", e.Field}, {"type", e.Type}} {
		if kv[1] != "" {
			details = append(details, kv[0]+"="+kv[1])
		}
	}
	if len(details) > 0 {
		b.WriteString(" [" + strings.Join(details, " ") + "]")
	}
	return b.String()
}

// AuthError is an OAuth 2.0 error from the token or revocation endpoint
// ({"error":"invalid_grant","error_description":"…"}), with its HTTP status.
// It never carries the credentials or tokens that were sent.
type AuthError struct {
	StatusCode  int
	Code        string // OAuth "error", e.g. invalid_grant, invalid_client
	Description string // OAuth "error_description"
}

func (e *AuthError) Error() string {
	code := e.Code
	if code == "" {
		code = "unknown_error"
	}
	msg := fmt.Sprintf("oauth error %s (HTTP %d)", code, e.StatusCode)
	if e.Description != "" {
		msg += ": " + e.Description
	}
	return msg
}

// RateLimitError is an HTTP 429 from the gateway. RetryAfter is the server's
// Retry-After hint (zero when it sent none).
type RateLimitError struct {
	RetryAfter time.Duration
}

func (e *RateLimitError) Error() string {
	if e.RetryAfter > 0 {
		return fmt.Sprintf("rate limited (HTTP 429), retry after %s", e.RetryAfter)
	}
	return "rate limited (HTTP 429)"
}

// HTTPError is any other unexpected HTTP status. Body is a short excerpt of
// the response, with secrets removed, to tell a gateway page from an M3 one.
type HTTPError struct {
	StatusCode int
	Status     string
	Body       string
	RetryAfter time.Duration // from Retry-After, e.g. on 503
}

func (e *HTTPError) Error() string {
	status := e.Status
	if status == "" {
		status = fmt.Sprintf("%d %s", e.StatusCode, http.StatusText(e.StatusCode))
	}
	msg := "HTTP " + status
	if e.Body != "" {
		msg += ": " + e.Body
	}
	return msg
}

// TransportError is a failure below HTTP: a timeout of our own per-call
// deadline, a refused or reset connection, a connection closed mid-answer.
// The caller's own cancellation is not reported as a TransportError.
type TransportError struct {
	Err error
}

func (e *TransportError) Error() string { return "transport error: " + e.Err.Error() }
func (e *TransportError) Unwrap() error { return e.Err }

// Timeout reports whether the failure was a timeout.
func (e *TransportError) Timeout() bool {
	var ne net.Error
	return errors.Is(e.Err, context.DeadlineExceeded) || (errors.As(e.Err, &ne) && ne.Timeout())
}

// Class is what the sink should do with a failed call.
type Class int

const (
	// ClassNone is the class of a nil error.
	ClassNone Class = iota
	// ClassValidation: M3 refused the data (NOK). Retrying the same command
	// gives the same answer; it belongs in the DLQ (or, for a missing
	// prerequisite, a retry topic — the adapter decides).
	ClassValidation
	// ClassAuth: credentials or permissions are wrong (OAuth error, 401 after
	// a fresh token, 403). Needs a person; retrying will not help.
	ClassAuth
	// ClassRateLimited: HTTP 429. Retry after RetryAfter.
	ClassRateLimited
	// ClassTransient: timeouts, connection failures, 5xx, 408. Retry with
	// backoff; commands are idempotent by lookup, so a lost answer is safe.
	ClassTransient
	// ClassPermanent: other 4xx, malformed answers, programming errors.
	ClassPermanent
	// ClassCanceled: the caller's own context was canceled (e.g. shutdown).
	// Not Infor's fault: neither count it as a failed attempt nor DLQ it.
	ClassCanceled
)

func (c Class) String() string {
	switch c {
	case ClassNone:
		return "none"
	case ClassValidation:
		return "validation"
	case ClassAuth:
		return "auth"
	case ClassRateLimited:
		return "rate-limited"
	case ClassTransient:
		return "transient"
	case ClassPermanent:
		return "permanent"
	case ClassCanceled:
		return "canceled"
	}
	return fmt.Sprintf("Class(%d)", int(c))
}

// Classify maps an error from this package to what the sink should do.
// Errors it does not recognise are permanent: retrying an unknown failure
// forever is worse than parking it in the DLQ, from which it can be redriven.
func Classify(err error) Class {
	if err == nil {
		return ClassNone
	}
	var (
		nok  *NOKError
		rl   *RateLimitError
		ae   *AuthError
		he   *HTTPError
		te   *TransportError
		nerr net.Error
	)
	switch {
	case errors.As(err, &nok):
		return ClassValidation
	case errors.As(err, &rl):
		return ClassRateLimited
	case errors.As(err, &ae):
		return ClassAuth
	case errors.As(err, &he):
		return classifyStatus(he.StatusCode)
	case errors.Is(err, context.Canceled):
		return ClassCanceled
	case errors.As(err, &te):
		return ClassTransient
	case errors.Is(err, context.DeadlineExceeded):
		// A deadline, ours or the caller's per-attempt one, is worth retrying.
		return ClassTransient
	case errors.As(err, &nerr):
		return ClassTransient
	}
	return ClassPermanent
}

func classifyStatus(code int) Class {
	switch {
	case code == http.StatusUnauthorized, code == http.StatusForbidden:
		return ClassAuth
	case code == http.StatusTooManyRequests:
		return ClassRateLimited
	case code == http.StatusRequestTimeout, code >= 500:
		return ClassTransient
	}
	return ClassPermanent
}

// RetryAfter returns the server's Retry-After hint carried by err (a 429, or
// a 5xx that sent one), and whether there was a positive one.
func RetryAfter(err error) (time.Duration, bool) {
	var rl *RateLimitError
	if errors.As(err, &rl) && rl.RetryAfter > 0 {
		return rl.RetryAfter, true
	}
	var he *HTTPError
	if errors.As(err, &he) && he.RetryAfter > 0 {
		return he.RetryAfter, true
	}
	return 0, false
}
