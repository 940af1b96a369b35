package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sr"

	icommand "github.com/stripe-infor/stripe-infor/internal/command"
	"github.com/stripe-infor/stripe-infor/internal/embedded/registry"
	"github.com/stripe-infor/stripe-infor/internal/kafka"
	"github.com/stripe-infor/stripe-infor/internal/stripefixture"
	"github.com/stripe-infor/stripe-infor/internal/tlsconfig/tlstest"
	"github.com/stripe-infor/stripe-infor/processors"
	"github.com/stripe-infor/stripe-infor/processors/mapping"
	"github.com/stripe-infor/stripe-infor/processors/transform"
	"github.com/stripe-infor/stripe-infor/producer"
	"github.com/stripe-infor/stripe-infor/schemas"
)

func TestProcessorNamesMissingAndBadSettings(t *testing.T) {
	badMapping := filepath.Join(t.TempDir(), "mapping.yaml")
	if err := os.WriteFile(badMapping, []byte("version: 1\nnot_a_section: [\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		env  []string
		want string
	}{
		{baseEnv(), "KAFKA_BROKERS"},
		{baseEnv("KAFKA_BROKERS=127.0.0.1:1"), "SCHEMA_REGISTRY_URL"},
		{baseEnv("KAFKA_BROKERS=127.0.0.1:1", "SCHEMA_REGISTRY_URL_FILE=/nonexistent/url"), "SCHEMA_REGISTRY_URL_FILE"},
		{baseEnv("KAFKA_BROKERS=127.0.0.1:1", "SCHEMA_REGISTRY_URL=http://127.0.0.1:1", "MAPPING_FILE=/nonexistent/mapping.yaml"), "MAPPING_FILE"},
		{baseEnv("KAFKA_BROKERS=127.0.0.1:1", "SCHEMA_REGISTRY_URL=http://127.0.0.1:1", "MAPPING_FILE="+badMapping), badMapping},
		{baseEnv("KAFKA_BROKERS=127.0.0.1:1", "SCHEMA_REGISTRY_URL=http://127.0.0.1:1", "PROCESSOR_MAX_RECORDS_PER_TXN=0"), "PROCESSOR_MAX_RECORDS_PER_TXN"},
	} {
		cmd := execProcessor(tc.env, "--addr", "127.0.0.1:0")
		out, err := cmd.CombinedOutput()
		if err == nil {
			t.Fatalf("processor started with env %v", tc.env)
		}
		if !strings.Contains(string(out), tc.want) {
			t.Fatalf("error does not name %s:\n%s", tc.want, out)
		}
	}
}

// crashEnv is a broker and a registry in the test process, which outlive
// the processor children the test kills.
type crashEnv struct {
	addr, registryURL string
	serde             *schemas.Serde
}

func newCrashEnv(t *testing.T) *crashEnv {
	t.Helper()
	c, err := kfake.NewCluster(kfake.Ports(0), kfake.BrokerConfigs(map[string]string{
		"default.replication.factor": "1",
		// A killed member is noticed after the processor's session
		// timeout; the broker's 6 s minimum would make each restart
		// wait that long.
		"group.min.session.timeout.ms": "500",
	}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	addr := c.ListenAddrs()[0]
	parts, err := kafka.ParsePartitions(kafka.RawEvents + "=4,default=3")
	if err != nil {
		t.Fatal(err)
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := kafka.EnsureTopics(ctx, kadm.NewClient(cl), kafka.DesignTopics(), parts, nil); err != nil {
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
	serde, err := schemas.Register(ctx, rc)
	if err != nil {
		t.Fatal(err)
	}
	return &crashEnv{addr: addr, registryURL: reg.URL(), serde: serde}
}

// TestProcessorKilledMidTransactionLeavesEveryCommandExactlyOnce is the
// issue's crash test: the processor process is SIGKILLed at random moments
// while events stream in, restarted each time, and afterwards every raw
// event's enriched event and commands are on the topics exactly once.
func TestProcessorKilledMidTransactionLeavesEveryCommandExactlyOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test skipped in -short mode")
	}
	e := newCrashEnv(t)
	port := freePort(t)
	env := baseEnv("KAFKA_BROKERS="+e.addr, "SCHEMA_REGISTRY_URL="+e.registryURL,
		"PROCESSOR_TRANSACTIONAL_ID=crash-test", "PROCESSOR_SESSION_TIMEOUT=1500ms", "PROCESSOR_REBALANCE_TIMEOUT=3s",
		"PROCESSOR_MAX_RECORDS_PER_TXN=40", "LOG_LEVEL=info")
	readyz := fmt.Sprintf("http://127.0.0.1:%d/readyz", port)
	args := []string{"processor", "--addr", fmt.Sprintf("127.0.0.1:%d", port)}

	// What each event must become, by the same transform the child runs.
	tr := transform.New(mapping.Default())
	types := []string{"charge.succeeded", "customer.created", "refund.created", "invoice.paid", "payout.paid", "charge.failed", "customer.updated", "charge.refunded"}
	const n = 3000
	at := time.Date(2026, 11, 25, 14, 0, 0, 0, time.UTC)
	var raw []*kgo.Record
	wantOut := map[string]int{} // "topic id event" of every output
	wantDLQ := map[string]bool{}
	for i := range n {
		body := stripefixture.MustEvent(types[i%len(types)], stripefixture.Options{Seq: int64(10_000 + i), Livemode: i%10 != 0})
		envl, err := producer.ParseEnvelope(body)
		if err != nil {
			t.Fatal(err)
		}
		raw = append(raw, producer.NewRecord(kafka.RawEvents, &envl, body, at))
		res, err := tr.Transform(body, at)
		if err != nil {
			wantDLQ[envl.ID] = true
			continue
		}
		for _, o := range res.Outputs {
			wantOut[outputKey(o.Topic, o.Value)]++
		}
	}
	wantEnriched := n - len(wantDLQ)

	pcl, err := kgo.NewClient(kgo.SeedBrokers(e.addr))
	if err != nil {
		t.Fatal(err)
	}
	defer pcl.Close()
	adm := kadm.NewClient(pcl)

	// Events arrive in chunks between the kills; each kill waits for the
	// child to be inside a transaction (the broker says Ongoing), after a
	// random delay, and the broker's state after the kill tells whether
	// the transaction was really left open.
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	p := start(t, env, args...)
	const kills = 6
	chunk := (len(raw) + kills - 1) / kills
	midTxn := 0
	for k := range kills {
		waitHTTP(t, p, readyz, 200)
		if err := pcl.ProduceSync(context.Background(), raw[k*chunk:min((k+1)*chunk, len(raw))]...).FirstErr(); err != nil {
			t.Fatalf("produce raw: %v", err)
		}
		time.Sleep(time.Duration(rng.IntN(100)) * time.Millisecond)
		waitTxnState(adm, "crash-test", "Ongoing", 5*time.Second)
		_ = p.stop(t, syscall.SIGKILL)
		if txnState(adm, "crash-test") == "Ongoing" {
			midTxn++
		}
		p = start(t, env, args...)
	}
	if midTxn < kills/2 {
		t.Fatalf("only %d of %d kills left a transaction open; the test did not test a crash mid-transaction", midTxn, kills)
	}
	t.Logf("%d of %d kills hit an open transaction", midTxn, kills)
	waitHTTP(t, p, readyz, 200)
	waitTopicCount(t, e.addr, kafka.EnrichedEvents, wantEnriched, p)
	if err := stopOrDump(t, p, syscall.SIGTERM); err != nil {
		t.Fatalf("processor did not exit cleanly on SIGTERM: %v\n%s", err, p.errOut())
	}

	topics := append(append([]string(nil), schemas.Topics...), processors.RawDLQ)
	got := map[string]int{}
	dlq := map[string]int{}
	for _, rec := range readCommitted(t, e.addr, topics) {
		if rec.Topic == processors.RawDLQ {
			id := headerValue(rec, processors.HeaderEventID)
			dlq[id]++
			continue
		}
		v, err := e.serde.Decode(context.Background(), rec.Value)
		if err != nil {
			t.Fatalf("%s: %v", rec.Topic, err)
		}
		got[outputKey(rec.Topic, v)]++
	}
	for k, c := range got {
		if wantOut[k] == 0 {
			t.Fatalf("unexpected output %s", k)
		}
		if c != wantOut[k] {
			t.Fatalf("output %s written %d times, want %d", k, c, wantOut[k])
		}
	}
	for k := range wantOut {
		if got[k] == 0 {
			t.Fatalf("output %s missing after the crashes", k)
		}
	}
	for id := range wantDLQ {
		if dlq[id] != 1 {
			t.Fatalf("DLQ record of %s written %d times", id, dlq[id])
		}
	}
	if len(dlq) != len(wantDLQ) {
		t.Fatalf("%d DLQ records, want %d", len(dlq), len(wantDLQ))
	}
	t.Logf("%d events, %d outputs exactly once after %d SIGKILLs", n, len(got), kills)
}

// txnState is the broker's state of a transactional id ("Ongoing",
// "Empty", "CompleteCommit", …), "" when unknown.
func txnState(adm *kadm.Client, id string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ts, err := adm.DescribeTransactions(ctx, id)
	if err != nil {
		return ""
	}
	state := ""
	ts.Each(func(d kadm.DescribedTransaction) { state = d.State })
	return state
}

// waitTxnState polls until the transactional id is in state, at most d.
func waitTxnState(adm *kadm.Client, id, state string, d time.Duration) {
	for deadline := time.Now().Add(d); time.Now().Before(deadline); {
		if txnState(adm, id) == state {
			return
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// outputKey names an output by topic, its id and its Stripe event id, so
// that a command made again by a second event (same command id) is told
// apart from a duplicate.
func outputKey(topic string, v any) string {
	switch x := v.(type) {
	case icommand.Command:
		return topic + " " + x.ID() + " " + x.Metadata().StripeEventID
	case schemas.EnrichedEvent:
		return topic + " enriched " + x.EventID
	case schemas.CustomerNotification:
		return topic + " " + x.NotificationID + " " + x.Meta.StripeEventID
	}
	return topic + fmt.Sprintf(" %T", v)
}

func headerValue(r *kgo.Record, key string) string {
	for _, h := range r.Headers {
		if h.Key == key {
			return string(h.Value)
		}
	}
	return ""
}

// waitTopicCount waits until topic holds n committed records, or the
// child exits.
func waitTopicCount(t *testing.T, addr, topic string, n int, p *proc) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	got := 0
	for got < n {
		f := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("%s: %d of %d records\n%s\nstderr:\n%s", topic, got, n, offsetReport(addr, topic), p.errOut())
		}
		got += f.NumRecords()
	}
}

// offsetReport says where the raw topic's group offsets are and whether a
// transaction is open on topic (last stable offset behind the high
// watermark), to tell a stuck transaction from a lost batch.
func offsetReport(addr, topic string) string {
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr))
	if err != nil {
		return err.Error()
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var b strings.Builder
	if offs, err := adm.FetchOffsets(ctx, processors.DefaultGroup); err == nil {
		ends, _ := adm.ListEndOffsets(ctx, kafka.RawEvents)
		offs.Each(func(o kadm.OffsetResponse) {
			end, _ := ends.Lookup(o.Topic, o.Partition)
			fmt.Fprintf(&b, "group offset %s[%d] = %d (end %d)\n", o.Topic, o.Partition, o.At, end.Offset)
		})
	}
	if gs, err := adm.DescribeGroups(ctx, processors.DefaultGroup); err == nil {
		g := gs[processors.DefaultGroup]
		fmt.Fprintf(&b, "group state %s\n", g.State)
		for _, m := range g.Members {
			a, _ := m.Assigned.AsConsumer()
			fmt.Fprintf(&b, "member %s (%s) assigned %v\n", m.MemberID, m.ClientHost, a)
		}
	}
	if ts, err := adm.DescribeTransactions(ctx, "crash-test"); err == nil {
		ts.Each(func(d kadm.DescribedTransaction) {
			fmt.Fprintf(&b, "transaction %s: %s producer %d epoch %d, partitions %v\n", d.TxnID, d.State, d.ProducerID, d.ProducerEpoch, d.Topics)
		})
	}
	hwm, _ := adm.ListEndOffsets(ctx, topic)
	lso, _ := adm.ListCommittedOffsets(ctx, topic)
	hwm.Each(func(o kadm.ListedOffset) {
		l, _ := lso.Lookup(o.Topic, o.Partition)
		fmt.Fprintf(&b, "%s[%d] high watermark %d, last stable %d\n", o.Topic, o.Partition, o.Offset, l.Offset)
	})
	return b.String()
}

// readCommitted returns every committed record of topics: it appends a
// sentinel to each partition and reads read_committed until it met them
// all, which also proves no transaction was left open by a killed child.
func readCommitted(t *testing.T, addr string, topics []string) []*kgo.Record {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	pcl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	defer pcl.Close()
	md, err := kadm.NewClient(pcl).Metadata(ctx, topics...)
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, topic := range topics {
		for p := range md.Topics[topic].Partitions {
			rec := &kgo.Record{Topic: topic, Partition: p, Headers: []kgo.RecordHeader{{Key: "test-sentinel", Value: []byte("1")}}}
			if err := pcl.ProduceSync(ctx, rec).FirstErr(); err != nil {
				t.Fatal(err)
			}
			want++
		}
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.ConsumeTopics(topics...),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	var out []*kgo.Record
	for seen := 0; seen < want; {
		f := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("met %d of %d partition ends: a transaction left open?", seen, want)
		}
		f.EachRecord(func(r *kgo.Record) {
			if headerValue(r, "test-sentinel") != "" {
				seen++
				return
			}
			out = append(out, r)
		})
	}
	return out
}

// execProcessor is `stripe-infor processor args…` with exactly env.
func execProcessor(env []string, args ...string) *exec.Cmd {
	cmd := exec.Command(binPath, append([]string{"processor"}, args...)...)
	cmd.Env = env
	return cmd
}

// stopOrDump sends sig and waits for the exit; a child that hangs is sent
// SIGQUIT, so the failure shows its goroutines.
func stopOrDump(t *testing.T, p *proc, sig os.Signal) error {
	t.Helper()
	_ = p.cmd.Process.Signal(sig)
	select {
	case err := <-p.done:
		return err
	case <-time.After(30 * time.Second):
		_ = p.cmd.Process.Signal(syscall.SIGQUIT)
		<-p.done
		t.Fatalf("processor did not exit within 30s of %v; goroutines:\n%s", sig, p.errOut())
		return nil
	}
}

// secureCluster is kfake with SCRAM-SHA-512 over TLS, as a managed cluster
// (MSK, Strimzi) runs it: a CA the test made, the processor's user with its
// password in a file (a mounted Secret), and a superuser for the test.
type secureCluster struct {
	addr, caFile, passwordFile string
	admin                      *kafka.Security // the test's own clients
}

func newSecureCluster(t *testing.T) *secureCluster {
	t.Helper()
	ca := tlstest.NewCA(t, "test-cluster-ca")
	c, err := kfake.NewCluster(kfake.Ports(0),
		kfake.BrokerConfigs(map[string]string{"default.replication.factor": "1"}),
		kfake.EnableSASL(),
		kfake.Superuser(kafka.SASLScramSHA512, "test-admin", "admin-password"),
		kfake.Superuser(kafka.SASLScramSHA512, "stripe-infor", "processor-password"),
		kfake.TLS(&tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{ca.ServerTLS(t)}}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	dir := t.TempDir()
	sc := &secureCluster{
		addr:         c.ListenAddrs()[0],
		caFile:       tlstest.WriteFile(t, dir, "ca.crt", ca.PEM),
		passwordFile: tlstest.WriteFile(t, dir, "sasl-password", []byte("processor-password\n")),
	}
	sc.admin = &kafka.Security{Mechanism: kafka.SASLScramSHA512, Username: "test-admin", Password: "admin-password", CAFile: sc.caFile}
	return sc
}

// env is the processor's Kafka settings, as the Helm chart sets them.
func (sc *secureCluster) env(extra ...string) []string {
	return baseEnv(append([]string{
		"KAFKA_BROKERS=" + sc.addr,
		"KAFKA_SASL_MECHANISM=SCRAM-SHA-512",
		"KAFKA_SASL_USERNAME=stripe-infor",
		"KAFKA_SASL_PASSWORD_FILE=" + sc.passwordFile,
		"KAFKA_TLS_ENABLED=true",
		"KAFKA_TLS_CA_FILE=" + sc.caFile,
	}, extra...)...)
}

// TestProcessorOverSCRAMAndTLS runs `stripe-infor processor` against a
// cluster that requires SCRAM-SHA-512 over TLS: it creates the topics
// (--create-topics, the admin client), consumes the raw events and commits
// its outputs transactionally (the group consumer and transactional
// producer); all of it through the KAFKA_SASL_* and KAFKA_TLS_* settings.
func TestProcessorOverSCRAMAndTLS(t *testing.T) {
	sc := newSecureCluster(t)
	reg, err := registry.Start(registry.Config{Addr: "127.0.0.1:0", Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = reg.Close(context.Background()) })
	port := freePort(t)
	p := start(t, sc.env("SCHEMA_REGISTRY_URL="+reg.URL(), "PROCESSOR_TRANSACTIONAL_ID=secure-test"),
		"processor", "--create-topics", "--partitions", "default=2", "--addr", fmt.Sprintf("127.0.0.1:%d", port))
	waitHTTP(t, p, fmt.Sprintf("http://127.0.0.1:%d/readyz", port), 200)

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	prod, err := kafka.NewProducer(kafka.ProducerConfig{Config: kafka.Config{Brokers: []string{sc.addr}, Security: sc.admin}})
	if err != nil {
		t.Fatal(err)
	}
	defer prod.Close()
	tr := transform.New(mapping.Default())
	at := time.Date(2026, 11, 25, 14, 0, 0, 0, time.UTC)
	want := map[string]bool{} // outputKey of every output
	for i, typ := range []string{"charge.succeeded", "customer.created", "refund.created", "payout.paid"} {
		body := stripefixture.MustEvent(typ, stripefixture.Options{Seq: int64(500 + i), Livemode: true})
		envl, err := producer.ParseEnvelope(body)
		if err != nil {
			t.Fatal(err)
		}
		res, err := tr.Transform(body, at)
		if err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		for _, o := range res.Outputs {
			want[outputKey(o.Topic, o.Value)] = true
		}
		if err := prod.ProduceSync(ctx, producer.NewRecord(kafka.RawEvents, &envl, body, at)).FirstErr(); err != nil {
			t.Fatalf("produce raw: %v", err)
		}
	}

	rc, err := sr.NewClient(sr.URLs(reg.URL()))
	if err != nil {
		t.Fatal(err)
	}
	serde, err := schemas.Register(ctx, rc)
	if err != nil {
		t.Fatal(err)
	}
	cons, err := kafka.NewAdminClient(kafka.Config{Brokers: []string{sc.addr}, Security: sc.admin},
		kgo.ConsumeTopics(schemas.Topics...), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	if err != nil {
		t.Fatal(err)
	}
	defer cons.Close()
	got := map[string]bool{}
	for len(got) < len(want) {
		fs := cons.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("%d of %d outputs read over SCRAM/TLS\nprocessor stderr:\n%s", len(got), len(want), p.errOut())
		}
		fs.EachRecord(func(r *kgo.Record) {
			v, err := serde.Decode(ctx, r.Value)
			if err != nil {
				t.Fatalf("%s: %v", r.Topic, err)
			}
			k := outputKey(r.Topic, v)
			if !want[k] {
				t.Fatalf("unexpected output %s", k)
			}
			got[k] = true
		})
	}
	if err := stopOrDump(t, p, syscall.SIGTERM); err != nil {
		t.Fatalf("processor did not exit cleanly: %v\n%s", err, p.errOut())
	}
	logs := p.errOut()
	if !strings.Contains(logs, `"kafka_sasl":"SCRAM-SHA-512"`) || !strings.Contains(logs, `"kafka_tls":true`) {
		t.Errorf("the start-up log does not say how it connects:\n%s", logs)
	}
	if strings.Contains(logs, "processor-password") {
		t.Errorf("the password reached the logs:\n%s", logs)
	}
}

// TestProcessorRefusedPasswordStopsTheStart: a wrong password is an error
// at start that names the settings, not a stage retrying forever, and the
// password is nowhere in the output.
func TestProcessorRefusedPasswordStopsTheStart(t *testing.T) {
	sc := newSecureCluster(t)
	if err := os.WriteFile(sc.passwordFile, []byte("Not-The-Password-42\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := execProcessor(sc.env("SCHEMA_REGISTRY_URL=http://127.0.0.1:1"), "--addr", "127.0.0.1:0")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("processor started with a wrong password:\n%s", out)
	}
	for _, want := range []string{"SASL authentication failed", "SCRAM-SHA-512", "KAFKA_SASL_PASSWORD"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output does not say %q:\n%s", want, out)
		}
	}
	if strings.Contains(string(out), "Not-The-Password-42") {
		t.Errorf("the password is in the output:\n%s", out)
	}
}

// TestProcessorNamesBadKafkaSecurity: a wrong KAFKA_* security setting
// stops the start, naming it.
func TestProcessorNamesBadKafkaSecurity(t *testing.T) {
	base := []string{"KAFKA_BROKERS=127.0.0.1:1", "SCHEMA_REGISTRY_URL=http://127.0.0.1:1"}
	for _, tc := range []struct {
		env  []string
		want string
	}{
		{[]string{"KAFKA_SASL_MECHANISM=GSSAPI", "KAFKA_SASL_USERNAME=u", "KAFKA_SASL_PASSWORD=p"}, "KAFKA_SASL_MECHANISM"},
		{[]string{"KAFKA_SASL_MECHANISM=SCRAM-SHA-256", "KAFKA_SASL_USERNAME=u"}, "KAFKA_SASL_PASSWORD"},
		{[]string{"KAFKA_SASL_MECHANISM=PLAIN", "KAFKA_SASL_USERNAME=u", "KAFKA_SASL_PASSWORD_FILE=/nonexistent/pw"}, "KAFKA_SASL_PASSWORD_FILE"},
		{[]string{"KAFKA_TLS_CA_FILE=/nonexistent/ca.crt"}, "KAFKA_TLS_CA_FILE"},
		{[]string{"KAFKA_TLS_ENABLED=true", "KAFKA_TLS_INSECURE_SKIP_VERIFY=yes"}, "KAFKA_TLS_INSECURE_SKIP_VERIFY"},
	} {
		out, err := execProcessor(baseEnv(append(base, tc.env...)...), "--addr", "127.0.0.1:0").CombinedOutput()
		if err == nil {
			t.Fatalf("processor started with %v", tc.env)
		}
		if !strings.Contains(string(out), tc.want) {
			t.Errorf("with %v the error does not name %s:\n%s", tc.env, tc.want, out)
		}
	}
}
