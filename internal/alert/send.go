package alert

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// maxRetryAfter caps how long a 429's Retry-After holds the queue.
const maxRetryAfter = 30 * time.Second

// send posts p, retrying timeouts, connection errors, 5xx and 429 with
// doubling backoff; other answers are final. Failures are counted and
// logged without the URL.
func (n *Notifier) send(p post) {
	if n.ctx.Err() != nil { // Close gave up: do not even try
		n.m.dropped.Inc()
		return
	}
	body, err := p.body()
	if err != nil {
		n.m.failed.Inc()
		n.logFailure(p, 0, err.Error())
		return
	}
	wait := n.tun.backoff
	for attempt := 1; ; attempt++ {
		retry, after, why := n.try(body)
		if why == "" {
			n.m.sent.Inc()
			return
		}
		if !retry || attempt >= n.tun.attempts || n.ctx.Err() != nil {
			n.m.failed.Inc()
			n.logFailure(p, attempt, why)
			return
		}
		d := max(wait, min(after, maxRetryAfter))
		wait *= 2
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-n.ctx.Done():
			t.Stop()
		}
	}
}

// try makes one POST. why is empty on a 2xx, else a description fit for
// the log (no URL); retry says whether another try may help, after is a
// 429's Retry-After.
func (n *Notifier) try(body []byte) (retry bool, after time.Duration, why string) {
	ctx, cancel := context.WithTimeout(n.ctx, n.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, n.cfg.URL, bytes.NewReader(body))
	if err != nil {
		return false, 0, "building the request failed" // its error would quote the URL
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := n.cfg.HTTPClient.Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) && n.ctx.Err() == nil {
			return true, 0, "timed out after " + n.cfg.Timeout.String()
		}
		return true, 0, n.redact(err)
	}
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 256))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // let the connection be reused
	_ = resp.Body.Close()
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return false, 0, ""
	}
	why = fmt.Sprintf("HTTP %d", resp.StatusCode)
	if s := strings.TrimSpace(string(snippet)); s != "" {
		why += ": " + n.redactString(s)
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		return true, retryAfter(resp.Header.Get("Retry-After")), why
	case resp.StatusCode >= 500:
		return true, 0, why
	default:
		return false, 0, why
	}
}

// retryAfter reads a Retry-After in seconds (what Slack sends); 0 if
// absent or in another form.
func retryAfter(v string) time.Duration {
	s, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || s < 0 {
		return 0
	}
	return time.Duration(s) * time.Second
}

// redact describes err without the webhook URL: net/http's *url.Error
// quotes the whole URL, so only its cause is kept, and any remaining
// trace of the URL, its path or query is blanked.
func (n *Notifier) redact(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return n.redactString(err.Error())
}

func (n *Notifier) redactString(s string) string {
	s = strings.ReplaceAll(s, n.cfg.URL, "[webhook]")
	if u, err := url.Parse(n.cfg.URL); err == nil {
		if u.RawQuery != "" {
			s = strings.ReplaceAll(s, u.RawQuery, "[redacted]")
		}
		if p := u.EscapedPath(); len(p) > 1 {
			s = strings.ReplaceAll(s, p, "[redacted]")
		}
		if u.User != nil {
			s = strings.ReplaceAll(s, u.User.String(), "[redacted]")
		}
	}
	return s
}

// logFailure writes one line per failed post, naming the alert and the
// reason, never the URL.
func (n *Notifier) logFailure(p post, attempts int, why string) {
	n.cfg.Logger.Warn("alert webhook post failed",
		"stage", p.a.Stage, "topic", p.a.Topic, "class", p.a.Class,
		"command_id", p.a.CommandID, "event_id", p.a.EventID,
		"attempts", attempts, "error", why)
}
