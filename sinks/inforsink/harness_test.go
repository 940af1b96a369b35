package inforsink_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/stripe-infor/stripe-infor/infor"
	"github.com/stripe-infor/stripe-infor/infor/emulator"
	"github.com/stripe-infor/stripe-infor/infor/m3"
	"github.com/stripe-infor/stripe-infor/internal/alert"
	"github.com/stripe-infor/stripe-infor/internal/command"
	"github.com/stripe-infor/stripe-infor/internal/dedupe"
	"github.com/stripe-infor/stripe-infor/internal/embedded/broker"
	embredis "github.com/stripe-infor/stripe-infor/internal/embedded/redis"
	"github.com/stripe-infor/stripe-infor/internal/embedded/registry"
	"github.com/stripe-infor/stripe-infor/internal/kafka"
	"github.com/stripe-infor/stripe-infor/internal/retry"
	"github.com/stripe-infor/stripe-infor/schemas"
	"github.com/stripe-infor/stripe-infor/sinks/inforsink"
	"github.com/stripe-infor/stripe-infor/sinks/m3apply"
)

// The harness runs the sink against real components: the embedded Kafka
// broker (kfake), the embedded schema registry with the real Serde, a real
// redis-server child process, and the Infor emulator over HTTP with the
// real ION API client, M3 adapter and m3apply. Only the Stripe payout
// source is a fake.

const requireRedisEnv = "STRIPE_INFOR_REQUIRE_REDIS"

// testPartitions is the partition count of every topic in the tests.
const testPartitions = 3

type env struct {
	t     testing.TB
	ctx   context.Context
	addr  string // Kafka
	serde *schemas.Serde
	prod  *kgo.Client

	emu   *emulator.Emulator
	calls *callRecorder
	gate  *retry.Gate
	inf   *infor.Client
	app   *m3apply.Applier

	redisBin     string
	redis        *embredis.Server
	redisAddr    string
	redisDirPath string
	store        *dedupe.Store
	rclient      interface{ Close() error }

	alerts  *alertLog
	metrics *inforsink.Metrics
	logs    *logBuffer
}

// envOpts tune the harness.
type envOpts struct {
	inforTimeout time.Duration // per MI call; default 5 s
	lease        time.Duration // dedupe lease; default 3 s
}

