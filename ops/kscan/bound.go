// Package kscan reads bounded ranges of Kafka partitions: from a start
// (an offset, a time, a consumer group's committed position) to an end (an
// offset, a time, or the end as it was when the range was resolved). Replay,
// the DLQ tool and the backfill's duplicate check all read this way, so the
// rules live once: ranges are half-open [Start, End), reads are
// read_committed, and a read stops on its own once every range is done.
package kscan

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
)

type boundKind int

const (
	kindEarliest boundKind = iota
	kindLatest
	kindOffset
	kindTime
	kindGroup
)

// Bound is one end of a range.
type Bound struct {
	kind   boundKind
	offset int64
	time   time.Time
	group  string
}

// Earliest is the log start offset.
func Earliest() Bound { return Bound{kind: kindEarliest} }

// Latest is the end when the range is resolved: the last stable offset,
// which for a topic written without transactions is the high watermark.
func Latest() Bound { return Bound{kind: kindLatest} }

// AtOffset is an offset, the same in every partition of the range; it is
// clamped to what the partition holds.
func AtOffset(o int64) Bound { return Bound{kind: kindOffset, offset: o} }

// AtTime is the first offset whose timestamp is at or after t (Kafka's
// ListOffsets by time). As an end it is exclusive: records before t.
func AtTime(t time.Time) Bound { return Bound{kind: kindTime, time: t} }

// AtGroup is the consumer group's committed offset in each partition: the
// next record it would read.
func AtGroup(group string) Bound { return Bound{kind: kindGroup, group: group} }

// IsLatest reports whether b is Latest.
func (b Bound) IsLatest() bool { return b.kind == kindLatest }

func (b Bound) String() string {
	switch b.kind {
	case kindEarliest:
		return "earliest"
	case kindLatest:
		return "latest"
	case kindOffset:
		return fmt.Sprintf("offset %d", b.offset)
	case kindTime:
		return "time " + b.time.UTC().Format("2006-01-02T15:04:05.999Z07:00")
	default:
		return "group " + b.group
	}
}

// Range is the half-open offset range [Start, End) of one partition.
type Range struct {
	Topic      string
	Partition  int32
	Start, End int64
}

// Len is the number of offsets in the range (control records and gaps
// included, so the record count may be a little lower).
func (r Range) Len() int64 { return max(0, r.End-r.Start) }

func (r Range) String() string {
	return fmt.Sprintf("%s/%d [%d, %d)", r.Topic, r.Partition, r.Start, r.End)
}

// Total is the sum of the ranges' lengths.
func Total(rs []Range) int64 {
	var n int64
	for _, r := range rs {
		n += r.Len()
	}
	return n
}

// Partitions returns the topic's partition numbers, sorted; an error when
// the topic does not exist.
func Partitions(ctx context.Context, adm *kadm.Client, topic string) ([]int32, error) {
	tds, err := adm.ListTopics(ctx, topic)
	if err != nil {
		return nil, fmt.Errorf("describe topic %s: %w", topic, err)
	}
	td, ok := tds[topic]
	if !ok {
		return nil, fmt.Errorf("topic %s does not exist", topic)
	}
	if td.Err != nil {
		return nil, fmt.Errorf("topic %s: %w", topic, td.Err)
	}
	ps := td.Partitions.Numbers()
	slices.Sort(ps)
	return ps, nil
}

// Resolve turns from and to into one range per partition of topic (all of
// them when partitions is empty), sorted by partition. Offsets are clamped
// to what each partition holds; an end before the start gives an empty
// range. A group without a committed offset in a partition is an error:
// guessing where it would start is the group's reset policy, not ours.
func Resolve(ctx context.Context, adm *kadm.Client, topic string, partitions []int32, from, to Bound) ([]Range, error) {
	all, err := Partitions(ctx, adm, topic)
	if err != nil {
		return nil, err
	}
	if len(partitions) == 0 {
		partitions = all
	}
	for _, p := range partitions {
		if !slices.Contains(all, p) {
			return nil, fmt.Errorf("topic %s has no partition %d (it has %d)", topic, p, len(all))
		}
	}
	starts, err := adm.ListStartOffsets(ctx, topic)
	if err == nil {
		err = starts.Error()
	}
	if err != nil {
		return nil, fmt.Errorf("list start offsets of %s: %w", topic, err)
	}
	ends, err := adm.ListCommittedOffsets(ctx, topic)
	if err == nil {
		err = ends.Error()
	}
	if err != nil {
		return nil, fmt.Errorf("list end offsets of %s: %w", topic, err)
	}
	lo := func(p int32) int64 { o, _ := starts.Lookup(topic, p); return o.Offset }
	hi := func(p int32) int64 { o, _ := ends.Lookup(topic, p); return o.Offset }

	fromAt, err := resolveBound(ctx, adm, topic, partitions, from, lo, hi)
	if err != nil {
		return nil, fmt.Errorf("start (%s): %w", from, err)
	}
	toAt, err := resolveBound(ctx, adm, topic, partitions, to, lo, hi)
	if err != nil {
		return nil, fmt.Errorf("end (%s): %w", to, err)
	}
	out := make([]Range, 0, len(partitions))
	for _, p := range partitions {
		s := min(max(fromAt[p], lo(p)), hi(p))
		e := min(max(toAt[p], s), hi(p))
		out = append(out, Range{Topic: topic, Partition: p, Start: s, End: e})
	}
	slices.SortFunc(out, func(a, b Range) int { return int(a.Partition - b.Partition) })
	return out, nil
}

// resolveBound returns b's offset in each partition, before clamping.
func resolveBound(ctx context.Context, adm *kadm.Client, topic string, ps []int32, b Bound, lo, hi func(int32) int64) (map[int32]int64, error) {
	out := make(map[int32]int64, len(ps))
	switch b.kind {
	case kindEarliest, kindLatest, kindOffset:
		for _, p := range ps {
			switch b.kind {
			case kindEarliest:
				out[p] = lo(p)
			case kindLatest:
				out[p] = hi(p)
			default:
				out[p] = b.offset
			}
		}
	case kindTime:
		listed, err := adm.ListOffsetsAfterMilli(ctx, b.time.UnixMilli(), topic)
		if err == nil {
			err = listed.Error()
		}
		if err != nil {
			return nil, fmt.Errorf("list offsets by time: %w", err)
		}
		for _, p := range ps {
			o, ok := listed.Lookup(topic, p)
			if !ok || o.Offset < 0 {
				out[p] = hi(p) // nothing at or after the time
				continue
			}
			out[p] = o.Offset
		}
	case kindGroup:
		committed, err := adm.FetchOffsets(ctx, b.group)
		if err == nil {
			err = committed.Error()
		}
		if err != nil {
			return nil, fmt.Errorf("fetch the committed offsets of group %s: %w", b.group, err)
		}
		var missing []int32
		for _, p := range ps {
			o, ok := committed.Lookup(topic, p)
			if !ok || o.At < 0 {
				missing = append(missing, p)
				continue
			}
			out[p] = o.At
		}
		if len(missing) > 0 {
			return nil, fmt.Errorf("group %s has no committed offset on %s partitions %v", b.group, topic, missing)
		}
	default:
		return nil, errors.New("unknown bound")
	}
	return out, nil
}
