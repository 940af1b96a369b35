package processors

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/stripe-infor/stripe-infor/internal/kafka"
)

// Time limits of one transaction. workTimeout bounds producing a batch's
// records (a broker that never acknowledges fails them, and the batch is
// aborted and redone); endTimeout bounds committing or aborting. Both stay
// under the transaction timeout, so the broker does not abort behind our
// back while we still think the transaction is open.
const (
	workTimeout  = 20 * time.Second
	endTimeout   = 15 * time.Second
	txnTimeout   = 60 * time.Second
	leaveTimeout = 10 * time.Second
	maxBackoff   = 5 * time.Second
	startBackoff = 100 * time.Millisecond
)

// Processor consumes stripe.events.raw and writes the commands, enriched
// events and DLQ records of each batch in one Kafka transaction with the
// batch's offsets.
type Processor struct {
	cfg     Config
	opts    []kgo.Opt
	sess    *kgo.GroupTransactSession // set by Run before running is true
	metrics *Metrics
	log     *slog.Logger
	running atomic.Bool
	// joined is true from the end of a join-and-sync (partitions assigned,
	// possibly none) until the membership is lost.
	joined atomic.Bool
}

// New checks cfg and builds a Processor. It does not connect: Run creates
// the Kafka client, since a group consumer starts joining its group (and
// taking partitions) as soon as it exists.
func New(cfg Config) (*Processor, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	base, err := kafka.Config{Brokers: cfg.Brokers, ClientID: cfg.ClientID, Logger: cfg.Logger}.ClientOpts()
	if err != nil {
		return nil, err
	}
	heartbeat := min(3*time.Second, cfg.SessionTimeout/3)
	opts := append(base,
		kgo.ConsumerGroup(cfg.Group),
		kgo.ConsumeTopics(kafka.RawEvents),
		// A new group starts at the beginning: every event the producer
		// accepted is processed, however early it arrived.
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		// Only committed data: the raw topic is written idempotently, not
		// transactionally, today, but a transactional writer (a backfill or
		// a redrive) must never have its aborted records turned into
		// commands.
		kgo.FetchIsolationLevel(kgo.ReadCommitted()),
		kgo.TransactionalID(cfg.TransactionalID),
		kgo.TransactionTimeout(txnTimeout),
		kgo.RequiredAcks(kgo.AllISRAcks()),
		kgo.SessionTimeout(cfg.SessionTimeout),
		kgo.RebalanceTimeout(cfg.RebalanceTimeout),
		kgo.HeartbeatInterval(heartbeat),
	)
	p := &Processor{log: cfg.Logger.With("component", "processor")}
	opts = append(opts,
		// kgo calls OnPartitionsAssigned after every completed join and
		// sync, even when nothing new is assigned; a lost membership
		// (session expired, fenced) calls OnPartitionsLost.
		kgo.OnPartitionsAssigned(func(_ context.Context, _ *kgo.Client, added map[string][]int32) {
			p.joined.Store(true)
			p.log.Info("partitions assigned", "added", added[kafka.RawEvents])
		}),
		kgo.OnPartitionsRevoked(func(_ context.Context, _ *kgo.Client, revoked map[string][]int32) {
			p.log.Info("partitions revoked", "revoked", revoked[kafka.RawEvents])
		}),
		kgo.OnPartitionsLost(func(_ context.Context, _ *kgo.Client, lost map[string][]int32) {
			p.joined.Store(false)
			p.log.Warn("group membership lost; rejoining", "lost", lost[kafka.RawEvents])
		}),
	)
	opts = append(opts, cfg.KafkaOpts...)
	m := cfg.Metrics
	if m == nil {
		m = NewMetrics(cfg.Registerer)
	}
	p.cfg, p.opts, p.metrics = cfg, opts, m
	return p, nil
}

// Metrics returns the processor's series (registered with
// Config.Registerer when it was set).
func (p *Processor) Metrics() *Metrics { return p.metrics }

// Ready reports whether the processor does its work: Run is polling, the
// client has joined its consumer group (join and sync completed) and a
// broker answers. An instance with no partitions (more instances than
// partitions) is still ready: it is a warm standby for the next rebalance.
func (p *Processor) Ready(ctx context.Context) error {
	if !p.running.Load() {
		return errors.New("processor not running")
	}
	if !p.joined.Load() {
		return fmt.Errorf("not joined to consumer group %s yet", p.cfg.Group)
	}
	if err := p.sess.Client().Ping(ctx); err != nil {
		return fmt.Errorf("kafka unreachable: %w", err)
	}
	return nil
}

