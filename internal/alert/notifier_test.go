package alert

import (
	"context"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)

func TestPayloadShapeAndSlackText(t *testing.T) {
	h := newHook(t, nil)
	n, _ := start(t, Config{URL: h.url()}, 0)
	a := sampleAlert(t0.Add(1500 * time.Millisecond))
	n.Notify(a)
	if err := n.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	reqs := h.requests()
	if len(reqs) != 1 {
		t.Fatalf("%d posts, want 1", len(reqs))
	}
	r := reqs[0]
	if r.method != http.MethodPost || r.contentType != "application/json" || r.path != secretPath {
		t.Fatalf("request %s %s %q", r.method, r.path, r.contentType)
	}
	want := "[sink] infor.salesorder.commands validation: Item number SKU-404 does not exist (code WITNO, field ITNO)" +
		" — command order:ch_3OAbc CreateSalesOrder, event evt_1OAbc, stripe ch_3OAbc cus_P1x, livemode=true"
	if got := text(t, r); got != want {
		t.Fatalf("text:\n got %q\nwant %q", got, want)
	}
	m := decoded(t, r)
	wantAlert := map[string]any{
		"stage": "sink", "topic": "infor.salesorder.commands", "class": "validation",
		"code": "WITNO", "field": "ITNO", "message": "Item number SKU-404 does not exist",
		"command_id": "order:ch_3OAbc", "command_type": "CreateSalesOrder", "event_id": "evt_1OAbc",
		"stripe_ids": []any{"ch_3OAbc", "cus_P1x"}, "livemode": true,
		"partition": float64(2), "offset": float64(1207), "at": "2026-11-25T09:00:01.500Z",
	}
	if !reflect.DeepEqual(m["alert"], wantAlert) {
		t.Fatalf("alert:\n got %v\nwant %v", m["alert"], wantAlert)
	}
	if _, ok := m["suppressed"]; ok {
		t.Fatalf("a first alert says it suppressed others: %s", r.body)
	}
	if count(n, ResultSent) != 1 {
		t.Fatalf("sent = %v", count(n, ResultSent))
	}
}

// Slack treats <…> as links and mentions: the message's own < > & are
// escaped in text, kept as they are in alert.message; line breaks go.
func TestTextIsOneEscapedLine(t *testing.T) {
	h := newHook(t, nil)
	n, _ := start(t, Config{URL: h.url()}, 0)
	a := Alert{Stage: "processor", Topic: "stripe.events.raw", Class: "decode",
		Message: "bad <!channel> & more\nsecond line", At: t0}
	n.Notify(a)
	if err := n.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	r := h.requests()[0]
	want := "[processor] stripe.events.raw decode: bad &lt;!channel&gt; &amp; more second line — livemode=false"
	if got := text(t, r); got != want {
		t.Fatalf("text:\n got %q\nwant %q", got, want)
	}
	if got := decoded(t, r)["alert"].(map[string]any)["message"]; got != a.Message {
		t.Fatalf("alert.message %q, want the exact message", got)
	}
}

func TestRateLimitPerKeyWithCounts(t *testing.T) {
	h := newHook(t, nil)
	clk := &clock{t: t0}
	n, _ := start(t, Config{URL: h.url(), MinInterval: time.Minute, Now: clk.Now}, 0)
	a := sampleAlert(time.Time{})

	n.Notify(a) // posts at once
	h.wait(t, 1)
	for i := range 3 { // held back
		clk.add(10 * time.Second)
		b := a
		b.CommandID = "order:held" + string(rune('a'+i))
		n.Notify(b)
	}
	other := a
	other.Class = "dependency" // another key: not limited by the first
	n.Notify(other)
	h.wait(t, 1)
	if got := count(n, ResultSuppressed); got != 3 {
		t.Fatalf("suppressed = %v, want 3", got)
	}

	clk.add(31 * time.Second) // t0+61s: the interval has ended
	next := a
	next.CommandID = "order:next"
	n.Notify(next)
	h.wait(t, 1)

	// A burst that stops: the summary check tells it.
	clk.add(5 * time.Second)
	last := a
	last.CommandID, last.Message = "order:last", "Item number SKU-405 does not exist"
	n.Notify(last)
	n.flushDue() // within the interval: nothing due yet
	clk.add(time.Minute)
	n.flushDue()
	h.wait(t, 1)
	n.flushDue() // nothing left: no second summary
	if err := n.Close(context.Background()); err != nil {
		t.Fatal(err)
	}

	reqs := h.requests()
	if len(reqs) != 4 {
		t.Fatalf("%d posts, want 4", len(reqs))
	}
	if s := text(t, reqs[1]); !strings.HasPrefix(s, "[sink] infor.salesorder.commands dependency: ") || strings.Contains(s, "more since") {
		t.Fatalf("other key's post: %q", s)
	}
	s := text(t, reqs[2])
	if !strings.Contains(s, "command order:next ") || !strings.HasSuffix(s, " — …and 3 more since 2026-11-25T09:00:00.000Z") {
		t.Fatalf("post after the interval: %q", s)
	}
	m := decoded(t, reqs[2])
	if m["suppressed"] != float64(3) || m["suppressed_since"] != "2026-11-25T09:00:00.000Z" || m["summary"] != nil {
		t.Fatalf("post after the interval: %s", reqs[2].body)
	}
	s = text(t, reqs[3])
	want := "[sink] infor.salesorder.commands validation: …and 1 more since 2026-11-25T09:01:01.000Z; latest: Item number SKU-405 does not exist"
	if !strings.HasPrefix(s, want) || !strings.Contains(s, "command order:last ") {
		t.Fatalf("summary:\n got %q\nwant prefix %q", s, want)
	}
	if m := decoded(t, reqs[3]); m["summary"] != true || m["suppressed"] != float64(1) {
		t.Fatalf("summary: %s", reqs[3].body)
	}
	if count(n, ResultSent) != 4 || count(n, ResultSuppressed) != 4 || count(n, ResultDropped) != 0 {
		t.Fatalf("sent %v suppressed %v dropped %v", count(n, ResultSent), count(n, ResultSuppressed), count(n, ResultDropped))
	}
}

