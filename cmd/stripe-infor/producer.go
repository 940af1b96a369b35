package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/stripe-infor/stripe-infor/internal/config"
	"github.com/stripe-infor/stripe-infor/internal/kafka"
	"github.com/stripe-infor/stripe-infor/internal/observability"
	"github.com/stripe-infor/stripe-infor/producer"
)

// producerSettings is everything the producer stage reads from env and flags.
type producerSettings struct {
	addr           string
	brokers        string
	tolerance      time.Duration
	maxBody        int64
	produceTimeout time.Duration
	logLevel       string
	createTopics   bool
	partitions     string
	drainDelay     time.Duration
	// kafkaSecurity is SASL and TLS (KAFKA_SASL_*, KAFKA_TLS_*); nil in
	// dev, whose embedded broker is plaintext.
	kafkaSecurity *kafka.Security
}

// bindProducerFlags declares the producer's flags with defaults taken from
// the environment, so a flag given on the command line overrides the env.
func bindProducerFlags(fs *flag.FlagSet, s *producerSettings, defAddr string) error {
	var err error
	env := func(name, def string) string {
		v, e := config.String(name, def)
		if e != nil && err == nil {
			err = e
		}
		return v
	}
	tol, e := config.Duration("STRIPE_WEBHOOK_TOLERANCE", producer.DefaultTolerance)
	if e != nil {
		return e
	}
	pto, e := config.Duration("WEBHOOK_PRODUCE_TIMEOUT", producer.DefaultProduceTimeout)
	if e != nil {
		return e
	}
	maxBody, e := strconv.ParseInt(env("WEBHOOK_MAX_BODY_BYTES", strconv.Itoa(producer.DefaultMaxBodyBytes)), 10, 64)
	if e != nil || maxBody <= 0 {
		return fmt.Errorf("WEBHOOK_MAX_BODY_BYTES must be a positive number of bytes")
	}
	fs.StringVar(&s.addr, "addr", env("PRODUCER_ADDR", defAddr), "listen address for the webhook, /healthz, /readyz and /metrics (PRODUCER_ADDR)")
	fs.StringVar(&s.brokers, "kafka-brokers", env("KAFKA_BROKERS", ""), "Kafka bootstrap servers, comma-separated (KAFKA_BROKERS)")
	fs.DurationVar(&s.tolerance, "tolerance", tol, "accepted clock difference of a signature timestamp, both directions (STRIPE_WEBHOOK_TOLERANCE)")
	fs.Int64Var(&s.maxBody, "max-body-bytes", maxBody, "largest webhook body accepted; larger gets 413 (WEBHOOK_MAX_BODY_BYTES)")
	fs.DurationVar(&s.produceTimeout, "produce-timeout", pto, "wait for the broker's ack before answering 503 (WEBHOOK_PRODUCE_TIMEOUT)")
	fs.StringVar(&s.logLevel, "log-level", env("LOG_LEVEL", "info"), "debug, info, warn or error (LOG_LEVEL); debug logs every accepted event")
	drain, e := config.Duration("WEBHOOK_DRAIN_DELAY", 0)
	if e != nil {
		return e
	}
	fs.DurationVar(&s.drainDelay, "drain-delay", drain, "at shutdown, keep serving this long with /readyz red so a load balancer stops routing here (WEBHOOK_DRAIN_DELAY; e.g. 5s behind a Kubernetes Service)")
	fs.StringVar(&s.partitions, "partitions", env("KAFKA_TOPIC_PARTITIONS", ""), "partition counts for topics created at start, e.g. stripe.events.raw=12,default=6 (KAFKA_TOPIC_PARTITIONS)")
	return err
}

// validate checks the final values, after flags have overridden the env.
func (s producerSettings) validate() error {
	switch {
	case s.tolerance <= 0:
		return fmt.Errorf("STRIPE_WEBHOOK_TOLERANCE (--tolerance) must be positive, got %s", s.tolerance)
	case s.maxBody <= 0:
		return fmt.Errorf("WEBHOOK_MAX_BODY_BYTES (--max-body-bytes) must be positive, got %d", s.maxBody)
	case s.produceTimeout <= 0:
		return fmt.Errorf("WEBHOOK_PRODUCE_TIMEOUT (--produce-timeout) must be positive, got %s", s.produceTimeout)
	case s.drainDelay < 0:
		return fmt.Errorf("WEBHOOK_DRAIN_DELAY (--drain-delay) must not be negative")
	}
	return nil
}

