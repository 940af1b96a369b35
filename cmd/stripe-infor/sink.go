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
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	goredis "github.com/redis/go-redis/v9"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/stripe-infor/stripe-infor/infor"
	"github.com/stripe-infor/stripe-infor/infor/m3"
	"github.com/stripe-infor/stripe-infor/internal/config"
	"github.com/stripe-infor/stripe-infor/internal/dedupe"
	"github.com/stripe-infor/stripe-infor/internal/kafka"
	"github.com/stripe-infor/stripe-infor/internal/observability"
	"github.com/stripe-infor/stripe-infor/internal/retry"
	"github.com/stripe-infor/stripe-infor/internal/srclient"
	"github.com/stripe-infor/stripe-infor/internal/stripeapi"
	"github.com/stripe-infor/stripe-infor/schemas"
	"github.com/stripe-infor/stripe-infor/sinks/inforsink"
	"github.com/stripe-infor/stripe-infor/sinks/m3apply"
)

// Sink defaults that live here rather than in inforsink: they are about the
// deployment (Redis state lifetime, group membership), not the runtime.
const (
	defaultDedupeLease = 60 * time.Second
	// defaultDedupeTTL is 35 days: Stripe retries an event for up to 30
	// days, so a command's done state must outlive that.
	defaultDedupeTTL = 840 * time.Hour
	// minDedupeTTL is the floor: a done state that expires before
	// Stripe stops retrying would let a late retry apply a command again
	// (Infor's lookups would still catch it, but Redis is the first line).
	minDedupeTTL = 720 * time.Hour
	// The group timeouts are the processor's: a crashed sink's partitions
	// move after the session timeout.
	defaultSinkSessionTimeout   = 45 * time.Second
	defaultSinkRebalanceTimeout = 60 * time.Second
)

// sinkSettings is everything the sink stage reads from env and flags.
// Secrets (the Stripe keys, the alert webhook URL) come from the
// environment or X_FILE only, never from flags: a flag's value shows in
// process listings and, as a default, in -h.
type sinkSettings struct {
	addr               string
	brokers            string
	registryURL        string
	redisURL           string // may hold a password: never shown
	ionapiFile         string
	sandboxIonapiFile  string
	stripeBase         string
	group              string
	concurrency        int
	inPlaceAttempts    int
	retryTiers         []time.Duration
	dependencyDeadline time.Duration
	dedupeLease        time.Duration
	dedupeTTL          time.Duration
	sessionTimeout     time.Duration
	rebalanceTimeout   time.Duration
	logLevel           string
	createTopics       bool
	partitions         string

	stripeKey     string // secret
	stripeTestKey string // secret
	alertURL      string // secret (Slack webhook URLs are)

	// allowTestModeOnLive sends test-mode commands to the live tenant when
	// there is no sandbox tenant: dev only, where both are the emulator.
	allowTestModeOnLive bool

	// kafkaSecurity is SASL and TLS (KAFKA_SASL_*, KAFKA_TLS_*) for the
	// group consumer and the retry/DLQ producer; nil in dev.
	kafkaSecurity *kafka.Security

	// Rotation (sinksecrets.go): when a secret comes from its X_FILE, its
	// function returns the file's current content; nil uses the plain value
	// above, fixed at start (dev, or a plain variable).
	stripeKeyFn, stripeTestKeyFn, alertURLFn func() string
	// redisPassword (REDIS_PASSWORD, secret) overrides REDIS_URL's password;
	// redisPasswordFn returns its current value.
	redisPassword   string
	redisPasswordFn func() string
	// redisCAFile is REDIS_TLS_CA_FILE, the CA of a rediss:// server.
	redisCAFile string
}

// durationList is a flag.Value for SINK_RETRY_TIERS.
type durationList struct {
	name string
	d    *[]time.Duration
}

func (l durationList) String() string {
	if l.d == nil {
		return ""
	}
	parts := make([]string, len(*l.d))
	for i, d := range *l.d {
		parts[i] = d.String()
	}
	return strings.Join(parts, ",")
}

func (l durationList) Set(v string) error {
	d, err := parseRetryTiers(l.name, v)
	if err != nil {
		return err
	}
	*l.d = d
	return nil
}

