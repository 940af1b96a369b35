package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/stripe/stripe-go/v76/webhook"

	"github.com/stripe-infor/stripe-infor/internal/stripefixture"
	"github.com/stripe-infor/stripe-infor/producer"
)

// event is one charge.succeeded of its own customer, ready to send.
type event struct {
	chargeID string
	body     []byte
	sig      string // Stripe-Signature
}

// makeEvents builds n live-mode charge.succeeded bodies with Seq from
// first on (so a distinct customer and charge each) and signs them as
// Stripe does, now: a phase ends well within the 300 s tolerance.
func makeEvents(first int64, n int) ([]event, error) {
	out := make([]event, n)
	now := time.Now()
	for i := range out {
		body, err := stripefixture.Event("charge.succeeded", stripefixture.Options{Seq: first + int64(i), Livemode: true})
		if err != nil {
			return nil, err
		}
		env, err := producer.ParseEnvelope(body)
		if err != nil {
			return nil, fmt.Errorf("fixture event %d: %w", i, err)
		}
		sp := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: body, Secret: benchSecret, Timestamp: now})
		out[i] = event{chargeID: env.ObjectID, body: body, sig: sp.Header}
	}
	return out, nil
}

func chargeIDs(evs []event) []string {
	ids := make([]string, len(evs))
	for i, e := range evs {
		ids[i] = e.chargeID
	}
	return ids
}

// openLoop calls fire(i) for each of n events at start + i/rate, on its own
// goroutine, whether or not earlier calls have returned: a slow system
// does not slow the schedule down (no coordinated omission). It returns
// once the last call was started, with a function that waits for all of
// them to return.
func openLoop(start time.Time, rate float64, n int, fire func(i int, scheduled time.Time)) (wait func()) {
	var wg sync.WaitGroup
	interval := time.Duration(float64(time.Second) / rate)
	for i := range n {
		at := start.Add(time.Duration(i) * interval)
		if d := time.Until(at); d > 0 {
			time.Sleep(d)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			fire(i, at)
		}()
	}
	return wg.Wait
}

// sender posts signed webhooks over keep-alive connections and stamps, per
// event, when it was due and when its answer arrived.
type sender struct {
	url    string
	client *http.Client
	failed atomic.Int64
	first  atomic.Pointer[string] // first failure
}

// maxConns bounds the webhook connections, as Stripe bounds its deliveries
// to one endpoint: without it an overloaded run opens one connection per
// waiting request and runs out of file descriptors. A request waiting for
// a connection still counts from its due time (due → 2xx read).
const maxConns = 1024

func newSender(url string) *sender {
	tr := &http.Transport{MaxIdleConns: maxConns, MaxIdleConnsPerHost: maxConns, MaxConnsPerHost: maxConns,
		DisableCompression: true, IdleConnTimeout: time.Minute}
	return &sender{url: url, client: &http.Client{Transport: tr, Timeout: 30 * time.Second}}
}

// send posts e. A request still waiting when ctx ends (the phase is over)
// is dropped without counting as a failure: its event counts as not
// applied.
func (s *sender) send(ctx context.Context, e event, ev *eventTimes, scheduled time.Time) {
	ev.scheduled.Store(scheduled.UnixNano())
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url, bytes.NewReader(e.body))
	if err != nil {
		s.fail(err.Error())
		return
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("Stripe-Signature", e.sig)
	req.Header.Set(chargeHeader, e.chargeID)
	resp, err := s.client.Do(req)
	if err != nil {
		if ctx.Err() == nil {
			s.fail(err.Error())
		}
		return
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		s.fail(fmt.Sprintf("status %d", resp.StatusCode))
		return
	}
	stamp(&ev.responded, time.Now())
}

func (s *sender) fail(msg string) {
	s.failed.Add(1)
	s.first.CompareAndSwap(nil, &msg)
}

func (s *sender) close() { s.client.CloseIdleConnections() }