// producerStage is the webhook producer wired to Kafka.
type producerStage struct {
	server   *producer.Server
	client   *kgo.Client
	secret   *config.Watched
	verifier *producer.Verifier
	log      *slog.Logger
}

// newProducerStage connects the Kafka client and builds the server. The
// webhook secret comes from STRIPE_WEBHOOK_SECRET(_FILE); defSecret is used
// when it is absent (dev), and absence is an error when defSecret is "".
func newProducerStage(s producerSettings, defSecret string, log *slog.Logger, reg *prometheus.Registry, health *observability.Health) (*producerStage, error) {
	brokers := config.List(s.brokers)
	if len(brokers) == 0 {
		return nil, &config.MissingError{Name: "KAFKA_BROKERS"}
	}
	if err := s.validate(); err != nil {
		return nil, err
	}
	verifier := producer.NewVerifier(s.tolerance)
	secret, err := config.Watch("STRIPE_WEBHOOK_SECRET", defSecret, defSecret == "", func(v string) {
		verifier.SetSecrets(config.List(v))
	}, log)
	if err != nil {
		return nil, err
	}
	if verifier.SecretCount() == 0 {
		return nil, &config.MissingError{Name: "STRIPE_WEBHOOK_SECRET"}
	}
	client, err := kafka.NewProducer(kafka.ProducerConfig{
		Config:          kafka.Config{Brokers: brokers, ClientID: "stripe-infor-producer", Logger: log, Security: s.kafkaSecurity},
		DeliveryTimeout: s.produceTimeout,
	})
	if err != nil {
		return nil, err
	}
	health.Add("kafka", producer.BrokerCheck(client, kafka.RawEvents))
	metrics := producer.NewMetrics(reg)
	srv := producer.NewServer(producer.ServerConfig{
		Handler: producer.HandlerConfig{
			Topic:          kafka.RawEvents,
			MaxBodyBytes:   s.maxBody,
			ProduceTimeout: s.produceTimeout,
			Metrics:        metrics,
			Logger:         log,
		},
		ShutdownGrace: s.produceTimeout + 10*time.Second,
		DrainDelay:    s.drainDelay,
		Gatherer:      reg,
		Logger:        log,
	}, verifier, client, health)
	return &producerStage{server: srv, client: client, secret: secret, verifier: verifier, log: log}, nil
}

// run serves until ctx ends, then drains in-flight webhooks and flushes the
// Kafka client before returning.
func (p *producerStage) run(ctx context.Context, ln net.Listener) error {
	wctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go p.secret.Run(wctx, config.DefaultWatchInterval)
	err := p.server.Serve(ctx, ln)
	fctx, fcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer fcancel()
	if ferr := p.client.Flush(fctx); ferr != nil && err == nil {
		err = fmt.Errorf("flush kafka producer: %w", ferr)
	}
	p.client.Close()
	return err
}

func newRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

// runProducer is `stripe-infor producer`: the webhook stage alone, against an
// existing Kafka cluster.
func runProducer(ctx context.Context, args []string, _, stderr io.Writer) error {
	fs := flag.NewFlagSet("producer", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var s producerSettings
	if err := bindProducerFlags(fs, &s, ":8080"); err != nil {
		return err
	}
	fs.BoolVar(&s.createTopics, "create-topics", false, "create missing pipeline topics at start (needs topic-create rights)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	log, err := observability.NewLogger(stderr, s.logLevel)
	if err != nil {
		return err
	}
	if s.kafkaSecurity, err = kafkaSecurity(log); err != nil {
		return err
	}
	reg, health := newRegistry(), observability.NewHealth()
	stage, err := newProducerStage(s, "", log, reg, health)
	if err != nil {
		return err
	}
	if err := kafkaPreflight(ctx, config.List(s.brokers), s.kafkaSecurity, log); err != nil {
		stage.client.Close()
		return err
	}
	if s.createTopics {
		if err := ensureTopicsWith(ctx, config.List(s.brokers), s.kafkaSecurity, s.partitions, log); err != nil {
			stage.client.Close()
			return err
		}
	}
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		stage.client.Close()
		return fmt.Errorf("listen %s: %w", s.addr, err)
	}
	log.Info("producer listening", "addr", ln.Addr().String(), "path", producer.WebhookPath,
		"secrets", stage.verifier.SecretCount(), "secret_from_file", stage.secret.FromFile())
	return stage.run(ctx, ln)
}