// parseRetryTiers reads "10s,1m,10m,1h": each tier a positive duration, in
// the order they are used.
func parseRetryTiers(name, v string) ([]time.Duration, error) {
	items := config.List(v)
	if len(items) == 0 {
		return nil, fmt.Errorf("%s: at least one delay is needed, e.g. 10s,1m,10m,1h", name)
	}
	out := make([]time.Duration, 0, len(items))
	for _, it := range items {
		d, err := config.ParseDuration(name, it)
		if err != nil {
			return nil, err
		}
		if d <= 0 {
			return nil, fmt.Errorf("%s: delay %q must be positive", name, it)
		}
		out = append(out, d)
	}
	return out, nil
}

// bindSinkFlags declares the sink's flags with defaults from the
// environment, so a flag on the command line overrides the env, and reads
// the secrets, which have no flags.
func bindSinkFlags(fs *flag.FlagSet, s *sinkSettings) error {
	var err error
	keep := func(e error) {
		if e != nil && err == nil {
			err = e
		}
	}
	env := func(name, def string) string {
		v, e := config.String(name, def)
		keep(e)
		return v
	}
	dur := func(name string, def time.Duration) time.Duration {
		v, e := config.Duration(name, def)
		keep(e)
		return v
	}
	num := func(name string, def int) int {
		raw := env(name, strconv.Itoa(def))
		v, e := strconv.Atoi(raw)
		if e != nil {
			keep(fmt.Errorf("%s must be a whole number, got %q", name, raw))
			return def
		}
		return v
	}
	fs.StringVar(&s.addr, "addr", env("SINK_ADDR", ":8083"), "listen address for /healthz, /readyz and /metrics (SINK_ADDR)")
	fs.StringVar(&s.brokers, "kafka-brokers", env("KAFKA_BROKERS", ""), "Kafka bootstrap servers, comma-separated (KAFKA_BROKERS; required)")
	fs.StringVar(&s.registryURL, "schema-registry-url", env("SCHEMA_REGISTRY_URL", ""), "Confluent schema registry URL (SCHEMA_REGISTRY_URL; required)")
	// No env-derived default: the flag package prints defaults in -h, and
	// a Redis URL may hold a password. REDIS_URL is read after parsing.
	fs.StringVar(&s.redisURL, "redis-url", "", "Redis for command dedupe: redis://, rediss://, Sentinel or Cluster form, see internal/dedupe (default: REDIS_URL; required)")
	fs.StringVar(&s.ionapiFile, "infor-ionapi-file", env("INFOR_IONAPI_FILE", ""), "the .ionapi file of the Infor tenant for live-mode commands (INFOR_IONAPI_FILE; required)")
	fs.StringVar(&s.sandboxIonapiFile, "infor-sandbox-ionapi-file", env("INFOR_SANDBOX_IONAPI_FILE", ""), "the .ionapi file of the Infor tenant for test-mode (livemode=false) commands; without it those go to the DLQ (INFOR_SANDBOX_IONAPI_FILE)")
	fs.StringVar(&s.stripeBase, "stripe-api-base", env("STRIPE_API_BASE", "https://api.stripe.com"), "Stripe API base URL, e.g. a stripe-mock for tests (STRIPE_API_BASE)")
	fs.StringVar(&s.group, "group", env("SINK_GROUP", inforsink.DefaultGroup), "consumer group shared by all sink instances (SINK_GROUP)")
	fs.IntVar(&s.concurrency, "concurrency", num("SINK_CONCURRENCY", inforsink.DefaultConcurrency), "most commands applied in Infor at once, across keys; one key is always applied in order (SINK_CONCURRENCY)")
	fs.IntVar(&s.inPlaceAttempts, "in-place-attempts", num("SINK_IN_PLACE_ATTEMPTS", inforsink.DefaultInPlaceAttempts), "tries of a transient failure (5xx, timeout, 429) in place, before the retry topic (SINK_IN_PLACE_ATTEMPTS)")
	s.retryTiers = inforsink.DefaultRetryTiers
	if v, ok, e := config.Lookup("SINK_RETRY_TIERS"); e != nil {
		keep(e)
	} else if ok {
		tiers, e := parseRetryTiers("SINK_RETRY_TIERS", v)
		keep(e)
		if e == nil {
			s.retryTiers = tiers
		}
	}
	fs.Var(durationList{"SINK_RETRY_TIERS (--retry-tiers)", &s.retryTiers}, "retry-tiers", "delays of the retry topic, comma-separated; the DLQ after the last (SINK_RETRY_TIERS)")
	fs.DurationVar(&s.dependencyDeadline, "dependency-deadline", dur("SINK_DEPENDENCY_DEADLINE", inforsink.DefaultDependencyDeadline), "how long a command whose prerequisite is not in Infor yet is retried before the DLQ (SINK_DEPENDENCY_DEADLINE)")
	fs.DurationVar(&s.dedupeLease, "dedupe-lease", dur("SINK_DEDUPE_LEASE", defaultDedupeLease), "lease of a command being applied: a crashed sink's command is taken up again after it (SINK_DEDUPE_LEASE)")
	fs.DurationVar(&s.dedupeTTL, "dedupe-ttl", dur("SINK_DEDUPE_TTL", defaultDedupeTTL), "how long an applied command is remembered; at least 720h, Stripe's 30-day retry window (SINK_DEDUPE_TTL)")
	fs.DurationVar(&s.sessionTimeout, "session-timeout", dur("SINK_SESSION_TIMEOUT", defaultSinkSessionTimeout), "consumer group session timeout: how soon a crashed instance's partitions move (SINK_SESSION_TIMEOUT)")
	fs.DurationVar(&s.rebalanceTimeout, "rebalance-timeout", dur("SINK_REBALANCE_TIMEOUT", defaultSinkRebalanceTimeout), "consumer group rebalance timeout (SINK_REBALANCE_TIMEOUT)")
	fs.StringVar(&s.logLevel, "log-level", env("LOG_LEVEL", "info"), "debug, info, warn or error (LOG_LEVEL); debug logs every applied command")
	fs.StringVar(&s.partitions, "partitions", env("KAFKA_TOPIC_PARTITIONS", ""), "partition counts for topics created by --create-topics (KAFKA_TOPIC_PARTITIONS)")

	s.stripeKey = env("STRIPE_API_KEY", "")
	s.stripeTestKey = env("STRIPE_TEST_API_KEY", "")
	s.alertURL = env("ALERT_WEBHOOK_URL", "")
	return err
}

