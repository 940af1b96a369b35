package main

import (
	"context"
	"sync"
	"time"

	"github.com/stripe-infor/stripe-infor/internal/command"
	"github.com/stripe-infor/stripe-infor/sinks/inforsink"
)

// meteredApplier measures how many Apply calls run at once on average
// (time-weighted, from the first call to the last return) and how long one
// takes. Throughput is in flight ÷ apply time, so the two tell a sink that
// keeps fewer Applies running than its concurrency (a scheduling cap) from
// an Infor that answers more slowly (CPU contention on a shared machine,
// a slower emulator), which the commands/s figure alone cannot.
type meteredApplier struct {
	a inforsink.Applier

	mu      sync.Mutex
	running int
	first   time.Time
	last    time.Time
	area    float64 // Σ running × seconds
	calls   int64
	applied time.Duration // Σ Apply durations
}

func (m *meteredApplier) Apply(ctx context.Context, cmd command.Command) (inforsink.Applied, error) {
	start := m.step(+1, 0)
	r, err := m.a.Apply(ctx, cmd)
	m.step(-1, time.Since(start))
	return r, err
}

// step moves the running count by delta at now, adding the time at the old
// count to the area; took is a finished call's duration.
func (m *meteredApplier) step(delta int, took time.Duration) time.Time {
	now := time.Now()
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.first.IsZero() {
		m.first, m.last = now, now
	}
	m.area += float64(m.running) * now.Sub(m.last).Seconds()
	m.last = now
	m.running += delta
	if delta < 0 {
		m.calls++
		m.applied += took
	}
	return now
}

// stats are the mean Apply calls in flight and the mean Apply time so far.
func (m *meteredApplier) stats() (inFlight float64, apply time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if span := m.last.Sub(m.first).Seconds(); span > 0 {
		inFlight = m.area / span
	}
	if m.calls > 0 {
		apply = m.applied / time.Duration(m.calls)
	}
	return inFlight, apply
}
