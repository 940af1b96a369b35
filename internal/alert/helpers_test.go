package alert

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// hook is a webhook receiver: it records every request and answers with
// respond (200 when nil).
type hook struct {
	srv     *httptest.Server
	mu      sync.Mutex
	reqs    []request
	got     chan struct{} // one value per request, after it is recorded
	respond func(n int, w http.ResponseWriter, r *http.Request)
}

type request struct {
	method, path, contentType string
	body                      []byte
}

func newHook(t *testing.T, respond func(n int, w http.ResponseWriter, r *http.Request)) *hook {
	t.Helper()
	h := &hook{got: make(chan struct{}, 1000), respond: respond}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		h.reqs = append(h.reqs, request{r.Method, r.URL.Path, r.Header.Get("Content-Type"), b})
		n := len(h.reqs)
		h.mu.Unlock()
		h.got <- struct{}{}
		if h.respond != nil {
			h.respond(n, w, r)
		}
	}))
	t.Cleanup(h.srv.Close)
	return h
}

// secretPath is the part of a Slack-like webhook URL that is the credential.
const secretPath = "/services/T0SECRET/B0SECRET/xoxsecrettoken42"

func (h *hook) url() string { return h.srv.URL + secretPath }

// wait blocks until n more requests arrived (bounded, so a bug fails the
// test instead of hanging it).
func (h *hook) wait(t *testing.T, n int) {
	t.Helper()
	for range n {
		select {
		case <-h.got:
		case <-time.After(10 * time.Second):
			t.Fatalf("webhook: a request did not arrive")
		}
	}
}

func (h *hook) requests() []request {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]request(nil), h.reqs...)
}

// decoded is a request body as a generic map.
func decoded(t *testing.T, r request) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body is not JSON: %v: %s", err, r.body)
	}
	return m
}

func text(t *testing.T, r request) string {
	t.Helper()
	s, ok := decoded(t, r)["text"].(string)
	if !ok {
		t.Fatalf("no text in %s", r.body)
	}
	return s
}

// clock is a fake clock the tests move.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// logs is a goroutine-safe log sink.
type logs struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logs) Write(p []byte) (int, error) { l.mu.Lock(); defer l.mu.Unlock(); return l.buf.Write(p) }
func (l *logs) String() string              { l.mu.Lock(); defer l.mu.Unlock(); return l.buf.String() }
func (l *logs) logger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// start builds a Notifier on a checked config with test tuning: no
// background summary check unless tick > 0, retries 1 ms apart.
func start(t *testing.T, cfg Config, tick time.Duration) (*Notifier, *prometheus.Registry) {
	t.Helper()
	reg := prometheus.NewRegistry()
	cfg.Registerer = reg
	c, err := cfg.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	n, err := newNotifier(c, tuning{tick: tick, attempts: 3, backoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return n, reg
}

func count(n *Notifier, result string) float64 {
	return testutil.ToFloat64(n.m.total.WithLabelValues(result))
}

func sampleAlert(at time.Time) Alert {
	return Alert{
		Stage: "sink", Topic: "infor.salesorder.commands", Class: "validation",
		Code: "WITNO", Field: "ITNO", Message: "Item number SKU-404 does not exist",
		CommandID: "order:ch_3OAbc", CommandType: "CreateSalesOrder", EventID: "evt_1OAbc",
		StripeIDs: []string{"ch_3OAbc", "cus_P1x"}, Livemode: true, Partition: 2, Offset: 1207, At: at,
	}
}
