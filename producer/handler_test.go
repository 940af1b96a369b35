package producer

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/twmb/franz-go/pkg/kgo"
)

// stuckPublisher never acknowledges, like an idempotent client holding a
// record while the broker is unreachable.
type stuckPublisher struct{ got chan *kgo.Record }

func (p stuckPublisher) Produce(_ context.Context, r *kgo.Record, _ func(*kgo.Record, error)) {
	p.got <- r
}

func serve(h http.Handler, body io.Reader, sig string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, WebhookPath, body)
	if sig != "" {
		req.Header.Set("Stripe-Signature", sig)
	}
	rw := httptest.NewRecorder()
	h.ServeHTTP(rw, req)
	return rw
}

func TestBrokerErrorIs503NeverAccepted(t *testing.T) {
	body := benchEvent()
	m := NewMetrics(nil)
	pub := &memPublisher{err: errors.New("NOT_ENOUGH_REPLICAS")}
	h := NewHandler(HandlerConfig{Metrics: m}, NewVerifier(0, "whsec_a"), pub)
	rw := serve(h, bytes.NewReader(body), sign(body, "whsec_a", time.Now()))
	if rw.Code != http.StatusServiceUnavailable || rw.Header().Get("Retry-After") == "" {
		t.Fatalf("broker error answered %d (Retry-After %q), want 503 with Retry-After", rw.Code, rw.Header().Get("Retry-After"))
	}
	if strings.Contains(rw.Body.String(), "NOT_ENOUGH_REPLICAS") {
		t.Fatalf("503 body leaks the broker's error: %s", rw.Body)
	}
	if testutil.ToFloat64(m.Requests.WithLabelValues(OutcomeAccepted)) != 0 ||
		testutil.ToFloat64(m.Requests.WithLabelValues(OutcomeUnavailable)) != 1 {
		t.Fatalf("metrics count the failure wrongly")
	}
}

func TestUnacknowledgedRecordIs503AtTheDeadline(t *testing.T) {
	body := benchEvent()
	pub := stuckPublisher{got: make(chan *kgo.Record, 1)}
	h := NewHandler(HandlerConfig{ProduceTimeout: 200 * time.Millisecond}, NewVerifier(0, "whsec_a"), pub)
	start := time.Now()
	rw := serve(h, bytes.NewReader(body), sign(body, "whsec_a", time.Now()))
	if rw.Code != http.StatusServiceUnavailable {
		t.Fatalf("unacknowledged record answered %d, want 503", rw.Code)
	}
	if waited := time.Since(start); waited < 200*time.Millisecond || waited > 5*time.Second {
		t.Fatalf("answered after %v; want right after the 200ms produce timeout", waited)
	}
	if r := <-pub.got; !bytes.Equal(r.Value, body) {
		t.Fatalf("the record handed over is not the body")
	}
}

// countingReader fails the test if the handler reads a body it should have
// refused on the header alone.
type countingReader struct{ n int }

func (c *countingReader) Read(p []byte) (int, error) { c.n++; return 0, io.EOF }

func TestBadHeaderRefusedBeforeReadingTheBody(t *testing.T) {
	h := NewHandler(HandlerConfig{}, NewVerifier(0, "whsec_a"), &memPublisher{})
	stale := sign([]byte("{}"), "whsec_a", time.Now().Add(-time.Hour))
	for _, sig := range []string{"", "garbage", stale} {
		cr := &countingReader{}
		rw := serve(h, cr, sig)
		if rw.Code != http.StatusBadRequest || cr.n != 0 {
			t.Fatalf("header %q: status %d after %d body reads; want 400 before any", sig, rw.Code, cr.n)
		}
	}
}

// chunked hides the length, as a chunked upload does.
type chunked struct{ r io.Reader }

func (c chunked) Read(p []byte) (int, error) { return c.r.Read(p) }

func TestChunkedBodyOverTheLimitIs413(t *testing.T) {
	const limit = 8 << 10
	pub := &memPublisher{}
	h := NewHandler(HandlerConfig{MaxBodyBytes: limit}, NewVerifier(0, "whsec_a"), pub)
	big := bytes.Repeat([]byte(" "), limit+1)
	rw := serve(h, chunked{bytes.NewReader(big)}, sign(big, "whsec_a", time.Now()))
	if rw.Code != http.StatusRequestEntityTooLarge || len(pub.recs) != 0 {
		t.Fatalf("chunked body over the limit: %d, %d records; want 413 and none", rw.Code, len(pub.recs))
	}
	// At the limit exactly, a chunked event is read whole and accepted.
	body := benchEvent()
	rw = serve(h, chunked{bytes.NewReader(body)}, sign(body, "whsec_a", time.Now()))
	if rw.Code != http.StatusOK || len(pub.recs) != 1 || !bytes.Equal(pub.recs[0].Value, body) {
		t.Fatalf("chunked event: %d, want 200 with the exact body", rw.Code)
	}
}
