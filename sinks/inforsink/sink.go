package inforsink

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/stripe-infor/stripe-infor/internal/kafka"
	"github.com/stripe-infor/stripe-infor/internal/retry"
)

// leaveTimeout bounds leaving the group at shutdown; a rebalance held up
// by a dead member can make leaving wait, and the group then notices the
// session timeout instead.
const leaveTimeout = 10 * time.Second

// Sink consumes the command topics and their retry topics as one consumer
// group and applies each command to Infor once in effect. See the package
// documentation.
type Sink struct {
	cfg     Config
	log     *slog.Logger
	metrics *Metrics
	gate    *retry.Gate
	opts    []kgo.Opt
	topics  map[string]topicInfo // every consumed topic
	retries []string             // the .retry topics

	cl      atomic.Pointer[kgo.Client] // set by Run
	started atomic.Bool
	running atomic.Bool
	joined  atomic.Bool
	redis   redisHealth
	claims  *claimer
	slots   chan struct{} // one per Apply running: Concurrency

	// stop ends waits and keeps new work from starting (shutdown); hard
	// also ends Applies and produces (the drain ran out of time).
	stop       context.Context
	cancelStop context.CancelFunc
	hard       context.Context
	cancelHard context.CancelFunc
	wg         sync.WaitGroup // record goroutines

	mu          sync.Mutex
	parts       map[tp]*partition
	buffered    int // unfinished records, held ones aside
	held        heldHeap
	retryPaused bool
	stopping    bool

	room     chan struct{} // a record finished: the poll loop may fetch more
	heldWake chan struct{} // the earliest held record changed
	commitMu sync.Mutex    // one commit at a time, so an older one never lands last
}

// topicInfo says what a consumed topic is.
type topicInfo struct {
	base  string // the command topic
	retry bool
}

// New checks cfg, fills its defaults and builds a Sink. It does not
// connect: Run creates the Kafka client, since a group consumer starts
// taking partitions as soon as it exists.
func New(cfg Config) (*Sink, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	s := &Sink{
		cfg:      cfg,
		log:      cfg.Logger.With("component", "infor-sink"),
		gate:     cfg.Gate,
		topics:   map[string]topicInfo{},
		parts:    map[tp]*partition{},
		room:     make(chan struct{}, 1),
		heldWake: make(chan struct{}, 1),
		slots:    make(chan struct{}, cfg.Concurrency),
	}
	s.metrics = cfg.Metrics
	if s.metrics == nil {
		s.metrics = NewMetrics(cfg.Registerer)
	}
	consumed := make([]string, 0, 2*len(cfg.Topics))
	for _, t := range cfg.Topics {
		rt := kafka.RetryTopic(t)
		s.topics[t] = topicInfo{base: t}
		s.topics[rt] = topicInfo{base: t, retry: true}
		s.retries = append(s.retries, rt)
		consumed = append(consumed, t, rt)
	}
	base, err := kafka.Config{Brokers: cfg.Brokers, ClientID: cfg.ClientID, Logger: cfg.Logger}.ClientOpts()
	if err != nil {
		return nil, fmt.Errorf("inforsink: %w", err)
	}
	s.opts = append(base,
		kgo.ConsumerGroup(cfg.Group),
		kgo.ConsumeTopics(consumed...),
		// A new group starts at the beginning: every command the processors
		// wrote is applied, however early.
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		// The processors write commands in transactions: an aborted one
		// must never reach Infor.
		kgo.FetchIsolationLevel(kgo.ReadCommitted()),
		// Transaction markers come back as control records, so the commit
		// point can move past a partition's last marker and a finished
		// partition shows no lag.
		kgo.KeepControlRecords(),
		kgo.DisableAutoCommit(),
		// Records are added to the sink's state before a rebalance may run,
		// so a revoke never races records of the partitions it takes.
		kgo.BlockRebalanceOnPoll(),
		kgo.OnPartitionsAssigned(s.onAssigned),
		kgo.OnPartitionsRevoked(s.onRevoked),
		kgo.OnPartitionsLost(s.onLost),
		// Retry and DLQ records: acks from all in-sync replicas and the
		// idempotent producer (franz-go's defaults, stated so nobody turns
		// them off). A record is finished only once its move is acknowledged.
		kgo.RequiredAcks(kgo.AllISRAcks()),
		kgo.ProducerLinger(0),
	)
	s.opts = append(s.opts, cfg.KafkaOpts...)
	s.claims = newClaimer(s)
	return s, nil
}

// Metrics returns the sink's series (registered with Config.Registerer
// when it was set).
func (s *Sink) Metrics() *Metrics { return s.metrics }

