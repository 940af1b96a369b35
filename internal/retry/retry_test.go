package retry

import (
	"context"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

func TestCeiling(t *testing.T) {
	base, max := 200*time.Millisecond, 5*time.Second
	want := []time.Duration{200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond,
		1600 * time.Millisecond, 3200 * time.Millisecond, 5 * time.Second, 5 * time.Second}
	for i, w := range want {
		if got := Ceiling(i+1, base, max); got != w {
			t.Errorf("Ceiling(%d) = %s, want %s", i+1, got, w)
		}
	}
	if got := Ceiling(0, base, max); got != base {
		t.Errorf("Ceiling(0) = %s, want the first step %s", got, base)
	}
	// Huge attempt numbers must neither overflow nor pass the cap.
	if got := Ceiling(1000, time.Hour, 1<<62); got != 1<<62 {
		t.Errorf("Ceiling(1000) = %s, want the cap", got)
	}
	if got := Ceiling(3, 0, max); got != 0 {
		t.Errorf("Ceiling with zero base = %s, want 0", got)
	}
}

// Property: whatever the attempt, base, cap and hint, Wait is never above
// max(cap, hint) and never below the hint; Backoff never above the cap.
func TestWaitBounds(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		attempt := rnd.IntN(70) - 2
		base := time.Duration(rnd.Int64N(int64(2 * time.Second)))
		max := time.Duration(rnd.Int64N(int64(time.Minute)))
		hint := time.Duration(rnd.Int64N(int64(2 * time.Minute)))
		b := Backoff(attempt, base, max, rnd.Int64N)
		if b < 0 || b > Ceiling(attempt, base, max) || b > max {
			t.Fatalf("Backoff(%d, %s, %s) = %s: outside [0, %s]", attempt, base, max, b, Ceiling(attempt, base, max))
		}
		w := Wait(attempt, base, max, hint, rnd.Int64N)
		if w < hint {
			t.Fatalf("Wait(%d, %s, %s, hint %s) = %s: below the Retry-After hint", attempt, base, max, hint, w)
		}
		if limit := maxDur(max, hint); w > limit {
			t.Fatalf("Wait(%d, %s, %s, hint %s) = %s: above %s", attempt, base, max, hint, w, limit)
		}
	}
}

// Property: full jitter draws from the whole of [0, cap], not a band near
// the cap: the samples reach both ends and fill every tenth of the range.
func TestBackoffSpansRange(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 4))
	const n = 20000
	ceil := Ceiling(4, 100*time.Millisecond, 10*time.Second) // 800ms
	var buckets [10]int
	lo, hi := ceil, time.Duration(0)
	for range n {
		d := Backoff(4, 100*time.Millisecond, 10*time.Second, rnd.Int64N)
		lo, hi = min(lo, d), max(hi, d)
		buckets[min(int(d*10/ceil), 9)]++
	}
	if lo > ceil/100 || hi < ceil*99/100 {
		t.Errorf("samples span [%s, %s], want close to [0, %s]", lo, hi, ceil)
	}
	for i, c := range buckets {
		if c < n/10*8/10 || c > n/10*12/10 {
			t.Errorf("bucket %d holds %d of %d samples; full jitter is uniform (want about %d)", i, c, n, n/10)
		}
	}
	// The global source is used when rnd is nil, and stays in range.
	for range 1000 {
		if d := Backoff(2, time.Millisecond, time.Second, nil); d < 0 || d > 2*time.Millisecond {
			t.Fatalf("Backoff with the default source = %s", d)
		}
	}
}

func TestInPlace(t *testing.T) {
	if !InPlace(5*time.Second, 5*time.Second) || !InPlace(0, time.Second) {
		t.Error("a hint up to the cap is waited in place")
	}
	if InPlace(5*time.Second+1, 5*time.Second) {
		t.Error("a hint above the cap must go to the retry topic")
	}
}

