package dlq

import (
	"strconv"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// WithRetry is Record for a retry topic, plus retry.attempt (attempt, the
// 1-based tier count so far) and retry.not-before (notBefore, rounded up to
// the millisecond so the header never allows an earlier apply than asked).
func WithRetry(r *kgo.Record, topic string, f Failure, attempt int, notBefore time.Time) *kgo.Record {
	rec := Record(r, topic, f)
	if nb := notBefore.Truncate(time.Millisecond); nb.Before(notBefore) {
		notBefore = nb.Add(time.Millisecond)
	}
	rec.Headers = append(rec.Headers,
		header(HeaderRetryAttempt, strconv.Itoa(attempt)),
		header(HeaderRetryNotBefore, formatTime(notBefore)),
	)
	return rec
}

// RetryInfo reads the retry headers WithRetry wrote; ok is false when r has
// none (it is a first try from the command topic) or they are unreadable.
func RetryInfo(r *kgo.Record) (attempt int, notBefore time.Time, ok bool) {
	a, ok1 := lastHeader(r, HeaderRetryAttempt)
	nb, ok2 := lastHeader(r, HeaderRetryNotBefore)
	if !ok1 || !ok2 {
		return 0, time.Time{}, false
	}
	n, err := strconv.Atoi(a)
	if err != nil || n < 1 {
		return 0, time.Time{}, false
	}
	t, err := parseTime(nb)
	if err != nil {
		return 0, time.Time{}, false
	}
	return n, t, true
}
