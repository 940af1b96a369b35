package inforsink

import (
	"context"
	"strconv"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/stripe-infor/stripe-infor/internal/alert"
	"github.com/stripe-infor/stripe-infor/internal/dlq"
	"github.com/stripe-infor/stripe-infor/internal/kafka"
	"github.com/stripe-infor/stripe-infor/internal/retry"
)

// StageSink is error.stage on the records the sink moves.
const StageSink = "sink"

// Record headers the processors write on every command; the sink reads
// them to name a record it could not decode.
const (
	headerCommandID   = "command-id"
	headerCommandType = "command-type"
	headerEventID     = "stripe-event-id"
	headerLivemode    = "stripe-livemode"
)

// produceBackoffMax caps the wait between attempts to write a retry or DLQ
// record the broker did not take.
const produceBackoffMax = 5 * time.Second

// moveOn takes a failed command off its topic: to the retry topic (the
// next delay tier) or to the DLQ, by class. The lease is released first:
// the command was not applied, and a retry record due soon must not find
// it held. True once the move is acknowledged; false when the partition
// was revoked or the sink stopped before that.
func (s *Sink) moveOn(j *job, owner string, f failure) claimResult {
	s.release(j.cmd.ID(), owner)
	now := s.cfg.Now()
	switch f.kind {
	case failValidation:
		return s.deadLetter(j, f, dlq.ClassValidation)
	case failDependency:
		if first := s.firstFailedAt(j, now); now.Sub(first) > s.cfg.DependencyDeadline {
			return s.deadLetter(j, f, dlq.ClassDependency)
		}
		visit := s.visit(j, dlq.ClassDependency)
		return s.toRetry(j, f, dlq.ClassDependency, visit, retry.TierRepeat(s.cfg.RetryTiers, visit))
	default: // transient
		visit := s.visit(j, ClassTransient)
		delay, ok := retry.Tier(s.cfg.RetryTiers, visit)
		if !ok {
			return s.deadLetter(j, f, dlq.ClassTransientExhausted)
		}
		return s.toRetry(j, f, ClassTransient, visit, max(delay, f.hint))
	}
}

// visit is the retry-topic tier the record enters now: one past the tier
// it came from when it failed the same way before, else the first. Tiers
// count per class: a payment that waited hours for its order (dependency,
// the last tier repeated) and then meets a 503 gets every transient tier,
// not a DLQ entry because the dependency used the tiers up. Both classes
// stay bounded: transient by the tiers, dependency by its deadline, which
// counts from the very first failure whatever the class.
func (s *Sink) visit(j *job, class string) int {
	if j.p.retry && j.e.class == class {
		return j.e.attempt + 1
	}
	return 1
}

// firstFailedAt is when the command first failed: first.failed.at of a
// retry-topic record, else now. A record on the command topic starts
// afresh even if it carries an old first.failed.at (a redrive from the
// DLQ), or a redriven dependency would be dead-lettered again at once.
func (s *Sink) firstFailedAt(j *job, now time.Time) time.Time {
	if !j.p.retry {
		return now
	}
	if v, ok := lastHeader(j.r, dlq.HeaderFirstFailedAt); ok {
		if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
			return t
		}
	}
	return now
}

// failureFor is the dlq.Failure of f, with the attempts so far: those the
// record already had (a retry record) and this visit's Apply calls.
func (s *Sink) failureFor(j *job, f failure, class string) dlq.Failure {
	attempts := j.tries
	if j.p.retry {
		if v, ok := lastHeader(j.r, dlq.HeaderAttempts); ok {
			if n, err := strconv.Atoi(v); err == nil && n > 0 {
				attempts += n
			}
		}
	}
	return dlq.Failure{Stage: StageSink, Class: class, Code: f.code, Field: f.field, Message: f.message,
		Attempts: max(attempts, 1), LastFailedAt: s.cfg.Now()}
}

// toRetry writes the record to <topic>.retry, due after delay.
func (s *Sink) toRetry(j *job, f failure, class string, visit int, delay time.Duration) claimResult {
	topic := kafka.RetryTopic(j.p.base)
	df := s.failureFor(j, f, class)
	notBefore := df.LastFailedAt.Add(delay)
	if !s.produce(j.p.hard, func() *kgo.Record { return dlq.WithRetry(j.r, topic, df, visit, notBefore) }) {
		return resAbandoned
	}
	s.metrics.Retries.WithLabelValues(j.p.base, RetryRetryTopic).Inc()
	s.metrics.Commands.WithLabelValues(j.p.base, s.cmdType(j), OutcomeRetried).Inc()
	s.log.Info("moved to the retry topic", append(s.attrs(j), "retry_topic", topic, "retry_attempt", visit,
		"class", class, "delay_ms", delay.Milliseconds(), "not_before", notBefore.UTC().Format(dlq.TimeLayout),
		"code", f.code, "err", f.message)...)
	return resFinished
}

