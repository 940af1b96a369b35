package inforsink

import (
	"context"
	"errors"
	"fmt"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/stripe-infor/stripe-infor/internal/dlq"
)

// poll fetches records while there is room for them and hands them to the
// scheduler, until ctx ends (nil) or the client fails for good.
//
// Backpressure: at most MaxBuffered records are fetched and unfinished at
// once (held retry records aside), by asking PollRecords for no more than
// the room left. Records the client has buffered beyond that stay there.
func (s *Sink) poll(ctx context.Context, cl *kgo.Client) error {
	for {
		room := s.roomLeft()
		if room <= 0 {
			select {
			case <-ctx.Done():
				return nil
			case <-s.room:
			}
			continue
		}
		fetches := cl.PollRecords(ctx, room)
		if ctx.Err() != nil || fetches.IsClientClosed() {
			cl.AllowRebalance() // a canceled poll still counts as a poller
			return nil
		}
		var fatal error
		fetches.EachError(func(topic string, partition int32, err error) {
			if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
				return
			}
			if fatal == nil && isFatal(err) {
				fatal = fmt.Errorf("inforsink: consume %s[%d]: %w", topic, partition, err)
				return
			}
			s.log.Warn("fetch error; the client retries", "topic", topic, "partition", partition, "err", err)
		})
		if fatal != nil {
			cl.AllowRebalance()
			return fatal
		}
		s.add(fetches)
		cl.AllowRebalance()
	}
}

// roomLeft is how many more records may be fetched now.
func (s *Sink) roomLeft() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cfg.MaxBuffered - s.buffered
}

// add takes fetched records into the partitions' state and starts what can
// start. Retry-topic records not due yet are held (held.go).
func (s *Sink) add(fetches kgo.Fetches) {
	now := s.cfg.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	fetches.EachPartition(func(fp kgo.FetchTopicPartition) {
		if len(fp.Records) == 0 && fp.HighWatermark <= 0 {
			return
		}
		p := s.partition(fp.Topic, fp.Partition, fp.Records)
		if p == nil {
			return
		}
		if fp.HighWatermark > 0 {
			p.hwm = fp.HighWatermark
		}
		for _, r := range fp.Records {
			if r.Offset < p.next {
				continue // already tracked (never expected: fetches move forward)
			}
			p.next, p.nextEpoch = r.Offset+1, r.LeaderEpoch
			if r.Attrs.IsControl() {
				continue // a transaction marker: nothing to apply
			}
			e := &entry{rec: r, p: p, hidx: -1}
			p.pending = append(p.pending, e)
			if p.retry {
				if attempt, nb, ok := dlq.RetryInfo(r); ok {
					e.attempt, e.notBefore = attempt, nb
					e.class, _ = lastHeader(r, dlq.HeaderErrorClass)
				}
				if e.notBefore.After(now) {
					s.hold(e)
					continue
				}
			}
			s.buffered++
			s.enqueue(e)
		}
		s.setLag(p)
	})
	s.metrics.Buffered.Set(float64(s.buffered))
	s.updateRetryPause()
}

// partition returns the state of a partition, creating it at its first
// records. Nil for a topic the sink does not consume (never expected) or
// when shutting down.
func (s *Sink) partition(topic string, part int32, recs []*kgo.Record) *partition {
	key := tp{topic, part}
	if p := s.parts[key]; p != nil {
		return p
	}
	info, ok := s.topics[topic]
	if !ok || s.stopping || len(recs) == 0 {
		return nil
	}
	p := &partition{
		tp:        key,
		base:      info.base,
		retry:     info.retry,
		keys:      map[string]*keyQueue{},
		next:      recs[0].Offset,
		nextEpoch: recs[0].LeaderEpoch,
		committed: recs[0].Offset,
	}
	p.stop, p.cancelStop = context.WithCancel(s.stop)
	p.hard, p.cancelHard = context.WithCancel(s.hard)
	s.parts[key] = p
	return p
}

// updateRetryPause pauses the retry topics while MaxHeld records are held
// and resumes them once some came due. Pausing drops what the client
// buffered for them; it is fetched again on resume. Called with s.mu held.
func (s *Sink) updateRetryPause() {
	cl := s.cl.Load()
	if cl == nil {
		return
	}
	switch full := s.held.Len() >= s.cfg.MaxHeld; {
	case full && !s.retryPaused:
		cl.PauseFetchTopics(s.retries...)
		s.retryPaused = true
		s.log.Info("retry topics paused: too many retry records held until their time", "held", s.held.Len(), "max_held", s.cfg.MaxHeld)
	case !full && s.retryPaused:
		cl.ResumeFetchTopics(s.retries...)
		s.retryPaused = false
		s.log.Info("retry topics resumed", "held", s.held.Len())
	}
}
