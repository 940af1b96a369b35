package main

import (
	"fmt"
	"io"

	"github.com/stripe-infor/stripe-infor/sinks/inforsink"
)

// printReport writes the table: per rate, the direct baseline and the
// pipeline, their percentiles, throughput and ratios; then the pipeline's
// stages; then the verdict on the target.
func printReport(w io.Writer, cfg runConfig, rows []row, capRate float64, capUse cpuUse) {
	emu := "in memory"
	if cfg.emulatorPersist {
		emu = "journaled to disk before each answer (as dev)"
	}
	fmt.Fprintf(w, "\ne2e latency: signed charge.succeeded webhooks (one new customer each), webhook 2xx -> payment allocated in Infor\n")
	fmt.Fprintf(w, "%s; everything in this process: embedded broker (data dir), registry, redis-server, emulator at 0 ms (%s)\n", cpus(), emu)
	fmt.Fprintf(w, "producer: acks=all, idempotent, linger %s | processor: %d records/txn | sink: concurrency %d, retry tiers %s, in-place attempts %d, commit every %s, dedupe in redis-server\n",
		cfg.linger, cfg.maxRecordsTxn, cfg.sinkConcurrency, joinDurations(cfg.retryTiers), inforsink.DefaultInPlaceAttempts, inforsink.DefaultCommitInterval)
	fmt.Fprintf(w, "open-loop schedule; pipeline %s measured after %s warm-up, direct %s; latencies in ms\n\n", cfg.duration, cfg.warmup, cfg.directDuration)

	if capRate > 0 {
		fmt.Fprintf(w, "direct capacity (closed loop, %d workers, each event's 3 commands in order): %.0f events/s; CPU %s\n\n",
			cfg.sinkConcurrency, capRate, capUse)
	}
	fmt.Fprintf(w, "%6s  %-8s %7s %8s %9s %8s %8s %8s %8s %7s %7s %9s  %s\n",
		"rate/s", "way", "events", "2xx/s", "applied/s", "p50", "p90", "p99", "max", "p50 x", "p99 x", "MI/event", "CPU in the window")
	for _, rw := range rows {
		if d := rw.direct; d != nil {
			printRow(w, *d, "", "")
		}
		p := rw.pipeline
		r50, r99 := "", ""
		if d := rw.direct; d != nil {
			r50, r99 = ratio(&p.latency, &d.latency, 50), ratio(&p.latency, &d.latency, 99)
		}
		printRow(w, p, r50, r99)
	}
	fmt.Fprintf(w, "(p50 x, p99 x: pipeline / direct. MI/event: MI calls per event sent, over the phase; the pipeline's include Applies that failed\n"+
		" for a missing prerequisite, and are low where the backlog was not worked off. \">\": at least, the event was not applied by the end.)\n")

	fmt.Fprintf(w, "\npipeline stages (ms, p50 / p99):\n")
	fmt.Fprintf(w, "%6s  %-22s %-22s %-22s %-22s %s\n", "rate/s", "due -> 2xx read", "2xx -> cmd committed", "2xx -> sink 1st apply", "last apply -> applied", "events that waited for a prerequisite")
	for _, rw := range rows {
		p := rw.pipeline
		pair := func(d *dist) string { return d.fmtPct(50) + " / " + d.fmtPct(99) }
		share := 0.0
		if p.measured > 0 {
			share = 100 * float64(p.depEvents) / float64(p.measured)
		}
		fmt.Fprintf(w, "%6.0f  %-22s %-22s %-22s %-22s %d (%.1f%%)\n", p.rate, pair(&p.webhook), pair(&p.toCommitted),
			pair(&p.toSinkStart), pair(&p.lastApplyToApplied), p.depEvents, share)
	}
	for _, rw := range rows {
		if d := rw.direct; d != nil && len(d.mix) > 0 && d.measured > 0 {
			n := float64(d.events)
			fmt.Fprintf(w, "MI calls per event, direct at %.0f/s (%.1f in all):", d.rate, d.callsPerEvent)
			for _, c := range d.mix {
				fmt.Fprintf(w, " %s %.1f", c.tx, float64(c.n)/n)
			}
			fmt.Fprintln(w)
			break
		}
	}
	for _, rw := range rows {
		p := rw.pipeline
		fmt.Fprintf(w, "pipeline at %.0f/s: sink Applies failed for a missing prerequisite: CreateSalesOrder %d, ApplyPayment %d (UpsertCustomer %d); MI calls per event %.1f\n",
			p.rate, p.depOrder, p.depPayment, p.depCustomer, p.callsPerEvent)
	}

	for _, rw := range rows {
		for _, r := range []*result{rw.direct, &rw.pipeline} {
			if r != nil && r.failed > 0 {
				fmt.Fprintf(w, "%s at %.0f/s: %d failures, first: %s\n", r.way, r.rate, r.failed, r.firstFailure)
			}
		}
		if p := rw.pipeline; p.rate == targetRate {
			v, ok := p.latency.pct(99)
			verdict := "MISSED"
			if ok && !v.atLeast && v.v <= targetP99 {
				verdict = "met"
			}
			fmt.Fprintf(w, "\ntarget: p99 <= %s at %d events/s: %s (p99 %s ms)\n", targetP99, targetRate, verdict, p.latency.fmtPct(99))
		}
	}
}

func printRow(w io.Writer, r result, r50, r99 string) {
	max := r.latency.fmtPct(100)
	fmt.Fprintf(w, "%6.0f  %-8s %7d %8.0f %9.0f %8s %8s %8s %8s %7s %7s %9.1f  %s\n", r.rate, r.way, r.measured, r.sentPerSec, r.appliedPerSec,
		r.latency.fmtPct(50), r.latency.fmtPct(90), r.latency.fmtPct(99), max, r50, r99, r.callsPerEvent, r.cpu)
	if n := r.latency.unfinished(); n > 0 {
		fmt.Fprintf(w, "%6s  %d of the %d events not applied by the end of the drain (\">\": at least; the backlog grows with the run)\n", "", n, r.latency.n())
	}
}

// String is the cores used: this process, redis-server, and the rest of
// the machine (someone else's load, when it is not near 0).
func (u cpuUse) String() string {
	if !u.ok {
		return "-"
	}
	return fmt.Sprintf("bench %.2f + redis %.2f, others %.2f of %d cores", u.self, u.redis, max(u.machine-u.self-u.redis, 0), numCPU())
}

// ratio is pipeline ÷ direct at percentile p, e.g. "12.3x".
func ratio(pipe, direct *dist, p float64) string {
	a, ok1 := pipe.pct(p)
	b, ok2 := direct.pct(p)
	if !ok1 || !ok2 || b.v <= 0 || b.atLeast {
		return "-"
	}
	x := fmt.Sprintf("%.1fx", float64(a.v)/float64(b.v))
	if a.atLeast {
		x = ">" + x
	}
	return x
}
