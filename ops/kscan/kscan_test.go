package kscan_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/stripe-infor/stripe-infor/ops/internal/opstest"
	"github.com/stripe-infor/stripe-infor/ops/kscan"
)

const topic = "scan.me"

var t0 = time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)

// fill writes n records to each of 2 partitions, record i at t0 + i minutes.
func fill(t *testing.T, e *opstest.Env, n int) {
	var rs []*kgo.Record
	for p := range int32(2) {
		for i := range n {
			rs = append(rs, &kgo.Record{Topic: topic, Partition: p, Value: fmt.Appendf(nil, "p%d-%d", p, i), Timestamp: t0.Add(time.Duration(i) * time.Minute)})
		}
	}
	e.Produce(rs...)
}

func read(t *testing.T, e *opstest.Env, rs []kscan.Range) ([]string, kscan.Result) {
	t.Helper()
	var got []string
	var advanced int64
	res, err := kscan.Read(opstest.Ctx(t), kscan.ReadOptions{Kafka: e.Kafka(), Advanced: func(n int64) { advanced += n }}, rs,
		func(r *kgo.Record) error { got = append(got, string(r.Value)); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if advanced != kscan.Total(rs)-kscan.Total(res.Short) {
		t.Fatalf("advanced %d of %d", advanced, kscan.Total(rs))
	}
	return got, res
}

func TestResolveAndRead(t *testing.T) {
	e := opstest.Start(t, map[string]int32{topic: 2})
	fill(t, e, 10)
	ctx := opstest.Ctx(t)

	for _, tc := range []struct {
		name     string
		parts    []int32
		from, to kscan.Bound
		want     string
	}{
		{"everything", nil, kscan.Earliest(), kscan.Latest(), "0-10,0-10"},
		{"offsets on one partition", []int32{1}, kscan.AtOffset(3), kscan.AtOffset(6), "1:3-6"},
		{"offsets clamp", nil, kscan.AtOffset(-5), kscan.AtOffset(99), "0-10,0-10"},
		{"end before start is empty", nil, kscan.AtOffset(6), kscan.AtOffset(2), "6-6,6-6"},
		{"times: [09:02, 09:05)", nil, kscan.AtTime(t0.Add(2 * time.Minute)), kscan.AtTime(t0.Add(5 * time.Minute)), "2-5,2-5"},
		{"a time after everything", nil, kscan.AtTime(t0.Add(time.Hour)), kscan.Latest(), "10-10,10-10"},
	} {
		rs, err := kscan.Resolve(ctx, e.Admin, topic, tc.parts, tc.from, tc.to)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		var b []string
		for _, r := range rs {
			s := fmt.Sprintf("%d-%d", r.Start, r.End)
			if len(tc.parts) > 0 {
				s = fmt.Sprintf("%d:%s", r.Partition, s)
			}
			b = append(b, s)
		}
		if got := strings.Join(b, ","); got != tc.want {
			t.Fatalf("%s: ranges %s, want %s", tc.name, got, tc.want)
		}
		got, res := read(t, e, rs)
		if int64(len(got)) != kscan.Total(rs) || len(res.Short) != 0 || res.Records != int64(len(got)) {
			t.Fatalf("%s: read %d records (%v), want %d", tc.name, len(got), res, kscan.Total(rs))
		}
		for _, r := range rs {
			for i := r.Start; i < r.End; i++ {
				if !contains(got, fmt.Sprintf("p%d-%d", r.Partition, i)) {
					t.Fatalf("%s: p%d-%d not read: %v", tc.name, r.Partition, i, got)
				}
			}
		}
	}

	// A group's committed position.
	if _, err := e.Admin.CommitOffsets(ctx, "g1", offsets(map[int32]int64{0: 7, 1: 4})); err != nil {
		t.Fatal(err)
	}
	rs, err := kscan.Resolve(ctx, e.Admin, topic, nil, kscan.AtGroup("g1"), kscan.Latest())
	if err != nil || rs[0].Start != 7 || rs[1].Start != 4 || rs[0].End != 10 {
		t.Fatalf("from group: %v %v", rs, err)
	}
	if _, err := kscan.Resolve(ctx, e.Admin, topic, nil, kscan.AtGroup("nobody"), kscan.Latest()); err == nil || !strings.Contains(err.Error(), "nobody") {
		t.Fatalf("group without offsets: %v", err)
	}
	// A group that exists but never committed on this topic.
	e.CreateTopic("other", 1)
	if resp, err := e.Admin.CommitOffsets(ctx, "g2", kadm.Offsets{"other": {0: {Topic: "other", At: 1, LeaderEpoch: -1}}}); err != nil || resp.Error() != nil {
		t.Fatal(err, resp.Error())
	}
	if _, err := kscan.Resolve(ctx, e.Admin, topic, nil, kscan.AtGroup("g2"), kscan.Latest()); err == nil || !strings.Contains(err.Error(), "no committed offset") {
		t.Fatalf("group without offsets on the topic: %v", err)
	}
	if _, err := kscan.Resolve(ctx, e.Admin, topic, []int32{5}, kscan.Earliest(), kscan.Latest()); err == nil {
		t.Fatal("partition 5 of a 2-partition topic accepted")
	}
	if _, err := kscan.Resolve(ctx, e.Admin, "no.such.topic", nil, kscan.Earliest(), kscan.Latest()); err == nil {
		t.Fatal("missing topic accepted")
	}
}

// Transactions: an aborted transaction's records are never read, and a
// range that ends with a commit marker finishes (it does not wait for a
// record that will never come).
func TestReadCommittedOnly(t *testing.T) {
	e := opstest.Start(t, map[string]int32{topic: 1})
	ctx := opstest.Ctx(t)
	txn, err := kgo.NewClient(kgo.SeedBrokers(e.Addr), kgo.TransactionalID("kscan-test"), kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	defer txn.Close()
	write := func(commit bool, vals ...string) {
		if err := txn.BeginTransaction(); err != nil {
			t.Fatal(err)
		}
		for _, v := range vals {
			if err := txn.ProduceSync(ctx, &kgo.Record{Topic: topic, Value: []byte(v)}).FirstErr(); err != nil {
				t.Fatal(err)
			}
		}
		if err := txn.EndTransaction(ctx, kgo.TransactionEndTry(commit)); err != nil {
			t.Fatal(err)
		}
	}
	write(true, "a", "b")
	write(false, "aborted-1", "aborted-2")
	write(true, "c")

	rs, err := kscan.Resolve(ctx, e.Admin, topic, nil, kscan.Earliest(), kscan.Latest())
	if err != nil {
		t.Fatal(err)
	}
	if rs[0].End != 8 { // 5 records and 3 markers
		t.Fatalf("range %v, want [0, 8)", rs[0])
	}
	got, res := read(t, e, rs)
	if strings.Join(got, ",") != "a,b,c" || len(res.Short) != 0 {
		t.Fatalf("read %v, short %v", got, res.Short)
	}
}

// fn's error stops the read and is returned; an empty range list reads
// nothing and needs no broker.
func TestReadStopsOnError(t *testing.T) {
	e := opstest.Start(t, map[string]int32{topic: 2})
	fill(t, e, 5)
	rs, err := kscan.Resolve(opstest.Ctx(t), e.Admin, topic, nil, kscan.Earliest(), kscan.Latest())
	if err != nil {
		t.Fatal(err)
	}
	boom := fmt.Errorf("boom")
	n := 0
	_, err = kscan.Read(opstest.Ctx(t), kscan.ReadOptions{Kafka: e.Kafka()}, rs, func(*kgo.Record) error {
		n++
		if n == 3 {
			return boom
		}
		return nil
	})
	if err != boom || n != 3 {
		t.Fatalf("err %v after %d records", err, n)
	}
	res, err := kscan.Read(context.Background(), kscan.ReadOptions{}, []kscan.Range{{Topic: topic, Start: 4, End: 4}}, nil)
	if err != nil || res.Records != 0 {
		t.Fatalf("empty ranges: %v %v", res, err)
	}
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func offsets(m map[int32]int64) kadm.Offsets {
	var o kadm.Offsets
	for p, at := range m {
		o.Add(kadm.Offset{Topic: topic, Partition: p, At: at, LeaderEpoch: -1})
	}
	return o
}
