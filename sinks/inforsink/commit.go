package inforsink

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// runCommits commits finished offsets every CommitInterval.
func (s *Sink) runCommits(ctx context.Context) {
	t := time.NewTicker(s.cfg.CommitInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		cl := s.cl.Load()
		cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		if err := s.commit(cctx, cl, nil); err != nil && ctx.Err() == nil {
			s.log.Warn("offset commit failed; retrying at the next interval", "err", err)
		}
		cancel()
	}
}

// commit commits, for every partition (or those in only), its commit
// point when it moved since the last commit. Commits are serialized, so
// an older commit point never lands after a newer one.
func (s *Sink) commit(ctx context.Context, cl *kgo.Client, only map[tp]bool) error {
	s.commitMu.Lock()
	defer s.commitMu.Unlock()

	offsets := map[string]map[int32]kgo.EpochOffset{}
	parts := map[tp]*partition{}
	s.mu.Lock()
	for key, p := range s.parts {
		if only != nil && !only[key] || p.dropped {
			continue
		}
		at := p.commitPoint()
		if at.Offset <= p.committed {
			continue
		}
		if offsets[p.topic] == nil {
			offsets[p.topic] = map[int32]kgo.EpochOffset{}
		}
		offsets[p.topic][p.partition] = at
		parts[key] = p
	}
	s.mu.Unlock()
	if len(parts) == 0 {
		return nil
	}

	var errs []error
	cl.CommitOffsetsSync(ctx, offsets, func(_ *kgo.Client, _ *kmsg.OffsetCommitRequest, resp *kmsg.OffsetCommitResponse, err error) {
		if err != nil {
			errs = append(errs, err)
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, t := range resp.Topics {
			for _, rp := range t.Partitions {
				if err := kerr.ErrorForCode(rp.ErrorCode); err != nil {
					errs = append(errs, fmt.Errorf("%s[%d]: %w", t.Topic, rp.Partition, err))
					continue
				}
				p := parts[tp{t.Topic, rp.Partition}]
				if p == nil {
					continue
				}
				if off := offsets[t.Topic][rp.Partition].Offset; off > p.committed {
					p.committed = off
				}
				if !p.dropped {
					s.setLag(p)
				}
			}
		}
	})
	if err := errors.Join(errs...); err != nil {
		s.metrics.CommitErrors.Inc()
		return fmt.Errorf("commit offsets: %w", err)
	}
	return nil
}

// setLag updates the consumer_lag series of p. Called with s.mu held.
func (s *Sink) setLag(p *partition) {
	if p.hwm <= 0 {
		return
	}
	s.metrics.ConsumerLag.WithLabelValues(p.topic, p.partitionLabel()).Set(float64(max(p.hwm-p.committed, 0)))
}
