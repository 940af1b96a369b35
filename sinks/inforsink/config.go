package inforsink

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/stripe-infor/stripe-infor/internal/kafka"
	"github.com/stripe-infor/stripe-infor/internal/retry"
)

// Defaults of Config.
const (
	DefaultGroup              = "stripe-infor-sink"
	DefaultConcurrency        = 64
	DefaultInPlaceAttempts    = 4
	DefaultBackoffBase        = 200 * time.Millisecond
	DefaultBackoffMax         = 5 * time.Second
	DefaultDependencyDeadline = 24 * time.Hour
	DefaultCommitInterval     = time.Second
	// DefaultMaxHeld caps the retry-topic records held in memory until
	// their retry.not-before; at the cap the retry topics are paused.
	DefaultMaxHeld = 10000
	// DefaultDrainTimeout bounds how long a revoke or a shutdown waits for
	// commands being applied before it abandons them (uncommitted, so the
	// next owner applies them again).
	DefaultDrainTimeout = 10 * time.Second
)

// DefaultRetryTiers are the delays of the retry topic: a record that failed
// its in-place attempts waits the first tier, then the next, and goes to
// the DLQ after the last (a dependency keeps using the last tier until the
// dependency deadline).
var DefaultRetryTiers = []time.Duration{10 * time.Second, time.Minute, 10 * time.Minute, time.Hour}

// Config configures a Sink. Brokers, Decoder, Applier and Dedupe are
// required; the rest have defaults.
type Config struct {
	// Brokers are the Kafka bootstrap servers.
	Brokers []string
	// ClientID names the client in broker logs; default "stripe-infor-sink".
	ClientID string
	// KafkaOpts are extra franz-go options (TLS, SASL, …), applied after the
	// sink's own.
	KafkaOpts []kgo.Opt
	// Group is the consumer group all sink instances share; default
	// DefaultGroup.
	Group string
	// Topics are the command topics; default kafka.CommandTopics. Their
	// retry topics (kafka.RetryTopic) are consumed too, and their DLQs
	// (kafka.DLQTopic) written.
	Topics []string
	// Concurrency bounds the commands applied at once, across keys; one key
	// is always applied in order, one command at a time. Default
	// DefaultConcurrency.
	Concurrency int
	// Owner names this instance in dedupe leases; default hostname-pid and
	// a random suffix, unique per process.
	Owner string

	// InPlaceAttempts is how many times a transient failure is tried in
	// place, the first included, before the record moves to the retry
	// topic; default DefaultInPlaceAttempts.
	InPlaceAttempts int
	// BackoffBase and BackoffMax shape the in-place backoff: exponential,
	// full jitter, capped. A 429's Retry-After is honoured (waited at
	// least), and a Retry-After longer than BackoffMax moves the record to
	// the retry topic with at least that delay.
	BackoffBase, BackoffMax time.Duration
	// RetryTiers are the retry topic's delays; default DefaultRetryTiers.
	RetryTiers []time.Duration
	// DependencyWaits are how long a command whose prerequisite is not in
	// Infor yet waits in place before each new attempt, before it moves to
	// the retry topic. The commands of one Stripe event travel on different
	// topics and usually arrive together (an order before its customer is
	// applied, a payment before its order), so the prerequisite is most
	// often a few milliseconds away: waiting in place spares a retry-topic
	// round trip and its tier delay (seconds). The Apply slot is released
	// while waiting, but the key's later commands on the same partition
	// wait behind it (up to the sum of the waits). Only a record's first
	// visit waits (not one from the retry topic, whose prerequisite is
	// already late), and a backlogged sink (half of MaxBuffered unfinished)
	// does not wait: overloaded, the prerequisite is far away and every
	// retry costs Infor lookups. nil means
	// DefaultDependencyWaits; an empty, non-nil slice turns the in-place
	// waits off.
	DependencyWaits []time.Duration
	// DependencyDeadline is how long a command whose prerequisite is not in
	// Infor yet keeps being retried, counted from its first failure, before
	// the DLQ; default DefaultDependencyDeadline.
	DependencyDeadline time.Duration
	// CommitInterval is how often finished offsets are committed; default
	// DefaultCommitInterval.
	CommitInterval time.Duration

	// Decoder reads command values (required).
	Decoder Decoder
	// Applier carries commands out in Infor (required).
	Applier Applier
	// Dedupe is the command-state store (required).
	Dedupe Dedupe
	// Alerter, when set, is told about every DLQ write (the metric and the
	// log line are written either way).
	Alerter Alerter

	// Logger receives JSON logs; nil discards them.
	Logger *slog.Logger
	// Registerer receives the sink's metrics; nil leaves them unregistered.
	// Ignored when Metrics is set.
	Registerer prometheus.Registerer
	// Metrics, when set, are used instead of new ones (dev restarts a sink
	// and keeps one set of series).
	Metrics *Metrics
	// Now is the clock (default time.Now); tests move it.
	Now func() time.Time

	// Gate holds back every Infor call after a 429 with Retry-After. Give
	// the Infor client's HTTP client Gate.Transport(…) and the same Gate
	// here: the sink closes it when an Apply fails with a 429, and the
	// transport holds back the calls of Applies already running. Nil: the
	// sink makes its own, which only holds back the start of Applies.
	Gate *retry.Gate
	// MaxBuffered bounds the records fetched and not finished yet (retry
	// records held until their time aside): the sink polls only what fits.
	// Default 4 × Concurrency.
	MaxBuffered int
	// MaxHeld bounds the retry-topic records held until their
	// retry.not-before; at the cap the retry topics are paused until some
	// are due. Default DefaultMaxHeld.
	MaxHeld int
	// DrainTimeout bounds the wait for running commands on a partition
	// revoke and at shutdown; default DefaultDrainTimeout.
	DrainTimeout time.Duration
}

