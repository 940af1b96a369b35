package dedupe

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"

	"github.com/stripe-infor/stripe-infor/internal/tlsconfig/tlstest"
)

// tlsServer is a redis-server that speaks TLS only (--port 0).
type tlsServer struct {
	addr string
	dir  string
}

// startTLSServer runs redis-server on a TLS port with a certificate from
// ca; clients are not asked for certificates. extra are more options.
// Debian's redis-server is built with TLS; a build without it fails to
// start, and the test is skipped saying so.
func startTLSServer(t *testing.T, ca *tlstest.CA, extra ...string) *tlsServer {
	t.Helper()
	bin := redisServerBinary(t)
	dir := t.TempDir()
	cert, key := ca.Server(t)
	port := freePort(t)
	s := &tlsServer{addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), dir: dir}
	args := append([]string{
		"--port", "0",
		"--tls-port", strconv.Itoa(port),
		"--tls-cert-file", tlstest.WriteFile(t, dir, "server.crt", cert),
		"--tls-key-file", tlstest.WriteFile(t, dir, "server.key", key),
		"--tls-ca-cert-file", tlstest.WriteFile(t, dir, "ca.crt", ca.PEM),
		"--tls-auth-clients", "no",
		"--bind", "127.0.0.1",
		"--save", "",
		"--appendonly", "no",
		"--dir", dir,
		"--logfile", filepath.Join(dir, "redis.log"),
	}, extra...)
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.SysProcAttr = childSysProcAttr()
	if err := cmd.Start(); err != nil {
		t.Fatalf("start redis-server: %v", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() { _ = cmd.Process.Kill(); <-exited })

	// Wait for the TLS port with a client that checks nothing but liveness.
	probe := redis.NewClient(&redis.Options{Addr: s.addr, MaxRetries: -1, DialTimeout: time.Second,
		TLSConfig:                &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // liveness probe only
		MaintNotificationsConfig: &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}})
	defer probe.Close()
	for deadline := time.Now().Add(10 * time.Second); ; {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := probe.Ping(ctx).Err()
		cancel()
		if err == nil || strings.Contains(err.Error(), "NOAUTH") {
			return s
		}
		select {
		case <-exited:
			log, _ := os.ReadFile(filepath.Join(dir, "redis.log"))
			if strings.Contains(string(log), "TLS") || strings.Contains(string(log), "tls") {
				t.Skipf("this redis-server cannot serve TLS: %s", log)
			}
			t.Fatalf("redis-server exited at start: %s", log)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis-server TLS port not answering after 10s: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// password is a rotating secret as config.Watched serves it.
type password struct{ v atomic.Pointer[string] }

func newPassword(v string) *password { p := &password{}; p.set(v); return p }
func (p *password) set(v string)     { p.v.Store(&v) }
func (p *password) get() string      { return *p.v.Load() }

func ping(t *testing.T, c redis.UniversalClient) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return c.Ping(ctx).Err()
}

// killClients drops every client connection but the caller's, so the
// next command of any client has to dial (and authenticate) again.
func killClients(t *testing.T, admin redis.UniversalClient) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := admin.Do(ctx, "CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes").Err(); err != nil {
		t.Fatalf("CLIENT KILL: %v", err)
	}
}

// TestPasswordOverridesURL: REDIS_PASSWORD wins over the URL's password,
// a URL may name only the user, and an empty value falls back to the URL.
func TestPasswordOverridesURL(t *testing.T) {
	srv := startServer(t, "--requirepass", "right-one")
	for _, tc := range []struct {
		name, url, pass string
	}{
		{"no password in the URL", "redis://" + srv.addr(), "right-one"},
		{"wrong password in the URL", "redis://:wrong@" + srv.addr(), "right-one"},
		{"user without password", "redis://default@" + srv.addr(), "right-one"},
		{"empty override keeps the URL's", "redis://:right-one@" + srv.addr(), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := NewClientWith(tc.url, ClientOptions{Password: newPassword(tc.pass).get})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if err := ping(t, c); err != nil {
				t.Fatalf("ping: %v", err)
			}
		})
	}
	c, err := NewClientWith("redis://"+srv.addr(), ClientOptions{Password: newPassword("nope").get})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := ping(t, c); err == nil || strings.Contains(err.Error(), "nope") {
		t.Fatalf("a wrong password: %v", err)
	}
}

// TestPasswordRotationWithoutRestart: the server's password changes, then
// the file; the client's next connection uses the new one.
func TestPasswordRotationWithoutRestart(t *testing.T) {
	srv := startServer(t, "--requirepass", "first")
	pw := newPassword("first")
	c, err := NewClientWith("redis://"+srv.addr()+"?pool_size=1", ClientOptions{Password: pw.get})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := ping(t, c); err != nil {
		t.Fatal(err)
	}
	admin := probeClient(srv.addr(), "first")
	defer admin.Close()
	ctx := context.Background()
	if err := admin.ConfigSet(ctx, "requirepass", "second").Err(); err != nil {
		t.Fatal(err)
	}
	pw.set("second")
	killClients(t, admin)
	if err := ping(t, c); err != nil {
		t.Fatalf("after the rotation: %v", err)
	}
}

