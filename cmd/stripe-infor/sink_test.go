package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/stripe-infor/stripe-infor/infor/emulator"
	"github.com/stripe-infor/stripe-infor/infor/m3"
	icommand "github.com/stripe-infor/stripe-infor/internal/command"
	"github.com/stripe-infor/stripe-infor/internal/embedded/redis"
	"github.com/stripe-infor/stripe-infor/internal/embedded/registry"
	"github.com/stripe-infor/stripe-infor/internal/kafka"
	"github.com/stripe-infor/stripe-infor/internal/retry"
	"github.com/stripe-infor/stripe-infor/internal/stripefixture"
	"github.com/stripe-infor/stripe-infor/processors/mapping"
	"github.com/stripe-infor/stripe-infor/processors/transform"
	"github.com/stripe-infor/stripe-infor/schemas"
	"github.com/stripe-infor/stripe-infor/sinks/inforsink"
)

// Secrets the settings test puts in the environment; no output may show them.
const (
	testRedisPassword = "hunter2redis"
	testStripeKey     = "sk_test_SINKSECRETkey51"
	testAlertPath     = "T0SECRETALERTPATH"
)

func TestSinkNamesMissingAndBadSettings(t *testing.T) {
	ionapi := writeTestIONAPI(t, "http://127.0.0.1:1")
	redisURL := "REDIS_URL=redis://:" + testRedisPassword + "@127.0.0.1:1/0"
	required := []string{"KAFKA_BROKERS=127.0.0.1:1", "SCHEMA_REGISTRY_URL=http://127.0.0.1:1", redisURL, "INFOR_IONAPI_FILE=" + ionapi}
	full := append(append([]string(nil), required...), "STRIPE_API_KEY="+testStripeKey,
		"ALERT_WEBHOOK_URL=https://hooks.example.com/services/"+testAlertPath)
	with := func(base []string, extra ...string) []string {
		return baseEnv(append(append([]string(nil), base...), extra...)...)
	}
	for _, tc := range []struct {
		env   []string
		args  []string
		want  string
		usage bool // a flag's value the flag package refuses: exit 2, as for any bad flag
	}{
		{env: baseEnv(), want: "KAFKA_BROKERS"},
		{env: with(required[:1]), want: "SCHEMA_REGISTRY_URL"},
		{env: with(required[:2]), want: "REDIS_URL"},
		{env: with(required[:3]), want: "INFOR_IONAPI_FILE"},
		{env: with(required), want: "STRIPE_API_KEY"},
		{env: with(required, "STRIPE_API_KEY_FILE=/nonexistent/key"), want: "STRIPE_API_KEY_FILE"},
		{env: with(full, "INFOR_IONAPI_FILE=/nonexistent/tenant.ionapi"), want: "INFOR_IONAPI_FILE"},
		{env: with(full, "INFOR_SANDBOX_IONAPI_FILE=/nonexistent/sandbox.ionapi"), want: "INFOR_SANDBOX_IONAPI_FILE"},
		{env: with(full, "SINK_DEDUPE_TTL=100h"), want: "SINK_DEDUPE_TTL"},
		{env: with(full), args: []string{"--dedupe-ttl", "24h"}, want: "SINK_DEDUPE_TTL"},
		{env: with(full, "SINK_DEDUPE_LEASE=0s"), want: "SINK_DEDUPE_LEASE"},
		{env: with(full, "SINK_RETRY_TIERS=10s,soon"), want: "SINK_RETRY_TIERS"},
		{env: with(full), args: []string{"--retry-tiers", "1s,0s"}, want: "SINK_RETRY_TIERS", usage: true},
		{env: with(full, "SINK_CONCURRENCY=0"), want: "SINK_CONCURRENCY"},
		{env: with(full, "SINK_CONCURRENCY=lots"), want: "SINK_CONCURRENCY"},
		{env: with(full, "SINK_IN_PLACE_ATTEMPTS=0"), want: "SINK_IN_PLACE_ATTEMPTS"},
		{env: with(full, "SINK_DEPENDENCY_DEADLINE=0"), want: "SINK_DEPENDENCY_DEADLINE"},
		{env: with(full, "ALERT_WEBHOOK_URL_FILE=/nonexistent/url", "ALERT_WEBHOOK_URL="), want: "ALERT_WEBHOOK_URL_FILE"},
	} {
		cmd := exec.Command(binPath, append([]string{"sink", "--addr", "127.0.0.1:0"}, tc.args...)...)
		cmd.Env = tc.env
		out, err := cmd.CombinedOutput()
		if err == nil {
			t.Fatalf("sink started with env %v", tc.env)
		}
		wantCode := 1 // a bad setting is a fatal error
		if tc.usage {
			wantCode = 2
		}
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != wantCode {
			t.Fatalf("env %v args %v: exit %v, want %d\n%s", tc.env, tc.args, err, wantCode, out)
		}
		if !strings.Contains(string(out), tc.want) {
			t.Fatalf("error does not name %s:\n%s", tc.want, out)
		}
		assertNoSinkSecrets(t, string(out))
	}

	// The help documents every setting and shows none of the secrets set.
	cmd := exec.Command(binPath, "sink", "-h")
	cmd.Env = with(full)
	out, _ := cmd.CombinedOutput()
	for _, name := range []string{"KAFKA_BROKERS", "SCHEMA_REGISTRY_URL", "REDIS_URL", "INFOR_IONAPI_FILE",
		"INFOR_SANDBOX_IONAPI_FILE", "STRIPE_API_KEY", "STRIPE_TEST_API_KEY", "STRIPE_API_BASE", "ALERT_WEBHOOK_URL",
		"SINK_ADDR", "SINK_GROUP", "SINK_CONCURRENCY", "SINK_IN_PLACE_ATTEMPTS", "SINK_RETRY_TIERS",
		"SINK_DEPENDENCY_DEADLINE", "SINK_DEDUPE_LEASE", "SINK_DEDUPE_TTL", "LOG_LEVEL", "create-topics"} {
		if !strings.Contains(string(out), name) {
			t.Fatalf("sink -h does not document %s:\n%s", name, out)
		}
	}
	assertNoSinkSecrets(t, string(out))
}