// DefaultDependencyWaits are the default Config.DependencyWaits: 375 ms in
// all, about what a prerequisite applied by another worker takes.
var DefaultDependencyWaits = []time.Duration{25 * time.Millisecond, 50 * time.Millisecond, 100 * time.Millisecond, 200 * time.Millisecond}

// withDefaults fills the zero fields and checks the required ones.
func (c Config) withDefaults() (Config, error) {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if len(c.Brokers) == 0 {
		bad("no Kafka brokers configured (KAFKA_BROKERS)")
	}
	if c.Decoder == nil {
		bad("Config.Decoder is required")
	}
	if c.Applier == nil {
		bad("Config.Applier is required")
	}
	if c.Dedupe == nil {
		bad("Config.Dedupe is required")
	}
	for name, v := range map[string]int{"Concurrency": c.Concurrency, "InPlaceAttempts": c.InPlaceAttempts,
		"MaxBuffered": c.MaxBuffered, "MaxHeld": c.MaxHeld} {
		if v < 0 {
			bad("%s must not be negative", name)
		}
	}
	for name, v := range map[string]time.Duration{"BackoffBase": c.BackoffBase, "BackoffMax": c.BackoffMax,
		"DependencyDeadline": c.DependencyDeadline, "CommitInterval": c.CommitInterval, "DrainTimeout": c.DrainTimeout} {
		if v < 0 {
			bad("%s must not be negative", name)
		}
	}
	for i, d := range c.RetryTiers {
		if d <= 0 {
			bad("RetryTiers[%d] = %s: a tier must be positive", i, d)
		}
	}
	for i, d := range c.DependencyWaits {
		if d <= 0 {
			bad("DependencyWaits[%d] = %s: a wait must be positive", i, d)
		}
	}
	if c.DependencyWaits == nil {
		c.DependencyWaits = slices.Clone(DefaultDependencyWaits)
	}
	seen := map[string]bool{}
	for _, t := range c.Topics {
		switch {
		case t == "":
			bad("Topics has an empty name")
		case strings.HasSuffix(t, ".retry") || strings.HasSuffix(t, ".dlq"):
			bad("Topics lists %s: name the command topics only; their .retry topics are consumed and their .dlq topics written by the sink", t)
		case seen[t]:
			bad("Topics lists %s twice", t)
		}
		seen[t] = true
	}
	if err := errors.Join(errs...); err != nil {
		return c, fmt.Errorf("inforsink: %w", err)
	}
	if c.ClientID == "" {
		c.ClientID = "stripe-infor-sink"
	}
	if c.Group == "" {
		c.Group = DefaultGroup
	}
	if len(c.Topics) == 0 {
		c.Topics = append([]string(nil), kafka.CommandTopics...)
	}
	if c.Concurrency == 0 {
		c.Concurrency = DefaultConcurrency
	}
	if c.Owner == "" {
		c.Owner = defaultOwner()
	}
	if c.InPlaceAttempts == 0 {
		c.InPlaceAttempts = DefaultInPlaceAttempts
	}
	if c.BackoffBase == 0 {
		c.BackoffBase = DefaultBackoffBase
	}
	if c.BackoffMax == 0 {
		c.BackoffMax = DefaultBackoffMax
	}
	c.BackoffMax = max(c.BackoffMax, c.BackoffBase)
	if len(c.RetryTiers) == 0 {
		c.RetryTiers = append([]time.Duration(nil), DefaultRetryTiers...)
	}
	if c.DependencyDeadline == 0 {
		c.DependencyDeadline = DefaultDependencyDeadline
	}
	if c.CommitInterval == 0 {
		c.CommitInterval = DefaultCommitInterval
	}
	if c.MaxBuffered == 0 {
		c.MaxBuffered = 4 * c.Concurrency
	}
	if c.MaxHeld == 0 {
		c.MaxHeld = DefaultMaxHeld
	}
	if c.DrainTimeout == 0 {
		c.DrainTimeout = DefaultDrainTimeout
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Gate == nil {
		c.Gate = retry.NewGate(c.Now)
	}
	return c, nil
}

// defaultOwner is hostname-pid-random: unique per process, so a restarted
// sink never mistakes its predecessor's leases for its own.
func defaultOwner() string {
	h, err := os.Hostname()
	if err != nil || h == "" {
		h = "unknown-host"
	}
	return fmt.Sprintf("%s-%d-%s", h, os.Getpid(), randomSuffix())
}

func randomSuffix() string {
	var b [4]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand panics rather)
	return hex.EncodeToString(b[:])
}
