package alert

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Notifier posts alerts to the webhook from one background goroutine, so
// Notify never waits on the network.
//
// Rate limit, per (stage, topic, class): the first alert posts at once and
// opens an interval of MinInterval; alerts within it are held back and
// counted. When the interval has ended, the key's held-back alerts are told
// either by the key's next alert ("… — …and N more since T") or, if none
// comes, by a summary the Notifier posts by itself (the latest held-back
// alert, "…and N more since T; latest: …"), checked about once a second,
// so a burst that stops is still reported in full. T is the key's previous
// post. Close posts the summaries still pending, whatever the interval.
type Notifier struct {
	cfg Config
	tun tuning
	m   *metrics

	mu     sync.Mutex
	keys   map[key]*window
	closed bool
	queue  chan post

	ctx       context.Context // cancelled when Close gives up: aborts the post in flight
	cancel    context.CancelFunc
	done      chan struct{}
	closeOnce sync.Once
	closeErr  error
}

// key is what the rate limit counts by.
type key struct{ stage, topic, class string }

// window is one key's rate-limit state.
type window struct {
	last   time.Time // the key's last post (zero: none yet)
	held   int       // alerts held back since last
	latest Alert     // the latest of them
}

// tuning is what tests change: the summary check's period (0: no
// background check) and the retry schedule.
type tuning struct {
	tick     time.Duration
	attempts int
	backoff  time.Duration
}

// New starts a Notifier. An empty cfg.URL gives one whose Notify does
// nothing (alerts are optional); a URL that is not http(s) is an error that
// does not quote it.
func New(cfg Config) (*Notifier, error) {
	c, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	tick := min(max(c.MinInterval/10, 10*time.Millisecond), time.Second)
	return newNotifier(c, tuning{tick: tick, attempts: 3, backoff: 500 * time.Millisecond})
}

// newNotifier starts a Notifier on a checked Config.
func newNotifier(c Config, t tuning) (*Notifier, error) {
	m, err := newMetrics(c.Registerer)
	if err != nil {
		return nil, fmt.Errorf("alert: registering metrics: %w", err)
	}
	n := &Notifier{cfg: c, tun: t, m: m}
	if c.URL == "" {
		return n, nil
	}
	n.keys = map[key]*window{}
	n.queue = make(chan post, c.QueueSize)
	n.ctx, n.cancel = context.WithCancel(context.Background())
	n.done = make(chan struct{})
	go n.run()
	return n, nil
}

// Notify queues a for posting, or counts it under the rate limit. It never
// blocks; on a nil Notifier or one without a URL it does nothing.
func (n *Notifier) Notify(a Alert) {
	if n == nil || n.queue == nil {
		return
	}
	now := n.cfg.Now()
	if a.At.IsZero() {
		a.At = now
	}
	a.StripeIDs = append([]string(nil), a.StripeIDs...) // the caller may reuse its slice

	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		n.m.dropped.Inc()
		return
	}
	k := key{a.Stage, a.Topic, a.Class}
	w := n.keys[k]
	if w == nil {
		w = &window{}
		n.keys[k] = w
	}
	if !w.last.IsZero() && now.Before(w.last.Add(n.cfg.MinInterval)) {
		w.held++
		w.latest = a
		n.m.suppressed.Inc()
		return
	}
	n.enqueueLocked(w, post{a: a, more: w.held, since: w.last}, now)
}

// flushDue posts a summary for every key whose interval has ended with
// alerts held back.
func (n *Notifier) flushDue() {
	n.mu.Lock()
	defer n.mu.Unlock()
	if !n.closed {
		n.flushLocked(false)
	}
}

// flushLocked queues the summaries due (all pending ones when force:
// Close). The queue must still be open.
func (n *Notifier) flushLocked(force bool) {
	now := n.cfg.Now()
	for _, w := range n.keys {
		if w.held > 0 && (force || !now.Before(w.last.Add(n.cfg.MinInterval))) {
			n.enqueueLocked(w, post{a: w.latest, more: w.held, since: w.last, summary: true}, now)
		}
	}
}

// enqueueLocked starts a new interval for w and queues p without waiting:
// a full queue drops p (counted and logged), never the caller's time.
func (n *Notifier) enqueueLocked(w *window, p post, now time.Time) {
	w.last, w.held, w.latest = now, 0, Alert{}
	select {
	case n.queue <- p:
	default:
		n.m.dropped.Inc()
		n.cfg.Logger.Warn("alert queue full; alert dropped",
			"stage", p.a.Stage, "topic", p.a.Topic, "class", p.a.Class, "command_id", p.a.CommandID,
			"queue_size", n.cfg.QueueSize)
	}
}

// run posts queued alerts in order and checks for due summaries.
func (n *Notifier) run() {
	defer close(n.done)
	var tick <-chan time.Time
	if n.tun.tick > 0 {
		t := time.NewTicker(n.tun.tick)
		defer t.Stop()
		tick = t.C
	}
	for {
		select {
		case p, ok := <-n.queue:
			if !ok {
				return
			}
			n.send(p)
		case <-tick:
			n.flushDue()
		}
	}
}

// Close stops taking alerts, posts the summaries still pending and waits
// for the queue to drain. When ctx ends first it aborts the post in
// flight, counts what is left as dropped and returns ctx's error. Later
// calls return the first call's result.
func (n *Notifier) Close(ctx context.Context) error {
	if n == nil || n.queue == nil {
		return nil
	}
	n.closeOnce.Do(func() {
		n.mu.Lock()
		n.flushLocked(true)
		n.closed = true
		close(n.queue)
		n.mu.Unlock()
		select {
		case <-n.done:
		case <-ctx.Done():
			n.cancel()
			<-n.done // quick: every remaining post sees the cancelled context
			n.closeErr = fmt.Errorf("alert: close: queue not drained: %w", ctx.Err())
		}
		n.cancel()
	})
	return n.closeErr
}
