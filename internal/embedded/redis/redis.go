// Package redis runs the Redis that the dev stack (`stripe-infor dev`) uses
// when REDIS_URL is not set. Production deployments always point REDIS_URL at
// a real Redis (single node, Sentinel or Cluster) and never use this package.
//
// # Policy
//
// Start picks one of two modes:
//
//   - redis-server: if a redis-server binary is available (Config.Binary, or
//     "redis-server" on PATH, e.g. from the Debian package redis-server), it is
//     started as a child process listening on the configured address
//     (127.0.0.1 in the dev stack) with its data in Config.Dir:
//     appendonly yes, appendfsync everysec, no RDB snapshots (--save ""),
//     protected-mode yes, no daemonize, log file <Dir>/redis.log. Dedupe state
//     therefore survives restarts of the dev stack (at most about one second of
//     writes can be lost if the machine crashes). Close sends SHUTDOWN, which
//     fsyncs the AOF, waits for the process and kills it after 5 s.
//
//   - miniredis: otherwise (or when Config.Binary is "none") an in-process
//     github.com/alicebob/miniredis/v2 listens on the same address. State is
//     kept in memory only and is lost when the process exits; Start logs a
//     warning saying so. This is safe because Redis is only the first line of
//     dedupe: the Infor sink looks the external reference up in Infor before
//     creating a record, so losing Redis state never duplicates a record in
//     Infor, it only costs extra lookups.
//
// Either way Start returns only once the server answers PING (10 s timeout),
// and fails with an error naming the address if it is already in use. The
// context passed to Start bounds start-up only; the server runs until Close.
//
// The redis-server child must not outlive the parent. On Linux it is started
// with Pdeathsig SIGTERM (redis-server shuts down cleanly and fsyncs the AOF
// on SIGTERM) and in its own process group, so that a Ctrl-C in the terminal
// reaches only the parent, which then stops its consumers before Close stops
// Redis. (Pdeathsig fires when the OS thread that started the child exits; Go
// only retires threads whose goroutine exits while locked with
// runtime.LockOSThread, so do not call Start from such a goroutine.) On other
// operating systems there is no such guarantee and the child stays in the
// parent's process group, so at least a terminal Ctrl-C stops it too.
//
// The embedded server has no password. Nothing in this package logs a URL's
// password: errors and log lines carry redacted URLs only.
package redis

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/alicebob/miniredis/v2"
	goredis "github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

// Mode says which kind of server Start started.
type Mode string

const (
	// ModeRedisServer is a redis-server child process with AOF persistence.
	ModeRedisServer Mode = "redis-server"
	// ModeMiniredis is an in-process, in-memory miniredis.
	ModeMiniredis Mode = "miniredis"
)

// DefaultAddr is used when Config.Addr is empty.
const DefaultAddr = "127.0.0.1:6379"

// BinaryNone as Config.Binary forces miniredis mode.
const BinaryNone = "none"

const (
	readyTimeout    = 10 * time.Second
	shutdownTimeout = 5 * time.Second
	pollInterval    = 25 * time.Millisecond
)

// Config configures Start.
type Config struct {
	// Addr is host:port to listen on, e.g. "127.0.0.1:6379". Empty means
	// DefaultAddr; an empty host means 127.0.0.1; port 0 picks a free port.
	Addr string
	// Dir is the data directory (<data-dir>/redis), created if missing.
	// Required in redis-server mode; unused by miniredis.
	Dir string
	// Binary is the path to redis-server. "" looks redis-server up on PATH
	// (miniredis if it is not there); "none" forces miniredis. An explicit
	// path that cannot be executed is an error.
	Binary string
	// Logger receives start/stop and warning messages; nil discards them.
	Logger *slog.Logger
}

// Server is a running embedded Redis. Close stops it.
type Server struct {
	mode   Mode
	addr   string
	url    string
	logger *slog.Logger

	// miniredis mode
	mini *miniredis.Miniredis

	// redis-server mode
	cmd     *exec.Cmd
	stderr  *bytes.Buffer // written by os/exec; read only after exited is closed
	exited  chan struct{} // closed once cmd.Wait has returned
	waitErr error         // cmd.Wait's result; read only after exited is closed
	logPath string

	closeOnce sync.Once
	closeErr  error
}

