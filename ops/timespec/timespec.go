// Package timespec reads the times the SRE tools take on their command
// lines. An operator thinks either in absolute times copied from a log or
// an alert ("2026-11-25T09:30:00Z") or relative to now ("the last 6h"), so
// both are accepted.
package timespec

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Parse reads s as
//   - an RFC 3339 time: 2026-11-25T09:30:00Z, 2026-11-25T10:30:00.5+01:00;
//   - a date, meaning its midnight in UTC: 2026-11-25;
//   - a duration before now: 90m, 6h, 7d (d is 24h), 1h30m.
//
// The result is in UTC.
func Parse(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, fmt.Errorf("empty time")
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t.UTC(), nil
	}
	if d, err := ParseDuration(s); err == nil {
		return now.Add(-d).UTC(), nil
	}
	return time.Time{}, fmt.Errorf("%q is not a time: use RFC 3339 (2026-11-25T09:30:00Z), a date (2026-11-25) or a duration before now (6h, 7d)", s)
}

// ParseDuration is time.ParseDuration plus a whole number of days ("7d",
// "2d12h"). Negative durations are refused.
func ParseDuration(s string) (time.Duration, error) {
	var days int64
	if i := strings.IndexByte(s, 'd'); i > 0 {
		n, err := strconv.ParseInt(s[:i], 10, 32)
		if err != nil {
			return 0, fmt.Errorf("%q is not a duration", s)
		}
		days, s = n, s[i+1:]
	}
	var d time.Duration
	if s != "" {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			return 0, fmt.Errorf("%q is not a duration", s)
		}
	}
	d += time.Duration(days) * 24 * time.Hour
	if d < 0 || days < 0 {
		return 0, fmt.Errorf("%q is negative", s)
	}
	return d, nil
}
