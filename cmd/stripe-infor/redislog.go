package main

import (
	"context"
	"fmt"
	"log/slog"

	goredis "github.com/redis/go-redis/v9"
)

// redisLogger routes go-redis's internal messages (it prints every failed
// dial to stderr by default) into our JSON logs at debug level: the stack
// reports Redis trouble itself, through /readyz and its own errors.
type redisLogger struct{ l *slog.Logger }

func (r redisLogger) Printf(ctx context.Context, format string, v ...any) {
	r.l.DebugContext(ctx, fmt.Sprintf(format, v...), "component", "go-redis")
}

func quietRedisLogs(l *slog.Logger) { goredis.SetLogger(redisLogger{l}) }
