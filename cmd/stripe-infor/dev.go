package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/stripe-infor/stripe-infor/internal/config"
	"github.com/stripe-infor/stripe-infor/internal/embedded/broker"
	"github.com/stripe-infor/stripe-infor/internal/embedded/redis"
	"github.com/stripe-infor/stripe-infor/internal/embedded/registry"
	"github.com/stripe-infor/stripe-infor/internal/observability"
	"github.com/stripe-infor/stripe-infor/producer"
)

// DevWebhookSecret is the webhook secret of `stripe-infor dev` when
// STRIPE_WEBHOOK_SECRET is not set.
const DevWebhookSecret = "whsec_dev"

type devSettings struct {
	producer     producerSettings
	dataDir      string
	kafkaPort    int
	registryAddr string
	redisAddr    string
	redisURL     string
	syncWrites   bool
	emulator     emulatorSettings
	mappingFile  string
	// stripeFakeAddr is where the fake Stripe API listens ("" none).
	stripeFakeAddr string
}

// runDev is `stripe-infor dev`: broker, schema registry, Redis, the Infor
// emulator, the processor, the Infor sink and the producer in one process,
// with state under --data-dir.
func runDev(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("dev", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var s devSettings
	if err := bindProducerFlags(fs, &s.producer, "127.0.0.1:8080"); err != nil {
		return err
	}
	fs.StringVar(&s.dataDir, "data-dir", "./.data", "where the broker, registry and Redis keep their state")
	fs.IntVar(&s.kafkaPort, "kafka-port", 9092, "port of the embedded Kafka broker on 127.0.0.1")
	fs.StringVar(&s.registryAddr, "registry-addr", "127.0.0.1:8081", "address of the embedded schema registry")
	fs.StringVar(&s.redisAddr, "redis-addr", "127.0.0.1:6379", "address of the embedded Redis (unused when REDIS_URL is set)")
	// No env-derived default here: the flag package prints defaults in its
	// help and errors, and a Redis URL may hold a password.
	fs.StringVar(&s.redisURL, "redis-url", "", "use this Redis instead of the embedded one (default: REDIS_URL, else embedded)")
	fs.BoolVar(&s.syncWrites, "kafka-sync-writes", false, "fsync every batch the broker writes (survives a machine crash, slower)")
	bindEmulatorFlags(fs, &s.emulator, "infor-", "127.0.0.1:8090")
	bindStripeFakeFlag(fs, &s.stripeFakeAddr)
	mappingFile, err := config.String("MAPPING_FILE", "")
	if err != nil {
		return err
	}
	fs.StringVar(&s.mappingFile, "mapping-file", mappingFile, "mapping rules (YAML) for the processor; default: the built-in mapping (MAPPING_FILE)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	log, err := observability.NewLogger(stderr, s.producer.logLevel)
	if err != nil {
		return err
	}
	if s.redisURL == "" {
		if s.redisURL, err = config.String("REDIS_URL", ""); err != nil {
			return err
		}
	}
	if s.producer.brokers != "" {
		log.Warn("dev runs its own embedded broker; KAFKA_BROKERS / --kafka-brokers is ignored", "embedded", fmt.Sprintf("127.0.0.1:%d", s.kafkaPort))
	}
	quietRedisLogs(log)
	if err := os.MkdirAll(s.dataDir, 0o755); err != nil {
		return fmt.Errorf("data dir: %w", err)
	}
	return (&devStack{s: s, log: log, out: stdout}).run(ctx)
}

// devStack starts the components in dependency order and stops them in
// reverse, so that nothing accepted is lost on Ctrl-C: the webhook drains
// first, the Kafka client flushes, and the broker writes its state last.
type devStack struct {
	s   devSettings
	log *slog.Logger
	out io.Writer

	closers   []func()
	emu       *runningEmulator
	processor string // the banner's processor line
	sink      string // the banner's sink line
	stripeAPI string // the banner's Stripe API line
}

func (d *devStack) onClose(f func()) { d.closers = append(d.closers, f) }

func (d *devStack) closeAll() {
	for i := len(d.closers) - 1; i >= 0; i-- {
		d.closers[i]()
	}
}

func (d *devStack) run(ctx context.Context) error {
	defer d.closeAll()
	s := d.s
	health := observability.NewHealth()
	reg := newRegistry()

	b, err := broker.Start(broker.Config{Port: s.kafkaPort, Dir: filepath.Join(s.dataDir, "kafka"), SyncWrites: s.syncWrites, Logger: d.log})
	if err != nil {
		return err
	}
	d.onClose(func() { b.Close(); d.log.Info("kafka broker stopped; state saved") })
	s.producer.brokers = b.Addr()

	sreg, err := registry.Start(registry.Config{Addr: s.registryAddr, Dir: filepath.Join(s.dataDir, "registry"), Logger: d.log})
	if err != nil {
		return err
	}
	d.onClose(func() {
		cctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := sreg.Close(cctx); err != nil {
			d.log.Warn("schema registry close", "err", err)
		}
	})
	health.Add("schema-registry", sreg.Check)

	redisURL, redisNote := s.redisURL, "from REDIS_URL"
	if redisURL == "" {
		rs, err := redis.Start(ctx, redis.Config{Addr: s.redisAddr, Dir: filepath.Join(s.dataDir, "redis"), Logger: d.log})
		if err != nil {
			return err
		}
		d.onClose(func() {
			if err := rs.Close(); err != nil {
				d.log.Warn("redis close", "err", err)
			}
		})
		redisURL = rs.URL()
		if rs.Mode() == redis.ModeMiniredis {
			redisNote = "embedded miniredis, in memory (install redis-server to persist it)"
		} else {
			redisNote = "redis-server, persisted in " + filepath.Join(s.dataDir, "redis")
		}
	}
	pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	err = redis.Ping(pingCtx, redisURL)
	cancel()
	if err != nil {
		return fmt.Errorf("redis: %w", err)
	}
	health.Add("redis", func(ctx context.Context) error { return redis.Ping(ctx, redisURL) })

	s.emulator.dataDir = filepath.Join(s.dataDir, "infor")
	emu, err := startEmulator(s.emulator, d.log)
	if err != nil {
		return err
	}
	d.onClose(func() {
		if err := emu.stop(); err != nil {
			d.log.Warn("infor emulator stop", "err", err)
		}
	})
	d.emu = emu

	if err := ensureTopics(ctx, []string{b.Addr()}, s.producer.partitions, d.log); err != nil {
		return err
	}

	if err := d.startProcessor(ctx, b.Addr(), sreg.URL(), reg, health); err != nil {
		return err
	}
	if err := d.startSink(ctx, b.Addr(), sreg.URL(), redisURL, reg, health); err != nil {
		return err
	}

	stage, err := newProducerStage(s.producer, DevWebhookSecret, d.log, reg, health)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", s.producer.addr)
	if err != nil {
		stage.client.Close()
		return fmt.Errorf("webhook: cannot listen on %s: %w", s.producer.addr, err)
	}

	d.banner(ln.Addr().String(), b.Addr(), "http://"+sreg.Addr(), redactURL(redisURL), redisNote, stage.secret.Get())
	err = stage.run(ctx, ln)
	if err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	d.log.Info("webhook drained; stopping the stack")
	return nil
}

// banner prints what `stripe listen` prints: where to send events and the
// secret they are signed with. It goes to stdout, never to the logs.
func (d *devStack) banner(webhookAddr, kafkaAddr, registryURL, redisURL, redisNote, secret string) {
	base := "http://" + webhookAddr
	fmt.Fprintf(d.out, `
stripe-infor dev is running (data in %s)

  Webhook endpoint   POST %s%s
  Health, metrics    %s/healthz  %s/readyz  %s/metrics
  Kafka              %s
  Schema registry    %s
  Redis              %s (%s)
  Infor emulator     %s (tenant %s; .ionapi: %s; state: %s/_emulator/state)
  Processor          %s
  Infor sink         %s
  Stripe API         %s
  Webhook secret     %s

Send a signed test event:  ./bin/stripe-infor send charge.succeeded   (or: go run ./cmd/stripe-infor send)
Forward real test-mode events:  stripe listen --forward-to %s%s
Ready. Press Ctrl-C to stop (in-flight webhooks finish first).

`, d.s.dataDir, base, producer.WebhookPath, base, base, base, kafkaAddr, registryURL,
		redisURL, redisNote, d.emu.url, d.s.emulator.tenant, d.emu.ionapiPath, d.emu.url,
		d.processor, d.sink, d.stripeAPI, firstSecretForDisplay(secret), base, producer.WebhookPath)
}

// firstSecretForDisplay shows the dev secret, or a note when several are set.
func firstSecretForDisplay(v string) string {
	list := config.List(v)
	switch len(list) {
	case 0:
		return "(none)"
	case 1:
		return list[0]
	default:
		return list[0] + " (and " + strconv.Itoa(len(list)-1) + " more)"
	}
}

// redactURL hides a password in a URL shown to people; an unparsable URL is
// not shown at all, since it may hold one.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}
