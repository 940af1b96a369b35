package kafka

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stripe-infor/stripe-infor/internal/config"
	"github.com/stripe-infor/stripe-infor/internal/tlsconfig/tlstest"
)

var securityEnv = []string{
	EnvSASLMechanism, EnvSASLUsername, EnvSASLPassword, EnvTLSEnabled, EnvTLSCAFile,
	EnvTLSCertFile, EnvTLSKeyFile, EnvTLSServerName, EnvTLSInsecureSkipVerify,
}

// clearSecurityEnv blanks every setting and its _FILE for the test (an
// empty variable counts as unset).
func clearSecurityEnv(t *testing.T) {
	for _, n := range securityEnv {
		t.Setenv(n, "")
		t.Setenv(n+config.FileSuffix, "")
	}
}

func TestSecurityFromEnv(t *testing.T) {
	dir := t.TempDir()
	ca := tlstest.NewCA(t, "ca")
	caFile := tlstest.WriteFile(t, dir, "ca.crt", ca.PEM)
	pwFile := writeSecret(t, dir, "pw", "from-file")
	userFile := writeSecret(t, dir, "user", "file-user")

	tests := []struct {
		name  string
		env   map[string]string
		check func(t *testing.T, s *Security)
	}{
		{name: "nothing set: plaintext", env: nil, check: func(t *testing.T, s *Security) {
			if s.mechanism() != "" || s.tlsOn() {
				t.Errorf("got %+v", s)
			}
		}},
		{name: "scram in lower case, password as value", env: map[string]string{
			EnvSASLMechanism: "scram-sha-512", EnvSASLUsername: "app", EnvSASLPassword: "pw",
		}, check: func(t *testing.T, s *Security) {
			if s.mechanism() != SASLScramSHA512 || s.Username != "app" || s.Password != "pw" || s.PasswordFile != "" {
				t.Errorf("got %+v", s)
			}
		}},
		{name: "password and user as files are kept as files (rotation)", env: map[string]string{
			EnvSASLMechanism: "PLAIN", EnvSASLUsername + "_FILE": userFile, EnvSASLPassword + "_FILE": pwFile, EnvTLSEnabled: "TRUE",
		}, check: func(t *testing.T, s *Security) {
			if s.PasswordFile != pwFile || s.Password != "" || s.UsernameFile != userFile || s.Username != "" || !s.tlsOn() {
				t.Errorf("got %+v", s)
			}
		}},
		{name: "a CA file implies TLS", env: map[string]string{EnvTLSCAFile: caFile}, check: func(t *testing.T, s *Security) {
			if !s.tlsOn() || s.CAFile != caFile {
				t.Errorf("got %+v", s)
			}
		}},
		{name: "a CA file wins over an explicit false", env: map[string]string{EnvTLSCAFile: caFile, EnvTLSEnabled: "false"}, check: func(t *testing.T, s *Security) {
			if !s.tlsOn() {
				t.Errorf("got %+v", s)
			}
		}},
		{name: "insecure only with the word true", env: map[string]string{EnvTLSEnabled: "true", EnvTLSInsecureSkipVerify: "True"}, check: func(t *testing.T, s *Security) {
			if !s.InsecureSkipVerify {
				t.Errorf("got %+v", s)
			}
		}},
		{name: "insecure false", env: map[string]string{EnvTLSEnabled: "true", EnvTLSInsecureSkipVerify: "false", EnvTLSServerName: "kafka.example"}, check: func(t *testing.T, s *Security) {
			if s.InsecureSkipVerify || s.ServerName != "kafka.example" {
				t.Errorf("got %+v", s)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clearSecurityEnv(t)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			s, err := SecurityFromEnv(nil)
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, s)
			if _, err := s.Opts(); err != nil {
				t.Errorf("Opts: %v", err)
			}
		})
	}
}

