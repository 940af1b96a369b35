package dedupe

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Defaults for Options.
const (
	DefaultPrefix = "stripe-infor:cmd:"
	// DefaultLease is long enough for an Infor call with its in-place
	// retries; the sink extends a running apply's lease anyway.
	DefaultLease = 60 * time.Second
	// DefaultDoneTTL outlives Stripe's 30-day event retry window with a
	// margin, so a late redelivery of an applied event is still skipped.
	DefaultDoneTTL = 35 * 24 * time.Hour
)

// Options configures a Store. Zero fields take the defaults.
type Options struct {
	// Prefix starts every key; default DefaultPrefix. It must not contain
	// '{' or '}', which would change the Cluster hash slot of the keys.
	Prefix string
	// Lease is how long a pending claim lives without Extend; default
	// DefaultLease. At least 1 ms (Redis expiries are in milliseconds).
	Lease time.Duration
	// DoneTTL is how long a done marker lives; default DefaultDoneTTL.
	// Shorter than Stripe's 30-day retry window means a late duplicate is
	// caught only by the applier's lookup in Infor. At least 1 ms.
	DoneTTL time.Duration
}

// Store keeps command states in Redis: one key per command id, holding "d"
// (done, expires after DoneTTL) or "p:<owner>" (pending, expires after the
// lease). Every operation touches one key and is atomic (a Lua script or a
// single command), so it is correct on a single node, behind Sentinel and on
// Cluster, where the id is the key's hash tag. A Store is safe for
// concurrent use.
type Store struct {
	c       redis.UniversalClient
	prefix  string
	lease   time.Duration
	leaseMS int64
	doneTTL time.Duration
}

// New returns a Store on c. It does not contact Redis; use Ping for that.
// It refuses negative or sub-millisecond durations and a prefix with braces.
func New(c redis.UniversalClient, o Options) (*Store, error) {
	if c == nil {
		return nil, errors.New("dedupe: nil redis client")
	}
	if o.Prefix == "" {
		o.Prefix = DefaultPrefix
	}
	if strings.ContainsAny(o.Prefix, "{}") {
		return nil, fmt.Errorf("dedupe: prefix %q must not contain '{' or '}' (the command id is the hash tag)", o.Prefix)
	}
	if o.Lease == 0 {
		o.Lease = DefaultLease
	}
	if o.DoneTTL == 0 {
		o.DoneTTL = DefaultDoneTTL
	}
	if o.Lease < time.Millisecond {
		return nil, fmt.Errorf("dedupe: lease %s must be at least 1ms", o.Lease)
	}
	if o.DoneTTL < time.Millisecond {
		return nil, fmt.Errorf("dedupe: done TTL %s must be at least 1ms", o.DoneTTL)
	}
	return &Store{
		c:       c,
		prefix:  o.Prefix,
		lease:   o.Lease,
		leaseMS: o.Lease.Milliseconds(),
		doneTTL: o.DoneTTL.Truncate(time.Millisecond),
	}, nil
}

// Lease is how long a claim stays pending without Extend.
func (s *Store) Lease() time.Duration { return s.lease }

// key is prefix{id}: the braces make the whole id the Cluster hash tag, so a
// command's key always maps to one slot however the prefix is chosen.
func (s *Store) key(id string) string { return s.prefix + "{" + id + "}" }

func pending(owner string) string { return pendingPrefix + owner }

func checkArgs(op, id, owner string) error {
	if id == "" {
		return fmt.Errorf("dedupe: %s: empty command id", op)
	}
	if owner == "" {
		return fmt.Errorf("dedupe: %s %q: empty owner", op, id)
	}
	return nil
}

// Acquire claims id for owner. Acquired: owner now holds a lease (also when
// it held one already; the lease is renewed) and must apply the command,
// then MarkDone or Release. Done: the command was applied; skip it. Held:
// another owner's lease runs for Claim.Wait more.
func (s *Store) Acquire(ctx context.Context, id, owner string) (Claim, error) {
	if err := checkArgs("acquire", id, owner); err != nil {
		return Claim{}, err
	}
	res, err := acquireScript.Run(ctx, s.c, []string{s.key(id)}, pending(owner), s.leaseMS).Result()
	if err != nil {
		return Claim{}, fmt.Errorf("dedupe: acquire %q: %w", id, err)
	}
	cl, err := parseClaim(res)
	if err != nil {
		return Claim{}, fmt.Errorf("dedupe: acquire %q: %w", id, err)
	}
	return cl, nil
}

