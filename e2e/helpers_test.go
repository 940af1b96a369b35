package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/stripe-infor/stripe-infor/internal/kafka"
	"github.com/stripe-infor/stripe-infor/schemas"
)

// notifications reads every customer notification written so far, by id.
func (s *stack) notifications(t *testing.T) map[string]schemas.CustomerNotification {
	t.Helper()
	ends, err := s.adm.ListEndOffsets(s.ctx, kafka.CustomerNotifications)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int32]int64{}
	ends.Each(func(o kadm.ListedOffset) {
		if o.Offset > 0 {
			want[o.Partition] = o.Offset
		}
	})
	out := map[string]schemas.CustomerNotification{}
	if len(want) == 0 {
		return out
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(s.addr), kgo.ConsumeTopics(kafka.CustomerNotifications),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.FetchIsolationLevel(kgo.ReadCommitted()),
		kgo.KeepControlRecords()) // the processors write in transactions: the last offset is a marker
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(s.ctx, 30*time.Second)
	defer cancel()
	for len(want) > 0 {
		fs := cl.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			t.Fatalf("reading %s: %v", kafka.CustomerNotifications, err)
		}
		fs.EachRecord(func(r *kgo.Record) {
			if r.Offset+1 >= want[r.Partition] {
				delete(want, r.Partition)
			}
			if r.Attrs.IsControl() {
				return
			}
			v, err := s.serde.Decode(ctx, r.Value)
			if err != nil {
				t.Errorf("an undecodable notification: %v", err)
			} else if n, ok := v.(schemas.CustomerNotification); ok {
				out[n.NotificationID] = n
			}
		})
	}
	return out
}
