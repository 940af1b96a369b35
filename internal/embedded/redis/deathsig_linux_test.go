//go:build linux

package redis

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

const helperEnv = "STRIPE_INFOR_REDIS_HELPER_ADDR"

// TestMain doubles as the helper process for TestChildDiesWithParent: with
// helperEnv set, the test binary starts a redis-server, reports it and waits
// to be killed.
func TestMain(m *testing.M) {
	if addr := os.Getenv(helperEnv); addr != "" {
		os.Exit(helperMain(addr, os.Getenv(helperEnv+"_DIR")))
	}
	os.Exit(m.Run())
}

func helperMain(addr, dir string) int {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s, err := Start(ctx, Config{Addr: addr, Dir: dir})
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper: Start:", err)
		return 1
	}
	if s.Mode() != ModeRedisServer {
		fmt.Fprintln(os.Stderr, "helper: wrong mode", s.Mode())
		return 1
	}
	fmt.Printf("READY %d\n", s.cmd.Process.Pid)
	time.Sleep(time.Minute) // the test SIGKILLs us long before this
	return 2
}

func TestChildDiesWithParent(t *testing.T) {
	requireRedisServer(t)
	addr := freeAddr(t)
	dir := filepath.Join(t.TempDir(), "redis")

	helper := exec.Command(os.Args[0], "-test.run=^$")
	helper.Env = append(os.Environ(), helperEnv+"="+addr, helperEnv+"_DIR="+dir)
	helper.Stderr = t.Output()
	out, err := helper.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := helper.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = helper.Process.Kill(); _ = helper.Wait() })

	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "READY ") {
				lines <- sc.Text()
				return
			}
		}
		close(lines)
	}()
	var redisPid int
	select {
	case line, ok := <-lines:
		if !ok {
			t.Fatal("helper exited without starting redis-server")
		}
		redisPid, err = strconv.Atoi(strings.TrimPrefix(line, "READY "))
		if err != nil {
			t.Fatalf("bad helper line %q", line)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("helper did not report READY within 20s")
	}
	// Safety net so a failing test does not leave redis-server running.
	t.Cleanup(func() { _ = syscall.Kill(redisPid, syscall.SIGKILL) })

	ctx := testCtx(t)
	url := "redis://" + addr + "/0"
	if err := Ping(ctx, url); err != nil {
		t.Fatalf("Ping while helper alive: %v", err)
	}

	if err := helper.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = helper.Wait()

	// The orphaned redis-server must get SIGTERM from the kernel and stop.
	deadline := time.Now().Add(10 * time.Second)
	for {
		pctx, cancel := context.WithTimeout(ctx, time.Second)
		err := Ping(pctx, url)
		cancel()
		if err != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("redis-server still answers PING 10s after its parent was killed")
		}
		time.Sleep(50 * time.Millisecond)
	}
	logData, err := os.ReadFile(filepath.Join(dir, "redis.log"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(logData), "SIGTERM") {
		t.Fatalf("redis.log does not show a SIGTERM shutdown:\n%s", logData)
	}
}
