package backfill_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/stripe-infor/stripe-infor/internal/kafka"
	"github.com/stripe-infor/stripe-infor/internal/stripeapi"
	"github.com/stripe-infor/stripe-infor/internal/stripefixture"
	"github.com/stripe-infor/stripe-infor/ops/backfill"
	"github.com/stripe-infor/stripe-infor/ops/internal/opstest"
	"github.com/stripe-infor/stripe-infor/producer"
)

const (
	testKey   = "sk_test_51BackfillSecret0123456789"
	webhookTo = "webhook.copy"
)

// world is a broker with the raw topic, a fake Stripe, and the events it
// holds: 240 events one minute apart ending 10 minutes ago, of three
// types, every 5th one delivered. Events 0, 3 and 6 of those the backfill
// should take are already on the raw topic, as the webhook wrote them.
type world struct {
	e       *opstest.Env
	stripe  *opstest.FakeStripe
	client  *stripeapi.Client
	now     time.Time
	bodies  map[string][]byte // by event id
	want    []string          // ids the backfill must write, oldest first
	already []string          // ids already ingested that it must skip
}

var types = []string{"charge.succeeded", "customer.created", "payout.paid"}

func newWorld(t *testing.T) *world {
	w := &world{e: opstest.Start(t, map[string]int32{kafka.RawEvents: 3, webhookTo: 3}), stripe: opstest.NewFakeStripe(t, testKey),
		now: time.Now().UTC().Truncate(time.Second), bodies: map[string][]byte{}}
	c, err := stripeapi.New(stripeapi.Config{Base: w.stripe.URL, TestKey: testKey, RatePerSecond: 1000})
	if err != nil {
		t.Fatal(err)
	}
	w.client = c
	var ingested []*kgo.Record
	candidate := 0
	for i := range 240 {
		typ := types[i%3]
		created := w.now.Add(time.Duration(i-250) * time.Minute)
		body := stripefixture.MustEvent(typ, stripefixture.Options{Seq: int64(i), Created: created})
		env, err := producer.ParseEnvelope(body)
		if err != nil {
			t.Fatal(err)
		}
		delivered := i%5 == 0
		w.stripe.Add(body, delivered)
		w.bodies[env.ID] = body
		if typ == "payout.paid" || delivered {
			continue
		}
		if candidate%3 == 0 && candidate <= 6 {
			r := producer.NewRecord(kafka.RawEvents, &env, body, created.Add(time.Second))
			r.Partition = int32(candidate % 3)
			ingested = append(ingested, r)
			w.already = append(w.already, env.ID)
		} else {
			w.want = append(w.want, env.ID)
		}
		candidate++
	}
	w.e.Produce(ingested...)
	return w
}

func (w *world) config() backfill.Config {
	return backfill.Config{Kafka: w.e.Kafka(), Stripe: w.client, Since: w.now.Add(-5 * time.Hour),
		Types: []string{"charge.succeeded", "customer.created"}, Now: func() time.Time { return w.now }}
}