// sinkSecretsHelp is printed after the flags: the settings without flags.
const sinkSecretsHelp = `
Secrets, from the environment or a file named by X_FILE only (never flags):
  STRIPE_API_KEY       Stripe secret or restricted key (required): the sink
                       fetches a payout's balance transactions to reconcile it
  STRIPE_TEST_API_KEY  key for test-mode (livemode=false) payouts; default:
                       STRIPE_API_KEY when that is an sk_test_/rk_test_ key
  ALERT_WEBHOOK_URL    optional: every DLQ write is also posted here as a
                       JSON alert (Slack-compatible "text"), rate-limited
  REDIS_URL            the dedupe Redis (also --redis-url)
  REDIS_PASSWORD       optional: replaces REDIS_URL's password
  REDIS_TLS_CA_FILE    optional: CA bundle (PEM) of a rediss:// server
  KAFKA_SASL_PASSWORD  with KAFKA_SASL_MECHANISM and KAFKA_SASL_USERNAME;
                       KAFKA_TLS_* for TLS (see the README)
Given as X_FILE, the Stripe keys, the alert URL, the Redis and Kafka
passwords, the CA and certificate files and the .ionapi files are re-read
while the sink runs: a rotated Secret needs no restart.
`

// validate checks the final values, after flags have overridden the env.
// Required settings are checked first, in the order an operator sets them.
func (s sinkSettings) validate() error {
	switch {
	case len(config.List(s.brokers)) == 0:
		return &config.MissingError{Name: "KAFKA_BROKERS"}
	case s.registryURL == "":
		return &config.MissingError{Name: "SCHEMA_REGISTRY_URL"}
	case s.redisURL == "":
		return &config.MissingError{Name: "REDIS_URL"}
	case s.ionapiFile == "":
		return &config.MissingError{Name: "INFOR_IONAPI_FILE"}
	case s.stripeKey == "":
		return fmt.Errorf("%w; the sink needs it to fetch a payout's balance transactions from Stripe", &config.MissingError{Name: "STRIPE_API_KEY"})
	}
	return s.validateTuning()
}

