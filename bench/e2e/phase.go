package main

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"
)

// phase is one measurement: events at a fixed rate for warmup+duration,
// of which those due in the last duration are measured.
type phase struct {
	rate             float64
	warmup, duration time.Duration
	seqBase          int64
	// drain bounds the wait, after the last send, for every event to be
	// applied; what is not applied by then counts as not applied.
	drain time.Duration
	// onMeasure, when set, is called as the measured window opens and
	// returns what to call as it closes (profiling).
	onMeasure func() func()
	// redisPID is the redis-server child whose CPU is counted, or 0.
	redisPID int
}

func (p phase) events() int { return int(p.rate * (p.warmup + p.duration).Seconds()) }

// result is what a phase measured.
type result struct {
	way      string // "direct" or "pipeline"
	rate     float64
	measured int // events due in the measured window
	events   int // events sent, warm-up included
	// latency is the figure: 2xx (direct: the due time) → the
	// payment's allocation answered OK by Infor.
	latency dist
	// per stage, pipeline only, from the 2xx.
	toCommitted, toSinkStart, lastApplyToApplied, webhook dist
	sentPerSec, appliedPerSec                             float64
	depEvents                                             int // measured events with at least one dependency failure
	failed                                                int64
	firstFailure                                          string
	cpu                                                   cpuUse    // over the measured window
	callsPerEvent                                         float64   // MI calls per event, the whole phase
	mix                                                   []txCount // MI calls per transaction (direct only)
	// The sink's Applies that failed for a missing prerequisite, per
	// command type (pipeline only).
	depCustomer, depOrder, depPayment int64
}

// window is the measured part of a phase, as Unix nanoseconds.
type window struct{ from, to int64 }

func (w window) holds(t int64) bool { return t >= w.from && t < w.to }

// runPhase sends p's events on the open-loop schedule with fire, waits up
// to p.drain for them to be applied, cancels what still runs, and
// summarizes the measured ones. fire's ctx ends after the drain.
func runPhase(ctx context.Context, p phase, way string, evs []event, tl *timeline, fire func(ctx context.Context, e event, ev *eventTimes, due time.Time)) result {
	fctx, cancel := context.WithCancel(ctx)
	defer cancel()
	start := time.Now().Add(50 * time.Millisecond)
	from, to := start.Add(p.warmup), start.Add(p.warmup+p.duration)
	w := window{from: from.UnixNano(), to: to.UnixNano()}
	var use cpuUse
	measured := make(chan struct{})
	go func() {
		defer close(measured)
		time.Sleep(time.Until(from))
		stop := func() {}
		if p.onMeasure != nil {
			stop = p.onMeasure()
		}
		c0 := sampleCPU(p.redisPID)
		time.Sleep(time.Until(to))
		use = c0.until(sampleCPU(p.redisPID))
		stop()
	}()
	var wait func()
	labeled("loadgen-"+way, func() {
		wait = openLoop(start, p.rate, len(evs), func(i int, due time.Time) {
			fire(fctx, evs[i], tl.byCharge[evs[i].chargeID], due)
		})
	})
	<-measured
	waitApplied(ctx, tl, p.drain)
	cancel()
	wait()
	r := summarize(way, p, evs, tl, w)
	r.cpu = use
	return r
}

// waitApplied waits until every event of tl was applied, or for at most
// limit.
func waitApplied(ctx context.Context, tl *timeline, limit time.Duration) {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		done := true
		for _, ev := range tl.byCharge {
			if ev.applied.Load() == 0 && ev.scheduled.Load() != 0 {
				done = false
				break
			}
		}
		if done {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func summarize(way string, p phase, evs []event, tl *timeline, w window) result {
	r := result{way: way, rate: p.rate, events: len(evs)}
	ended := time.Now().UnixNano()
	sent, applied := 0, 0
	for _, e := range evs {
		ev := tl.byCharge[e.chargeID]
		if w.holds(ev.acked.Load()) {
			sent++
		}
		if w.holds(ev.applied.Load()) {
			applied++
		}
		if !w.holds(ev.scheduled.Load()) {
			continue
		}
		r.measured++
		if ev.depFailures.Load() > 0 {
			r.depEvents++
		}
		if ev.acked.Load() == 0 {
			// Never accepted (failed, or still waiting at the end): at
			// least as late as its wait since it was due.
			measure(&r.latency, &ev.scheduled, &ev.applied, ended)
		} else {
			measure(&r.latency, &ev.acked, &ev.applied, ended)
		}
		measure(&r.webhook, &ev.scheduled, &ev.responded, ended)
		measure(&r.toCommitted, &ev.acked, &ev.committed, ended)
		measure(&r.toSinkStart, &ev.acked, &ev.sinkFirst, ended)
		if d, ok := since(&ev.sinkLast, &ev.applied); ok {
			r.lastApplyToApplied.add(d)
		}
	}
	secs := time.Duration(w.to - w.from).Seconds()
	r.sentPerSec, r.appliedPerSec = float64(sent)/secs, float64(applied)/secs
	return r
}

// measure adds to − from to d; when from happened and to did not (yet),
// the time waited until ended is added as a lower bound.
func measure(d *dist, from, to *atomic.Int64, ended int64) {
	if v, ok := since(from, to); ok {
		d.add(v)
	} else if f := from.Load(); f != 0 {
		d.addAtLeast(time.Duration(ended - f))
	}
}

// String is a one-line summary, for progress on stderr.
func (r result) String() string {
	return fmt.Sprintf("%-8s %5.0f/s: %d events, p50 %s ms, p99 %s ms, applied %.0f/s", r.way, r.rate, r.measured,
		r.latency.fmtPct(50), r.latency.fmtPct(99), r.appliedPerSec)
}
