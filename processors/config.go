package processors

import (
	"errors"
	"log/slog"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kgo"
)

// DefaultGroup is the consumer group every processor instance joins; the
// raw topic's partitions are shared among its members.
const DefaultGroup = "stripe-infor-processors"

// DefaultMaxRecordsPerTxn bounds a transaction: big enough to amortize the
// commit (one EndTxn and one TxnOffsetCommit per batch), small enough that
// an aborted batch is cheap to redo and a batch never nears the transaction
// timeout.
const DefaultMaxRecordsPerTxn = 500

// DefaultSessionTimeout is Kafka's default consumer session timeout: how
// long the group waits for a member that stopped heart-beating (a crashed
// instance) before giving its partitions to the others.
const DefaultSessionTimeout = 45 * time.Second

// DefaultRebalanceTimeout is how long the group waits for its members to
// rejoin once a rebalance started, and for a joined member to sync. A
// member that died half-way through a rebalance holds the whole group up
// this long, so it is shorter than Kafka clients' usual 60 s: a processor
// does no work in its revoke callback, it only has to finish ending a
// transaction (bounded by 15 s) before it rejoins.
const DefaultRebalanceTimeout = 30 * time.Second

// DefaultTransactionalID returns "stripe-infor-processor-<hostname>".
//
// Why one id per instance is safe: with KIP-447 (Kafka 2.5+), which
// kgo.GroupTransactSession relies on, zombie fencing comes from the
// consumer group generation sent with every TxnOffsetCommit, not from tying
// transactional ids to input partitions. A stale instance that lost its
// partitions cannot commit offsets for them, and a new owner's offset fetch
// waits (RequireStable) until a pending transaction on those partitions is
// committed or aborted. So the id only has to be unique among running
// instances (two live instances with one id fence each other in a loop) and
// ideally stable across an instance's restarts, so that the restarted
// process fences its predecessor and aborts its open transaction at once
// instead of after the transaction timeout. A pod's hostname is both in a
// StatefulSet and unique in a Deployment.
func DefaultTransactionalID() string {
	h, err := os.Hostname()
	if err != nil || h == "" {
		h = "unknown-host"
	}
	return "stripe-infor-processor-" + h
}

// Config configures a Processor. Brokers, Transformer and Encoder are
// required; the rest have defaults.
type Config struct {
	// Brokers are the Kafka bootstrap servers.
	Brokers []string
	// ClientID names the client in broker logs; default
	// "stripe-infor-processor".
	ClientID string
	// KafkaOpts are extra franz-go options (TLS, SASL, …), applied after
	// the processor's own.
	KafkaOpts []kgo.Opt
	// Group is the consumer group; default DefaultGroup.
	Group string
	// TransactionalID must be unique per running instance; default
	// DefaultTransactionalID() (see there for why that is safe).
	TransactionalID string
	// MaxRecordsPerTxn is the most raw records one transaction handles;
	// default DefaultMaxRecordsPerTxn.
	MaxRecordsPerTxn int
	// SessionTimeout is the group session timeout; default
	// DefaultSessionTimeout. Shorter means a crashed instance's partitions
	// move sooner, at the price of being dropped from the group on a long
	// GC pause or network hiccup.
	SessionTimeout time.Duration
	// RebalanceTimeout is the group rebalance timeout; default
	// DefaultRebalanceTimeout.
	RebalanceTimeout time.Duration
	// Transformer maps raw events (required).
	Transformer Transformer
	// Encoder serializes outputs (required).
	Encoder Encoder
	// Logger receives JSON logs; nil discards them.
	Logger *slog.Logger
	// Registerer receives the processor's metrics; nil leaves them
	// unregistered. Ignored when Metrics is set.
	Registerer prometheus.Registerer
	// Metrics, when set, are used instead of new ones: a process that
	// restarts its processor (dev) keeps one set of series, since
	// registering a second set would fail.
	Metrics *Metrics
}

// withDefaults fills the zero fields and checks the required ones.
func (c Config) withDefaults() (Config, error) {
	switch {
	case len(c.Brokers) == 0:
		return c, errors.New("processor: no Kafka brokers configured (KAFKA_BROKERS)")
	case c.Transformer == nil:
		return c, errors.New("processor: Config.Transformer is required")
	case c.Encoder == nil:
		return c, errors.New("processor: Config.Encoder is required")
	case c.MaxRecordsPerTxn < 0:
		return c, errors.New("processor: MaxRecordsPerTxn must not be negative")
	case c.SessionTimeout < 0:
		return c, errors.New("processor: SessionTimeout must not be negative")
	case c.RebalanceTimeout < 0:
		return c, errors.New("processor: RebalanceTimeout must not be negative")
	}
	if c.ClientID == "" {
		c.ClientID = "stripe-infor-processor"
	}
	if c.Group == "" {
		c.Group = DefaultGroup
	}
	if c.TransactionalID == "" {
		c.TransactionalID = DefaultTransactionalID()
	}
	if c.MaxRecordsPerTxn == 0 {
		c.MaxRecordsPerTxn = DefaultMaxRecordsPerTxn
	}
	if c.SessionTimeout == 0 {
		c.SessionTimeout = DefaultSessionTimeout
	}
	if c.RebalanceTimeout == 0 {
		c.RebalanceTimeout = DefaultRebalanceTimeout
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c, nil
}
