package opstest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"testing"
)

// FakeStripe serves GET /v1/events as Stripe does: newest first, filtered
// by created[gte]/[lte], types[] and delivery_success, in pages cut by
// limit and starting_after, each event written into the list as its own
// bytes. It records the requests.
type FakeStripe struct {
	URL string
	Key string // the only key accepted (Bearer)

	mu     sync.Mutex
	events []fakeEvent // newest first
	reqs   []*http.Request
}

type fakeEvent struct {
	body      []byte
	id, typ   string
	created   int64
	delivered bool
}

// NewFakeStripe starts the fake; key is the API key it accepts.
func NewFakeStripe(t testing.TB, key string) *FakeStripe {
	f := &FakeStripe{Key: key}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	f.URL = srv.URL
	return f
}

// Add lists an event body (the newest so far); delivered says whether every
// webhook endpoint got it.
func (f *FakeStripe) Add(body []byte, delivered bool) {
	var head struct {
		ID      string `json:"id"`
		Type    string `json:"type"`
		Created int64  `json:"created"`
	}
	if err := json.Unmarshal(body, &head); err != nil {
		panic(err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.events = append([]fakeEvent{{body, head.ID, head.Type, head.Created, delivered}}, f.events...)
}

// Requests returns the requests so far.
func (f *FakeStripe) Requests() []*http.Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.reqs)
}

func (f *FakeStripe) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reqs = append(f.reqs, r.Clone(r.Context()))
	if r.Header.Get("Authorization") != "Bearer "+f.Key {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"error":{"type":"invalid_request_error","message":"Invalid API Key provided"}}`)
		return
	}
	if r.Method != http.MethodGet || r.URL.Path != "/v1/events" {
		http.NotFound(w, r)
		return
	}
	q := r.URL.Query()
	gte, _ := strconv.ParseInt(q.Get("created[gte]"), 10, 64)
	lte, err := strconv.ParseInt(q.Get("created[lte]"), 10, 64)
	if err != nil {
		lte = 1 << 62
	}
	limit, err := strconv.Atoi(q.Get("limit"))
	if err != nil || limit < 1 || limit > 100 {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"error":{"type":"invalid_request_error","message":"bad limit"}}`)
		return
	}
	var sel []fakeEvent
	for _, e := range f.events {
		if e.created < gte || e.created > lte || (q.Has("types[]") && !slices.Contains(q["types[]"], e.typ)) {
			continue
		}
		if q.Get("delivery_success") == "false" && e.delivered || q.Get("delivery_success") == "true" && !e.delivered {
			continue
		}
		sel = append(sel, e)
	}
	start := 0
	if after := q.Get("starting_after"); after != "" {
		start = slices.IndexFunc(sel, func(e fakeEvent) bool { return e.id == after }) + 1
	}
	end := min(start+limit, len(sel))
	var b bytes.Buffer
	b.WriteString("{\n  \"object\": \"list\",\n  \"data\": [\n")
	for i, e := range sel[start:end] {
		if i > 0 {
			b.WriteString(",\n")
		}
		b.Write(e.body)
	}
	fmt.Fprintf(&b, "\n  ],\n  \"has_more\": %t,\n  \"url\": \"/v1/events\"\n}\n", end < len(sel))
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b.Bytes())
}
