package e2e

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/stripe-infor/stripe-infor/infor"
	"github.com/stripe-infor/stripe-infor/infor/emulator"
	"github.com/stripe-infor/stripe-infor/infor/m3"
	"github.com/stripe-infor/stripe-infor/internal/dedupe"
	"github.com/stripe-infor/stripe-infor/internal/embedded/broker"
	embredis "github.com/stripe-infor/stripe-infor/internal/embedded/redis"
	"github.com/stripe-infor/stripe-infor/internal/embedded/registry"
	"github.com/stripe-infor/stripe-infor/internal/kafka"
	"github.com/stripe-infor/stripe-infor/internal/observability"
	"github.com/stripe-infor/stripe-infor/internal/scenario"
	"github.com/stripe-infor/stripe-infor/internal/stripeapi"
	"github.com/stripe-infor/stripe-infor/internal/stripefake"
	"github.com/stripe-infor/stripe-infor/processors"
	"github.com/stripe-infor/stripe-infor/processors/mapping"
	"github.com/stripe-infor/stripe-infor/processors/transform"
	"github.com/stripe-infor/stripe-infor/producer"
	"github.com/stripe-infor/stripe-infor/schemas"
	"github.com/stripe-infor/stripe-infor/sinks/inforsink"
	"github.com/stripe-infor/stripe-infor/sinks/m3apply"
)

const (
	requireRedisEnv = "STRIPE_INFOR_REQUIRE_REDIS"
	webhookSecret   = "whsec_e2e_0123456789"
	// The fake Stripe API's keys, one per mode, as the sink is given them.
	liveKey = "sk_live_e2eFakeLiveKey0123456789"
	testKey = "sk_test_e2eFakeTestKey0123456789"

	processorGroup = "e2e-processors"
	sinkGroup      = "e2e-sink"
	partitions     = 3
)

// stack is the whole pipeline, started once for the package and shared by
// the scenarios (each resets the tenants, Redis and the Stripe ledger
// first, so they do not see each other's data).
type stack struct {
	dir    string
	ctx    context.Context
	cancel context.CancelFunc
	stops  []func() // run in reverse at close

	addr  string // Kafka
	admCl *kgo.Client
	adm   *kadm.Client
	serde *schemas.Serde

	rdb goredis.UniversalClient

	live, sandbox *tenant

	stripe     *stripefake.Server
	stripeLog  *requestLog
	stripeBase string

	webhook string
	sender  *scenario.Sender

	sinkMetrics *inforsink.Metrics
	logs        *logBuffer
}

// tenant is one Infor emulator over real HTTP.
type tenant struct {
	name string
	emu  *emulator.Emulator
	url  string
}

var shared struct {
	once sync.Once
	s    *stack
	skip string
	err  error
}

// getStack starts the shared stack on first use. Without redis-server the
// test is skipped (a failure with STRIPE_INFOR_REQUIRE_REDIS=1).
func getStack(t *testing.T) *stack {
	t.Helper()
	shared.once.Do(func() { shared.s, shared.skip, shared.err = startStack() })
	if shared.skip != "" {
		if os.Getenv(requireRedisEnv) == "1" {
			t.Fatalf("%s and %s=1", shared.skip, requireRedisEnv)
		}
		t.Skip(shared.skip)
	}
	if shared.err != nil {
		t.Fatalf("e2e stack: %v", shared.err)
	}
	s := shared.s
	mark := s.logs.mark()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("stage logs during the test (last lines):\n%s", s.logs.since(mark, 80))
		}
	})
	return s
}

func closeShared() {
	if s := shared.s; s != nil {
		s.close()
	}
}

func (s *stack) onClose(f func()) { s.stops = append(s.stops, f) }

func (s *stack) close() {
	for i := len(s.stops) - 1; i >= 0; i-- {
		s.stops[i]()
	}
	_ = os.RemoveAll(s.dir)
}

