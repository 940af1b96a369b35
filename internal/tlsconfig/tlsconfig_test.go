package tlsconfig

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stripe-infor/stripe-infor/internal/tlsconfig/tlstest"
)

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func replace(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path+".tmp", data, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(path+".tmp", path); err != nil {
		t.Fatal(err)
	}
}

func poolOf(cas ...*tlstest.CA) *x509.CertPool {
	p := x509.NewCertPool()
	for _, ca := range cas {
		p.AddCert(ca.Cert)
	}
	return p
}

func TestNewErrorsNameTheSetting(t *testing.T) {
	dir := t.TempDir()
	ca := tlstest.NewCA(t, "ca")
	_, key := ca.Client(t, "c")
	other, _ := ca.Client(t, "other")
	tests := []struct {
		name    string
		s       Settings
		mention []string
	}{
		{"missing CA", Settings{Prefix: "REDIS_TLS", CAFile: dir + "/none"}, []string{"REDIS_TLS_CA_FILE", dir + "/none"}},
		{"CA without certificates", Settings{Prefix: "REDIS_TLS", CAFile: tlstest.WriteFile(t, dir, "k.pem", key)}, []string{"REDIS_TLS_CA_FILE", "no PEM CERTIFICATE"}},
		{"truncated CA", Settings{Prefix: "X", CAFile: tlstest.WriteFile(t, dir, "trunc.pem", []byte("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"))}, []string{"X_CA_FILE", "certificate 1"}},
		{"cert without key", Settings{Prefix: "KAFKA_TLS", CertFile: "/c"}, []string{"KAFKA_TLS_CERT_FILE", "KAFKA_TLS_KEY_FILE"}},
		{"mismatched pair", Settings{Prefix: "KAFKA_TLS", CertFile: tlstest.WriteFile(t, dir, "o.crt", other), KeyFile: tlstest.WriteFile(t, dir, "c.key", key)}, []string{"KAFKA_TLS_CERT_FILE/KAFKA_TLS_KEY_FILE"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.s)
			if err == nil {
				t.Fatal("no error")
			}
			for _, m := range tc.mention {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("error %q does not mention %q", err, m)
				}
			}
			if strings.Contains(err.Error(), "PRIVATE KEY") {
				t.Errorf("error shows the key: %q", err)
			}
		})
	}
}

