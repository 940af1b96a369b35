package stripeapi

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stripe-infor/stripe-infor/internal/stripefixture"
	"github.com/stripe-infor/stripe-infor/internal/stripemocktest"
)

// fakeEvents serves GET /v1/events like Stripe: newest first, filtered by
// created[gte]/[lte], types[] and delivery_success, in pages cut by limit
// and starting_after. Each event is written into the list as its raw
// bytes, so the client must hand back exactly those.
type fakeEvents struct {
	events    [][]byte // newest first
	meta      []fakeMeta
	mu        sync.Mutex
	reqs      []*http.Request
	failFirst int // answer 429 this many times first
}

type fakeMeta struct {
	id, typ   string
	created   int64
	delivered bool
}

func (f *fakeEvents) add(typ string, seq int64, created time.Time, delivered bool) {
	body := stripefixture.MustEvent(typ, stripefixture.Options{Seq: seq, Created: created})
	// Stripe lists newest first.
	f.events = append([][]byte{body}, f.events...)
	id := string(bytes.SplitN(bytes.SplitN(body, []byte(`"id": "`), 2)[1], []byte(`"`), 2)[0])
	f.meta = append([]fakeMeta{{id, typ, created.Unix(), delivered}}, f.meta...)
}

func (f *fakeEvents) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.reqs = append(f.reqs, r.Clone(r.Context()))
	fail := f.failFirst > 0
	if fail {
		f.failFirst--
	}
	f.mu.Unlock()
	if fail {
		w.Header().Set("Retry-After", "0")
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprint(w, `{"error":{"type":"invalid_request_error","code":"rate_limit","message":"Too many requests"}}`)
		return
	}
	if r.URL.Path != "/v1/events" {
		http.NotFound(w, r)
		return
	}
	q := r.URL.Query()
	gte, _ := strconv.ParseInt(q.Get("created[gte]"), 10, 64)
	lte, err := strconv.ParseInt(q.Get("created[lte]"), 10, 64)
	if err != nil {
		lte = 1 << 62
	}
	types := q["types[]"]
	limit, _ := strconv.Atoi(q.Get("limit"))
	var idx []int
	for i, m := range f.meta {
		if m.created < gte || m.created > lte || (len(types) > 0 && !slices.Contains(types, m.typ)) {
			continue
		}
		if q.Get("delivery_success") == "false" && m.delivered {
			continue
		}
		idx = append(idx, i)
	}
	start := 0
	if after := q.Get("starting_after"); after != "" {
		for j, i := range idx {
			if f.meta[i].id == after {
				start = j + 1
			}
		}
	}
	end := min(start+limit, len(idx))
	var b bytes.Buffer
	b.WriteString("{\n  \"object\": \"list\",\n  \"data\": [")
	for j, i := range idx[start:end] {
		if j > 0 {
			b.WriteString(",")
		}
		b.Write(f.events[i])
	}
	fmt.Fprintf(&b, "],\n  \"has_more\": %v,\n  \"url\": \"/v1/events\"\n}", end < len(idx))
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b.Bytes())
}