// validateTuning checks the settings that have defaults; dev, which fills
// the required ones itself, checks only these.
func (s sinkSettings) validateTuning() error {
	switch {
	case s.group == "":
		return fmt.Errorf("SINK_GROUP (--group) must not be empty")
	case s.concurrency <= 0:
		return fmt.Errorf("SINK_CONCURRENCY (--concurrency) must be positive, got %d", s.concurrency)
	case s.inPlaceAttempts <= 0:
		return fmt.Errorf("SINK_IN_PLACE_ATTEMPTS (--in-place-attempts) must be at least 1, got %d", s.inPlaceAttempts)
	case len(s.retryTiers) == 0:
		return fmt.Errorf("SINK_RETRY_TIERS (--retry-tiers) needs at least one delay")
	case s.dependencyDeadline <= 0:
		return fmt.Errorf("SINK_DEPENDENCY_DEADLINE (--dependency-deadline) must be positive, got %s", s.dependencyDeadline)
	case s.dedupeLease <= 0:
		return fmt.Errorf("SINK_DEDUPE_LEASE (--dedupe-lease) must be positive, got %s", s.dedupeLease)
	case s.dedupeTTL < minDedupeTTL:
		return fmt.Errorf("SINK_DEDUPE_TTL (--dedupe-ttl) must be at least %s (30 days: Stripe retries events that long), got %s", minDedupeTTL, s.dedupeTTL)
	case s.sessionTimeout <= 0:
		return fmt.Errorf("SINK_SESSION_TIMEOUT (--session-timeout) must be positive, got %s", s.sessionTimeout)
	case s.rebalanceTimeout <= 0:
		return fmt.Errorf("SINK_REBALANCE_TIMEOUT (--rebalance-timeout) must be positive, got %s", s.rebalanceTimeout)
	}
	return nil
}

// sinkStage is the Infor sink wired to Kafka, the schema registry, Redis,
// Infor and Stripe. Schemas are registered in run, not at construction, so
// the stage reports itself not ready (rather than crash-looping) while the
// registry comes up; nothing at construction touches the network.
type sinkStage struct {
	s        sinkSettings
	brokers  []string
	registry *sr.Client
	log      *slog.Logger
	metrics  *inforsink.Metrics
	redis    goredis.UniversalClient
	store    *dedupe.Store
	applier  *m3apply.Applier
	alerter  *rotatingAlerter
	infor    []*infor.Client
	ionapi   []string // the .ionapi file of each client in infor, watched for rotated keys
	// gate is shared by the sink and the Infor clients' transport: a 429's
	// Retry-After holds every Infor call, not only new Applies.
	gate    *retry.Gate
	tenants string // "LIVE, sandbox TEST" or "DEV (test-mode commands too)", for the log

	registered atomic.Bool
	sink       atomic.Pointer[inforsink.Sink]
}

