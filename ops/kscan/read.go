package kscan

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/stripe-infor/stripe-infor/internal/kafka"
)

// DefaultIdleTimeout is how long Read waits without a single record before
// it gives up on the ranges not finished yet.
const DefaultIdleTimeout = 10 * time.Second

// ReadOptions configure Read.
type ReadOptions struct {
	// Kafka reaches the cluster.
	Kafka kafka.Config
	// IdleTimeout ends the read when no record at all arrived for this
	// long; default DefaultIdleTimeout. A range can stop short of its End
	// only when the offsets before End hold nothing readable (the records
	// of an aborted transaction whose marker lies past End, or records
	// removed by retention or compaction meanwhile); Result.Short names
	// them.
	IdleTimeout time.Duration
	// Advanced, when set, is told how many offsets each record moved a
	// range forward (for a progress bar whose total is Total(ranges)).
	Advanced func(n int64)
}

// Result says how a Read went.
type Result struct {
	// Records is how many records were passed to fn.
	Records int64
	// Short are the ranges that ended before their End, with Start set to
	// where they stopped.
	Short []Range
}

type partKey struct {
	topic string
	part  int32
}

// Read passes every record of the ranges to fn, in offset order within each
// partition (partitions interleave). It reads read_committed: records of
// aborted transactions are never passed, and transaction markers only move
// the ranges forward. It returns when every range is done, fn fails, ctx
// ends, or nothing arrives for IdleTimeout.
func Read(ctx context.Context, o ReadOptions, ranges []Range, fn func(*kgo.Record) error) (Result, error) {
	var res Result
	next := map[partKey]int64{}
	end := map[partKey]int64{}
	consume := map[string]map[int32]kgo.Offset{}
	for _, r := range ranges {
		if r.Len() == 0 {
			continue
		}
		k := partKey{r.Topic, r.Partition}
		if _, dup := end[k]; dup {
			return res, fmt.Errorf("kscan: %s/%d appears twice", r.Topic, r.Partition)
		}
		next[k], end[k] = r.Start, r.End
		if consume[r.Topic] == nil {
			consume[r.Topic] = map[int32]kgo.Offset{}
		}
		consume[r.Topic][r.Partition] = kgo.NewOffset().At(r.Start)
	}
	if len(end) == 0 {
		return res, nil
	}
	opts, err := o.Kafka.ClientOpts()
	if err != nil {
		return res, err
	}
	cl, err := kgo.NewClient(append(opts,
		kgo.ConsumePartitions(consume),
		kgo.FetchIsolationLevel(kgo.ReadCommitted()),
		// Transaction markers take offsets too: seeing them is how a range
		// whose last offsets are a commit marker knows it is done.
		kgo.KeepControlRecords(),
	)...)
	if err != nil {
		return res, fmt.Errorf("kscan: kafka client: %w", err)
	}
	defer cl.Close()

	idle := o.IdleTimeout
	if idle <= 0 {
		idle = DefaultIdleTimeout
	}
	advance := func(n int64) {
		if o.Advanced != nil && n > 0 {
			o.Advanced(n)
		}
	}
	for len(end) > 0 {
		pctx, cancel := context.WithTimeout(ctx, idle)
		fs := cl.PollFetches(pctx)
		cancel()
		if err := ctx.Err(); err != nil {
			return res, err
		}
		var ferr error
		idleOut := false
		fs.EachError(func(t string, p int32, err error) {
			switch {
			case errors.Is(err, context.DeadlineExceeded):
				idleOut = true
			case ferr == nil:
				ferr = fmt.Errorf("kscan: fetch %s/%d: %w", t, p, err)
			}
		})
		if ferr != nil {
			return res, ferr
		}
		if idleOut && fs.NumRecords() == 0 {
			for k, e := range end {
				res.Short = append(res.Short, Range{Topic: k.topic, Partition: k.part, Start: next[k], End: e})
			}
			return res, nil
		}
		var stop error
		fs.EachRecord(func(r *kgo.Record) {
			if stop != nil {
				return
			}
			k := partKey{r.Topic, r.Partition}
			e, open := end[k]
			if !open || r.Offset < next[k] {
				return // a finished range's leftovers, or a re-delivery
			}
			if r.Offset >= e {
				advance(e - next[k])
				finish(cl, end, next, k, e)
				return
			}
			advance(r.Offset + 1 - next[k])
			next[k] = r.Offset + 1
			if !r.Attrs.IsControl() {
				res.Records++
				if err := fn(r); err != nil {
					stop = err
					return
				}
			}
			if next[k] >= e {
				finish(cl, end, next, k, e)
			}
		})
		if stop != nil {
			return res, stop
		}
	}
	return res, nil
}

// finish closes a range and stops fetching its partition.
func finish(cl *kgo.Client, end, next map[partKey]int64, k partKey, e int64) {
	next[k] = e
	delete(end, k)
	cl.PauseFetchPartitions(map[string][]int32{k.topic: {k.part}})
}
