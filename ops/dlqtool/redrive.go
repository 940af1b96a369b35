package dlqtool

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/stripe-infor/stripe-infor/internal/kafka"
	"github.com/stripe-infor/stripe-infor/ops/kscan"
)

// RedriveOptions configure Redrive.
type RedriveOptions struct {
	Options
	// MaxRedrives refuses an entry whose redrive.count has reached it;
	// default DefaultMaxRedrives.
	MaxRedrives int
	// Force redrives refused and already-redriven entries too.
	Force bool
	// DryRun decides everything and writes nothing.
	DryRun bool
}

// Redriven is one entry put back (or that would be, in a dry run).
type Redriven struct {
	Entry *Entry
	// Target is the original topic; Count the copy's redrive.count.
	Target string
	Count  int
	// At is the copy's position (empty in a dry run).
	At string
}

// Refusal is an entry Redrive would not touch, and why.
type Refusal struct {
	Entry  *Entry
	Reason string
}

// RedriveReport is what Redrive did.
type RedriveReport struct {
	Redriven []Redriven
	// Skipped were redriven before (their copies are in Entry.RedrivenTo).
	Skipped []*Entry
	Refused []Refusal
	DryRun  bool
}

// ErrRefused is returned (wrapped) when some entries were refused; the
// others were redriven.
var ErrRefused = errors.New("entries refused")

// Redrive writes each entry's record back to its original topic: key,
// value and headers as they are in the DLQ, with redrive.count set to the
// entry's count plus one and redriven-from set to the entry's id. The
// producer is idempotent with acks=all. Entries without a readable
// original.topic, or whose count has reached MaxRedrives, are refused;
// entries already redriven are skipped (both unless Force). Refusals do not
// stop the others; they make the result ErrRefused.
func Redrive(ctx context.Context, o RedriveOptions, entries []*Entry) (RedriveReport, error) {
	rep := RedriveReport{DryRun: o.DryRun}
	limit := o.MaxRedrives
	if limit <= 0 {
		limit = DefaultMaxRedrives
	}
	adm, done, err := admin(o.Kafka)
	if err != nil {
		return rep, err
	}
	defer done()

	exists := map[string]error{}
	var ok []*Entry
	for _, e := range entries {
		target := e.Origin.Topic
		reason := ""
		switch {
		case target == "":
			reason = "no original.topic header: where it came from is unknown"
		case strings.HasSuffix(target, ".dlq") || strings.HasSuffix(target, ".retry"):
			reason = "original.topic " + target + " is a DLQ or retry topic"
		case e.RedriveCount >= limit && !o.Force:
			reason = fmt.Sprintf("redriven %d times already (limit %d; --force to override)", e.RedriveCount, limit)
		}
		if reason == "" {
			if _, seen := exists[target]; !seen {
				_, exists[target] = kscan.Partitions(ctx, adm, target)
			}
			if err := exists[target]; err != nil {
				reason = err.Error()
			}
		}
		if reason != "" {
			rep.Refused = append(rep.Refused, Refusal{Entry: e, Reason: reason})
			continue
		}
		ok = append(ok, e)
	}
	if !o.Force {
		if err := checkRedriven(ctx, o.Options, adm, ok); err != nil {
			return rep, err
		}
		fresh := ok[:0]
		for _, e := range ok {
			if len(e.RedrivenTo) > 0 {
				rep.Skipped = append(rep.Skipped, e)
				continue
			}
			fresh = append(fresh, e)
		}
		ok = fresh
	}
	for _, e := range ok {
		rep.Redriven = append(rep.Redriven, Redriven{Entry: e, Target: e.Origin.Topic, Count: e.RedriveCount + 1})
	}
	if !o.DryRun && len(rep.Redriven) > 0 {
		if err := produce(ctx, o.Options, rep.Redriven); err != nil {
			return rep, err
		}
	}
	if len(rep.Refused) > 0 {
		return rep, fmt.Errorf("dlq: %d of %d entries refused: %w", len(rep.Refused), len(entries), ErrRefused)
	}
	return rep, nil
}

// produce writes the copies and records where each landed.
func produce(ctx context.Context, o Options, rs []Redriven) error {
	prod, err := kafka.NewProducer(kafka.ProducerConfig{Config: o.Kafka})
	if err != nil {
		return err
	}
	defer prod.Close()
	bar := newBar(o.Progress, "dlq redrive", int64(len(rs)))
	defer bar.Finish()
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	for i := range rs {
		wg.Add(1)
		prod.Produce(ctx, Copy(rs[i].Entry, rs[i].Count), func(r *kgo.Record, err error) {
			defer wg.Done()
			bar.Add(1)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if firstErr == nil {
					firstErr = fmt.Errorf("dlq: redrive %s to %s: %w", rs[i].Entry.ID(), rs[i].Target, err)
				}
				return
			}
			rs[i].At = position(r.Topic, r.Partition, r.Offset)
		})
	}
	wg.Wait()
	return firstErr
}

// Copy is the record Redrive writes for e: e's key, value and headers, an
// earlier redrive.count and redriven-from replaced by count and e's id.
func Copy(e *Entry, count int) *kgo.Record {
	r := e.Record
	h := make([]kgo.RecordHeader, 0, len(r.Headers)+2)
	for _, x := range r.Headers {
		if x.Key != HeaderRedriveCount && x.Key != HeaderRedrivenFrom {
			h = append(h, x)
		}
	}
	h = append(h,
		kgo.RecordHeader{Key: HeaderRedriveCount, Value: []byte(strconv.Itoa(count))},
		kgo.RecordHeader{Key: HeaderRedrivenFrom, Value: []byte(e.ID())},
	)
	return &kgo.Record{Topic: e.Origin.Topic, Key: r.Key, Value: r.Value, Headers: h}
}