// startStack starts every component; skip is set when redis-server is not
// installed.
func startStack() (_ *stack, skip string, err error) {
	bin, lerr := exec.LookPath("redis-server")
	if lerr != nil {
		return nil, "redis-server not found on PATH (install the Debian package redis-server)", nil
	}
	dir, err := os.MkdirTemp("", "stripe-infor-e2e-")
	if err != nil {
		return nil, "", err
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &stack{dir: dir, ctx: ctx, cancel: cancel, logs: &logBuffer{}}
	defer func() {
		if err != nil {
			s.close()
		}
	}()
	s.onClose(cancel)
	log := slog.New(slog.NewJSONHandler(s.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))

	// Kafka, with its log on disk as in dev, and the design's topics.
	b, err := broker.Start(broker.Config{Dir: filepath.Join(dir, "kafka")})
	if err != nil {
		return nil, "", err
	}
	s.onClose(b.Close)
	s.addr = b.Addr()
	if s.admCl, err = kafka.NewAdminClient(kafka.Config{Brokers: []string{s.addr}, ClientID: "e2e-admin"}); err != nil {
		return nil, "", err
	}
	s.onClose(s.admCl.Close)
	s.adm = kadm.NewClient(s.admCl)
	if _, err := kafka.EnsureTopics(ctx, s.adm, kafka.DesignTopics(), kafka.Partitions{Default: partitions}, nil); err != nil {
		return nil, "", err
	}

	// The schema registry and the schemas every stage registers.
	reg, err := registry.Start(registry.Config{Addr: "127.0.0.1:0", Dir: filepath.Join(dir, "registry")})
	if err != nil {
		return nil, "", err
	}
	s.onClose(func() { _ = reg.Close(context.Background()) })
	rc, err := sr.NewClient(sr.URLs(reg.URL()))
	if err != nil {
		return nil, "", err
	}
	if s.serde, err = schemas.Register(ctx, rc); err != nil {
		return nil, "", err
	}

	// Redis, the sink's dedupe.
	rs, err := embredis.Start(ctx, embredis.Config{Addr: "127.0.0.1:0", Dir: filepath.Join(dir, "redis"), Binary: bin})
	if err != nil {
		return nil, "", err
	}
	s.onClose(func() { _ = rs.Close() })
	if s.rdb, err = dedupe.NewClient(rs.URL()); err != nil {
		return nil, "", err
	}
	s.onClose(func() { _ = s.rdb.Close() })
	store, err := dedupe.New(s.rdb, dedupe.Options{Lease: 10 * time.Second})
	if err != nil {
		return nil, "", err
	}

	// Two Infor tenants, and the M3 adapter of each from its .ionapi file.
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, IdleConnTimeout: 30 * time.Second}}
	var adapters [2]*m3.Adapter
	for i, name := range []string{"LIVE", "SANDBOX"} {
		tn, ad, err := s.startTenant(name, hc, log)
		if err != nil {
			return nil, "", err
		}
		adapters[i] = ad
		if i == 0 {
			s.live = tn
		} else {
			s.sandbox = tn
		}
	}

	// The fake Stripe API the sink fetches payouts' transactions from,
	// recording what it was asked.
	s.stripe = stripefake.New(stripefake.WithKeys(liveKey, testKey))
	s.stripeLog = &requestLog{next: s.stripe}
	ssrv := httptest.NewServer(s.stripeLog)
	s.onClose(ssrv.Close)
	s.stripeBase = ssrv.URL
	payouts, err := stripeapi.New(stripeapi.Config{Base: ssrv.URL, LiveKey: liveKey, TestKey: testKey, RatePerSecond: 1000})
	if err != nil {
		return nil, "", err
	}
	app, err := m3apply.New(m3apply.Config{Live: adapters[0], Sandbox: adapters[1], Payouts: payouts})
	if err != nil {
		return nil, "", err
	}

	// The processors and the sink, as dev runs them, with short delays.
	groupOpts := []kgo.Opt{kgo.SessionTimeout(6 * time.Second), kgo.RebalanceTimeout(10 * time.Second),
		kgo.HeartbeatInterval(500 * time.Millisecond), kgo.FetchMaxWait(100 * time.Millisecond)}
	proc, err := processors.New(processors.Config{
		Brokers: []string{s.addr}, KafkaOpts: groupOpts, Group: processorGroup,
		TransactionalID: fmt.Sprintf("e2e-processor-%d", time.Now().UnixNano()),
		SessionTimeout:  6 * time.Second, RebalanceTimeout: 10 * time.Second,
		Transformer: transform.New(mapping.Default()), Encoder: s.serde, Logger: log.With("stage", "processor"),
		Metrics: processors.NewMetrics(nil),
	})
	if err != nil {
		return nil, "", err
	}
	s.runStage("processor", proc.Run)
	s.sinkMetrics = inforsink.NewMetrics(nil)
	sink, err := inforsink.New(inforsink.Config{
		Brokers: []string{s.addr}, Group: sinkGroup, Concurrency: 16,
		InPlaceAttempts: 3, BackoffBase: 10 * time.Millisecond, BackoffMax: 200 * time.Millisecond,
		RetryTiers:         []time.Duration{100 * time.Millisecond, 250 * time.Millisecond, 500 * time.Millisecond},
		DependencyDeadline: 45 * time.Second, CommitInterval: 100 * time.Millisecond, DrainTimeout: 5 * time.Second,
		KafkaOpts: groupOpts, Decoder: s.serde, Applier: app, Dedupe: store, Metrics: s.sinkMetrics,
		Logger: log.With("stage", "sink"),
	})
	if err != nil {
		return nil, "", err
	}
	s.runStage("sink", sink.Run)

	// The webhook, on a real listener.
	pc, err := kafka.NewProducer(kafka.ProducerConfig{Config: kafka.Config{Brokers: []string{s.addr}, ClientID: "e2e-producer"},
		DeliveryTimeout: 5 * time.Second})
	if err != nil {
		return nil, "", err
	}
	srv := producer.NewServer(producer.ServerConfig{Handler: producer.HandlerConfig{Topic: kafka.RawEvents}, Logger: log.With("stage", "producer")},
		producer.NewVerifier(5*time.Minute, webhookSecret), pc, observability.NewHealth())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		pc.Close()
		return nil, "", err
	}
	s.runStage("producer", func(ctx context.Context) error {
		defer pc.Close()
		return srv.Serve(ctx, ln)
	})
	s.webhook = "http://" + ln.Addr().String() + producer.WebhookPath
	s.sender = &scenario.Sender{URL: s.webhook, Secret: webhookSecret}

	if err := s.waitReady(proc, sink); err != nil {
		return nil, "", err
	}
	return s, "", nil
}