func TestTiers(t *testing.T) {
	tiers := []time.Duration{time.Second, time.Minute, time.Hour}
	for n, want := range map[int]time.Duration{1: time.Second, 2: time.Minute, 3: time.Hour} {
		if d, ok := Tier(tiers, n); !ok || d != want {
			t.Errorf("Tier(%d) = %s, %v; want %s", n, d, ok, want)
		}
	}
	for _, n := range []int{0, 4, 100} {
		if _, ok := Tier(tiers, n); ok {
			t.Errorf("Tier(%d) exists; the tiers are used up", n)
		}
	}
	for n, want := range map[int]time.Duration{0: time.Second, 1: time.Second, 3: time.Hour, 4: time.Hour, 50: time.Hour} {
		if d := TierRepeat(tiers, n); d != want {
			t.Errorf("TierRepeat(%d) = %s, want %s", n, d, want)
		}
	}
	if d := TierRepeat(nil, 2); d != 0 {
		t.Errorf("TierRepeat without tiers = %s", d)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"3", 3 * time.Second, true},
		{" 0 ", 0, true},
		{"-1", 0, false},
		{"", 0, false},
		{"soon", 0, false},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0, false},
	}
	for _, c := range cases {
		got, ok := ParseRetryAfter(c.in, now)
		if got != c.want || ok != c.ok {
			t.Errorf("ParseRetryAfter(%q) = %s, %v; want %s, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestGateHoldOnlyExtends(t *testing.T) {
	now := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	g := NewGate(func() time.Time { return now })
	if !g.Hold(now.Add(time.Minute)) {
		t.Fatal("first Hold did not move the gate")
	}
	if g.Hold(now.Add(time.Second)) {
		t.Error("a shorter Hold moved the gate earlier")
	}
	if got := g.Until(); !got.Equal(now.Add(time.Minute)) {
		t.Errorf("Until = %s, want %s", got, now.Add(time.Minute))
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := g.Wait(ctx); err == nil {
		t.Error("Wait on a closed gate with a canceled context returned nil")
	}
}

func TestGateWaitReleasesAllWaiters(t *testing.T) {
	g := NewGate(nil)
	g.HoldFor(50 * time.Millisecond)
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		returned []time.Time
		started  sync.WaitGroup
	)
	for range 20 {
		wg.Add(1)
		started.Add(1)
		go func() {
			defer wg.Done()
			started.Done()
			if err := g.Wait(context.Background()); err != nil {
				t.Error(err)
			}
			mu.Lock()
			returned = append(returned, time.Now())
			mu.Unlock()
		}()
	}
	started.Wait()
	// Extending while they wait moves all of them.
	g.HoldFor(100 * time.Millisecond)
	opens := g.Until()
	wg.Wait()
	for _, at := range returned {
		if at.Before(opens) {
			t.Errorf("a waiter passed the gate %s before it opened", opens.Sub(at))
		}
	}
	if len(returned) != 20 {
		t.Errorf("%d of 20 waiters returned", len(returned))
	}
}

// The transport closes the gate on a 429 with Retry-After, and no request
// sent after the 429 came back reaches the server before the delay passed;
// requests then go through again.
func TestGateTransport(t *testing.T) {
	var (
		mu       sync.Mutex
		arrivals []time.Time
		limited  time.Time
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		arrivals = append(arrivals, time.Now())
		if len(arrivals) == 1 {
			limited = time.Now()
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	g := NewGate(nil)
	hc := &http.Client{Transport: g.Transport(nil)}
	for i, want := range []int{429, 200, 200} {
		resp, err := hc.Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Fatalf("request %d: status %d, want %d", i, resp.StatusCode, want)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if gap := arrivals[1].Sub(limited); gap < time.Second {
		t.Errorf("the request after a 429 with Retry-After: 1 arrived %s after it", gap)
	}
	// A canceled request waiting on the gate ends with the context's error.
	g.HoldFor(time.Hour)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
	if _, err := hc.Do(req); err == nil {
		t.Error("a request held by the gate past its deadline succeeded")
	}
	if len(arrivals) != 3 {
		t.Errorf("%d requests reached the server, want 3 (the held one must not)", len(arrivals))
	}
}
