package scenario

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stripe-infor/stripe-infor/producer"
)

// endpoint verifies signatures with the producer's real verifier and
// counts what it accepted, in order; it answers 503 to the first
// delivery of ids in flaky.
type endpoint struct {
	mu       sync.Mutex
	v        *producer.Verifier
	got      []string
	flaky    map[string]bool
	rejected int
}

func (e *endpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if err := e.v.Verify(r.Header.Get("Stripe-Signature"), body); err != nil {
		e.mu.Lock()
		e.rejected++
		e.mu.Unlock()
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	id := ""
	for _, ev := range testWorld.Events {
		if string(ev.Body) == string(body) {
			id = ev.ID
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.flaky[id] {
		delete(e.flaky, id)
		http.Error(w, `{"error":"unavailable"}`, http.StatusServiceUnavailable)
		return
	}
	e.got = append(e.got, id)
	w.Write([]byte(`{"received":true}`))
}

var testWorld = everything(9)

func TestSenderSignsAndDelivers(t *testing.T) {
	ep := &endpoint{v: producer.NewVerifier(5*time.Minute, "whsec_test"), flaky: map[string]bool{testWorld.Events[3].ID: true}}
	srv := httptest.NewServer(ep)
	defer srv.Close()
	s := &Sender{URL: srv.URL, Secret: "whsec_test"}
	ctx := context.Background()

	rep, err := s.Send(ctx, testWorld.Events, SendOptions{})
	if err != nil || rep.Delivered != len(testWorld.Events) {
		t.Fatalf("clean send: %+v %v", rep, err)
	}
	for i, e := range testWorld.Events {
		if ep.got[i] != e.ID {
			t.Fatalf("delivery %d is %s, want %s (in order, the 503 retried)", i, ep.got[i], e.ID)
		}
	}

	// Every event twice, the whole stream shuffled: each arrives exactly
	// twice, not in the world's order, and the same seed gives the same
	// order.
	ep.got = nil
	o := SendOptions{Twice: true, Shuffle: true, Seed: 77, Concurrency: 4}
	rep, err = s.Send(ctx, testWorld.Events, o)
	if err != nil || rep.Delivered != 2*len(testWorld.Events) {
		t.Fatalf("twice, shuffled: %+v %v", rep, err)
	}
	count := map[string]int{}
	for _, id := range ep.got {
		count[id]++
	}
	for _, e := range testWorld.Events {
		if count[e.ID] != 2 {
			t.Fatalf("%s delivered %d times", e.ID, count[e.ID])
		}
	}
	a, b := Deliveries(testWorld.Events, o), Deliveries(testWorld.Events, o)
	inOrder := true
	for i := range a {
		if a[i].ID != b[i].ID {
			t.Fatal("one seed, two orders")
		}
		if i/2 < len(testWorld.Events) && a[i].ID != testWorld.Events[i/2].ID {
			inOrder = false
		}
	}
	if inOrder {
		t.Fatal("the shuffled stream is in the world's order")
	}

	// A wrong secret is refused at once, and Send says so.
	bad := &Sender{URL: srv.URL, Secret: "whsec_other"}
	if _, err := bad.Send(ctx, testWorld.Events[:1], SendOptions{}); err == nil || ep.rejected != 1 {
		t.Fatalf("wrong secret: %v, %d rejected", err, ep.rejected)
	}
}