func assertNoSinkSecrets(t *testing.T, out string) {
	t.Helper()
	for _, s := range []string{testRedisPassword, testStripeKey, testAlertPath} {
		if strings.Contains(out, s) {
			t.Fatalf("a secret reached the output:\n%s", out)
		}
	}
}

// writeTestIONAPI writes the .ionapi file of a memory-only emulator that
// says it lives at baseURL.
func writeTestIONAPI(t *testing.T, baseURL string) string {
	t.Helper()
	emu, err := emulator.New(emulator.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	path := filepath.Join(t.TempDir(), "DEV.ionapi")
	if err := emu.WriteIONAPI(path, baseURL); err != nil {
		t.Fatal(err)
	}
	return path
}

// testEmulator is a memory-only emulator served over HTTP, with its .ionapi.
type testEmulator struct {
	emu    *emulator.Emulator
	url    string
	ionapi string
}

func startTestEmulator(t *testing.T, tenant string) *testEmulator {
	t.Helper()
	emu, err := emulator.New(emulator.Config{Tenant: tenant})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emu.Handler())
	t.Cleanup(srv.Close)
	t.Cleanup(func() { _ = emu.Close() }) // runs first: ends hung requests
	path := filepath.Join(t.TempDir(), tenant+".ionapi")
	if err := emu.WriteIONAPI(path, srv.URL); err != nil {
		t.Fatal(err)
	}
	return &testEmulator{emu: emu, url: srv.URL, ionapi: path}
}

// startTestRedis starts a real redis-server that outlives the sink
// children; without one the test skips, unless CI requires it.
func startTestRedis(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		if os.Getenv("STRIPE_INFOR_REQUIRE_REDIS") == "1" {
			t.Fatal("redis-server not on PATH and STRIPE_INFOR_REQUIRE_REDIS=1")
		}
		t.Skip("redis-server not on PATH (apt-get install redis-server); set STRIPE_INFOR_REQUIRE_REDIS=1 to fail instead")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	rs, err := redis.Start(ctx, redis.Config{Addr: "127.0.0.1:0", Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rs.Close() })
	if rs.Mode() != redis.ModeRedisServer {
		t.Fatalf("embedded redis in mode %s, want redis-server", rs.Mode())
	}
	return rs.URL()
}

// crashCommands is what the crash test produces and expects: the command
// records, and the commands by id (one per id, whatever the duplicates).
type crashCommands struct {
	records   []*kgo.Record
	customers map[string]icommand.UpsertCustomer
	orders    map[string]icommand.CreateSalesOrder
	payments  map[string]icommand.ApplyPayment
	journals  map[string]icommand.PostJournal
}

// makeCrashCommands turns realistic events into command records, as the
// processor would: a charge.succeeded per charge (customer, order,
// payment), for a third of them also a charge.captured (a second event
// making the same commands), for half a dispute's journal; every
// tenth record is written twice. Half the charges are test mode, for the
// sandbox tenant.
func makeCrashCommands(t *testing.T, e *crashEnv, charges int) *crashCommands {
	t.Helper()
	tr := transform.New(mapping.Default())
	at := time.Date(2026, 11, 25, 14, 0, 0, 0, time.UTC)
	cc := &crashCommands{
		customers: map[string]icommand.UpsertCustomer{}, orders: map[string]icommand.CreateSalesOrder{},
		payments: map[string]icommand.ApplyPayment{}, journals: map[string]icommand.PostJournal{},
	}
	add := func(eventType string, seq int64, live bool) {
		body := stripefixture.MustEvent(eventType, stripefixture.Options{Seq: seq, Livemode: live})
		res, err := tr.Transform(body, at)
		if err != nil {
			t.Fatalf("%s: %v", eventType, err)
		}
		for _, o := range res.Outputs {
			switch c := o.Value.(type) {
			case icommand.UpsertCustomer:
				cc.customers[c.CommandID] = c
			case icommand.CreateSalesOrder:
				cc.orders[c.CommandID] = c
			case icommand.ApplyPayment:
				cc.payments[c.CommandID] = c
			case icommand.PostJournal:
				cc.journals[c.CommandID] = c
			default:
				continue // credit memos, notifications, the enriched event
			}
			v, err := e.serde.Encode(o.Topic, o.Value)
			if err != nil {
				t.Fatal(err)
			}
			rec := &kgo.Record{Topic: o.Topic, Key: []byte(o.Key), Value: v}
			cc.records = append(cc.records, rec)
			if len(cc.records)%10 == 0 {
				cc.records = append(cc.records, &kgo.Record{Topic: o.Topic, Key: rec.Key, Value: v})
			}
		}
	}
	for i := range charges {
		seq, live := int64(60_000+i), i%2 == 0
		add("charge.succeeded", seq, live)
		if i%3 == 0 {
			add("charge.captured", seq, live)
		}
		if i%4 < 2 {
			add("charge.dispute.created", seq, live)
		}
	}
	return cc
}