func newEnv(t testing.TB, o envOpts) *env {
	t.Helper()
	if o.inforTimeout == 0 {
		o.inforTimeout = 5 * time.Second
	}
	if o.lease == 0 {
		o.lease = 3 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	e := &env{t: t, ctx: ctx, alerts: &alertLog{}, metrics: inforsink.NewMetrics(nil), logs: &logBuffer{}}
	e.dumpLogsOnFailure()

	// Kafka and the registry.
	b, err := broker.Start(broker.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	e.addr = b.Addr()
	e.prod, err = kgo.NewClient(kgo.SeedBrokers(e.addr), kgo.ProducerLinger(0), kgo.MetadataMinAge(10*time.Millisecond),
		kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.prod.Close)
	if _, err := kafka.EnsureTopics(ctx, kadm.NewClient(e.prod), kafka.DesignTopics(),
		kafka.Partitions{Default: testPartitions}, nil); err != nil {
		t.Fatal(err)
	}
	reg, err := registry.Start(registry.Config{Addr: "127.0.0.1:0", Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = reg.Close(context.Background()) })
	rc, err := sr.NewClient(sr.URLs(reg.URL()))
	if err != nil {
		t.Fatal(err)
	}
	if e.serde, err = schemas.Register(ctx, rc); err != nil {
		t.Fatal(err)
	}

	// Redis.
	e.redisBin = redisServerBinary(t)
	e.startRedis(t.TempDir(), "127.0.0.1:0")
	t.Cleanup(func() {
		if e.redis != nil {
			_ = e.redis.Close()
		}
	})
	rcl, err := dedupe.NewClient(e.redis.URL())
	if err != nil {
		t.Fatal(err)
	}
	e.rclient = rcl
	t.Cleanup(func() { _ = rcl.Close() })
	if e.store, err = dedupe.New(rcl, dedupe.Options{Lease: o.lease}); err != nil {
		t.Fatal(err)
	}

	// The Infor emulator over HTTP, recording every MI call.
	e.emu, err = emulator.New(emulator.Config{})
	if err != nil {
		t.Fatal(err)
	}
	e.calls = &callRecorder{next: e.emu.Handler()}
	srv := httptest.NewServer(e.calls)
	t.Cleanup(func() {
		_ = e.emu.Close() // ends injected timeouts so the server can close
		srv.Close()
	})
	path := filepath.Join(t.TempDir(), "DEV.ionapi")
	if err := e.emu.WriteIONAPI(path, srv.URL); err != nil {
		t.Fatal(err)
	}
	icfg, err := infor.LoadIONAPI(path)
	if err != nil {
		t.Fatal(err)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 256
	e.gate = retry.NewGate(nil)
	hc := &http.Client{Transport: e.gate.Transport(&stamper{next: tr})}
	e.inf, err = infor.NewClient(icfg, infor.WithHTTPClient(hc), infor.WithTimeout(o.inforTimeout),
		infor.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	e.app, err = m3apply.New(m3apply.Config{Live: m3.New(e.inf, m3.Config{}), AllowTestModeOnLive: true, Payouts: fakePayouts{}})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// redisServerBinary returns the redis-server path, or skips the test when it
// is missing (fails instead when STRIPE_INFOR_REQUIRE_REDIS=1).
func redisServerBinary(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv(requireRedisEnv) == "1" {
			t.Fatalf("redis-server not found on PATH and %s=1: %v", requireRedisEnv, err)
		}
		t.Skipf("redis-server not found on PATH (install the Debian package redis-server; set %s=1 to make this a failure)", requireRedisEnv)
	}
	return p
}

// startRedis starts redis-server on addr with its data in dir.
func (e *env) startRedis(dir, addr string) {
	e.t.Helper()
	s, err := embredis.Start(e.ctx, embredis.Config{Addr: addr, Dir: dir, Binary: e.redisBin})
	if err != nil {
		e.t.Fatal(err)
	}
	e.redis = s
	e.redisDirPath = dir
	e.redisAddr = strings.TrimSuffix(strings.TrimPrefix(s.URL(), "redis://"), "/0")
}

// stopRedis stops redis-server (the sink's Redis outage begins).
func (e *env) stopRedis() {
	e.t.Helper()
	if err := e.redis.Close(); err != nil {
		e.t.Fatal(err)
	}
	e.redis = nil
}

// config is a sink configuration against the env, with short delays so
// the tests run in seconds.
func (e *env) config() inforsink.Config {
	return inforsink.Config{
		Brokers:            []string{e.addr},
		Group:              "sink-test",
		Concurrency:        8,
		InPlaceAttempts:    3,
		BackoffBase:        10 * time.Millisecond,
		BackoffMax:         200 * time.Millisecond,
		RetryTiers:         []time.Duration{50 * time.Millisecond, 100 * time.Millisecond, 200 * time.Millisecond},
		DependencyDeadline: time.Minute,
		CommitInterval:     100 * time.Millisecond,
		DrainTimeout:       5 * time.Second,
		Decoder:            e.serde,
		Applier:            e.app,
		Dedupe:             e.store,
		Alerter:            e.alerts,
		Metrics:            e.metrics,
		Gate:               e.gate,
		Logger:             slog.New(slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelInfo})),
		KafkaOpts: []kgo.Opt{
			kgo.SessionTimeout(6 * time.Second),
			kgo.RebalanceTimeout(10 * time.Second),
			kgo.HeartbeatInterval(500 * time.Millisecond),
			kgo.FetchMaxWait(200 * time.Millisecond),
		},
	}
}

// running is a sink running in the background.
type running struct {
	t      testing.TB
	s      *inforsink.Sink
	cancel context.CancelFunc
	done   chan error
	once   sync.Once
	err    error
}

func (e *env) start(cfg inforsink.Config) *running {
	e.t.Helper()
	s, err := inforsink.New(cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{t: e.t, s: s, cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- s.Run(ctx) }()
	e.t.Cleanup(func() { _ = r.stop() })
	return r
}

// stop cancels Run and waits for it.
func (r *running) stop() error {
	r.once.Do(func() {
		r.cancel()
		select {
		case r.err = <-r.done:
		case <-time.After(45 * time.Second):
			r.err = errors.New("Run did not return 45 s after its context was canceled")
		}
	})
	return r.err
}

// waitReady waits until Ready answers nil.
func (r *running) waitReady(timeout time.Duration) {
	r.t.Helper()
	var last error
	waitFor(r.t, "the sink to be ready", timeout, func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		last = r.s.Ready(ctx)
		return last == nil
	}, func() string { return fmt.Sprint(last) })
}

// waitFor polls cond every 20 ms until it holds or timeout passes.
func waitFor(t testing.TB, what string, timeout time.Duration, cond func() bool, detail ...func() string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			msg := ""
			for _, d := range detail {
				msg += " " + d()
			}
			t.Fatalf("timed out after %s waiting for %s%s", timeout, what, msg)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// --- commands and records ---

var occurred = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func meta(ev, typ string, ids ...string) command.Meta {
	return command.Meta{StripeEventID: ev, StripeEventType: typ, StripeObjectIDs: ids, Livemode: true,
		StripeAPIVersion: "2023-10-16", OccurredAt: occurred}
}

func customerCmd(cus, ev string) command.UpsertCustomer {
	return command.UpsertCustomer{Meta: meta(ev, "customer.created", cus), CommandID: "customer:" + cus,
		StripeCustomerID: cus, Name: "Customer " + cus, Email: strings.ToLower(cus) + "@example.com",
		Address: command.Address{Line1: "1 Main St", City: "Springfield", PostalCode: "12345", Country: "US"},
		Version: occurred.Unix()}
}

func orderCmd(ch, cus, item, ev string) command.CreateSalesOrder {
	return command.CreateSalesOrder{Meta: meta(ev, "charge.succeeded", ch, cus), CommandID: "order:" + ch,
		StripeObjectID: ch, CustomerRef: command.CustomerRef{StripeCustomerID: cus},
		Lines:    []command.OrderLine{{Item: item, Quantity: 2, UnitPrice: command.Money{Minor: 1250, Currency: "USD"}}},
		Currency: "USD", OrderDate: "2026-03-01"}
}

func paymentCmd(ch, ev string) command.ApplyPayment {
	return command.ApplyPayment{Meta: meta(ev, "charge.succeeded", ch), CommandID: "payment:" + ch,
		OrderRef: command.OrderRef{StripeObjectID: ch}, Amount: command.Money{Minor: 2500, Currency: "USD"},
		StripeChargeID: ch, BalanceTransactionID: "txn_" + ch, PaymentDate: "2026-03-01"}
}

func payoutCmd(po, ev string) command.ReconcilePayout {
	return command.ReconcilePayout{Meta: meta(ev, "payout.paid", po), CommandID: "payout:" + po, StripePayoutID: po,
		Amount: command.Money{Minor: 2381, Currency: "USD"}, ArrivalDate: "2026-03-03", Status: "paid"}
}

// fakePayouts stands in for the Stripe API: every payout holds one charge
// of 25.00 USD with a 1.19 fee.
type fakePayouts struct{}

func (fakePayouts) PayoutTransactions(_ context.Context, po, _ string, _ bool) ([]command.BalanceTransaction, error) {
	usd := func(n int64) command.Money { return command.Money{Minor: n, Currency: "USD"} }
	return []command.BalanceTransaction{{ID: "txn_" + po, Type: "charge", Source: "ch_of_" + po,
		Amount: usd(2500), Fee: usd(119), Net: usd(2381)}}, nil
}

// topicOf is the command topic of a command.
func topicOf(c command.Command) string {
	switch c.(type) {
	case command.UpsertCustomer:
		return kafka.CustomerCommands
	case command.CreateSalesOrder, command.ChangeOrderStatus:
		return kafka.SalesOrderCommands
	case command.ApplyPayment, command.CreateCreditMemo:
		return kafka.PaymentCommands
	case command.PostJournal:
		return kafka.JournalCommands
	case command.ReconcilePayout:
		return kafka.BankCommands
	}
	panic(fmt.Sprintf("no topic for %T", c))
}

// record is the record a processor would write for c, keyed by key, on
// partition part of its topic (-1: by the key's hash, modulo the partitions).
func (e *env) record(c command.Command, key string, part int32) *kgo.Record {
	e.t.Helper()
	topic := topicOf(c)
	v, err := e.serde.Encode(topic, c)
	if err != nil {
		e.t.Fatal(err)
	}
	if part < 0 {
		part = partitionOf(key)
	}
	m := c.Metadata()
	return &kgo.Record{Topic: topic, Partition: part, Key: []byte(key), Value: v, Headers: []kgo.RecordHeader{
		{Key: "command-id", Value: []byte(c.ID())}, {Key: "command-type", Value: []byte(c.Type())},
		{Key: "stripe-event-id", Value: []byte(m.StripeEventID)}, {Key: "stripe-livemode", Value: []byte("true")},
	}}
}

func partitionOf(key string) int32 {
	h := uint32(2166136261)
	for i := 0; i < len(key); i++ {
		h = (h ^ uint32(key[i])) * 16777619
	}
	return int32(h % testPartitions)
}

// produce writes records and waits for the broker's acknowledgement.
func (e *env) produce(recs ...*kgo.Record) {
	e.t.Helper()
	if err := e.prod.ProduceSync(e.ctx, recs...).FirstErr(); err != nil {
		e.t.Fatal(err)
	}
}

// produceCmds writes commands keyed by their first Stripe object id.
func (e *env) produceCmds(cmds ...command.Command) {
	e.t.Helper()
	var recs []*kgo.Record
	for _, c := range cmds {
		recs = append(recs, e.record(c, c.Metadata().StripeObjectIDs[0], -1))
	}
	e.produce(recs...)
}

// --- what Kafka holds ---

// readTopic returns every record of topic, in partition and offset order.
func (e *env) readTopic(topic string) []*kgo.Record {
	e.t.Helper()
	ends := e.endOffsets(topic)
	want := map[int32]int64{}
	total := int64(0)
	ends.Each(func(o kadm.ListedOffset) {
		if o.Offset > 0 {
			want[o.Partition] = o.Offset
			total += o.Offset
		}
	})
	if total == 0 {
		return nil
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(e.addr), kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		e.t.Fatal(err)
	}
	defer cl.Close()
	got := map[int32][]*kgo.Record{}
	done := func() bool {
		for p, end := range want {
			n := len(got[p])
			if n == 0 || got[p][n-1].Offset < end-1 {
				return false
			}
		}
		return true
	}
	ctx, cancel := context.WithTimeout(e.ctx, 20*time.Second)
	defer cancel()
	for !done() {
		f := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			e.t.Fatalf("reading %s: %v", topic, ctx.Err())
		}
		f.EachRecord(func(r *kgo.Record) { got[r.Partition] = append(got[r.Partition], r) })
	}
	var out []*kgo.Record
	for p := int32(0); p < testPartitions; p++ {
		out = append(out, got[p]...)
	}
	return out
}

// endOffsets lists the end offsets of every partition of topics. The first
// answer for a topic the admin client has no metadata for yet can be
// UNKNOWN_TOPIC_OR_PARTITION; it is asked again until every partition
// answers.
func (e *env) endOffsets(topics ...string) kadm.ListedOffsets {
	e.t.Helper()
	adm := kadm.NewClient(e.prod)
	for attempt := 0; ; attempt++ {
		ends, err := adm.ListEndOffsets(e.ctx, topics...)
		ok := err == nil
		n := 0
		ends.Each(func(o kadm.ListedOffset) {
			n++
			ok = ok && o.Err == nil
		})
		if ok && n == testPartitions*len(topics) {
			return ends
		}
		if attempt == 50 {
			e.t.Fatalf("end offsets of %v: %v %v", topics, err, ends)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// committedVsEnd returns, for every partition of topics, the group's
// committed offset (0 when none) and the partition's end offset.
func (e *env) committedVsEnd(group string, topics ...string) map[string][2]int64 {
	e.t.Helper()
	adm := kadm.NewClient(e.prod)
	committed, err := adm.FetchOffsets(e.ctx, group)
	if err != nil {
		e.t.Fatal(err)
	}
	ends := e.endOffsets(topics...)
	out := map[string][2]int64{}
	ends.Each(func(o kadm.ListedOffset) {
		c := int64(0)
		if r, ok := committed.Lookup(o.Topic, o.Partition); ok && r.Err == nil {
			c = r.At
		}
		out[o.Topic+"/"+strconv.Itoa(int(o.Partition))] = [2]int64{c, o.Offset}
	})
	return out
}

// header returns the value of the last header named key.
func header(r *kgo.Record, key string) string {
	for i := len(r.Headers) - 1; i >= 0; i-- {
		if r.Headers[i].Key == key {
			return string(r.Headers[i].Value)
		}
	}
	return ""
}

// --- what Infor holds ---

func (e *env) customers(cus string) int {
	n := 0
	for _, c := range e.emu.State().Customers {
		if c.YREF == cus {
			n++
		}
	}
	return n
}

// orders counts the orders (any status) and invoices of a charge.
func (e *env) orders(ch string) (orders, invoices int, paid bool) {
	st := e.emu.State()
	cuor := m3.OrderReference(ch)
	for _, o := range st.Orders {
		if o.CUOR == cuor {
			orders++
		}
	}
	for _, inv := range st.Invoices {
		if inv.CUOR == cuor {
			invoices++
			paid = inv.STAT == "paid"
		}
	}
	return orders, invoices, paid
}

// statements counts the bank statements with reference refe.
func (e *env) statements(refe string) int {
	n := 0
	for _, s := range e.emu.State().BankStatements {
		if s.REFE == refe {
			n++
		}
	}
	return n
}

// --- metrics ---

func (e *env) count(topic, typ, outcome string) int {
	return int(testutil.ToFloat64(e.metrics.Commands.WithLabelValues(topic, typ, outcome)))
}

func (e *env) dedupeHits(topic string) int {
	return int(testutil.ToFloat64(e.metrics.DedupeHits.WithLabelValues(topic)))
}

func (e *env) retries(topic, kind string) int {
	return int(testutil.ToFloat64(e.metrics.Retries.WithLabelValues(topic, kind)))
}

func (e *env) dlqCount(topic, class string) int {
	return int(testutil.ToFloat64(e.metrics.DLQ.WithLabelValues(topic, class)))
}

// --- recording ---

// callRecorder wraps the emulator's handler and records every MI call:
// when it arrived and the hold-until stamp the client put on it (see
// stamper), and every 429 it answered, with the time it answered.
type callRecorder struct {
	next http.Handler

	mu      sync.Mutex
	calls   []miCall
	limited []time.Time
}

type miCall struct {
	at, holdUntil time.Time
	path, query   string
}

func (c *callRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !strings.Contains(r.URL.Path, "/m3api-rest/") {
		c.next.ServeHTTP(w, r)
		return
	}
	call := miCall{at: time.Now(), path: r.URL.Path, query: r.URL.RawQuery}
	if v := r.Header.Get("X-Test-Hold-Until"); v != "" {
		n, _ := strconv.ParseInt(v, 10, 64)
		call.holdUntil = time.Unix(0, n)
	}
	c.mu.Lock()
	c.calls = append(c.calls, call)
	c.mu.Unlock()
	c.next.ServeHTTP(&stampWriter{ResponseWriter: w, rec: c}, r)
}

func (c *callRecorder) snapshot() ([]miCall, []time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]miCall(nil), c.calls...), append([]time.Time(nil), c.limited...)
}

// stampWriter tells the client, on a 429, when the server answered it, so
// the client can stamp the requests it sends afterwards with the earliest
// time the server allowed them.
type stampWriter struct {
	http.ResponseWriter
	rec *callRecorder
}

func (w *stampWriter) WriteHeader(code int) {
	if code == http.StatusTooManyRequests {
		now := time.Now()
		w.Header().Set("X-Test-Answered-At", strconv.FormatInt(now.UnixNano(), 10))
		w.rec.mu.Lock()
		w.rec.limited = append(w.rec.limited, now)
		w.rec.mu.Unlock()
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *stampWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// stamper sits in the client below the sink's gate: every request that
// passes the gate is stamped with the latest "answered at + Retry-After"
// of the 429s the client had received when it sent the request. A request
// sent after the client learned of a 429 must not reach the server before
// that time; requests already on their way when the 429 came carry an
// older stamp and are not held to it.
type stamper struct {
	next http.RoundTripper

	mu        sync.Mutex
	holdUntil time.Time
}

func (s *stamper) RoundTrip(req *http.Request) (*http.Response, error) {
	s.mu.Lock()
	hold := s.holdUntil
	s.mu.Unlock()
	if !hold.IsZero() {
		req = req.Clone(req.Context())
		req.Header.Set("X-Test-Hold-Until", strconv.FormatInt(hold.UnixNano(), 10))
	}
	resp, err := s.next.RoundTrip(req)
	if err == nil && resp.StatusCode == http.StatusTooManyRequests {
		at, _ := strconv.ParseInt(resp.Header.Get("X-Test-Answered-At"), 10, 64)
		ra, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
		if at > 0 {
			until := time.Unix(0, at).Add(time.Duration(ra) * time.Second)
			s.mu.Lock()
			if until.After(s.holdUntil) {
				s.holdUntil = until
			}
			s.mu.Unlock()
		}
	}
	return resp, err
}

// alertLog is an Alerter that keeps the alerts.
type alertLog struct {
	mu     sync.Mutex
	alerts []alert.Alert
}

func (a *alertLog) Notify(x alert.Alert) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.alerts = append(a.alerts, x)
}

func (a *alertLog) all() []alert.Alert {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]alert.Alert(nil), a.alerts...)
}

// logBuffer keeps the sink's JSON log lines for assertions and for the
// failure output.
type logBuffer struct {
	mu    sync.Mutex
	lines []string
}

func (l *logBuffer) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, strings.TrimRight(string(b), "\n"))
	return len(b), nil
}

func (l *logBuffer) matching(substr string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, s := range l.lines {
		if strings.Contains(s, substr) {
			out = append(out, s)
		}
	}
	return out
}

// dump logs the sink's log lines when the test failed.
func (e *env) dumpLogsOnFailure() {
	e.t.Cleanup(func() {
		if !e.t.Failed() {
			return
		}
		e.logs.mu.Lock()
		defer e.logs.mu.Unlock()
		for _, l := range e.logs.lines {
			e.t.Log(l)
		}
	})
}

// freeAddr is a free 127.0.0.1 port.
func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}
