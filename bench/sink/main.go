// Command sink is the Infor sink's benchmark behind `make bench`.
//
// It measures commands applied per second in Infor (the emulator, over
// HTTP, in this process) at each added emulator latency, two ways in one
// run and on the same commands:
//
//	direct  the commands applied with the M3 adapter (sinks/m3apply) by a
//	        pool of -concurrency goroutines: no Kafka, no Redis. The most
//	        any sink can do against this Infor at this concurrency.
//	sink    the real sink (sinks/inforsink): the commands as Avro records
//	        on the embedded broker, consumed by the group, claimed and
//	        marked done in a real redis-server (dedupe on), applied with
//	        the same adapter at the same concurrency, offsets committed.
//
// The mix is a quarter each of UpsertCustomer (a new customer),
// CreateSalesOrder (its customer already in Infor), ApplyPayment (its order
// already invoiced) and PostJournal, made from realistic events by the
// processors' transform. Prerequisites are created before the clock starts,
// in a fresh emulator per measurement, so no command waits on a retry tier
// and both ways do exactly the same Infor work. The time runs from the
// first Apply to the last one finished; "MI calls/cmd" is how many M3
// calls a command takes on average, which with the latency bounds what a
// given concurrency can reach: concurrency / (calls × latency), about 580
// commands/s at 64 and 20 ms with 5.5 calls. So the default runs are 0 ms and
// 20 ms at the sink's default concurrency (64), and 20 ms at 256
// (SINK_CONCURRENCY), the setting a deployment facing a 20 ms Infor needs
// for 1,000 commands/s.
//
// Under each row, "in flight" is the mean Apply calls running at once
// (time-weighted) and "mean Apply" the time of one, for both ways:
// commands/s ≈ in flight ÷ Apply time. A sink below its concurrency has a
// scheduling cap; a sink at its concurrency with slower Applies shares the
// CPU with the emulator (or, on a shared machine, with other processes).
//
// A last row, "no Infor", runs the sink with an Apply that returns at once:
// the ceiling of the sink itself (Kafka, Redis claims and marks, per-key
// scheduling, commits), whatever Infor is behind it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/stripe-infor/stripe-infor/infor"
	"github.com/stripe-infor/stripe-infor/infor/emulator"
	"github.com/stripe-infor/stripe-infor/infor/m3"
	"github.com/stripe-infor/stripe-infor/internal/command"
	"github.com/stripe-infor/stripe-infor/internal/dedupe"
	"github.com/stripe-infor/stripe-infor/internal/embedded/broker"
	"github.com/stripe-infor/stripe-infor/internal/embedded/redis"
	"github.com/stripe-infor/stripe-infor/internal/embedded/registry"
	"github.com/stripe-infor/stripe-infor/internal/kafka"
	"github.com/stripe-infor/stripe-infor/internal/stripefixture"
	"github.com/stripe-infor/stripe-infor/processors/mapping"
	"github.com/stripe-infor/stripe-infor/processors/transform"
	"github.com/stripe-infor/stripe-infor/schemas"
	"github.com/stripe-infor/stripe-infor/sinks/inforsink"
	"github.com/stripe-infor/stripe-infor/sinks/m3apply"
)

// targets are the issue's: commands/s at 0 ms and 20 ms added latency.
var targets = map[int]float64{0: 3000, 20: 1000}

func main() {
	concurrency := flag.Int("concurrency", inforsink.DefaultConcurrency, "commands applied at once, by the sink and by the direct pool, where a run does not say")
	runs := flag.String("runs", "0,20,20@256", "measurements: added emulator latency per MI call in ms, optionally @concurrency, comma-separated")
	commands := flag.Int("commands", 4000, "commands per measurement against the emulator")
	ceiling := flag.Int("ceiling-commands", 20000, "commands for the sink's own ceiling (no Infor calls); 0 skips it")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the whole run here")
	flag.Parse()
	specs, err := parseRuns(*runs, *concurrency)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench: -runs:", err)
		os.Exit(2)
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench: cpu profile:", err)
			os.Exit(1)
		}
	}
	err = run(specs, *concurrency, *commands, *ceiling)
	pprof.StopCPUProfile()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// runSpec is one measurement: an emulator latency and a concurrency.
