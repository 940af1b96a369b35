package e2e

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/twmb/franz-go/pkg/kadm"

	"github.com/stripe-infor/stripe-infor/internal/dedupe"
	"github.com/stripe-infor/stripe-infor/internal/kafka"
	"github.com/stripe-infor/stripe-infor/internal/scenario"
)

// sinkTopics are what the sink group consumes: the command topics and
// their retry topics.
func sinkTopics() []string {
	var out []string
	for _, t := range kafka.CommandTopics {
		out = append(out, t, kafka.RetryTopic(t))
	}
	return out
}

// dlqTopics are every dead-letter topic of the pipeline.
func dlqTopics() []string {
	out := []string{kafka.DLQTopic(kafka.RawEvents)}
	for _, t := range kafka.CommandTopics {
		out = append(out, kafka.DLQTopic(t))
	}
	return out
}

// quiet reports whether the pipeline has nothing left to do: the
// processors committed every raw event, the sink committed every command
// and retry record (a record held for a retry is not committed), and no
// Apply runs. Committed offsets are read before end offsets, so work that
// finishes between the two reads shows as not quiet, never the reverse.
func (s *stack) quiet(ctx context.Context) (bool, string) {
	groups := map[string][]string{processorGroup: {kafka.RawEvents}, sinkGroup: sinkTopics()}
	committed := map[string]map[string]map[int32]int64{}
	for g := range groups {
		offs, err := s.adm.FetchOffsets(ctx, g)
		if err != nil {
			return false, fmt.Sprintf("offsets of %s: %v", g, err)
		}
		committed[g] = map[string]map[int32]int64{}
		offs.Each(func(o kadm.OffsetResponse) {
			if committed[g][o.Topic] == nil {
				committed[g][o.Topic] = map[int32]int64{}
			}
			committed[g][o.Topic][o.Partition] = o.At
		})
	}
	if n := testutil.ToFloat64(s.sinkMetrics.InFlight) + testutil.ToFloat64(s.sinkMetrics.Buffered) + testutil.ToFloat64(s.sinkMetrics.RetryHeld); n != 0 {
		return false, fmt.Sprintf("the sink has %v records in flight, buffered or held", n)
	}
	if n, err := s.pendingCommands(ctx); err != nil || n > 0 {
		return false, fmt.Sprintf("%d command(s) pending in Redis (%v)", n, err)
	}
	var behind []string
	for g, topics := range groups {
		ends, err := s.adm.ListEndOffsets(ctx, topics...)
		if err != nil {
			return false, fmt.Sprintf("end offsets: %v", err)
		}
		ends.Each(func(o kadm.ListedOffset) {
			if o.Err != nil {
				behind = append(behind, fmt.Sprintf("%s[%d]: %v", o.Topic, o.Partition, o.Err))
				return
			}
			if at := committed[g][o.Topic][o.Partition]; o.Offset > 0 && at < o.Offset {
				behind = append(behind, fmt.Sprintf("%s %s[%d] at %d of %d", g, o.Topic, o.Partition, at, o.Offset))
			}
		})
	}
	if len(behind) > 0 {
		sort.Strings(behind)
		return false, strings.Join(behind, "; ")
	}
	return true, ""
}

// pendingCommands counts the dedupe keys in state pending ("p:<owner>"):
// commands a sink has claimed and not finished.
func (s *stack) pendingCommands(ctx context.Context) (int, error) {
	n := 0
	iter := s.rdb.Scan(ctx, 0, dedupe.DefaultPrefix+"*", 500).Iterator()
	var keys []string
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
	}
	if err := iter.Err(); err != nil {
		return 0, err
	}
	for i := 0; i < len(keys); i += 500 {
		vals, err := s.rdb.MGet(ctx, keys[i:min(i+500, len(keys))]...).Result()
		if err != nil {
			return 0, err
		}
		for _, v := range vals {
			if str, ok := v.(string); ok && strings.HasPrefix(str, "p:") {
				n++
			}
		}
	}
	return n, nil
}

// waitQuiet waits until the pipeline is quiet three times in a row, 100
// ms apart, or fails the test after timeout saying what is behind.
func (s *stack) waitQuiet(t *testing.T, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	stable, why := 0, ""
	for stable < 3 {
		ctx, cancel := context.WithTimeout(s.ctx, 5*time.Second)
		ok, w := s.quiet(ctx)
		cancel()
		if ok {
			stable++
		} else {
			stable, why = 0, w
		}
		if stable < 3 {
			if time.Now().After(deadline) {
				t.Fatalf("the pipeline is not quiet after %s: %s", timeout, why)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
}

// dlqCounts returns the records on every DLQ topic.
func (s *stack) dlqCounts(t *testing.T) map[string]int64 {
	t.Helper()
	ends, err := s.adm.ListEndOffsets(s.ctx, dlqTopics()...)
	if err != nil {
		t.Fatalf("DLQ offsets: %v", err)
	}
	out := map[string]int64{}
	ends.Each(func(o kadm.ListedOffset) { out[o.Topic] += o.Offset })
	return out
}

// fresh gives a scenario a clean slate: the pipeline quiet, both tenants
// back to their seed, the dedupe Redis empty (commands of an earlier run
// of the same world apply again), the Stripe ledger empty. It returns the
// DLQ counts to compare with at the end.
func (s *stack) fresh(t *testing.T) map[string]int64 {
	t.Helper()
	s.waitQuiet(t, 60*time.Second)
	for _, tn := range []*tenant{s.live, s.sandbox} {
		if err := tn.emu.Reset(); err != nil {
			t.Fatalf("reset %s: %v", tn.name, err)
		}
	}
	if err := s.rdb.FlushDB(s.ctx).Err(); err != nil {
		t.Fatalf("flush redis: %v", err)
	}
	s.stripe.Reset()
	s.stripeLog.take()
	return s.dlqCounts(t)
}

// play runs a world through the pipeline: its ledger into the fake Stripe
// API, its events signed into the webhook as o says, then waits for the
// pipeline to be quiet. Every delivery must be accepted.
func (s *stack) play(t *testing.T, w *scenario.World, o scenario.SendOptions) {
	t.Helper()
	if err := s.stripe.Add(w.Ledger...); err != nil {
		t.Fatalf("load the ledger: %v", err)
	}
	ctx, cancel := context.WithTimeout(s.ctx, 2*time.Minute)
	defer cancel()
	rep, err := s.sender.Send(ctx, w.Events, o)
	if err != nil {
		t.Fatalf("send: %v (%d delivered)", err, rep.Delivered)
	}
	s.waitQuiet(t, 90*time.Second)
}

// noNewDLQ fails the test when any DLQ topic grew since before.
func (s *stack) noNewDLQ(t *testing.T, before map[string]int64) {
	t.Helper()
	for topic, n := range s.dlqCounts(t) {
		if n != before[topic] {
			t.Errorf("%d record(s) dead-lettered on %s", n-before[topic], topic)
		}
	}
}
