package kscan_test

import (
	"testing"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/stripe-infor/stripe-infor/ops/internal/opstest"
	"github.com/stripe-infor/stripe-infor/ops/kscan"
)

// BenchmarkRead reads 20,000 records of 3.5 KB (a raw Stripe event) over 6
// partitions of the embedded broker: the cost of the backfill's duplicate
// check and of a dlq list, per record.
func BenchmarkRead(b *testing.B) {
	const n = 20000
	e := opstest.Start(b, map[string]int32{topic: 6})
	value := make([]byte, 3500)
	rs := make([]*kgo.Record, 0, n)
	for i := range n {
		rs = append(rs, &kgo.Record{Topic: topic, Partition: int32(i % 6), Value: value,
			Headers: []kgo.RecordHeader{{Key: "stripe-event-id", Value: []byte("evt_1")}}})
	}
	e.Produce(rs...)
	ctx := opstest.Ctx(b)
	ranges, err := kscan.Resolve(ctx, e.Admin, topic, nil, kscan.Earliest(), kscan.Latest())
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		res, err := kscan.Read(ctx, kscan.ReadOptions{Kafka: e.Kafka()}, ranges, func(*kgo.Record) error { return nil })
		if err != nil || res.Records != n {
			b.Fatalf("%+v %v", res, err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "records/s")
}