// TestSinkKilledAtRandomAppliesEveryCommandExactlyOnce is the crash
// test: the sink process is SIGKILLed at random moments while commands
// stream in, 20 times, restarted each time; afterwards every customer,
// order, payment and journal is in Infor (the emulator) exactly once, with
// the right amounts, and nothing went to a DLQ.
func TestSinkKilledAtRandomAppliesEveryCommandExactlyOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test skipped in -short mode")
	}
	redisURL := startTestRedis(t)
	e := newCrashEnv(t)
	live, sandbox := startTestEmulator(t, "LIVE"), startTestEmulator(t, "TEST")
	cc := makeCrashCommands(t, e, 600) // about 3,000 command records

	port := freePort(t)
	env := baseEnv("KAFKA_BROKERS="+e.addr, "SCHEMA_REGISTRY_URL="+e.registryURL, "REDIS_URL="+redisURL,
		"INFOR_IONAPI_FILE="+live.ionapi, "INFOR_SANDBOX_IONAPI_FILE="+sandbox.ionapi,
		"STRIPE_API_KEY=sk_test_unused", "STRIPE_API_BASE=http://127.0.0.1:1",
		"SINK_CONCURRENCY=32", "SINK_RETRY_TIERS=100ms,200ms,400ms,800ms", "SINK_DEPENDENCY_DEADLINE=1h",
		// A killed child's leases and group membership must run out soon,
		// or every restart waits for them.
		"SINK_DEDUPE_LEASE=1s", "SINK_SESSION_TIMEOUT=1s", "SINK_REBALANCE_TIMEOUT=2s", "LOG_LEVEL=info")
	readyz := fmt.Sprintf("http://127.0.0.1:%d/readyz", port)
	args := []string{"sink", "--addr", fmt.Sprintf("127.0.0.1:%d", port)}

	pcl, err := kgo.NewClient(kgo.SeedBrokers(e.addr))
	if err != nil {
		t.Fatal(err)
	}
	defer pcl.Close()
	adm := kadm.NewClient(pcl)
	sinkTopics := append(append([]string(nil), kafka.CommandTopics...), retryTopics()...)

	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 11))
	const kills = 20
	chunk := (len(cc.records) + kills - 1) / kills
	underLoad := 0
	t0 := time.Now()
	p := start(t, env, args...)
	for k := range kills {
		if err := pcl.ProduceSync(context.Background(), cc.records[k*chunk:min((k+1)*chunk, len(cc.records))]...).FirstErr(); err != nil {
			t.Fatalf("produce commands: %v", err)
		}
		// Most kills hit a sink at work; some hit it while it starts.
		if rng.IntN(4) > 0 {
			waitHTTP(t, p, readyz, 200)
		}
		time.Sleep(time.Duration(rng.IntN(150)) * time.Millisecond)
		_ = p.stop(t, syscall.SIGKILL)
		if lag := groupLag(t, adm, sinkTopics); lag > 0 {
			underLoad++
		}
		p = start(t, env, args...)
	}
	if underLoad < kills/2 {
		t.Fatalf("only %d of %d kills left work unfinished; the test did not test a crash under load", underLoad, kills)
	}
	t.Logf("%d records, %d of %d kills left work unfinished (%s)", len(cc.records), underLoad, kills, time.Since(t0).Round(time.Millisecond))

	waitHTTP(t, p, readyz, 200)
	deadline := time.Now().Add(60 * time.Second)
	for groupLag(t, adm, sinkTopics) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("sink did not finish: lag %d\nstderr:\n%s", groupLag(t, adm, sinkTopics), tail(p.errOut(), 40))
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("all committed after %s", time.Since(t0).Round(time.Millisecond))
	if err := stopOrDump(t, p, syscall.SIGTERM); err != nil {
		t.Fatalf("sink did not exit cleanly on SIGTERM: %v\n%s", err, tail(p.errOut(), 40))
	}

	if dlq := readCommitted(t, e.addr, dlqTopics()); len(dlq) > 0 {
		r := dlq[0]
		t.Fatalf("%d DLQ records; first on %s: %s %s", len(dlq), r.Topic, headerValue(r, "error.class"), headerValue(r, "error.message"))
	}
	checkExactlyOnce(t, cc, live.emu.State(), true)
	checkExactlyOnce(t, cc, sandbox.emu.State(), false)
}

