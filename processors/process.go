package processors

import (
	"errors"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/stripe-infor/stripe-infor/internal/command"
	"github.com/stripe-infor/stripe-infor/processors/transform"
)

// process turns one raw record into the records to produce in the current
// transaction: its outputs, or one DLQ record. It never fails: whatever is
// wrong with the record is the DLQ's business, so the partition keeps
// moving. What the records amount to is added to t.
func (p *Processor) process(r *kgo.Record, t *tally) []*kgo.Record {
	start := time.Now()
	recs, res, terr := p.transform(r)
	p.metrics.TransformSeconds.Observe(time.Since(start).Seconds())
	if terr != nil {
		e := newDLQEntry(r, *terr)
		typ := e.eventType
		if typ == "" {
			typ = "unknown"
		}
		t.events[[2]string{typ, OutcomeDLQ}]++
		t.records[RawDLQ]++
		t.dlq = append(t.dlq, e)
		return []*kgo.Record{dlqRecord(r, *terr, time.Now())}
	}
	t.events[[2]string{res.EventType, res.Outcome}]++
	for _, f := range res.Flags {
		t.flags[f.Code]++
	}
	for i, rec := range recs {
		t.records[rec.Topic]++
		if cmd, ok := res.Outputs[i].Value.(command.Command); ok {
			t.commands[[2]string{rec.Topic, cmd.Type()}]++
		}
	}
	return recs
}

// transform runs the Transformer and encodes every output. Any failure is a
// *transform.Error for the DLQ: one output the schema refuses sends the
// whole event there, since half an event's commands would be worse than
// none. A panic (in the transform or an encoder) is recovered and becomes
// one too: one poisonous event must not crash the consumer and, restarted,
// crash it again on the same offset forever.
func (p *Processor) transform(r *kgo.Record) (recs []*kgo.Record, res *transform.Result, terr *transform.Error) {
	defer func() {
		if v := recover(); v != nil {
			id, _ := header(r, HeaderEventID)
			p.log.Error("transform panicked; the record goes to the DLQ",
				"stripe_event_id", id, "partition", r.Partition, "offset", r.Offset,
				"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			recs, res = nil, nil
			terr = &transform.Error{Class: transform.ClassValidation, Code: CodePanic, Message: fmt.Sprintf("transform panicked: %v", v)}
		}
	}()
	out, err := p.cfg.Transformer.Transform(r.Value, receivedAt(r))
	if err != nil {
		var te *transform.Error
		if errors.As(err, &te) {
			return nil, nil, te
		}
		return nil, nil, &transform.Error{Class: transform.ClassValidation, Code: CodeTransform, Message: err.Error()}
	}
	common := eventHeaders(r, &out)
	recs = make([]*kgo.Record, 0, len(out.Outputs))
	for _, o := range out.Outputs {
		v, err := p.cfg.Encoder.Encode(o.Topic, o.Value)
		if err != nil {
			return nil, nil, &transform.Error{
				Class:   transform.ClassValidation,
				Code:    CodeEncode,
				Message: fmt.Sprintf("encode %T for %s: %v", o.Value, o.Topic, err),
			}
		}
		recs = append(recs, &kgo.Record{Topic: o.Topic, Key: []byte(o.Key), Value: v, Headers: outputHeaders(common, o.Value)})
	}
	return recs, &out, nil
}
