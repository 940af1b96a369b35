package replay_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/stripe-infor/stripe-infor/ops/internal/opstest"
	"github.com/stripe-infor/stripe-infor/ops/kscan"
	"github.com/stripe-infor/stripe-infor/ops/replay"
)

const (
	src    = "infor.payment.commands"
	target = "replay.target"
)

var t0 = time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)

// setup writes 10 records to each of 3 partitions of src; record i of
// partition p has key k<p>-<i>, a header, and timestamp t0 + i minutes.
func setup(t *testing.T) *opstest.Env {
	e := opstest.Start(t, map[string]int32{src: 3, target: 3})
	var rs []*kgo.Record
	for p := range int32(3) {
		for i := range 10 {
			rs = append(rs, &kgo.Record{Topic: src, Partition: p, Key: fmt.Appendf(nil, "k%d-%d", p, i),
				Value:     fmt.Appendf(nil, "v%d-%d", p, i),
				Headers:   []kgo.RecordHeader{{Key: "command-id", Value: fmt.Appendf(nil, "payment:ch_%d_%d", p, i)}, {Key: replay.HeaderReplayedFrom, Value: []byte("old")}},
				Timestamp: t0.Add(time.Duration(i) * time.Minute)})
		}
	}
	e.Produce(rs...)
	return e
}

