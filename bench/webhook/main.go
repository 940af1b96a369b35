// Command webhook is the webhook ingest load generator behind `make bench`.
//
// It signs realistic 3–4 KB Stripe events the way Stripe does and drives, at
// a fixed concurrency over keep-alive HTTP/1.1 connections on loopback:
//
//	(a) baseline: a bare net/http handler that reads the body and answers 200;
//	(b) producer: the real webhook handler — signature verification, envelope
//	    parsing, acks=all idempotent produce to the embedded broker with its
//	    data dir — answering 200 only after the broker's ack.
//
// Both run in the same process and the same run, so the ratio of their
// throughputs is meaningful on a noisy machine where absolute numbers are not.
// With -target it drives an already running endpoint instead (make run).
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/stripe/stripe-go/v76/webhook"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/stripe-infor/stripe-infor/internal/embedded/broker"
	"github.com/stripe-infor/stripe-infor/internal/kafka"
	"github.com/stripe-infor/stripe-infor/internal/observability"
	"github.com/stripe-infor/stripe-infor/internal/stripefixture"
	"github.com/stripe-infor/stripe-infor/producer"
)

func main() {
	duration := flag.Duration("duration", 10*time.Second, "measured time per target, split into -rounds")
	flag.IntVar(&rounds, "rounds", 5, "alternating rounds of baseline and producer")
	warmup := flag.Duration("warmup", 2*time.Second, "unmeasured warm-up per target")
	conc := flag.Int("concurrency", 64, "concurrent connections")
	distinct := flag.Int("events", 4096, "distinct signed events to cycle through")
	target := flag.String("target", "", "drive this running webhook URL only (e.g. http://127.0.0.1:8080/webhooks/stripe)")
	secret := flag.String("secret", "whsec_dev", "signing secret for -target")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the measured rounds to this file")
	flag.Parse()
	profilePath = *cpuprofile
	if v := os.Getenv("LINGER"); v != "" {
		lingerFlag, _ = time.ParseDuration(v)
	}

	if err := run(*duration, *warmup, *conc, *distinct, *target, *secret); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

const benchSecret = "whsec_bench"

var lingerFlag = time.Duration(0)

var rounds = 5

// benchMetrics lets the report show how much of the latency is the broker's.
var benchMetrics = producer.NewMetrics(nil)

func run(duration, warmup time.Duration, conc, distinct int, target, secret string) error {
	if target != "" {
		reqs := makeEvents(distinct, secret)
		r := drive(target, reqs, conc, warmup, duration)
		fmt.Println(r.line(target))
		return r.err()
	}
	reqs := makeEvents(distinct, benchSecret)
	avg := 0
	for _, r := range reqs {
		avg += len(r.body)
	}
	fmt.Printf("webhook ingest: %d distinct signed events, average %d bytes, %d connections, %s measured after %s warm-up, GOMAXPROCS=%d\n\n",
		len(reqs), avg/len(reqs), conc, duration, warmup, runtimeProcs())

	baseURL, stopBase, err := startBaseline()
	if err != nil {
		return err
	}
	defer stopBase()
	prodURL, stopProd, err := startProducer()
	if err != nil {
		return err
	}
	defer stopProd()

	verifyURL, stopVerify, err := startVerifyOnly()
	if err != nil {
		return err
	}
	defer stopVerify()

	// Interleave short rounds of each target so that a noisy neighbour on a
	// shared machine hits both alike; warm each up first.
	drive(baseURL, reqs, conc, 0, warmup)
	drive(prodURL, reqs, conc, 0, warmup)
	drive(verifyURL, reqs, conc, 0, warmup/2)
	benchMetrics.ProduceLatency = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "x", Buckets: prometheus.DefBuckets})
	var base, prod, verify result
	var ratios []float64
	per := duration / time.Duration(rounds)
	stopProfile := startProfile()
	for r := range rounds {
		b := drive(baseURL, reqs, conc, 0, per)
		p := drive(prodURL, reqs, conc, 0, per)
		verify.add(drive(verifyURL, reqs, conc, 0, per/2))
		ratios = append(ratios, p.rps()/b.rps())
		fmt.Printf("round %d: baseline %6.0f req/s, producer %6.0f req/s, ratio %.2f\n", r+1, b.rps(), p.rps(), p.rps()/b.rps())
		base.add(b)
		prod.add(p)
	}
	stopProfile()
	base.finish()
	prod.finish()
	verify.finish()
	if err := base.err(); err != nil {
		return err
	}
	if err := prod.err(); err != nil {
		return err
	}
	fmt.Println()
	fmt.Println(base.line("baseline: bare net/http handler"))
	fmt.Println(prod.line("producer: verify + acks=all to embedded broker"))
	fmt.Println(verify.line("diagnostic: same handler, Kafka ack instant"))
	var pm dto.Metric
	_ = benchMetrics.ProduceLatency.(prometheus.Metric).Write(&pm)
	if h := pm.GetHistogram(); h.GetSampleCount() > 0 {
		fmt.Printf("  of which produce (hand-off to broker ack): mean %s over %d records\n",
			time.Duration(h.GetSampleSum()/float64(h.GetSampleCount())*float64(time.Second)).Round(time.Microsecond), h.GetSampleCount())
	}
	fmt.Printf("  (the handler without Kafka runs at %.2f of the baseline: the rest of the gap is the broker round trip)\n", verify.rps()/base.rps())
	slices.Sort(ratios)
	fmt.Printf("\nratio producer/baseline = %.2f overall, %.2f median of %d rounds (target >= 0.65); producer p99 = %s (target <= 15ms)\n",
		prod.rps()/base.rps(), ratios[len(ratios)/2], rounds, prod.pct(99).Round(10*time.Microsecond))
	return nil
}

