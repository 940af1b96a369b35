// Command e2e is the end-to-end latency benchmark behind `make bench`
// (issue 6): how long after the webhook answered 2xx a Stripe payment is
// applied in Infor, at a fixed rate of events, with everything in one
// process on this machine.
//
// The pipeline is wired as `stripe-infor dev` wires it: the embedded broker
// (with a data dir) and schema registry, a real redis-server, the
// producer's webhook handler on a loopback TCP listener, the processor
// (Kafka transactions), the Infor sink (Redis dedupe, retry topics) and the
// Infor emulator over HTTP with no added latency. A load generator sends
// signed charge.succeeded webhooks, each of its own customer, on an open-loop
// schedule: event i is due at start + i/rate and is sent then on its own
// goroutine, however slowly earlier ones are answered, so a slow system
// shows as latency instead of quietly lowering the rate (coordinated
// omission).
//
// A charge.succeeded makes three commands on three topics: UpsertCustomer,
// CreateSalesOrder (needs the customer) and ApplyPayment (needs the order's
// invoice). The event is applied when Infor answers OK to ABS100MI
// AddStatmtDetail allocating the payment (TX40 = the charge id), the last
// MI call of the last command; the bench sees that from Infor's side, by
// wrapping the emulator's HTTP handler. The latency of an event is that
// moment minus the moment the webhook handler wrote its 2xx (stamped by a
// wrapper around the handler). Per stage, from the 2xx: the ApplyPayment
// visible to a read_committed reader (the processor's transaction
// committed), the sink's first Apply of it, and from its last Apply start
// (the one that succeeded) to the allocation.
//
// Beside each pipeline row, in the same run and at the same rate, the
// baseline ("direct") applies the same events' commands straight through
// the M3 adapter to a fresh emulator, one event's commands in order: no
// webhook, Kafka or Redis, and no waiting for a prerequisite. Its latency
// runs from the event's due time. The ratio pipeline/direct is what to
// compare between machines. Each rate runs on a fresh stack, so a backlog
// left by one rate does not count against the next.
//
// First, the direct way's capacity is measured (closed loop: the most
// events/s the emulator and the M3 adapter carry on this machine, no
// pipeline at all). Above it no sink can keep up: the backlog grows with
// the run and the percentiles say more about the run's length than about
// the pipeline, so the rows print lower bounds (">") for events not
// applied by the end. Hence the default rates include 100/s, which a
// 2-core machine carries, beside the 500 and 2,000.
// Each row shows the CPU used in its window by this process, by
// redis-server and by the rest of the machine (other people's work on a
// shared machine distorts every figure; the column says how much).
//
// -cpuprofile, -blockprofile and -mutexprofile profile the measured window
// of the pipeline at -profile-rate (0: the capacity run). Every component
// runs under a pprof label, so the CPU of the one process splits by
// component:
//
//	go run ./bench/e2e -rates 2000 -direct-duration 0 -cpuprofile cpu.out
//	go tool pprof -tags cpu.out                     # broker, processor, sink, infor-client, emulator, producer, loadgen-…
//	go tool pprof -top -tagfocus=component=infor-client cpu.out
package main

import (
	"context"
	"flag"
	"fmt"
	"math"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/stripe-infor/stripe-infor/sinks/inforsink"
)

// target is the issue's: p99 ≤ 250 ms at 2,000 events/s, 0 ms emulator.
const (
	targetRate = 2000
	targetP99  = 250 * time.Millisecond
)

// devRetryTiers are `stripe-infor dev`'s (cmd/stripe-infor/devsink.go).
var devRetryTiers = []time.Duration{time.Second, 5 * time.Second, 30 * time.Second, 5 * time.Minute}

