package kafka

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"

	"github.com/stripe-infor/stripe-infor/internal/config"
	"github.com/stripe-infor/stripe-infor/internal/tlsconfig"
)

// SASL mechanisms the stages speak: what MSK, Confluent Cloud, Strimzi,
// Redpanda and Bitnami's chart offer for user names and passwords.
const (
	SASLPlain       = "PLAIN"
	SASLScramSHA256 = "SCRAM-SHA-256"
	SASLScramSHA512 = "SCRAM-SHA-512"
)

// Setting names, shared with the Helm chart.
const (
	EnvSASLMechanism         = "KAFKA_SASL_MECHANISM"
	EnvSASLUsername          = "KAFKA_SASL_USERNAME"
	EnvSASLPassword          = "KAFKA_SASL_PASSWORD"
	EnvTLSEnabled            = "KAFKA_TLS_ENABLED"
	EnvTLSCAFile             = "KAFKA_TLS_CA_FILE"
	EnvTLSCertFile           = "KAFKA_TLS_CERT_FILE"
	EnvTLSKeyFile            = "KAFKA_TLS_KEY_FILE"
	EnvTLSServerName         = "KAFKA_TLS_SERVER_NAME"
	EnvTLSInsecureSkipVerify = "KAFKA_TLS_INSECURE_SKIP_VERIFY"
)

// dialTimeout is franz-go's own default, kept when TLS replaces its dialer.
const dialTimeout = 10 * time.Second

// Security is how a stage authenticates to the cluster and encrypts the
// connection. The zero value (or a nil *Security) is plaintext without SASL,
// as the embedded dev broker wants.
//
// Secrets may rotate while the process runs: a user name or password given
// as a file is re-read for every new connection (franz-go asks for the
// credentials per SASL session), and the CA bundle and client certificate
// are re-read at most every ReloadInterval. Connections already open keep
// their session; the broker ends them when the credentials they were made
// with expire or are revoked, and the client reconnects with the new ones.
//
// Use it by pointer: the clients built from one Security share its
// credential sources and TLS files.
type Security struct {
	// Mechanism is PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 in any case;
	// empty means no SASL.
	Mechanism string
	// Username, or UsernameFile holding it (re-read per connection).
	Username, UsernameFile string
	// Password, or PasswordFile holding it (re-read per connection).
	Password, PasswordFile string

	// TLS turns TLS on; any of the files below turns it on as well.
	TLS bool
	// CAFile is a PEM bundle of the CAs to trust; empty: system roots.
	CAFile string
	// CertFile and KeyFile are a client certificate for mutual TLS.
	CertFile, KeyFile string
	// ServerName is verified instead of the broker's host.
	ServerName string
	// InsecureSkipVerify turns certificate verification off (test clusters
	// only; a warning is logged).
	InsecureSkipVerify bool
	// ReloadInterval bounds how often the TLS files are re-read; 0 means
	// tlsconfig.DefaultReloadInterval.
	ReloadInterval time.Duration

	// Logger receives warnings (insecure settings, rotation problems);
	// nil uses slog.Default.
	Logger *slog.Logger

	once sync.Once
	opts []kgo.Opt
	err  error
	// authState is the outcome of the last SASL session (see Ping).
	authState atomic.Int32
}

// SecurityFromEnv reads the KAFKA_SASL_* and KAFKA_TLS_* settings through
// internal/config, so each may also be given as X_FILE. The SASL user name
// and password given as files are remembered as files, so rotating them
// needs no restart. The result is validated; errors name the setting.
func SecurityFromEnv(log *slog.Logger) (*Security, error) {
	s := &Security{Logger: log}
	var err error
	str := func(name string) string {
		if err != nil {
			return ""
		}
		var v string
		v, err = config.String(name, "")
		return strings.TrimSpace(v)
	}
	s.Mechanism = str(EnvSASLMechanism)
	s.CAFile = str(EnvTLSCAFile)
	s.CertFile = str(EnvTLSCertFile)
	s.KeyFile = str(EnvTLSKeyFile)
	s.ServerName = str(EnvTLSServerName)
	enabled := str(EnvTLSEnabled)
	insecure := str(EnvTLSInsecureSkipVerify)
	if err != nil {
		return nil, err
	}
	if s.Username, s.UsernameFile, err = secretSetting(EnvSASLUsername); err != nil {
		return nil, err
	}
	if s.Password, s.PasswordFile, err = secretSetting(EnvSASLPassword); err != nil {
		return nil, err
	}

	tlsOn, set, err := parseBool(EnvTLSEnabled, enabled)
	if err != nil {
		return nil, err
	}
	if set && !tlsOn && s.hasTLSFile() {
		// The Helm chart always states KAFKA_TLS_ENABLED; a CA or client
		// certificate given next to "false" only makes sense with TLS.
		s.logger().Warn("a TLS file is set, so TLS is on although the setting says false",
			"setting", EnvTLSEnabled, "file_setting", s.firstTLSFile())
	}
	s.TLS = tlsOn
	// Only the exact word "true" turns verification off: a typo must not
	// silently remove it.
	if insecure != "" && !strings.EqualFold(insecure, "true") && !strings.EqualFold(insecure, "false") {
		return nil, fmt.Errorf("%s: %q is neither true nor false", EnvTLSInsecureSkipVerify, insecure)
	}
	s.InsecureSkipVerify = strings.EqualFold(insecure, "true")
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return s, nil
}

