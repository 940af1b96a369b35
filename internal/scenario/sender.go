package scenario

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Sign returns the Stripe-Signature header Stripe sends with body at time
// t: "t=<unix>,v1=<hex HMAC-SHA256 of "<unix>.<body>" keyed with the
// endpoint secret>".
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac.Sum(nil))
}

// SendOptions say how a stream is delivered.
type SendOptions struct {
	// Twice delivers every event two times (Stripe's at-least-once).
	Twice bool
	// Shuffle delivers the whole stream in a random order (Stripe does not
	// order events), drawn from Seed.
	Shuffle bool
	Seed    int64
	// Concurrency is how many deliveries are in flight at once; 0 or 1
	// sends one after the other, in order.
	Concurrency int
}

// Deliveries is the order in which o delivers events: each twice in a row
// with Twice, the whole list permuted with Shuffle. Deterministic for a
// seed.
func Deliveries(events []Event, o SendOptions) []Event {
	out := make([]Event, 0, 2*len(events))
	for _, e := range events {
		out = append(out, e)
		if o.Twice {
			out = append(out, e)
		}
	}
	if o.Shuffle {
		r := rand.New(rand.NewPCG(uint64(o.Seed), 0xda3e39cb94b95bdb))
		r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	}
	return out
}

// Sender POSTs events to a webhook endpoint, signed as Stripe signs them.
type Sender struct {
	// URL is the endpoint, e.g. http://127.0.0.1:8080/webhooks/stripe.
	URL string
	// Secret is the endpoint's signing secret (whsec_…).
	Secret string
	// Client makes the requests; default a client with a 30 s timeout.
	Client *http.Client
	// Now is the signing clock (default time.Now): the signature's
	// timestamp must be recent, whatever the event's created.
	Now func() time.Time
	// Attempts is how many times a delivery answered 5xx or not at all is
	// tried, as Stripe retries (default 5, a short pause between).
	Attempts int
}

// SendReport counts what was delivered.
type SendReport struct {
	Delivered int // answered 2xx
}

// Send delivers events as o says and stops at the first delivery that is
// refused (4xx) or keeps failing; every other delivery must be answered
// 2xx, which the producer gives only once the broker has the event.
func (s *Sender) Send(ctx context.Context, events []Event, o SendOptions) (SendReport, error) {
	list := Deliveries(events, o)
	workers := max(o.Concurrency, 1)
	var (
		mu     sync.Mutex
		rep    SendReport
		first  error
		wg     sync.WaitGroup
		next   = make(chan Event)
		cctx   context.Context
		cancel context.CancelFunc
	)
	cctx, cancel = context.WithCancel(ctx)
	defer cancel()
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for e := range next {
				err := s.deliver(cctx, e)
				mu.Lock()
				if err == nil {
					rep.Delivered++
				} else if first == nil {
					first = err
					cancel()
				}
				mu.Unlock()
			}
		}()
	}
feed:
	for _, e := range list {
		select {
		case next <- e:
		case <-cctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if first == nil && ctx.Err() != nil {
		first = ctx.Err()
	}
	return rep, first
}

// deliver POSTs one event, retrying 5xx answers and transport errors.
func (s *Sender) deliver(ctx context.Context, e Event) error {
	hc := s.Client
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	now := s.Now
	if now == nil {
		now = time.Now
	}
	attempts := s.Attempts
	if attempts <= 0 {
		attempts = 5
	}
	var last error
	for i := 0; i < attempts; i++ {
		if i > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Duration(i) * 200 * time.Millisecond):
			}
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL, bytes.NewReader(e.Body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
		req.Header.Set("Stripe-Signature", Sign(s.Secret, now(), e.Body))
		req.Header.Set("User-Agent", "Stripe/1.0 (+https://stripe.com/docs/webhooks)")
		resp, err := hc.Do(req)
		if err != nil {
			last = fmt.Errorf("deliver %s (%s): %w", e.ID, e.Type, err)
			continue
		}
		reply, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
		resp.Body.Close()
		switch {
		case resp.StatusCode/100 == 2:
			return nil
		case resp.StatusCode >= 500:
			last = fmt.Errorf("deliver %s (%s): %s %s", e.ID, e.Type, resp.Status, bytes.TrimSpace(reply))
		default:
			return fmt.Errorf("deliver %s (%s): refused: %s %s", e.ID, e.Type, resp.Status, bytes.TrimSpace(reply))
		}
	}
	return last
}
