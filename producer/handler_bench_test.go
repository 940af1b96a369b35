package producer

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

type ackPublisher struct{}

func (ackPublisher) Produce(_ context.Context, r *kgo.Record, promise func(*kgo.Record, error)) {
	promise(r, nil)
}

// BenchmarkHandler is the handler's own cost per webhook (read, verify,
// parse, build the record, answer) with an instantly acknowledging broker.
func BenchmarkHandler(b *testing.B) {
	body := benchEvent()
	sig := sign(body, "whsec_b", time.Now())
	h := NewHandler(HandlerConfig{}, NewVerifier(0, "whsec_b"), ackPublisher{})
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, WebhookPath, bytes.NewReader(body))
		req.Header.Set("Stripe-Signature", sig)
		rw := httptest.NewRecorder()
		h.ServeHTTP(rw, req)
		if rw.Code != 200 {
			b.Fatal(rw.Code)
		}
	}
}