func retryTopics() []string {
	out := make([]string, len(kafka.CommandTopics))
	for i, tp := range kafka.CommandTopics {
		out[i] = kafka.RetryTopic(tp)
	}
	return out
}

func dlqTopics() []string {
	out := make([]string, len(kafka.CommandTopics))
	for i, tp := range kafka.CommandTopics {
		out[i] = kafka.DLQTopic(tp)
	}
	return out
}

// groupLag is the sink group's uncommitted records over topics. Committed
// offsets are read before the ends, so a retry record written before its
// source was committed is always counted.
func groupLag(t *testing.T, adm *kadm.Client, topics []string) int64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	offs, err := adm.FetchOffsets(ctx, inforsink.DefaultGroup)
	if errors.Is(err, kerr.GroupIDNotFound) {
		offs, err = kadm.OffsetResponses{}, nil // killed before its first commit
	}
	if err != nil {
		t.Fatalf("fetch offsets: %v", err)
	}
	ends, err := adm.ListEndOffsets(ctx, topics...)
	if err != nil {
		t.Fatalf("end offsets: %v", err)
	}
	var lag int64
	ends.Each(func(o kadm.ListedOffset) {
		at := int64(0)
		if c, ok := offs.Lookup(o.Topic, o.Partition); ok && c.At > 0 {
			at = c.At
		}
		lag += o.Offset - at
	})
	return lag
}

