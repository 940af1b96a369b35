package main

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/sr"

	"github.com/stripe-infor/stripe-infor/schemas"
)

// registerSchemas registers every topic's schema, retrying with a growing
// pause until the registry answers or ctx ends: a registry that starts
// after a stage is normal in a cluster, and /readyz says what the stage is
// waiting for meanwhile (registered turns true on success).
func registerSchemas(ctx context.Context, rc *sr.Client, log *slog.Logger, registered *atomic.Bool) (*schemas.Serde, error) {
	wait := 500 * time.Millisecond
	for {
		rctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		serde, err := schemas.Register(rctx, rc)
		cancel()
		if err == nil {
			registered.Store(true)
			return serde, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		log.Warn("schema registration failed; retrying", "err", err, "retry_in", wait.String())
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, 10*time.Second)
	}
}
