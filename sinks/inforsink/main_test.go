package inforsink_test

import (
	"context"
	"os"
	"testing"

	goredis "github.com/redis/go-redis/v9"
)

// quietRedis drops go-redis' own log lines: the Redis outage tests make
// it print a dial error for every refused connection.
type quietRedis struct{}

func (quietRedis) Printf(context.Context, string, ...interface{}) {}

func TestMain(m *testing.M) {
	goredis.SetLogger(quietRedis{})
	os.Exit(m.Run())
}