// startTenant runs an emulator over HTTP and configures an M3 adapter as a
// customer's tenant is: from the .ionapi file.
func (s *stack) startTenant(name string, hc *http.Client, log *slog.Logger) (*tenant, *m3.Adapter, error) {
	dir := filepath.Join(s.dir, "infor-"+name)
	e, err := emulator.New(emulator.Config{Tenant: name, DataDir: dir})
	if err != nil {
		return nil, nil, err
	}
	srv := httptest.NewServer(e.Handler())
	s.onClose(func() {
		_ = e.Close()
		srv.Close()
	})
	path := filepath.Join(dir, name+".ionapi")
	if err := e.WriteIONAPI(path, srv.URL); err != nil {
		return nil, nil, err
	}
	cfg, err := infor.LoadIONAPI(path)
	if err != nil {
		return nil, nil, err
	}
	c, err := infor.NewClient(cfg, infor.WithHTTPClient(hc), infor.WithTimeout(10*time.Second),
		infor.WithLogger(log.With("component", "infor", "tenant", name)))
	if err != nil {
		return nil, nil, err
	}
	return &tenant{name: name, emu: e, url: srv.URL}, m3.New(c, m3.Config{}), nil
}

// runStage runs a stage until the stack closes.
func (s *stack) runStage(name string, run func(context.Context) error) {
	ctx, cancel := context.WithCancel(s.ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := run(ctx); err != nil && ctx.Err() == nil {
			s.logs.Write([]byte(fmt.Sprintf(`{"stage":%q,"msg":"stopped","err":%q}`+"\n", name, err.Error())))
		}
	}()
	s.onClose(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
		}
	})
}

// waitReady waits until the processor and the sink are in their groups.
func (s *stack) waitReady(proc *processors.Processor, sink *inforsink.Sink) error {
	deadline := time.Now().Add(60 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(s.ctx, time.Second)
		perr, serr := proc.Ready(ctx), sink.Ready(ctx)
		cancel()
		if perr == nil && serr == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not ready after 60 s: processor %v, sink %v", perr, serr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// state reads a tenant's state over HTTP, as make demo does.
func (tn *tenant) state(t *testing.T) *scenario.InforState {
	t.Helper()
	resp, err := http.Get(tn.url + "/_emulator/state")
	if err != nil {
		t.Fatalf("%s state: %v", tn.name, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s state: %s", tn.name, resp.Status)
	}
	st, err := scenario.ReadState(resp.Body)
	if err != nil {
		t.Fatalf("%s state: %v", tn.name, err)
	}
	return st
}