// checkExactlyOnce checks one tenant's state against the commands of its
// livemode: each customer, order (with its invoice, paid), payment and
// journal exactly once, with the command's amounts, and nothing else.
func checkExactlyOnce(t *testing.T, cc *crashCommands, st emulator.State, livemode bool) {
	t.Helper()
	tenant := map[bool]string{true: "live", false: "sandbox"}[livemode]
	customers := map[string]int{}
	for _, c := range st.Customers {
		customers[c.YREF]++
	}
	nCustomers := 0
	for _, c := range cc.customers {
		if c.Meta.Livemode != livemode {
			continue
		}
		nCustomers++
		if n := customers[c.StripeCustomerID]; n != 1 {
			t.Fatalf("%s: customer %s in M3 %d times", tenant, c.StripeCustomerID, n)
		}
	}
	if len(st.Customers) != nCustomers {
		t.Fatalf("%s: %d customers in M3, want %d", tenant, len(st.Customers), nCustomers)
	}

	orders := map[string][]*emulator.Order{}
	for _, o := range st.Orders {
		orders[o.CUOR] = append(orders[o.CUOR], o)
	}
	invoices := map[string][]*emulator.Invoice{}
	for _, inv := range st.Invoices {
		if inv.CRIN == "" {
			invoices[inv.ORNO] = append(invoices[inv.ORNO], inv)
		}
	}
	invoiceOf := map[string]string{} // Stripe object id → CINO
	nOrders := 0
	for _, c := range cc.orders {
		if c.Meta.Livemode != livemode {
			continue
		}
		nOrders++
		got := orders[m3.OrderReference(c.StripeObjectID)]
		if len(got) != 1 {
			t.Fatalf("%s: order %s in M3 %d times", tenant, c.StripeObjectID, len(got))
		}
		var total int64
		for _, l := range c.Lines {
			total += l.Quantity * l.UnitPrice.Minor
		}
		want := icommand.Decimal(icommand.Money{Minor: total, Currency: c.Currency})
		if got[0].NTAM != want {
			t.Fatalf("%s: order %s total %s, want %s", tenant, c.StripeObjectID, got[0].NTAM, want)
		}
		invs := invoices[got[0].ORNO]
		if len(invs) != 1 {
			t.Fatalf("%s: order %s has %d invoices", tenant, c.StripeObjectID, len(invs))
		}
		if invs[0].IVAM != want || invs[0].STAT != "paid" {
			t.Fatalf("%s: invoice of %s: amount %s status %s (open %s), want %s paid", tenant, c.StripeObjectID, invs[0].IVAM, invs[0].STAT, invs[0].OPAM, want)
		}
		invoiceOf[c.StripeObjectID] = invs[0].CINO
	}
	if len(st.Orders) != nOrders || len(st.Invoices) != nOrders {
		t.Fatalf("%s: %d orders and %d invoices in M3, want %d each", tenant, len(st.Orders), len(st.Invoices), nOrders)
	}

	statements := map[string][]*emulator.BankStatement{}
	for _, s := range st.BankStatements {
		statements[s.REFE] = append(statements[s.REFE], s)
	}
	nPayments := 0
	for _, c := range cc.payments {
		if c.Meta.Livemode != livemode {
			continue
		}
		nPayments++
		got := statements[m3.PaymentReference(c.StripeChargeID)]
		if len(got) != 1 || len(got[0].Lines) != 1 || len(got[0].Lines[0].Details) != 1 {
			t.Fatalf("%s: payment %s: %d statements (want 1 with 1 line and 1 allocation): %s", tenant, c.StripeChargeID, len(got), jsonOf(got))
		}
		want := icommand.Decimal(c.Amount)
		line := got[0].Lines[0]
		if line.ACAM != want || line.Details[0].ACAM != want || line.Details[0].CINO != invoiceOf[c.OrderRef.StripeObjectID] {
			t.Fatalf("%s: payment %s booked %s allocated %s to %s, want %s to %s", tenant, c.StripeChargeID,
				line.ACAM, line.Details[0].ACAM, line.Details[0].CINO, want, invoiceOf[c.OrderRef.StripeObjectID])
		}
	}
	if len(st.BankStatements) != nPayments {
		t.Fatalf("%s: %d bank statements in M3, want %d", tenant, len(st.BankStatements), nPayments)
	}

	batches := map[string][]*emulator.GLBatch{}
	for _, b := range st.GLBatches {
		batches[b.REFE] = append(batches[b.REFE], b)
	}
	nJournals := 0
	for _, c := range cc.journals {
		if c.Meta.Livemode != livemode {
			continue
		}
		nJournals++
		got := batches[m3.JournalReference(c.CommandID)]
		if len(got) != 1 || got[0].STAT != "posted" || len(got[0].Lines) != len(c.Lines) {
			t.Fatalf("%s: journal %s: %s", tenant, c.CommandID, jsonOf(got))
		}
		for i, l := range c.Lines {
			if want := icommand.Decimal(l.Amount); got[0].Lines[i].ACAM != want || got[0].Lines[i].AIT1 != l.Account {
				t.Fatalf("%s: journal %s line %d: %s %s, want %s %s", tenant, c.CommandID, i+1, got[0].Lines[i].AIT1, got[0].Lines[i].ACAM, l.Account, want)
			}
		}
	}
	// Besides the journals, M3's own vouchers (REFE "AUTO …": invoices,
	// payments) — one per invoice and one per payment here.
	if auto := len(st.GLBatches) - nJournals; auto < 0 || countAuto(st) != auto {
		t.Fatalf("%s: %d GL batches in M3, want %d journals and M3's own vouchers (%d)", tenant, len(st.GLBatches), nJournals, countAuto(st))
	}
	if nCustomers == 0 || nOrders == 0 || nPayments == 0 || nJournals == 0 {
		t.Fatalf("%s: the test made no commands of some kind: %d customers, %d orders, %d payments, %d journals", tenant, nCustomers, nOrders, nPayments, nJournals)
	}
	t.Logf("%s: %d customers, %d orders, %d payments, %d journals, each exactly once", tenant, nCustomers, nOrders, nPayments, nJournals)
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// grepLines is the first n lines of s that contain sub.
func grepLines(s, sub string, n int) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) && len(out) < n {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// tail is the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// TestDevAppliesChargesInInfor is `make run` + `stripe-infor send
// charge.succeeded`: signed webhooks to dev end as customers, orders and
// paid invoices in the emulator, through the producer, the processor and
// the sink; a payout without a Stripe API key ends in the DLQ saying so.
func TestDevAppliesChargesInInfor(t *testing.T) {
	ports := devPorts{freePort(t), freePort(t), freePort(t), freePort(t), freePort(t)}
	data := filepath.Join(t.TempDir(), "data")
	p := start(t, baseEnv(), ports.args(data)...)
	base := fmt.Sprintf("http://127.0.0.1:%d", ports.web)
	waitHTTP(t, p, base+"/readyz", 200)
	banner := p.out()
	for _, want := range []string{"Infor sink         group stripe-infor-sink, concurrency 64, dedupe in redis://", "Stripe API         not configured"} {
		if !strings.Contains(banner, want) {
			t.Fatalf("banner lacks %q:\n%s", want, banner)
		}
	}

	const seq = 7100
	sendEvents(t, ports.webhook(), 2, seq) // test-mode charge.succeeded, as `send` makes by default
	tr := transform.New(mapping.Default())
	type charge struct{ customer, object string }
	var want []charge
	for i := range 2 {
		res, err := tr.Transform(stripefixture.MustEvent("charge.succeeded", stripefixture.Options{Seq: seq + int64(i)}), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		var c charge
		for _, o := range res.Outputs {
			if so, ok := o.Value.(icommand.CreateSalesOrder); ok {
				c.object, c.customer = so.StripeObjectID, so.CustomerRef.StripeCustomerID
			}
		}
		if c.object == "" || c.customer == "" {
			t.Fatalf("charge.succeeded made no order with a customer: %+v", res.Outputs)
		}
		want = append(want, c)
	}

	stateURL := fmt.Sprintf("http://127.0.0.1:%d/_emulator/state", ports.infor)
	var st emulator.State
	missing := "nothing read yet"
	deadline := time.Now().Add(45 * time.Second)
	for missing != "" {
		if time.Now().After(deadline) {
			t.Fatalf("emulator state after 45s: %s\ndead letters:\n%s\nstate: %s\nstderr:\n%s", missing, grepLines(p.errOut(), `"msg":"dead-lettered"`, 5), jsonOf(st), tail(p.errOut(), 30))
		}
		time.Sleep(200 * time.Millisecond)
		st = emulator.State{}
		if err := getJSON(stateURL, &st); err != nil {
			missing = err.Error()
			continue
		}
		missing = ""
		for _, c := range want {
			if why := paidCharge(st, c.customer, c.object); why != "" {
				missing = why
				break
			}
		}
	}
	if len(st.Customers) != 2 || len(st.Orders) != 2 || len(st.Invoices) != 2 {
		t.Fatalf("want 2 customers, orders and invoices, got %d, %d, %d", len(st.Customers), len(st.Orders), len(st.Invoices))
	}

	// The sink's metrics are on dev's /metrics.
	waitFor(t, func() bool {
		body := httpBody(base + "/metrics")
		return strings.Contains(body, "stripe_infor_sink_commands_total{") && strings.Contains(body, `outcome="applied"`)
	})

	// A payout cannot be reconciled without Stripe's balance transactions:
	// its DLQ record says what to set.
	out, err := exec.Command(binPath, "send", "--url", ports.webhook(), "--seq", fmt.Sprint(seq), "payout.paid").CombinedOutput()
	if err != nil {
		t.Fatalf("send payout.paid: %v\n%s", err, out)
	}
	rec := firstRecord(t, fmt.Sprintf("127.0.0.1:%d", ports.kafka), kafka.DLQTopic(kafka.BankCommands))
	if msg := headerValue(rec, "error.message"); !strings.Contains(msg, "STRIPE_API_KEY") || headerValue(rec, "error.class") != "validation" {
		t.Fatalf("payout DLQ record: class %q message %q", headerValue(rec, "error.class"), msg)
	}

	if err := p.stop(t, os.Interrupt); err != nil {
		t.Fatalf("dev did not exit cleanly: %v\n%s", err, p.errOut())
	}
	logs := p.errOut()
	if i, j := strings.Index(logs, `"msg":"sink stopped"`), strings.Index(logs, "kafka broker stopped"); i < 0 || (j >= 0 && i > j) {
		t.Fatalf("sink not stopped before the broker:\n%s", tail(logs, 30))
	}
}

// paidCharge says what is missing for one charge in the state: its
// customer, its order, a paid invoice; "" when all are there.
func paidCharge(st emulator.State, customer, object string) string {
	var cuno string
	for _, c := range st.Customers {
		if c.YREF == customer {
			cuno = c.CUNO
		}
	}
	if cuno == "" {
		return "customer " + customer + " not in M3"
	}
	var orno string
	for _, o := range st.Orders {
		if o.CUOR == m3.OrderReference(object) && o.CUNO == cuno {
			orno = o.ORNO
		}
	}
	if orno == "" {
		return "order of " + object + " not in M3"
	}
	for _, inv := range st.Invoices {
		if inv.ORNO == orno && inv.STAT == "paid" {
			return ""
		}
	}
	return "invoice of " + object + " not paid"
}

func getJSON(url string, v any) error {
	resp, err := http.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

func httpBody(url string) string {
	resp, err := http.Get(url)
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// firstRecord waits for the first record of topic.
func firstRecord(t *testing.T, addr, topic string) *kgo.Record {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		f := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("no record on %s within 30s", topic)
		}
		if recs := f.Records(); len(recs) > 0 {
			return recs[0]
		}
	}
}

// recorder is an HTTP endpoint that keeps what it was sent.
type recorder struct {
	srv  *httptest.Server
	mu   sync.Mutex
	seen []string // bodies (webhook) or Authorization headers (Stripe)
}

func newRecorder(t *testing.T, keep func(r *http.Request, body []byte) string, answer string) *recorder {
	t.Helper()
	rec := &recorder{}
	rec.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rec.mu.Lock()
		rec.seen = append(rec.seen, keep(r, body))
		rec.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, answer)
	}))
	t.Cleanup(rec.srv.Close)
	return rec
}

