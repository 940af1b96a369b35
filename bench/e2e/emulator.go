package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/stripe-infor/stripe-infor/infor"
	"github.com/stripe-infor/stripe-infor/infor/emulator"
	"github.com/stripe-infor/stripe-infor/infor/m3"
	"github.com/stripe-infor/stripe-infor/sinks/m3apply"
)

// allocatePath ends the URL of the MI call that completes a charge in M3:
// ABS100MI AddStatmtDetail allocates the payment to the invoice, with the
// charge id in TX40 (infor/m3/payment.go). It is the last call of the
// charge's last command, so its OK answer is "applied in Infor".
const allocatePath = "/ABS100MI/AddStatmtDetail"

// observedEmulator is an Infor emulator on its own loopback listener whose
// HTTP handler is wrapped to stamp the moment the allocation of each
// tracked charge is answered OK: the latency is observed from Infor's
// side, not from what the sink believes.
type observedEmulator struct {
	emu    *emulator.Emulator
	srv    *http.Server
	url    string
	ionapi string
	track  *tracker
	calls  atomic.Int64 // MI calls served
	byTx   sync.Map     // "PROGRAM/Transaction" → *atomic.Int64
}

// count adds one call of the transaction the path ends with.
func (o *observedEmulator) count(path string) {
	i := strings.LastIndexByte(path, '/')
	j := strings.LastIndexByte(path[:max(i, 0)], '/')
	if i < 0 || j < 0 {
		return
	}
	key := path[j+1:]
	c, ok := o.byTx.Load(key)
	if !ok {
		c, _ = o.byTx.LoadOrStore(key, new(atomic.Int64))
	}
	c.(*atomic.Int64).Add(1)
}

// mix is the MI calls served per transaction, most first.
func (o *observedEmulator) mix() []txCount {
	var out []txCount
	o.byTx.Range(func(k, v any) bool {
		out = append(out, txCount{k.(string), v.(*atomic.Int64).Load()})
		return true
	})
	slices.SortFunc(out, func(a, b txCount) int { return cmp.Compare(b.n, a.n) })
	return out
}

type txCount struct {
	tx string
	n  int64
}

// startEmulator serves a fresh emulator with 0 ms latency (no faults).
// dataDir "" keeps its state in memory; otherwise it journals every write
// there before answering, as in dev.
func startEmulator(dir, dataDir string, track *tracker) (*observedEmulator, error) {
	emu, err := emulator.New(emulator.Config{Tenant: "BENCH", DataDir: dataDir})
	if err != nil {
		return nil, fmt.Errorf("start emulator: %w", err)
	}
	emu.SetFaults(emulator.Faults{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		_ = emu.Close()
		return nil, err
	}
	o := &observedEmulator{emu: emu, url: "http://" + ln.Addr().String(), track: track}
	o.srv = &http.Server{Handler: o.wrap(emu.Handler()), ReadHeaderTimeout: 10 * time.Second}
	labeled("emulator", func() { go func() { _ = o.srv.Serve(ln) }() })
	o.ionapi = filepath.Join(dir, fmt.Sprintf("BENCH-%s.ionapi", strings.ReplaceAll(ln.Addr().String(), ":", "-")))
	if err := emu.WriteIONAPI(o.ionapi, o.url); err != nil {
		o.close()
		return nil, fmt.Errorf("write .ionapi: %w", err)
	}
	return o, nil
}

// wrap counts MI calls and, for an allocation, keeps a copy of the answer
// to read whether M3 accepted it once the handler has returned.
func (o *observedEmulator) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.URL.Path, "/m3api-rest/") {
			h.ServeHTTP(w, r)
			return
		}
		o.calls.Add(1)
		o.count(r.URL.Path)
		if !strings.HasSuffix(r.URL.Path, allocatePath) {
			h.ServeHTTP(w, r)
			return
		}
		rec := &teeWriter{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(rec, r)
		now := time.Now()
		if rec.status != http.StatusOK || !miOK(rec.body.Bytes()) {
			return
		}
		if ev := o.track.event(r.URL.Query().Get("TX40")); ev != nil {
			stamp(&ev.applied, now)
		}
	})
}

// miOK reports whether an MI answer is a success: M3 answers a business
// failure with HTTP 200 and nrOfFailedTransactions > 0, so the status
// alone says nothing.
func miOK(body []byte) bool {
	var res struct {
		Failed *int `json:"nrOfFailedTransactions"`
	}
	if err := json.Unmarshal(body, &res); err != nil || res.Failed == nil {
		return false
	}
	return *res.Failed == 0
}

// teeWriter passes the answer through and keeps a copy of it.
type teeWriter struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (t *teeWriter) WriteHeader(code int) {
	t.status = code
	t.ResponseWriter.WriteHeader(code)
}

func (t *teeWriter) Write(p []byte) (int, error) {
	t.body.Write(p)
	return t.ResponseWriter.Write(p)
}

// applier is the M3 applier for this emulator as `stripe-infor sink` and
// dev build it: one HTTP pool sized to the concurrency, the default M3
// configuration, test-mode commands allowed on the one tenant.
func (o *observedEmulator) applier(concurrency int) (*m3apply.Applier, *infor.Client, error) {
	cfg, err := infor.LoadIONAPI(o.ionapi)
	if err != nil {
		return nil, nil, err
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = max(100, 2*concurrency)
	tr.MaxIdleConnsPerHost = max(2, concurrency)
	c, err := infor.NewClient(cfg, infor.WithHTTPClient(&http.Client{Transport: tr}),
		infor.WithLogger(slog.New(slog.NewJSONHandler(io.Discard, nil))))
	if err != nil {
		return nil, nil, err
	}
	a, err := m3apply.New(m3apply.Config{Live: m3.New(c, m3.Config{}), AllowTestModeOnLive: true})
	if err != nil {
		return nil, nil, err
	}
	return a, c, nil
}

func (o *observedEmulator) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = o.srv.Shutdown(ctx)
	_ = o.emu.Close()
}