// deadLetterDecode dead-letters a record whose value is not a command.
func (s *Sink) deadLetterDecode(j *job, code, msg string) claimResult {
	return s.deadLetter(j, failure{kind: failValidation, code: code, message: msg}, dlq.ClassDecode)
}

// deadLetter writes the record to <topic>.dlq, then counts it, logs one
// line and alerts. class "" means validation.
func (s *Sink) deadLetter(j *job, f failure, class string) claimResult {
	if class == "" {
		class = dlq.ClassValidation
	}
	topic := kafka.DLQTopic(j.p.base)
	df := s.failureFor(j, f, class)
	var written *kgo.Record
	if !s.produce(j.p.hard, func() *kgo.Record { written = dlq.Record(j.r, topic, df); return written }) {
		return resAbandoned
	}
	typ := s.cmdType(j)
	s.metrics.DLQ.WithLabelValues(j.p.base, class).Inc()
	s.metrics.Commands.WithLabelValues(j.p.base, typ, OutcomeDLQ).Inc()

	a := alert.Alert{Stage: StageSink, Topic: j.p.base, Class: class, Code: f.code, Field: f.field, Message: f.message,
		CommandType: typ, Partition: j.r.Partition, Offset: j.r.Offset, At: df.LastFailedAt}
	if o, ok := origin(written); ok {
		a.Partition, a.Offset = o.Partition, o.Offset
	}
	if j.cmd != nil {
		m := j.cmd.Metadata()
		a.CommandID, a.EventID, a.StripeIDs, a.Livemode = j.cmd.ID(), m.StripeEventID, m.StripeObjectIDs, m.Livemode
	} else {
		a.CommandID, _ = lastHeader(j.r, headerCommandID)
		a.EventID, _ = lastHeader(j.r, headerEventID)
		lm, _ := lastHeader(j.r, headerLivemode)
		a.Livemode = lm == "true"
	}
	s.log.Error("dead-lettered",
		"command_id", a.CommandID, "command_type", a.CommandType, "stripe_event_id", a.EventID, "stripe_object_ids", a.StripeIDs,
		"livemode", a.Livemode, "class", class, "code", f.code, "field", f.field, "message", f.message,
		"topic", j.r.Topic, "partition", j.r.Partition, "offset", j.r.Offset, "dlq_topic", topic,
		"original_partition", a.Partition, "original_offset", a.Offset, "attempts", df.Attempts)
	if s.cfg.Alerter != nil {
		s.cfg.Alerter.Notify(a)
	}
	return resFinished
}

// knownTypes are the command types, so a header of an undecodable record
// cannot add label values of its own to the metrics.
var knownTypes = map[string]bool{"UpsertCustomer": true, "CreateSalesOrder": true, "ChangeOrderStatus": true,
	"ApplyPayment": true, "CreateCreditMemo": true, "PostJournal": true, "ReconcilePayout": true}

// cmdType is the command's type, or the command-type header of a record
// that could not be decoded ("unknown" without a known one).
func (s *Sink) cmdType(j *job) string {
	if j.cmd != nil {
		return j.cmd.Type()
	}
	if t, _ := lastHeader(j.r, headerCommandType); knownTypes[t] {
		return t
	}
	return "unknown"
}

// produce writes a record built by mk, waiting for the broker's
// acknowledgement (acks=all, idempotent) and trying again until it is
// acknowledged or ctx ends. Each try gets a fresh record: the client
// fills fields in of the record it was given.
func (s *Sink) produce(ctx context.Context, mk func() *kgo.Record) bool {
	cl := s.cl.Load()
	for attempt := 1; ; attempt++ {
		rec := mk()
		err := cl.ProduceSync(ctx, rec).FirstErr()
		if err == nil {
			return true
		}
		if ctx.Err() != nil {
			return false
		}
		s.log.Warn("writing a retry or DLQ record failed; trying again", "topic", rec.Topic, "attempt", attempt, "err", err)
		if !sleep(ctx, retry.Backoff(attempt, 100*time.Millisecond, produceBackoffMax, nil)) {
			return false
		}
	}
}

// origin reads the original.* headers of a record the dlq package built.
func origin(r *kgo.Record) (dlq.Origin, bool) {
	if r == nil {
		return dlq.Origin{}, false
	}
	p, ok1 := lastHeader(r, dlq.HeaderOriginalPartition)
	o, ok2 := lastHeader(r, dlq.HeaderOriginalOffset)
	pn, err1 := strconv.ParseInt(p, 10, 32)
	on, err2 := strconv.ParseInt(o, 10, 64)
	if !ok1 || !ok2 || err1 != nil || err2 != nil {
		return dlq.Origin{}, false
	}
	return dlq.Origin{Partition: int32(pn), Offset: on}, true
}

// lastHeader returns the value of the last header named key.
func lastHeader(r *kgo.Record, key string) (string, bool) {
	for i := len(r.Headers) - 1; i >= 0; i-- {
		if r.Headers[i].Key == key {
			return string(r.Headers[i].Value), true
		}
	}
	return "", false
}