func (r *recorder) got() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.seen...)
}

// startRedisWithPassword runs redis-server with requirepass, outliving the
// sink child.
func startRedisWithPassword(t *testing.T, password string) string {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		if os.Getenv("STRIPE_INFOR_REQUIRE_REDIS") == "1" {
			t.Fatal("redis-server not on PATH and STRIPE_INFOR_REQUIRE_REDIS=1")
		}
		t.Skip("redis-server not on PATH (apt-get install redis-server); set STRIPE_INFOR_REQUIRE_REDIS=1 to fail instead")
	}
	port := freePort(t)
	dir := t.TempDir()
	cmd := exec.Command("redis-server", "--port", fmt.Sprint(port), "--bind", "127.0.0.1", "--save", "",
		"--appendonly", "no", "--dir", dir, "--requirepass", password)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	waitFor(t, func() bool {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
		}
		return err == nil
	})
	return addr
}

// redisDo runs one command on addr with password, speaking RESP by hand
// (the test needs two admin commands, not a client).
func redisDo(t *testing.T, addr, password string, args ...string) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	send := func(args ...string) string {
		var b strings.Builder
		fmt.Fprintf(&b, "*%d\r\n", len(args))
		for _, a := range args {
			fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
		}
		if _, err := io.WriteString(c, b.String()); err != nil {
			t.Fatal(err)
		}
		line, err := bufio.NewReader(c).ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		return line
	}
	if r := send("AUTH", password); !strings.HasPrefix(r, "+OK") {
		t.Fatalf("AUTH: %q", r)
	}
	if r := send(args...); strings.HasPrefix(r, "-") {
		t.Fatalf("%s: %q", args[0], r)
	}
}

