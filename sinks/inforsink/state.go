package inforsink

import (
	"context"
	"strconv"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// tp names a consumed partition.
type tp struct {
	topic     string
	partition int32
}

// partition is the sink's state of one assigned partition: the records
// fetched and not finished, in offset order, for the commit point, and the
// per-key FIFOs that keep one key's records in order. Every field is
// guarded by Sink.mu except the contexts, which are set at creation.
type partition struct {
	tp
	base  string // the command topic (topic itself, or the one whose .retry this is)
	retry bool   // a .retry topic: its records wait for retry.not-before

	// stop ends waits (backoff, a held lease, the gate, a slot) and keeps
	// new work from starting: canceled on revoke and at shutdown.
	stop       context.Context
	cancelStop context.CancelFunc
	// hard ends everything, Apply and produce included: canceled when a
	// drain runs out of time, or when the partition is lost.
	hard       context.Context
	cancelHard context.CancelFunc

	pending []*entry // unfinished records in offset order
	// next is the offset after the last record fetched (control records
	// included), with its leader epoch: the commit point once pending is
	// empty.
	next      int64
	nextEpoch int32
	committed int64 // last offset committed (or fetched from, at start)
	hwm       int64 // high watermark of the last fetch

	keys    map[string]*keyQueue
	running int           // goroutines working on this partition's records
	revoked bool          // no new work starts
	dropped bool          // no longer ours: finishing changes nothing
	idle    chan struct{} // closed when running reaches 0 after revoked
}

// keyQueue is the FIFO of one record key on one partition: only its head
// is worked on, so one key's commands apply one at a time, in offset order.
type keyQueue struct {
	key     string
	q       []*entry
	running bool
}

// entry is one fetched record.
type entry struct {
	rec  *kgo.Record
	p    *partition
	done bool

	// Retry-topic records: held until notBefore (heap index hidx ≥ 0 while
	// held), then queued under their key like any record.
	held      bool
	hidx      int
	attempt   int       // retry.attempt read from the record (0: a first try)
	notBefore time.Time // retry.not-before
	class     string    // error.class of the failure that sent it to the retry topic
}

// commitPoint is the offset to commit: the lowest unfinished record, or
// the end of what was fetched when everything is finished. Everything
// before it is finished (applied, skipped, moved to a retry topic or
// dead-lettered), so a restart from it loses nothing.
func (p *partition) commitPoint() kgo.EpochOffset {
	if len(p.pending) > 0 {
		r := p.pending[0].rec
		return kgo.EpochOffset{Epoch: r.LeaderEpoch, Offset: r.Offset}
	}
	return kgo.EpochOffset{Epoch: p.nextEpoch, Offset: p.next}
}

// advance drops finished records from the front of pending.
func (p *partition) advance() {
	i := 0
	for i < len(p.pending) && p.pending[i].done {
		p.pending[i] = nil
		i++
	}
	p.pending = p.pending[i:]
}

func (p *partition) partitionLabel() string { return strconv.FormatInt(int64(p.partition), 10) }
