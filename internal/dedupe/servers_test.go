package dedupe

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

// Helpers that run real redis-server processes for the tests: a single
// node, a Sentinel set-up and a three-master Cluster, each on free ports in
// temporary directories, stopped by t.Cleanup.

const requireRedisEnv = "STRIPE_INFOR_REQUIRE_REDIS"

// redisServerBinary returns the redis-server path, or skips the test when it
// is missing (fails instead when STRIPE_INFOR_REQUIRE_REDIS=1).
func redisServerBinary(tb testing.TB) string {
	tb.Helper()
	p, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv(requireRedisEnv) == "1" {
			tb.Fatalf("redis-server not found on PATH and %s=1: %v", requireRedisEnv, err)
		}
		tb.Skipf("redis-server not found on PATH (install the Debian package redis-server; set %s=1 to make this a failure)", requireRedisEnv)
	}
	return p
}

func freePort(tb testing.TB) int {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// server is one redis-server process (a data node or a sentinel) that can be
// stopped and started again on the same port.
type server struct {
	tb     testing.TB
	bin    string
	dir    string
	port   int
	args   []string // the whole command line, port included
	cmd    *exec.Cmd
	exited chan struct{}
}

// startServer starts a data node with no persistence; extra are more
// redis-server options ("--requirepass", "x", …).
func startServer(tb testing.TB, extra ...string) *server {
	tb.Helper()
	dir := tb.TempDir()
	s := &server{tb: tb, bin: redisServerBinary(tb), dir: dir, port: freePort(tb)}
	s.args = append([]string{
		"--port", strconv.Itoa(s.port),
		"--bind", "127.0.0.1",
		"--save", "",
		"--appendonly", "no",
		"--dir", dir,
		"--logfile", filepath.Join(dir, "redis.log"),
		"--daemonize", "no",
	}, extra...)
	s.start()
	tb.Cleanup(s.stop)
	return s
}

func (s *server) addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port)) }