type runSpec struct{ latency, concurrency int }

// parseRuns reads "0,20,20@256".
func parseRuns(v string, defConcurrency int) ([]runSpec, error) {
	var out []runSpec
	for _, item := range strings.Split(v, ",") {
		lat, conc, found := strings.Cut(strings.TrimSpace(item), "@")
		r := runSpec{concurrency: defConcurrency}
		var err error
		if r.latency, err = strconv.Atoi(lat); err != nil || r.latency < 0 {
			return nil, fmt.Errorf("%q: the latency is not a number of ms", item)
		}
		if found {
			if r.concurrency, err = strconv.Atoi(conc); err != nil || r.concurrency <= 0 {
				return nil, fmt.Errorf("%q: the concurrency is not a positive number", item)
			}
		}
		out = append(out, r)
	}
	return out, nil
}

type row struct {
	runSpec
	commands        int
	direct, sink    result
	callsPerCommand float64
}

func run(specs []runSpec, concurrency, commands, ceilingCommands int) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	e, err := startEnv(ctx)
	if err != nil {
		return err
	}
	defer e.close()

	var rows []row
	for _, spec := range specs {
		w, err := makeWorkload(commands)
		if err != nil {
			return err
		}
		r := row{runSpec: spec, commands: len(w.measured)}
		if r.direct, err = e.measure(ctx, w, spec.latency, spec.concurrency, false); err != nil {
			return fmt.Errorf("direct at %d ms: %w", spec.latency, err)
		}
		if r.sink, err = e.measure(ctx, w, spec.latency, spec.concurrency, true); err != nil {
			return fmt.Errorf("sink at %d ms: %w", spec.latency, err)
		}
		r.callsPerCommand = float64(r.direct.calls) / float64(r.commands)
		rows = append(rows, r)
	}
	var ceiling result
	var ceilingN int
	if ceilingCommands > 0 {
		w, err := makeWorkload(ceilingCommands)
		if err != nil {
			return err
		}
		ceilingN = len(w.measured)
		if ceiling, err = e.throughSink(ctx, noopApplier{}, w.measured, concurrency); err != nil {
			return fmt.Errorf("sink ceiling: %w", err)
		}
	}

	fmt.Printf("sink benchmark: UpsertCustomer, CreateSalesOrder, ApplyPayment, PostJournal (a quarter each), GOMAXPROCS %d\n", runtime.GOMAXPROCS(0))
	fmt.Printf("emulator over HTTP in this process; sink: embedded broker, registry, redis-server dedupe; direct: m3apply, same concurrency\n\n")
	fmt.Printf("%-8s %6s %9s %14s %14s %12s %14s %12s\n", "latency", "conc", "commands", "direct cmd/s", "sink cmd/s", "sink/direct", "MI calls/cmd", "target")
	for _, r := range rows {
		target := "-"
		if t, ok := targets[r.latency]; ok {
			verdict := "met"
			if r.sink.perSecond < t {
				verdict = "MISSED"
			}
			target = fmt.Sprintf("%.0f %s", t, verdict)
		}
		fmt.Printf("%-8s %6d %9d %14.0f %14.0f %11.2fx %14.1f %12s\n", fmt.Sprintf("%d ms", r.latency), r.concurrency, r.commands,
			r.direct.perSecond, r.sink.perSecond, r.sink.perSecond/r.direct.perSecond, r.callsPerCommand, target)
		fmt.Printf("         in flight: direct %.0f, sink %.0f of %d; mean Apply: direct %.0f ms, sink %.0f ms\n",
			r.direct.inFlight, r.sink.inFlight, r.concurrency, ms(r.direct.apply), ms(r.sink.apply))
		if r.direct.failed+r.sink.failed > 0 {
			fmt.Printf("         (failed applies, retried: direct %d, sink %d)\n", r.direct.failed, r.sink.failed)
		}
	}
	if ceilingN > 0 {
		fmt.Printf("%-8s %6d %9d %14s %14.0f %12s %14s %12s   sink ceiling: Kafka, Redis dedupe, scheduling; Apply returns at once\n",
			"no Infor", concurrency, ceilingN, "-", ceiling.perSecond, "", "", "")
	}
	return nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// noopApplier applies nothing: the sink's own ceiling.
