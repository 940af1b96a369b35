// Command processor is the processors' benchmark behind `make bench`.
//
// It measures, in one process and one run, events per CPU-second ("per
// core") on the same mix of realistic 2023-10-16 events:
//
//	floor      encoding/json decodes the raw event into map[string]any and
//	           one Avro record (the enriched event) is encoded: the least
//	           work any JSON-to-Avro processor has to do;
//	stripe-go  stripe-go's typed decoding alone (stripe.Event, then the
//	           data.object into its typed struct), for reference;
//	transform  our Transform: raw JSON to commands, notifications and the
//	           enriched event, mapping applied;
//	transform+avro  Transform plus encoding every output in the Confluent
//	           wire format: the processor's whole per-event CPU work;
//	loop       the full consume-transform-produce loop: a processor on the
//	           embedded broker, Kafka transactions and read_committed, from
//	           its start until every enriched event is committed.
//
// The CPU stages run on one goroutine, alternating in rounds, and count the
// process's CPU time (garbage collection included), so a figure is events
// per second of one core. The loop counts both CPU (broker included, since
// it runs in this process) and wall time. Ratios against the floor are
// what to compare between machines.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"slices"
	"syscall"
	"time"

	"github.com/stripe/stripe-go/v76"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/stripe-infor/stripe-infor/internal/embedded/broker"
	"github.com/stripe-infor/stripe-infor/internal/embedded/registry"
	"github.com/stripe-infor/stripe-infor/internal/kafka"
	"github.com/stripe-infor/stripe-infor/internal/stripefixture"
	"github.com/stripe-infor/stripe-infor/processors"
	"github.com/stripe-infor/stripe-infor/processors/mapping"
	"github.com/stripe-infor/stripe-infor/processors/transform"
	"github.com/stripe-infor/stripe-infor/producer"
	"github.com/stripe-infor/stripe-infor/schemas"
)

// mix is the event mix: the money events a merchant sees most, plus the
// customer and payout events around them.
var mix = []string{"charge.succeeded", "customer.created", "refund.created", "invoice.paid", "payout.paid"}

func main() {
	perStage := flag.Duration("duration", 2*time.Second, "measured time per CPU stage and round")
	rounds := flag.Int("rounds", 3, "alternating rounds of the CPU stages (the median is reported)")
	loopEvents := flag.Int("loop-events", 20000, "raw events the consume-transform-produce loop processes")
	flag.Parse()
	if err := run(*perStage, *rounds, *loopEvents); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(perStage time.Duration, rounds, loopEvents int) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()

	env, err := startEnv(ctx)
	if err != nil {
		return err
	}
	defer env.close()

	events := make([][]byte, 500)
	for i := range events {
		events[i] = stripefixture.MustEvent(mix[i%len(mix)], stripefixture.Options{Seq: int64(i), Livemode: true})
	}
	tr := transform.New(mapping.Default())
	at := time.Date(2026, 11, 25, 16, 0, 0, 0, time.UTC)
	first, err := tr.Transform(events[0], at)
	if err != nil {
		return fmt.Errorf("transform a %s: %w", mix[0], err)
	}
	enriched := first.Outputs[len(first.Outputs)-1]
	if enriched.Topic != kafka.EnrichedEvents {
		return fmt.Errorf("the last output goes to %s, want %s", enriched.Topic, kafka.EnrichedEvents)
	}

	stages := []stage{
		{name: "floor (encoding/json + 1 Avro record)", fn: func(raw []byte) error {
			var m map[string]any
			if err := json.Unmarshal(raw, &m); err != nil {
				return err
			}
			_, err := env.serde.Encode(enriched.Topic, enriched.Value)
			return err
		}},
		{name: "stripe-go typed decoding alone", fn: stripeGoDecode},
		{name: "transform", fn: func(raw []byte) error {
			_, err := tr.Transform(raw, at)
			return err
		}},
		{name: "transform + Avro encode of every output", fn: func(raw []byte) error {
			res, err := tr.Transform(raw, at)
			if err != nil {
				return err
			}
			for _, o := range res.Outputs {
				if _, err := env.serde.Encode(o.Topic, o.Value); err != nil {
					return fmt.Errorf("encode for %s: %w", o.Topic, err)
				}
			}
			return nil
		}},
	}
	for i := range stages {
		if err := stages[i].measure(events, perStage/4); err != nil { // warm-up
			return fmt.Errorf("%s: %w", stages[i].name, err)
		}
		stages[i].results = nil
	}
	for range rounds {
		for i := range stages {
			if err := stages[i].measure(events, perStage); err != nil {
				return fmt.Errorf("%s: %w", stages[i].name, err)
			}
		}
	}

	loop, err := env.loop(ctx, tr, loopEvents, at)
	if err != nil {
		return fmt.Errorf("consume-transform-produce loop: %w", err)
	}

	floor := stages[0].median()
	fmt.Printf("processors benchmark: %d event types (%v), %d rounds of %v per CPU stage\n\n", len(mix), mix, rounds, perStage)
	fmt.Printf("%-42s %14s %12s %10s\n", "stage", "events/s/core", "µs/event", "vs floor")
	for _, s := range stages {
		m := s.median()
		fmt.Printf("%-42s %14.0f %12.1f %9.2fx\n", s.name, m, 1e6/m, m/floor)
	}
	fmt.Printf("%-42s %14.0f %12.1f %9.2fx   (CPU of processor and broker; %d events)\n",
		"consume-transform-produce loop", loop.perCore, 1e6/loop.perCore, loop.perCore/floor, loop.events)
	fmt.Printf("%-42s %14.0f %12s %10s   (wall clock, %d cores, broker in process)\n",
		"consume-transform-produce loop (wall)", loop.perWall, "", "", loop.cores)
	return nil
}

