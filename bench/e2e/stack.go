package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/stripe-infor/stripe-infor/internal/dedupe"
	"github.com/stripe-infor/stripe-infor/internal/embedded/broker"
	"github.com/stripe-infor/stripe-infor/internal/embedded/redis"
	"github.com/stripe-infor/stripe-infor/internal/embedded/registry"
	"github.com/stripe-infor/stripe-infor/internal/kafka"
	"github.com/stripe-infor/stripe-infor/processors"
	"github.com/stripe-infor/stripe-infor/processors/mapping"
	"github.com/stripe-infor/stripe-infor/processors/transform"
	"github.com/stripe-infor/stripe-infor/producer"
	"github.com/stripe-infor/stripe-infor/schemas"
	"github.com/stripe-infor/stripe-infor/sinks/inforsink"
)

// benchSecret signs the load generator's webhooks.
const benchSecret = "whsec_bench_e2e"

// settings are the knobs of the pipeline under test. The defaults are what
// `stripe-infor dev` runs with (cmd/stripe-infor/dev*.go), except where a
// flag says otherwise.
type settings struct {
	sinkConcurrency int
	retryTiers      []time.Duration
	maxRecordsTxn   int
	linger          time.Duration
	emulatorPersist bool
}

// stack is the whole pipeline in this process, wired as dev wires it:
// embedded broker (with a data dir) and registry, redis-server, the
// producer's webhook handler on a real TCP listener, the processor, the
// Infor sink with Redis dedupe, and the Infor emulator over HTTP.
type stack struct {
	dir        string
	webhookURL string
	emu        *observedEmulator
	applier    *stageApplier
	track      *tracker
	redisPID   int // the redis-server child, for its CPU; 0 if not found
	closers    []func()
}

func (s *stack) onClose(f func()) { s.closers = append(s.closers, f) }

// close stops the components in reverse order: the webhook first, the
// broker last.
func (s *stack) close() {
	for i := len(s.closers) - 1; i >= 0; i-- {
		s.closers[i]()
	}
}

func quiet() *slog.Logger { return slog.New(slog.NewJSONHandler(io.Discard, nil)) }

// silentRedis drops go-redis's own messages (it prints every failed dial,
// e.g. while redis-server starts, to stderr); failures that matter come
// back as errors.
type silentRedis struct{}

func (silentRedis) Printf(context.Context, string, ...any) {}

func startStack(ctx context.Context, cfg settings, track *tracker) (_ *stack, err error) {
	dir, err := os.MkdirTemp("", "stripe-infor-bench-e2e-")
	if err != nil {
		return nil, err
	}
	goredis.SetLogger(silentRedis{})
	s := &stack{dir: dir, track: track}
	s.onClose(func() { _ = os.RemoveAll(dir) })
	defer func() {
		if err != nil {
			s.close()
		}
	}()

	var b *broker.Broker
	labeled("broker", func() { b, err = broker.Start(broker.Config{Dir: filepath.Join(dir, "kafka")}) })
	if err != nil {
		return nil, fmt.Errorf("start broker: %w", err)
	}
	s.onClose(b.Close)
	brokers := []string{b.Addr()}
	adm, err := kafka.NewAdminClient(kafka.Config{Brokers: brokers})
	if err != nil {
		return nil, err
	}
	_, err = kafka.EnsureTopics(ctx, kadm.NewClient(adm), kafka.DesignTopics(), kafka.DefaultPartitions(), nil)
	adm.Close()
	if err != nil {
		return nil, fmt.Errorf("create topics: %w", err)
	}

	var reg *registry.Registry
	labeled("registry", func() {
		reg, err = registry.Start(registry.Config{Addr: "127.0.0.1:0", Dir: filepath.Join(dir, "registry")})
	})
	if err != nil {
		return nil, fmt.Errorf("start registry: %w", err)
	}
	s.onClose(func() { _ = reg.Close(context.Background()) })
	rc, err := sr.NewClient(sr.URLs(reg.URL()))
	if err != nil {
		return nil, err
	}
	serde, err := schemas.Register(ctx, rc)
	if err != nil {
		return nil, fmt.Errorf("register schemas: %w", err)
	}

	rs, err := redis.Start(ctx, redis.Config{Addr: "127.0.0.1:0", Dir: filepath.Join(dir, "redis")})
	if err != nil {
		return nil, fmt.Errorf("start redis: %w", err)
	}
	s.onClose(func() { _ = rs.Close() })
	if rs.Mode() != redis.ModeRedisServer {
		return nil, errors.New("the e2e benchmark needs redis-server on PATH (apt-get install redis-server): dedupe is measured against the real server")
	}
	s.redisPID = childPID("redis-server")

	emuData := ""
	if cfg.emulatorPersist {
		emuData = filepath.Join(dir, "infor")
	}
	if s.emu, err = startEmulator(dir, emuData, track); err != nil {
		return nil, err
	}
	s.onClose(s.emu.close)

	labeled("processor", func() { err = s.startProcessor(ctx, cfg, brokers, serde) })
	if err != nil {
		return nil, err
	}
	var reader *committedReader
	labeled("bench-observer", func() { reader, err = startCommittedReader(brokers, track) })
	if err != nil {
		return nil, err
	}
	s.onClose(reader.close)
	labeled("sink", func() { err = s.startSink(ctx, cfg, brokers, serde, rs.URL()) })
	if err != nil {
		return nil, err
	}
	labeled("producer", func() { err = s.startProducer(cfg, brokers) })
	if err != nil {
		return nil, err
	}
	return s, nil
}