type request struct {
	body []byte
	sig  string
}

func makeEvents(n int, secret string) []request {
	types := []string{"charge.succeeded", "charge.succeeded", "charge.succeeded", "payment_intent.succeeded", "charge.refunded", "invoice.paid", "customer.updated"}
	out := make([]request, n)
	for i := range out {
		body := stripefixture.MustEvent(types[i%len(types)], stripefixture.Options{Seq: int64(i + 1)})
		out[i] = request{body: body, sig: webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: body, Secret: secret}).Header}
	}
	return out
}

func startBaseline() (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusOK)
	})}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String() + "/webhooks/stripe", func() { _ = srv.Close() }, nil
}

func startProducer() (string, func(), error) {
	dir, err := os.MkdirTemp("", "stripe-infor-bench-")
	if err != nil {
		return "", nil, err
	}
	b, err := broker.Start(broker.Config{Dir: dir})
	if err != nil {
		return "", nil, err
	}
	cfg := kafka.Config{Brokers: []string{b.Addr()}}
	adm, err := kafka.NewAdminClient(cfg)
	if err != nil {
		return "", nil, err
	}
	if _, err := kafka.EnsureTopics(context.Background(), kadm.NewClient(adm), []string{kafka.RawEvents}, kafka.DefaultPartitions(), nil); err != nil {
		return "", nil, err
	}
	adm.Close()
	cl, err := kafka.NewProducer(kafka.ProducerConfig{Config: cfg, DeliveryTimeout: producer.DefaultProduceTimeout, Linger: lingerFlag})
	if err != nil {
		return "", nil, err
	}
	url, stopServer, err := serveProducer(cl, benchMetrics)
	if err != nil {
		return "", nil, err
	}
	return url, func() {
		stopServer()
		cl.Close()
		b.Close()
		os.RemoveAll(dir)
	}, nil
}

// serveProducer runs the real producer server in front of pub on a free
// loopback port.
func serveProducer(pub producer.Publisher, m *producer.Metrics) (string, func(), error) {
	srv := producer.NewServer(producer.ServerConfig{
		Handler: producer.HandlerConfig{Topic: kafka.RawEvents, Metrics: m},
	}, producer.NewVerifier(0, benchSecret), pub, observability.NewHealth())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = srv.Serve(ctx, ln); close(done) }()
	return "http://" + ln.Addr().String() + producer.WebhookPath, func() { cancel(); <-done }, nil
}

// instantPublisher acknowledges at once: it isolates the handler's own cost
// (verification, parsing, record building) from the broker's.
type instantPublisher struct{}

func (instantPublisher) Produce(_ context.Context, r *kgo.Record, promise func(*kgo.Record, error)) {
	promise(r, nil)
}

func startVerifyOnly() (string, func(), error) {
	return serveProducer(instantPublisher{}, producer.NewMetrics(nil))
}

type result struct {
	ok, failed int
	elapsed    time.Duration
	lat        []time.Duration
	firstErr   error
}

// add accumulates a round into r; finish sorts the merged latencies.
func (r *result) add(o result) {
	r.ok += o.ok
	r.failed += o.failed
	r.elapsed += o.elapsed
	r.lat = append(r.lat, o.lat...)
	if r.firstErr == nil {
		r.firstErr = o.firstErr
	}
}

func (r *result) finish() { slices.Sort(r.lat) }

func (r result) rps() float64 { return float64(r.ok) / r.elapsed.Seconds() }

func (r result) pct(p float64) time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	i := int(float64(len(r.lat)-1) * p / 100)
	return r.lat[i]
}

func (r result) line(name string) string {
	return fmt.Sprintf("%-48s %9.0f req/s  p50 %-9s p99 %-9s (%d ok, %d failed)", name, r.rps(),
		r.pct(50).Round(time.Microsecond), r.pct(99).Round(time.Microsecond), r.ok, r.failed)
}

func (r result) err() error {
	if r.failed > 0 {
		return fmt.Errorf("%d requests failed, first: %v", r.failed, r.firstErr)
	}
	return nil
}

// drive sends requests from conc workers for warmup+duration and measures
// only the last duration.
func drive(url string, reqs []request, conc int, warmup, duration time.Duration) result {
	tr := &http.Transport{MaxIdleConns: conc, MaxIdleConnsPerHost: conc, MaxConnsPerHost: conc, DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}

	start := time.Now()
	measureFrom := start.Add(warmup)
	end := measureFrom.Add(duration)
	var mu sync.Mutex
	var total result
	var wg sync.WaitGroup
	for w := range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var local result
			local.lat = make([]time.Duration, 0, 1<<14)
			for i := w; ; i += conc {
				t0 := time.Now()
				if !t0.Before(end) {
					break
				}
				rq := reqs[i%len(reqs)]
				req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(rq.body))
				req.Header.Set("Content-Type", "application/json; charset=utf-8")
				req.Header.Set("Stripe-Signature", rq.sig)
				resp, err := client.Do(req)
				if err == nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						err = fmt.Errorf("status %d", resp.StatusCode)
					}
				}
				lat := time.Since(t0)
				if t0.Before(measureFrom) {
					continue
				}
				if err != nil {
					local.failed++
					if local.firstErr == nil {
						local.firstErr = err
					}
					continue
				}
				local.ok++
				local.lat = append(local.lat, lat)
			}
			mu.Lock()
			total.ok += local.ok
			total.failed += local.failed
			total.lat = append(total.lat, local.lat...)
			if total.firstErr == nil {
				total.firstErr = local.firstErr
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	total.elapsed = duration
	slices.Sort(total.lat)
	return total
}
