package dedupe

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// The scenarios below run against a single node here and against Sentinel
// and Cluster in their own tests.

func newStore(t *testing.T, c redis.UniversalClient, o Options) *Store {
	t.Helper()
	s, err := New(c, o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func mustAcquire(t *testing.T, s *Store, id, owner string, want State) Claim {
	t.Helper()
	cl, err := s.Acquire(testCtx(t), id, owner)
	if err != nil {
		t.Fatalf("Acquire(%q, %q): %v", id, owner, err)
	}
	if cl.State != want {
		t.Fatalf("Acquire(%q, %q) = %v, want %v", id, owner, cl.State, want)
	}
	return cl
}

func pttl(t *testing.T, c redis.UniversalClient, key string) time.Duration {
	t.Helper()
	d, err := c.PTTL(testCtx(t), key).Result()
	if err != nil {
		t.Fatalf("PTTL %s: %v", key, err)
	}
	return d
}

// exerciseStates walks one id through absent → pending (re-entrant, held
// for others) → done, checking the stored value and expiries.
func exerciseStates(t *testing.T, c redis.UniversalClient) {
	ctx := testCtx(t)
	const doneTTL = 35 * 24 * time.Hour
	s := newStore(t, c, Options{Prefix: "states:", Lease: 30 * time.Second, DoneTTL: doneTTL})
	id := "payment:ch_3OabcStates"
	key := s.key(id)
	if key != "states:{payment:ch_3OabcStates}" {
		t.Fatalf("key = %q", key)
	}

	mustAcquire(t, s, id, "worker-a", Acquired)
	if v, err := c.Get(ctx, key).Result(); err != nil || v != "p:worker-a" {
		t.Fatalf("pending value = %q, %v", v, err)
	}
	if d := pttl(t, c, key); d <= 0 || d > 30*time.Second {
		t.Fatalf("pending PTTL = %s, want within the 30s lease", d)
	}

	held := mustAcquire(t, s, id, "worker-b", Held)
	if held.Wait <= 0 || held.Wait > 30*time.Second {
		t.Fatalf("Held.Wait = %s, want within the 30s lease", held.Wait)
	}

	// Re-entrant: the owner acquires again and its lease is renewed.
	if err := c.PExpire(ctx, key, 2*time.Second).Err(); err != nil {
		t.Fatal(err)
	}
	mustAcquire(t, s, id, "worker-a", Acquired)
	if d := pttl(t, c, key); d <= 2*time.Second {
		t.Fatalf("re-entrant Acquire left PTTL at %s, want the lease renewed", d)
	}
	held = mustAcquire(t, s, id, "worker-b", Held)
	if held.Wait <= 2*time.Second {
		t.Fatalf("Held.Wait = %s after renewal, want > 2s", held.Wait)
	}

	if done, err := s.IsDone(ctx, id); err != nil || done {
		t.Fatalf("IsDone before MarkDone = %v, %v", done, err)
	}
	if err := s.MarkDone(ctx, id, "worker-a"); err != nil {
		t.Fatal(err)
	}
	if done, err := s.IsDone(ctx, id); err != nil || !done {
		t.Fatalf("IsDone after MarkDone = %v, %v", done, err)
	}
	mustAcquire(t, s, id, "worker-a", Done)
	mustAcquire(t, s, id, "worker-b", Done)
	if d := pttl(t, c, key); d > doneTTL || d < doneTTL-time.Minute {
		t.Fatalf("done PTTL = %s, want close to %s", d, doneTTL)
	}
	if ok, err := s.Extend(ctx, id, "worker-a"); err != nil || ok {
		t.Fatalf("Extend on a done command = %v, %v; want false", ok, err)
	}
	// Release never drops a done marker.
	if err := s.Release(ctx, id, "worker-a"); err != nil {
		t.Fatal(err)
	}
	mustAcquire(t, s, id, "worker-c", Done)
}

// exerciseBatch checks that AcquireBatch answers exactly what Acquire
// answers one by one, from the same starting states, and leaves the same
// values behind; ids are returned for callers that check where they live.
func exerciseBatch(t *testing.T, c redis.UniversalClient) []string {
	ctx := testCtx(t)
	const lease = 30 * time.Second
	batch := newStore(t, c, Options{Prefix: "batch:", Lease: lease})
	single := newStore(t, c, Options{Prefix: "single:", Lease: lease})

	var ids []string
	for i := range 40 {
		ids = append(ids, fmt.Sprintf("order:in_1Batch%03d", i))
	}
	// Starting states by i%4: done, held by another, held by us, absent.
	for _, s := range []*Store{batch, single} {
		for i, id := range ids {
			switch i % 4 {
			case 0:
				mustAcquire(t, s, id, "other", Acquired)
				if err := s.MarkDone(ctx, id, "other"); err != nil {
					t.Fatal(err)
				}
			case 1:
				mustAcquire(t, s, id, "other", Acquired)
			case 2:
				mustAcquire(t, s, id, "me", Acquired)
			}
		}
	}
	// A duplicate in one batch is re-entrant for the same owner.
	req := append(append([]string{}, ids...), ids[3])

	got, err := batch.AcquireBatch(ctx, req, "me")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(req) {
		t.Fatalf("AcquireBatch returned %d claims for %d ids", len(got), len(req))
	}
	counts := map[State]int{}
	for i, id := range req {
		want, err := single.Acquire(ctx, id, "me")
		if err != nil {
			t.Fatal(err)
		}
		counts[got[i].State]++
		if got[i].State != want.State {
			t.Errorf("id %s: batch %v, single %v", id, got[i].State, want.State)
		}
		if (got[i].Wait > 0) != (want.Wait > 0) || got[i].Wait > lease {
			t.Errorf("id %s: batch wait %s, single wait %s", id, got[i].Wait, want.Wait)
		}
		bv, _ := c.Get(ctx, batch.key(id)).Result()
		sv, _ := c.Get(ctx, single.key(id)).Result()
		if bv != sv {
			t.Errorf("id %s: value after batch %q, after single %q", id, bv, sv)
		}
	}
	if counts[Done] != 10 || counts[Held] != 10 || counts[Acquired] != 21 {
		t.Errorf("batch states = %v, want 10 done, 10 held, 21 acquired", counts)
	}

	// After the server lost its script cache (restart, SCRIPT FLUSH) the
	// batch falls back to EVAL and still answers.
	if err := c.ScriptFlush(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	again, err := batch.AcquireBatch(ctx, req, "me")
	if err != nil {
		t.Fatalf("AcquireBatch after SCRIPT FLUSH: %v", err)
	}
	for i := range req {
		if again[i].State != got[i].State {
			t.Errorf("after SCRIPT FLUSH id %s: %v, before %v", req[i], again[i].State, got[i].State)
		}
	}
	if empty, err := batch.AcquireBatch(ctx, nil, "me"); err != nil || empty != nil {
		t.Errorf("AcquireBatch(nil) = %v, %v", empty, err)
	}
	return ids
}

// exerciseConcurrent races 50 owners for one id: exactly one wins.
func exerciseConcurrent(t *testing.T, c redis.UniversalClient) {
	ctx := testCtx(t)
	s := newStore(t, c, Options{Prefix: "race:"})
	for round := range 3 {
		id := fmt.Sprintf("payment:ch_race%d", round)
		var wg sync.WaitGroup
		states := make([]State, 50)
		errs := make([]error, 50)
		start := make(chan struct{})
		for g := range states {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				cl, err := s.Acquire(ctx, id, fmt.Sprintf("worker-%d", g))
				states[g], errs[g] = cl.State, err
			}()
		}
		close(start)
		wg.Wait()
		acquired := 0
		for g := range states {
			if errs[g] != nil {
				t.Fatalf("goroutine %d: %v", g, errs[g])
			}
			switch states[g] {
			case Acquired:
				acquired++
			case Held:
			default:
				t.Fatalf("goroutine %d: state %v", g, states[g])
			}
		}
		if acquired != 1 {
			t.Fatalf("round %d: %d owners acquired the id, want exactly 1", round, acquired)
		}
	}
}

func TestSingleNode(t *testing.T) {
	srv := startServer(t)
	c := newTestClient(t, "redis://"+srv.addr()+"/0")
	t.Run("states", func(t *testing.T) { exerciseStates(t, c) })
	t.Run("batch", func(t *testing.T) { exerciseBatch(t, c) })
	t.Run("concurrent", func(t *testing.T) { exerciseConcurrent(t, c) })
}

func TestLeaseExpiry(t *testing.T) {
	srv := startServer(t)
	c := newTestClient(t, "redis://"+srv.addr())
	ctx := testCtx(t)
	const lease = 200 * time.Millisecond
	s := newStore(t, c, Options{Prefix: "expiry:", Lease: lease})
	id := "refund:re_3OexpiryA"

	mustAcquire(t, s, id, "crashed", Acquired)
	// "crashed" never extends; "next" polls until its lease runs out.
	deadline := time.Now().Add(5 * time.Second)
	for {
		cl, err := s.Acquire(ctx, id, "next")
		if err != nil {
			t.Fatal(err)
		}
		if cl.State == Acquired {
			break
		}
		if cl.State != Held || cl.Wait <= 0 || cl.Wait > lease {
			t.Fatalf("while the lease runs: %v wait %s, want Held within %s", cl.State, cl.Wait, lease)
		}
		if time.Now().After(deadline) {
			t.Fatal("lease did not run out within 5s")
		}
		time.Sleep(20 * time.Millisecond)
	}

	// The first owner lost its lease: it cannot extend or release it.
	if ok, err := s.Extend(ctx, id, "crashed"); err != nil || ok {
		t.Fatalf("Extend by the owner whose lease ran out = %v, %v; want false", ok, err)
	}
	if err := s.Release(ctx, id, "crashed"); err != nil {
		t.Fatal(err)
	}
	if v, _ := c.Get(ctx, s.key(id)).Result(); v != "p:next" {
		t.Fatalf("after Release by a former owner the value is %q, want p:next", v)
	}
	if ok, err := s.Extend(ctx, id, "next"); err != nil || !ok {
		t.Fatalf("Extend by the current owner = %v, %v; want true", ok, err)
	}

	// The first owner's Infor call did go through after all: its MarkDone
	// wins over the other's lease, since the command was applied.
	if err := s.MarkDone(ctx, id, "crashed"); err != nil {
		t.Fatal(err)
	}
	if done, err := s.IsDone(ctx, id); err != nil || !done {
		t.Fatalf("IsDone = %v, %v", done, err)
	}
	mustAcquire(t, s, id, "next", Done)
	if ok, err := s.Extend(ctx, id, "next"); err != nil || ok {
		t.Fatalf("Extend after done = %v, %v; want false", ok, err)
	}

	// Extend of an id nobody claimed reports the lease lost.
	if ok, err := s.Extend(ctx, "refund:re_never", "next"); err != nil || ok {
		t.Fatalf("Extend of an unknown id = %v, %v; want false", ok, err)
	}
}

func TestExtendAndRelease(t *testing.T) {
	srv := startServer(t)
	c := newTestClient(t, "redis://"+srv.addr())
	ctx := testCtx(t)
	s := newStore(t, c, Options{Prefix: "rel:", Lease: 20 * time.Second})
	id := "journal:txn_1Rel:fee"
	key := s.key(id)

	mustAcquire(t, s, id, "a", Acquired)
	if err := c.PExpire(ctx, key, time.Second).Err(); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.Extend(ctx, id, "a"); err != nil || !ok {
		t.Fatalf("Extend by owner = %v, %v", ok, err)
	}
	if d := pttl(t, c, key); d <= time.Second || d > 20*time.Second {
		t.Fatalf("PTTL after Extend = %s, want the 20s lease", d)
	}
	if ok, err := s.Extend(ctx, id, "b"); err != nil || ok {
		t.Fatalf("Extend by non-owner = %v, %v; want false", ok, err)
	}

	// Only the owner releases.
	if err := s.Release(ctx, id, "b"); err != nil {
		t.Fatal(err)
	}
	mustAcquire(t, s, id, "b", Held)
	if err := s.Release(ctx, id, "a"); err != nil {
		t.Fatal(err)
	}
	if n, err := c.Exists(ctx, key).Result(); err != nil || n != 0 {
		t.Fatalf("key exists after Release by owner: %d, %v", n, err)
	}
	mustAcquire(t, s, id, "b", Acquired)
}

func TestBadValuesAndArguments(t *testing.T) {
	srv := startServer(t)
	c := newTestClient(t, "redis://"+srv.addr())
	ctx := testCtx(t)
	s := newStore(t, c, Options{Prefix: "bad:"})

	if err := c.Set(ctx, s.key("customer:cus_x"), "something else", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Acquire(ctx, "customer:cus_x", "a"); err == nil || !strings.Contains(err.Error(), "unexpected value") {
		t.Fatalf("Acquire over a foreign value: %v, want an unexpected-value error", err)
	}
	if _, err := s.AcquireBatch(ctx, []string{"customer:cus_ok", "customer:cus_x"}, "a"); err == nil || !strings.Contains(err.Error(), `"customer:cus_x"`) {
		t.Fatalf("AcquireBatch over a foreign value: %v, want an error naming the id", err)
	}

	// A pending key without TTL (set by hand) gets the lease, not eternity.
	if err := c.Set(ctx, s.key("customer:cus_stuck"), "p:ghost", 0).Err(); err != nil {
		t.Fatal(err)
	}
	cl := mustAcquire(t, s, "customer:cus_stuck", "a", Held)
	if cl.Wait != DefaultLease {
		t.Fatalf("Wait on a pending key without TTL = %s, want %s", cl.Wait, DefaultLease)
	}
	if d := pttl(t, c, s.key("customer:cus_stuck")); d <= 0 {
		t.Fatalf("pending key without TTL still has PTTL %s", d)
	}

	for _, tc := range []struct{ id, owner string }{{"", "a"}, {"x", ""}} {
		if _, err := s.Acquire(ctx, tc.id, tc.owner); err == nil {
			t.Errorf("Acquire(%q, %q) succeeded", tc.id, tc.owner)
		}
		if _, err := s.AcquireBatch(ctx, []string{"ok", tc.id}, tc.owner); err == nil {
			t.Errorf("AcquireBatch(%q, %q) succeeded", tc.id, tc.owner)
		}
		if _, err := s.Extend(ctx, tc.id, tc.owner); err == nil {
			t.Errorf("Extend(%q, %q) succeeded", tc.id, tc.owner)
		}
		if err := s.MarkDone(ctx, tc.id, tc.owner); err == nil {
			t.Errorf("MarkDone(%q, %q) succeeded", tc.id, tc.owner)
		}
		if err := s.Release(ctx, tc.id, tc.owner); err == nil {
			t.Errorf("Release(%q, %q) succeeded", tc.id, tc.owner)
		}
	}
	if _, err := s.IsDone(ctx, ""); err == nil {
		t.Error("IsDone(\"\") succeeded")
	}
	if n, err := c.Exists(ctx, "bad:{}").Result(); err != nil || n != 0 {
		t.Errorf("an empty id reached Redis: %d, %v", n, err)
	}
}

func TestNewOptions(t *testing.T) {
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	defer c.Close()

	s, err := New(c, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Lease() != DefaultLease || s.doneTTL != DefaultDoneTTL || s.prefix != DefaultPrefix {
		t.Fatalf("defaults: lease %s, done TTL %s, prefix %q", s.Lease(), s.doneTTL, s.prefix)
	}
	if DefaultDoneTTL <= 30*24*time.Hour {
		t.Fatalf("DefaultDoneTTL %s does not outlive Stripe's 30-day retries", DefaultDoneTTL)
	}
	for name, o := range map[string]Options{
		"negative lease":     {Lease: -time.Second},
		"sub-ms lease":       {Lease: time.Microsecond},
		"negative done TTL":  {DoneTTL: -time.Hour},
		"sub-ms done TTL":    {DoneTTL: 10 * time.Microsecond},
		"prefix with braces": {Prefix: "x:{tag}:"},
	} {
		if _, err := New(c, o); err == nil {
			t.Errorf("%s: New accepted %+v", name, o)
		}
	}
	if _, err := New(nil, Options{}); err == nil {
		t.Error("New accepted a nil client")
	}
}

func TestPingReconnects(t *testing.T) {
	srv := startServer(t)
	c := newTestClient(t, "redis://"+srv.addr())
	s := newStore(t, c, Options{Prefix: "ping:"})
	ctx := testCtx(t)
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("Ping on a running server: %v", err)
	}
	mustAcquire(t, s, "payment:ch_before", "a", Acquired)

	srv.stop()
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	err := s.Ping(pctx)
	cancel()
	if err == nil {
		t.Fatal("Ping succeeded with the server stopped")
	}
	if _, err := s.Acquire(ctx, "payment:ch_during", "a"); err == nil {
		t.Fatal("Acquire succeeded with the server stopped")
	}

	srv.start()
	deadline := time.Now().Add(10 * time.Second)
	for {
		pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		err := s.Ping(pctx)
		cancel()
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Ping still failing 10s after the restart: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// Same client, same store: commands work again (the restarted server
	// has no data and no cached scripts).
	mustAcquire(t, s, "payment:ch_after", "a", Acquired)
}

func TestStateString(t *testing.T) {
	for s, want := range map[State]string{Acquired: "acquired", Done: "done", Held: "held", 0: "State(0)"} {
		if got := s.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", int(s), got, want)
		}
	}
}

// mustNotReveal fails if err's text contains secret.
func mustNotReveal(t *testing.T, err error, secret string) {
	t.Helper()
	if err != nil && strings.Contains(err.Error(), secret) {
		t.Fatalf("error reveals the password: %v", err)
	}
}