// runInBackground runs f until the stack closes, then waits for it.
func (s *stack) runInBackground(ctx context.Context, name string, f func(context.Context) error) {
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := f(rctx); err != nil && rctx.Err() == nil {
			fmt.Fprintf(os.Stderr, "bench: %s stopped: %v\n", name, err)
		}
	}()
	s.onClose(func() { cancel(); <-done })
}

// startProcessor runs the processor as dev does: the default group, batch
// size and mapping, dev's shorter session timeout.
func (s *stack) startProcessor(ctx context.Context, cfg settings, brokers []string, serde *schemas.Serde) error {
	p, err := processors.New(processors.Config{
		Brokers:          brokers,
		TransactionalID:  "bench-e2e-processor",
		MaxRecordsPerTxn: cfg.maxRecordsTxn,
		SessionTimeout:   10 * time.Second,
		Transformer:      transform.New(mapping.Default()),
		Encoder:          serde,
		Logger:           quiet(),
	})
	if err != nil {
		return err
	}
	s.runInBackground(ctx, "processor", p.Run)
	return nil
}

// startSink runs the Infor sink as dev does (dedupe lease 60 s, done TTL 35
// days, session timeout 10 s) with the bench's concurrency and retry tiers,
// its applier wrapped to stamp the stages.
func (s *stack) startSink(ctx context.Context, cfg settings, brokers []string, serde *schemas.Serde, redisURL string) error {
	a, c, err := s.emu.applier(cfg.sinkConcurrency)
	if err != nil {
		return err
	}
	s.onClose(func() { _ = c.Close(context.Background()) })
	s.applier = &stageApplier{next: a, track: s.track}
	rc, err := dedupe.NewClient(redisURL)
	if err != nil {
		return err
	}
	s.onClose(func() { _ = rc.Close() })
	store, err := dedupe.New(rc, dedupe.Options{Lease: 60 * time.Second, DoneTTL: 840 * time.Hour})
	if err != nil {
		return err
	}
	sk, err := inforsink.New(inforsink.Config{
		Brokers:     brokers,
		Concurrency: cfg.sinkConcurrency,
		RetryTiers:  cfg.retryTiers,
		KafkaOpts: []kgo.Opt{
			kgo.SessionTimeout(10 * time.Second),
			kgo.HeartbeatInterval(3 * time.Second),
		},
		Decoder: serde,
		Applier: s.applier,
		Dedupe:  store,
		Logger:  quiet(),
	})
	if err != nil {
		return err
	}
	s.runInBackground(ctx, "sink", sk.Run)
	return nil
}

// startProducer serves the producer's webhook handler on a loopback
// listener, publishing with the client `stripe-infor producer` uses
// (acks=all, idempotent), wrapped to stamp each 2xx.
func (s *stack) startProducer(cfg settings, brokers []string) error {
	cl, err := kafka.NewProducer(kafka.ProducerConfig{
		Config:          kafka.Config{Brokers: brokers, ClientID: "stripe-infor-producer"},
		DeliveryTimeout: producer.DefaultProduceTimeout,
		Linger:          cfg.linger,
	})
	if err != nil {
		return err
	}
	s.onClose(cl.Close)
	h := producer.NewHandler(producer.HandlerConfig{Topic: kafka.RawEvents, Logger: quiet()},
		producer.NewVerifier(producer.DefaultTolerance, benchSecret), cl)
	mux := http.NewServeMux()
	mux.Handle(producer.WebhookPath, ackRecorder(h, s.track))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	s.onClose(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	})
	s.webhookURL = "http://" + ln.Addr().String() + producer.WebhookPath
	return nil
}
