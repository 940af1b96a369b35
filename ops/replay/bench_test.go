package replay_test

import (
	"fmt"
	"testing"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/stripe-infor/stripe-infor/ops/internal/opstest"
	"github.com/stripe-infor/stripe-infor/ops/kscan"
	"github.com/stripe-infor/stripe-infor/ops/replay"
)

// BenchmarkReplayToTopic copies 20,000 records of 3.5 KB (a raw Stripe
// event's size) from one 6-partition topic to another on the embedded
// broker, acks=all: the read and the write of a replay, end to end.
func BenchmarkReplayToTopic(b *testing.B) {
	const n = 20000
	e := opstest.Start(b, map[string]int32{src: 6, target: 6})
	value := make([]byte, 3500)
	rs := make([]*kgo.Record, 0, n)
	for i := range n {
		rs = append(rs, &kgo.Record{Topic: src, Partition: int32(i % 6), Key: fmt.Appendf(nil, "cus_%d", i%500), Value: value})
	}
	e.Produce(rs...)
	ctx := opstest.Ctx(b)
	b.ResetTimer()
	for range b.N {
		rep, err := replay.ToTopic(ctx, replay.Options{Kafka: e.Kafka()}, replay.Source{Topic: src, From: kscan.Earliest(), To: kscan.AtOffset(n / 6)}, target)
		if err != nil || rep.Produced != n/6*6 {
			b.Fatalf("%+v %v", rep, err)
		}
	}
	b.ReportMetric(float64(n/6*6*b.N)/b.Elapsed().Seconds(), "records/s")
}