// The background check posts the summary by itself once the interval ends.
func TestSummaryPostedInTheBackground(t *testing.T) {
	h := newHook(t, nil)
	clk := &clock{t: t0}
	n, _ := start(t, Config{URL: h.url(), MinInterval: time.Minute, Now: clk.Now}, 2*time.Millisecond)
	defer n.Close(context.Background())
	n.Notify(sampleAlert(time.Time{}))
	h.wait(t, 1)
	n.Notify(sampleAlert(time.Time{}))
	n.Notify(sampleAlert(time.Time{}))
	clk.add(time.Minute)
	h.wait(t, 1) // no Notify, no Close: only the background check can post it
	if s := text(t, h.requests()[1]); !strings.Contains(s, "…and 2 more since 2026-11-25T09:00:00.000Z; latest: ") {
		t.Fatalf("summary %q", s)
	}
}

func TestQueueOverflowIsCountedAndDropped(t *testing.T) {
	release := make(chan struct{})
	h := newHook(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n == 1 {
			<-release // hold the worker inside the first post
		}
	})
	var l logs
	n, _ := start(t, Config{URL: h.url(), QueueSize: 2, Logger: l.logger()}, 0)
	a := sampleAlert(t0)
	n.Notify(a)
	h.wait(t, 1) // the worker is busy; the queue is empty
	for i := range 5 {
		b := a
		b.Topic = "topic-" + string(rune('a'+i)) // distinct keys: no rate limit
		n.Notify(b)
	}
	if got := count(n, ResultDropped); got != 3 {
		t.Fatalf("dropped = %v, want 3 (queue of 2, 5 alerts)", got)
	}
	close(release)
	if err := n.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(h.requests()) != 3 || count(n, ResultSent) != 3 {
		t.Fatalf("%d posts, sent %v; want 3", len(h.requests()), count(n, ResultSent))
	}
	if c := strings.Count(l.String(), "alert queue full"); c != 3 {
		t.Fatalf("%d queue-full log lines, want 3", c)
	}
}

func TestCloseDrainsTheQueueAndPendingSummaries(t *testing.T) {
	release := make(chan struct{})
	h := newHook(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n == 1 {
			<-release
		}
	})
	clk := &clock{t: t0}
	n, _ := start(t, Config{URL: h.url(), Now: clk.Now}, 0)
	a := sampleAlert(t0)
	for i := range 5 {
		b := a
		b.Topic = "topic-" + string(rune('a'+i))
		n.Notify(b)
	}
	held := a
	held.Topic = "topic-a" // its interval is open: held back, pending
	n.Notify(held)
	n.Notify(held)
	h.wait(t, 1)
	closed := make(chan error, 1)
	go func() { closed <- n.Close(context.Background()) }()
	close(release)
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	reqs := h.requests()
	if len(reqs) != 6 {
		t.Fatalf("%d posts after Close, want 5 alerts and 1 summary", len(reqs))
	}
	if s := text(t, reqs[5]); !strings.HasPrefix(s, "[sink] topic-a validation: …and 2 more since 2026-11-25T09:00:00.000Z; latest: ") {
		t.Fatalf("last post is not the pending summary: %q", s)
	}
	n.Notify(a) // after Close: dropped, no post, no panic
	if count(n, ResultDropped) != 1 || len(h.requests()) != 6 {
		t.Fatalf("Notify after Close: dropped %v, %d posts", count(n, ResultDropped), len(h.requests()))
	}
	if err := n.Close(context.Background()); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

func TestCloseGivesUpWhenTheContextEnds(t *testing.T) {
	block := make(chan struct{})
	defer close(block)
	h := newHook(t, func(n int, w http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	})
	n, _ := start(t, Config{URL: h.url(), Timeout: time.Hour}, 0)
	a := sampleAlert(t0)
	for i := range 3 {
		b := a
		b.Topic = "topic-" + string(rune('a'+i))
		n.Notify(b)
	}
	h.wait(t, 1)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := n.Close(ctx)
	if err == nil || !strings.Contains(err.Error(), "context canceled") || strings.Contains(err.Error(), "SECRET") {
		t.Fatalf("Close = %v, want the context's error and no URL", err)
	}
	if count(n, ResultFailed) != 1 || count(n, ResultDropped) != 2 || count(n, ResultSent) != 0 {
		t.Fatalf("failed %v dropped %v sent %v; want 1 aborted, 2 dropped", count(n, ResultFailed), count(n, ResultDropped), count(n, ResultSent))
	}
}

func TestDisabled(t *testing.T) {
	var nilN *Notifier
	nilN.Notify(sampleAlert(t0))
	if err := nilN.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	n, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	n.Notify(sampleAlert(t0))
	if err := n.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
}