type noopApplier struct{}

func (noopApplier) Apply(context.Context, command.Command) (inforsink.Applied, error) {
	return inforsink.Applied{Created: true}, nil
}

// workload is the measured commands and the prerequisites created before.
type workload struct {
	seed     [][]command.Command // applied in order, each step in parallel
	measured []command.Command
}

// makeWorkload builds n measured commands (rounded down to a multiple of 4)
// from fixture events: distinct Stripe ids per command, live mode.
func makeWorkload(n int) (workload, error) {
	tr := transform.New(mapping.Default())
	at := time.Date(2026, 11, 25, 16, 0, 0, 0, time.UTC)
	cmds := func(eventType string, seq int64) map[string]command.Command {
		body := stripefixture.MustEvent(eventType, stripefixture.Options{Seq: seq, Livemode: true})
		res, err := tr.Transform(body, at)
		if err != nil {
			panic(fmt.Sprintf("transform %s: %v", eventType, err))
		}
		out := map[string]command.Command{}
		for _, o := range res.Outputs {
			if c, ok := o.Value.(command.Command); ok {
				out[c.Type()] = c
			}
		}
		return out
	}
	var w workload
	w.seed = make([][]command.Command, 2)
	for i := range n / 4 {
		base := int64(1_000_000 + 4*i)
		a := cmds("charge.succeeded", base)
		w.measured = append(w.measured, a["UpsertCustomer"])
		b := cmds("charge.succeeded", base+1)
		w.seed[0] = append(w.seed[0], b["UpsertCustomer"])
		w.measured = append(w.measured, b["CreateSalesOrder"])
		c := cmds("charge.succeeded", base+2)
		w.seed[0] = append(w.seed[0], c["UpsertCustomer"])
		w.seed[1] = append(w.seed[1], c["CreateSalesOrder"])
		w.measured = append(w.measured, c["ApplyPayment"])
		d := cmds("charge.dispute.created", base+3)
		w.measured = append(w.measured, d["PostJournal"])
	}
	return w, nil
}

// env is what every measurement shares: the registry with the schemas and
// a real redis-server.
type env struct {
	dir   string
	reg   *registry.Registry
	serde *schemas.Serde
	redis *redis.Server
}

