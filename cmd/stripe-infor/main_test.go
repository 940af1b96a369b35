package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v76/webhook"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/stripe-infor/stripe-infor/internal/embedded/broker"
	"github.com/stripe-infor/stripe-infor/internal/kafka"
	"github.com/stripe-infor/stripe-infor/internal/stripefixture"
)

// These tests run the real binary, as `make run` and an operator would.

var binPath string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "stripe-infor-bin-")
	if err != nil {
		panic(err)
	}
	binPath = filepath.Join(dir, "stripe-infor")
	out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "build: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// baseEnv keeps the host's settings out of the child.
func baseEnv(extra ...string) []string {
	return append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}, extra...)
}

// proc is a running stripe-infor with its output captured.
type proc struct {
	cmd    *exec.Cmd
	mu     sync.Mutex
	stdout bytes.Buffer
	stderr bytes.Buffer
	done   chan error
}

func (p *proc) out() string { p.mu.Lock(); defer p.mu.Unlock(); return p.stdout.String() }
func (p *proc) errOut() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stderr.String()
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

func start(t *testing.T, env []string, args ...string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command(binPath, args...), done: make(chan error, 1)}
	p.cmd.Env = env
	p.cmd.Stdout = lockedWriter{&p.mu, &p.stdout}
	p.cmd.Stderr = lockedWriter{&p.mu, &p.stderr}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- p.cmd.Wait() }()
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// stop sends sig and waits for the exit.
func (p *proc) stop(t *testing.T, sig os.Signal) error {
	t.Helper()
	_ = p.cmd.Process.Signal(sig)
	select {
	case err := <-p.done:
		return err
	case <-time.After(40 * time.Second):
		t.Fatalf("process did not exit after %v\nstderr:\n%s", sig, p.errOut())
		return nil
	}
}

func waitHTTP(t *testing.T, p *proc, url string, want int) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == want {
				return
			}
		}
		select {
		case err := <-p.done:
			t.Fatalf("process exited early: %v\nstdout:\n%s\nstderr:\n%s", err, p.out(), p.errOut())
		case <-time.After(100 * time.Millisecond):
		}
	}
	t.Fatalf("%s never answered %d\nstderr:\n%s", url, want, p.errOut())
}

type devPorts struct{ web, kafka, registry, redis, infor int }

func (d devPorts) args(dataDir string) []string {
	return []string{"dev", "--data-dir", dataDir,
		"--addr", fmt.Sprintf("127.0.0.1:%d", d.web),
		"--kafka-port", fmt.Sprint(d.kafka),
		"--registry-addr", fmt.Sprintf("127.0.0.1:%d", d.registry),
		"--redis-addr", fmt.Sprintf("127.0.0.1:%d", d.redis),
		"--infor-addr", fmt.Sprintf("127.0.0.1:%d", d.infor),
		"--stripe-fake-addr", ""} // tests that want the fake Stripe API name its address after these
}

func (d devPorts) webhook() string { return fmt.Sprintf("http://127.0.0.1:%d/webhooks/stripe", d.web) }

func sendEvents(t *testing.T, url string, n int, seq int64) {
	t.Helper()
	out, err := exec.Command(binPath, "send", "--url", url, "--count", fmt.Sprint(n), "--seq", fmt.Sprint(seq), "charge.succeeded").CombinedOutput()
	if err != nil {
		t.Fatalf("send: %v\n%s", err, out)
	}
	if got := strings.Count(string(out), "200 OK"); got != n {
		t.Fatalf("send: %d of %d accepted:\n%s", got, n, out)
	}
}

func rawEventIDs(t *testing.T, kafkaAddr string) map[string]int {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(kafkaAddr))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	ends, err := adm.ListEndOffsets(context.Background(), kafka.RawEvents)
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	ends.Each(func(o kadm.ListedOffset) { total += o.Offset })
	cons, err := kgo.NewClient(kgo.SeedBrokers(kafkaAddr), kgo.ConsumeTopics(kafka.RawEvents),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cons.Close()
	ids := map[string]int{}
	var seen int64
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for seen < total && ctx.Err() == nil {
		cons.PollFetches(ctx).EachRecord(func(r *kgo.Record) {
			seen++
			for _, h := range r.Headers {
				if h.Key == "stripe-event-id" {
					ids[string(h.Value)]++
				}
			}
		})
	}
	if seen != total {
		t.Fatalf("read %d of %d records", seen, total)
	}
	return ids
}