func TestReplayToTopic(t *testing.T) {
	e := setup(t)
	ctx := opstest.Ctx(t)
	o := replay.Options{Kafka: e.Kafka()}

	// Dry run: the ranges and the count, nothing written.
	dry := o
	dry.DryRun = true
	rep, err := replay.ToTopic(ctx, dry, replay.Source{Topic: src, Partitions: []int32{1}, From: kscan.AtOffset(2), To: kscan.AtOffset(5)}, target)
	if err != nil || rep.Records != 3 || rep.Produced != 0 {
		t.Fatalf("dry run: %+v %v", rep, err)
	}
	if got := e.ReadAll(target); len(got) != 0 {
		t.Fatalf("dry run wrote %d records", len(got))
	}

	// One partition, an offset range [2, 5).
	rep, err = replay.ToTopic(ctx, o, replay.Source{Topic: src, Partitions: []int32{1}, From: kscan.AtOffset(2), To: kscan.AtOffset(5)}, target)
	if err != nil || rep.Records != 3 || rep.Produced != 3 {
		t.Fatalf("offset range: %+v %v", rep, err)
	}
	got := e.ReadAll(target)
	want := map[string]string{"k1-2": "v1-2", "k1-3": "v1-3", "k1-4": "v1-4"}
	if len(got) != 3 {
		t.Fatalf("%d records on the target, want 3", len(got))
	}
	for _, r := range got {
		i := int(r.Key[len(r.Key)-1] - '0')
		if want[string(r.Key)] != string(r.Value) {
			t.Fatalf("record %s = %s", r.Key, r.Value)
		}
		if v, _ := opstest.Header(r, "command-id"); v != fmt.Sprintf("payment:ch_1_%d", i) {
			t.Fatalf("command-id %q", v)
		}
		if v, _ := opstest.Header(r, replay.HeaderReplayedFrom); v != fmt.Sprintf("%s/1@%d", src, i) {
			t.Fatalf("replayed-from %q", v)
		}
		n := 0
		for _, h := range r.Headers {
			if h.Key == replay.HeaderReplayedFrom {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("replayed-from appears %d times", n)
		}
	}

	// A time range over every partition: [09:07, 09:09) is offsets 7 and 8.
	rep, err = replay.ToTopic(ctx, o, replay.Source{Topic: src, From: kscan.AtTime(t0.Add(7 * time.Minute)), To: kscan.AtTime(t0.Add(9 * time.Minute))}, target)
	if err != nil || rep.Produced != 6 || len(rep.Ranges) != 3 {
		t.Fatalf("time range: %+v %v", rep, err)
	}
	got = e.ReadAll(target)
	if len(got) != 9 {
		t.Fatalf("%d records on the target, want 9", len(got))
	}
	seen := map[string]bool{}
	for _, r := range got {
		seen[string(r.Key)] = true
	}
	for p := range 3 {
		for _, i := range []int{7, 8} {
			if !seen[fmt.Sprintf("k%d-%d", p, i)] {
				t.Fatalf("k%d-%d not replayed: %v", p, i, seen)
			}
		}
	}

	// A missing target is refused, not created.
	if _, err := replay.ToTopic(ctx, o, replay.Source{Topic: src, From: kscan.Earliest(), To: kscan.Latest()}, "no.such.topic"); err == nil {
		t.Fatal("missing target accepted")
	}
}

func TestResetGroup(t *testing.T) {
	e := setup(t)
	ctx := opstest.Ctx(t)
	const group = "infor-sink"
	o := replay.Options{Kafka: e.Kafka()}

	// A live consumer has read everything and committed.
	live, err := kgo.NewClient(kgo.SeedBrokers(e.Addr), kgo.ConsumerGroup(group), kgo.ConsumeTopics(src),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	for n := 0; n < 30; {
		fs := live.PollFetches(ctx)
		if err := fs.Err0(); err != nil {
			t.Fatal(err)
		}
		n += fs.NumRecords()
	}
	if err := live.CommitUncommittedOffsets(ctx); err != nil {
		t.Fatal(err)
	}
	_, err = replay.ResetGroup(ctx, o, replay.Source{Topic: src, From: kscan.AtOffset(4)}, group)
	if !errors.Is(err, replay.ErrGroupActive) {
		t.Fatalf("reset under a live member: %v", err)
	}
	live.Close() // leaves the group

	// Dry run: old → new, nothing committed.
	dry := o
	dry.DryRun = true
	rep, err := replay.ResetGroup(ctx, dry, replay.Source{Topic: src, Partitions: []int32{0, 2}, From: kscan.AtOffset(4)}, group)
	if err != nil || len(rep.Moves) != 2 {
		t.Fatalf("dry run: %+v %v", rep, err)
	}
	for _, m := range rep.Moves {
		if m.Old != 10 || m.New != 4 {
			t.Fatalf("move %+v, want 10 → 4", m)
		}
	}
	if at := committed(t, e, group); at[0] != 10 || at[2] != 10 {
		t.Fatalf("dry run committed: %v", at)
	}

	rep, err = replay.ResetGroup(ctx, o, replay.Source{Topic: src, Partitions: []int32{0, 2}, From: kscan.AtOffset(4)}, group)
	if err != nil {
		t.Fatal(err)
	}
	if at := committed(t, e, group); at[0] != 4 || at[1] != 10 || at[2] != 4 {
		t.Fatalf("after reset: %v, want 0:4 1:10 2:4", at)
	}

	// The group, restarted, reads offsets 4..9 of partitions 0 and 2 again.
	again, err := kgo.NewClient(kgo.SeedBrokers(e.Addr), kgo.ConsumerGroup(group), kgo.ConsumeTopics(src))
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	var keys []string
	for len(keys) < 12 {
		fs := again.PollFetches(ctx)
		if err := fs.Err0(); err != nil {
			t.Fatal(err)
		}
		fs.EachRecord(func(r *kgo.Record) { keys = append(keys, string(r.Key)) })
	}
	seen := map[string]bool{}
	for _, k := range keys {
		seen[k] = true
	}
	for _, p := range []int{0, 2} {
		for i := 4; i < 10; i++ {
			if !seen[fmt.Sprintf("k%d-%d", p, i)] {
				t.Fatalf("k%d-%d not re-read: %v", p, i, keys)
			}
		}
	}
	if len(keys) != 12 || seen["k1-9"] || seen["k0-3"] {
		t.Fatalf("re-read %v", keys)
	}

	// A new group can be positioned from a time.
	rep, err = replay.ResetGroup(ctx, o, replay.Source{Topic: src, From: kscan.AtTime(t0.Add(8 * time.Minute))}, "fresh")
	if err != nil || len(rep.Moves) != 3 || rep.Moves[0].Old != -1 || rep.Moves[0].New != 8 {
		t.Fatalf("fresh group: %+v %v", rep, err)
	}
}

func committed(t *testing.T, e *opstest.Env, group string) map[int32]int64 {
	t.Helper()
	os, err := e.Admin.FetchOffsets(opstest.Ctx(t), group)
	if err != nil {
		t.Fatal(err)
	}
	out := map[int32]int64{}
	os.Each(func(o kadm.OffsetResponse) {
		if o.Topic == src {
			out[o.Partition] = o.At
		}
	})
	return out
}
