package retry

import (
	"math/rand/v2"
	"time"
)

// Ceiling is the upper bound of the attempt-th backoff: base·2^(attempt-1),
// capped at max. Attempts below 1 count as 1; a non-positive base or max
// gives 0.
func Ceiling(attempt int, base, max time.Duration) time.Duration {
	if base <= 0 || max <= 0 {
		return 0
	}
	if attempt < 1 {
		attempt = 1
	}
	d := base
	for i := 1; i < attempt; i++ {
		if d >= max || d > max/2 { // doubling would pass the cap (or overflow)
			return max
		}
		d *= 2
	}
	return min(d, max)
}

// Backoff returns the wait after the attempt-th failed try (1-based): a
// uniform random duration in [0, Ceiling(attempt, base, max)] ("full
// jitter"). rnd returns a uniform value in [0, n) for n > 0, like
// math/rand/v2's Int64N; nil uses math/rand/v2's global source.
func Backoff(attempt int, base, max time.Duration, rnd func(n int64) int64) time.Duration {
	c := Ceiling(attempt, base, max)
	if c <= 0 {
		return 0
	}
	if rnd == nil {
		rnd = rand.Int64N
	}
	if c == time.Duration(1<<63-1) {
		return time.Duration(rnd(int64(c))) // n+1 would overflow; the top value is out of reach, which is harmless
	}
	return time.Duration(rnd(int64(c) + 1))
}

// Wait is Backoff with the server's Retry-After hint as a floor: never less
// than hint, so a rate-limited upstream is not called before it said it
// would answer.
func Wait(attempt int, base, max, hint time.Duration, rnd func(n int64) int64) time.Duration {
	return maxDur(Backoff(attempt, base, max, rnd), hint)
}

// InPlace reports whether a Retry-After hint is short enough to wait for in
// place (at most the backoff cap). A longer one moves the work to a retry
// topic with at least that delay, so the worker and the record's partition
// are not held up for it.
func InPlace(hint, max time.Duration) bool { return hint <= max }

func maxDur(a, b time.Duration) time.Duration {
	if a > b {
		return a
	}
	return b
}