// Run processes batches until ctx is canceled or the client fails for
// good, then leaves the group and closes the client. A batch under way when
// ctx ends is finished (committed, or aborted if it cannot commit) before
// Run returns. Run returns nil after a cancel, and an error when the
// client can no longer work (for example fenced by another instance with
// the same transactional id); the caller should exit and be restarted.
// Run must be called once.
func (p *Processor) Run(ctx context.Context) error {
	sess, err := kgo.NewGroupTransactSession(p.opts...)
	if err != nil {
		return fmt.Errorf("processor: kafka client: %w", err)
	}
	p.sess = sess
	p.running.Store(true)
	defer p.close()
	p.log.Info("processor starting", "group", p.cfg.Group, "transactional_id", p.cfg.TransactionalID,
		"topic", kafka.RawEvents, "max_records_per_txn", p.cfg.MaxRecordsPerTxn)
	if err := p.fence(ctx); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	backoff := time.Duration(0)
	for {
		if backoff > 0 && !sleep(ctx, backoff) {
			return nil
		}
		fetches := p.sess.PollRecords(ctx, p.cfg.MaxRecordsPerTxn)
		if ctx.Err() != nil || fetches.IsClientClosed() {
			// Nothing begun: records polled but not processed are read
			// again from the committed offsets by whoever gets them next.
			return nil
		}
		pollFailed, err := p.pollErrors(fetches)
		if err != nil {
			return err
		}
		if fetches.NumRecords() == 0 {
			backoff = nextBackoff(backoff, pollFailed)
			continue
		}
		committed, err := p.transact(ctx, fetches)
		if err != nil {
			return err
		}
		backoff = nextBackoff(backoff, !committed)
	}
}

// fence initializes our producer id before the first poll. For a
// restarted instance (same transactional id) that bumps the epoch, which
// fences the dead predecessor and aborts its open transaction at once.
// Without it the predecessor's pending offsets would block our own offset
// fetch (RequireStable) until the transaction timeout, since the producer
// id is otherwise first loaded by the first produce, which needs records,
// which need those offsets. Transient failures are retried until ctx ends.
func (p *Processor) fence(ctx context.Context) error {
	wait := startBackoff
	for {
		_, _, err := p.sess.Client().ProducerID(ctx)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if isFatal(err) {
			return fmt.Errorf("processor: initialize transactional producer %s: %w", p.cfg.TransactionalID, err)
		}
		p.log.Warn("initializing the transactional producer failed; retrying", "transactional_id", p.cfg.TransactionalID, "err", err)
		if !sleep(ctx, wait) {
			return ctx.Err()
		}
		wait = min(2*wait, maxBackoff)
	}
}

// close leaves the group, so the other instances take over the partitions
// at once rather than after the session timeout, and closes the client.
// Leaving waits for a rebalance in progress to finish; if that takes longer
// than leaveTimeout (a member that died mid-rebalance holds the group up
// to the rebalance timeout) the client is closed without the leave and the
// group notices the session timeout instead.
func (p *Processor) close() {
	p.running.Store(false)
	ctx, cancel := context.WithTimeout(context.Background(), leaveTimeout)
	defer cancel()
	if err := p.sess.Client().LeaveGroupContext(ctx); err != nil {
		p.log.Warn("could not leave the consumer group in time; closing anyway", "group", p.cfg.Group, "err", err)
	}
	p.sess.Close()
	p.log.Info("processor stopped", "group", p.cfg.Group)
}

// nextBackoff grows the pause after consecutive failures (poll errors,
// aborted transactions) so a persistent fault does not spin, and resets it
// after success.
func nextBackoff(cur time.Duration, failed bool) time.Duration {
	if !failed {
		return 0
	}
	if cur == 0 {
		return startBackoff
	}
	return min(2*cur, maxBackoff)
}

// sleep waits d or until ctx ends; it reports whether the wait completed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// pollErrors logs fetch errors, which the client retries on its own, and
// returns an error only for those no retry can fix.
func (p *Processor) pollErrors(f kgo.Fetches) (failed bool, fatal error) {
	f.EachError(func(topic string, partition int32, err error) {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return
		}
		failed = true
		p.metrics.PollErrors.Inc()
		if fatal == nil && isFatal(err) {
			fatal = fmt.Errorf("processor: consume %s[%d]: %w", topic, partition, err)
			return
		}
		p.log.Warn("poll error; retrying", "topic", topic, "partition", partition, "err", err)
	})
	return failed, fatal
}

// isFatal reports errors a restart with fixed configuration or permissions
// is needed for.
func isFatal(err error) bool {
	return errors.Is(err, kgo.ErrClientClosed) ||
		errors.Is(err, kerr.TopicAuthorizationFailed) ||
		errors.Is(err, kerr.GroupAuthorizationFailed) ||
		errors.Is(err, kerr.TransactionalIDAuthorizationFailed) ||
		errors.Is(err, kerr.ClusterAuthorizationFailed) ||
		errors.Is(err, kerr.ProducerFenced) ||
		errors.Is(err, kerr.InvalidProducerEpoch)
}
