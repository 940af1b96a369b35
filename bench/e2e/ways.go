package main

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/stripe-infor/stripe-infor/internal/command"
	"github.com/stripe-infor/stripe-infor/processors/mapping"
	"github.com/stripe-infor/stripe-infor/processors/transform"
)

// runPipeline sends p's events as signed webhooks to the stack and
// measures each from its 2xx to its allocation in Infor.
func runPipeline(ctx context.Context, st *stack, p phase) (result, error) {
	r, _, err := pipelinePhase(ctx, st, p)
	return r, err
}

// pipelinePhase is runPipeline, also returning the events' times.
func pipelinePhase(ctx context.Context, st *stack, p phase) (result, *timeline, error) {
	evs, err := makeEvents(p.seqBase, p.events())
	if err != nil {
		return result{}, nil, err
	}
	tl := newTimeline(chargeIDs(evs))
	st.track.cur.Store(tl)
	defer st.track.cur.Store(nil)
	snd := newSender(st.webhookURL)
	defer snd.close()
	calls0 := st.emu.calls.Load()
	r := runPhase(ctx, p, "pipeline", evs, tl, func(ctx context.Context, e event, ev *eventTimes, due time.Time) {
		snd.send(ctx, e, ev, due)
	})
	r.failed = snd.failed.Load()
	if f := snd.first.Load(); f != nil {
		r.firstFailure = *f
	}
	r.callsPerEvent = float64(st.emu.calls.Load()-calls0) / float64(len(evs))
	r.depCustomer, r.depOrder, r.depPayment = st.applier.depCustomer.Load(), st.applier.depOrder.Load(), st.applier.depPayment.Load()
	return r, tl, nil
}

// runDirect is the baseline: the same events' commands, made by the same
// transform beforehand (not timed), applied at the same rate straight
// through the M3 adapter (sinks/m3apply, the sink's applier) to a fresh
// emulator: no webhook, Kafka or Redis. Each event's commands run in
// order (customer, order, payment), so none waits for a prerequisite; at
// most concurrency Apply calls run at once, as in the sink. The latency
// runs from the event's due time to its allocation answered OK.
func runDirect(ctx context.Context, dir string, concurrency int, p phase) (result, error) {
	evs, err := makeEvents(p.seqBase, p.events())
	if err != nil {
		return result{}, err
	}
	cmds, err := commandsOf(evs)
	if err != nil {
		return result{}, err
	}
	track := &tracker{}
	emu, err := startEmulator(dir, "", track)
	if err != nil {
		return result{}, err
	}
	defer emu.close()
	a, c, err := emu.applier(concurrency)
	if err != nil {
		return result{}, err
	}
	defer func() { _ = c.Close(context.Background()) }()

	tl := newTimeline(chargeIDs(evs))
	track.cur.Store(tl)
	sem := make(chan struct{}, concurrency)
	var failed atomic.Int64
	var first atomic.Pointer[string]
	r := runPhase(ctx, p, "direct", evs, tl, func(ctx context.Context, e event, ev *eventTimes, due time.Time) {
		ev.scheduled.Store(due.UnixNano())
		ev.acked.Store(due.UnixNano())
		for _, cmd := range cmds[e.chargeID] {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			_, err := a.Apply(ctx, cmd)
			<-sem
			if err != nil {
				if ctx.Err() != nil {
					return // past the drain: counted as not applied
				}
				failed.Add(1)
				msg := fmt.Sprintf("%s: %v", cmd.ID(), err)
				first.CompareAndSwap(nil, &msg)
				return
			}
		}
	})
	r.failed = failed.Load()
	if f := first.Load(); f != nil {
		r.firstFailure = *f
	}
	r.callsPerEvent = float64(emu.calls.Load()) / float64(len(evs))
	r.mix = emu.mix()
	return r, nil
}

// runCapacity measures the most events per second the direct way applies
// on this machine: concurrency workers, each applying one event's commands
// in order and then taking the next, for warmup+duration; the events
// finished in the last duration count. It is the ceiling any rate is
// measured against: above it, latency grows with the length of the run.
func runCapacity(ctx context.Context, dir string, concurrency int, seqBase int64, warmup, duration time.Duration, maxEvents int, onMeasure func() func()) (float64, cpuUse, error) {
	evs, err := makeEvents(seqBase, maxEvents)
	if err != nil {
		return 0, cpuUse{}, err
	}
	cmds, err := commandsOf(evs)
	if err != nil {
		return 0, cpuUse{}, err
	}
	emu, err := startEmulator(dir, "", &tracker{})
	if err != nil {
		return 0, cpuUse{}, err
	}
	defer emu.close()
	a, c, err := emu.applier(concurrency)
	if err != nil {
		return 0, cpuUse{}, err
	}
	defer func() { _ = c.Close(context.Background()) }()

	work := make(chan event, len(evs))
	for _, e := range evs {
		work <- e
	}
	close(work)
	start := time.Now()
	from, to := start.Add(warmup), start.Add(warmup+duration)
	var done atomic.Int64
	var firstErr atomic.Pointer[error]
	var wg sync.WaitGroup
	for range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for e := range work {
				if time.Now().After(to) {
					return
				}
				for _, cmd := range cmds[e.chargeID] {
					if _, err := a.Apply(ctx, cmd); err != nil {
						err = fmt.Errorf("%s: %w", cmd.ID(), err)
						firstErr.CompareAndSwap(nil, &err)
						return
					}
				}
				if now := time.Now(); !now.Before(from) && now.Before(to) {
					done.Add(1)
				}
			}
		}()
	}
	time.Sleep(time.Until(from))
	stop := func() {}
	if onMeasure != nil {
		stop = onMeasure()
	}
	c0 := sampleCPU(0)
	wg.Wait()
	stop()
	end := time.Now()
	if end.After(to) {
		end = to
	}
	use := c0.until(sampleCPU(0))
	if e := firstErr.Load(); e != nil {
		return 0, use, *e
	}
	if !end.After(from) {
		return 0, use, fmt.Errorf("the %d events ran out during the warm-up: raise the event count", maxEvents)
	}
	return float64(done.Load()) / end.Sub(from).Seconds(), use, nil
}

// commandsOf transforms each event as the processor does and keeps its
// commands in the order the transform makes them.
func commandsOf(evs []event) (map[string][]command.Command, error) {
	tr := transform.New(mapping.Default())
	out := make(map[string][]command.Command, len(evs))
	now := time.Now()
	for _, e := range evs {
		res, err := tr.Transform(e.body, now)
		if err != nil {
			return nil, fmt.Errorf("transform %s: %w", e.chargeID, err)
		}
		for _, o := range res.Outputs {
			if c, ok := o.Value.(command.Command); ok {
				out[e.chargeID] = append(out[e.chargeID], c)
			}
		}
		if n := len(out[e.chargeID]); n != 3 {
			return nil, fmt.Errorf("%s made %d commands, want UpsertCustomer, CreateSalesOrder, ApplyPayment", e.chargeID, n)
		}
	}
	return out, nil
}
