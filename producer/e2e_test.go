package producer_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stripe/stripe-go/v76/webhook"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/stripe-infor/stripe-infor/internal/embedded/broker"
	"github.com/stripe-infor/stripe-infor/internal/kafka"
	"github.com/stripe-infor/stripe-infor/internal/observability"
	"github.com/stripe-infor/stripe-infor/internal/stripefixture"
	"github.com/stripe-infor/stripe-infor/producer"
)

const secret = "whsec_e2e"

// stack is a producer in front of a real embedded broker with a data dir.
type stack struct {
	t       *testing.T
	dir     string
	port    int
	broker  *broker.Broker
	client  *kgo.Client
	metrics *producer.Metrics
	url     string
	cancel  context.CancelFunc
	done    chan error
}

func freePort(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func startBroker(t *testing.T, dir string, port int) *broker.Broker {
	t.Helper()
	b, err := broker.Start(broker.Config{Port: port, Dir: dir})
	if err != nil {
		t.Fatalf("start broker: %v", err)
	}
	return b
}

func startStack(t *testing.T, produceTimeout time.Duration) *stack {
	t.Helper()
	s := &stack{t: t, dir: t.TempDir(), port: freePort(t)}
	s.broker = startBroker(t, s.dir, s.port)
	adm, err := kafka.NewAdminClient(kafka.Config{Brokers: []string{s.broker.Addr()}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kafka.EnsureTopics(context.Background(), kadm.NewClient(adm), []string{kafka.RawEvents}, kafka.DefaultPartitions(), nil); err != nil {
		t.Fatalf("ensure topics: %v", err)
	}
	adm.Close()
	s.client, err = kafka.NewProducer(kafka.ProducerConfig{
		Config:          kafka.Config{Brokers: []string{s.broker.Addr()}},
		DeliveryTimeout: produceTimeout,
	})
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	s.metrics = producer.NewMetrics(reg)
	health := observability.NewHealth()
	health.Add("kafka", producer.BrokerCheck(s.client, kafka.RawEvents))
	srv := producer.NewServer(producer.ServerConfig{
		Handler:  producer.HandlerConfig{Topic: kafka.RawEvents, ProduceTimeout: produceTimeout, Metrics: s.metrics, MaxBodyBytes: 64 << 10},
		Gatherer: reg,
	}, producer.NewVerifier(0, "whsec_old", secret), s.client, health)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.url = "http://" + ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel, s.done = cancel, make(chan error, 1)
	go func() { s.done <- srv.Serve(ctx, ln) }()
	t.Cleanup(s.stop)
	return s
}

func (s *stack) stop() {
	if s.cancel == nil {
		return
	}
	s.cancel()
	if err := <-s.done; err != nil {
		s.t.Errorf("server: %v", err)
	}
	s.cancel = nil
	s.client.Close()
	if s.broker != nil {
		s.broker.Close()
	}
}

func post(t *testing.T, url string, body []byte, sig string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url+producer.WebhookPath, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	if sig != "" {
		req.Header.Set("Stripe-Signature", sig)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("post: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func signed(body []byte) string {
	return webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: body, Secret: secret}).Header
}

// consumeAll reads every record of topic from the start.
func consumeAll(t *testing.T, brokerAddr, topic string, want int) []*kgo.Record {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokerAddr), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	var out []*kgo.Record
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	for len(out) < want {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			break
		}
		fs.EachRecord(func(r *kgo.Record) { out = append(out, r) })
	}
	return out
}

// countRecords sums the end offsets of topic's partitions.
func countRecords(t *testing.T, brokerAddr, topic string) int64 {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokerAddr))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ends, err := kadm.NewClient(cl).ListEndOffsets(context.Background(), topic)
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	ends.Each(func(o kadm.ListedOffset) { n += o.Offset })
	return n
}

func header(r *kgo.Record, k string) (string, bool) {
	for _, h := range r.Headers {
		if h.Key == k {
			return string(h.Value), true
		}
	}
	return "", false
}

