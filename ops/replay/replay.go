// Package replay makes a stage process records again: either by copying a
// range of a topic to a topic (usually the same one, so the stage reading
// it sees the records once more) or by moving a stopped consumer group's
// committed offsets back, so the group reads the range again when it
// restarts.
//
// Both are safe to repeat because every stage downstream is idempotent:
// the processors derive command ids from the business identity, and the
// Infor sink applies each command id once (Redis, then a lookup in Infor).
// A replay costs work, never a duplicate in Infor.
package replay

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/stripe-infor/stripe-infor/internal/kafka"
	"github.com/stripe-infor/stripe-infor/ops/kscan"
	"github.com/stripe-infor/stripe-infor/ops/progress"
)

// HeaderReplayedFrom is added to every record a replay re-produces:
// "<topic>/<partition>@<offset>" of the record it copies. A record replayed
// again gets the newer value only.
const HeaderReplayedFrom = "replayed-from"

// Source is what to replay.
type Source struct {
	Topic string
	// Partitions limits the replay; empty means every partition.
	Partitions []int32
	// From and To bound the range ([From, To)); To is ignored by
	// ResetGroup, which only sets where the group starts.
	From, To kscan.Bound
}

// Options are shared by both modes.
type Options struct {
	Kafka kafka.Config
	// DryRun reads and reports but writes nothing: no record, no offset.
	DryRun bool
	// Progress receives the progress line (stderr); nil draws none.
	Progress io.Writer
}

// TopicReport is what ToTopic did.
type TopicReport struct {
	Target string
	Ranges []kscan.Range
	// Records is how many records were read in the ranges; Produced how
	// many were written and acknowledged (0 in a dry run).
	Records, Produced int64
	// Short are ranges that ended early (kscan.Result.Short).
	Short  []kscan.Range
	DryRun bool
}

// ToTopic copies src's records to target, in order within each source
// partition, with key, value and headers unchanged plus replayed-from. The
// producer is idempotent with acks=all; the target partition comes from the
// key (the same partitioner as the stages), so a topic replayed into itself
// keeps every key on its partition. The records get a new timestamp: the
// time they were replayed.
func ToTopic(ctx context.Context, o Options, src Source, target string) (TopicReport, error) {
	rep := TopicReport{Target: target, DryRun: o.DryRun}
	if target == "" {
		return rep, errors.New("replay: no target topic")
	}
	adm, closeAdm, err := admin(o.Kafka)
	if err != nil {
		return rep, err
	}
	defer closeAdm()
	// The target must exist: a typo must not create a topic.
	if _, err := kscan.Partitions(ctx, adm, target); err != nil {
		return rep, fmt.Errorf("replay: target: %w", err)
	}
	rep.Ranges, err = kscan.Resolve(ctx, adm, src.Topic, src.Partitions, src.From, src.To)
	if err != nil {
		return rep, fmt.Errorf("replay: %w", err)
	}

	bar := newBar(o.Progress, "replay "+src.Topic+" → "+target, kscan.Total(rep.Ranges))
	defer bar.Finish()
	ropts := kscan.ReadOptions{Kafka: o.Kafka, Advanced: bar.Add}

	if o.DryRun {
		res, err := kscan.Read(ctx, ropts, rep.Ranges, func(*kgo.Record) error { return nil })
		rep.Records, rep.Short = res.Records, res.Short
		return rep, err
	}

	prod, err := kafka.NewProducer(kafka.ProducerConfig{Config: o.Kafka})
	if err != nil {
		return rep, err
	}
	defer prod.Close()
	var (
		mu       sync.Mutex
		firstErr error
		acked    int64
	)
	res, err := kscan.Read(ctx, ropts, rep.Ranges, func(r *kgo.Record) error {
		mu.Lock()
		failed := firstErr
		mu.Unlock()
		if failed != nil {
			return failed
		}
		prod.Produce(ctx, Copy(r, target), func(_ *kgo.Record, err error) {
			mu.Lock()
			defer mu.Unlock()
			if err != nil && firstErr == nil {
				firstErr = fmt.Errorf("replay: produce to %s: %w", target, err)
			}
			if err == nil {
				acked++
			}
		})
		return nil
	})
	rep.Records, rep.Short = res.Records, res.Short
	ferr := prod.Flush(ctx)
	mu.Lock()
	rep.Produced = acked
	perr := firstErr
	mu.Unlock()
	if err != nil {
		return rep, err
	}
	if perr != nil {
		return rep, perr
	}
	if ferr != nil {
		return rep, fmt.Errorf("replay: flush: %w", ferr)
	}
	return rep, nil
}

