package inforsink

import (
	"context"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// onAssigned runs after every completed join and sync (even with nothing
// new assigned): the group is joined. Partition state is created at a
// partition's first records.
func (s *Sink) onAssigned(_ context.Context, _ *kgo.Client, added map[string][]int32) {
	s.joined.Store(true)
	if len(added) > 0 {
		s.log.Info("partitions assigned", "added", added)
	}
}

// onRevoked gives partitions back in a rebalance (and when leaving the
// group): no new work starts on them, running commands get up to
// DrainTimeout to finish, what is finished is committed synchronously, and
// the rest is dropped uncommitted for the next owner. Polls are blocked
// while this runs (BlockRebalanceOnPoll), so no record of these partitions
// arrives meanwhile.
func (s *Sink) onRevoked(ctx context.Context, cl *kgo.Client, revoked map[string][]int32) {
	parts := s.revoke(revoked)
	if len(parts) == 0 {
		return // kgo calls this at the end of every session, often with nothing
	}
	running, unfinished := s.counts(parts)
	s.log.Info("partitions revoked; draining", "revoked", revoked, "running", running, "unfinished", unfinished)
	s.drain(parts, s.cfg.DrainTimeout)
	only := make(map[tp]bool, len(parts))
	for _, p := range parts {
		only[p.tp] = true
	}
	cctx, cancel := context.WithTimeout(ctx, leaveTimeout)
	defer cancel()
	if err := s.commit(cctx, cl, only); err != nil {
		s.log.Warn("commit on revoke failed; the next owner starts from the last commit (dedupe skips what was applied)", "err", err)
	}
	s.drop(parts)
}

// onLost drops partitions taken from us without a clean revoke (session
// expired, fenced): committing is pointless, so running commands are
// abandoned at once. They hold leases; whoever applies them next waits for
// a lease to run out or finds them done.
func (s *Sink) onLost(_ context.Context, _ *kgo.Client, lost map[string][]int32) {
	s.joined.Store(false)
	parts := s.revoke(lost)
	s.log.Warn("group membership lost; dropping partitions uncommitted and rejoining", "lost", lost)
	for _, p := range parts {
		p.cancelHard()
	}
	s.drop(parts)
}

// revoke marks partitions revoked (nothing new starts, waits end) and
// returns those the sink has state for.
func (s *Sink) revoke(m map[string][]int32) []*partition {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*partition
	for topic, ps := range m {
		for _, n := range ps {
			p := s.parts[tp{topic, n}]
			if p == nil || p.revoked {
				continue
			}
			p.revoked = true
			if p.running > 0 {
				p.idle = make(chan struct{})
			}
			p.cancelStop()
			out = append(out, p)
		}
	}
	return out
}

// counts returns the commands running and the records unfinished on parts.
func (s *Sink) counts(parts []*partition) (running, unfinished int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range parts {
		running += p.running
		for _, e := range p.pending {
			if !e.done {
				unfinished++
			}
		}
	}
	return running, unfinished
}

// drain waits up to timeout for the partitions' running commands, then
// abandons the rest (their Apply and produce contexts end).
func (s *Sink) drain(parts []*partition, timeout time.Duration) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for _, p := range parts {
		s.mu.Lock()
		idle := p.idle
		s.mu.Unlock()
		if idle == nil {
			continue
		}
		select {
		case <-idle:
		case <-deadline.C:
			s.log.Warn("revoke: commands still running after the drain timeout; abandoning them uncommitted",
				"drain_timeout", timeout)
			for _, q := range parts {
				q.cancelHard()
			}
			return
		}
	}
}

// drop forgets partitions: their unfinished records (held ones included)
// no longer count, and their lag series go away.
func (s *Sink) drop(parts []*partition) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range parts {
		if p.dropped {
			continue
		}
		p.dropped = true
		p.cancelHard()
		for _, e := range p.pending {
			if e.done {
				continue // already counted out by finish
			}
			if e.held {
				s.unhold(e)
			} else {
				s.buffered--
			}
		}
		p.pending = nil
		p.keys = nil
		if s.parts[p.tp] == p {
			delete(s.parts, p.tp)
		}
		s.metrics.ConsumerLag.DeleteLabelValues(p.topic, p.partitionLabel())
	}
	s.metrics.Buffered.Set(float64(s.buffered))
	s.updateRetryPause()
	signal(s.room)
}