// newSinkStage checks s and builds every client. payouts is where
// ReconcilePayout's balance transactions come from (the Stripe API in
// production; dev may have none).
func newSinkStage(s sinkSettings, payouts m3apply.PayoutSource, log *slog.Logger, reg prometheus.Registerer, health *observability.Health) (_ *sinkStage, err error) {
	if err := s.validateTuning(); err != nil {
		return nil, err
	}
	brokers := config.List(s.brokers)
	if len(brokers) == 0 {
		return nil, &config.MissingError{Name: "KAFKA_BROKERS"}
	}
	rc, err := srclient.New(s.registryURL)
	if err != nil {
		return nil, err
	}
	st := &sinkStage{s: s, brokers: brokers, registry: rc, log: log}
	defer func() {
		if err != nil {
			st.close()
		}
	}()

	if st.redis, err = dedupe.NewClientWith(s.redisURL, dedupe.ClientOptions{
		Password: s.redisPasswordFn, TLSCAFile: s.redisCAFile, Logger: log,
	}); err != nil {
		return nil, fmt.Errorf("REDIS_URL: %w", err)
	}
	if st.store, err = dedupe.New(st.redis, dedupe.Options{Lease: s.dedupeLease, DoneTTL: s.dedupeTTL}); err != nil {
		return nil, fmt.Errorf("dedupe: %w", err)
	}

	st.gate = retry.NewGate(nil)
	hc := inforHTTPClient(s.concurrency, st.gate)
	live, liveTenant, err := st.inforAdapter("INFOR_IONAPI_FILE", s.ionapiFile, hc)
	if err != nil {
		return nil, err
	}
	st.tenants = liveTenant
	var sandbox *m3.Adapter
	if s.sandboxIonapiFile != "" {
		var tenant string
		if sandbox, tenant, err = st.inforAdapter("INFOR_SANDBOX_IONAPI_FILE", s.sandboxIonapiFile, hc); err != nil {
			return nil, err
		}
		st.tenants += ", sandbox " + tenant
	} else if s.allowTestModeOnLive {
		st.tenants += " (test-mode commands too)"
	}
	if st.applier, err = m3apply.New(m3apply.Config{
		Live: live, Sandbox: sandbox, AllowTestModeOnLive: s.allowTestModeOnLive, Payouts: payouts,
		Logger: log.With("component", "m3apply"),
	}); err != nil {
		return nil, fmt.Errorf("infor applier: %w", err)
	}

	if s.alertURL != "" || s.alertURLFn != nil {
		url := s.alertURLFn
		if url == nil {
			fixed := s.alertURL
			url = func() string { return fixed }
		}
		if st.alerter, err = newRotatingAlerter(url, log, reg); err != nil {
			// alert.New never puts the URL in its errors.
			return nil, fmt.Errorf("ALERT_WEBHOOK_URL: %w", err)
		}
	}
	st.metrics = inforsink.NewMetrics(reg)

	// One check, so that dev, where the processor has its own "schemas"
	// check, keeps both.
	health.Add("sink", func(ctx context.Context) error {
		sk := st.sink.Load()
		switch {
		case !st.registered.Load():
			return errors.New("schemas not registered yet")
		case sk == nil:
			return errors.New("sink not started")
		}
		return sk.Ready(ctx)
	})
	return st, nil
}

// inforHTTPClient shares one connection pool between the tenants' clients,
// sized to the concurrency: net/http keeps only 2 idle connections per host
// by default, so 64 workers would open and close connections all the time.
// Every request waits at gate, which the sink closes after a 429.
func inforHTTPClient(concurrency int, gate *retry.Gate) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = max(100, 2*concurrency)
	tr.MaxIdleConnsPerHost = max(2, concurrency)
	return &http.Client{Transport: gate.Transport(tr)}
}

// inforAdapter reads a .ionapi file and returns the M3 adapter for its
// tenant. The file holds secrets: errors name the setting and the path,
// never the content (infor.LoadIONAPI's promise).
func (st *sinkStage) inforAdapter(setting, path string, hc *http.Client) (*m3.Adapter, string, error) {
	cfg, err := infor.LoadIONAPI(path)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", setting, err)
	}
	c, err := infor.NewClient(cfg, infor.WithHTTPClient(hc), infor.WithLogger(st.log.With("component", "infor", "tenant", cfg.TenantID)))
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", setting, err)
	}
	st.infor = append(st.infor, c)
	st.ionapi = append(st.ionapi, path)
	return m3.New(c, m3.Config{}), cfg.TenantID, nil
}

// register registers the schemas (registerSchemas). The sink only reads
// commands, but registering makes it start against an empty registry and
// checks the schemas it decodes with are the ones the registry holds.
func (st *sinkStage) register(ctx context.Context) (*schemas.Serde, error) {
	return registerSchemas(ctx, st.registry, st.log, &st.registered)
}