func TestListEvents(t *testing.T) {
	f := &fakeEvents{}
	t0 := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	var want []string // ids ListEvents must return, newest first
	for i := range 260 {
		typ := []string{"charge.succeeded", "customer.created", "payout.paid"}[i%3]
		created := t0.Add(time.Duration(i) * time.Minute)
		delivered := i%10 == 0
		f.add(typ, int64(i), created, delivered)
		if typ != "payout.paid" && !delivered && i >= 5 && i <= 250 {
			want = append([]string{f.meta[0].id}, want...)
		}
	}
	c := eventsClient(t, f, Config{TestKey: testKey, LiveKey: liveKey})

	no := false
	var got []string
	var raws [][]byte
	pages := 0
	err := c.ListEvents(tctx(t), EventsQuery{
		CreatedGTE: t0.Add(5 * time.Minute), CreatedLTE: t0.Add(250 * time.Minute),
		Types: []string{"charge.succeeded", "customer.created"}, DeliverySuccess: &no, Account: "acct_1Conn",
	}, func(evs []Event) error {
		pages++
		for _, e := range evs {
			got = append(got, e.ID)
			raws = append(raws, e.Raw)
			if e.Type == "payout.paid" || e.Created.Before(t0.Add(5*time.Minute)) {
				t.Fatalf("event %s %s %s outside the query", e.ID, e.Type, e.Created)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("got %d events, want %d", len(got), len(want))
	}
	if pages != 2 || len(want) <= 100 {
		t.Fatalf("%d pages for %d events", pages, len(want))
	}
	// The bytes are Stripe's own, event by event.
	for i, raw := range raws {
		j := slices.IndexFunc(f.meta, func(m fakeMeta) bool { return m.id == got[i] })
		if !bytes.Equal(raw, f.events[j]) {
			t.Fatalf("event %s: raw bytes differ from Stripe's", got[i])
		}
	}
	reqs := f.requests()
	for i, r := range reqs {
		q := r.URL.Query()
		if q.Get("created[gte]") != strconv.FormatInt(t0.Add(5*time.Minute).Unix(), 10) || q.Get("delivery_success") != "false" ||
			q.Get("limit") != "100" || strings.Join(q["types[]"], ",") != "charge.succeeded,customer.created" {
			t.Fatalf("request %d: %s", i, r.URL.RawQuery)
		}
		if r.Header.Get("Stripe-Account") != "acct_1Conn" || r.Header.Get("Authorization") != "Bearer "+testKey {
			t.Fatalf("request %d: account %q, test key %v", i, r.Header.Get("Stripe-Account"), r.Header.Get("Authorization") == "Bearer "+testKey)
		}
	}
	if reqs[0].URL.Query().Has("starting_after") || reqs[1].URL.Query().Get("starting_after") != got[99] {
		t.Fatalf("pagination: %q then %q", reqs[0].URL.RawQuery, reqs[1].URL.Query().Get("starting_after"))
	}
}

func TestListEventsRetriesAndRefuses(t *testing.T) {
	old := eventsRetryBase
	eventsRetryBase = time.Millisecond
	t.Cleanup(func() { eventsRetryBase = old })

	f := &fakeEvents{failFirst: 2}
	f.add("charge.succeeded", 1, time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC), false)
	c := eventsClient(t, f, Config{LiveKey: liveKey})
	n := 0
	if err := c.ListEvents(tctx(t), EventsQuery{Livemode: true}, func(evs []Event) error { n += len(evs); return nil }); err != nil || n != 1 {
		t.Fatalf("after two 429s: %d events, %v", n, err)
	}
	if len(f.requests()) != 3 {
		t.Fatalf("%d requests, want 3", len(f.requests()))
	}

	// Always 429: the error comes back after the tries, without the key.
	f.failFirst = 1 << 30
	err := c.ListEvents(tctx(t), EventsQuery{Livemode: true}, func([]Event) error { return nil })
	var se *Error
	if err == nil || !errors.As(err, &se) || se.StatusCode != 429 || strings.Contains(err.Error(), liveKey) {
		t.Fatalf("persistent 429: %v", err)
	}

	// Too many types: refused before any request.
	before := len(f.requests())
	types := make([]string, MaxEventTypes+1)
	for i := range types {
		types[i] = fmt.Sprintf("t%d", i)
	}
	if err := c.ListEvents(tctx(t), EventsQuery{Types: types, Livemode: true}, nil); err == nil || len(f.requests()) != before {
		t.Fatalf("21 types: %v", err)
	}
	// A test-mode listing with only a live key: a configuration error.
	if err := c.ListEvents(tctx(t), EventsQuery{}, nil); !errors.As(err, &se) || se.Type != TypeConfiguration {
		t.Fatalf("test mode with a live key: %v", err)
	}
}

// stripe-mock checks the request against Stripe's OpenAPI spec (an unknown
// or malformed parameter is a 400) and answers with its fixture event.
func TestListEventsAgainstStripeMock(t *testing.T) {
	base := stripemocktest.Start(t)
	c, err := New(Config{Base: base, LiveKey: "sk_test_123", RatePerSecond: 1000})
	if err != nil {
		t.Fatal(err)
	}
	no := false
	n := 0
	err = c.ListEvents(tctx(t), EventsQuery{
		CreatedGTE: time.Now().Add(-24 * time.Hour), CreatedLTE: time.Now(),
		Types: []string{"charge.succeeded", "charge.refunded"}, DeliverySuccess: &no, Account: "acct_1Connected",
	}, func(evs []Event) error {
		for _, e := range evs {
			if !strings.HasPrefix(e.ID, "evt_") || len(e.Raw) == 0 || e.Created.IsZero() {
				t.Fatalf("event %+v", e)
			}
			n++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("stripe-mock listed no event")
	}
}

func (f *fakeEvents) requests() []*http.Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]*http.Request(nil), f.reqs...)
}

func eventsClient(t *testing.T, f *fakeEvents, cfg Config) *Client {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	cfg.Base, cfg.RatePerSecond = srv.URL, 10000
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
