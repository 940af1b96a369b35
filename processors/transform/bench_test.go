package transform

import (
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/stripe-infor/stripe-infor/internal/stripefixture"
	"github.com/stripe-infor/stripe-infor/processors/mapping"
)

// BenchmarkTransform measures Transform per main event type on realistic
// 2023-10-16 payloads (the budget: about 20 µs for a charge.succeeded of
// 3-4 KB, within 50 µs per event for transform and Avro encoding).
func BenchmarkTransform(b *testing.B) {
	tr := New(mapping.Default())
	at := time.Date(2026, 11, 25, 12, 0, 1, 0, time.UTC)
	cases := []struct{ name, typ, file string }{
		{name: "charge.succeeded", typ: "charge.succeeded"},
		{name: "charge.refunded", typ: "charge.refunded"},
		{name: "refund.created", typ: "refund.created"},
		{name: "charge.dispute.created", typ: "charge.dispute.created"},
		{name: "invoice.paid", typ: "invoice.paid"},
		{name: "invoice.paid/annual-deferral", file: "invoice_paid_annual.json"},
		{name: "invoice.payment_failed", typ: "invoice.payment_failed"},
		{name: "customer.updated", typ: "customer.updated"},
		{name: "payout.paid", typ: "payout.paid"},
		{name: "payment_intent.succeeded", typ: "payment_intent.succeeded"},
	}
	for _, tc := range cases {
		var raw []byte
		if tc.file != "" {
			raw = readTestdata(b, tc.file)
		} else {
			raw = stripefixture.MustEvent(tc.typ, stripefixture.Options{Seq: 42, Livemode: true})
		}
		if _, err := tr.Transform(raw, at); err != nil {
			b.Fatalf("%s: %v", tc.name, err)
		}
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(raw)))
			cpu := startCPU()
			for b.Loop() {
				if _, err := tr.Transform(raw, at); err != nil {
					b.Fatal(err)
				}
			}
			cpu.report(b)
		})
	}
}

// cpuClock measures CPU time besides the wall clock: on a shared machine
// the wall clock counts other processes' time too. thread-cpu-ns/op is the
// benchmark goroutine's own thread (the transform, with the GC work it is
// made to assist); process-cpu-ns/op adds the background GC and everything
// else in the process.
type cpuClock struct{ thread, process int64 }

func startCPU() cpuClock {
	runtime.LockOSThread()
	return cpuClock{thread: rusage(syscall.RUSAGE_THREAD), process: rusage(syscall.RUSAGE_SELF)}
}

func (c cpuClock) report(b *testing.B) {
	thread, process := rusage(syscall.RUSAGE_THREAD)-c.thread, rusage(syscall.RUSAGE_SELF)-c.process
	runtime.UnlockOSThread()
	b.ReportMetric(float64(thread)/float64(b.N), "thread-cpu-ns/op")
	b.ReportMetric(float64(process)/float64(b.N), "process-cpu-ns/op")
}

func rusage(who int) int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(who, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