func main() {
	rates := flag.String("rates", "100,500,2000", "events per second, comma-separated; each measured after a warm-up (the issue's 500 and 2,000, and 100, which a 2-core machine carries)")
	duration := flag.Duration("duration", 20*time.Second, "measured time per rate (pipeline)")
	directDuration := flag.Duration("direct-duration", 8*time.Second, "measured time per rate (direct baseline); 0 skips it")
	warmup := flag.Duration("warmup", 5*time.Second, "unmeasured time at the rate before each measurement")
	drain := flag.Duration("drain", 10*time.Second, "after the last send, how long to wait for every event to be applied")
	capacity := flag.Duration("capacity-duration", 5*time.Second, "measure the direct way's most events/s (closed loop) this long first; 0 skips it")
	share := flag.Float64("capacity-share", 0, "also measure at this share of the direct capacity (e.g. 0.5: a rate this machine carries); 0: not")
	var s settings
	flag.IntVar(&s.sinkConcurrency, "sink-concurrency", inforsink.DefaultConcurrency, "the sink's Concurrency (SINK_CONCURRENCY)")
	tiers := flag.String("retry-tiers", joinDurations(devRetryTiers), "the sink's retry tiers (SINK_RETRY_TIERS); dev's by default")
	flag.IntVar(&s.maxRecordsTxn, "max-records-per-txn", 500, "the processor's records per transaction (PROCESSOR_MAX_RECORDS_PER_TXN)")
	flag.DurationVar(&s.linger, "linger", 0, "the webhook producer's linger (0, as the producer stage)")
	flag.BoolVar(&s.emulatorPersist, "emulator-persist", false, "journal the emulator's state to disk before each answer, as dev does (default: memory, as bench/sink)")
	var prof profiles
	profileRate := flag.Float64("profile-rate", targetRate, "which rate's pipeline window the profiles cover; 0: the direct capacity run instead")
	flag.StringVar(&prof.cpu, "cpuprofile", "", "write a CPU profile of the pipeline's measured window here")
	flag.StringVar(&prof.block, "blockprofile", "", "write a block profile of the pipeline's measured window here")
	flag.StringVar(&prof.mutex, "mutexprofile", "", "write a mutex profile of the pipeline's measured window here")
	flag.IntVar(&prof.blockRate, "block-rate", 10000, "block profile: about one sample per this many ns blocked")
	flag.Parse()

	rs, err := parseRates(*rates)
	if err == nil {
		s.retryTiers, err = parseDurations(*tiers)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	cfg := runConfig{settings: s, rates: rs, duration: *duration, directDuration: *directDuration, warmup: *warmup,
		drain: *drain, capacity: *capacity, share: *share, prof: prof, profileRate: *profileRate}
	if err := run(cfg); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

type runConfig struct {
	settings
	rates                            []float64
	duration, directDuration, warmup time.Duration
	drain, capacity                  time.Duration
	share                            float64
	prof                             profiles
	profileRate                      float64
}

// row is one rate's pair of measurements.
type row struct {
	direct   *result
	pipeline result
}

func run(cfg runConfig) error {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	dir, err := os.MkdirTemp("", "stripe-infor-bench-e2e-direct-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	var capRate float64
	var capUse cpuUse
	if cfg.capacity > 0 {
		var onMeasure func() func()
		if cfg.prof.any() && cfg.profileRate == 0 {
			onMeasure = cfg.prof.start
		}
		capRate, capUse, err = runCapacity(ctx, dir, cfg.sinkConcurrency, 1_000_000, time.Second, cfg.capacity, 4000*int(1+cfg.capacity/time.Second), onMeasure)
		if err != nil {
			return fmt.Errorf("direct capacity: %w", err)
		}
		fmt.Fprintf(os.Stderr, "direct capacity: %.0f events/s\n", capRate)
		if cfg.share > 0 {
			// A rate the machine can carry, rounded to 10/s: its latency
			// is the pipeline's own, not a backlog's.
			cfg.rates = append([]float64{max(10, 10*math.Round(capRate*cfg.share/10))}, cfg.rates...)
		}
	}

	var rows []row
	for i, rate := range cfg.rates {
		// Each rate has its own customers and charges; the direct way
		// applies the very same ones to its own fresh emulator.
		base := int64(10_000_000 * (i + 1))
		var rw row
		if cfg.directDuration > 0 {
			p := phase{rate: rate, warmup: min(cfg.warmup, 2*time.Second), duration: cfg.directDuration, seqBase: base, drain: cfg.drain}
			r, err := runDirect(ctx, dir, cfg.sinkConcurrency, p)
			if err != nil {
				return fmt.Errorf("direct at %.0f/s: %w", rate, err)
			}
			fmt.Fprintln(os.Stderr, r)
			rw.direct = &r
		}
		r, err := measurePipeline(ctx, cfg, rate, base)
		if err != nil {
			return fmt.Errorf("pipeline at %.0f/s: %w", rate, err)
		}
		fmt.Fprintln(os.Stderr, r)
		rw.pipeline = r
		rows = append(rows, rw)
	}
	printReport(os.Stdout, cfg, rows, capRate, capUse)
	return nil
}

// measurePipeline runs one rate on a fresh stack, so that a backlog left
// by an earlier rate the machine could not carry does not count against
// this one.
func measurePipeline(ctx context.Context, cfg runConfig, rate float64, seqBase int64) (result, error) {
	st, err := startStack(ctx, cfg.settings, &tracker{})
	if err != nil {
		return result{}, err
	}
	defer st.close()
	p := phase{rate: rate, warmup: cfg.warmup, duration: cfg.duration, seqBase: seqBase, drain: cfg.drain, redisPID: st.redisPID}
	if cfg.prof.any() && rate == cfg.profileRate {
		p.onMeasure = cfg.prof.start
	}
	return runPipeline(ctx, st, p)
}

func parseRates(v string) ([]float64, error) {
	var out []float64
	for _, it := range strings.Split(v, ",") {
		r, err := strconv.ParseFloat(strings.TrimSpace(it), 64)
		if err != nil || r <= 0 {
			return nil, fmt.Errorf("-rates: %q is not a positive number", it)
		}
		out = append(out, r)
	}
	return out, nil
}

func parseDurations(v string) ([]time.Duration, error) {
	var out []time.Duration
	for _, it := range strings.Split(v, ",") {
		d, err := time.ParseDuration(strings.TrimSpace(it))
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("-retry-tiers: %q is not a positive duration", it)
		}
		out = append(out, d)
	}
	return out, nil
}

func joinDurations(ds []time.Duration) string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = d.String()
	}
	return strings.Join(parts, ",")
}

func cpus() string {
	return fmt.Sprintf("GOMAXPROCS %d, %d CPUs", runtime.GOMAXPROCS(0), runtime.NumCPU())
}
