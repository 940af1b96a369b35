package main

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"time"
)

// sample is one latency. atLeast marks an event not applied when the
// phase ended: its latency is at least v (the time it had waited), so it
// still counts, ranked where that bound puts it, instead of vanishing from
// the percentiles as if the slowest events had never been sent.
type sample struct {
	v       time.Duration
	atLeast bool
}

// dist is a latency distribution.
type dist struct {
	samples []sample
	sorted  bool
}

func (d *dist) add(v time.Duration) { d.samples = append(d.samples, sample{v: v}); d.sorted = false }

func (d *dist) addAtLeast(v time.Duration) {
	d.samples = append(d.samples, sample{v: v, atLeast: true})
	d.sorted = false
}

func (d *dist) n() int { return len(d.samples) }

// unfinished is how many samples are lower bounds.
func (d *dist) unfinished() int {
	n := 0
	for _, s := range d.samples {
		if s.atLeast {
			n++
		}
	}
	return n
}

// pct is the p-th percentile by the nearest-rank method.
func (d *dist) pct(p float64) (sample, bool) {
	if len(d.samples) == 0 {
		return sample{}, false
	}
	if !d.sorted {
		slices.SortStableFunc(d.samples, func(a, b sample) int { return cmp.Compare(a.v, b.v) })
		d.sorted = true
	}
	rank := min(max(int(math.Ceil(p/100*float64(len(d.samples)))), 1), len(d.samples))
	return d.samples[rank-1], true
}

// fmtPct formats a percentile in milliseconds, with ">" when it is a lower
// bound, "-" when there is no sample.
func (d *dist) fmtPct(p float64) string {
	s, ok := d.pct(p)
	if !ok {
		return "-"
	}
	if s.atLeast {
		return ">" + fmtMS(s.v)
	}
	return fmtMS(s.v)
}

func fmtMS(v time.Duration) string {
	ms := float64(v) / float64(time.Millisecond)
	switch {
	case ms >= 100:
		return fmt.Sprintf("%.0f", ms)
	case ms >= 10:
		return fmt.Sprintf("%.1f", ms)
	default:
		return fmt.Sprintf("%.2f", ms)
	}
}