// replaceSecretFile swaps a mounted secret's content in one rename.
func replaceSecretFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path+".new", []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(path+".new", path); err != nil {
		t.Fatal(err)
	}
}

// TestSinkSecretsRotateWithoutRestart runs `stripe-infor sink` with every
// connection secured and every secret mounted as a file: Kafka with
// SCRAM-SHA-512 over TLS, Redis with a password (REDIS_PASSWORD_FILE), the
// Infor tenant's keys (INFOR_IONAPI_FILE), the Stripe key
// (STRIPE_API_KEY_FILE) and the alert webhook (ALERT_WEBHOOK_URL_FILE).
// Then all of them rotate at their source and in their files, and the same
// process applies the next commands with the new ones.
func TestSinkSecretsRotateWithoutRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test skipped in -short mode")
	}
	sc := newSecureCluster(t)
	redisAddr := startRedisWithPassword(t, "redis-pw-1")
	reg, err := registry.Start(registry.Config{Addr: "127.0.0.1:0", Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = reg.Close(context.Background()) })
	rc, err := sr.NewClient(sr.URLs(reg.URL()))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	serde, err := schemas.Register(ctx, rc)
	if err != nil {
		t.Fatal(err)
	}

	// Two emulators of tenant LIVE behind one address, with different keys.
	var emus [2]*emulator.Emulator
	for i := range emus {
		emu, err := emulator.New(emulator.Config{Tenant: "LIVE", ClientID: fmt.Sprintf("LIVE~client-%d", i),
			ClientSecret: fmt.Sprintf("cs-%d-secret", i), ServiceAccountKey: fmt.Sprintf("LIVE#saak-%d", i),
			ServiceAccountSecret: fmt.Sprintf("sask-%d-secret", i)})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = emu.Close() })
		emus[i] = emu
	}
	var gateway atomic.Pointer[emulator.Emulator]
	gateway.Store(emus[0])
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gateway.Load().Handler().ServeHTTP(w, r)
	}))
	t.Cleanup(gw.Close)

	webhook := func(r *http.Request, body []byte) string { return string(body) }
	alertsA, alertsB := newRecorder(t, webhook, "ok"), newRecorder(t, webhook, "ok")
	stripe := newRecorder(t, func(r *http.Request, _ []byte) string { return r.Header.Get("Authorization") },
		`{"object":"list","data":[],"has_more":false}`)

	dir := t.TempDir()
	ionapi := filepath.Join(dir, "live.ionapi")
	if err := emus[0].WriteIONAPI(ionapi, gw.URL); err != nil {
		t.Fatal(err)
	}
	const key1, key2 = "sk_live_51FirstKeyAAAAAAAAAAAAAAAA", "rk_live_51SecondKeyBBBBBBBBBBBBBBBB"
	stripeKey := filepath.Join(dir, "stripe-api-key")
	alertURL := filepath.Join(dir, "alert-url")
	redisPW := filepath.Join(dir, "redis-password")
	replaceSecretFile(t, stripeKey, key1+"\n")
	replaceSecretFile(t, alertURL, alertsA.srv.URL+"/hooks/A\n")
	replaceSecretFile(t, redisPW, "redis-pw-1\n")

	port := freePort(t)
	p := start(t, sc.env("SCHEMA_REGISTRY_URL="+reg.URL(), "REDIS_URL=redis://"+redisAddr,
		"REDIS_PASSWORD_FILE="+redisPW, "INFOR_IONAPI_FILE="+ionapi, "STRIPE_API_KEY_FILE="+stripeKey,
		"STRIPE_API_BASE="+stripe.srv.URL, "ALERT_WEBHOOK_URL_FILE="+alertURL,
		"SINK_RETRY_TIERS=100ms", "SINK_DEPENDENCY_DEADLINE=1s", "LOG_LEVEL=info"),
		"sink", "--create-topics", "--partitions", "default=1", "--addr", fmt.Sprintf("127.0.0.1:%d", port))
	waitHTTP(t, p, fmt.Sprintf("http://127.0.0.1:%d/readyz", port), 200)

	prod, err := kafka.NewProducer(kafka.ProducerConfig{Config: kafka.Config{Brokers: []string{sc.addr}, Security: sc.admin}})
	if err != nil {
		t.Fatal(err)
	}
	defer prod.Close()
	tr := transform.New(mapping.Default())
	at := time.Date(2026, 11, 25, 14, 0, 0, 0, time.UTC)
	// send produces the customer and payout commands of two events, and a
	// record no decoder can read (a DLQ write, so an alert); it returns the
	// Stripe customer id.
	send := func(seq int64) string {
		t.Helper()
		var customer string
		for _, typ := range []string{"customer.created", "payout.paid"} {
			res, err := tr.Transform(stripefixture.MustEvent(typ, stripefixture.Options{Seq: seq, Livemode: true}), at)
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range res.Outputs {
				switch c := o.Value.(type) {
				case icommand.UpsertCustomer:
					customer = c.StripeCustomerID
				case icommand.ReconcilePayout:
				default:
					continue
				}
				v, err := serde.Encode(o.Topic, o.Value)
				if err != nil {
					t.Fatal(err)
				}
				if err := prod.ProduceSync(ctx, &kgo.Record{Topic: o.Topic, Key: []byte(o.Key), Value: v}).FirstErr(); err != nil {
					t.Fatal(err)
				}
			}
		}
		bad := &kgo.Record{Topic: kafka.CustomerCommands, Key: []byte("garbage"), Value: []byte("not avro")}
		if err := prod.ProduceSync(ctx, bad).FirstErr(); err != nil {
			t.Fatal(err)
		}
		return customer
	}
	inState := func(emu *emulator.Emulator, customer string) bool {
		for _, c := range emu.State().Customers {
			if c.YREF == customer {
				return true
			}
		}
		return false
	}
	has := func(list []string, want string) bool {
		for _, s := range list {
			if strings.Contains(s, want) {
				return true
			}
		}
		return false
	}

	first := send(1)
	waitOrDump(t, p, "first customer in the first tenant", func() bool { return inState(emus[0], first) })
	waitOrDump(t, p, "alert to the first webhook", func() bool { return has(alertsA.got(), kafka.CustomerCommands) })
	waitOrDump(t, p, "Stripe called with the first key", func() bool { return has(stripe.got(), "Bearer "+key1) })

	// Everything rotates at its source, then in its file.
	gateway.Store(emus[1])
	redisDo(t, redisAddr, "redis-pw-1", "CONFIG", "SET", "requirepass", "redis-pw-2")
	if err := emus[1].WriteIONAPI(ionapi+".new", gw.URL); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(ionapi+".new", ionapi); err != nil {
		t.Fatal(err)
	}
	replaceSecretFile(t, stripeKey, key2+"\n")
	replaceSecretFile(t, alertURL, alertsB.srv.URL+"/hooks/B\n")
	replaceSecretFile(t, redisPW, "redis-pw-2\n")
	for _, want := range []string{"STRIPE_API_KEY_FILE", "ALERT_WEBHOOK_URL_FILE", "REDIS_PASSWORD_FILE", "ION API keys replaced"} {
		waitOrDump(t, p, "reload of "+want, func() bool { return strings.Contains(p.errOut(), want) })
	}
	// Connections made with the old Redis password end; new ones need the new.
	redisDo(t, redisAddr, "redis-pw-2", "CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes")

	second := send(2)
	waitOrDump(t, p, "second customer in the rotated tenant", func() bool { return inState(emus[1], second) })
	waitOrDump(t, p, "alert to the rotated webhook", func() bool { return has(alertsB.got(), kafka.CustomerCommands) })
	waitOrDump(t, p, "Stripe called with the rotated key", func() bool { return has(stripe.got(), "Bearer "+key2) })
	if inState(emus[1], first) || inState(emus[0], second) {
		t.Fatal("a customer went to the wrong side of the rotation")
	}
	if err := stopOrDump(t, p, syscall.SIGTERM); err != nil {
		t.Fatalf("sink did not exit cleanly: %v\n%s", err, tail(p.errOut(), 40))
	}
	out := p.errOut()
	for _, secret := range []string{"redis-pw-1", "redis-pw-2", key1, key2, "/hooks/A", "/hooks/B", "sask-0-secret", "sask-1-secret", "processor-password"} {
		if strings.Contains(out, secret) {
			t.Fatalf("a secret (%s) reached the log:\n%s", secret, tail(out, 40))
		}
	}
}

// waitOrDump is waitFor that shows what the child logged when it fails.
func waitOrDump(t *testing.T, p *proc, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 20s\nstderr:\n%s", what, tail(p.errOut(), 60))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// countAuto counts the vouchers M3 (the emulator) posted by itself.
func countAuto(st emulator.State) int {
	n := 0
	for _, b := range st.GLBatches {
		if strings.HasPrefix(b.REFE, "AUTO ") {
			n++
		}
	}
	return n
}

// The Infor clients' HTTP client waits at the sink's gate: after a 429 with
// Retry-After closes it, no request leaves before it opens, so calls
// already inside an Apply hold back too, not only new Applies.
func TestInforHTTPClientWaitsAtTheGate(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { calls.Add(1) }))
	defer srv.Close()
	gate := retry.NewGate(nil)
	hc := inforHTTPClient(4, gate)
	gate.HoldFor(time.Hour)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
	if resp, err := hc.Do(req); err == nil {
		resp.Body.Close()
		t.Fatal("a request went out through a closed gate")
	}
	if n := calls.Load(); n != 0 {
		t.Fatalf("the server saw %d requests while the gate was closed", n)
	}
}
