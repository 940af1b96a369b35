// Package backfill fetches the Stripe events the webhook missed (an outage
// longer than Stripe's retries, a misconfigured endpoint, a deleted
// secret) from Stripe's Events API and writes them to stripe.events.raw as
// the webhook would have: the event's JSON byte for byte as Stripe sent
// it, the same key and headers (producer.ParseEnvelope and
// producer.NewRecord), received-at = when the backfill wrote it, plus
// backfilled=true.
//
// What was already ingested is skipped: after listing the events, the raw
// topic is read from (the range start − 1h) to its end and every
// stripe-event-id header is checked against the list. An event reaches the
// webhook no earlier than it is created (the hour covers clocks that
// disagree), so no older part of the topic can hold it. The cost is a read
// of the raw topic over that window, all of it, headers and bodies (Kafka
// has no header-only fetch): about the window's webhook traffic, e.g. 3
// days × 1M events/day × 4 KB = 12 GB. An event the webhook delivers
// while the backfill runs may land twice; the processors and the sink are
// idempotent, so that costs work, not a duplicate in Infor.
//
// The listed events are held in memory (a few KB each) between the
// listing and the write: with delivery_success=false they are the
// undelivered ones, few by nature; with IncludeDelivered narrow the window
// or the types.
package backfill

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/stripe-infor/stripe-infor/internal/kafka"
	"github.com/stripe-infor/stripe-infor/internal/stripeapi"
	"github.com/stripe-infor/stripe-infor/ops/kscan"
	"github.com/stripe-infor/stripe-infor/ops/progress"
	"github.com/stripe-infor/stripe-infor/producer"
)

// HeaderBackfilled marks a raw record written by the backfill ("true").
const HeaderBackfilled = "backfilled"

// Retention is how long Stripe keeps events: the backfill refuses a range
// starting earlier, which Stripe would answer with a silently short list.
const Retention = 30 * 24 * time.Hour

// SkipWindow is how far before the range start the raw topic is read for
// events already ingested.
const SkipWindow = time.Hour

// Lister lists events; *stripeapi.Client is one.
type Lister interface {
	ListEvents(ctx context.Context, q stripeapi.EventsQuery, page func([]stripeapi.Event) error) error
}