func TestWebhookToKafkaRecordIsExact(t *testing.T) {
	s := startStack(t, 5*time.Second)
	type sent struct {
		body              []byte
		key, typ, account string
		live              bool
	}
	var all []sent
	for i, tc := range []struct {
		typ  string
		opts stripefixture.Options
		key  func(o stripefixture.Options) string
	}{
		{"charge.succeeded", stripefixture.Options{Seq: 1, CustomerID: "cus_Alice0000000000000000001"}, nil},
		{"charge.succeeded", stripefixture.Options{Seq: 2, Guest: true}, nil},
		{"customer.created", stripefixture.Options{Seq: 3, CustomerID: "cus_Bob000000000000000000002"}, nil},
		{"payout.paid", stripefixture.Options{Seq: 4, Livemode: true, Account: "acct_1Connect0000000000000"}, nil},
		{"balance.available", stripefixture.Options{Seq: 5, APIVersion: "2019-02-19"}, nil},
		{"charge.refunded", stripefixture.Options{Seq: 6, Currency: "jpy", Amount: 5000}, nil},
	} {
		body := stripefixture.MustEvent(tc.typ, tc.opts)
		env, err := producer.ParseEnvelope(body)
		if err != nil {
			t.Fatalf("fixture %d: %v", i, err)
		}
		code, resp := post(t, s.url, body, signed(body))
		if code != http.StatusOK {
			t.Fatalf("%s: status %d %s", tc.typ, code, resp)
		}
		all = append(all, sent{body, env.Key(), tc.typ, tc.opts.Account, tc.opts.Livemode})
	}
	// The key rules, checked on concrete values.
	if all[0].key != "cus_Alice0000000000000000001" || all[2].key != "cus_Bob000000000000000000002" ||
		!strings.HasPrefix(all[1].key, "ch_") || !strings.HasPrefix(all[4].key, "evt_") {
		t.Fatalf("unexpected keys: %q %q %q %q", all[0].key, all[1].key, all[2].key, all[4].key)
	}

	recs := consumeAll(t, s.broker.Addr(), kafka.RawEvents, len(all))
	if len(recs) != len(all) {
		t.Fatalf("got %d records, want %d", len(recs), len(all))
	}
	byID := map[string]*kgo.Record{}
	for _, r := range recs {
		id, _ := header(r, producer.HeaderEventID)
		byID[id] = r
	}
	for _, want := range all {
		env, _ := producer.ParseEnvelope(want.body)
		r := byID[env.ID]
		if r == nil {
			t.Fatalf("event %s missing from %s", env.ID, kafka.RawEvents)
		}
		if !bytes.Equal(r.Value, want.body) {
			t.Fatalf("event %s: value differs from the webhook body", env.ID)
		}
		if string(r.Key) != want.key {
			t.Fatalf("event %s: key %q, want %q", env.ID, r.Key, want.key)
		}
		checks := map[string]string{
			producer.HeaderEventType:  want.typ,
			producer.HeaderLivemode:   fmt.Sprint(want.live),
			producer.HeaderAccount:    want.account,
			producer.HeaderAPIVersion: env.APIVersion,
		}
		for k, v := range checks {
			if got, ok := header(r, k); !ok || got != v {
				t.Fatalf("event %s: header %s = %q (present %v), want %q", env.ID, k, got, ok, v)
			}
		}
		ra, ok := header(r, producer.HeaderReceivedAt)
		if ts, err := time.Parse(time.RFC3339Nano, ra); !ok || err != nil || time.Since(ts) > time.Minute {
			t.Fatalf("event %s: received-at %q not a recent RFC 3339 time", env.ID, ra)
		}
	}
	if got := testutil.ToFloat64(s.metrics.Requests.WithLabelValues(producer.OutcomeAccepted)); got != float64(len(all)) {
		t.Fatalf("accepted counter = %v, want %d", got, len(all))
	}
}

