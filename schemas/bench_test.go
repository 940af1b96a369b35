package schemas

import (
	"context"
	"testing"

	"github.com/stripe-infor/stripe-infor/internal/command"
	"github.com/stripe-infor/stripe-infor/internal/kafka"
)

// The processors need ≥ 20,000 events/s per core including the encoding of
// about four records per event, so one Encode should cost a few µs.

func benchEncode(b *testing.B, topic string, v any) {
	_, cl := newRegistry(b)
	s := mustRegister(b, cl)
	buf, err := s.Encode(topic, v)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if buf, err = s.AppendEncode(buf[:0], topic, v); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeCreateSalesOrder(b *testing.B) {
	benchEncode(b, kafka.SalesOrderCommands, fullValues()[1].(command.CreateSalesOrder))
}

func BenchmarkEncodeEnrichedEvent(b *testing.B) {
	benchEncode(b, kafka.EnrichedEvents, fullValues()[7].(EnrichedEvent))
}

func BenchmarkEncodeApplyPayment(b *testing.B) {
	benchEncode(b, kafka.PaymentCommands, fullValues()[3].(command.ApplyPayment))
}

func BenchmarkDecodeCreateSalesOrder(b *testing.B) {
	_, cl := newRegistry(b)
	s := mustRegister(b, cl)
	buf, err := s.Encode(kafka.SalesOrderCommands, fullValues()[1])
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := s.Decode(ctx, buf); err != nil {
			b.Fatal(err)
		}
	}
}