func TestDevStackKeepsEverythingAcrossRestartsAndCrashes(t *testing.T) {
	ports := devPorts{freePort(t), freePort(t), freePort(t), freePort(t), freePort(t)}
	data := filepath.Join(t.TempDir(), "data")
	env := baseEnv()
	kafkaAddr := fmt.Sprintf("127.0.0.1:%d", ports.kafka)
	readyz := fmt.Sprintf("http://127.0.0.1:%d/readyz", ports.web)

	// First start: the banner tells where everything is.
	p := start(t, env, ports.args(data)...)
	waitHTTP(t, p, readyz, 200)
	banner := p.out()
	inforURL := fmt.Sprintf("http://127.0.0.1:%d", ports.infor)
	for _, want := range []string{ports.webhook(), kafkaAddr, fmt.Sprintf("http://127.0.0.1:%d", ports.registry), inforURL, "DEV.ionapi", "whsec_dev", "Ctrl-C"} {
		if !strings.Contains(banner, want) {
			t.Fatalf("banner lacks %q:\n%s", want, banner)
		}
	}
	if strings.Contains(p.errOut(), "whsec_dev") {
		t.Fatalf("the webhook secret reached the logs")
	}

	// Topics exist with the configured partitions.
	cl, err := kgo.NewClient(kgo.SeedBrokers(kafkaAddr))
	if err != nil {
		t.Fatal(err)
	}
	topics, err := kadm.NewClient(cl).ListTopics(context.Background())
	cl.Close()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range kafka.DesignTopics() {
		td, ok := topics[name]
		if !ok {
			t.Fatalf("topic %s not created", name)
		}
		if want := kafka.DefaultPartitions().For(name); int32(len(td.Partitions)) != want {
			t.Fatalf("topic %s has %d partitions, want %d", name, len(td.Partitions), want)
		}
	}

	// A schema registered now keeps its id across restarts.
	regURL := fmt.Sprintf("http://127.0.0.1:%d", ports.registry)
	src, err := sr.NewClient(sr.URLs(regURL))
	if err != nil {
		t.Fatal(err)
	}
	schema := sr.Schema{Type: sr.TypeAvro, Schema: `{"type":"record","name":"Probe","namespace":"test","fields":[{"name":"id","type":"string"}]}`}
	ss, err := src.CreateSchema(context.Background(), "probe-value", schema)
	if err != nil {
		t.Fatalf("register schema: %v", err)
	}

	sendEvents(t, ports.webhook(), 3, 1000)

	// The Infor emulator is up, with a .ionapi file pointing at it.
	ionapi, err := os.ReadFile(filepath.Join(data, "infor", "DEV.ionapi"))
	if err != nil || !strings.Contains(string(ionapi), inforURL) {
		t.Fatalf(".ionapi file missing or not pointing at the emulator: %v\n%s", err, ionapi)
	}
	waitHTTP(t, p, inforURL+"/_emulator/state", 200)

	// Ctrl-C: a clean exit.
	if err := p.stop(t, os.Interrupt); err != nil {
		t.Fatalf("dev did not exit cleanly on SIGINT: %v\nstderr:\n%s", err, p.errOut())
	}

	// Restart with the same data dir: events and schema ids are still there.
	p = start(t, env, ports.args(data)...)
	waitHTTP(t, p, readyz, 200)
	if ids := rawEventIDs(t, kafkaAddr); len(ids) != 3 {
		t.Fatalf("after restart %d distinct events, want 3: %v", len(ids), ids)
	}
	got, err := src.SchemaByVersion(context.Background(), "probe-value", ss.Version)
	if err != nil || got.ID != ss.ID {
		t.Fatalf("schema id after restart: %v (err %v), want %d", got.ID, err, ss.ID)
	}
	sendEvents(t, ports.webhook(), 5, 2000)

	// A crash (SIGKILL, no shutdown code runs) loses nothing acknowledged.
	_ = p.stop(t, syscall.SIGKILL)
	p = start(t, env, ports.args(data)...)
	waitHTTP(t, p, readyz, 200)
	ids := rawEventIDs(t, kafkaAddr)
	if len(ids) != 8 {
		t.Fatalf("after a crash %d distinct events, want 8: %v\nstderr:\n%s", len(ids), ids, p.errOut())
	}
	sendEvents(t, ports.webhook(), 1, 3000)
	if err := p.stop(t, syscall.SIGTERM); err != nil {
		t.Fatalf("dev did not exit cleanly on SIGTERM: %v", err)
	}
}

