package timespec

import (
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Time{
		"2026-11-25T09:30:00Z":        time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC),
		"2026-11-25T10:30:00.5+01:00": time.Date(2026, 11, 25, 9, 30, 0, 500_000_000, time.UTC),
		"2026-11-20":                  time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC),
		"6h":                          now.Add(-6 * time.Hour),
		"90m":                         now.Add(-90 * time.Minute),
		"7d":                          now.Add(-7 * 24 * time.Hour),
		"2d12h":                       now.Add(-60 * time.Hour),
		" 1h ":                        now.Add(-time.Hour),
	} {
		got, err := Parse(in, now)
		if err != nil || !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("Parse(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "yesterday", "-5h", "2026-13-01", "xd", "d"} {
		if got, err := Parse(bad, now); err == nil {
			t.Errorf("Parse(%q) = %v, want an error", bad, got)
		}
	}
}
