package inforsink

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/stripe-infor/stripe-infor/internal/command"
	"github.com/stripe-infor/stripe-infor/internal/dedupe"
	"github.com/stripe-infor/stripe-infor/internal/retry"
)

// job is one record being worked on by its goroutine.
type job struct {
	e   *entry
	r   *kgo.Record
	p   *partition
	cmd command.Command // nil until decoded
	// tries counts Apply calls made for the record in this visit (in-place
	// attempts), for the attempts header.
	tries int
}

// claimResult is how a claimed apply ended.
type claimResult int

const (
	resFinished  claimResult = iota + 1 // applied, retried or dead-lettered: the record is done
	resAbandoned                        // shutdown or revoke: leave it unfinished
	resLeaseLost                        // another owner took the command: claim again
)

// handle works on one record until it is finished or abandoned, then
// tells the scheduler.
func (s *Sink) handle(e *entry) {
	s.finish(e, s.process(&job{e: e, r: e.rec, p: e.p}))
}

// process decodes, claims and applies one record; true when the record is
// finished (its offset may be committed).
func (s *Sink) process(j *job) bool {
	cmd, res := s.decode(j)
	if cmd == nil {
		return res == resFinished
	}
	j.cmd = cmd
	for {
		claim, owner, ok := s.claim(j)
		if !ok {
			return false
		}
		if claim.State == dedupe.Done {
			s.metrics.DedupeHits.WithLabelValues(j.p.base).Inc()
			s.metrics.Commands.WithLabelValues(j.p.base, cmd.Type(), OutcomeDuplicate).Inc()
			s.log.Debug("command already applied; skipped", s.attrs(j)...)
			return true
		}
		switch s.applyClaimed(j, owner) {
		case resFinished:
			return true
		case resAbandoned:
			return false
		case resLeaseLost:
			s.log.Warn("lease lost while applying (another owner took the command up); claiming it again", s.attrs(j)...)
		}
	}
}

// decode reads the record's command. A value that is not a command goes to
// the DLQ (class decode): a poison record never stops its partition. A
// registry that cannot be reached (the writer schema is fetched on first
// sight) is retried, not dead-lettered.
func (s *Sink) decode(j *job) (command.Command, claimResult) {
	for attempt := 1; ; attempt++ {
		v, err := s.cfg.Decoder.Decode(j.p.stop, j.r.Value)
		if err == nil {
			cmd, ok := v.(command.Command)
			switch {
			case !ok:
				return nil, s.deadLetterDecode(j, CodeNotACommand, fmt.Sprintf("the value decoded to %T, which is not a command", v))
			case cmd.ID() == "":
				j.cmd = cmd
				return nil, s.deadLetter(j, failure{kind: failValidation, code: CodeNoCommandID,
					message: "the command has no command id, so it cannot be deduplicated"}, "")
			}
			return cmd, 0
		}
		if j.p.stop.Err() != nil {
			return nil, resAbandoned
		}
		if !decodeRetryable(err) {
			return nil, s.deadLetterDecode(j, CodeDecode, err.Error())
		}
		s.log.Warn("schema registry unavailable while decoding; retrying", "topic", j.r.Topic, "partition", j.r.Partition,
			"offset", j.r.Offset, "err", err)
		if !sleep(j.p.stop, retry.Backoff(attempt, 100*time.Millisecond, 5*time.Second, nil)) {
			return nil, resAbandoned
		}
	}
}

