// Package kafka sets up franz-go clients the way every stage needs them and
// names the pipeline's topics.
package kafka

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// Config is what every stage needs to reach the cluster.
type Config struct {
	// Brokers are the bootstrap servers (KAFKA_BROKERS, comma-separated).
	Brokers []string
	// ClientID identifies the stage in broker logs and quotas.
	ClientID string
	// Logger receives franz-go's warnings and errors; nil disables them.
	Logger *slog.Logger
	// Security is SASL and TLS (SecurityFromEnv); nil connects in plain
	// text without authentication, as the embedded dev broker expects.
	Security *Security
}

// ProducerConfig adds what a producing stage decides.
type ProducerConfig struct {
	Config
	// DeliveryTimeout bounds how long one record may stay unacknowledged,
	// retries included. The webhook keeps it well under Stripe's own timeout.
	DeliveryTimeout time.Duration
	// Linger lets records gather into bigger batches; 0 sends at once.
	Linger time.Duration
}

// ClientOpts returns the options shared by every client, security included.
func (c Config) ClientOpts() ([]kgo.Opt, error) {
	if len(c.Brokers) == 0 {
		return nil, errors.New("kafka: no brokers configured (KAFKA_BROKERS)")
	}
	opts := []kgo.Opt{kgo.SeedBrokers(c.Brokers...)}
	if c.ClientID != "" {
		opts = append(opts, kgo.ClientID(c.ClientID))
	}
	if c.Logger != nil {
		opts = append(opts, kgo.WithLogger(slogAdapter{c.Logger}))
	}
	sec, err := c.Security.Opts()
	if err != nil {
		return nil, err
	}
	return append(opts, sec...), nil
}

// NewProducer returns a client for the no-loss edge: acks from all in-sync
// replicas and the idempotent producer (franz-go's defaults, stated here so
// nobody turns them off by accident), and a bounded delivery time so a broker
// outage becomes an error the caller can answer with 503.
func NewProducer(cfg ProducerConfig, extra ...kgo.Opt) (*kgo.Client, error) {
	opts, err := cfg.ClientOpts()
	if err != nil {
		return nil, err
	}
	opts = append(opts,
		kgo.RequiredAcks(kgo.AllISRAcks()),
		kgo.ProducerLinger(cfg.Linger),
	)
	if cfg.DeliveryTimeout > 0 {
		opts = append(opts, kgo.RecordDeliveryTimeout(cfg.DeliveryTimeout))
	}
	opts = append(opts, extra...)
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return nil, fmt.Errorf("kafka producer: %w", err)
	}
	return cl, nil
}

// NewAdminClient returns a plain client for kadm.
func NewAdminClient(cfg Config, extra ...kgo.Opt) (*kgo.Client, error) {
	opts, err := cfg.ClientOpts()
	if err != nil {
		return nil, err
	}
	cl, err := kgo.NewClient(append(opts, extra...)...)
	if err != nil {
		return nil, fmt.Errorf("kafka admin client: %w", err)
	}
	return cl, nil
}
