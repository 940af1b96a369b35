package processors

import (
	"context"
	"fmt"

	"github.com/twmb/franz-go/pkg/kgo"
)

// transact runs one batch in a transaction: begin, produce every record's
// outputs (or DLQ record), then commit them with the batch's offsets. If a
// produce fails, or the group rebalanced meanwhile, the transaction is
// aborted instead, the session rewinds to the committed offsets, and the
// batch is processed again by the next poll (here or on the partition's new
// owner): offsets never move past records whose outputs were not
// committed. It returns an error only when the client cannot go on.
//
// The work runs on contexts that ctx's cancel does not reach: a shutdown
// lets the batch under way finish (bounded by workTimeout and endTimeout),
// because canceling EndTransaction half-way leaves the client not knowing
// whether its transaction committed.
func (p *Processor) transact(ctx context.Context, fetches kgo.Fetches) (committed bool, err error) {
	if err := p.sess.Begin(); err != nil {
		return false, fmt.Errorf("processor: begin transaction: %w", err)
	}
	t := newTally()
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), workTimeout)
	defer cancel()
	// On the first failed record the promise aborts every buffered one, so
	// a failing batch ends quickly.
	prom := kgo.AbortingFirstErrPromise(p.sess.Client())
	fetches.EachRecord(func(r *kgo.Record) {
		for _, out := range p.process(r, t) {
			p.sess.Produce(wctx, out, prom.Promise())
		}
	})
	produceErr := prom.Err()

	ectx, ecancel := context.WithTimeout(context.WithoutCancel(ctx), endTimeout)
	defer ecancel()
	committed, err = p.sess.End(ectx, kgo.TransactionEndTry(produceErr == nil))
	n := fetches.NumRecords()
	switch {
	case committed:
		p.metrics.Transactions.WithLabelValues(TxnCommitted).Inc()
		p.metrics.add(t)
		p.logDLQ(t)
		p.log.Debug("transaction committed", "records", n)
		return true, nil
	case err != nil:
		p.metrics.Transactions.WithLabelValues(TxnAborted).Inc()
		// End's errors mean the transactional producer is in a state
		// only a new client (a restart) is sure to clear.
		return false, fmt.Errorf("processor: end transaction (%d records, produce error: %v): %w", n, produceErr, err)
	default:
		p.metrics.Transactions.WithLabelValues(TxnAborted).Inc()
		reason := "the group rebalanced during the batch"
		if produceErr != nil {
			reason = "produce failed: " + produceErr.Error()
		}
		p.log.Warn("transaction aborted; the batch will be processed again", "records", n, "reason", reason)
		return false, nil
	}
}

// logDLQ writes one line per dead-lettered record of a committed
// transaction. It names the event, the error and the raw offset, never the
// payload (which may hold customer data).
func (p *Processor) logDLQ(t *tally) {
	for _, d := range t.dlq {
		p.log.Warn("raw record written to the DLQ", "dlq_topic", RawDLQ,
			"stripe_event_id", d.eventID, "stripe_event_type", d.eventType,
			"error_class", d.err.Class, "error_code", d.err.Code, "error_field", d.err.Field,
			"error_message", d.err.Message, "partition", d.partition, "offset", d.offset)
	}
}
