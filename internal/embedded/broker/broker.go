// Package broker runs the embedded Kafka broker of the dev stack and of the
// tests: franz-go's kfake, a real Kafka wire-protocol server, as one broker
// that keeps its log under a data directory.
package broker

import (
	"fmt"
	"log/slog"
	"net"
	"os"
	"strconv"

	"github.com/twmb/franz-go/pkg/kfake"
)

// Config configures the embedded broker.
type Config struct {
	// Port to listen on at 127.0.0.1; 0 picks a free one.
	Port int
	// Dir keeps topics, segments, offsets and producer state across restarts;
	// empty runs in memory.
	Dir string
	// SyncWrites fsyncs every batch. Without it a killed process loses
	// nothing (writes are in the OS page cache); only a machine crash can.
	SyncWrites bool
	// Logger receives the broker's warnings; nil discards them.
	Logger *slog.Logger
}

// Broker is a running embedded broker.
type Broker struct {
	c    *kfake.Cluster
	addr string
}

// Start starts the broker, reloading Dir's state if any.
func Start(cfg Config) (*Broker, error) {
	opts := []kfake.Opt{
		kfake.Ports(cfg.Port),
		kfake.ClusterID("stripe-infor-dev"),
		// One broker: replication factor 1, so acks=all means "on this
		// broker's log", the strongest guarantee one machine can give.
		kfake.BrokerConfigs(map[string]string{"default.replication.factor": "1"}),
	}
	if cfg.Dir != "" {
		if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
			return nil, fmt.Errorf("kafka data dir: %w", err)
		}
		opts = append(opts, kfake.DataDir(cfg.Dir))
	}
	if cfg.SyncWrites {
		opts = append(opts, kfake.SyncWrites())
	}
	if cfg.Logger != nil {
		opts = append(opts, kfake.WithLogger(logger{cfg.Logger}))
	}
	if cfg.Port != 0 {
		// kfake reports a taken port deep in its start-up; say it plainly.
		ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(cfg.Port)))
		if err != nil {
			return nil, fmt.Errorf("kafka: cannot listen on 127.0.0.1:%d (is another broker running?): %w", cfg.Port, err)
		}
		ln.Close()
	}
	c, err := kfake.NewCluster(opts...)
	if err != nil {
		return nil, fmt.Errorf("start embedded kafka: %w", err)
	}
	return &Broker{c: c, addr: c.ListenAddrs()[0]}, nil
}

// Addr is the broker's host:port, for KAFKA_BROKERS.
func (b *Broker) Addr() string { return b.addr }

// Cluster exposes kfake for tests that inject faults.
func (b *Broker) Cluster() *kfake.Cluster { return b.c }

// Close stops the broker and writes its state to Dir.
func (b *Broker) Close() { b.c.Close() }

type logger struct{ l *slog.Logger }

func (l logger) Logf(level kfake.LogLevel, msg string, args ...any) {
	switch level {
	case kfake.LogLevelError:
		l.l.Error(fmt.Sprintf(msg, args...), "component", "kafka-broker")
	case kfake.LogLevelWarn:
		l.l.Warn(fmt.Sprintf(msg, args...), "component", "kafka-broker")
	}
}
