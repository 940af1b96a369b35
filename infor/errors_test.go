package infor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/stripe-infor/stripe-infor/internal/retry"
)

func TestClassify(t *testing.T) {
	nok := &NOKError{Program: "CRS610MI", Transaction: "Add", Message: "Customer already exists", Code: "WCU0201", Field: "CUNO"}
	refused := &TransportError{Err: &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}}
	for _, tc := range []struct {
		name string
		err  error
		want Class
	}{
		{"nil", nil, ClassNone},
		{"NOK", nok, ClassValidation},
		{"wrapped NOK", fmt.Errorf("apply payment: %w", nok), ClassValidation},
		{"joined NOKs", errors.Join(nok, &NOKError{}), ClassValidation},
		{"oauth invalid_grant", &AuthError{StatusCode: 400, Code: "invalid_grant"}, ClassAuth},
		{"oauth wrapped", fmt.Errorf("token: %w", &AuthError{StatusCode: 401, Code: "invalid_client"}), ClassAuth},
		{"401", &HTTPError{StatusCode: 401}, ClassAuth},
		{"403", &HTTPError{StatusCode: 403}, ClassAuth},
		{"429", &RateLimitError{RetryAfter: time.Second}, ClassRateLimited},
		{"429 as HTTPError", &HTTPError{StatusCode: 429}, ClassRateLimited},
		{"400", &HTTPError{StatusCode: 400}, ClassPermanent},
		{"404", &HTTPError{StatusCode: 404}, ClassPermanent},
		{"409", &HTTPError{StatusCode: 409}, ClassPermanent},
		{"408", &HTTPError{StatusCode: 408}, ClassTransient},
		{"500", &HTTPError{StatusCode: 500}, ClassTransient},
		{"502", fmt.Errorf("x: %w", &HTTPError{StatusCode: 502}), ClassTransient},
		{"503", &HTTPError{StatusCode: 503}, ClassTransient},
		{"connection refused", refused, ClassTransient},
		{"connection reset", &TransportError{Err: syscall.ECONNRESET}, ClassTransient},
		{"EOF", &TransportError{Err: io.EOF}, ClassTransient},
		{"unexpected EOF", &TransportError{Err: io.ErrUnexpectedEOF}, ClassTransient},
		{"our timeout", &TransportError{Err: context.DeadlineExceeded}, ClassTransient},
		{"bare net error", &net.OpError{Op: "read", Err: syscall.ECONNRESET}, ClassTransient},
		{"caller canceled", fmt.Errorf("x: %w", context.Canceled), ClassCanceled},
		{"caller deadline", fmt.Errorf("x: %w", context.DeadlineExceeded), ClassTransient},
		{"unknown", errors.New("something else"), ClassPermanent},
	} {
		if got := Classify(tc.err); got != tc.want {
			t.Errorf("%s: Classify = %s, want %s", tc.name, got, tc.want)
		}
	}
}

func TestClassString(t *testing.T) {
	for c, want := range map[Class]string{
		ClassNone: "none", ClassValidation: "validation", ClassAuth: "auth", ClassRateLimited: "rate-limited",
		ClassTransient: "transient", ClassPermanent: "permanent", ClassCanceled: "canceled", Class(42): "Class(42)",
	} {
		if c.String() != want {
			t.Errorf("%d: %q, want %q", int(c), c.String(), want)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2015, 10, 21, 7, 26, 30, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 0, false},
		{"120", 2 * time.Minute, true},
		{" 7 ", 7 * time.Second, true},
		{"0", 0, true},
		{"-3", 0, false},
		{"1.5", 0, false},
		{"soon", 0, false},
		{"99999999999999999", time.Duration(1<<63 - 1), true},
		{"Wed, 21 Oct 2015 07:28:00 GMT", 90 * time.Second, true},     // IMF-fixdate
		{"Wednesday, 21-Oct-15 07:28:00 GMT", 90 * time.Second, true}, // RFC 850
		{"Wed Oct 21 07:28:00 2015", 90 * time.Second, true},          // ANSI C asctime
		{"Wed, 21 Oct 2015 07:26:00 GMT", 0, false},                   // in the past
	} {
		got, ok := retry.ParseRetryAfter(tc.in, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("parseRetryAfter(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestRetryAfterFindsTheHintInTheChain(t *testing.T) {
	if d, ok := RetryAfter(fmt.Errorf("call: %w", &RateLimitError{RetryAfter: 7 * time.Second})); !ok || d != 7*time.Second {
		t.Errorf("429: %v, %v", d, ok)
	}
	if d, ok := RetryAfter(&HTTPError{StatusCode: 503, RetryAfter: 3 * time.Second}); !ok || d != 3*time.Second {
		t.Errorf("503: %v, %v", d, ok)
	}
	for _, err := range []error{nil, &RateLimitError{}, &HTTPError{StatusCode: 500}, errors.New("x")} {
		if d, ok := RetryAfter(err); ok || d != 0 {
			t.Errorf("%v: %v, %v; want no hint", err, d, ok)
		}
	}
}

func TestErrorMessages(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{&NOKError{Program: "CRS610MI", Transaction: "Add", Message: "Customer already exists", Code: "WCU0201", Field: "CUNO", Type: "ServerReturnedNOK"},
			"infor: M3 CRS610MI/Add NOK: Customer already exists [code=WCU0201 field=CUNO type=ServerReturnedNOK]"},
		{&NOKError{Program: "XNOKMI", Transaction: "Count"}, "infor: M3 XNOKMI/Count NOK (no message)"},
		{&AuthError{StatusCode: 400, Code: "invalid_grant", Description: "bad keys"}, "oauth error invalid_grant (HTTP 400): bad keys"},
		{&AuthError{StatusCode: 401}, "oauth error unknown_error (HTTP 401)"},
		{&RateLimitError{RetryAfter: 7 * time.Second}, "rate limited (HTTP 429), retry after 7s"},
		{&RateLimitError{}, "rate limited (HTTP 429)"},
		{&HTTPError{StatusCode: 502}, "HTTP 502 Bad Gateway"},
		{&HTTPError{StatusCode: 500, Status: "500 Internal Server Error", Body: "boom"}, "HTTP 500 Internal Server Error: boom"},
		{&TransportError{Err: io.EOF}, "transport error: EOF"},
	} {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("got %q, want %q", got, tc.want)
		}
	}
}

func TestRedactorScrubsSecretsAndRecentTokens(t *testing.T) {
	r := newRedactor(testCS, "", testSASK)
	for i := range maxRememberedTokens + 4 {
		r.remember(fmt.Sprintf("tok-%02d", i))
	}
	got := r.scrub("cs=" + testCS + " sask=" + testSASK + " tok-19 tok-00")
	want := "cs=" + redacted + " sask=" + redacted + " " + redacted + " tok-00"
	if got != want {
		t.Fatalf("scrub = %q, want %q (the oldest tokens are forgotten)", got, want)
	}
	if r.scrub("") != "" {
		t.Fatal("empty string changed")
	}
}