// decodeRetryable reports decode errors that are the registry's trouble,
// not the record's: the network, or a 5xx.
func decodeRetryable(err error) bool {
	var re *sr.ResponseError
	if errors.As(err, &re) {
		return re.StatusCode >= http.StatusInternalServerError
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	var te transientError
	return errors.As(err, &te) && te.Transient()
}

// claim gets the record's command claimed: Acquired or Done. Held waits
// for the other owner (this key waits; other keys go on) and asks again;
// Redis errors wait with capped backoff and ask again. ok is false when the
// partition is revoked or the sink stops meanwhile.
func (s *Sink) claim(j *job) (claim dedupe.Claim, owner string, ok bool) {
	id := j.cmd.ID()
	for attempt := 1; ; {
		claim, owner, err := s.claims.acquire(j.p.stop, id)
		if j.p.stop.Err() != nil {
			if err == nil && claim.State == dedupe.Acquired {
				s.release(id, owner)
			}
			return dedupe.Claim{}, "", false
		}
		if err != nil {
			s.redisDown(err)
			if !sleep(j.p.stop, redisWait(attempt)) {
				return dedupe.Claim{}, "", false
			}
			attempt++
			continue
		}
		s.redisUp()
		attempt = 1
		if claim.State != dedupe.Held {
			return claim, owner, true
		}
		if !sleep(j.p.stop, heldWait(claim.Wait)) {
			return dedupe.Claim{}, "", false
		}
	}
}

// applyClaimed applies a claimed command, with the lease renewed while it
// runs: in place up to InPlaceAttempts for transient failures, after each
// of the DependencyWaits for a missing prerequisite, then the retry topic or
// the DLQ by class.
func (s *Sink) applyClaimed(j *job, owner string) claimResult {
	id := j.cmd.ID()
	applyCtx, cancelApply := context.WithCancel(j.p.hard)
	defer cancelApply()
	var lost atomic.Bool
	stopLease := s.keepLease(j.p.hard, id, owner, func() { lost.Store(true); cancelApply() })
	defer stopLease()

	depWaits := 0 // in-place waits for a prerequisite so far
	for attempt := 1; ; attempt++ {
		if !s.takeSlot(j.p.stop) {
			s.release(id, owner)
			return resAbandoned
		}
		j.tries++
		applied, took, err := s.apply(applyCtx, j.cmd)
		s.releaseSlot()
		s.metrics.ApplySeconds.WithLabelValues(j.cmd.Type()).Observe(took.Seconds())

		if err == nil {
			// Applied, even if the lease was lost meanwhile: done is done.
			stopLease()
			if !s.markDone(j.p.hard, id, owner) {
				return resAbandoned
			}
			s.metrics.Commands.WithLabelValues(j.p.base, j.cmd.Type(), OutcomeApplied).Inc()
			if s.log.Enabled(context.Background(), slog.LevelDebug) {
				s.log.Debug("command applied", append(s.attrs(j), "created", applied.Created, "detail", applied.Detail,
					"attempts", j.tries, "apply_ms", took.Milliseconds())...)
			}
			return resFinished
		}
		if lost.Load() {
			return resLeaseLost
		}
		f := classify(err)
		if f.kind == failCanceled {
			if j.p.stop.Err() != nil || j.p.hard.Err() != nil {
				s.release(id, owner)
				return resAbandoned
			}
			// Canceled by something other than our shutdown (an applier's
			// own context): worth another try.
			f = failure{kind: failTransient, code: ClassTransient, message: f.message}
		}
		if f.kind == failDependency && !j.p.retry && depWaits < len(s.cfg.DependencyWaits) && !s.backlogged() {
			wait := s.cfg.DependencyWaits[depWaits]
			depWaits++
			attempt-- // a wait for a prerequisite is not a failed attempt
			s.metrics.Retries.WithLabelValues(j.p.base, RetryDependencyWait).Inc()
			if !sleep(j.p.stop, wait) {
				s.release(id, owner)
				return resAbandoned
			}
			continue
		}
		if f.kind != failTransient {
			return s.moveOn(j, owner, f)
		}
		if f.rateLimited && f.hint > 0 {
			s.gate.HoldFor(f.hint)
		}
		if f.auth {
			s.log.Error("Infor refused the sink's credentials or permissions; retrying, but a person must fix the ION API keys",
				append(s.attrs(j), "err", f.message)...)
		}
		if !retry.InPlace(f.hint, s.cfg.BackoffMax) || attempt >= s.cfg.InPlaceAttempts {
			return s.moveOn(j, owner, f)
		}
		wait := retry.Wait(attempt, s.cfg.BackoffBase, s.cfg.BackoffMax, f.hint, nil)
		s.metrics.Retries.WithLabelValues(j.p.base, RetryInPlace).Inc()
		s.log.Info("transient failure; retrying in place", append(s.attrs(j), "attempt", attempt,
			"wait_ms", wait.Milliseconds(), "retry_after_ms", f.hint.Milliseconds(), "err", f.message)...)
		if !sleep(j.p.stop, wait) {
			s.release(id, owner)
			return resAbandoned
		}
	}
}

// apply calls the Applier, turning a panic into a permanent failure (the
// record is dead-lettered with the stack logged) rather than a crash loop.
func (s *Sink) apply(ctx context.Context, cmd command.Command) (a Applied, took time.Duration, err error) {
	start := time.Now()
	s.metrics.InFlight.Inc()
	defer func() {
		s.metrics.InFlight.Dec()
		took = time.Since(start)
		if v := recover(); v != nil {
			s.log.Error("the applier panicked", "command_id", cmd.ID(), "command_type", cmd.Type(),
				"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			err = fmt.Errorf("applier panicked: %v", v)
		}
	}()
	a, err = s.cfg.Applier.Apply(ctx, cmd)
	return a, took, err
}

// takeSlot waits for the Infor gate to be open and for one of the
// Concurrency apply slots; false when ctx ends first. A gate closed again
// while waiting for a slot is waited for again, so no Apply starts while
// Infor asked us to hold back.
func (s *Sink) takeSlot(ctx context.Context) bool {
	for {
		if s.gate.Wait(ctx) != nil {
			return false
		}
		select {
		case s.slots <- struct{}{}:
		case <-ctx.Done():
			return false
		}
		if !s.gate.Until().After(s.cfg.Now()) {
			return true
		}
		<-s.slots
	}
}

func (s *Sink) releaseSlot() { <-s.slots }

// attrs are the log attributes naming a record and its command: never the
// payload, never a secret.
func (s *Sink) attrs(j *job) []any {
	a := []any{"topic", j.r.Topic, "partition", j.r.Partition, "offset", j.r.Offset}
	if j.cmd != nil {
		m := j.cmd.Metadata()
		a = append(a, "command_id", j.cmd.ID(), "command_type", j.cmd.Type(), "stripe_event_id", m.StripeEventID,
			"stripe_object_ids", m.StripeObjectIDs)
	}
	return a
}

// backlogged reports whether at least half of MaxBuffered records are
// fetched and unfinished: the sink is behind, and a prerequisite is more
// likely minutes than milliseconds away. Waiting in place then only adds
// failed Applies (each costs Infor lookups) to an overloaded Infor, so the
// command goes to the retry topic at once, as it would without the waits.
func (s *Sink) backlogged() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buffered >= s.cfg.MaxBuffered/2
}
