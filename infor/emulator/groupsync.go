package emulator

import (
	"os"
	"sync"
)

// groupSync makes appended journal lines durable with fsync, sharing one
// fsync among the requests waiting at the same time (group commit): the
// line is written under Emulator.mu, the fsync happens after the lock is
// released, so one slow fsync (about a millisecond on a disk) holds up
// neither the next transaction nor the requests that can share it.
type groupSync struct {
	mu      sync.Mutex
	cond    *sync.Cond
	f       *os.File // the journal; replaced by compaction
	written uint64   // highest sequence number written to f
	durable uint64   // highest sequence number known to be on disk
	syncing bool     // an fsync is running; its waiters need not start another
}

func newGroupSync() *groupSync {
	g := &groupSync{}
	g.cond = sync.NewCond(&g.mu)
	return g
}

// wrote notes that line seq is in f (in the page cache).
func (g *groupSync) wrote(seq uint64) {
	g.mu.Lock()
	g.written = max(g.written, seq)
	g.mu.Unlock()
}

// replaced notes that everything up to seq is durable without an fsync of
// the journal (compaction wrote it to state.json, fsynced), and that lines
// are now appended to f.
func (g *groupSync) replaced(f *os.File, seq uint64) {
	g.mu.Lock()
	g.f = f
	g.written = max(g.written, seq)
	g.durable = max(g.durable, seq)
	g.mu.Unlock()
	g.cond.Broadcast()
}

// wait returns once line seq is durable, running the fsync itself when no
// other waiter is. An fsync error is returned to the waiters whose lines it
// did not make durable.
func (g *groupSync) wait(seq uint64) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	for g.durable < seq {
		if g.syncing {
			g.cond.Wait()
			continue
		}
		g.syncing = true
		f, target := g.f, g.written
		g.mu.Unlock()
		err := f.Sync()
		g.mu.Lock()
		g.syncing = false
		if err == nil {
			g.durable = max(g.durable, target)
		}
		g.cond.Broadcast()
		if err != nil && g.durable < seq {
			return err
		}
	}
	return nil
}
