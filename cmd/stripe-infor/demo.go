package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/stripe-infor/stripe-infor/internal/config"
	"github.com/stripe-infor/stripe-infor/internal/scenario"
)

// `stripe-infor demo` is `make demo`: with `make run` up, it plays one
// realistic day of a merchant's Stripe account into the pipeline and shows
// a finance reader whether Infor M3's books say what Stripe says.
//
// dev keeps its state across runs, so the demo never compares Infor's
// totals with the day's figures: it reads Infor's books before sending and
// compares the day's difference. Every run draws new ids from its seed, so
// a second `make demo` books a second day beside the first.

const demoHelp = `usage: stripe-infor demo [flags]

With 'make run' (stripe-infor dev) up: builds a realistic day of Stripe
business (customers paying in USD, EUR, GBP, JPY, KWD and ISK, some EUR and
JPY converted to USD, declined cards, full and partial refunds, a dispute
lost and one won, subscriptions, one payout per currency at the end of the
day), loads its balance transactions into dev's fake Stripe API, sends
every event signed to the webhook, waits until Infor M3's books stop
changing, and prints per currency what Stripe says and what Infor booked
(the day's difference in Infor's books: dev keeps state across runs).
Exit 0 when every figure agrees, 1 on any MISMATCH.

flags:
`

// demoSettings are the demo's flags.
type demoSettings struct {
	webhookURL   string
	secret       string
	stripeFake   string
	inforURL     string
	kafkaBrokers string
	customers    int
	seed         int64
	timeout      time.Duration
	livemode     bool
	concurrency  int
}

// demoPoll is how often Infor's state is read while waiting.
const demoPoll = time.Second

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, demoHelp)
		fs.PrintDefaults()
	}
	var s demoSettings
	brokers, err := config.String("KAFKA_BROKERS", "127.0.0.1:9092")
	if err != nil {
		return err
	}
	fs.StringVar(&s.webhookURL, "webhook-url", "http://127.0.0.1:8080"+"/webhooks/stripe", "the webhook endpoint of stripe-infor dev")
	// No env-derived default in the flag: the flag package prints defaults
	// in -h, and this one is a secret.
	fs.StringVar(&s.secret, "secret", "", "signing secret (default: the first of STRIPE_WEBHOOK_SECRET, else "+DevWebhookSecret+")")
	fs.StringVar(&s.stripeFake, "stripe-fake-url", "http://"+DevStripeFakeAddr, "dev's fake Stripe API, where the day's balance transactions are loaded")
	fs.StringVar(&s.inforURL, "infor-url", "http://127.0.0.1:8090", "the Infor emulator (its GET /_emulator/state is read)")
	fs.StringVar(&s.kafkaBrokers, "kafka-brokers", brokers, "Kafka, to count new dead letters (KAFKA_BROKERS; \"\" skips the count)")
	fs.IntVar(&s.customers, "customers", 300, "customers who pay today")
	fs.Int64Var(&s.seed, "seed", 0, "seed of the day: the same seed gives the same ids and amounts (default: from the clock, so every run is a new day)")
	fs.DurationVar(&s.timeout, "timeout", 2*time.Minute, "how long sending and waiting for Infor's books may take in all")
	fs.BoolVar(&s.livemode, "livemode", false, "send live-mode events (default test mode; dev books both in its one tenant)")
	fs.IntVar(&s.concurrency, "concurrency", 4, "webhook deliveries in flight at once")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case s.customers < 1:
		return usagef(stderr, "demo", "--customers must be at least 1")
	case s.timeout <= 0:
		return usagef(stderr, "demo", "--timeout must be positive")
	case s.concurrency < 1:
		return usagef(stderr, "demo", "--concurrency must be at least 1")
	}
	if s.secret == "" {
		env, err := config.String("STRIPE_WEBHOOK_SECRET", "")
		if err != nil {
			return err
		}
		s.secret = DevWebhookSecret
		if list := config.List(env); len(list) > 0 {
			s.secret = list[0]
		}
	}
	if !isFlagSet(fs, "seed") {
		s.seed = time.Now().UnixNano()
	}
	return (&demo{s: s, out: stdout, hc: &http.Client{Timeout: 30 * time.Second}}).run(ctx)
}

func isFlagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// demo is one run.
type demo struct {
	s   demoSettings
	out io.Writer
	hc  *http.Client
}

func (d *demo) printf(format string, a ...any) { fmt.Fprintf(d.out, format, a...) }

func (d *demo) run(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, d.s.timeout)
	defer cancel()
	started := time.Now()

	w := scenario.Day(d.s.seed, d.s.customers, d.s.livemode)
	d.describe(w)

	before, err := d.inforBooks(ctx)
	if err != nil {
		return fmt.Errorf("reading Infor's books before the day (is `make run` up?): %w", err)
	}
	dlqBefore, dlqErr := d.dlqSizes(ctx)
	if dlqErr != nil {
		d.printf("Dead letters: not counted (%v)\n", dlqErr)
	}
	if err := d.loadLedger(ctx, w); err != nil {
		return err
	}
	d.printf("Loaded %s balance transactions into the fake Stripe API at %s\n", count(len(w.Ledger)), d.s.stripeFake)

	if err := d.send(ctx, w); err != nil {
		return err
	}

	expected := w.Expected(d.s.livemode)
	day, waitErr := d.waitForBooks(ctx, expected, before)
	if waitErr != nil {
		return waitErr
	}

	d.printf("\n")
	title := fmt.Sprintf("Reconciliation of the day (seed %d): Stripe vs Infor M3, what the day added", d.s.seed)
	mism, err := scenario.Summary(d.out, title, expected, day)
	if err != nil {
		return err
	}
	d.printf("\"Still in clearing\" is what Stripe has not paid out yet, as booked: today's charges gross; their fees are booked with the payout that settles them.\n")

	newDLQ := int64(-1)
	if dlqErr == nil {
		if after, err := d.dlqSizes(context.Background()); err == nil {
			newDLQ = d.reportDLQ(dlqBefore, after)
		}
	}
	d.printf("Took %s.\n", time.Since(started).Round(100*time.Millisecond))
	if len(mism) > 0 {
		hint := "a dead-lettered command is the usual cause: " + d.dlqListCommand()
		if newDLQ == 0 {
			hint = "no new dead letters; the pipeline may still be working (retry topics), or see dev's log"
		}
		return fmt.Errorf("%d figure(s) differ between Stripe and Infor M3 (%s)", len(mism), hint)
	}
	return nil
}

// describe says what the day holds, in a finance reader's terms.
func (d *demo) describe(w *scenario.World) {
	mode := "test mode"
	if d.s.livemode {
		mode = "live mode"
	}
	d.printf("A day of Stripe business (seed %d, %s)\n", d.s.seed, mode)

	byCur := map[string]int{}
	converted := map[string]int{}
	declined := 0
	for _, ch := range w.Charges {
		if !ch.Succeeded {
			declined++
			continue
		}
		byCur[ch.Currency]++
		if ch.ExchangeRate != "" {
			converted[ch.Currency]++
		}
	}
	var parts []string
	for _, cur := range sortedCurrencies(byCur) {
		p := fmt.Sprintf("%s %d", strings.ToUpper(cur), byCur[cur])
		if n := converted[cur]; n > 0 {
			p += fmt.Sprintf(" (%d settled in USD)", n)
		}
		parts = append(parts, p)
	}
	d.printf("  %s customers; %s charges: %s; %d declined\n",
		count(len(w.Customers)), count(len(w.Charges)-declined), strings.Join(parts, ", "), declined)

	partial := 0
	for _, re := range w.Refunds {
		for _, ch := range w.Charges {
			if ch.ID == re.Charge && re.Amount < ch.Amount {
				partial++
			}
		}
	}
	won := 0
	for _, dp := range w.Disputes {
		if dp.Won {
			won++
		}
	}
	unpaid := 0
	for _, in := range w.Invoices {
		if !in.Paid {
			unpaid++
		}
	}
	d.printf("  %s (%d partial); %s (%d lost, %d won); %s (%d unpaid)\n",
		plural(len(w.Refunds), "refund"), partial, plural(len(w.Disputes), "dispute"), len(w.Disputes)-won, won,
		plural(len(w.Invoices), "subscription invoice"), unpaid)
	parts = parts[:0]
	for _, p := range w.Payouts {
		parts = append(parts, strings.ToUpper(p.Currency)+" "+scenario.FormatAmount(p.Amount, p.Currency))
	}
	d.printf("  %s at the end of the day: %s\n", plural(len(w.Payouts), "payout"), strings.Join(parts, ", "))
	d.printf("  %s webhook events, %s balance transactions\n\n", count(len(w.Events)), count(len(w.Ledger)))
}