func TestRefusals(t *testing.T) {
	s := startStack(t, 5*time.Second)
	body := stripefixture.MustEvent("charge.succeeded", stripefixture.Options{Seq: 10})
	stale := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: body, Secret: secret, Timestamp: time.Now().Add(-10 * time.Minute)}).Header
	notEvent := []byte(`{"id":"ch_1","object":"charge"}`)
	big := bytes.Repeat([]byte("x"), 65<<10)

	for _, tc := range []struct {
		name   string
		body   []byte
		sig    string
		status int
		errStr string
	}{
		{"no signature", body, "", 400, `"missing_header"`},
		{"wrong secret", body, webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: body, Secret: "whsec_nope"}).Header, 400, `"signature_mismatch"`},
		{"stale", body, stale, 400, `"timestamp_too_old"`},
		{"malformed json", []byte(`{"id":`), signed([]byte(`{"id":`)), 400, `"malformed_json"`},
		{"not an event", notEvent, signed(notEvent), 400, `"not_a_stripe_event"`},
		{"too large", big, signed(big), 413, `"body_too_large"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, resp := post(t, s.url, tc.body, tc.sig)
			if code != tc.status || !strings.Contains(resp, tc.errStr) {
				t.Fatalf("got %d %s, want %d with %s", code, resp, tc.status, tc.errStr)
			}
			if strings.Contains(resp, secret) || strings.Contains(resp, "evt_") {
				t.Fatalf("error body leaks secret or payload: %s", resp)
			}
		})
	}
	resp, err := http.Get(s.url + producer.WebhookPath)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != http.MethodPost {
		t.Fatalf("GET: %d Allow=%q", resp.StatusCode, resp.Header.Get("Allow"))
	}
	if n := countRecords(t, s.broker.Addr(), kafka.RawEvents); n != 0 {
		t.Fatalf("refused requests produced %d records", n)
	}
	if got := testutil.ToFloat64(s.metrics.VerificationFailures.WithLabelValues(producer.ReasonTimestampOld)); got != 1 {
		t.Fatalf("verification failure metric for stale = %v", got)
	}
}

func TestBrokerDownAnswers503AndRestartKeepsRecords(t *testing.T) {
	s := startStack(t, 1500*time.Millisecond)
	accepted := map[string][]byte{}
	for i := range 20 {
		body := stripefixture.MustEvent("charge.succeeded", stripefixture.Options{Seq: int64(100 + i)})
		if code, resp := post(t, s.url, body, signed(body)); code != 200 {
			t.Fatalf("status %d %s", code, resp)
		}
		env, _ := producer.ParseEnvelope(body)
		accepted[env.ID] = body
	}
	if code := getStatus(t, s.url+"/readyz"); code != 200 {
		t.Fatalf("readyz with broker up = %d", code)
	}

	// Broker down: every webhook is answered 503, none counted as accepted.
	s.broker.Close()
	s.broker = nil
	before := testutil.ToFloat64(s.metrics.Requests.WithLabelValues(producer.OutcomeAccepted))
	for i := range 3 {
		body := stripefixture.MustEvent("charge.succeeded", stripefixture.Options{Seq: int64(500 + i)})
		code, resp := post(t, s.url, body, signed(body))
		if code != http.StatusServiceUnavailable || !strings.Contains(resp, "unavailable") {
			t.Fatalf("broker down: got %d %s, want 503", code, resp)
		}
	}
	if after := testutil.ToFloat64(s.metrics.Requests.WithLabelValues(producer.OutcomeAccepted)); after != before {
		t.Fatalf("accepted counter moved while the broker was down: %v -> %v", before, after)
	}
	if code := waitStatus(t, s.url+"/readyz", 503); code != 503 {
		t.Fatalf("readyz with broker down = %d", code)
	}

	// Same data dir and port: every accepted event is still there, byte for byte,
	// and the producer recovers without a restart of its own.
	s.broker = startBroker(t, s.dir, s.port)
	body := stripefixture.MustEvent("charge.succeeded", stripefixture.Options{Seq: 900})
	deadline := time.Now().Add(20 * time.Second)
	for {
		code, _ := post(t, s.url, body, signed(body))
		if code == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("producer did not recover after the broker came back: %d", code)
		}
	}
	env, _ := producer.ParseEnvelope(body)
	accepted[env.ID] = body

	recs := consumeAll(t, s.broker.Addr(), kafka.RawEvents, len(accepted))
	got := map[string][]byte{}
	for _, r := range recs {
		id, _ := header(r, producer.HeaderEventID)
		got[id] = r.Value
	}
	for id, b := range accepted {
		if !bytes.Equal(got[id], b) {
			t.Fatalf("accepted event %s lost or altered across the broker restart", id)
		}
	}
}

func TestGracefulShutdownFinishesInFlight(t *testing.T) {
	s := startStack(t, 5*time.Second)
	// Hold the broker's produce answers so requests are in flight when the
	// server is told to stop.
	var once sync.Once
	release := make(chan struct{})
	s.broker.Cluster().ControlKey(int16(kmsg.Produce), func(kmsg.Request) (kmsg.Response, error, bool) {
		s.broker.Cluster().KeepControl()
		<-release
		return nil, nil, false
	})
	const n = 8
	codes := make(chan int, n)
	for i := range n {
		body := stripefixture.MustEvent("charge.succeeded", stripefixture.Options{Seq: int64(1000 + i)})
		go func() { // no t.Fatal off the test goroutine: report the code, or 0 on error
			req, _ := http.NewRequest(http.MethodPost, s.url+producer.WebhookPath, bytes.NewReader(body))
			req.Header.Set("Stripe-Signature", signed(body))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				codes <- 0
				return
			}
			resp.Body.Close()
			codes <- resp.StatusCode
		}()
	}
	waitGauge(t, s.metrics, n)
	s.cancel() // like Ctrl-C: stop accepting, finish what is in flight
	time.AfterFunc(300*time.Millisecond, func() { once.Do(func() { close(release) }) })
	for range n {
		if c := <-codes; c != 200 {
			t.Fatalf("in-flight webhook answered %d during shutdown, want 200", c)
		}
	}
	if err := <-s.done; err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	s.cancel = nil
	if recs := consumeAll(t, s.broker.Addr(), kafka.RawEvents, n); len(recs) != n {
		t.Fatalf("after shutdown %d records, want %d", len(recs), n)
	}
	// New connections are refused once shut down.
	if _, err := http.Get(s.url + "/healthz"); err == nil {
		t.Fatalf("server still answering after shutdown")
	}
	s.client.Close()
	s.broker.Close()
}

func waitGauge(t *testing.T, m *producer.Metrics, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for testutil.ToFloat64(m.InFlight) < float64(n) {
		if time.Now().After(deadline) {
			t.Fatalf("only %v requests in flight, want %d", testutil.ToFloat64(m.InFlight), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func getStatus(t *testing.T, url string) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// waitStatus polls until url answers want (readiness is cached for a second).
func waitStatus(t *testing.T, url string, want int) int {
	t.Helper()
	var code int
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if code = getStatus(t, url); code == want {
			break
		}
	}
	return code
}