func TestProducerNamesMissingSettings(t *testing.T) {
	for _, tc := range []struct {
		env  []string
		want string
	}{
		{baseEnv(), "KAFKA_BROKERS"},
		{baseEnv("KAFKA_BROKERS=127.0.0.1:1"), "STRIPE_WEBHOOK_SECRET"},
		{baseEnv("KAFKA_BROKERS=127.0.0.1:1", "STRIPE_WEBHOOK_SECRET_FILE=/nonexistent/secret"), "STRIPE_WEBHOOK_SECRET_FILE"},
		{baseEnv("KAFKA_BROKERS=127.0.0.1:1", "STRIPE_WEBHOOK_SECRET=whsec_x", "STRIPE_WEBHOOK_TOLERANCE=soon"), "STRIPE_WEBHOOK_TOLERANCE"},
	} {
		cmd := exec.Command(binPath, "producer", "--addr", "127.0.0.1:0")
		cmd.Env = tc.env
		out, err := cmd.CombinedOutput()
		if err == nil {
			t.Fatalf("producer started without %s", tc.want)
		}
		if !strings.Contains(string(out), tc.want) {
			t.Fatalf("error does not name %s:\n%s", tc.want, out)
		}
	}
}

func TestProducerPicksUpRotatedSecretFile(t *testing.T) {
	b, err := broker.Start(broker.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	secretFile := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secretFile, []byte("whsec_old\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	p := start(t, baseEnv("KAFKA_BROKERS="+b.Addr(), "STRIPE_WEBHOOK_SECRET_FILE="+secretFile),
		"producer", "--create-topics", "--addr", fmt.Sprintf("127.0.0.1:%d", port))
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	waitHTTP(t, p, base+"/readyz", 200)

	post := func(secret string, seq int64) int {
		body := stripefixture.MustEvent("charge.succeeded", stripefixture.Options{Seq: seq})
		sig := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: body, Secret: secret}).Header
		req, _ := http.NewRequest(http.MethodPost, base+"/webhooks/stripe", bytes.NewReader(body))
		req.Header.Set("Stripe-Signature", sig)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if c := post("whsec_old", 1); c != 200 {
		t.Fatalf("old secret before rotation: %d", c)
	}
	if c := post("whsec_new", 2); c != 400 {
		t.Fatalf("new secret before rotation: %d", c)
	}
	// Kubernetes-style atomic replace: write elsewhere, rename over.
	rotate := func(content string) {
		tmp := secretFile + ".tmp"
		if err := os.WriteFile(tmp, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, secretFile); err != nil {
			t.Fatal(err)
		}
	}
	rotate("whsec_new,whsec_old")
	waitFor(t, func() bool { return post("whsec_new", 3) == 200 })
	if c := post("whsec_old", 4); c != 200 {
		t.Fatalf("old secret during the roll: %d", c)
	}
	rotate("whsec_new")
	waitFor(t, func() bool { return post("whsec_old", 5) == 400 })
	if c := post("whsec_new", 6); c != 200 {
		t.Fatalf("new secret after the roll: %d", c)
	}
	if err := p.stop(t, os.Interrupt); err != nil {
		t.Fatalf("producer exit: %v", err)
	}
	logs := p.errOut()
	if strings.Contains(logs, "whsec_old") || strings.Contains(logs, "whsec_new") {
		t.Fatalf("a secret reached the logs:\n%s", logs)
	}
	// The JSON logs must say the setting was reloaded (without its value).
	sc := bufio.NewScanner(strings.NewReader(logs))
	reloaded := false
	for sc.Scan() {
		if strings.Contains(sc.Text(), "setting reloaded from file") && strings.Contains(sc.Text(), "STRIPE_WEBHOOK_SECRET_FILE") {
			reloaded = true
		}
	}
	if !reloaded {
		t.Fatalf("no reload line in the logs:\n%s", logs)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 15s")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestFlagsOverrideEnvironment(t *testing.T) {
	b, err := broker.Start(broker.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	body := stripefixture.MustEvent("charge.succeeded", stripefixture.Options{Seq: 7})
	env := baseEnv("KAFKA_BROKERS="+b.Addr(), "STRIPE_WEBHOOK_SECRET=whsec_f", "WEBHOOK_MAX_BODY_BYTES=100")
	for _, tc := range []struct {
		flags []string
		want  int
	}{
		{nil, http.StatusRequestEntityTooLarge},                  // env: 100 bytes
		{[]string{"--max-body-bytes", "1048576"}, http.StatusOK}, // the flag wins
	} {
		port := freePort(t)
		args := append([]string{"producer", "--create-topics", "--addr", fmt.Sprintf("127.0.0.1:%d", port)}, tc.flags...)
		p := start(t, env, args...)
		base := fmt.Sprintf("http://127.0.0.1:%d", port)
		waitHTTP(t, p, base+"/readyz", 200)
		req, _ := http.NewRequest(http.MethodPost, base+"/webhooks/stripe", bytes.NewReader(body))
		req.Header.Set("Stripe-Signature", webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: body, Secret: "whsec_f"}).Header)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Fatalf("flags %v: status %d, want %d", tc.flags, resp.StatusCode, tc.want)
		}
		if err := p.stop(t, os.Interrupt); err != nil {
			t.Fatalf("exit: %v", err)
		}
	}
}

