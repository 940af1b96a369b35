package main

import (
	"sync/atomic"
	"time"
)

// eventTimes is what the bench learns about one charge.succeeded on its way
// through the pipeline. Every field is written by a different goroutine
// (load generator, producer wrapper, committed-command reader, sink
// applier wrapper, emulator wrapper), so each is an atomic Unix-nanosecond
// stamp; zero means "not seen".
type eventTimes struct {
	scheduled atomic.Int64 // when the open-loop schedule said to send it
	responded atomic.Int64 // when the load generator read the 2xx
	acked     atomic.Int64 // when the webhook handler wrote its 2xx (server side)
	committed atomic.Int64 // when the ApplyPayment became visible to read_committed
	sinkFirst atomic.Int64 // when the sink first called Apply for the payment
	sinkLast  atomic.Int64 // when the sink last called Apply for the payment (the one that succeeded)
	applied   atomic.Int64 // when Infor answered OK to the AddStatmtDetail allocating the payment

	// depFailures counts Apply calls of this event's commands that failed
	// because a prerequisite was not in Infor yet (the sink then moves the
	// command to its retry topic).
	depFailures atomic.Int32
}

// stamp sets t to now if it is still unset, so the first sighting wins.
func stamp(t *atomic.Int64, now time.Time) { t.CompareAndSwap(0, now.UnixNano()) }

// set overwrites t with now: the last sighting wins.
func set(t *atomic.Int64, now time.Time) { t.Store(now.UnixNano()) }

// since is b − a for two stamps, and false when either is missing.
func since(a, b *atomic.Int64) (time.Duration, bool) {
	x, y := a.Load(), b.Load()
	if x == 0 || y == 0 {
		return 0, false
	}
	return time.Duration(y - x), true
}

// timeline maps charge ids to their times for one phase. The map is built
// before the phase starts and never written afterwards, so the observers
// read it concurrently without a lock; ids of other phases (stragglers)
// are not in it and are ignored.
type timeline struct {
	byCharge map[string]*eventTimes
}

func newTimeline(chargeIDs []string) *timeline {
	t := &timeline{byCharge: make(map[string]*eventTimes, len(chargeIDs))}
	for _, id := range chargeIDs {
		t.byCharge[id] = &eventTimes{}
	}
	return t
}

// tracker is where the observers look up the current phase's timeline.
type tracker struct{ cur atomic.Pointer[timeline] }

// event returns the times of chargeID in the current phase, or nil.
func (tr *tracker) event(chargeID string) *eventTimes {
	t := tr.cur.Load()
	if t == nil {
		return nil
	}
	return t.byCharge[chargeID]
}
