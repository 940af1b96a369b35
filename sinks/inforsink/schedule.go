package inforsink

// enqueue puts a due record at the end of its key's FIFO and starts it if
// the key is idle. Called with s.mu held.
func (s *Sink) enqueue(e *entry) {
	p := e.p
	key := string(e.rec.Key)
	k := p.keys[key]
	if k == nil {
		k = &keyQueue{key: key}
		p.keys[key] = k
	}
	k.q = append(k.q, e)
	if !k.running {
		s.startHead(p, k)
	}
}

// startHead starts a goroutine for the head of k, unless the partition is
// being revoked or the sink stops. The goroutine count is bounded by the
// keys with records buffered (MaxBuffered at most); Apply calls are
// bounded separately by Concurrency. Called with s.mu held.
func (s *Sink) startHead(p *partition, k *keyQueue) {
	if len(k.q) == 0 {
		delete(p.keys, k.key)
		return
	}
	if p.revoked || p.dropped || s.stopping {
		return
	}
	k.running = true
	p.running++
	s.wg.Add(1)
	go s.handle(k.q[0])
}

// finish records what became of a record handled by a goroutine started
// by startHead. A finished record (any outcome but abandoned) moves its
// partition's commit point and lets the next record of its key start; an
// abandoned one (shutdown, revoke) stays unfinished and keeps its key
// blocked, so nothing after it on that key runs out of order.
func (s *Sink) finish(e *entry, finished bool) {
	defer s.wg.Done()
	s.mu.Lock()
	defer s.mu.Unlock()
	p := e.p
	p.running--
	if p.revoked && p.running == 0 && p.idle != nil {
		close(p.idle)
		p.idle = nil
	}
	if p.dropped || !finished {
		return
	}
	e.done = true
	p.advance()
	s.buffered--
	s.metrics.Buffered.Set(float64(s.buffered))
	signal(s.room)
	k := p.keys[string(e.rec.Key)]
	if k == nil || len(k.q) == 0 || k.q[0] != e {
		// Unreachable by construction: only a key's head runs.
		s.log.Error("internal: finished record is not its key's head", "topic", p.topic, "partition", p.partition, "offset", e.rec.Offset)
		return
	}
	k.q[0] = nil
	k.q = k.q[1:]
	k.running = false
	s.startHead(p, k)
}
