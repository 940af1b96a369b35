package infor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/stripe-infor/stripe-infor/internal/retry"
)

const (
	// maxResponseBytes bounds a successful answer (a large LstByNumber is a
	// few MiB); a bigger one is refused rather than exhausting memory.
	maxResponseBytes = 64 << 20
	// maxErrorBytes bounds what is read of an error answer.
	maxErrorBytes = 64 << 10
	// errorExcerpt is how much of an error body goes into an error message.
	errorExcerpt = 256
)

// httpDoer is what every outbound exchange shares: the HTTP client, the
// per-call timeout, the user agent and the redactor. Keeping it in one place
// means token requests and MI calls fail, time out and redact the same way.
type httpDoer struct {
	hc        *http.Client
	timeout   time.Duration
	userAgent string
	now       func() time.Time
	red       *redactor
}

// do sends the request that build makes under its own timeout and reads the
// whole body. Failures below HTTP become *TransportError, except when the
// caller canceled ctx: that is reported as the caller's context error, so the
// sink does not mistake its own shutdown for an Infor outage.
func (h *httpDoer) do(ctx context.Context, build func(ctx context.Context) (*http.Request, error)) (*http.Response, []byte, error) {
	callCtx, cancel := context.WithTimeout(ctx, h.timeout)
	defer cancel()
	req, err := build(callCtx)
	if err != nil {
		return nil, nil, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("User-Agent", h.userAgent)
	resp, err := h.hc.Do(req)
	if err != nil {
		return nil, nil, h.transportError(ctx, withoutQuery(err))
	}
	defer resp.Body.Close()
	limit := int64(maxResponseBytes)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		limit = maxErrorBytes
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
			return nil, nil, h.transportError(ctx, fmt.Errorf("read response: %w", err))
		}
		// An error answer cut short still has a usable status.
	}
	if int64(len(body)) > limit {
		if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
			return nil, nil, fmt.Errorf("response larger than %d bytes", limit)
		}
		body = body[:limit]
	}
	return resp, body, nil
}

func (h *httpDoer) transportError(ctx context.Context, err error) error {
	if ctxErr := ctx.Err(); errors.Is(ctxErr, context.Canceled) {
		return fmt.Errorf("canceled by caller: %w", ctxErr)
	}
	return &TransportError{Err: err}
}

// statusError turns an unexpected status into a typed error.
func (h *httpDoer) statusError(resp *http.Response, body []byte) error {
	retryAfter, _ := retry.ParseRetryAfter(resp.Header.Get("Retry-After"), h.now())
	if resp.StatusCode == http.StatusTooManyRequests {
		return &RateLimitError{RetryAfter: retryAfter}
	}
	return &HTTPError{
		StatusCode: resp.StatusCode,
		Status:     resp.Status,
		Body:       h.excerpt(body),
		RetryAfter: retryAfter,
	}
}

// excerpt makes a short one-line, secret-free summary of a response body.
func (h *httpDoer) excerpt(body []byte) string {
	s := strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || !unicode.IsPrint(r) {
			return ' '
		}
		return r
	}, string(body))
	s = strings.Join(strings.Fields(s), " ")
	// Scrub before cutting, so a secret cut in half cannot survive.
	s = h.red.scrub(s)
	if len(s) > errorExcerpt {
		cut := errorExcerpt
		for cut > 0 && !isRuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

// withoutQuery drops the query string from a *url.Error's URL: MI calls
// carry their fields (customer names, e-mail addresses) in the query, and
// transport errors end up in logs and DLQ headers.
func withoutQuery(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		if u, perr := url.Parse(ue.URL); perr == nil && u.RawQuery != "" {
			u.RawQuery = ""
			return &url.Error{Op: ue.Op, URL: u.String() + "?…", Err: ue.Err}
		}
	}
	return err
}
