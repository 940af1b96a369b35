package e2e

import (
	"context"
	"os"
	"testing"

	goredis "github.com/redis/go-redis/v9"
)

// quietRedis drops go-redis' own log lines (a dial error for each refused
// connection while redis-server stops at the end).
type quietRedis struct{}

func (quietRedis) Printf(context.Context, string, ...interface{}) {}

func TestMain(m *testing.M) {
	goredis.SetLogger(quietRedis{})
	code := m.Run()
	closeShared()
	os.Exit(code)
}