// run registers the schemas, then consumes until ctx ends or the Kafka
// client fails for good. It may be called again after it returned (dev
// restarts a failed sink); the clients built by newSinkStage are reused.
func (st *sinkStage) run(ctx context.Context) error {
	serde, err := st.register(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	heartbeat := min(3*time.Second, st.s.sessionTimeout/3)
	secOpts, err := st.s.kafkaSecurity.Opts()
	if err != nil {
		return err
	}
	cfg := inforsink.Config{
		Brokers:            st.brokers,
		Group:              st.s.group,
		Concurrency:        st.s.concurrency,
		InPlaceAttempts:    st.s.inPlaceAttempts,
		RetryTiers:         st.s.retryTiers,
		DependencyDeadline: st.s.dependencyDeadline,
		KafkaOpts: append([]kgo.Opt{
			kgo.SessionTimeout(st.s.sessionTimeout),
			kgo.RebalanceTimeout(st.s.rebalanceTimeout),
			kgo.HeartbeatInterval(heartbeat),
		}, secOpts...),
		Decoder: serde,
		Applier: st.applier,
		Gate:    st.gate,
		Dedupe:  st.store,
		Logger:  st.log,
		Metrics: st.metrics,
	}
	if st.alerter != nil {
		cfg.Alerter = st.alerter
	}
	sk, err := inforsink.New(cfg)
	if err != nil {
		return err
	}
	st.sink.Store(sk)
	defer st.sink.Store(nil)
	return sk.Run(ctx)
}

// watchIONAPI re-reads each tenant's .ionapi file while ctx lasts, so keys
// rotated in the mounted Secret are used for the next token.
func (st *sinkStage) watchIONAPI(ctx context.Context) {
	for i, c := range st.infor {
		go infor.WatchIONAPIFile(ctx, st.ionapi[i], c.TokenSource(), 0, st.log.With("component", "infor"))
	}
}

// close sends the alerts still queued, revokes the Infor tokens and closes
// Redis; after run has returned.
func (st *sinkStage) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if st.alerter != nil {
		if err := st.alerter.Close(ctx); err != nil {
			st.log.Warn("alerts not all sent at shutdown", "err", err)
		}
	}
	for _, c := range st.infor {
		if err := c.Close(ctx); err != nil {
			st.log.Debug("infor token revocation", "err", err)
		}
	}
	if st.redis != nil {
		_ = st.redis.Close()
	}
}

// runSink is `stripe-infor sink`: the Infor sink alone, against an existing
// Kafka cluster, schema registry, Redis and Infor tenant.
func runSink(ctx context.Context, args []string, _, stderr io.Writer) error {
	fs := flag.NewFlagSet("sink", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: stripe-infor sink [flags]\n\nConsumes the infor.*.commands topics and applies each command in Infor exactly once in effect.\n\nflags:")
		fs.PrintDefaults()
		fmt.Fprint(stderr, sinkSecretsHelp)
	}
	var s sinkSettings
	if err := bindSinkFlags(fs, &s); err != nil {
		return err
	}
	fs.BoolVar(&s.createTopics, "create-topics", false, "create missing pipeline topics at start (needs topic-create rights)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if s.redisURL == "" {
		v, err := config.String("REDIS_URL", "")
		if err != nil {
			return err
		}
		s.redisURL = v
	}
	log, err := observability.NewLogger(stderr, s.logLevel)
	if err != nil {
		return err
	}
	watched, err := watchSinkSecrets(&s, log)
	if err != nil {
		return err
	}
	if err := s.validate(); err != nil {
		return err
	}
	quietRedisLogs(log)
	if s.kafkaSecurity, err = kafkaSecurity(log); err != nil {
		return err
	}
	payouts, err := stripeapi.New(stripeapi.Config{Base: s.stripeBase, LiveKey: s.stripeKey, TestKey: s.stripeTestKey,
		LiveKeyFunc: s.stripeKeyFn, TestKeyFunc: s.stripeTestKeyFn})
	if err != nil {
		return fmt.Errorf("STRIPE_API_KEY / STRIPE_API_BASE: %w", err)
	}
	reg, health := newRegistry(), observability.NewHealth()
	stage, err := newSinkStage(s, payouts, log, reg, health)
	if err != nil {
		return err
	}
	defer stage.close()
	wctx, stopWatching := context.WithCancel(ctx)
	defer stopWatching() // before stage.close: the Infor tokens are revoked with the keys in use
	for _, w := range watched {
		go w.Run(wctx, config.DefaultWatchInterval)
	}
	stage.watchIONAPI(wctx)
	if err := kafkaPreflight(ctx, stage.brokers, s.kafkaSecurity, log); err != nil {
		return err
	}
	if s.createTopics {
		if err := ensureTopicsWith(ctx, stage.brokers, s.kafkaSecurity, s.partitions, log); err != nil {
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
	log.Info("sink listening", "addr", ln.Addr().String(), "group", s.group, "concurrency", s.concurrency,
		"infor", stage.tenants, "dedupe", redactURL(s.redisURL), "alerts", s.alertURL != "")

	err = stage.run(ctx)
	health.SetDraining()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(sctx)
	return err
}
