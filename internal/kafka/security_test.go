package kafka

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/stripe-infor/stripe-infor/internal/tlsconfig/tlstest"
)

const secTopic = "security.roundtrip"

// secureBroker starts kfake with the given options and one seeded topic.
func secureBroker(t *testing.T, opts ...kfake.Opt) string {
	t.Helper()
	c, err := kfake.NewCluster(append([]kfake.Opt{kfake.NumBrokers(1), kfake.SeedTopics(1, secTopic)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c.ListenAddrs()[0]
}

// serverTLS is a listener config serving one certificate from ca.
func serverTLS(t *testing.T, ca *tlstest.CA) *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{ca.ServerTLS(t)}, MinVersion: tls.VersionTLS12}
}

// roundTrip produces one record through a new producer and reads it back
// through a new consumer, both built from sec: two fresh sets of
// connections, each authenticated and encrypted as sec says.
func roundTrip(t *testing.T, addr string, sec *Security) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cfg := Config{Brokers: []string{addr}, ClientID: "security-test", Security: sec}
	prod, err := NewProducer(ProducerConfig{Config: cfg, DeliveryTimeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer prod.Close()
	if err := Ping(ctx, prod, sec); err != nil {
		t.Fatalf("ping: %v", err)
	}
	want := fmt.Sprintf("%s-%d", t.Name(), time.Now().UnixNano())
	if err := prod.ProduceSync(ctx, &kgo.Record{Topic: secTopic, Key: []byte("k"), Value: []byte(want)}).FirstErr(); err != nil {
		t.Fatalf("produce: %v", err)
	}
	cons, err := NewAdminClient(cfg, kgo.ConsumeTopics(secTopic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cons.Close()
	for {
		fs := cons.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			t.Fatalf("record %q not consumed: %v", want, err)
		}
		for _, fe := range fs.Errors() {
			t.Fatalf("consume %s[%d]: %v", fe.Topic, fe.Partition, fe.Err)
		}
		found := false
		fs.EachRecord(func(r *kgo.Record) { found = found || string(r.Value) == want })
		if found {
			return
		}
	}
}

// writeSecret writes a credential file the way a mounted Secret looks.
func writeSecret(t *testing.T, dir, name, v string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(v+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// replaceFile swaps a file's content atomically, as the kubelet does.
func replaceFile(t *testing.T, path string, data []byte) {
	t.Helper()
	tmp := path + ".new"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// logSink collects log lines written by franz-go and our code.
type logSink struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logSink) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logSink) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (l *logSink) logger() *slog.Logger { return slog.New(slog.NewTextHandler(l, nil)) }

// TestSASLOverTLS: each mechanism, over TLS verified against a CA file,
// with the password once as a value and once as a file.
func TestSASLOverTLS(t *testing.T) {
	for _, mech := range []string{SASLPlain, SASLScramSHA256, SASLScramSHA512} {
		for _, fromFile := range []bool{false, true} {
			name := mech + "/value"
			if fromFile {
				name = mech + "/file"
			}
			t.Run(name, func(t *testing.T) {
				dir := t.TempDir()
				ca := tlstest.NewCA(t, "cluster-ca")
				addr := secureBroker(t, kfake.EnableSASL(), kfake.Superuser(mech, "stripe-infor", "s3cret-"+mech), kfake.TLS(serverTLS(t, ca)))
				sec := &Security{
					Mechanism: strings.ToLower(mech), // any case is accepted
					Username:  "stripe-infor",
					CAFile:    tlstest.WriteFile(t, dir, "ca.crt", ca.PEM),
				}
				if fromFile {
					sec.PasswordFile = writeSecret(t, dir, "password", "s3cret-"+mech)
				} else {
					sec.Password = "s3cret-" + mech
				}
				roundTrip(t, addr, sec)
			})
		}
	}
}

// TestWrongPasswordRefused: the error says it is the credentials, names
// the settings, and never holds the password.
func TestWrongPasswordRefused(t *testing.T) {
	for _, mech := range []string{SASLPlain, SASLScramSHA512} {
		t.Run(mech, func(t *testing.T) {
			ca := tlstest.NewCA(t, "cluster-ca")
			addr := secureBroker(t, kfake.EnableSASL(), kfake.Superuser(mech, "stripe-infor", "the-right-one"), kfake.TLS(serverTLS(t, ca)))
			const wrong = "Wr0ng-Passw0rd-xyzzy"
			sec := &Security{
				Mechanism: mech, Username: "stripe-infor", Password: wrong,
				CAFile: tlstest.WriteFile(t, t.TempDir(), "ca.crt", ca.PEM),
			}
			logs := &logSink{}
			cl, err := NewAdminClient(Config{Brokers: []string{addr}, Security: sec, Logger: logs.logger()}, kgo.RetryTimeout(time.Second))
			if err != nil {
				t.Fatal(err)
			}
			defer cl.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			err = Ping(ctx, cl, sec)
			if err == nil {
				t.Fatal("a wrong password was accepted")
			}
			t.Logf("error: %v", err)
			if !errors.Is(err, ErrAuthentication) {
				t.Fatalf("error is not ErrAuthentication: %v", err)
			}
			msg := err.Error()
			for _, want := range []string{mech, `"stripe-infor"`, EnvSASLUsername, EnvSASLPassword} {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q does not mention %s", msg, want)
				}
			}
			if strings.Contains(msg, wrong) || strings.Contains(logs.String(), wrong) {
				t.Errorf("the password leaked: error %q, logs %q", msg, logs.String())
			}
		})
	}
}

// TestPingExplainsUnreachable: without an authentication problem, Ping
// does not claim one.
func TestPingExplainsUnreachable(t *testing.T) {
	ca := tlstest.NewCA(t, "cluster-ca")
	other := tlstest.NewCA(t, "someone-else")
	addr := secureBroker(t, kfake.EnableSASL(), kfake.Superuser(SASLScramSHA256, "u", "p"), kfake.TLS(serverTLS(t, ca)))
	caFile := tlstest.WriteFile(t, t.TempDir(), "ca.crt", other.PEM)
	sec := &Security{Mechanism: SASLScramSHA256, Username: "u", Password: "p", CAFile: caFile}
	cl, err := NewAdminClient(Config{Brokers: []string{addr}, Security: sec}, kgo.RetryTimeout(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = Ping(ctx, cl, sec)
	if err == nil {
		t.Fatal("a server signed by an untrusted CA was accepted")
	}
	t.Logf("error: %v", err)
	if errors.Is(err, ErrAuthentication) {
		t.Errorf("a TLS failure reported as an authentication failure: %v", err)
	}
	if !strings.Contains(err.Error(), EnvTLSCAFile) || !strings.Contains(err.Error(), caFile) {
		t.Errorf("error %q does not name %s and its path", err, EnvTLSCAFile)
	}
}

// TestPasswordRotation: the broker's password changes and the file with it;
// a new client built from the same Security (new connections, no restart)
// authenticates with the new one.
func TestPasswordRotation(t *testing.T) {
	ca := tlstest.NewCA(t, "cluster-ca")
	addr := secureBroker(t, kfake.EnableSASL(),
		kfake.Superuser(SASLScramSHA512, "admin", "admin-pw"),
		kfake.Superuser(SASLScramSHA512, "app", "old-password"),
		kfake.TLS(serverTLS(t, ca)))
	dir := t.TempDir()
	caFile := tlstest.WriteFile(t, dir, "ca.crt", ca.PEM)
	pwFile := writeSecret(t, dir, "password", "old-password")
	logs := &logSink{}
	sec := &Security{Mechanism: SASLScramSHA512, Username: "app", PasswordFile: pwFile, CAFile: caFile, Logger: logs.logger()}
	roundTrip(t, addr, sec)

	admin := &Security{Mechanism: SASLScramSHA512, Username: "admin", Password: "admin-pw", CAFile: caFile}
	acl, err := NewAdminClient(Config{Brokers: []string{addr}, Security: admin})
	if err != nil {
		t.Fatal(err)
	}
	defer acl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := kadm.NewClient(acl).AlterUserSCRAMs(ctx, nil, []kadm.UpsertSCRAM{{User: "app", Mechanism: kadm.ScramSha512, Iterations: 4096, Password: "new-password"}})
	if err == nil {
		err = res.Error()
	}
	if err != nil {
		t.Fatalf("rotate on the broker: %v", err)
	}
	replaceFile(t, pwFile, []byte("new-password\n"))
	roundTrip(t, addr, sec)
	if strings.Contains(logs.String(), "new-password") || strings.Contains(logs.String(), "old-password") {
		t.Errorf("a password reached the logs: %s", logs.String())
	}
	if !strings.Contains(logs.String(), "KAFKA_SASL_PASSWORD_FILE") {
		t.Errorf("the rotation was not logged: %s", logs.String())
	}

	// A file emptied half way through an update keeps the last password.
	replaceFile(t, pwFile, nil)
	roundTrip(t, addr, sec)
}

// TestMutualTLS: the broker requires a client certificate from its client
// CA; without one the connection fails, with one it works, and a rotated
// certificate file is what the next connection presents.
func TestMutualTLS(t *testing.T) {
	serverCA := tlstest.NewCA(t, "cluster-ca")
	clientCA := tlstest.NewCA(t, "clients-ca")
	var mu sync.Mutex
	var seen []string // client certificate common names, per handshake
	cfg := serverTLS(t, serverCA)
	cfg.ClientAuth = tls.RequireAndVerifyClientCert
	cfg.ClientCAs = clientCA.Pool()
	cfg.VerifyConnection = func(cs tls.ConnectionState) error {
		mu.Lock()
		defer mu.Unlock()
		if len(cs.PeerCertificates) > 0 {
			seen = append(seen, cs.PeerCertificates[0].Subject.CommonName)
		}
		return nil
	}
	addr := secureBroker(t, kfake.TLS(cfg))
	dir := t.TempDir()
	caFile := tlstest.WriteFile(t, dir, "ca.crt", serverCA.PEM)

	t.Run("no client certificate", func(t *testing.T) {
		sec := &Security{TLS: true, CAFile: caFile}
		cl, err := NewAdminClient(Config{Brokers: []string{addr}, Security: sec}, kgo.RetryTimeout(time.Second))
		if err != nil {
			t.Fatal(err)
		}
		defer cl.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := Ping(ctx, cl, sec); err == nil {
			t.Fatal("connected without the client certificate the broker requires")
		}
	})

	certPEM, keyPEM := clientCA.Client(t, "stripe-infor-v1")
	sec := &Security{
		CAFile:         caFile,
		CertFile:       tlstest.WriteFile(t, dir, "tls.crt", certPEM),
		KeyFile:        tlstest.WriteFile(t, dir, "tls.key", keyPEM),
		ReloadInterval: time.Nanosecond, // every new connection looks at the files
	}
	roundTrip(t, addr, sec)

	certPEM, keyPEM = clientCA.Client(t, "stripe-infor-v2")
	// cert-manager writes both keys of the Secret in one swap; two renames
	// give a moment where the new certificate sits next to the old key,
	// which must be survived (kept the old pair) rather than fail.
	replaceFile(t, sec.CertFile, certPEM)
	replaceFile(t, sec.KeyFile, keyPEM)
	mu.Lock()
	before := len(seen)
	mu.Unlock()
	roundTrip(t, addr, sec)
	mu.Lock()
	defer mu.Unlock()
	if before == 0 || seen[before-1] != "stripe-infor-v1" {
		t.Fatalf("first certificate not presented: %q", seen)
	}
	after := seen[before:]
	if len(after) == 0 {
		t.Fatal("no new handshake after the rotation")
	}
	for _, cn := range after {
		if cn != "stripe-infor-v2" {
			t.Errorf("after the rotation a connection presented %q, want stripe-infor-v2 (all: %q)", cn, seen)
		}
	}
}

// TestCARotation: the broker moves to a certificate from a new CA (as
// Strimzi does when it renews its cluster CA); new connections fail until
// the CA file holds the new CA, then succeed without a restart.
func TestCARotation(t *testing.T) {
	oldCA := tlstest.NewCA(t, "cluster-ca-1")
	newCA := tlstest.NewCA(t, "cluster-ca-2")
	oldCert, newCert := oldCA.ServerTLS(t), newCA.ServerTLS(t)
	var current sync.Map
	current.Store("cert", &oldCert)
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) {
		c, _ := current.Load("cert")
		return c.(*tls.Certificate), nil
	}}
	addr := secureBroker(t, kfake.EnableSASL(), kfake.Superuser(SASLScramSHA512, "app", "pw"), kfake.TLS(cfg))
	dir := t.TempDir()
	caFile := tlstest.WriteFile(t, dir, "ca.crt", oldCA.PEM)
	logs := &logSink{}
	sec := &Security{Mechanism: SASLScramSHA512, Username: "app", Password: "pw", CAFile: caFile, ReloadInterval: time.Nanosecond, Logger: logs.logger()}
	roundTrip(t, addr, sec)

	current.Store("cert", &newCert)
	cl, err := NewAdminClient(Config{Brokers: []string{addr}, Security: sec}, kgo.RetryTimeout(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = Ping(ctx, cl, sec)
	cl.Close()
	if err == nil {
		t.Fatal("a certificate from a CA not in the CA file was trusted")
	}
	if !strings.Contains(err.Error(), EnvTLSCAFile) {
		t.Errorf("error %q does not name %s", err, EnvTLSCAFile)
	}

	// The bundle during a rotation holds both CAs.
	replaceFile(t, caFile, append(append([]byte{}, oldCA.PEM...), newCA.PEM...))
	roundTrip(t, addr, sec)
	if !strings.Contains(logs.String(), "certificates=2") {
		t.Errorf("the reload was not logged with the bundle size: %s", logs.String())
	}
}

// TestServerName: a certificate that does not name the address dialled is
// refused with a hint at KAFKA_TLS_SERVER_NAME, and accepted with it.
func TestServerName(t *testing.T) {
	ca := tlstest.NewCA(t, "cluster-ca")
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{ca.ServerTLS(t, "kafka.internal.example")}}
	addr := secureBroker(t, kfake.TLS(cfg))
	caFile := tlstest.WriteFile(t, t.TempDir(), "ca.crt", ca.PEM)

	sec := &Security{CAFile: caFile}
	cl, err := NewAdminClient(Config{Brokers: []string{addr}, Security: sec}, kgo.RetryTimeout(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = Ping(ctx, cl, sec)
	cl.Close()
	t.Logf("error: %v", err)
	if err == nil || !strings.Contains(err.Error(), EnvTLSServerName) {
		t.Fatalf("want a host name error naming %s, got %v", EnvTLSServerName, err)
	}
	roundTrip(t, addr, &Security{CAFile: caFile, ServerName: "kafka.internal.example"})
}

// TestInsecureSkipVerify connects to an untrusted certificate only when
// asked, and says so in the log.
func TestInsecureSkipVerify(t *testing.T) {
	ca := tlstest.NewCA(t, "nobody-trusts-me")
	addr := secureBroker(t, kfake.TLS(serverTLS(t, ca)))
	logs := &logSink{}
	roundTrip(t, addr, &Security{TLS: true, InsecureSkipVerify: true, Logger: logs.logger()})
	if !strings.Contains(logs.String(), EnvTLSInsecureSkipVerify) || !strings.Contains(logs.String(), "level=WARN") {
		t.Errorf("no warning naming %s: %s", EnvTLSInsecureSkipVerify, logs.String())
	}
}

// TestNilSecurityIsPlaintext: the dev broker needs nothing.
func TestNilSecurityIsPlaintext(t *testing.T) {
	addr := secureBroker(t)
	roundTrip(t, addr, nil)
	roundTrip(t, addr, &Security{})
}
