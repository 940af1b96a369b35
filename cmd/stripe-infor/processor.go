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
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/stripe-infor/stripe-infor/internal/config"
	"github.com/stripe-infor/stripe-infor/internal/kafka"
	"github.com/stripe-infor/stripe-infor/internal/observability"
	"github.com/stripe-infor/stripe-infor/internal/srclient"
	"github.com/stripe-infor/stripe-infor/processors"
	"github.com/stripe-infor/stripe-infor/processors/mapping"
	"github.com/stripe-infor/stripe-infor/processors/transform"
	"github.com/stripe-infor/stripe-infor/schemas"
)

// processorSettings is everything the processor stage reads from env and
// flags.
type processorSettings struct {
	addr           string
	brokers        string
	registryURL    string
	mappingFile    string
	group          string
	txnID          string
	maxRecords     int
	sessionTimeout time.Duration
	rebalance      time.Duration
	logLevel       string
	createTopics   bool
	partitions     string
	// kafkaSecurity is SASL and TLS (KAFKA_SASL_*, KAFKA_TLS_*) for the
	// transactional consumer-producer; nil in dev.
	kafkaSecurity *kafka.Security
}

// bindProcessorFlags declares the processor's flags with defaults from the
// environment, so a flag on the command line overrides the env.
func bindProcessorFlags(fs *flag.FlagSet, s *processorSettings) error {
	var err error
	env := func(name, def string) string {
		v, e := config.String(name, def)
		if e != nil && err == nil {
			err = e
		}
		return v
	}
	maxRecords, e := strconv.Atoi(env("PROCESSOR_MAX_RECORDS_PER_TXN", strconv.Itoa(processors.DefaultMaxRecordsPerTxn)))
	if e != nil {
		return fmt.Errorf("PROCESSOR_MAX_RECORDS_PER_TXN must be a positive number")
	}
	session, e := config.Duration("PROCESSOR_SESSION_TIMEOUT", processors.DefaultSessionTimeout)
	if e != nil {
		return e
	}
	fs.StringVar(&s.addr, "addr", env("PROCESSOR_ADDR", ":8082"), "listen address for /healthz, /readyz and /metrics (PROCESSOR_ADDR)")
	fs.StringVar(&s.brokers, "kafka-brokers", env("KAFKA_BROKERS", ""), "Kafka bootstrap servers, comma-separated (KAFKA_BROKERS)")
	fs.StringVar(&s.registryURL, "schema-registry-url", env("SCHEMA_REGISTRY_URL", ""), "Confluent schema registry URL (SCHEMA_REGISTRY_URL)")
	fs.StringVar(&s.mappingFile, "mapping-file", env("MAPPING_FILE", ""), "mapping rules (YAML); default: the built-in mapping (MAPPING_FILE)")
	fs.StringVar(&s.group, "group", env("PROCESSOR_GROUP", processors.DefaultGroup), "consumer group shared by all processor instances (PROCESSOR_GROUP)")
	fs.StringVar(&s.txnID, "transactional-id", env("PROCESSOR_TRANSACTIONAL_ID", processors.DefaultTransactionalID()), "Kafka transactional id, unique per running instance (PROCESSOR_TRANSACTIONAL_ID)")
	fs.IntVar(&s.maxRecords, "max-records-per-txn", maxRecords, "most raw records per Kafka transaction (PROCESSOR_MAX_RECORDS_PER_TXN)")
	fs.DurationVar(&s.sessionTimeout, "session-timeout", session, "consumer group session timeout: how soon a crashed instance's partitions move (PROCESSOR_SESSION_TIMEOUT)")
	rebalance, e := config.Duration("PROCESSOR_REBALANCE_TIMEOUT", processors.DefaultRebalanceTimeout)
	if e != nil {
		return e
	}
	fs.DurationVar(&s.rebalance, "rebalance-timeout", rebalance, "consumer group rebalance timeout: how long a rebalance waits for members (PROCESSOR_REBALANCE_TIMEOUT)")
	fs.StringVar(&s.logLevel, "log-level", env("LOG_LEVEL", "info"), "debug, info, warn or error (LOG_LEVEL)")
	fs.StringVar(&s.partitions, "partitions", env("KAFKA_TOPIC_PARTITIONS", ""), "partition counts for topics created by --create-topics (KAFKA_TOPIC_PARTITIONS)")
	return err
}

// validate checks the final values, after flags have overridden the env.
func (s processorSettings) validate() error {
	switch {
	case s.maxRecords <= 0:
		return fmt.Errorf("PROCESSOR_MAX_RECORDS_PER_TXN (--max-records-per-txn) must be positive, got %d", s.maxRecords)
	case s.sessionTimeout <= 0:
		return fmt.Errorf("PROCESSOR_SESSION_TIMEOUT (--session-timeout) must be positive, got %s", s.sessionTimeout)
	case s.rebalance <= 0:
		return fmt.Errorf("PROCESSOR_REBALANCE_TIMEOUT (--rebalance-timeout) must be positive, got %s", s.rebalance)
	case s.group == "":
		return fmt.Errorf("PROCESSOR_GROUP (--group) must not be empty")
	case s.txnID == "":
		return fmt.Errorf("PROCESSOR_TRANSACTIONAL_ID (--transactional-id) must not be empty")
	}
	return nil
}