// TestReloadCA: a changed CA file is used by the next Config once the
// interval has passed, not before; a broken file keeps the last good pool.
func TestReloadCA(t *testing.T) {
	dir := t.TempDir()
	ca1, ca2 := tlstest.NewCA(t, "one"), tlstest.NewCA(t, "two")
	path := tlstest.WriteFile(t, dir, "ca.crt", ca1.PEM)
	logs := &syncBuf{}
	log := slog.New(slog.NewTextHandler(logs, nil))

	slow, err := New(Settings{Prefix: "K", CAFile: path, ReloadInterval: time.Hour, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	fast, err := New(Settings{Prefix: "K", CAFile: path, ReloadInterval: time.Nanosecond, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	if !fast.Config("h").RootCAs.Equal(poolOf(ca1)) {
		t.Fatal("initial pool is not the file's CA")
	}

	replace(t, path, append(append([]byte{}, ca1.PEM...), ca2.PEM...))
	if !slow.Config("h").RootCAs.Equal(poolOf(ca1)) {
		t.Error("re-read before the interval passed")
	}
	if !fast.Config("h").RootCAs.Equal(poolOf(ca1, ca2)) {
		t.Error("the new bundle was not picked up")
	}

	replace(t, path, []byte("garbage"))
	if !fast.Config("h").RootCAs.Equal(poolOf(ca1, ca2)) {
		t.Error("a broken file replaced the last good pool")
	}
	if !strings.Contains(logs.String(), "does not parse") || !strings.Contains(logs.String(), "K_CA_FILE") {
		t.Errorf("the broken file was not logged: %s", logs.String())
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if !fast.Config("h").RootCAs.Equal(poolOf(ca1, ca2)) {
		t.Error("a missing file replaced the last good pool")
	}
	replace(t, path, ca2.PEM)
	if !fast.Config("h").RootCAs.Equal(poolOf(ca2)) {
		t.Error("recovery after a broken file not picked up")
	}
}

// TestConfigServerName: the host dialled is verified unless ServerName says
// otherwise; InsecureSkipVerify passes through; TLS 1.2 is the floor.
func TestConfigServerName(t *testing.T) {
	c, err := New(Settings{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := c.Config("10.0.0.7")
	if cfg.ServerName != "10.0.0.7" || cfg.InsecureSkipVerify || cfg.MinVersion != tls.VersionTLS12 || cfg.RootCAs != nil || cfg.GetClientCertificate != nil {
		t.Errorf("default config: %+v", cfg)
	}
	c, err = New(Settings{ServerName: "kafka.example", InsecureSkipVerify: true, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if cfg := c.Config("10.0.0.7"); cfg.ServerName != "kafka.example" || !cfg.InsecureSkipVerify {
		t.Errorf("override: %+v", cfg)
	}
}

// TestDialerRotatesClientCertificate runs a TLS server requiring client
// certificates and checks which one each new connection presents.
func TestDialerRotatesClientCertificate(t *testing.T) {
	dir := t.TempDir()
	serverCA, clientCA := tlstest.NewCA(t, "server-ca"), tlstest.NewCA(t, "client-ca")
	seen := make(chan string, 4)
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{
		Certificates: []tls.Certificate{serverCA.ServerTLS(t)},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    clientCA.Pool(),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			tc := conn.(*tls.Conn)
			if tc.Handshake() == nil {
				seen <- tc.ConnectionState().PeerCertificates[0].Subject.CommonName
			}
			conn.Close()
		}
	}()

	cert, key := clientCA.Client(t, "v1")
	s := Settings{
		Prefix:         "KAFKA_TLS",
		CAFile:         tlstest.WriteFile(t, dir, "ca.crt", serverCA.PEM),
		CertFile:       tlstest.WriteFile(t, dir, "tls.crt", cert),
		KeyFile:        tlstest.WriteFile(t, dir, "tls.key", key),
		ReloadInterval: time.Nanosecond,
	}
	c, err := New(s)
	if err != nil {
		t.Fatal(err)
	}
	dial := c.Dialer(nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	connect := func() string {
		t.Helper()
		conn, err := dial(ctx, "tcp", ln.Addr().String())
		if err != nil {
			t.Fatalf("dial: %v", err)
		}
		defer conn.Close()
		select {
		case cn := <-seen:
			return cn
		case <-ctx.Done():
			t.Fatal("server saw no handshake")
			return ""
		}
	}
	if cn := connect(); cn != "v1" {
		t.Fatalf("presented %q, want v1", cn)
	}
	cert, key = clientCA.Client(t, "v2")
	replace(t, s.KeyFile, key) // key first: the pair is inconsistent for a moment
	if cn := connect(); cn != "v1" {
		t.Fatalf("a half-rotated pair was used: presented %q", cn)
	}
	replace(t, s.CertFile, cert)
	if cn := connect(); cn != "v2" {
		t.Fatalf("presented %q after the rotation, want v2", cn)
	}
}

// TestDialerExplainsUntrustedServer: the error names the CA setting.
func TestDialerExplainsUntrustedServer(t *testing.T) {
	ca, other := tlstest.NewCA(t, "ca"), tlstest.NewCA(t, "other")
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{other.ServerTLS(t)}})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			_ = conn.(*tls.Conn).Handshake()
			conn.Close()
		}
	}()
	c, err := New(Settings{Prefix: "REDIS_TLS", CAFile: tlstest.WriteFile(t, t.TempDir(), "ca.crt", ca.PEM)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Dialer(&net.Dialer{Timeout: 5 * time.Second})(context.Background(), "tcp", ln.Addr().String())
	var verr *tls.CertificateVerificationError
	if !errors.As(err, &verr) || !strings.Contains(err.Error(), "REDIS_TLS_CA_FILE") {
		t.Fatalf("want a verification error naming REDIS_TLS_CA_FILE, got %v", err)
	}
}
