package m3

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stripe-infor/stripe-infor/infor"
	"github.com/stripe-infor/stripe-infor/infor/emulator"
	"github.com/stripe-infor/stripe-infor/internal/command"
)

// env is the adapter against an emulator over real HTTP, configured from
// the .ionapi file the emulator writes, as for a real tenant.
type env struct {
	t  testing.TB
	e  *emulator.Emulator
	a  *Adapter
	c  *infor.Client
	rt *dropper
}

func newEnv(t testing.TB) *env {
	t.Helper()
	return newEnvWith(t, true)
}

// newEnvWith is newEnv with the emulator's state journaled to disk before
// each answer (persist, as in dev) or kept in memory only (benchmarks).
func newEnvWith(t testing.TB, persist bool) *env {
	t.Helper()
	dir := t.TempDir()
	ecfg := emulator.Config{}
	if persist {
		ecfg.DataDir = dir
	}
	e, err := emulator.New(ecfg)
	if err != nil {
		t.Fatalf("emulator: %v", err)
	}
	srv := httptest.NewServer(e.Handler())
	t.Cleanup(func() {
		srv.Close()
		_ = e.Close()
	})
	path := filepath.Join(dir, "emulator.ionapi")
	if err := e.WriteIONAPI(path, srv.URL); err != nil {
		t.Fatal(err)
	}
	cfg, err := infor.LoadIONAPI(path)
	if err != nil {
		t.Fatal(err)
	}
	rt := &dropper{next: http.DefaultTransport}
	c, err := infor.NewClient(cfg, infor.WithHTTPClient(&http.Client{Transport: rt}), infor.WithTimeout(10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	// A walk-in customer for guest charges, as a tenant would have one.
	if _, err := c.Execute(context.Background(), "CRS610MI", "Add", map[string]string{"CUNO": "WALKIN", "CUNM": "Walk-in customer"}); err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC) }
	return &env{t: t, e: e, rt: rt, c: c, a: New(c, Config{DefaultCustomer: "WALKIN", Now: now})}
}

// dropper is a transport that can lose the answer of a transaction after
// M3 has carried it out: the crash (or lost connection) between a write
// and its acknowledgement that idempotency by lookup is for.
type dropper struct {
	next http.RoundTripper
	mu   sync.Mutex
	drop map[string]int // "PROGRAM/TRANSACTION" → answers still to lose
	seen map[string]int // calls per "PROGRAM/TRANSACTION"
	// after runs once a call of "PROGRAM/TRANSACTION" was carried out,
	// before its answer reaches the adapter (someone else acting in M3 in
	// between); rewrite changes the answer's body (another tenant's shape).
	after   map[string]func(*http.Request)
	rewrite map[string]func([]byte) []byte
}

var errLost = errors.New("test: answer lost after the server carried the request out")

func (d *dropper) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := d.next.RoundTrip(r)
	if err != nil {
		return resp, err
	}
	key := ""
	if i := strings.Index(r.URL.Path, "/execute/"); i >= 0 {
		key = r.URL.Path[i+len("/execute/"):]
	}
	d.mu.Lock()
	if d.seen == nil {
		d.seen = map[string]int{}
	}
	d.seen[key]++
	lose := d.drop[key] > 0
	if lose {
		d.drop[key]--
	}
	after, rewrite := d.after[key], d.rewrite[key]
	d.mu.Unlock()
	if after != nil {
		after(r)
	}
	if lose {
		resp.Body.Close()
		return nil, errLost
	}
	if rewrite != nil {
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return nil, err
		}
		body = rewrite(body)
		resp.Body = io.NopCloser(bytes.NewReader(body))
		resp.ContentLength = int64(len(body))
		resp.Header.Del("Content-Length")
	}
	return resp, nil
}

// onAfter runs f after each call of prog/trans, before its answer returns.
func (d *dropper) onAfter(prog, trans string, f func(*http.Request)) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.after == nil {
		d.after = map[string]func(*http.Request){}
	}
	d.after[prog+"/"+trans] = f
}

// rewriteAnswers changes the body of every answer of prog/trans with f.
func (d *dropper) rewriteAnswers(prog, trans string, f func([]byte) []byte) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.rewrite == nil {
		d.rewrite = map[string]func([]byte) []byte{}
	}
	d.rewrite[prog+"/"+trans] = f
}

// loseAnswer makes the next n answers of prog/trans get lost.
func (d *dropper) loseAnswer(prog, trans string, n int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.drop == nil {
		d.drop = map[string]int{}
	}
	d.drop[prog+"/"+trans] = n
}

func (d *dropper) calls(prog, trans string) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.seen[prog+"/"+trans]
}

func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

func (v *env) state() emulator.State { return v.e.State() }

func usd(minor int64) command.Money { return command.Money{Minor: minor, Currency: "USD"} }
