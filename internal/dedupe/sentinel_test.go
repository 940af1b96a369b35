package dedupe

import (
	"strconv"
	"testing"
)

func TestSentinel(t *testing.T) {
	sentinel, master := startSentinel(t, secret)
	// The URL's password is the master's; this sentinel has none.
	c := newTestClient(t, "redis-sentinel://:s3cr%2F3t%40pw@"+sentinel.addr()+"/0?master=mymaster")
	ctx := testCtx(t)
	s := newStore(t, c, Options{Prefix: "sentinel:"})
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("Ping through Sentinel: %v", err)
	}

	t.Run("states", func(t *testing.T) { exerciseStates(t, c) })
	t.Run("batch", func(t *testing.T) { exerciseBatch(t, c) })
	t.Run("concurrent", func(t *testing.T) { exerciseConcurrent(t, c) })

	// The writes went to the master Sentinel named.
	mustAcquire(t, s, "payout:po_1Sentinel", "a", Acquired)
	direct := probeClient(master.addr(), secret)
	defer direct.Close()
	v, err := direct.Get(ctx, s.key("payout:po_1Sentinel")).Result()
	if err != nil || v != "p:a" {
		t.Fatalf("master %s holds %q, %v; want p:a", strconv.Itoa(master.port), v, err)
	}
}
