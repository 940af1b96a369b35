package observability

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Check reports whether one dependency is usable; nil means ready.
type Check func(ctx context.Context) error

// Health serves /healthz (the process is up) and /readyz (every registered
// check passes and the process is not draining). Checks run on demand with a
// short timeout; a probe storm is absorbed by caching the answer briefly.
type Health struct {
	timeout  time.Duration
	cacheFor time.Duration
	draining atomic.Bool

	mu     sync.Mutex
	checks map[string]Check
	last   time.Time
	lastOK bool
	lastBy map[string]string
}

// NewHealth returns a Health with no checks.
func NewHealth() *Health {
	return &Health{timeout: 2 * time.Second, cacheFor: time.Second, checks: map[string]Check{}}
}

// Add registers a named readiness check.
func (h *Health) Add(name string, c Check) {
	h.mu.Lock()
	h.checks[name] = c
	h.last = time.Time{}
	h.mu.Unlock()
}

// SetDraining marks the process as shutting down: /readyz fails so load
// balancers stop sending work while in-flight requests finish.
func (h *Health) SetDraining() { h.draining.Store(true) }

// Ready runs the checks (or returns the cached answer) and reports the
// failing ones by name.
func (h *Health) Ready(ctx context.Context) (bool, map[string]string) {
	if h.draining.Load() {
		return false, map[string]string{"process": "shutting down"}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.last.IsZero() && time.Since(h.last) < h.cacheFor {
		return h.lastOK, h.lastBy
	}
	ctx, cancel := context.WithTimeout(ctx, h.timeout)
	defer cancel()
	failed := map[string]string{}
	for name, c := range h.checks {
		if err := c(ctx); err != nil {
			failed[name] = err.Error()
		}
	}
	h.last, h.lastOK, h.lastBy = time.Now(), len(failed) == 0, failed
	return h.lastOK, failed
}

// Register adds /healthz, /readyz and /metrics (from gatherer) to mux.
func (h *Health) Register(mux *http.ServeMux, gatherer prometheus.Gatherer) {
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"ok"}`))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ok, failed := h.Ready(r.Context())
		w.Header().Set("Content-Type", "application/json")
		if !ok {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		_ = json.NewEncoder(w).Encode(struct {
			Ready  bool              `json:"ready"`
			Failed map[string]string `json:"failed,omitempty"`
		}{ok, failed})
	})
	if gatherer != nil {
		mux.Handle("GET /metrics", promhttp.HandlerFor(gatherer, promhttp.HandlerOpts{}))
	}
}
