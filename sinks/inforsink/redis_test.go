package inforsink_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/stripe-infor/stripe-infor/internal/command"
	"github.com/stripe-infor/stripe-infor/internal/kafka"
)

// Redis stops mid-run and comes back on the same port: the sink reports
// not ready (and redis_up 0) during the outage, applies nothing without a
// claim, resumes by itself, and in the end every command is in Infor
// exactly once, also when Redis lost its data (duplicates then hit the
// applier's lookups in Infor instead of Redis).
func TestRedisRestart(t *testing.T) {
	for _, keep := range []bool{true, false} {
		t.Run(fmt.Sprintf("data kept %v", keep), func(t *testing.T) {
			e := newEnv(t, envOpts{})
			const n = 20
			batch := func(from, to int, ev string) []command.Command {
				var cs []command.Command
				for i := from; i < to; i++ {
					cs = append(cs, customerCmd(fmt.Sprintf("cus_Rr%02d", i), ev+fmt.Sprint(i)))
				}
				return cs
			}
			e.produceCmds(batch(0, n, "evt_a")...)
			r := e.start(e.config())
			waitFor(t, "the first batch", 30*time.Second, func() bool {
				return e.count(kafka.CustomerCommands, "UpsertCustomer", "applied") == n
			})
			r.waitReady(10 * time.Second)

			addr := e.redisAddr
			e.stopRedis()
			waitFor(t, "Ready to report Redis down", 10*time.Second, func() bool {
				ctx, cancel := context.WithTimeout(context.Background(), time.Second)
				defer cancel()
				return r.s.Ready(ctx) != nil
			})
			waitFor(t, "redis_up to fall to 0", 10*time.Second, func() bool {
				return testutil.ToFloat64(e.metrics.RedisUp) == 0
			})
			// During the outage: new commands and duplicates of applied ones.
			e.produceCmds(batch(n, 2*n, "evt_b")...)
			e.produceCmds(batch(0, n, "evt_dup")...)
			before := e.count(kafka.CustomerCommands, "UpsertCustomer", "applied")
			calls, _ := e.calls.snapshot()
			// Nothing can be claimed, so nothing is applied. (A sample, not a
			// proof: the claim path is what the end state below checks.)
			waitFor(t, "the new records to be fetched", 10*time.Second, func() bool {
				return testutil.ToFloat64(e.metrics.Buffered) > 0
			})
			if got := e.count(kafka.CustomerCommands, "UpsertCustomer", "applied"); got != before {
				t.Errorf("%d commands applied while Redis was down", got-before)
			}
			if c, _ := e.calls.snapshot(); len(c) != len(calls) {
				t.Errorf("%d Infor calls while Redis was down", len(c)-len(calls))
			}

			redisDir := t.TempDir()
			if keep {
				redisDir = e.redisDirPath
			}
			e.startRedis(redisDir, addr)
			r.waitReady(20 * time.Second)
			waitFor(t, "every record finished", 30*time.Second, func() bool {
				return e.count(kafka.CustomerCommands, "UpsertCustomer", "applied")+
					e.count(kafka.CustomerCommands, "UpsertCustomer", "duplicate") == 3*n
			}, func() string {
				return fmt.Sprintf("applied %d, duplicate %d", e.count(kafka.CustomerCommands, "UpsertCustomer", "applied"),
					e.count(kafka.CustomerCommands, "UpsertCustomer", "duplicate"))
			})
			if err := r.stop(); err != nil {
				t.Fatalf("Run: %v", err)
			}
			for i := range 2 * n {
				if got := e.customers(fmt.Sprintf("cus_Rr%02d", i)); got != 1 {
					t.Errorf("cus_Rr%02d: %d customers in Infor, want 1", i, got)
				}
			}
			if testutil.ToFloat64(e.metrics.RedisUp) != 1 {
				t.Error("redis_up is not back to 1")
			}
			if got := len(e.logs.matching("redis (dedupe store) unavailable")); got != 1 {
				t.Errorf("the outage was logged %d times, want once", got)
			}
			if got := len(e.logs.matching("answers again")); got != 1 {
				t.Errorf("the recovery was logged %d times, want once", got)
			}
			if a := e.alerts.all(); len(a) > 0 {
				t.Errorf("%d DLQ alerts, first: %+v", len(a), a[0])
			}
		})
	}
}