func startEnv(ctx context.Context) (*env, error) {
	dir, err := os.MkdirTemp("", "stripe-infor-bench-sink-")
	if err != nil {
		return nil, err
	}
	e := &env{dir: dir}
	if e.reg, err = registry.Start(registry.Config{Addr: "127.0.0.1:0", Dir: dir + "/registry"}); err != nil {
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
	if e.redis, err = redis.Start(ctx, redis.Config{Addr: "127.0.0.1:0", Dir: dir + "/redis"}); err != nil {
		e.close()
		return nil, fmt.Errorf("start redis: %w", err)
	}
	if e.redis.Mode() != redis.ModeRedisServer {
		e.close()
		return nil, errors.New("the sink benchmark needs redis-server on PATH (apt-get install redis-server): dedupe is measured against the real server")
	}
	return e, nil
}

func (e *env) close() {
	if e.redis != nil {
		_ = e.redis.Close()
	}
	if e.reg != nil {
		_ = e.reg.Close(context.Background())
	}
	_ = os.RemoveAll(e.dir)
}

// result is one measurement.
type result struct {
	perSecond float64
	calls     int64 // MI calls during the measurement
	failed    int64 // Apply calls that returned an error (then retried)
	// inFlight is the mean Apply calls running at once and apply the mean
	// time of one: commands/s is about inFlight ÷ apply.
	inFlight float64
	apply    time.Duration
}

// measure creates the prerequisites in a fresh emulator, sets its latency,
// and applies the measured commands directly or through the sink.
func (e *env) measure(ctx context.Context, w workload, latencyMS, concurrency int, viaSink bool) (result, error) {
	emu, err := startEmulator(e.dir)
	if err != nil {
		return result{}, err
	}
	defer emu.close()
	applier, err := emu.applier(concurrency)
	if err != nil {
		return result{}, err
	}
	for _, step := range w.seed {
		if _, err := applyDirect(ctx, applier, step, concurrency); err != nil {
			return result{}, fmt.Errorf("create prerequisites: %w", err)
		}
	}
	emu.emu.SetFaults(emulator.Faults{LatencyMS: latencyMS})
	calls0 := emu.calls.Load()
	metered := &meteredApplier{a: applier}
	var res result
	if viaSink {
		res, err = e.throughSink(ctx, metered, w.measured, concurrency)
	} else {
		res, err = applyDirect(ctx, metered, w.measured, concurrency)
	}
	res.calls = emu.calls.Load() - calls0
	res.inFlight, res.apply = metered.stats()
	return res, err
}

// applyDirect applies cmds with a pool of concurrency goroutines, each
// command until it succeeds (a transient error is retried at once; the
// emulator injects none here, so failures are reported, not expected).
func applyDirect(ctx context.Context, a inforsink.Applier, cmds []command.Command, concurrency int) (result, error) {
	work := make(chan command.Command)
	var failed atomic.Int64
	var firstErr error
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	for range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range work {
				for attempt := 0; ; attempt++ {
					_, err := a.Apply(ctx, c)
					if err == nil {
						break
					}
					failed.Add(1)
					if attempt == 5 || ctx.Err() != nil {
						mu.Lock()
						if firstErr == nil {
							firstErr = fmt.Errorf("%s: %w", c.ID(), err)
						}
						mu.Unlock()
						break
					}
				}
			}
		}()
	}
	for _, c := range cmds {
		work <- c
	}
	close(work)
	wg.Wait()
	elapsed := time.Since(start)
	return result{perSecond: float64(len(cmds)) / elapsed.Seconds(), failed: failed.Load()}, firstErr
}

// countingApplier times the sink's applies: from the first call to the
// last success.
type countingApplier struct {
	a      inforsink.Applier
	want   int64
	ok     atomic.Int64
	failed atomic.Int64
	first  sync.Once
	start  time.Time
	done   chan struct{}
	end    time.Time
}

func (c *countingApplier) Apply(ctx context.Context, cmd command.Command) (inforsink.Applied, error) {
	c.first.Do(func() { c.start = time.Now() })
	r, err := c.a.Apply(ctx, cmd)
	if err != nil {
		c.failed.Add(1)
		return r, err
	}
	if c.ok.Add(1) == c.want {
		c.end = time.Now()
		close(c.done)
	}
	return r, nil
}