// TestTLSWithPrivateCA: rediss:// against a server whose certificate comes
// from a private CA: refused with the system roots, accepted with
// REDIS_TLS_CA_FILE, together with requirepass.
func TestTLSWithPrivateCA(t *testing.T) {
	ca := tlstest.NewCA(t, "redis-ca")
	srv := startTLSServer(t, ca, "--requirepass", "tls-pass")
	caFile := tlstest.WriteFile(t, t.TempDir(), "ca.crt", ca.PEM)

	sys, err := NewClientWith("rediss://"+srv.addr, ClientOptions{Password: newPassword("tls-pass").get})
	if err != nil {
		t.Fatal(err)
	}
	defer sys.Close()
	var verr *tls.CertificateVerificationError
	if err := ping(t, sys); !errors.As(err, &verr) {
		t.Fatalf("system roots trusted a private CA: %v", err)
	}

	c, err := NewClientWith("rediss://:tls-pass@"+srv.addr, ClientOptions{TLSCAFile: caFile})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := ping(t, c); err != nil {
		t.Fatalf("ping over TLS: %v", err)
	}
	st, err := New(c, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if cl, err := st.Acquire(context.Background(), "tls-test", "me"); err != nil || cl.State != Acquired {
		t.Fatalf("Acquire over TLS: %+v %v", cl, err)
	}
}

// TestTLSCARotation: the server moves to a certificate from a new CA; new
// connections fail until REDIS_TLS_CA_FILE holds it, then succeed, in the
// same client.
func TestTLSCARotation(t *testing.T) {
	oldCA, newCA := tlstest.NewCA(t, "redis-ca-1"), tlstest.NewCA(t, "redis-ca-2")
	srv := startTLSServer(t, oldCA)
	caFile := tlstest.WriteFile(t, t.TempDir(), "ca.crt", oldCA.PEM)
	// A pool larger than the failed dials below: go-redis stops dialling
	// for a second once as many dials as the pool size failed in a row.
	c, err := NewClientWith("rediss://"+srv.addr+"?pool_size=10", ClientOptions{TLSCAFile: caFile, TLSReloadInterval: time.Nanosecond})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := ping(t, c); err != nil {
		t.Fatal(err)
	}

	admin, err := NewClientWith("rediss://"+srv.addr, ClientOptions{TLSCAFile: caFile})
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	cert, key := newCA.Server(t)
	ctx := context.Background()
	// Both in one CONFIG SET: Redis reloads its TLS context once, with a
	// matching pair.
	if err := admin.Do(ctx, "CONFIG", "SET",
		"tls-cert-file", tlstest.WriteFile(t, srv.dir, "new.crt", cert),
		"tls-key-file", tlstest.WriteFile(t, srv.dir, "new.key", key)).Err(); err != nil {
		t.Fatalf("CONFIG SET tls-cert-file tls-key-file: %v", err)
	}
	killClients(t, admin)
	if err := ping(t, c); err == nil || !strings.Contains(err.Error(), "REDIS_TLS_CA_FILE") {
		t.Fatalf("a certificate from a CA not in REDIS_TLS_CA_FILE: %v", err)
	}
	if err := os.WriteFile(caFile, append(append([]byte{}, oldCA.PEM...), newCA.PEM...), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := ping(t, c); err != nil {
		t.Fatalf("after the CA file was updated: %v", err)
	}
}

func TestTLSCAFileNeedsTLSURL(t *testing.T) {
	ca := tlstest.NewCA(t, "ca")
	caFile := tlstest.WriteFile(t, t.TempDir(), "ca.crt", ca.PEM)
	_, err := NewClientWith("redis://:secret-pw@127.0.0.1:6379", ClientOptions{TLSCAFile: caFile})
	if err == nil || !strings.Contains(err.Error(), "REDIS_TLS_CA_FILE") || !strings.Contains(err.Error(), "rediss://") {
		t.Fatalf("want an error naming REDIS_TLS_CA_FILE and rediss://, got %v", err)
	}
	_, err = NewClientWith("rediss://127.0.0.1:6379", ClientOptions{TLSCAFile: caFile + ".missing"})
	if err == nil || !strings.Contains(err.Error(), "REDIS_TLS_CA_FILE") {
		t.Fatalf("want an error naming REDIS_TLS_CA_FILE, got %v", err)
	}
	// A user without a password is still refused when no password comes
	// from elsewhere.
	if _, err := NewClientWith("redis://app@127.0.0.1:6379", ClientOptions{}); err == nil {
		t.Fatal("a user name without a password was accepted without REDIS_PASSWORD")
	}
}
