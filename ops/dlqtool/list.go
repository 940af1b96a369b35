package dlqtool

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/stripe-infor/stripe-infor/internal/kafka"
	"github.com/stripe-infor/stripe-infor/ops/kscan"
	"github.com/stripe-infor/stripe-infor/ops/progress"
)

// skew is the margin taken before a time used to find a start offset: a
// record's timestamp comes from its producer's clock, the failure time from
// the stage's, and they need not agree to the millisecond.
const skew = time.Minute

// Options are shared by List, Show and Redrive.
type Options struct {
	Kafka kafka.Config
	// Progress receives progress lines (stderr); nil draws none.
	Progress io.Writer
	// CheckRedriven makes List look for redriven copies (see the package
	// doc for the cost).
	CheckRedriven bool
}

// List returns the entries of topics that pass f, by topic, partition and
// offset. With f.Since it starts each topic at that time (less a minute)
// rather than at the beginning; with f.IDs it reads only around them, and
// an id outside topics (when topics are given) selects nothing, so a
// record of a live topic is never taken for a dead letter.
func List(ctx context.Context, o Options, topics []string, f Filter) ([]*Entry, error) {
	adm, done, err := admin(o.Kafka)
	if err != nil {
		return nil, err
	}
	defer done()
	ranges, err := listRanges(ctx, adm, topics, f)
	if err != nil {
		return nil, err
	}
	bar := newBar(o.Progress, "dlq list", kscan.Total(ranges))
	var out []*Entry
	res, err := kscan.Read(ctx, kscan.ReadOptions{Kafka: o.Kafka, Advanced: bar.Add}, ranges, func(r *kgo.Record) error {
		if len(topics) > 0 && !slices.Contains(topics, r.Topic) {
			return nil
		}
		if e := newEntry(r); f.Match(e) {
			out = append(out, e)
		}
		return nil
	})
	bar.Finish()
	if err != nil {
		return nil, fmt.Errorf("dlq: read: %w", err)
	}
	if len(res.Short) > 0 {
		return nil, fmt.Errorf("dlq: could not read to the end of %v", res.Short)
	}
	sortEntries(out)
	if o.CheckRedriven {
		if err := checkRedriven(ctx, o, adm, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func listRanges(ctx context.Context, adm *kadm.Client, topics []string, f Filter) ([]kscan.Range, error) {
	if len(f.IDs) > 0 {
		return idRanges(ctx, adm, f.IDs)
	}
	from := kscan.Earliest()
	if !f.Since.IsZero() {
		from = kscan.AtTime(f.Since.Add(-skew))
	}
	var all []kscan.Range
	for _, t := range topics {
		rs, err := kscan.Resolve(ctx, adm, t, nil, from, kscan.Latest())
		if err != nil {
			return nil, fmt.Errorf("dlq: %w", err)
		}
		all = append(all, rs...)
	}
	return all, nil
}

// idRanges covers the named positions: per partition, from the lowest to
// the highest named offset.
func idRanges(ctx context.Context, adm *kadm.Client, ids []string) ([]kscan.Range, error) {
	type tp struct {
		t string
		p int32
	}
	spans := map[tp][2]int64{}
	for _, id := range ids {
		t, p, off, ok := ParseID(id)
		if !ok {
			return nil, fmt.Errorf("dlq: %q is not an entry id (<topic>/<partition>@<offset>)", id)
		}
		k := tp{t, p}
		s, seen := spans[k]
		if !seen {
			s = [2]int64{off, off + 1}
		}
		spans[k] = [2]int64{min(s[0], off), max(s[1], off+1)}
	}
	var out []kscan.Range
	for k, s := range spans {
		rs, err := kscan.Resolve(ctx, adm, k.t, []int32{k.p}, kscan.AtOffset(s[0]), kscan.AtOffset(s[1]))
		if err != nil {
			return nil, fmt.Errorf("dlq: %w", err)
		}
		out = append(out, rs...)
	}
	slices.SortFunc(out, func(a, b kscan.Range) int {
		return cmp.Or(cmp.Compare(a.Topic, b.Topic), cmp.Compare(a.Partition, b.Partition))
	})
	return out, nil
}

// checkRedriven fills RedrivenTo: it reads each original topic from the
// oldest entry's time and collects the redriven-from headers naming one of
// the entries.
func checkRedriven(ctx context.Context, o Options, adm *kadm.Client, entries []*Entry) error {
	byID := map[string]*Entry{}
	oldest := map[string]time.Time{}
	for _, e := range entries {
		e.RedrivenTo = nil
		if e.Origin.Topic == "" {
			continue
		}
		byID[e.ID()] = e
		if t, ok := oldest[e.Origin.Topic]; !ok || e.Timestamp.Before(t) {
			oldest[e.Origin.Topic] = e.Timestamp
		}
	}
	var ranges []kscan.Range
	for topic, t := range oldest {
		rs, err := kscan.Resolve(ctx, adm, topic, nil, kscan.AtTime(t.Add(-skew)), kscan.Latest())
		if err != nil {
			return fmt.Errorf("dlq: looking for redriven copies: %w", err)
		}
		ranges = append(ranges, rs...)
	}
	if len(ranges) == 0 {
		return nil
	}
	bar := newBar(o.Progress, "dlq: looking for redriven copies", kscan.Total(ranges))
	defer bar.Finish()
	res, err := kscan.Read(ctx, kscan.ReadOptions{Kafka: o.Kafka, Advanced: bar.Add}, ranges, func(r *kgo.Record) error {
		if from, ok := header(r, HeaderRedrivenFrom); ok {
			if e := byID[from]; e != nil {
				e.RedrivenTo = append(e.RedrivenTo, position(r.Topic, r.Partition, r.Offset))
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("dlq: looking for redriven copies: %w", err)
	}
	if len(res.Short) > 0 {
		return fmt.Errorf("dlq: looking for redriven copies: could not read to the end of %v", res.Short)
	}
	return nil
}

func sortEntries(es []*Entry) {
	slices.SortFunc(es, func(a, b *Entry) int {
		return cmp.Or(cmp.Compare(a.Topic, b.Topic), cmp.Compare(a.Partition, b.Partition), cmp.Compare(a.Offset, b.Offset))
	})
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