// throughSink writes cmds to a fresh embedded broker and runs the sink
// until every command was applied once.
func (e *env) throughSink(ctx context.Context, applier inforsink.Applier, cmds []command.Command, concurrency int) (result, error) {
	b, err := broker.Start(broker.Config{})
	if err != nil {
		return result{}, fmt.Errorf("start broker: %w", err)
	}
	defer b.Close()
	cl, err := kgo.NewClient(kgo.SeedBrokers(b.Addr()), kgo.ProducerLinger(5*time.Millisecond))
	if err != nil {
		return result{}, err
	}
	if _, err := kafka.EnsureTopics(ctx, kadm.NewClient(cl), kafka.DesignTopics(), kafka.DefaultPartitions(), nil); err != nil {
		cl.Close()
		return result{}, fmt.Errorf("create topics: %w", err)
	}
	recs := make([]*kgo.Record, 0, len(cmds))
	for _, c := range cmds {
		topic, err := schemas.TopicOf(c)
		if err != nil {
			cl.Close()
			return result{}, err
		}
		v, err := e.serde.Encode(topic, c)
		if err != nil {
			cl.Close()
			return result{}, err
		}
		recs = append(recs, &kgo.Record{Topic: topic, Key: []byte(c.ID()), Value: v})
	}
	err = cl.ProduceSync(ctx, recs...).FirstErr()
	cl.Close()
	if err != nil {
		return result{}, fmt.Errorf("produce commands: %w", err)
	}

	rc, err := dedupe.NewClient(e.redis.URL())
	if err != nil {
		return result{}, err
	}
	defer rc.Close()
	if err := rc.FlushDB(ctx).Err(); err != nil {
		return result{}, fmt.Errorf("redis flush: %w", err)
	}
	store, err := dedupe.New(rc, dedupe.Options{})
	if err != nil {
		return result{}, err
	}
	counter := &countingApplier{a: applier, want: int64(len(cmds)), done: make(chan struct{})}
	sk, err := inforsink.New(inforsink.Config{
		Brokers:     []string{b.Addr()},
		Group:       "bench-sink",
		Concurrency: concurrency,
		Decoder:     e.serde,
		Applier:     counter,
		Dedupe:      store,
		Logger:      slog.New(slog.NewJSONHandler(io.Discard, nil)),
	})
	if err != nil {
		return result{}, err
	}
	runCtx, stop := context.WithCancel(ctx)
	runErr := make(chan error, 1)
	go func() { runErr <- sk.Run(runCtx) }()
	select {
	case <-counter.done:
	case err := <-runErr:
		stop()
		return result{}, fmt.Errorf("sink stopped early (%d of %d applied): %v", counter.ok.Load(), len(cmds), err)
	case <-time.After(5 * time.Minute):
		stop()
		<-runErr
		return result{}, fmt.Errorf("%d of %d commands applied after 5 minutes (%d failed applies)", counter.ok.Load(), len(cmds), counter.failed.Load())
	}
	stop()
	if err := <-runErr; err != nil && !errors.Is(err, context.Canceled) {
		return result{}, fmt.Errorf("sink: %w", err)
	}
	elapsed := counter.end.Sub(counter.start)
	return result{perSecond: float64(len(cmds)) / elapsed.Seconds(), failed: counter.failed.Load()}, nil
}

// benchEmulator is a memory-only emulator on its own listener, counting
// the MI calls it serves.
type benchEmulator struct {
	emu    *emulator.Emulator
	srv    *http.Server
	url    string
	ionapi string
	calls  atomic.Int64
}

func startEmulator(dir string) (*benchEmulator, error) {
	emu, err := emulator.New(emulator.Config{Tenant: "BENCH"})
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		_ = emu.Close()
		return nil, err
	}
	be := &benchEmulator{emu: emu, url: "http://" + ln.Addr().String(), ionapi: dir + "/BENCH.ionapi"}
	h := emu.Handler()
	be.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "/m3api-rest/") {
			be.calls.Add(1)
		}
		h.ServeHTTP(w, r)
	}), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = be.srv.Serve(ln) }()
	if err := emu.WriteIONAPI(be.ionapi, be.url); err != nil {
		be.close()
		return nil, err
	}
	return be, nil
}

// applier is the sink's applier for this emulator, with an HTTP pool sized
// to the concurrency, as `stripe-infor sink` builds it.
func (be *benchEmulator) applier(concurrency int) (*m3apply.Applier, error) {
	cfg, err := infor.LoadIONAPI(be.ionapi)
	if err != nil {
		return nil, err
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = max(100, 2*concurrency)
	tr.MaxIdleConnsPerHost = max(2, concurrency)
	c, err := infor.NewClient(cfg, infor.WithHTTPClient(&http.Client{Transport: tr}),
		infor.WithLogger(slog.New(slog.NewJSONHandler(io.Discard, nil))))
	if err != nil {
		return nil, err
	}
	return m3apply.New(m3apply.Config{Live: m3.New(c, m3.Config{}), AllowTestModeOnLive: true})
}

func (be *benchEmulator) close() {
	_ = be.emu.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = be.srv.Shutdown(ctx)
}
