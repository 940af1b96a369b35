package inforsink

import (
	"context"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/stripe-infor/stripe-infor/internal/dedupe"
	"github.com/stripe-infor/stripe-infor/internal/retry"
)

// Redis timing. The waits are capped short: an outage should end in a
// resume within a second or two of Redis answering again.
const (
	redisTimeout      = 5 * time.Second
	redisBackoffBase  = 50 * time.Millisecond
	redisBackoffMax   = 2 * time.Second
	redisCheckEvery   = time.Second
	maxClaimBatch     = 256
	minHeldWait       = 10 * time.Millisecond
	maxHeldWait       = 2 * time.Second
	sameBatchHeldWait = 20 * time.Millisecond
)

// claimer claims command ids in batches: every worker that wants a claim
// sends its id, and one goroutine sends whatever has queued up meanwhile in
// one AcquireBatch round trip. Under load the batches grow by themselves;
// alone, a claim costs one round trip as before.
//
// Each batch gets its own lease owner (Config.Owner/sequence). Acquire is
// re-entrant for one owner, so a per-process owner would let two of this
// process's workers both "acquire" one command (a duplicate on another
// partition, a retry record beside its original, a claim abandoned on a
// revoked partition); distinct owners make the second one see Held.
type claimer struct {
	s   *Sink
	in  chan *claimReq
	seq atomic.Uint64
}

type claimReq struct {
	id    string
	reply chan claimResp // buffered: the batcher never blocks on it
}

type claimResp struct {
	claim dedupe.Claim
	owner string
	err   error
}

func newClaimer(s *Sink) *claimer {
	return &claimer{s: s, in: make(chan *claimReq, maxClaimBatch)}
}

// acquire claims id. When ctx ends first, a claim granted afterwards is
// released in the background, so it does not block the command until its
// lease runs out.
func (c *claimer) acquire(ctx context.Context, id string) (dedupe.Claim, string, error) {
	req := &claimReq{id: id, reply: make(chan claimResp, 1)}
	select {
	case c.in <- req:
	case <-ctx.Done():
		return dedupe.Claim{}, "", ctx.Err()
	}
	select {
	case r := <-req.reply:
		return r.claim, r.owner, r.err
	case <-ctx.Done():
		go func() {
			r := <-req.reply
			if r.err == nil && r.claim.State == dedupe.Acquired {
				c.s.release(id, r.owner)
			}
		}()
		return dedupe.Claim{}, "", ctx.Err()
	}
}

// run serves claim requests until ctx ends; requests still queued then
// get ctx's error.
func (c *claimer) run(ctx context.Context) {
	for {
		var batch []*claimReq
		select {
		case <-ctx.Done():
			for {
				select {
				case r := <-c.in:
					r.reply <- claimResp{err: ctx.Err()}
				default:
					return
				}
			}
		case r := <-c.in:
			batch = append(batch, r)
		}
	more:
		for len(batch) < maxClaimBatch {
			select {
			case r := <-c.in:
				batch = append(batch, r)
			default:
				break more
			}
		}
		c.claim(ctx, batch)
	}
}

// claim sends one batch. An id asked for twice in one batch is claimed
// once: the first asker gets the answer, the others Held (and ask again
// shortly), since one owner must never hold one command for two workers.
func (c *claimer) claim(ctx context.Context, batch []*claimReq) {
	owner := c.s.cfg.Owner + "/" + strconv.FormatUint(c.seq.Add(1), 10)
	ids := make([]string, 0, len(batch))
	first := make(map[string]int, len(batch))
	for _, r := range batch {
		if _, dup := first[r.id]; !dup {
			first[r.id] = len(ids)
			ids = append(ids, r.id)
		}
	}
	cctx, cancel := context.WithTimeout(ctx, redisTimeout)
	claims, err := c.s.cfg.Dedupe.AcquireBatch(cctx, ids, owner)
	cancel()
	if err == nil && len(claims) != len(ids) {
		err = errBatchLength{want: len(ids), got: len(claims)}
	}
	answered := make(map[string]bool, len(ids))
	for _, r := range batch {
		switch {
		case err != nil:
			r.reply <- claimResp{err: err}
		case answered[r.id]:
			cl := claims[first[r.id]]
			if cl.State == dedupe.Acquired {
				cl = dedupe.Claim{State: dedupe.Held, Wait: sameBatchHeldWait}
			}
			r.reply <- claimResp{claim: cl, owner: owner}
		default:
			answered[r.id] = true
			r.reply <- claimResp{claim: claims[first[r.id]], owner: owner}
		}
	}
}