// stage is one CPU-bound measurement.
type stage struct {
	name    string
	fn      func(raw []byte) error
	results []float64 // events per CPU-second, one per round
}

// measure runs fn over events in turn for about d and records events per
// CPU-second of the process.
func (s *stage) measure(events [][]byte, d time.Duration) error {
	n := 0
	cpu0, start := processCPU(), time.Now()
	for time.Since(start) < d {
		for _, raw := range events[:50] {
			if err := s.fn(raw); err != nil {
				return err
			}
		}
		n += 50
		events = append(events[50:], events[:50]...)
	}
	cpu := processCPU() - cpu0
	if cpu <= 0 {
		return errors.New("no CPU time measured")
	}
	s.results = append(s.results, float64(n)/cpu.Seconds())
	return nil
}

func (s *stage) median() float64 {
	r := slices.Clone(s.results)
	slices.Sort(r)
	return r[len(r)/2]
}

// stripeGoDecode is what a processor built on stripe-go's types would do
// first: decode the event, then its data.object into the typed struct.
func stripeGoDecode(raw []byte) error {
	var ev stripe.Event
	if err := json.Unmarshal(raw, &ev); err != nil {
		return err
	}
	var obj any
	switch ev.Type {
	case "charge.succeeded":
		obj = &stripe.Charge{}
	case "customer.created":
		obj = &stripe.Customer{}
	case "refund.created":
		obj = &stripe.Refund{}
	case "invoice.paid":
		obj = &stripe.Invoice{}
	case "payout.paid":
		obj = &stripe.Payout{}
	default:
		return fmt.Errorf("no stripe-go type for %s", ev.Type)
	}
	return json.Unmarshal(ev.Data.Raw, obj)
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// env is the embedded broker with the design's topics and a registry with
// the schemas registered.
type env struct {
	broker *broker.Broker
	reg    *registry.Registry
	serde  *schemas.Serde
	dir    string
}

func startEnv(ctx context.Context) (*env, error) {
	dir, err := os.MkdirTemp("", "stripe-infor-bench-")
	if err != nil {
		return nil, err
	}
	e := &env{dir: dir}
	if e.broker, err = broker.Start(broker.Config{}); err != nil {
		e.close()
		return nil, fmt.Errorf("start broker: %w", err)
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(e.broker.Addr()))
	if err != nil {
		e.close()
		return nil, err
	}
	defer cl.Close()
	parts, err := kafka.ParsePartitions("default=3")
	if err != nil {
		e.close()
		return nil, err
	}
	if _, err := kafka.EnsureTopics(ctx, kadm.NewClient(cl), kafka.DesignTopics(), parts, nil); err != nil {
		e.close()
		return nil, fmt.Errorf("create topics: %w", err)
	}
	if e.reg, err = registry.Start(registry.Config{Addr: "127.0.0.1:0", Dir: dir}); err != nil {
		e.close()
		return nil, fmt.Errorf("start registry: %w", err)
	}
	rc, err := sr.NewClient(sr.URLs(e.reg.URL()))
	if err != nil {
		e.close()
		return nil, err
	}
	if e.serde, err = schemas.Register(ctx, rc); err != nil {
		e.close()
		return nil, fmt.Errorf("register schemas: %w", err)
	}
	return e, nil
}

func (e *env) close() {
	if e.reg != nil {
		_ = e.reg.Close(context.Background())
	}
	if e.broker != nil {
		e.broker.Close()
	}
	_ = os.RemoveAll(e.dir)
}

type loopResult struct {
	events           int
	perCore, perWall float64
	cores            int
}

// loop writes n raw events as the webhook producer does, then runs one
// processor until every enriched event is committed.
func (e *env) loop(ctx context.Context, tr *transform.Transformer, n int, at time.Time) (loopResult, error) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(e.broker.Addr()), kgo.ProducerLinger(5*time.Millisecond))
	if err != nil {
		return loopResult{}, err
	}
	recs := make([]*kgo.Record, 0, 1000)
	for i := range n {
		body := stripefixture.MustEvent(mix[i%len(mix)], stripefixture.Options{Seq: int64(i), Livemode: true})
		envl, err := producer.ParseEnvelope(body)
		if err != nil {
			cl.Close()
			return loopResult{}, err
		}
		recs = append(recs, producer.NewRecord(kafka.RawEvents, &envl, body, at))
		if len(recs) == cap(recs) || i == n-1 {
			if err := cl.ProduceSync(ctx, recs...).FirstErr(); err != nil {
				cl.Close()
				return loopResult{}, fmt.Errorf("produce raw events: %w", err)
			}
			recs = recs[:0]
		}
	}
	cl.Close()

	p, err := processors.New(processors.Config{
		Brokers:         []string{e.broker.Addr()},
		TransactionalID: "bench-processor",
		Transformer:     tr,
		Encoder:         e.serde,
		Logger:          slog.New(slog.NewJSONHandler(io.Discard, nil)),
	})
	if err != nil {
		return loopResult{}, err
	}
	reader, err := kgo.NewClient(kgo.SeedBrokers(e.broker.Addr()), kgo.ConsumeTopics(kafka.EnrichedEvents),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	if err != nil {
		return loopResult{}, err
	}
	defer reader.Close()

	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	cpu0, start := processCPU(), time.Now()
	go func() { done <- p.Run(runCtx) }()
	got := 0
	for got < n {
		f := reader.PollFetches(ctx)
		if ctx.Err() != nil {
			stop()
			return loopResult{}, fmt.Errorf("%d of %d enriched events before the deadline", got, n)
		}
		got += f.NumRecords()
	}
	wall, cpu := time.Since(start), processCPU()-cpu0
	stop()
	if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
		return loopResult{}, fmt.Errorf("processor: %w", err)
	}
	return loopResult{
		events:  n,
		perCore: float64(n) / cpu.Seconds(),
		perWall: float64(n) / wall.Seconds(),
		cores:   runtimeCores(),
	}, nil
}

func runtimeCores() int { return runtime.GOMAXPROCS(0) }
