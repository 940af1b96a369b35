package progress

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestLine(t *testing.T) {
	for _, tc := range []struct {
		done, total int64
		elapsed     time.Duration
		want        string
	}{
		{1200, 5000, 4 * time.Second, "replay: 1200/5000 records (24%), 300/s, ETA 13s"},
		{0, 5000, 0, "replay: 0/5000 records (0%), 0/s"},
		{5000, 5000, 2 * time.Second, "replay: 5000/5000 records (100%), 2500/s"},
		{42, 0, 2 * time.Second, "replay: 42 records, 21/s"},
	} {
		if got := Line("replay", tc.done, tc.total, "records", tc.elapsed); got != tc.want {
			t.Errorf("Line(%d, %d, %s) = %q, want %q", tc.done, tc.total, tc.elapsed, got, tc.want)
		}
	}
	if got := Summary("backfill", 30, "events", 1500*time.Millisecond); got != "backfill: 30 events in 1.5s (20/s)" {
		t.Errorf("Summary = %q", got)
	}
}

// Not a terminal: whole lines with a time stamp, never a carriage return;
// the final line carries the count.
func TestBarLogLines(t *testing.T) {
	var buf bytes.Buffer
	no := false
	b := Start(&buf, "dlq redrive", 10, Options{Terminal: &no, Interval: time.Millisecond})
	b.Add(4)
	b.Add(6)
	for !strings.Contains(snapshot(b, &buf), "10/10") {
		time.Sleep(time.Millisecond)
	}
	b.Finish()
	b.Finish() // idempotent
	out := buf.String()
	if strings.Contains(out, "\r") {
		t.Fatalf("carriage return in log output: %q", out)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	last := lines[len(lines)-1]
	if !strings.Contains(last, "dlq redrive: 10 records in ") || strings.Count(out, "records in") != 1 {
		t.Fatalf("final line %q in %q", last, out)
	}
	if _, err := time.Parse(time.RFC3339, strings.Fields(last)[0]); err != nil {
		t.Fatalf("log line without a time stamp: %q", last)
	}
	if b.Done() != 10 {
		t.Fatalf("Done = %d", b.Done())
	}
}

// A terminal: the line is redrawn in place and the final line ends it.
func TestBarTerminal(t *testing.T) {
	var buf bytes.Buffer
	yes := true
	b := Start(&buf, "replay", 0, Options{Terminal: &yes, Interval: time.Millisecond, Unit: "events"})
	b.Add(3)
	for !strings.Contains(snapshot(b, &buf), "3 events") {
		time.Sleep(time.Millisecond)
	}
	b.Finish()
	out := buf.String()
	if !strings.HasPrefix(out, "\r\033[K") || !strings.HasSuffix(out, "\n") || strings.Count(out, "\n") != 1 {
		t.Fatalf("terminal output %q", out)
	}
	var nilBar *Bar
	nilBar.Add(1) // a nil bar is a no-op
	nilBar.Finish()
}

func snapshot(b *Bar, buf *bytes.Buffer) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return buf.String()
}

// Work done before the first redraw ends silently.
func TestBarQuickWorkIsQuiet(t *testing.T) {
	var buf bytes.Buffer
	b := Start(&buf, "dlq list", 3, Options{Interval: time.Hour})
	b.Add(3)
	b.Finish()
	if buf.Len() != 0 {
		t.Fatalf("output for quick work: %q", buf.String())
	}
}
