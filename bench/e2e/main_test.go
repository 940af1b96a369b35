package main

import (
	"context"
	"io"
	"net/http"
	"os/exec"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stripe-infor/stripe-infor/infor"
)

// The whole stack at a low rate: every event is applied in Infor, every
// stage is stamped, the stamps are in causal order, and the emulator's
// state holds each charge's payment allocated. Short retry tiers keep the
// payments that came before their orders quick.
func TestPipelineAppliesEveryEvent(t *testing.T) {
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("redis-server not installed")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cfg := settings{sinkConcurrency: 16, retryTiers: []time.Duration{50 * time.Millisecond, 100 * time.Millisecond, 200 * time.Millisecond}, maxRecordsTxn: 500}
	st, err := startStack(ctx, cfg, &tracker{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.close()

	p := phase{rate: 40, warmup: 250 * time.Millisecond, duration: time.Second, seqBase: 500, drain: time.Minute}
	r, tl, err := pipelinePhase(ctx, st, p)
	if err != nil {
		t.Fatal(err)
	}
	if r.failed != 0 {
		t.Fatalf("%d webhooks failed, first: %s", r.failed, r.firstFailure)
	}
	if r.measured < 30 || r.latency.n() != r.measured || r.latency.unfinished() != 0 {
		t.Fatalf("measured %d events, %d latencies, %d not applied", r.measured, r.latency.n(), r.latency.unfinished())
	}
	for _, d := range []*dist{&r.toCommitted, &r.toSinkStart, &r.lastApplyToApplied, &r.webhook} {
		if d.n() != r.measured || d.unfinished() != 0 {
			t.Fatalf("a stage has %d samples (%d unfinished) for %d events", d.n(), d.unfinished(), r.measured)
		}
	}

	paid := allocatedCharges(st.emu)
	for id, ev := range tl.byCharge {
		s, a, ap := ev.scheduled.Load(), ev.acked.Load(), ev.applied.Load()
		first, last := ev.sinkFirst.Load(), ev.sinkLast.Load()
		if s == 0 || a == 0 || ap == 0 || first == 0 || ev.committed.Load() == 0 {
			t.Fatalf("%s: a stage was not stamped: %+v", id, ev)
		}
		// Each of these happens because of the one before it.
		if !(s <= a && a <= ap && first <= last && last <= ap) {
			t.Errorf("%s: stamps out of causal order: due %d, 2xx %d, sink first %d, last %d, applied %d", id, s, a, first, last, ap)
		}
		if !paid[id] {
			t.Errorf("%s: stamped applied, but no allocated payment in the emulator's state", id)
		}
	}
	if len(paid) != len(tl.byCharge) {
		t.Errorf("%d payments allocated in Infor for %d events", len(paid), len(tl.byCharge))
	}
}

// allocatedCharges are the charges whose payment statement has a line with
// an allocation detail in the emulator's state.
func allocatedCharges(o *observedEmulator) map[string]bool {
	out := map[string]bool{}
	for _, bs := range o.emu.State().BankStatements {
		for _, l := range bs.Lines {
			if len(l.Details) > 0 {
				out[bs.TX40] = true
			}
		}
	}
	return out
}

// The baseline applies the same kind of events with no failure and
// measures every one.
func TestDirectAppliesEveryEvent(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	r, err := runDirect(ctx, t.TempDir(), 8, phase{rate: 50, duration: 500 * time.Millisecond, seqBase: 900, drain: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if r.failed != 0 || r.measured != 25 || r.latency.unfinished() != 0 || r.latency.n() != 25 {
		t.Fatalf("failed %d (%s), measured %d, latencies %d, not applied %d", r.failed, r.firstFailure, r.measured, r.latency.n(), r.latency.unfinished())
	}
	if r.callsPerEvent < 6 {
		t.Fatalf("%.1f MI calls per event: a charge takes a customer, an order and a payment", r.callsPerEvent)
	}
}

// The observer stamps only an allocation M3 accepted: an NOK (HTTP 200
// with nrOfFailedTransactions > 0) is not "applied".
func TestObserverStampsOnlyAcceptedAllocations(t *testing.T) {
	track := &tracker{}
	tl := newTimeline([]string{"ch_ok", "ch_nok"})
	track.cur.Store(tl)
	o, err := startEmulator(t.TempDir(), "", track)
	if err != nil {
		t.Fatal(err)
	}
	defer o.close()
	cfg, err := infor.LoadIONAPI(o.ionapi)
	if err != nil {
		t.Fatal(err)
	}
	c, err := infor.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	// No statement 999 exists: M3 refuses the allocation.
	if _, err := c.Execute(ctx, "ABS100MI", "AddStatmtDetail", map[string]string{"STNB": "999", "LINO": "1", "CINO": "1", "ACAM": "1.00", "TX40": "ch_nok"}); err == nil {
		t.Fatal("the emulator accepted an allocation to a statement that does not exist")
	}
	if ev := tl.byCharge["ch_nok"]; ev.applied.Load() != 0 {
		t.Fatal("a refused allocation was stamped applied")
	}
	if o.calls.Load() != 1 {
		t.Fatalf("%d MI calls counted, want 1", o.calls.Load())
	}

	// miOK reads the answer, not the status.
	tok, err := c.TokenSource().Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	body := get(t, o.url+"/BENCH/M3/m3api-rest/v2/execute/CRS055MI/Lst", tok)
	nok := get(t, o.url+"/BENCH/M3/m3api-rest/v2/execute/CRS610MI/GetBasicData?CUNO=NOSUCH", tok)
	if !miOK(body) || miOK(nok) || miOK([]byte(`{"error":"invalid_token"}`)) {
		t.Fatalf("miOK: success %v, NOK %v", miOK(body), miOK(nok))
	}
}

func get(t *testing.T, u, token string) []byte {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", u, resp.StatusCode, b)
	}
	return b
}

// The schedule is open loop: no call waits for an earlier one to return.
// Every call here blocks until all have started, which a closed loop
// would never reach.
func TestOpenLoopDoesNotWaitForSlowCalls(t *testing.T) {
	const n = 50
	var started atomic.Int32
	all := make(chan struct{})
	done := make(chan struct{})
	go func() {
		wait := openLoop(time.Now(), 1000, n, func(int, time.Time) {
			if started.Add(1) == n {
				close(all)
			}
			<-all
		})
		wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatalf("only %d of %d calls started: the schedule waited for earlier calls", started.Load(), n)
	}
}

// Percentiles rank the events never applied as at least their wait, so the
// slowest events cannot vanish from p99.
func TestPercentilesCountUnfinishedEvents(t *testing.T) {
	var d dist
	for i := 1; i <= 98; i++ {
		d.add(time.Duration(i) * time.Millisecond)
	}
	d.addAtLeast(5 * time.Second)
	d.addAtLeast(6 * time.Second)
	if got := d.fmtPct(50); got != "50.0" {
		t.Errorf("p50 = %s, want 50.0", got)
	}
	if got := d.fmtPct(98); got != "98.0" {
		t.Errorf("p98 = %s, want 98.0", got)
	}
	if got := d.fmtPct(99); got != ">5000" {
		t.Errorf("p99 = %s, want >5000", got)
	}
	if got := d.fmtPct(100); got != ">6000" {
		t.Errorf("max = %s, want >6000", got)
	}
	if d.unfinished() != 2 || d.n() != 100 {
		t.Errorf("unfinished %d of %d", d.unfinished(), d.n())
	}
}
