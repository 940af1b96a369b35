// Package progress draws the progress of long CLI work (a replay, a
// redrive, a backfill) on stderr: a line redrawn in place when stderr is a
// terminal, a plain line every so often when it is not (a log file, a
// Kubernetes job), so logs are not flooded with carriage returns.
//
// It is a few dozen lines rather than a dependency: done/total, rate and
// ETA are all an operator needs to decide whether to wait.
package progress

import (
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// Default redraw intervals.
const (
	TerminalInterval = 200 * time.Millisecond
	LogInterval      = 10 * time.Second
)

// Options tune a Bar; the zero value is right for the CLI.
type Options struct {
	// Unit names what is counted ("records", "events"); default "records".
	Unit string
	// Interval between redraws; default TerminalInterval on a terminal,
	// LogInterval otherwise.
	Interval time.Duration
	// Terminal overrides the terminal detection (tests).
	Terminal *bool
}

// Bar reports the progress of one piece of work. Add may be called from
// any goroutine. A nil *Bar is valid and draws nothing.
type Bar struct {
	w     io.Writer
	label string
	unit  string
	tty   bool
	start time.Time

	done  atomic.Int64
	total atomic.Int64

	drawn    atomic.Bool // a progress line was written
	stop     chan struct{}
	finished sync.Once
	wg       sync.WaitGroup
	mu       sync.Mutex // one writer at a time
}

// Start begins drawing label's progress to w; total 0 means not known (yet).
func Start(w io.Writer, label string, total int64, o Options) *Bar {
	b := &Bar{w: w, label: label, unit: o.Unit, start: time.Now(), stop: make(chan struct{})}
	if b.unit == "" {
		b.unit = "records"
	}
	b.tty = isTerminal(w)
	if o.Terminal != nil {
		b.tty = *o.Terminal
	}
	interval := o.Interval
	if interval <= 0 {
		interval = LogInterval
		if b.tty {
			interval = TerminalInterval
		}
	}
	b.total.Store(total)
	b.wg.Add(1)
	go b.loop(interval)
	return b
}

// Add counts n more done.
func (b *Bar) Add(n int64) {
	if b != nil {
		b.done.Add(n)
	}
}

// SetTotal changes the total, when it becomes known or turns out smaller.
func (b *Bar) SetTotal(n int64) {
	if b != nil {
		b.total.Store(n)
	}
}

// Done returns what was counted so far.
func (b *Bar) Done() int64 {
	if b == nil {
		return 0
	}
	return b.done.Load()
}

// quietUnder is how short work may be and still finish without a final
// line: a list that took a blink needs no "done in 0.1s" on stderr.
const quietUnder = 2 * time.Second

// Finish stops redrawing and writes the final line, unless the work was
// too quick to have drawn anything. It is safe to call more than once.
func (b *Bar) Finish() {
	if b == nil {
		return
	}
	b.finished.Do(func() {
		close(b.stop)
		b.wg.Wait()
		el := time.Since(b.start)
		if !b.drawn.Load() && el < quietUnder {
			return
		}
		line := Summary(b.label, b.done.Load(), b.unit, el)
		b.mu.Lock()
		defer b.mu.Unlock()
		if b.tty {
			fmt.Fprintf(b.w, "\r\033[K%s\n", line)
		} else {
			fmt.Fprintf(b.w, "%s %s\n", time.Now().UTC().Format(time.RFC3339), line)
		}
	})
}

func (b *Bar) loop(interval time.Duration) {
	defer b.wg.Done()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-b.stop:
			return
		case <-t.C:
			line := Line(b.label, b.done.Load(), b.total.Load(), b.unit, time.Since(b.start))
			b.drawn.Store(true)
			b.mu.Lock()
			if b.tty {
				fmt.Fprintf(b.w, "\r\033[K%s", line)
			} else {
				fmt.Fprintf(b.w, "%s %s\n", time.Now().UTC().Format(time.RFC3339), line)
			}
			b.mu.Unlock()
		}
	}
}

// Line is the progress line: "replay: 1200/5000 records (24%), 300/s, ETA 13s".
// Without a total it shows only the count and the rate; the ETA needs a
// rate, so it is left out until something was done.
func Line(label string, done, total int64, unit string, elapsed time.Duration) string {
	rate := perSecond(done, elapsed)
	if total <= 0 {
		return fmt.Sprintf("%s: %d %s, %.0f/s", label, done, unit, rate)
	}
	pct := float64(done) * 100 / float64(total)
	s := fmt.Sprintf("%s: %d/%d %s (%.0f%%), %.0f/s", label, done, total, unit, pct, rate)
	if rate > 0 && done < total {
		eta := time.Duration(float64(total-done) / rate * float64(time.Second))
		s += ", ETA " + eta.Round(time.Second).String()
	}
	return s
}

// Summary is the final line: "replay: 5000 records in 3.2s (1562/s)".
func Summary(label string, done int64, unit string, elapsed time.Duration) string {
	return fmt.Sprintf("%s: %d %s in %s (%.0f/s)", label, done, unit, elapsed.Round(100*time.Millisecond), perSecond(done, elapsed))
}

func perSecond(n int64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

// isTerminal reports whether w is a character device (a terminal). Good
// enough without x/term: a pipe or a file is not one.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