// secretSetting reads a setting that may rotate: the variable's value, or
// the path of its X_FILE (read once here so that a missing or empty file
// fails the start, not the first connection).
func secretSetting(name string) (value, path string, err error) {
	v, ok, err := config.Lookup(name)
	if err != nil || !ok {
		return "", "", err
	}
	if p := os.Getenv(name + config.FileSuffix); p != "" && os.Getenv(name) == "" {
		return "", p, nil
	}
	return v, "", nil
}

// parseBool reads true/false in any case; empty is unset.
func parseBool(name, v string) (value, set bool, err error) {
	switch strings.ToLower(v) {
	case "":
		return false, false, nil
	case "true":
		return true, true, nil
	case "false":
		return false, true, nil
	}
	return false, false, fmt.Errorf("%s: %q is neither true nor false", name, v)
}

// Validate checks the settings together; errors name the setting to fix.
func (s *Security) Validate() error {
	if s == nil {
		return nil
	}
	mech := s.mechanism()
	switch mech {
	case "", SASLPlain, SASLScramSHA256, SASLScramSHA512:
	default:
		return fmt.Errorf("%s: %q is not supported (want %s, %s or %s; empty for none)",
			EnvSASLMechanism, s.Mechanism, SASLPlain, SASLScramSHA256, SASLScramSHA512)
	}
	hasUser := s.Username != "" || s.UsernameFile != ""
	hasPass := s.Password != "" || s.PasswordFile != ""
	if mech == "" {
		if hasUser || hasPass {
			set := EnvSASLUsername
			if !hasUser {
				set = EnvSASLPassword
			}
			return fmt.Errorf("%s is set but %s is empty: name the mechanism (%s, %s or %s)",
				set, EnvSASLMechanism, SASLPlain, SASLScramSHA256, SASLScramSHA512)
		}
	} else {
		if !hasUser {
			return fmt.Errorf("%s=%s: %w", EnvSASLMechanism, mech, &config.MissingError{Name: EnvSASLUsername})
		}
		if !hasPass {
			return fmt.Errorf("%s=%s: %w", EnvSASLMechanism, mech, &config.MissingError{Name: EnvSASLPassword})
		}
	}
	if !s.tlsOn() {
		if s.ServerName != "" {
			return fmt.Errorf("%s is set but TLS is off (set %s=true)", EnvTLSServerName, EnvTLSEnabled)
		}
		if s.InsecureSkipVerify {
			return fmt.Errorf("%s is set but TLS is off (set %s=true)", EnvTLSInsecureSkipVerify, EnvTLSEnabled)
		}
	}
	if s.InsecureSkipVerify && s.CAFile != "" {
		return fmt.Errorf("%s=true and %s contradict each other: a CA is pointless when nothing is verified", EnvTLSInsecureSkipVerify, EnvTLSCAFile)
	}
	if (s.CertFile == "") != (s.KeyFile == "") {
		have, missing := EnvTLSCertFile, EnvTLSKeyFile
		if s.CertFile == "" {
			have, missing = missing, have
		}
		return fmt.Errorf("%s is set but %s is not: a client certificate needs both", have, missing)
	}
	return nil
}

// Opts returns the franz-go options for SASL and TLS, to add to every
// client of the stage (producer, consumer group, transactional producer,
// admin). The first call reads the files and builds the credential sources;
// later calls return the same options, so all clients share them.
func (s *Security) Opts() ([]kgo.Opt, error) {
	if s == nil {
		return nil, nil
	}
	s.once.Do(func() { s.opts, s.err = s.build() })
	return s.opts, s.err
}