// Copy is r for topic: key, value and headers as they were, an earlier
// replayed-from replaced by r's own position.
func Copy(r *kgo.Record, topic string) *kgo.Record {
	h := make([]kgo.RecordHeader, 0, len(r.Headers)+1)
	for _, x := range r.Headers {
		if x.Key != HeaderReplayedFrom {
			h = append(h, x)
		}
	}
	h = append(h, kgo.RecordHeader{Key: HeaderReplayedFrom, Value: []byte(Position(r))})
	return &kgo.Record{Topic: topic, Key: r.Key, Value: r.Value, Headers: h}
}

// Position names a record: "<topic>/<partition>@<offset>".
func Position(r *kgo.Record) string {
	return r.Topic + "/" + strconv.FormatInt(int64(r.Partition), 10) + "@" + strconv.FormatInt(r.Offset, 10)
}

// Move is one partition of a group reset.
type Move struct {
	Partition int32
	// Old is the committed offset before, -1 when there was none.
	Old int64
	New int64
}

// ResetReport is what ResetGroup did (or would do, in a dry run).
type ResetReport struct {
	Group, Topic string
	Moves        []Move
	DryRun       bool
}

// ErrGroupActive is returned (wrapped) when the group has live members.
var ErrGroupActive = errors.New("the group has live members")

// ResetGroup commits src.From as group's offset in each partition of
// src.Topic, so the group reads from there when it next starts. The group
// must be empty: offsets committed under running consumers would be
// overwritten by their next commit, and Kafka refuses such a commit
// anyway. Partitions outside src are left as they are.
func ResetGroup(ctx context.Context, o Options, src Source, group string) (ResetReport, error) {
	rep := ResetReport{Group: group, Topic: src.Topic, DryRun: o.DryRun}
	if group == "" {
		return rep, errors.New("replay: no group to reset")
	}
	adm, closeAdm, err := admin(o.Kafka)
	if err != nil {
		return rep, err
	}
	defer closeAdm()
	if err := checkEmpty(ctx, adm, group); err != nil {
		return rep, err
	}
	ranges, err := kscan.Resolve(ctx, adm, src.Topic, src.Partitions, src.From, kscan.Latest())
	if err != nil {
		return rep, fmt.Errorf("replay: %w", err)
	}
	old, err := adm.FetchOffsets(ctx, group)
	if err == nil {
		err = old.Error()
	}
	if err != nil && !errors.Is(err, kerr.GroupIDNotFound) {
		return rep, fmt.Errorf("replay: committed offsets of group %s: %w", group, err)
	}
	var commit kadm.Offsets
	for _, r := range ranges {
		m := Move{Partition: r.Partition, Old: -1, New: r.Start}
		if c, ok := old.Lookup(src.Topic, r.Partition); ok && c.Err == nil && c.At >= 0 {
			m.Old = c.At
		}
		rep.Moves = append(rep.Moves, m)
		commit.Add(kadm.Offset{Topic: src.Topic, Partition: r.Partition, At: r.Start, LeaderEpoch: -1})
	}
	if o.DryRun {
		return rep, nil
	}
	resp, err := adm.CommitOffsets(ctx, group, commit)
	if err == nil {
		err = resp.Error()
	}
	if err != nil {
		return rep, fmt.Errorf("replay: commit offsets of group %s: %w", group, err)
	}
	return rep, nil
}

// checkEmpty refuses a group with members.
func checkEmpty(ctx context.Context, adm *kadm.Client, group string) error {
	ds, err := adm.DescribeGroups(ctx, group)
	if err != nil {
		return fmt.Errorf("replay: describe group %s: %w", group, err)
	}
	d, ok := ds[group]
	if !ok {
		return nil
	}
	if d.Err != nil {
		if errors.Is(d.Err, kerr.GroupIDNotFound) {
			return nil
		}
		return fmt.Errorf("replay: describe group %s: %w", group, d.Err)
	}
	if len(d.Members) > 0 {
		return fmt.Errorf("replay: group %s is %s with %d live member(s): stop its consumers first: %w", group, d.State, len(d.Members), ErrGroupActive)
	}
	switch d.State {
	case "", "Empty", "Dead":
		return nil
	}
	return fmt.Errorf("replay: group %s is %s: wait until it is Empty: %w", group, d.State, ErrGroupActive)
}

func admin(cfg kafka.Config) (*kadm.Client, func(), error) {
	cl, err := kafka.NewAdminClient(cfg)
	if err != nil {
		return nil, nil, err
	}
	return kadm.NewClient(cl), cl.Close, nil
}

func newBar(w io.Writer, label string, total int64) *progress.Bar {
	if w == nil {
		return nil
	}
	return progress.Start(w, label, total, progress.Options{})
}