// loadMapping reads MAPPING_FILE, or returns the built-in mapping when it is
// not set. The second result says which, for the logs and the dev banner.
func loadMapping(path string) (*mapping.Config, string, error) {
	if path == "" {
		return mapping.Default(), "built-in default", nil
	}
	m, err := mapping.Load(path)
	if err != nil {
		return nil, "", fmt.Errorf("MAPPING_FILE %s is not a valid mapping:\n%w", path, err)
	}
	return m, path, nil
}

// processorStage is the processor wired to Kafka and the schema registry.
// Schemas are registered in run, not at construction, so that the stage can
// report itself not ready (rather than crash-loop) while the registry is
// still coming up.
type processorStage struct {
	s        processorSettings
	brokers  []string
	registry *sr.Client
	mapping  *mapping.Config
	mapName  string
	log      *slog.Logger
	metrics  *processors.Metrics

	registered atomic.Bool
	proc       atomic.Pointer[processors.Processor]
}

// newProcessorStage checks the settings and loads the mapping; brokers and
// registryURL are passed apart from s because dev fills them in.
func newProcessorStage(s processorSettings, brokers []string, registryURL string, log *slog.Logger, reg prometheus.Registerer, health *observability.Health) (*processorStage, error) {
	if len(brokers) == 0 {
		return nil, &config.MissingError{Name: "KAFKA_BROKERS"}
	}
	if registryURL == "" {
		return nil, &config.MissingError{Name: "SCHEMA_REGISTRY_URL"}
	}
	if err := s.validate(); err != nil {
		return nil, err
	}
	m, name, err := loadMapping(s.mappingFile)
	if err != nil {
		return nil, err
	}
	rc, err := srclient.New(registryURL)
	if err != nil {
		return nil, err
	}
	st := &processorStage{s: s, brokers: brokers, registry: rc, mapping: m, mapName: name, log: log, metrics: processors.NewMetrics(reg)}
	health.Add("schemas", func(context.Context) error {
		if !st.registered.Load() {
			return errors.New("schemas not registered yet")
		}
		return nil
	})
	health.Add("processor", func(ctx context.Context) error {
		p := st.proc.Load()
		if p == nil {
			return errors.New("processor not started")
		}
		return p.Ready(ctx)
	})
	log.Info("mapping loaded", "mapping", name)
	return st, nil
}

// register registers every topic's schema (registerSchemas).
func (st *processorStage) register(ctx context.Context) (*schemas.Serde, error) {
	return registerSchemas(ctx, st.registry, st.log, &st.registered)
}

// run registers the schemas, then processes until ctx ends or the Kafka
// client fails for good.
func (st *processorStage) run(ctx context.Context) error {
	serde, err := st.register(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	secOpts, err := st.s.kafkaSecurity.Opts()
	if err != nil {
		return err
	}
	p, err := processors.New(processors.Config{
		Brokers:          st.brokers,
		KafkaOpts:        secOpts,
		Group:            st.s.group,
		TransactionalID:  st.s.txnID,
		MaxRecordsPerTxn: st.s.maxRecords,
		SessionTimeout:   st.s.sessionTimeout,
		RebalanceTimeout: st.s.rebalance,
		Transformer:      transform.New(st.mapping),
		Encoder:          serde,
		Logger:           st.log,
		Metrics:          st.metrics,
	})
	if err != nil {
		return err
	}
	st.proc.Store(p)
	return p.Run(ctx)
}

// runProcessor is `stripe-infor processor`: the processor stage alone,
// against an existing Kafka cluster and schema registry.
func runProcessor(ctx context.Context, args []string, _, stderr io.Writer) error {
	fs := flag.NewFlagSet("processor", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var s processorSettings
	if err := bindProcessorFlags(fs, &s); err != nil {
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
	brokers := config.List(s.brokers)
	stage, err := newProcessorStage(s, brokers, s.registryURL, log, reg, health)
	if err != nil {
		return err
	}
	if err := kafkaPreflight(ctx, brokers, s.kafkaSecurity, log); err != nil {
		return err
	}
	if s.createTopics {
		if err := ensureTopicsWith(ctx, brokers, s.kafkaSecurity, s.partitions, log); err != nil {
			return err
		}
	}
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", s.addr, err)
	}
	mux := http.NewServeMux()
	health.Register(mux, reg)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("health server failed", "err", err)
		}
	}()
	log.Info("processor listening", "addr", ln.Addr().String(), "group", s.group, "mapping", stage.mapName)

	err = stage.run(ctx)
	health.SetDraining()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(sctx)
	return err
}