func (s *Security) build() ([]kgo.Opt, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	var opts []kgo.Opt
	if s.tlsOn() {
		tc, err := tlsconfig.New(tlsconfig.Settings{
			Prefix:             "KAFKA_TLS",
			CAFile:             s.CAFile,
			CertFile:           s.CertFile,
			KeyFile:            s.KeyFile,
			ServerName:         s.ServerName,
			InsecureSkipVerify: s.InsecureSkipVerify,
			ReloadInterval:     s.ReloadInterval,
			Logger:             s.logger(),
		})
		if err != nil {
			return nil, fmt.Errorf("kafka tls: %w", err)
		}
		// A dialer rather than kgo.DialTLSConfig: each connection gets a
		// config with the CA pool and certificate current at that moment.
		opts = append(opts, kgo.Dialer(tc.Dialer(&net.Dialer{Timeout: dialTimeout})))
	}
	if mech := s.mechanism(); mech != "" {
		m, err := s.saslMechanism(mech)
		if err != nil {
			return nil, err
		}
		if mech == SASLPlain && !s.tlsOn() {
			s.logger().Warn("SASL PLAIN without TLS sends the password in clear text; set KAFKA_TLS_ENABLED=true unless the network is otherwise encrypted",
				"setting", EnvSASLMechanism)
		}
		opts = append(opts, kgo.SASL(trackedMechanism{Mechanism: m, last: &s.authState}))
	}
	return opts, nil
}

// saslMechanism builds the mechanism with a credentials function, which
// franz-go calls for every new connection: a rotated file applies to the
// next connection without a restart.
func (s *Security) saslMechanism(mech string) (sasl.Mechanism, error) {
	log := s.logger()
	user := newSecretSource(EnvSASLUsername, s.Username, s.UsernameFile, log)
	pass := newSecretSource(EnvSASLPassword, s.Password, s.PasswordFile, log)
	// Read once now so a missing file fails the start.
	if _, err := user.get(); err != nil {
		return nil, err
	}
	if _, err := pass.get(); err != nil {
		return nil, err
	}
	creds := func() (u, p string, err error) {
		if u, err = user.get(); err != nil {
			return "", "", err
		}
		if p, err = pass.get(); err != nil {
			return "", "", err
		}
		return u, p, nil
	}
	switch mech {
	case SASLPlain:
		return plain.Plain(func(_ context.Context) (plain.Auth, error) {
			u, p, err := creds()
			return plain.Auth{User: u, Pass: p}, err
		}), nil
	case SASLScramSHA256, SASLScramSHA512:
		fn := func(_ context.Context) (scram.Auth, error) {
			u, p, err := creds()
			return scram.Auth{User: u, Pass: p}, err
		}
		if mech == SASLScramSHA256 {
			return scram.Sha256(fn), nil
		}
		return scram.Sha512(fn), nil
	}
	return nil, errors.New("unreachable: mechanism validated")
}

// Describe returns log attributes saying how the stage connects, without
// any secret, for the start-up line.
func (s *Security) Describe() []any {
	if s == nil {
		return []any{"kafka_sasl", "none", "kafka_tls", false}
	}
	mech := s.mechanism()
	if mech == "" {
		mech = "none"
	}
	out := []any{"kafka_sasl", mech, "kafka_tls", s.tlsOn()}
	if s.tlsOn() {
		ca := "system roots"
		if s.CAFile != "" {
			ca = s.CAFile
		}
		if s.InsecureSkipVerify {
			ca = "NOT VERIFIED"
		}
		out = append(out, "kafka_tls_ca", ca, "kafka_tls_client_cert", s.CertFile != "")
	}
	return out
}

// HasSASL reports whether SASL is configured.
func (s *Security) HasSASL() bool { return s != nil && s.mechanism() != "" }

func (s *Security) mechanism() string { return strings.ToUpper(strings.TrimSpace(s.Mechanism)) }

func (s *Security) tlsOn() bool { return s.TLS || s.hasTLSFile() }

func (s *Security) hasTLSFile() bool { return s.firstTLSFile() != "" }

func (s *Security) firstTLSFile() string {
	switch {
	case s.CAFile != "":
		return EnvTLSCAFile
	case s.CertFile != "":
		return EnvTLSCertFile
	case s.KeyFile != "":
		return EnvTLSKeyFile
	}
	return ""
}

func (s *Security) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}
