package inforsink

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

// unreachableDedupe grants claims but cannot renew them: Redis is out of
// reach of this sink (while another sink may still reach it).
type unreachableDedupe struct {
	nopDedupe
	lease   time.Duration
	extends atomic.Int32
}

func (d *unreachableDedupe) Extend(context.Context, string, string) (bool, error) {
	d.extends.Add(1)
	return false, errors.New("dial tcp: connection refused")
}
func (d *unreachableDedupe) Lease() time.Duration { return d.lease }

// A lease that cannot be renewed stops the apply before it could run out,
// and not at the first failed renewal: another sink could otherwise claim
// the command and apply it at the same time.
func TestAnUnrenewableLeaseStopsTheApplyBeforeItRunsOut(t *testing.T) {
	d := &unreachableDedupe{lease: 3 * time.Second} // renewed every second
	s, err := New(Config{Brokers: []string{"k:9092"}, Decoder: nopDecoder{}, Applier: nopApplier{}, Dedupe: d})
	if err != nil {
		t.Fatal(err)
	}
	lost := make(chan struct{}, 1)
	stop := s.keepLease(context.Background(), "payment:ch_1", "owner-1", func() { lost <- struct{}{} })
	defer stop()
	select {
	case <-lost:
		// Renewals at 1 s and 2 s fail; the next one would come when the
		// lease (3 s) runs out, so the apply stops at the second.
		if n := d.extends.Load(); n != 2 {
			t.Fatalf("stopped after %d failed renewals, want 2 (the first is retried, a third would be too late)", n)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the apply was never stopped although the lease could not be renewed")
	}
}