func TestSecurityFromEnvErrors(t *testing.T) {
	dir := t.TempDir()
	ca := tlstest.NewCA(t, "ca")
	caFile := tlstest.WriteFile(t, dir, "ca.crt", ca.PEM)
	empty := writeSecret(t, dir, "empty", "")
	tests := []struct {
		name    string
		env     map[string]string
		mention []string // the message must name these
	}{
		{"unknown mechanism", map[string]string{EnvSASLMechanism: "GSSAPI", EnvSASLUsername: "u", EnvSASLPassword: "p"}, []string{EnvSASLMechanism, "GSSAPI"}},
		{"mechanism without user", map[string]string{EnvSASLMechanism: "PLAIN", EnvSASLPassword: "p"}, []string{EnvSASLUsername}},
		{"mechanism without password", map[string]string{EnvSASLMechanism: "SCRAM-SHA-256", EnvSASLUsername: "u"}, []string{EnvSASLPassword}},
		{"password file empty", map[string]string{EnvSASLMechanism: "SCRAM-SHA-256", EnvSASLUsername: "u", EnvSASLPassword + "_FILE": empty}, []string{EnvSASLPassword}},
		{"password file missing", map[string]string{EnvSASLMechanism: "SCRAM-SHA-256", EnvSASLUsername: "u", EnvSASLPassword + "_FILE": dir + "/nope"}, []string{EnvSASLPassword + "_FILE", dir + "/nope"}},
		{"user without mechanism", map[string]string{EnvSASLUsername: "u", EnvSASLPassword: "p"}, []string{EnvSASLUsername, EnvSASLMechanism}},
		{"TLS enabled not a boolean", map[string]string{EnvTLSEnabled: "yes"}, []string{EnvTLSEnabled, "yes"}},
		{"insecure not exactly true", map[string]string{EnvTLSEnabled: "true", EnvTLSInsecureSkipVerify: "1"}, []string{EnvTLSInsecureSkipVerify}},
		{"insecure without TLS", map[string]string{EnvTLSInsecureSkipVerify: "true"}, []string{EnvTLSInsecureSkipVerify, EnvTLSEnabled}},
		{"server name without TLS", map[string]string{EnvTLSServerName: "k"}, []string{EnvTLSServerName, EnvTLSEnabled}},
		{"insecure with a CA", map[string]string{EnvTLSCAFile: caFile, EnvTLSInsecureSkipVerify: "true"}, []string{EnvTLSInsecureSkipVerify, EnvTLSCAFile}},
		{"cert without key", map[string]string{EnvTLSCertFile: caFile}, []string{EnvTLSCertFile, EnvTLSKeyFile}},
		{"key without cert", map[string]string{EnvTLSKeyFile: caFile}, []string{EnvTLSKeyFile, EnvTLSCertFile}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clearSecurityEnv(t)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			_, err := SecurityFromEnv(nil)
			if err == nil {
				t.Fatal("no error")
			}
			for _, m := range tc.mention {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("error %q does not mention %q", err, m)
				}
			}
		})
	}
}

// TestSecurityOptsFileErrors: files are read when the options are built, and
// a bad one stops the start naming the setting and path, never the content.
func TestSecurityOptsFileErrors(t *testing.T) {
	dir := t.TempDir()
	ca := tlstest.NewCA(t, "ca")
	_, keyPEM := ca.Client(t, "c")
	otherCert, _ := ca.Client(t, "other")
	secretKey := string(keyPEM)
	tests := []struct {
		name    string
		sec     *Security
		mention []string
	}{
		{"CA file missing", &Security{CAFile: dir + "/missing.crt"}, []string{EnvTLSCAFile, dir + "/missing.crt"}},
		{"CA file not PEM", &Security{CAFile: writeSecret(t, dir, "junk.crt", "not a certificate")}, []string{EnvTLSCAFile, "no PEM CERTIFICATE"}},
		{"key does not match cert", &Security{
			CertFile: tlstest.WriteFile(t, dir, "other.crt", otherCert),
			KeyFile:  tlstest.WriteFile(t, dir, "c.key", keyPEM),
		}, []string{EnvTLSCertFile, EnvTLSKeyFile}},
		{"cert file missing", &Security{CertFile: dir + "/nope.crt", KeyFile: tlstest.WriteFile(t, dir, "k2.key", keyPEM)}, []string{EnvTLSCertFile, dir + "/nope.crt"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.sec.Opts()
			if err == nil {
				t.Fatal("no error")
			}
			for _, m := range tc.mention {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("error %q does not mention %q", err, m)
				}
			}
			if strings.Contains(err.Error(), "PRIVATE KEY") || strings.Contains(err.Error(), secretKey[40:80]) {
				t.Errorf("error shows key material: %q", err)
			}
			// Same error again: the options are built once.
			if _, err2 := tc.sec.Opts(); err2 == nil || err2.Error() != err.Error() {
				t.Errorf("second Opts: %v, want %v", err2, err)
			}
		})
	}
}

// TestNewClientsRefuseBadSecurity: the constructors pass the error on.
func TestNewClientsRefuseBadSecurity(t *testing.T) {
	bad := &Security{Mechanism: "PLAIN"}
	_, err := NewAdminClient(Config{Brokers: []string{"127.0.0.1:1"}, Security: bad})
	var missing *config.MissingError
	if !errors.As(err, &missing) || missing.Name != EnvSASLUsername {
		t.Errorf("NewAdminClient: %v, want a missing %s", err, EnvSASLUsername)
	}
	_, err = NewProducer(ProducerConfig{Config: Config{Brokers: []string{"127.0.0.1:1"}, Security: bad}})
	if !errors.As(err, &missing) {
		t.Errorf("NewProducer: %v", err)
	}
}

func TestDescribeHasNoSecrets(t *testing.T) {
	s := &Security{Mechanism: "scram-sha-256", Username: "app", Password: "hunter2-secret", CAFile: "/etc/ca.crt"}
	got := fmt.Sprintln(s.Describe()...)
	if strings.Contains(got, "hunter2") {
		t.Fatalf("Describe shows the password: %s", got)
	}
	for _, want := range []string{"SCRAM-SHA-256", "/etc/ca.crt", "kafka_tls true"} {
		if !strings.Contains(got, want) {
			t.Errorf("Describe %q lacks %q", got, want)
		}
	}
	var nilSec *Security
	if got := fmt.Sprintln(nilSec.Describe()...); !strings.Contains(got, "kafka_sasl none") {
		t.Errorf("nil Describe = %q", got)
	}
}
