package dlq_test

import (
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/stripe-infor/stripe-infor/internal/dlq"
)

func TestRetryHeaders(t *testing.T) {
	nb := time.Date(2026, 11, 25, 9, 0, 10, 500_400_000, time.UTC) // sub-ms part
	r := dlq.WithRetry(source(), "infor.salesorder.commands.retry", dlq.Failure{
		Stage: "sink", Class: dlq.ClassTransientExhausted, Message: "HTTP 503", Attempts: 4,
	}, 1, nb)
	if r.Topic != "infor.salesorder.commands.retry" {
		t.Fatalf("topic %q", r.Topic)
	}
	if v, n := hdr(r, dlq.HeaderRetryNotBefore); n != 1 || v != "2026-11-25T09:00:10.501Z" {
		t.Fatalf("retry.not-before %q ×%d, want rounded up to the ms", v, n)
	}
	a, got, ok := dlq.RetryInfo(r)
	if !ok || a != 1 || got.Before(nb) {
		t.Fatalf("RetryInfo = %d, %v, %v", a, got, ok)
	}
	if _, _, err := dlq.Parse(r); err != nil {
		t.Fatalf("a retry record carries the DLQ headers too: %v", err)
	}

	if _, _, ok := dlq.RetryInfo(source()); ok {
		t.Fatal("RetryInfo ok on a first-try record")
	}
	bad := dlq.WithRetry(source(), "t.retry", dlq.Failure{}, 1, nb)
	bad.Headers = append(bad.Headers, kgo.RecordHeader{Key: dlq.HeaderRetryAttempt, Value: []byte("0")})
	if _, _, ok := dlq.RetryInfo(bad); ok {
		t.Fatal("RetryInfo ok with retry.attempt 0")
	}
}
