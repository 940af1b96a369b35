package inforsink_test

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/stripe-infor/stripe-infor/infor/emulator"
	"github.com/stripe-infor/stripe-infor/internal/command"
	"github.com/stripe-infor/stripe-infor/internal/kafka"
	"github.com/stripe-infor/stripe-infor/sinks/inforsink"
)

// BenchmarkSink measures commands applied per second, end to end: the
// embedded broker, Redis dedupe (a real redis-server), the Infor emulator
// over HTTP with the real client, adapter and applier, all on this machine.
// Each command is a new customer (three MI calls: a lookup, Add and the
// billing address). Run with a fixed count, e.g.
//
//	go test -run '^$' -bench Sink -benchtime 3000x ./sinks/inforsink/
func BenchmarkSink(b *testing.B) {
	for _, lat := range []int{0, 20} {
		b.Run(fmt.Sprintf("latency=%dms", lat), func(b *testing.B) { benchSink(b, lat) })
	}
}

func benchSink(b *testing.B, latencyMS int) {
	e := newEnv(b, envOpts{lease: 30 * time.Second})
	e.emu.SetFaults(emulator.Faults{LatencyMS: latencyMS})
	cfg := e.config()
	cfg.Concurrency = 0 // the default
	cfg.MaxBuffered = 0
	cfg.Logger = slog.New(slog.DiscardHandler)
	cfg.KafkaOpts = nil
	r := e.start(cfg)
	r.waitReady(30 * time.Second)

	recs := make([]*kgo.Record, b.N)
	for i := range recs {
		cus := fmt.Sprintf("cus_Bench%07d", i)
		recs[i] = e.record(customerCmd(cus, "evt_"+cus), cus, -1)
	}
	b.ResetTimer()
	start := time.Now()
	e.produce(recs...)
	waitFor(b, "every command applied", 10*time.Minute, func() bool {
		return e.count(kafka.CustomerCommands, "UpsertCustomer", "applied") == b.N
	})
	elapsed := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "commands/s")
	if err := r.stop(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkSinkRuntime is BenchmarkSink with Infor replaced by an applier
// that answers after a fixed latency: the sink's own ceiling (Kafka, Redis
// claims and marks, scheduling, commits) without the emulator, whose
// rollback snapshot of its whole state on every write makes it the
// bottleneck as its state grows.
func BenchmarkSinkRuntime(b *testing.B) {
	for _, lat := range []time.Duration{0, 20 * time.Millisecond} {
		b.Run(fmt.Sprintf("latency=%s", lat), func(b *testing.B) {
			e := newEnv(b, envOpts{lease: 30 * time.Second})
			cfg := e.config()
			cfg.Concurrency = 0
			cfg.MaxBuffered = 0
			cfg.Logger = slog.New(slog.DiscardHandler)
			cfg.KafkaOpts = nil
			cfg.Applier = sleepApplier(lat)
			r := e.start(cfg)
			r.waitReady(30 * time.Second)
			recs := make([]*kgo.Record, b.N)
			for i := range recs {
				cus := fmt.Sprintf("cus_Bench%07d", i)
				recs[i] = e.record(customerCmd(cus, "evt_"+cus), cus, -1)
			}
			b.ResetTimer()
			start := time.Now()
			e.produce(recs...)
			waitFor(b, "every command applied", 10*time.Minute, func() bool {
				return e.count(kafka.CustomerCommands, "UpsertCustomer", "applied") == b.N
			})
			elapsed := time.Since(start)
			b.StopTimer()
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "commands/s")
			if err := r.stop(); err != nil {
				b.Fatal(err)
			}
		})
	}
}

// sleepApplier applies every command after a fixed latency.
type sleepApplier time.Duration

func (d sleepApplier) Apply(ctx context.Context, _ command.Command) (inforsink.Applied, error) {
	if d > 0 {
		t := time.NewTimer(time.Duration(d))
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return inforsink.Applied{}, ctx.Err()
		}
	}
	return inforsink.Applied{Created: true}, nil
}