func TestBackfill(t *testing.T) {
	w := newWorld(t)
	ctx := opstest.Ctx(t)

	// Dry run: the plan, nothing written.
	dry := w.config()
	dry.DryRun = true
	rep, err := backfill.Run(ctx, dry)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(w.e.ReadAll(kafka.RawEvents)); got != len(w.already) {
		t.Fatalf("dry run wrote: %d raw records", got)
	}
	if len(rep.Written) != len(w.want) || rep.Written[0].At != "" {
		t.Fatalf("dry run plans %d, want %d", len(rep.Written), len(w.want))
	}

	rep, err = backfill.Run(ctx, w.config())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Listed != len(w.want)+len(w.already) || len(rep.Refused) != 0 {
		t.Fatalf("listed %d (want %d), refused %v", rep.Listed, len(w.want)+len(w.already), rep.Refused)
	}
	slices.Sort(rep.Skipped)
	already := slices.Sorted(slices.Values(w.already))
	if !slices.Equal(rep.Skipped, already) {
		t.Fatalf("skipped %v, want %v", rep.Skipped, already)
	}
	var written []string
	for i, it := range rep.Written {
		written = append(written, it.ID)
		if it.At == "" || (i > 0 && it.Created.Before(rep.Written[i-1].Created)) {
			t.Fatalf("item %d: %+v (not written, or not oldest first)", i, it)
		}
	}
	if !slices.Equal(written, w.want) {
		t.Fatalf("wrote %d events, want %d", len(written), len(w.want))
	}

	// The requests: paginated, the filters Stripe needs, the test key.
	reqs := w.stripe.Requests()
	if len(reqs) != 4 { // 2 pages for the dry run, 2 for the run
		t.Fatalf("%d requests, want 4", len(reqs))
	}
	q0, q1 := reqs[2].URL.Query(), reqs[3].URL.Query()
	if q0.Get("delivery_success") != "false" || strings.Join(q0["types[]"], ",") != "charge.succeeded,customer.created" ||
		q0.Get("created[gte]") != strconv.FormatInt(w.now.Add(-5*time.Hour).Unix(), 10) ||
		q0.Get("created[lte]") != strconv.FormatInt(w.now.Unix(), 10) || q0.Has("starting_after") || q1.Get("starting_after") == "" {
		t.Fatalf("requests: %s / %s", reqs[2].URL.RawQuery, reqs[3].URL.RawQuery)
	}

	// The records: the event bytes exactly, the webhook's key and headers,
	// backfilled=true, received-at = now.
	recs := map[string]*kgo.Record{}
	for _, r := range w.e.ReadAll(kafka.RawEvents) {
		id, _ := opstest.Header(r, producer.HeaderEventID)
		if recs[id] != nil {
			t.Fatalf("%s twice on the raw topic", id)
		}
		recs[id] = r
	}
	if len(recs) != len(w.want)+len(w.already) {
		t.Fatalf("%d events on the raw topic, want %d", len(recs), len(w.want)+len(w.already))
	}
	for _, id := range w.want {
		r := recs[id]
		if !bytes.Equal(r.Value, w.bodies[id]) {
			t.Fatalf("%s: value is not Stripe's bytes", id)
		}
		env, _ := producer.ParseEnvelope(w.bodies[id])
		ref := producer.NewRecord(kafka.RawEvents, &env, w.bodies[id], w.now)
		if string(r.Key) != string(ref.Key) || len(r.Headers) != len(ref.Headers)+1 {
			t.Fatalf("%s: key %s headers %v", id, r.Key, r.Headers)
		}
		for i, h := range ref.Headers {
			if r.Headers[i].Key != h.Key || !bytes.Equal(r.Headers[i].Value, h.Value) {
				t.Fatalf("%s: header %d = %s:%s, want %s:%s", id, i, r.Headers[i].Key, r.Headers[i].Value, h.Key, h.Value)
			}
		}
		if last := r.Headers[len(r.Headers)-1]; last.Key != backfill.HeaderBackfilled || string(last.Value) != "true" {
			t.Fatalf("%s: last header %s=%s", id, last.Key, last.Value)
		}
	}

	// Again: everything is on the topic now, nothing is written.
	rep, err = backfill.Run(ctx, w.config())
	if err != nil || len(rep.Written) != 0 || len(rep.Skipped) != len(w.want)+len(w.already) {
		t.Fatalf("second run: wrote %d, skipped %d, %v", len(rep.Written), len(rep.Skipped), err)
	}
}