func TestDevHelpNeverShowsRedisPassword(t *testing.T) {
	cmd := exec.Command(binPath, "dev", "-h")
	cmd.Env = baseEnv("REDIS_URL=redis://:hunter2@127.0.0.1:6379/0")
	out, _ := cmd.CombinedOutput()
	if strings.Contains(string(out), "hunter2") || !strings.Contains(string(out), "redis-url") {
		t.Fatalf("dev -h output leaks the password or lacks the flag:\n%s", out)
	}
}

// TestProducerOverSCRAMAndTLS: `stripe-infor producer` with the KAFKA_SASL_*
// and KAFKA_TLS_* settings creates the topics and acknowledges a webhook only
// once the record is on the raw topic of a cluster that requires
// SCRAM-SHA-512 over TLS.
func TestProducerOverSCRAMAndTLS(t *testing.T) {
	sc := newSecureCluster(t)
	port := freePort(t)
	p := start(t, sc.env("STRIPE_WEBHOOK_SECRET=whsec_tls"),
		"producer", "--create-topics", "--partitions", "default=1", "--addr", fmt.Sprintf("127.0.0.1:%d", port))
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	waitHTTP(t, p, base+"/readyz", 200)

	body := stripefixture.MustEvent("charge.succeeded", stripefixture.Options{Seq: 77})
	sig := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: body, Secret: "whsec_tls"}).Header
	req, _ := http.NewRequest(http.MethodPost, base+"/webhooks/stripe", bytes.NewReader(body))
	req.Header.Set("Stripe-Signature", sig)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("webhook: %d\n%s", resp.StatusCode, p.errOut())
	}
	cons, err := kafka.NewAdminClient(kafka.Config{Brokers: []string{sc.addr}, Security: sc.admin},
		kgo.ConsumeTopics(kafka.RawEvents), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cons.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var got []byte
	for got == nil {
		fs := cons.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatal("the acknowledged event is not on the raw topic")
		}
		fs.EachRecord(func(r *kgo.Record) { got = r.Value })
	}
	if !bytes.Equal(got, body) {
		t.Fatal("the raw record is not the webhook body byte for byte")
	}
	if err := p.stop(t, os.Interrupt); err != nil {
		t.Fatalf("producer exit: %v", err)
	}
	if strings.Contains(p.errOut(), "processor-password") {
		t.Fatalf("the SASL password reached the logs:\n%s", p.errOut())
	}
}