// Start starts the embedded Redis described by cfg and waits until it
// answers PING. See the package documentation for how the mode is chosen.
func Start(ctx context.Context, cfg Config) (*Server, error) {
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	logger = logger.With("component", "embedded-redis")

	addr, err := normalizeAddr(cfg.Addr)
	if err != nil {
		return nil, err
	}

	binary, reason, err := chooseBinary(cfg.Binary)
	if err != nil {
		return nil, err
	}
	if binary == "" {
		return startMiniredis(ctx, addr, reason, logger)
	}
	return startRedisServer(ctx, addr, binary, cfg.Dir, logger)
}

// URL is the redis:// URL of the server, e.g. "redis://127.0.0.1:6379/0".
func (s *Server) URL() string { return s.url }

// Mode says whether the server is a redis-server child or miniredis.
func (s *Server) Mode() Mode { return s.mode }

// Close stops the server. In redis-server mode it sends SHUTDOWN (which
// fsyncs the AOF), waits for the process to exit and kills it if it has not
// exited after 5 s. Close is safe to call more than once.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		switch s.mode {
		case ModeMiniredis:
			s.mini.Close()
			s.logger.Info("embedded redis stopped", "mode", s.mode, "addr", s.addr)
		case ModeRedisServer:
			s.closeErr = s.stopRedisServer()
		}
	})
	return s.closeErr
}

// Ping connects to url with a go-redis UniversalClient built from
// redis.ParseURL's options, sends PING and closes the client. It is the
// readiness check for any Redis the stack uses: it makes a single attempt
// (no go-redis command or dial retries), so callers poll it, and ctx bounds
// it. Errors never contain the URL's password.
func Ping(ctx context.Context, url string) error {
	client, err := newClient(url)
	if err != nil {
		return err
	}
	defer client.Close()
	if err := client.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("redis: ping %s: %w", redactURL(url), err)
	}
	return nil
}

// newClient builds a UniversalClient (single node) from a redis:// or
// rediss:// URL.
func newClient(rawURL string) (goredis.UniversalClient, error) {
	opts, err := universalOptions(rawURL)
	if err != nil {
		return nil, err
	}
	return goredis.NewUniversalClient(opts), nil
}

func universalOptions(rawURL string) (*goredis.UniversalOptions, error) {
	opts, err := goredis.ParseURL(rawURL)
	if err != nil {
		// url.Parse errors quote the whole URL, password included; keep only
		// the underlying reason.
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return nil, fmt.Errorf("redis: invalid URL %s: %v", redactURL(rawURL), err)
	}
	return &goredis.UniversalOptions{
		Addrs:      []string{opts.Addr},
		ClientName: opts.ClientName,
		DB:         opts.DB,
		Protocol:   opts.Protocol,
		Username:   opts.Username,
		Password:   opts.Password,
		// One attempt only: the clients built here are one-shot probes
		// (PING, INFO, SHUTDOWN) whose callers poll, and go-redis' default
		// 3 command retries x 5 dial attempts would stretch a refused
		// connection to almost 2 s.
		MaxRetries:            -1,
		DialerRetries:         1,
		DialTimeout:           opts.DialTimeout,
		ReadTimeout:           opts.ReadTimeout,
		WriteTimeout:          opts.WriteTimeout,
		ContextTimeoutEnabled: true,
		PoolFIFO:              opts.PoolFIFO,
		PoolSize:              opts.PoolSize,
		PoolTimeout:           opts.PoolTimeout,
		MinIdleConns:          opts.MinIdleConns,
		MaxIdleConns:          opts.MaxIdleConns,
		MaxActiveConns:        opts.MaxActiveConns,
		ConnMaxIdleTime:       opts.ConnMaxIdleTime,
		ConnMaxLifetime:       opts.ConnMaxLifetime,
		TLSConfig:             opts.TLSConfig,
		DisableIdentity:       opts.DisableIdentity,
		IdentitySuffix:        opts.IdentitySuffix,
		// A short-lived client has no use for maintenance notifications, and
		// the handshake is noise against servers that do not know it.
		MaintNotificationsConfig: &maintnotifications.Config{Mode: maintnotifications.ModeDisabled},
	}, nil
}

// redactURL replaces the password of a URL with "xxxxx". Unparsable input is
// not echoed at all, since it may hold a password.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "<unparsable URL>"
	}
	return u.Redacted()
}

func normalizeAddr(addr string) (string, error) {
	if addr == "" {
		addr = DefaultAddr
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("redis: invalid address %q: %w", addr, err)
	}
	if host == "" {
		host = "127.0.0.1"
	}
	p, err := strconv.Atoi(port)
	if err != nil || p < 0 || p > 65535 {
		return "", fmt.Errorf("redis: invalid port in address %q", addr)
	}
	if p == 0 {
		// redis-server treats port 0 as "no TCP listener", so pick one.
		l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
		if err != nil {
			return "", fmt.Errorf("redis: pick a free port on %s: %w", host, err)
		}
		port = strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
		_ = l.Close()
	}
	return net.JoinHostPort(host, port), nil
}