// The webhook and the backfill make the same record of one event: same
// key, same partition, same headers (received-at aside), same bytes.
func TestBackfillRecordMatchesWebhook(t *testing.T) {
	w := newWorld(t)
	ctx := opstest.Ctx(t)
	id := w.want[0]
	body := w.bodies[id]

	const secret = "whsec_backfill_test"
	pub, err := kafka.NewProducer(kafka.ProducerConfig{Config: w.e.Kafka()})
	if err != nil {
		t.Fatal(err)
	}
	defer pub.Close()
	h := producer.NewHandler(producer.HandlerConfig{Topic: webhookTo, Now: func() time.Time { return w.now }},
		producer.NewVerifier(5*time.Minute, secret), pub)
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "%s.%s", ts, body)
	req := httptest.NewRequest(http.MethodPost, "/webhooks/stripe", bytes.NewReader(body))
	req.Header.Set("Stripe-Signature", "t="+ts+",v1="+hex.EncodeToString(mac.Sum(nil)))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("webhook: %d %s", rec.Code, rec.Body)
	}

	cfg := w.config()
	env, err := producer.ParseEnvelope(body)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Types = []string{env.Type}
	if _, err := backfill.Run(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	var viaWebhook, viaBackfill *kgo.Record
	for _, r := range w.e.ReadAll(webhookTo) {
		viaWebhook = r
	}
	for _, r := range w.e.ReadAll(kafka.RawEvents) {
		if v, _ := opstest.Header(r, producer.HeaderEventID); v == id {
			viaBackfill = r
		}
	}
	if viaWebhook == nil || viaBackfill == nil {
		t.Fatalf("webhook record found %v, backfill record found %v", viaWebhook != nil, viaBackfill != nil)
	}
	if !bytes.Equal(viaWebhook.Key, viaBackfill.Key) || viaWebhook.Partition != viaBackfill.Partition || !bytes.Equal(viaWebhook.Value, viaBackfill.Value) {
		t.Fatalf("key %s/%s partition %d/%d", viaWebhook.Key, viaBackfill.Key, viaWebhook.Partition, viaBackfill.Partition)
	}
	if len(viaBackfill.Headers) != len(viaWebhook.Headers)+1 {
		t.Fatalf("headers: webhook %v, backfill %v", viaWebhook.Headers, viaBackfill.Headers)
	}
	for i, hw := range viaWebhook.Headers {
		hb := viaBackfill.Headers[i]
		if hw.Key != hb.Key || (hw.Key != producer.HeaderReceivedAt && !bytes.Equal(hw.Value, hb.Value)) {
			t.Fatalf("header %d: webhook %s=%s, backfill %s=%s", i, hw.Key, hw.Value, hb.Key, hb.Value)
		}
	}
}

func TestBackfillRefuses(t *testing.T) {
	w := newWorld(t)
	ctx := opstest.Ctx(t)
	for name, mod := range map[string]func(*backfill.Config){
		"older than 30 days": func(c *backfill.Config) { c.Since = w.now.Add(-backfill.Retention - time.Minute) },
		"no start":           func(c *backfill.Config) { c.Since = time.Time{} },
		"ends before start":  func(c *backfill.Config) { c.Until = c.Since.Add(-time.Hour) },
		"21 types":           func(c *backfill.Config) { c.Types = make([]string, 21) },
	} {
		cfg := w.config()
		mod(&cfg)
		if _, err := backfill.Run(ctx, cfg); err == nil {
			t.Fatalf("%s: accepted", name)
		}
	}
	if n := len(w.stripe.Requests()); n != 0 {
		t.Fatalf("refused ranges made %d requests to Stripe", n)
	}
	// 30 days less a minute is fine.
	cfg := w.config()
	cfg.Since = w.now.Add(-backfill.Retention + time.Minute)
	cfg.DryRun = true
	if _, err := backfill.Run(ctx, cfg); err != nil {
		t.Fatal(err)
	}
}

// Against stripe-mock, which refuses a request that does not follow
// Stripe's spec: the listing is well-formed and its event is written.
func TestBackfillAgainstStripeMock(t *testing.T) {
	base := opstest.StripeMock(t)
	e := opstest.Start(t, map[string]int32{kafka.RawEvents: 3})
	c, err := stripeapi.New(stripeapi.Config{Base: base, LiveKey: "sk_test_123", RatePerSecond: 1000})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := backfill.Run(opstest.Ctx(t), backfill.Config{Kafka: e.Kafka(), Stripe: c, Since: time.Now().Add(-24 * time.Hour),
		Types: []string{"charge.succeeded", "invoice.paid"}, Account: "acct_1Connected"})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Listed == 0 || len(rep.Written)+len(rep.Refused) != rep.Listed {
		t.Fatalf("report %+v", rep)
	}
	t.Logf("stripe-mock listed %d, written %d, refused %v", rep.Listed, len(rep.Written), rep.Refused)
	if got := len(e.ReadAll(kafka.RawEvents)); got != len(rep.Written) {
		t.Fatalf("%d raw records, want %d", got, len(rep.Written))
	}
}
