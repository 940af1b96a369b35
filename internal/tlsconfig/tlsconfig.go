// Package tlsconfig builds client-side TLS for the connections every stage
// makes (Kafka brokers, Redis) from PEM files that are rotated while the
// process runs: cert-manager, Strimzi and Kubernetes Secret updates replace a
// CA bundle or a client certificate in place, and a long-running consumer
// must pick the new one up without a restart.
//
// Each new connection gets a fresh *tls.Config (Client.Config) holding the
// CA pool and client certificate current at that moment, re-read from their
// files at most once per ReloadInterval. Verification is Go's standard one
// (chain and host name); nothing is skipped unless InsecureSkipVerify is set
// on purpose. A fresh config per connection, rather than one shared config
// with a VerifyConnection hook, is what makes this possible when brokers are
// dialled by IP address: crypto/tls sends no SNI for an IP, so a shared hook
// could not learn which address it is verifying.
package tlsconfig

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"
)

// DefaultReloadInterval bounds how often the files are re-read. A rotation
// tool swaps certificates well before the old ones expire, so a few seconds
// of delay cost nothing, while re-reading on every connection would cost a
// file read per dial during a reconnect storm.
const DefaultReloadInterval = 5 * time.Second

// DefaultDialTimeout is used by Dialer when no net.Dialer is given; it matches
// franz-go's own default.
const DefaultDialTimeout = 10 * time.Second

// Settings says where the PEM files are and how to verify the server.
type Settings struct {
	// Prefix names the settings in error messages and logs: "KAFKA_TLS"
	// makes the CA file KAFKA_TLS_CA_FILE, so an operator sees which
	// variable to fix.
	Prefix string
	// CAFile is a PEM bundle of the CAs to trust; empty uses the system
	// roots.
	CAFile string
	// CertFile and KeyFile are the client certificate (with any
	// intermediates) and its private key, for mutual TLS; both or neither.
	CertFile, KeyFile string
	// ServerName, when set, is verified instead of the host dialled (for
	// brokers reached through an address their certificate does not name).
	ServerName string
	// InsecureSkipVerify turns verification off. Only for a test cluster;
	// New logs a warning when it is set.
	InsecureSkipVerify bool
	// ReloadInterval is the least time between two re-reads of the files;
	// 0 means DefaultReloadInterval.
	ReloadInterval time.Duration
	// Logger receives the insecure warning and reload notices; nil uses
	// slog.Default.
	Logger *slog.Logger
}

// Setting names one of the settings, e.g. Setting("CA_FILE").
func (s Settings) Setting(suffix string) string {
	if s.Prefix == "" {
		return suffix
	}
	return s.Prefix + "_" + suffix
}

// Client hands out TLS configs that follow the files.
type Client struct {
	s    Settings
	log  *slog.Logger
	ca   *watchedPEM // nil: system roots
	cert *watchedPEM // nil: no client certificate
}

// New reads the files once, so a missing or malformed file stops the start
// with an error naming the setting and the path (never the content).
func New(s Settings) (*Client, error) {
	if s.ReloadInterval <= 0 {
		s.ReloadInterval = DefaultReloadInterval
	}
	log := s.Logger
	if log == nil {
		log = slog.Default()
	}
	c := &Client{s: s, log: log}
	if (s.CertFile == "") != (s.KeyFile == "") {
		have, missing := s.Setting("CERT_FILE"), s.Setting("KEY_FILE")
		if s.CertFile == "" {
			have, missing = missing, have
		}
		return nil, fmt.Errorf("%s is set but %s is not: a client certificate needs both", have, missing)
	}
	if s.CAFile != "" {
		c.ca = newWatchedPEM(s.Setting("CA_FILE"), []string{s.CAFile}, parseCAPool, s.ReloadInterval, log)
		if err := c.ca.load(); err != nil {
			return nil, err
		}
	}
	if s.CertFile != "" {
		name := s.Setting("CERT_FILE") + "/" + s.Setting("KEY_FILE")
		c.cert = newWatchedPEM(name, []string{s.CertFile, s.KeyFile}, parseKeyPair, s.ReloadInterval, log)
		if err := c.cert.load(); err != nil {
			return nil, err
		}
	}
	if s.InsecureSkipVerify {
		log.Warn("TLS server certificates are NOT verified: anyone on the network path can read and change this traffic; use only against a test cluster",
			"setting", s.Setting("INSECURE_SKIP_VERIFY"))
	}
	return c, nil
}

// Config returns a config for one new connection to host (a host name or IP
// address, without port), holding the CA pool and client certificate that
// are current now.
func (c *Client) Config(host string) *tls.Config {
	cfg := &tls.Config{
		MinVersion:         tls.VersionTLS12,
		ServerName:         host,
		InsecureSkipVerify: c.s.InsecureSkipVerify,
	}
	if c.s.ServerName != "" {
		cfg.ServerName = c.s.ServerName
	}
	if c.ca != nil {
		cfg.RootCAs = c.ca.current().(*caPool).pool
	}
	if c.cert != nil {
		// The certificate is read when the server asks for it, so a
		// handshake always sends the newest one.
		cfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
			return c.cert.current().(*tls.Certificate), nil
		}
	}
	return cfg
}

// Dialer returns a dial function (the signature of franz-go's kgo.Dialer and
// go-redis' Options.Dialer) that opens a TCP connection with d and runs the
// TLS handshake with Config for the address' host. d nil uses a net.Dialer
// with DefaultDialTimeout.
func (c *Client) Dialer(d *net.Dialer) func(ctx context.Context, network, addr string) (net.Conn, error) {
	if d == nil {
		d = &net.Dialer{Timeout: DefaultDialTimeout}
	}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, fmt.Errorf("tls dial %s: %w", addr, err)
		}
		td := &tls.Dialer{NetDialer: d, Config: c.Config(host)}
		conn, err := td.DialContext(ctx, network, addr)
		if err != nil {
			return nil, c.explain(addr, err)
		}
		return conn, nil
	}
}

// explain adds to a handshake failure which setting decides it, since
// crypto/tls' own message ("certificate signed by unknown authority") does
// not say where the trusted CAs come from.
func (c *Client) explain(addr string, err error) error {
	var herr x509.HostnameError
	if errors.As(err, &herr) {
		return fmt.Errorf("tls handshake with %s: server certificate is not valid for %q (%s names the host to verify when it differs from the address dialled): %w",
			addr, herr.Host, c.s.Setting("SERVER_NAME"), err)
	}
	var verr *tls.CertificateVerificationError
	if errors.As(err, &verr) {
		trust := "the system roots"
		if c.s.CAFile != "" {
			trust = c.s.Setting("CA_FILE") + " (" + c.s.CAFile + ")"
		}
		return fmt.Errorf("tls handshake with %s: server certificate not trusted by %s: %w", addr, trust, err)
	}
	return fmt.Errorf("tls dial %s: %w", addr, err)
}
