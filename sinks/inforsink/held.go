package inforsink

import (
	"container/heap"
	"context"
	"time"
)

// heldHeap orders held retry-topic records by retry.not-before, earliest
// first: one timer serves them all, however many are held.
type heldHeap []*entry

func (h heldHeap) Len() int           { return len(h) }
func (h heldHeap) Less(i, j int) bool { return h[i].notBefore.Before(h[j].notBefore) }
func (h heldHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].hidx, h[j].hidx = i, j
}
func (h *heldHeap) Push(x any) {
	e := x.(*entry)
	e.hidx = len(*h)
	*h = append(*h, e)
}
func (h *heldHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	e.hidx = -1
	return e
}

// hold parks a retry-topic record until its not-before. It is unfinished
// (the commit point stays before it) but does not block its partition: the
// records after it go on. Called with s.mu held.
func (s *Sink) hold(e *entry) {
	e.held = true
	wasFirst := s.held.Len() == 0 || e.notBefore.Before(s.held[0].notBefore)
	heap.Push(&s.held, e)
	s.metrics.RetryHeld.Set(float64(s.held.Len()))
	if wasFirst {
		signal(s.heldWake)
	}
}

// unhold removes a held record of a dropped partition. Called with s.mu
// held.
func (s *Sink) unhold(e *entry) {
	if e.hidx >= 0 {
		heap.Remove(&s.held, e.hidx)
	}
	e.held = false
	s.metrics.RetryHeld.Set(float64(s.held.Len()))
}

// runHeld releases held records when they come due: each joins its key's
// FIFO on the retry partition like a fresh record.
func (s *Sink) runHeld(ctx context.Context) {
	t := time.NewTimer(time.Hour)
	defer t.Stop()
	for {
		s.mu.Lock()
		now := s.cfg.Now()
		released := false
		for s.held.Len() > 0 && !s.held[0].notBefore.After(now) {
			e := heap.Pop(&s.held).(*entry)
			e.held = false
			released = true
			if e.p.dropped {
				continue
			}
			s.buffered++
			s.enqueue(e)
		}
		wait := time.Hour
		if s.held.Len() > 0 {
			wait = s.held[0].notBefore.Sub(now)
		}
		if released {
			s.metrics.RetryHeld.Set(float64(s.held.Len()))
			s.metrics.Buffered.Set(float64(s.buffered))
			s.updateRetryPause()
		}
		s.mu.Unlock()
		t.Reset(max(wait, time.Millisecond))
		select {
		case <-ctx.Done():
			return
		case <-s.heldWake:
		case <-t.C:
		}
	}
}
