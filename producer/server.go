package producer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/stripe-infor/stripe-infor/internal/observability"
)

// WebhookPath is where Stripe delivers events (DESIGN.md contract).
const WebhookPath = "/webhooks/stripe"

// DefaultShutdownGrace is how long a shutdown waits for in-flight webhooks.
// It exceeds DefaultProduceTimeout so every request in flight gets its real
// answer (200 if produced, 503 if not) before the process exits.
const DefaultShutdownGrace = 15 * time.Second

// ServerConfig configures the producer's HTTP server.
type ServerConfig struct {
	Handler HandlerConfig
	// ShutdownGrace bounds the wait for in-flight requests at shutdown.
	ShutdownGrace time.Duration
	// DrainDelay keeps serving for this long after /readyz turns red at
	// shutdown, so a load balancer sees it and stops routing here before the
	// listener closes. Zero closes at once (dev).
	DrainDelay time.Duration
	// Gatherer serves /metrics; usually the registry Metrics were registered on.
	Gatherer prometheus.Gatherer
	Logger   *slog.Logger
}

// Server is the producer stage: the webhook endpoint plus /healthz, /readyz
// and /metrics on one listener.
type Server struct {
	cfg    ServerConfig
	health *observability.Health
	srv    *http.Server
}

// NewServer wires the handler and the health endpoints. health may already
// hold checks of other components (the dev stack adds its own).
func NewServer(cfg ServerConfig, v *Verifier, pub Publisher, health *observability.Health) *Server {
	if cfg.ShutdownGrace <= 0 {
		cfg.ShutdownGrace = DefaultShutdownGrace
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Handler.Logger == nil {
		cfg.Handler.Logger = cfg.Logger
	}
	mux := http.NewServeMux()
	mux.Handle(WebhookPath, NewHandler(cfg.Handler, v, pub))
	health.Register(mux, cfg.Gatherer)
	return &Server{
		cfg:    cfg,
		health: health,
		srv: &http.Server{
			Handler:           mux,
			ReadHeaderTimeout: 10 * time.Second,
			ReadTimeout:       min(30*time.Second, cfg.ShutdownGrace),
			IdleTimeout:       120 * time.Second,
			MaxHeaderBytes:    64 << 10,
			ErrorLog:          slog.NewLogLogger(cfg.Logger.Handler(), slog.LevelWarn),
		},
	}
}

// Serve answers requests on ln until ctx ends, then shuts down gracefully:
// /readyz turns red, the listener closes, and in-flight webhooks finish with
// their real answer. It returns nil after a clean shutdown.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	errc := make(chan error, 1)
	go func() { errc <- s.srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("producer http server: %w", err)
	case <-ctx.Done():
	}
	s.health.SetDraining()
	if s.cfg.DrainDelay > 0 {
		s.cfg.Logger.Info("draining: /readyz is red, still serving", "for", s.cfg.DrainDelay)
		time.Sleep(s.cfg.DrainDelay)
	}
	sctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownGrace)
	defer cancel()
	if err := s.srv.Shutdown(sctx); err != nil {
		// Past the grace period: cut what is left. A handler still waiting
		// for the broker answers 503 or nothing, never a false 200.
		_ = s.srv.Close()
		return fmt.Errorf("producer shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("producer http server: %w", err)
	}
	return nil
}

// BrokerCheck is a readiness check: the cluster answers a metadata request
// and the topic exists with leaders for its partitions.
func BrokerCheck(cl *kgo.Client, topic string) observability.Check {
	adm := kadm.NewClient(cl)
	return func(ctx context.Context) error {
		md, err := adm.Metadata(ctx, topic)
		if err != nil {
			return fmt.Errorf("kafka unreachable: %w", err)
		}
		td, ok := md.Topics[topic]
		if !ok || td.Err != nil {
			return fmt.Errorf("topic %s not available", topic)
		}
		for _, p := range td.Partitions {
			if p.Err != nil || p.Leader < 0 {
				return fmt.Errorf("topic %s partition %d has no leader", topic, p.Partition)
			}
		}
		return nil
	}
}
