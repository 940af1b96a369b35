package redis

import (
	"context"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// freeAddr returns a 127.0.0.1 address with a port that was free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatalf("close listener: %v", err)
	}
	return addr
}

func requireRedisServer(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("redis-server not on PATH (apt-get install redis-server); skipping redis-server mode test")
	}
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func start(t *testing.T, cfg Config) *Server {
	t.Helper()
	if cfg.Logger == nil {
		cfg.Logger = testLogger(t)
	}
	s, err := Start(testCtx(t), cfg)
	if err != nil {
		t.Fatalf("Start(%+v): %v", cfg, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("cleanup Close: %v", err)
		}
	})
	return s
}

func client(t *testing.T, url string) *goredis.Client {
	t.Helper()
	opts, err := goredis.ParseURL(url)
	if err != nil {
		t.Fatalf("ParseURL(%q): %v", url, err)
	}
	c := goredis.NewClient(opts)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func TestRedisServerPersistsAcrossRestart(t *testing.T) {
	requireRedisServer(t)
	ctx := testCtx(t)
	addr := freeAddr(t)
	dir := filepath.Join(t.TempDir(), "redis") // does not exist yet

	s1 := start(t, Config{Addr: addr, Dir: dir})
	if got := s1.Mode(); got != ModeRedisServer {
		t.Fatalf("Mode() = %q, want %q", got, ModeRedisServer)
	}
	if want := "redis://" + addr + "/0"; s1.URL() != want {
		t.Fatalf("URL() = %q, want %q", s1.URL(), want)
	}
	c1 := client(t, s1.URL())
	if err := c1.Set(ctx, "dedupe:evt_123", "done", 0).Err(); err != nil {
		t.Fatalf("SET: %v", err)
	}
	_ = c1.Close()
	if err := s1.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := Ping(ctx, s1.URL()); err == nil {
		t.Fatal("Ping after Close succeeded; redis-server still running")
	}
	for _, p := range []string{"redis.log", "appendonlydir"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			t.Errorf("expected %s in data dir: %v", p, err)
		}
	}

	s2 := start(t, Config{Addr: addr, Dir: dir})
	if s2.Mode() != ModeRedisServer {
		t.Fatalf("second Mode() = %q", s2.Mode())
	}
	got, err := client(t, s2.URL()).Get(ctx, "dedupe:evt_123").Result()
	if err != nil {
		t.Fatalf("GET after restart: %v (state was not persisted)", err)
	}
	if got != "done" {
		t.Fatalf("GET after restart = %q, want %q", got, "done")
	}
}

func TestMiniredisMode(t *testing.T) {
	ctx := testCtx(t)
	addr := freeAddr(t)
	s := start(t, Config{Addr: addr, Dir: filepath.Join(t.TempDir(), "redis"), Binary: BinaryNone})
	if got := s.Mode(); got != ModeMiniredis {
		t.Fatalf("Mode() = %q, want %q", got, ModeMiniredis)
	}
	if want := "redis://" + addr + "/0"; s.URL() != want {
		t.Fatalf("URL() = %q, want %q", s.URL(), want)
	}
	c := client(t, s.URL())
	if err := c.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatalf("SET: %v", err)
	}
	got, err := c.Get(ctx, "k").Result()
	if err != nil {
		t.Fatalf("GET: %v", err)
	}
	if got != "v" {
		t.Fatalf("GET = %q, want %q", got, "v")
	}
	// The UniversalClient used by Ping must work against miniredis too.
	if err := Ping(ctx, s.URL()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
}

func TestMiniredisWarnsStateNotPersisted(t *testing.T) {
	var buf strings.Builder
	logger := slog.New(slog.NewTextHandler(&buf, nil)) // TextHandler serialises writes
	s := start(t, Config{Addr: freeAddr(t), Binary: BinaryNone, Logger: logger})
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	out := buf.String()
	if !strings.Contains(out, "level=WARN") || !strings.Contains(out, "memory only") ||
		!strings.Contains(out, "second line of dedupe") {
		t.Fatalf("missing not-persisted warning in log:\n%s", out)
	}
}

func TestStartAddressInUse(t *testing.T) {
	for _, tc := range []struct {
		name   string
		binary string
	}{
		{"redis-server", ""},
		{"miniredis", BinaryNone},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.binary == "" {
				requireRedisServer(t)
			}
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatalf("listen: %v", err)
			}
			defer l.Close()
			addr := l.Addr().String()

			s, err := Start(testCtx(t), Config{Addr: addr, Dir: t.TempDir(), Binary: tc.binary, Logger: testLogger(t)})
			if err == nil {
				_ = s.Close()
				t.Fatalf("Start on busy %s succeeded (mode %s), want error", addr, s.Mode())
			}
			if !strings.Contains(err.Error(), addr) {
				t.Fatalf("error %q does not mention the address %s", err, addr)
			}
			t.Logf("got expected error: %v", err)
		})
	}
}