type errBatchLength struct{ want, got int }

func (e errBatchLength) Error() string {
	return "dedupe: AcquireBatch answered " + strconv.Itoa(e.got) + " claims for " + strconv.Itoa(e.want) + " ids"
}

// redisHealth tracks whether the dedupe store answers, so an outage is
// logged once when it starts and once when it ends.
type redisHealth struct {
	down atomic.Bool
}

func (s *Sink) redisDown(err error) {
	s.metrics.RedisUp.Set(0)
	if s.redis.down.CompareAndSwap(false, true) {
		s.log.Warn("redis (dedupe store) unavailable: commands wait for their claims and retry; reporting not ready", "err", err)
	}
}

func (s *Sink) redisUp() {
	s.metrics.RedisUp.Set(1)
	if s.redis.down.CompareAndSwap(true, false) {
		s.log.Info("redis (dedupe store) answers again; resuming")
	}
}

// watchRedis pings the store every second, so an outage shows in Ready and
// the redis_up gauge even while no command needs a claim.
func (s *Sink) watchRedis(ctx context.Context) {
	for {
		pctx, cancel := context.WithTimeout(ctx, redisCheckEvery)
		err := s.cfg.Dedupe.Ping(pctx)
		cancel()
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			s.redisDown(err)
		} else {
			s.redisUp()
		}
		if !sleep(ctx, redisCheckEvery) {
			return
		}
	}
}

// redisWait is the pause before the attempt+1-th try of a failed Redis
// operation.
func redisWait(attempt int) time.Duration {
	return retry.Backoff(attempt, redisBackoffBase, redisBackoffMax, nil)
}

// heldWait is how long to wait before asking again for a command another
// owner holds: the lease's remaining time, but at most maxHeldWait, since
// the holder usually finishes (MarkDone or Release) long before its lease
// would run out.
func heldWait(d time.Duration) time.Duration {
	return min(max(d, minHeldWait), maxHeldWait)
}

// keepLease renews owner's lease on id every Lease/3 until the returned
// stop is called (stop waits for the renewer to end). onLost is called
// once if the lease turns out lost (Extend answers false), or when Redis
// errors have kept it from being renewed so long that it could run out
// before the next tick: another sink that reaches Redis could then claim
// the command and apply it alongside this one, so this apply stops first.
// A single failed renewal is retried at the next tick.
func (s *Sink) keepLease(ctx context.Context, id, owner string, onLost func()) (stop func()) {
	every := s.cfg.Dedupe.Lease() / 3
	if every <= 0 {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	lease := s.cfg.Dedupe.Lease()
	go func() {
		defer close(done)
		renewed := time.Now() // the claim was granted just before
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			ectx, ecancel := context.WithTimeout(ctx, min(every, redisTimeout))
			ok, err := s.cfg.Dedupe.Extend(ectx, id, owner)
			ecancel()
			switch {
			case ctx.Err() != nil:
				return
			case err != nil:
				s.redisDown(err)
				if time.Since(renewed)+every >= lease {
					onLost()
					return
				}
			case !ok:
				s.redisUp()
				onLost()
				return
			default:
				renewed = time.Now()
				s.redisUp()
			}
		}
	}()
	var stopped atomic.Bool
	return func() {
		if stopped.CompareAndSwap(false, true) {
			cancel()
			<-done
		}
	}
}

// markDone records an applied command as done, retrying Redis errors until
// it succeeds or ctx ends (false: the record stays unfinished, so its
// offset is not committed and the next owner applies it again, harmlessly:
// the applier finds it in Infor).
func (s *Sink) markDone(ctx context.Context, id, owner string) bool {
	for attempt := 1; ; attempt++ {
		mctx, cancel := context.WithTimeout(ctx, redisTimeout)
		err := s.cfg.Dedupe.MarkDone(mctx, id, owner)
		cancel()
		if err == nil {
			s.redisUp()
			return true
		}
		if ctx.Err() != nil {
			return false
		}
		s.redisDown(err)
		if !sleep(ctx, redisWait(attempt)) {
			return false
		}
	}
}

// release drops owner's lease on id so the command can be claimed at once
// (it was not applied). Best effort: if Redis does not answer, the lease
// simply runs out.
func (s *Sink) release(id, owner string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := s.cfg.Dedupe.Release(ctx, id, owner); err != nil {
		s.log.Debug("releasing a lease failed; it runs out by itself", "command_id", id, "err", err)
	}
}