// Config is one backfill.
type Config struct {
	Kafka  kafka.Config
	Stripe Lister
	// Since and Until bound the events' created time, inclusive; Until
	// zero is now.
	Since, Until time.Time
	// Types are the event types to fetch; empty is all (Stripe takes at
	// most 20).
	Types []string
	// IncludeDelivered drops the delivery_success=false filter: every
	// event of the range is a candidate (the already-ingested ones are
	// still skipped).
	IncludeDelivered bool
	// Account is a connected account; "" the platform.
	Account string
	// Livemode picks live-mode events (the live key) or test-mode ones.
	Livemode bool
	// DryRun lists what would be written and writes nothing.
	DryRun bool
	// Progress receives progress lines (stderr); nil draws none.
	Progress io.Writer
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// Item is one event the backfill wrote (or would write).
type Item struct {
	ID, Type string
	Created  time.Time
	Key      string
	// At is where the record landed (empty in a dry run).
	At string
}

// Refused is an event Stripe listed that is not a usable event, as the
// webhook would have answered 400.
type Refused struct {
	ID, Reason string
}

// Report is what a backfill did.
type Report struct {
	Since, Until time.Time
	// Listed is how many events Stripe listed.
	Listed int
	// Skipped are the ids already on the raw topic.
	Skipped []string
	// Written are the events written, oldest first.
	Written []Item
	Refused []Refused
	// Scanned is how many raw records were read for the skip check.
	Scanned int64
	DryRun  bool
}

// Run runs a backfill.
func Run(ctx context.Context, cfg Config) (Report, error) {
	now := time.Now
	if cfg.Now != nil {
		now = cfg.Now
	}
	start := now()
	rep := Report{Since: cfg.Since.UTC(), Until: cfg.Until.UTC(), DryRun: cfg.DryRun}
	if rep.Until.IsZero() || rep.Until.After(start) {
		rep.Until = start.UTC()
	}
	switch {
	case cfg.Stripe == nil:
		return rep, errors.New("backfill: no Stripe client")
	case rep.Since.IsZero():
		return rep, errors.New("backfill: no start of the range (--since)")
	case rep.Since.Before(start.Add(-Retention)):
		return rep, fmt.Errorf("backfill: %s is more than 30 days ago: Stripe keeps events for 30 days, so it would list only part of the range",
			rep.Since.Format(time.RFC3339))
	case rep.Until.Before(rep.Since):
		return rep, fmt.Errorf("backfill: the range ends (%s) before it starts (%s)", rep.Until.Format(time.RFC3339), rep.Since.Format(time.RFC3339))
	case len(cfg.Types) > stripeapi.MaxEventTypes:
		return rep, fmt.Errorf("backfill: %d types: Stripe takes at most %d in one listing", len(cfg.Types), stripeapi.MaxEventTypes)
	}

	events, err := list(ctx, cfg, &rep)
	if err != nil {
		return rep, err
	}
	if len(events) == 0 {
		return rep, nil
	}
	present, err := ingested(ctx, cfg, rep.Since, events, &rep)
	if err != nil {
		return rep, err
	}
	var todo []*kgo.Record
	for _, ev := range events {
		if present[ev.ID] {
			rep.Skipped = append(rep.Skipped, ev.ID)
			continue
		}
		env, err := producer.ParseEnvelope(ev.Raw)
		if err != nil {
			rep.Refused = append(rep.Refused, Refused{ID: ev.ID, Reason: err.Error()})
			continue
		}
		r := producer.NewRecord(kafka.RawEvents, &env, ev.Raw, now())
		r.Headers = append(r.Headers, kgo.RecordHeader{Key: HeaderBackfilled, Value: []byte("true")})
		todo = append(todo, r)
		rep.Written = append(rep.Written, Item{ID: env.ID, Type: env.Type, Created: ev.Created, Key: env.Key()})
	}
	if cfg.DryRun || len(todo) == 0 {
		return rep, nil
	}
	return rep, write(ctx, cfg, todo, rep.Written)
}

// list fetches the candidates, oldest first (Stripe lists newest first;
// writing oldest first keeps each key's events in order).
func list(ctx context.Context, cfg Config, rep *Report) ([]stripeapi.Event, error) {
	q := stripeapi.EventsQuery{CreatedGTE: rep.Since, CreatedLTE: rep.Until, Types: cfg.Types,
		Account: cfg.Account, Livemode: cfg.Livemode}
	if !cfg.IncludeDelivered {
		f := false
		q.DeliverySuccess = &f
	}
	bar := newBar(cfg.Progress, "backfill: listing Stripe events", 0, "events")
	defer bar.Finish()
	var out []stripeapi.Event
	seen := map[string]bool{}
	err := cfg.Stripe.ListEvents(ctx, q, func(page []stripeapi.Event) error {
		for _, ev := range page {
			if !seen[ev.ID] {
				seen[ev.ID] = true
				out = append(out, ev)
			}
		}
		bar.Add(int64(len(page)))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("backfill: %w", err)
	}
	rep.Listed = len(out)
	slices.Reverse(out)
	slices.SortStableFunc(out, func(a, b stripeapi.Event) int { return a.Created.Compare(b.Created) })
	return out, nil
}

// ingested reads the raw topic from since − SkipWindow to its end and
// returns which of the events are on it.
func ingested(ctx context.Context, cfg Config, since time.Time, events []stripeapi.Event, rep *Report) (map[string]bool, error) {
	want := make(map[string]bool, len(events))
	for _, ev := range events {
		want[ev.ID] = true
	}
	acl, err := kafka.NewAdminClient(cfg.Kafka)
	if err != nil {
		return nil, err
	}
	defer acl.Close()
	ranges, err := kscan.Resolve(ctx, kadm.NewClient(acl), kafka.RawEvents, nil, kscan.AtTime(since.Add(-SkipWindow)), kscan.Latest())
	if err != nil {
		return nil, fmt.Errorf("backfill: %w", err)
	}
	bar := newBar(cfg.Progress, "backfill: checking "+kafka.RawEvents+" for events already ingested", kscan.Total(ranges), "records")
	defer bar.Finish()
	present := map[string]bool{}
	res, err := kscan.Read(ctx, kscan.ReadOptions{Kafka: cfg.Kafka, Advanced: bar.Add}, ranges, func(r *kgo.Record) error {
		for i := len(r.Headers) - 1; i >= 0; i-- {
			if r.Headers[i].Key == producer.HeaderEventID {
				if id := string(r.Headers[i].Value); want[id] {
					present[id] = true
				}
				break
			}
		}
		return nil
	})
	rep.Scanned = res.Records
	if err != nil {
		return nil, fmt.Errorf("backfill: reading %s: %w", kafka.RawEvents, err)
	}
	if len(res.Short) > 0 {
		return nil, fmt.Errorf("backfill: could not read %s to its end (%v): refusing to write what may be duplicates", kafka.RawEvents, res.Short)
	}
	return present, nil
}

// write produces the records (acks=all, idempotent) and notes where each
// landed in items (same order).
func write(ctx context.Context, cfg Config, rs []*kgo.Record, items []Item) error {
	prod, err := kafka.NewProducer(kafka.ProducerConfig{Config: cfg.Kafka})
	if err != nil {
		return err
	}
	defer prod.Close()
	bar := newBar(cfg.Progress, "backfill: writing "+kafka.RawEvents, int64(len(rs)), "events")
	defer bar.Finish()
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	for i, r := range rs {
		wg.Add(1)
		prod.Produce(ctx, r, func(r *kgo.Record, err error) {
			defer wg.Done()
			bar.Add(1)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if firstErr == nil {
					firstErr = fmt.Errorf("backfill: write %s: %w", items[i].ID, err)
				}
				return
			}
			items[i].At = fmt.Sprintf("%s/%d@%d", r.Topic, r.Partition, r.Offset)
		})
	}
	wg.Wait()
	return firstErr
}

func newBar(w io.Writer, label string, total int64, unit string) *progress.Bar {
	if w == nil {
		return nil
	}
	return progress.Start(w, label, total, progress.Options{Unit: unit})
}
