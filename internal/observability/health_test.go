package observability

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

func get(t *testing.T, h http.Handler, path string) (int, map[string]any) {
	t.Helper()
	rw := httptest.NewRecorder()
	h.ServeHTTP(rw, httptest.NewRequest(http.MethodGet, path, nil))
	var body map[string]any
	_ = json.Unmarshal(rw.Body.Bytes(), &body)
	return rw.Code, body
}

func TestReadyzReportsFailingChecksByName(t *testing.T) {
	h := NewHealth()
	h.cacheFor = 0
	var kafkaDown atomic.Bool
	h.Add("kafka", func(context.Context) error {
		if kafkaDown.Load() {
			return errors.New("kafka unreachable")
		}
		return nil
	})
	h.Add("redis", func(context.Context) error { return nil })
	mux := http.NewServeMux()
	reg := prometheus.NewRegistry()
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: "probe_total", Help: "x"})
	reg.MustRegister(c)
	h.Register(mux, reg)

	if code, _ := get(t, mux, "/healthz"); code != 200 {
		t.Fatalf("healthz = %d", code)
	}
	if code, body := get(t, mux, "/readyz"); code != 200 || body["ready"] != true {
		t.Fatalf("readyz with all checks passing = %d %v", code, body)
	}
	kafkaDown.Store(true)
	code, body := get(t, mux, "/readyz")
	failed, _ := body["failed"].(map[string]any)
	if code != 503 || failed["kafka"] != "kafka unreachable" || failed["redis"] != nil {
		t.Fatalf("readyz with kafka down = %d %v", code, body)
	}
	kafkaDown.Store(false)
	h.SetDraining()
	if code, body := get(t, mux, "/readyz"); code != 503 || body["ready"] != false {
		t.Fatalf("readyz while draining = %d %v", code, body)
	}
	if code, _ := get(t, mux, "/healthz"); code != 200 {
		t.Fatalf("healthz while draining = %d (the process is still alive)", code)
	}
	rw := httptest.NewRecorder()
	mux.ServeHTTP(rw, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rw.Code != 200 || !strings.Contains(rw.Body.String(), "probe_total 0") {
		t.Fatalf("metrics = %d %q", rw.Code, rw.Body.String())
	}
}

func TestReadyzCachesChecksBriefly(t *testing.T) {
	h := NewHealth()
	h.cacheFor = time.Hour
	var calls atomic.Int32
	h.Add("slow", func(context.Context) error { calls.Add(1); return nil })
	for range 20 {
		if ok, _ := h.Ready(context.Background()); !ok {
			t.Fatal("not ready")
		}
	}
	if n := calls.Load(); n != 1 {
		t.Fatalf("check ran %d times within the cache window, want 1", n)
	}
}

func TestNewLoggerLevels(t *testing.T) {
	for _, lvl := range []string{"", "debug", "info", "WARN", "error"} {
		if _, err := NewLogger(nil, lvl); err != nil {
			t.Fatalf("level %q refused: %v", lvl, err)
		}
	}
	if _, err := NewLogger(nil, "loud"); err == nil {
		t.Fatal("unknown level accepted")
	}
}