// start runs the process and waits until it answers PING.
func (s *server) start() {
	s.tb.Helper()
	cmd := exec.Command(s.bin, s.args...)
	cmd.Dir = s.dir
	cmd.SysProcAttr = childSysProcAttr()
	if err := cmd.Start(); err != nil {
		s.tb.Fatalf("start redis-server: %v", err)
	}
	s.cmd = cmd
	s.exited = make(chan struct{})
	go func(exited chan struct{}) { _ = cmd.Wait(); close(exited) }(s.exited)

	c := probeClient(s.addr(), "")
	defer c.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := c.Ping(ctx).Err()
		cancel()
		// NOAUTH still proves the server is up.
		if err == nil || strings.Contains(err.Error(), "NOAUTH") {
			return
		}
		select {
		case <-s.exited:
			s.tb.Fatalf("redis-server on %s exited at start: %s", s.addr(), s.logTail())
		default:
		}
		if time.Now().After(deadline) {
			s.tb.Fatalf("redis-server on %s not answering PING after 10s: %v; %s", s.addr(), err, s.logTail())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop kills the process and waits for it; safe to call twice.
func (s *server) stop() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	<-s.exited
	s.cmd = nil
}

func (s *server) logTail() string {
	for _, name := range []string{"redis.log", "sentinel.log"} {
		b, err := os.ReadFile(filepath.Join(s.dir, name))
		if err == nil {
			if len(b) > 2000 {
				b = b[len(b)-2000:]
			}
			return name + ": " + string(b)
		}
	}
	return "(no log)"
}

// probeClient talks to one node directly, without retries.
func probeClient(addr, password string) *redis.Client {
	return redis.NewClient(&redis.Options{
		Addr:                     addr,
		Password:                 password,
		MaxRetries:               -1,
		DialerRetries:            1,
		DialTimeout:              time.Second,
		MaintNotificationsConfig: &maintnotifications.Config{Mode: maintnotifications.ModeDisabled},
	})
}

// startSentinel starts a master (with password, if not empty) and one
// sentinel monitoring it as "mymaster"; it returns the sentinel and the
// master.
func startSentinel(tb testing.TB, password string) (sentinel, master *server) {
	tb.Helper()
	var extra []string
	if password != "" {
		extra = []string{"--requirepass", password}
	}
	master = startServer(tb, extra...)

	dir := tb.TempDir()
	conf := filepath.Join(dir, "sentinel.conf")
	var b strings.Builder
	port := freePort(tb)
	fmt.Fprintf(&b, "port %d\nbind 127.0.0.1\ndir %s\nlogfile %s\n", port, dir, filepath.Join(dir, "sentinel.log"))
	fmt.Fprintf(&b, "sentinel monitor mymaster 127.0.0.1 %d 1\n", master.port)
	fmt.Fprintf(&b, "sentinel down-after-milliseconds mymaster 60000\n")
	if password != "" {
		fmt.Fprintf(&b, "sentinel auth-pass mymaster %s\n", password)
	}
	if err := os.WriteFile(conf, []byte(b.String()), 0o600); err != nil {
		tb.Fatal(err)
	}
	sentinel = &server{tb: tb, bin: master.bin, dir: dir, port: port, args: []string{conf, "--sentinel"}}
	sentinel.start()
	tb.Cleanup(sentinel.stop)

	// Wait until the sentinel names the master.
	sc := redis.NewSentinelClient(&redis.Options{Addr: sentinel.addr(), MaxRetries: -1})
	defer sc.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		got, err := sc.GetMasterAddrByName(ctx, "mymaster").Result()
		cancel()
		if err == nil && len(got) == 2 && got[1] == strconv.Itoa(master.port) {
			return sentinel, master
		}
		if time.Now().After(deadline) {
			tb.Fatalf("sentinel does not name the master after 10s: %v %v; %s", got, err, sentinel.logTail())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// slotRanges are the three masters' slots in startCluster.
var slotRanges = [3][2]int{{0, 5460}, {5461, 10922}, {10923, 16383}}

// startCluster starts three cluster-enabled masters, gives each a third of
// the slots, joins them with CLUSTER MEET and waits for cluster_state:ok on
// all of them.
func startCluster(tb testing.TB) []*server {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	nodes := make([]*server, 3)
	busPorts := make([]int, 3)
	clients := make([]*redis.Client, 3)
	for i := range nodes {
		busPorts[i] = freePort(tb)
		dir := tb.TempDir()
		nodes[i] = startServer(tb,
			"--cluster-enabled", "yes",
			"--cluster-config-file", filepath.Join(dir, "nodes.conf"),
			"--cluster-port", strconv.Itoa(busPorts[i]),
			"--cluster-node-timeout", "5000",
		)
		clients[i] = probeClient(nodes[i].addr(), "")
		defer clients[i].Close()
	}
	for i, c := range clients {
		// Distinct epochs up front, as redis-cli --cluster create does, so
		// the nodes need not resolve epoch collisions before agreeing.
		if err := c.Do(ctx, "CLUSTER", "SET-CONFIG-EPOCH", i+1).Err(); err != nil {
			tb.Fatalf("CLUSTER SET-CONFIG-EPOCH on %s: %v", nodes[i].addr(), err)
		}
		if err := c.Do(ctx, "CLUSTER", "ADDSLOTSRANGE", slotRanges[i][0], slotRanges[i][1]).Err(); err != nil {
			tb.Fatalf("CLUSTER ADDSLOTSRANGE on %s: %v", nodes[i].addr(), err)
		}
	}
	for i := 1; i < len(nodes); i++ {
		if err := clients[0].Do(ctx, "CLUSTER", "MEET", "127.0.0.1", nodes[i].port, busPorts[i]).Err(); err != nil {
			tb.Fatalf("CLUSTER MEET %s: %v", nodes[i].addr(), err)
		}
	}
	for i, c := range clients {
		for {
			info, err := c.ClusterInfo(ctx).Result()
			if err == nil && strings.Contains(info, "cluster_state:ok") && strings.Contains(info, "cluster_known_nodes:3") {
				break
			}
			if ctx.Err() != nil {
				tb.Fatalf("cluster node %s not ok: %v\n%s", nodes[i].addr(), err, info)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	return nodes
}

// testCtx is a context for one test, bounded so a hang fails instead of
// stalling the suite.
func testCtx(tb testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	tb.Cleanup(cancel)
	return ctx
}

// newTestClient builds a client from url with NewClient and closes it at
// the end of the test.
func newTestClient(tb testing.TB, url string) redis.UniversalClient {
	tb.Helper()
	c, err := NewClient(url)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := c.Close(); err != nil && !errors.Is(err, redis.ErrClosed) {
			tb.Logf("close redis client: %v", err)
		}
	})
	return c
}