// chooseBinary returns the redis-server path to run, or "" for miniredis
// together with the reason why.
func chooseBinary(binary string) (path, reason string, err error) {
	switch binary {
	case BinaryNone:
		return "", "Config.Binary is \"none\"", nil
	case "":
		p, err := exec.LookPath("redis-server")
		if err != nil {
			return "", "no redis-server on PATH", nil
		}
		return p, "", nil
	default:
		p, err := exec.LookPath(binary)
		if err != nil {
			return "", "", fmt.Errorf("redis: redis-server binary %q: %w", binary, err)
		}
		return p, "", nil
	}
}

// addrWait is how long checkAddrFree waits for a busy address to free up:
// after a crash of the dev process, its redis-server child gets SIGTERM and
// needs a moment to write its append-only file and release the port.
var addrWait = 5 * time.Second

// checkAddrFree fails with an error naming addr if something keeps listening
// there for addrWait. redis-server would otherwise fail to bind and exit, or,
// worse, our PING would be answered by the other server.
func checkAddrFree(addr string) error {
	deadline := time.Now().Add(addrWait)
	for {
		l, err := net.Listen("tcp", addr)
		if err == nil {
			return l.Close()
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("redis: cannot listen on %s (address already in use?): %w", addr, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func startMiniredis(ctx context.Context, addr, reason string, logger *slog.Logger) (*Server, error) {
	m := miniredis.NewMiniRedis()
	if err := m.StartAddr(addr); err != nil {
		return nil, fmt.Errorf("redis: cannot listen on %s (address already in use?): %w", addr, err)
	}
	s := &Server{
		mode:   ModeMiniredis,
		addr:   m.Addr(),
		logger: logger,
		mini:   m,
	}
	s.url = "redis://" + s.addr + "/0"
	if err := waitReady(ctx, s.url, nil); err != nil {
		m.Close()
		return nil, err
	}
	logger.Warn("embedded redis: running in-process miniredis; dedupe state is kept in memory only and is lost on restart "+
		"(safe: Infor lookups by external reference are the second line of dedupe); install redis-server to persist it",
		"reason", reason, "addr", s.addr, "url", s.url)
	return s, nil
}

func startRedisServer(ctx context.Context, addr, binary, dir string, logger *slog.Logger) (*Server, error) {
	if dir == "" {
		return nil, errors.New("redis: Config.Dir is required to run redis-server")
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("redis: data dir: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("redis: create data dir: %w", err)
	}
	if err := checkAddrFree(addr); err != nil {
		return nil, err
	}
	host, port, _ := net.SplitHostPort(addr)
	logPath := filepath.Join(dir, "redis.log")

	cmd := exec.Command(binary,
		"--bind", host,
		"--port", port,
		"--dir", dir,
		"--appendonly", "yes",
		"--appendfsync", "everysec",
		"--save", "",
		"--protected-mode", "yes",
		"--daemonize", "no",
		"--logfile", logPath,
	)
	cmd.Dir = dir
	stderr := &bytes.Buffer{}
	cmd.Stdout = io.Discard
	cmd.Stderr = &limitedWriter{buf: stderr, max: 8 << 10}
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("redis: start %s: %w", binary, err)
	}

	s := &Server{
		mode:    ModeRedisServer,
		addr:    addr,
		url:     "redis://" + addr + "/0",
		logger:  logger,
		cmd:     cmd,
		stderr:  stderr,
		exited:  make(chan struct{}),
		logPath: logPath,
	}
	go func() {
		s.waitErr = cmd.Wait()
		close(s.exited)
	}()

	if err := waitReady(ctx, s.url, s); err != nil {
		_ = cmd.Process.Kill()
		<-s.exited
		return nil, err
	}
	logger.Info("embedded redis started", "mode", s.mode, "addr", s.addr, "url", s.url,
		"dir", dir, "binary", binary, "pid", cmd.Process.Pid, "log", logPath)
	return s, nil
}

// waitReady polls PING until it answers, the 10 s timeout passes, ctx ends
// or (redis-server mode, s != nil) the child exits. In redis-server mode it
// also checks that the answering server is our child, not some other Redis
// that grabbed the port after checkAddrFree.
func waitReady(ctx context.Context, rawURL string, s *Server) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	ticker := time.NewTicker(pollInterval)
	defer ticker.Stop()
	var lastErr error
	for {
		if s != nil {
			select {
			case <-s.exited:
				return s.exitError("exited before it was ready")
			default:
			}
		}
		pctx, pcancel := context.WithTimeout(ctx, time.Second)
		lastErr = Ping(pctx, rawURL)
		if lastErr == nil && s != nil {
			lastErr = s.checkOwnProcess(pctx)
		}
		pcancel()
		if lastErr == nil {
			return nil
		}
		var exited <-chan struct{}
		if s != nil {
			exited = s.exited
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("redis: %s not ready within %s: %w (last error: %v)",
				redactURL(rawURL), readyTimeout, ctx.Err(), lastErr)
		case <-exited:
			return s.exitError("exited before it was ready")
		case <-ticker.C:
		}
	}
}

// checkOwnProcess verifies that the server at s.url is the child we started.
func (s *Server) checkOwnProcess(ctx context.Context) error {
	client, err := newClient(s.url)
	if err != nil {
		return err
	}
	defer client.Close()
	info, err := client.Info(ctx, "server").Result()
	if err != nil {
		return fmt.Errorf("redis: INFO server on %s: %w", s.addr, err)
	}
	want := strconv.Itoa(s.cmd.Process.Pid)
	for _, line := range strings.Split(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "process_id:"); ok {
			if v == want {
				return nil
			}
			return fmt.Errorf("redis: %s is answered by another Redis (pid %s, ours is %s): address already in use", s.addr, v, want)
		}
	}
	return fmt.Errorf("redis: INFO server on %s has no process_id", s.addr)
}

// exitError describes why the child exited; call only after s.exited is closed.
func (s *Server) exitError(what string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "redis: redis-server on %s %s: %v", s.addr, what, s.waitErr)
	if msg := strings.TrimSpace(s.stderr.String()); msg != "" {
		fmt.Fprintf(&b, "; stderr: %s", msg)
	}
	if tail := tailFile(s.logPath, 2<<10); tail != "" {
		fmt.Fprintf(&b, "; %s: %s", s.logPath, tail)
	}
	return errors.New(b.String())
}

func (s *Server) stopRedisServer() error {
	select {
	case <-s.exited:
		// Already gone (e.g. killed from outside): report how it ended.
		if s.waitErr != nil {
			return s.exitError("had already exited")
		}
		return nil
	default:
	}

	ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := s.sendShutdown(ctx); err != nil {
		// SIGTERM makes redis-server do the same clean shutdown.
		s.logger.Warn("embedded redis: SHUTDOWN failed, sending SIGTERM", "addr", s.addr, "err", err)
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
	}

	select {
	case <-s.exited:
	case <-ctx.Done():
		s.logger.Warn("embedded redis: did not exit in time, killing it", "addr", s.addr, "timeout", shutdownTimeout)
		_ = s.cmd.Process.Kill()
		<-s.exited
		return fmt.Errorf("redis: redis-server on %s did not exit within %s after SHUTDOWN and was killed", s.addr, shutdownTimeout)
	}
	if s.waitErr != nil {
		return s.exitError("exited uncleanly")
	}
	s.logger.Info("embedded redis stopped", "mode", s.mode, "addr", s.addr)
	return nil
}

// sendShutdown sends SHUTDOWN. A successful SHUTDOWN closes the connection
// instead of replying, so EOF-like errors count as success. newClient turns
// retries off: go-redis would otherwise retry on that EOF and then report
// "connection refused".
func (s *Server) sendShutdown(ctx context.Context) error {
	client, err := newClient(s.url)
	if err != nil {
		return err
	}
	defer client.Close()
	err = client.Shutdown(ctx).Err()
	if err == nil || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, net.ErrClosed) || errors.Is(err, syscall.ECONNRESET) {
		return nil
	}
	return err
}

func tailFile(path string, n int64) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return ""
	}
	off := max(st.Size()-n, 0)
	b := make([]byte, st.Size()-off)
	if _, err := f.ReadAt(b, off); err != nil && !errors.Is(err, io.EOF) {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// limitedWriter keeps the first max bytes and discards the rest, so a chatty
// child cannot grow the buffer without bound.
type limitedWriter struct {
	buf *bytes.Buffer
	max int
}

func (w *limitedWriter) Write(p []byte) (int, error) {
	if room := w.max - w.buf.Len(); room > 0 {
		if len(p) > room {
			w.buf.Write(p[:room])
		} else {
			w.buf.Write(p)
		}
	}
	return len(p), nil
}
