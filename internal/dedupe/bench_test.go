package dedupe

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
)

// BenchmarkAcquireMarkDone measures the dedupe cost per command against a
// real redis-server: Acquire then MarkDone (two round trips), AcquireBatch
// of 64 then MarkDone each (one round trip per 64 claims plus one per
// command), and Acquire+MarkDone from 16 goroutines per CPU, as the sink's
// concurrent workers do. One op is one command; cmds/s is reported beside
// ns/op.
//
//	go test -run '^$' -bench AcquireMarkDone ./internal/dedupe/
func BenchmarkAcquireMarkDone(b *testing.B) {
	srv := startServer(b)
	c := newTestClient(b, "redis://"+srv.addr())
	s, err := New(c, Options{Prefix: "bench:"})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	var run atomic.Int64

	report := func(b *testing.B) {
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "cmds/s")
	}

	b.Run("single", func(b *testing.B) {
		r := run.Add(1)
		for i := range b.N {
			id := fmt.Sprintf("payment:ch_%d_%d", r, i)
			cl, err := s.Acquire(ctx, id, "bench")
			if err != nil || cl.State != Acquired {
				b.Fatalf("Acquire: %v %v", cl.State, err)
			}
			if err := s.MarkDone(ctx, id, "bench"); err != nil {
				b.Fatal(err)
			}
		}
		report(b)
	})

	b.Run("batch64", func(b *testing.B) {
		r := run.Add(1)
		ids := make([]string, 0, 64)
		for done := 0; done < b.N; {
			ids = ids[:0]
			for j := 0; j < 64 && done+j < b.N; j++ {
				ids = append(ids, fmt.Sprintf("payment:ch_%d_%d", r, done+j))
			}
			claims, err := s.AcquireBatch(ctx, ids, "bench")
			if err != nil {
				b.Fatal(err)
			}
			for j, id := range ids {
				if claims[j].State != Acquired {
					b.Fatalf("AcquireBatch %s: %v", id, claims[j].State)
				}
				if err := s.MarkDone(ctx, id, "bench"); err != nil {
					b.Fatal(err)
				}
			}
			done += len(ids)
		}
		report(b)
	})

	b.Run("parallel", func(b *testing.B) {
		r := run.Add(1)
		var seq atomic.Int64
		// 16 goroutines per CPU, like a sink with that many keys in flight.
		b.SetParallelism(16)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				id := fmt.Sprintf("payment:ch_%d_%d", r, seq.Add(1))
				cl, err := s.Acquire(ctx, id, "bench")
				if err != nil || cl.State != Acquired {
					b.Errorf("Acquire: %v %v", cl.State, err)
					return
				}
				if err := s.MarkDone(ctx, id, "bench"); err != nil {
					b.Error(err)
					return
				}
			}
		})
		report(b)
	})
}