// AcquireBatch is Acquire for each id, in order, in one pipelined round trip
// (a second one only if Redis lost the cached script, e.g. after a restart).
// On Cluster, go-redis splits the pipeline per node, so ids in different
// slots are fine. Each id is claimed atomically on its own; the batch as a
// whole is not atomic. On error some ids may have been acquired: calling
// AcquireBatch again with the same owner claims them again (re-entrant), or
// their leases simply run out.
func (s *Store) AcquireBatch(ctx context.Context, ids []string, owner string) ([]Claim, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	keys := make([]string, len(ids))
	for i, id := range ids {
		if err := checkArgs("acquire batch", id, owner); err != nil {
			return nil, err
		}
		keys[i] = s.key(id)
	}
	val := pending(owner)

	cmds := make([]*redis.Cmd, len(ids))
	pipe := s.c.Pipeline()
	for i, k := range keys {
		cmds[i] = acquireScript.EvalSha(ctx, pipe, []string{k}, val, s.leaseMS)
	}
	// Exec's error is the first failed command's; each command is checked
	// below, where NOSCRIPT is told apart from real failures.
	_, _ = pipe.Exec(ctx)

	var retry []int
	for i, c := range cmds {
		if isNoScript(c.Err()) {
			retry = append(retry, i)
		}
	}
	if len(retry) > 0 {
		// EVALSHA of a script the server does not know did not run, so
		// sending the full script for exactly those ids is safe.
		pipe := s.c.Pipeline()
		for _, i := range retry {
			cmds[i] = acquireScript.Eval(ctx, pipe, []string{keys[i]}, val, s.leaseMS)
		}
		_, _ = pipe.Exec(ctx)
	}

	claims := make([]Claim, len(ids))
	for i, c := range cmds {
		res, err := c.Result()
		if err == nil {
			claims[i], err = parseClaim(res)
		}
		if err != nil {
			return nil, fmt.Errorf("dedupe: acquire batch of %d, id %q: %w", len(ids), ids[i], err)
		}
	}
	return claims, nil
}

func isNoScript(err error) bool {
	return err != nil && (errors.Is(err, redis.ErrNoScript) || redis.HasErrorPrefix(err, "NOSCRIPT"))
}

// parseClaim reads acquireScript's {code, wait_ms} answer.
func parseClaim(res any) (Claim, error) {
	arr, ok := res.([]any)
	if !ok || len(arr) != 2 {
		return Claim{}, fmt.Errorf("unexpected script answer %T %v", res, res)
	}
	code, ok1 := arr[0].(int64)
	wait, ok2 := arr[1].(int64)
	if !ok1 || !ok2 {
		return Claim{}, fmt.Errorf("unexpected script answer %v", arr)
	}
	switch code {
	case codeAcquired:
		return Claim{State: Acquired}, nil
	case codeDone:
		return Claim{State: Done}, nil
	case codeHeld:
		return Claim{State: Held, Wait: time.Duration(wait) * time.Millisecond}, nil
	default:
		return Claim{}, fmt.Errorf("unexpected script answer code %d", code)
	}
}

// Extend renews owner's lease on id for another Lease. It answers false when
// the lease was lost: it ran out (and maybe another owner took the command),
// or the command is done. A worker that lost its lease may still finish the
// apply (the applier's lookups in Infor make that safe) and MarkDone.
func (s *Store) Extend(ctx context.Context, id, owner string) (bool, error) {
	if err := checkArgs("extend", id, owner); err != nil {
		return false, err
	}
	n, err := extendScript.Run(ctx, s.c, []string{s.key(id)}, pending(owner), s.leaseMS).Int64()
	if err != nil {
		return false, fmt.Errorf("dedupe: extend %q: %w", id, err)
	}
	return n == 1, nil
}

// MarkDone records id as applied for the done TTL, whoever holds the lease:
// Infor confirmed the command, so it is done even if this owner's lease ran
// out and another owner is applying it right now (that one's lookups in
// Infor find the record and its own MarkDone repeats this one). owner is
// checked for the caller's sake only; it is not stored.
func (s *Store) MarkDone(ctx context.Context, id, owner string) error {
	if err := checkArgs("mark done", id, owner); err != nil {
		return err
	}
	if err := s.c.Set(ctx, s.key(id), doneValue, s.doneTTL).Err(); err != nil {
		return fmt.Errorf("dedupe: mark done %q: %w", id, err)
	}
	return nil
}

// Release deletes owner's pending lease on id, so the command can be claimed
// at once (it was not applied: it went to a retry topic or the DLQ). It does
// nothing if owner does not hold the lease: the lease ran out and maybe
// another owner holds it now, or the command is done.
func (s *Store) Release(ctx context.Context, id, owner string) error {
	if err := checkArgs("release", id, owner); err != nil {
		return err
	}
	if err := releaseScript.Run(ctx, s.c, []string{s.key(id)}, pending(owner)).Err(); err != nil {
		return fmt.Errorf("dedupe: release %q: %w", id, err)
	}
	return nil
}

// IsDone reports whether id is marked done.
func (s *Store) IsDone(ctx context.Context, id string) (bool, error) {
	if id == "" {
		return false, errors.New("dedupe: is done: empty command id")
	}
	v, err := s.c.Get(ctx, s.key(id)).Result()
	if errors.Is(err, redis.Nil) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("dedupe: is done %q: %w", id, err)
	}
	return v == doneValue, nil
}

// Ping checks that Redis answers. On Cluster it pings every master, since a
// command's key may live on any of them; behind Sentinel it pings the
// current master.
func (s *Store) Ping(ctx context.Context) error {
	var err error
	if cc, ok := s.c.(*redis.ClusterClient); ok {
		err = cc.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error {
			if err := c.Ping(ctx).Err(); err != nil {
				return fmt.Errorf("%s: %w", c.Options().Addr, err)
			}
			return nil
		})
	} else {
		err = s.c.Ping(ctx).Err()
	}
	if err != nil {
		return fmt.Errorf("dedupe: ping redis: %w", err)
	}
	return nil
}