// Ready reports whether the sink does its work: Run is running, the group
// is joined (with or without partitions: an idle member is a warm
// standby), a broker answers and Redis answers.
func (s *Sink) Ready(ctx context.Context) error {
	cl := s.cl.Load()
	if !s.running.Load() || cl == nil {
		return errors.New("infor sink not running")
	}
	if !s.joined.Load() {
		return fmt.Errorf("not joined to consumer group %s yet", s.cfg.Group)
	}
	if err := s.cfg.Dedupe.Ping(ctx); err != nil {
		s.redisDown(err)
		return fmt.Errorf("redis (dedupe store) unavailable: %w", err)
	}
	s.redisUp()
	if err := cl.Ping(ctx); err != nil {
		return fmt.Errorf("kafka unreachable: %w", err)
	}
	return nil
}

// Run consumes and applies until ctx is canceled, then stops starting new
// work, lets commands being applied finish for up to DrainTimeout
// (abandoning the rest, uncommitted, to whoever owns the partition next),
// commits what is finished, leaves the group and returns nil. It returns
// an error when the Kafka client fails for good (authorization, a closed
// client); the caller should exit and be restarted. Run must be called
// once.
func (s *Sink) Run(ctx context.Context) error {
	if !s.started.CompareAndSwap(false, true) {
		return errors.New("inforsink: Run called twice")
	}
	cl, err := kgo.NewClient(s.opts...)
	if err != nil {
		return fmt.Errorf("inforsink: kafka client: %w", err)
	}
	s.cl.Store(cl)
	s.stop, s.cancelStop = context.WithCancel(context.Background())
	s.hard, s.cancelHard = context.WithCancel(context.Background())
	bg, cancelBG := context.WithCancel(context.Background())
	var bgWG sync.WaitGroup
	for _, f := range []func(context.Context){s.claims.run, s.runHeld, s.runCommits, s.watchRedis} {
		bgWG.Add(1)
		go func() { defer bgWG.Done(); f(bg) }()
	}
	s.running.Store(true)
	s.log.Info("infor sink starting", "group", s.cfg.Group, "topics", s.cfg.Topics, "concurrency", s.cfg.Concurrency,
		"max_buffered", s.cfg.MaxBuffered, "owner", s.cfg.Owner)

	runErr := s.poll(ctx, cl)

	s.shutdown(cl)
	cancelBG()
	bgWG.Wait()
	s.running.Store(false)
	s.joined.Store(false)
	cl.Close()
	if runErr != nil {
		s.log.Error("infor sink stopped on a fatal Kafka error", "err", runErr)
		return runErr
	}
	s.log.Info("infor sink stopped", "group", s.cfg.Group)
	return nil
}

// shutdown stops new work, drains, commits and leaves the group.
func (s *Sink) shutdown(cl *kgo.Client) {
	s.mu.Lock()
	s.stopping = true
	inflight := 0
	for _, p := range s.parts {
		inflight += p.running
	}
	s.mu.Unlock()
	s.cancelStop()
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	t := time.NewTimer(s.cfg.DrainTimeout)
	select {
	case <-done:
	case <-t.C:
		s.log.Warn("shutdown: commands still running after the drain timeout; abandoning them uncommitted (the next owner applies them again)",
			"drain_timeout", s.cfg.DrainTimeout)
		s.cancelHard()
		<-done
	}
	t.Stop()
	s.cancelHard()
	ctx, cancel := context.WithTimeout(context.Background(), leaveTimeout)
	defer cancel()
	if err := s.commit(ctx, cl, nil); err != nil {
		s.log.Warn("shutdown: final offset commit failed", "err", err)
	}
	s.log.Info("shutdown: drained and committed", "running_at_stop", inflight)
	if err := cl.LeaveGroupContext(ctx); err != nil {
		s.log.Warn("could not leave the consumer group in time; closing anyway", "group", s.cfg.Group, "err", err)
	}
}

// isFatal reports Kafka errors only a restart with fixed configuration or
// permissions can cure.
func isFatal(err error) bool {
	return errors.Is(err, kgo.ErrClientClosed) ||
		errors.Is(err, kerr.TopicAuthorizationFailed) ||
		errors.Is(err, kerr.GroupAuthorizationFailed) ||
		errors.Is(err, kerr.ClusterAuthorizationFailed) ||
		errors.Is(err, kerr.SaslAuthenticationFailed)
}

// sleep waits d or until ctx ends; it reports whether the wait completed.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// signal wakes whoever waits on ch without blocking.
func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}