// loadLedger gives dev's fake Stripe API the day's balance transactions,
// which the sink fetches when it reconciles a payout.
func (d *demo) loadLedger(ctx context.Context, w *scenario.World) error {
	body, err := json.Marshal(w.Ledger)
	if err != nil {
		return fmt.Errorf("encode the ledger: %w", err)
	}
	u := strings.TrimRight(d.s.stripeFake, "/") + "/_fake/balance_transactions"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := d.hc.Do(req)
	if err != nil {
		return fmt.Errorf("loading the balance transactions into the fake Stripe API (dev starts it on %s when STRIPE_API_KEY is not set): %w", DevStripeFakeAddr, err)
	}
	defer resp.Body.Close()
	reply, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		msg := strings.TrimSpace(string(reply))
		if strings.Contains(msg, "already in the ledger") {
			return fmt.Errorf("the day of seed %d was already sent to this dev (its balance transactions are in the fake Stripe API); a day books once: drop --seed for a new one", d.s.seed)
		}
		return fmt.Errorf("loading the balance transactions into the fake Stripe API: POST %s: %s %s", u, resp.Status, msg)
	}
	return nil
}

// countingTransport counts the deliveries the webhook accepted, for the
// progress lines (scenario.Sender reports only at the end).
type countingTransport struct {
	base     http.RoundTripper
	accepted atomic.Int64
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := c.base.RoundTrip(r)
	if err == nil && resp.StatusCode/100 == 2 {
		c.accepted.Add(1)
	}
	return resp, err
}

// send delivers every event signed, in Stripe's order with a few in
// flight, and prints progress about once a second.
func (d *demo) send(ctx context.Context, w *scenario.World) error {
	tr := &countingTransport{base: http.DefaultTransport}
	sender := &scenario.Sender{URL: d.s.webhookURL, Secret: d.s.secret, Client: &http.Client{Timeout: 30 * time.Second, Transport: tr}}
	total := len(w.Events)
	d.printf("Sending %s signed events to %s\n", count(total), d.s.webhookURL)
	start := time.Now()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				n := int(tr.accepted.Load())
				d.printf("  sent %s of %s (%d%%)\n", count(n), count(total), 100*n/max(total, 1))
			}
		}
	}()
	rep, err := sender.Send(ctx, w.Events, scenario.SendOptions{Concurrency: d.s.concurrency})
	close(stop)
	wg.Wait()
	if err != nil {
		return fmt.Errorf("sending the day's events (%d of %d accepted): %w", rep.Delivered, total, err)
	}
	el := time.Since(start)
	d.printf("  sent %s of %s in %s (%.0f events/s), every one acknowledged by Kafka\n",
		count(rep.Delivered), count(total), el.Round(100*time.Millisecond), float64(rep.Delivered)/max(el.Seconds(), 1e-3))
	return nil
}

// sortedCurrencies returns a map's currency keys in the demo's order
// (scenario.Currencies first), then alphabetically.
func sortedCurrencies[V any](m map[string]V) []string {
	rank := func(c string) int {
		for i, d := range scenario.Currencies {
			if strings.EqualFold(c, d) {
				return i
			}
		}
		return len(scenario.Currencies)
	}
	out := make([]string, 0, len(m))
	for c := range m {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool {
		if ri, rj := rank(out[i]), rank(out[j]); ri != rj {
			return ri < rj
		}
		return out[i] < out[j]
	})
	return out
}

// plural is "1 refund", "2 refunds".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return count(n) + " " + noun + "s"
}

// count renders n with thousands separators: 1318 → "1,318".
func count(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
