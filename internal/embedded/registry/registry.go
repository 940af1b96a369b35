// Package registry runs the dev stack's Confluent-compatible schema registry.
//
// It serves franz-go's in-memory srfake registry over HTTP and makes it
// durable: after every successful change the whole state is snapshotted to
// disk, and Start restores that snapshot with the same subjects, versions and
// schema ids. Stable ids matter because every Avro record already on Kafka
// embeds the id of its writer schema (Confluent wire format); if a restart
// renumbered schemas those records would no longer decode.
package registry

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/sr/srfake"
)

// DefaultAddr is the dev-stack address of the schema registry, used when
// Config.Addr is empty.
const DefaultAddr = "127.0.0.1:8081"

// Config configures an embedded registry.
type Config struct {
	// Addr is the listen address, e.g. "127.0.0.1:8081". A ":0"-style port
	// picks a free one (tests); Addr and URL report what was bound.
	// Empty means DefaultAddr.
	Addr string
	// Dir holds the persisted state (schemas.json), e.g. <data-dir>/registry.
	// It is created if missing. Required: without it ids would not survive
	// a restart, which is the point of this package.
	Dir string
	// Logger receives startup and persistence errors. May be nil.
	Logger *slog.Logger
}

// Registry is a running embedded schema registry. Create it with Start and
// stop it with Close.
type Registry struct {
	log   *slog.Logger
	fake  *srfake.Registry
	inner http.Handler // srfake's own handler, without persistence
	path  string       // <Dir>/schemas.json
	ln    net.Listener
	srv   *http.Server
	url   string

	// snapMu serializes snapshots so a slow, older snapshot can never
	// overwrite a newer one half-way, and temp files never collide.
	snapMu sync.Mutex
}

// Start restores the state persisted in cfg.Dir (if any), listens on
// cfg.Addr and serves the registry in a background goroutine. A snapshot
// that cannot be restored exactly is an error: silently renumbering schemas
// would corrupt the decoding of records already on Kafka.
func Start(cfg Config) (*Registry, error) {
	if cfg.Dir == "" {
		return nil, errors.New("schema registry: Config.Dir is required")
	}
	if cfg.Addr == "" {
		cfg.Addr = DefaultAddr
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("schema registry: create data dir: %w", err)
	}

	fake := srfake.NewRegistry()
	r := &Registry{
		log:   log.With("component", "schema-registry"),
		fake:  fake,
		inner: fake.Handler(),
		path:  filepath.Join(cfg.Dir, snapshotFile),
	}
	n, err := r.load()
	if err != nil {
		return nil, err
	}

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("schema registry: listen on %s: %w", cfg.Addr, err)
	}
	r.ln = ln
	r.url = "http://" + dialAddr(ln.Addr())
	r.srv = &http.Server{Handler: r.persisting(r.inner), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := r.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			r.log.Error("serve failed", "err", err)
		}
	}()
	r.log.Info("listening", "url", r.url, "restored_versions", n, "state", r.path)
	return r, nil
}

// dialAddr turns a bound address into one a client can dial: a wildcard
// host (":8081" binds [::] or 0.0.0.0) becomes loopback.
func dialAddr(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok || !tcp.IP.IsUnspecified() {
		return a.String()
	}
	return net.JoinHostPort("127.0.0.1", fmt.Sprint(tcp.Port))
}

// URL is the base URL clients use, e.g. "http://127.0.0.1:8081".
func (r *Registry) URL() string { return r.url }

// Addr is the host:port actually bound, which differs from Config.Addr when
// the port was 0.
func (r *Registry) Addr() string { return r.ln.Addr().String() }

// Close stops accepting requests, waits for in-flight ones (bounded by ctx),
// then writes a final snapshot so nothing accepted is lost.
func (r *Registry) Close(ctx context.Context) error {
	var errs []error
	if err := r.srv.Shutdown(ctx); err != nil {
		errs = append(errs, fmt.Errorf("schema registry: shutdown: %w", err))
		_ = r.srv.Close() // ctx expired: drop the stragglers
	}
	if err := r.snapshot(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// checkClient does not keep connections alive, so readiness probes leave
// nothing behind that could hold up Close.
var checkClient = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}

// Check reports readiness: GET /subjects through the registry's own listener
// must answer 200, which proves the socket, the server and srfake all work.
func (r *Registry) Check(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.url+"/subjects", nil)
	if err != nil {
		return fmt.Errorf("schema registry: check: %w", err)
	}
	resp, err := checkClient.Do(req)
	if err != nil {
		return fmt.Errorf("schema registry: check: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("schema registry: check: GET /subjects answered %s", resp.Status)
	}
	return nil
}

// persisting wraps srfake's handler: a request that may change state and
// succeeded is snapshotted before its answer is released, so a client that
// got an id back knows the id is on disk. If the snapshot fails the client
// gets a 500 instead of the success it would otherwise have seen.
func (r *Registry) persisting(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Method == http.MethodGet || req.Method == http.MethodHead || req.Method == http.MethodOptions {
			next.ServeHTTP(w, req)
			return
		}
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, req)
		if rec.Code >= 200 && rec.Code < 300 {
			if err := r.snapshot(); err != nil {
				r.log.Error("persist failed", "method", req.Method, "path", req.URL.Path, "err", err)
				writeJSON(w, http.StatusInternalServerError, map[string]any{
					"error_code": 50001, // Confluent's "error in the backend data store"
					"message":    err.Error(),
				})
				return
			}
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	})
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/vnd.schemaregistry.v1+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

// call runs one request against srfake's handler in-process (bypassing the
// persistence middleware) and decodes the JSON answer into out if it is not
// nil. It returns the status code; a non-2xx status is not an error here.
func (r *Registry) call(method, path string, body, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, fmt.Errorf("%s %s: encode body: %w", method, path, err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, path, rd)
	if err != nil {
		return 0, fmt.Errorf("%s %s: %w", method, path, err)
	}
	rec := httptest.NewRecorder()
	r.inner.ServeHTTP(rec, req)
	if out != nil && rec.Code >= 200 && rec.Code < 300 {
		if err := json.Unmarshal(rec.Body.Bytes(), out); err != nil {
			return rec.Code, fmt.Errorf("%s %s: decode answer: %w", method, path, err)
		}
	}
	return rec.Code, nil
}
