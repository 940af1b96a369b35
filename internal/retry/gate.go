package retry

import (
	"context"
	"net/http"
	"sync"
	"time"
)

// Gate holds back every call to one upstream until a time the upstream
// named. When Infor answers 429 with Retry-After: N, the gateway counts
// calls for the whole client, not per command: if only the worker that got
// the 429 waited, the other workers would keep calling, keep getting 429s
// and keep the limit exhausted. So one 429 closes the gate for everyone,
// for at least N.
//
// Hold only ever moves the reopening time later. The zero value is not
// usable; create one with NewGate. A Gate is safe for concurrent use.
type Gate struct {
	now func() time.Time

	mu      sync.Mutex
	until   time.Time
	changed chan struct{} // closed and replaced whenever until moves
}

// NewGate returns an open gate. now is the clock (nil: time.Now).
func NewGate(now func() time.Time) *Gate {
	if now == nil {
		now = time.Now
	}
	return &Gate{now: now, changed: make(chan struct{})}
}

// Hold closes the gate until t, unless it is already closed for longer.
// It reports whether the reopening time moved.
func (g *Gate) Hold(t time.Time) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !t.After(g.until) {
		return false
	}
	g.until = t
	close(g.changed)
	g.changed = make(chan struct{})
	return true
}

// HoldFor closes the gate for d from now (see Hold).
func (g *Gate) HoldFor(d time.Duration) bool { return g.Hold(g.now().Add(d)) }

// Until returns when the gate opens; a time not after now means it is open.
func (g *Gate) Until() time.Time {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.until
}

// Wait returns nil once the gate is open, or ctx's error when ctx ends
// first. A Hold during the wait extends it.
func (g *Gate) Wait(ctx context.Context) error {
	for {
		g.mu.Lock()
		until, changed := g.until, g.changed
		g.mu.Unlock()
		d := until.Sub(g.now())
		if d <= 0 {
			return nil
		}
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-changed:
		case <-t.C:
		}
		t.Stop()
	}
}

// Transport wraps next (nil: http.DefaultTransport) so that every request
// first waits for the gate, and a 429 answer carrying Retry-After closes
// the gate for that long. Giving the upstream's HTTP client this transport
// makes the hold exact: calls already inside a multi-call operation wait
// too, not only the next operation, and the gate closes the moment the 429
// arrives rather than when the operation's error comes back up.
func (g *Gate) Transport(next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return &gateTransport{g: g, next: next}
}

type gateTransport struct {
	g    *Gate
	next http.RoundTripper
}

func (t *gateTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := t.g.Wait(req.Context()); err != nil {
		if req.Body != nil {
			_ = req.Body.Close() // a RoundTripper must close the body, even on error
		}
		return nil, err
	}
	resp, err := t.next.RoundTrip(req)
	if err == nil && resp.StatusCode == http.StatusTooManyRequests {
		if d, ok := ParseRetryAfter(resp.Header.Get("Retry-After"), t.g.now()); ok {
			t.g.HoldFor(d)
		}
	}
	return resp, err
}