func TestStartAddressTakenByRedis(t *testing.T) {
	// Another Redis already on the port must not be mistaken for ours.
	requireRedisServer(t)
	other := start(t, Config{Addr: freeAddr(t), Binary: BinaryNone})
	addr := strings.TrimSuffix(strings.TrimPrefix(other.URL(), "redis://"), "/0")
	s, err := Start(testCtx(t), Config{Addr: addr, Dir: t.TempDir(), Logger: testLogger(t)})
	if err == nil {
		_ = s.Close()
		t.Fatalf("Start on %s held by miniredis succeeded, want error", addr)
	}
	if !strings.Contains(err.Error(), addr) {
		t.Fatalf("error %q does not mention the address %s", err, addr)
	}
}

func TestPingFailsAfterClose(t *testing.T) {
	for _, tc := range []struct {
		name   string
		binary string
	}{
		{"redis-server", ""},
		{"miniredis", BinaryNone},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.binary == "" {
				requireRedisServer(t)
			}
			ctx := testCtx(t)
			s, err := Start(ctx, Config{Addr: freeAddr(t), Dir: t.TempDir(), Binary: tc.binary, Logger: testLogger(t)})
			if err != nil {
				t.Fatalf("Start: %v", err)
			}
			if err := Ping(ctx, s.URL()); err != nil {
				_ = s.Close()
				t.Fatalf("Ping before Close: %v", err)
			}
			if err := s.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			if err := s.Close(); err != nil {
				t.Fatalf("second Close: %v", err)
			}
			pctx, cancel := context.WithTimeout(ctx, 3*time.Second)
			defer cancel()
			if err := Ping(pctx, s.URL()); err == nil {
				t.Fatal("Ping after Close succeeded")
			}
		})
	}
}

func TestExplicitBinaryMissing(t *testing.T) {
	_, err := Start(testCtx(t), Config{Addr: freeAddr(t), Dir: t.TempDir(), Binary: "/nonexistent/redis-server"})
	if err == nil {
		t.Fatal("Start with a missing explicit binary succeeded, want error")
	}
}

func TestRedisServerRequiresDir(t *testing.T) {
	requireRedisServer(t)
	_, err := Start(testCtx(t), Config{Addr: freeAddr(t)})
	if err == nil || !strings.Contains(err.Error(), "Dir") {
		t.Fatalf("Start without Dir: err = %v, want an error naming Dir", err)
	}
}

func TestPingDoesNotLeakPassword(t *testing.T) {
	ctx, cancel := context.WithTimeout(testCtx(t), 3*time.Second)
	defer cancel()
	for _, url := range []string{
		"redis://user:s3cretpw@" + freeAddr(t) + "/0", // nothing listens
		"redis://user:s3cretpw@127.0.0.1:notaport/0",  // unparsable
	} {
		err := Ping(ctx, url)
		if err == nil {
			t.Fatalf("Ping(%s) succeeded", url)
		}
		if strings.Contains(err.Error(), "s3cretpw") {
			t.Fatalf("Ping error leaks the password: %v", err)
		}
	}
}

func TestPortZeroPicksFreePort(t *testing.T) {
	s := start(t, Config{Addr: "127.0.0.1:0", Binary: BinaryNone})
	if strings.HasSuffix(s.URL(), ":0/0") {
		t.Fatalf("URL() = %q still has port 0", s.URL())
	}
	if err := Ping(testCtx(t), s.URL()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
}

func TestCheckOwnProcess(t *testing.T) {
	requireRedisServer(t)
	ctx := testCtx(t)
	s := start(t, Config{Addr: freeAddr(t), Dir: t.TempDir()})
	if err := s.checkOwnProcess(ctx); err != nil {
		t.Fatalf("checkOwnProcess on our own child: %v", err)
	}
	impostor := &Server{addr: s.addr, url: s.url, cmd: &exec.Cmd{Process: &os.Process{Pid: s.cmd.Process.Pid + 100000}}}
	err := impostor.checkOwnProcess(ctx)
	if err == nil || !strings.Contains(err.Error(), "another Redis") || !strings.Contains(err.Error(), s.addr) {
		t.Fatalf("checkOwnProcess with a foreign pid: err = %v, want 'another Redis' naming %s", err, s.addr)
	}
}

func TestRedisServerExitsEarly(t *testing.T) {
	bin, err := exec.LookPath("false")
	if err != nil {
		t.Skip("no false(1) on PATH")
	}
	addr := freeAddr(t)
	_, err = Start(testCtx(t), Config{Addr: addr, Dir: t.TempDir(), Binary: bin})
	if err == nil || !strings.Contains(err.Error(), "exited before it was ready") || !strings.Contains(err.Error(), addr) {
		t.Fatalf("Start with a binary that exits: err = %v, want 'exited before it was ready' naming %s", err, addr)
	}
}
